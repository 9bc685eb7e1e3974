/*
 * projector.c - evaluate the plan of a job on a topology at any scale (the
 * rules are in projector.h).  Pure and allocation-free: one plan, reused
 * for each evaluated stage and (struct tce_projector) across GPU counts;
 * spans in closed form.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "tcemu/eppair.h"
#include "tcemu/hostsync.h"
#include "tcemu/json.h"
#include "tcemu/model.h"
#include "tcemu/plan.h"
#include "tcemu/projector.h"
#include "tcemu/offload.h"  /* issue 11: activation offloading */
#include "tcemu/plan_cp.h" /* cp (issue 11) */

/* Time of a list for one execution, split by charge. */
#define list_time tce_list_time

/* Communication ops timed in one run, by what their time depends on: on a
 * fixed topology and layout an op's time is a function of (kind, coll,
 * group, bytes), and a layer's TP ops repeat the same few messages. */
#define RUN_COMM_MEMO 16

struct comm_memo {
    enum tce_op_kind kind;
    enum tce_coll coll;
    enum tce_group group;
    double bytes, s, wire_efficiency; /* deepep (issue 11): the last */
};

/* One run: what the times depend on (cost model, spans) and the
 * communication times found so far. */
struct run {
    const struct tce_costmodel *cm;
    const struct tce_span *spans; /* [TCE_GROUP_COUNT] */
    struct tce_compute_cache *cache; /* NULL: none */
    int n_comm;
    struct comm_memo comm[RUN_COMM_MEMO];
};

static double op_time(struct run *r, const struct tce_op *op)
{
    struct comm_memo *c;
    double s;
    int i;

    if (op->kind == TCE_OP_COMPUTE)
        return tce_compute_cache_op_s(r->cache, r->cm, op);
    for (i = 0; i < r->n_comm; i++) {
        c = &r->comm[i];
        if (c->bytes == op->bytes && c->kind == op->kind &&
            c->coll == op->coll && c->group == op->group &&
            c->wire_efficiency == op->wire_efficiency)
            return c->s;
    }
    s = tce_cost_op_s(r->cm, op, r->spans);
    if (r->n_comm < RUN_COMM_MEMO) {
        c = &r->comm[r->n_comm++];
        c->kind = op->kind;
        c->coll = op->coll;
        c->group = op->group;
        c->bytes = op->bytes;
        c->wire_efficiency = op->wire_efficiency;
        c->s = s;
    }
    return s;
}

/* Whether two compute ops take the same time (tce_cost_compute_op_s's
 * inputs). */
static int same_compute(const struct tce_op *a, const struct tce_op *b)
{
    return a->kind == TCE_OP_COMPUTE && b->kind == TCE_OP_COMPUTE &&
           a->flops == b->flops && a->gemm_flops == b->gemm_flops &&
           a->bytes == b->bytes && a->gemm_m == b->gemm_m &&
           a->gemm_n == b->gemm_n && a->gemm_k == b->gemm_k &&
           a->attn.micro_batch_size == b->attn.micro_batch_size &&
           (a->flags & TCE_OP_F_BACKWARD) == (b->flags & TCE_OP_F_BACKWARD);
}

/*
 * Time of list l.  op_s (if not NULL) receives each op's time (one
 * repetition); compute ops i < prev->n equal to prev->ops[i] take
 * prev_s[i] instead of being timed again (a backward list with full
 * recomputation begins with the forward list's ops).
 */
