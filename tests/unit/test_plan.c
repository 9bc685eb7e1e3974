/* test_plan.c - the plan of one stage (ops, bytes, FLOPs summed over ranks
 * against the model's count) and the pipeline schedules (every microbatch
 * forwarded and backwarded once per chunk, forward first, and a simulation
 * of every stage with non-blocking sends and blocking receives that must
 * finish with matching FIFO order). */
#include "tce_plan_fixtures.h"
#include "tce_test.h"

#include <stdlib.h>
#include <string.h>

#include "tcemu/layout.h"
#include "tcemu/model.h"
#include "tcemu/plan.h"
#include "tcemu/util.h"

static void gpt_fields(struct tce_job *j, int64_t gpus, int64_t tp, int64_t pp,
                       int64_t vpp, int64_t cp)
{
    tce_job_defaults(j);
    j->model.num_layers = 24;
    j->model.hidden_size = 2048;
    j->model.num_attention_heads = 16;
    j->model.seq_length = 2048;
    j->model.vocab_size = 51200;
    j->parallel.num_gpus = gpus;
    j->parallel.tensor_model_parallel_size = tp;
    j->parallel.pipeline_model_parallel_size = pp;
    j->parallel.virtual_pipeline_model_parallel_size = vpp;
    j->parallel.context_parallel_size = cp;
    j->parallel.expert_model_parallel_size = 1;
    j->training.micro_batch_size = 1;
    j->training.global_batch_size = 64;
    j->training.train_tokens = 1000000000;
    j->training.ddp_bucket_size = 40000000;
    j->training.use_flash_attn = 1;
}

/* ffn_hidden_size, num_query_groups, kv_channels: the schema's derived
 * defaults (tce_job_derive) */
static void gpt_job(struct tce_job *j, int64_t gpus, int64_t tp, int64_t pp,
                    int64_t vpp, int64_t cp)
{
    gpt_fields(j, gpus, tp, pp, vpp, cp);
    tce_job_derive(j);
}

static void moe_job(struct tce_job *j, int64_t gpus, int64_t tp, int64_t pp,
                    int64_t ep)
{
    gpt_fields(j, gpus, tp, pp, 1, 1);
    j->model.num_layers = 8;
    j->model.hidden_size = 1024;
    j->model.ffn_hidden_size = 3584;
    j->model.num_attention_heads = 16;
    j->model.num_query_groups = 4;
    j->model.swiglu = 1;
    j->model.untie_embeddings_and_output_weights = 1;
    j->model.num_experts = 8;
    j->model.moe_router_topk = 2;
    j->model.moe_shared_expert_intermediate_size = 512;
    j->model.moe_first_dense_layers = 1;
    j->parallel.expert_model_parallel_size = ep;
    j->parallel.sequence_parallel = 1;
    j->parallel.use_distributed_optimizer = 1;
    tce_job_derive(j);
}

/* Sum of every rank's plan FLOPs == the model's per-iteration count. */
static void check_flops_sum(const struct tce_job *j)
{
    struct tce_layout lay;
    struct tce_plan *plan = malloc(sizeof(*plan));
    struct tce_iteration_flops fl;
    double model = 0.0, hw = 0.0, ranks_per_stage;
    int64_t s;

    assert_non_null(plan);
    assert_int_equal(tce_layout_init(&lay, j, NULL, 0, NULL), 0);
    ranks_per_stage = (double)(lay.tp * lay.cp * lay.dp);
    for (s = 0; s < lay.pp; s++) {
        assert_int_equal(tce_plan_build(j, &lay, s, plan, NULL), 0);
        model += tce_plan_iteration_flops(plan, 1) * ranks_per_stage;
        hw += tce_plan_iteration_flops(plan, 0) * ranks_per_stage;
    }
    /* attn (issue 11): a fused kernel executes the causal half (and the
     * window), the unfused path the whole square */
    tce_model_flops_per_iteration_convention(
        &j->model, &j->training,
        j->training.use_flash_attn ? TCE_FLOPS_CAUSAL : TCE_FLOPS_FULL, &fl);
    assert_close(model, fl.model_flops, 1e-9);
    assert_close(hw, fl.hardware_flops, 1e-9);
    free(plan);
}

static void test_flops_sum_dense(void **state)
{
    struct tce_job j;
    static const enum tce_recompute rc[] = {
        TCE_RECOMPUTE_NONE, TCE_RECOMPUTE_SELECTIVE, TCE_RECOMPUTE_FULL};
    size_t i;
    (void)state;

    for (i = 0; i < 3; i++) {
        gpt_job(&j, 64, 4, 2, 1, 1);
        j.training.recompute_granularity = rc[i];
        check_flops_sum(&j);
        gpt_job(&j, 64, 2, 4, 3, 2); /* interleaved + context parallel */
        j.training.recompute_granularity = rc[i];
        j.parallel.sequence_parallel = 1;
        check_flops_sum(&j);
        gpt_job(&j, 16, 1, 1, 1, 1);
        j.training.recompute_granularity = rc[i];
        j.training.use_flash_attn = 0; /* unfused attention ops */
        check_flops_sum(&j);
    }
}

