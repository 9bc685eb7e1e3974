/*
 * bridge_recipe_moe.c - Megatron-Bridge's performance-recipe settings of the
 * MoE rows (bridge_recipe.h): the token dispatcher, the overlap of the
 * expert-parallel all-to-all with another microbatch's compute, whole-
 * iteration CUDA graphs and the FP8 scaling recipe, as the recipe of the
 * row's release set them.
 *
 * Sources (NVIDIA-NeMo/Megatron-Bridge, read at the tags of the releases):
 *  - 26.08 rows: src/megatron/bridge/perf_recipes/<family>/<system>/<model>.py
 *    at commit 067f987df03b (the one the reference CSV cites);
 *  - 26.06 rows: scripts/performance/configs/<family>/<family>_workload_base_configs.py
 *    at tag v0.5.0; 26.04 rows: the same at v0.4.0; 26.04.01 rows: v0.4.2,
 *    whose perf-config commits all predate the release's table (2026-05-16;
 *    its DeepSeek-V3 B200 PP 8 x VP 2 x EP 32 layout is v0.4.2's
 *    DEEPSEEK_V3_PRETRAIN_CONFIG_B200_FP8_MX_V2); 26.02 rows: v0.3.0.
 *  - 25.11 rows: scripts/performance/configs/<family>/workload_base_configs.py
 *    and <family>_llm_pretrain.py at v0.2.2; 25.09 rows: scripts/performance/
 *    run_script.py and the YAML configs at f5a691dd1 and at 47ff48829
 *    (2025-10-14), whichever carries the row's published layout (the
 *    release's table mixes both: DeepSeek-V3 B200 and GB200, Qwen3-30B and
 *    Qwen3-235B B200 as in 47ff48829, Qwen3-235B GB200 and Qwen3-30B H100
 *    as in f5a691dd1; DeepSeek-V3 and Qwen3 only, the other 25.09 rows keep
 *    the job file's settings).
 * Mapping: moe_flex_dispatcher_backend "hybridep" or "deepep" ->
 * moe_token_dispatcher_type flex and parallel.moe_flex_dispatcher_backend; moe_a2a_overlap /
 * comm_overlap.overlap_moe_expert_parallel_comm -> training.
 * overlap_moe_expert_parallel_comm; cuda_graph_impl "full_iteration" ->
 * training.enable_cuda_graph (every kernel of the layer graph-launched;
 * so is 25.09's cuda_graphs: true, model.enable_cuda_graph, Megatron-Core's
 * per-layer graphs; CommOverlapConfig(tp_comm_overlap=True) ->
 * training.tp_comm_overlap;
 * the per-module transformer_engine scopes attn / moe_router /
 * moe_preprocess leave the experts and dispatch eager, so they are not
 * mapped); the row's FP8 flavour -> training.fp8_recipe.
 * moe_hybridep_num_sms (Megatron-Core folds it into
 * moe_flex_dispatcher_num_sms) -> training.moe_deepep_num_sms where the
 * recipe sets it (else the job's 20).
 * Recomputation: none of the attention core (see tce_bridge_recipe_moe);
 * not modelled (no job key): recompute_modules (mla_up_proj, mlp, moe_act,
 * layernorm).
 */
#include <string.h>

#include "tcemu/bridge_recipe.h"
#include "tcemu/graphscope.h" /* host (issue 11) */
#include "tcemu/recompute.h" /* mem (wave 6) */
#include "tcemu/util.h"

struct moe_recipe {
    const char *model;   /* job name (model_key) */
    const char *system;  /* published system, "" = any; "GB" = DGX-GB* */
    const char *release; /* release prefix, "" = any */
    const char *fp8;     /* "mxfp8", "tensorwise", "bf16", "" = any */
    int flex;            /* moe_token_dispatcher_type flex */
    int overlap;         /* overlap_moe_expert_parallel_comm */
    int graphs;          /* full-iteration CUDA graphs */
    int ep_sms;          /* moe_hybridep_num_sms, 0 = the job's */
    int no_pg_overlap;   /* overlap_param_gather off ("causes NaN grad
                          * norm", the 25.11 MXFP8 configs) */
    int fp8_dpa;         /* fp8_dot_product_attention (0 when left out) */
    int tp_overlap;      /* tp_comm_overlap on (0: the job's) */
    int deepep;          /* deepep (issue 11): with flex, the deepep backend
                          * (0: hybridep) */
};

/* scripts/performance/utils/helpers.py (v0.2.2, l.110-113) and utils/
 * overrides.py (v0.3.0 l.69, v0.4.1 l.71, v0.5.0 l.75), after the
 * recipe: a hybridep backend runs on moe_hybridep_num_sms = 32 */
#define HYBRIDEP_SMS 32