static void eval_list_ops(struct run *r, const struct tce_op_list *l,
                          struct list_time *out, double *op_s,
                          const struct tce_op_list *prev, const double *prev_s,
                          int pair)
{
    double compute = 0.0, hidden = 0.0, exposed_hidden, scale;
    double serial = 0.0; /* host: exposed communication on the GPU */
    double held = 0.0; /* moe: hidden communication x the SM share it holds */
    double attn = 0.0, ring = 0.0, ring_steps = 0.0, ring_ops = 0.0;
    double hid_part[TCE_CHARGE_COUNT];
    double one_s[TCE_PLAN_OPS_MAX]; /* cp (issue 11): per-step exposure */
    struct tce_eppair_walk w; /* overlap (issue 11) */
    struct tce_hostsync_split sp; /* host (issue 11): cut at its sync */
    int paired[TCE_PLAN_OPS_MAX], n_paired = 0;
    int i, synced;

    memset(out, 0, sizeof(*out));
    memset(hid_part, 0, sizeof(hid_part));
    memset(&w, 0, sizeof(w));
    w.p = &out->ep;
    for (i = 0; i < l->n; i++) {
        const struct tce_op *op = &l->ops[i];
        double one = prev && i < prev->n && same_compute(op, &prev->ops[i])
                         ? prev_s[i]
                         : op_time(r, op);
        double t;

        if (op_s)
            op_s[i] = one;
        /* deepep (issue 11): beside the op before it, the longer counts */
        if ((op->flags & TCE_OP_F_PIPELINED) && i > 0)
            one = one > one_s[i - 1] ? one - one_s[i - 1] : 0.0;
        t = one * (double)op->count;
        one_s[i] = one; /* cp (issue 11) */
        /* overlap (issue 11): paired EP communication is summarised, the
         * compute around it too (eppair.h) */
        if (tce_eppair_is_paired(op, pair)) {
            tce_eppair_add(&w, op, t, r->cm->sm_count);
            continue;
        }
        if (op->kind == TCE_OP_COMPUTE) {
            if (pair)
                tce_eppair_add(&w, op, t, r->cm->sm_count);
            compute += t;
            out->part_s[op->charge] += t;
            if (op->flags & TCE_OP_F_ATTENTION_CORE)
                attn += t;
        } else if (op->overlap == TCE_OVERLAP_COMPUTE) {
            hidden += t;
            hid_part[op->charge] += t;
            if (op->comm_sms > 0 && r->cm->sm_count > (double)op->comm_sms)
                held += t * (double)op->comm_sms / r->cm->sm_count;
        } else if (op->overlap == TCE_OVERLAP_ATTENTION &&
                   tce_plan_cp_ring_paired(l, i)) {
            /* cp (issue 11): hidden step by step under the ring's own
             * attention steps, after the loop (plan_cp.h) */
            if (n_paired < TCE_PLAN_OPS_MAX)
                paired[n_paired++] = i;
        } else if (op->overlap == TCE_OVERLAP_ATTENTION) {
            /* attn (issue 11): CP ring steps, plan.h */
            ring += t;
            ring_steps += (double)op->count;
            ring_ops += 1.0;
        } else {
            out->part_s[op->charge] += t;
            serial += t;
        }
    }
    if (ring > 0) { /* attn (issue 11): plan.h's TCE_OVERLAP_ATTENTION */
        scale = fmax(0.0, ring - attn * ring_steps / (ring_steps + ring_ops));
        out->part_s[TCE_CHARGE_CP] += scale;
        serial += scale;
    }
    for (i = 0; i < n_paired; i++) { /* cp (issue 11) */
        scale = tce_plan_cp_ring_exposed_s(l, paired[i], one_s);
        out->part_s[l->ops[paired[i]].charge] += scale;
        serial += scale;
    }
    /* moe (issue 11): kernel launches floor the list's compute; sync:
     * after a host-device sync the host's launches and the GPU's work
     * before it follow each other (hostsync.h).  host: the exposed
     * communication is GPU work too (its kernels queue on the stream like
     * the compute's while the host goes on launching), so the floor
     * holds the GPU's compute and that communication together: only what
     * the host takes beyond both is added */
    synced = tce_hostsync_split(l, one_s, r->cm->launch_gap_s,
                                r->cm->graph_launch_gap_s, &sp);
    scale = tce_cost_list_launch_s(r->cm, l);
    if (scale > 0.0 && synced)
        scale = fmax(scale, sp.post_host_s + sp.pre_gpu_s);
    if (scale > compute + serial)
        out->part_s[TCE_CHARGE_COMPUTE] += scale - compute - serial;
    /* what hides under the list (below) has its compute or the host's
     * time, whichever is longer */
    if (scale > compute)
        compute = scale;
    /* moe (issue 11): while overlapped EP communication runs, the compute
     * under it has the SMs the communication leaves: the part of the
     * communication under compute adds its share of SM time */
    if (held > 0.0) {
        scale = held * (hidden < compute ? 1.0 : compute / hidden);
        out->part_s[TCE_CHARGE_COMPUTE] += scale;
        compute += scale;
    }
    exposed_hidden = hidden > compute ? hidden - compute : 0.0;
    if (hidden > 0 && exposed_hidden > 0) {
        scale = exposed_hidden / hidden;
        for (i = 0; i < TCE_CHARGE_COUNT; i++)
            out->part_s[i] += hid_part[i] * scale;
    }
    for (i = 0; i < TCE_CHARGE_COUNT; i++)
        out->total_s += out->part_s[i];
    tce_eppair_end(&w); /* overlap (issue 11) */
    if (pair) { /* host (issue 11): the pair's host floor (eppair.h) */
        out->ep.host_pre_s = sp.pre_host_s;
        out->ep.host_post_s = sp.post_host_s;
        out->ep.gpu_pre_s = sp.pre_gpu_s;
    }
}

