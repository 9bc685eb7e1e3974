/* test_linkcal.c - measured collective patterns (linkcal.h): closed forms
 * against hand values, regimes, the entry rule, the lookup (exact, by
 * concurrency, none), the cost model pricing an op from an entry and
 * falling back without one, the plan coverage sentence, and the three-regime
 * fit (calibfit.h) recovering a bent line, and an entry's measured
 * points pricing the sizes between them. */
#include "tce_test.h"

#include <stdlib.h>
#include <string.h>

#include "tcemu/calibfit.h"
#include "tcemu/costmodel.h"
#include "tcemu/linkcal.h"

static struct tce_calibration_coll entry(enum tce_coll kind,
                                         enum tce_link_class span, int64_t n,
                                         int64_t m, int64_t k)
{
    struct tce_calibration_coll e;

    memset(&e, 0, sizeof(e));
    e.kind = (int)kind;
    e.span = span;
    e.group_ranks = n;
    e.ranks_per_node = m;
    e.concurrency = k;
    e.medium_from_bytes = 4096;
    e.large_from_bytes = 1 << 20;
    e.small_latency_us = 10.0;
    e.small_bandwidth_gbytes_per_s = 0.5;
    e.medium_latency_us = 20.0;
    e.medium_bandwidth_gbytes_per_s = 1.0;
    e.large_latency_us = 100.0;
    e.large_bandwidth_gbytes_per_s = 2.0;
    return e;
}

static void test_closed_forms(void **state)
{
    (void)state;
    assert_close(tce_linkcal_steps(TCE_COLL_ALL_REDUCE, 4), 6.0, 0);
    assert_close(tce_linkcal_steps(TCE_COLL_ALL_GATHER, 4), 3.0, 0);
    assert_close(tce_linkcal_steps(TCE_COLL_ALL_TO_ALL, 8), 7.0, 0);
    assert_close(tce_linkcal_steps(TCE_COLL_SENDRECV, 8), 1.0, 0);
    assert_close(tce_linkcal_steps(TCE_COLL_ALL_REDUCE, 1), 0.0, 0);
    /* inside a node: nccl-tests' bus factors */
    assert_close(tce_linkcal_load(TCE_COLL_ALL_REDUCE, TCE_LINK_SCALE_UP, 4,
                                  4),
                 1.5, 1e-12);
    assert_close(tce_linkcal_load(TCE_COLL_ALL_TO_ALL, TCE_LINK_SCALE_UP, 4,
                                  4),
                 0.75, 1e-12);
    /* across nodes: a ring leaves each node once per step, whatever m */
    assert_close(tce_linkcal_load(TCE_COLL_ALL_REDUCE, TCE_LINK_SCALE_OUT, 8,
                                  2),
                 1.75, 1e-12);
    assert_close(tce_linkcal_load(TCE_COLL_REDUCE_SCATTER,
                                  TCE_LINK_SCALE_OUT, 4, 1),
                 0.75, 1e-12);
    /* all-to-all across nodes: every member's outside part, m (n-m)/n */
    assert_close(tce_linkcal_load(TCE_COLL_ALL_TO_ALL, TCE_LINK_SCALE_OUT, 4,
                                  2),
                 1.0, 1e-12);
    assert_close(tce_linkcal_load(TCE_COLL_ALL_TO_ALL, TCE_LINK_SCALE_OUT, 8,
                                  2),
                 1.5, 1e-12);
    assert_close(tce_linkcal_load(TCE_COLL_ALL_TO_ALL, TCE_LINK_SCALE_OUT, 8,
                                  1),
                 0.875, 1e-12);
    assert_close(tce_linkcal_load(TCE_COLL_SENDRECV, TCE_LINK_SCALE_OUT, 2,
                                  1),
                 1.0, 0);
}