static void test_flops_sum_moe(void **state)
{
    struct tce_job j;
    (void)state;

    moe_job(&j, 32, 2, 2, 4);
    check_flops_sum(&j);
    moe_job(&j, 32, 2, 2, 4);
    j.training.recompute_granularity = TCE_RECOMPUTE_FULL;
    check_flops_sum(&j);
    moe_job(&j, 16, 1, 1, 8);
    j.model.moe_layer_freq = 2;
    check_flops_sum(&j);
}

static int count_ops(const struct tce_op_list *l, enum tce_op_kind kind,
                     enum tce_coll coll, enum tce_group g, int recompute)
{
    int i, n = 0;

    for (i = 0; i < l->n; i++)
        if (l->ops[i].kind == kind &&
            (kind != TCE_OP_COLLECTIVE ||
             (l->ops[i].coll == coll && l->ops[i].group == g)) &&
            (recompute < 0 ||
             !!(l->ops[i].flags & TCE_OP_F_RECOMPUTED) == recompute))
            n++;
    return n;
}

static void test_tp_comm(void **state)
{
    struct tce_job j;
    struct tce_layout lay;
    struct tce_plan *plan = malloc(sizeof(*plan));
    const struct tce_op_list *fwd, *bwd;
    double act = 2048.0 * 2048.0 * 2.0; /* s b h x 2 bytes */
    (void)state;

    assert_non_null(plan);
    /* no SP: 2 all-reduces forward, 2 backward, 2 more recomputed */
    gpt_job(&j, 64, 4, 2, 1, 1);
    j.training.recompute_granularity = TCE_RECOMPUTE_FULL;
    assert_int_equal(tce_layout_init(&lay, &j, NULL, 0, NULL), 0);
    assert_int_equal(tce_plan_build(&j, &lay, 0, plan, NULL), 0);
    fwd = &plan->list[TCE_PLAN_DENSE_FWD];
    bwd = &plan->list[TCE_PLAN_DENSE_BWD];
    assert_int_equal(count_ops(fwd, TCE_OP_COLLECTIVE, TCE_COLL_ALL_REDUCE,
                               TCE_GROUP_TP, -1),
                     2);
    assert_int_equal(
        count_ops(bwd, TCE_OP_COLLECTIVE, TCE_COLL_ALL_REDUCE, TCE_GROUP_TP, 1),
        2);
    assert_int_equal(
        count_ops(bwd, TCE_OP_COLLECTIVE, TCE_COLL_ALL_REDUCE, TCE_GROUP_TP, 0),
        2);
    assert_close(fx_find_op(fwd, "tp_out_attn")->bytes, act, 1e-12);
    assert_int_equal(fx_find_op(fwd, "tp_out_attn")->overlap, TCE_OVERLAP_NONE);
    /* SP: all-gather + reduce-scatter pairs of the same size */
    j.parallel.sequence_parallel = 1;
    j.training.recompute_granularity = TCE_RECOMPUTE_NONE;
    j.training.tp_comm_overlap = 1;
    assert_int_equal(tce_plan_build(&j, &lay, 0, plan, NULL), 0);
    fwd = &plan->list[TCE_PLAN_DENSE_FWD];
    bwd = &plan->list[TCE_PLAN_DENSE_BWD];
    assert_int_equal(count_ops(fwd, TCE_OP_COLLECTIVE, TCE_COLL_ALL_REDUCE,
                               TCE_GROUP_TP, -1),
                     0);
    assert_int_equal(count_ops(fwd, TCE_OP_COLLECTIVE, TCE_COLL_ALL_GATHER,
                               TCE_GROUP_TP, -1),
                     2);
    assert_int_equal(count_ops(fwd, TCE_OP_COLLECTIVE, TCE_COLL_REDUCE_SCATTER,
                               TCE_GROUP_TP, -1),
                     2);
    /* the gradients of the two reduce-scatters, and (attn, issue 11) the
     * two blocks' inputs gathered again for their wgrad GEMMs */
    assert_int_equal(count_ops(bwd, TCE_OP_COLLECTIVE, TCE_COLL_ALL_GATHER,
                               TCE_GROUP_TP, -1),
                     4);
    assert_int_equal(fx_find_op(bwd, "tp_ag_regather")->overlap,
                     TCE_OVERLAP_COMPUTE);
    assert_close(fx_find_op(fwd, "tp_ag_mlp")->bytes, act, 1e-12);
    assert_int_equal(fx_find_op(fwd, "tp_ag_mlp")->overlap,
                     TCE_OVERLAP_COMPUTE);
    /* pipeline p2p: the stage boundary activation, /t with SP */
    assert_int_equal(plan->list[TCE_PLAN_P2P_FWD].n, 2);
    assert_int_equal(plan->list[TCE_PLAN_P2P_FWD].ops[0].kind, TCE_OP_RECV);
    assert_int_equal(plan->list[TCE_PLAN_P2P_FWD].ops[0].peer, TCE_PEER_PREV);
    assert_int_equal(plan->list[TCE_PLAN_P2P_FWD].ops[1].peer, TCE_PEER_NEXT);
    assert_close(plan->list[TCE_PLAN_P2P_FWD].ops[0].bytes, act / 4.0, 1e-12);
    /* first stage: embedding, not the head */
    assert_true(plan->first_stage && !plan->last_stage);
    assert_true(plan->list[TCE_PLAN_EMBED_FWD].n > 0);
    assert_int_equal(plan->list[TCE_PLAN_HEAD_FWD].n, 0);
    free(plan);
}

