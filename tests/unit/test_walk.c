/* test_walk.c - the plan walk of one iteration, run with a counting model
 * backend (no MPI): how often each list runs per stage, p2p sends and
 * receives matching across stages for 1F1B and interleaved schedules, the
 * deferred gradient buckets posted on the last backward step and completed
 * before the optimizer, MoE layer lists, errors stopping the walk. */
#include "tce_test.h"

#include <string.h>

#include "tcemu/layout.h"
#include "tcemu/plan.h"
#include "tcemu/walk.h"

#define LOG_MAX 200000

struct counter {
    int64_t runs[TCE_PLAN_LIST_COUNT][TCE_PLAN_OPS_MAX];
    int64_t list_ends[TCE_PLAN_LIST_COUNT];
    int64_t waits_param, waits_grad;
    int64_t events;          /* ops run so far */
    int64_t grads_posted_at; /* event index of the deferred bucket op */
    int64_t grad_wait_at;
    int64_t optimizer_at;
    int64_t last_fwd_at;     /* last forward layer op */
    int64_t fail_at;         /* return an error at this event (0: never) */
    const struct tce_plan *plan;
};

static int c_op(void *ctx, enum tce_plan_list l, int i)
{
    struct counter *c = ctx;
    const struct tce_op *op = &c->plan->list[l].ops[i];

    c->events++;
    if (c->fail_at && c->events == c->fail_at)
        return TCE_EMPI;
    c->runs[l][i]++;
    if (l == TCE_PLAN_ITER_END && tce_walk_is_deferred(op))
        c->grads_posted_at = c->events;
    if (l == TCE_PLAN_ITER_END && strcmp(op->name, "optimizer") == 0)
        c->optimizer_at = c->events;
    if (l == TCE_PLAN_DENSE_FWD || l == TCE_PLAN_MOE_FWD)
        c->last_fwd_at = c->events;
    return 0;
}

static int c_list_end(void *ctx, enum tce_plan_list l)
{
    struct counter *c = ctx;

    c->list_ends[l]++;
    return 0;
}

static int c_wait(void *ctx, enum tce_walk_wait what)
{
    struct counter *c = ctx;

    if (what == TCE_WALK_WAIT_PARAM_GATHER)
        c->waits_param++;
    else if (what == TCE_WALK_WAIT_GRAD_REDUCE) {
        c->waits_grad++;
        c->grad_wait_at = c->events;
    }
    return 0;
}

static const struct tce_walk_backend counting = {c_op, c_list_end, c_wait};

static void small_job(struct tce_job *job, int64_t tp, int64_t pp,
                      int64_t vpp, int64_t experts, int64_t ep,
                      int64_t gbs)
{
    memset(job, 0, sizeof(*job));
    snprintf(job->name, sizeof(job->name), "walk-test");
    job->model.num_layers = 8;
    job->model.hidden_size = 256;
    job->model.ffn_hidden_size = 704;
    job->model.num_attention_heads = 4;
    job->model.num_query_groups = 2;
    job->model.kv_channels = 64;
    job->model.seq_length = 256;
    job->model.vocab_size = 8192;
    job->model.swiglu = 1;
    job->model.untie_embeddings_and_output_weights = 1;
    job->model.num_experts = experts;
    job->model.moe_router_topk = experts ? 2 : 0;
    job->model.moe_ffn_hidden_size = experts ? 704 : 0;
    job->model.moe_layer_freq = 1;
    job->parallel.num_gpus = 8;
    job->parallel.tensor_model_parallel_size = tp;
    job->parallel.pipeline_model_parallel_size = pp;
    job->parallel.virtual_pipeline_model_parallel_size = vpp;
    job->parallel.context_parallel_size = 1;
    job->parallel.expert_model_parallel_size = ep;
    job->parallel.sequence_parallel = 1;
    job->parallel.use_distributed_optimizer = 1;
    job->training.micro_batch_size = 1;
    job->training.global_batch_size = gbs;
    job->training.recompute_granularity = TCE_RECOMPUTE_SELECTIVE;
    job->training.precision = TCE_PRECISION_BF16;
    job->training.overlap_grad_reduce = 1;
    job->training.overlap_param_gather = 1;
}

/* Index of the op of kind in a p2p list, -1 if none. */
static int p2p_index(const struct tce_plan *plan, enum tce_plan_list l,
                     enum tce_op_kind kind)
{
    int i;

    for (i = 0; i < plan->list[l].n; i++)
        if (plan->list[l].ops[i].kind == kind)
            return i;
    return -1;
}

static int64_t runs_of(const struct counter *c, enum tce_plan_list l,
                       int index)
{
    return index < 0 ? 0 : c->runs[l][index];
}

/* Walk every stage of a layout; check per-stage counts and that forward
 * and backward p2p messages pair up across stages. */
