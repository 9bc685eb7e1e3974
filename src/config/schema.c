/*
 * schema.c - the schema tables: one row per key of each file kind (key,
 * type, flags, range, default, unit, help, offset in the struct), and the
 * lookups over them (a kind's schema, a key's row, origin slots).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "config_int.h"

#include "schema_int.h"


static const char *const recompute_names[] = {"none", "selective", "full",
                                              NULL};
static const char *const precision_names[] = {"bf16", "fp8", NULL};
static const char *const contract_names[] = {
    "on_demand", "reserved", "capacity_block", "spot", "commitment", NULL};
const char *const tce_cfg_link_names[] = {"scale_up", "scale_out", "fabric",
                                         NULL};
const char *const tce_cfg_link_path_names[] = {"mpi_ranks", "nccl_device",
                                              NULL};
/* attn (issue 11) */
static const char *const cp_comm_names[] = {"p2p", "all_gather", "a2a", NULL};
static const char *const dp_sharding_names[] = {
    "no_shard", "optim", "optim_grads", "optim_grads_params", NULL};
/* moe (issue 11) */
static const char *const dispatcher_names[] = {"alltoall", "allgather", "flex",
                                               NULL};
/* deepep (issue 11) */
static const char *const flex_backend_names[] = {"deepep", "hybridep", NULL};
static const char *const fp8_format_names[] = {"none", "e4m3", "hybrid", NULL};
static const char *const fp8_recipe_names[] = {"delayed", "tensorwise", "mxfp8",
                                               "blockwise", NULL};
/* mem (wave 6) */
static const char *const optim_dtype_names[] = {"fp32", "fp16", "bf16", "fp8",
                                                NULL};
static const char *const main_params_names[] = {"fp32", "fp16", NULL};
static const char *const ce_impl_names[] = {"native", "te", NULL};

/* --- topology --- */

#define TS struct tce_topology
#define FT struct tce_fabric_tier
#define CT struct tce_contract

static const struct field fabric_fields[] = {
    STR(FT, name, "name", F_REQ | F_NONEMPTY, "tier name (leaf, spine, core)"),
    I64(FT, group_nodes, "group_nodes", F_REQ, 1, I30, NULL, "nodes",
        "nodes below one switch of this tier (increasing tier by tier)"),
    DBL(FT, oversubscription, "oversubscription", 0, 1.0, 1000.0, "1.0", "",
        "downlink:uplink bandwidth ratio, 1.0 = full bisection"),
    DBL(FT, latency_us, "latency_us", 0, 0.0, 1e6, "0", "us",
        "latency added per crossing of this tier"),
};
static const struct schema fabric_schema = {
    TCE_CONFIG_TOPOLOGY, "fabric", fabric_fields, N_FIELDS(fabric_fields),
    sizeof(FT)};

static const struct field contract_fields[] = {
    STR(CT, name, "name", F_REQ | F_NONEMPTY, "unique name of the contract"),
    ENUM(CT, kind, "kind", F_REQ, contract_names, NULL,
         "on_demand, reserved (needs term_months), capacity_block (needs "
         "max_days), spot (needs interruptions_per_node_day), commitment "
         "(take-or-pay; needs term_months and committed_nodes)"),
    DBL(CT, usd_per_node_hour, "usd_per_node_hour", F_REQ, 0.0, 1e6, NULL,
        "USD/node-hour", "effective price per node-hour"),
    DBL(CT, term_months, "term_months", 0, 0.0, 600.0, "0", "months",
        "term of a reservation or commitment"),
    DBL(CT, max_days, "max_days", 0, 0.0, 36500.0, "0", "days",
        "capacity_block: longest block that can be booked"),
    DBL(CT, lead_days, "lead_days", 0, 0.0, 36500.0, "0", "days",
        "capacity_block: how far ahead it must be booked"),
    DBL(CT, interruptions_per_node_day, "interruptions_per_node_day", 0, 0.0,
        1000.0, "0", "1/(node day)", "spot: reclaims per node and day"),
    I64(CT, committed_nodes, "committed_nodes", 0, 0, I30, "0", "nodes",
        "commitment: nodes paid for whether used or not"),
    DBL(CT, overage_usd_per_node_hour, "overage_usd_per_node_hour", 0, 0.0, 1e6,
        "0", "USD/node-hour",
        "commitment: price beyond the commitment; 0 = the on-demand price"),
    STR(CT, as_of, "as_of", 0, "date of the price (YYYY-MM)"),
    STR(CT, source, "source", 0, "where the price comes from"),
};
static const struct schema contract_schema = {
    TCE_CONFIG_TOPOLOGY, "contracts", contract_fields,
    N_FIELDS(contract_fields), sizeof(CT)};

