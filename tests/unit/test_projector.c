/* test_projector.c - the projector's rules on hand-built jobs: breakdown
 * adds up, bubble (p-1)/(v m) of the steady time, throughput and
 * Megatron's FLOP count, MFU/HFU, DP overlap window, cost and energy
 * arithmetic, errors for GPU counts the job does not fit, and cost not
 * growing with the GPU count. */
#include "tce_test.h"
#include "tce_fixtures.h"

#include <stdlib.h>
#include <string.h>

#include "tcemu/costmodel.h"
#include "tcemu/economics.h"
#include "tcemu/eppair.h"
#include "tcemu/projcache.h"
#include "tcemu/projector.h"


static double sum_breakdown(const struct tce_breakdown *b)
{
    return b->compute_s + b->tp_exposed_s + b->cp_exposed_s +
           b->ep_exposed_s + b->dp_exposed_s + b->pp_bubble_s + b->pp_p2p_s +
           b->optimizer_s;
}

static void test_breakdown_and_flops(void **state)
{
    struct tce_topology t;
    struct tce_job j;
    struct tce_costmodel cm;
    struct tce_projection p;
    struct tce_projection_price pr;
    double B = 1536, s = 2048, l = 48, h = 8192, V = 51200, F;
    (void)state;

    topo(&t);
    gpt(&j, 512, 8, 2, 1);
    assert_int_equal(tce_costmodel_init(&cm, &t, TCE_PRECISION_BF16, NULL),
                     0);
    assert_int_equal(tce_project(&t, &j, &cm, 0, &p, NULL), 0);
    assert_int_equal(p.layout.dp, 32);
    assert_int_equal(p.layout.microbatches, 48);
    assert_close(sum_breakdown(&p.breakdown), p.iteration_s, 1e-12);
    assert_true(p.breakdown.compute_s > 0.5 * p.iteration_s);
    assert_true(p.breakdown.tp_exposed_s > 0);
    assert_true(p.breakdown.dp_exposed_s > 0);
    assert_true(p.breakdown.pp_p2p_s > 0);
    assert_close(p.tokens_per_s, B * s / p.iteration_s, 1e-12);
    /* Megatron's count with full recomputation */
    F = 96.0 * B * s * l * h * h * (1 + s / (6 * h) + V / (16 * l * h));
    assert_close(p.hardware_tflops_per_gpu, F / p.iteration_s / 512 / 1e12,
                 1e-9);
    assert_close(p.model_tflops_per_gpu, 0.75 * F / p.iteration_s / 512 /
                                             1e12 *
                                             (1 + s / (6 * h) +
                                              V / (12 * l * h)) /
                                             (1 + s / (6 * h) +
                                              V / (16 * l * h)),
                 1e-9);
    assert_close(p.mfu, p.model_tflops_per_gpu / 312.0, 1e-12);
    assert_close(p.hfu, p.hardware_tflops_per_gpu / 312.0, 1e-12);
    /* economics: GPU-hours x price per node-hour / 8 */
    assert_close(p.iterations, 300e9 / (B * s), 1e-12);
    assert_close(p.time_to_train_days, p.iterations * p.iteration_s / 86400,
                 1e-12);
    /* priced by economics.h: 512 GPUs are 64 whole nodes, GPU-hours x
     * price per node-hour / 8 */
    assert_int_equal(tce_econ_price_projection(&t, &j, NULL, &p, &pr, NULL),
                     0);
    assert_int_equal(pr.nodes, 64);
    assert_close(pr.gpu_hours, 512 * p.time_to_train_days * 24, 1e-12);
    assert_close(pr.cost_usd, pr.gpu_hours * 4.0, 1e-12);
    assert_true(pr.energy_mwh > 0);
    assert_true(p.memory_gib_per_gpu > 10 && p.memory_gib_per_gpu < 80);
    assert_true(p.fits_memory);
}

