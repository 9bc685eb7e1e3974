/* test_gemmshape.c - a GEMM shape's fraction of the large GEMMs' rate, carried from
 * another accelerator's table (gemmshape.h): the large GEMMs' median BF16
 * rate; an exact row's fraction per pass and a backward op's harmonic
 * mean; a dimension past the rows taken at the largest measured; shapes
 * below the rows and shapeless ops give 0; a row off its neighbours by more than
 * the outlier factor is not carried (the plain lookup returns it); FP8
 * losses grow with the peak ratio; the cost model runs a covered pass at
 * matmul_efficiency x the fraction in place of the size term, and leaves
 * an uncovered one on the curve. */
#include <string.h>

#include "tce_fixtures.h"
#include "tce_test.h"

#include "tcemu/config.h"
#include "tcemu/costmodel.h"
#include "tcemu/gemmshape.h"

static double gf(double m, double n, double k)
{
    return 2.0 * m * n * k;
}

/* one row whose passes ran at the given TFLOP/s (0: not timed) */
static void row(struct tce_computetable *t, int64_t m, int64_t n, int64_t k,
                enum tce_dtype dt, double fwd, double dgrad, double wgrad)
{
    struct tce_computetable_gemm g;
    double f = gf((double)m, (double)n, (double)k);

    memset(&g, 0, sizeof(g));
    g.m = m;
    g.n = n;
    g.k = k;
    g.dtype = dt;
    g.fwd_s = fwd > 0 ? f / (fwd * 1e12) : 0.0;
    g.dgrad_s = dgrad > 0 ? f / (dgrad * 1e12) : 0.0;
    g.wgrad_s = wgrad > 0 ? f / (wgrad * 1e12) : 0.0;
    assert_int_equal(tce_computetable_add_gemm(t, &g, NULL), 0);
}

static void reference(struct tce_computetable *t)
{
    tce_computetable_init(t);
    row(t, 4096, 4096, 4096, TCE_DTYPE_BF16, 800, 760, 720);
    row(t, 4096, 4096, 4096, TCE_DTYPE_FP8, 1600, 0, 0); /* not BF16 */
    row(t, 2048, 4096, 4096, TCE_DTYPE_BF16, 720, 700, 660);
    row(t, 1024, 4096, 4096, TCE_DTYPE_BF16, 600, 620, 580);
    row(t, 1024, 2048, 4096, TCE_DTYPE_BF16, 560, 540, 500);
    row(t, 2048, 2048, 4096, TCE_DTYPE_BF16, 150, 680, 640); /* fwd off */
    row(t, 4096, 2048, 4096, TCE_DTYPE_BF16, 760, 720, 700);
}

static void gemm_op(struct tce_op *op, int64_t m, int64_t n, int64_t k,
                    unsigned flags)
{
    memset(op, 0, sizeof(*op));
    op->kind = TCE_OP_COMPUTE;
    op->count = 1;
    op->gemm_m = m;
    op->gemm_n = n;
    op->gemm_k = k;
    op->flops = gf((double)m, (double)n, (double)k);
    op->gemm_flops = op->flops;
    op->bytes = 1.0;
    op->flags = flags;
}

static void test_fraction(void **state)
{
    struct tce_computetable t;
    struct tce_op op;
    struct tce_gemmshape g, none;

    (void)state;
    reference(&t);
    /* the median forward rate of the BF16 rows of at least that size:
     * all six (150 560 600 720 760 800), or only the 4096 cube */
    assert_close(tce_computetable_large_rate(&t, 0.0), 660e12, 1e3);
    tce_gemmshape_init(&g, &t, gf(4096, 4096, 4096));
    assert_close(g.large, 800e12, 1e3);
    assert_true(g.max[TCE_GEMM_FWD][0] == 4096 &&
                g.max[TCE_GEMM_FWD][1] == 4096 &&
                g.max[TCE_GEMM_FWD][2] == 4096);
    gemm_op(&op, 1024, 4096, 4096, 0);
    assert_close(tce_gemmshape_fraction(&t, &g, &op, TCE_GEMM_FWD), 0.75,
                 1e-12);
    assert_close(tce_gemmshape_fraction(&t, &g, &op, TCE_GEMM_DGRAD),
                 620.0 / 800.0, 1e-12);
    assert_close(tce_gemmshape_op_fraction(&t, &g, &op), 0.75, 1e-12);
    op.flags = TCE_OP_F_BACKWARD; /* dgrad and wgrad: times add */
    assert_close(tce_gemmshape_op_fraction(&t, &g, &op),
                 2.0 / (800.0 / 620.0 + 800.0 / 580.0), 1e-12);
    /* past the rows' largest m: the largest measured shape's fraction */
    gemm_op(&op, 1 << 20, 4096, 4096, 0);
    assert_close(tce_gemmshape_fraction(&t, &g, &op, TCE_GEMM_FWD), 1.0,
                 1e-12);
    gemm_op(&op, 1 << 20, 4096, 2048, 0); /* k below the rows: the curve */
    assert_close(tce_gemmshape_fraction(&t, &g, &op, TCE_GEMM_FWD), 0.0,
                 0.0);
    /* below the rows, no shape, no reference rate: the curve */
    gemm_op(&op, 64, 4096, 4096, 0);
    assert_close(tce_gemmshape_fraction(&t, &g, &op, TCE_GEMM_FWD), 0.0,
                 0.0);
    gemm_op(&op, 0, 4096, 4096, 0);
    assert_close(tce_gemmshape_op_fraction(&t, &g, &op), 0.0, 0.0);
    gemm_op(&op, 1024, 4096, 4096, 0);
    none = g;
    none.large = 0.0;
    assert_close(tce_gemmshape_fraction(&t, &none, &op, TCE_GEMM_FWD), 0.0,
                 0.0);
}

