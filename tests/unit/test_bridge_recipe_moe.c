/*
 * test_bridge_recipe_moe.c - the MoE rows' recipe table (bridge_recipe.h):
 * a row gets the dispatcher, EP overlap, full-iteration CUDA graphs and FP8
 * recipe its release's Megatron-Bridge recipe set; rows the table does not
 * name keep the job's settings; dense jobs are left alone.
 */
#include "tce_test.h"

#include <string.h>

#include "tcemu/bridge_recipe.h"
#include "tcemu/config.h"

static void mkrow(struct tce_bridge_row *r, const char *release,
                  const char *model, const char *system, const char *fp8)
{
    memset(r, 0, sizeof(*r));
    r->tp = 1;
    snprintf(r->release, sizeof(r->release), "%s NeMo Container", release);
    snprintf(r->model_key, sizeof(r->model_key), "%s", model);
    snprintf(r->system, sizeof(r->system), "%s", system);
    r->fp8_recipe = fp8;
    r->moe = 1;
}

/* Load job file path and apply the recipe of the row (release, model,
 * system, FP8 flavour) to it. */
static void apply_row(struct tce_job *j, const char *path, const char *release,
                      const char *model, const char *system, const char *fp8)
{
    struct tce_bridge_row r;
    struct tce_error e;

    assert_int_equal(tce_job_load(path, j, NULL), 0);
    mkrow(&r, release, model, system, fp8);
    assert_int_equal(tce_bridge_recipe_moe(&r, j, &e), 0);
}

/* The row's token dispatcher and whether its EP overlap is on. */
static void assert_ep(const struct tce_job *j, enum tce_dispatcher d,
                      int overlap)
{
    assert_int_equal(j->parallel.moe_token_dispatcher_type, d);
    assert_int_equal(!!j->training.overlap_moe_expert_parallel_comm, overlap);
}

static void test_qwen3_30b(void **state)
{
    struct tce_job j;
    (void)state;

    /* 26.08 GB200 MXFP8: hybridep + full-iteration graphs + EP overlap
     * (qwen/gb200/qwen3_moe.py, _enable_hybridep_full_iteration_mxfp8) */
    apply_row(&j, "jobs/qwen3-30b-a3b.cfg", "26.08", "qwen3-30b-a3b", "DGX-GB200", "mxfp8");
    assert_ep(&j, TCE_DISPATCHER_FLEX, 1);
    assert_true(j.training.enable_cuda_graph);
    assert_int_equal(j.training.fp8_recipe, TCE_FP8_MXFP8);
    assert_true(j.training.fp8_dot_product_attention);
    /* no Bridge row dispatches in FP8 or keeps Megatron's dropout */
    assert_false(j.training.moe_fp8_dispatch);
    assert_true(j.training.hidden_dropout == 0.0);

    /* DeepSeek-V3 26.08: FP8 attention on GB300, not on GB200 */
    apply_row(&j, "jobs/deepseek-v3.cfg", "26.08", "deepseek-v3", "DGX-GB300", "mxfp8");
    assert_true(j.training.fp8_dot_product_attention);
    apply_row(&j, "jobs/deepseek-v3.cfg", "26.08", "deepseek-v3", "DGX-GB200", "mxfp8");
    assert_false(j.training.fp8_dot_product_attention);
    assert_false(j.training.moe_fp8_dispatch);

    /* DeepSeek-V3 25.11: the v0.2.2 presets, no EP overlap; B200 on the
     * alltoall dispatcher, GB300 MXFP8 without param-gather overlap */
    apply_row(&j, "jobs/deepseek-v3.cfg", "25.11", "deepseek-v3", "DGX-B200", "mxfp8");
    assert_ep(&j, TCE_DISPATCHER_ALLTOALL, 0);
    apply_row(&j, "jobs/deepseek-v3.cfg", "25.11", "deepseek-v3", "DGX-GB300", "mxfp8");
    assert_false(j.training.overlap_moe_expert_parallel_comm);
    assert_false(j.training.overlap_param_gather);
    assert_int_equal(j.training.moe_deepep_num_sms, 32);

    /* 26.04 B200: hybridep, no overlap, graphs only per module */
    apply_row(&j, "jobs/qwen3-30b-a3b.cfg", "26.04.01", "qwen3-30b-a3b", "DGX-B200", "tensorwise");
    assert_ep(&j, TCE_DISPATCHER_FLEX, 0);
    assert_false(j.training.enable_cuda_graph);
    assert_int_equal(j.training.fp8_recipe, TCE_FP8_TENSORWISE);

    /* 25.09: not in the table, the job's own settings stay */
    apply_row(&j, "jobs/qwen3-30b-a3b.cfg", "25.09", "qwen3-30b-a3b", "DGX-B200", "unstated");
    assert_ep(&j, TCE_DISPATCHER_ALLTOALL, 0);
}

