/* test_plan_moe.c - the MoE layer's ops (issue 11): node-deduplicated
 * (flex) dispatch over the EP group split at scale-up domains, the
 * expected distinct destination domains with and without group-limited
 * routing, FP8 dispatch bytes, the allgather dispatcher, EP overlap and the
 * SMs it takes, permute / unpermute bytes, FP8 marking and casts.  Hand
 * values throughout. */
#include "tce_plan_fixtures.h"
#include "tce_test.h"

#include <stdlib.h>
#include <string.h>

#include "tcemu/flexep.h"
#include "tcemu/hostsync.h"
#include "tcemu/layout.h"
#include "tcemu/model.h"
#include "tcemu/moecap.h"
#include "tcemu/plan.h"
#include "tcemu/recompute.h"

static void test_domains(void **state)
{
    (void)state;
    /* 8 experts over 8 domains: 8 (1 - (7/8)^8) */
    assert_close(tce_flexep_domains(8, 8, 0, 0),
                 8.0 * (1.0 - pow(7.0 / 8.0, 8.0)), 1e-12);
    /* DeepSeek-V3: 8 groups (one per node), 4 per token: 4 (1 - (3/4)^8) */
    assert_close(tce_flexep_domains(8, 8, 8, 4), 4.0 * (1.0 - pow(0.75, 8.0)),
                 1e-12);
    /* 16 domains, 8 groups of 2 domains each, 4 groups: 8 reachable */
    assert_close(tce_flexep_domains(16, 8, 8, 4),
                 8.0 * (1.0 - pow(7.0 / 8.0, 8.0)), 1e-12);
    /* overlap (issue 11): 8 groups over 4 domains (2 to a domain), 4
     * groups a token: a domain holds 0, 1 or 2 of them with probability
     * 15/70, 40/70, 15/70, and 8 experts over the 4 groups miss 1 of
     * them with (3/4)^8, 2 with (1/2)^8 */
    assert_close(tce_flexep_domains(4, 8, 8, 4),
                 4.0 * (40.0 / 70.0 * (1.0 - pow(0.75, 8.0)) +
                        15.0 / 70.0 * (1.0 - pow(0.5, 8.0))),
                 1e-12);
    /* a limit as wide as the groups does not limit */
    assert_close(tce_flexep_domains(4, 2, 4, 4), 4.0 * (1.0 - 0.5625), 1e-12);
    /* one domain: one destination */
    assert_close(tce_flexep_domains(1, 8, 0, 0), 1.0, 0.0);
    /* never more than topk, never more than the domains */
    assert_true(tce_flexep_domains(2, 1, 0, 0) <= 1.0 + 1e-12);
    assert_true(tce_flexep_domains(2, 64, 0, 0) <= 2.0 + 1e-12);
}

static void test_flex_dispatch(void **state)
{
    struct tce_job j;
    struct tce_plan *plan;
    const struct tce_op_list *fwd;
    const struct tce_op *op;
    double token = 2048.0 * 1024.0 * 2.0;    /* tokens x h x 2 B */
    double nd = 2.0 * (1.0 - pow(0.5, 4.0)); /* 2 domains, top-4 */

    (void)state;
    /* alltoall (the default): every copy over the EP group */
    fx_moe_job(&j, 16, 1);
    plan = fx_plan(&j, 8);
    fwd = &plan->list[TCE_PLAN_MOE_FWD];
    op = fx_find_op(fwd, "ep_a2a_dispatch");
    assert_non_null(op);
    assert_int_equal(op->group, TCE_GROUP_EP);
    assert_close(op->bytes, token * 4.0, 1e-12);
    assert_int_equal(op->overlap, TCE_OVERLAP_NONE);
    assert_null(fx_find_op(fwd, "ep_dispatch_inter"));
    free(plan);

    /* flex: one copy per destination node, then k copies over NVLink */
    j.parallel.moe_token_dispatcher_type = TCE_DISPATCHER_FLEX;
    plan = fx_plan(&j, 8);
    fwd = &plan->list[TCE_PLAN_MOE_FWD];
    assert_null(fx_find_op(fwd, "ep_a2a_dispatch"));
    op = fx_find_op(fwd, "ep_dispatch_inter");
    assert_non_null(op);
    assert_int_equal(op->coll, TCE_COLL_ALL_TO_ALL);
    assert_int_equal(op->group, TCE_GROUP_EP_INTER);
    assert_close(op->bytes, token * nd, 1e-12);
    op = fx_find_op(fwd, "ep_dispatch_intra");
    assert_non_null(op);
    assert_int_equal(op->group, TCE_GROUP_EP_INTRA);
    assert_close(op->bytes, token * 4.0, 1e-12);
    /* combine: intra first, then inter, BF16 */
    assert_true(fx_find_op(fwd, "ep_combine_intra") <
                fx_find_op(fwd, "ep_combine_inter"));
    assert_close(fx_find_op(fwd, "ep_combine_inter")->bytes, token * nd, 1e-12);
    free(plan);

    /* FP8 dispatch: 1 B + 4 B per 128 values; combine stays 2 B */
    j.training.precision = TCE_PRECISION_FP8;
    j.training.moe_fp8_dispatch = 1;
    plan = fx_plan(&j, 8);
    fwd = &plan->list[TCE_PLAN_MOE_FWD];
    assert_close(fx_find_op(fwd, "ep_dispatch_inter")->bytes,
                 token / 2.0 * 1.03125 * nd, 1e-12);
    assert_close(fx_find_op(fwd, "ep_combine_inter")->bytes, token * nd, 1e-12);
    free(plan);

    /* EP inside one 16-GPU domain: flex is the plain all-to-all */
    j.training.moe_fp8_dispatch = 0;
    plan = fx_plan(&j, 16);
    fwd = &plan->list[TCE_PLAN_MOE_FWD];
    assert_non_null(fx_find_op(fwd, "ep_a2a_dispatch"));
    assert_null(fx_find_op(fwd, "ep_dispatch_inter"));
    free(plan);

    /* allgather: the EP group's tokens gathered, outputs reduce-scattered */
    j.training.precision = TCE_PRECISION_BF16;
    j.parallel.moe_token_dispatcher_type = TCE_DISPATCHER_ALLGATHER;
    plan = fx_plan(&j, 8);
    fwd = &plan->list[TCE_PLAN_MOE_FWD];
    op = fx_find_op(fwd, "ep_ag_dispatch");
    assert_non_null(op);
    assert_int_equal(op->coll, TCE_COLL_ALL_GATHER);
    assert_close(op->bytes, token * 16.0, 1e-12);
    assert_int_equal(fx_find_op(fwd, "ep_rs_combine")->coll,
                     TCE_COLL_REDUCE_SCATTER);
    free(plan);
}