static void test_regimes(void **state)
{
    struct tce_calibration_coll e =
        entry(TCE_COLL_ALL_REDUCE, TCE_LINK_SCALE_OUT, 2, 1, 2);
    double n = 4, m = 1, b;
    (void)state;

    assert_int_equal(tce_linkcal_regime_of(&e, 100), TCE_LINKCAL_SMALL);
    assert_int_equal(tce_linkcal_regime_of(&e, 4096), TCE_LINKCAL_MEDIUM);
    assert_int_equal(tce_linkcal_regime_of(&e, 1 << 20), TCE_LINKCAL_LARGE);
    /* t = 2(n-1) L + 2(n-1)/n M / W per regime, by hand */
    b = 1000;
    assert_close(tce_linkcal_time_s(&e, n, m, b), 6 * 10e-6 + 1.5 * b / 0.5e9,
                 1e-12);
    b = 65536;
    assert_close(tce_linkcal_time_s(&e, n, m, b), 6 * 20e-6 + 1.5 * b / 1e9,
                 1e-12);
    b = 16e6;
    assert_close(tce_linkcal_time_s(&e, n, m, b), 6 * 100e-6 + 1.5 * b / 2e9,
                 1e-12);
    assert_close(tce_linkcal_time_s(&e, 1, m, b), 0.0, 0);
    assert_close(tce_linkcal_time_s(&e, n, m, 0), 0.0, 0);
    assert_string_equal(tce_linkcal_regime_name(TCE_LINKCAL_MEDIUM), "medium");
    assert_string_equal(tce_linkcal_match_name(TCE_LINKCAL_SHAPE), "shape");
}

static void test_check(void **state)
{
    struct tce_calibration_coll e;
    struct tce_error err;
    (void)state;

    e = entry(TCE_COLL_ALL_REDUCE, TCE_LINK_SCALE_OUT, 4, 2, 1);
    assert_int_equal(tce_linkcal_check(&e, &err), 0);
    e = entry(TCE_COLL_ALL_REDUCE, TCE_LINK_SCALE_OUT, 4, 4, 1);
    assert_int_equal(tce_linkcal_check(&e, &err), TCE_ECONFIG);
    assert_non_null(strstr(err.msg, "spans nodes"));
    e = entry(TCE_COLL_ALL_REDUCE, TCE_LINK_SCALE_UP, 4, 2, 1);
    assert_int_equal(tce_linkcal_check(&e, &err), TCE_ECONFIG);
    assert_non_null(strstr(err.msg, "one node"));
    e = entry(TCE_COLL_ALL_REDUCE, TCE_LINK_SCALE_OUT, 6, 4, 1);
    assert_int_equal(tce_linkcal_check(&e, &err), TCE_ECONFIG);
    assert_non_null(strstr(err.msg, "must divide"));
    e = entry(TCE_COLL_ALL_REDUCE, TCE_LINK_SCALE_OUT, 4, 2, 1);
    e.medium_from_bytes = e.large_from_bytes + 1;
    assert_int_equal(tce_linkcal_check(&e, &err), TCE_ECONFIG);
    assert_non_null(strstr(err.msg, "medium_from_bytes"));
    e = entry(TCE_COLL_BROADCAST, TCE_LINK_SCALE_OUT, 4, 2, 1);
    assert_int_equal(tce_linkcal_check(&e, &err), TCE_ECONFIG);
}

static struct tce_calibration *two_host_calibration(void)
{
    struct tce_calibration *cal = calloc(1, sizeof(*cal));

    assert_non_null(cal);
    cal->colls[cal->n_colls++] =
        entry(TCE_COLL_ALL_REDUCE, TCE_LINK_SCALE_OUT, 2, 1, 2);
    cal->colls[cal->n_colls++] =
        entry(TCE_COLL_ALL_REDUCE, TCE_LINK_SCALE_OUT, 4, 2, 1);
    cal->colls[cal->n_colls++] =
        entry(TCE_COLL_ALL_TO_ALL, TCE_LINK_SCALE_OUT, 4, 2, 1);
    cal->colls[cal->n_colls++] =
        entry(TCE_COLL_ALL_GATHER, TCE_LINK_SCALE_UP, 2, 2, 1);
    return cal;
}

