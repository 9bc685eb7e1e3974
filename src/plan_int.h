/*
 * plan_int.h - what the plan's source files share (not a public header):
 * the resolved dimensions, the build context and the op-list helpers.
 * plan.c builds the plan; plan_attn.c the attention block and its
 * context-parallel exchange; plan_moe.c the MLP and MoE blocks and the FP8
 * and CUDA-graph marks of a layer.
 */
#ifndef TCEMU_PLAN_INT_H
#define TCEMU_PLAN_INT_H

#include <math.h>
#include <string.h>

#include "tcemu/model.h"
#include "tcemu/plan.h"

struct dims {
    double h, a, g, dqk, dv, kvdim, s, V, E, topk, fm, fs, nmat;
    double t, c, b, T;          /* T: tokens of one microbatch on a CP rank */
    double elt_tokens;          /* tokens an element-wise op touches */
    int sp;
    int flash;                  /* fused attention: no scores in HBM */
    /* attn (issue 11): the attention core a rank executes, per layer, as
     * fractions of the full square (model.h's TCE_FLOPS_CAUSAL with a
     * fused kernel, the whole square unfused), averaged over the model's
     * layer pattern: share_win of the layers are sliding-window layers */
    double keys_full, keys_win, share_win;
};

static inline struct tce_op *add(struct tce_op_list *l)
{
    struct tce_op *op;

    /* lists are sized for the longest (plan.h TCE_PLAN_OPS_MAX); past the
     * end the last op is overwritten and the list left full, which
     * tce_plan_build reports (plan_full) */
    if (l->n >= TCE_PLAN_OPS_MAX)
        l->n = TCE_PLAN_OPS_MAX - 1;
    op = &l->ops[l->n++];
    memset(op, 0, sizeof(*op));
    op->count = 1;
    op->group = TCE_GROUP_WORLD;
    return op;
}

static inline struct tce_op *gemm(struct tce_op_list *l, const char *name,
                           double flops, double one_gemm, double bytes,
                           unsigned flags)
{
    struct tce_op *op = add(l);

    op->name = name;
    op->kind = TCE_OP_COMPUTE;
    op->charge = TCE_CHARGE_COMPUTE;
    op->flops = flops;
    op->gemm_flops = one_gemm;
    op->bytes = bytes;
    op->flags = flags;
    return op;
}

/* A linear layer's forward shape: m tokens, n output, k input features. */
static inline void linear(struct tce_op *op, double m, double n, double k)
{
    op->gemm_m = llround(m);
    op->gemm_n = llround(n);
    op->gemm_k = llround(k);
}

/* host (issue 11): mark ops from index `from` on as module `bit`
 * (TCE_OP_F_MOD_*) */
static inline void module_from(struct tce_op_list *l, int from, unsigned bit)
{
    int i;

    for (i = from; i < l->n; i++)
        l->ops[i].flags |= bit;
}

static inline void elt(struct tce_op_list *l, const char *name, double bytes,
                unsigned flags)
{
    gemm(l, name, 0.0, 0.0, bytes, flags);
}

/* The last op of l launches n kernels (issue 11: hostsync.h). */
static inline void kernels(struct tce_op_list *l, int n)
{
    l->ops[l->n - 1].kernels = n;
}

/* An element-wise op whose backward moves bwd bytes (not twice the
 * forward's) and which launches kernels kernels (issue 11: a model's own
 * eager passes). */
static inline void elt_passes(struct tce_op_list *l, const char *name,
                              double fwd, double bwd, int kernels,
                              unsigned flags)
{
    elt(l, name, fwd, flags);
    l->ops[l->n - 1].bwd_bytes = bwd;
    l->ops[l->n - 1].kernels = kernels;
}

static inline void coll(struct tce_op_list *l, const char *name, enum tce_coll kind,
                 enum tce_group g, double bytes, enum tce_overlap ov,
                 enum tce_charge charge, unsigned flags)
{
    struct tce_op *op = add(l);

    op->name = name;
    op->kind = TCE_OP_COLLECTIVE;
    op->coll = kind;
    op->group = g;
    op->bytes = bytes;
    op->overlap = ov;
    op->charge = charge;
    op->flags = flags;
}

struct ctx {
    const struct tce_job *job;
    const struct tce_layout *lay;
    struct dims x;
    struct tce_flops_per_token f;
    enum tce_overlap tp_ov;
    const struct tce_param_count *pc; /* set while the layer lists are
                                         built (FSDP's per-layer bytes) */
};

/* TP communication around a block: entering (all-gather with SP) and
 * leaving (reduce-scatter with SP, else all-reduce). */
static inline void tp_enter(const struct ctx *c, struct tce_op_list *l,
                     const char *name, unsigned fl)
{
    if (c->lay->tp > 1 && c->x.sp)
        coll(l, name, TCE_COLL_ALL_GATHER, TCE_GROUP_TP,
             c->x.T * c->x.h * 2.0, c->tp_ov, TCE_CHARGE_TP, fl);
}