/* deepep (issue 11): the flex pairs of list l: the domain-crossing stage
 * at wire share e, the second of each pair beside the first when
 * pipelined. */
static void check_flex_stages(const struct tce_op_list *l, double e,
                              int pipelined)
{
    const struct tce_op *di = fx_find_op(l, "ep_dispatch_inter"),
                        *dn = fx_find_op(l, "ep_dispatch_intra"),
                        *cn = fx_find_op(l, "ep_combine_intra"),
                        *ci = fx_find_op(l, "ep_combine_inter");

    assert_true(di && dn && cn && ci);
    assert_close(di->wire_efficiency, e, 1e-12);
    assert_close(ci->wire_efficiency, e, 1e-12);
    assert_close(dn->wire_efficiency, 0.0, 0.0);
    assert_false(di->flags & TCE_OP_F_PIPELINED);
    assert_false(cn->flags & TCE_OP_F_PIPELINED);
    assert_int_equal(!!(dn->flags & TCE_OP_F_PIPELINED), pipelined);
    assert_int_equal(!!(ci->flags & TCE_OP_F_PIPELINED), pipelined);
}

/* deepep (issue 11): DeepEP's measured share of the line rate (2, 4, 8
 * nodes: 43 x 1/2, 58 x 3/4, 51 x 7/8 GB/s of 50 dispatch; 43 x 1/2,
 * 57 x 3/4, 50 x 7/8 combine), linear in log2 between, held beyond; its
 * NVLink stage beside the RDMA one; HybridEP neither. */
static void test_deepep_stages(void **state)
{
    struct tce_job j;
    struct tce_plan *plan;

    (void)state;
    assert_close(tce_deepep_wire_efficiency(1, 0), 0.0, 0.0);
    assert_close(tce_deepep_wire_efficiency(2, 0), 0.43, 1e-12);
    assert_close(tce_deepep_wire_efficiency(4, 0), 0.87, 1e-12);
    assert_close(tce_deepep_wire_efficiency(4, 1), 0.855, 1e-12);
    assert_close(tce_deepep_wire_efficiency(8, 0), 0.8925, 1e-12);
    assert_close(tce_deepep_wire_efficiency(8, 1), 0.875, 1e-12);
    assert_close(tce_deepep_wire_efficiency(64, 0), 0.8925, 1e-12);
    assert_close(tce_deepep_wire_efficiency(3, 0),
                 0.43 + 0.44 * log2(1.5), 1e-12);

    fx_moe_job(&j, 16, 1); /* EP 16 over two 8-GPU domains */
    j.parallel.moe_token_dispatcher_type = TCE_DISPATCHER_FLEX;
    assert_int_equal(j.parallel.moe_flex_dispatcher_backend,
                     TCE_FLEX_DEEPEP);
    plan = fx_plan(&j, 8);
    check_flex_stages(&plan->list[TCE_PLAN_MOE_FWD], 0.43, 1);
    check_flex_stages(&plan->list[TCE_PLAN_MOE_BWD], 0.43, 1);
    free(plan);

    j.parallel.moe_flex_dispatcher_backend = TCE_FLEX_HYBRIDEP;
    plan = fx_plan(&j, 8);
    check_flex_stages(&plan->list[TCE_PLAN_MOE_FWD], 0.0, 0);
    free(plan);
}

