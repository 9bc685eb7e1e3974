/*
 * plan_recompute.c - the forward ops a backward re-runs under selective
 * recomputation (recompute.h): each module named by recompute_modules is
 * run again at the start of the layer's backward, flagged
 * TCE_OP_F_RECOMPUTED (hardware FLOPs, not model FLOPs).  Megatron-LM
 * (transformer_layer.py, multi_latent_attention.py, moe/experts.py)
 * re-runs a checkpointed module's forward from its kept input just before
 * the backward needs its outputs.
 *
 *   core_attn    the attention core ops of the forward, with the CP K/V
 *                exchange inside Transformer Engine's attention
 *   mla_up_proj  MLA's Q and KV up-projections (the forward's ops, with the
 *                norms fused into them) and its fused RoPE
 *   moe_act      the experts' activation, an element-wise pass over the
 *                routed copies' fc1 output
 *   layernorm    the norms that are modules of their own (an MoE layer's
 *                pre-MLP norm, MLA's input norm), element-wise
 *   mlp          a dense layer's MLP (fc1, activation, fc2)
 *   moe          the MoE layer (router, dispatch, experts, combine)
 *   shared_experts  the shared experts' MLP
 */
#include "plan_int.h"
#include "tcemu/recompute.h"

static void mark_fp8(const struct ctx *c, struct tce_op_list *l, int from)
{
    int i;

    if (!tce_plan_fp8(c->job))
        return;
    for (i = from; i < l->n; i++)
        if (l->ops[i].kind == TCE_OP_COMPUTE && l->ops[i].gemm_m > 0 &&
            !(l->ops[i].flags & TCE_OP_F_ATTENTION_CORE))
            l->ops[i].flags |= TCE_OP_F_FP8;
}

void tce_plan_recompute_ops(const struct ctx *c, int moe,
                            const struct tce_op_list *fwd,
                            struct tce_op_list *bwd)
{
    const struct tce_model *m = &c->job->model;
    const struct dims *x = &c->x;
    unsigned mods = tce_recompute_modules_of(&c->job->training);
    const unsigned rc = TCE_OP_F_RECOMPUTED;
    int i, from = bwd->n;
    double norms = 0.0;

    if (mods & TCE_RC_CORE_ATTN)
        /* the attention core, with the K/V exchange inside it (the CP
         * ring or all-gather run inside Transformer Engine's attention;
         * Ulysses' all-to-alls are outside) */
        for (i = 0; i < fwd->n; i++)
            if ((fwd->ops[i].flags & TCE_OP_F_ATTENTION_CORE) ||
                (fwd->ops[i].group == TCE_GROUP_CP &&
                 fwd->ops[i].coll != TCE_COLL_ALL_TO_ALL)) {
                struct tce_op *op = add(bwd);
                *op = fwd->ops[i];
                op->flags |= TCE_OP_F_RECOMPUTED;
            }
    if ((mods & TCE_RC_LAYERNORM) && moe)
        norms += 1.0;
    if ((mods & TCE_RC_LAYERNORM) && m->multi_latent_attention)
        norms += 1.0;
    if (norms > 0)
        elt(bwd, "rc_norm", norms * 4.0 * x->elt_tokens * x->h,
            rc | TCE_OP_F_NORM);
    if ((mods & TCE_RC_MLA_UP_PROJ) && m->multi_latent_attention) {
        /* the up-projections with the low-rank norms Transformer Engine
         * fuses into them (LayerNormColumnParallelLinear); with
         * q_lora_rank 0 the query is projected from h, not recomputed */
        tce_plan_mla_up_proj(c, bwd, "rc_q_up", "rc_kv_up", rc);
        /* dsv3 (issue 11): the recomputed region (qkv_up_checkpoint,
         * multi_latent_attention.py) includes the fused RoPE */
        elt(bwd, "rc_mla_rope", tce_plan_mla_rope_bytes(c), rc);
    }
    if ((mods & TCE_RC_MLP) && !moe)
        mlp_fwd(c, bwd, c->f.dense_mlp / (2.0 * x->nmat * x->h), x->T,
                "rc_fc1", "rc_act", "rc_fc2", rc);
    if (moe && (mods & TCE_RC_MOE)) {
        moe_fwd(c, bwd, rc);
    } else if (moe) {
        double etp = c->lay->etp > 0 ? (double)c->lay->etp : x->t;

        if (mods & TCE_RC_MOE_ACT) {
            /* SwiGLU over the routed copies this rank's experts hold
             * (balanced: topk per token): read 2 f', write f' (BF16) */
            elt(bwd, "rc_moe_act", 6.0 * x->T * x->topk * x->fm / etp, rc);
            /* gptoss (issue 11): the eager GLU clamp runs inside the
             * recomputed function too (plan_moe.c expert_clamp: 4F) */
            if (tce_plan_moe_clamp_eager(c))
                elt(bwd, "rc_moe_clamp",
                    4.0 * 2.0 * x->T * x->topk * x->fm * (x->nmat - 1.0) /
                        etp,
                    rc);
        }
        if ((mods & TCE_RC_SHARED_EXPERTS) && x->fs > 0)
            mlp_fwd(c, bwd, x->fs, x->T, "rc_shared_fc1", "rc_shared_act",
                    "rc_shared_fc2", rc);
    }
    mark_fp8(c, bwd, from);
}
