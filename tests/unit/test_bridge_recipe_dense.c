/*
 * test_bridge_recipe_dense.c - the dense rows' recipe settings
 * (bridge_recipe.h): the optimizer state and the loss kernel (mem, wave 6),
 * besides the recompute, dropout and CUDA-graph settings.
 */
#include "tce_test.h"

#include <string.h>

#include "tcemu/bridge_recipe.h"
#include "tcemu/config.h"

static void mkrow(struct tce_bridge_row *r, const char *release,
                  const char *system, const char *fp8)
{
    memset(r, 0, sizeof(*r));
    snprintf(r->release, sizeof(r->release), "%s NeMo Container", release);
    snprintf(r->model_key, sizeof(r->model_key), "%s", "llama3-70b");
    snprintf(r->system, sizeof(r->system), "%s", system);
    r->fp8_recipe = fp8;
    r->tp = 2;
}

static void test_optimizer_and_loss(void **state)
{
    struct tce_bridge_row r;
    struct tce_job j;
    struct tce_error e;
    (void)state;

    /* a BF16 row: the precision-aware optimizer (set_post_overrides) and
     * Transformer Engine's cross-entropy */
    assert_int_equal(tce_job_load("jobs/llama3-70b.cfg", &j, NULL), 0);
    mkrow(&r, "26.04.01", "DGX-B200", "");
    assert_int_equal(tce_bridge_recipe_dense(&r, &j, &e), 0);
    assert_true(j.training.use_precision_aware_optimizer);
    assert_true(j.training.cross_entropy_loss_fusion);
    assert_int_equal(j.training.cross_entropy_fusion_impl, TCE_CE_TE);
    assert_int_equal(j.training.recompute_granularity, TCE_RECOMPUTE_NONE);

    /* an FP8 row: plain Adam state */
    assert_int_equal(tce_job_load("jobs/llama3-70b.cfg", &j, NULL), 0);
    mkrow(&r, "26.04.01", "DGX-B200", "tensorwise");
    assert_int_equal(tce_bridge_recipe_dense(&r, &j, &e), 0);
    assert_false(j.training.use_precision_aware_optimizer);
    assert_true(j.training.cross_entropy_loss_fusion);

    /* 25.09's scripts did not turn it on */
    assert_int_equal(tce_job_load("jobs/llama3-70b.cfg", &j, NULL), 0);
    mkrow(&r, "25.09", "DGX-GB200", "");
    assert_int_equal(tce_bridge_recipe_dense(&r, &j, &e), 0);
    assert_false(j.training.use_precision_aware_optimizer);
    assert_true(j.training.overlap_param_gather);

    /* 25.11's MXFP8 configs of 70B and 405B turn the param-gather overlap
     * off (llama3_llm_pretrain.py, v0.2.2); its current scaling keeps it */
    assert_int_equal(tce_job_load("jobs/llama3-70b.cfg", &j, NULL), 0);
    mkrow(&r, "25.11", "DGX-GB200", "mxfp8");
    assert_int_equal(tce_bridge_recipe_dense(&r, &j, &e), 0);
    assert_false(j.training.overlap_param_gather);
    assert_int_equal(tce_job_load("jobs/llama3-70b.cfg", &j, NULL), 0);
    mkrow(&r, "25.11", "DGX-GB200", "tensorwise");
    assert_int_equal(tce_bridge_recipe_dense(&r, &j, &e), 0);
    assert_true(j.training.overlap_param_gather);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_optimizer_and_loss),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