static void test_overlap_permute_router(void **state)
{
    struct tce_job j;
    struct tce_plan *plan;
    const struct tce_op_list *fwd;
    const struct tce_op *op;
    int i, shared = 0;

    (void)state;
    fx_moe_job(&j, 16, 1);
    j.training.overlap_moe_expert_parallel_comm = 1;
    plan = fx_plan(&j, 8);
    fwd = &plan->list[TCE_PLAN_MOE_FWD];
    assert_int_equal(fx_find_op(fwd, "ep_a2a_dispatch")->overlap,
                     TCE_OVERLAP_COMPUTE);
    assert_int_equal(fx_find_op(fwd, "ep_a2a_combine")->overlap,
                     TCE_OVERLAP_COMPUTE);
    /* overlap (issue 11): paired by the projector, forward and backward */
    assert_true(fx_find_op(fwd, "ep_a2a_dispatch")->flags &
                TCE_OP_F_EP_PAIRED);
    assert_true(fx_find_op(&plan->list[TCE_PLAN_MOE_BWD], "ep_a2a_combine")
                    ->flags &
                TCE_OP_F_EP_PAIRED);
    /* the overlapped all-to-alls hold 20 SMs while they run (the
     * projector charges the compute under them); compute ops hold none */
    for (i = 0; i < fwd->n; i++) {
        if (fwd->ops[i].kind == TCE_OP_COMPUTE)
            assert_int_equal(fwd->ops[i].comm_sms, 0);
        else if (fwd->ops[i].overlap == TCE_OVERLAP_COMPUTE) {
            assert_int_equal(fwd->ops[i].comm_sms, 20);
            shared++;
        }
    }
    assert_int_equal(shared, 2);
    free(plan);
    j.training.precision = TCE_PRECISION_FP8;
    plan = fx_plan(&j, 8);
    fwd = &plan->list[TCE_PLAN_MOE_FWD];
    assert_int_equal(fx_find_op(fwd, "fp8_cast")->comm_sms, 0);
    assert_true(fx_find_op(fwd, "fp8_cast")->flags & TCE_OP_F_CAST);
    /* dense layers are not touched */
    for (i = 0; i < plan->list[TCE_PLAN_DENSE_FWD].n; i++)
        assert_int_equal(plan->list[TCE_PLAN_DENSE_FWD].ops[i].comm_sms, 0);
    /* permute / unpermute: 2 x k x tokens x h x 2 B; sync (issue 11):
     * the alltoall dispatcher's launches (19; 3 after the experts) and
     * its host-device sync */
    op = fx_find_op(fwd, "moe_permute");
    assert_non_null(op);
    assert_close(op->bytes, 2.0 * 4.0 * 2048.0 * 1024.0 * 2.0, 1e-12);
    assert_int_equal(op->kernels, 19);
    assert_true(op->flags & TCE_OP_F_HOST_SYNC);
    assert_int_equal(fx_find_op(fwd, "moe_unpermute")->kernels, 3);
    assert_close(fx_find_op(fwd, "moe_unpermute")->bytes, op->bytes, 1e-12);
    /* kern (issue 11): 4 local experts: the received rows sorted by local
     * expert after the all-to-all and unsorted before the combine, one
     * pass over every row each (here the rank's k copies), one kernel */
    assert_close(fx_find_op(fwd, "moe_sort_experts")->bytes, op->bytes,
                 1e-12);
    assert_int_equal(fx_find_op(fwd, "moe_sort_experts")->kernels, 1);
    assert_close(fx_find_op(fwd, "moe_unsort_experts")->bytes, op->bytes,
                 1e-12);
    /* router top-k: fp32 scores read and written */
    assert_close(fx_find_op(fwd, "router_topk")->bytes, 8.0 * 2048.0 * 64.0,
                 1e-12);
    assert_non_null(fx_find_op(&plan->list[TCE_PLAN_MOE_BWD],
                               "moe_sort_experts"));
    /* the backward has them too (twice the bytes) */
    op = fx_find_op(&plan->list[TCE_PLAN_MOE_BWD], "moe_permute");
    assert_non_null(op);
    assert_close(op->bytes, 2.0 * 2.0 * 4.0 * 2048.0 * 1024.0 * 2.0, 1e-12);
    /* host (issue 11): its backward launches 5 (the all-to-alls reversed,
     * the unpermute, the input's gradient add), no sync, and nothing is
     * left for a backward of the backward */
    assert_int_equal(op->kernels, 5);
    assert_int_equal(op->bwd_kernels, 0);
    assert_int_equal(tce_hostsync_op_syncs(op), 0);
    assert_int_equal(fx_find_op(&plan->list[TCE_PLAN_MOE_BWD],
                                "moe_unpermute")->kernels, 3);
    free(plan);

    /* one local expert: nothing to sort; the flex dispatcher delivers its
     * rows grouped by expert */
    fx_moe_job(&j, 16, 1);
    j.model.num_experts = 16;
    plan = fx_plan(&j, 8);
    assert_null(fx_find_op(&plan->list[TCE_PLAN_MOE_FWD], "moe_sort_experts"));
    free(plan);
    fx_moe_job(&j, 16, 1);
    j.parallel.moe_token_dispatcher_type = TCE_DISPATCHER_FLEX;
    plan = fx_plan(&j, 8);
    assert_null(fx_find_op(&plan->list[TCE_PLAN_MOE_FWD], "moe_unsort_experts"));
    free(plan);
}