static void test_other_models(void **state)
{
    struct tce_job j;
    (void)state;

    /* Qwen3-235B on H100 (26.02 .. 26.06): alltoall with EP overlap */
    apply_row(&j, "jobs/qwen3-235b-a22b.cfg", "26.06", "qwen3-235b-a22b", "DGX-H100", "unstated");
    assert_ep(&j, TCE_DISPATCHER_ALLTOALL, 1);
    /* the table's plain "FP8": the H100 preset is FP8_CS, current
     * scaling, as for the dense rows (tce_bridge_fp8_recipe) */
    assert_int_equal(j.training.fp8_recipe, TCE_FP8_TENSORWISE);
    /* 26.08 Qwen3 on GB: _benchmark_common's 32 HybridEP SMs; 26.06
     * Qwen3-30B B300 MXFP8: the cuteDSL fused grouped MLP, TE's op fuser */
    apply_row(&j, "jobs/qwen3-30b-a3b.cfg", "26.08", "qwen3-30b-a3b", "DGX-GB200", "mxfp8");
    assert_int_equal(j.training.moe_deepep_num_sms, 32);
    apply_row(&j, "jobs/qwen3-30b-a3b.cfg", "26.06", "qwen3-30b-a3b", "DGX-B300", "mxfp8");
    assert_true(j.training.use_transformer_engine_op_fuser);
    /* 25.09 Qwen3-235B GB200: per-layer graphs (the YAML's cuda_graphs)
     * and TP overlap (run_script.py's CommOverlapConfig) */
    {
        struct tce_bridge_row r;
        struct tce_error e;

        assert_int_equal(tce_job_load("jobs/qwen3-235b-a22b.cfg", &j, NULL),
                         0);
        mkrow(&r, "25.09", "qwen3-235b-a22b", "DGX-GB200", "");
        r.tp = 2;
        assert_int_equal(tce_bridge_recipe_moe(&r, &j, &e), 0);
    }
    assert_true(j.training.enable_cuda_graph);
    assert_true(j.training.tp_comm_overlap);
    /* ... not below TP 2 (comm_overlap.py), as Qwen3-30B's TP 1 rows */
    apply_row(&j, "jobs/qwen3-30b-a3b.cfg", "25.09", "qwen3-30b-a3b", "DGX-B200", "");
    assert_true(j.training.enable_cuda_graph);
    assert_false(j.training.tp_comm_overlap);
    assert_int_equal(j.parallel.moe_token_dispatcher_type,
                     TCE_DISPATCHER_ALLTOALL);
    /* 25.11 GB300 Qwen3-30B: v0.2.x hybridep (flex), no overlap */
    apply_row(&j, "jobs/qwen3-30b-a3b.cfg", "25.11", "qwen3-30b-a3b", "DGX-GB300", "mxfp8");
    assert_ep(&j, TCE_DISPATCHER_FLEX, 0);
    /* 25.11 H100 too (v0.2.x QWEN3_235B_A22B_H100_FP8_CS_BASE_CONFIG:
     * moe_a2a_overlap=True, no backend); 25.09 keeps the job's */
    apply_row(&j, "jobs/qwen3-235b-a22b.cfg", "25.11", "qwen3-235b-a22b", "DGX-H100", "tensorwise");
    assert_ep(&j, TCE_DISPATCHER_ALLTOALL, 1);

    /* DeepSeek-V3 26.04.01 B200 (v0.4.2 B200_FP8_MX_V2): deepep + overlap */
    apply_row(&j, "jobs/deepseek-v3.cfg", "26.04.01", "deepseek-v3", "DGX-B200", "mxfp8");
    assert_ep(&j, TCE_DISPATCHER_FLEX, 1);
    assert_false(j.training.enable_cuda_graph);

    /* a dense job is left alone */
    apply_row(&j, "jobs/llama3-8b.cfg", "26.08", "llama3-8b", "DGX-GB200", "mxfp8");
    assert_int_equal(j.training.fp8_recipe, TCE_FP8_DELAYED);
    assert_false(j.training.enable_cuda_graph);
}