static void test_bubble(void **state)
{
    struct tce_topology t;
    struct tce_job j;
    struct tce_costmodel cm;
    struct tce_projection p1, p2, p3;
    double T, lat, x;
    (void)state;

    topo(&t);
    assert_int_equal(tce_costmodel_init(&cm, &t, TCE_PRECISION_BF16, NULL),
                     0);
    gpt(&j, 512, 8, 4, 1); /* dp 16, m 96 */
    assert_int_equal(tce_project(&t, &j, &cm, 0, &p1, NULL), 0);
    T = p1.stage_microbatch_s;
    /* the bubble is the schedule's span of the stages' own times beyond
     * the slowest stage's steady work */
    assert_close(p1.breakdown.pp_bubble_s,
                 tce_schedule_span3_s(4, 1, 96, p1.stage_s) - 96.0 * T,
                 1e-12);
    assert_close(p1.bubble_fraction, p1.breakdown.pp_bubble_s / (96.0 * T),
                 1e-12);
    /* the first and last stages carry the embedding and the head: the
     * others fill and drain faster than the slowest stage's T */
    assert_true(p1.bubble_fraction < 3.0 / 96.0);
    assert_true(p1.bubble_fraction > 0.8 * 3.0 / 96.0);
    gpt(&j, 512, 8, 4, 2); /* interleaved: about half the bubble */
    j.training.overlap_p2p_comm = 0;
    assert_int_equal(tce_project(&t, &j, &cm, 0, &p2, NULL), 0);
    assert_close(p2.breakdown.pp_bubble_s,
                 tce_schedule_span3_s(4, 2, 96, p2.stage_s) -
                     96.0 * p2.stage_microbatch_s,
                 1e-12);
    assert_true(p2.breakdown.pp_bubble_s < 0.6 * p1.breakdown.pp_bubble_s);
    /* twice the boundaries: twice the p2p messages, all exposed */
    assert_close(p2.breakdown.pp_p2p_s, 2.0 * p1.breakdown.pp_p2p_s, 1e-9);
    assert_true(p2.iteration_s < p1.iteration_s);
    /* overlap_p2p_comm: only the latency of each of the 2 v m messages
     * (the 8 MB transfer is shorter than a chunk step) */
    j.training.overlap_p2p_comm = 1;
    assert_int_equal(tce_project(&t, &j, &cm, 0, &p3, NULL), 0);
    x = p1.breakdown.pp_p2p_s / (2.0 * 96.0);
    assert_true(x < p3.stage_s[0].fwd_s / 2.0);
    lat = p3.breakdown.pp_p2p_s / (2.0 * 2.0 * 96.0);
    assert_true(lat > 0.0);
    assert_true(lat < 0.1 * x);
    assert_close(p3.iteration_s,
                 p2.iteration_s - p2.breakdown.pp_p2p_s +
                     p3.breakdown.pp_p2p_s,
                 1e-12);
    /* 1F1B: the key changes nothing */
    gpt(&j, 512, 8, 4, 1);
    j.training.overlap_p2p_comm = 0;
    assert_int_equal(tce_project(&t, &j, &cm, 0, &p3, NULL), 0);
    assert_close(p3.iteration_s, p1.iteration_s, 1e-15);
}

static void test_dp_overlap(void **state)
{
    struct tce_topology t;
    struct tce_job j;
    struct tce_costmodel cm;
    struct tce_projection a, b;
    (void)state;

    topo(&t);
    assert_int_equal(tce_costmodel_init(&cm, &t, TCE_PRECISION_BF16, NULL),
                     0);
    gpt(&j, 512, 8, 2, 1);
    assert_int_equal(tce_project(&t, &j, &cm, 0, &a, NULL), 0);
    assert_close(a.breakdown.dp_exposed_s, a.dp_total_s, 1e-12);
    j.training.overlap_grad_reduce = 1;
    assert_int_equal(tce_project(&t, &j, &cm, 0, &b, NULL), 0);
    assert_true(b.breakdown.dp_exposed_s < a.breakdown.dp_exposed_s);
    assert_true(b.breakdown.dp_exposed_s > 0); /* the last bucket */
    assert_close(b.breakdown.compute_s, a.breakdown.compute_s, 1e-12);
    /* 1F1B: max(one bucket, total - one microbatch's backward) */
    {
        const struct tce_sched_stage_s *x =
            b.stage_s[0].fwd_s + b.stage_s[0].bwd_s >=
                    b.stage_s[2].fwd_s + b.stage_s[2].bwd_s
                ? &b.stage_s[0]
                : &b.stage_s[2];

        assert_true(b.breakdown.dp_exposed_s >=
                    b.dp_total_s - x->bwd_s - 1e-12);
    }
}

