/*
 * model.h - the job's arithmetic: parameters, FLOPs, bytes, memory.
 *
 * Pure functions of the model (and, for memory, of the layout).  Formulas
 * follow ../shared/BRIEF.md "The arithmetic": dense GPT layers with GQA and
 * SwiGLU, MoE layers (routed top-k + shared experts), multi-latent attention.
 * No allocation and no loop over layers or ranks: the projector calls these
 * on its hot path (>= 1e6 projections per second).
 *
 * Conventions (documented here once, used by every function below):
 *  - A zero in an optional model field takes Megatron's default:
 *    ffn_hidden_size 4h, num_query_groups = heads, kv_channels = h / heads,
 *    moe_ffn_hidden_size = ffn_hidden_size, moe_layer_freq 1,
 *    moe_router_topk 2.
 *  - Layer i (0-based) is an MoE layer iff num_experts > 0,
 *    i >= moe_first_dense_layers and (i - moe_first_dense_layers) is a
 *    multiple of moe_layer_freq.
 *  - "GPT style" (swiglu = 0) means what Megatron's GPT has: LayerNorm with
 *    weight and bias (2h), biases on every linear layer, learned absolute
 *    position embeddings (seq_length x h).  SwiGLU models (Llama, Mixtral,
 *    DeepSeek) have RMSNorm (h), no biases, rotary positions (no
 *    parameters).  There is one final norm after the last layer.
 *  - MLA (DeepSeek-V2/V3): q down h x q_lora_rank (+ norm q_lora_rank),
 *    q up q_lora_rank x a(qk_head_dim + qk_pos_emb_head_dim) (or, with
 *    q_lora_rank 0, h x a(qk + pos)), kv down h x (kv_lora_rank + pos)
 *    (+ norm kv_lora_rank), kv up kv_lora_rank x a(qk_head_dim + v_head_dim),
 *    out a v_head_dim x h.
 *  - MoE layer: num_experts experts of moe_ffn_hidden_size (3hf' with
 *    SwiGLU, else 2hf'), shared experts of
 *    moe_shared_expert_intermediate_size (same MLP kind), router h x E.
 *  - Counts exclude DeepSeek-V3's multi-token-prediction module (the
 *    published 671B excludes it too).
 */
#ifndef TCEMU_MODEL_H
#define TCEMU_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "tcemu/config.h"
#include "tcemu/error.h"

struct tce_layout; /* tcemu/layout.h */

/* The model's dimensions as the arithmetic uses them (doubles), with the
 * rules that belong to the model applied once: top-k at most the experts,
 * MLA's head dims for scores (qk + rotary) and values, GPT (LayerNorm,
 * biases, learned positions) when not SwiGLU.  The derived keys
 * (ffn_hidden_size, num_query_groups, kv_channels) are filled by
 * tce_job_derive (config.h).  Used by the model and by the plan. */
struct tce_model_dims {
    double h, a, g, d, f, s, V, E, topk, fm, fs;
    double d_qk, d_v;          /* head dims of scores and values */
    int64_t l, freq, first_dense;
    int gpt;                   /* LayerNorm + biases + learned positions */
    int mla;
};

void tce_model_dims(const struct tce_model *m, struct tce_model_dims *x);

struct tce_param_count {
    double total;               /* every parameter */
    double active;              /* parameters one token passes through
                                   (MoE: top-k routed + shared experts),
                                   input embedding included as Mistral
                                   counts (Mixtral 12.9B); DeepSeek's
                                   published 36.6B (V3) leaves the input
                                   embedding out: active - embedding */
    double embedding;           /* input embedding, V*h (+ s*h learned
                                   positions, GPT style) */
    double output;              /* untied output layer, V*h; 0 when tied */
    double attention_per_layer;
    double dense_mlp_per_layer; /* a dense layer's MLP */
    double moe_mlp_per_layer;   /* all experts + shared + router */
    double norms_per_layer;
    int64_t dense_layers;
    int64_t moe_layers;
    /* added by the model module: */
    double expert_per_layer;    /* one routed expert's MLP */
    double shared_expert_per_layer; /* all shared experts of one layer */
    double router_per_layer;    /* h x E */
    double final_norm;          /* the norm after the last layer */
    double dense_layer;         /* a whole dense layer (attn + mlp + norms) */
    double moe_layer;           /* a whole MoE layer (all experts) */
    double expert_total;        /* routed experts of all layers: the part
                                   sharded by expert parallelism */
    double active_matmul_per_token; /* weights a token multiplies by in the
                                   layers and the output layer (no
                                   embedding lookup, no norms or biases):
                                   forward FLOPs/token = 2x this + attention */
};

