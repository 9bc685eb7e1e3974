/* test_plan_cp.c - cp (issue 11): the p2p ring attention as Transformer
 * Engine runs it (plan_cp.h): the per-step kernels and merge passes in the
 * plan, their FLOPs, shapes and launches, and the ring's per-step
 * exposure; hand values. */
#include "tce_fixtures.h"
#include "tce_plan_fixtures.h"
#include "tce_test.h"

#include <stdlib.h>
#include <string.h>

#include "tcemu/hostsync.h"
#include "tcemu/layout.h"
#include "tcemu/model.h"
#include "tcemu/plan.h"
#include "tcemu/plan_cp.h"

/* 4 layers, h 1024, 16 heads of 64, s 4096, GQA 4, CP 4, no TP. */
static void cp_job(struct tce_job *j, enum tce_cp_comm kind)
{
    tce_job_defaults(j);
    j->model.num_layers = 4;
    j->model.hidden_size = 1024;
    j->model.ffn_hidden_size = 2048;
    j->model.num_attention_heads = 16;
    j->model.num_query_groups = 4;
    j->model.seq_length = 4096;
    j->model.vocab_size = 32000;
    j->model.swiglu = 1;
    j->parallel.num_gpus = 8;
    j->parallel.context_parallel_size = 4;
    j->parallel.cp_comm_type = kind;
    j->training.micro_batch_size = 1;
    j->training.global_batch_size = 64;
    j->training.train_tokens = 1000000000;
    j->training.hidden_dropout = 0.0;
    tce_job_derive(j);
}

static int find_i(const struct tce_op_list *l, const char *name)
{
    int i;

    for (i = 0; i < l->n; i++)
        if (l->ops[i].name && strcmp(l->ops[i].name, name) == 0)
            return i;
    return -1;
}

/* The forward: the ring op, then step 0, the c - 1 later steps and the c
 * merge passes, FLOPs summing to the all-gather scheme's one kernel. */
static void test_steps_in_plan(void **state)
{
    struct tce_job j;
    struct tce_layout lay;
    struct tce_plan *p2p, *ag;
    const struct tce_op_list *f;
    const struct tce_op *s0, *sk, *cor, *core;
    int ring;
    double tok = 1024.0, d = 64.0; /* 4096 / 4 tokens; head dim */

    (void)state;
    cp_job(&j, TCE_CP_COMM_P2P);
    p2p = fx_plan_layout(&j, &lay);
    f = &p2p->list[TCE_PLAN_DENSE_FWD];
    ring = find_i(f, "cp_ring_kv");
    assert_true(ring >= 0);
    assert_int_equal(f->ops[ring].count, 3);
    assert_int_equal(find_i(f, "attn_cp_step0"), ring + 1);
    assert_int_equal(find_i(f, "attn_cp_step"), ring + 2);
    assert_int_equal(find_i(f, "attn_cp_correct"), ring + 3);
    assert_int_equal(find_i(f, "attn_core"), -1);
    s0 = &f->ops[ring + 1];
    sk = &f->ops[ring + 2];
    cor = &f->ops[ring + 3];
    assert_int_equal(s0->count, 1);
    assert_int_equal(sk->count, 3);
    assert_int_equal(cor->count, 4);
    assert_true(s0->flags & TCE_OP_F_CP_STEP);
    assert_true(sk->flags & TCE_OP_F_CP_STEP);
    assert_false(cor->flags & TCE_OP_F_CP_STEP);
    assert_true(cor->flags & TCE_OP_F_ATTENTION_CORE);
    /* each step: T^2/2 score elements of 16 heads, 2 (d_qk + d_v) FLOPs
     * each */
    assert_close(s0->exps, 16.0 * tok * tok / 2.0, 1e-12);
    assert_close(s0->flops, s0->exps * 2.0 * (d + d), 1e-12);
    assert_close(sk->flops, s0->flops, 1e-12);
    /* the step kernels' table shape: causal over the rank's T tokens */
    assert_int_equal(s0->attn.seq_length, 1024);
    assert_true(s0->attn.causal);
    assert_int_equal(sk->attn.seq_length, 1024);
    /* merge: 3 x 2 bytes of the output and 3 x 4 of the LSE per query
     * head and token */
    assert_close(cor->bytes, tok * 16.0 * (6.0 * d + 12.0), 1e-12);
    assert_int_equal(cor->kernels, 2);
    /* launches: one per step kernel, two per merge pass */
    assert_close(tce_hostsync_op_launches(sk), 3.0, 1e-12);
    assert_close(tce_hostsync_op_launches(cor), 8.0, 1e-12);
    /* the same FLOPs as Ulysses' one kernel (a/c heads, whole sequence:
     * the table's shape) and the all-gather scheme's two chunk kernels */
    cp_job(&j, TCE_CP_COMM_A2A);
    ag = fx_plan_layout(&j, &lay);
    core = &ag->list[TCE_PLAN_DENSE_FWD]
                .ops[find_i(&ag->list[TCE_PLAN_DENSE_FWD], "attn_core")];
    assert_close(s0->flops + 3.0 * sk->flops, core->flops, 1e-12);
    assert_int_equal(core->attn.num_attention_heads, 4);
    assert_int_equal(core->attn.num_query_groups, 1);
    assert_int_equal(core->attn.seq_length, 4096);
    /* one head's GEMM: 4096 queries, the causal half of 4096 keys */
    assert_close(core->gemm_flops, 2.0 * 4096.0 * 2048.0 * d, 1e-12);
    free(ag);
    cp_job(&j, TCE_CP_COMM_ALL_GATHER);
    ag = fx_plan_layout(&j, &lay);
    core = &ag->list[TCE_PLAN_DENSE_FWD]
                .ops[find_i(&ag->list[TCE_PLAN_DENSE_FWD], "attn_cp_chunk")];
    assert_int_equal(find_i(&ag->list[TCE_PLAN_DENSE_FWD], "attn_core"), -1);
    assert_int_equal(core->count, 2);
    assert_close(2.0 * core->flops, s0->flops + 3.0 * sk->flops, 1e-12);
    free(ag);
    free(p2p);
}