static void test_find(void **state)
{
    struct tce_calibration *cal = two_host_calibration();
    struct tce_linkcal *lc = malloc(sizeof(*lc));
    const struct tce_calibration_coll *e;
    enum tce_linkcal_match how;
    (void)state;

    assert_non_null(lc);
    tce_linkcal_init(lc, cal);
    assert_int_equal(lc->n, 4);
    e = tce_linkcal_find(lc, TCE_COLL_ALL_REDUCE, TCE_LINK_SCALE_OUT, 1, 2,
                         &how);
    assert_int_equal(how, TCE_LINKCAL_EXACT);
    assert_int_equal(e->group_ranks, 2);
    e = tce_linkcal_find(lc, TCE_COLL_ALL_REDUCE, TCE_LINK_SCALE_OUT, 2, 1,
                         &how);
    assert_int_equal(how, TCE_LINKCAL_EXACT);
    assert_int_equal(e->group_ranks, 4);
    /* 4 per node, 1 group: the concurrency-1 entry, another shape */
    e = tce_linkcal_find(lc, TCE_COLL_ALL_TO_ALL, TCE_LINK_SCALE_OUT, 4, 1,
                         &how);
    assert_int_equal(how, TCE_LINKCAL_SHAPE);
    assert_int_equal(e->ranks_per_node, 2);
    /* no entry of that concurrency, kind or span */
    assert_null(tce_linkcal_find(lc, TCE_COLL_ALL_TO_ALL, TCE_LINK_SCALE_OUT,
                                 1, 2, &how));
    assert_int_equal(how, TCE_LINKCAL_NONE);
    assert_null(tce_linkcal_find(lc, TCE_COLL_REDUCE_SCATTER,
                                 TCE_LINK_SCALE_UP, 2, 1, &how));
    assert_null(tce_linkcal_find(lc, TCE_COLL_ALL_REDUCE, TCE_LINK_FABRIC, 1,
                                 2, &how));
    tce_linkcal_init(lc, NULL);
    assert_int_equal(lc->n, 0);
    free(lc);
    free(cal);
}

static void topo(struct tce_topology *t)
{
    tce_topology_defaults(t);
    strcpy(t->path, "test");
    t->accelerator.bf16_tflops = 1.0;
    t->accelerator.hbm_gbytes_per_s = 3.0;
    t->node.accelerators = 2;
    t->scale_up.domain_accelerators = 2;
    t->scale_up.bandwidth_gbytes_per_s = 2.0;
    t->scale_up.latency_us = 10.0;
    t->scale_out.nics_per_node = 1;
    t->scale_out.nic_bandwidth_gbit_per_s = 0.5;
    t->scale_out.latency_us = 50.0;
}

/* A DP group of 4 with one member per node, 2 groups per node. */
static struct tce_span dp_span(void)
{
    struct tce_span s;

    memset(&s, 0, sizeof(s));
    s.size = 4;
    s.stride = 2;
    s.ranks_per_node = 1;
    s.nodes = 4;
    s.node_range = 4;
    s.domains = 4;
    s.leaves_node = 1;
    s.leaves_domain = 1;
    s.tier = 0;
    s.groups_per_node = 2;
    s.nic_ranks = 2;
    s.oversubscription = 1.0;
    return s;
}

static void test_costmodel(void **state)
{
    struct tce_calibration *cal = two_host_calibration();
    struct tce_costmodel *cm = malloc(sizeof(*cm)), *plain = malloc(sizeof(*cm));
    struct tce_span s = dp_span();
    struct tce_error err;
    enum tce_linkcal_match how;
    enum tce_algo algo;
    double b = 16e6, t0, t;
    (void)state;

    assert_non_null(cm);
    assert_non_null(plain);
    {
        struct tce_topology *tp = calloc(1, sizeof(*tp));

        assert_non_null(tp);
        topo(tp);
        assert_int_equal(tce_costmodel_init(cm, tp, TCE_PRECISION_BF16, &err),
                         0);
        assert_int_equal(
            tce_costmodel_init(plain, tp, TCE_PRECISION_BF16, &err), 0);
        free(tp);
    }
    t0 = tce_cost_collective_s(plain, TCE_COLL_ALL_REDUCE, &s, b, &algo);
    assert_true(algo != TCE_ALGO_MEASURED);
    assert_true(t0 > 0);
    tce_costmodel_calibrate(cm, cal);
    assert_int_equal(cm->linkcal.n, 4);
    assert_non_null(tce_cost_linkcal_find(cm, TCE_COLL_ALL_REDUCE, &s, &how));
    assert_int_equal(how, TCE_LINKCAL_EXACT);
    t = tce_cost_collective_s(cm, TCE_COLL_ALL_REDUCE, &s, b, &algo);
    assert_int_equal(algo, TCE_ALGO_MEASURED);
    assert_string_equal(tce_algo_name(algo), "measured");
    assert_close(t, 6 * 100e-6 + 1.5 * b / 2e9, 1e-12);
    /* all-to-all with one member per node, 2 groups: no entry, fallback */
    t = tce_cost_collective_s(cm, TCE_COLL_ALL_TO_ALL, &s, b, &algo);
    assert_int_equal(algo, TCE_ALGO_PAIRWISE);
    assert_null(tce_cost_linkcal_find(cm, TCE_COLL_ALL_TO_ALL, &s, &how));
    assert_int_equal(how, TCE_LINKCAL_NONE);
    free(cm);
    free(plain);
    free(cal);
}

