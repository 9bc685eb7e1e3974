/* test_search.c - layout search: the pruned search agrees with a brute-force
 * loop written here independently over the same space, with a toy backend
 * (a small analytic model whose memory grows with the micro batch and with
 * less recomputation, as model.h's does); counts, ranking, explanations,
 * JSON. */
#include "tce_test.h"

#include <stdlib.h>
#include <string.h>

#include "tcemu/economics.h"
#include "tcemu/report_search.h"
#include "tcemu/scenario.h"
#include "tcemu/layout.h"
#include "tcemu/search.h"

struct toy {
    int64_t calls;
    double capacity;
};

static int toy_project(void *ctx, const struct tce_topology *topo,
                       const struct tce_job *job, struct tce_search_eval *out)
{
    struct toy *toy = ctx;
    const struct tce_parallel *p = &job->parallel;
    const struct tce_training *t = &job->training;
    int64_t n = p->num_gpus, tp = p->tensor_model_parallel_size;
    int64_t pp = p->pipeline_model_parallel_size;
    int64_t v = p->virtual_pipeline_model_parallel_size;
    int64_t cp = p->context_parallel_size;
    int64_t ep = p->expert_model_parallel_size;
    int64_t dp = n / (tp * pp * cp), b = t->micro_batch_size;
    int64_t m = t->global_batch_size / (dp * b);
    double rc = t->recompute_granularity == TCE_RECOMPUTE_FULL        ? 1.33
                : t->recompute_granularity == TCE_RECOMPUTE_SELECTIVE ? 1.04
                                                                      : 1.0;
    double act = t->recompute_granularity == TCE_RECOMPUTE_FULL        ? 0.1
                 : t->recompute_granularity == TCE_RECOMPUTE_SELECTIVE ? 0.6
                                                                       : 1.0;
    double params = 2e9, inflight = (double)(m < pp ? m : pp);
    (void)topo;

    toy->calls++;
    if (tp == 4 && pp == 4)
        return TCE_ECONFIG; /* an arbitrary invalid shape */
    memset(out, 0, sizeof(*out));
    out->compute_s = 1000.0 / (double)n * rc * (1.0 + 0.2 / (double)b) *
                     (1.0 + 0.02 * (double)(tp - 1));
    out->bubble_s = out->compute_s * (double)(pp - 1) / (double)(v * m);
    out->exposed_comm_s = 0.01 * (double)(tp - 1) + 0.02 * (double)(cp - 1) +
                          0.005 * (double)(ep - 1) +
                          (p->use_distributed_optimizer ? 0.004 : 0.002) +
                          0.001 * (double)(v - 1);
    out->optimizer_s = 0.001;
    out->iteration_s =
        out->compute_s + out->bubble_s + out->exposed_comm_s + out->optimizer_s;
    out->memory_bytes =
        params / (double)(tp * pp) *
            (4.0 +
             (p->use_distributed_optimizer ? 12.0 / (double)(dp * cp) : 12.0)) +
        3e9 * act * (double)b * inflight / (double)(tp * cp);
    out->capacity_bytes = toy->capacity;
    out->fits_memory = out->memory_bytes <= toy->capacity;
    out->mfu = 0.4;
    out->hfu = 0.4 * rc;
    out->tokens_per_s = 1.0;
    return 0;
}

static void setup(struct tce_topology *t, struct tce_job *j, int moe)
{
    tce_topology_defaults(t);
    tce_job_defaults(j);
    t->node.accelerators = 8;
    t->scale_up.domain_accelerators = 8;
    t->accelerator.watts = 700;
    t->price.on_demand_usd_per_node_hour = 80.0;
    t->power.pue = 1.2;
    t->power.usd_per_kwh = 0.08;
    t->reliability.interruptions_per_node_day = 0.004;
    t->reliability.restart_minutes = 10;
    t->reliability.checkpoint_write_gbytes_per_s = 100;
    j->model.num_layers = 16;
    j->model.hidden_size = 2048;
    j->model.num_attention_heads = 16;
    j->model.num_query_groups = 4;
    j->model.seq_length = 4096;
    j->model.vocab_size = 32000;
    j->model.swiglu = 1;
    if (moe) {
        j->model.num_experts = 8;
        j->model.moe_router_topk = 2;
        j->model.moe_layer_freq = 1;
    }
    j->training.global_batch_size = 64;
    j->training.micro_batch_size = 1;
    j->training.train_tokens = 100000000000LL;
    tce_job_derive(j);
}

