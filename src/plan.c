/*
 * plan.c - build the plan of one pipeline stage (the ops of one training
 * iteration of one rank).  What is asked of a built plan (layers of a
 * chunk, MoE layers, FLOPs, names) is in plan_query.c; the pipeline
 * schedules that order it in schedule.c.
 *
 * FLOPs per op come from model.h's per-token breakdown, so summing a plan
 * over every rank gives the model's per-iteration count exactly
 * (tests/unit/test_plan.c checks it).  Bytes of HBM traffic of element-wise
 * ops and of communication follow the conventions in plan.h.  Pure, no
 * allocation.
 *
 * Assumptions (also printed by `tcemu project`):
 *  - activations and communication in 2-byte precision (bf16);
 *  - with use_flash_attn (the default) attention is fused: the s x s
 *    scores never reach HBM; without it (Megatron before FlashAttention)
 *    QK^T writes them, softmax + dropout read and write them (9 bytes per
 *    score) and AV reads them; attention GEMMs run at the efficiency of
 *    one head's GEMM (a batched GEMM);
 *  - a backward GEMM is two GEMMs of the forward's size (dgrad + wgrad); a
 *    backward element-wise op moves twice the forward's bytes;
 *  - MoE: tokens spread evenly over experts; all-to-all dispatch and combine
 *    of tokens*h*2*topk bytes (tokens of this TP rank with sequence
 *    parallelism); expert tensor parallel = tp;
 *  - Adam: the optimizer step reads and writes 12 bytes of fp32 state per
 *    parameter it owns, reads its gradient and writes a 2-byte weight.
 *  - attn (issue 11): the attention block is built in plan_attn.c (causal
 *    and sliding-window attention as the fused kernel runs it, BF16, the
 *    CP exchange by cp_comm_type); with sequence parallelism and no full
 *    recomputation each block's backward gathers its input again for the
 *    wgrad GEMM (Korthikanti et al. 2022, 4.2.2); FSDP (optim_grads_params)
 *    gathers each layer's parameters in its forward and backward and
 *    reduce-scatters its gradients, per microbatch (fsdp_ops);
 *  - the tied-embedding gradient all-reduce between the first and the last
 *    stage is omitted (one V*h/t message per iteration);
 *  - with context parallelism Megatron reduces dense gradients over DP x CP;
 *    the plan reduces them over the DP group (same bytes per rank, a ring
 *    c times shorter: layout.h has no DP x CP group yet), while the
 *    optimizer step is sharded over DP x CP as model.h counts it.
 */
#include <math.h>
#include <string.h>

#include "tcemu/model.h"
#include "tcemu/plan.h"
#include "tcemu/wgradcost.h"

#include "plan_int.h"

static void resolve(const struct tce_job *job, const struct tce_layout *lay,
                    struct dims *x)
{
    const struct tce_model *m = &job->model;
    struct tce_model_dims md;

    memset(x, 0, sizeof(*x));
    tce_model_dims(m, &md);
    x->h = md.h;
    x->a = md.a;
    x->g = md.g;
    x->dqk = md.d_qk;
    x->dv = md.d_v;
    /* K and V per token: GQA's 2 g heads, or MLA's per-head qk and v */
    x->kvdim = md.mla ? x->a * (x->dqk + x->dv) : 2.0 * x->g * x->dqk;
    x->s = md.s;
    x->V = md.V;
    x->E = md.E;
    x->topk = md.topk;
    x->fm = md.fm;
    x->fs = md.fs;
    x->nmat = m->swiglu ? 3.0 : 2.0;
    x->t = (double)lay->tp;
    x->c = (double)lay->cp;
    x->b = (double)lay->micro_batch;
    x->T = x->b * x->s / x->c;
    x->sp = job->parallel.sequence_parallel && lay->tp > 1;
    x->elt_tokens = x->sp ? x->T / x->t : x->T;
    x->flash = job->training.use_flash_attn;
    tce_plan_attention_dims(job, x);
}

static void dense_fwd(const struct ctx *c, struct tce_op_list *l, unsigned fl)
{
    const struct dims *x = &c->x;
    double f = c->f.dense_mlp / (2.0 * x->nmat * x->h);

    int first = l->n, mlp;

    tce_plan_attention_fwd(c, l, fl);
    module_from(l, first, TCE_OP_F_MOD_ATTN); /* host (issue 11) */
    mlp = l->n;
    elt(l, "ln_mlp", 4.0 * x->elt_tokens * x->h, fl | TCE_OP_F_NORM);
    tp_enter(c, l, "tp_ag_mlp", fl);
    mlp_fwd(c, l, f, x->T, "fc1", "act", "fc2", fl);
    tp_leave(c, l, "tp_out_mlp", fl);
    bda(c, l, "bda_mlp", fl);
    module_from(l, mlp, TCE_OP_F_MOD_MLP);
}

