/*
 * plan_moe.c - the plan's MLP blocks: a dense MLP of any width (the dense
 * layer's, the shared experts') and the MoE layer (router, expert-parallel
 * dispatch and combine, token permutation, the local experts' grouped
 * GEMMs), and the multi-token prediction modules.  Built with plan.c's op
 * builders (plan_int.h); the conventions are plan.h's; a layer's FP8 marks
 * and casts are plan_fp8.c's.  Pure, no allocation.
 *
 * Assumptions (issue 11; printed by `tcemu project` with the plan's):
 *  - routing is uniform and balanced (the Megatron-Bridge benchmarks
 *    force-balance it); training.moe_expert_load_imbalance scales the
 *    busiest rank's expert work;
 *  - token drop (training.moe_expert_capacity_factor): the copies a rank
 *    sends and permutes and the busiest expert's work as moecap.h gives
 *    them; padded to capacity the alltoall dispatcher knows every size on
 *    the host (token_dispatcher.py preprocess: drop_and_pad returns before
 *    any count is copied: no host-device sync);
 *  - dispatcher alltoall: every routed copy of a token crosses the EP group
 *    (Megatron-Core MoEAlltoAllTokenDispatcher); allgather: the EP group's
 *    tokens are all-gathered and the outputs reduce-scattered
 *    (MoEAllGatherTokenDispatcher); flex (DeepEP, DeepSeek-V3 report
 *    arXiv:2412.19437 section 3.2.2): a token crosses the scale-out network
 *    once per destination scale-up domain (an all-to-all over EP_INTER with
 *    the expected number of distinct destination domains,
 *    R (1 - (1 - 1/R)^k) for k experts spread uniformly over R reachable
 *    domains; group-limited routing caps R at moe_router_group_topk groups'
 *    domains, and where several groups share a domain the expectation is
 *    taken over which groups a token may use (flexep.h)) and is
 *    fanned out to its k experts over NVLink (an all-to-all
 *    over EP_INTRA); combine is the reverse;
 *  - dispatch in FP8 with training.moe_fp8_dispatch: 1 byte per value plus
 *    a 4-byte scale per 128 (DeepSeek-V3's 1x128 tiles); combine in BF16;
 *  - overlap_moe_expert_parallel_comm: dispatch and combine are hidden
 *    under compute (Megatron-Core 0.14's batch-level EP overlap, DualPipe's
 *    idea), marked TCE_OVERLAP_COMPUTE and TCE_OP_F_EP_PAIRED: the
 *    projector pairs them with the other pass's compute runs as the
 *    combined 1F1B schedule does (eppair.h tce_eppair_charge);
 *    while it runs it holds moe_deepep_num_sms of accelerator.sm_count
 *    (DeepSeek-V3 gives 20 of 132 SMs to communication; DeepEP's and
 *    HybridEP's kernels run on a fixed number of SMs, free again when they
 *    end), and the compute under it runs on the rest: the projector adds
 *    the hidden communication's time x num_sms / sm_count to the layer;
 *  - permute and unpermute (Megatron-Core moe_utils permute / unpermute):
 *    each reads and writes k copies of the rank's tokens in BF16
 *    (2 x k x tokens x h x 2 bytes); the router's softmax / top-k reads
 *    and writes fp32 scores (tokens x experts x 8 bytes); the alltoall
 *    dispatcher with several local experts sorts the received rows by
 *    local expert and unsorts the output (sort_by_local_expert); kernel
 *    launches per op and the dispatcher's host-device sync: see
 *    dispatch_kernels (sync, issue 11).
 */
#include <math.h>
#include <stdio.h>

#include "plan_int.h"
#include "tcemu/flexep.h"     /* deepep (issue 11) */
#include "tcemu/moecap.h"     /* token drop (issue 11) */