void tce_model_count_params(const struct tce_model *m,
                            struct tce_param_count *out);

/* Number of MoE layers among layers [first, last) (0-based, closed form). */
int64_t tce_model_moe_layers_in(const struct tce_model *m, int64_t first,
                                int64_t last);

/*
 * Forward FLOPs per token, by part (each GEMM (m x k)(k x n) is 2mkn).
 * "Per layer" values are for one layer of that kind; attention_core is the
 * score (QK^T) and value (AV) products, 4 * s * a * d_head per token with no
 * causal discount, as Megatron counts.
 */
struct tce_flops_per_token {
    double attention_linear;    /* QKV (or MLA projections) + output proj. */
    double attention_core;      /* QK^T + AV, per layer */
    double dense_mlp;           /* a dense layer's MLP */
    double moe_mlp;             /* an MoE layer: router + top-k experts +
                                   shared experts */
    double logits;              /* output layer, 2hV */
    double forward_layers;      /* all layers, forward */
    double forward;             /* forward_layers + logits */
};

void tce_model_flops_breakdown(const struct tce_model *m,
                               struct tce_flops_per_token *out);

/* Model FLOPs per token, forward + backward, no recomputation (what MFU
 * counts): 3 x forward (backward = 2 x forward). */
double tce_model_flops_per_token(const struct tce_model *m);

/* FLOPs of one iteration of the whole job (all ranks together). */
struct tce_iteration_flops {
    double tokens;              /* global_batch_size * seq_length */
    double model_flops;         /* 3 x forward, what MFU counts */
    double hardware_flops;      /* model + recomputation, what HFU counts:
                                   full adds a forward of the layers (not
                                   the logits), selective adds attention
                                   core */
    double recompute_flops;     /* hardware - model */
};

void tce_model_flops_per_iteration(const struct tce_model *m,
                                   const struct tce_training *t,
                                   struct tce_iteration_flops *out);

/* The same from f = tce_model_flops_breakdown(m) already computed (a plan
 * keeps it). */
void tce_model_flops_per_iteration_of(const struct tce_model *m,
                                      const struct tce_training *t,
                                      const struct tce_flops_per_token *f,
                                      struct tce_iteration_flops *out);