/* The brute-force reference: every shape of search.h's rules, no pruning,
 * best score wins, the first in loop order on ties. */
static struct tce_search_hit brute(const struct tce_topology *t,
                                   const struct tce_job *job, int64_t gpus,
                                   enum tce_search_by by, int64_t *count,
                                   const struct tce_search_backend *be)
{
    static const enum tce_recompute rcs[] = {
        TCE_RECOMPUTE_NONE, TCE_RECOMPUTE_SELECTIVE, TCE_RECOMPUTE_FULL};
    struct tce_search_hit best, h;
    struct tce_job w = *job;
    struct tce_econ_in ein;
    int64_t tp, pp, v, cp, ep, b, B = job->training.global_batch_size;
    int64_t E = job->model.num_experts, L = job->model.num_layers;
    double iters = ceil((double)job->training.train_tokens /
                        (double)(B * job->model.seq_length));
    int dopt, r, have = 0;

    memset(&best, 0, sizeof(best));
    *count = 0;
    for (tp = 1; tp <= t->scale_up.domain_accelerators; tp++) {
        if (gpus % tp || job->model.num_attention_heads % tp ||
            job->model.num_query_groups % tp)
            continue;
        for (pp = 1; pp <= L; pp++) {
            if ((gpus / tp) % pp || L % pp)
                continue;
            for (v = 1; v <= (pp > 1 ? 8 : 1); v++) {
                if ((L / pp) % v)
                    continue;
                for (cp = 1; cp <= 16; cp++) {
                    int64_t dp;

                    if ((gpus / (tp * pp)) % cp ||
                        (cp > 1 && job->model.seq_length % (2 * cp)))
                        continue;
                    dp = gpus / (tp * pp * cp);
                    if (B % dp)
                        continue;
                    for (ep = 1; ep <= (E > 0 ? dp : 1); ep++) {
                        if (dp % ep || (E > 0 && E % ep))
                            continue;
                        for (dopt = 0; dopt < 2; dopt++) {
                            if (dopt && dp * cp == 1)
                                continue;
                            for (b = 1; b <= 16; b++) {
                                if ((B / dp) % b)
                                    continue;
                                if (v > 1 && (B / dp / b) % pp)
                                    continue;
                                for (r = 0; r < 3; r++) {
                                    memset(&h, 0, sizeof(h));
                                    h.gpus = gpus;
                                    h.tp = tp;
                                    h.pp = pp;
                                    h.vpp = v;
                                    h.cp = cp;
                                    h.ep = ep;
                                    h.dp = dp;
                                    h.micro_batch = b;
                                    h.recompute = rcs[r];
                                    h.distributed_optimizer = dopt;
                                    h.sequence_parallel = tp > 1;
                                    tce_search_apply(&h, &w);
                                    (*count)++;
                                    if (be->project(be->ctx, t, &w, &h.eval) <
                                            0 ||
                                        !h.eval.fits_memory)
                                        continue;
                                    memset(&ein, 0, sizeof(ein));
                                    ein.topo = t;
                                    ein.gpus = gpus;
                                    ein.ideal_days =
                                        iters * h.eval.iteration_s / 86400.0;
                                    ein.checkpoint_bytes =
                                        tce_econ_checkpoint_bytes(job);
                                    assert_int_equal(
                                        tce_econ_evaluate(&ein, &h.econ, NULL),
                                        0);
                                    h.score = by == TCE_SEARCH_BY_COST
                                                  ? h.econ.bill.total_usd
                                                  : h.econ.days_to_done;
                                    if (!have || h.score < best.score) {
                                        best = h;
                                        have = 1;
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    assert_true(have);
    return best;
}

static void same_layout(const struct tce_search_hit *a,
                        const struct tce_search_hit *b)
{
    assert_int_equal(a->gpus, b->gpus);
    assert_int_equal(a->tp, b->tp);
    assert_int_equal(a->pp, b->pp);
    assert_int_equal(a->vpp, b->vpp);
    assert_int_equal(a->cp, b->cp);
    assert_int_equal(a->ep, b->ep);
    assert_int_equal(a->micro_batch, b->micro_batch);
    assert_int_equal(a->recompute, b->recompute);
    assert_int_equal(a->distributed_optimizer, b->distributed_optimizer);
    assert_close(a->score, b->score, 1e-12);
}

static void check_against_brute(int moe, int64_t gpus, enum tce_search_by by)
{
    static struct tce_topology t;
    static struct tce_job job;
    static struct tce_search_result pruned, full;
    struct tce_search_opts o;
    struct toy toy = {0, 24e9};
    struct tce_search_backend be = {toy_project, &toy};
    struct tce_search_hit ref;
    int64_t count;
    int i;

    setup(&t, &job, moe);
    tce_search_opts_init(&o);
    o.n_gpus = 1;
    o.gpus[0] = gpus;
    o.by = by;
    o.top_k = 10;
    assert_int_equal(tce_search_run(&t, &job, &o, &be, &pruned, NULL), 0);
    {
        struct toy toy2 = {0, 24e9};
        struct tce_search_backend be2 = {toy_project, &toy2};

        ref = brute(&t, &job, gpus, by, &count, &be2);
    }
    same_layout(&pruned.top[0], &ref);
    /* Same space: every candidate is enumerated, fewer are projected. */
    assert_int_equal(pruned.candidates, count);
    assert_true(pruned.pruned > 0);
    assert_int_equal(pruned.projected + pruned.pruned, count);
    /* and one call for the job's own layout */
    assert_int_equal(toy.calls, pruned.projected + 1);
    assert_true(pruned.own_status >= 0);

    o.brute_force = 1;
    toy.calls = 0;
    assert_int_equal(tce_search_run(&t, &job, &o, &be, &full, NULL), 0);
    assert_int_equal(full.projected, count);
    assert_int_equal(full.pruned, 0);
    assert_int_equal(full.fits, pruned.fits);
    assert_int_equal(full.n_top, pruned.n_top);
    for (i = 0; i < full.n_top; i++) {
        same_layout(&full.top[i], &pruned.top[i]);
        if (i > 0)
            assert_true(full.top[i - 1].score <= full.top[i].score);
        assert_true(full.top[i].eval.fits_memory);
    }
}

static void test_dense_by_time(void **state)
{
    (void)state;
    check_against_brute(0, 64, TCE_SEARCH_BY_TIME);
    check_against_brute(0, 32, TCE_SEARCH_BY_TIME);
}

static void test_dense_by_cost(void **state)
{
    (void)state;
    check_against_brute(0, 64, TCE_SEARCH_BY_COST);
}

static void test_moe(void **state)
{
    (void)state;
    check_against_brute(1, 64, TCE_SEARCH_BY_TIME);
}

static void test_several_scales_and_explain(void **state)
{
    static struct tce_topology t;
    static struct tce_job job;
    static struct tce_search_result res;
    struct tce_search_opts o;
    struct toy toy = {0, 8e9};
    struct tce_search_backend be = {toy_project, &toy};
    int i, n_mem = 0;
    (void)state;

    setup(&t, &job, 0);
    tce_search_opts_init(&o);
    o.n_gpus = 2;
    o.gpus[0] = 32;
    o.gpus[1] = 64;
    o.top_k = 3;
    o.explain = 6;
    assert_int_equal(tce_search_run(&t, &job, &o, &be, &res, NULL), 0);
    /* By time, 64 GPUs beat 32 (the toy scales almost linearly). */
    assert_int_equal(res.top[0].gpus, 64);
    /* By cost, 32 GPUs win: the same GPU-hours, fewer exposed seconds. */
    o.by = TCE_SEARCH_BY_COST;
    assert_int_equal(tce_search_run(&t, &job, &o, &be, &res, NULL), 0);
    assert_int_equal(res.top[0].gpus, 32);
    assert_true(res.n_explained > 0);
    for (i = 0; i < res.n_explained; i++) {
        const struct tce_search_reject *r = &res.explained[i];

        if (r->reason == TCE_SEARCH_LOST_MEMORY) {
            n_mem++;
            assert_false(r->hit.eval.fits_memory);
            assert_true(r->hit.score < res.top[0].score);
        } else {
            assert_true(r->hit.eval.fits_memory);
            assert_true(r->hit.score >= res.top[res.n_top - 1].score);
        }
    }
    /* The toy's fastest layouts (no recompute, large b) do not fit. */
    assert_true(n_mem > 0);
    assert_true(res.candidates_per_s > 0.0);
    assert_true(res.invalid > 0);
    assert_string_equal(tce_search_reason_name(TCE_SEARCH_LOST_MEMORY),
                        "memory");
}

/* --hbm-headroom: a headroom F on capacity C ranks exactly as capacity
 * (1 - F) C without one, pruned or not, and every pick leaves F free */
static void test_hbm_headroom(void **state)
{
    static struct tce_topology t;
    static struct tce_job job;
    static struct tce_search_result a, b, c;
    struct tce_search_opts o;
    struct toy full = {0, 24e9}, less = {0, 0.0};
    struct tce_search_backend bf = {toy_project, &full},
                              bl = {toy_project, &less};
    double limit, f;
    int i;
    (void)state;

    setup(&t, &job, 0);
    tce_search_opts_init(&o);
    o.n_gpus = 1;
    o.gpus[0] = 64;
    o.top_k = 10;
    assert_int_equal(tce_search_run(&t, &job, &o, &bf, &a, NULL), 0);
    assert_close(a.top[0].eval.limit_bytes, 24e9, 1e-6);
    /* a headroom that the best layout's memory does not leave */
    limit = 0.9 * a.top[0].eval.memory_bytes;
    f = 1.0 - limit / 24e9;
    assert_true(f > 0.0 && f <= 0.9);
    o.hbm_headroom = f;
    assert_int_equal(tce_search_run(&t, &job, &o, &bf, &b, NULL), 0);
    o.hbm_headroom = 0.0;
    less.capacity = limit;
    assert_int_equal(tce_search_run(&t, &job, &o, &bl, &c, NULL), 0);
    assert_true(b.fits < a.fits);
    assert_int_equal(b.fits, c.fits);
    assert_int_equal(b.n_top, c.n_top);
    for (i = 0; i < b.n_top; i++) {
        same_layout(&b.top[i], &c.top[i]);
        assert_true(b.top[i].eval.memory_bytes <= limit * (1.0 + 1e-12));
        assert_close(b.top[i].eval.limit_bytes, limit, 1e-3);
        assert_close(b.top[i].eval.capacity_bytes, 24e9, 1e-6);
    }
    assert_true(b.top[0].score > a.top[0].score);
    /* pruning stays exact under a headroom */
    o.hbm_headroom = f;
    o.brute_force = 1;
    assert_int_equal(tce_search_run(&t, &job, &o, &bf, &c, NULL), 0);
    assert_int_equal(b.fits, c.fits);
    same_layout(&b.top[0], &c.top[0]);
}

static void test_nothing_fits(void **state)
{
    static struct tce_topology t;
    static struct tce_job job;
    static struct tce_search_result res;
    struct tce_search_opts o;
    struct toy toy = {0, 1e9};
    struct tce_search_backend be = {toy_project, &toy};
    struct tce_error err;
    (void)state;

    setup(&t, &job, 0);
    tce_search_opts_init(&o);
    o.n_gpus = 1;
    o.gpus[0] = 8;
    assert_int_equal(tce_search_run(&t, &job, &o, &be, &res, &err), TCE_ENOFIT);
    assert_int_equal(res.n_top, 0);
    assert_non_null(strstr(err.msg, "no layout fits"));
    o.top_k = 0;
    assert_int_equal(tce_search_run(&t, &job, &o, &be, &res, NULL), TCE_EUSAGE);
}

static void test_json(void **state)
{
    static struct tce_topology t;
    static struct tce_job job;
    static struct tce_search_result res;
    struct tce_search_opts o;
    struct toy toy = {0, 24e9};
    struct tce_search_backend be = {toy_project, &toy};
    struct tce_json j;
    char *buf = NULL;
    size_t len = 0;
    FILE *f;
    (void)state;

    setup(&t, &job, 0);
    tce_search_opts_init(&o);
    o.n_gpus = 1;
    o.gpus[0] = 16;
    assert_int_equal(tce_search_run(&t, &job, &o, &be, &res, NULL), 0);
    f = open_memstream(&buf, &len);
    assert_non_null(f);
    tce_json_init(&j, f);
    tce_json_array_begin(&j, NULL);
    tce_report_search_hit_json(&j, NULL, &res.top[0]);
    tce_json_finish(&j);
    fclose(f);
    assert_non_null(strstr(buf, "\"gpus\": 16"));
    assert_non_null(strstr(buf, "\"recompute\": \""));
    assert_non_null(strstr(buf, "\"cost_usd\": "));
    assert_int_equal(buf[0], '[');
    free(buf);
}

/* The real projector on a small H100 cluster: the pruned search, the
 * search without pruning and the independent loop agree. */
static void test_projector_brute_force(void **state)
{
    static struct tce_topology t;
    static struct tce_job job;
    static struct tce_search_result pruned, full;
    static struct tce_scenario sc;
    struct tce_search_backend be;
    struct tce_search_opts o;
    struct tce_search_hit ref;
    int64_t count;
    int moe, i;
    (void)state;

    for (moe = 0; moe < 2; moe++) {
        setup(&t, &job, moe);
        strcpy(t.name, "unit-h100");
        t.accelerator.bf16_tflops = 989.0;
        t.accelerator.hbm_gib = 80.0;
        t.accelerator.hbm_gbytes_per_s = 3350.0;
        t.accelerator.matmul_efficiency = 0.7;
        t.accelerator.matmul_half_gflop = 2.0;
        t.accelerator.memory_efficiency = 0.8;
        t.node.watts = 10200.0;
        t.scale_up.bandwidth_gbytes_per_s = 450.0;
        t.scale_up.latency_us = 3.0;
        t.scale_up.efficiency = 0.8;
        t.scale_out.nics_per_node = 8;
        t.scale_out.nic_bandwidth_gbit_per_s = 400.0;
        t.scale_out.latency_us = 5.0;
        t.scale_out.efficiency = 0.8;
        t.capacity.max_nodes = 64;
        /* a model big enough that memory prunes: 16 layers of h 8192 */
        job.model.hidden_size = 8192;
        job.model.num_attention_heads = 64;
        job.model.num_query_groups = 8;
        job.model.ffn_hidden_size = 28672;
        job.model.kv_channels = 128;
        job.model.moe_ffn_hidden_size = moe ? 14336 : 0;
        job.training.global_batch_size = 128;
        job.training.overlap_grad_reduce = 1;
        job.training.overlap_param_gather = 1;
        job.parallel.tensor_model_parallel_size = 1;
        job.parallel.pipeline_model_parallel_size = 1;
        job.parallel.virtual_pipeline_model_parallel_size = 1;
        job.parallel.context_parallel_size = 1;
        job.parallel.expert_model_parallel_size = 1;
        assert_int_equal(tce_scenario_init(&sc, &t, &job, NULL, NULL), 0);
        tce_search_projector_backend(&sc, &be);
        tce_search_opts_init(&o);
        o.n_gpus = 1;
        o.gpus[0] = 64;
        o.top_k = 8;
        assert_int_equal(
            tce_search_run(&sc.topo, &sc.job, &o, &be, &pruned, NULL), 0);
        o.brute_force = 1;
        assert_int_equal(
            tce_search_run(&sc.topo, &sc.job, &o, &be, &full, NULL), 0);
        ref = brute(&sc.topo, &sc.job, 64, TCE_SEARCH_BY_TIME, &count, &be);
        same_layout(&pruned.top[0], &ref);
        assert_int_equal(pruned.candidates, count);
        assert_int_equal(full.projected, count);
        assert_true(pruned.pruned > 0);
        assert_true(pruned.no_fit > 0);
        assert_int_equal(full.fits, pruned.fits);
        assert_int_equal(full.n_top, pruned.n_top);
        for (i = 0; i < full.n_top; i++)
            same_layout(&full.top[i], &pruned.top[i]);
        /* The backend projects only the scenario's own topology (its cost
         * model): a copy's candidates are all invalid. */
        o.brute_force = 0;
        assert_int_equal(tce_search_run(&t, &sc.job, &o, &be, &full, NULL),
                         TCE_ENOFIT);
        assert_int_equal(full.invalid, full.projected);
        assert_true(full.projected > 0);
    }
}

/* tce_search_price: a hit's failure-free time times time_scale, billed
 * through the economics; the load is its compute share. */
static void test_price(void **state)
{
    static struct tce_topology t;
    static struct tce_job job;
    struct tce_search_hit h;
    struct tce_econ a, b;
    (void)state;

    setup(&t, &job, 0);
    t.reliability.interruptions_per_node_day = 0.0;
    memset(&h, 0, sizeof(h));
    h.gpus = 16;
    h.ideal_days = 10.0;
    h.eval.iteration_s = 2.0;
    h.eval.compute_s = 1.0;
    assert_int_equal(tce_search_price(&t, NULL, 0.0, &h, 1.0, &a, NULL), 0);
    assert_close(a.bill.total_usd, 2.0 * 10.0 * 24.0 * 80.0, 1e-12);
    assert_int_equal(tce_search_price(&t, NULL, 0.0, &h, 1.5, &b, NULL), 0);
    assert_close(b.bill.total_usd, 1.5 * a.bill.total_usd, 1e-12);
    assert_close(b.train_days, 15.0, 1e-12);
    /* Half the iteration computing draws less power than all of it. */
    h.eval.compute_s = 2.0;
    assert_int_equal(tce_search_price(&t, NULL, 0.0, &h, 1.0, &b, NULL), 0);
    assert_true(b.energy.facility_mwh > a.energy.facility_mwh);
}

static void test_valid_scales(void **state)
{
    static struct tce_topology t;
    static struct tce_job job;
    int64_t out[64];
    int n, i, has14336 = 0, has16128 = 0;
    (void)state;

    setup(&t, &job, 0);
    /* heads 16, groups 4, 16 layers, batch 64: only powers of two. */
    n = tce_search_valid_scales(&t, &job, 8, 64, 1.0, out, 64);
    assert_int_equal(n, 4);
    assert_int_equal(out[0], 8);
    assert_int_equal(out[1], 16);
    assert_int_equal(out[2], 32);
    assert_int_equal(out[3], 64);
    /* Llama 3 405B's shape: 126 layers = 2 x 3^2 x 7, batch 2048:
     * 8 x 14 x 128 = 14336 and 8 x 63 x 32 = 16128 are valid counts. */
    job.model.num_layers = 126;
    job.model.num_attention_heads = 128;
    job.model.num_query_groups = 8;
    job.model.seq_length = 8192;
    job.training.global_batch_size = 2048;
    n = tce_search_valid_scales(&t, &job, 14000, 16384, 1.0, out, 64);
    assert_true(n > 2);
    for (i = 0; i < n; i++) {
        assert_int_equal(out[i] % 8, 0);
        assert_true(out[i] >= 14000 && out[i] <= 16384);
        if (i > 0)
            assert_true(out[i] > out[i - 1]);
        has14336 |= out[i] == 14336;
        has16128 |= out[i] == 16128;
    }
    assert_true(has14336 && has16128);
    /* Thinned: each at least 10% above the previous. */
    n = tce_search_valid_scales(&t, &job, 8, 20000, 1.1, out, 64);
    for (i = 1; i < n; i++)
        assert_true((double)out[i] >= 1.1 * (double)out[i - 1]);
}

/* search2: Megatron-Bridge's DeepSeek-V3 pipeline layouts
 * (recipes/deepseek/h100/deepseek_v3.py, _get_deepseek_v3_pipeline_layout
 * and the H100 recipe's 32-stage string), rebuilt by the rule. */
static void test_bridge_layout(void **state)
{
    char b[64];

    (void)state;
    assert_int_equal(tce_search_bridge_layout(61, 1, 16, b, sizeof(b)), 0);
    assert_string_equal(b, "Et*4|(t*4|)*14tmL");
    assert_int_equal(tce_search_bridge_layout(61, 1, 8, b, sizeof(b)), 0);
    assert_string_equal(b, "Et*8|(t*8|)*6t*5mL");
    assert_int_equal(tce_search_bridge_layout(61, 1, 4, b, sizeof(b)), 0);
    assert_string_equal(b, "Et*16|(t*16|)*2t*13mL");
    assert_int_equal(tce_search_bridge_layout(61, 1, 32, b, sizeof(b)), 0);
    assert_string_equal(b, "Et|(t*2|)*30mL");
    assert_int_equal(tce_search_bridge_layout(61, 0, 2, b, sizeof(b)), 0);
    assert_string_equal(b, "Et*31|t*30L");
    assert_int_equal(tce_search_bridge_layout(61, 1, 3, b, sizeof(b)), 0);
    assert_string_equal(b, "Et*21|t*21|t*19mL");
    assert_int_equal(tce_search_bridge_layout(61, 1, 1, b, sizeof(b)), -1);
    assert_int_equal(tce_search_bridge_layout(4, 1, 8, b, sizeof(b)), -1);
    assert_int_equal(tce_search_bridge_layout(61, 1, 16, b, 8), -1);
}

/* search2: search places a job as the layout does (Slurm segments on an
 * NVL72 rack: 64 trays run as 4 racks of 16 trays, 64 GPUs on NVLink). */
static void test_scale_up_ranks(void **state)
{
    struct tce_topology *t = calloc(1, sizeof(*t));

    (void)state;
    assert_non_null(t);
    tce_topology_defaults(t);
    t->node.accelerators = 4;
    t->scale_up.domain_accelerators = 72;
    assert_int_equal(tce_layout_scale_up_ranks(t, 256), 64);
    assert_int_equal(tce_layout_scale_up_ranks(t, 32), 32);
    assert_int_equal(tce_layout_scale_up_ranks(t, 72), 72);
    t->node.accelerators = 8;
    t->scale_up.domain_accelerators = 8;
    assert_int_equal(tce_layout_scale_up_ranks(t, 1024), 8);
    t->scale_up.domain_accelerators = 0;
    assert_int_equal(tce_layout_scale_up_ranks(t, 1024), 8);
    assert_int_equal(tce_layout_scale_up_ranks(NULL, 1024), 1);
    free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bridge_layout),
        cmocka_unit_test(test_scale_up_ranks),
        cmocka_unit_test(test_dense_by_time),
        cmocka_unit_test(test_dense_by_cost),
        cmocka_unit_test(test_moe),
        cmocka_unit_test(test_several_scales_and_explain),
        cmocka_unit_test(test_nothing_fits),
        cmocka_unit_test(test_hbm_headroom),
        cmocka_unit_test(test_json),
        cmocka_unit_test(test_valid_scales),
        cmocka_unit_test(test_projector_brute_force),
        cmocka_unit_test(test_price),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