static inline void tp_leave(const struct ctx *c, struct tce_op_list *l,
                     const char *name, unsigned fl)
{
    if (c->lay->tp > 1)
        coll(l, name,
             c->x.sp ? TCE_COLL_REDUCE_SCATTER : TCE_COLL_ALL_REDUCE,
             TCE_GROUP_TP, c->x.T * c->x.h * 2.0, c->tp_ov, TCE_CHARGE_TP,
             fl);
}

/* Bias + dropout + residual add: in, residual, out and a 1-byte mask; with
 * no dropout a residual add (in, residual, out) whose gradient passes
 * through. */
static inline void bda(const struct ctx *c, struct tce_op_list *l, const char *name,
                unsigned fl)
{
    const struct dims *x = &c->x;

    if (c->job->training.hidden_dropout > 0)
        elt(l, name, 7.0 * x->elt_tokens * x->h, fl);
    else
        elt(l, name, 6.0 * x->elt_tokens * x->h, fl | TCE_OP_F_NO_BACKWARD);
}

/* gptoss (issue 11): whether the GLU clamp runs as eager passes, and the
 * experts' FC2 bias as Megatron-Core's per-expert loop (plan_moe.c) */
int tce_plan_moe_clamp_eager(const struct ctx *c);
int tce_plan_moe_bias_loop(const struct ctx *c);
/* dsv3 (issue 11): bytes of MLA's fused RoPE forward (plan_attn.c) */
double tce_plan_mla_rope_bytes(const struct ctx *c);
/* dsv3 (issue 11): MLA's up-projections as ops named q_name and kv_name
 * (the query's only with q_lora_rank > 0), the forward's and the ones
 * mla_up_proj recomputes (plan_attn.c) */
void tce_plan_mla_up_proj(const struct ctx *c, struct tce_op_list *l,
                          const char *q_name, const char *kv_name,
                          unsigned fl);
/* Forward of the attention block (also the recomputed forward):
 * plan_attn.c. */
void tce_plan_attention_fwd(const struct ctx *c, struct tce_op_list *l,
                            unsigned fl);

/* cp (issue 11): the p2p ring's attention as Transformer Engine runs it
 * (per-step kernels and merge passes, plan_cp.h) for `share` of the layers
 * at `keys` of the square: plan_cp.c. */
void tce_plan_cp_ring_core(const struct ctx *c, struct tce_op_list *l,
                           double share, double keys, unsigned fl);

/* cp (issue 11): the all-gather scheme's two per-chunk kernels: plan_cp.c */
void tce_plan_cp_ag_core(const struct ctx *c, struct tce_op_list *l,
                         double share, double keys, unsigned fl);

/* Fill dims' attention fractions (keys_full, keys_win, share_win) from the
 * job: plan_attn.c. */
void tce_plan_attention_dims(const struct tce_job *job, struct dims *x);

/* plan_moe.c: the MLP of width f over `tokens` tokens, and the MoE layer */
void tce_plan_mlp_fwd(const struct ctx *c, struct tce_op_list *l, double f,
                      double tokens, const char *fc1, const char *act,
                      const char *fc2, unsigned fl);
void tce_plan_moe_fwd(const struct ctx *c, struct tce_op_list *l,
                      unsigned fl);
/* plan_fp8.c: finish a layer's forward list: mark its linear layers FP8
 * when the job runs FP8 and append the casts its recipe needs (one
 * element-wise op); mark its compute ops graphed with enable_cuda_graph */
void tce_plan_layer_marks(const struct ctx *c, struct tce_op_list *l);
/* plan_fp8.c: the i-th FP8 assumption line of the job into buf (the tail
 * of tce_plan_moe_assumption's lines); 0 when there is none. */
int tce_plan_fp8_assumption(const struct tce_job *job, int i, char *buf,
                            size_t size);
/* fitm (wave 4): the last stage's multi-token prediction modules
 * (model.mtp_num_layers): its head lists run the output layer and loss
 * once more per module, after an eh_proj and one layer of the last
 * layer's kind (copied from the layer lists, which must be built). */
struct tce_plan;
void tce_plan_mtp_lists(const struct ctx *c, struct tce_plan *plan);

/* mem (wave 6): plan_recompute.c: the forward ops the backward of a
 * layer re-runs under selective recomputation (recompute_modules),
 * appended to bwd before its backward ops */
void tce_plan_recompute_ops(const struct ctx *c, int moe,
                            const struct tce_op_list *fwd,
                            struct tce_op_list *bwd);

/* short names inside the plan's files */
static inline void attention_fwd(const struct ctx *c, struct tce_op_list *l,
                                 unsigned fl)
{
    tce_plan_attention_fwd(c, l, fl);
}

static inline void mlp_fwd(const struct ctx *c, struct tce_op_list *l,
                           double f, double tokens, const char *fc1,
                           const char *act, const char *fc2, unsigned fl)
{
    tce_plan_mlp_fwd(c, l, f, tokens, fc1, act, fc2, fl);
}

static inline void moe_fwd(const struct ctx *c, struct tce_op_list *l,
                           unsigned fl)
{
    tce_plan_moe_fwd(c, l, fl);
}

#endif