/* Forward of a dense MLP of width f (per TP group), named by prefix. */
void tce_plan_mlp_fwd(const struct ctx *c, struct tce_op_list *l, double f,
                      double tokens, const char *fc1, const char *act,
                      const char *fc2, unsigned fl)
{
    const struct dims *x = &c->x;
    double fl1 = 2.0 * tokens * x->h * f * (x->nmat - 1.0) / x->t;
    double fl2 = 2.0 * tokens * x->h * f / x->t;

    linear(gemm(l, fc1, fl1, fl1 / (x->nmat - 1.0),
                2.0 * (tokens * x->h + x->h * f * (x->nmat - 1.0) / x->t +
                       tokens * f * (x->nmat - 1.0) / x->t),
                fl),
           tokens, f * (x->nmat - 1.0) / x->t, x->h);
    elt(l, act, 2.0 * tokens * f / x->t * x->nmat, fl | TCE_OP_F_ACT);
    linear(gemm(l, fc2, fl2, fl2,
                2.0 * (tokens * f / x->t + x->h * f / x->t + tokens * x->h),
                fl),
           tokens, x->h, f / x->t);
}


/* Bytes of one dispatched value. */
static double dispatch_elt_bytes(const struct ctx *c)
{
    if (c->job->training.moe_fp8_dispatch && tce_plan_fp8(c->job))
        return 1.0 + 4.0 / 128.0;
    return 2.0;
}

static void ep_comm(const struct ctx *c, struct tce_op_list *l, int combine,
                    unsigned fl)
{
    const struct dims *x = &c->x;
    const struct tce_model *m = &c->job->model;
    enum tce_overlap ov = c->job->training.overlap_moe_expert_parallel_comm
                              ? TCE_OVERLAP_COMPUTE
                              : TCE_OVERLAP_NONE;
    double eb = combine ? 2.0 : dispatch_elt_bytes(c);
    double token = x->elt_tokens * x->h * eb; /* one copy of the tokens */
    int64_t kin = tce_layout_ep_domain_members(c->lay);
    double D = (double)(c->lay->ep / kin), nd;

    if (c->lay->ep <= 1)
        return;
    /* overlap (issue 11): paired with another microbatch (projector.h) */
    if (ov == TCE_OVERLAP_COMPUTE)
        fl |= TCE_OP_F_EP_PAIRED;
    switch (c->job->parallel.moe_token_dispatcher_type) {
    case TCE_DISPATCHER_ALLGATHER:
        coll(l, combine ? "ep_rs_combine" : "ep_ag_dispatch",
             combine ? TCE_COLL_REDUCE_SCATTER : TCE_COLL_ALL_GATHER,
             TCE_GROUP_EP, token * (double)c->lay->ep, ov, TCE_CHARGE_EP, fl);
        return;
    case TCE_DISPATCHER_FLEX:
        if (D > 1.0) {
            /* deepep (issue 11): DeepEP forwards each token over NVLink as
             * its RDMA copy arrives (DeepSeek-V3 3.2.2: "fully overlapped")
             * at its measured rate (flexep.h); HybridEP: stage by stage */
            int deepep = c->job->parallel.moe_flex_dispatcher_backend ==
                         TCE_FLEX_DEEPEP;
            unsigned second = deepep ? TCE_OP_F_PIPELINED : 0u;

            nd = tce_flexep_domains(D, x->topk,
                                      (double)m->moe_router_num_groups,
                                      (double)m->moe_router_group_topk);
            if (combine && kin > 1)
                coll(l, "ep_combine_intra", TCE_COLL_ALL_TO_ALL,
                     TCE_GROUP_EP_INTRA, token * x->topk, ov, TCE_CHARGE_EP,
                     fl);
            coll(l, combine ? "ep_combine_inter" : "ep_dispatch_inter",
                 TCE_COLL_ALL_TO_ALL, TCE_GROUP_EP_INTER, token * nd, ov,
                 TCE_CHARGE_EP, fl | (combine && kin > 1 ? second : 0u));
            if (deepep)
                l->ops[l->n - 1].wire_efficiency =
                    tce_deepep_wire_efficiency(D, combine);
            if (!combine && kin > 1)
                coll(l, "ep_dispatch_intra", TCE_COLL_ALL_TO_ALL,
                     TCE_GROUP_EP_INTRA, token * x->topk, ov, TCE_CHARGE_EP,
                     fl | second);
            return;
        }
        break; /* one domain: the plain all-to-all */
    case TCE_DISPATCHER_ALLTOALL:
        break;
    }
    coll(l, combine ? "ep_a2a_combine" : "ep_a2a_dispatch",
         TCE_COLL_ALL_TO_ALL, TCE_GROUP_EP,
         token * x->topk * tce_moecap_routed_share(&c->job->training), ov,
         TCE_CHARGE_EP, fl);
}

