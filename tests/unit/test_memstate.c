/*
 * test_memstate.c - bytes per token and per parameter by mechanism
 * (memstate.h), hand-computed.
 */
#include "tce_test.h"

#include <string.h>

#include "tcemu/memstate.h"
#include "tcemu/recompute.h"

static void test_optimizer_bytes(void **state)
{
    struct tce_training t;

    (void)state;
    memset(&t, 0, sizeof(t));
    t.store_param_remainders = 1;
    /* plain Adam: fp32 master + two fp32 moments */
    assert_close(tce_memstate_optimizer_bytes(&t), 12.0, 1e-15);
    /* precision-aware, BF16 job: master as its 16-bit remainder */
    t.use_precision_aware_optimizer = 1;
    assert_close(tce_memstate_optimizer_bytes(&t), 2.0 + 4.0 + 4.0, 1e-15);
    /* DeepSeek-V3's recipe: BF16 moments */
    t.exp_avg_dtype = TCE_OPTIM_BF16;
    t.exp_avg_sq_dtype = TCE_OPTIM_BF16;
    assert_close(tce_memstate_optimizer_bytes(&t), 2.0 + 2.0 + 2.0, 1e-15);
    /* MXFP8: Megatron keeps the fp32 master itself, whole */
    t.precision = TCE_PRECISION_FP8;
    t.fp8_recipe = TCE_FP8_MXFP8;
    assert_close(tce_memstate_optimizer_bytes(&t), 4.0 + 2.0 + 2.0, 1e-15);
    /* the delayed recipe leaves it to FusedAdam again */
    t.fp8_recipe = TCE_FP8_DELAYED;
    assert_close(tce_memstate_optimizer_bytes(&t), 2.0 + 2.0 + 2.0, 1e-15);
    t.store_param_remainders = 0;
    assert_close(tce_memstate_optimizer_bytes(&t), 4.0 + 2.0 + 2.0, 1e-15);
}

/* memory (issue 11): the weight bytes of an FP8 linear layer's parameter
 * by how Transformer Engine keeps them */
static void test_linear_weight_bytes(void **state)
{
    struct tce_training t;

    (void)state;
    memset(&t, 0, sizeof(t));
    /* BF16 job: its weight alone, any flag */
    t.fp8_param_gather = 1;
    assert_close(tce_memstate_linear_weight_bytes(&t, 0), 2.0, 1e-15);
    /* FP8 by its format alone counts as FP8 (tce_training_fp8) */
    t.fp8 = TCE_FP8_HYBRID;
    t.fp8_param_gather = 0;
    t.fp8_recipe = TCE_FP8_TENSORWISE;
    /* BF16 weight + the cached FP8 copy and its transpose (Hopper) */
    assert_close(tce_memstate_linear_weight_bytes(&t, 0), 2.0 + 2.0, 1e-15);
    /* any layout (Blackwell): no transpose */
    assert_close(tce_memstate_linear_weight_bytes(&t, 1), 2.0 + 1.0, 1e-15);
    t.fp8_recipe = TCE_FP8_DELAYED;
    assert_close(tce_memstate_linear_weight_bytes(&t, 1), 2.0 + 1.0, 1e-15);
    /* MXFP8: both copies everywhere, an E8M0 scale per 32 */
    t.fp8_recipe = TCE_FP8_MXFP8;
    assert_close(tce_memstate_linear_weight_bytes(&t, 1), 2.0 + 2.0625,
                 1e-15);
    /* fp8_param_gather: the FP8 copy alone */
    t.fp8_param_gather = 1;
    assert_close(tce_memstate_linear_weight_bytes(&t, 0), 2.0625, 1e-15);
    t.fp8_recipe = TCE_FP8_BLOCKWISE;
    assert_close(tce_memstate_linear_weight_bytes(&t, 0),
                 2.0 + 8.0 / 16384.0, 1e-15);
    t.fp8_recipe = TCE_FP8_TENSORWISE;
    assert_close(tce_memstate_linear_weight_bytes(&t, 0), 2.0, 1e-15);
    assert_close(tce_memstate_linear_weight_bytes(&t, 1), 1.0, 1e-15);
}

static void test_logit_bytes(void **state)
{
    struct tce_training t;

    (void)state;
    memset(&t, 0, sizeof(t));
    assert_close(tce_memstate_logit_bytes(&t), 4.0, 1e-15);
    t.cross_entropy_fusion_impl = TCE_CE_TE; /* without the fusion: fp32 */
    assert_close(tce_memstate_logit_bytes(&t), 4.0, 1e-15);
    t.cross_entropy_loss_fusion = 1;
    assert_close(tce_memstate_logit_bytes(&t), 2.0, 1e-15);
    t.cross_entropy_fusion_impl = TCE_CE_NATIVE;
    assert_close(tce_memstate_logit_bytes(&t), 4.0, 1e-15);
}

