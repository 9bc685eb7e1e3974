/* timeline.c - the modelled timeline of one iteration (timeline.h). */
#include "tcemu/timeline.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tcemu/plan.h"
#include "tcemu/projector.h"
#include "tcemu/schedule.h"
#include "tcemu/trace.h"
#include "tcemu/walk.h"

/* A step's time: total and the exposed parts by charge. */
struct step_time {
    double total;
    double part[TCE_CHARGE_COUNT];
};

struct iter_op {
    const char *name;
    double x; /* one repetition */
    int64_t count;
    int deferred, compute;
};

struct stage_info {
    double p2p_fwd_s, p2p_bwd_s;
    int n_begin, n_end;
    struct iter_op begin[TCE_PLAN_OPS_MAX], end[TCE_PLAN_OPS_MAX];
};

struct sim {
    const struct tce_costmodel *cm;
    struct tce_span spans[TCE_GROUP_COUNT];
    int64_t p, v, m;
    int overlap_p2p;         /* training.overlap_p2p_comm */
    int align;               /* training.align_grad_reduce */
    struct stage_info *st;   /* [p] */
    struct step_time *chunk; /* [p][v][2]: forward, backward per microbatch */
    double *arr_fwd, *arr_bwd; /* [v*p][m]: message arrival, NaN: not sent */
    struct tce_timeline *t;
    struct tce_error *err;
};

/* A list's time, by the projector's rule (tce_projector_list_time),
 * added to acc. */
static void list_time(const struct sim *s, const struct tce_op_list *l,
                      struct step_time *acc)
{
    struct tce_list_time x;
    int i;

    tce_projector_list_time(s->cm, s->spans, l, &x);
    for (i = 0; i < TCE_CHARGE_COUNT; i++)
        acc->part[i] += x.part_s[i];
    acc->total += x.total_s;
}

static int64_t vstage(const struct sim *s, int64_t stage, int64_t chunk)
{
    return chunk * s->p + stage;
}

/* Time the plan of one stage: its chunks' steps, p2p and ITER lists. */
static void time_stage(struct sim *s, const struct tce_plan *plan,
                       int64_t stage)
{
    struct stage_info *si = &s->st[stage];
    struct step_time lt[4]; /* dense fwd, dense bwd, moe fwd, moe bwd */
    int64_t c, i, n;
    int k, dir;

    memset(lt, 0, sizeof(lt));
    for (k = 0; k < 4; k++)
        list_time(s, &plan->list[TCE_PLAN_DENSE_FWD + k], &lt[k]);
    for (c = 0; c < s->v; c++) {
        for (dir = 0; dir < 2; dir++) {
            struct step_time *st = &s->chunk[(stage * s->v + c) * 2 + dir];
            int64_t j = vstage(s, stage, c);

            memset(st, 0, sizeof(*st));
            n = tce_plan_chunk_layers(plan, c);
            for (i = 0; i < n; i++) {
                const struct step_time *x =
                    &lt[(tce_plan_layer_is_moe(plan, c, i) ? 2 : 0) + dir];

                st->total += x->total;
                for (k = 0; k < TCE_CHARGE_COUNT; k++)
                    st->part[k] += x->part[k];
            }
            if (j == 0)
                list_time(s, &plan->list[dir ? TCE_PLAN_EMBED_BWD
                                             : TCE_PLAN_EMBED_FWD],
                          st);
            if (j == s->v * s->p - 1)
                list_time(s, &plan->list[dir ? TCE_PLAN_HEAD_BWD
                                             : TCE_PLAN_HEAD_FWD],
                          st);
        }
    }
    si->p2p_fwd_s = plan->list[TCE_PLAN_P2P_FWD].n
                        ? tce_cost_op_s(s->cm, &plan->list[TCE_PLAN_P2P_FWD].ops[0],
                                        s->spans)
                        : 0;
    si->p2p_bwd_s = plan->list[TCE_PLAN_P2P_BWD].n
                        ? tce_cost_op_s(s->cm, &plan->list[TCE_PLAN_P2P_BWD].ops[0],
                                        s->spans)
                        : 0;
    /* exposed per message as the projector counts it (interleaved with
     * overlap_p2p_comm: latency and the transfer beyond a chunk step) */
    if (s->v > 1 && s->overlap_p2p) {
        double lat = tce_cost_p2p_s(s->cm, &s->spans[TCE_GROUP_PP], 1.0);
        double f = 0, b = 0;

        for (c = 0; c < s->v; c++) {
            f += s->chunk[(stage * s->v + c) * 2].total;
            b += s->chunk[(stage * s->v + c) * 2 + 1].total;
        }
        si->p2p_fwd_s = tce_projector_p2p_message_s(si->p2p_fwd_s, lat,
                                                    f / (double)s->v, 1);
        si->p2p_bwd_s = tce_projector_p2p_message_s(si->p2p_bwd_s, lat,
                                                    b / (double)s->v, 1);
    }
    for (k = 0; k < 2; k++) {
        const struct tce_op_list *l =
            &plan->list[k ? TCE_PLAN_ITER_END : TCE_PLAN_ITER_BEGIN];
        struct iter_op *o = k ? si->end : si->begin;

        for (i = 0; i < l->n; i++) {
            o[i].name = l->ops[i].name;
            o[i].x = tce_cost_op_s(s->cm, &l->ops[i], s->spans);
            o[i].count = l->ops[i].count;
            o[i].deferred = tce_walk_is_deferred(&l->ops[i]);
            o[i].compute = l->ops[i].kind == TCE_OP_COMPUTE;
        }
        if (k)
            si->n_end = l->n;
        else
            si->n_begin = l->n;
    }
}

