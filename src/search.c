/*
 * search.c - enumerate the layouts of a job, project each through a
 * backend, rank those that fit and explain why the runners-up lost
 * (search.h gives the enumeration and pruning rules).
 */
#include "tcemu/search.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcemu/layout.h"
#include "tcemu/model.h"
#include "tcemu/projector.h"
#include "tcemu/rules.h"
#include "tcemu/util.h"

#define DIVISORS_MAX 2048

struct ctx {
    const struct tce_topology *topo;
    const struct tce_search_opts *opts;
    const struct tce_search_backend *be;
    struct tce_job job; /* working copy, mutated per candidate */
    int gen_layout;     /* the job has a pipeline layout: one per pp x vpp
                           (tce_search_bridge_layout) */
    const struct tce_contract *contract;
    struct tce_contract scratch;
    double checkpoint_bytes;
    double iterations;
    int cap; /* top_k + explain */
    int n_ranked;
    struct tce_search_hit ranked[TCE_SEARCH_TOP_MAX + TCE_SEARCH_EXPLAIN_MAX];
    int n_over; /* best candidates over memory */
    struct tce_search_hit over[TCE_SEARCH_EXPLAIN_MAX];
    struct tce_search_result *res;
    struct tce_error *err;
};

void tce_search_opts_init(struct tce_search_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->by = TCE_SEARCH_BY_TIME;
    o->top_k = 5;
    o->explain = 5;
}

const char *tce_search_reason_name(enum tce_search_reason r)
{
    static const char *const names[] = {
        [TCE_SEARCH_LOST_MEMORY] = "memory",
        [TCE_SEARCH_LOST_BUBBLE] = "bubble",
        [TCE_SEARCH_LOST_COMM] = "exposed communication",
        [TCE_SEARCH_LOST_COMPUTE] = "compute",
        [TCE_SEARCH_LOST_OPTIMIZER] = "optimizer",
        [TCE_SEARCH_LOST_COST] = "cost",
    };

    if ((unsigned)r < TCE_ARRAY_SIZE(names) && names[r])
        return names[r];
    return "unknown";
}

void tce_search_apply(const struct tce_search_hit *h, struct tce_job *job)
{
    job->parallel.num_gpus = h->gpus;
    job->parallel.tensor_model_parallel_size = h->tp;
    job->parallel.pipeline_model_parallel_size = h->pp;
    job->parallel.virtual_pipeline_model_parallel_size = h->vpp;
    job->parallel.context_parallel_size = h->cp;
    job->parallel.expert_model_parallel_size = h->ep;
    job->parallel.sequence_parallel = h->sequence_parallel;
    job->parallel.use_distributed_optimizer = h->distributed_optimizer;
    job->training.micro_batch_size = h->micro_batch;
    job->training.recompute_granularity = h->recompute;
    if (h->layout_set)
        snprintf(job->parallel.pipeline_model_parallel_layout,
                 sizeof(job->parallel.pipeline_model_parallel_layout), "%s",
                 h->pipeline_layout);
}

/* Append a run of k decoder layers ("", "t", "t*k"). */
static int put_run(char *buf, size_t size, size_t *n, int64_t k)
{
    int w = 0;

    if (k == 1)
        w = snprintf(buf + *n, size - *n, "t");
    else if (k > 1)
        w = snprintf(buf + *n, size - *n, "t*%lld", (long long)k);
    if (w < 0 || (size_t)w >= size - *n)
        return -1;
    *n += (size_t)w;
    return 0;
}

static int put(char *buf, size_t size, size_t *n, const char *s)
{
    int w = snprintf(buf + *n, size - *n, "%s", s);

    if (w < 0 || (size_t)w >= size - *n)
        return -1;
    *n += (size_t)w;
    return 0;
}

