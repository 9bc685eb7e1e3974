/* test_wgradcost.c - a linear layer's backward as dgrad + wgrad GEMMs and
 * the wgrad GEMM's main_grad accumulation (wgradcost.h, issue 11): the
 * bytes of each GEMM by main_grad precision, fusion and input precision;
 * the cost model's two rooflines (a memory-bound wgrad no longer hidden
 * under a compute-bound dgrad); a measured table's wgrad gets only what
 * the main_grad traffic adds to its roofline; the plan marks every linear
 * backward (experts, dense, logits) with the job's main_grad precision and
 * gradient_accumulation_fusion.  Hand values throughout. */
#include "tce_fixtures.h"
#include "tce_test.h"

#include <stdlib.h>
#include <string.h>

#include "tcemu/computetable.h"
#include "tcemu/config.h"
#include "tcemu/costmodel.h"
#include "tcemu/layout.h"
#include "tcemu/plan.h"
#include "tcemu/wgradcost.h"

/* Two GEMMs (experts) of m 256, n 1024, k 512: the backward op. */
static void expert_bwd(struct tce_op *op, unsigned flags)
{
    memset(op, 0, sizeof(*op));
    op->kind = TCE_OP_COMPUTE;
    op->count = 1;
    op->gemm_m = 256;
    op->gemm_n = 1024;
    op->gemm_k = 512;
    op->flops = 2.0 * 2.0 * 256.0 * 1024.0 * 512.0 * 2.0;
    op->gemm_flops = 2.0 * 256.0 * 1024.0 * 512.0;
    op->flags = flags | TCE_OP_F_BACKWARD;
}

static void test_split(void **state)
{
    struct tce_op op;
    struct tce_wgrad w;
    const double m = 256, n = 1024, k = 512, p = 2.0 * k * n;

    (void)state;
    expert_bwd(&op, 0);
    /* not marked: not this mechanism's op */
    assert_false(tce_wgradcost_applies(&op));
    tce_wgradcost_split(&op, &w);
    assert_close(w.gemms, 0.0, 0.0);
    /* BF16 main_grad, fused: read and write 2 B a parameter */
    tce_wgradcost_mark(&op, 2.0, 1);
    assert_true(tce_wgradcost_applies(&op));
    assert_false(op.wgrad_unfused);
    tce_wgradcost_split(&op, &w);
    assert_close(w.gemms, 2.0, 1e-12);
    assert_close(w.params, p, 1e-12);
    assert_close(w.dgrad_bytes, 2.0 * ((m * n + k * n) * 2.0 + m * k * 2.0),
                 1e-9);
    assert_close(w.wgrad_bytes, 2.0 * (m * k + m * n) * 2.0 + 4.0 * p, 1e-9);
    assert_close(w.add_bytes, 0.0, 0.0);
    assert_close(w.measured_extra, 2.0 * p, 1e-9);
    assert_close(op.bytes, w.dgrad_bytes + w.wgrad_bytes, 1e-9);
    /* fp32 main_grad: 8 B a parameter, 6 beyond a BF16 output */
    tce_wgradcost_mark(&op, 4.0, 1);
    tce_wgradcost_split(&op, &w);
    assert_close(w.wgrad_bytes, 2.0 * (m * k + m * n) * 2.0 + 8.0 * p, 1e-9);
    assert_close(w.measured_extra, 6.0 * p, 1e-9);
    /* unfused: a BF16 wgrad, then main_grad += it (2 + 4 + 4 B) */
    tce_wgradcost_mark(&op, 4.0, 0);
    assert_true(op.wgrad_unfused);
    tce_wgradcost_split(&op, &w);
    assert_close(w.wgrad_bytes, 2.0 * (m * k + m * n) * 2.0 + 2.0 * p, 1e-9);
    assert_close(w.add_bytes, 10.0 * p, 1e-9);
    assert_close(w.measured_extra, 0.0, 0.0);
    assert_close(op.bytes, w.dgrad_bytes + w.wgrad_bytes + w.add_bytes, 1e-9);
    /* FP8 inputs at 1 B (MXFP8: a scale a 32 block), dX and main_grad not */
    expert_bwd(&op, TCE_OP_F_FP8);
    tce_wgradcost_mark(&op, 2.0, 1);
    tce_wgradcost_split(&op, &w);
    assert_close(w.dgrad_bytes, 2.0 * ((m * n + k * n) * 1.0 + m * k * 2.0),
                 1e-9);
    assert_close(w.wgrad_bytes, 2.0 * (m * k + m * n) * 1.0 + 4.0 * p, 1e-9);
    expert_bwd(&op, TCE_OP_F_FP8 | TCE_OP_F_MXFP8);
    tce_wgradcost_mark(&op, 2.0, 1);
    tce_wgradcost_split(&op, &w);
    assert_close(w.wgrad_bytes,
                 2.0 * (m * k + m * n) * (1.0 + 1.0 / 32.0) + 4.0 * p, 1e-9);
    /* a forward op, or one without a shape, is left alone */
    expert_bwd(&op, 0);
    op.flags = 0;
    tce_wgradcost_mark(&op, 2.0, 1);
    assert_false(tce_wgradcost_applies(&op));
    expert_bwd(&op, 0);
    op.gemm_k = 0;
    op.bytes = 123.0;
    tce_wgradcost_mark(&op, 2.0, 1);
    assert_false(tce_wgradcost_applies(&op));
    assert_close(op.bytes, 123.0, 0.0);
}

