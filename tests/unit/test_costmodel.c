/* test_costmodel.c - roofline compute and alpha-beta collectives against
 * hand-computed closed forms: ring all-reduce for n = 1, 2 and large n,
 * recursive doubling vs ring crossover, two-level hierarchical, all-to-all,
 * NIC sharing, oversubscription, calibration overrides. */
#include "tce_test.h"

#include <string.h>

#include "tcemu/costmodel.h"

static void topo(struct tce_topology *t)
{
    tce_topology_defaults(t);
    strcpy(t->path, "test");
    t->accelerator.bf16_tflops = 1000.0;
    t->accelerator.fp8_tflops = 2000.0;
    t->accelerator.hbm_gbytes_per_s = 3000.0;
    t->accelerator.matmul_efficiency = 0.8;
    t->accelerator.matmul_half_gflop = 2.0;
    t->accelerator.memory_efficiency = 0.5;
    t->node.accelerators = 8;
    t->scale_up.domain_accelerators = 8;
    t->scale_up.bandwidth_gbytes_per_s = 400.0;
    t->scale_up.latency_us = 2.0;
    t->scale_up.efficiency = 0.5;   /* 200 GB/s effective */
    t->scale_out.nics_per_node = 8;
    t->scale_out.nic_bandwidth_gbit_per_s = 400.0; /* 50 GB/s per NIC */
    t->scale_out.latency_us = 10.0;
    t->scale_out.efficiency = 0.5;  /* 8 x 25 GB/s per node */
}

static struct tce_span inside(int64_t n)
{
    struct tce_span s;

    memset(&s, 0, sizeof(s));
    s.size = n;
    s.ranks_per_node = n;
    s.nodes = 1;
    s.domains = 1;
    s.tier = -1;
    s.oversubscription = 1.0;
    return s;
}

static struct tce_span across(int64_t n, int64_t per_node, int64_t nic_ranks)
{
    struct tce_span s;

    memset(&s, 0, sizeof(s));
    s.size = n;
    s.ranks_per_node = per_node;
    s.nodes = n / per_node;
    s.domains = n / per_node;
    s.leaves_node = 1;
    s.leaves_domain = 1;
    s.tier = 0;
    s.nic_ranks = nic_ranks;
    s.oversubscription = 1.0;
    return s;
}

static void test_closed_forms(void **state)
{
    double M = 1e9, W = 1e11, L = 1e-5;
    (void)state;

    assert_close(tce_cost_ring_allreduce_s(1, M, W, L), 0.0, 0.0);
    assert_close(tce_cost_ring_allreduce_s(2, M, W, L), 2 * L + M / W,
                 1e-12);
    assert_close(tce_cost_ring_allreduce_s(1024, M, W, L),
                 2 * 1023 * L + 2.0 * 1023 / 1024 * M / W, 1e-12);
    /* large n tends to 2 M / W + 2 n L */
    assert_close(tce_cost_ring_allreduce_s(1 << 20, M, 1e11, 0.0), 2 * M / W,
                 1e-5);
    assert_close(tce_cost_ring_allgather_s(8, M, W, L), 7 * L + 7.0 / 8 * M / W,
                 1e-12);
    assert_close(tce_cost_rd_allreduce_s(8, M, W, L), 3 * (L + M / W), 1e-12);
    assert_close(tce_cost_rd_allreduce_s(1, M, W, L), 0.0, 0.0);
}

static void test_tree_ring_crossover(void **state)
{
    struct tce_topology t;
    struct tce_costmodel cm;
    struct tce_span s = inside(8);
    enum tce_algo a;
    double W = 200e9, L = 2e-6, small = 1024, big = 1e9, tm, x;
    (void)state;

    topo(&t);
    assert_int_equal(tce_costmodel_init(&cm, &t, TCE_PRECISION_BF16, NULL),
                     0);
    tm = tce_cost_collective_s(&cm, TCE_COLL_ALL_REDUCE, &s, small, &a);
    assert_int_equal(a, TCE_ALGO_RECURSIVE_DOUBLING);
    assert_close(tm, 3 * (L + small / W), 1e-12);
    tm = tce_cost_collective_s(&cm, TCE_COLL_ALL_REDUCE, &s, big, &a);
    assert_int_equal(a, TCE_ALGO_RING);
    assert_close(tm, 14 * L + 2.0 * 7 / 8 * big / W, 1e-12);
    /* crossover: 3(L + M/W) = 14L + 1.75 M/W  ->  M = 11 L W / 1.25 */
    x = 11.0 * L * W / 1.25;
    tce_cost_collective_s(&cm, TCE_COLL_ALL_REDUCE, &s, x * 0.9, &a);
    assert_int_equal(a, TCE_ALGO_RECURSIVE_DOUBLING);
    tce_cost_collective_s(&cm, TCE_COLL_ALL_REDUCE, &s, x * 1.1, &a);
    assert_int_equal(a, TCE_ALGO_RING);
    /* one rank: nothing */
    s = inside(1);
    assert_close(tce_cost_collective_s(&cm, TCE_COLL_ALL_REDUCE, &s, big, &a),
                 0.0, 0.0);
    assert_int_equal(a, TCE_ALGO_NONE);
}

