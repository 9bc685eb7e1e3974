/*
 * plan_fp8.c - the FP8 marks of one layer's forward list (plan_int.h
 * tce_plan_layer_marks): which linear layers run FP8 and the casts the
 * job's recipe needs, as one element-wise op; then the layer's CUDA-graph
 * marks (plan_graphs.h).  Pure, no allocation.
 *
 * Assumptions (issue 11; printed by `tcemu project` with the plan's):
 *  - FP8 linear layers (Transformer Engine): each FP8 linear casts its
 *    input to FP8 in one cast-transpose pass (read 2 B, write 1 B twice:
 *    row- and column-wise copies for dgrad and wgrad; gemm: tensorwise
 *    recipes write one where the FP8 GEMM takes any layout, Blackwell,
 *    the cast op's fp8_t_share, gemmcost.h), current scaling
 *    (tensorwise) reads the input once more for its amax (gemm: inside
 *    the norm or activation that produces it, TE >= 2.8, so only after a
 *    GEMM or attention), MXFP8 adds a
 *    1-byte scale per 32 values per copy, blockwise a 4-byte scale per 128;
 *    an input produced by an element-wise kernel (the norm before QKV and
 *    FC1, the activation before FC2 where Transformer Engine runs it, gemm:
 *    training.use_te_activation_func or use_transformer_engine_op_fuser;
 *    Megatron's own fused activation writes BF16) is quantised inside it (TE's
 *    LayerNormLinear / LayerNormMLP): only the FP8 copies are written,
 *    except under current scaling, and except a norm's output under
 *    MXFP8 (kern: TE's normalization.cpp quantises it in a pass of its
 *    own unless NVTE_NORM_FWD_USE_CUDNN, training.nvte_norm_fwd_use_cudnn,
 *    and a hidden size of whole 128-wide tiles); the backward casts the output gradient
 *    likewise (backward bytes twice the forward's); attention, router and
 *    output layer stay BF16.
 */
#include <stdio.h>

#include "plan_int.h"
#include "tcemu/plan_graphs.h" /* host (issue 11) */

/* moe (issue 11) */
int tce_plan_fp8(const struct tce_job *job)
{
    return tce_training_fp8(&job->training);
}

/* Cast bytes per element of an FP8 linear layer's input, by recipe. */
static double cast_bytes(enum tce_fp8_recipe r)
{
    switch (r) {
    case TCE_FP8_TENSORWISE:
        return 2.0 + 2.0 + 2.0 * 1.0;          /* amax pass + cast */
    case TCE_FP8_MXFP8:
        return 2.0 + 2.0 * (1.0 + 1.0 / 32.0); /* E8M0 scale per 32 */
    case TCE_FP8_BLOCKWISE:
        return 2.0 + 2.0 * (1.0 + 4.0 / 128.0);/* fp32 scale per 128 */
    case TCE_FP8_DELAYED:
        break;
    }
    return 2.0 + 2.0 * 1.0;
}

static void fp8_marks(const struct ctx *c, struct tce_op_list *l)
{
    enum tce_fp8_recipe r = c->job->training.fp8_recipe;
    double sep = 0.0, fused = 0.0, amaxed = 0.0, in;
    int i, casts = 0, prev_elt = 0, prev_norm = 0, prev_amax = 0;
    int prev_act = 0; /* gemm: an activation Megatron, not TE, runs */
    int te_act = c->job->training.use_te_activation_func ||
                 c->job->training.use_transformer_engine_op_fuser;
    unsigned fl = 0;

    if (!tce_plan_fp8(c->job))
        return;
    for (i = 0; i < l->n; i++) {
        struct tce_op *op = &l->ops[i];

        if (op->kind != TCE_OP_COMPUTE)
            continue; /* communication between keeps the producer */
        if (op->gemm_n <= 0 || op->flops <= 0) {
            prev_elt = op->flops <= 0;
            prev_norm = prev_elt && (op->flags & TCE_OP_F_NORM);
            prev_act = prev_elt && (op->flags & TCE_OP_F_ACT) && !te_act;
            prev_amax = prev_elt && ((op->flags & TCE_OP_F_NORM) ||
                                     ((op->flags & TCE_OP_F_ACT) && te_act));
            continue;
        }
        op->flags |= TCE_OP_F_FP8;
        if (r == TCE_FP8_MXFP8) /* gemm (issue 11): gemmcost.h */
            op->flags |= TCE_OP_F_MXFP8;
        /* m x k input values of every GEMM of the op (the experts) */
        in = op->flops / (2.0 * (double)op->gemm_n);
        /* Transformer Engine quantises inside the element-wise kernel
         * that produces a linear's input (LayerNormLinear, the MLP's
         * activation) except under current scaling, which needs the amax
         * first; after a GEMM or attention, a cast pass of its own */
        /* kern (issue 11): under MXFP8 the norm is not fused with the
         * cast: Transformer Engine's normalization.cpp computes it in
         * BF16 and quantises in a pass of its own unless
         * NVTE_NORM_FWD_USE_CUDNN is set (training.
         * nvte_norm_fwd_use_cudnn) and the shape is whole 128 x 128
         * tiles; the activation kernels write MXFP8 directly
         * (activation.cpp FULLY_FUSED) */
        /* gemm (issue 11): only an activation TE runs writes FP8
         * (use_te_activation_func, the TE op fuser); Megatron's fused
         * bias-SwiGLU / GeLU (megatron/core/transformer/mlp.py,
         * experts.py) writes BF16 and TE's Linear casts it */
        if (prev_elt && !prev_act && r != TCE_FP8_TENSORWISE &&
            !(r == TCE_FP8_MXFP8 && prev_norm &&
              !(c->job->training.nvte_norm_fwd_use_cudnn &&
                op->gemm_k % 128 == 0))) {
            fused += in;
            /* sync (issue 11): a grouped linear still launches one
             * quantize per local expert (TE split_quantize) */
            if (op->kernels > 1)
                casts += op->kernels;
        } else {
            sep += in;
            /* sync (issue 11): one quantize per GEMM of the op (a grouped
             * linear's local experts) */
            casts += op->kernels > 0 ? op->kernels : 1;
            /* gemm (issue 11): current scaling's amax is computed inside
             * the norm or activation that produces the input (TE >= 2.8
             * normalization.cpp FUSED_NORM_AMAX_FP8, activation.cpp
             * FUSED_ACTIVATION_AMAX_FP8); the cast pass reads it once */
            if (prev_amax && r == TCE_FP8_TENSORWISE)
                amaxed += in;
        }
        fl = op->flags & TCE_OP_F_RECOMPUTED;
        prev_elt = 0;
        prev_norm = 0;
        prev_amax = 0;
        prev_act = 0;
    }
    if (sep + fused <= 0.0)
        return;
    /* fused: only the FP8 copies are written */
    in = sep * cast_bytes(r) - amaxed * 2.0 + fused * (cast_bytes(r) - 2.0);
    elt(l, "fp8_cast", in, fl | TCE_OP_F_CAST);
    /* gemm (issue 11): a tensorwise recipe's transposed copy, 1 B a value
     * (gemmcost.h: not written where the FP8 GEMM takes any layout) */
    if (in > 0.0 && (r == TCE_FP8_DELAYED || r == TCE_FP8_TENSORWISE))
        l->ops[l->n - 1].fp8_t_share = (sep + fused) / in;
    kernels(l, casts > 0 ? casts : 1);
}