/* First matching entry wins. */
static const struct moe_recipe recipes[] = {
    /* Qwen3-30B-A3B */
    /* qwen/gb300/qwen3_moe.py qwen3_30b_a3b_pretrain_8gpu_gb300_fp8mx_config,
     * gb200 likewise: hybridep + qwen/common.py
     * _enable_hybridep_full_iteration_mxfp8 (full_iteration graphs,
     * overlap_moe_expert_parallel_comm=True, fp8_dot_product_attention
     * True) */
    {"qwen3-30b-a3b", "GB", "26.08", "mxfp8", 1, 1, 1, 32, 0, 1, 0, 0},
    /* v0.5.0 QWEN3_30B_A3B_PRETRAIN_CONFIG_B300_FP8_MX_V1 (GB300 alike):
     * hybridep, moe_a2a_overlap=True, cuda_graph_impl full_iteration,
     * fp8_dot_product_attention=True */
    {"qwen3-30b-a3b", "DGX-B300", "26.06", "mxfp8", 1, 1, 1, HYBRIDEP_SMS, 0,
     1, 0, 0},
    {"qwen3-30b-a3b", "GB", "26.06", "mxfp8", 1, 1, 1, HYBRIDEP_SMS, 0, 1, 0, 0},
    /* v0.3.0 QWEN3_30B_A3B_PRETRAIN_CONFIG_H100_FP8_CS_V1: deepep,
     * moe_a2a_overlap=True (PP 2 x VP 12, EP 8) */
    {"qwen3-30b-a3b", "DGX-H100", "26.02", "", 1, 1, 0, 0, 0, 0, 0, 1},
    /* v0.3.0 QWEN3_30B_A3B_PRETRAIN_CONFIG_B200_*_V1 set no flex backend
     * (BASE_QWEN3_30B_A3B_CONFIG has none), so qwen3_llm_pretrain.py
     * qwen3_30b_a3b_pretrain_config_b200 hands None to
     * apply_flex_dispatcher_backend, which skips it: the provider's
     * alltoall (qwen_provider.py moe_token_dispatcher_type), no overlap.
     * Commit 0ec1df783 (#2499, "Fix Qwen3 30B A3B B200 perf config to use
     * hybridep+flex dispatcher") moved B200 to hybridep for v0.3.1
     * (26.02.01) on */
    {"qwen3-30b-a3b", "DGX-B200", "26.02.01", "", 1, 0, 0, HYBRIDEP_SMS, 0, 0,
     0, 0},
    {"qwen3-30b-a3b", "DGX-B200", "26.02", "", 0, 0, 0, 0, 0, 0, 0, 0},
    /* v0.3.0 .. v0.5.0 every other Qwen3-30B preset (B200 from v0.3.1):
     * hybridep, no overlap, transformer_engine-scoped graphs */
    {"qwen3-30b-a3b", "", "26.", "", 1, 0, 0, HYBRIDEP_SMS, 0, 0, 0, 0},
    /* v0.2.0 .. v0.2.2 configs/qwen3/workload_base_configs.py
     * QWEN3_30B_A3B_GB300_* / GB200_*_BASE_CONFIG: hybridep, no overlap
     * (training/flex_dispatcher_backend.py turns the flex dispatcher on
     * on GB200 and GB300) */
    {"qwen3-30b-a3b", "GB", "25.11", "", 1, 0, 0, HYBRIDEP_SMS, 0, 0, 0, 0},

    /* Qwen3-235B-A22B */
    /* qwen/gb300|gb200/qwen3_moe.py qwen3_235b_a22b_pretrain_256gpu_*_fp8mx
     * _config: hybridep + _enable_hybridep_full_iteration_mxfp8 */
    {"qwen3-235b-a22b", "GB", "26.08", "mxfp8", 1, 1, 1, 32, 0, 1, 0, 0},
    /* v0.3.0 .. v0.5.0 QWEN3_235B_A22B_PRETRAIN_CONFIG_H100_*_V2:
     * alltoall, moe_a2a_overlap=True */
    {"qwen3-235b-a22b", "DGX-H100", "26.", "", 0, 1, 0, 0, 0, 0, 0, 0},
    /* v0.3.0 QWEN3_235B_A22B_PRETRAIN_CONFIG_B300_*_V2: alltoall,
     * moe_a2a_overlap=True */
    {"qwen3-235b-a22b", "DGX-B300", "26.02", "", 0, 1, 0, 0, 0, 0, 0, 0},
    /* v0.3.0 .. v0.5.0 GB200 / GB300 V2 presets: hybridep, no overlap;
     * v0.2.0 .. v0.2.2 QWEN3_235B_A22B_GB300_* / GB200_*_BASE_CONFIG the
     * same (flex_dispatcher_backend.py: flex on GB200 and GB300) */
    {"qwen3-235b-a22b", "GB", "26.", "", 1, 0, 0, HYBRIDEP_SMS, 0, 0, 0, 0},
    {"qwen3-235b-a22b", "GB", "25.11", "", 1, 0, 0, HYBRIDEP_SMS, 0, 0, 0, 0},
    /* v0.2.2 configs/qwen3/workload_base_configs.py
     * QWEN3_235B_A22B_B200_FP8_CS_BASE_CONFIG (FP8_MX the same, BF16
     * alike): no backend (alltoall), moe_a2a_overlap=True; and
     * qwen3_llm_pretrain.py qwen3_235b_a22b_b200_config: MXFP8 with
     * overlap_param_gather off (l.136-139) */
    {"qwen3-235b-a22b", "DGX-B200", "25.11", "mxfp8", 0, 1, 0, 0, 1, 0, 0, 0},
    {"qwen3-235b-a22b", "DGX-B200", "25.11", "", 0, 1, 0, 0, 0, 0, 0, 0},
    /* v0.2.0 .. v0.2.2 configs/qwen3/workload_base_configs.py
     * QWEN3_235B_A22B_H100_FP8_CS_BASE_CONFIG (BF16 alike): no backend
     * (alltoall), moe_a2a_overlap=True, TP 2 PP 8 VP 4 EP 32, GBS 2048 */
    {"qwen3-235b-a22b", "DGX-H100", "25.11", "", 0, 1, 0, 0, 0, 0, 0, 0},
    /* v0.4.2 QWEN3_235B_A22B_PRETRAIN_CONFIG_B300_*_V1 / _V2 (26.04.01:
     * every perf-config change of v0.4.2 predates the release's
     * 2026-05-16 table): hybridep, no overlap (commit 6a5c997e7, #3490
     * "Use HybridEP flex dispatcher for Qwen3 235B B300 perf configs") */
    {"qwen3-235b-a22b", "DGX-B300", "26.04.01", "", 1, 0, 0, HYBRIDEP_SMS, 0,
     0, 0, 0},
    /* B200 / B300 from v0.4.0 (alltoall, moe_a2a_overlap=False): the job's
     * defaults */

    /* DeepSeek-V3 */
    /* deepseek/gb300|gb200/deepseek_v3.py deepseek_v3_pretrain_256gpu_*
     * _fp8mx_config -> deepseek/common.py
     * _enable_deepseek_full_iteration_mxfp8 (hybridep, full_iteration,
     * overlap_moe_expert_parallel_comm=True, moe_hybridep_num_sms=32) */
    /* FP8 attention on GB300 only: gb300/deepseek_v3.py calls it with
     * fp8_dot_product_attention=True, gb200/deepseek_v3.py without */
    {"deepseek-v3", "DGX-GB300", "26.08", "mxfp8", 1, 1, 1, 32, 0, 1, 0, 0},
    {"deepseek-v3", "DGX-GB200", "26.08", "mxfp8", 1, 1, 1, 32, 0, 0, 0, 0},
    /* v0.5.0 DEEPSEEK_V3_PRETRAIN_CONFIG_GB300_FP8_MX_GBS15360 (from
     * GB300_FP8_MX_V1, fp8_dot_product_attention=True) and
     * GB200_FP8_MX_V2: hybridep, moe_a2a_overlap=True, full_iteration */
    {"deepseek-v3", "DGX-GB300", "26.06", "mxfp8", 1, 1, 1, HYBRIDEP_SMS, 0, 1,
     0, 0},
    {"deepseek-v3", "DGX-GB200", "26.06", "mxfp8", 1, 1, 1, HYBRIDEP_SMS, 0, 0,
     0, 0},
    /* v0.4.2 DEEPSEEK_V3_PRETRAIN_CONFIG_B200_FP8_MX_V2 (PP 8 x VP 2,
     * EP 32): deepep, moe_a2a_overlap=True */
    {"deepseek-v3", "DGX-B200", "26.04.01", "mxfp8", 1, 1, 0, 0, 0, 0, 0, 1},
    /* v0.3.0 .. v0.5.0 every other DeepSeek-V3 preset: hybridep, no
     * overlap */
    {"deepseek-v3", "", "26.", "", 1, 0, 0, HYBRIDEP_SMS, 0, 0, 0, 0},
    /* v0.2.2 configs/deepseek/workload_base_configs.py: GB300 and GB200
     * base configs hybridep, moe_a2a_overlap=False; deepseek_llm_pretrain
     * .py deepseek_v3_gb300_config / _gb200_config: MXFP8 with
     * overlap_param_gather off (l.75-78, l.112-115); B200 base config no
     * backend (the provider's alltoall), moe_a2a_overlap=False */
    {"deepseek-v3", "GB", "25.11", "mxfp8", 1, 0, 0, HYBRIDEP_SMS, 1, 0, 0, 0},
    {"deepseek-v3", "GB", "25.11", "", 1, 0, 0, HYBRIDEP_SMS, 0, 0, 0, 0},
    {"deepseek-v3", "DGX-B200", "25.11", "", 0, 0, 0, 0, 0, 0, 0, 0},
    /* 25.09 scripts/performance/run_script.py (f5a691dd1, l.61-92): B200
     * and GB200 run token drop, which turns DeepEP off (alltoall), and
     * the EP overlap (A2A_1F1B) only on H100 */
    /* No CUDA graphs on B200 in either variant: commit 47ff48829 ("config
     * updates", 2025-10-14) gives deepseek_v3_llm_pretrain.yaml the
     * published layout (b200: TP 1, PP 16, no VP, EP 8) with cuda_graphs:
     * false for bf16, fp8_cs and fp8_mx alike.  The older YAML (f5a691dd1,
     * TP 2) asked for graphs with FP8 but also for selective recompute,
     * which Megatron-Core 0.14/0.15 refuse with enable_cuda_graph
     * (transformer_config.py: "CUDA graphs not supported with activation
     * recomputation") */
    {"deepseek-v3", "DGX-B200", "25.09", "", 0, 0, 0, 0, 0, 0, 0, 0},
    {"deepseek-v3", "DGX-GB200", "25.09", "", 0, 0, 0, 0, 0, 0, 0, 0},
    /* 25.09 Qwen3 (f5a691dd1): token drop, so no DeepEP (alltoall), no EP
     * overlap; cuda_graphs: true in qwen3_30b_a3b_llm_pretrain.yaml (gb200
     * l.81, b200 l.99) and qwen3_235b_a22b_llm_pretrain.yaml (gb200 l.80)
     * -> model.enable_cuda_graph (helpers.py l.114-120); run_script.py
     * (l.109-113) builds both Qwen3 recipes with
     * CommOverlapConfig(tp_comm_overlap=True), on with TP 2 and sequence
     * parallelism */
    {"qwen3-30b-a3b", "DGX-GB200", "25.09", "", 0, 0, 1, 0, 0, 0, 1, 0},
    {"qwen3-30b-a3b", "DGX-B200", "25.09", "", 0, 0, 1, 0, 0, 0, 1, 0},
    {"qwen3-235b-a22b", "DGX-GB200", "25.09", "", 0, 0, 1, 0, 0, 0, 1, 0},
    {"qwen3-235b-a22b", "DGX-H100", "25.09", "", 0, 0, 0, 0, 0, 0, 1, 0},

    /* GPT-OSS 120B */
    /* gpt_oss/gb300|gb200/gpt_oss.py gpt_oss_120b_pretrain_64gpu_*_fp8mx
     * _config -> gpt_oss/common.py _apply_gpt_oss_120b_full_iter_fp8mx
     * _configs (hybridep, full_iteration,
     * overlap_moe_expert_parallel_comm=True, moe_hybridep_num_sms=32) */
    {"gpt-oss-120b", "GB", "26.08", "mxfp8", 1, 1, 1, 32, 0, 1, 0, 0},
    /* v0.4.2 (26.04.01) gpt_oss_workload_base_configs.py: GB200_BF16_V2
     * alltoall with moe_a2a_overlap=True (commit ee3d3068b, #3561) and
     * B200_BF16_V2 alltoall (commit 78934c150, #3614), both before the
     * release's 2026-05-16 table */
    {"gpt-oss-120b", "DGX-GB200", "26.04.01", "", 0, 1, 0, 0, 0, 0, 0, 0},
    {"gpt-oss-120b", "DGX-B200", "26.04.01", "", 0, 0, 0, 0, 0, 0, 0, 0},
    /* v0.4.0 / v0.4.1 GPT_OSS_120B_PRETRAIN_CONFIG_GB200_BF16_V2:
     * hybridep, moe_a2a_overlap=True */
    {"gpt-oss-120b", "DGX-GB200", "26.04", "", 1, 1, 0, HYBRIDEP_SMS, 0, 0, 0, 0},
    /* v0.4.0 .. v0.5.0 B200 / B300 V2 (EP 8): hybridep, no overlap
     * (B200 from v0.4.2: above) */
    {"gpt-oss-120b", "DGX-B200", "26.04", "", 1, 0, 0, HYBRIDEP_SMS, 0, 0, 0, 0},
    {"gpt-oss-120b", "DGX-B300", "26.04", "", 1, 0, 0, HYBRIDEP_SMS, 0, 0, 0, 0},
    {"gpt-oss-120b", "DGX-B300", "26.06", "", 1, 0, 0, HYBRIDEP_SMS, 0, 0, 0, 0},
    /* GB300 (26.04), H100 and every 26.02 preset: alltoall, no overlap:
     * the job's defaults */
};