/* wgrad (issue 11): mark a linear layer's backward op with the job's
 * main_grad precision and gradient_accumulation_fusion (wgradcost.h) */
static void wgrad_mark(const struct ctx *c, struct tce_op *op)
{
    const struct tce_training *t = &c->job->training;

    tce_wgradcost_mark(op, t->accumulate_allreduce_grads_in_fp32 ? 4.0 : 2.0,
                       t->gradient_accumulation_fusion);
}

/* The backward of a forward list: ops in reverse order, GEMMs twice the
 * FLOPs, element-wise twice the bytes (or the op's own bwd_bytes); AG <->
 * RS swap; CP K/V all-gather becomes a reduce-scatter of their gradients;
 * a CP ring step carries K/V and their gradients (twice the bytes).
 * regather (sequence parallelism without full recomputation): after the
 * reduce-scatter that is the gradient of a TP all-gather of a block's
 * input, that all-gather again:
 * the wgrad GEMM needs the whole input, which was not kept (Korthikanti et
 * al. 2022, arXiv 2205.05198, 4.2.2); Megatron-LM issues it asynchronously
 * under the dgrad GEMM (TCE_OVERLAP_COMPUTE). */
static void backward_of(const struct ctx *c, const struct tce_op_list *fwd,
                        struct tce_op_list *l, int regather)
{
    int i;

    for (i = fwd->n - 1; i >= 0; i--) {
        const struct tce_op *f = &fwd->ops[i];
        struct tce_op *op;

        if (f->flags & TCE_OP_F_NO_BACKWARD)
            continue;
        op = add(l);
        *op = *f;
        op->flags &= ~(unsigned)TCE_OP_F_RECOMPUTED;
        if (f->kind == TCE_OP_COMPUTE) {
            op->flags |= TCE_OP_F_BACKWARD;
            if (f->flops > 0) {
                op->flops = 2.0 * f->flops;
                op->bytes = 2.0 * f->bytes;
                /* wgrad (issue 11): a linear's dgrad and wgrad GEMMs,
                 * the wgrad accumulating into main_grad (wgradcost.h) */
                if (f->gemm_m > 0 && f->gemm_n > 0 && f->gemm_k > 0)
                    wgrad_mark(c, op);
            } else {
                op->bytes = f->bwd_bytes > 0.0 ? f->bwd_bytes
                                               : 2.0 * f->bytes;
                op->bwd_bytes = 0.0;
                if (f->bwd_kernels > 0)
                    op->kernels = f->bwd_kernels;
                op->bwd_kernels = 0;
            }
        } else if (f->kind == TCE_OP_COLLECTIVE) {
            if (f->coll == TCE_COLL_ALL_GATHER)
                op->coll = TCE_COLL_REDUCE_SCATTER;
            else if (f->coll == TCE_COLL_REDUCE_SCATTER)
                op->coll = TCE_COLL_ALL_GATHER;
            else if (f->coll == TCE_COLL_SENDRECV &&
                     f->group == TCE_GROUP_CP)
                op->bytes = 2.0 * f->bytes;
            if (regather && f->coll == TCE_COLL_ALL_GATHER &&
                f->group == TCE_GROUP_TP) {
                op = add(l);
                *op = *f;
                op->name = "tp_ag_regather";
                op->overlap = TCE_OVERLAP_COMPUTE;
            }
        }
    }
}

/* FSDP (optim_grads_params), at the end of a layer's forward and of its
 * backward: the parameters all-gathered for the next layer to run (the
 * prefetch), and after the backward the layer's gradients reduce-scattered;
 * dense weights over DP, experts over EDP. */