static struct tce_tl_event *add(struct sim *s, enum tce_tl_kind kind,
                                int64_t stage, double start, double dur)
{
    struct tce_timeline *t = s->t;
    struct tce_tl_event *e;

    if (t->n == t->cap) {
        int cap = t->cap ? t->cap * 2 : 1024;

        if (t->n >= TCE_TIMELINE_EVENTS_MAX) {
            tce_error_set(s->err, TCE_EUSAGE,
                          "the timeline would have more than %d events "
                          "(pipeline x microbatches too large to trace)",
                          TCE_TIMELINE_EVENTS_MAX);
            return NULL;
        }
        e = realloc(t->ev, (size_t)cap * sizeof(*e));
        if (!e) {
            tce_error_set(s->err, TCE_ENOMEM, "out of memory");
            return NULL;
        }
        t->ev = e;
        t->cap = cap;
    }
    e = &t->ev[t->n++];
    memset(e, 0, sizeof(*e));
    e->kind = kind;
    e->stage = stage;
    e->microbatch = -1;
    e->chunk = -1;
    e->count = 1;
    e->start_s = start;
    e->dur_s = dur;
    if (start + dur > t->span_s)
        t->span_s = start + dur;
    return e;
}

/* Idle from *now to until on stage's track: a wait slice, *now moved. */
static int wait_until(struct sim *s, int64_t stage, double *now, double until,
                      int64_t mb, const char *why)
{
    struct tce_tl_event *e;

    if (until <= *now)
        return 0;
    e = add(s, TCE_TL_WAIT, stage, *now, until - *now);
    if (!e)
        return s->err->code;
    e->microbatch = mb;
    e->name = why;
    *now = until;
    return 0;
}

/* Repetitions of share `part` of `parts` of an op repeated count times. */
static int64_t share(int64_t count, int64_t part, int64_t parts)
{
    return count * (part + 1) / parts - count * part / parts;
}

/* ITER ops: deferred ones on the overlapped track from *comm, the others
 * on the stage's track from *now; share `part` of `parts` of each op's
 * repetitions (0 of 1: all).  last_after: the last deferred repetition
 * starts no earlier (gradients final), or -1. */