/* sync (issue 11): kernel launches per op of an eager MoE layer's forward
 * (Megatron-Core main, Transformer Engine main, 2026-08; the backward:
 * hostsync.h).  Counted from the code paths:
 *  - router: the input cast to the router dtype and the gating GEMM
 *    (moe/router.py gating, router_gating_linear);
 *  - top-k: scores, top-k, routing map and probabilities, the aux-loss
 *    scores, token counts and loss (router.py routing, moe_utils.py
 *    topk_routing_with_score_function, switch_load_balancing_loss_func);
 *  - expert activation: the probability-weighted SwiGLU and its cast
 *    (experts.py TEGroupedMLP);
 *  - a grouped linear (TE GroupedLinear without the grouped-tensor path):
 *    one cuBLASLt GEMM per local expert (transformer_engine/common/gemm/
 *    cublaslt_gemm.cu multi_stream_cublas_gemm; CUTLASS grouped GEMM only
 *    on Hopper with NVTE_USE_CUTLASS_GROUPED_GEMM), and under FP8 one
 *    quantize per local expert (pytorch/csrc/extensions/cast.cpp
 *    split_quantize -> multi_tensor_quantize_impl), counted in fp8_cast. */
enum {
    MOE_K_ROUTER = 2,
    MOE_K_TOPK = 6,
    MOE_K_ACT = 2,
    MOE_K_CLAMP = 3, /* gptoss: two clamps and the concatenation */
    /* after the experts: combine (all-to-all, reduce-scatter or flex's
     * fused 2), unpermute, the shared-expert add (token_dispatcher.py) */
    MOE_K_COMBINE = 3,
    /* gptoss: the expert bias loop's backward, an expert (see its op) */
    MOE_K_BIAS_BWD = 5,
};

/* gptoss (issue 11): the model's eager passes around the experts, which
 * the Transformer Engine op fuser folds into its fused grouped MLP
 * (experts.py _make_fused_ops: ScaledClampedQGeGLU, GroupedLinear with
 * the FC2 bias scaled by the probabilities) */
int tce_plan_moe_clamp_eager(const struct ctx *c)
{
    return c->job->model.activation_func_clamp_value > 0.0 &&
           !c->job->training.use_transformer_engine_op_fuser;
}

static int bias_loop(const struct tce_job *job)
{
    return job->model.add_bias_linear &&
           !job->training.use_transformer_engine_op_fuser;
}

int tce_plan_moe_bias_loop(const struct ctx *c)
{
    return bias_loop(c->job);
}

static int local_gemms(double local)
{
    return local >= 1.0 ? (int)local : 1;
}

/* The dispatcher's host work before the experts, with its NCCL launches
 * (moe/token_dispatcher.py):
 *  - alltoall (MoEAlltoAllTokenDispatcher.preprocess, dispatch_preprocess,
 *    token_dispatch, dispatch_postprocess): the counts (routing-map sum,
 *    cast, input splits, their all-gather over TP x EP, slice, 3 sums: 8),
 *    5 device-to-host copies and an event on the D2H stream
 *    (_maybe_dtoh_and_synchronize: 6), the fused permute (row-id map and
 *    permute: 3), the tokens' and probabilities' all-to-alls (2): 19, and
 *    the sort by local expert its own op (sort_by_local_expert);
 *  - allgather (MoEAllGatherTokenDispatcher): all-gathers of tokens,
 *    probabilities and routing map (3), the local map, its sum and the
 *    copy to the CPU (3), the permute (3): 9;
 *  - flex (_DeepepManager / _HybridEPManager setup_metadata, dispatch):
 *    top-k indices or the routing map reshaped (2), the fused dispatch
 *    (layout / notify, dispatch; HybridEP: preprocess, dispatch, permute:
 *    3), the received count (1): 6.
 * Each synchronises the host with the GPU once per forward (the alltoall
 * dispatcher's cuda_sync_point, the allgather's .cpu(), DeepEP's CPU
 * busy-wait for the received count (deep_ep buffer.hpp), HybridEP's
 * tokens_per_expert.sum() without a static budget), unless the sizes
 * are known on the host (tce_plan_moe_sync_free). */