static void test_cp_ep_dp(void **state)
{
    struct tce_job j;
    struct tce_layout lay;
    struct tce_plan *plan = malloc(sizeof(*plan));
    const struct tce_op *op;
    double a2a;
    (void)state;

    assert_non_null(plan);
    /* context parallel, p2p (the default): a ring of c - 1 steps of the
     * local K and V, twice the bytes in the backward (K/V and their
     * gradients) */
    gpt_job(&j, 64, 2, 1, 1, 4);
    assert_int_equal(tce_layout_init(&lay, &j, NULL, 0, NULL), 0);
    assert_int_equal(tce_plan_build(&j, &lay, 0, plan, NULL), 0);
    op = fx_find_op(&plan->list[TCE_PLAN_DENSE_FWD], "cp_ring_kv");
    assert_non_null(op);
    assert_int_equal(op->coll, TCE_COLL_SENDRECV);
    assert_int_equal(op->group, TCE_GROUP_CP);
    assert_int_equal(op->count, 3);
    assert_int_equal(op->overlap, TCE_OVERLAP_ATTENTION);
    assert_close(op->bytes, 2.0 * 512 * 1 * (16 * 128 / 2) * 2.0, 1e-12);
    op = fx_find_op(&plan->list[TCE_PLAN_DENSE_BWD], "cp_ring_kv");
    assert_non_null(op);
    assert_close(op->bytes, 2.0 * 2.0 * 512 * (16 * 128 / 2) * 2.0, 1e-12);
    /* Ulysses: all-to-all of Q, K, V and of the output, exposed */
    j.parallel.cp_comm_type = TCE_CP_COMM_A2A;
    assert_int_equal(tce_plan_build(&j, &lay, 0, plan, NULL), 0);
    op = fx_find_op(&plan->list[TCE_PLAN_DENSE_FWD], "cp_a2a_qkv");
    assert_non_null(op);
    assert_int_equal(op->coll, TCE_COLL_ALL_TO_ALL);
    assert_int_equal(op->overlap, TCE_OVERLAP_NONE);
    assert_close(op->bytes, 3.0 * 512 * (16 * 128 / 2) * 2.0, 1e-12);
    assert_close(
        fx_find_op(&plan->list[TCE_PLAN_DENSE_FWD], "cp_a2a_out")->bytes,
        512 * (16 * 128 / 2) * 2.0, 1e-12);
    /* all_gather (Llama 3): K,V all-gather of the full sequence, exposed */
    j.parallel.cp_comm_type = TCE_CP_COMM_ALL_GATHER;
    assert_int_equal(tce_plan_build(&j, &lay, 0, plan, NULL), 0);
    op = fx_find_op(&plan->list[TCE_PLAN_DENSE_FWD], "cp_ag_kv");
    assert_non_null(op);
    assert_int_equal(op->group, TCE_GROUP_CP);
    /* K and V: 2 x s x b x (heads x head dim / t) x 2 bytes */
    assert_close(op->bytes, 2.0 * 2048 * 1 * (16 * 128 / 2) * 2.0, 1e-12);
    assert_int_equal(op->overlap, TCE_OVERLAP_NONE);
    op = fx_find_op(&plan->list[TCE_PLAN_DENSE_BWD], "cp_ag_kv");
    assert_non_null(op);
    assert_int_equal(op->coll, TCE_COLL_REDUCE_SCATTER);
    /* DP all-reduce in buckets of ddp_bucket_size parameters (BF16
     * gradients: 2 bytes each) */
    op = fx_find_op(&plan->list[TCE_PLAN_ITER_END], "dp_ar_grads");
    assert_non_null(op);
    assert_int_equal(op->count,
                     (int64_t)ceil(plan->grad_bytes / 2.0 / 40000000.0));
    assert_true(op->count > 1);
    assert_close(op->bytes * (double)op->count, plan->grad_bytes, 1e-12);
    assert_int_equal(op->overlap, TCE_OVERLAP_NONE);

    /* MoE with EP 4: dispatch + combine of tokens x h x 2 x topk */
    moe_job(&j, 32, 2, 2, 4);
    j.training.overlap_grad_reduce = 1;
    assert_int_equal(tce_layout_init(&lay, &j, NULL, 0, NULL), 0);
    assert_int_equal(tce_plan_build(&j, &lay, 0, plan, NULL), 0);
    assert_int_equal(plan->moe_layers, 3); /* layers 1,2,3 of 0..3 */
    assert_int_equal(plan->dense_layers, 1);
    assert_false(tce_plan_layer_is_moe(plan, 0, 0));
    assert_true(tce_plan_layer_is_moe(plan, 0, 1));
    a2a = 2048.0 / 2.0 * 1024.0 * 2.0 * 2.0; /* SP: s/t tokens */
    op = fx_find_op(&plan->list[TCE_PLAN_MOE_FWD], "ep_a2a_dispatch");
    assert_non_null(op);
    assert_int_equal(op->coll, TCE_COLL_ALL_TO_ALL);
    assert_int_equal(op->group, TCE_GROUP_EP);
    assert_close(op->bytes, a2a, 1e-12);
    assert_non_null(
        fx_find_op(&plan->list[TCE_PLAN_MOE_FWD], "ep_a2a_combine"));
    assert_int_equal(count_ops(&plan->list[TCE_PLAN_MOE_BWD], TCE_OP_COLLECTIVE,
                               TCE_COLL_ALL_TO_ALL, TCE_GROUP_EP, -1),
                     2);
    /* distributed optimizer: reduce-scatter overlapped with backward,
     * param all-gather, expert grads over the expert-data-parallel group */
    op = fx_find_op(&plan->list[TCE_PLAN_ITER_END], "dp_rs_grads");
    assert_non_null(op);
    assert_int_equal(op->overlap, TCE_OVERLAP_BACKWARD);
    assert_non_null(
        fx_find_op(&plan->list[TCE_PLAN_ITER_BEGIN], "dp_ag_params"));
    op = fx_find_op(&plan->list[TCE_PLAN_ITER_END], "edp_rs_grads");
    assert_non_null(op); /* dp 8 / ep 4 = 2 expert replicas */
    assert_int_equal(op->group, TCE_GROUP_EDP);
    free(plan);
}