/* token drop (issue 11): capacity factor cf caps the busiest expert at
 * cf x the mean; padded to capacity every expert runs exactly cf x the
 * mean, the padding travels and is permuted, and the alltoall dispatcher
 * never syncs; without padding a rank sends min(1, cf) of its copies and
 * still syncs. */
static void test_token_drop(void **state)
{
    struct tce_job j;
    struct tce_plan *plan;
    const struct tce_op_list *fwd;
    double token = 2048.0 * 1024.0 * 2.0; /* tokens x h x 2 B */
    double fc1_1, perm_1;

    (void)state;
    fx_moe_job(&j, 16, 1);
    j.training.moe_expert_load_imbalance = 1.5;
    plan = fx_plan(&j, 8);
    fwd = &plan->list[TCE_PLAN_MOE_FWD];
    fc1_1 = fx_find_op(fwd, "expert_fc1")->flops / 1.5; /* at the mean */
    perm_1 = fx_find_op(fwd, "moe_permute")->bytes;
    assert_true(fx_find_op(fwd, "moe_permute")->flags & TCE_OP_F_HOST_SYNC);
    free(plan);

    /* dropping at 1.25 without padding: the busiest expert capped */
    j.training.moe_expert_capacity_factor = 1.25;
    plan = fx_plan(&j, 8);
    fwd = &plan->list[TCE_PLAN_MOE_FWD];
    assert_close(fx_find_op(fwd, "expert_fc1")->flops, fc1_1 * 1.25, 1e-9);
    assert_close(fx_find_op(fwd, "ep_a2a_dispatch")->bytes, token * 4.0,
                 1e-12);
    assert_close(fx_find_op(fwd, "moe_permute")->bytes, perm_1, 1e-12);
    assert_true(fx_find_op(fwd, "moe_permute")->flags & TCE_OP_F_HOST_SYNC);
    free(plan);

    /* padded to capacity: exactly cf x the mean whatever the imbalance,
     * cf x the copies sent and permuted, no sync */
    j.training.moe_pad_expert_input_to_capacity = 1;
    plan = fx_plan(&j, 8);
    fwd = &plan->list[TCE_PLAN_MOE_FWD];
    assert_close(fx_find_op(fwd, "expert_fc1")->flops, fc1_1 * 1.25, 1e-9);
    assert_close(fx_find_op(fwd, "ep_a2a_dispatch")->bytes,
                 token * 4.0 * 1.25, 1e-12);
    assert_close(fx_find_op(fwd, "ep_a2a_combine")->bytes, token * 4.0 * 1.25,
                 1e-12);
    assert_close(fx_find_op(fwd, "moe_permute")->bytes, perm_1 * 1.25, 1e-12);
    assert_false(fx_find_op(fwd, "moe_permute")->flags & TCE_OP_F_HOST_SYNC);
    assert_true(tce_plan_moe_sync_free(&j));
    free(plan);

    /* below 1 a rank drops even at balance: sends and computes cf */
    j.training.moe_pad_expert_input_to_capacity = 0;
    j.training.moe_expert_capacity_factor = 0.5;
    plan = fx_plan(&j, 8);
    fwd = &plan->list[TCE_PLAN_MOE_FWD];
    assert_close(fx_find_op(fwd, "expert_fc1")->flops, fc1_1 * 0.5, 1e-9);
    assert_close(fx_find_op(fwd, "ep_a2a_dispatch")->bytes, token * 4.0 * 0.5,
                 1e-12);
    assert_false(tce_plan_moe_sync_free(&j));
    free(plan);

    /* the routing skew an all-to-all carries (tcemu run --routing-skew) */
    j.training.moe_expert_capacity_factor = 0.0;
    assert_close(tce_moecap_alltoall_skew(&j.training, 1.0), 1.0, 0.0);
    j.training.moe_expert_capacity_factor = 1.25;
    assert_close(tce_moecap_alltoall_skew(&j.training, 1.0), 0.25, 1e-15);
    assert_close(tce_moecap_alltoall_skew(&j.training, 0.1), 0.1, 0.0);
    j.training.moe_pad_expert_input_to_capacity = 1;
    assert_close(tce_moecap_alltoall_skew(&j.training, 1.0), 0.0, 0.0);
}