static void test_hierarchical(void **state)
{
    struct tce_topology t;
    struct tce_costmodel cm;
    struct tce_span s;
    enum tce_algo a;
    double M = 1e9, Wu = 200e9, Lu = 2e-6, Lo = 10e-6, Wo, want, flat;
    (void)state;

    topo(&t);
    assert_int_equal(tce_costmodel_init(&cm, &t, TCE_PRECISION_BF16, NULL),
                     0);
    /* 32 ranks, 8 per node on 4 nodes, all 8 ranks of a node use the NICs:
     * 8 x 25 GB/s / 8 = 25 GB/s per rank */
    s = across(32, 8, 8);
    Wo = 25e9;
    want = 2.0 * (7 * Lu + 7.0 / 8 * M / Wu) +
           (6 * Lo + 2.0 * 3 / 4 * (M / 8) / Wo);
    flat = 62 * Lo + 2.0 * 31 / 32 * M / Wo;
    assert_true(want < flat);
    assert_close(tce_cost_collective_s(&cm, TCE_COLL_ALL_REDUCE, &s, M, &a),
                 want, 1e-12);
    assert_int_equal(a, TCE_ALGO_HIERARCHICAL);
    /* all-gather: in-domain + across of M/k */
    want = (7 * Lu + 7.0 / 8 * M / Wu) + (3 * Lo + 3.0 / 4 * (M / 8) / Wo);
    assert_close(tce_cost_collective_s(&cm, TCE_COLL_ALL_GATHER, &s, M, &a),
                 want, 1e-12);
    /* one member per node (a DP group of TP-8 jobs): flat ring on NICs */
    s = across(32, 1, 8);
    assert_close(tce_cost_collective_s(&cm, TCE_COLL_ALL_REDUCE, &s, M, &a),
                 62 * Lo + 2.0 * 31 / 32 * M / Wo, 1e-12);
    assert_int_equal(a, TCE_ALGO_RING);
    /* a single rank per node using the NICs gets them all: 8x faster */
    s = across(32, 1, 1);
    assert_close(tce_cost_collective_s(&cm, TCE_COLL_ALL_REDUCE, &s, M, &a),
                 62 * Lo + 2.0 * 31 / 32 * M / (8 * Wo), 1e-12);
    /* oversubscription 2 and fabric latency */
    s = across(32, 1, 8);
    s.oversubscription = 2.0;
    s.fabric_latency_us = 1.0;
    assert_close(tce_cost_collective_s(&cm, TCE_COLL_ALL_REDUCE, &s, M, &a),
                 62 * (Lo + 1e-6) + 2.0 * 31 / 32 * M / (Wo / 2), 1e-12);
}

