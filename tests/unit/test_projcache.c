/* test_projcache.c - what a projector keeps across a sweep (projcache.h)
 * gives what is computed from nothing, bit for bit:
 *  - tce_layout_spans_cached equals tce_layout_spans for every group of
 *    layouts in a mixed order (nodes of 8, 6 and 4 GPUs, NVL72 domains,
 *    three fabric tiers, EP folding), and it does hit;
 *  - a plan relayout to another dp (per-iteration lists re-sharded or
 *    rebuilt) equals a plan built at that dp, for dense, MoE, FSDP and
 *    folded jobs, dp and edp crossing 1;
 *  - a tce_projector sweep equals one-shot tce_project at every GPU count
 *    (up, down, repeated, counts that do not fit in between) for every
 *    shipped job on five shipped topologies, and for hand-built jobs on
 *    hand-built topologies.
 * Exact comparisons (==, memcmp), no tolerance. */
#include "tce_fixtures.h"
#include "tce_test.h"

#include <stdlib.h>
#include <string.h>

#include "tcemu/projcache.h"
#include "tcemu/projector.h"

/* A hand-built topology: gpn GPUs per node, a scale-up domain of dom, and
 * (tiers > 0) fabric tiers of 4, 16 and 128 nodes, the lower oversubscribed
 * 2:1. */
static void topo_of(struct tce_topology *t, int64_t gpn, int64_t dom, int tiers)
{
    static const int64_t nodes[3] = {4, 16, 128};
    int i;

    topo(t);
    t->node.accelerators = gpn;
    t->scale_up.domain_accelerators = dom;
    t->n_fabric = tiers;
    for (i = 0; i < tiers; i++) {
        t->fabric[i].group_nodes = nodes[i];
        t->fabric[i].oversubscription = i < 2 ? 2.0 : 1.0;
        t->fabric[i].latency_us = 1.0 + i;
    }
}

static void layout_of(struct tce_layout *l, const struct tce_topology *t,
                      int64_t tp, int64_t cp, int64_t pp, int64_t ep,
                      int64_t etp, int64_t dp)
{
    memset(l, 0, sizeof(*l));
    l->tp = tp;
    l->cp = cp;
    l->pp = pp;
    l->vpp = 1;
    l->ep = ep;
    l->etp = etp;
    l->dp = dp;
    l->gpus = tp * cp * pp * dp;
    l->micro_batch = 1;
    l->microbatches = 8;
    l->gpus_per_node = t->node.accelerators;
    l->scale_up_domain = tce_layout_scale_up_ranks(t, l->gpus);
}

