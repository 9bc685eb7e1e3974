/* test_gemmcost.c - the FP8 recipe's GEMM rate (gemmcost.h): 1 for BF16,
 * tensorwise and unmarked ops, the accelerator's mxfp8_gemm_efficiency for
 * MXFP8 linears, out-of-range values ignored; the cost model runs an MXFP8
 * linear's FLOPs at that rate and leaves its memory time alone; a cast's
 * transposed copies dropped where the FP8 GEMM takes any layout. */
#include <string.h>

#include "tce_fixtures.h"
#include "tce_test.h"

#include "tcemu/config.h"
#include "tcemu/costmodel.h"
#include "tcemu/gemmcost.h"

static void test_rate(void **state)
{
    struct tce_op op;

    (void)state;
    memset(&op, 0, sizeof(op));
    assert_close(tce_gemmcost_recipe_rate(&op, 0.951), 1.0, 0.0);
    op.flags = TCE_OP_F_FP8; /* tensorwise, delayed */
    assert_close(tce_gemmcost_recipe_rate(&op, 0.951), 1.0, 0.0);
    op.flags = TCE_OP_F_MXFP8; /* not an FP8 linear */
    assert_close(tce_gemmcost_recipe_rate(&op, 0.951), 1.0, 0.0);
    op.flags = TCE_OP_F_FP8 | TCE_OP_F_MXFP8;
    assert_close(tce_gemmcost_recipe_rate(&op, 0.951), 0.951, 1e-15);
    /* the B300 measurement it comes from: 6.812 / 7.161 ms per layer */
    assert_close(6.812 / 7.161, 0.951, 1e-3);
    /* unset or out of range: the tensorwise rate */
    assert_close(tce_gemmcost_recipe_rate(&op, 0.0), 1.0, 0.0);
    assert_close(tce_gemmcost_recipe_rate(&op, -0.5), 1.0, 0.0);
    assert_close(tce_gemmcost_recipe_rate(&op, 1.5), 1.0, 0.0);
}

static void test_cast_bytes(void **state)
{
    struct tce_op op;

    (void)state;
    memset(&op, 0, sizeof(op));
    op.bytes = 600.0;
    op.fp8_t_share = 100.0 / 600.0; /* 6 B a value, 1 of them transposed */
    assert_close(tce_gemmcost_cast_bytes(&op, 0), 600.0, 0.0);
    assert_close(tce_gemmcost_cast_bytes(&op, 1), 500.0, 1e-12);
    op.fp8_t_share = 0.0; /* MXFP8, other ops */
    assert_close(tce_gemmcost_cast_bytes(&op, 1), 600.0, 0.0);
    op.fp8_t_share = 1.5; /* nonsense: ignored */
    assert_close(tce_gemmcost_cast_bytes(&op, 1), 600.0, 0.0);
}

static void test_costmodel(void **state)
{
    struct tce_topology t;
    struct tce_costmodel cm;
    struct tce_op op;
    double tw, mx;

    (void)state;
    fx_roofline_topo(&t, 1000.0, 2000.0, 3000.0, 0.8, 0.5);
    t.accelerator.mxfp8_gemm_efficiency = 0.95;
    assert_int_equal(tce_costmodel_init(&cm, &t, TCE_PRECISION_FP8, NULL), 0);
    memset(&op, 0, sizeof(op));
    op.kind = TCE_OP_COMPUTE;
    op.count = 1;
    op.flops = 1e12;
    op.gemm_flops = 1e12;
    op.bytes = 1e6;
    op.gemm_m = op.gemm_n = op.gemm_k = 8192;
    op.flags = TCE_OP_F_FP8;
    tw = tce_cost_compute_op_s(&cm, &op, NULL);
    assert_close(tw, 1e12 / (2e15 * 0.8), 1e-12);
    op.flags |= TCE_OP_F_MXFP8;
    mx = tce_cost_compute_op_s(&cm, &op, NULL);
    assert_close(mx, tw / 0.95, 1e-12);
    /* memory-bound: the same operand bytes, the same time */
    op.flops = 1e6;
    op.gemm_flops = 1e6;
    op.bytes = 3e9;
    assert_close(tce_cost_compute_op_s(&cm, &op, NULL), 2e-3, 1e-12);
    /* an accelerator without the key: the tensorwise rate */
    t.accelerator.mxfp8_gemm_efficiency = 0.0;
    assert_int_equal(tce_costmodel_init(&cm, &t, TCE_PRECISION_FP8, NULL), 0);
    op.flops = 1e12;
    op.gemm_flops = 1e12;
    op.bytes = 1e6;
    assert_close(tce_cost_compute_op_s(&cm, &op, NULL), tw, 1e-12);
    /* an fp8_cast: 3e9 bytes, a third of them transposed copies, at
     * 0.5 x 3 TB/s: 2 ms on a TN-only FP8 GEMM, 4/3 ms with any layout */
    memset(&op, 0, sizeof(op));
    op.kind = TCE_OP_COMPUTE;
    op.count = 1;
    op.bytes = 3e9;
    op.fp8_t_share = 1.0 / 3.0;
    assert_close(tce_cost_compute_op_s(&cm, &op, NULL), 2e-3, 1e-12);
    t.accelerator.fp8_gemm_any_layout = 1;
    assert_int_equal(tce_costmodel_init(&cm, &t, TCE_PRECISION_FP8, NULL), 0);
    assert_close(tce_cost_compute_op_s(&cm, &op, NULL), 2e-3 * 2.0 / 3.0,
                 1e-12);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rate),
        cmocka_unit_test(test_cast_bytes),
        cmocka_unit_test(test_costmodel),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
