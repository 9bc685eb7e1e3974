/*
 * memstate.c - bytes per token and per parameter by mechanism (memstate.h).
 */
#include "tcemu/memstate.h"

#include "tcemu/recompute.h"

void tce_memstate_activation_terms(const struct tce_model_dims *x,
                                   double s_local, int flash, double dropout,
                                   int fp8, int proj_copy,
                                   struct tce_memstate_act *t)
{
    double q = x->a * x->d_qk, k = x->mla ? x->a * x->d_qk : x->g * x->d;
    double v = x->mla ? x->a * x->d_v : x->g * x->d, o = x->a * x->d_v;
    double act_f = x->gpt ? 4.0 : 6.0; /* bytes per unit of ffn width */
    /* attn (issue 11): in FP8 jobs Transformer Engine keeps the quantised
     * input of each FP8 GEMM for its wgrad (1 byte, not 2): the QKV and
     * fc1 inputs (the normed block inputs), the fc2 input (the activation
     * output) and a copy of the attention output for the projection (the
     * fused attention keeps its BF16 output for its own backward) */
    double in_b = fp8 ? 1.0 : 2.0;

    if (fp8)
        act_f -= 1.0;
    /* norm inputs 4h, block inputs 2 x h x in_b; the two 1-byte hidden-
     * dropout masks only with dropout (Llama 3 and Megatron-Bridge's
     * recipes train with none) */
    t->replicated = (4.0 + 2.0 * in_b + (dropout > 0 ? 2.0 : 0.0)) * x->h;
    /* Q and K for QK^T, V for AV, the attention output for the
     * projection: 2 bytes each (8h for the classic layer); mem (wave 6):
     * the projection's own 1-byte copy of it only where it keeps one
     * (proj_copy) */
    t->attention = 2.0 * (q + k + v + o) + (fp8 && proj_copy ? o : 0.0);
    /* activation input and output of the MLP (16h for GeLU, f = 4h) */
    t->dense_mlp = act_f * x->f;
    /* routed tokens: a dispatched copy of the input and the expert MLP
     * tensors, topk times; shared experts once */
    t->moe_mlp = x->topk * (in_b * x->h + act_f * x->fm) + act_f * x->fs;
    /* attn (issue 11): a fused (flash) kernel never stores the s x s
     * scores; it keeps the output (counted in o) and the fp32 log-sum-exp
     * of each query row and head for its backward (Dao 2023, arXiv
     * 2307.08691, Algorithm 1): 4 a bytes per token */
    t->scores = flash ? 4.0 * x->a : 5.0 * x->a * s_local;
}

int tce_memstate_proj_copy(const struct tce_training *t)
{
    return tce_training_fp8(t) && t->fp8_recipe == TCE_FP8_DELAYED;
}

void tce_memstate_recompute(const struct tce_model_dims *x, unsigned modules,
                            int fp8, struct tce_memstate_act *t)
{
    double act_f = (x->gpt ? 4.0 : 6.0) - (fp8 ? 1.0 : 0.0);
    double in_b = fp8 ? 1.0 : 2.0;

    if (modules & TCE_RC_CORE_ATTN)
        t->scores = 0.0;
    if ((modules & TCE_RC_MLA_UP_PROJ) && x->mla)
        t->attention -= 2.0 * (2.0 * x->a * x->d_qk + x->a * x->d_v);
    if (modules & TCE_RC_MLP)
        t->dense_mlp = 0.0;
    if (modules & TCE_RC_MOE) {
        t->moe_mlp = 0.0;
    } else {
        if (modules & TCE_RC_MOE_ACT)
            t->moe_mlp -= x->topk * (fp8 ? 1.0 : 2.0) * x->fm;
        if (modules & TCE_RC_SHARED_EXPERTS)
            t->moe_mlp -= act_f * x->fs;
    }
    if (modules & TCE_RC_LAYERNORM) {
        /* the pre-MLP norm of an MoE layer (moe_mlp carries what only MoE
         * layers hold) and MLA's input norm (every layer) */
        t->moe_mlp -= in_b * x->h;
        if (x->mla)
            t->replicated -= in_b * x->h;
    }
}

static double dtype_bytes(enum tce_optim_dtype d)
{
    switch (d) {
    case TCE_OPTIM_FP32:
        return 4.0;
    case TCE_OPTIM_FP16:
    case TCE_OPTIM_BF16:
        return 2.0;
    case TCE_OPTIM_FP8:
        return 1.0;
    }
    return 4.0;
}

double tce_memstate_linear_weight_bytes(const struct tce_training *t,
                                        int any_layout)
{
    double copy;

    if (!tce_training_fp8(t))
        return 2.0;
    switch (t->fp8_recipe) {
    case TCE_FP8_MXFP8:
        copy = 2.0 * (1.0 + 1.0 / 32.0);
        break;
    case TCE_FP8_BLOCKWISE:
        copy = 2.0 * (1.0 + 4.0 / (128.0 * 128.0));
        break;
    case TCE_FP8_DELAYED:
    case TCE_FP8_TENSORWISE:
    default:
        copy = any_layout ? 1.0 : 2.0;
        break;
    }
    return t->fp8_param_gather ? copy : 2.0 + copy;
}

double tce_memstate_optimizer_bytes(const struct tce_training *t)
{
    double master;
    int te_master; /* Transformer Engine's FusedAdam holds the master */

    if (!t->use_precision_aware_optimizer)
        return 12.0;
    te_master = t->main_params_dtype != TCE_OPTIM_FP32 ||
                !tce_training_fp8(t) ||
                t->fp8_recipe == TCE_FP8_DELAYED;
    master = dtype_bytes(t->main_params_dtype);
    if (te_master && t->store_param_remainders &&
        t->main_params_dtype == TCE_OPTIM_FP32)
        master = 2.0;
    return master + dtype_bytes(t->exp_avg_dtype) +
           dtype_bytes(t->exp_avg_sq_dtype);
}

double tce_memstate_logit_bytes(const struct tce_training *t)
{
    return t->cross_entropy_loss_fusion &&
                   t->cross_entropy_fusion_impl == TCE_CE_TE
               ? 2.0
               : 4.0;
}