/* ---- schedules ---------------------------------------------------------- */

/* DDP buckets count parameters (Megatron-LM's --ddp-bucket-size); 0 is
 * Megatron-Core's default, max(40,000,000, 1,000,000 x DP), so the bucket
 * count follows dp past DP 40, also when a plan is relaid out to another
 * dp at the same stage */
static void test_ddp_buckets(void **state)
{
    struct tce_job j;
    struct tce_layout l8, l128;
    struct tce_plan *plan = malloc(sizeof(*plan));
    const struct tce_op *op;
    double params;
    (void)state;

    assert_non_null(plan);
    gpt_job(&j, 128, 1, 1, 1, 1);
    j.training.global_batch_size = 1024;
    j.training.ddp_bucket_size = 0;
    assert_int_equal(tce_layout_init(&l8, &j, NULL, 8, NULL), 0);
    assert_int_equal(tce_layout_init(&l128, &j, NULL, 128, NULL), 0);
    assert_int_equal(l128.dp, 128);
    assert_int_equal(tce_plan_build(&j, &l8, 0, plan, NULL), 0);
    op = fx_find_op(&plan->list[TCE_PLAN_ITER_END], "dp_ar_grads");
    assert_non_null(op);
    params = plan->grad_bytes / 2.0; /* BF16 gradients */
    assert_int_equal(op->count, (int64_t)ceil(params / 40e6));
    assert_true(op->count > 1);
    /* DP 128: buckets of 128M parameters, fewer of them */
    assert_int_equal(tce_plan_relayout(&j, &l128, 0, plan, NULL), 0);
    op = fx_find_op(&plan->list[TCE_PLAN_ITER_END], "dp_ar_grads");
    assert_non_null(op);
    assert_int_equal(op->count, (int64_t)ceil(params / 128e6));
    assert_close(op->bytes * (double)op->count, plan->grad_bytes, 1e-12);
    /* a size the job gives holds at any dp */
    j.training.ddp_bucket_size = 40000000;
    assert_int_equal(tce_plan_build(&j, &l128, 0, plan, NULL), 0);
    op = fx_find_op(&plan->list[TCE_PLAN_ITER_END], "dp_ar_grads");
    assert_non_null(op);
    assert_int_equal(op->count, (int64_t)ceil(params / 40e6));
    free(plan);
}

