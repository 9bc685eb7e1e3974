/* test_plan_attn.c - attn (issue 11): the attention block as the kernel
 * runs it (causal half, sliding windows, BF16 in FP8 jobs), the FLOP
 * conventions, data-parallel sharding (ZeRO-2, FSDP) in memory and as plan
 * ops, FP32 gradient reduction; hand values. */
#include "tce_fixtures.h"
#include "tce_plan_fixtures.h"
#include "tce_test.h"

#include <stdlib.h>
#include <string.h>

#include "tcemu/costmodel.h"
#include "tcemu/layout.h"
#include "tcemu/model.h"
#include "tcemu/plan.h"
#include "tcemu/recompute.h"
#include "tcemu/projector.h"
#include "tcemu/timeline.h"

/* 4 layers, h 1024, 16 heads of 64, s 4096, GQA 4, SwiGLU, no TP. */
static void small_job(struct tce_job *j, int64_t gpus, int64_t tp)
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
    j->parallel.num_gpus = gpus;
    j->parallel.tensor_model_parallel_size = tp;
    j->training.micro_batch_size = 1;
    j->training.global_batch_size = 64;
    j->training.train_tokens = 1000000000;
    j->training.hidden_dropout = 0.0;
    tce_job_derive(j);
}

static void test_window_layers(void **state)
{
    struct tce_job j;
    double kf, kw;
    (void)state;

    small_job(&j, 8, 1);
    assert_int_equal(tce_model_window_layers(&j.model), 0);
    j.model.window_size = 128;
    assert_int_equal(tce_model_window_layers(&j.model), 4);
    j.model.window_attn_skip_freq = 2; /* layers 2 and 4 (1-based) full */
    assert_int_equal(tce_model_window_layers(&j.model), 2);
    assert_true(tce_model_layer_is_window(&j.model, 0));
    assert_false(tce_model_layer_is_window(&j.model, 1));
    assert_true(tce_model_layer_is_window(&j.model, 2));
    assert_false(tce_model_layer_is_window(&j.model, 3));
    tce_model_attention_keys(&j.model, TCE_FLOPS_CAUSAL, &kf, &kw);
    assert_close(kf, 0.5, 1e-15);
    assert_close(kw, 128.0 / 4096.0, 1e-15);
    tce_model_attention_keys(&j.model, TCE_FLOPS_FULL, &kf, &kw);
    assert_close(kf, 1.0, 1e-15);
    assert_close(kw, 1.0, 1e-15);
    j.model.window_size = 4096; /* no shorter than s: no window */
    assert_int_equal(tce_model_window_layers(&j.model), 0);
}

static void test_conventions(void **state)
{
    struct tce_job j;
    struct tce_iteration_flops full, causal;
    /* attention core per token and layer, forward: 4 s a d */
    double core = 4.0 * 4096 * 16 * 64;
    double tokens = 64.0 * 4096;
    (void)state;

    small_job(&j, 8, 1);
    assert_close(tce_model_flops_per_token_convention(&j.model, TCE_FLOPS_FULL),
                 tce_model_flops_per_token(&j.model), 1e-15);
    /* causal: half the core in each of 4 layers, 3 x forward */
    assert_close(
        tce_model_flops_per_token_convention(&j.model, TCE_FLOPS_FULL) -
            tce_model_flops_per_token_convention(&j.model, TCE_FLOPS_CAUSAL),
        3.0 * 4.0 * core * 0.5, 1e-12);
    /* GPT-OSS pattern: 2 full layers (s/2 keys), 2 window layers (128) */
    j.model.window_size = 128;
    j.model.window_attn_skip_freq = 2;
    assert_close(
        tce_model_flops_per_token_convention(&j.model, TCE_FLOPS_FULL) -
            tce_model_flops_per_token_convention(&j.model, TCE_FLOPS_CAUSAL),
        3.0 * core * (2.0 * 0.5 + 2.0 * (1.0 - 128.0 / 4096.0)), 1e-12);
    /* selective recompute adds the core in the same convention */
    j.training.recompute_granularity = TCE_RECOMPUTE_SELECTIVE;
    tce_model_flops_per_iteration_convention(&j.model, &j.training,
                                             TCE_FLOPS_FULL, &full);
    tce_model_flops_per_iteration_convention(&j.model, &j.training,
                                             TCE_FLOPS_CAUSAL, &causal);
    assert_close(full.recompute_flops, 4.0 * core * tokens, 1e-12);
    assert_close(causal.recompute_flops,
                 core * (2.0 * 0.5 + 2.0 * 128.0 / 4096.0) * tokens, 1e-12);
}