/* kern (wave 5): recipes that run NVTE_NORM_FWD_USE_CUDNN=1 (the cuDNN
 * norm writes the MXFP8 copies itself): deepseek/b300|gb200|gb300/
 * deepseek_v3.py deepseek_v3_pretrain_256gpu_*_fp8mx_config env_vars at
 * commit 067f987df03b (recipe environment variables since #4682, July
 * 2026); before that scripts/performance/utils/executors.py set it for
 * every run and perf_plugins.py popped it (del_cudnn_ln) except, among
 * the MoE rows, for DeepSeek fp8_mx on GB200 / GB300 (v0.3.0 l.291-294,
 * v0.5.0 l.334-337) */
static const struct moe_recipe norm_cudnn[] = {
    {"deepseek-v3", "GB", "26.", "mxfp8", 0, 0, 0, 0, 0, 0, 0, 0},
    {"deepseek-v3", "DGX-B300", "26.08", "mxfp8", 0, 0, 0, 0, 0, 0, 0, 0},
};

static int system_is(const char *want, const char *system)
{
    if (want[0] == '\0')
        return 1;
    if (strcmp(want, "GB") == 0)
        return strncmp(system, "DGX-GB", 6) == 0;
    return strcmp(want, system) == 0;
}

static int fp8_is(const char *want, const struct tce_bridge_row *r)
{
    if (want[0] == '\0')
        return 1;
    if (strcmp(want, "bf16") == 0)
        return r->fp8_recipe == NULL || r->fp8_recipe[0] == '\0';
    return r->fp8_recipe != NULL && strcmp(want, r->fp8_recipe) == 0;
}