static void test_add_s(void **state)
{
    struct tce_wgrad w;

    (void)state;
    memset(&w, 0, sizeof(w));
    assert_close(tce_wgradcost_add_s(&w, 1e12, 0.0), 0.0, 0.0);
    w.add_bytes = 3e9;
    assert_close(tce_wgradcost_add_s(&w, 1e12, 0.0), 3e-3, 1e-15);
    assert_close(tce_wgradcost_add_s(&w, 1e12, 2e12), 1.5e-3, 1e-15);
    assert_close(tce_wgradcost_add_s(&w, 0.0, 0.0), 0.0, 0.0);
}

static void test_assumption(void **state)
{
    char buf[640];

    (void)state;
    assert_int_equal(tce_wgradcost_assumption(0, 1, buf, sizeof(buf)), 0);
    assert_non_null(strstr(buf, "BF16 main_grad"));
    assert_non_null(strstr(buf, "4 B a parameter"));
    assert_int_equal(tce_wgradcost_assumption(1, 1, buf, sizeof(buf)), 0);
    assert_non_null(strstr(buf, "8 B a parameter"));
    assert_int_equal(tce_wgradcost_assumption(1, 0, buf, sizeof(buf)), 0);
    assert_non_null(strstr(buf, "separate pass"));
    assert_int_equal(tce_wgradcost_assumption(0, 1, buf, 16), -1);
}

static void test_costmodel(void **state)
{
    struct tce_topology t;
    struct tce_costmodel cm;
    struct tce_op op;
    struct tce_wgrad w;
    const double hbm = 8e12 * 0.5, peak = 2250e12 * 0.75;
    double f, dg, wg, s;

    (void)state;
    /* a B200-like accelerator: FP8 4,500 TFLOP/s, HBM 8 TB/s at 0.5 */
    fx_roofline_topo(&t, 2250.0, 4500.0, 8000.0, 0.75, 0.5);
    assert_int_equal(tce_costmodel_init(&cm, &t, TCE_PRECISION_BF16, NULL), 0);
    /* 16 experts of k 4096 x n 3072 at m = 1,024 tokens each: the dgrad
     * is compute-bound, the wgrad (fp32 main_grad) memory-bound */
    memset(&op, 0, sizeof(op));
    op.kind = TCE_OP_COMPUTE;
    op.count = 1;
    op.gemm_m = 1024;
    op.gemm_n = 3072;
    op.gemm_k = 4096;
    op.gemm_flops = 2.0 * 1024.0 * 3072.0 * 4096.0;
    op.flops = 2.0 * 16.0 * op.gemm_flops;
    op.flags = TCE_OP_F_BACKWARD;
    tce_wgradcost_mark(&op, 4.0, 1);
    tce_wgradcost_split(&op, &w);
    f = 16.0 * op.gemm_flops;
    dg = f / peak > w.dgrad_bytes / hbm ? f / peak : w.dgrad_bytes / hbm;
    wg = f / peak > w.wgrad_bytes / hbm ? f / peak : w.wgrad_bytes / hbm;
    assert_true(w.dgrad_bytes / hbm < f / peak); /* compute-bound */
    assert_true(w.wgrad_bytes / hbm > f / peak); /* memory-bound */
    s = tce_cost_compute_op_s(&cm, &op, NULL);
    assert_close(s, dg + wg, 1e-12);
    /* more than one roofline over the sum would give */
    assert_true(s > (op.bytes / hbm > 2.0 * f / peak ? op.bytes / hbm
                                                     : 2.0 * f / peak) +
                        1e-6);
    /* unfused: the add pass at the HBM rate on top */
    tce_wgradcost_mark(&op, 4.0, 0);
    tce_wgradcost_split(&op, &w);
    wg = f / peak > w.wgrad_bytes / hbm ? f / peak : w.wgrad_bytes / hbm;
    assert_close(tce_cost_compute_op_s(&cm, &op, NULL),
                 dg + wg + w.add_bytes / hbm, 1e-12);
    /* the same op at 2,048 tokens an expert: compute-bound in both GEMMs,
     * the old 2x forward FLOPs at one roofline */
    op.gemm_m = 2048;
    op.gemm_flops = 2.0 * 2048.0 * 3072.0 * 4096.0;
    op.flops = 2.0 * 16.0 * op.gemm_flops;
    tce_wgradcost_mark(&op, 2.0, 1);
    assert_close(tce_cost_compute_op_s(&cm, &op, NULL), op.flops / peak, 1e-12);
}