static void test_window_ops(void **state)
{
    struct tce_job j;
    struct tce_layout lay;
    struct tce_plan *plan;
    const struct tce_op *full, *swa;
    double core = 4.0 * 4096 * 16 * 64 * 4096; /* per microbatch, layer */
    (void)state;

    small_job(&j, 8, 1);
    plan = fx_plan_layout(&j, &lay);
    full = fx_find_op(&plan->list[TCE_PLAN_DENSE_FWD], "attn_core");
    assert_non_null(full);
    assert_null(fx_find_op(&plan->list[TCE_PLAN_DENSE_FWD], "attn_core_swa"));
    assert_close(full->flops, 0.5 * core, 1e-12); /* causal half */
    assert_int_equal(full->attn.window_size, 0);
    /* the table's count for the shape is the op's */
    assert_close(tce_computetable_attention_flops(&full->attn), full->flops,
                 1e-12);
    free(plan);

    j.model.window_size = 128;
    j.model.window_attn_skip_freq = 2;
    plan = fx_plan_layout(&j, &lay);
    full = fx_find_op(&plan->list[TCE_PLAN_DENSE_FWD], "attn_core");
    swa = fx_find_op(&plan->list[TCE_PLAN_DENSE_FWD], "attn_core_swa");
    assert_non_null(full);
    assert_non_null(swa);
    assert_close(full->flops, 0.5 * 0.5 * core, 1e-12);
    assert_close(swa->flops, 0.5 * 128.0 / 4096.0 * core, 1e-12);
    assert_int_equal(swa->attn.window_size, 128);
    assert_close(swa->flops / tce_computetable_attention_flops(&swa->attn), 0.5,
                 1e-12);
    /* backward: twice each */
    assert_close(
        fx_find_op(&plan->list[TCE_PLAN_DENSE_BWD], "attn_core_swa")->flops,
        2.0 * swa->flops, 1e-12);
    free(plan);

    /* unfused: the whole square, masked */
    j.training.use_flash_attn = 0;
    plan = fx_plan_layout(&j, &lay);
    full = fx_find_op(&plan->list[TCE_PLAN_DENSE_FWD], "attn_scores");
    assert_non_null(full);
    assert_close(full->flops, 0.5 * core, 1e-12); /* QK^T: half of QK+AV */
    free(plan);
}

static void test_bf16_attention(void **state)
{
    struct tce_job j;
    struct tce_layout lay;
    struct tce_plan *plan;
    const struct tce_op *op;
    struct tce_costmodel *cm = calloc(1, sizeof(*cm));
    (void)state;

    assert_non_null(cm);
    small_job(&j, 8, 1);
    j.training.precision = TCE_PRECISION_FP8;
    plan = fx_plan_layout(&j, &lay);
    op = fx_find_op(&plan->list[TCE_PLAN_DENSE_FWD], "attn_core");
    assert_true(op->flags & TCE_OP_F_BF16);
    assert_false(fx_find_op(&plan->list[TCE_PLAN_DENSE_FWD], "qkv")->flags &
                 TCE_OP_F_BF16);
    /* the curve times it at the bf16 peak */
    cm->peak_flops = 2e15;
    cm->fp8_peak_flops = 2e15;
    cm->bf16_peak_flops = 1e15;
    cm->dtype = TCE_DTYPE_FP8;
    cm->matmul_efficiency = 1.0;
    cm->hbm_bytes_per_s = 1e30;
    cm->memory_efficiency = 1.0;
    assert_close(tce_cost_compute_op_s(cm, op, NULL), op->flops / 1e15, 1e-12);
    /* the fused backward recomputes the scores: 2.5x the forward's FLOPs
     * where the op (the model) carries 2x */
    assert_true(op->flags & TCE_OP_F_FUSED_ATTENTION);
    op = fx_find_op(&plan->list[TCE_PLAN_DENSE_BWD], "attn_core");
    assert_close(tce_cost_compute_op_s(cm, op, NULL), 1.25 * op->flops / 1e15,
                 1e-12);
    free(plan);
    j.training.fp8_dot_product_attention = 1;
    plan = fx_plan_layout(&j, &lay);
    op = fx_find_op(&plan->list[TCE_PLAN_DENSE_FWD], "attn_core");
    assert_false(op->flags & TCE_OP_F_BF16);
    assert_close(tce_cost_compute_op_s(cm, op, NULL), op->flops / 2e15, 1e-12);
    free(plan);
    free(cm);
}