void tce_projector_list_time(const struct tce_costmodel *cm,
                             const struct tce_span spans[TCE_GROUP_COUNT],
                             const struct tce_op_list *l,
                             struct tce_list_time *out)
{
    struct run r;

    r.cm = cm;
    r.spans = spans;
    r.cache = NULL;
    r.n_comm = 0;
    eval_list_ops(&r, l, out, NULL, NULL, NULL, 0);
}

_Static_assert(TCE_CHARGE_COUNT == 7, "add_scaled adds 7 charges");

static void add_scaled(struct list_time *restrict acc,
                       const struct list_time *restrict x, double k)
{
    double *a = acc->part_s;
    const double *b = x->part_s;

    /* TCE_CHARGE_COUNT terms, unrolled */
    a[0] += b[0] * k;
    a[1] += b[1] * k;
    a[2] += b[2] * k;
    a[3] += b[3] * k;
    a[4] += b[4] * k;
    a[5] += b[5] * k;
    a[6] += b[6] * k;
    acc->total_s += x->total_s * k;
    acc->solo_ep_s += x->solo_ep_s * k;
    acc->solo_compute_s += x->solo_compute_s * k;
}

/* overlap (issue 11): the fraction u of a stage's passes that run alone
 * (the warm-up forwards, the cool-down backwards: eppair.h) adds what
 * each adds alone. */
static void add_solo(struct list_time *t, double u)
{
    double ep = t->solo_ep_s * u, comp = t->solo_compute_s * u;

    t->part_s[TCE_CHARGE_EP] += ep;
    t->part_s[TCE_CHARGE_COMPUTE] += comp;
    t->total_s += ep + comp;
}

/* One stage: per-microbatch forward and backward time (all chunks). */
struct stage_time {
    struct list_time fwd, bwd;
    double p2p_s; /* one message */
    double dp_total_s, dp_bucket_s;
    double ag_total_s, ag_bucket_s;
    double optimizer_s;
};

/* Time of list id of plans[slot]: from the projector's cache when that
 * plan was not rebuilt since and no span of a group the list uses moved,
 * else evaluated (and, with a projector, kept).  pj NULL: one-shot. */
static void timed_list(struct tce_projector *pj, struct run *r, int slot,
                       const struct tce_plan *plan, enum tce_plan_list id,
                       struct list_time *out)
{
    const struct tce_op_list *l = &plan->list[id];
    const struct list_time *kept;
    /* overlap (issue 11): a MoE layer list leaves its paired EP
     * communication to tce_eppair_charge */
    int pair = id == TCE_PLAN_MOE_FWD || id == TCE_PLAN_MOE_BWD;

    if (!pj) {
        eval_list_ops(r, l, out, NULL, NULL, NULL, pair);
        return;
    }
    kept = tce_projcache_list(&pj->cache, slot, pj->plan_gen[slot], id);
    if (kept) {
        *out = *kept;
        return;
    }
    eval_list_ops(r, l, out, NULL, NULL, NULL, pair);
    tce_projcache_keep_list(&pj->cache, slot, pj->plan_gen[slot], id, l,
                            out);
}

/* The per-layer lists are the same on every stage: timed once per run. */
struct layer_times {
    struct list_time dense_fwd, dense_bwd, moe_fwd, moe_bwd;
};

/* plan: the first stage's (slot 0); its layer lists serve every stage */
static void eval_layers(struct tce_projector *pj, struct run *r,
                        const struct tce_plan *plan, struct layer_times *lt)
{
    const struct tce_op_list *L = plan->list;
    double fwd_s[TCE_PLAN_OPS_MAX];
    int k;

    memset(lt, 0, sizeof(*lt));
    if (pj) {
        timed_list(pj, r, 0, plan, TCE_PLAN_DENSE_FWD, &lt->dense_fwd);
        timed_list(pj, r, 0, plan, TCE_PLAN_DENSE_BWD, &lt->dense_bwd);
        if (L[TCE_PLAN_MOE_FWD].n > 0) {
            timed_list(pj, r, 0, plan, TCE_PLAN_MOE_FWD, &lt->moe_fwd);
            timed_list(pj, r, 0, plan, TCE_PLAN_MOE_BWD, &lt->moe_bwd);
            tce_eppair_charge(&lt->moe_fwd, &lt->moe_bwd,
                              r->cm->ep_overlap_host_s);
        }
        return;
    }
    /* one-shot: a backward list's recomputed forward ops take the times
     * of the forward list's ops */
    for (k = 0; k < 2; k++) {
        enum tce_plan_list f = k ? TCE_PLAN_MOE_FWD : TCE_PLAN_DENSE_FWD;
        struct list_time *tf = k ? &lt->moe_fwd : &lt->dense_fwd;
        struct list_time *tb = k ? &lt->moe_bwd : &lt->dense_bwd;

        if (k && L[f].n == 0)
            break;
        eval_list_ops(r, &L[f], tf, fwd_s, NULL, NULL, k);
        eval_list_ops(r, &L[f + 1], tb, NULL, &L[f], fwd_s, k);
    }
    tce_eppair_charge(&lt->moe_fwd, &lt->moe_bwd, r->cm->ep_overlap_host_s);
}