static void fsdp_ops(const struct ctx *c, int moe, struct tce_op_list *l,
                     int bwd)
{
    const struct tce_param_count *pc = c->pc;
    double gb = c->job->training.accumulate_allreduce_grads_in_fp32 ? 4.0
                                                                    : 2.0;
    double dense, expert = 0.0;

    /* emitted whatever dp is (a group of one costs nothing): the layer
     * lists are kept across GPU counts (tce_plan_relayout) */
    if (!pc ||
        tce_model_dp_sharding(c->job) < TCE_DP_SHARD_OPTIM_GRADS_PARAMS)
        return;
    if (moe) {
        dense = (pc->attention_per_layer + pc->shared_expert_per_layer) /
                    c->x.t +
                pc->router_per_layer + pc->norms_per_layer;
        expert = c->x.E * pc->expert_per_layer /
                 (c->x.t * (double)c->lay->ep);
    } else {
        dense = (pc->attention_per_layer + pc->dense_mlp_per_layer) /
                    c->x.t +
                pc->norms_per_layer;
    }
    {
        coll(l, "fsdp_ag_params", TCE_COLL_ALL_GATHER, TCE_GROUP_DP,
             dense * 2.0, TCE_OVERLAP_COMPUTE, TCE_CHARGE_DP, 0);
        if (bwd)
            coll(l, "fsdp_rs_grads", TCE_COLL_REDUCE_SCATTER, TCE_GROUP_DP,
                 dense * gb, TCE_OVERLAP_COMPUTE, TCE_CHARGE_DP,
                 TCE_OP_F_GRADIENT);
    }
    if (expert > 0) {
        coll(l, "fsdp_ag_expert_params", TCE_COLL_ALL_GATHER, TCE_GROUP_EDP,
             expert * 2.0, TCE_OVERLAP_COMPUTE, TCE_CHARGE_DP, 0);
        if (bwd)
            coll(l, "fsdp_rs_expert_grads", TCE_COLL_REDUCE_SCATTER,
                 TCE_GROUP_EDP, expert * gb, TCE_OVERLAP_COMPUTE,
                 TCE_CHARGE_DP, TCE_OP_F_GRADIENT);
    }
}

static void append(struct tce_op_list *dst, const struct tce_op_list *src,
                   int recompute)
{
    int i;

    for (i = 0; i < src->n; i++) {
        struct tce_op *op = add(dst);
        *op = src->ops[i];
        op->flags = recompute ? op->flags | TCE_OP_F_RECOMPUTED
                              : op->flags & ~(unsigned)TCE_OP_F_RECOMPUTED;
    }
}

static void layer_lists(const struct ctx *c, int moe,
                        struct tce_op_list *fwd, struct tce_op_list *bwd)
{
    enum tce_recompute rc = c->job->training.recompute_granularity;

    fwd->n = 0;
    bwd->n = 0;
    if (moe)
        moe_fwd(c, fwd, 0);
    else
        dense_fwd(c, fwd, 0);
    tce_plan_layer_marks(c, fwd); /* moe (issue 11): FP8, casts, graphs */
    if (rc == TCE_RECOMPUTE_FULL) {
        append(bwd, fwd, 1);
    } else if (rc == TCE_RECOMPUTE_SELECTIVE) {
        /* mem (wave 6): the modules recompute_modules names (core_attn by
         * default) */
        tce_plan_recompute_ops(c, moe, fwd, bwd);
    }
    backward_of(c, fwd, bwd, c->x.sp && rc != TCE_RECOMPUTE_FULL);
    fsdp_ops(c, moe, fwd, 0);
    fsdp_ops(c, moe, bwd, 1);
}

static void embed_lists(const struct ctx *c, struct tce_op_list *fwd,
                        struct tce_op_list *bwd)
{
    const struct dims *x = &c->x;

    fwd->n = 0;
    bwd->n = 0;
    /* vocabulary-parallel lookup: gather rows, then combine over TP */
    elt(fwd, "embed_lookup", 2.0 * 2.0 * x->T * x->h, 0);
    if (c->lay->tp > 1)
        coll(fwd, "tp_out_embed",
             x->sp ? TCE_COLL_REDUCE_SCATTER : TCE_COLL_ALL_REDUCE,
             TCE_GROUP_TP, x->T * x->h * 2.0, c->tp_ov, TCE_CHARGE_TP, 0);
    if (c->lay->tp > 1 && x->sp)
        coll(bwd, "tp_ag_embed", TCE_COLL_ALL_GATHER, TCE_GROUP_TP,
             x->T * x->h * 2.0, c->tp_ov, TCE_CHARGE_TP, 0);
    elt(bwd, "embed_grad", 2.0 * 2.0 * x->T * x->h, 0);
}

static void head_lists(const struct ctx *c, struct tce_op_list *fwd,
                       struct tce_op_list *bwd)
{
    const struct dims *x = &c->x;
    double logits = c->f.logits * x->T / x->t;
    int te_ce;

