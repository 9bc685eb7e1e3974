/* test_hostsync.c - the host's side of an op list (issue 11, sync):
 * launches per op (a linear's backward twice its forward's GEMMs,
 * communication none), syncs in forward eager ops only, the host time of a
 * list; and the MoE layer's launches and sync as plan_moe.c emits them by
 * dispatcher, local experts, FP8, sync-free budget and CUDA graphs, the
 * same at every micro-batch size; per-module CUDA graphs
 * (--cuda-graph-modules): which ops they take, and the dispatcher's sync
 * moving past a graphed preprocess; the list cut at its sync (the paired
 * EP schedule's input).  Hand values throughout. */
#include "tce_plan_fixtures.h"
#include "tce_test.h"

#include <stdlib.h>
#include <string.h>

#include "tcemu/graphscope.h"
#include "tcemu/hostsync.h"
#include "tcemu/layout.h"
#include "tcemu/model.h"
#include "tcemu/plan.h"

static struct tce_op *push(struct tce_op_list *l, enum tce_op_kind kind,
                           int kernels, unsigned flags, double flops)
{
    struct tce_op *op = &l->ops[l->n++];

    memset(op, 0, sizeof(*op));
    op->kind = kind;
    op->kernels = kernels;
    op->flags = flags;
    op->flops = flops;
    op->count = 1;
    return op;
}

static void test_scan_hand(void **state)
{
    struct tce_op_list *l = calloc(1, sizeof(*l));
    struct tce_hostsync_list h;

    (void)state;
    assert_non_null(l);
    push(l, TCE_OP_COMPUTE, 0, 0, 0.0); /* 1 */
    push(l, TCE_OP_COMPUTE, 20, TCE_OP_F_HOST_SYNC, 0.0)->count = 2;
    push(l, TCE_OP_COMPUTE, 16, TCE_OP_F_BACKWARD, 1e9); /* 32 */
    push(l, TCE_OP_COMPUTE, 3, TCE_OP_F_BACKWARD | TCE_OP_F_HOST_SYNC,
         0.0);                             /* 3, no sync */
    push(l, TCE_OP_COLLECTIVE, 2, 0, 0.0); /* none */
    push(l, TCE_OP_COMPUTE, 5, TCE_OP_F_GRAPHED | TCE_OP_F_HOST_SYNC,
         0.0); /* graphed, no sync */
    tce_hostsync_scan(l, &h);
    assert_close(h.eager_launches, 1.0 + 40.0 + 32.0 + 3.0, 1e-12);
    assert_close(h.graph_launches, 5.0, 1e-12);
    assert_close(h.syncs, 2.0, 1e-12);
    /* host time: 76 x 10 us + 5 x 1 us + 2 syncs x 10 us */
    assert_close(tce_hostsync_list_s(l, 10e-6, 1e-6),
                 76.0 * 10e-6 + 5e-6 + 2.0 * 10e-6, 1e-12);
    /* no launch cost known: no floor */
    assert_close(tce_hostsync_list_s(l, 0.0, 0.0), 0.0, 0.0);
    free(l);
}

static void scan(const struct tce_plan *p, enum tce_plan_list which,
                 struct tce_hostsync_list *h)
{
    tce_hostsync_scan(&p->list[which], h);
}