/* Interleaved: each chunk's gradients go out after its last backward, so
 * the cool-down's remaining backward hides more of the same reduce. */
static void test_dp_window_interleaved(void **state)
{
    struct tce_topology t;
    struct tce_job j;
    struct tce_costmodel cm;
    struct tce_projection a, b;
    (void)state;

    topo(&t);
    assert_int_equal(tce_costmodel_init(&cm, &t, TCE_PRECISION_BF16, NULL),
                     0);
    gpt(&j, 64, 8, 4, 1); /* dp 2: a large reduce per rank */
    j.training.overlap_grad_reduce = 1;
    j.training.align_grad_reduce = 0; /* bucket hooks, as they come */
    assert_int_equal(tce_project(&t, &j, &cm, 0, &a, NULL), 0);
    gpt(&j, 64, 8, 4, 2);
    j.training.overlap_grad_reduce = 1;
    j.training.align_grad_reduce = 0;
    assert_int_equal(tce_project(&t, &j, &cm, 0, &b, NULL), 0);
    assert_close(b.dp_total_s, a.dp_total_s, 1e-9);
    assert_true(a.breakdown.dp_exposed_s > 0);
    assert_true(b.breakdown.dp_exposed_s < a.breakdown.dp_exposed_s);
}

static void test_scale_and_errors(void **state)
{
    struct tce_topology t;
    struct tce_job j;
    struct tce_costmodel cm;
    struct tce_projection a, b;
    struct tce_error err;
    (void)state;

    topo(&t);
    assert_int_equal(tce_costmodel_init(&cm, &t, TCE_PRECISION_BF16, NULL),
                     0);
    gpt(&j, 512, 8, 2, 1);
    j.training.global_batch_size = 16384;
    assert_int_equal(tce_project(&t, &j, &cm, 1024, &a, NULL), 0);
    assert_int_equal(tce_project(&t, &j, &cm, 131072, &b, NULL), 0);
    assert_int_equal(b.layout.dp, 8192);
    assert_int_equal(b.layout.microbatches, 2);
    /* more GPUs: faster iterations, lower per-GPU throughput (bubble) */
    assert_true(b.iteration_s < a.iteration_s);
    assert_true(b.tokens_per_s / 131072 < a.tokens_per_s / 1024);
    tce_error_clear(&err);
    assert_int_equal(tce_project(&t, &j, &cm, 1000, &a, &err), TCE_ECONFIG);
    assert_non_null(strstr(err.msg, "must divide"));
}

/* A struct tce_projector reused across GPU counts (and after a count that
 * does not fit, and after a re-init with another shape) gives exactly what
 * tce_project gives: dense and MoE jobs, counts inside one node and up to
 * 131,072 GPUs, pp = 1 and interleaved pipelines. */
static void same_projection(const struct tce_projection *a,
                            const struct tce_projection *b)
{
    assert_memory_equal(&a->layout, &b->layout, sizeof(a->layout));
    assert_memory_equal(&a->breakdown, &b->breakdown, sizeof(a->breakdown));
    assert_true(a->iteration_s == b->iteration_s);
    assert_true(a->tokens_per_s == b->tokens_per_s);
    assert_true(a->mfu == b->mfu && a->hfu == b->hfu);
    assert_true(a->memory_gib_per_gpu == b->memory_gib_per_gpu);
    assert_int_equal(a->fits_memory, b->fits_memory);
    /* what economics prices */
    assert_true(a->time_to_train_days == b->time_to_train_days);
    assert_true(a->utilisation == b->utilisation);
    assert_int_equal(a->slowest_stage, b->slowest_stage);
    assert_true(a->stage_microbatch_s == b->stage_microbatch_s);
    assert_true(a->dp_total_s == b->dp_total_s);
}