static const struct field topology_fields[] = {
    STR(TS, name, "name", F_REQ | F_NONEMPTY, "name of the offering"),
    STR(TS, description, "description", 0, "one line for humans"),
    STR(TS, accelerator.name, "accelerator.name", F_REQ | F_NONEMPTY,
        "accelerator model"),
    DBL(TS, accelerator.bf16_tflops, "accelerator.bf16_tflops", F_REQ | F_OPEN,
        0.0, 1e6, NULL, "TFLOP/s", "dense BF16 peak (1e12 FLOP/s)"),
    DBL(TS, accelerator.fp8_tflops, "accelerator.fp8_tflops", 0, 0.0, 1e6, "0",
        "TFLOP/s", "dense FP8 peak; 0 = no FP8"),
    DBL(TS, accelerator.hbm_gib, "accelerator.hbm_gib", F_REQ | F_OPEN, 0.0,
        1e6, NULL, "GiB", "memory per accelerator (2^30 bytes)"),
    DBL(TS, accelerator.hbm_gbytes_per_s, "accelerator.hbm_gbytes_per_s",
        F_REQ | F_OPEN, 0.0, 1e6, NULL, "GB/s",
        "memory bandwidth (1e9 bytes/s)"),
    DBL(TS, accelerator.watts, "accelerator.watts", F_REQ | F_OPEN, 0.0, 1e6,
        NULL, "W", "board power at full load"),
    DBL(TS, accelerator.matmul_efficiency, "accelerator.matmul_efficiency",
        F_REQ | F_OPEN, 0.0, 1.0, NULL, "",
        "achievable fraction of peak on large GEMMs"),
    DBL(TS, accelerator.matmul_half_gflop, "accelerator.matmul_half_gflop", 0,
        0.0, 1e6, "0", "GFLOP",
        "GEMM size at which efficiency is half of matmul_efficiency; 0 = "
        "flat"),
    DBL(TS, accelerator.memory_efficiency, "accelerator.memory_efficiency",
        F_OPEN, 0.0, 1.0, "0.8", "", "achievable fraction of HBM bandwidth"),
    STR(TS, accelerator.compute_calibration,
        "accelerator.compute_calibration", 0,
        "calibration file with a measured compute table (relative to this "
        "file); \"\" = the matmul_* curve"),
    STR(TS, accelerator.gemm_shape_reference,
        "accelerator.gemm_shape_reference", 0,
        "calibration file (relative to this file) measured on another "
        "accelerator: the curve takes each GEMM shape's fraction of that "
        "table's large GEMMs' rate in place of the matmul_half_gflop size term, "
        "where the table covers the shape; \"\" = none"),
    STR(TS, accelerator.source, "accelerator.source", 0,
        "source and date of the figures"),
    I64(TS, node.accelerators, "node.accelerators", F_REQ, 1, 1024, NULL,
        "accelerators", "accelerators per node (the priced unit)"),
    DBL(TS, node.watts, "node.watts", 0, 0.0, 1e7, "0", "W",
        "whole node at full load; 0 = derive from the accelerators"),
    STR(TS, node.source, "node.source", 0, "source and date"),
    STR(TS, scale_up.name, "scale_up.name", F_REQ | F_NONEMPTY,
        "scale-up interconnect (NVLink, NeuronLink)"),
    I64(TS, scale_up.domain_accelerators, "scale_up.domain_accelerators", F_REQ,
        1, I20, NULL, "accelerators",
        "accelerators in one scale-up domain (a multiple or divisor of "
        "node.accelerators)"),
    DBL(TS, scale_up.bandwidth_gbytes_per_s, "scale_up.bandwidth_gbytes_per_s",
        F_REQ | F_OPEN, 0.0, 1e6, NULL, "GB/s",
        "per accelerator, one direction"),
    DBL(TS, scale_up.latency_us, "scale_up.latency_us", F_REQ, 0.0, 1e6, NULL,
        "us", "one-way latency"),
    DBL(TS, scale_up.efficiency, "scale_up.efficiency", F_OPEN, 0.0, 1.0, "0.8",
        "", "achievable fraction of the bandwidth"),
    STR(TS, scale_up.source, "scale_up.source", 0, "source and date"),
    STR(TS, scale_out.name, "scale_out.name", F_REQ | F_NONEMPTY,
        "scale-out network (InfiniBand, EFA, RoCE)"),
    I64(TS, scale_out.nics_per_node, "scale_out.nics_per_node", F_REQ, 1, 1024,
        NULL, "NICs", "NICs per node"),
    DBL(TS, scale_out.nic_bandwidth_gbit_per_s,
        "scale_out.nic_bandwidth_gbit_per_s", F_REQ | F_OPEN, 0.0, 1e6, NULL,
        "Gbit/s", "per NIC, one direction (1e9 bits/s)"),
    DBL(TS, scale_out.latency_us, "scale_out.latency_us", F_REQ, 0.0, 1e6, NULL,
        "us", "one-way latency between nodes"),
    DBL(TS, scale_out.efficiency, "scale_out.efficiency", F_OPEN, 0.0, 1.0,
        "0.8", "", "achievable fraction of the bandwidth"),
    STR(TS, scale_out.source, "scale_out.source", 0, "source and date"),
    LIST(TS, fabric, n_fabric, "fabric", 0, &fabric_schema,
         TCE_FABRIC_TIERS_MAX,
         "switch tiers above the node, lowest first (optional)"),
    I64(TS, capacity.max_nodes, "capacity.max_nodes", F_REQ, 1, I30, NULL,
        "nodes", "largest number of nodes on offer"),
    STR(TS, capacity.source, "capacity.source", 0, "source and date"),
    DBL(TS, price.on_demand_usd_per_node_hour,
        "price.on_demand_usd_per_node_hour", F_REQ | F_OPEN, 0.0, 1e6, NULL,
        "USD/node-hour", "on-demand list price (every bill falls back to it)"),
    STR(TS, price.as_of, "price.as_of", F_REQ | F_NONEMPTY,
        "date of the price (YYYY-MM)"),
    STR(TS, price.source, "price.source", 0, "where the price comes from"),
    LIST(TS, contracts, n_contracts, "contracts", 0, &contract_schema,
         TCE_CONTRACTS_MAX, "ways to buy the capacity (optional)"),
    DBL(TS, power.pue, "power.pue", F_REQ, 1.0, 3.0, NULL, "",
        "power usage effectiveness: facility / IT energy"),
    DBL(TS, power.usd_per_kwh, "power.usd_per_kwh", F_REQ, 0.0, 100.0, NULL,
        "USD/kWh", "electricity price"),
    DBL(TS, power.grid_kgco2e_per_kwh, "power.grid_kgco2e_per_kwh", 0, 0.0,
        10.0, "0", "kgCO2e/kWh", "grid carbon intensity; 0 = not reported"),
    STR(TS, power.source, "power.source", 0, "source and date"),
    DBL(TS, reliability.interruptions_per_node_day,
        "reliability.interruptions_per_node_day", 0, 0.0, 1000.0, "0.0038",
        "1/(node day)",
        "unexpected interruptions (Llama 3: 419 in 54 days on 2,048 nodes)"),
    DBL(TS, reliability.restart_minutes, "reliability.restart_minutes", 0, 0.0,
        1e6, "30", "min", "detect, re-rendezvous and reload after a failure"),
    DBL(TS, reliability.checkpoint_write_gbytes_per_s,
        "reliability.checkpoint_write_gbytes_per_s", F_OPEN, 0.0, 1e9, "273",
        "GB/s", "aggregate checkpoint write bandwidth (Megatron-LM SC21)"),
    I64(TS, reliability.hot_spare_nodes, "reliability.hot_spare_nodes", 0, 0,
        I30, "0", "nodes", "nodes held back to replace failed ones"),
    STR(TS, reliability.source, "reliability.source", 0, "source and date"),
    /* moe (issue 11): SMs and graph launches */
    I64(TS, accelerator.sm_count, "accelerator.sm_count", 0, 1, 4096, "132",
        "SMs",
        "streaming multiprocessors (H100/H800 SXM 132, B200 148: NVIDIA "
        "architecture whitepapers); overlapped EP communication takes "
        "training.moe_deepep_num_sms of them"),
    DBL(TS, accelerator.graph_launch_gap_us, "accelerator.graph_launch_gap_us",
        0, 0.0, 1000.0, "1.0", "us",
        "time per kernel when a CUDA graph replays the kernels "
        "(training.enable_cuda_graph, cuda_graph_modules); eager launches "
        "cost node.host_launch_gap_us, else the compute table's "
        "launch_gap_us"),
    /* fitd (issue 11): fused attention's own efficiency */
    DBL(TS, accelerator.attention_efficiency,
        "accelerator.attention_efficiency", 0, 0.0, 1.0, "0.0", "",
        "achieved fraction of the peak of fused (flash) attention, forward "
        "and backward, where no measured compute table covers it (its "
        "kernels are bound by softmax and shared memory, not by the GEMM "
        "curve); 0 = the GEMM curve (matmul_efficiency)"),
    DBL(TS, accelerator.sfu_exp_tera_per_s, "accelerator.sfu_exp_tera_per_s",
        0, 0.0, 1e3, "0.0", "T/s", "SFU exponentials, attncost.h; 0 = off"),
    /* sync (issue 11): the host's launch cost */
    DBL(TS, node.host_launch_gap_us, "node.host_launch_gap_us", 0, 0.0,
        1000.0, "0.0", "us",
        "host time per eager kernel launch (Python, PyTorch dispatcher, "
        "CUDA launch) of the training stack on this node's CPUs: an eager "
        "list takes at least its kernels times this, and a host-device "
        "sync (MoE token counts) costs one more; 0 = the compute table's "
        "launch_gap_us"),
    DBL(TS, node.ep_overlap_host_us, "node.ep_overlap_host_us", 0, 0.0,
        100000.0, "0.0", "us",
        "host time Megatron-Core's combined 1F1B schedule "
        "(training.overlap_moe_expert_parallel_comm) spends on one MoE "
        "layer forward+backward pair beyond its kernel launches (schedule "
        "nodes, one autograd call per node, delayed wgrad calls): it joins "
        "the pair's host floor, so it costs time only where the host "
        "bounds the layer; 0 = none"),
    /* issue 11: the host link activation offloading copies over */
    DBL(TS, node.host_link_gbytes_per_s, "node.host_link_gbytes_per_s", 0,
        0.0, 1e5, "0.0", "GB/s",
        "device-to-host (and back) copy rate per accelerator and direction "
        "with every accelerator of the node copying at once (NVLink-C2C to "
        "a Grace CPU shared by its GPUs, or PCIe): the copies of "
        "cpu_offloading_num_layers layers beyond each layer's compute are "
        "exposed (offload.h); 0 = no figure, the copies are taken as "
        "hidden"),
    /* gemm (issue 11): the block-scaled FP8 GEMM's own rate */
    DBL(TS, accelerator.mxfp8_gemm_efficiency,
        "accelerator.mxfp8_gemm_efficiency", 0, 0.0, 1.0, "0.0", "",
        "rate of the MXFP8 (1x32 block-scaled) GEMM kernel relative to the "
        "tensorwise FP8 GEMM of the same shape, inputs pre-quantised (a "
        "measured property of the accelerator and its GEMM library, "
        "gemmcost.h); linears of fp8_recipe mxfp8 run at it; 0 = the same "
        "rate"),
    /* sust (issue 10/11): burst against sustained tensor throughput */
    DBL(TS, accelerator.sustained_compute_ratio,
        "accelerator.sustained_compute_ratio", F_OPEN, 0.0, 1.0, "1.0", "",
        "tensor throughput held under back-to-back training load over a "
        "short burst's (power-capped SM clock; a measured property of the "
        "accelerator at its board power): the curve's FLOP-bound time is "
        "divided by it (matmul_efficiency, attention_efficiency and "
        "sfu_exp_tera_per_s are burst figures); memory-bound time is not "
        "(the HBM clock holds); 1 = not measured"),
    BOOL(TS, accelerator.fp8_gemm_any_layout,
         "accelerator.fp8_gemm_any_layout", "false",
         "the FP8 GEMM takes operands in any layout (Blackwell; Transformer "
         "Engine nvte_is_non_tn_fp8_gemm_supported): tensorwise FP8 casts "
         "(delayed, current scaling) write one copy, not a row-wise and a "
         "transposed one (Hopper's TN-only FP8 GEMM)"),
};
static const struct schema topology_schema = {
    TCE_CONFIG_TOPOLOGY, "topology", topology_fields, N_FIELDS(topology_fields),
    sizeof(TS)};