/* The measured H100 table's DeepSeek-V3 expert FC1 at 128 tokens
 * (tests/fixtures/reference/h100-sxm5-80gb.csv: dgrad 40.3 us, wgrad
 * 48.0 us, x.T @ g into a fresh BF16 output): the fused wgrad adds what
 * reading the BF16 main_grad adds to its roofline (memory-bound here);
 * at 8,192 tokens (compute-bound) nothing. */
static void test_table(void **state)
{
    struct tce_costmodel *cm = malloc(sizeof(*cm));
    struct tce_computetable_gemm g;
    struct tce_op op;
    enum tce_compute_source src;
    const double hbm = 3350e9 * 0.8, peak = 989e12 * 0.72;
    double f, p, in, s;

    (void)state;
    assert_non_null(cm);
    memset(cm, 0, sizeof(*cm));
    cm->peak_flops = cm->bf16_peak_flops = 989e12;
    cm->matmul_efficiency = 0.72;
    cm->hbm_bytes_per_s = 3350e9;
    cm->memory_efficiency = 0.8;
    cm->dtype = TCE_DTYPE_BF16;
    cm->has_table = 1;
    tce_computetable_init(&cm->table);
    memset(&g, 0, sizeof(g));
    g.m = 128;
    g.n = 4096;
    g.k = 7168;
    g.fwd_s = 48.1e-6;
    g.dgrad_s = 40.3e-6;
    g.wgrad_s = 48.0e-6;
    assert_int_equal(tce_computetable_add_gemm(&cm->table, &g, NULL), 0);
    g.m = 8192;
    g.fwd_s = g.dgrad_s = g.wgrad_s = 1e-3;
    assert_int_equal(tce_computetable_add_gemm(&cm->table, &g, NULL), 0);
    tce_computetable_prepare(&cm->table);
    memset(&op, 0, sizeof(op));
    op.kind = TCE_OP_COMPUTE;
    op.count = 1;
    op.flags = TCE_OP_F_BACKWARD;
    op.gemm_m = 128;
    op.gemm_n = 4096;
    op.gemm_k = 7168;
    op.gemm_flops = 2.0 * 128.0 * 4096.0 * 7168.0;
    op.flops = 2.0 * op.gemm_flops;
    /* not marked: the measured passes alone */
    assert_close(tce_cost_compute_op_s(cm, &op, &src), 88.3e-6, 1e-12);
    assert_int_equal(src, TCE_COMPUTE_TABLE_EXACT);
    tce_wgradcost_mark(&op, 2.0, 1);
    f = op.gemm_flops;
    p = 4096.0 * 7168.0;
    in = (128.0 * 7168.0 + 128.0 * 4096.0) * 2.0;
    assert_true((in + 2.0 * p) / hbm > f / peak); /* memory-bound */
    s = tce_cost_compute_op_s(cm, &op, &src);
    assert_int_equal(src, TCE_COMPUTE_TABLE_EXACT);
    assert_close(s, 88.3e-6 + (in + 4.0 * p) / hbm - (in + 2.0 * p) / hbm,
                 1e-12);
    /* about 22 us: 2 B a parameter of 29.4 M at 2.68 TB/s */
    assert_close(s - 88.3e-6, 21.9e-6, 1e-2);
    /* compute-bound at 8,192 tokens: the measured time stands */
    op.gemm_m = 8192;
    op.gemm_flops = 2.0 * 8192.0 * 4096.0 * 7168.0;
    op.flops = 2.0 * op.gemm_flops;
    tce_wgradcost_mark(&op, 2.0, 1);
    assert_close(tce_cost_compute_op_s(cm, &op, NULL), 2e-3, 1e-12);
    free(cm);
}