/* A stage's forward and backward per microbatch over its layer, embedding
 * and head lists: kept by the projector's cache while its inputs are
 * (projcache.h), else summed; the layer lists' times (lt, from plans[0])
 * are taken when first needed in the run (*have_lt). */
static void stage_lists(struct tce_projector *pj, struct run *r, int slot,
                        struct tce_plan *const plans[TCE_PROJECTOR_PLANS],
                        struct layer_times *lt, int *have_lt,
                        struct stage_time *st)
{
    const struct tce_plan *plan = plans[slot];
    const struct tce_stage_memo *sm = NULL;
    struct list_time t;

    if (pj) {
        sm = tce_projcache_stage(&pj->cache, slot, pj->plan_gen[0],
                                 pj->plan_gen[slot]);
        if (sm) {
            st->fwd = sm->fwd;
            st->bwd = sm->bwd;
            return;
        }
    }
    if (!*have_lt) {
        eval_layers(pj, r, plans[0], lt);
        *have_lt = 1;
    }
    memset(&st->fwd, 0, sizeof(st->fwd));
    memset(&st->bwd, 0, sizeof(st->bwd));
    add_scaled(&st->fwd, &lt->dense_fwd, (double)plan->dense_layers);
    add_scaled(&st->bwd, &lt->dense_bwd, (double)plan->dense_layers);
    if (plan->moe_layers > 0) {
        add_scaled(&st->fwd, &lt->moe_fwd, (double)plan->moe_layers);
        add_scaled(&st->bwd, &lt->moe_bwd, (double)plan->moe_layers);
    }
    if (plan->first_stage) {
        timed_list(pj, r, slot, plan, TCE_PLAN_EMBED_FWD, &t);
        add_scaled(&st->fwd, &t, 1.0);
        timed_list(pj, r, slot, plan, TCE_PLAN_EMBED_BWD, &t);
        add_scaled(&st->bwd, &t, 1.0);
    }
    if (plan->last_stage) {
        timed_list(pj, r, slot, plan, TCE_PLAN_HEAD_FWD, &t);
        add_scaled(&st->fwd, &t, 1.0);
        timed_list(pj, r, slot, plan, TCE_PLAN_HEAD_BWD, &t);
        add_scaled(&st->bwd, &t, 1.0);
    }
    if (pj)
        tce_projcache_keep_stage(&pj->cache, slot, pj->plan_gen[0],
                                 pj->plan_gen[slot], &st->fwd, &st->bwd);
}

/* Activation offloading (offload.h): the copies of the stage's offloaded
 * layers beyond each layer's forward and backward, charged to compute
 * (the layer waits for them).  act_bytes: one layer's activations for
 * one microbatch (the memory model's); layer times: the mean layer of
 * the stage's lists. */
static void add_offload(struct tce_projector *pj, struct run *r,
                        struct tce_plan *const plans[TCE_PROJECTOR_PLANS],
                        struct layer_times *lt, int *have_lt, int slot,
                        int64_t offload_layers, double act_bytes,
                        struct stage_time *st)
{
    const struct tce_plan *plan = plans[slot];
    int64_t layers = plan->dense_layers + plan->moe_layers;
    int64_t n = tce_offload_layers(layers, offload_layers);
    double f, b, xf, xb;