/*
 * Memory per accelerator.  Mixed precision with Adam:
 *   weights   2 bytes / parameter held (bf16)
 *   gradients 2 bytes (4 with accumulate_allreduce_grads_in_fp32)
 *   optimizer 12 bytes (fp32 master + two moments), or what the
 *             precision-aware optimizer keeps (memstate.h); with the
 *             distributed optimizer divided by dp*cp (dense) or dp*cp/ep
 *             (experts)
 * Parameters held: a stage's layers, dense part / tp, routed experts /
 * (tp*ep) (expert tensor parallel = tp), norms replicated; the input
 * embedding on the first stage, the output layer on the last (a tied
 * embedding is held by both when pp > 1).
 * Activations (Korthikanti et al. 2022, generalised to GQA, SwiGLU, f != 4h,
 * MoE): per layer and microbatch, in bytes, s b h (34 + 5 a s / h) for the
 * classic GPT layer; tensor + sequence parallel divide everything by t; TP
 * without SP leaves the 10 sbh of norms, dropout masks and block inputs
 * undivided; selective recompute (core_attn) drops the 5as/h score term; full
 * recompute keeps the layer input 2sbh (/t with SP) per layer plus one
 * layer's working set; context parallel divides s by c.  MoE layers store
 * their expert MLP activations topk times.  The first stage holds
 * min(p, m) microbatches in flight (1F1B), or p + (p-1)/v with v virtual
 * stages (interleaved, Narayanan et al. 2021).  The first stage adds the
 * embedding's dropout mask (s b h per microbatch in flight, / t with SP),
 * the last the output layer's BF16 input and the logits the loss keeps,
 * s b (2 h + 4 V) / t (Megatron-LM's theoretical_memory_usage.py counts
 * 4 s b (h + V) / t), 2 V with Transformer Engine's fused cross-entropy
 * (memstate.h).  Selective recomputation drops what recompute_modules do
 * not keep (memstate.h; core_attn, the default, drops the score term).  Differences from that
 * file: SwiGLU MLPs store 6f (gate and up outputs, activation output)
 * where it counts 4f, attention tensors follow GQA/MLA widths, and the
 * distributed optimizer shards over dp*cp (its data-parallel group with
 * context parallelism).
 * attn (issue 11): with use_flash_attn the 5as/h score term is replaced
 * by the fp32 log-sum-exp (4 a bytes per token; the output is counted);
 * without hidden dropout the two 1-byte masks (2h) are not stored; in FP8
 * jobs the inputs of the FP8 GEMMs are kept in 1 byte (the QKV and fc1
 * inputs h each, the fc2 input f, plus a 1-byte copy of the attention
 * output o for the projection, delayed recipe only: memstate.h);
 * cpu_offloading_num_layers of a stage's
 * layers keep their activations in host memory (copies assumed hidden
 * under the compute); the
 * data-parallel sharding strategy (tce_model_dp_sharding) shards the
 * optimizer state (optim), also the gradients (optim_grads: plus one
 * layer's full gradients awaiting their reduce-scatter) and also the
 * weights (optim_grads_params, FSDP: plus two layers gathered, the running
 * one and the prefetched one) over DP x CP (experts DP x CP / EP).
 * Overhead: TCE_MEMORY_OVERHEAD_GIB fixed (CUDA context, NCCL buffers,
 * workspace) plus TCE_MEMORY_FRAGMENTATION of everything else (allocator
 * fragmentation).  Both are assumptions, not measurements; opts may
 * override them.
 * The reported figures are those of the worst stage (largest total).
 */
#define TCE_MEMORY_OVERHEAD_GIB 2.0
#define TCE_MEMORY_FRAGMENTATION 0.05
/* Bytes in a GiB (2^30): the unit of every memory figure tcemu reports. */
#define TCE_GIB 1073741824.0

struct tce_memory_opts {
    double overhead_gib;        /* < 0: TCE_MEMORY_OVERHEAD_GIB */
    double fragmentation;       /* < 0: TCE_MEMORY_FRAGMENTATION */
    double hbm_gib;             /* capacity to check the fit against;
                                   0 = unknown (fits = 1) */
    int fp8_gemm_any_layout;    /* memory (issue 11): the accelerator's
                                   FP8 GEMM takes any layout (Blackwell):
                                   no transposed FP8 weight copy
                                   (memstate.h); 0 = counted */
};

/* opts with defaults (overhead and fragmentation from the macros, FP8
 * weight transposes counted). */
void tce_memory_opts_init(struct tce_memory_opts *o, double hbm_gib);

struct tce_memory {
    double params;              /* parameters held by this rank */
    double weights_bytes;
    double gradients_bytes;
    double optimizer_bytes;
    double activations_bytes;
    double activation_per_layer_bytes; /* one dense layer, one microbatch,
                                   this rank's share, after recompute */
    double inflight_microbatches; /* multiplier applied to a stage's layers */
    double overhead_bytes;
    double total_bytes;
    double capacity_bytes;      /* hbm_gib in bytes; 0 = unknown */
    int fits;                   /* total <= capacity (1 when unknown) */
    int64_t worst_stage;        /* pipeline stage the figures are for */
    int64_t stage_layers;       /* layers held by that stage */
    double checkpoint_bytes;    /* whole model state on storage: weights
                                   (2 B) + fp32 master and moments (12 B)
                                   per parameter, all ranks together */
};

/* The assumptions behind the memory and parameter figures, one line each,
 * for reports that must say what was assumed.  Returns the count. */
size_t tce_model_assumptions(const char *const **list);

/* 0, or TCE_ECONFIG when the layout does not match the model (layers not
 * divisible by pp * vpp). opts may be NULL (defaults, capacity unknown). */