/* The plan: 64 experts of width 512, top-4, hidden 1024, EP 16. */
static struct tce_plan *moe_plan(int fp32, int fused)
{
    struct tce_job j;
    struct tce_layout lay;
    struct tce_plan *plan = malloc(sizeof(*plan));

    assert_non_null(plan);
    tce_job_defaults(&j);
    j.model.num_layers = 4;
    j.model.hidden_size = 1024;
    j.model.ffn_hidden_size = 4096;
    j.model.num_attention_heads = 16;
    j.model.seq_length = 2048;
    j.model.vocab_size = 32000;
    j.model.swiglu = 1;
    j.model.num_experts = 64;
    j.model.moe_router_topk = 4;
    j.model.moe_ffn_hidden_size = 512;
    j.model.moe_first_dense_layers = 1; /* a dense layer too */
    j.parallel.num_gpus = 16;
    j.parallel.expert_model_parallel_size = 16;
    j.training.micro_batch_size = 1;
    j.training.global_batch_size = 64;
    j.training.train_tokens = 1000000000;
    j.training.accumulate_allreduce_grads_in_fp32 = fp32;
    j.training.gradient_accumulation_fusion = fused;
    tce_job_derive(&j);
    assert_int_equal(tce_layout_init(&lay, &j, NULL, 0, NULL), 0);
    assert_int_equal(tce_plan_build(&j, &lay, 0, plan, NULL), 0);
    return plan;
}

static void test_plan_marks(void **state)
{
    struct tce_plan *plan;
    const struct tce_op_list *l;
    struct tce_job j;
    int i, lists[] = {TCE_PLAN_MOE_BWD, TCE_PLAN_DENSE_BWD, TCE_PLAN_HEAD_BWD};
    int marked, li;

    (void)state;
    tce_job_defaults(&j);
    assert_true(j.training.gradient_accumulation_fusion); /* Megatron's */
    plan = moe_plan(0, 1);
    for (li = 0; li < 3; li++) {
        l = &plan->list[lists[li]];
        marked = 0;
        for (i = 0; i < l->n; i++) {
            const struct tce_op *op = &l->ops[i];
            int linear = op->kind == TCE_OP_COMPUTE && op->gemm_n > 0 &&
                         op->flops > 0 && (op->flags & TCE_OP_F_BACKWARD);

            assert_int_equal(tce_wgradcost_applies(op), linear);
            if (linear) {
                marked++;
                assert_close(op->main_grad_bytes, 2.0, 0.0);
                assert_false(op->wgrad_unfused);
            }
            if (li == 0 && strcmp(op->name, "expert_fc1") == 0 &&
                (op->flags & TCE_OP_F_BACKWARD)) {
                struct tce_wgrad w;

                tce_wgradcost_split(op, &w);
                /* 64 experts over EP 16: 4 local, each 1024 x 1024 */
                assert_close(w.gemms, 4.0, 1e-12);
                assert_close(w.params, 4.0 * 1024.0 * 1024.0, 1e-6);
                /* 2,048 tokens x 4 x 16 ranks over 64 experts */
                assert_int_equal(op->gemm_m, 2048);
            }
        }
        assert_true(marked > 0);
    }
    /* the forward lists are left alone */
    l = &plan->list[TCE_PLAN_MOE_FWD];
    for (i = 0; i < l->n; i++)
        assert_false(tce_wgradcost_applies(&l->ops[i]));
    free(plan);
    plan = moe_plan(1, 0);
    l = &plan->list[TCE_PLAN_MOE_BWD];
    for (i = 0; i < l->n; i++)
        if (tce_wgradcost_applies(&l->ops[i])) {
            assert_close(l->ops[i].main_grad_bytes, 4.0, 0.0);
            assert_true(l->ops[i].wgrad_unfused);
        }
    free(plan);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split),      cmocka_unit_test(test_add_s),
        cmocka_unit_test(test_assumption), cmocka_unit_test(test_costmodel),
        cmocka_unit_test(test_table),      cmocka_unit_test(test_plan_marks),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