    fwd->n = 0;
    bwd->n = 0;
    elt(fwd, "final_ln", 4.0 * x->elt_tokens * x->h, 0);
    tp_enter(c, fwd, "tp_ag_head", 0);
    linear(gemm(fwd, "logits", logits, logits,
                2.0 * (x->T * x->h + x->h * x->V / x->t + x->T * x->V / x->t),
                0),
           x->T, x->V / x->t, x->h);
    /* vocab-parallel cross entropy in fp32: read logits, write and read
     * fp32 softmax, the backward 6 B a logit; the max/sum all-reduces over
     * TP are tokens x 4 B.  Transformer Engine's fused kernel
     * (cross_entropy_fusion_impl "te": transformer_engine/pytorch/triton/
     * cross_entropy.py) reads the BF16 logits twice (online softmax, then
     * the loss) and writes the gradient into them, 6 B a logit, and the
     * backward scales that gradient in place (element_mul_kernel), 4 B */
    te_ce = c->job->training.cross_entropy_loss_fusion &&
            c->job->training.cross_entropy_fusion_impl == TCE_CE_TE;
    elt(fwd, "loss", (te_ce ? 6.0 : 10.0) * x->T * x->V / x->t, 0);
    if (c->lay->tp > 1)
        coll(fwd, "tp_ar_loss", TCE_COLL_ALL_REDUCE, TCE_GROUP_TP,
             3.0 * 4.0 * x->T, TCE_OVERLAP_NONE, TCE_CHARGE_TP, 0);
    elt(bwd, "loss_grad", (te_ce ? 4.0 : 6.0) * x->T * x->V / x->t, 0);
    linear(gemm(bwd, "logits", 2.0 * logits, logits,
                4.0 * (x->T * x->h + x->h * x->V / x->t + x->T * x->V / x->t),
                TCE_OP_F_BACKWARD),
           x->T, x->V / x->t, x->h);
    wgrad_mark(c, &bwd->ops[bwd->n - 1]); /* wgrad (issue 11) */
    tp_leave(c, bwd, "tp_out_head", 0);
    elt(bwd, "final_ln", 8.0 * x->elt_tokens * x->h, 0);
}

static void p2p_lists(const struct ctx *c, struct tce_op_list *fwd,
                      struct tce_op_list *bwd)
{
    const struct dims *x = &c->x;
    /* Megatron's scatter/gather: each TP rank sends 1/t of the
     * activation (with SP it only holds 1/t); the receiver's all-gather
     * over the scale-up link is left out */
    double bytes = x->T * x->h * 2.0 / x->t;
    struct tce_op *op;

    fwd->n = 0;
    bwd->n = 0;
    if (c->lay->pp <= 1)
        return;
    op = add(fwd);
    op->name = "pp_recv_act";
    op->kind = TCE_OP_RECV;
    op->coll = TCE_COLL_SENDRECV;
    op->group = TCE_GROUP_PP;
    op->peer = TCE_PEER_PREV;
    op->charge = TCE_CHARGE_PP;
    op->bytes = bytes;
    op = add(fwd);
    *op = fwd->ops[0];
    op->name = "pp_send_act";
    op->kind = TCE_OP_SEND;
    op->peer = TCE_PEER_NEXT;
    op = add(bwd);
    *op = fwd->ops[0];
    op->name = "pp_recv_grad";
    op->peer = TCE_PEER_NEXT;
    op->flags = TCE_OP_F_GRADIENT;
    op = add(bwd);
    *op = fwd->ops[0];
    op->name = "pp_send_grad";
    op->kind = TCE_OP_SEND;
    op->peer = TCE_PEER_PREV;
    op->flags = TCE_OP_F_GRADIENT;
}

/* The DDP bucket size in parameters (Megatron-LM's --ddp-bucket-size,
 * DistributedDataParallelConfig.bucket_size, counts parameters): the job's,
 * or Megatron-Core's default max(40,000,000, 1,000,000 x DP) when it gives
 * 0 (distributed_data_parallel.py).  Megatron-Core puts everything in one
 * bucket without overlap_grad_reduce; tcemu keeps the buckets then (the
 * emulator's jobs reduce in buckets the links calibration measured) */
static double bucket_params(const struct tce_training *tr, int64_t dp)
{
    if (tr->ddp_bucket_size > 0)
        return (double)tr->ddp_bucket_size;
    return fmax(40e6, 1e6 * (double)dp);
}

/* How many buckets of bucket parameters (bucket_params) params take. */
static int64_t buckets(double params, double bucket)
{
    double n;

    if (params <= 0 || bucket <= 0)
        return 1;
    n = ceil(params / bucket);
    return n < 1 ? 1 : (int64_t)n;
}

/* A once-per-iteration DP collective of params parameters at elem bytes
 * each, in DDP buckets (bucket_params): one op of count = the buckets,
 * each its share.  split_buckets sets the split on op (rebucket redoes it
 * at another dp, so a relaid plan equals a fresh build bit for bit). */