static void test_moe_layer(void **state)
{
    struct tce_job j;
    struct tce_plan *p1, *p4;
    struct tce_hostsync_list f1, b1, f4, b4;

    (void)state;
    /* EP 4: 16 local experts, alltoall dispatcher, BF16 */
    fx_moe_job(&j, 4, 1);
    p1 = fx_plan(&j, 8);
    assert_int_equal(
        fx_find_op(&p1->list[TCE_PLAN_MOE_FWD], "expert_fc1")->kernels, 16);
    assert_int_equal(
        fx_find_op(&p1->list[TCE_PLAN_MOE_FWD], "expert_fc2")->kernels, 16);
    assert_int_equal(fx_find_op(&p1->list[TCE_PLAN_MOE_FWD], "router")->kernels,
                     2);
    assert_int_equal(
        fx_find_op(&p1->list[TCE_PLAN_MOE_FWD], "router_topk")->kernels, 6);
    scan(p1, TCE_PLAN_MOE_FWD, &f1);
    scan(p1, TCE_PLAN_MOE_BWD, &b1);
    /* one sync per forward, none in the backward */
    assert_close(f1.syncs, 1.0, 0.0);
    assert_close(b1.syncs, 0.0, 0.0);
    /* the backward launches dgrad and wgrad per forward GEMM (the
     * experts' 2 x 16 among them), the alltoall dispatcher 5 of its
     * forward's 19, every other op its forward's, and ops with no
     * backward none */
    {
        const struct tce_op_list *fw = &p1->list[TCE_PLAN_MOE_FWD];
        double want = f1.eager_launches - (19.0 - 5.0);
        int i;

        for (i = 0; i < fw->n; i++) {
            const struct tce_op *op = &fw->ops[i];

            if (op->kind != TCE_OP_COMPUTE)
                continue;
            if (op->flags & TCE_OP_F_NO_BACKWARD)
                want -= tce_hostsync_op_launches(op);
            else if (op->flops > 0)
                want += tce_hostsync_op_launches(op);
        }
        assert_true(want >= f1.eager_launches + 32.0 - 14.0);
        assert_close(b1.eager_launches, want, 0.0);
    }
    /* the mechanism: launches do not grow with the micro-batch size */
    fx_moe_job(&j, 4, 4);
    p4 = fx_plan(&j, 8);
    scan(p4, TCE_PLAN_MOE_FWD, &f4);
    scan(p4, TCE_PLAN_MOE_BWD, &b4);
    assert_close(f4.eager_launches, f1.eager_launches, 0.0);
    assert_close(b4.eager_launches, b1.eager_launches, 0.0);
    free(p4);
    /* FP8: one quantize per local expert of fc1 (fc2's input is written
     * by the activation) */
    fx_moe_job(&j, 4, 1);
    j.training.precision = TCE_PRECISION_FP8;
    p4 = fx_plan(&j, 8);
    assert_true(fx_find_op(&p4->list[TCE_PLAN_MOE_FWD], "fp8_cast")->kernels >=
                16);
    free(p4);
    /* EP 16: 4 local experts, fewer launches */
    fx_moe_job(&j, 16, 1);
    p4 = fx_plan(&j, 8);
    scan(p4, TCE_PLAN_MOE_FWD, &f4);
    assert_close(f4.eager_launches, f1.eager_launches - 2.0 * 12.0, 0.0);
    free(p4);
    /* dense layers never sync */
    scan(p1, TCE_PLAN_DENSE_FWD, &f4);
    assert_close(f4.syncs, 0.0, 0.0);
    free(p1);
}

static void test_sync_free(void **state)
{
    struct tce_job j;
    struct tce_plan *p;
    struct tce_hostsync_list h;

    (void)state;
    /* flex without a budget: the received count is synced */
    fx_moe_job(&j, 4, 1);
    j.parallel.moe_token_dispatcher_type = TCE_DISPATCHER_FLEX;
    p = fx_plan(&j, 8);
    assert_int_equal(
        fx_find_op(&p->list[TCE_PLAN_MOE_FWD], "moe_permute")->kernels, 6);
    scan(p, TCE_PLAN_MOE_FWD, &h);
    assert_close(h.syncs, 1.0, 0.0);
    free(p);
    /* a static receive budget: sync-free */
    j.training.moe_expert_rank_capacity_factor = 1.5;
    p = fx_plan(&j, 8);
    scan(p, TCE_PLAN_MOE_FWD, &h);
    assert_close(h.syncs, 0.0, 0.0);
    free(p);
    /* alltoall under CUDA graphs: every kernel graphed, no sync */
    fx_moe_job(&j, 4, 1);
    j.training.enable_cuda_graph = 1;
    p = fx_plan(&j, 8);
    scan(p, TCE_PLAN_MOE_FWD, &h);
    assert_close(h.syncs, 0.0, 0.0);
    assert_close(h.eager_launches, 0.0, 0.0);
    assert_true(h.graph_launches > 32.0);
    free(p);
}

/* After the one sync of a list the host's launches and the GPU's work
 * before the sync follow each other: post-sync host time + the sync's gap
 * + pre-sync GPU time; nothing without exactly one sync. */