/* --- job --- */

#define JS struct tce_job

static const struct field job_fields[] = {
    STR(JS, name, "name", F_REQ | F_NONEMPTY, "name of the job"),
    STR(JS, description, "description", 0, "one line for humans"),
    STR(JS, source, "source", 0, "where the architecture and layout come from"),
    I64(JS, model.num_layers, "model.num_layers", F_REQ, 1, 100000, NULL,
        "layers", "transformer layers"),
    I64(JS, model.hidden_size, "model.hidden_size", F_REQ, 1, I20, NULL, "",
        "model width h"),
    I64(JS, model.ffn_hidden_size, "model.ffn_hidden_size", F_DERIVED, 1,
        4 * I20, "4 * hidden_size", "", "dense MLP width f"),
    I64(JS, model.num_attention_heads, "model.num_attention_heads", F_REQ, 1,
        65536, NULL, "heads", "attention heads a"),
    I64(JS, model.num_query_groups, "model.num_query_groups", F_DERIVED, 1,
        65536, "num_attention_heads", "groups", "KV heads g (GQA)"),
    I64(JS, model.kv_channels, "model.kv_channels", F_DERIVED, 1, 65536,
        "hidden_size / num_attention_heads", "", "head dimension"),
    I64(JS, model.seq_length, "model.seq_length", F_REQ, 1, I24, NULL, "tokens",
        "sequence length s"),
    I64(JS, model.vocab_size, "model.vocab_size", F_REQ, 1, I24, NULL, "tokens",
        "vocabulary size V"),
    BOOL(JS, model.swiglu, "model.swiglu", "false",
         "SwiGLU MLP (3hf) instead of GeLU (2hf)"),
    BOOL(JS, model.untie_embeddings_and_output_weights,
         "model.untie_embeddings_and_output_weights", "false",
         "separate output layer (adds V*h parameters)"),
    I64(JS, model.num_experts, "model.num_experts", 0, 0, 65536, "0", "experts",
        "routed experts per MoE layer; 0 = dense model"),
    I64(JS, model.moe_router_topk, "model.moe_router_topk", 0, 0, 1024, "0",
        "experts", "experts per token (>= 1 when num_experts > 0)"),
    I64(JS, model.moe_ffn_hidden_size, "model.moe_ffn_hidden_size", F_DERIVED,
        1, 4 * I20, "ffn_hidden_size", "", "MLP width of one expert"),
    I64(JS, model.moe_shared_expert_intermediate_size,
        "model.moe_shared_expert_intermediate_size", 0, 0, 4 * I20, "0", "",
        "total MLP width of the shared experts; 0 = none"),
    I64(JS, model.moe_layer_freq, "model.moe_layer_freq", 0, 1, 100000, "1",
        "layers", "every k-th layer is an MoE layer"),
    I64(JS, model.moe_first_dense_layers, "model.moe_first_dense_layers", 0, 0,
        100000, "0", "layers", "leading dense layers (DeepSeek-V3: 3)"),
    BOOL(JS, model.multi_latent_attention, "model.multi_latent_attention",
         "false", "multi-latent attention (DeepSeek-V2/V3)"),
    I64(JS, model.q_lora_rank, "model.q_lora_rank", 0, 0, I20, "0", "",
        "MLA query compression rank; 0 = none"),
    I64(JS, model.kv_lora_rank, "model.kv_lora_rank", 0, 0, I20, "0", "",
        "MLA key/value compression rank (> 0 with MLA)"),
    I64(JS, model.qk_head_dim, "model.qk_head_dim", 0, 0, I20, "0", "",
        "MLA query/key head dimension (> 0 with MLA)"),
    I64(JS, model.qk_pos_emb_head_dim, "model.qk_pos_emb_head_dim", 0, 0, I20,
        "0", "", "MLA rotary head dimension (> 0 with MLA)"),
    I64(JS, model.v_head_dim, "model.v_head_dim", 0, 0, I20, "0", "",
        "MLA value head dimension (> 0 with MLA)"),
    I64(JS, parallel.num_gpus, "parallel.num_gpus", F_REQ, 1, I30, NULL,
        "accelerators", "accelerators of the run (--gpus overrides)"),
    I64(JS, parallel.tensor_model_parallel_size,
        "parallel.tensor_model_parallel_size", 0, 1, I20, "1", "",
        "tensor parallel size t"),
    I64(JS, parallel.pipeline_model_parallel_size,
        "parallel.pipeline_model_parallel_size", 0, 1, 100000, "1", "",
        "pipeline parallel size p"),
    I64(JS, parallel.virtual_pipeline_model_parallel_size,
        "parallel.virtual_pipeline_model_parallel_size", 0, 1, 1024, "1", "",
        "virtual stages per pipeline rank v (interleaved 1F1B); 1 = none"),
    I64(JS, parallel.context_parallel_size, "parallel.context_parallel_size", 0,
        1, I20, "1", "", "context parallel size c"),
    I64(JS, parallel.expert_model_parallel_size,
        "parallel.expert_model_parallel_size", 0, 1, 65536, "1", "",
        "expert parallel size e (carved out of data parallel)"),
    BOOL(JS, parallel.sequence_parallel, "parallel.sequence_parallel", "false",
         "sequence parallelism with TP"),
    BOOL(JS, parallel.use_distributed_optimizer,
         "parallel.use_distributed_optimizer", "false",
         "shard optimizer state across data parallel ranks"),
    I64(JS, parallel.decoder_first_pipeline_num_layers,
        "parallel.decoder_first_pipeline_num_layers", 0, 0, 100000, "0",
        "layers", "layers of the first pipeline stage (uneven); 0 = even"),
    I64(JS, parallel.decoder_last_pipeline_num_layers,
        "parallel.decoder_last_pipeline_num_layers", 0, 0, 100000, "0",
        "layers", "layers of the last pipeline stage (uneven); 0 = even"),
    BOOL(JS, parallel.account_for_embedding_in_pipeline_split,
         "parallel.account_for_embedding_in_pipeline_split", "false",
         "the embedding counts as one layer when splitting the pipeline"),
    BOOL(JS, parallel.account_for_loss_in_pipeline_split,
         "parallel.account_for_loss_in_pipeline_split", "false",
         "the loss counts as one layer when splitting the pipeline"),
    I64(JS, training.micro_batch_size, "training.micro_batch_size", 0, 1, I20,
        "1", "sequences", "micro batch size b"),
    I64(JS, training.global_batch_size, "training.global_batch_size", F_REQ, 1,
        INT64_C(1) << 34, NULL, "sequences",
        "global batch size B (sequences per iteration)"),
    I64(JS, training.train_tokens, "training.train_tokens", F_REQ, 1,
        INT64_C(100000000000000000), NULL, "tokens",
        "tokens of the whole run (write 64-bit values with L: "
        "15600000000000L)"),
    ENUM(JS, training.recompute_granularity, "training.recompute_granularity",
         0, recompute_names, "none", "activation recomputation"),
    ENUM(JS, training.precision, "training.precision", 0, precision_names,
         "bf16", "matmul precision"),
    BOOL(JS, training.overlap_grad_reduce, "training.overlap_grad_reduce",
         "false", "overlap the DP gradient reduction with backward"),
    BOOL(JS, training.overlap_param_gather, "training.overlap_param_gather",
         "false", "overlap the DP parameter all-gather with forward"),
    BOOL(JS, training.tp_comm_overlap, "training.tp_comm_overlap", "false",
         "overlap TP communication with GEMMs"),
    BOOL(JS, training.accumulate_allreduce_grads_in_fp32,
         "training.accumulate_allreduce_grads_in_fp32", "false",
         "4-byte gradients in the DP reduction"),
    I64(JS, training.ddp_bucket_size, "training.ddp_bucket_size", 0, 0,
        INT64_C(1) << 40, "0", "parameters",
        "DP bucket size in parameters (Megatron-LM's --ddp-bucket-size); 0: "
        "Megatron-Core's default, max(40,000,000, 1,000,000 x DP)"),
    BOOL(JS, training.use_flash_attn, "training.use_flash_attn", "true",
         "fused (flash) attention: the s x s scores never reach HBM"),
    DBL(JS, training.hidden_dropout, "training.hidden_dropout", 0, 0.0, 0.99,
        "0.1", "",
        "dropout after attention and MLP (Megatron's --hidden-dropout); 0: "
        "a plain residual add, no backward kernel"),
    /* stack: the training stack the job runs (stack.h) */
    STR(JS, stack.framework, "stack.framework", 0,
        "training framework (\"Megatron-LM\", \"NeMo\"); \"\" = unspecified"),
    STR(JS, stack.framework_version, "stack.framework_version", 0,
        "its version (\"core_r0.14.0\")"),
    ENUM(JS, stack.attention_backend, "stack.attention_backend", 0,
         tce_attention_backend_names, "unspecified",
         "Megatron-LM's --attention-backend (fused attention itself is "
         "training.use_flash_attn)"),
    BOOL(JS, stack.cuda_graphs, "stack.cuda_graphs", "false",
         "CUDA graphs (Megatron-LM --enable-cuda-graph / --cuda-graph-impl)"),
    STR(JS, stack.fp8_recipe, "stack.fp8_recipe", 0,
        "Megatron-LM's --fp8-recipe (delayed, tensorwise, mxfp8, "
        "blockwise); \"\" = no FP8"),
    /* attn (issue 11): attention masks, context-parallel exchange, data-
     * parallel sharding */
    I64(JS, model.window_size, "model.window_size", 0, 0, I24, "0", "tokens",
        "sliding-window attention: keys before each query (Megatron's "
        "--window-size left value); 0 = full causal attention"),
    I64(JS, model.window_attn_skip_freq, "model.window_attn_skip_freq", 0, 0,
        100000, "0", "layers",
        "with window_size: every N-th layer (1-based) is full attention "
        "(GPT-OSS: 2); 0 = every layer windowed"),
    ENUM(JS, parallel.cp_comm_type, "parallel.cp_comm_type", 0, cp_comm_names,
         "p2p",
         "context-parallel K/V exchange: p2p (ring, hidden under attention "
         "steps), all_gather (exposed), a2a (Ulysses all-to-all)"),
    ENUM(JS, parallel.data_parallel_sharding_strategy,
         "parallel.data_parallel_sharding_strategy", 0, dp_sharding_names,
         "no_shard",
         "sharded over DP x CP: optim (ZeRO-1, as use_distributed_optimizer), "
         "optim_grads (ZeRO-2), optim_grads_params (FSDP, ZeRO-3)"),
    BOOL(JS, parallel.use_custom_fsdp, "parallel.use_custom_fsdp", "false",
         "Megatron-FSDP (older name): optim_grads_params unless set"),
    BOOL(JS, parallel.use_megatron_fsdp, "parallel.use_megatron_fsdp", "false",
         "Megatron-FSDP: optim_grads_params unless set"),
    BOOL(JS, parallel.use_torch_fsdp2, "parallel.use_torch_fsdp2", "false",
         "PyTorch FSDP2: optim_grads_params unless set"),
    BOOL(JS, training.fp8_dot_product_attention,
         "training.fp8_dot_product_attention", "false",
         "attention in FP8 in fp8 jobs (else BF16, Transformer Engine's "
         "default)"),
    DBL(JS, training.cp_attention_imbalance,
        "training.cp_attention_imbalance", 0, 1.0, 64.0, "1.0", "",
        "slowest context-parallel rank's attention work over the mean "
        "(document masks); 1 = balanced (2 x CP chunks, no document mask)"),
    I64(JS, training.cpu_offloading_num_layers,
        "training.cpu_offloading_num_layers", 0, 0, 100000, "0", "layers",
        "layers whose activations are offloaded to host memory (Megatron's "
        "--cpu-offloading-num-layers); 0 = none"),
    /* moe (issue 11): routing, dispatch, EP overlap, FP8, launches */
    I64(JS, model.moe_router_num_groups, "model.moe_router_num_groups", 0, 0,
        65536, "0", "groups",
        "expert groups for group-limited routing (DeepSeek-V3: 8, one per "
        "node); 0 = not limited"),
    I64(JS, model.moe_router_group_topk, "model.moe_router_group_topk", 0, 0,
        65536, "0", "groups",
        "groups one token may be routed to (DeepSeek-V3: 4 nodes at most); "
        "0 = not limited"),
    ENUM(JS, parallel.moe_token_dispatcher_type,
         "parallel.moe_token_dispatcher_type", 0, dispatcher_names,
         "alltoall",
         "alltoall: every routed copy over the EP group; allgather: tokens "
         "all-gathered over EP; flex (DeepEP): one copy per destination "
         "scale-up domain over the scale-out links, fanned out inside it"),
    ENUM(JS, parallel.moe_flex_dispatcher_backend,
         "parallel.moe_flex_dispatcher_backend", 0, flex_backend_names,
         "deepep",
         "the flex dispatcher's kernels (Megatron-Core "
         "--moe-flex-dispatcher-backend): deepep runs its scale-out and "
         "NVLink stages at once at DeepEP's measured share of the NIC's line "
         "rate; hybridep at the scale-out link's rate, one stage after the "
         "other (no published figure across nodes)"),
    BOOL(JS, training.overlap_moe_expert_parallel_comm,
         "training.overlap_moe_expert_parallel_comm", "false",
         "EP dispatch/combine overlapped with another microbatch's compute "
         "(Megatron-Core 0.14+), at the cost of moe_deepep_num_sms SMs; "
         "needs expert_model_parallel_size > 1 and, with a pipeline, "
         "virtual_pipeline_model_parallel_size > 1 (search skips layouts "
         "without)"),
    I64(JS, training.moe_deepep_num_sms, "training.moe_deepep_num_sms", 0, 0,
        4096, "20", "SMs",
        "SMs overlapped EP communication takes from compute while it runs "
        "(DeepEP and Megatron's default 20)"),
    BOOL(JS, training.moe_fp8_dispatch, "training.moe_fp8_dispatch", "false",
         "dispatch tokens in FP8 (1 byte + a 4-byte scale per 128 values), "
         "combine in BF16, as DeepSeek-V3 and DeepEP do; needs FP8"),
    ENUM(JS, training.fp8, "training.fp8", 0, fp8_format_names, "none",
         "FP8 format of the linear layers (Megatron --fp8-format); none "
         "with precision = \"fp8\" means hybrid"),
    ENUM(JS, training.fp8_recipe, "training.fp8_recipe", 0, fp8_recipe_names,
         "delayed",
         "FP8 scaling recipe (Megatron --fp8-recipe): delayed, tensorwise, "
         "mxfp8 (Blackwell), blockwise (DeepSeek-V3's 1x128 / 128x128)"),
    BOOL(JS, training.fp8_param_gather, "training.fp8_param_gather", "false",
         "keep the FP8 linear layers' weights in FP8 only (Megatron "
         "--fp8-param-gather; Megatron-Bridge's FP8 presets, NeMo's "
         "delayed and current-scaling presets and Megatron-LM's MoE "
         "recipes set it); false: BF16 weights plus the FP8 copies "
         "Transformer Engine caches for the iteration's microbatches"),
    BOOL(JS, training.enable_cuda_graph, "training.enable_cuda_graph", "false",
         "kernels replayed from CUDA graphs (Megatron --enable-cuda-graph): "
         "accelerator.graph_launch_gap_us per kernel instead of the "
         "eager launch gap"),
    DBL(JS, training.moe_expert_load_imbalance,
        "training.moe_expert_load_imbalance", 0, 1.0, 64.0, "1.0", "",
        "tokens of the busiest local expert set over the mean; 1 = "
        "balanced (Megatron-Bridge benchmarks force-balance routing)"),
    /* repro (issue 11): published layouts made expressible */
    STR(JS, parallel.pipeline_model_parallel_layout,
        "parallel.pipeline_model_parallel_layout", 0,
        "Megatron-LM's --pipeline-model-parallel-layout: virtual stages "
        "(chunk x pp + stage) separated by bars, E embedding, t decoder "
        "layer, m MTP, L loss, X*N repeats, (...)*N groups; \"\" = the "
        "even or first/last split"),
    I64(JS, parallel.expert_tensor_parallel_size,
        "parallel.expert_tensor_parallel_size", 0, 0, 65536, "0", "",
        "tensor parallel size of the expert layers (MoE Parallel Folding: "
        "the EP group spans TP x CP x DP ranks); 0 = tensor parallel size, "
        "EP inside DP"),
    /* sched: pipeline p2p overlap (issue 11 item 5) */
    BOOL(JS, training.overlap_p2p_comm, "training.overlap_p2p_comm", "true",
         "interleaved schedule: pipeline sends and receives run under the "
         "next chunk step (Megatron's --overlap-p2p-communication; "
         "1F1B: exposed)"),
    BOOL(JS, training.align_grad_reduce, "training.align_grad_reduce", "true",
         "with overlap_grad_reduce: each chunk's reduce launched as a whole, "
         "pipeline rank steps after its last backward, aligned across "
         "stages (Megatron's default; --no-align-grad-reduce: by bucket "
         "hooks during that backward)"),
    /* fitm (wave 4): multi-token prediction */
    I64(JS, model.mtp_num_layers, "model.mtp_num_layers", 0, 0, 16, "0",
        "layers",
        "multi-token prediction modules (Megatron-LM --mtp-num-layers; "
        "DeepSeek-V3: 1), each a transformer layer of the last layer's "
        "kind with its own output head and loss, run by the last pipeline "
        "stage; 0 = none"),
    /* gptoss (issue 11): element-wise passes a model's features add
     * outside the fused kernels */
    BOOL(JS, model.add_bias_linear, "model.add_bias_linear", "false",
         "biases in the linear layers (Megatron-LM --add-bias-linear; "
         "GPT-OSS: true): without the Transformer Engine op fuser "
         "(training.use_transformer_engine_op_fuser) the experts' FC2 bias "
         "is added after the grouped GEMM by Megatron-Core's per-expert "
         "loop, scaled by the routing probability (experts.py _apply_bias; "
         "FP32 with the flex dispatcher, whose HybridEP takes FP32 "
         "probabilities)"),
    DBL(JS, model.activation_func_clamp_value,
        "model.activation_func_clamp_value", 0, 0.0, 1e6, "0", "",
        "GLU input clamp (Megatron-LM activation_func_clamp_value; GPT-OSS: "
        "7): without the Transformer Engine op fuser the clamps and the "
        "concatenation run as eager passes over the experts' FC1 output "
        "before the fused activation (fused_bias_geglu.py), again under "
        "moe_act recomputation; 0 = none"),
    DBL(JS, model.yarn_rotary_scaling_factor,
        "model.yarn_rotary_scaling_factor", 0, 0.0, 1e6, "0", "",
        "YaRN RoPE scaling factor with Megatron-LM's default mscale "
        "(--yarn-rotary-scaling-factor; GPT-OSS: 32): above 1 the "
        "concentration factor 0.1 ln(factor) + 1 is not 1, Transformer "
        "Engine's fused RoPE does not take it and RoPE runs as eager passes "
        "over q and k (rope_utils.py); 0 = no YaRN (fused RoPE, not "
        "costed)"),
    BOOL(JS, model.qk_layernorm, "model.qk_layernorm", "false",
         "a norm on each head's queries and keys (Megatron-LM "
         "--qk-layernorm; Qwen3: true): Transformer Engine's RMSNorm over q "
         "and k after the QKV projection (attention.py q_layernorm, "
         "k_layernorm), a pass of their own forward and backward"),
    /* kern (wave 5): where a norm's MXFP8 cast runs */
    BOOL(JS, training.nvte_norm_fwd_use_cudnn,
         "training.nvte_norm_fwd_use_cudnn", "false",
         "Transformer Engine's NVTE_NORM_FWD_USE_CUDNN: under MXFP8 the "
         "norm before a linear layer writes the MXFP8 copies itself "
         "(cuDNN norm, hidden size a multiple of 128); unset: the norm "
         "writes BF16 and a cast pass of its own quantises it"),
    /* mem (wave 6): optimizer state, loss precision, recomputed modules */
    BOOL(JS, training.use_precision_aware_optimizer,
         "training.use_precision_aware_optimizer", "false",
         "Megatron-LM's --use-precision-aware-optimizer: Adam's master "
         "weights and moments in main_params_dtype, exp_avg_dtype and "
         "exp_avg_sq_dtype (Transformer Engine's FusedAdam)"),
    ENUM(JS, training.main_params_dtype, "training.main_params_dtype", 0,
         main_params_names, "fp32",
         "master weights with the precision-aware optimizer"),
    ENUM(JS, training.exp_avg_dtype, "training.exp_avg_dtype", 0,
         optim_dtype_names, "fp32",
         "Adam's first moment with the precision-aware optimizer"),
    ENUM(JS, training.exp_avg_sq_dtype, "training.exp_avg_sq_dtype", 0,
         optim_dtype_names, "fp32",
         "Adam's second moment with the precision-aware optimizer"),
    BOOL(JS, training.store_param_remainders,
         "training.store_param_remainders", "true",
         "fp32 master weights held by Transformer Engine's FusedAdam (BF16 "
         "job, or the delayed FP8 recipe): only the 16 bits the BF16 weight "
         "lacks are stored (Megatron-LM's OptimizerConfig default)"),
    BOOL(JS, training.cross_entropy_loss_fusion,
         "training.cross_entropy_loss_fusion", "false",
         "Megatron-LM's --cross-entropy-loss-fusion: one fused loss kernel"),
    ENUM(JS, training.cross_entropy_fusion_impl,
         "training.cross_entropy_fusion_impl", 0, ce_impl_names, "native",
         "with cross_entropy_loss_fusion: native (an fp32 copy of the "
         "logits) or te (Transformer Engine's kernel: the BF16 logits, "
         "their gradient written in place)"),
    /* host (issue 11): per-module CUDA graphs */
    STR(JS, training.cuda_graph_modules, "training.cuda_graph_modules", 0,
        "Megatron-LM's --cuda-graph-modules with --cuda-graph-impl "
        "transformer_engine (Megatron-Bridge's cuda_graph_scope), comma-"
        "separated (attn, mlp, moe, moe_router, moe_preprocess): those "
        "modules of every layer replay as CUDA graphs, the rest stays "
        "eager; \"\" = none (enable_cuda_graph graphs whole layers)"),
    STR(JS, training.recompute_modules, "training.recompute_modules", 0,
        "with recompute_granularity selective: Megatron-LM's "
        "--recompute-modules, comma-separated (core_attn, mlp, moe_act, "
        "layernorm, mla_up_proj, moe, shared_experts); \"\" = core_attn"),
    /* sync (issue 11): sync-free flex dispatch */
    DBL(JS, training.moe_expert_rank_capacity_factor,
        "training.moe_expert_rank_capacity_factor", 0, 0.0, 64.0, "0.0", "",
        "Megatron-LM --moe-expert-rank-capacity-factor: the flex (HybridEP) "
        "dispatcher's static receive budget per EP rank (tokens x topk x "
        "this), which makes dispatch sync-free (what lets full-iteration "
        "CUDA graphs capture MoE layers); 0 = none: every MoE layer's "
        "forward copies its token counts to the host and waits for them"),
    /* token drop (issue 11) */
    DBL(JS, training.moe_expert_capacity_factor,
        "training.moe_expert_capacity_factor", 0, 0.0, 64.0, "0.0", "",
        "Megatron-LM --moe-expert-capacity-factor: each expert takes at most "
        "ceil(tokens x topk / num_experts x this) of a rank's routed tokens "
        "and drops the rest (token drop; the busiest expert's work is capped "
        "at this x the mean); 0 = dropless"),
    BOOL(JS, training.moe_pad_expert_input_to_capacity,
         "training.moe_pad_expert_input_to_capacity", "false",
         "Megatron-LM --moe-pad-expert-input-to-capacity: every expert's "
         "input padded to its capacity, so dispatch, permutation and the "
         "experts run capacity x experts rows and the alltoall dispatcher "
         "needs no host-device sync; needs moe_expert_capacity_factor, not "
         "with the flex dispatcher"),
    /* gemm (issue 11): who runs the MLP's activation */
    BOOL(JS, training.use_te_activation_func,
         "training.use_te_activation_func", "false",
         "Megatron-LM --use-te-activation-func: the MLP's activation is "
         "Transformer Engine's, which writes FC2's FP8 input itself (and "
         "its current-scaling amax); false (Megatron's default): Megatron's "
         "fused bias-SwiGLU writes BF16 and FC2's cast is a pass of its own"),
    BOOL(JS, training.use_transformer_engine_op_fuser,
         "training.use_transformer_engine_op_fuser", "false",
         "Megatron-LM --use-transformer-engine-op-fuser: the MLP runs as "
         "Transformer Engine fused ops, the activation writing FC2's FP8 "
         "input (as use_te_activation_func)"),
    /* wgrad (issue 11): the wgrad GEMM's main_grad accumulation */
    BOOL(JS, training.gradient_accumulation_fusion,
         "training.gradient_accumulation_fusion", "true",
         "Megatron-LM's gradient_accumulation_fusion (on by default; "
         "--no-gradient-accumulation-fusion): each wgrad GEMM accumulates "
         "into the parameter's main_grad (fp32 with "
         "accumulate_allreduce_grads_in_fp32, else BF16), reading and "
         "writing it once per microbatch; false: a BF16 wgrad and a "
         "separate add pass"),
};
static const struct schema job_schema = {TCE_CONFIG_JOB, "job", job_fields,
                                         N_FIELDS(job_fields), sizeof(JS)};