static void test_bubble(void **state)
{
    (void)state;
    assert_close(tce_schedule_bubble_fraction(4, 1, 8), 3.0 / 8.0, 1e-15);
    assert_close(tce_schedule_bubble_fraction(4, 2, 8), 3.0 / 16.0, 1e-15);
    assert_close(tce_schedule_bubble_fraction(8, 4, 64), 7.0 / 256.0, 1e-15);
    assert_close(tce_schedule_bubble_fraction(1, 1, 8), 0.0, 1e-15);
    assert_int_equal(tce_schedule_warmup(4, 1, 8, 0), 3);
    assert_int_equal(tce_schedule_warmup(4, 1, 8, 3), 0);
    assert_int_equal(tce_schedule_warmup(4, 1, 2, 0), 2);
    assert_int_equal(tce_schedule_warmup(4, 2, 8, 0), 10);
    assert_int_equal(tce_schedule_warmup(4, 2, 8, 3), 4);
}

#define SIM_P 8
#define SIM_V 4
#define SIM_M 32
#define SIM_STEPS (2 * SIM_V * SIM_M)
#define QMAX (SIM_V * SIM_M)

struct queue {
    int n, head;
    int64_t mb[QMAX], chunk[QMAX];
};

/* Walk every stage's sequence with non-blocking sends and blocking
 * receives; fail on a deadlock or on a message arriving out of FIFO
 * order.  Also check each (microbatch, chunk) is forwarded and backwarded
 * exactly once per stage, forward first. */
static void simulate(int64_t p, int64_t v, int64_t m)
{
    static struct tce_sched_step seq[SIM_P][SIM_STEPS];
    /* q[dir][from][to] */
    static struct queue q[2][SIM_P][SIM_P];
    int64_t pos[SIM_P], s, k, len = tce_schedule_len(v, m), done = 0;
    int fwd_seen[SIM_V][SIM_M], bwd_seen[SIM_V][SIM_M];
    int progress;

    assert_true(p <= SIM_P && v <= SIM_V && m <= SIM_M);
    memset(q, 0, sizeof(q));
    for (s = 0; s < p; s++) {
        memset(fwd_seen, 0, sizeof(fwd_seen));
        memset(bwd_seen, 0, sizeof(bwd_seen));
        for (k = 0; k < len; k++) {
            struct tce_sched_step *st = &seq[s][k];
            assert_int_equal(tce_schedule_step(p, v, m, s, k, st, NULL), 0);
            assert_true(st->microbatch >= 0 && st->microbatch < m);
            assert_true(st->chunk >= 0 && st->chunk < v);
            if (st->backward) {
                assert_int_equal(fwd_seen[st->chunk][st->microbatch], 1);
                bwd_seen[st->chunk][st->microbatch]++;
            } else {
                fwd_seen[st->chunk][st->microbatch]++;
            }
        }
        for (k = 0; k < v * m; k++) {
            assert_int_equal(fwd_seen[k / m][k % m], 1);
            assert_int_equal(bwd_seen[k / m][k % m], 1);
        }
        pos[s] = 0;
    }
    do {
        progress = 0;
        for (s = 0; s < p; s++) {
            struct tce_sched_step *st;
            int64_t j, from, to, total = p * v;
            struct queue *in;

            if (pos[s] >= len)
                continue;
            st = &seq[s][pos[s]];
            j = st->chunk * p + s; /* virtual stage */
            /* receive */
            if (!st->backward && j > 0) {
                from = (s - 1 + p) % p;
                in = &q[0][from][s];
                if (in->head >= in->n)
                    continue; /* blocked */
                assert_int_equal(in->mb[in->head], st->microbatch);
                assert_int_equal(in->chunk[in->head], st->chunk);
                in->head++;
            } else if (st->backward && j < total - 1) {
                from = (s + 1) % p;
                in = &q[1][from][s];
                if (in->head >= in->n)
                    continue;
                assert_int_equal(in->mb[in->head], st->microbatch);
                assert_int_equal(in->chunk[in->head], st->chunk);
                in->head++;
            }
            /* send (non-blocking), tagged with the receiver's chunk */
            if (!st->backward && j < total - 1) {
                to = (s + 1) % p;
                in = &q[0][s][to];
                in->mb[in->n] = st->microbatch;
                in->chunk[in->n] = (j + 1) / p;
                in->n++;
            } else if (st->backward && j > 0) {
                to = (s - 1 + p) % p;
                in = &q[1][s][to];
                in->mb[in->n] = st->microbatch;
                in->chunk[in->n] = (j - 1) / p;
                in->n++;
            }
            pos[s]++;
            done++;
            progress = 1;
        }
    } while (progress);
    if (done != p * len)
        fail_msg("deadlock: p=%lld v=%lld m=%lld, %lld of %lld steps",
                 (long long)p, (long long)v, (long long)m, (long long)done,
                 (long long)(p * len));
}