int tce_search_bridge_layout(int64_t layers, int64_t mtp, int64_t stages,
                             char *buf, size_t size)
{
    int64_t per, first, last, mid, i;
    size_t n = 0;
    char run[48];

    if (stages < 2 || layers < 1 || mtp < 0 || size == 0)
        return -1;
    per = (layers + stages - 1) / stages;
    first = per;
    last = layers - per * (stages - 1);
    if (last < 0) { /* the first stage gives up the excess */
        first = per + last;
        last = 0;
    }
    mid = stages - 2;
    if (first < 0 || put(buf, size, &n, "E") || put_run(buf, size, &n, first) ||
        put(buf, size, &n, "|"))
        return -1;
    if (mid == 1) {
        if (put_run(buf, size, &n, per) || put(buf, size, &n, "|"))
            return -1;
    } else if (mid > 1) {
        snprintf(run, sizeof(run), "(%s%lld|)*%lld", per > 1 ? "t*" : "t",
                 (long long)per, (long long)mid);
        if (per == 1)
            snprintf(run, sizeof(run), "(t|)*%lld", (long long)mid);
        if (put(buf, size, &n, run))
            return -1;
    }
    if (put_run(buf, size, &n, last))
        return -1;
    for (i = 0; i < mtp; i++)
        if (put(buf, size, &n, "m"))
            return -1;
    return put(buf, size, &n, "L");
}

/* The pipeline layout of (pp, vpp) on h and on the working job, for a job
 * that has one (c->gen_layout): Megatron-Bridge's rule, none at one stage.
 * 0, or -1 when the rule cannot split the layers that way. */
static int set_layout(struct ctx *c, struct tce_search_hit *h, int64_t pp,
                      int64_t vpp)
{
    h->layout_set = 0;
    h->pipeline_layout[0] = '\0';
    if (!c->gen_layout)
        return 0;
    h->layout_set = 1;
    if (pp * vpp > 1 &&
        tce_search_bridge_layout(c->job.model.num_layers,
                                 c->job.model.mtp_num_layers, pp * vpp,
                                 h->pipeline_layout,
                                 sizeof(h->pipeline_layout)) != 0)
        return -1;
    snprintf(c->job.parallel.pipeline_model_parallel_layout,
             sizeof(c->job.parallel.pipeline_model_parallel_layout), "%s",
             h->pipeline_layout);
    return 0;
}

/* Sorted divisors of n (n >= 1) no larger than max; returns the count. */
static int divisors(int64_t n, int64_t max, int64_t *out)
{
    int64_t i, hi[DIVISORS_MAX / 2];
    int n_lo = 0, n_hi = 0, k;

    for (i = 1; i * i <= n; i++) {
        if (n % i)
            continue;
        if (i <= max && n_lo < DIVISORS_MAX / 2)
            out[n_lo++] = i;
        if (i != n / i && n / i <= max && n_hi < DIVISORS_MAX / 2)
            hi[n_hi++] = n / i;
    }
    for (k = n_hi - 1; k >= 0; k--)
        out[n_lo++] = hi[k];
    return n_lo;
}

/* Lower score wins; ties keep enumeration order. */
static void insert_sorted(struct tce_search_hit *arr, int *n, int cap,
                          const struct tce_search_hit *h)
{
    int pos = *n;

    while (pos > 0 && h->score < arr[pos - 1].score)
        pos--;
    if (pos >= cap)
        return;
    if (*n < cap)
        (*n)++;
    memmove(&arr[pos + 1], &arr[pos], (size_t)(*n - 1 - pos) * sizeof(arr[0]));
    arr[pos] = *h;
}

/* Project and price h (not ranked): 0 with *valid 0 when the backend
 * says it is not a valid layout, else 0 or the economics' error. */
static int project_hit(struct ctx *c, struct tce_search_hit *h, int *valid)
{
    int ret;

    *valid = 0;
    tce_search_apply(h, &c->job);
    memset(&h->eval, 0, sizeof(h->eval));
    ret = c->be->project(c->be->ctx, c->topo, &c->job, &h->eval);
    if (ret < 0 || h->tp * h->pp * h->cp < 1 ||
        h->gpus % (h->tp * h->pp * h->cp) != 0 ||
        h->gpus / (h->tp * h->pp * h->cp) * h->micro_batch >
            c->job.training.global_batch_size)
        return 0; /* not a valid layout: skip, not an error */
    *valid = 1;
    /* a layout fits with the headroom asked for (--hbm-headroom): the
     * memory model's margin for what it does not hold (allocator peaks,
     * communicator buffers), the planner's call */
    h->eval.limit_bytes =
        (1.0 - c->opts->hbm_headroom) * h->eval.capacity_bytes;
    if (c->opts->hbm_headroom > 0.0 &&
        h->eval.memory_bytes > h->eval.limit_bytes)
        h->eval.fits_memory = 0;
    h->dp = h->gpus / (h->tp * h->pp * h->cp);
    h->microbatches =
        c->job.training.global_batch_size / (h->dp * h->micro_batch);
    h->ideal_days = c->iterations * h->eval.iteration_s / 86400.0;
    ret = tce_search_price(c->topo, c->contract, c->checkpoint_bytes, h, 1.0,
                           &h->econ, c->err);
    if (ret < 0)
        return ret;
    h->score = c->opts->by == TCE_SEARCH_BY_COST ? h->econ.bill.total_usd
                                                 : h->econ.days_to_done;
    return 0;
}