    if (n == 0 || r->cm->host_link_bytes_per_s <= 0.0)
        return;
    if (!*have_lt) {
        eval_layers(pj, r, plans[0], lt);
        *have_lt = 1;
    }
    f = (lt->dense_fwd.total_s * (double)plan->dense_layers +
         lt->moe_fwd.total_s * (double)plan->moe_layers) / (double)layers;
    b = (lt->dense_bwd.total_s * (double)plan->dense_layers +
         lt->moe_bwd.total_s * (double)plan->moe_layers) / (double)layers;
    tce_offload_exposed_s(act_bytes, r->cm->host_link_bytes_per_s, f, b, &xf,
                          &xb);
    st->fwd.part_s[TCE_CHARGE_COMPUTE] += xf * (double)n;
    st->fwd.total_s += xf * (double)n;
    st->bwd.part_s[TCE_CHARGE_COMPUTE] += xb * (double)n;
    st->bwd.total_s += xb * (double)n;
}

static void eval_stage(struct tce_projector *pj, struct run *r, int slot,
                       struct tce_plan *const plans[TCE_PROJECTOR_PLANS],
                       struct layer_times *lt, int *have_lt,
                       struct stage_time *st)
{
    const struct tce_op_list *L = plans[slot]->list;
    int i;

    stage_lists(pj, r, slot, plans, lt, have_lt, st);
    st->p2p_s = 0.0;
    st->dp_total_s = st->dp_bucket_s = 0.0;
    st->ag_total_s = st->ag_bucket_s = 0.0;
    st->optimizer_s = 0.0;
    if (L[TCE_PLAN_P2P_FWD].n > 0)
        st->p2p_s = op_time(r, &L[TCE_PLAN_P2P_FWD].ops[0]);
    /* per-iteration ops differ from stage to stage (parameters held):
     * timed directly */
    for (i = 0; i < L[TCE_PLAN_ITER_BEGIN].n; i++) {
        const struct tce_op *op = &L[TCE_PLAN_ITER_BEGIN].ops[i];
        double x = tce_cost_op_s(r->cm, op, r->spans);
        st->ag_total_s += x * (double)op->count;
        if (x > st->ag_bucket_s)
            st->ag_bucket_s = x;
    }
    for (i = 0; i < L[TCE_PLAN_ITER_END].n; i++) {
        const struct tce_op *op = &L[TCE_PLAN_ITER_END].ops[i];
        double x = tce_cost_op_s(r->cm, op, r->spans);
        if (op->kind == TCE_OP_COMPUTE) {
            st->optimizer_s += x * (double)op->count;
        } else {
            st->dp_total_s += x * (double)op->count;
            if (x > st->dp_bucket_s)
                st->dp_bucket_s = x;
        }
    }
}

double tce_projector_p2p_message_s(double msg_s, double lat_s, double step_s,
                                   int overlapped)
{
    double xfer = msg_s > lat_s ? msg_s - lat_s : 0.0;

    if (!overlapped)
        return msg_s;
    return lat_s + (xfer > step_s ? xfer - step_s : 0.0);
}

/* Pipeline p2p of the stage st per iteration (projector.h): 2 v m
 * messages; interleaved with overlap_p2p_comm only the latency (lat) and
 * the transfer beyond the next chunk step are exposed. */
static double p2p_exposed(const struct stage_time *st, double lat,
                          int64_t p, int64_t v, int64_t m, int overlap)
{
    int o = v > 1 && overlap;

    if (p <= 1)
        return 0.0;
    return (double)v * (double)m *
           (tce_projector_p2p_message_s(st->p2p_s, lat,
                                        st->fwd.total_s / (double)v, o) +
            tce_projector_p2p_message_s(st->p2p_s, lat,
                                        st->bwd.total_s / (double)v, o));
}

/* One evaluated stage's DP figures and its class (0 first, 1 middle, 2
 * last). */
struct dp_stage {
    double dp_total_s, dp_bucket_s, ag_total_s, ag_bucket_s;
    int cls;
};

/* The DP reduce and param all-gather exposed beyond the span
 * (tce_schedule_grad_reduce_exposed_s, _param_gather_exposed_s): the
 * largest over the evaluated stages, the middle class at stages 1 and
 * p-2, each with its own totals and steps and the drain after it / the
 * fill before it (the other stages' chunk steps). */