static const struct moe_recipe *find(const struct tce_bridge_row *r,
                                     const char *model)
{
    size_t i;

    for (i = 0; i < sizeof(recipes) / sizeof(recipes[0]); i++) {
        const struct moe_recipe *e = &recipes[i];

        if (strcmp(e->model, model) == 0 && system_is(e->system, r->system) &&
            strncmp(r->release, e->release, strlen(e->release)) == 0 &&
            fp8_is(e->fp8, r))
            return e;
    }
    return NULL;
}

/* mem (wave 6): recompute_modules of each MoE recipe, comma-separated;
 * "-" = the empty list (nothing recomputed); no entry: none (Qwen3,
 * GPT-OSS on GB300 / B300: recompute_granularity None).  Read at the
 * release's tag: 25.09 run_script.py and YAML configs at 47ff48829, v0.2.2
 * workload_base_configs.py (25.11), v0.3.1 (26.02),
 * v0.4.2 (26.04), v0.5.0 (26.06) <family>_workload_base_configs.py, and the 26.08
 * perf_recipes/<family>/<system>/<model>.py at commit 067f987df03b. */
struct rc_recipe {
    const char *model, *system, *release, *fp8, *modules;
};
static const struct rc_recipe rc_recipes[] = {
    /* 25.09: scripts/performance/run_script.py at 47ff48829, the commit
     * whose YAML carries the published B200 and GB200 layouts (B200 PP 16,
     * GB200 PP 4 x VP 4): B200 ["mla_up_proj"], GB200 with token drop
     * ["mla_up_proj"] (the older f5a691dd1 gave GB200 ["mla_up_proj",
     * "mlp", "moe_act"] beside its PP 4 x VP 8) */
    {"deepseek-v3", "DGX-GB200", "25.09", "", "mla_up_proj"},
    /* GB300: BF16 ["moe_act"] (every release); 25.11 GB300_BASE_CONFIG
     * ["moe_act"]; FP8-MX [] from v0.5.0 (GB300_FP8_MX_V1) and in 26.08;
     * else ["mla_up_proj"] */
    {"deepseek-v3", "DGX-GB300", "", "bf16", "moe_act"},
    {"deepseek-v3", "DGX-GB300", "25.11", "", "moe_act"},
    {"deepseek-v3", "DGX-GB300", "26.06", "mxfp8", "-"},
    {"deepseek-v3", "DGX-GB300", "26.08", "mxfp8", "-"},
    {"deepseek-v3", "DGX-GB300", "", "", "mla_up_proj"},
    /* GB200: ["mla_up_proj"] in v0.2 / v0.3 and for BF16; v0.4 FP8 ["mlp"];
     * from v0.5 MXFP8 ["mla_up_proj"], FP8-CS ["mlp"] */
    {"deepseek-v3", "DGX-GB200", "25.11", "", "mla_up_proj"},
    {"deepseek-v3", "DGX-GB200", "26.02", "", "mla_up_proj"},
    {"deepseek-v3", "DGX-GB200", "", "bf16", "mla_up_proj"},
    {"deepseek-v3", "DGX-GB200", "26.04", "", "mlp"},
    {"deepseek-v3", "DGX-GB200", "", "mxfp8", "mla_up_proj"},
    {"deepseek-v3", "DGX-GB200", "", "", "mlp"},
    /* B200: ["mla_up_proj"]; v0.4.2's MXFP8 V2 preset (PP 8 x VP 2, the
     * 26.04.01 row) ["mla_up_proj", "mlp"]; v0.4.0's MXFP8 V2 (26.04) is
     * V1 with another GBS, ["mla_up_proj"] */
    {"deepseek-v3", "DGX-B200", "26.04.01", "mxfp8", "mla_up_proj,mlp"},
    {"deepseek-v3", "DGX-B200", "", "", "mla_up_proj"},
    {"deepseek-v3", "DGX-B300", "", "", "mla_up_proj"},
    {"deepseek-v3", "DGX-H100", "", "", "mla_up_proj,mlp"},
    /* GPT-OSS 120B: GB200, B200, H100 ["layernorm", "moe_act"] (v0.2 ..
     * 26.08); 26.08 GB200 MXFP8 [] */
    {"gpt-oss-120b", "DGX-GB200", "26.08", "mxfp8", "-"},
    {"gpt-oss-120b", "DGX-GB200", "", "", "layernorm,moe_act"},
    {"gpt-oss-120b", "DGX-B200", "", "", "layernorm,moe_act"},
    {"gpt-oss-120b", "DGX-H100", "", "", "layernorm,moe_act"},
};