static void test_fp8_marking(void **state)
{
    struct tce_job j;
    struct tce_plan *plan;
    const struct tce_op_list *fwd;
    const struct tce_op *op;
    double elems = 0.0;
    int i;

    (void)state;
    fx_moe_job(&j, 16, 1);
    plan = fx_plan(&j, 8);
    fwd = &plan->list[TCE_PLAN_MOE_FWD];
    assert_null(fx_find_op(fwd, "fp8_cast"));
    for (i = 0; i < fwd->n; i++)
        assert_false(fwd->ops[i].flags & TCE_OP_F_FP8);
    free(plan);

    j.training.fp8 = TCE_FP8_HYBRID; /* precision stays "bf16" */
    assert_true(tce_plan_fp8(&j));
    /* gemm: Transformer Engine runs the activation (it writes FC2's FP8
     * input); Megatron's own activation further below */
    j.training.use_te_activation_func = 1;
    plan = fx_plan(&j, 8);
    fwd = &plan->list[TCE_PLAN_MOE_FWD];
    for (i = 0; i < fwd->n; i++) {
        op = &fwd->ops[i];
        if (op->gemm_n > 0 && op->flops > 0) {
            assert_true(op->flags & TCE_OP_F_FP8);
            elems += op->flops / (2.0 * (double)op->gemm_n);
        } else {
            assert_false(op->flags & TCE_OP_F_FP8);
        }
    }
    assert_false(fx_find_op(fwd, "attn_core")->flags & TCE_OP_F_FP8);
    assert_false(fx_find_op(fwd, "router")->flags & TCE_OP_F_FP8);
    /* qkv, attn_proj: tokens x h each; experts: 4 x tokens x h */
    assert_close(elems,
                 2048.0 * 1024.0 * 2.0 + 4.0 * 2048.0 * 1024.0 +
                     4.0 * 2048.0 * 512.0,
                 1e-12);
    op = fx_find_op(fwd, "fp8_cast");
    assert_non_null(op);
    /* delayed scaling: attn_proj's input (after attention) in a pass of
     * its own, 2 + 2 x 1 B; qkv (after the norm), expert_fc1 (after the
     * permute) and expert_fc2 (after the activation) quantised inside
     * their producer, 2 x 1 B */
    assert_close(op->bytes,
                 2048.0 * 1024.0 * 4.0 + (elems - 2048.0 * 1024.0) * 2.0,
                 1e-12);
    /* sync (issue 11): launches: attn_proj's cast, and one quantize per
     * local expert (4) of each grouped linear (TE split_quantize) */
    assert_int_equal(op->kernels, 1 + 4 + 4);
    /* gemm: of which the transposed copies, 1 B a value (gemmcost.h) */
    assert_close(op->fp8_t_share * op->bytes, elems, 1e-12);
    /* the output layer stays BF16 */
    for (i = 0; i < plan->list[TCE_PLAN_HEAD_FWD].n; i++)
        assert_false(plan->list[TCE_PLAN_HEAD_FWD].ops[i].flags & TCE_OP_F_FP8);
    free(plan);

    /* gemm: Megatron's activation (the default) writes BF16: expert_fc2's
     * input is cast in a pass of its own too, 4 B */
    j.training.use_te_activation_func = 0;
    plan = fx_plan(&j, 8);
    assert_close(fx_find_op(&plan->list[TCE_PLAN_MOE_FWD], "fp8_cast")->bytes,
                 (2048.0 * 1024.0 + 4.0 * 2048.0 * 512.0) * 4.0 +
                     (elems - 2048.0 * 1024.0 - 4.0 * 2048.0 * 512.0) * 2.0,
                 1e-12);
    /* the same launches: one quantize per local expert either way */
    assert_int_equal(
        fx_find_op(&plan->list[TCE_PLAN_MOE_FWD], "fp8_cast")->kernels,
        1 + 4 + 4);
    free(plan);
    /* the TE op fuser runs the activation as TE's */
    j.training.use_transformer_engine_op_fuser = 1;
    plan = fx_plan(&j, 8);
    assert_int_equal(
        fx_find_op(&plan->list[TCE_PLAN_MOE_FWD], "fp8_cast")->kernels,
        1 + 4 + 4);
    free(plan);
    j.training.use_transformer_engine_op_fuser = 0;
    j.training.use_te_activation_func = 1;

    j.training.fp8_recipe = TCE_FP8_TENSORWISE;
    plan = fx_plan(&j, 8);
    /* gemm: current scaling computes the amax of qkv's input inside the
     * norm and of expert_fc2's inside the activation (TE >= 2.8), the cast
     * reads it once: 4 B; attn_proj (after attention) and expert_fc1
     * (after the permute) an amax pass and a cast, 6 B */
    assert_close(fx_find_op(&plan->list[TCE_PLAN_MOE_FWD], "fp8_cast")->bytes,
                 elems * 6.0 - 2.0 * (2048.0 * 1024.0 + 4.0 * 2048.0 * 512.0),
                 1e-12);
    free(plan);
    /* Megatron's activation: expert_fc2's amax in a pass of its own */
    j.training.use_te_activation_func = 0;
    plan = fx_plan(&j, 8);
    assert_close(fx_find_op(&plan->list[TCE_PLAN_MOE_FWD], "fp8_cast")->bytes,
                 elems * 6.0 - 2.0 * 2048.0 * 1024.0, 1e-12);
    free(plan);
    j.training.use_te_activation_func = 1;

    /* kern: MXFP8 (2 + 2 x (1 + 1/32) B a value in a pass of its own):
     * qkv's input, the norm's output, is cast in a pass of its own like
     * attn_proj's; expert_fc1 (after the permute) and expert_fc2 (after
     * the activation) stay fused */
    j.training.fp8_recipe = TCE_FP8_MXFP8;
    plan = fx_plan(&j, 8);
    {
        double cb = 2.0 + 2.0 * (1.0 + 1.0 / 32.0);
        double own = 2.0 * 2048.0 * 1024.0;

        assert_close(
            fx_find_op(&plan->list[TCE_PLAN_MOE_FWD], "fp8_cast")->bytes,
            own * cb + (elems - own) * (cb - 2.0), 1e-12);
        /* gemm: MXFP8 keeps both copies on every accelerator */
        assert_true(fx_find_op(&plan->list[TCE_PLAN_MOE_FWD], "fp8_cast")
                        ->fp8_t_share == 0.0);
        free(plan);
        /* NVTE_NORM_FWD_USE_CUDNN, h = 1024 whole tiles: the norm
         * writes the MXFP8 copies */
        j.training.nvte_norm_fwd_use_cudnn = 1;
        plan = fx_plan(&j, 8);
        assert_close(
            fx_find_op(&plan->list[TCE_PLAN_MOE_FWD], "fp8_cast")->bytes,
            own / 2.0 * cb + (elems - own / 2.0) * (cb - 2.0), 1e-12);
        free(plan);
    }
}