static void test_projector_reuse(void **state)
{
    static const int64_t counts[] = {8,    16,   1024,  1000, 4096,
                                     2048, 8192, 131072, 64,  1024};
    static const int64_t shapes[][3] = {{8, 2, 1}, {4, 4, 2}, {2, 1, 1}};
    struct tce_topology t;
    struct tce_job j;
    struct tce_costmodel cm;
    struct tce_projection a, b;
    struct tce_projector *pj = malloc(sizeof(*pj));
    double tp_per_mb[2];
    size_t k, i;
    int moe, ra, rb;
    (void)state;

    assert_non_null(pj);
    topo(&t);
    assert_int_equal(tce_costmodel_init(&cm, &t, TCE_PRECISION_BF16, NULL),
                     0);
    for (moe = 0; moe < 2; moe++)
        for (k = 0; k < sizeof(shapes) / sizeof(shapes[0]); k++) {
            gpt(&j, 512, shapes[k][0], shapes[k][1], shapes[k][2]);
            j.training.global_batch_size = 16384;
            j.parallel.use_distributed_optimizer = 1;
            j.training.overlap_grad_reduce = 1;
            if (moe) {
                j.model.num_experts = 8;
                j.model.moe_router_topk = 2;
                j.parallel.expert_model_parallel_size = 2;
            }
            tce_projector_init(pj, &t, &j, &cm);
            for (i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
                ra = tce_project(&t, &j, &cm, counts[i], &a, NULL);
                rb = tce_projector_run(pj, counts[i], &b, NULL);
                assert_int_equal(ra, rb);
                if (ra == 0)
                    same_projection(&a, &b);
            }
        }
    /* 6-GPU nodes and TP 4: the TP group stays in a node at 4 GPUs and
     * straddles two at 8, so the layer lists' times must not be reused */
    t.node.accelerators = 6;
    t.scale_up.domain_accelerators = 6;
    gpt(&j, 4, 4, 1, 1);
    j.training.global_batch_size = 16384;
    tce_projector_init(pj, &t, &j, &cm);
    for (i = 0; i < 6; i++) {
        int64_t g = i % 2 ? 8 : 4;

        assert_int_equal(tce_project(&t, &j, &cm, g, &a, NULL), 0);
        assert_int_equal(tce_projector_run(pj, g, &b, NULL), 0);
        same_projection(&a, &b);
        tp_per_mb[i % 2] =
            b.breakdown.tp_exposed_s / (double)b.layout.microbatches;
    }
    /* the case is meaningful: TP is slower per microbatch across nodes */
    assert_true(tp_per_mb[1] > 1.5 * tp_per_mb[0]);
    free(pj);
}

/* Every group 8 ranks on one node, no tier. */
static void one_node_spans(struct tce_span spans[TCE_GROUP_COUNT])
{
    int g;

    memset(spans, 0, sizeof(struct tce_span) * TCE_GROUP_COUNT);
    for (g = 0; g < TCE_GROUP_COUNT; g++) {
        spans[g].size = 8;
        spans[g].ranks_per_node = 8;
        spans[g].nodes = 1;
        spans[g].node_range = 1;
        spans[g].domains = 1;
        spans[g].tier = -1;
        spans[g].oversubscription = 1.0;
    }
}

/* A list of a compute op of 'compute_bytes' and an EP all-to-all of
 * 'comm_bytes' (exposed unless overlap says otherwise). */
static void compute_and_a2a(struct tce_op_list *l, double compute_bytes,
                            double comm_bytes, enum tce_overlap overlap)
{
    l->n = 2;
    l->ops[0].kind = TCE_OP_COMPUTE;
    l->ops[0].count = 1;
    l->ops[0].bytes = compute_bytes;
    l->ops[0].charge = TCE_CHARGE_COMPUTE;
    l->ops[1].kind = TCE_OP_COLLECTIVE;
    l->ops[1].coll = TCE_COLL_ALL_TO_ALL;
    l->ops[1].group = TCE_GROUP_EP;
    l->ops[1].count = 1;
    l->ops[1].bytes = comm_bytes;
    l->ops[1].overlap = overlap;
    l->ops[1].charge = TCE_CHARGE_EP;
}