static int evaluate(struct ctx *c, struct tce_search_hit *h, int *fits)
{
    int ret, valid;

    *fits = 0;
    c->res->projected++;
    ret = project_hit(c, h, &valid);
    if (ret < 0)
        return ret;
    if (!valid) {
        c->res->invalid++;
        return 0;
    }
    if (h->eval.fits_memory) {
        c->res->fits++;
        *fits = 1;
        insert_sorted(c->ranked, &c->n_ranked, c->cap, h);
    } else {
        c->res->no_fit++;
        if (c->opts->explain > 0)
            insert_sorted(c->over, &c->n_over,
                          c->opts->explain < TCE_SEARCH_EXPLAIN_MAX
                              ? c->opts->explain
                              : TCE_SEARCH_EXPLAIN_MAX,
                          h);
    }
    return 0;
}

static const enum tce_recompute recompute_modes[] = {
    TCE_RECOMPUTE_NONE, TCE_RECOMPUTE_SELECTIVE, TCE_RECOMPUTE_FULL};

/* All micro batches and recompute modes of one shape. */
static int search_shape(struct ctx *c, struct tce_search_hit *base)
{
    const int64_t B = c->job.training.global_batch_size;
    int64_t bs[DIVISORS_MAX], per_dp = B / base->dp;
    int nb, n_ok = 0, i, r, fits, ret = 0;
    struct tce_search_hit h, probe;
    int have_probe = 0;

    nb = divisors(per_dp,
                  c->opts->max_micro_batch > 0 ? c->opts->max_micro_batch : 16,
                  bs);
    for (i = 0; i < nb; i++) {
        if (tce_rule_vpp_microbatches(per_dp / bs[i], base->pp, base->vpp))
            continue;
        bs[n_ok++] = bs[i];
    }
    if (n_ok == 0)
        return 0;
    if (!c->opts->brute_force) {
        probe = *base;
        probe.micro_batch = bs[0];
        probe.recompute = TCE_RECOMPUTE_FULL;
        c->res->candidates++;
        ret = evaluate(c, &probe, &fits);
        if (ret < 0)
            return ret;
        have_probe = 1;
        if (probe.eval.iteration_s > 0.0 && !fits) {
            int64_t skipped = (int64_t)n_ok * 3 - 1;

            c->res->pruned += skipped;
            c->res->candidates += skipped;
            return 0;
        }
    }
    for (i = 0; i < n_ok; i++) {
        for (r = 0; r < 3; r++) {
            if (have_probe && i == 0 &&
                recompute_modes[r] == TCE_RECOMPUTE_FULL)
                continue; /* already projected */
            h = *base;
            h.micro_batch = bs[i];
            h.recompute = recompute_modes[r];
            c->res->candidates++;
            ret = evaluate(c, &h, &fits);
            if (ret < 0)
                return ret;
        }
    }
    return 0;
}