static void test_alltoall_p2p(void **state)
{
    struct tce_topology t;
    struct tce_costmodel cm;
    struct tce_span s;
    double M = 1e8, Wu = 200e9, Lu = 2e-6, Lo = 10e-6, Wo = 25e9, in, out;
    (void)state;

    topo(&t);
    assert_int_equal(tce_costmodel_init(&cm, &t, TCE_PRECISION_BF16, NULL),
                     0);
    s = inside(8);
    assert_close(tce_cost_collective_s(&cm, TCE_COLL_ALL_TO_ALL, &s, M, NULL),
                 7 * Lu + 7.0 / 8 * M / Wu, 1e-12);
    /* 16 ranks on 2 nodes: half the data crosses the NICs */
    s = across(16, 8, 8);
    in = 7.0 / 16 * M / Wu;
    out = 8.0 / 16 * M / Wo;
    assert_close(tce_cost_collective_s(&cm, TCE_COLL_ALL_TO_ALL, &s, M, NULL),
                 7 * Lu + 8 * Lo + (in > out ? in : out), 1e-12);
    /* deepep (issue 11): kernels with a measured share of the line rate
     * (50 GB/s per NIC, 8 NICs for 8 ranks) in place of the link's 0.5;
     * inside a node nothing changes */
    out = 8.0 / 16 * M / (50e9 * 0.9);
    assert_close(tce_cost_collective_wire_s(&cm, TCE_COLL_ALL_TO_ALL, &s, M,
                                            0.9, NULL),
                 7 * Lu + 8 * Lo + (in > out ? in : out), 1e-12);
    assert_close(tce_cost_collective_wire_s(&cm, TCE_COLL_ALL_TO_ALL, &s, M,
                                            0.0, NULL),
                 tce_cost_collective_s(&cm, TCE_COLL_ALL_TO_ALL, &s, M, NULL),
                 0.0);
    s = inside(8);
    assert_close(tce_cost_collective_wire_s(&cm, TCE_COLL_ALL_TO_ALL, &s, M,
                                            0.9, NULL),
                 7 * Lu + 7.0 / 8 * M / Wu, 1e-12);
    /* p2p inside and across */
    assert_close(tce_cost_p2p_s(&cm, &s, M), Lu + M / Wu, 1e-12);
    s = across(4, 1, 8);
    assert_close(tce_cost_p2p_s(&cm, &s, M), Lo + M / Wo, 1e-12);
}

static void test_compute(void **state)
{
    struct tce_topology t;
    struct tce_costmodel cm;
    (void)state;

    topo(&t);
    assert_int_equal(tce_costmodel_init(&cm, &t, TCE_PRECISION_BF16, NULL),
                     0);
    /* eff(g) = 0.8 g / (g + 2 GFLOP) */
    assert_close(tce_cost_matmul_efficiency(&cm, 2e9), 0.4, 1e-12);
    assert_close(tce_cost_matmul_efficiency(&cm, 18e9), 0.72, 1e-12);
    /* compute bound: 1e12 FLOP in 18 GFLOP GEMMs at 0.72 x 1e15 */
    assert_close(tce_cost_compute_s(&cm, 1e12, 18e9, 1e6), 1e12 / 0.72e15,
                 1e-12);
    /* memory bound: element-wise 3e9 bytes at 0.5 x 3 TB/s */
    assert_close(tce_cost_compute_s(&cm, 0.0, 0.0, 3e9), 2e-3, 1e-12);
    /* a small GEMM with a lot of traffic is memory bound */
    assert_close(tce_cost_compute_s(&cm, 1e9, 1e9, 3e9), 2e-3, 1e-12);
    /* fp8 doubles the peak */
    assert_int_equal(tce_costmodel_init(&cm, &t, TCE_PRECISION_FP8, NULL), 0);
    assert_close(cm.peak_flops, 2e15, 1e-15);
    /* kern: the fill time is the BF16 curve's: an 18 GFLOP GEMM at the
     * 2e15 FP8 peak reaches the efficiency of a 9 GFLOP one at BF16,
     * 0.8 x 9 / 11; the BF16 path is unchanged */
    assert_close(tce_cost_compute_dtype_s(&cm, 1e12, 18e9, 0.0, 1),
                 1e12 / (2e15 * 0.8 * 9.0 / 11.0), 1e-12);
    assert_close(tce_cost_compute_dtype_s(&cm, 1e12, 18e9, 0.0, 0),
                 1e12 / 0.72e15, 1e-12);
    /* flat curve */
    t.accelerator.matmul_half_gflop = 0.0;
    assert_int_equal(tce_costmodel_init(&cm, &t, TCE_PRECISION_BF16, NULL),
                     0);
    assert_close(tce_cost_matmul_efficiency(&cm, 1e3), 0.8, 1e-15);
    /* missing figures */
    t.scale_up.bandwidth_gbytes_per_s = 0.0;
    assert_int_equal(tce_costmodel_init(&cm, &t, TCE_PRECISION_BF16, NULL),
                     TCE_ECONFIG);
}