static int iter_ops(struct sim *s, int64_t stage, const struct iter_op *o,
                    int n, int deferred, double *now, double *comm,
                    double last_after, int64_t part, int64_t parts)
{
    struct tce_tl_event *e;
    int i, last = -1;

    for (i = 0; i < n; i++)
        if (o[i].deferred == deferred && share(o[i].count, part, parts) > 0)
            last = i;
    for (i = 0; i <= last; i++) {
        int64_t reps = share(o[i].count, part, parts);
        double *clock = deferred ? comm : now;
        double dur = o[i].x * (double)reps, start = *clock;

        if (o[i].deferred != deferred || reps == 0)
            continue;
        if (deferred && i == last && last_after >= 0 &&
            start + dur - o[i].x < last_after)
            start = last_after - (dur - o[i].x);
        e = add(s, o[i].compute ? TCE_TL_OPTIMIZER : TCE_TL_COMM, stage,
                start, dur);
        if (!e)
            return s->err->code;
        e->overlapped = deferred;
        e->name = o[i].name;
        e->count = reps;
        *clock = start + dur;
    }
    return 0;
}

/* Run stage's steps from *k while their messages are there. */
/* Megatron's aligned grad sync (align_grad_reduce; schedule.h): stage's
 * chunk c goes out as a whole `stage` backward steps after its last one
 * (1F1B: the first stage by its bucket hooks, the others after the
 * loop). */
static int aligned(const struct sim *s, int64_t stage)
{
    return s->align && !(s->v == 1 && stage == 0);
}

/* Post chunk's whole share of the gradient buckets from *now. */
static int post_chunk(struct sim *s, int64_t stage, int64_t chunk,
                      double *now, double *comm, unsigned char *posted)
{
    const struct stage_info *si = &s->st[stage];
    double c0 = fmax(*comm, *now);
    int ret;

    if (posted[chunk])
        return 0;
    posted[chunk] = 1;
    ret = iter_ops(s, stage, si->end, si->n_end, 1, now, &c0, -1,
                   s->v - 1 - chunk, s->v);
    *comm = c0;
    return ret;
}

static int advance(struct sim *s, int64_t stage, int64_t *k, double *now,
                   double *comm, const double *ag_end, int64_t *nb,
                   unsigned char *posted)
{
    const struct stage_info *si = &s->st[stage];
    int64_t len = tce_schedule_len(s->v, s->m), j, vp = s->v * s->p;
    struct tce_sched_step st;
    struct tce_tl_event *e;
    double need, *arr;
    int ret;

    for (; *k < len; (*k)++) {
        const struct step_time *tm;

        ret = tce_schedule_step(s->p, s->v, s->m, stage, *k, &st, s->err);
        if (ret < 0)
            return ret;
        j = vstage(s, stage, st.chunk);
        tm = &s->chunk[(stage * s->v + st.chunk) * 2 + st.backward];
        need = *now;
        if (!st.backward && j > 0)
            need = s->arr_fwd[(j - 1) * s->m + st.microbatch];
        if (st.backward && j < vp - 1)
            need = s->arr_bwd[(j + 1) * s->m + st.microbatch];
        if (isnan(need))
            return 0; /* blocked: another stage first */
        ret = wait_until(s, stage, now, need, st.microbatch,
                         st.backward ? "wait for the gradient"
                                     : "wait for the activation");
        if (ret < 0)
            return ret;
        if (st.backward && st.microbatch == s->m - 1 &&
            !aligned(s, stage)) {
            /* chunk c's last backward: its gradients are final, post its
             * share of the buckets (chunks finish v-1 first, 0 last) */
            double c0 = fmax(*comm, *now);

            ret = iter_ops(s, stage, si->end, si->n_end, 1, now, &c0,
                           *now + tm->total, s->v - 1 - st.chunk, s->v);
            *comm = c0;
            if (ret < 0)
                return ret;
        }
        e = add(s, st.backward ? TCE_TL_BACKWARD : TCE_TL_FORWARD, stage,
                *now, tm->total);
        if (!e)
            return s->err->code;
        e->microbatch = st.microbatch;
        e->chunk = st.chunk;
        e->compute_s = tm->part[TCE_CHARGE_COMPUTE];
        e->tp_s = tm->part[TCE_CHARGE_TP];
        e->cp_s = tm->part[TCE_CHARGE_CP];
        e->ep_s = tm->part[TCE_CHARGE_EP];
        *now += tm->total;
        if ((!st.backward && j < vp - 1) || (st.backward && j > 0)) {
            double d = st.backward ? si->p2p_bwd_s : si->p2p_fwd_s;

            e = add(s, TCE_TL_SEND, stage, *now, d);
            if (!e)
                return s->err->code;
            e->microbatch = st.microbatch;
            e->chunk = st.chunk;
            *now += d;
            arr = st.backward ? s->arr_bwd : s->arr_fwd;
            arr[j * s->m + st.microbatch] = *now;
        }
        if (st.backward && aligned(s, stage) && s->v > 1 &&
            *nb - stage >= 0) {
            struct tce_sched_step b;

            tce_schedule_backward_nth(s->p, s->v, *nb - stage, &b);
            if (b.microbatch == s->m - 1) {
                ret = post_chunk(s, stage, b.chunk, now, comm, posted);
                if (ret < 0)
                    return ret;
            }
        }
        if (st.backward)
            (*nb)++;
        if (!st.backward && st.microbatch == 0) {
            /* chunk c's first forward: its share of the param all-gather
             * must be there */
            ret = wait_until(s, stage, now, ag_end[st.chunk], -1,
                             "wait for the param all-gather");
            if (ret < 0)
                return ret;
        }
    }
    return 0;
}