/* moe (issue 11): overlapped EP communication holds its SMs only while it
 * runs: a list of one element-wise compute op (G) and one hidden
 * all-to-all (C) holding 20 of 132 SMs takes max(C, G + min(C, G) x
 * 20/132); without SMs held, max(C, G). */
static void test_ep_overlap_sms(void **state)
{
    struct tce_topology t;
    struct tce_costmodel cm;
    struct tce_span spans[TCE_GROUP_COUNT];
    struct tce_op_list *l = calloc(1, sizeof(*l));
    struct tce_list_time lt;
    double G, C, k = 20.0 / 132.0;

    (void)state;
    assert_non_null(l);
    topo(&t);
    t.accelerator.sm_count = 132;
    assert_int_equal(tce_costmodel_init(&cm, &t, TCE_PRECISION_BF16, NULL),
                     0);
    one_node_spans(spans);
    compute_and_a2a(l, 20e9, 1e9, TCE_OVERLAP_COMPUTE);
    l->ops[1].comm_sms = 20;
    G = tce_cost_op_s(&cm, &l->ops[0], spans);
    C = tce_cost_op_s(&cm, &l->ops[1], spans);
    assert_true(C > 0.0 && C < G); /* hidden: G + C x 20/132 */
    tce_projector_list_time(&cm, spans, l, &lt);
    assert_close(lt.total_s, G + C * k, 1e-12);
    assert_close(lt.part_s[TCE_CHARGE_COMPUTE], G + C * k, 1e-12);
    l->ops[1].comm_sms = 0; /* nothing held: the compute alone */
    tce_projector_list_time(&cm, spans, l, &lt);
    assert_close(lt.total_s, G, 1e-12);
    /* communication longer than the compute: the compute's SM share
     * while under it, the rest of the communication exposed */
    l->ops[1].comm_sms = 20;
    l->ops[1].bytes = 8e9;
    C = tce_cost_op_s(&cm, &l->ops[1], spans);
    assert_true(C > G * (1.0 + k));
    tce_projector_list_time(&cm, spans, l, &lt);
    assert_close(lt.total_s, C, 1e-12);
    assert_close(lt.part_s[TCE_CHARGE_COMPUTE], G * (1.0 + k), 1e-12);
    assert_close(lt.part_s[TCE_CHARGE_EP], C - G * (1.0 + k), 1e-12);
    free(l);
}

/* deepep (issue 11): a communication op marked TCE_OP_F_PIPELINED runs
 * beside the op before it: an exposed pair takes the longer of the two,
 * whichever it is, charged to its own part. */
static void test_pipelined_pair(void **state)
{
    struct tce_topology t;
    struct tce_costmodel cm;
    struct tce_span spans[TCE_GROUP_COUNT];
    struct tce_op_list *l = calloc(1, sizeof(*l));
    struct tce_list_time lt;
    double A, B;

    (void)state;
    topo(&t);
    assert_true(l && tce_costmodel_init(&cm, &t, TCE_PRECISION_BF16, NULL) ==
                         0);
    one_node_spans(spans);
    compute_and_a2a(l, 1e6, 4e8, TCE_OVERLAP_NONE);
    l->n = 3;
    l->ops[2] = l->ops[1]; /* a second stage, a quarter of the first */
    l->ops[2].bytes = 1e8;
    A = tce_cost_op_s(&cm, &l->ops[1], spans);
    B = tce_cost_op_s(&cm, &l->ops[2], spans);
    assert_true(A > B && B > 0.0);
    tce_projector_list_time(&cm, spans, l, &lt);
    assert_close(lt.part_s[TCE_CHARGE_EP], A + B, 1e-12); /* one after */
    l->ops[2].flags |= TCE_OP_F_PIPELINED;
    tce_projector_list_time(&cm, spans, l, &lt);
    assert_close(lt.part_s[TCE_CHARGE_EP], A, 1e-12); /* the longer */
    l->ops[2].bytes = 8e8; /* the second longer: it bounds the pair */
    B = tce_cost_op_s(&cm, &l->ops[2], spans);
    tce_projector_list_time(&cm, spans, l, &lt);
    assert_close(lt.part_s[TCE_CHARGE_EP], B, 1e-12);
    free(l);
}