/* The backward mirrors it: step 0 next to the ring op, before it. */
static void test_backward_mirrors(void **state)
{
    struct tce_job j;
    struct tce_layout lay;
    struct tce_plan *plan;
    const struct tce_op_list *b;
    int ring;

    (void)state;
    cp_job(&j, TCE_CP_COMM_P2P);
    plan = fx_plan_layout(&j, &lay);
    b = &plan->list[TCE_PLAN_DENSE_BWD];
    ring = find_i(b, "cp_ring_kv");
    assert_true(ring >= 2);
    assert_int_equal(find_i(b, "attn_cp_step0"), ring - 1);
    assert_int_equal(find_i(b, "attn_cp_step"), ring - 2);
    assert_true(b->ops[ring - 1].flags & TCE_OP_F_BACKWARD);
    assert_close(
        b->ops[ring - 1].flops,
        2.0 * plan->list[TCE_PLAN_DENSE_FWD]
                  .ops[find_i(&plan->list[TCE_PLAN_DENSE_FWD], "attn_cp_step0")]
                  .flops,
        1e-12);
    assert_true(tce_plan_cp_ring_paired(b, ring));
    /* sliding-window layers keep the one fused kernel per share */
    j.model.window_size = 512;
    tce_job_derive(&j);
    free(plan);
    plan = fx_plan_layout(&j, &lay);
    assert_int_equal(find_i(&plan->list[TCE_PLAN_DENSE_FWD], "attn_cp_step0"),
                     -1);
    free(plan);
}

static void set(struct tce_op *op, int64_t count, unsigned flags,
                enum tce_overlap ov)
{
    memset(op, 0, sizeof(*op));
    op->kind = flags ? TCE_OP_COMPUTE : TCE_OP_COLLECTIVE;
    op->count = count;
    op->flags = flags;
    op->overlap = ov;
}

/* exposed = sum over the sends of max(0, send - its step), step 0 first,
 * in either direction; sends past the run exposed whole. */
static void test_ring_exposed(void **state)
{
    struct tce_op_list l;
    double fwd[3] = {2.0, 1.0, 3.0}, bwd[3] = {1.5, 1.0, 2.0};
    double one[3] = {2.0, 0.5, 9.0};

    (void)state;
    l.n = 3;
    set(&l.ops[0], 3, 0, TCE_OVERLAP_ATTENTION);
    set(&l.ops[1], 1, TCE_OP_F_CP_STEP, TCE_OVERLAP_NONE);
    set(&l.ops[2], 3, TCE_OP_F_CP_STEP, TCE_OVERLAP_NONE);
    assert_true(tce_plan_cp_ring_paired(&l, 0));
    /* send 2: step 0 (1) exposes 1, steps of 3 hide the other two */
    assert_close(tce_plan_cp_ring_exposed_s(&l, 0, fwd), 1.0, 1e-15);
    /* backward order: [later steps, step 0, ring] */
    set(&l.ops[0], 3, TCE_OP_F_CP_STEP, TCE_OVERLAP_NONE);
    set(&l.ops[1], 1, TCE_OP_F_CP_STEP, TCE_OVERLAP_NONE);
    set(&l.ops[2], 3, 0, TCE_OVERLAP_ATTENTION);
    assert_close(tce_plan_cp_ring_exposed_s(&l, 2, bwd), 1.0 + 2.0 * 0.5,
                 1e-15);
    /* a run of one step: the two other sends exposed whole */
    l.n = 2;
    set(&l.ops[0], 3, 0, TCE_OVERLAP_ATTENTION);
    set(&l.ops[1], 1, TCE_OP_F_CP_STEP, TCE_OVERLAP_NONE);
    assert_close(tce_plan_cp_ring_exposed_s(&l, 0, one), 1.5 + 2.0 * 2.0,
                 1e-15);
    /* no run next to it: the caller's list-wide rule */
    set(&l.ops[1], 1, TCE_OP_F_ATTENTION_CORE, TCE_OVERLAP_NONE);
    assert_false(tce_plan_cp_ring_paired(&l, 0));
    assert_true(tce_plan_cp_ring_exposed_s(&l, 0, one) < 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_steps_in_plan),
        cmocka_unit_test(test_backward_mirrors),
        cmocka_unit_test(test_ring_exposed),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