static void test_recompute_terms(void **state)
{
    struct tce_model_dims x;
    struct tce_memstate_act a, k;

    (void)state;
    memset(&x, 0, sizeof(x));
    /* an MLA MoE layer: h 7168, 128 heads, d_qk 192, d_v 128, top-8 of
     * f' 2048, shared 2048, dense f 18432 */
    x.h = 7168;
    x.a = 128;
    x.d_qk = 192;
    x.d_v = 128;
    x.mla = 1;
    x.topk = 8;
    x.fm = 2048;
    x.fs = 2048;
    x.f = 18432;
    tce_memstate_activation_terms(&x, 4096, 1, 0.0, 0, 0, &a);
    /* BF16: replicated (4 + 4) h; attention 2 (q + k + v + o) with
     * q = k = 24576, v = o = 16384; moe 8 (2h + 6 f') + 6 fs */
    assert_close(a.replicated, 8.0 * 7168, 1e-15);
    assert_close(a.attention, 2.0 * (24576 + 24576 + 16384 + 16384), 1e-15);
    assert_close(a.moe_mlp, 8.0 * (2.0 * 7168 + 6.0 * 2048) + 6.0 * 2048,
                 1e-15);
    assert_close(a.scores, 4.0 * 128, 1e-15);

    k = a;
    tce_memstate_recompute(&x, TCE_RC_MLA_UP_PROJ | TCE_RC_MOE_ACT, 0, &k);
    assert_close(k.attention, 2.0 * 16384, 1e-15);       /* o only */
    assert_close(k.moe_mlp, a.moe_mlp - 8.0 * 2.0 * 2048, 1e-15);
    assert_close(k.scores, a.scores, 1e-15);             /* no core_attn */
    assert_close(k.dense_mlp, a.dense_mlp, 1e-15);

    k = a;
    tce_memstate_recompute(&x, TCE_RC_CORE_ATTN | TCE_RC_MLP |
                                   TCE_RC_LAYERNORM, 0, &k);
    assert_close(k.scores, 0.0, 1e-15);
    assert_close(k.dense_mlp, 0.0, 1e-15);
    /* MLA's input norm (every layer), the MoE pre-MLP norm */
    assert_close(k.replicated, a.replicated - 2.0 * 7168, 1e-15);
    assert_close(k.moe_mlp, a.moe_mlp - 2.0 * 7168, 1e-15);

    k = a;
    tce_memstate_recompute(&x, TCE_RC_MOE | TCE_RC_MOE_ACT, 0, &k);
    assert_close(k.moe_mlp, 0.0, 1e-15);
}

static void test_proj_copy(void **state)
{
    struct tce_training t;
    struct tce_model_dims x;
    struct tce_memstate_act a;

    (void)state;
    memset(&t, 0, sizeof(t));
    assert_false(tce_memstate_proj_copy(&t));          /* BF16 */
    t.precision = TCE_PRECISION_FP8;
    t.fp8_recipe = TCE_FP8_DELAYED;
    assert_true(tce_memstate_proj_copy(&t));
    t.fp8_recipe = TCE_FP8_MXFP8;
    assert_false(tce_memstate_proj_copy(&t));
    t.fp8_recipe = TCE_FP8_TENSORWISE;
    assert_false(tce_memstate_proj_copy(&t));

    /* GQA: 32 heads of 128, 8 groups: q = o = 4096, k = v = 1024 */
    memset(&x, 0, sizeof(x));
    x.h = 4096;
    x.a = 32;
    x.g = 8;
    x.d = 128;
    x.d_qk = 128;
    x.d_v = 128;
    tce_memstate_activation_terms(&x, 8192, 1, 0.0, 1, 1, &a);
    assert_close(a.attention, 2.0 * (4096 + 1024 + 1024 + 4096) + 4096, 1e-15);
    tce_memstate_activation_terms(&x, 8192, 1, 0.0, 1, 0, &a);
    assert_close(a.attention, 2.0 * (4096 + 1024 + 1024 + 4096), 1e-15);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_optimizer_bytes),
        cmocka_unit_test(test_linear_weight_bytes),
        cmocka_unit_test(test_logit_bytes),
        cmocka_unit_test(test_recompute_terms),
        cmocka_unit_test(test_proj_copy),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