static void test_spans_cached(void **state)
{
    static const int64_t shapes[][5] = {
        /* tp, cp, pp, ep, etp */
        {8, 1, 4, 1, 0}, {4, 2, 2, 2, 0},  {2, 1, 8, 4, 0}, {1, 1, 1, 8, 0},
        {2, 2, 4, 8, 1}, {4, 1, 2, 16, 2}, {3, 1, 2, 1, 0}, {1, 4, 1, 2, 0},
    };
    static const int64_t dps[] = {1,  2,  16, 4,  64, 8,   256, 32,
                                  16, 24, 1,  48, 96, 512, 2,   128};
    static const int64_t topos[][3] = {
        {8, 8, 3}, {6, 6, 1}, {4, 72, 2}, {8, 8, 0}, {4, 4, 3}};
    struct tce_topology t;
    struct tce_span_cache c;
    struct tce_span a[TCE_GROUP_COUNT], prev[TCE_GROUP_COUNT];
    const struct tce_span *b;
    struct tce_layout l;
    size_t ti, si, di;
    unsigned moved;
    int g, pass;
    (void)state;

    for (ti = 0; ti < sizeof(topos) / sizeof(topos[0]); ti++) {
        topo_of(&t, topos[ti][0], topos[ti][1], (int)topos[ti][2]);
        tce_span_cache_init(&c);
        for (pass = 0; pass < 2; pass++)
            for (si = 0; si < sizeof(shapes) / sizeof(shapes[0]); si++)
                for (di = 0; di < sizeof(dps) / sizeof(dps[0]); di++) {
                    const int64_t *x = shapes[si];
                    int64_t dp =
                        dps[pass ? sizeof(dps) / sizeof(dps[0]) - 1 - di : di];

                    if (x[4] == 0 && dp % x[3] != 0)
                        continue;
                    if (x[4] > 0 && (x[0] * x[1] * dp) % (x[3] * x[4]) != 0)
                        continue;
                    layout_of(&l, &t, x[0], x[1], x[2], x[3], x[4], dp);
                    memset(a, 0xa5, sizeof(a));
                    tce_layout_spans(&l, &t, a);
                    b = tce_layout_spans_cached(&l, &t, &c, &moved);
                    for (g = 0; g < TCE_GROUP_COUNT; g++) {
                        if (memcmp(&a[g], &b[g], sizeof(a[g])) != 0) {
                            print_error("topology %zu, shape %zu, dp %lld: "
                                        "group %s differs\n",
                                        ti, si, (long long)dp,
                                        tce_group_name((enum tce_group)g));
                            fail();
                        }
                        /* moved: exactly the spans that differ from the
                         * previous call's (the first call: all but WORLD) */
                        if (pass + si + di > 0 &&
                            !!(moved & (1u << g)) !=
                                (memcmp(&prev[g], &b[g], sizeof(b[g])) != 0))
                            fail_msg("group %s: moved bit wrong",
                                     tce_group_name((enum tce_group)g));
                    }
                    memcpy(prev, b, sizeof(prev));
                }
        /* a sweep over dp (tp 8, pp 4) keeps the TP, CP and EP spans:
         * only DP, EDP and PP are computed again */
        layout_of(&l, &t, 8, 1, 4, 1, 0, 2);
        tce_layout_spans_cached(&l, &t, &c, &moved);
        for (di = 4; di <= 64; di *= 2) {
            int64_t misses = c.misses;

            layout_of(&l, &t, 8, 1, 4, 1, 0, (int64_t)di);
            tce_layout_spans_cached(&l, &t, &c, &moved);
            if (c.misses - misses != 3)
                print_error("topology %zu, dp %zu\n", ti, di);
            assert_int_equal(c.misses - misses, 3);
        }
    }
    /* another topology empties the cache */
    {
        struct tce_topology u = t;

        u.fabric[0].latency_us += 5.0;
        layout_of(&l, &u, 8, 1, 4, 1, 0, 16);
        tce_layout_spans(&l, &u, a);
        b = tce_layout_spans_cached(&l, &u, &c, &moved);
        assert_memory_equal(a, b, sizeof(a));
        assert_int_equal(moved, ((1u << TCE_GROUP_COUNT) - 1) &
                                    ~(1u << TCE_GROUP_WORLD));
    }
}

/* The plan of stage s built at dp2, and one built at dp1 and relaid out
 * to dp2: the same per-iteration lists. */
static void check_relayout(const struct tce_job *j, int64_t tp, int64_t dp1,
                           int64_t dp2, int64_t stage)
{
    struct tce_plan *a = malloc(sizeof(*a)), *b = malloc(sizeof(*b));
    struct tce_layout l1, l2;
    struct tce_topology t;
    int k, i;
    int64_t pp = j->parallel.pipeline_model_parallel_size;
    int64_t cp = j->parallel.context_parallel_size;

    assert_non_null(a);
    assert_non_null(b);
    topo(&t);
    assert_int_equal(tce_layout_init(&l1, j, &t, tp * pp * cp * dp1, NULL), 0);
    assert_int_equal(tce_layout_init(&l2, j, &t, tp * pp * cp * dp2, NULL), 0);
    assert_int_equal(tce_plan_build(j, &l2, stage, a, NULL), 0);
    assert_int_equal(tce_plan_build(j, &l1, stage, b, NULL), 0);
    assert_int_equal(tce_plan_relayout(j, &l2, stage, b, NULL), 0);
    for (k = TCE_PLAN_ITER_BEGIN; k <= TCE_PLAN_ITER_END; k++) {
        assert_int_equal(a->list[k].n, b->list[k].n);
        for (i = 0; i < a->list[k].n; i++) {
            const struct tce_op *x = &a->list[k].ops[i];
            const struct tce_op *y = &b->list[k].ops[i];

            assert_string_equal(x->name, y->name);
            assert_int_equal(x->kind, y->kind);
            assert_int_equal(x->coll, y->coll);
            assert_int_equal(x->group, y->group);
            assert_int_equal(x->count, y->count);
            assert_true(x->bytes == y->bytes);
            assert_int_equal(x->overlap, y->overlap);
            assert_int_equal(x->charge, y->charge);
            assert_int_equal(x->flags, y->flags);
        }
    }
    free(a);
    free(b);
}