static void dp_exposed(const struct dp_stage *ds, int n,
                       const struct tce_sched_stage_s st3[3], int64_t p,
                       int64_t v, const struct tce_training *tr, double *dp,
                       double *ag)
{
    struct tce_sched_dp d;
    int64_t at[2], s;
    int i, k, n_at;
    double before_b, before_f, x;

    *dp = *ag = 0.0;
    for (i = 0; i < n; i++) {
        n_at = 0;
        if (ds[i].cls == 0)
            at[n_at++] = 0;
        else if (ds[i].cls == 2)
            at[n_at++] = p - 1;
        else {
            at[n_at++] = 1;
            at[n_at++] = p - 2;
        }
        for (k = 0; k < n_at; k++) {
            s = at[k];
            /* the stages before s: the first, then s - 1 middle ones */
            before_b = s > 0 ? st3[0].bwd_s + (double)(s - 1) * st3[1].bwd_s
                             : 0.0;
            before_f = s > 0 ? st3[0].fwd_s + (double)(s - 1) * st3[1].fwd_s
                             : 0.0;
            memset(&d, 0, sizeof(d));
            d.p = p;
            d.v = v;
            d.stage = s;
            d.total_s = ds[i].dp_total_s;
            d.bucket_s = ds[i].dp_bucket_s;
            d.step_s = st3[ds[i].cls].bwd_s;
            d.edge_s = before_b / (double)v;
            d.overlap = tr->overlap_grad_reduce;
            d.align = tr->align_grad_reduce;
            x = tce_schedule_grad_reduce_exposed_s(&d);
            if (x > *dp)
                *dp = x;
            d.total_s = ds[i].ag_total_s;
            d.bucket_s = ds[i].ag_bucket_s;
            d.step_s = st3[ds[i].cls].fwd_s;
            d.edge_s = before_f / (double)v;
            d.overlap = tr->overlap_param_gather;
            x = tce_schedule_param_gather_exposed_s(&d);
            if (x > *ag)
                *ag = x;
        }
    }
}

void tce_projector_init(struct tce_projector *p,
                        const struct tce_topology *topo,
                        const struct tce_job *job,
                        const struct tce_costmodel *cm)
{
    int i;

    /* the plans and the memos' op copies (tens of KB) are left as they
     * are: filled at the first run */
    p->topo = topo;
    p->job = job;
    p->cm = cm;
    for (i = 0; i < TCE_PROJECTOR_PLANS; i++) {
        p->have_plan[i] = 0;
        p->plan_gen[i] = 0;
    }
    tce_projcache_init(&p->cache);
    tce_model_flops_per_iteration(&job->model, &job->training, &p->flops);
}

static int
project_with(struct tce_projector *pj, const struct tce_topology *topo,
             const struct tce_job *job, const struct tce_costmodel *cm,
             struct tce_compute_cache *cache,
             const struct tce_iteration_flops *fl,
             struct tce_plan *const plans[TCE_PROJECTOR_PLANS], int64_t gpus,
             struct tce_projection *out, struct tce_error *err);

int tce_project(const struct tce_topology *topo, const struct tce_job *job,
                const struct tce_costmodel *cm, int64_t gpus,
                struct tce_projection *out, struct tce_error *err)
{
    struct tce_plan plan;
    struct tce_plan *const plans[TCE_PROJECTOR_PLANS] = {&plan, &plan, &plan};

    /* one-shot: one plan, restaged for each evaluated stage; the FLOP
     * counts from the model figures the plan keeps */
    return project_with(NULL, topo, job, cm, NULL, NULL, plans, gpus, out,
                        err);
}

int tce_project_cached(const struct tce_topology *topo,
                       const struct tce_job *job,
                       const struct tce_costmodel *cm,
                       struct tce_compute_cache *cache, int64_t gpus,
                       struct tce_projection *out, struct tce_error *err)
{
    struct tce_plan plan;
    struct tce_plan *const plans[TCE_PROJECTOR_PLANS] = {&plan, &plan, &plan};

    return project_with(NULL, topo, job, cm, cache, NULL, plans, gpus, out,
                        err);
}

int tce_projector_run(struct tce_projector *pj, int64_t gpus,
                      struct tce_projection *out, struct tce_error *err)
{
    struct tce_plan *const plans[TCE_PROJECTOR_PLANS] = {
        &pj->plan[0], &pj->plan[1], &pj->plan[2]};

    return project_with(pj, pj->topo, pj->job, pj->cm, NULL, &pj->flops, plans,
                        gpus, out, err);
}

/* The plan of stage for slot i (0 first, 1 last, 2 middle stage): with a
 * projector, that slot's plan re-targeted (for its own stage only its
 * per-iteration lists change); one-shot, the one plan built for the first
 * stage and restaged for the others. */