static void test_outlier_not_carried(void **state)
{
    struct tce_computetable t;
    struct tce_op op;
    enum tce_table_how how;
    struct tce_gemmshape g;
    double f = gf(2048, 2048, 4096), own, carried, fr;

    (void)state;
    reference(&t);
    own = tce_computetable_gemm_s(&t, 2048, 2048, 4096, TCE_DTYPE_BF16,
                                  TCE_GEMM_FWD, &how);
    assert_int_equal(how, TCE_TABLE_EXACT);
    assert_close(f / own, 150e12, 1e3);
    carried = tce_computetable_gemm_carried_s(&t, 2048, 2048, 4096,
                                              TCE_DTYPE_BF16, TCE_GEMM_FWD,
                                              &how);
    assert_int_equal(how, TCE_TABLE_INTERPOLATED);
    assert_true(f / carried > 560e12 && f / carried < 800e12);
    /* a row in line with its neighbours is carried exactly */
    carried = tce_computetable_gemm_carried_s(&t, 2048, 2048, 4096,
                                              TCE_DTYPE_BF16, TCE_GEMM_DGRAD,
                                              &how);
    assert_int_equal(how, TCE_TABLE_EXACT);
    assert_close(f / carried, 680e12, 1e3);
    gemm_op(&op, 2048, 2048, 4096, 0);
    tce_gemmshape_init(&g, &t, gf(4096, 4096, 4096)); /* 800 */
    fr = tce_gemmshape_fraction(&t, &g, &op, TCE_GEMM_FWD);
    assert_true(fr > 560.0 / 800.0 && fr < 1.0);
    /* no other shape near (the shape measured twice, nothing else): its
     * own rows, never an empty interpolation */
    tce_computetable_init(&t);
    row(&t, 2048, 2048, 4096, TCE_DTYPE_BF16, 100, 0, 0);
    row(&t, 2048, 2048, 4096, TCE_DTYPE_BF16, 10000, 0, 0);
    carried = tce_computetable_gemm_carried_s(&t, 2048, 2048, 4096,
                                              TCE_DTYPE_BF16, TCE_GEMM_FWD,
                                              &how);
    assert_int_equal(how, TCE_TABLE_EXACT);
    assert_close(carried, 0.5 * (f / 100e12 + f / 10000e12), 1e-12);
}

static void test_at_peak(void **state)
{
    (void)state;
    assert_close(tce_gemmshape_at_peak(1.0, 2.0), 1.0, 1e-15);
    assert_close(tce_gemmshape_at_peak(0.5, 1.0), 0.5, 1e-15);
    assert_close(tce_gemmshape_at_peak(0.5, 2.0), 1.0 / 3.0, 1e-15);
    assert_close(tce_gemmshape_at_peak(0.0, 2.0), 0.0, 0.0);
}

static void test_costmodel(void **state)
{
    struct tce_topology t;
    struct tce_costmodel cm;
    struct tce_op op;
    double f = gf(1024, 4096, 4096), curve, g;

    (void)state;
    fx_roofline_topo(&t, 1000.0, 2000.0, 3000.0, 0.8, 0.5);
    t.accelerator.matmul_half_gflop = 1.0;
    assert_int_equal(tce_costmodel_init(&cm, &t, TCE_PRECISION_BF16, NULL),
                     0);
    gemm_op(&op, 1024, 4096, 4096, 0);
    g = f / 1e9;
    curve = f / (1e15 * 0.8 * g / (g + 1.0));
    assert_close(tce_cost_compute_op_s(&cm, &op, NULL), curve, 1e-15);
    /* with the reference: matmul_efficiency x 0.75 (its large GEMMs, of
     * at least 100 x matmul_half_gflop: the 4096 cube's 800), no size
     * term */
    reference(&t.shape_reference);
    assert_int_equal(tce_costmodel_init(&cm, &t, TCE_PRECISION_BF16, NULL),
                     0);
    assert_close(tce_cost_compute_op_s(&cm, &op, NULL),
                 f / (1e15 * 0.8 * 0.75), 1e-15);
    /* an FP8 linear: the FP8 peak, the losses twice the share:
     * 1 / (1 + 2 x (1 / 0.75 - 1)) = 0.6 */
    op.flags = TCE_OP_F_FP8;
    assert_close(tce_cost_compute_op_s(&cm, &op, NULL),
                 f / (2e15 * 0.8 * 0.6), 1e-15);
    /* a shape the reference does not cover: the curve as before */
    gemm_op(&op, 64, 4096, 4096, 0);
    g = op.flops / 1e9;
    assert_close(tce_cost_compute_op_s(&cm, &op, NULL),
                 op.flops / (1e15 * 0.8 * g / (g + 1.0)), 1e-12);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fraction),
        cmocka_unit_test(test_outlier_not_carried),
        cmocka_unit_test(test_at_peak),
        cmocka_unit_test(test_costmodel),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