static void test_segment(void **state)
{
    struct tce_op_list *l = calloc(1, sizeof(*l));
    double op_s[8] = {2e-3, 1e-3, 0.5e-3, 0.1e-3, 0.2e-3, 0.0, 0, 0};
    double gap = 10e-6;

    (void)state;
    assert_non_null(l);
    push(l, TCE_OP_COMPUTE, 1, 0, 1.0);                  /* attention */
    push(l, TCE_OP_COMPUTE, 2, 0, 0.0)->count = 2;       /* router x 2 */
    push(l, TCE_OP_COMPUTE, 20, TCE_OP_F_HOST_SYNC, 0.0); /* dispatch */
    push(l, TCE_OP_COMPUTE, 32, 0, 1.0);                 /* experts */
    push(l, TCE_OP_COMPUTE, 32, TCE_OP_F_GRAPHED, 1.0);  /* graphed */
    push(l, TCE_OP_COLLECTIVE, 0, 0, 0.0);               /* all-to-all */
    /* pre-sync GPU 2 + 2 x 1 ms; post-sync host (20 + 32) x 10 us + 32 x
     * 1 us graphed + one gap for the sync */
    assert_close(tce_hostsync_segment_s(l, op_s, gap, 1e-6),
                 4e-3 + (52.0 * gap + 32e-6) + gap, 1e-15);
    /* no costs: nothing */
    assert_close(tce_hostsync_segment_s(l, op_s, 0.0, 0.0), 0.0, 0.0);
    /* two syncs (a count of 2): the rule does not apply */
    l->ops[2].count = 2;
    assert_close(tce_hostsync_segment_s(l, op_s, gap, 1e-6), 0.0, 0.0);
    /* no sync: nothing */
    l->ops[2].count = 1;
    l->ops[2].flags = 0;
    assert_close(tce_hostsync_segment_s(l, op_s, gap, 1e-6), 0.0, 0.0);
    free(l);
}

/* host (issue 11): the list cut at its sync, hand values */
static void test_split(void **state)
{
    struct tce_op_list *l = calloc(1, sizeof(*l));
    double op_s[8] = {2e-3, 1e-3, 0.5e-3, 0.1e-3, 0.2e-3, 0.0, 0, 0};
    double gap = 10e-6;
    struct tce_hostsync_split sp;

    (void)state;
    assert_non_null(l);
    push(l, TCE_OP_COMPUTE, 1, 0, 1.0);                   /* attention */
    push(l, TCE_OP_COMPUTE, 2, 0, 0.0)->count = 2;        /* router x 2 */
    push(l, TCE_OP_COMPUTE, 20, TCE_OP_F_HOST_SYNC, 0.0); /* dispatch */
    push(l, TCE_OP_COMPUTE, 32, TCE_OP_F_GRAPHED, 1.0);   /* graphed */
    assert_int_equal(tce_hostsync_split(l, op_s, gap, 1e-6, &sp), 1);
    /* before: 1 + 2 x 2 launches, 2 + 2 x 1 ms of GPU */
    assert_close(sp.pre_host_s, 5.0 * gap, 1e-15);
    assert_close(sp.pre_gpu_s, 4e-3, 1e-15);
    /* from the sync: 20 eager, 32 graphed, the sync's gap */
    assert_close(sp.post_host_s, 20.0 * gap + 32e-6 + gap, 1e-15);
    /* no sync: every launch after, 0 returned */
    l->ops[2].flags = 0;
    assert_int_equal(tce_hostsync_split(l, op_s, gap, 1e-6, &sp), 0);
    assert_close(sp.pre_host_s, 0.0, 0.0);
    assert_close(sp.pre_gpu_s, 0.0, 0.0);
    assert_close(sp.post_host_s, 25.0 * gap + 32e-6, 1e-15);
    free(l);
}