void tce_plan_layer_marks(const struct ctx *c, struct tce_op_list *l)
{
    fp8_marks(c, l);
    tce_plan_graph_marks(&c->job->training, l); /* plan_graphs.h */
}

/* moe (issue 11): the FP8 assumption lines (plan_int.h). */
int tce_plan_fp8_assumption(const struct tce_job *job, int i, char *buf,
                            size_t size)
{
    const struct tce_training *t = &job->training;
    int k = 0;

    if (!tce_plan_fp8(job))
        return 0;
    if (i == k++) {
        snprintf(buf, size,
                 "FP8 (%s): linears at the FP8 peak or FP8 table rows "
                 "(else BF16 rows over the table's FP8 speed-up); "
                 "attention, router, output layer BF16; each FP8 linear "
                 "casts its input and output gradient (TE cast-transpose, "
                 "%.3g B per value; inside a preceding norm or activation "
                 "only the FP8 writes%s)",
                 tce_fp8_recipe_name(t->fp8_recipe),
                 cast_bytes(t->fp8_recipe),
                 t->fp8_recipe != TCE_FP8_MXFP8 ? ""
                 : t->nvte_norm_fwd_use_cudnn
                     ? "; MXFP8 norm output written by the cuDNN norm "
                       "(NVTE_NORM_FWD_USE_CUDNN, hidden a multiple of 128)"
                     : "; an MXFP8 norm's output cast in a pass of its own "
                       "(TE normalization.cpp without "
                       "NVTE_NORM_FWD_USE_CUDNN)");
        return 1;
    }
    /* gemm (issue 11) */
    if (i == k++) {
        snprintf(buf, size, "%s; FC2's input cast in %s",
                 t->fp8_recipe == TCE_FP8_MXFP8
                     ? "FP8 GEMMs: MXFP8's block-scaled kernel at "
                       "mxfp8_gemm_efficiency of the tensorwise rate "
                       "(gemmcost.h: TE GEMM profiling tutorial, B300 "
                       "pre-quantised, 6.812 vs 7.161 ms a layer)"
                 : t->fp8_recipe == TCE_FP8_TENSORWISE
                     ? "FP8 casts (current scaling): a TE norm's or "
                       "activation's amax inside it (TE >= 2.8); no "
                       "transposed copy where the FP8 GEMM takes any "
                       "layout (fp8_gemm_any_layout, Blackwell: TE "
                       "quantizer.cpp)"
                 : t->fp8_recipe == TCE_FP8_DELAYED
                     ? "FP8 casts (delayed scaling): no transposed copy "
                       "where the FP8 GEMM takes any layout "
                       "(fp8_gemm_any_layout, Blackwell: TE quantizer.cpp)"
                     : "FP8 (blockwise): both copies, the tensorwise GEMM "
                       "rate",
                 t->use_te_activation_func ||
                         t->use_transformer_engine_op_fuser
                     ? "the activation (Transformer Engine's)"
                     : "a pass of its own (Megatron's bias-SwiGLU writes "
                       "BF16; use_te_activation_func unset)");
        return 1;
    }
    return 0;
}