static int plan_for(struct tce_projector *pj, const struct tce_job *job,
                    const struct tce_layout *layout,
                    struct tce_plan *const plans[TCE_PROJECTOR_PLANS], int i,
                    int64_t stage, struct tce_error *err)
{
    struct tce_plan *plan = plans[i];
    int ret;

    if (!pj) {
        if (i == 0)
            return tce_plan_build(job, layout, stage, plan, err);
        return tce_plan_restage(job, stage, plan, err);
    }
    if (pj->have_plan[i] && plan->stage == stage &&
        tce_plan_same_layer_shape(plan, layout)) {
        /* only the per-iteration lists change */
        ret = tce_plan_relayout(job, layout, stage, plan, err);
    } else {
        pj->plan_gen[i]++;
        ret = pj->have_plan[i]
                  ? tce_plan_relayout(job, layout, stage, plan, err)
                  : tce_plan_build(job, layout, stage, plan, err);
    }
    if (ret < 0)
        pj->plan_gen[i]++;
    pj->have_plan[i] = ret == 0;
    return ret;
}

static int
project_with(struct tce_projector *pj, const struct tce_topology *topo,
             const struct tce_job *job, const struct tce_costmodel *cm,
             struct tce_compute_cache *cache,
             const struct tce_iteration_flops *fl,
             struct tce_plan *const plans[TCE_PROJECTOR_PLANS], int64_t gpus,
             struct tce_projection *out, struct tce_error *err)
{
    struct tce_span one_shot[TCE_GROUP_COUNT];
    const struct tce_span *spans = one_shot;
    static const struct stage_time none; /* the slowest until one is */
    struct stage_time sts[TCE_PROJECTOR_PLANS];
    const struct stage_time *slow = &none;
    struct tce_sched_stage_s st3[3];
    struct dp_stage dps[TCE_PROJECTOR_PLANS];
    struct layer_times lt;
    struct run run;
    struct tce_iteration_flops fl1;
    struct tce_memory_opts mopts;
    struct tce_memory mem;
    const struct tce_training *tr = &job->training;
    int64_t stages[TCE_PROJECTOR_PLANS], n_stages = 0, p, v, m, i;
    double T = -1.0, Ts, tokens, peak, dp_exp, ag_exp, iter, span, lat;
    int ret = 0, have_lt = 0;

    memset(out, 0, sizeof(*out));
    ret = tce_layout_init(&out->layout, job, topo, gpus, err);
    if (ret < 0)
        goto out;
    if (pj)
        spans = tce_projcache_spans(&pj->cache, &out->layout, topo);
    else
        tce_layout_spans(&out->layout, topo, one_shot);
    p = out->layout.pp;
    v = out->layout.vpp > 0 ? out->layout.vpp : 1;
    m = out->layout.microbatches;
    /* the first, the last and a middle stage: the schedule's span needs
     * each stage's own times (stages 1 .. p-2 as the middle one) */
    stages[n_stages++] = 0;
    if (p > 1)
        stages[n_stages++] = p - 1;
    if (p > 2)
        stages[n_stages++] = p / 2;
    run.cm = cm;
    run.spans = spans;
    run.cache = cache;
    run.n_comm = 0;
    for (i = 0; i < n_stages; i++) {
        ret = plan_for(pj, job, &out->layout, plans, (int)i, stages[i], err);
        if (ret < 0)
            goto out;
        eval_stage(pj, &run, (int)i, plans, &lt, &have_lt, &sts[i]);
        if (tr->overlap_moe_expert_parallel_comm) {
            double u = tce_eppair_solo_fraction(p, v, m, stages[i]);

            add_solo(&sts[i].fwd, u);
            add_solo(&sts[i].bwd, u);
        }
        if (i == 0) {
            /* memory (the offloaded layers' copies need its activations) */
            tce_memory_opts_init(&mopts, topo->accelerator.hbm_gib);
            mopts.fp8_gemm_any_layout =
                topo->accelerator.fp8_gemm_any_layout;
            ret = tce_model_memory_counted(job, &out->layout,
                                           &plans[0]->param_count, &mopts,
                                           &mem, err);
            if (ret < 0)
                goto out;
            out->memory_gib_per_gpu = mem.total_bytes / TCE_GIB;
            out->fits_memory = mem.fits;
        }
        if (tr->cpu_offloading_num_layers > 0)
            add_offload(pj, &run, plans, &lt, &have_lt, (int)i,
                        tr->cpu_offloading_num_layers,
                        mem.activation_per_layer_bytes, &sts[i]);
        dps[i].dp_total_s = sts[i].dp_total_s;
        dps[i].dp_bucket_s = sts[i].dp_bucket_s;
        dps[i].ag_total_s = sts[i].ag_total_s;
        dps[i].ag_bucket_s = sts[i].ag_bucket_s;
        dps[i].cls = i == 0 ? 0 : i == 1 ? 2 : 1;
        /* classes of tce_schedule_span3_s: first, middle, last */
        st3[i == 0 ? 0 : i == 1 ? 2 : 1].fwd_s = sts[i].fwd.total_s;
        st3[i == 0 ? 0 : i == 1 ? 2 : 1].bwd_s = sts[i].bwd.total_s;
        Ts = sts[i].fwd.total_s + sts[i].bwd.total_s;
        if (Ts > T) {
            T = Ts;
            slow = &sts[i];
            out->slowest_stage = stages[i];
        }
    }
    if (n_stages < 3)
        st3[1] = st3[0];
    if (n_stages < 2)
        st3[2] = st3[0];
    out->stage_microbatch_s = T;
    memcpy(out->stage_s, st3, sizeof(st3));
    span = tce_schedule_span3_s(p, v, m, st3);