/* mem (wave 6): the recipes' recompute_modules, optimizer state and loss */
static void test_memory_settings(void **state)
{
    struct tce_bridge_row r;
    struct tce_job j;
    struct tce_error e;
    (void)state;

    /* 26.04.01 B200 MXFP8 (v0.4.2 DEEPSEEK_V3_PRETRAIN_CONFIG_B200_FP8_MX_V2):
     * ["mla_up_proj", "mlp"]; fp32 master, BF16 moments; TE cross-entropy */
    apply_row(&j, "jobs/deepseek-v3.cfg", "26.04.01", "deepseek-v3", "DGX-B200", "mxfp8");
    assert_int_equal(j.training.recompute_granularity,
                     TCE_RECOMPUTE_SELECTIVE);
    assert_string_equal(j.training.recompute_modules, "mla_up_proj,mlp");
    assert_true(j.training.use_precision_aware_optimizer);
    assert_int_equal(j.training.exp_avg_dtype, TCE_OPTIM_BF16);
    assert_int_equal(j.training.exp_avg_sq_dtype, TCE_OPTIM_BF16);
    assert_true(j.training.cross_entropy_loss_fusion);
    assert_int_equal(j.training.cross_entropy_fusion_impl, TCE_CE_TE);

    /* 26.08 GB300 MXFP8: recompute_modules = [] (nothing recomputed) */
    apply_row(&j, "jobs/deepseek-v3.cfg", "26.08", "deepseek-v3", "DGX-GB300", "mxfp8");
    assert_int_equal(j.training.recompute_granularity, TCE_RECOMPUTE_NONE);
    /* the job file's own list (mla_up_proj, mlp) is not kept */
    assert_string_equal(j.training.recompute_modules, "");
    /* ... sync-free full-iteration HybridEP, the MLP as TE's fused ops
     * (deepseek/common.py _enable_deepseek_full_iteration_mxfp8) */
    assert_true(j.training.moe_expert_rank_capacity_factor > 0.0);
    assert_true(j.training.use_transformer_engine_op_fuser);
    /* 26.04.01 B200 (v0.4.2, DeepEP, no full-iteration graph): neither */
    apply_row(&j, "jobs/deepseek-v3.cfg", "26.04.01", "deepseek-v3", "DGX-B200", "mxfp8");
    assert_false(j.training.use_transformer_engine_op_fuser);

    /* 25.09 (run_script.py at 47ff48829): ["mla_up_proj"] on B200 and,
     * with token drop, on GB200 */
    apply_row(&j, "jobs/deepseek-v3.cfg", "25.09", "deepseek-v3", "DGX-B200", "unstated");
    assert_int_equal(j.training.recompute_granularity,
                     TCE_RECOMPUTE_SELECTIVE);
    assert_string_equal(j.training.recompute_modules, "mla_up_proj");
    assert_false(j.training.enable_cuda_graph);
    /* ... and its MXFP8 (parenthesised) row: no graphs either (Megatron-
     * Core 0.14 refuses enable_cuda_graph with recomputation) */
    apply_row(&j, "jobs/deepseek-v3.cfg", "25.09", "deepseek-v3", "DGX-B200", "mxfp8");
    assert_false(j.training.enable_cuda_graph);
    assert_int_equal(j.training.recompute_granularity,
                     TCE_RECOMPUTE_SELECTIVE);
    apply_row(&j, "jobs/deepseek-v3.cfg", "25.09", "deepseek-v3", "DGX-GB200", "unstated");
    assert_string_equal(j.training.recompute_modules, "mla_up_proj");

    /* GPT-OSS B200 BF16: ["layernorm", "moe_act"], the BF16 runs'
     * precision-aware optimizer with its default (fp32) moments */
    assert_int_equal(tce_job_load("jobs/gpt-oss-120b.cfg", &j, NULL), 0);
    j.training.precision = TCE_PRECISION_BF16;
    mkrow(&r, "26.04.01", "gpt-oss-120b", "DGX-B200", "");
    assert_int_equal(tce_bridge_recipe_moe(&r, &j, &e), 0);
    assert_string_equal(j.training.recompute_modules, "layernorm,moe_act");
    assert_true(j.training.use_precision_aware_optimizer);
    assert_int_equal(j.training.exp_avg_dtype, TCE_OPTIM_FP32);

    /* Qwen3: no recomputation */
    apply_row(&j, "jobs/qwen3-30b-a3b.cfg", "26.04.01", "qwen3-30b-a3b", "DGX-B200", "tensorwise");
    assert_int_equal(j.training.recompute_granularity, TCE_RECOMPUTE_NONE);
}