static void split_buckets(struct tce_op *op, double params, double elem,
                          const struct ctx *c)
{
    int64_t nb = buckets(params, bucket_params(&c->job->training, c->lay->dp));

    op->bytes = params * elem / (double)nb;
    op->count = nb;
}

static void bucketed(struct tce_op_list *l, const char *name,
                     enum tce_coll kind, enum tce_group group, double params,
                     double elem, enum tce_overlap overlap, unsigned flags,
                     const struct ctx *c)
{
    coll(l, name, kind, group, 0.0, overlap, TCE_CHARGE_DP, flags);
    split_buckets(&l->ops[l->n - 1], params, elem, c);
}

/* Parameters of this stage's layers that are not experts (what FSDP
 * gathers per layer over DP). */
static double layer_dense_params(const struct ctx *c,
                                 const struct tce_plan *plan)
{
    const struct tce_param_count *pc = &plan->param_count;
    double t = (double)c->lay->tp; /* relayout's context has no dims */

    return (double)plan->dense_layers *
               (pc->attention_per_layer + pc->dense_mlp_per_layer) /
               t +
           (double)plan->moe_layers *
               (pc->attention_per_layer + pc->shared_expert_per_layer) /
               t +
           (double)plan->moe_layers * pc->router_per_layer +
           (double)plan->layers * pc->norms_per_layer;
}

/* HBM bytes of the optimizer step: the parameters this rank's optimizer
 * owns (edp: the EDP group's size) x (gradient + 12 + 12 + 2 bytes). */
static double optimizer_bytes(const struct ctx *c, const struct tce_plan *plan,
                              int64_t edp, int distopt, double gb)
{
    double owned = plan->params;

    if (distopt)
        /* Megatron shards the optimizer over DP x CP (as model.h) */
        owned = plan->dense_params / (double)(c->lay->dp * c->lay->cp) +
                plan->expert_params /
                    (double)((edp > 0 ? edp : 1) * c->lay->cp);
    return owned * (gb + 12.0 + 12.0 + 2.0);
}

/* The dense and expert parameters the per-iteration DP collectives move:
 * the stage's, less what FSDP gathers per layer (attn, issue 11: the
 * sharding strategy, model.h; FSDP moves the layers' gathers and
 * reduce-scatters into the layer lists) */
static void dp_params(const struct ctx *c, const struct tce_plan *plan,
                      double *dense, double *expert)
{
    *dense = plan->dense_params;
    *expert = plan->expert_params;
    if (tce_model_dp_sharding(c->job) >= TCE_DP_SHARD_OPTIM_GRADS_PARAMS) {
        *dense -= layer_dense_params(c, plan);
        if (*dense < 0)
            *dense = 0.0;
        *expert = 0.0;
    }
}

static void iteration_lists(const struct ctx *c, struct tce_plan *plan)
{
    const struct tce_training *tr = &c->job->training;
    enum tce_dp_sharding shard = tce_model_dp_sharding(c->job);
    int distopt = shard >= TCE_DP_SHARD_OPTIM;
    struct tce_op_list *begin = &plan->list[TCE_PLAN_ITER_BEGIN];
    struct tce_op_list *end = &plan->list[TCE_PLAN_ITER_END];
    int64_t edp = tce_layout_group_size(c->lay, TCE_GROUP_EDP);
    double gb = tr->accumulate_allreduce_grads_in_fp32 ? 4.0 : 2.0;
    double dense, expert;
    enum tce_overlap ag_over, rs_over;
    enum tce_coll red;

    dp_params(c, plan, &dense, &expert);
    begin->n = 0;
    end->n = 0;
    ag_over = tr->overlap_param_gather ? TCE_OVERLAP_FORWARD
                                       : TCE_OVERLAP_NONE;
    rs_over = tr->overlap_grad_reduce ? TCE_OVERLAP_BACKWARD
                                      : TCE_OVERLAP_NONE;
    red = distopt ? TCE_COLL_REDUCE_SCATTER : TCE_COLL_ALL_REDUCE;
    if (distopt && c->lay->dp > 1 && dense > 0)
        bucketed(begin, "dp_ag_params", TCE_COLL_ALL_GATHER, TCE_GROUP_DP,
                 dense, 2.0, ag_over, 0, c);
    if (distopt && edp > 1 && expert > 0)
        bucketed(begin, "edp_ag_params", TCE_COLL_ALL_GATHER, TCE_GROUP_EDP,
                 expert, 2.0, ag_over, 0, c);
    /* gradients in 4 bytes with accumulate_allreduce_grads_in_fp32
     * (plan->grad_bytes) */
    if (c->lay->dp > 1 && dense > 0)
        bucketed(end, distopt ? "dp_rs_grads" : "dp_ar_grads", red,
                 TCE_GROUP_DP, dense, gb, rs_over, TCE_OP_F_GRADIENT, c);
    if (edp > 1 && expert > 0)
        bucketed(end, distopt ? "edp_rs_grads" : "edp_ar_grads", red,
                 TCE_GROUP_EDP, expert, gb, rs_over, TCE_OP_F_GRADIENT, c);
    elt(end, "optimizer", optimizer_bytes(c, plan, edp, distopt, gb), 0);
    end->ops[end->n - 1].charge = TCE_CHARGE_OPTIMIZER;
}