static void walk_all_stages(const struct tce_job *job, int moe)
{
    static struct tce_plan plan;
    static struct counter c;
    struct tce_layout lay;
    struct tce_error err;
    int64_t s, ch, layers, fwd_sent = 0, fwd_recv = 0, bwd_sent = 0,
                           bwd_recv = 0;
    enum tce_plan_list fwd = moe ? TCE_PLAN_MOE_FWD : TCE_PLAN_DENSE_FWD;
    enum tce_plan_list bwd = moe ? TCE_PLAN_MOE_BWD : TCE_PLAN_DENSE_BWD;

    assert_int_equal(tce_layout_init(&lay, job, NULL, 0, &err), 0);
    for (s = 0; s < lay.pp; s++) {
        int64_t m, v;

        assert_int_equal(tce_plan_build(job, &lay, s, &plan, &err), 0);
        memset(&c, 0, sizeof(c));
        c.plan = &plan;
        assert_int_equal(tce_walk_iteration(&plan, &counting, &c, &err), 0);
        m = plan.microbatches;
        v = plan.chunks > 0 ? plan.chunks : 1;
        for (layers = 0, ch = 0; ch < v; ch++)
            layers += tce_plan_chunk_layers(&plan, ch);
        /* every op of the layer lists: once per layer and microbatch */
        assert_true(plan.list[fwd].n > 0);
        assert_int_equal(c.runs[fwd][0], m * layers);
        assert_int_equal(c.runs[bwd][plan.list[bwd].n - 1], m * layers);
        assert_int_equal(c.runs[moe ? TCE_PLAN_DENSE_FWD : TCE_PLAN_MOE_FWD][0],
                         0);
        /* embedding on stage 0, head on the last stage, once per microbatch */
        assert_int_equal(c.runs[TCE_PLAN_EMBED_FWD][0], s == 0 ? m : 0);
        assert_int_equal(c.runs[TCE_PLAN_HEAD_FWD][0],
                         s == lay.pp - 1 ? m : 0);
        /* the deferred buckets: posted after the last forward, completed
         * (one wait) before the optimizer */
        assert_int_equal(c.waits_grad, 1);
        assert_int_equal(c.waits_param, 1);
        assert_true(c.grads_posted_at > c.last_fwd_at || lay.dp == 1);
        assert_true(c.grad_wait_at < c.optimizer_at);
        assert_true(c.optimizer_at == c.events);
        fwd_sent += runs_of(&c, TCE_PLAN_P2P_FWD,
                            p2p_index(&plan, TCE_PLAN_P2P_FWD, TCE_OP_SEND));
        fwd_recv += runs_of(&c, TCE_PLAN_P2P_FWD,
                            p2p_index(&plan, TCE_PLAN_P2P_FWD, TCE_OP_RECV));
        bwd_sent += runs_of(&c, TCE_PLAN_P2P_BWD,
                            p2p_index(&plan, TCE_PLAN_P2P_BWD, TCE_OP_SEND));
        bwd_recv += runs_of(&c, TCE_PLAN_P2P_BWD,
                            p2p_index(&plan, TCE_PLAN_P2P_BWD, TCE_OP_RECV));
        /* interleaved: each stage sends forward for every chunk but the
         * last virtual stage */
        if (lay.pp > 1)
            assert_int_equal(
                runs_of(&c, TCE_PLAN_P2P_FWD,
                        p2p_index(&plan, TCE_PLAN_P2P_FWD, TCE_OP_SEND)),
                m * (s == lay.pp - 1 ? v - 1 : v));
    }
    /* p virtual-stage boundaries x m each way, every send received */
    assert_int_equal(fwd_sent, fwd_recv);
    assert_int_equal(bwd_sent, bwd_recv);
    assert_int_equal(fwd_sent, lay.pp > 1 ? (lay.pp * lay.vpp - 1) *
                                                lay.microbatches
                                          : 0);
}

static void test_1f1b(void **state)
{
    struct tce_job job;
    (void)state;

    small_job(&job, 2, 2, 1, 0, 1, 8); /* dp 2, m 4 */
    walk_all_stages(&job, 0);
}

static void test_interleaved(void **state)
{
    struct tce_job job;
    (void)state;

    small_job(&job, 2, 2, 2, 0, 1, 8); /* dp 2, m 4, v 2 */
    walk_all_stages(&job, 0);
    small_job(&job, 1, 4, 2, 0, 1, 8); /* dp 2, m 4, p 4, v 2 */
    walk_all_stages(&job, 0);
}

static void test_moe(void **state)
{
    struct tce_job job;
    (void)state;

    small_job(&job, 1, 2, 1, 4, 2, 8); /* dp 4, ep 2, m 2 */
    walk_all_stages(&job, 1);
}

static void test_error_stops(void **state)
{
    static struct tce_plan plan;
    static struct counter c;
    struct tce_layout lay;
    struct tce_job job;
    struct tce_error err;
    (void)state;

    small_job(&job, 2, 2, 1, 0, 1, 8);
    assert_int_equal(tce_layout_init(&lay, &job, NULL, 0, &err), 0);
    assert_int_equal(tce_plan_build(&job, &lay, 0, &plan, &err), 0);
    memset(&c, 0, sizeof(c));
    c.plan = &plan;
    c.fail_at = 5;
    assert_int_equal(tce_walk_iteration(&plan, &counting, &c, &err),
                     TCE_EMPI);
    assert_int_equal(c.events, 5); /* nothing after the failure */
    assert_int_equal(c.waits_grad, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_1f1b),
        cmocka_unit_test(test_interleaved),
        cmocka_unit_test(test_moe),
        cmocka_unit_test(test_error_stops),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