/* MoE Parallel Folding (etp 1 under TP 2): the experts take the rank's
 * own sequence-parallel tokens, unsplit, with no TP communication around
 * them; etp = tp keeps the TP all-gather. */
static void test_folded_experts(void **state)
{
    struct tce_job j;
    struct tce_plan *plan;
    const struct tce_op_list *fwd;
    const struct tce_op *op;

    (void)state;
    fx_moe_job(&j, 8, 1);
    j.parallel.tensor_model_parallel_size = 2;
    j.parallel.sequence_parallel = 1;
    plan = fx_plan(&j, 8);
    fwd = &plan->list[TCE_PLAN_MOE_FWD];
    assert_non_null(fx_find_op(fwd, "tp_ag_moe"));
    op = fx_find_op(fwd, "expert_fc1");
    /* 2048 tokens x 4 copies x 8 ranks / 64 experts; 2 x 512 / tp 2 */
    assert_int_equal(op->gemm_m, 1024);
    assert_int_equal(op->gemm_n, 512);
    free(plan);
    j.parallel.expert_tensor_parallel_size = 1;
    plan = fx_plan(&j, 8);
    fwd = &plan->list[TCE_PLAN_MOE_FWD];
    assert_null(fx_find_op(fwd, "tp_ag_moe"));
    assert_null(fx_find_op(fwd, "tp_out_moe"));
    op = fx_find_op(fwd, "expert_fc1");
    /* 1024 own tokens x 4 x 8 / 64; the whole expert width */
    assert_int_equal(op->gemm_m, 512);
    assert_int_equal(op->gemm_n, 1024);
    /* the same FLOPs per rank either way: 2 x 1024 x 4 x h x 1024 */
    assert_close(op->flops, 2.0 * 1024.0 * 4.0 * 1024.0 * 1024.0, 1e-12);
    free(plan);
}

/* fitm (wave 4): multi-token prediction on the last stage (one stage
 * here): the head's ops run 1 + mtp times, an eh_proj of 2h -> h and one
 * MoE layer (the last layer's kind) per module, backward alike. */