/* speed (issue 11): the per-iteration lists of the same stage at another dp
 * that keeps dp > 1 and edp > 1 as they were hold the same collectives with
 * the same bytes; only the optimizer's shard (ITER_END's last op, as
 * iteration_lists appends it) changes. */
static void reshard_optimizer(const struct ctx *c, struct tce_plan *plan)
{
    struct tce_op_list *end = &plan->list[TCE_PLAN_ITER_END];
    double gb = c->job->training.accumulate_allreduce_grads_in_fp32 ? 4.0
                                                                    : 2.0;

    end->ops[end->n - 1].bytes = optimizer_bytes(
        c, plan, tce_layout_group_size(c->lay, TCE_GROUP_EDP),
        tce_model_dp_sharding(c->job) >= TCE_DP_SHARD_OPTIM, gb);
}

/* speed (issue 11): the DP collectives of iteration_lists in buckets of
 * another size (the default follows dp, bucket_params): each op's total
 * and its split computed as bucketed computes them, so the lists equal a
 * fresh build's bit for bit */
static void rebucket(const struct ctx *c, struct tce_plan *plan)
{
    const struct tce_training *tr = &c->job->training;
    double gb = tr->accumulate_allreduce_grads_in_fp32 ? 4.0 : 2.0;
    double p[2];
    int k, i;

    dp_params(c, plan, &p[0], &p[1]);
    for (k = TCE_PLAN_ITER_BEGIN; k <= TCE_PLAN_ITER_END; k++) {
        struct tce_op_list *l = &plan->list[k];
        double elem = k == TCE_PLAN_ITER_BEGIN ? 2.0 : gb;

        for (i = 0; i < l->n; i++)
            if (l->ops[i].kind == TCE_OP_COLLECTIVE)
                split_buckets(&l->ops[i],
                              p[l->ops[i].group == TCE_GROUP_DP ? 0 : 1],
                              elem, c);
    }
}

/* layers_checked: the layer split of (job, pp, vpp) was checked when the
 * plan was built (restage, relayout to the same shape): not again. */
static int check_shape(const struct tce_job *job,
                       const struct tce_layout *layout, int64_t stage,
                       int layers_checked, struct tce_error *err)
{
    int64_t p = layout->pp, v = layout->vpp > 0 ? layout->vpp : 1;
    struct tce_error why;
    int ret = 0;

    if (layout->tp < 1 || p < 1 || layout->cp < 1 || layout->dp < 1 ||
        layout->ep < 1 || layout->micro_batch < 1 ||
        layout->microbatches < 1) {
        ret = tce_error_set(err, TCE_EUSAGE, "plan: incomplete layout");
        goto out;
    }
    if (stage < 0 || stage >= p) {
        ret = tce_error_set(err, TCE_EUSAGE,
                            "plan: stage %lld outside [0, %lld)",
                            (long long)stage, (long long)p);
        goto out;
    }
    if (!layers_checked && tce_layout_check_layers(job, p, v, &why) != 0) {
        ret = tce_error_set(err, TCE_ECONFIG, "plan: %s", why.msg);
        goto out;
    }
out:
    return ret;
}

static void init_ctx(struct ctx *c, const struct tce_job *job,
                     const struct tce_layout *layout,
                     const struct tce_plan *cached)
{
    c->job = job;
    c->lay = layout;
    resolve(job, layout, &c->x);
    if (cached)
        c->f = cached->flops_per_token;
    else
        tce_model_flops_breakdown(&job->model, &c->f);
    c->tp_ov = job->training.tp_comm_overlap ? TCE_OVERLAP_COMPUTE
                                             : TCE_OVERLAP_NONE;
    c->pc = cached ? &cached->param_count : NULL;
}

/* Everything that depends on the stage: layer counts, parameters held,
 * embedding / head, p2p and per-iteration lists. */