static int search_gpus(struct ctx *c, int64_t n)
{
    const struct tce_model *m = &c->job.model;
    const int64_t B = c->job.training.global_batch_size;
    int64_t heads = m->num_attention_heads;
    int64_t groups = m->num_query_groups > 0 ? m->num_query_groups : heads;
    /* Pipeline splits follow the layout's rules (tce_layout_check_layers):
     * even over the layers, with the embedding / loss slots when the job
     * accounts for them, or the job's uneven first / last stages. */
    int64_t layers = m->num_layers + 2, seq = m->seq_length;
    /* tp within one scale-up domain as the layout places the job (Slurm
     * segments on NVL72 racks: tce_layout_scale_up_ranks) */
    int64_t domain = tce_layout_scale_up_ranks(c->topo, n);
    int64_t max_vpp = c->opts->max_vpp > 0 ? c->opts->max_vpp : 8;
    int64_t max_cp = c->opts->max_cp > 0 ? c->opts->max_cp : 16;
    int64_t tps[DIVISORS_MAX], pps[DIVISORS_MAX], vs[DIVISORS_MAX];
    int64_t cps[DIVISORS_MAX], eps[DIVISORS_MAX];
    int nt, np, nv, nc, ne, it, ip, iv, ic, ie, dopt, ret = 0;
    struct tce_search_hit h;

    nt = divisors(n, domain, tps);
    for (it = 0; it < nt; it++) {
        int64_t tp = tps[it];

        if (tce_rule_attention_tp(heads, groups, tp, NULL))
            continue;
        np = divisors(n / tp, layers, pps);
        for (ip = 0; ip < np; ip++) {
            int64_t pp = pps[ip], v;

            nv = 0;
            for (v = 1; v <= (pp > 1 ? max_vpp : 1); v++)
                if (set_layout(c, &h, pp, v) == 0 &&
                    tce_layout_check_layers(&c->job, pp, v, NULL) == 0)
                    vs[nv++] = v;
            for (iv = 0; iv < nv; iv++) {
                struct tce_search_hit lay;

                set_layout(c, &lay, pp, vs[iv]);
                nc = divisors(n / (tp * pp), max_cp, cps);
                for (ic = 0; ic < nc; ic++) {
                    int64_t cp = cps[ic], dp = n / (tp * pp * cps[ic]);

                    if (tce_rule_cp_seq(seq, cp, NULL) ||
                        tce_rule_global_batch(B, dp, 1, TCE_RULE_LAYOUT, NULL))
                        continue;
                    if (m->num_experts > 0) {
                        int64_t k, j = 0;

                        ne = divisors(dp, m->num_experts, eps);
                        for (k = 0; k < ne; k++)
                            if (!tce_rule_experts_ep(m->num_experts, eps[k],
                                                     TCE_RULE_LAYOUT, NULL))
                                eps[j++] = eps[k];
                        ne = (int)j;
                    } else {
                        eps[0] = 1;
                        ne = 1;
                    }
                    for (ie = 0; ie < ne; ie++) {
                        for (dopt = 0; dopt < 2; dopt++) {
                            if (dopt == 1 && dp * cp == 1)
                                continue;
                            memset(&h, 0, sizeof(h));
                            h.gpus = n;
                            h.tp = tp;
                            h.pp = pp;
                            h.vpp = vs[iv];
                            h.cp = cp;
                            h.ep = eps[ie];
                            h.dp = dp;
                            h.sequence_parallel = tp > 1;
                            h.distributed_optimizer = dopt;
                            h.layout_set = lay.layout_set;
                            memcpy(h.pipeline_layout, lay.pipeline_layout,
                                   sizeof(h.pipeline_layout));
                            ret = search_shape(c, &h);
                            if (ret < 0)
                                return ret;
                        }
                    }
                }
            }
        }
    }
    return ret;
}

/* Why a runner-up lost against the best: the part of the iteration that
 * grew most; "cost" when it is not slower (more GPUs, pricier). */
static void explain(const struct tce_search_hit *best,
                    const struct tce_search_hit *h,
                    struct tce_search_reject *out)
{
    double d[4];
    static const enum tce_search_reason why[4] = {
        TCE_SEARCH_LOST_COMPUTE, TCE_SEARCH_LOST_BUBBLE, TCE_SEARCH_LOST_COMM,
        TCE_SEARCH_LOST_OPTIMIZER};
    int i, k = 0;

    d[0] = h->eval.compute_s - best->eval.compute_s;
    d[1] = h->eval.bubble_s - best->eval.bubble_s;
    d[2] = h->eval.exposed_comm_s - best->eval.exposed_comm_s;
    d[3] = h->eval.optimizer_s - best->eval.optimizer_s;
    for (i = 1; i < 4; i++)
        if (d[i] > d[k])
            k = i;
    out->hit = *h;
    if (d[k] <= 0.0 || h->econ.days_to_done <= best->econ.days_to_done) {
        out->reason = TCE_SEARCH_LOST_COST;
        out->delta_s = 0.0;
    } else {
        out->reason = why[k];
        out->delta_s = d[k];
    }
}