static void test_mtp(void **state)
{
    struct tce_job j;
    struct tce_plan *p0, *p1;
    const struct tce_op *op;
    int n0f, n0b;
    (void)state;

    fx_moe_job(&j, 8, 1);
    p0 = fx_plan(&j, 8);
    n0f = p0->list[TCE_PLAN_HEAD_FWD].n;
    n0b = p0->list[TCE_PLAN_HEAD_BWD].n;
    j.model.mtp_num_layers = 2;
    p1 = fx_plan(&j, 8);
    /* the head: twice more */
    op = fx_find_op(&p1->list[TCE_PLAN_HEAD_FWD], "logits");
    assert_non_null(op);
    assert_int_equal(op->count, 3);
    /* eh_proj: 2 x tokens x 2h x h FLOPs, the forward shape, 2 modules */
    op = fx_find_op(&p1->list[TCE_PLAN_HEAD_FWD], "mtp_eh_proj");
    assert_non_null(op);
    assert_close(op->flops, 2.0 * 2048.0 * 2048.0 * 1024.0, 1e-9);
    assert_int_equal(op->gemm_m, 2048);
    assert_int_equal(op->gemm_n, 1024);
    assert_int_equal(op->gemm_k, 2048);
    assert_int_equal(op->count, 2);
    /* one MoE layer forward and backward per module */
    assert_int_equal(p1->list[TCE_PLAN_HEAD_FWD].n,
                     n0f + 2 + p1->list[TCE_PLAN_MOE_FWD].n);
    assert_int_equal(p1->list[TCE_PLAN_HEAD_BWD].n,
                     n0b + 2 + p1->list[TCE_PLAN_MOE_BWD].n);
    op = fx_find_op(&p1->list[TCE_PLAN_HEAD_FWD], "expert_fc1");
    assert_non_null(op);
    assert_int_equal(op->count, 2);
    op = fx_find_op(&p1->list[TCE_PLAN_HEAD_BWD], "mtp_eh_proj");
    assert_non_null(op);
    assert_close(op->flops, 2.0 * 2.0 * 2048.0 * 2048.0 * 1024.0, 1e-9);
    /* the layer lists themselves are unchanged */
    assert_int_equal(p1->list[TCE_PLAN_MOE_FWD].n,
                     p0->list[TCE_PLAN_MOE_FWD].n);
    free(p0);
    free(p1);
}

/* gptoss (issue 11): the model's own eager passes: the GLU clamp over the
 * FC1 output, the experts' FC2 bias loop (FP32 with the flex dispatcher),
 * unfused YaRN RoPE over q and k; gone under the TE op fuser (not RoPE);
 * the clamp again under moe_act recomputation.  Hand values. */
static void test_model_passes(void **state)
{
    struct tce_job j;
    struct tce_plan *plan;
    const struct tce_op_list *fwd, *bwd;
    const struct tce_op *op;
    struct tce_error e;
    double pairs = 2048.0 * 4.0;            /* tokens x top-4, EP 16 */
    double f1 = 2.0 * pairs * 512.0 * 2.0;  /* FC1 output, BF16 */
    double e2 = pairs * 1024.0;             /* FC2 output elements */
    double qk;

    (void)state;
    fx_moe_job(&j, 16, 1);
    plan = fx_plan(&j, 8);
    fwd = &plan->list[TCE_PLAN_MOE_FWD];
    assert_null(fx_find_op(fwd, "expert_clamp"));
    assert_null(fx_find_op(fwd, "expert_fc2_bias"));
    assert_null(fx_find_op(fwd, "rope_unfused"));
    free(plan);

    j.model.activation_func_clamp_value = 7.0;
    j.model.add_bias_linear = 1;
    j.model.yarn_rotary_scaling_factor = 32.0;
    qk = 2.0 * 2048.0 *
         (double)(j.model.num_attention_heads + j.model.num_query_groups) *
         (double)(j.model.hidden_size / j.model.num_attention_heads);
    plan = fx_plan(&j, 8);
    fwd = &plan->list[TCE_PLAN_MOE_FWD];
    bwd = &plan->list[TCE_PLAN_MOE_BWD];
    op = fx_find_op(fwd, "expert_clamp");
    assert_non_null(op);
    assert_close(op->bytes, 4.0 * f1, 1e-12);
    assert_int_equal(op->kernels, 3);
    /* between FC1 and the activation */
    assert_true(fx_find_op(fwd, "expert_fc1") < op &&
                op < fx_find_op(fwd, "expert_act"));
    assert_close(fx_find_op(bwd, "expert_clamp")->bytes, 7.5 * f1, 1e-12);
    /* the alltoall dispatcher's probabilities are BF16: 12 B and 16 B */
    op = fx_find_op(fwd, "expert_fc2_bias");
    assert_non_null(op);
    assert_close(op->bytes, 12.0 * e2, 1e-12);
    assert_int_equal(op->kernels, 2 * 4 + 2);
    assert_close(fx_find_op(bwd, "expert_fc2_bias")->bytes, 16.0 * e2, 1e-12);
    /* host (issue 11): backward 5 launches an expert and the two splits'
     * gradients */
    assert_int_equal(fx_find_op(bwd, "expert_fc2_bias")->kernels, 5 * 4 + 2);
    op = fx_find_op(fwd, "rope_unfused");
    assert_non_null(op);
    assert_close(op->bytes, 12.0 * qk, 1e-12);
    assert_close(fx_find_op(bwd, "rope_unfused")->bytes, 11.5 * qk, 1e-12);
    free(plan);

    /* HybridEP (flex): FP32 probabilities, 28 B and 40 B */
    j.parallel.moe_token_dispatcher_type = TCE_DISPATCHER_FLEX;
    plan = fx_plan(&j, 8);
    fwd = &plan->list[TCE_PLAN_MOE_FWD];
    assert_close(fx_find_op(fwd, "expert_fc2_bias")->bytes, 28.0 * e2, 1e-12);
    assert_close(fx_find_op(&plan->list[TCE_PLAN_MOE_BWD], "expert_fc2_bias")
                     ->bytes,
                 40.0 * e2, 1e-12);
    /* and the cast's gradient: 5 an expert + 3 */
    assert_int_equal(fx_find_op(&plan->list[TCE_PLAN_MOE_BWD],
                                "expert_fc2_bias")->kernels,
                     5 * 4 + 3);
    /* the flex dispatcher's backward keeps its forward's count */
    assert_int_equal(fx_find_op(&plan->list[TCE_PLAN_MOE_BWD],
                                "moe_permute")->kernels,
                     fx_find_op(fwd, "moe_permute")->kernels);
    free(plan);

    /* moe_act recomputation runs the clamp again */
    j.parallel.moe_token_dispatcher_type = TCE_DISPATCHER_ALLTOALL;
    assert_int_equal(tce_recompute_set(&j.training, "moe_act", &e), 0);
    j.training.recompute_granularity = TCE_RECOMPUTE_SELECTIVE;
    plan = fx_plan(&j, 8);
    op = fx_find_op(&plan->list[TCE_PLAN_MOE_BWD], "rc_moe_clamp");
    assert_non_null(op);
    assert_close(op->bytes, 4.0 * f1, 1e-12);
    free(plan);

    /* the TE op fuser folds the clamp and the bias into its grouped MLP;
     * RoPE stays */
    j.training.use_transformer_engine_op_fuser = 1;
    plan = fx_plan(&j, 8);
    fwd = &plan->list[TCE_PLAN_MOE_FWD];
    assert_null(fx_find_op(fwd, "expert_clamp"));
    assert_null(fx_find_op(fwd, "expert_fc2_bias"));
    assert_null(fx_find_op(&plan->list[TCE_PLAN_MOE_BWD], "rc_moe_clamp"));
    assert_non_null(fx_find_op(fwd, "rope_unfused"));
    free(plan);

    /* YaRN at factor 1 keeps the fused RoPE (concentration factor 1) */
    j.model.yarn_rotary_scaling_factor = 1.0;
    plan = fx_plan(&j, 8);
    assert_null(fx_find_op(&plan->list[TCE_PLAN_MOE_FWD], "rope_unfused"));
    free(plan);
}