static void test_cover_text(void **state)
{
    struct tce_cost_linkcal_cover c;
    char buf[400];
    (void)state;

    memset(&c, 0, sizeof(c));
    tce_cost_linkcal_cover_text(&c, buf, sizeof(buf));
    assert_string_equal(buf, "");
    c.entries = 9;
    c.exact = 3;
    c.shape = 1;
    c.none = 2;
    strcpy(c.none_what, "all_to_all ep (scale_out, 1 per node, 2 group(s) "
                        "per node)");
    tce_cost_linkcal_cover_text(&c, buf, sizeof(buf));
    assert_non_null(strstr(buf, "9 measured patterns"));
    assert_non_null(strstr(buf, "3 exactly, 1 by concurrency"));
    assert_non_null(strstr(buf, "2 not (link class figures); first: "
                                "all_to_all ep"));
    assert_null(strstr(buf, "outside"));
    c.outside = 1;
    strcpy(c.outside_what, "all_reduce dp 10.1M bytes, measured 1.02k to 2.10M");
    tce_cost_linkcal_cover_text(&c, buf, sizeof(buf));
    assert_non_null(strstr(buf, "; 1 outside the sizes measured (the "
                                "nearest regime's line extrapolated; first: "
                                "all_reduce dp 10.1M bytes, measured 1.02k "
                                "to 2.10M)"));
}

/* The sizes an entry was measured at: outside them the line is
 * extrapolated, and said so; files without them say nothing. */
static void test_outside(void **state)
{
    struct tce_calibration_coll e;
    struct tce_error err;
    (void)state;

    memset(&e, 0, sizeof(e));
    assert_int_equal(tce_linkcal_outside(&e, 1e12), 0); /* not recorded */
    e.min_bytes = 1024;
    e.max_bytes = 2 << 20;
    assert_int_equal(tce_linkcal_outside(&e, 1024), 0);
    assert_int_equal(tce_linkcal_outside(&e, 2 << 20), 0);
    assert_int_equal(tce_linkcal_outside(&e, (2 << 20) + 1), 1);
    assert_int_equal(tce_linkcal_outside(&e, 1023), -1);
    /* the check: min above max is refused */
    e.kind = TCE_COLL_ALL_REDUCE;
    e.span = TCE_LINK_SCALE_OUT;
    e.group_ranks = 4;
    e.ranks_per_node = 2;
    e.concurrency = 1;
    e.medium_from_bytes = 8192;
    e.large_from_bytes = 1 << 20;
    assert_int_equal(tce_linkcal_check(&e, &err), 0);
    e.min_bytes = e.max_bytes + 1;
    assert_int_equal(tce_linkcal_check(&e, &err), TCE_ECONFIG);
    assert_non_null(strstr(err.msg, "min_bytes"));
}

/* A line that bends twice: latency-bound, then a slow medium regime, then
 * a fast large one; the fit finds the two knees and each regime's line. */