/* The table-building macros end with the tables. */
#undef MSIZE
#undef I64
#undef DBL
#undef BOOL
#undef STR
#undef ENUM
#undef LIST
#undef N_FIELDS
#undef I30
#undef I20
#undef I24
#undef TS
#undef FT
#undef CT
#undef JS

const struct schema *tce_cfg_schema(enum tce_config_kind kind)
{
    switch (kind) {
    case TCE_CONFIG_TOPOLOGY:
        return &topology_schema;
    case TCE_CONFIG_JOB:
        return &job_schema;
    case TCE_CONFIG_CALIBRATION:
        return tce_cfg_calibration_schema();
    default:
        return NULL;
    }
}




const char *tce_recompute_name(enum tce_recompute r)
{
    return (unsigned)r < 3 ? recompute_names[r] : "?";
}

const char *tce_precision_name(enum tce_precision p)
{
    return (unsigned)p < 2 ? precision_names[p] : "?";
}

/* attn (issue 11) */
const char *tce_cp_comm_name(enum tce_cp_comm c)
{
    return (unsigned)c < 3 ? cp_comm_names[c] : "?";
}

const char *tce_dp_sharding_name(enum tce_dp_sharding d)
{
    return (unsigned)d < 4 ? dp_sharding_names[d] : "?";
}

/* moe (issue 11) */
const char *tce_dispatcher_name(enum tce_dispatcher d)
{
    return (unsigned)d < 3 ? dispatcher_names[d] : "?";
}

const char *tce_fp8_recipe_name(enum tce_fp8_recipe r)
{
    return (unsigned)r < 4 ? fp8_recipe_names[r] : "?";
}

int tce_training_fp8(const struct tce_training *t)
{
    return t->precision == TCE_PRECISION_FP8 || t->fp8 != TCE_FP8_NONE;
}

const char *tce_contract_kind_name(enum tce_contract_kind k)
{
    return (unsigned)k < 5 ? contract_names[k] : "?";
}

const char *tce_link_class_name(enum tce_link_class l)
{
    return (unsigned)l < TCE_LINK_CLASSES ? tce_cfg_link_names[l] : "?";
}

const char *tce_link_path_name(enum tce_link_path p)
{
    return (unsigned)p < 2 ? tce_cfg_link_path_names[p] : "?";
}