/* Parameters of one dense layer of small_job (t = 1). */
static double layer_params(const struct tce_job *j)
{
    struct tce_param_count pc;

    tce_model_count_params(&j->model, &pc);
    return pc.attention_per_layer + pc.dense_mlp_per_layer + pc.norms_per_layer;
}

static void test_fsdp_ops(void **state)
{
    struct tce_job j;
    struct tce_layout lay;
    struct tce_plan *plan;
    const struct tce_op *op;
    double lp;
    (void)state;

    small_job(&j, 8, 1);
    j.parallel.use_torch_fsdp2 = 1;
    assert_int_equal(tce_model_dp_sharding(&j),
                     TCE_DP_SHARD_OPTIM_GRADS_PARAMS);
    lp = layer_params(&j);
    plan = fx_plan_layout(&j, &lay);
    op = fx_find_op(&plan->list[TCE_PLAN_DENSE_FWD], "fsdp_ag_params");
    assert_non_null(op);
    assert_int_equal(op->coll, TCE_COLL_ALL_GATHER);
    assert_int_equal(op->group, TCE_GROUP_DP);
    assert_int_equal(op->overlap, TCE_OVERLAP_COMPUTE);
    assert_close(op->bytes, 2.0 * lp, 1e-12);
    assert_non_null(
        fx_find_op(&plan->list[TCE_PLAN_DENSE_BWD], "fsdp_ag_params"));
    op = fx_find_op(&plan->list[TCE_PLAN_DENSE_BWD], "fsdp_rs_grads");
    assert_non_null(op);
    assert_int_equal(op->coll, TCE_COLL_REDUCE_SCATTER);
    assert_close(op->bytes, 2.0 * lp, 1e-12);
    /* the iteration's reduce-scatter: only what is outside the layers */
    op = fx_find_op(&plan->list[TCE_PLAN_ITER_END], "dp_rs_grads");
    assert_non_null(op);
    assert_close(op->bytes * (double)op->count,
                 2.0 * (plan->dense_params - 4.0 * lp), 1e-12);
    free(plan);

    /* FP32 gradient reduction: 4-byte buckets, per layer and at the end */
    j.training.accumulate_allreduce_grads_in_fp32 = 1;
    plan = fx_plan_layout(&j, &lay);
    assert_close(
        fx_find_op(&plan->list[TCE_PLAN_DENSE_BWD], "fsdp_rs_grads")->bytes,
        4.0 * lp, 1e-12);
    free(plan);
    j.parallel.use_torch_fsdp2 = 0;
    plan = fx_plan_layout(&j, &lay);
    op = fx_find_op(&plan->list[TCE_PLAN_ITER_END], "dp_ar_grads");
    assert_non_null(op);
    assert_close(op->bytes * (double)op->count, 4.0 * plan->dense_params,
                 1e-12);
    assert_null(fx_find_op(&plan->list[TCE_PLAN_DENSE_FWD], "fsdp_ag_params"));
    free(plan);
}