static void test_schedules(void **state)
{
    static const int64_t cases[][3] = {
        {1, 1, 1},  {1, 1, 7}, {2, 1, 1}, {2, 1, 8}, {4, 1, 3},  {4, 1, 8},
        {8, 1, 32}, {3, 1, 5}, {2, 2, 4}, {4, 2, 8}, {4, 3, 12}, {8, 4, 16},
        {8, 2, 32}, {3, 2, 6}, {4, 4, 4}, {2, 4, 2},
    };
    size_t i;
    (void)state;

    for (i = 0; i < TCE_ARRAY_SIZE(cases); i++)
        simulate(cases[i][0], cases[i][1], cases[i][2]);
}

static void test_schedule_order(void **state)
{
    struct tce_sched_step st;
    struct tce_error err;
    (void)state;

    /* 1F1B, p 4, m 8, stage 1: F0 F1 then F2 B0 F3 B1 ... */
    assert_int_equal(tce_schedule_step(4, 1, 8, 1, 0, &st, NULL), 0);
    assert_true(!st.backward && st.microbatch == 0);
    assert_int_equal(tce_schedule_step(4, 1, 8, 1, 2, &st, NULL), 0);
    assert_true(!st.backward && st.microbatch == 2);
    assert_int_equal(tce_schedule_step(4, 1, 8, 1, 3, &st, NULL), 0);
    assert_true(st.backward && st.microbatch == 0);
    assert_int_equal(tce_schedule_step(4, 1, 8, 1, 15, &st, NULL), 0);
    assert_true(st.backward && st.microbatch == 7);
    /* interleaved, p 2, v 2: forwards go mb 0,1 on chunk 0, then chunk 1 */
    assert_int_equal(tce_schedule_step(2, 2, 4, 0, 2, &st, NULL), 0);
    assert_true(!st.backward && st.microbatch == 0 && st.chunk == 1);
    /* errors */
    assert_int_equal(tce_schedule_step(4, 2, 6, 0, 0, &st, &err), TCE_EUSAGE);
    assert_int_equal(tce_schedule_step(4, 1, 8, 0, 16, &st, &err), TCE_EUSAGE);
    assert_int_equal(tce_schedule_step(4, 1, 8, 4, 0, &st, &err), TCE_EUSAGE);
    st.backward = 1;
    st.microbatch = 3;
    st.chunk = 1;
    assert_int_equal(tce_schedule_tag(8, &st), (1 * 8 + 3) * 2 + 1);
}

static void test_plan_errors(void **state)
{
    struct tce_job j;
    struct tce_layout lay;
    struct tce_plan *plan = malloc(sizeof(*plan));
    struct tce_error err;
    (void)state;

    assert_non_null(plan);
    gpt_job(&j, 64, 4, 2, 1, 1);
    assert_int_equal(tce_layout_init(&lay, &j, NULL, 0, NULL), 0);
    assert_int_equal(tce_plan_build(&j, &lay, 2, plan, &err), TCE_EUSAGE);
    lay.pp = 5; /* 24 layers do not split over 5 stages */
    assert_int_equal(tce_plan_build(&j, &lay, 0, plan, &err), TCE_ECONFIG);
    free(plan);
}

/* Megatron-LM's uneven first / last stages (Llama 3 405B: 7 + 14 x 8 + 7) */
static void test_uneven_stages(void **state)
{
    struct tce_job j;
    struct tce_layout lay;
    struct tce_plan *plan = malloc(sizeof(*plan));
    int64_t s, total = 0, first;
    (void)state;

    assert_non_null(plan);
    gpt_job(&j, 128, 8, 16, 1, 1);
    j.model.num_layers = 126;
    j.parallel.decoder_first_pipeline_num_layers = 7;
    j.parallel.decoder_last_pipeline_num_layers = 7;
    assert_int_equal(tce_layout_init(&lay, &j, NULL, 0, NULL), 0);
    for (s = 0; s < 16; s++) {
        assert_int_equal(tce_plan_build(&j, &lay, s, plan, NULL), 0);
        assert_int_equal(plan->layers, s == 0 || s == 15 ? 7 : 8);
        first = tce_layout_chunk_first_layer(&j, &lay, s, 0);
        assert_int_equal(first, total);
        total += plan->layers;
    }
    assert_int_equal(total, 126);
    check_flops_sum(&j);
    /* with 2 virtual stages the split must be even per chunk: 7 is not */
    j.parallel.virtual_pipeline_model_parallel_size = 2;
    assert_int_equal(tce_layout_init(&lay, &j, NULL, 0, NULL), TCE_ECONFIG);
    /* 4 + 4 x ... with vpp 2: first 4, last 4, 14 middle stages of 8 */
    j.model.num_layers = 120;
    j.parallel.decoder_first_pipeline_num_layers = 4;
    j.parallel.decoder_last_pipeline_num_layers = 4;
    assert_int_equal(tce_layout_init(&lay, &j, NULL, 0, NULL), 0);
    assert_int_equal(tce_plan_build(&j, &lay, 1, plan, NULL), 0);
    assert_int_equal(plan->chunk_layers, 4);
    /* chunk 1 of stage 1 starts at 120 / 2 + (stage 0: 4) / 2 = 62 */
    assert_int_equal(tce_layout_chunk_first_layer(&j, &lay, 1, 1), 62);
    check_flops_sum(&j);
    free(plan);
}

