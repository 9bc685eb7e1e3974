/*
 * memstate.h - the bytes the memory model (model.h, tce_model_memory)
 * charges per token and per parameter, by mechanism: a layer's activations
 * and what recompute_modules drop from them, the optimizer state per
 * parameter, the loss's logits per token.
 *
 * Pure, no allocation: called on the projection path.
 *
 * Activations (Korthikanti et al. 2022, arXiv 2205.05198, generalised as
 * model.h says): per token of one layer, the part tensor parallelism
 * without sequence parallelism leaves whole (replicated: norm inputs,
 * dropout masks, block inputs) and the parts it divides (attention, a
 * dense MLP, an MoE MLP), plus the score term.
 *
 * Recomputed modules (recompute.h; Megatron-LM transformer_layer.py,
 * multi_latent_attention.py, moe/experts.py): a module run under
 * CheckpointWithoutOutput or tensor_parallel.checkpoint keeps its input,
 * not its outputs and internals, until the backward re-runs it:
 *   core_attn    the score term (5as/h without flash; flash keeps only its
 *                log-sum-exp anyway)
 *   mla_up_proj  MLA's Q, K and V (the up-projections' outputs, 2 bytes
 *                each per head dim) in every layer
 *   moe_act      the experts' activation output, topk copies (1 byte in
 *                FP8 jobs: the fc2 input kept quantised)
 *   layernorm    the output of each norm that is a module of its own
 *                (Transformer Engine fuses the others into the next
 *                linear): an MoE layer's pre-MLP norm, MLA's input norm
 *   mlp          a dense layer's MLP tensors (its input is kept)
 *   moe          an MoE layer's MLP tensors (routed copies, experts,
 *                shared experts)
 *   shared_experts  the shared experts' tensors
 *
 * Optimizer state per parameter (Megatron-LM optimizer_config.py,
 * optimizer/__init__.py, distrib_optimizer.py): fp32 master weights and
 * two fp32 moments, 12 bytes; with use_precision_aware_optimizer the
 * moments take exp_avg_dtype and exp_avg_sq_dtype (fp32 4, fp16/bf16 2,
 * fp8 1), and the master weights main_params_dtype, kept as the 16-bit
 * remainder of the fp32 value when store_param_remainders holds and
 * Transformer Engine's FusedAdam manages them (BF16 weights: no FP8
 * recipe, or the delayed one, or fp16 master weights; Megatron's
 * use_precision_aware_optimizer_no_fp8_or_ds_fp8).
 *
 * Logits (Megatron-LM language_module.py compute_language_model_loss):
 * the unfused and the native fused cross-entropy upcast the logits to fp32
 * and keep their exponentials, 4 bytes per vocabulary entry; Transformer
 * Engine's kernel (cross_entropy_fusion_impl te; transformer_engine/
 * pytorch/cross_entropy.py) keeps the BF16 logits it was given and writes
 * their gradient into them, 2 bytes.  The output layer's input is BF16,
 * 2 bytes per hidden unit.
 */
#ifndef TCEMU_MEMSTATE_H
#define TCEMU_MEMSTATE_H

#include "tcemu/config.h"
#include "tcemu/model.h"

/* Activation bytes per token of one layer (before any division by tp). */
struct tce_memstate_act {
    double replicated;  /* norm inputs, dropout masks, block inputs */
    double attention;   /* Q, K, V, the attention output (and its FP8 copy) */
    double dense_mlp;   /* a dense layer's MLP */
    double moe_mlp;     /* an MoE layer's routed copies, experts, shared */
    double scores;      /* 5 a s_local, or flash's fp32 log-sum-exp */
};

/* The terms of a layer of x with s_local tokens of context on this rank;
 * flash: fused attention; dropout: hidden dropout; fp8: an FP8 job (the
 * FP8 GEMMs keep 1-byte inputs); proj_copy: the attention's output
 * projection keeps its own FP8 copy of its input beside the BF16 output the
 * fused attention keeps (tce_memstate_proj_copy). */
void tce_memstate_activation_terms(const struct tce_model_dims *x,
                                   double s_local, int flash, double dropout,
                                   int fp8, int proj_copy,
                                   struct tce_memstate_act *t);

/* Whether an FP8 job's output projection keeps an FP8 copy of the
 * attention output: only under the delayed recipe.  Megatron-LM
 * (attention.py, multi_latent_attention.py, since 2025-08, with Transformer
 * Engine 2.6 or later) makes linear_proj save its original BF16 input
 * under current and block scaling: the fused attention keeps that tensor
 * for its own backward already. */
int tce_memstate_proj_copy(const struct tce_training *t);

/* Drop from t what the modules (enum tce_recompute_module bits) do not
 * keep; core_attn drops the score term. */
void tce_memstate_recompute(const struct tce_model_dims *x, unsigned modules,
                            int fp8, struct tce_memstate_act *t);

/* Weight bytes per parameter of an FP8 linear layer (memory, issue 11):
 * 2 (its BF16 weight) in a job without FP8.  In an FP8 job Transformer
 * Engine quantises each linear layer's weight for its GEMMs: the forward
 * reads it row-wise, the backward's dgrad column-wise.  With Megatron-LM
 * passing is_first_microbatch (extensions/transformer_engine.py, unless
 * disable_parameter_transpose_cache) Transformer Engine caches that copy
 * for the iteration's later microbatches (module/linear.py
 * _fp8_workspaces): BF16 weight + copy.  With fp8_param_gather the weight
 * is kept in FP8 only (Megatron-Bridge's performance guide: "FP8
 * parameters lower memory usage"): the copy alone.  The copy:
 *   delayed, tensorwise  1 byte, and 1 more for the transposed copy where
 *                        the FP8 GEMM takes only the TN layout (any_layout
 *                        0: Hopper; Transformer Engine csrc/quantizer.cpp
 *                        writes it only when
 *                        !nvte_is_non_tn_fp8_gemm_supported())
 *   mxfp8                row- and column-wise copies (their scales run
 *                        along different axes), each 1 byte + an E8M0
 *                        scale per 32 values
 *   blockwise            row- and column-wise copies, each 1 byte + a
 *                        4-byte scale per 128 x 128 block (weights) */
double tce_memstate_linear_weight_bytes(const struct tce_training *t,
                                        int any_layout);

/* Optimizer-state bytes per parameter (before any data-parallel
 * sharding). */
double tce_memstate_optimizer_bytes(const struct tce_training *t);

/* Bytes the loss keeps per token and vocabulary entry of this rank. */
double tce_memstate_logit_bytes(const struct tce_training *t);

#endif