/* The modules of the first entry of tab (n entries) matching row r and
 * model, or NULL. */
static const char *modules_of(const struct rc_recipe *tab, size_t n,
                              const struct tce_bridge_row *r,
                              const char *model)
{
    size_t i;

    for (i = 0; i < n; i++) {
        const struct rc_recipe *e = &tab[i];

        if (strcmp(e->model, model) == 0 && system_is(e->system, r->system) &&
            strncmp(r->release, e->release, strlen(e->release)) == 0 &&
            fp8_is(e->fp8, r))
            return e->modules;
    }
    return NULL;
}

/* host (issue 11): the per-module CUDA graphs (cuda_graph_impl
 * "transformer_engine" with cuda_graph_scope; graphscope.h) of the eager
 * rows' presets, first match wins; rows with full-iteration graphs take
 * those instead (recipes[] above).  A = attn, moe_router, moe_preprocess;
 * R = moe_router, moe_preprocess. */
#define CG_A "attn,moe_router,moe_preprocess"
#define CG_R "moe_router,moe_preprocess"
static const struct rc_recipe cg_recipes[] = {
    /* v0.5.0 deepseek_workload_base_configs.py l.229-230
     * (DEEPSEEK_V3_PRETRAIN_CONFIG_B300_V2) */
    {"deepseek-v3", "DGX-B300", "26.06", "", CG_A},
    /* v0.4.2 l.211-212 (DEEPSEEK_V3_PRETRAIN_CONFIG_B200_FP8_MX_V2) */
    {"deepseek-v3", "DGX-B200", "26.04.01", "mxfp8", CG_A},
    /* gpt_oss_workload_base_configs.py GPT_OSS_120B_PRETRAIN_CONFIG_
     * GB300_BF16_V1 and B300_BF16_V1 (v0.3.0 and v0.4.2 l.49-50, l.66-67;
     * the B300 FP8_MX preset of v0.5.0 derives from them) */
    {"gpt-oss-120b", "DGX-GB300", "26.04", "", CG_A},
    {"gpt-oss-120b", "DGX-B300", "26.0", "", CG_A},
    /* qwen3_workload_base_configs.py QWEN3_30B_A3B_PRETRAIN_CONFIG_B200_
     * BF16_V1 (FP8_MX the same): v0.4.2 l.396-409 and v0.3.1 l.380-393
     * attn too, v0.3.0 l.392-403 not */
    {"qwen3-30b-a3b", "DGX-B200", "26.04", "", CG_A},
    {"qwen3-30b-a3b", "DGX-B200", "26.02.01", "", CG_A},
    {"qwen3-30b-a3b", "DGX-B200", "26.02", "", CG_R},
    /* v0.3.x QWEN3_235B_A22B_PRETRAIN_CONFIG_GB300_BF16_V2 (l.186-198,
     * FP8_MX_V2 from it) and GB200_FP8_CS_V1 (v0.3.0 l.102-103, FP8_MX_V2
     * from it) */
    {"qwen3-235b-a22b", "DGX-GB300", "26.02", "", CG_A},
    {"qwen3-235b-a22b", "DGX-GB200", "26.02", "", CG_A},
    /* v0.2.2 configs/<family>/workload_base_configs.py: deepseek l.37
     * (GB300), l.56 (GB200); gpt_oss l.38 (GB300); qwen3 30B l.156, 166
     * (GB300), l.179, 189, 199 (GB200 BF16, FP8_CS; FP8_MX), l.207, 215
     * (B200), l.229 (H100 BF16); qwen3 235B l.51, 64 (GB300), l.79, 91
     * (GB200) */
    {"deepseek-v3", "DGX-GB300", "25.11", "", CG_A},
    {"deepseek-v3", "DGX-GB200", "25.11", "", CG_R},
    {"gpt-oss-120b", "DGX-GB300", "25.11", "", CG_A},
    {"qwen3-30b-a3b", "DGX-GB300", "25.11", "", CG_R},
    {"qwen3-30b-a3b", "DGX-GB200", "25.11", "mxfp8", CG_R},
    {"qwen3-30b-a3b", "DGX-GB200", "25.11", "", CG_A},
    {"qwen3-30b-a3b", "DGX-B200", "25.11", "", CG_R},
    {"qwen3-30b-a3b", "DGX-H100", "25.11", "bf16", CG_R},
    {"qwen3-235b-a22b", "DGX-GB300", "25.11", "", CG_R},
    {"qwen3-235b-a22b", "DGX-GB200", "25.11", "", CG_A},
};