int tce_search_same_layout(const struct tce_search_hit *a,
                           const struct tce_search_hit *b)
{
    return a->gpus == b->gpus && a->tp == b->tp && a->pp == b->pp &&
           a->vpp == b->vpp && a->cp == b->cp && a->ep == b->ep &&
           a->micro_batch == b->micro_batch && a->recompute == b->recompute &&
           a->distributed_optimizer == b->distributed_optimizer &&
           a->sequence_parallel == b->sequence_parallel;
}

/* The job's own layout (its job file's parallel and training fields) at
 * the pick's GPU count, projected and priced as the candidates were. */
static int own_layout(struct ctx *c, const struct tce_job *job,
                      struct tce_search_result *out)
{
    const struct tce_parallel *pa = &job->parallel;
    struct tce_search_hit *h = &out->own;
    int valid, ret;

    memset(h, 0, sizeof(*h));
    h->gpus = out->top[0].gpus;
    h->tp = pa->tensor_model_parallel_size > 0 ? pa->tensor_model_parallel_size
                                               : 1;
    h->pp = pa->pipeline_model_parallel_size > 0
                ? pa->pipeline_model_parallel_size
                : 1;
    h->vpp = pa->virtual_pipeline_model_parallel_size > 0
                 ? pa->virtual_pipeline_model_parallel_size
                 : 1;
    h->cp = pa->context_parallel_size > 0 ? pa->context_parallel_size : 1;
    h->ep = pa->expert_model_parallel_size > 0 ? pa->expert_model_parallel_size
                                               : 1;
    h->micro_batch = job->training.micro_batch_size > 0
                         ? job->training.micro_batch_size
                         : 1;
    h->recompute = job->training.recompute_granularity;
    h->distributed_optimizer = pa->use_distributed_optimizer;
    h->sequence_parallel = pa->sequence_parallel;
    /* the job's own pipeline layout, not the last candidate's */
    memcpy(c->job.parallel.pipeline_model_parallel_layout,
           pa->pipeline_model_parallel_layout,
           sizeof(c->job.parallel.pipeline_model_parallel_layout));
    /* the backend judges the layout at that count (one call) */
    ret = project_hit(c, h, &valid);
    if (ret < 0)
        return ret;
    out->own_status = valid;
    out->own_is_pick = valid && tce_search_same_layout(h, &out->top[0]);
    return 0;
}

int tce_search_run(const struct tce_topology *topo, const struct tce_job *job,
                   const struct tce_search_opts *opts,
                   const struct tce_search_backend *be,
                   struct tce_search_result *out, struct tce_error *err)
{
    struct ctx *c = NULL;
    struct ctx local;
    double t0 = tce_now_s(), tokens_per_iter;
    int i, ret = 0, n_explain;