static int simulate(struct sim *s)
{
    int64_t *k = calloc((size_t)s->p, sizeof(*k)), st, len, done = 0, c;
    double *now = calloc((size_t)s->p, sizeof(*now));
    double *comm = calloc((size_t)s->p, sizeof(*comm));
    double *ag_end = calloc((size_t)(s->p * s->v), sizeof(*ag_end));
    int64_t *nb = calloc((size_t)s->p, sizeof(*nb));
    unsigned char *posted = calloc((size_t)(s->p * s->v), 1);
    int ret = 0;

    if (!k || !now || !comm || !ag_end || !nb || !posted) {
        ret = tce_error_set(s->err, TCE_ENOMEM, "out of memory");
        goto out;
    }
    len = tce_schedule_len(s->v, s->m);
    for (st = 0; st < s->p && ret == 0; st++) {
        const struct stage_info *si = &s->st[st];

        ret = iter_ops(s, st, si->begin, si->n_begin, 0, &now[st], &comm[st],
                       -1, 0, 1);
        /* the overlapped param all-gather, chunk 0's share first */
        for (c = 0; c < s->v && ret == 0; c++) {
            ret = iter_ops(s, st, si->begin, si->n_begin, 1, &now[st],
                           &comm[st], -1, c, s->v);
            ag_end[st * s->v + c] = comm[st];
        }
    }
    while (ret == 0 && done < s->p) {
        int64_t before = 0, after = 0;

        for (st = 0; st < s->p; st++)
            before += k[st];
        for (st = 0; st < s->p && ret == 0; st++)
            ret = advance(s, st, &k[st], &now[st], &comm[st],
                          &ag_end[st * s->v], &nb[st], &posted[st * s->v]);
        for (st = 0, done = 0; st < s->p; st++) {
            after += k[st];
            done += k[st] == len;
        }
        if (ret == 0 && after == before && done < s->p)
            ret = tce_error_set(s->err, TCE_EINTERNAL,
                                "timeline: the schedule deadlocks");
    }
    for (st = 0; st < s->p && ret == 0; st++) {
        const struct stage_info *si = &s->st[st];

        /* aligned: the chunks whose turn fell past the loop */
        for (c = s->v - 1; c >= 0 && ret == 0 && aligned(s, st); c--)
            ret = post_chunk(s, st, c, &now[st], &comm[st],
                             &posted[st * s->v]);
        if (ret == 0)
            ret = wait_until(s, st, &now[st], comm[st], -1,
                             "wait for the gradient reduce");
        if (ret == 0)
            ret = iter_ops(s, st, si->end, si->n_end, 0, &now[st], &comm[st],
                           -1, 0, 1);
    }
out:
    free(k);
    free(now);
    free(comm);
    free(ag_end);
    free(nb);
    free(posted);
    return ret;
}