/* host: exposed communication is GPU work the host launches like a
 * kernel, so a host-bound list holds it: a compute op (G, n kernels) and
 * an exposed all-to-all (C) take max(n x gap, G + C); the EP part stays C
 * and the host's excess beyond G + C is charged to compute. */
static void test_host_floor_holds_comm(void **state)
{
    struct tce_topology t;
    struct tce_costmodel cm;
    struct tce_span spans[TCE_GROUP_COUNT];
    struct tce_op_list *l = calloc(1, sizeof(*l));
    struct tce_list_time lt;
    double G, C, H;

    (void)state;
    assert_non_null(l);
    topo(&t);
    assert_int_equal(tce_costmodel_init(&cm, &t, TCE_PRECISION_BF16, NULL),
                     0);
    one_node_spans(spans);
    compute_and_a2a(l, 1e9, 1e8, TCE_OVERLAP_NONE);
    G = tce_cost_op_s(&cm, &l->ops[0], spans);
    C = tce_cost_op_s(&cm, &l->ops[1], spans);
    assert_true(G > 0.0 && C > 0.0);
    /* the host's launches between G and G + C: hidden by the two */
    cm.launch_gap_s = 1e-6;
    l->ops[0].kernels = (int)((G + 0.5 * C) / cm.launch_gap_s);
    H = tce_cost_list_launch_s(&cm, l);
    assert_true(H > G && H < G + C);
    tce_projector_list_time(&cm, spans, l, &lt);
    assert_close(lt.total_s, G + C, 1e-12);
    assert_close(lt.part_s[TCE_CHARGE_COMPUTE], G, 1e-12);
    assert_close(lt.part_s[TCE_CHARGE_EP], C, 1e-12);
    /* beyond both: the list takes the host's time, the excess compute */
    l->ops[0].kernels = (int)((G + 2.0 * C) / cm.launch_gap_s);
    H = tce_cost_list_launch_s(&cm, l);
    assert_true(H > G + C);
    tce_projector_list_time(&cm, spans, l, &lt);
    assert_close(lt.total_s, H, 1e-12);
    assert_close(lt.part_s[TCE_CHARGE_COMPUTE], H - C, 1e-12);
    assert_close(lt.part_s[TCE_CHARGE_EP], C, 1e-12);
    free(l);
}

/* overlap (issue 11): the combined 1F1B pairing (eppair.h) on
 * hand-made summaries (any unit).  Forward: 2 before the dispatch,
 * dispatch 1, experts 3, combine 4, 0.5 after; backward: 0.5 before,
 * combine 2, experts 6 (3 of them wgrad), dispatch 5, 1 after.
 * e1 = max(0, 2 - 2) = 0; with the experts' dgrad 3 the dispatch's
 * backward ends at max(1, 3) + 5 = 8 and the compute at max(6, 1) + 3 =
 * 9 = 6 + 3, so e2 = 0; e3 = max(0, 4 - 1) = 3. */
static void pair_summary(struct tce_list_time *t, double c0, double c1,
                         double s0, double s1, double s2, double wgrad)
{
    memset(t, 0, sizeof(*t));
    t->ep.runs = 2;
    t->ep.comm_s[0] = c0;
    t->ep.comm_s[1] = c1;
    t->ep.seg_s[0] = s0;
    t->ep.seg_s[1] = s1;
    t->ep.seg_s[2] = s2;
    t->ep.wgrad_s = wgrad;
    t->total_s = s0 + s1 + s2;
    t->part_s[TCE_CHARGE_COMPUTE] = t->total_s;
}

/* host (issue 11): the first pairing case below, with the forward's host
 * before its sync 1, the GPU before it 2.5, the host after it 4, and the
 * backward's host bwd_host */
static void pair_host(struct tce_list_time *f, struct tce_list_time *b,
                      double bwd_host)
{
    pair_summary(f, 1.0, 4.0, 2.0, 3.0, 0.5, 0.0);
    pair_summary(b, 2.0, 5.0, 0.5, 6.0, 1.0, 3.0);
    f->ep.host_pre_s = 1.0;
    f->ep.gpu_pre_s = 2.5;
    f->ep.host_post_s = 4.0;
    b->ep.host_post_s = bwd_host;
}

