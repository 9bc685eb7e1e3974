/* test_plan_recompute.c - the forward ops selective recomputation re-runs
 * (plan_recompute.c, mem wave 6): which modules, their FLOPs and the
 * recomputed flag.  Hand values. */
#include "tce_plan_fixtures.h"
#include "tce_test.h"

#include <stdlib.h>
#include <string.h>

#include "tcemu/layout.h"
#include "tcemu/plan.h"
#include "tcemu/recompute.h"

/* 4 layers (the first dense), MLA, 16 experts of 512, top-2, 8 GPUs, EP 8,
 * sequence 1024, micro batch 1, no TP. */
static void mla_moe_job(struct tce_job *j)
{
    tce_job_defaults(j);
    j->model.num_layers = 4;
    j->model.hidden_size = 1024;
    j->model.ffn_hidden_size = 4096;
    j->model.num_attention_heads = 8;
    j->model.seq_length = 1024;
    j->model.vocab_size = 32000;
    j->model.swiglu = 1;
    j->model.num_experts = 16;
    j->model.moe_router_topk = 2;
    j->model.moe_ffn_hidden_size = 512;
    j->model.moe_first_dense_layers = 1;
    fx_mla_dims(&j->model);
    j->parallel.num_gpus = 8;
    j->parallel.expert_model_parallel_size = 8;
    j->training.micro_batch_size = 1;
    j->training.global_batch_size = 64;
    j->training.train_tokens = 1000000000;
    tce_job_derive(j);
}

static int recomputed(const struct tce_op_list *l)
{
    int i, n = 0;

    for (i = 0; i < l->n; i++)
        n += !!(l->ops[i].flags & TCE_OP_F_RECOMPUTED);
    return n;
}

static void test_modules(void **state)
{
    struct tce_job j;
    struct tce_error err;
    struct tce_plan *p;
    const struct tce_op *op;

    (void)state;
    mla_moe_job(&j);
    /* no recomputation: nothing recomputed */
    p = fx_plan(&j, 0);
    assert_int_equal(recomputed(&p->list[TCE_PLAN_MOE_BWD]), 0);
    free(p);

    /* mla_up_proj + moe_act + layernorm */
    j.training.recompute_granularity = TCE_RECOMPUTE_SELECTIVE;
    assert_int_equal(
        tce_recompute_set(&j.training, "mla_up_proj,moe_act,layernorm", &err),
        0);
    p = fx_plan(&j, 0);
    /* the forward's up-projections again, each at its own shape:
     * 2 T q_lora a (qk + rope) and 2 T kv_lora a (qk + v) */
    op = fx_find_op(&p->list[TCE_PLAN_MOE_BWD], "rc_q_up");
    assert_non_null(op);
    assert_true(op->flags & TCE_OP_F_RECOMPUTED);
    assert_close(op->flops, 2.0 * 1024 * 256.0 * 8 * 96, 1e-12);
    assert_int_equal(op->gemm_k, 256);
    op = fx_find_op(&p->list[TCE_PLAN_MOE_BWD], "rc_kv_up");
    assert_non_null(op);
    assert_true(op->flags & TCE_OP_F_RECOMPUTED);
    assert_close(op->flops, 2.0 * 1024 * 128.0 * 8 * 128, 1e-12);
    assert_int_equal(op->gemm_n, 8 * 128);
    /* SwiGLU over 2 routed copies per token: 6 T topk f' bytes */
    op = fx_find_op(&p->list[TCE_PLAN_MOE_BWD], "rc_moe_act");
    assert_non_null(op);
    assert_close(op->bytes, 6.0 * 1024 * 2 * 512, 1e-12);
    /* MoE layer: pre-MLP norm and MLA's input norm; dense layer: MLA's */
    op = fx_find_op(&p->list[TCE_PLAN_MOE_BWD], "rc_norm");
    assert_non_null(op);
    assert_close(op->bytes, 2.0 * 4.0 * 1024 * 1024, 1e-12);
    op = fx_find_op(&p->list[TCE_PLAN_DENSE_BWD], "rc_norm");
    assert_non_null(op);
    assert_close(op->bytes, 4.0 * 1024 * 1024, 1e-12);
    assert_null(fx_find_op(&p->list[TCE_PLAN_DENSE_BWD], "rc_moe_act"));
    /* the attention core is not among them */
    for (int i = 0; i < p->list[TCE_PLAN_MOE_BWD].n; i++) {
        const struct tce_op *o = &p->list[TCE_PLAN_MOE_BWD].ops[i];

        assert_false((o->flags & TCE_OP_F_RECOMPUTED) &&
                     (o->flags & TCE_OP_F_ATTENTION_CORE));
    }
    free(p);

    /* mlp: a dense layer's MLP again, not the MoE layer's */
    assert_int_equal(tce_recompute_set(&j.training, "mlp", &err), 0);
    p = fx_plan(&j, 0);
    assert_non_null(fx_find_op(&p->list[TCE_PLAN_DENSE_BWD], "rc_fc1"));
    assert_non_null(fx_find_op(&p->list[TCE_PLAN_DENSE_BWD], "rc_fc2"));
    assert_null(fx_find_op(&p->list[TCE_PLAN_MOE_BWD], "rc_fc1"));
    free(p);

    /* the default list: the attention core only */
    assert_int_equal(tce_recompute_set(&j.training, "", &err), 0);
    p = fx_plan(&j, 0);
    assert_true(recomputed(&p->list[TCE_PLAN_MOE_BWD]) > 0);
    for (int i = 0; i < p->list[TCE_PLAN_MOE_BWD].n; i++) {
        const struct tce_op *o = &p->list[TCE_PLAN_MOE_BWD].ops[i];

        if (o->flags & TCE_OP_F_RECOMPUTED)
            assert_true(o->flags & TCE_OP_F_ATTENTION_CORE);
    }
    free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_modules),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