int tce_timeline_build(const struct tce_topology *topo,
                       const struct tce_job *job,
                       const struct tce_costmodel *cm,
                       const struct tce_layout *layout,
                       struct tce_timeline *out, struct tce_error *err)
{
    struct tce_plan *plan = malloc(sizeof(*plan));
    struct sim s;
    int64_t st, i;
    int ret = 0;

    memset(out, 0, sizeof(*out));
    memset(&s, 0, sizeof(s));
    s.cm = cm;
    s.t = out;
    s.err = err;
    s.p = layout->pp > 0 ? layout->pp : 1;
    s.v = layout->vpp > 0 ? layout->vpp : 1;
    s.m = layout->microbatches;
    s.overlap_p2p = job->training.overlap_p2p_comm;
    s.align = job->training.align_grad_reduce;
    out->p = s.p;
    out->v = s.v;
    out->m = s.m;
    if (s.m <= 0 || s.p * s.v * s.m * 4 > TCE_TIMELINE_EVENTS_MAX) {
        ret = tce_error_set(err, TCE_EUSAGE,
                            "a timeline of %lld stages x %lld chunks x %lld "
                            "microbatches is too large to trace",
                            (long long)s.p, (long long)s.v, (long long)s.m);
        goto out;
    }
    tce_layout_spans(layout, topo, s.spans);
    s.st = calloc((size_t)s.p, sizeof(*s.st));
    s.chunk = calloc((size_t)(s.p * s.v * 2), sizeof(*s.chunk));
    s.arr_fwd = malloc((size_t)(s.p * s.v * s.m) * sizeof(double));
    s.arr_bwd = malloc((size_t)(s.p * s.v * s.m) * sizeof(double));
    if (!plan || !s.st || !s.chunk || !s.arr_fwd || !s.arr_bwd) {
        ret = tce_error_set(err, TCE_ENOMEM, "out of memory");
        goto out;
    }
    for (i = 0; i < s.p * s.v * s.m; i++)
        s.arr_fwd[i] = s.arr_bwd[i] = NAN;
    for (st = 0; st < s.p && ret == 0; st++) {
        ret = tce_plan_build(job, layout, st, plan, err);
        if (ret == 0)
            time_stage(&s, plan, st);
    }
    if (ret == 0)
        ret = simulate(&s);
out:
    if (ret < 0)
        tce_timeline_release(out);
    free(plan);
    free(s.st);
    free(s.chunk);
    free(s.arr_fwd);
    free(s.arr_bwd);
    return ret;
}

void tce_timeline_release(struct tce_timeline *t)
{
    free(t->ev);
    t->ev = NULL;
    t->n = t->cap = 0;
}

static const char *kind_cat(enum tce_tl_kind k)
{
    switch (k) {
    case TCE_TL_FORWARD:
        return "forward";
    case TCE_TL_BACKWARD:
        return "backward";
    case TCE_TL_SEND:
        return "pp";
    case TCE_TL_WAIT:
        return "bubble";
    case TCE_TL_COMM:
        return "dp";
    case TCE_TL_OPTIMIZER:
        return "optimizer";
    }
    return "op";
}

static void arg_s(struct tce_trace_event *e, const char *key, const char *v)
{
    if (e->n_args < TCE_TRACE_ARGS_MAX) {
        e->args[e->n_args].key = key;
        e->args[e->n_args].s = v;
        e->n_args++;
    }
}

static void arg_d(struct tce_trace_event *e, const char *key, double v)
{
    if (e->n_args < TCE_TRACE_ARGS_MAX) {
        e->args[e->n_args].key = key;
        e->args[e->n_args].s = NULL;
        e->args[e->n_args].d = v;
        e->n_args++;
    }
}

