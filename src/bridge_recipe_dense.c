/*
 * bridge_recipe_dense.c - Megatron-Bridge's performance-recipe settings of the
 * dense rows (bridge_recipe.h): Llama 3 8B, 70B and Llama 3.1 405B.
 *
 * Sources (NVIDIA-NeMo/Megatron-Bridge, commit 067f987df03b, the one the
 * reference CSV cites):
 *   src/megatron/bridge/perf_recipes/llama/<system>/llama3.py, llama31.py
 *     (the 26.08 recipes: layout, CUDA graphs, TP overlap, FSDP, offloading);
 *   src/megatron/bridge/recipes/llama/h100/llama3.py (the base recipes the
 *     perf recipes start from: recompute_granularity None, cross-entropy
 *     fusion, flash attention);
 *   src/megatron/bridge/perf_recipes/_common.py (_perf_precision: fp8_cs =
 *     current (tensorwise) scaling, fp8_mx = MXFP8);
 *   scripts/performance/configs/llama3/workload_base_configs.py and
 *     llama31/workload_base_configs.py at e645566bd (2025-11-14), the
 *     configs of releases 25.09 and 25.11 (FSDP and offloading of rows the
 *     26.08 recipes no longer run with FSDP: 8B H100 FP8-CS, 405B GB200).
 */
#include <string.h>

#include "tcemu/bridge_recipe.h"

/* The precision a row ran with, as the recipes name it. */
enum prec { P_ANY, P_BF16, P_CS, P_MX };

/* One recipe's settings beyond the layout columns. */
struct entry {
    const char *model_key;  /* job name */
    const char *system;     /* published system; NULL = every system */
    enum prec prec;
    int cuda_graph;         /* cuda_graph_impl "local", scope full_iteration */
    int offload_layers;     /* cpu_offloading_num_layers (FSDP rows) */
    const char *source;     /* recipe file and function */
};

/* Entries are matched first to last; the first match wins. */
static const struct entry table[] = {
    /* Llama 3 8B on Blackwell: whole-iteration CUDA graphs (every
     * precision) */
    {"llama3-8b", "DGX-B200", P_ANY, 1, 0,
     "llama/b200/llama3.py llama3_8b_pretrain_8gpu_b200_*_config"},
    {"llama3-8b", "DGX-GB200", P_ANY, 1, 0,
     "llama/gb200/llama3.py llama3_8b_pretrain_8gpu_gb200_*_config"},
    {"llama3-8b", "DGX-GB300", P_ANY, 1, 0,
     "llama/gb300/llama3.py llama3_8b_pretrain_8gpu_gb300_*_config"},
    {"llama3-8b", "DGX-B300", P_ANY, 1, 0,
     "llama/b300/llama3.py llama3_8b_pretrain_8gpu_b300_*_config"},
    /* 8B on H100 FP8-CS: Megatron-FSDP, no offloading (25.11's
     * LLAMA3_8B_H100_FP8_CS_BASE_CONFIG) */
    {"llama3-8b", "DGX-H100", P_ANY, 0, 0,
     "llama/h100/llama3.py llama3_8b_pretrain_8gpu_h100_*_config; "
     "workload_base_configs.py LLAMA3_8B_H100_FP8_CS_BASE_CONFIG"},
    /* Llama 3 70B: FSDP rows offload activations of some layers */
    {"llama3-70b", "DGX-GB300", P_BF16, 0, 30,
     "llama/gb300/llama3.py llama3_70b_pretrain_64gpu_gb300_bf16_config"},
    {"llama3-70b", "DGX-GB300", P_CS, 0, 20,
     "llama/gb300/llama3.py llama3_70b_pretrain_64gpu_gb300_fp8cs_config"},
    {"llama3-70b", "DGX-GB200", P_BF16, 0, 20,
     "llama/gb200/llama3.py llama3_70b_pretrain_64gpu_gb200_bf16_config"},
    {"llama3-70b", "DGX-GB200", P_CS, 0, 40,
     "llama/gb200/llama3.py llama3_70b_pretrain_64gpu_gb200_fp8cs_config"},
    {"llama3-70b", "DGX-B200", P_BF16, 1, 0,
     "llama/b200/llama3.py llama3_70b_pretrain_64gpu_b200_bf16_config"},
    {"llama3-70b", "DGX-B200", P_CS, 0, 5,
     "llama/b200/llama3.py llama3_70b_pretrain_64gpu_b200_fp8cs_config"},
    /* Llama 3.1 405B: FSDP rows (25.09/25.11 configs) */
    {"llama3-405b", "DGX-GB300", P_BF16, 0, 40,
     "workload_base_configs.py LLAMA31_405B_GB300_BF16_BASE_CONFIG"},
    {"llama3-405b", "DGX-GB300", P_CS, 0, 10,
     "workload_base_configs.py LLAMA31_405B_GB300_FP8_CS_BASE_CONFIG"},
    {"llama3-405b", "DGX-GB200", P_CS, 0, 95,
     "workload_base_configs.py LLAMA31_405B_GB200_FP8_CS_BASE_CONFIG"},
};

/* The recipe precision of a row: BF16, current scaling (FP8-CS; the "FP8"
 * of 26.06 and the unstated precision of 25.09 too: the Llama perf
 * recipes run FP8 only as _perf_precision("fp8_cs") or "fp8_mx"), MXFP8. */
static enum prec prec_of(const struct tce_bridge_row *r)
{
    enum tce_fp8_recipe fr;