static void test_memory(void **state)
{
    struct tce_job j;
    struct tce_layout lay;
    struct tce_memory flash, unfused, z1, z2, z3;
    double s = 4096, a = 16, params;
    (void)state;

    small_job(&j, 8, 1);
    assert_int_equal(tce_layout_init(&lay, &j, NULL, 0, NULL), 0);
    assert_int_equal(tce_model_memory(&j, &lay, NULL, &flash, NULL), 0);
    j.training.use_flash_attn = 0;
    assert_int_equal(tce_model_memory(&j, &lay, NULL, &unfused, NULL), 0);
    /* 5 a s bytes of scores per token against the 4 a of the fp32 LSE */
    assert_close(unfused.activation_per_layer_bytes -
                     flash.activation_per_layer_bytes,
                 s * (5.0 * a * s - 4.0 * a), 1e-12);
    j.training.use_flash_attn = 1;
    /* FP8: the FP8 GEMMs' inputs in 1 byte: block inputs 2h, fc2 input f
     * saved, a 1-byte copy of the attention output o added */
    j.training.precision = TCE_PRECISION_FP8;
    assert_int_equal(tce_model_memory(&j, &lay, NULL, &z1, NULL), 0);
    assert_close(flash.activation_per_layer_bytes -
                     z1.activation_per_layer_bytes,
                 s * (2.0 * 1024 - 16 * 64 + 2048), 1e-12);
    /* the hidden-dropout masks: 2h with dropout */
    j.training.precision = TCE_PRECISION_BF16;
    j.training.hidden_dropout = 0.1;
    assert_int_equal(tce_model_memory(&j, &lay, NULL, &z1, NULL), 0);
    assert_close(z1.activation_per_layer_bytes -
                     flash.activation_per_layer_bytes,
                 s * 2.0 * 1024, 1e-12);
    j.training.hidden_dropout = 0.0;
    /* activation offloading: 1 of the 4 layers' activations on the host */
    j.training.cpu_offloading_num_layers = 1;
    assert_int_equal(tce_model_memory(&j, &lay, NULL, &z1, NULL), 0);
    assert_close(flash.activations_bytes - z1.activations_bytes,
                 flash.inflight_microbatches * flash.activation_per_layer_bytes,
                 1e-12);
    j.training.cpu_offloading_num_layers = 0;

    j.parallel.use_distributed_optimizer = 1;
    assert_int_equal(tce_model_memory(&j, &lay, NULL, &z1, NULL), 0);
    j.parallel.data_parallel_sharding_strategy = TCE_DP_SHARD_OPTIM_GRADS;
    assert_int_equal(tce_model_memory(&j, &lay, NULL, &z2, NULL), 0);
    j.parallel.data_parallel_sharding_strategy =
        TCE_DP_SHARD_OPTIM_GRADS_PARAMS;
    assert_int_equal(tce_model_memory(&j, &lay, NULL, &z3, NULL), 0);
    params = z1.params;
    /* dp 8: optimizer over 8 in all three */
    assert_close(z1.optimizer_bytes, 12.0 * params / 8.0, 1e-12);
    assert_close(z2.optimizer_bytes, z1.optimizer_bytes, 1e-12);
    assert_close(z1.gradients_bytes, 2.0 * params, 1e-12);
    /* ZeRO-2: the shard plus one layer's gradients */
    assert_close(z2.gradients_bytes,
                 2.0 * (params / 8.0 + params / (double)z2.stage_layers),
                 1e-12);
    assert_close(z2.weights_bytes, 2.0 * params, 1e-12);
    /* FSDP: the shard plus two layers gathered */
    assert_close(z3.weights_bytes,
                 2.0 * (params / 8.0 + 2.0 * params / (double)z3.stage_layers),
                 1e-12);
    assert_true(z3.total_bytes < z2.total_bytes);
    assert_true(z2.total_bytes < z1.total_bytes);
}

/* The CP ring's per-step rule (plan.h's TCE_OVERLAP_ATTENTION) in the
 * projector and the timeline: both give the same stage time; a ring on a
 * fast link at a long sequence hides under the attention steps, the
 * all-gather is exposed; a slow link exposes the ring. */
static void cp_case(struct tce_topology *t, struct tce_job *j,
                    struct tce_projection *p)
{
    struct tce_costmodel *cm = malloc(sizeof(*cm));
    struct tce_timeline tl;
    double busy = 0.0;
    int i;

    assert_non_null(cm);
    assert_int_equal(tce_costmodel_init(cm, t, TCE_PRECISION_BF16, NULL), 0);
    assert_int_equal(tce_project(t, j, cm, 0, p, NULL), 0);
    assert_int_equal(tce_timeline_build(t, j, cm, &p->layout, &tl, NULL), 0);
    for (i = 0; i < tl.n; i++)
        if (tl.ev[i].kind == TCE_TL_FORWARD || tl.ev[i].kind == TCE_TL_BACKWARD)
            busy += tl.ev[i].dur_s;
    assert_close(busy / (double)tl.m, p->stage_microbatch_s, 1e-9);
    tce_timeline_release(&tl);
    free(cm);
}

static void test_cp_ring_exposure(void **state)
{
    struct tce_topology t;
    struct tce_job j;
    struct tce_projection p;
    (void)state;

    topo(&t);
    gpt(&j, 64, 4, 1, 1);
    j.model.seq_length = 32768;
    j.parallel.context_parallel_size = 2;
    j.training.global_batch_size = 64;
    j.training.recompute_granularity = TCE_RECOMPUTE_SELECTIVE;
    cp_case(&t, &j, &p);
    assert_close(p.breakdown.cp_exposed_s, 0.0, 1e-12);
    j.parallel.cp_comm_type = TCE_CP_COMM_ALL_GATHER;
    cp_case(&t, &j, &p);
    assert_true(p.breakdown.cp_exposed_s > 0.0);
    j.parallel.cp_comm_type = TCE_CP_COMM_P2P;
    t.scale_up.bandwidth_gbytes_per_s = 0.01;
    cp_case(&t, &j, &p);
    assert_true(p.breakdown.cp_exposed_s > 0.0);
}