static void test_relayout(void **state)
{
    static const int64_t dps[][2] = {{1, 8}, {8, 1}, {8, 16}, {16, 8},
                                     {2, 4}, {4, 2}, {8, 8}};
    struct tce_job j;
    size_t k;
    int kind;
    (void)state;

    for (kind = 0; kind < 4; kind++)
        for (k = 0; k < sizeof(dps) / sizeof(dps[0]); k++) {
            gpt(&j, 64, 2, 4, 1);
            j.training.global_batch_size = 1024;
            j.parallel.use_distributed_optimizer = kind != 0;
            if (kind >= 2) { /* MoE: EDP = dp / 2 crosses 1 at dp 2 */
                j.model.num_experts = 8;
                j.model.moe_router_topk = 2;
                j.model.moe_ffn_hidden_size = 4096;
                j.parallel.expert_model_parallel_size = 2;
                if (dps[k][0] % 2 || dps[k][1] % 2)
                    continue;
            }
            if (kind == 3) /* folded: EP over tp x dp, etp 1 */
                j.parallel.expert_tensor_parallel_size = 1;
            check_relayout(&j, 2, dps[k][0], dps[k][1], 0);
            check_relayout(&j, 2, dps[k][0], dps[k][1], 3);
            check_relayout(&j, 2, dps[k][0], dps[k][1], 1);
        }
}

static void same(const struct tce_projection *a, const struct tce_projection *b,
                 const char *what, int64_t gpus)
{
    if (a->iteration_s == b->iteration_s &&
        memcmp(&a->breakdown, &b->breakdown, sizeof(a->breakdown)) == 0 &&
        a->tokens_per_s == b->tokens_per_s &&
        a->model_tflops_per_gpu == b->model_tflops_per_gpu &&
        a->hardware_tflops_per_gpu == b->hardware_tflops_per_gpu &&
        a->mfu == b->mfu && a->hfu == b->hfu &&
        a->memory_gib_per_gpu == b->memory_gib_per_gpu &&
        a->fits_memory == b->fits_memory && a->iterations == b->iterations &&
        a->time_to_train_days == b->time_to_train_days &&
        a->utilisation == b->utilisation &&
        a->slowest_stage == b->slowest_stage &&
        a->stage_microbatch_s == b->stage_microbatch_s &&
        a->dp_total_s == b->dp_total_s &&
        a->bubble_fraction == b->bubble_fraction &&
        memcmp(a->stage_s, b->stage_s, sizeof(a->stage_s)) == 0 &&
        a->layout.dp == b->layout.dp &&
        a->layout.microbatches == b->layout.microbatches &&
        a->layout.scale_up_domain == b->layout.scale_up_domain)
        return;
    print_error("%s at %lld GPUs: the projector's sweep differs from "
                "tce_project (iteration %.17g against %.17g s)\n",
                what, (long long)gpus, b->iteration_s, a->iteration_s);
    fail();
}

/* GPU counts for job j: multiples of tp*pp*cp by 1 .. 64 and powers of
 * two up to 4096 replicas, up then down then up again (each visited
 * several times, counts that do not fit in between). */
static int counts_of(const struct tce_job *j, int64_t *out, int max)
{
    int64_t mp = j->parallel.tensor_model_parallel_size *
                 j->parallel.pipeline_model_parallel_size *
                 j->parallel.context_parallel_size;
    int64_t d;
    int n = 0, k;

    for (d = 1; d <= 64 && n < max; d++)
        out[n++] = mp * d;
    for (d = 128; d <= 4096 && n < max; d *= 2)
        out[n++] = mp * d;
    for (k = n - 1; k >= 0 && n < max; k -= 3)
        out[n++] = out[k];
    for (k = 0; k + 5 < n && n < max; k += 5)
        out[n++] = out[k] + 1; /* never fits a tp*pp*cp > 1 */
    return n;
}