    memset(out, 0, sizeof(*out));
    out->own_status = -1;
    memset(&local, 0, sizeof(local));
    c = &local;
    if (opts->n_gpus < 1 || opts->n_gpus > TCE_SEARCH_GPUS_MAX ||
        opts->top_k < 1 || opts->top_k > TCE_SEARCH_TOP_MAX ||
        opts->explain < 0 || opts->explain > TCE_SEARCH_EXPLAIN_MAX) {
        ret = tce_error_set(err, TCE_EUSAGE,
                            "search: bad options (%d GPU counts, top %d, "
                            "explain %d)",
                            opts->n_gpus, opts->top_k, opts->explain);
        goto out;
    }
    c->topo = topo;
    c->opts = opts;
    c->be = be;
    c->job = *job;
    c->gen_layout = job->parallel.pipeline_model_parallel_layout[0] != '\0';
    c->res = out;
    c->err = err;
    c->contract = opts->contract
                      ? opts->contract
                      : tce_econ_find_contract(topo, NULL, &c->scratch);
    c->cap = opts->top_k + opts->explain;
    c->checkpoint_bytes = tce_econ_checkpoint_bytes(job);
    tokens_per_iter =
        (double)job->training.global_batch_size * (double)job->model.seq_length;
    if (!(tokens_per_iter > 0.0) || job->training.train_tokens < 1) {
        ret = tce_error_set(err, TCE_EUSAGE,
                            "search: the job needs global_batch_size, "
                            "seq_length and train_tokens");
        goto out;
    }
    c->iterations = ceil((double)job->training.train_tokens / tokens_per_iter);
    if (c->job.training.micro_batch_size < 1)
        c->job.training.micro_batch_size = 1;
    for (i = 0; i < opts->n_gpus; i++) {
        if (opts->gpus[i] < 1) {
            ret = tce_error_set(err, TCE_EUSAGE, "search: bad GPU count %lld",
                                (long long)opts->gpus[i]);
            goto out;
        }
        ret = search_gpus(c, opts->gpus[i]);
        if (ret < 0)
            goto out;
    }
    out->n_top = c->n_ranked < opts->top_k ? c->n_ranked : opts->top_k;
    memcpy(out->top, c->ranked, (size_t)out->n_top * sizeof(out->top[0]));
    if (out->n_top == 0 && out->candidates == 0) {
        ret = tce_error_set(err, TCE_ENOFIT,
                            "no layout fits: no tp x pp x cp x dp of this "
                            "job (heads, layers, sequence, global batch) "
                            "makes %lld GPUs",
                            (long long)opts->gpus[0]);
        goto out;
    }
    if (out->n_top == 0) {
        ret = tce_error_set(err, TCE_ENOFIT,
                            "no layout fits: %lld candidates, %lld over "
                            "memory, %lld pruned, %lld invalid",
                            (long long)out->candidates, (long long)out->no_fit,
                            (long long)out->pruned, (long long)out->invalid);
        goto out;
    }
    ret = own_layout(c, job, out);
    if (ret < 0)
        goto out;
    /* Explain: faster layouts that did not fit, then the runners-up. */
    n_explain = opts->explain;
    for (i = 0; i < c->n_over && out->n_explained < (n_explain + 1) / 2; i++) {
        struct tce_search_reject *r = &out->explained[out->n_explained];

        if (!(c->over[i].score < out->top[0].score))
            break;
        r->hit = c->over[i];
        r->reason = TCE_SEARCH_LOST_MEMORY;
        r->delta_s =
            c->over[i].eval.memory_bytes - c->over[i].eval.limit_bytes;
        out->n_explained++;
    }
    for (i = out->n_top; i < c->n_ranked && out->n_explained < n_explain; i++)
        explain(&out->top[0], &c->ranked[i],
                &out->explained[out->n_explained++]);
out:
    out->elapsed_s = tce_now_s() - t0;
    out->candidates_per_s =
        out->elapsed_s > 0.0 ? (double)out->candidates / out->elapsed_s : 0.0;
    return ret;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

    return x < y ? -1 : x > y;
}

int tce_search_valid_scales(const struct tce_topology *topo,
                            const struct tce_job *job, int64_t lo, int64_t hi,
                            double step, int64_t *out, int max)
{
    enum { ALL_MAX = 16384 };
    static const int64_t cps[] = {1, 2, 4, 8, 16};
    const struct tce_model *m = &job->model;
    int64_t heads = m->num_attention_heads;
    int64_t groups = m->num_query_groups > 0 ? m->num_query_groups : heads;
    int64_t per = topo->node.accelerators > 0 ? topo->node.accelerators : 1;
    int64_t domain = topo->scale_up.domain_accelerators > 0
                         ? topo->scale_up.domain_accelerators
                         : per;
    int64_t *all, tps[DIVISORS_MAX], pps[DIVISORS_MAX], dps[DIVISORS_MAX];
    int nt, np, nd, it, ip, ic, id, n_all = 0, i, n = 0;

    if (max < 1 || heads < 1 || m->num_layers < 1 ||
        job->training.global_batch_size < 1)
        return 0;
    all = malloc(ALL_MAX * sizeof(*all));
    if (!all)
        return 0;
    /* tp: any that the heads allow within the domain (search_gpus takes
     * tp | gpus, not tp | domain: an NVL72 rack runs TP 16 or 64); the
     * placement rule is applied per count below */
    nt = divisors(heads, domain, tps);
    np = 0;
    for (i = 1; i <= m->num_layers + 2 && np < DIVISORS_MAX; i++)
        if (tce_layout_check_layers(job, i, 1, NULL) == 0)
            pps[np++] = i;
    nd = divisors(job->training.global_batch_size,
                  job->training.global_batch_size, dps);
    for (it = 0; it < nt; it++) {
        if (tce_rule_attention_tp(heads, groups, tps[it], NULL))
            continue;
        for (ip = 0; ip < np; ip++)
            for (ic = 0; ic < (int)TCE_ARRAY_SIZE(cps); ic++) {
                if (tce_rule_cp_seq(m->seq_length, cps[ic], NULL))
                    continue;
                for (id = 0; id < nd && n_all < ALL_MAX; id++) {
                    int64_t g = tps[it] * pps[ip] * cps[ic] * dps[id];

                    if (g % per == 0 && g >= lo && g <= hi &&
                        tps[it] <= tce_layout_scale_up_ranks(topo, g))
                        all[n_all++] = g;
                }
            }
    }
    qsort(all, (size_t)n_all, sizeof(*all), cmp_i64);
    for (i = 0; i < n_all; i++) {
        if (n > 0 && all[i] == out[n - 1])
            continue;
        if (n > 0 && (double)all[i] < step * (double)out[n - 1])
            continue;
        if (n == max)
            break;
        out[n++] = all[i];
    }
    free(all);
    return n;
}