/* bw (issue 11): the fused core's exponentials (one per score element it
 * executes) and its HBM bytes (q and the context of every query head, K
 * and V of the shard's KV heads only) */
static void test_exps_and_bytes(void **state)
{
    struct tce_job j;
    struct tce_layout lay;
    struct tce_plan *plan;
    const struct tce_op *op;
    double tok = 4096.0, d = 64.0; /* head dim 1024 / 16 */

    (void)state;
    small_job(&j, 8, 2);
    plan = fx_plan_layout(&j, &lay);
    op = fx_find_op(&plan->list[TCE_PLAN_DENSE_FWD], "attn_core");
    assert_non_null(op);
    /* 8 heads of the TP shard, the causal half of 4096^2 scores */
    assert_close(op->exps, 8.0 * 0.5 * tok * tok, 1e-12);
    assert_close(op->exps, op->flops / (2.0 * (d + d)), 1e-12);
    /* q, o: 8 heads; k, v: 2 of the 4 query groups; 2 bytes */
    assert_close(op->bytes, 2.0 * tok * (8.0 * 2.0 * d + 2.0 * 2.0 * d), 1e-12);
    /* the backward recomputes each exponential once */
    assert_close(fx_find_op(&plan->list[TCE_PLAN_DENSE_BWD], "attn_core")->exps,
                 op->exps, 1e-12);
    free(plan);
}

/* qwen (issue 11): qk_layernorm adds a norm pass over this rank's q and
 * k heads (2 x their bytes forward, 3 x backward); gptoss: YaRN above
 * factor 1 an unfused RoPE (12 and 11.5 passes).  Hand values: 4096
 * tokens x (16 + 4 heads) x 64 x 2 B, TP 2 halves them. */
static void test_qk_passes(void **state)
{
    struct tce_job j;
    struct tce_layout lay;
    struct tce_plan *plan;
    const struct tce_op *op;
    double qk = 4096.0 * (16.0 + 4.0) * 64.0 * 2.0;

    (void)state;
    small_job(&j, 8, 1);
    plan = fx_plan_layout(&j, &lay);
    assert_null(fx_find_op(&plan->list[TCE_PLAN_DENSE_FWD], "qk_norm"));
    assert_null(fx_find_op(&plan->list[TCE_PLAN_DENSE_FWD], "rope_unfused"));
    free(plan);

    j.model.qk_layernorm = 1;
    j.model.yarn_rotary_scaling_factor = 32.0;
    plan = fx_plan_layout(&j, &lay);
    op = fx_find_op(&plan->list[TCE_PLAN_DENSE_FWD], "qk_norm");
    assert_non_null(op);
    assert_close(op->bytes, 2.0 * qk, 1e-12);
    assert_true(op > fx_find_op(&plan->list[TCE_PLAN_DENSE_FWD], "qkv"));
    assert_close(fx_find_op(&plan->list[TCE_PLAN_DENSE_BWD], "qk_norm")->bytes,
                 3.0 * qk, 1e-12);
    assert_close(
        fx_find_op(&plan->list[TCE_PLAN_DENSE_FWD], "rope_unfused")->bytes,
        12.0 * qk, 1e-12);
    free(plan);

    small_job(&j, 8, 2);
    j.model.qk_layernorm = 1;
    plan = fx_plan_layout(&j, &lay);
    assert_close(fx_find_op(&plan->list[TCE_PLAN_DENSE_FWD], "qk_norm")->bytes,
                 qk, 1e-12);
    free(plan);
}

/* dsv3 (issue 11): MLA's fused RoPE: q read and written, K/V read, key
 * and value written (16 heads, nope 64 + rope 32, v 64, 4096 tokens,
 * BF16); the backward the same; recomputed with mla_up_proj. */