static void test_calibration(void **state)
{
    struct tce_topology t;
    struct tce_costmodel cm;
    struct tce_calibration cal;
    struct tce_span s = inside(8);
    double M = 1e9;
    (void)state;

    topo(&t);
    assert_int_equal(tce_costmodel_init(&cm, &t, TCE_PRECISION_BF16, NULL),
                     0);
    memset(&cal, 0, sizeof(cal));
    cal.ranks_per_node = 4;
    cal.n_links = 2;
    cal.links[0].link = TCE_LINK_SCALE_UP;
    cal.links[0].latency_us = 5.0;
    cal.links[0].bandwidth_gbytes_per_s = 100.0;
    cal.links[0].allreduce_efficiency = 0.5;
    cal.links[1].link = TCE_LINK_SCALE_OUT;
    cal.links[1].latency_us = 20.0;
    cal.links[1].bandwidth_gbytes_per_s = 10.0; /* per rank, 4 per node */
    tce_costmodel_calibrate(&cm, &cal);
    assert_true(cm.calibrated);
    /* ring: 14 x 5 us + 1.75 M / (100 GB/s x 0.5) */
    assert_close(tce_cost_collective_s(&cm, TCE_COLL_ALL_REDUCE, &s, M, NULL),
                 14 * 5e-6 + 1.75 * M / 50e9, 1e-12);
    /* all-gather keeps efficiency 1 */
    assert_close(tce_cost_collective_s(&cm, TCE_COLL_ALL_GATHER, &s, M, NULL),
                 7 * 5e-6 + 7.0 / 8 * M / 100e9, 1e-12);
    /* scale-out: node bandwidth 4 x 10 GB/s, shared by 8 ranks */
    s = across(4, 1, 8);
    assert_close(tce_cost_p2p_s(&cm, &s, M), 20e-6 + M / 5e9, 1e-12);
}

/* fitd: fused attention at the accelerator's own efficiency (hand
 * values): peak 1e15 BF16, attention_efficiency 0.5; forward 1e12 FLOPs in
 * 2 ms, backward (2e12 carried, x 1.25) in 5 ms; an accelerator without
 * one keeps the GEMM curve. */
static void test_attention_efficiency(void **state)
{
    struct tce_topology t;
    struct tce_costmodel cm;
    struct tce_op op;
    enum tce_compute_source src;
    (void)state;

    topo(&t);
    t.accelerator.matmul_half_gflop = 0.0;
    t.accelerator.attention_efficiency = 0.5;
    assert_int_equal(tce_costmodel_init(&cm, &t, TCE_PRECISION_BF16, NULL),
                     0);
    memset(&op, 0, sizeof(op));
    op.kind = TCE_OP_COMPUTE;
    op.flags = TCE_OP_F_FUSED_ATTENTION;
    op.flops = 1e12;
    op.gemm_flops = 1e12;
    op.bytes = 1e6;
    assert_close(tce_cost_compute_op_s(&cm, &op, &src), 2e-3, 1e-12);
    assert_int_equal(src, TCE_COMPUTE_CURVE);
    op.flags |= TCE_OP_F_BACKWARD;
    op.flops = 2e12;
    assert_close(tce_cost_compute_op_s(&cm, &op, NULL), 5e-3, 1e-12);
    /* none named: the GEMM curve at 0.8, backward 1.25 x */
    t.accelerator.attention_efficiency = 0.0;
    assert_int_equal(tce_costmodel_init(&cm, &t, TCE_PRECISION_BF16, NULL),
                     0);
    assert_close(tce_cost_compute_op_s(&cm, &op, NULL), 2.5e12 / 0.8e15,
                 1e-12);
    assert_close(tce_cost_attention_s(&cm, &op, 0), 0.0, 0.0);
    /* the size curve: a 2 GFLOP call at half 2 GFLOP reaches half of 0.5 */
    t.accelerator.attention_efficiency = 0.5;
    t.accelerator.matmul_half_gflop = 2.0;
    assert_int_equal(tce_costmodel_init(&cm, &t, TCE_PRECISION_BF16, NULL),
                     0);
    op.flags = TCE_OP_F_FUSED_ATTENTION;
    op.flops = 2e9;
    op.gemm_flops = 2e9;
    assert_close(tce_cost_attention_s(&cm, &op, 0), 2e9 / 0.25e15, 1e-12);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_closed_forms),
        cmocka_unit_test(test_tree_ring_crossover),
        cmocka_unit_test(test_hierarchical),
        cmocka_unit_test(test_alltoall_p2p),
        cmocka_unit_test(test_compute),
        cmocka_unit_test(test_attention_efficiency),
        cmocka_unit_test(test_calibration),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