int tce_search_price(const struct tce_topology *topo,
                     const struct tce_contract *c, double checkpoint_bytes,
                     const struct tce_search_hit *h, double time_scale,
                     struct tce_econ *out, struct tce_error *err)
{
    struct tce_econ_in in;

    memset(&in, 0, sizeof(in));
    in.topo = topo;
    in.contract = c;
    in.gpus = h->gpus;
    in.ideal_days = h->ideal_days * time_scale;
    in.checkpoint_bytes = checkpoint_bytes;
    /* Accelerators draw full power while computing, less while waiting on
     * exposed communication and the bubble. */
    in.load = h->eval.iteration_s > 0.0
                  ? fmin(1.0, h->eval.compute_s / h->eval.iteration_s)
                  : 1.0;
    return tce_econ_evaluate(&in, out, err);
}

static int project_one(const struct tce_scenario *s,
                       struct tce_compute_cache *cache,
                       const struct tce_topology *topo,
                       const struct tce_job *job, struct tce_search_eval *out)
{
    struct tce_projection pr;
    const struct tce_breakdown *b = &pr.breakdown;
    int ret;

    if (topo != &s->topo ||
        job->training.precision != s->job.training.precision)
        return TCE_EUSAGE; /* not the scenario's cost model */
    ret = tce_project_cached(topo, job, &s->cm, cache, job->parallel.num_gpus,
                             &pr, NULL);
    if (ret < 0)
        return ret;
    out->iteration_s = pr.iteration_s;
    out->compute_s = b->compute_s;
    out->bubble_s = b->pp_bubble_s;
    out->exposed_comm_s = b->tp_exposed_s + b->cp_exposed_s + b->ep_exposed_s +
                          b->dp_exposed_s + b->pp_p2p_s;
    out->breakdown = *b;
    out->model_tflops_per_gpu = pr.model_tflops_per_gpu;
    out->hardware_tflops_per_gpu = pr.hardware_tflops_per_gpu;
    out->optimizer_s = b->optimizer_s;
    out->memory_bytes = pr.memory_gib_per_gpu * TCE_GIB;
    out->capacity_bytes = topo->accelerator.hbm_gib * TCE_GIB;
    out->fits_memory = pr.fits_memory;
    out->mfu = pr.mfu;
    out->hfu = pr.hfu;
    out->tokens_per_s = pr.tokens_per_s;
    return 0;
}

static int projector_project(void *ctx, const struct tce_topology *topo,
                             const struct tce_job *job,
                             struct tce_search_eval *out)
{
    return project_one(ctx, NULL, topo, job, out);
}

static int projector_project_cached(void *ctx,
                                    const struct tce_topology *topo,
                                    const struct tce_job *job,
                                    struct tce_search_eval *out)
{
    struct tce_search_projector *sp = ctx;

    return project_one(sp->s, &sp->cache, topo, job, out);
}

void tce_search_projector_backend(struct tce_scenario *s,
                                  struct tce_search_backend *be)
{
    be->project = projector_project;
    be->ctx = s;
}

void tce_search_projector_backend_cached(struct tce_search_projector *sp,
                                         struct tce_scenario *s,
                                         struct tce_search_backend *be)
{
    sp->s = s;
    tce_compute_cache_init(&sp->cache);
    be->project = projector_project_cached;
    be->ctx = sp;
}