static void test_ep_pairing(void **state)
{
    struct tce_list_time f, b;

    (void)state;
    pair_summary(&f, 1.0, 4.0, 2.0, 3.0, 0.5, 0.0);
    pair_summary(&b, 2.0, 5.0, 0.5, 6.0, 1.0, 3.0);
    tce_eppair_charge(&f, &b, 0.0);
    /* e1 0, e2 0, e3 3: all on the forward */
    assert_close(f.part_s[TCE_CHARGE_EP], 3.0, 1e-12);
    assert_close(b.part_s[TCE_CHARGE_EP], 0.0, 1e-12);
    assert_close(f.total_s, 5.5 + 3.0, 1e-12);
    assert_close(b.total_s, 7.5, 1e-12);
    /* a dispatch longer than the experts' backward: the dispatch's
     * backward starts after it (max(6, 3) + 5 = 11 against the compute's
     * max(6, 6) + 3 = 9): e2 = 11 - 9 = 2, half to each pass; the
     * combine's backward (7) outlasts the forward's attention (2): e1 5 */
    pair_summary(&f, 6.0, 1.0, 2.0, 3.0, 0.5, 0.0);
    pair_summary(&b, 7.0, 5.0, 0.5, 6.0, 1.0, 3.0);
    tce_eppair_charge(&f, &b, 0.0);
    assert_close(f.part_s[TCE_CHARGE_EP], 1.0, 1e-12);
    assert_close(b.part_s[TCE_CHARGE_EP], 5.0 + 1.0, 1e-12);
    /* the hidden part holds its SM share */
    pair_summary(&f, 1.0, 4.0, 2.0, 3.0, 0.5, 0.0);
    pair_summary(&b, 2.0, 5.0, 0.5, 6.0, 1.0, 3.0);
    f.ep.sm_share = b.ep.sm_share = 0.1;
    tce_eppair_charge(&f, &b, 0.0);
    assert_close(f.part_s[TCE_CHARGE_COMPUTE], 5.5 + (5.0 - 3.0) * 0.1,
                 1e-12);
    assert_close(b.part_s[TCE_CHARGE_COMPUTE], 7.5 + 7.0 * 0.1, 1e-12);
    /* not dispatch and combine: each pass hides its own under itself */
    pair_summary(&f, 6.0, 4.0, 2.0, 3.0, 0.5, 0.0);
    f.ep.runs = 3;
    pair_summary(&b, 2.0, 5.0, 0.5, 6.0, 1.0, 3.0);
    tce_eppair_charge(&f, &b, 0.0);
    assert_close(f.part_s[TCE_CHARGE_EP], 10.0 - 5.5, 1e-12);
    assert_close(b.part_s[TCE_CHARGE_EP], 0.0, 1e-12);
    /* host (issue 11): one thread launches the pair.  Forward 5.5 + 3
     * exposed, backward 7.5 (the first case); host before the forward's
     * sync 1, GPU before it 2.5, host after it 4, backward's host 6:
     * max(1, 2.5) + 4 + 6 = 12.5 against 16: nothing added */
    pair_host(&f, &b, 6.0);
    tce_eppair_charge(&f, &b, 0.0);
    assert_close(f.total_s + b.total_s, 16.0, 1e-12);
    /* a backward host of 10: 2.5 + 4 + 10 = 16.5, half a second each to
     * compute */
    pair_host(&f, &b, 10.0);
    tce_eppair_charge(&f, &b, 0.0);
    assert_close(f.total_s, 8.5 + 0.25, 1e-12);
    assert_close(b.total_s, 7.5 + 0.25, 1e-12);
    assert_close(f.part_s[TCE_CHARGE_COMPUTE], 5.5 + 0.25, 1e-12);
    assert_close(b.part_s[TCE_CHARGE_COMPUTE], 7.5 + 0.25, 1e-12);
    /* the schedule's own host time (node.ep_overlap_host_us) joins the
     * floor: 12.5 + 3 a pair = 15.5, still under 16: nothing; 12.5 + 4
     * a pair = 16.5: half a second each */
    pair_host(&f, &b, 6.0);
    tce_eppair_charge(&f, &b, 3.0);
    assert_close(f.total_s + b.total_s, 16.0, 1e-12);
    pair_host(&f, &b, 6.0);
    tce_eppair_charge(&f, &b, 4.0);
    assert_close(f.total_s, 8.5 + 0.25, 1e-12);
    assert_close(b.total_s, 7.5 + 0.25, 1e-12);
    /* nothing paired: untouched, whatever the schedule's host time */
    memset(&f, 0, sizeof(f));
    memset(&b, 0, sizeof(b));
    f.total_s = b.total_s = 1.0;
    tce_eppair_charge(&f, &b, 10.0);
    assert_close(f.total_s, 1.0, 0.0);
    assert_close(b.total_s, 1.0, 0.0);
}