static void test_pieces(void **state)
{
    double x[12], t[12];
    struct tce_calibfit_pieces p;
    struct tce_error err;
    int i;
    (void)state;

    for (i = 0; i < 12; i++) {
        x[i] = 2048.0 * (double)(1 << i); /* 2 KiB .. 4 MiB */
        if (x[i] < 16384)
            t[i] = 50e-6 + x[i] / 1e9;
        else if (x[i] < 524288)
            t[i] = 200e-6 + x[i] / 0.2e9;
        else
            t[i] = 1000e-6 + x[i] / 0.4e9;
    }
    assert_int_equal(tce_calibfit_pieces(x, t, 12, &p, &err), 0);
    assert_close(p.medium_from_bytes, 16384, 0);
    assert_close(p.large_from_bytes, 524288, 0);
    assert_close(p.line[0].latency_s, 50e-6, 1e-6);
    assert_close(p.line[1].latency_s, 200e-6, 1e-6);
    assert_close(p.line[2].latency_s, 1000e-6, 1e-6);
    assert_close(tce_calibfit_bandwidth_gbytes_per_s(&p.line[2]), 0.4, 1e-6);
    assert_true(p.rms_rel_error < 1e-6);
    assert_int_equal(p.points, 12);
    assert_close(p.min_bytes, 2048, 0);
    assert_close(p.max_bytes, 2048.0 * (1 << 11), 0);
    /* fewer than 6 sizes: one line for all three */
    assert_int_equal(tce_calibfit_pieces(x + 6, t + 6, 5, &p, &err), 0);
    assert_close(p.line[0].seconds_per_byte, p.line[2].seconds_per_byte, 0);
    assert_close(p.medium_from_bytes, x[6], 0);
    /* bad input is refused as tce_calibfit_line refuses it */
    t[3] = -1;
    assert_int_equal(tce_calibfit_pieces(x, t, 12, &p, &err), TCE_EUSAGE);
}

/* Measured points: between two, the interpolated time (the measured
 * shape), carried to another shape by the closed forms' ratio; outside
 * them, and without them, the regime lines; the rule on the arrays. */
static void test_points(void **state)
{
    struct tce_calibration_coll e =
        entry(TCE_COLL_ALL_TO_ALL, TCE_LINK_SCALE_OUT, 4, 2, 1);
    struct tce_calibration_coll bare = e;
    struct tce_error err;
    double line4, line8, at;

    (void)state;
    e.point_bytes[0] = 262144.0;
    e.point_bytes[1] = 524288.0;
    e.point_bytes[2] = 1048576.0;
    e.point_us[0] = 22000.0;
    e.point_us[1] = 46000.0;
    e.point_us[2] = 100000.0;
    e.n_point_bytes = e.n_point_us = 3;
    /* at a point: the point, whatever the lines say */
    assert_close(tce_linkcal_time_s(&e, 4, 2, 524288.0), 0.046, 1e-12);
    assert_close(tce_linkcal_point_s(&e, 262144.0), 0.022, 1e-12);
    /* between two: linear in size */
    assert_close(tce_linkcal_point_s(&e, 786432.0), 0.073, 1e-12);
    /* another shape: the point times the lines' ratio */
    line4 = tce_linkcal_time_s(&bare, 4, 2, 524288.0);
    line8 = tce_linkcal_time_s(&bare, 8, 2, 524288.0);
    at = tce_linkcal_time_s(&e, 8, 2, 524288.0);
    assert_close(at, 0.046 * line8 / line4, 1e-12);
    /* outside the points, and without points: the lines */
    assert_close(tce_linkcal_point_s(&e, 131072.0), 0.0, 0);
    assert_close(tce_linkcal_time_s(&e, 4, 2, 2097152.0),
                 tce_linkcal_time_s(&bare, 4, 2, 2097152.0), 1e-15);
    assert_close(tce_linkcal_point_s(&bare, 524288.0), 0.0, 0);
    /* the rule: one time per size, sizes increasing */
    assert_int_equal(tce_linkcal_check(&e, &err), 0);
    e.n_point_us = 2;
    assert_int_equal(tce_linkcal_check(&e, &err), TCE_ECONFIG);
    assert_non_null(strstr(err.msg, "one time per size"));
    e.n_point_us = 3;
    e.point_bytes[2] = 524288.0;
    assert_int_equal(tce_linkcal_check(&e, &err), TCE_ECONFIG);
    assert_non_null(strstr(err.msg, "must increase"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_closed_forms), cmocka_unit_test(test_regimes),
        cmocka_unit_test(test_check),        cmocka_unit_test(test_find),
        cmocka_unit_test(test_costmodel),    cmocka_unit_test(test_cover_text),
        cmocka_unit_test(test_pieces),       cmocka_unit_test(test_outside),
        cmocka_unit_test(test_points),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