static int dispatch_kernels(const struct tce_job *job)
{
    switch (job->parallel.moe_token_dispatcher_type) {
    case TCE_DISPATCHER_ALLGATHER:
        return 9;
    case TCE_DISPATCHER_FLEX:
        return 6;
    case TCE_DISPATCHER_ALLTOALL:
        break;
    }
    return 19;
}

/* host (issue 11): the dispatcher's backward launches, where they are not
 * its forward's.  The alltoall dispatcher's counts, splits, device-to-host
 * copies and sync carry no gradient: its backward is the two all-to-alls
 * reversed (tokens' and probabilities' gradients; token_dispatcher.py
 * all_to_all, mappings.py _AllToAll.backward), the fused permute's
 * backward (Transformer Engine permutation.py: one unpermute kernel for
 * the tokens and their probabilities) and the add of the input's two
 * gradients (the router's and the permute's): 5.  The allgather and flex
 * dispatchers keep their forward's count (not read against their
 * backward). */
static int dispatch_bwd_kernels(const struct tce_job *job)
{
    return job->parallel.moe_token_dispatcher_type ==
                   TCE_DISPATCHER_ALLTOALL
               ? 5
               : 0;
}

/* kern (issue 11): the alltoall dispatcher with more than one local
 * expert sorts what the all-to-all delivered, grouped by source rank, into
 * one block per local expert (dispatch_postprocess "Permutation 2":
 * sort_chunks_by_idxs, or padded to capacity a transpose().contiguous()),
 * and unsorts the experts' output before the combine (combine_preprocess
 * "Unpermutation 2"): each reads and writes every row the rank's experts
 * take (pairs x h, BF16), one kernel, its backward the inverse
 * permutation (token_dispatcher.py, core_v0.14.0 and dev). */
static int sorts_by_expert(const struct tce_job *job, double local)
{
    return job->parallel.moe_token_dispatcher_type ==
               TCE_DISPATCHER_ALLTOALL &&
           local > 1.0;
}

static void sort_by_local_expert(const struct ctx *c, struct tce_op_list *l,
                                 const char *name, double pairs,
                                 double local, unsigned fl)
{
    if (!sorts_by_expert(c->job, local))
        return;
    elt(l, name, 2.0 * pairs * c->x.h * 2.0, fl);
    kernels(l, 1);
}

int tce_plan_moe_sync_free(const struct tce_job *job)
{
    enum tce_dispatcher d = job->parallel.moe_token_dispatcher_type;

    return (d == TCE_DISPATCHER_FLEX &&
            job->training.moe_expert_rank_capacity_factor > 0.0) ||
           (d == TCE_DISPATCHER_ALLTOALL &&
            job->training.moe_expert_capacity_factor > 0.0 &&
            job->training.moe_pad_expert_input_to_capacity);
}

/* qwen (issue 11): an FP8 job's experts run between Transformer Engine's
 * Fp8Padding and Fp8Unpadding (megatron/core/transformer/moe/experts.py
 * TEGroupedMLP): each local expert's rows padded to the quantisation
 * alignment (MXFP8 32, else 16), a copy of the whole token tensor into a
 * new buffer (TE fp8_padding.py, fused_multi_row_padding) unless every
 * count is already aligned, which force-balanced random routing leaves to
 * chance; the unpadding copies the output back.  Each reads and writes
 * the rank's routed copies once (BF16), its backward the same.  HybridEP
 * (the flex dispatcher) pads the counts itself (token_dispatcher.py:
 * pad_multiple), so the copies find them aligned; the TE op fuser takes
 * grouped tensors. */
static void fp8_padding(const struct ctx *c, struct tce_op_list *l,
                        const char *name, double pairs, unsigned fl)
{
    double b = 2.0 * pairs * c->x.h * 2.0;

    if (!tce_plan_fp8(c->job) ||
        c->job->parallel.moe_token_dispatcher_type == TCE_DISPATCHER_FLEX ||
        c->job->training.use_transformer_engine_op_fuser)
        return;
    elt_passes(l, name, b, b, 2, fl);
}