/* overlap (issue 11): the warm-up forwards and cool-down backwards run
 * alone (eppair.h).  The first pairing case: alone, the forward exposes
 * its whole 5 (3 when paired), the backward its 7 (0 when paired); with a
 * host floor of 0.5 a pass, alone neither pays it. */
static void test_ep_solo(void **state)
{
    struct tce_list_time f, b;

    (void)state;
    pair_summary(&f, 1.0, 4.0, 2.0, 3.0, 0.5, 0.0);
    pair_summary(&b, 2.0, 5.0, 0.5, 6.0, 1.0, 3.0);
    tce_eppair_charge(&f, &b, 0.0);
    assert_close(f.solo_ep_s, 5.0 - 3.0, 1e-12);
    assert_close(b.solo_ep_s, 7.0, 1e-12);
    assert_close(f.solo_compute_s, 0.0, 1e-12);
    pair_host(&f, &b, 10.0);
    tce_eppair_charge(&f, &b, 0.0);
    assert_close(f.solo_compute_s, -0.25, 1e-12);
    assert_close(b.solo_compute_s, -0.25, 1e-12);
    /* each pass hides its own under itself: alone the same */
    pair_summary(&f, 6.0, 4.0, 2.0, 3.0, 0.5, 0.0);
    f.ep.runs = 3;
    pair_summary(&b, 2.0, 5.0, 0.5, 6.0, 1.0, 3.0);
    tce_eppair_charge(&f, &b, 0.0);
    assert_close(f.solo_ep_s, 0.0, 0.0);
    assert_close(b.solo_ep_s, 0.0, 0.0);
    /* the fraction alone: no pipeline, 1 of m; interleaved, stage s of
     * p: 2 (p - s - 1) + (v - 1) p + 1 of m v (p 8, v 4, m 256: 39 of
     * 1024 on the first stage, 25 on the last); without interleaving
     * p - s; never above all of them */
    assert_close(tce_eppair_solo_fraction(1, 1, 8, 0), 1.0 / 8.0, 1e-15);
    assert_close(tce_eppair_solo_fraction(8, 4, 256, 0), 39.0 / 1024.0,
                 1e-15);
    assert_close(tce_eppair_solo_fraction(8, 4, 256, 7), 25.0 / 1024.0,
                 1e-15);
    assert_close(tce_eppair_solo_fraction(4, 1, 16, 1), 3.0 / 16.0, 1e-15);
    assert_close(tce_eppair_solo_fraction(8, 4, 4, 0), 1.0, 0.0);
    assert_close(tce_eppair_solo_fraction(8, 4, 0, 0), 0.0, 0.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_breakdown_and_flops),
        cmocka_unit_test(test_bubble),
        cmocka_unit_test(test_dp_overlap),
        cmocka_unit_test(test_dp_window_interleaved),
        cmocka_unit_test(test_scale_and_errors),
        cmocka_unit_test(test_projector_reuse),
        cmocka_unit_test(test_ep_overlap_sms),
        cmocka_unit_test(test_host_floor_holds_comm),
        cmocka_unit_test(test_pipelined_pair),
        cmocka_unit_test(test_ep_pairing),
        cmocka_unit_test(test_ep_solo),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