/* The embedding and the loss accounted as layers (Megatron-LM's
 * account_for_*_in_pipeline_split): 126 + 2 slots over 16 x 4 virtual
 * stages of 2; the first and the last virtual stage hold 1 layer. */
static void test_embedding_loss_slots(void **state)
{
    struct tce_job j;
    struct tce_layout lay;
    struct tce_plan *plan = malloc(sizeof(*plan));
    int64_t s, c, total = 0, next = 0, first, n;
    (void)state;

    assert_non_null(plan);
    gpt_job(&j, 128, 8, 16, 4, 1);
    j.model.num_layers = 126;
    j.parallel.account_for_embedding_in_pipeline_split = 1;
    j.parallel.account_for_loss_in_pipeline_split = 1;
    assert_int_equal(tce_layout_init(&lay, &j, NULL, 0, NULL), 0);
    for (s = 0; s < 16; s++) {
        assert_int_equal(tce_plan_build(&j, &lay, s, plan, NULL), 0);
        assert_int_equal(plan->layers, s == 0 || s == 15 ? 7 : 8);
        assert_int_equal(plan->layers, tce_layout_stage_layers(&j, &lay, s));
        total += plan->layers;
    }
    assert_int_equal(total, 126);
    /* virtual stages in order cover layers 0 .. 125 without a gap */
    for (c = 0; c < 4; c++)
        for (s = 0; s < 16; s++) {
            assert_int_equal(tce_plan_build(&j, &lay, s, plan, NULL), 0);
            n = tce_plan_chunk_layers(plan, c);
            first = tce_layout_chunk_first_layer(&j, &lay, s, c);
            assert_int_equal(n, tce_layout_chunk_layers(&j, &lay, s, c));
            assert_int_equal(first, next);
            assert_int_equal(n,
                             (c == 0 && s == 0) || (c == 3 && s == 15) ? 1 : 2);
            next += n;
        }
    assert_int_equal(next, 126);
    check_flops_sum(&j);
    /* 126 + 1 slots do not split over 64 virtual stages */
    j.parallel.account_for_loss_in_pipeline_split = 0;
    assert_int_equal(tce_layout_init(&lay, &j, NULL, 0, NULL), TCE_ECONFIG);
    free(plan);
}

/* The longest list (MoE layer, full recompute, unfused attention, CP, SP,
 * EP, shared experts; with MLA's four projections and their norms the
 * longest of all) fits TCE_PLAN_OPS_MAX with nothing overwritten. */
static void test_longest_list(void **state)
{
    struct tce_job j;
    struct tce_layout lay;
    struct tce_plan *plan = malloc(sizeof(*plan));
    (void)state;

    assert_non_null(plan);
    moe_job(&j, 64, 2, 2, 4);
    j.parallel.context_parallel_size = 2;
    j.training.recompute_granularity = TCE_RECOMPUTE_FULL;
    j.training.use_flash_attn = 0;
    /* issue 11: the deduplicated dispatch's two legs each way, FP8 casts */
    j.parallel.moe_token_dispatcher_type = TCE_DISPATCHER_FLEX;
    j.training.precision = TCE_PRECISION_FP8;
    assert_int_equal(tce_layout_init(&lay, &j, NULL, 0, NULL), 0);
    lay.gpus_per_node = lay.scale_up_domain = 8; /* EP 4 over 2 nodes */
    assert_int_equal(tce_plan_build(&j, &lay, 0, plan, NULL), 0);
    assert_int_equal(plan->list[TCE_PLAN_MOE_FWD].n, 29);
    assert_int_equal(plan->list[TCE_PLAN_MOE_BWD].n, 58);
    assert_true(plan->list[TCE_PLAN_MOE_BWD].n < TCE_PLAN_OPS_MAX);
    check_flops_sum(&j);
    /* MLA: q_down, kv_down, q_norm, q_up, kv_norm, kv_up for qkv, the RoPE */
    j.model.num_attention_heads = 8;
    j.model.num_query_groups = 8;
    fx_mla_dims(&j.model);
    assert_int_equal(tce_plan_build(&j, &lay, 0, plan, NULL), 0);
    assert_int_equal(plan->list[TCE_PLAN_MOE_FWD].n, 35);
    assert_int_equal(plan->list[TCE_PLAN_MOE_BWD].n, 70);
    assert_true(plan->list[TCE_PLAN_MOE_BWD].n < TCE_PLAN_OPS_MAX);
    free(plan);
}

/* A list that would need more ops than TCE_PLAN_OPS_MAX is an error of
 * tce_plan_build naming it, not a plan with an op overwritten. */