/* host (issue 11): --cuda-graph-modules names */
static void test_graphscope_parse(void **state)
{
    unsigned m = 99;
    struct tce_error e;
    struct tce_training t;

    (void)state;
    assert_int_equal(tce_graphscope_parse("", &m, NULL), 0);
    assert_int_equal(m, 0);
    assert_int_equal(
        tce_graphscope_parse(" attn, moe_router,moe_preprocess", &m, NULL), 0);
    assert_int_equal(m, TCE_CG_ATTN | TCE_CG_MOE_ROUTER |
                            TCE_CG_MOE_PREPROCESS);
    tce_error_clear(&e);
    assert_int_equal(tce_graphscope_parse("attn,mamba", &m, &e), TCE_ECONFIG);
    assert_non_null(strstr(e.msg, "unknown module 'mamba'"));
    tce_error_clear(&e);
    assert_int_equal(tce_graphscope_parse("moe_preprocess", &m, &e),
                     TCE_ECONFIG);
    assert_non_null(strstr(e.msg, "moe_preprocess needs moe_router"));
    memset(&t, 0, sizeof(t));
    assert_int_equal(tce_graphscope_set(&t, "mlp,attn", NULL), 0);
    assert_string_equal(t.cuda_graph_modules, "mlp,attn");
    assert_int_equal(t.cuda_graph_modules_mask, TCE_CG_MLP | TCE_CG_ATTN);
}

static const struct tce_op *op_of(const struct tce_plan *p, const char *name)
{
    return fx_find_op(&p->list[TCE_PLAN_MOE_FWD], name);
}

/* host (issue 11): per-module graphs take their modules' ops only; the
 * dispatcher's sync is not captured: past a graphed preprocess it falls on
 * the next eager compute op */
static void test_module_graphs(void **state)
{
    struct tce_job j;
    struct tce_plan *p;
    struct tce_hostsync_list h, h0;

    (void)state;
    fx_moe_job(&j, 4, 1);
    p = fx_plan(&j, 8);
    scan(p, TCE_PLAN_MOE_FWD, &h0);
    free(p);
    assert_int_equal(tce_graphscope_set(&j.training,
                                        "attn,moe_router,moe_preprocess",
                                        NULL),
                     0);
    p = fx_plan(&j, 8);
    assert_true(op_of(p, "qkv")->flags & TCE_OP_F_GRAPHED);
    assert_true(op_of(p, "ln_mlp")->flags & TCE_OP_F_GRAPHED);
    assert_true(op_of(p, "router")->flags & TCE_OP_F_GRAPHED);
    assert_true(op_of(p, "moe_permute")->flags & TCE_OP_F_GRAPHED);
    assert_false(op_of(p, "moe_permute")->flags & TCE_OP_F_HOST_SYNC);
    assert_false(op_of(p, "expert_fc1")->flags & TCE_OP_F_GRAPHED);
    /* the first eager op after the all-to-all: the sort by local expert */
    assert_false(op_of(p, "moe_sort_experts")->flags & TCE_OP_F_GRAPHED);
    assert_true(op_of(p, "moe_sort_experts")->flags & TCE_OP_F_HOST_SYNC);
    assert_false(op_of(p, "expert_fc1")->flags & TCE_OP_F_HOST_SYNC);
    assert_false(op_of(p, "moe_unpermute")->flags & TCE_OP_F_GRAPHED);
    scan(p, TCE_PLAN_MOE_FWD, &h);
    /* one sync still; the graphed launches left the eager count */
    assert_close(h.syncs, 1.0, 0.0);
    assert_close(h.eager_launches + h.graph_launches,
                 h0.eager_launches + h0.graph_launches, 1e-9);
    assert_true(h.graph_launches >= 2.0 + 6.0 + 19.0);
    /* the backward replays the same modules */
    assert_true(fx_find_op(&p->list[TCE_PLAN_MOE_BWD], "qkv")->flags &
                TCE_OP_F_GRAPHED);
    assert_false(fx_find_op(&p->list[TCE_PLAN_MOE_BWD], "expert_fc1")->flags &
                 TCE_OP_F_GRAPHED);
    free(p);
    /* "moe": the whole MoE block graphed, sync-free */
    assert_int_equal(tce_graphscope_set(&j.training, "moe", NULL), 0);
    p = fx_plan(&j, 8);
    assert_false(op_of(p, "qkv")->flags & TCE_OP_F_GRAPHED);
    assert_true(op_of(p, "expert_fc1")->flags & TCE_OP_F_GRAPHED);
    scan(p, TCE_PLAN_MOE_FWD, &h);
    assert_close(h.syncs, 0.0, 0.0);
    free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scan_hand),
        cmocka_unit_test(test_moe_layer),
        cmocka_unit_test(test_sync_free),
        cmocka_unit_test(test_segment),
        cmocka_unit_test(test_split),
        cmocka_unit_test(test_graphscope_parse),
        cmocka_unit_test(test_module_graphs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