void tce_plan_moe_fwd(const struct ctx *c, struct tce_op_list *l,
                      unsigned fl)
{
    const struct dims *x = &c->x;
    double ep = (double)c->lay->ep;
    double imb = tce_moecap_expert_load(&c->job->training);
    /* expert tensor parallel: tp, or MoE Parallel Folding's etp; folded
     * to another size, the experts take the rank's own (sequence-parallel)
     * tokens and the etp group's, with no attention-TP communication
     * around them (expert-TP communication for 1 < etp != tp is not
     * modelled) */
    double et = c->lay->etp > 0 ? (double)c->lay->etp : x->t;
    int folded = et != x->t;
    double tin = folded ? x->elt_tokens * et : x->T;
    /* the router is tiny; counted once per TP group like every GEMM */
    double router = 2.0 * x->T * x->h * x->E / x->t;
    /* token-expert pairs this rank computes: its EP group's tokens spread
     * evenly over the group's experts (the busiest rank: times the
     * imbalance) */
    double pairs = tin * x->topk * imb;
    double per_expert = pairs * ep / (x->E > 0 ? x->E : 1.0);
    double local = x->E > 0 ? x->E / ep : 0.0; /* experts on this rank */
    double fl1 = 2.0 * pairs * x->h * x->fm * (x->nmat - 1.0) / et;
    double fl2 = 2.0 * pairs * x->h * x->fm / et;
    /* k copies of the rank's tokens, read and written, BF16 */
    double perm = 2.0 * x->topk * tce_moecap_routed_share(&c->job->training) *
                  x->elt_tokens * x->h * 2.0;
    int i, first = l->n;

    int mod;

    attention_fwd(c, l, fl);
    module_from(l, first, TCE_OP_F_MOD_ATTN); /* host (issue 11) */
    mod = l->n;
    elt(l, "ln_mlp", 4.0 * x->elt_tokens * x->h, fl | TCE_OP_F_NORM);
    gemm(l, "router", router, router, 2.0 * x->elt_tokens * x->h, fl);
    kernels(l, MOE_K_ROUTER);
    elt(l, "router_topk", 8.0 * x->elt_tokens * x->E, fl);
    kernels(l, MOE_K_TOPK);
    module_from(l, mod, TCE_OP_F_MOD_ROUTER);
    mod = l->n;
    elt(l, "moe_permute", perm, fl);
    /* sync (issue 11): the dispatcher's host work and its sync */
    kernels(l, dispatch_kernels(c->job));
    l->ops[l->n - 1].bwd_kernels = dispatch_bwd_kernels(c->job);
    if (!tce_plan_moe_sync_free(c->job))
        l->ops[l->n - 1].flags |= TCE_OP_F_HOST_SYNC;
    module_from(l, mod, TCE_OP_F_MOD_PREPROCESS);
    mod = l->n;
    ep_comm(c, l, 0, fl);
    if (!folded)
        tp_enter(c, l, "tp_ag_moe", fl);
    sort_by_local_expert(c, l, "moe_sort_experts", pairs, local, fl);
    fp8_padding(c, l, "expert_fp8_pad", pairs, fl);
    linear(gemm(l, "expert_fc1", fl1, 2.0 * per_expert * x->h * x->fm / et,
                2.0 * (pairs * x->h +
                       x->h * x->fm * (x->nmat - 1.0) / et * local +
                       pairs * x->fm * (x->nmat - 1.0) / et),
                fl),
           per_expert, x->fm * (x->nmat - 1.0) / et, x->h);
    kernels(l, local_gemms(local));
    if (tce_plan_moe_clamp_eager(c)) {
        /* gptoss (issue 11): Megatron-Core's weighted_bias_quick_geglu
         * _impl (fused_bias_geglu.py) clamps the two halves of the FC1
         * output and concatenates them in eager PyTorch before the fused
         * activation: forward reads and writes it twice (4F); backward:
         * the clamps' masked gradients and the chunk's concatenation,
         * about 7.5F (F: the FC1 output, BF16) */
        double f1 = 2.0 * pairs * x->fm * (x->nmat - 1.0) / et;

        elt_passes(l, "expert_clamp", 4.0 * f1, 7.5 * f1, MOE_K_CLAMP, fl);
    }
    elt(l, "expert_act", 2.0 * pairs * x->fm / et * x->nmat,
        fl | TCE_OP_F_ACT);
    kernels(l, MOE_K_ACT);
    linear(gemm(l, "expert_fc2", fl2, 2.0 * per_expert * x->h * x->fm / et,
                2.0 * (pairs * x->fm / et + x->h * x->fm / et * local +
                       pairs * x->h),
                fl),
           per_expert, x->h, x->fm / et);
    kernels(l, local_gemms(local));
    fp8_padding(c, l, "expert_fp8_unpad", pairs, fl);
    if (tce_plan_moe_bias_loop(c)) {
        /* gptoss (issue 11): FC2 is built with skip_bias_add and
         * experts.py _apply_bias adds bias x probability per local expert
         * and concatenates (E2: the FC2 output elements).  With the flex
         * dispatcher the probabilities are FP32 (token_dispatcher.py:
         * "HybridEP only supports float32 probs") and so are the products:
         * forward about 28 B an element (bias x prob 4, add 6 + 4, cat
         * 4 + 4, to BF16 4 + 2), backward about 40 (the casts 6 + 6, dbias
         * and dprob products and reductions 12 + 12, the split 4); BF16
         * probabilities: 12 and 16.  Launches: forward a multiply and an
         * add an expert, the cat and the cast; backward (autograd) an
         * expert the bias gradient's and the probability gradient's
         * multiply and reduction and the bias gradient's accumulation
         * (5), then the two splits' gradients concatenated (and the cast's
         * with FP32 probabilities) */
        double e2 = pairs * x->h;
        int fp32 = c->job->parallel.moe_token_dispatcher_type ==
                   TCE_DISPATCHER_FLEX;

        elt_passes(l, "expert_fc2_bias", (fp32 ? 28.0 : 12.0) * e2,
                   (fp32 ? 40.0 : 16.0) * e2, 2 * local_gemms(local) + 2, fl);
        l->ops[l->n - 1].bwd_kernels =
            MOE_K_BIAS_BWD * local_gemms(local) + (fp32 ? 3 : 2);
    }
    sort_by_local_expert(c, l, "moe_unsort_experts", pairs, local, fl);
    if (folded && x->fs > 0)
        tp_enter(c, l, "tp_ag_shared", fl);
    if (x->fs > 0)
        mlp_fwd(c, l, x->fs, x->T, "shared_fc1", "shared_act", "shared_fc2",
                fl);
    if (!folded || x->fs > 0)
        tp_leave(c, l, folded ? "tp_out_shared" : "tp_out_moe", fl);
    ep_comm(c, l, 1, fl);
    elt(l, "moe_unpermute", perm, fl);
    kernels(l, MOE_K_COMBINE);
    bda(c, l, "bda_mlp", fl);
    module_from(l, mod, TCE_OP_F_MOD_MLP);
    /* overlapped EP communication holds its SMs while it runs: the
     * compute under it runs on the rest (the projector's list time) */
    if (c->job->training.overlap_moe_expert_parallel_comm && c->lay->ep > 1)
        for (i = first; i < l->n; i++)
            if (l->ops[i].kind != TCE_OP_COMPUTE &&
                l->ops[i].overlap == TCE_OVERLAP_COMPUTE)
                l->ops[i].comm_sms =
                    (int)c->job->training.moe_deepep_num_sms;
}