/* qwen (issue 11): an FP8 job's experts between TE's Fp8Padding and
 * Fp8Unpadding: a copy of the routed tokens each way (4 B an element
 * read and written in BF16), the backward the same; not with the flex
 * dispatcher (HybridEP pads the counts) nor in BF16. */
static void test_fp8_padding(void **state)
{
    struct tce_job j;
    struct tce_plan *plan;
    const struct tce_op_list *fwd;
    const struct tce_op *op;
    double copy = 2.0 * 2048.0 * 4.0 * 1024.0 * 2.0; /* pairs x h, r + w */

    (void)state;
    fx_moe_job(&j, 16, 1);
    plan = fx_plan(&j, 8);
    assert_null(fx_find_op(&plan->list[TCE_PLAN_MOE_FWD], "expert_fp8_pad"));
    free(plan);

    j.training.precision = TCE_PRECISION_FP8;
    plan = fx_plan(&j, 8);
    fwd = &plan->list[TCE_PLAN_MOE_FWD];
    op = fx_find_op(fwd, "expert_fp8_pad");
    assert_non_null(op);
    assert_close(op->bytes, copy, 1e-12);
    assert_true(op < fx_find_op(fwd, "expert_fc1"));
    op = fx_find_op(fwd, "expert_fp8_unpad");
    assert_non_null(op);
    assert_true(op > fx_find_op(fwd, "expert_fc2"));
    assert_close(fx_find_op(&plan->list[TCE_PLAN_MOE_BWD], "expert_fp8_unpad")
                     ->bytes,
                 copy, 1e-12);
    free(plan);

    j.parallel.moe_token_dispatcher_type = TCE_DISPATCHER_FLEX;
    plan = fx_plan(&j, 8);
    assert_null(fx_find_op(&plan->list[TCE_PLAN_MOE_FWD], "expert_fp8_pad"));
    free(plan);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_domains),
        cmocka_unit_test(test_flex_dispatch),
        cmocka_unit_test(test_deepep_stages),
        cmocka_unit_test(test_overlap_permute_router),
        cmocka_unit_test(test_token_drop),
        cmocka_unit_test(test_fp8_marking),
        cmocka_unit_test(test_folded_experts),
        cmocka_unit_test(test_mtp),
        cmocka_unit_test(test_model_passes),
        cmocka_unit_test(test_fp8_padding),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