static void test_mla_rope(void **state)
{
    struct tce_job j;
    struct tce_layout lay;
    struct tce_plan *plan;
    struct tce_error e;
    double d = 96.0, b = 2.0 * 4096.0 * 16.0 * (2.0 * d + 128.0 + d + 64.0);

    (void)state;
    small_job(&j, 8, 1);
    j.model.num_query_groups = 16;
    fx_mla_dims(&j.model);
    plan = fx_plan_layout(&j, &lay);
    assert_close(fx_find_op(&plan->list[TCE_PLAN_DENSE_FWD], "mla_rope")->bytes,
                 b, 1e-12);
    assert_close(fx_find_op(&plan->list[TCE_PLAN_DENSE_BWD], "mla_rope")->bytes,
                 b, 1e-12);
    assert_null(fx_find_op(&plan->list[TCE_PLAN_DENSE_BWD], "rc_mla_rope"));
    free(plan);
    assert_int_equal(tce_recompute_set(&j.training, "mla_up_proj", &e), 0);
    j.training.recompute_granularity = TCE_RECOMPUTE_SELECTIVE;
    plan = fx_plan_layout(&j, &lay);
    assert_close(
        fx_find_op(&plan->list[TCE_PLAN_DENSE_BWD], "rc_mla_rope")->bytes, b,
        1e-12);
    free(plan);
}

/* dsv3 (issue 11): MLA's projections are four linears at their own shapes
 * (q_down 1024 -> 256, kv_down 1024 -> 128 + 32, q_up 256 -> 16 x 96,
 * kv_up 128 -> 16 x (64 + 64) on 4096 tokens), FP8 in an FP8 job; under
 * TP 2 the down-projections run whole on every rank (duplicated), the
 * up-projections split; at TP 1 they add up to the model's attention
 * linears less the output projection. */
static void mla_job(struct tce_job *j, int64_t tp)
{
    small_job(j, 8, tp);
    j->model.num_query_groups = 16;
    fx_mla_dims(&j->model);
    j->training.precision = TCE_PRECISION_FP8;
}

static void assert_linear(const struct tce_op_list *l, const char *name,
                          int64_t m, int64_t n, int64_t k)
{
    const struct tce_op *op = fx_find_op(l, name);

    assert_non_null(op);
    assert_int_equal(op->gemm_m, m);
    assert_int_equal(op->gemm_n, n);
    assert_int_equal(op->gemm_k, k);
    assert_close(op->flops, 2.0 * (double)(m * n * k), 1e-12);
    assert_true(op->flags & TCE_OP_F_FP8);
}

static void test_mla_projections(void **state)
{
    struct tce_job j;
    struct tce_layout lay;
    struct tce_plan *plan;
    const struct tce_op_list *l;
    static const char *const names[] = {"q_down", "kv_down", "q_up",
                                        "kv_up"};
    double sum = 0.0, want;
    int i;

    (void)state;
    mla_job(&j, 1);
    plan = fx_plan_layout(&j, &lay);
    l = &plan->list[TCE_PLAN_DENSE_FWD];
    assert_null(fx_find_op(l, "qkv"));
    assert_linear(l, "q_down", 4096, 256, 1024);
    assert_linear(l, "kv_down", 4096, 160, 1024);
    assert_linear(l, "q_up", 4096, 16 * 96, 256);
    assert_linear(l, "kv_up", 4096, 16 * 128, 128);
    assert_non_null(fx_find_op(l, "q_norm"));
    assert_non_null(fx_find_op(l, "kv_norm"));
    for (i = 0; i < 4; i++)
        sum += fx_find_op(l, names[i])->flops;
    want = 2.0 * 4096.0 *
           (1024.0 * 256.0 + 256.0 * 16.0 * 96.0 + 1024.0 * 160.0 +
            128.0 * 16.0 * 128.0);
    assert_close(sum, want, 1e-12);
    free(plan);
    mla_job(&j, 2);
    plan = fx_plan_layout(&j, &lay);
    l = &plan->list[TCE_PLAN_DENSE_FWD];
    assert_linear(l, "q_down", 4096, 256, 1024);
    assert_linear(l, "kv_down", 4096, 160, 1024);
    assert_linear(l, "q_up", 4096, 8 * 96, 256);
    assert_linear(l, "kv_up", 4096, 8 * 128, 128);
    free(plan);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_window_layers),
        cmocka_unit_test(test_conventions),
        cmocka_unit_test(test_window_ops),
        cmocka_unit_test(test_exps_and_bytes),
        cmocka_unit_test(test_bf16_attention),
        cmocka_unit_test(test_fsdp_ops),
        cmocka_unit_test(test_memory),
        cmocka_unit_test(test_cp_ring_exposure),
        cmocka_unit_test(test_qk_passes),
        cmocka_unit_test(test_mla_rope),
        cmocka_unit_test(test_mla_projections),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