int tce_model_memory(const struct tce_job *job,
                     const struct tce_layout *layout,
                     const struct tce_memory_opts *opts,
                     struct tce_memory *out, struct tce_error *err);

/* The same for one pipeline stage (worst_stage = stage); TCE_ERANGE when
 * stage is outside [0, pp). */
int tce_model_memory_stage(const struct tce_job *job,
                           const struct tce_layout *layout, int64_t stage,
                           const struct tce_memory_opts *opts,
                           struct tce_memory *out, struct tce_error *err);

/* tce_model_memory with pc = tce_model_count_params(&job->model) already
 * computed (the projector keeps it in its plan) and a layout from
 * tce_layout_init (its layer split is not checked again): the same
 * result. */
int tce_model_memory_counted(const struct tce_job *job,
                             const struct tce_layout *layout,
                             const struct tce_param_count *pc,
                             const struct tce_memory_opts *opts,
                             struct tce_memory *out, struct tce_error *err);

/*
 * attn (issue 11): attention masks, the FLOP conventions and data-parallel
 * sharding.
 *
 * Every decoder here is causal.  A layer is a sliding-window layer when
 * window_size > 0 and (window_attn_skip_freq == 0 or its 1-based number is
 * not a multiple of window_attn_skip_freq): Megatron-LM's
 * is_layer_window_attention (GPT-OSS: window 128, every 2nd layer full).
 *
 * FLOP conventions (of the attention core, QK^T and AV; every other term
 * is the same in both):
 *   TCE_FLOPS_FULL    the full s x s square in every layer, whatever the
 *                     mask: Narayanan et al. 2021 (arXiv 2104.04473)
 *                     appendix, Megatron-LM's num_floating_point_operations
 *                     before its causal term.  What tcemu's MFU and
 *                     model_tflops_per_gpu count (tce_model_flops_per_token,
 *                     tce_model_flops_per_iteration).
 *   TCE_FLOPS_CAUSAL  the keys a query sees: s / 2 in a full causal layer,
 *                     min(window, s) in a sliding-window layer.  Megatron-
 *                     Bridge's performance summary counts model TFLOP/s
 *                     this way (its flop_utils: causal half, window layers
 *                     by the window); FlashAttention-2 (arXiv 2307.08691)
 *                     skips the masked blocks, so it is also what a fused
 *                     kernel executes (the plan's attention ops, to within
 *                     the diagonal blocks: 128 / s).
 */
enum tce_flops_convention { TCE_FLOPS_FULL, TCE_FLOPS_CAUSAL };

/* Whether layer i (0-based) is a sliding-window layer. */
int tce_model_layer_is_window(const struct tce_model *m, int64_t i);

/* Sliding-window layers among the model's num_layers (closed form). */
int64_t tce_model_window_layers(const struct tce_model *m);

/* Keys a query sees over s, in a full layer and in a window layer, by
 * convention (FULL: 1 and 1; CAUSAL: 1/2 and min(w, s)/s). */
void tce_model_attention_keys(const struct tce_model *m,
                              enum tce_flops_convention conv,
                              double *full_layer, double *window_layer);

/* Model FLOPs per token (forward + backward, 3 x forward) and of one
 * iteration, by convention; FULL equals tce_model_flops_per_token /
 * tce_model_flops_per_iteration.  Recomputation (selective: the attention
 * core) is counted in the same convention. */
double tce_model_flops_per_token_convention(const struct tce_model *m,
                                            enum tce_flops_convention conv);
void tce_model_flops_per_iteration_convention(
    const struct tce_model *m, const struct tce_training *t,
    enum tce_flops_convention conv, struct tce_iteration_flops *out);

/* The data-parallel sharding a job runs: its
 * data_parallel_sharding_strategy; when that is no_shard, FSDP
 * (use_custom_fsdp, use_megatron_fsdp, use_torch_fsdp2) means
 * optim_grads_params and use_distributed_optimizer means optim.  The
 * sharding group is DP x CP (dense) or DP x CP / EP (experts): GPUs /
 * (TP x PP), Megatron-Bridge's FSDP column. */
enum tce_dp_sharding tce_model_dp_sharding(const struct tce_job *job);

#endif