    /* steady state: m microbatches of the slowest stage */
    out->breakdown.compute_s =
        (double)m * (slow->fwd.part_s[TCE_CHARGE_COMPUTE] +
                     slow->bwd.part_s[TCE_CHARGE_COMPUTE]);
    out->breakdown.tp_exposed_s = (double)m * (slow->fwd.part_s[TCE_CHARGE_TP] +
                                               slow->bwd.part_s[TCE_CHARGE_TP]);
    out->breakdown.cp_exposed_s = (double)m * (slow->fwd.part_s[TCE_CHARGE_CP] +
                                               slow->bwd.part_s[TCE_CHARGE_CP]);
    out->breakdown.ep_exposed_s = (double)m * (slow->fwd.part_s[TCE_CHARGE_EP] +
                                               slow->bwd.part_s[TCE_CHARGE_EP]);
    /* fill and drain: the span beyond the slowest stage's steady work */
    out->breakdown.pp_bubble_s =
        span > (double)m * T ? span - (double)m * T : 0.0;
    out->bubble_fraction =
        T > 0.0 ? out->breakdown.pp_bubble_s / ((double)m * T) : 0.0;
    lat = 0.0;
    if (p > 1 && plans[0]->list[TCE_PLAN_P2P_FWD].n > 0)
        lat = tce_cost_p2p_s(cm, &spans[TCE_GROUP_PP], 1.0);
    out->breakdown.pp_p2p_s =
        p2p_exposed(slow, lat, p, v, m, tr->overlap_p2p_comm);
    /* DP: each stage's reduce under its cool-down and the drain after
     * it, its param all-gather under the fill and its warm-up; the worst
     * stage shows beyond the span */
    dp_exposed(dps, (int)n_stages, st3, p, v, tr, &dp_exp, &ag_exp);
    out->dp_total_s = slow->dp_total_s + slow->ag_total_s;
    out->breakdown.dp_exposed_s = dp_exp + ag_exp;
    out->breakdown.optimizer_s = slow->optimizer_s;
    iter = out->breakdown.compute_s + out->breakdown.tp_exposed_s +
           out->breakdown.cp_exposed_s + out->breakdown.ep_exposed_s +
           out->breakdown.pp_bubble_s + out->breakdown.pp_p2p_s +
           out->breakdown.dp_exposed_s + out->breakdown.optimizer_s;
    iter += tce_stack_overhead_apply(&cm->stack_overhead, m, &out->breakdown);
    out->iteration_s = iter;

    /* throughput */
    if (!fl) {
        tce_model_flops_per_iteration_of(&job->model, tr,
                                         &plans[0]->flops_per_token, &fl1);
        fl = &fl1;
    }
    tokens = fl->tokens;
    out->tokens_per_s = iter > 0 ? tokens / iter : 0.0;
    gpus = out->layout.gpus;
    out->model_tflops_per_gpu = fl->model_flops / (iter * (double)gpus) / 1e12;
    out->hardware_tflops_per_gpu =
        fl->hardware_flops / (iter * (double)gpus) / 1e12;
    peak = cm->peak_flops / 1e12;
    out->mfu = out->model_tflops_per_gpu / peak;
    out->hfu = out->hardware_tflops_per_gpu / peak;
    out->utilisation = iter > 0 ? out->breakdown.compute_s / iter : 0.0;

    /* time to train: ideal (economics.h prices it) */
    out->iterations =
        tr->train_tokens > 0 ? (double)tr->train_tokens / tokens : 0.0;
    out->time_to_train_days = out->iterations * iter / 86400.0;
out:
    return ret;
}
