/* test_attncost.c - fused attention's tensor and exponential pipes: the
 * tensor pipe alone without an SFU rate, max + serial x min with one, the
 * backward's tensor ratio, head dim 64 twice as exponential-bound as 128,
 * and the two measurements the constants come from (attncost.h). */
#include "tce_test.h"

#include "tcemu/attncost.h"

/* forward of one causal head-dim-d attention: F FLOPs, F / (4 d) exps */
static struct tce_attncost_in fwd(double peak_tf, double exp_t, double d)
{
    struct tce_attncost_in in;

    in.flops = 1e12;
    in.exps = 1e12 / (4.0 * d);
    in.peak_flops = peak_tf * 1e12;
    in.efficiency = 0.688;
    in.exp_per_s = exp_t * 1e12;
    in.backward = 0;
    return in;
}

static void test_no_sfu(void **state)
{
    struct tce_attncost_in in = fwd(1000.0, 0.0, 128.0);

    (void)state;
    /* the model before the mechanism: FLOPs at peak x e, both passes */
    assert_close(tce_attncost_s(&in), 1e12 / (1e15 * 0.688), 1e-12);
    in.backward = 1;
    assert_close(tce_attncost_s(&in), 1e12 / (1e15 * 0.688), 1e-12);
    in.exps = 0.0;
    in.exp_per_s = 5e12;
    assert_close(tce_attncost_efficiency(&in), 0.688, 1e-12);
    in.efficiency = 0.0;
    assert_true(tce_attncost_s(&in) == 0.0);
    assert_true(tce_attncost_efficiency(&in) == 0.0);
}

static void test_pipes(void **state)
{
    struct tce_attncost_in in = fwd(1000.0, 1.0, 128.0);
    double t_mma = 1e12 / (1e15 * 0.688), t_exp = (1e12 / 512.0) / 1e12;

    (void)state;
    /* exponential-bound: 1.95 ms of exps against 1.45 ms of MMA */
    assert_close(tce_attncost_s(&in), t_exp + TCE_ATTNCOST_SERIAL * t_mma,
                 1e-12);
    in.exp_per_s = 10e12;      /* tensor-bound */
    assert_close(tce_attncost_s(&in),
                 t_mma + TCE_ATTNCOST_SERIAL * t_exp / 10.0, 1e-12);
    in.backward = 1;
    assert_close(tce_attncost_s(&in),
                 t_mma / TCE_ATTNCOST_BWD_TENSOR_RATIO +
                     TCE_ATTNCOST_SERIAL * t_exp / 10.0,
                 1e-12);
}

/* the two anchors: H100 SDPA 0.604 and B200 cuDNN 9.13 0.552 forward */
static void test_anchors(void **state)
{
    struct tce_attncost_in h100 = fwd(989.0, 3.9, 128.0);
    struct tce_attncost_in b200 = fwd(2250.0, 5.0, 128.0);
    struct tce_attncost_in b300 = fwd(2250.0, 10.7, 128.0);
    struct tce_attncost_in b200_64 = fwd(2250.0, 5.0, 64.0);

    (void)state;
    assert_close(tce_attncost_efficiency(&h100), 0.604, 0.01);
    assert_close(tce_attncost_efficiency(&b200), 0.552, 0.01);
    h100.backward = 1;         /* 2.5x the FLOPs, the same exps */
    h100.flops = 2.5e12;
    assert_close(tce_attncost_efficiency(&h100), 0.500, 0.01);
    /* Blackwell Ultra: the same tensor pipe, half the exponential time */
    assert_true(tce_attncost_efficiency(&b300) >
                1.08 * tce_attncost_efficiency(&b200));
    /* head dim 64 on B200: exponential-bound, well below head dim 128 */
    assert_true(tce_attncost_efficiency(&b200_64) <
                0.8 * tce_attncost_efficiency(&b200));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_sfu),
        cmocka_unit_test(test_pipes),
        cmocka_unit_test(test_anchors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