void tce_timeline_trace(FILE *out, const struct tce_timeline *t,
                        const char *title, double projector_iteration_s)
{
    struct tce_trace tr;
    struct tce_trace_event e;
    char name[96], track[64];
    int64_t s;
    int i;

    tce_trace_begin(&tr, out, title, "modelled");
    for (s = 0; s < t->p; s++) {
        snprintf(track, sizeof(track), "stage %lld", (long long)s);
        tce_trace_track(&tr, 2 * s, track);
        snprintf(track, sizeof(track), "stage %lld overlapped comm",
                 (long long)s);
        tce_trace_track(&tr, 2 * s + 1, track);
    }
    tce_trace_track(&tr, 2 * t->p, "iteration");
    memset(&e, 0, sizeof(e));
    e.name = "iteration";
    e.cat = "iteration";
    e.track = 2 * t->p;
    e.dur_us = t->span_s * 1e6;
    arg_s(&e, "figures", "modelled (projector's cost model, played out "
                         "step by step)");
    arg_d(&e, "timeline_s", t->span_s);
    if (projector_iteration_s >= 0)
        arg_d(&e, "projector_iteration_s", projector_iteration_s);
    arg_d(&e, "stages", (double)t->p);
    arg_d(&e, "chunks", (double)t->v);
    arg_d(&e, "microbatches", (double)t->m);
    arg_s(&e, "schedule", t->v > 1 ? "interleaved 1F1B" : "1F1B");
    arg_d(&e, "bubble_fraction",
          tce_schedule_bubble_fraction(t->p, t->v, t->m));
    tce_trace_event(&tr, &e);
    for (i = 0; i < t->n; i++) {
        const struct tce_tl_event *x = &t->ev[i];

        memset(&e, 0, sizeof(e));
        switch (x->kind) {
        case TCE_TL_FORWARD:
        case TCE_TL_BACKWARD:
            if (t->v > 1)
                snprintf(name, sizeof(name), "%c mb%lld c%lld",
                         x->kind == TCE_TL_FORWARD ? 'F' : 'B',
                         (long long)x->microbatch, (long long)x->chunk);
            else
                snprintf(name, sizeof(name), "%c mb%lld",
                         x->kind == TCE_TL_FORWARD ? 'F' : 'B',
                         (long long)x->microbatch);
            break;
        case TCE_TL_SEND:
            snprintf(name, sizeof(name), "send mb%lld",
                     (long long)x->microbatch);
            break;
        case TCE_TL_WAIT:
            snprintf(name, sizeof(name), "%s", x->name ? x->name : "wait");
            break;
        default:
            if (x->count > 1)
                snprintf(name, sizeof(name), "%.60s x%lld",
                         x->name ? x->name : "?", (long long)x->count);
            else
                snprintf(name, sizeof(name), "%.60s",
                         x->name ? x->name : "?");
            break;
        }
        e.name = name;
        e.cat = kind_cat(x->kind);
        e.track = 2 * x->stage + (x->overlapped ? 1 : 0);
        e.start_us = x->start_s * 1e6;
        e.dur_us = x->dur_s * 1e6;
        if (x->microbatch >= 0)
            arg_d(&e, "microbatch", (double)x->microbatch);
        if (x->chunk >= 0)
            arg_d(&e, "chunk", (double)x->chunk);
        if (x->kind == TCE_TL_FORWARD || x->kind == TCE_TL_BACKWARD) {
            arg_d(&e, "compute_s", x->compute_s);
            arg_d(&e, "tp_exposed_s", x->tp_s);
            arg_d(&e, "cp_exposed_s", x->cp_s);
            arg_d(&e, "ep_exposed_s", x->ep_s);
        }
        if (x->kind == TCE_TL_SEND)
            arg_s(&e, "direction",
                  i > 0 && t->ev[i - 1].kind == TCE_TL_BACKWARD
                      ? "gradient to the previous stage"
                      : "activation to the next stage");
        if (x->kind == TCE_TL_COMM)
            arg_s(&e, "overlap", x->overlapped ? "overlapped (other track)"
                                               : "exposed");
        tce_trace_event(&tr, &e);
    }
    tce_trace_end(&tr);
}