static void stage_part(const struct ctx *c, int64_t stage,
                       struct tce_plan *plan)
{
    const struct tce_model *m = &c->job->model;
    const struct tce_layout *layout = c->lay;
    const struct tce_param_count *pc = &plan->param_count;
    int64_t p = layout->pp, v = plan->chunks, k, j;

    double gb, dense, expert;

    plan->stage = stage;
    plan->first_stage = stage == 0;
    plan->last_stage = stage == p - 1;
    plan->layers = tce_layout_stage_layers(c->job, layout, stage);
    if (tce_plan_take_layout(plan, &c->job->parallel, p * v)) /* repro */
        ;
    else if (c->job->parallel.decoder_first_pipeline_num_layers > 0 ||
        c->job->parallel.decoder_last_pipeline_num_layers > 0) {
        plan->chunk_layers = plan->layers / v;
        plan->chunk_stride_layers = m->num_layers / v;
        plan->chunk_offset_layers =
            tce_layout_chunk_first_layer(c->job, layout, stage, 0);
        plan->embed_slot = plan->loss_slot = 0;
    } else {
        plan->embed_slot =
            c->job->parallel.account_for_embedding_in_pipeline_split != 0;
        plan->loss_slot =
            c->job->parallel.account_for_loss_in_pipeline_split != 0;
        plan->chunk_layers = (m->num_layers + plan->embed_slot +
                              plan->loss_slot) / (p * v);
        plan->chunk_stride_layers = p * plan->chunk_layers;
        plan->chunk_offset_layers = stage * plan->chunk_layers;
    }
    plan->moe_layers = 0;
    for (k = 0; k < v && m->num_experts > 0; k++) {
        j = tce_plan_chunk_first_layer(plan, k);
        plan->moe_layers +=
            tce_model_moe_layers_in(m, j, j + tce_plan_chunk_layers(plan, k));
    }
    plan->dense_layers = plan->layers - plan->moe_layers;

    /* parameters this rank holds */
    dense = (double)plan->dense_layers *
                (pc->attention_per_layer + pc->dense_mlp_per_layer) /
                c->x.t +
            (double)plan->moe_layers *
                (pc->attention_per_layer + pc->shared_expert_per_layer) /
                c->x.t +
            (double)plan->moe_layers * pc->router_per_layer +
            (double)plan->layers * pc->norms_per_layer;
    if (plan->first_stage)
        dense += pc->embedding / c->x.t;
    if (plan->last_stage) {
        dense += pc->final_norm;
        dense += (pc->output > 0 ? pc->output : (p > 1 ? pc->embedding : 0.0)) /
                 c->x.t;
    }
    expert = (double)plan->moe_layers * c->x.E * pc->expert_per_layer /
             ((layout->etp > 0 ? (double)layout->etp : c->x.t) *
              (double)layout->ep);
    plan->dense_params = dense;
    plan->expert_params = expert;
    plan->params = dense + expert;
    gb = c->job->training.accumulate_allreduce_grads_in_fp32 ? 4.0 : 2.0;
    plan->grad_bytes = dense * gb;
    plan->expert_grad_bytes = expert * gb;

    plan->list[TCE_PLAN_EMBED_FWD].n = 0;
    plan->list[TCE_PLAN_EMBED_BWD].n = 0;
    plan->list[TCE_PLAN_HEAD_FWD].n = 0;
    plan->list[TCE_PLAN_HEAD_BWD].n = 0;
    if (plan->first_stage)
        embed_lists(c, &plan->list[TCE_PLAN_EMBED_FWD],
                    &plan->list[TCE_PLAN_EMBED_BWD]);
    if (plan->last_stage)
        head_lists(c, &plan->list[TCE_PLAN_HEAD_FWD],
                   &plan->list[TCE_PLAN_HEAD_BWD]);
    tce_plan_mtp_lists(c, plan); /* fitm (wave 4): MTP, last stage */
    p2p_lists(c, &plan->list[TCE_PLAN_P2P_FWD],
              &plan->list[TCE_PLAN_P2P_BWD]);
    iteration_lists(c, plan);
}

/* A list that filled up (add() overwrote its last op past the end): an
 * internal error naming it, never a plan with an op silently lost. */
static int plan_full(const struct tce_plan *plan, struct tce_error *err)
{
    int k;

    for (k = 0; k < TCE_PLAN_LIST_COUNT; k++)
        if (plan->list[k].n >= TCE_PLAN_OPS_MAX)
            return tce_error_set(err, TCE_EINTERNAL,
                                 "plan: op list %d (enum tce_plan_list) needs "
                                 "more than %d ops (TCE_PLAN_OPS_MAX, plan.h)",
                                 k, TCE_PLAN_OPS_MAX - 1);
    return 0;
}