    if (!tce_bridge_fp8_recipe(r, &fr))
        return P_BF16;
    return fr == TCE_FP8_MXFP8 ? P_MX : P_CS;
}

static const struct entry *lookup(const struct tce_bridge_row *r)
{
    enum prec p = prec_of(r);
    size_t i;

    for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        const struct entry *e = &table[i];

        if (strcmp(e->model_key, r->model_key) == 0 &&
            (!e->system || strcmp(e->system, r->system) == 0) &&
            (e->prec == P_ANY || e->prec == p))
            return e;
    }
    return NULL;
}

int tce_bridge_recipe_dense(const struct tce_bridge_row *r, struct tce_job *job,
                            struct tce_error *err)
{
    struct tce_training *t = &job->training;
    const struct entry *e;

    (void)err;
    if (r->moe || strncmp(r->model_key, "llama3", 6) != 0)
        return 0;
    e = lookup(r);
    /* recipes/llama/h100/llama3.py: recompute_granularity None in every
     * Llama 3 base recipe; flash attention (TE fused) recomputes the
     * scores itself, so nothing else is recomputed */
    t->recompute_granularity = TCE_RECOMPUTE_NONE;
    /* the base recipes' model config comes from the Llama bridge
     * (src/megatron/bridge/models/llama/llama_bridge.py,
     * hf_config_to_model_config_kwargs: hidden_dropout=0.0): no dropout
     * kernels or masks */
    t->hidden_dropout = 0.0;
    /* perf_recipes/_common.py: _benchmark_common and _perf_precision set
     * grad_reduce_in_fp32 = False (BF16 gradient buffers and reduce) */
    t->accumulate_allreduce_grads_in_fp32 = 0;
    /* _perf_precision: fp8_cs = Float8CurrentScaling (Megatron
     * --fp8-recipe tensorwise), fp8_mx = MXFP8BlockScaling (mxfp8) */
    if (prec_of(r) == P_MX)
        t->fp8_recipe = TCE_FP8_MXFP8;
    else if (prec_of(r) == P_CS)
        t->fp8_recipe = TCE_FP8_TENSORWISE;
    /* every Llama recipe with TP > 1 names a userbuffers TP-overlap
     * config (comm_overlap.tp_comm_overlap_cfg = userbuffers_*_tp<N>_*);
     * TP 1 recipes set CommOverlapConfig(tp_comm_overlap=False) */
    t->tp_comm_overlap = r->tp > 1;
    /* overlap_grad_reduce / overlap_param_gather: on in the base recipes
     * (DistributedDataParallelConfig overlap_grad_reduce=True,
     * overlap_param_gather=True) */
    t->overlap_grad_reduce = 1;
    t->overlap_param_gather = 1;
    /* ... except the 25.11 MXFP8 configs of 70B and 405B ("keeping this
     * enabled causes NaN grad norm": scripts/performance/configs/llama3/
     * llama3_llm_pretrain.py l.81, 116, 151 and llama31/
     * llama31_llm_pretrain.py l.76, 111, 141 at v0.2.2) */
    if (prec_of(r) == P_MX && strncmp(r->release, "25.11", 5) == 0 &&
        strcmp(r->model_key, "llama3-8b") != 0)
        t->overlap_param_gather = 0;
    t->enable_cuda_graph = e ? e->cuda_graph : 0;
    /* mem (wave 6): scripts/performance (helpers.py v0.2, overrides.py
     * set_post_overrides v0.3 .. v0.5, run_script.py 26.08; not 25.09's
     * helpers.py at f5a691dd1): a BF16 run
     * with Adam uses the precision-aware optimizer (default dtypes: fp32
     * master kept as its BF16 remainder, fp32 moments); every benchmark
     * runs the fused cross-entropy (GPTModelProvider
     * cross_entropy_loss_fusion True) in Transformer Engine's kernel
     * (cross_entropy_fusion_impl "te": the same scripts, and
     * perf_recipes/_common.py _benchmark_common) */
    t->use_precision_aware_optimizer =
        prec_of(r) == P_BF16 && strncmp(r->release, "25.09", 5) != 0;
    t->cross_entropy_loss_fusion = 1;
    t->cross_entropy_fusion_impl = TCE_CE_TE;
    /* FSDP rows (tce_bridge_apply sets the sharding) offload the
     * activations of the recipe's cpu_offloading_num_layers layers
     * (cfg.model.cpu_offloading = True, cpu_offloading_weights = False) */
    if (r->fsdp > 0)
        t->cpu_offloading_num_layers = e ? e->offload_layers : 0;
    /* FSDP rows of the releases whose scripts/performance had per-model
     * config files (v0.2.0 to v0.5.x: 25.11 to 26.06): configs/llama3/
     * llama3_llm_pretrain.py and llama31/llama31_llm_pretrain.py set
     * gradient_accumulation_fusion = False under use_megatron_fsdp
     * ("disabled to avoid functional errors"), after the workload base
     * config; 25.09 (run_script.py at f5a691dd1) and 26.08 (v0.6.0's
     * overrides.py) set it True.  Without it the wgrad GEMM writes a BF16
     * gradient that a separate pass adds into main_grad (wgradcost.h) */
    t->gradient_accumulation_fusion =
        !(r->fsdp > 0 && strcmp(r->release_date, "2025-11-01") >= 0 &&
          strcmp(r->release_date, "2026-08-01") < 0);
    return 0;
}