/* host (issue 11): the eager presets' per-module CUDA graphs
 * (cuda_graph_scope with cuda_graph_impl transformer_engine) */
static void test_graph_modules(void **state)
{
    struct tce_job j;
    (void)state;

    /* v0.3.1 QWEN3_30B_A3B_PRETRAIN_CONFIG_B200_*_V1: attn too; v0.3.0
     * not */
    apply_row(&j, "jobs/qwen3-30b-a3b.cfg", "26.02.01", "qwen3-30b-a3b",
              "DGX-B200", "mxfp8");
    assert_string_equal(j.training.cuda_graph_modules,
                        "attn,moe_router,moe_preprocess");
    assert_false(j.training.enable_cuda_graph);
    assert_ep(&j, TCE_DISPATCHER_FLEX, 0);
    apply_row(&j, "jobs/qwen3-30b-a3b.cfg", "26.02", "qwen3-30b-a3b",
              "DGX-B200", "mxfp8");
    assert_string_equal(j.training.cuda_graph_modules,
                        "moe_router,moe_preprocess");
    /* v0.3.0's B200 preset names no flex backend: the provider's alltoall
     * (hybridep from v0.3.1, commit 0ec1df783) */
    assert_ep(&j, TCE_DISPATCHER_ALLTOALL, 0);
    /* v0.2.2 GB200 Qwen3-235B: attn, moe_router, moe_preprocess */
    apply_row(&j, "jobs/qwen3-235b-a22b.cfg", "25.11", "qwen3-235b-a22b",
              "DGX-GB200", "");
    assert_string_equal(j.training.cuda_graph_modules,
                        "attn,moe_router,moe_preprocess");
    /* 26.04.01 follows v0.4.2 (every perf-config change of it predates
     * the release's table): Qwen3-235B on B300 hybridep, GPT-OSS on B200
     * back to alltoall (26.04, v0.4.0: hybridep) */
    apply_row(&j, "jobs/qwen3-235b-a22b.cfg", "26.04.01", "qwen3-235b-a22b",
              "DGX-B300", "mxfp8");
    assert_int_equal(j.parallel.moe_token_dispatcher_type,
                     TCE_DISPATCHER_FLEX);
    assert_int_equal(j.training.moe_deepep_num_sms, 32);
    assert_false(j.training.overlap_moe_expert_parallel_comm);
    apply_row(&j, "jobs/gpt-oss-120b.cfg", "26.04.01", "gpt-oss-120b",
              "DGX-B200", "");
    assert_int_equal(j.parallel.moe_token_dispatcher_type,
                     TCE_DISPATCHER_ALLTOALL);
    apply_row(&j, "jobs/gpt-oss-120b.cfg", "26.04", "gpt-oss-120b",
              "DGX-B200", "");
    assert_int_equal(j.parallel.moe_token_dispatcher_type,
                     TCE_DISPATCHER_FLEX);
    apply_row(&j, "jobs/gpt-oss-120b.cfg", "26.04.01", "gpt-oss-120b",
              "DGX-GB200", "");
    assert_ep(&j, TCE_DISPATCHER_ALLTOALL, 1);
    /* B200 Qwen3-235B presets: eager throughout */
    apply_row(&j, "jobs/qwen3-235b-a22b.cfg", "26.04.01", "qwen3-235b-a22b",
              "DGX-B200", "mxfp8");
    assert_string_equal(j.training.cuda_graph_modules, "");
    assert_false(j.training.enable_cuda_graph);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_qwen3_30b),
        cmocka_unit_test(test_other_models),
        cmocka_unit_test(test_memory_settings),
        cmocka_unit_test(test_graph_modules),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