int tce_plan_build(const struct tce_job *job, const struct tce_layout *layout,
                   int64_t stage, struct tce_plan *plan,
                   struct tce_error *err)
{
    struct ctx c;
    const struct tce_model *m = &job->model;
    int k, ret;

    ret = check_shape(job, layout, stage, 0, err);
    if (ret < 0)
        goto out;
    init_ctx(&c, job, layout, NULL);
    plan->flops_per_token = c.f;
    tce_model_count_params(m, &plan->param_count);
    c.pc = &plan->param_count;
    plan->layout = *layout;
    plan->layout.vpp = layout->vpp > 0 ? layout->vpp : 1;
    plan->microbatches = layout->microbatches;
    plan->chunks = plan->layout.vpp;
    plan->num_layers = m->num_layers;
    plan->moe_first_dense_layers = m->moe_first_dense_layers;
    plan->moe_layer_freq = m->moe_layer_freq;
    plan->num_experts = m->num_experts;
    plan->recompute = job->training.recompute_granularity;
    for (k = 0; k < TCE_PLAN_LIST_COUNT; k++)
        plan->list[k].n = 0;
    /* the layer lists are the same on every stage; MoE lists are built
     * whenever the model has experts, so tce_plan_restage can reuse them */
    layer_lists(&c, 0, &plan->list[TCE_PLAN_DENSE_FWD],
                &plan->list[TCE_PLAN_DENSE_BWD]);
    if (m->num_experts > 0)
        layer_lists(&c, 1, &plan->list[TCE_PLAN_MOE_FWD],
                    &plan->list[TCE_PLAN_MOE_BWD]);
    stage_part(&c, stage, plan);
    ret = plan_full(plan, err);
out:
    return ret;
}

int tce_plan_restage(const struct tce_job *job, int64_t stage,
                     struct tce_plan *plan, struct tce_error *err)
{
    struct ctx c;
    int ret;

    ret = check_shape(job, &plan->layout, stage, 1, err);
    if (ret < 0)
        goto out;
    init_ctx(&c, job, &plan->layout, plan);
    stage_part(&c, stage, plan);
    ret = plan_full(plan, err);
out:
    return ret;
}

int tce_plan_same_layer_shape(const struct tce_plan *plan,
                              const struct tce_layout *layout)
{
    const struct tce_layout *old = &plan->layout;

    /* what the layer lists depend on besides the job */
    return layout->tp == old->tp && layout->cp == old->cp &&
           layout->ep == old->ep && layout->micro_batch == old->micro_batch &&
           layout->pp == old->pp &&
           (layout->vpp > 0 ? layout->vpp : 1) == old->vpp;
}

int tce_plan_relayout(const struct tce_job *job,
                      const struct tce_layout *layout, int64_t stage,
                      struct tce_plan *plan, struct tce_error *err)
{
    struct ctx c;
    int ret, same_comm, rebuck;

    if (!tce_plan_same_layer_shape(plan, layout))
        return tce_plan_build(job, layout, stage, plan, err);
    ret = check_shape(job, layout, stage, 1, err);
    if (ret < 0)
        goto out;
    /* speed (issue 11): which collectives the per-iteration lists hold
     * depends on dp only through dp > 1 and edp > 1 (their bytes on the
     * stage's parameters, not on dp); their split into buckets through
     * the default DDP bucket size (bucket_params: 1,000,000 x DP past
     * DP 40) */
    same_comm = (layout->dp > 1) == (plan->layout.dp > 1) &&
                (tce_layout_group_size(layout, TCE_GROUP_EDP) > 1) ==
                    (tce_layout_group_size(&plan->layout, TCE_GROUP_EDP) > 1);
    rebuck = bucket_params(&job->training, layout->dp) !=
             bucket_params(&job->training, plan->layout.dp);
    plan->layout = *layout;
    plan->layout.vpp = layout->vpp > 0 ? layout->vpp : 1;
    plan->microbatches = layout->microbatches;
    if (stage == plan->stage) {
        /* same stage: layer counts, parameters held, embedding / head and
         * p2p lists do not depend on dp; the per-iteration lists (DP
         * buckets, optimizer shard) do */
        c.job = job;   /* all iteration_lists reads of the context */
        c.lay = &plan->layout;
        if (same_comm) {
            if (rebuck)
                rebucket(&c, plan);
            reshard_optimizer(&c, plan);
        }
        else
            iteration_lists(&c, plan);
        goto out;
    }
    init_ctx(&c, job, &plan->layout, plan);
    stage_part(&c, stage, plan);
    ret = plan_full(plan, err);
out:
    return ret;
}