/* moe (issue 11): the assumption lines `tcemu project` prints. */
int tce_plan_moe_assumption(const struct tce_job *job, int i, char *buf,
                            size_t size)
{
    const struct tce_training *t = &job->training;
    const struct tce_model *m = &job->model;
    int moe = m->num_experts > 0, fp8 = tce_plan_fp8(job), k = 0;

    if (moe && i == k++) {
        snprintf(buf, size,
                 "MoE dispatch: %s (%s), %s B per value, combine 2 B; "
                 "routing uniform, busiest expert x %.3g (Megatron-Core "
                 "token_dispatcher.py; DeepSeek-V3 arXiv:2412.19437 3.2.2)",
                 tce_dispatcher_name(job->parallel.moe_token_dispatcher_type),
                 job->parallel.moe_token_dispatcher_type ==
                         TCE_DISPATCHER_FLEX
                     ? tce_flexep_summary(
                           job->parallel.moe_flex_dispatcher_backend)
                 : job->parallel.moe_token_dispatcher_type ==
                         TCE_DISPATCHER_ALLGATHER
                     ? "tokens all-gathered over EP, outputs "
                       "reduce-scattered"
                     : "every routed copy over the EP group",
                 t->moe_fp8_dispatch && fp8 ? "1.03" : "2",
                 t->moe_expert_load_imbalance);
        return 1;
    }
    if (moe && i == k++) {
        if (t->overlap_moe_expert_parallel_comm)
            snprintf(buf, size,
                     "MoE EP overlap: dispatch and combine run beside "
                     "another microbatch's pass of the layer, each against "
                     "one of its compute runs (Megatron-Core "
                     "--overlap-moe-expert-parallel-comm, combined 1F1B); "
                     "while they run "
                     "they hold %lld SMs (moe_deepep_num_sms of "
                     "accelerator.sm_count; DeepSeek-V3 3.2.2: 20 of 132) "
                     "and the compute under them runs on the rest: the "
                     "layer gains their hidden time x SMs held / SMs",
                     (long long)t->moe_deepep_num_sms);
        else
            snprintf(buf, size, "MoE EP dispatch and combine exposed "
                                "(overlap_moe_expert_parallel_comm off)");
        return 1;
    }
    if (moe && i == k++) {
        snprintf(buf, size,
                 "MoE token permute and unpermute: k copies of each token "
                 "read and written in BF16 (2 x k x tokens x h x 2 B each), "
                 "router top-k over fp32 scores (tokens x experts x 8 B) "
                 "(Megatron-Core moe_utils.py)%s",
                 sorts_by_expert(job,
                                 (double)m->num_experts /
                                     (double)job->parallel
                                         .expert_model_parallel_size)
                     ? "; the alltoall dispatcher's sort of the received "
                       "rows by local expert and the unsort before the "
                       "combine, a pass over the rows each "
                       "(token_dispatcher.py Permutation 2)"
                     : "");
        return 1;
    }
    /* sync (issue 11) */
    if (moe && i == k++) {
        int sync = !tce_plan_moe_sync_free(job) && !t->enable_cuda_graph;
        /* the alltoall dispatcher's sort and unsort, one kernel each */
        int sorts = job->parallel.moe_token_dispatcher_type ==
                    TCE_DISPATCHER_ALLTOALL;
        int bwd = dispatch_bwd_kernels(job);
        char bias[80] = "";

        if (bias_loop(job))
            snprintf(bias, sizeof(bias),
                     ", the expert bias loop %d an expert (experts.py "
                     "_apply_bias)",
                     MOE_K_BIAS_BWD);

        snprintf(buf, size,
                 "MoE host: forward launches router %d, top-k %d, dispatch "
                 "%d, combine %d, per local expert 1 GEMM (+1 FP8 cast) per "
                 "grouped linear (token_dispatcher.py, TE cublaslt_gemm.cu)"
                 ", backward dgrad+wgrad per GEMM, dispatch %d%s, other "
                 "ops their forward's; %s; a layer takes the "
                 "larger of its GPU work with its exposed all-to-all and "
                 "launches x host gap%s",
                 MOE_K_ROUTER, MOE_K_TOPK,
                 dispatch_kernels(job) + sorts, MOE_K_COMBINE + sorts,
                 (bwd > 0 ? bwd : dispatch_kernels(job)) + sorts,
                 bias,
                 sync ? "1 host-device sync per forward (token counts to "
                        "the CPU)"
                 : t->enable_cuda_graph ? "CUDA graphs, no sync"
                 : t->moe_pad_expert_input_to_capacity
                     ? "sync-free (every size known: padded to capacity)"
                     : "sync-free (static receive budget)",
                 sync ? " + a gap per sync, and >= the launches after the "
                        "sync + the GPU's work before it (the host's lead is "
                        "gone at the sync)"
                      : "");
        return 1;
    }
    /* fitm (wave 4) */
    if (m->mtp_num_layers > 0 && i == k++) {
        snprintf(buf, size,
                 "multi-token prediction: %lld module(s) on the last "
                 "pipeline stage, each 2 norms, an eh_proj (2h -> h), one "
                 "layer of the last layer's kind and the output layer and "
                 "loss once more (Megatron-Core multi_token_prediction.py; "
                 "DeepSeek-V3 arXiv:2412.19437 2.2); their weights and "
                 "activations are not in the memory estimate",
                 (long long)m->mtp_num_layers);
        return 1;
    }
    /* the FP8 lines (plan_fp8.c) */
    return tce_plan_fp8_assumption(job, i - k, buf, size);
}