static void sweep(const struct tce_topology *t, const struct tce_job *j,
                  const char *what)
{
    struct tce_costmodel cm;
    struct tce_projector *pj = malloc(sizeof(*pj));
    struct tce_projection a, b;
    int64_t counts[160];
    int n, i, ra, rb, fitted = 0;

    assert_non_null(pj);
    if (tce_costmodel_init(&cm, t, j->training.precision, NULL) != 0) {
        free(pj); /* e.g. an FP8 job where the accelerator has none */
        return;
    }
    n = counts_of(j, counts, 160);
    tce_projector_init(pj, t, j, &cm);
    for (i = 0; i < n; i++) {
        ra = tce_project(t, j, &cm, counts[i], &a, NULL);
        rb = tce_projector_run(pj, counts[i], &b, NULL);
        assert_int_equal(ra, rb);
        if (ra == 0) {
            same(&a, &b, what, counts[i]);
            fitted++;
        }
    }
    assert_true(fitted >= 5);
    free(pj);
}

static void test_sweeps_shipped(void **state)
{
    static const char *const jobs[] = {
        "deepseek-v3",  "frontier-100m",      "gpt-oss-120b",
        "gpt3-175b",    "llama3-405b",        "llama3-70b",
        "llama3-8b",    "megatron-sc21-1.7b", "megatron-sc21-39.1b",
        "mixtral-8x7b", "qwen3-235b-a22b",    "qwen3-30b-a3b",
        "tiny"};
    static const char *const topos[] = {"aws-p5", "dgx-b200", "gb200-nvl72",
                                        "dgx-a100-80gb", "workstation"};
    struct tce_topology *t = malloc(sizeof(*t));
    struct tce_job *j = malloc(sizeof(*j));
    char path[128], what[128];
    size_t ti, ji;
    (void)state;

    assert_non_null(t);
    assert_non_null(j);
    for (ti = 0; ti < sizeof(topos) / sizeof(topos[0]); ti++) {
        snprintf(path, sizeof(path), "topologies/%s.cfg", topos[ti]);
        assert_int_equal(tce_topology_load(path, t, NULL), 0);
        for (ji = 0; ji < sizeof(jobs) / sizeof(jobs[0]); ji++) {
            snprintf(path, sizeof(path), "jobs/%s.cfg", jobs[ji]);
            assert_int_equal(tce_job_load(path, j, NULL), 0);
            snprintf(what, sizeof(what), "%s on %s", jobs[ji], topos[ti]);
            sweep(t, j, what);
        }
    }
    free(t);
    free(j);
}

static void test_sweeps_built(void **state)
{
    static const int64_t shapes[][4] = {/* tp, pp, vpp, ep */
                                        {8, 4, 1, 1},
                                        {4, 4, 2, 2},
                                        {2, 8, 3, 4},
                                        {1, 1, 1, 8},
                                        {8, 2, 1, 8}};
    static const int64_t topos[][3] = {{8, 8, 3}, {6, 6, 1}, {4, 72, 2}};
    struct tce_topology t;
    struct tce_job j;
    size_t ti, si;
    int kind;
    (void)state;

    for (ti = 0; ti < sizeof(topos) / sizeof(topos[0]); ti++) {
        topo_of(&t, topos[ti][0], topos[ti][1], (int)topos[ti][2]);
        for (si = 0; si < sizeof(shapes) / sizeof(shapes[0]); si++)
            for (kind = 0; kind < 4; kind++) {
                gpt(&j, 512, shapes[si][0], shapes[si][1], shapes[si][2]);
                j.training.global_batch_size = 8192;
                j.parallel.use_distributed_optimizer = kind != 1;
                j.training.overlap_grad_reduce = 1;
                j.training.overlap_param_gather = kind == 2;
                if (shapes[si][3] > 1) {
                    j.model.num_experts = 16;
                    j.model.moe_router_topk = 2;
                    j.model.moe_ffn_hidden_size = 2048;
                    j.parallel.expert_model_parallel_size = shapes[si][3];
                    if (kind == 3)
                        j.parallel.expert_tensor_parallel_size = 1;
                }
                sweep(&t, &j, "built job");
            }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spans_cached),
        cmocka_unit_test(test_relayout),
        cmocka_unit_test(test_sweeps_shipped),
        cmocka_unit_test(test_sweeps_built),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