int tce_bridge_recipe_moe(const struct tce_bridge_row *r, struct tce_job *job,
                          struct tce_error *err)
{
    struct tce_training *t = &job->training;
    const struct moe_recipe *e;

    if (job->model.num_experts <= 0)
        return 0;
    /* the row's FP8 flavour, the dense recipes' rule
     * (tce_bridge_fp8_recipe): mxfp8 (FP8-MX, MXFP8), else tensorwise
     * (FP8-CS, and the unstated FP8 of 25.09 and the 26.x tables: the
     * Qwen3 and GPT-OSS H100 presets are QWEN3_*_H100_FP8_CS and
     * GPT_OSS_120B_*_H100_FP8_CS, v0.3.0 .. v0.5.0) */
    {
        enum tce_fp8_recipe fr;

        if (tce_bridge_fp8_recipe(r, &fr))
            t->fp8_recipe = fr;
    }
    /* No MoE recipe recomputes the attention core, which is what tcemu's
     * "selective" recomputes: Qwen3 sets recompute_granularity None
     * (perf_recipes/qwen/b200/qwen3_moe.py); GPT-OSS and DeepSeek-V3 set
     * "selective" with recompute_modules lists that leave core_attn out
     * (gpt_oss/h100/gpt_oss.py: layernorm, moe_act; deepseek/b200/
     * deepseek_v3.py: mla_up_proj, mlp, moe_act), commit 067f987df03b;
     * older releases are assumed alike.  Those modules' recomputation is
     * not modelled (no job key), a cost left out. */
    job->training.recompute_granularity = TCE_RECOMPUTE_NONE;
    /* mem (wave 6): the recipe's recompute_modules, its optimizer state and
     * its loss kernel */
    {
        const char *rm = modules_of(rc_recipes, TCE_ARRAY_SIZE(rc_recipes),
                                    r, job->name);
        int rc;

        /* no list, or the empty one: nothing recomputed, and the job
         * file's own list is not carried into the written job */
        rc = tce_recompute_set(t, rm && rm[0] != '-' ? rm : "", err);
        if (rc != 0)
            return rc;
        if (rm && rm[0] != '-')
            t->recompute_granularity = TCE_RECOMPUTE_SELECTIVE;
        /* scripts/performance: set_post_overrides (v0.3 .. v0.5),
         * helpers.py (v0.2), run_script.py (26.08): a BF16 run with Adam
         * uses the precision-aware optimizer (default dtypes); not in
         * 25.09's helpers.py (f5a691dd1) */
        if (t->precision != TCE_PRECISION_FP8 &&
            strncmp(r->release, "25.09", 5) != 0)
            t->use_precision_aware_optimizer = 1;
        /* recipes/deepseek/deepseek_v3.py (v0.2 .. v0.5) and perf_recipes/
         * deepseek/common.py _enable_deepseek_precision_aware_optimizer:
         * fp32 master weights, BF16 moments */
        if (strcmp(job->name, "deepseek-v3") == 0) {
            t->use_precision_aware_optimizer = 1;
            t->exp_avg_dtype = TCE_OPTIM_BF16;
            t->exp_avg_sq_dtype = TCE_OPTIM_BF16;
        }
        /* every benchmark: cross_entropy_loss_fusion (GPTModelProvider's
         * default) with cross_entropy_fusion_impl "te" (scripts/performance
         * helpers.py / overrides.py; perf_recipes/_common.py
         * _benchmark_common) */
        t->cross_entropy_loss_fusion = 1;
        t->cross_entropy_fusion_impl = TCE_CE_TE;
    }
    /* No Megatron-Bridge row dispatches in FP8 (the job file's
     * DeepSeek-V3 FP8 dispatch is the DeepSeek-V3 report's 3.3.1):
     * Megatron-LM's HybridEP path refuses it (fused_a2a.py "HybridEP
     * dispatcher does not support fp8 dispatch"), its DeepEP call passes
     * no FP8 flag (token_dispatcher.py), and the recipes never set
     * moe_dispatch_fwd_dtype (added 2026-08-20) */
    t->moe_fp8_dispatch = 0;
    /* the model bridges set hidden_dropout = 0.0 for every MoE model
     * (gpt_oss_bridge.py, deepseek_v3_bridge.py, qwen3_moe_bridge.py,
     * v0.4.1; the v0.2 providers likewise), against Megatron-LM's 0.1 */
    t->hidden_dropout = 0.0;
    /* "DeepSeekV3 (w/o MTP)" rows ran without the MTP module (bridge.c
     * leaves the layout's m out for them too) */
    if (strstr(r->model, "w/o MTP"))
        job->model.mtp_num_layers = 0;
    /* token drop (issue 11): the "(tokendrop)" rows of 25.09 ran
     * run_script.py's apply_moe_token_drop (f5a691dd1 and 47ff48829:
     * training/utils/moe_token_drop.py, capacity factor 1.0, padded to
     * capacity) on the alltoall dispatcher (it turns DeepEP off) */
    if (strstr(r->model, "tokendrop")) {
        t->moe_expert_capacity_factor = 1.0;
        t->moe_pad_expert_input_to_capacity = 1;
    }
    /* host (issue 11): the preset's per-module CUDA graphs */
    {
        const char *cg = modules_of(cg_recipes, TCE_ARRAY_SIZE(cg_recipes),
                                    r, job->name);
        int rc = cg ? tce_graphscope_set(t, cg, err) : 0;

        if (rc != 0)
            return rc;
    }
    /* kern (wave 5) */
    for (size_t i = 0; i < sizeof(norm_cudnn) / sizeof(norm_cudnn[0]); i++)
        if (strcmp(norm_cudnn[i].model, job->name) == 0 &&
            system_is(norm_cudnn[i].system, r->system) &&
            strncmp(r->release, norm_cudnn[i].release,
                    strlen(norm_cudnn[i].release)) == 0 &&
            fp8_is(norm_cudnn[i].fp8, r))
            t->nvte_norm_fwd_use_cudnn = 1;
    e = find(r, job->name);
    if (!e)
        return 0;
    job->parallel.moe_token_dispatcher_type =
        e->flex ? TCE_DISPATCHER_FLEX : TCE_DISPATCHER_ALLTOALL;
    /* deepep (issue 11): the preset's moe_flex_dispatcher_backend */
    job->parallel.moe_flex_dispatcher_backend =
        e->deepep ? TCE_FLEX_DEEPEP : TCE_FLEX_HYBRIDEP;
    t->overlap_moe_expert_parallel_comm = e->overlap;
    if (e->graphs)
        t->enable_cuda_graph = 1;
    /* sync (issue 11): the full-iteration recipes make HybridEP dispatch
     * sync-free with a static receive budget: qwen/common.py
     * _enable_hybridep_full_iteration_mxfp8 and deepseek/common.py set
     * moe_expert_rank_capacity_factor = 1.5 with moe_paged_stash (commit
     * 067f987df03b); v0.5.0 deepseek_llm_pretrain.py and
     * gpt_oss_llm_pretrain.py likewise (26.06) */
    if (e->graphs && e->flex)
        t->moe_expert_rank_capacity_factor = 1.5;
    if (e->ep_sms > 0)
        t->moe_deepep_num_sms = e->ep_sms;
    if (e->no_pg_overlap)
        t->overlap_param_gather = 0;
    /* Megatron-Bridge's CommOverlapConfig turns TP overlap off below TP 2
     * (training/comm_overlap.py: "TP size < 2"), as the dense recipes */
    if (e->tp_overlap && r->tp > 1)
        t->tp_comm_overlap = 1;
    if (e->fp8_dpa)
        t->fp8_dot_product_attention = 1;
    /* gemm (issue 11): the full-iteration MXFP8 recipes run the MLP as
     * Transformer Engine's fused ops, after _benchmark_common turned the
     * fuser off: gpt_oss/common.py _apply_gpt_oss_120b_full_iter_fp8mx
     * _configs (v0.5.0 gpt_oss_llm_pretrain.py on, 26.06) and deepseek/
     * common.py _enable_deepseek_full_iteration_mxfp8 (v0.6.0, 26.08) set
     * use_transformer_engine_op_fuser = True; in 26.06 the DeepSeek-V3 and
     * Qwen3 FP8_MX presets set cutedsl_fused_grouped_mlp=True, which
     * set_workload_base_configs turns into the fuser (v0.5.0
     * scripts/performance/utils/overrides.py l.238-240;
     * deepseek_workload_base_configs.py l.73, l.103,
     * qwen3_workload_base_configs.py l.208, 235, 363, 396, 437) */
    if (e->graphs && e->flex &&
        (strcmp(job->name, "gpt-oss-120b") == 0 ||
         strncmp(r->release, "26.08", 5) == 0 ||
         strncmp(r->release, "26.06", 5) == 0))
        t->use_transformer_engine_op_fuser = 1;
    return 0;
}