/* fitm (wave 4): multi-token prediction (plan_int.h). */
void tce_plan_mtp_lists(const struct ctx *c, struct tce_plan *plan)
{
    const struct tce_model *m = &c->job->model;
    const struct dims *x = &c->x;
    struct tce_op_list *hf = &plan->list[TCE_PLAN_HEAD_FWD];
    struct tce_op_list *hb = &plan->list[TCE_PLAN_HEAD_BWD];
    const struct tce_op_list *lf, *lb;
    /* eh_proj: the normed hidden state and the next token's embedding,
     * concatenated (2h), projected back to h (Megatron-Core
     * multi_token_prediction.py; DeepSeek-V3 arXiv:2412.19437 2.2) */
    double proj = 2.0 * x->T * 2.0 * x->h * x->h / x->t;
    double proj_bytes = 2.0 * (x->T * 2.0 * x->h + 2.0 * x->h * x->h / x->t +
                               x->T * x->h / x->t);
    int moe, i, n0;

    if (m->mtp_num_layers <= 0 || !plan->last_stage)
        return;
    moe = m->num_experts > 0 &&
          tce_model_moe_layers_in(m, m->num_layers - 1, m->num_layers) > 0;
    lf = &plan->list[moe ? TCE_PLAN_MOE_FWD : TCE_PLAN_DENSE_FWD];
    lb = &plan->list[moe ? TCE_PLAN_MOE_BWD : TCE_PLAN_DENSE_BWD];
    if (hf->n + lf->n + 2 > TCE_PLAN_OPS_MAX ||
        hb->n + lb->n + 2 > TCE_PLAN_OPS_MAX)
        return; /* does not fit the list: left out (the assumption says) */
    /* the MTP heads: the output layer (shared weights) and loss once more
     * per module */
    for (i = 0; i < hf->n; i++)
        hf->ops[i].count *= 1 + m->mtp_num_layers;
    for (i = 0; i < hb->n; i++)
        hb->ops[i].count *= 1 + m->mtp_num_layers;
    /* forward: two norms (hidden, embedding), eh_proj, the layer */
    elt(hf, "mtp_norms", 2.0 * 4.0 * x->elt_tokens * x->h, 0);
    hf->ops[hf->n - 1].count = m->mtp_num_layers;
    linear(gemm(hf, "mtp_eh_proj", proj, proj, proj_bytes, 0), x->T,
           x->h / x->t, 2.0 * x->h);
    hf->ops[hf->n - 1].count = m->mtp_num_layers;
    n0 = hf->n;
    for (i = 0; i < lf->n; i++)
        hf->ops[hf->n++] = lf->ops[i];
    for (i = n0; i < hf->n; i++)
        hf->ops[i].count *= m->mtp_num_layers;
    /* backward: the layer, eh_proj (dgrad + wgrad), the norms */
    n0 = hb->n;
    for (i = 0; i < lb->n; i++)
        hb->ops[hb->n++] = lb->ops[i];
    for (i = n0; i < hb->n; i++)
        hb->ops[i].count *= m->mtp_num_layers;
    linear(gemm(hb, "mtp_eh_proj", 2.0 * proj, proj, 2.0 * proj_bytes,
                TCE_OP_F_BACKWARD),
           x->T, x->h / x->t, 2.0 * x->h);
    hb->ops[hb->n - 1].count = m->mtp_num_layers;
    elt(hb, "mtp_norms", 2.0 * 8.0 * x->elt_tokens * x->h, 0);
    hb->ops[hb->n - 1].count = m->mtp_num_layers;
}