static void test_list_full(void **state)
{
    struct tce_plan *plan = calloc(1, sizeof(*plan));
    struct tce_job j;
    struct tce_layout lay;
    struct tce_error e;
    int i;
    (void)state;

    assert_non_null(plan);
    moe_job(&j, 64, 2, 2, 4);
    assert_int_equal(tce_layout_init(&lay, &j, NULL, 0, NULL), 0);
    assert_int_equal(tce_plan_build(&j, &lay, 0, plan, NULL), 0);
    /* what add() leaves when a builder runs past the end */
    for (i = plan->list[TCE_PLAN_P2P_FWD].n; i < TCE_PLAN_OPS_MAX; i++)
        plan->list[TCE_PLAN_P2P_FWD].ops[i] = plan->list[TCE_PLAN_P2P_FWD].ops[0];
    plan->list[TCE_PLAN_P2P_FWD].n = TCE_PLAN_OPS_MAX;
    tce_error_clear(&e);
    assert_int_equal(tce_plan_restage(&j, 0, plan, &e), 0);
    assert_true(plan->list[TCE_PLAN_P2P_FWD].n < TCE_PLAN_OPS_MAX);
    plan->list[TCE_PLAN_DENSE_BWD].n = TCE_PLAN_OPS_MAX; /* kept across */
    assert_int_equal(tce_plan_restage(&j, 0, plan, &e), TCE_EINTERNAL);
    assert_non_null(strstr(e.msg, "needs more than"));
    free(plan);
}

/* Ops carry what they are: selective recomputation recomputes exactly the
 * attention-core ops (marked, not recognised by name); gradients are
 * marked on the DP buckets and the backward p2p. */
static void test_op_flags(void **state)
{
    struct tce_job j;
    struct tce_layout lay;
    struct tce_plan *plan = malloc(sizeof(*plan));
    const struct tce_op_list *fwd, *bwd, *l;
    int i, core = 0, rc = 0, li;
    (void)state;

    assert_non_null(plan);
    gpt_job(&j, 16, 2, 2, 1, 1);
    j.training.use_flash_attn = 0; /* scores, softmax, values */
    j.training.recompute_granularity = TCE_RECOMPUTE_SELECTIVE;
    assert_int_equal(tce_layout_init(&lay, &j, NULL, 0, NULL), 0);
    assert_int_equal(tce_plan_build(&j, &lay, 1, plan, NULL), 0);
    fwd = &plan->list[TCE_PLAN_DENSE_FWD];
    bwd = &plan->list[TCE_PLAN_DENSE_BWD];
    for (i = 0; i < fwd->n; i++) {
        assert_false(fwd->ops[i].flags & TCE_OP_F_RECOMPUTED);
        core += !!(fwd->ops[i].flags & TCE_OP_F_ATTENTION_CORE);
    }
    assert_int_equal(core, 3);
    assert_true(fx_find_op(fwd, "softmax_dropout")->flags &
                TCE_OP_F_ATTENTION_CORE);
    assert_false(fx_find_op(fwd, "qkv")->flags & TCE_OP_F_ATTENTION_CORE);
    for (i = 0; i < bwd->n; i++) {
        if (bwd->ops[i].flags & TCE_OP_F_RECOMPUTED) {
            assert_true(bwd->ops[i].flags & TCE_OP_F_ATTENTION_CORE);
            rc++;
        }
    }
    assert_int_equal(rc, core);
    /* gradients: DP buckets and backward p2p only */
    for (li = 0; li < TCE_PLAN_LIST_COUNT; li++) {
        l = &plan->list[li];
        for (i = 0; i < l->n; i++) {
            int grad = !!(l->ops[i].flags & TCE_OP_F_GRADIENT);
            int want = (li == TCE_PLAN_P2P_BWD) ||
                       (li == TCE_PLAN_ITER_END &&
                        l->ops[i].kind == TCE_OP_COLLECTIVE);

            assert_int_equal(grad, want);
        }
    }
    assert_int_equal(plan->list[TCE_PLAN_P2P_BWD].n, 2);
    assert_non_null(fx_find_op(&plan->list[TCE_PLAN_ITER_END], "dp_ar_grads"));
    free(plan);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_flops_sum_dense),
        cmocka_unit_test(test_flops_sum_moe),
        cmocka_unit_test(test_tp_comm),
        cmocka_unit_test(test_cp_ep_dp),
        cmocka_unit_test(test_ddp_buckets),
        cmocka_unit_test(test_bubble),
        cmocka_unit_test(test_schedules),
        cmocka_unit_test(test_schedule_order),
        cmocka_unit_test(test_plan_errors),
        cmocka_unit_test(test_uneven_stages),
        cmocka_unit_test(test_embedding_loss_slots),
        cmocka_unit_test(test_longest_list),
        cmocka_unit_test(test_list_full),
        cmocka_unit_test(test_op_flags),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
