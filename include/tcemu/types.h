/*
 * types.h - the domain vocabulary: a topology (an offering one can rent or
 * buy), a job (one training run, in Megatron-LM's argument names) and a
 * calibration (link parameters fitted by `tcemu calibrate`), as plain
 * structs.
 *
 * Every field has the name of its configuration key, and every group struct
 * the name of its group, so `model.hidden_size` in a job file is
 * job->model.hidden_size here.  Loading, validation and the defaults live in
 * config.h (tce_job_load, tce_job_defaults, ...); the schema in
 * src/config/schema.c holds each key's type, range, default, unit and help.
 *
 * Units are in the key names (_gbytes_per_s is 1e9 bytes/s, _gbit_per_s is
 * 1e9 bits/s, _us microseconds, _usd US dollars, _watts, _gib 2^30 bytes).
 */
#ifndef TCEMU_TYPES_H
#define TCEMU_TYPES_H

#include <stdint.h>

#include "tcemu/computetable.h"
#include "tcemu/stack.h"

#define TCE_NAME_MAX 64
#define TCE_TEXT_MAX 512
#define TCE_FABRIC_TIERS_MAX 4
#define TCE_CONTRACTS_MAX 16
#define TCE_PIPELINE_LAYOUT_MAX 256   /* virtual pipeline stages a
                                         pipeline_model_parallel_layout
                                         names (repro, issue 11) */

/* Where each schema key of a loaded file came from (filled by the loaders;
 * used by `tcemu show` to mark defaults and by tce_job_check to cite lines).
 * Slots are numbered by the schema in src/config/; callers do not index
 * them, they use tce_config_visit(). */
#define TCE_CONFIG_FILES_MAX 8
#define TCE_CONFIG_SLOTS_MAX 2048 /* links: 1280 + calibration.collectives (17 keys x 40 entries) */

struct tce_config_origin {
    int n_files;                      /* the file and the files it includes */
    char files[TCE_CONFIG_FILES_MAX][TCE_TEXT_MAX];
    unsigned char file[TCE_CONFIG_SLOTS_MAX];  /* index into files */
    unsigned char is_set[TCE_CONFIG_SLOTS_MAX];/* 0 = default */
    int line[TCE_CONFIG_SLOTS_MAX];   /* the key's line, or its group's */
};

/* ------------------------------------------------------------------------ */
/* Topology: one offering (a cluster one can rent or buy).                   */

struct tce_accelerator {
    char name[TCE_NAME_MAX];          /* "H100-SXM5-80GB" */
    double bf16_tflops;               /* dense peak, 1e12 FLOP/s */
    double fp8_tflops;                /* dense peak; 0 = no FP8 */
    double hbm_gib;                   /* memory per accelerator, 2^30 B */
    double hbm_gbytes_per_s;          /* memory bandwidth, 1e9 B/s */
    double watts;                     /* board power at full load */
    double matmul_efficiency;         /* achievable fraction of peak, large GEMMs */
    double matmul_half_gflop;         /* GEMM size (GFLOP) at which efficiency
                                         is half of matmul_efficiency; 0 = flat */
    double memory_efficiency;         /* achievable fraction of HBM bandwidth */
    char compute_calibration[TCE_TEXT_MAX]; /* a calibration file with a
                                         measured compute table, relative to
                                         the topology file; "" = none */
    char gemm_shape_reference[TCE_TEXT_MAX]; /* shape (issue 11): a
                                         calibration file whose measured
                                         GEMM rows (another accelerator's)
                                         give each shape's fraction of its
                                         large GEMMs' rate, for the curve; "" =
                                         none (costmodel.h) */
    /* moe (issue 11): SMs lent to overlapped EP communication, and the
     * per-kernel launch gap under CUDA graphs */
    int64_t sm_count;                 /* streaming multiprocessors */
    double graph_launch_gap_us;       /* per kernel, graph replay */
    /* fitd (issue 11): fused attention at its own achieved fraction of the
     * peak (cuDNN / FlashAttention kernels, not the GEMM curve); 0 = the
     * GEMM curve */
    double attention_efficiency;
    /* bw (issue 11): the SFU's exponential rate (softmax), TeraExp/s;
     * 0 = fused attention at attention_efficiency alone (attncost.h) */
    double sfu_exp_tera_per_s;
    /* gemm (issue 11): the MXFP8 (1x32 block-scaled) GEMM's rate relative
     * to the tensorwise FP8 GEMM of the same shape, both pre-quantised
     * (gemmcost.h); 0 = the same rate */
    double mxfp8_gemm_efficiency;
    /* gemm (issue 11): the FP8 GEMM takes operands in any layout (TE's
     * nvte_is_non_tn_fp8_gemm_supported: Blackwell, sm_100 and later), so
     * tensorwise FP8 casts write no column-wise (transposed) copy */
    int fp8_gemm_any_layout;          /* bool */
    /* sust (issue 10/11): the share of a short burst's tensor throughput
     * the accelerator holds under back-to-back training load (its SM clock
     * drops to what the board power allows); scales the FLOP-bound time
     * of ops the curve prices (matmul_efficiency, attention_efficiency
     * and the SFU rate are burst figures); 1 = not measured */
    double sustained_compute_ratio;
    char source[TCE_TEXT_MAX];
};

struct tce_node {
    int accelerators;                 /* accelerators per node (priced unit) */
    double watts;                     /* whole node at full load; 0 = derive */
    char source[TCE_TEXT_MAX];
    /* sync (issue 11): the host's time per eager kernel launch (Python,
     * PyTorch dispatcher, CUDA launch); 0 = the compute table's
     * launch_gap_us */
    double host_launch_gap_us;
    /* host (issue 11): the host time Megatron-Core's combined 1F1B
     * schedule (overlap_moe_expert_parallel_comm) spends on one MoE layer
     * pair (a forward beside another microbatch's backward) beyond the
     * kernel launches: its schedule nodes' stream and event switches,
     * one autograd backward call per node, the delayed wgrad calls
     * (eppair.h); 0 = none */
    double ep_overlap_host_us;
    /* issue 11: device-host copy rate per accelerator and direction with
     * every accelerator of the node copying (activation offloading,
     * offload.h); 0 = no figure, copies taken as hidden */
    double host_link_gbytes_per_s;
};

struct tce_scale_up {
    char name[TCE_NAME_MAX];          /* "NVLink4 + NVSwitch" */
    int domain_accelerators;          /* accelerators in one scale-up domain */
    double bandwidth_gbytes_per_s;    /* per accelerator, one direction */
    double latency_us;
    double efficiency;                /* achievable fraction of bandwidth */
    char source[TCE_TEXT_MAX];
};

struct tce_scale_out {
    char name[TCE_NAME_MAX];          /* "EFA v2", "HDR InfiniBand" */
    int nics_per_node;
    double nic_bandwidth_gbit_per_s;  /* per NIC, one direction */
    double latency_us;
    double efficiency;                /* achievable fraction of bandwidth */
    char source[TCE_TEXT_MAX];
};

struct tce_fabric_tier {              /* a switch tier above the node */
    char name[TCE_NAME_MAX];          /* "leaf", "spine", "core" */
    int64_t group_nodes;              /* nodes below one switch of this tier */
    double oversubscription;          /* downlink:uplink, 1.0 = full bisection */
    double latency_us;                /* added per crossing */
};

struct tce_capacity {
    int64_t max_nodes;
    char source[TCE_TEXT_MAX];
};

struct tce_price {
    double on_demand_usd_per_node_hour;
    char as_of[TCE_NAME_MAX];         /* "2025-06" */
    char source[TCE_TEXT_MAX];
};

enum tce_contract_kind {
    TCE_CONTRACT_ON_DEMAND,
    TCE_CONTRACT_RESERVED,            /* savings plan / reserved, with a term */
    TCE_CONTRACT_CAPACITY_BLOCK,
    TCE_CONTRACT_SPOT,
    TCE_CONTRACT_COMMITMENT,          /* take-or-pay */
};

struct tce_contract {                 /* an element of the `contracts` list */
    char name[TCE_NAME_MAX];
    enum tce_contract_kind kind;      /* key `kind`: on_demand, reserved,
                                         capacity_block, spot, commitment */
    double usd_per_node_hour;
    double term_months;               /* reserved, commitment */
    double max_days;                  /* capacity_block: longest block */
    double lead_days;                 /* capacity_block: booking lead time */
    double interruptions_per_node_day;/* spot */
    int64_t committed_nodes;          /* commitment: paid whether used or not */
    double overage_usd_per_node_hour; /* commitment: beyond the commitment;
                                         0 = the on-demand price */
    char as_of[TCE_NAME_MAX];
    char source[TCE_TEXT_MAX];
};

struct tce_power {
    double pue;                       /* facility / IT energy */
    double usd_per_kwh;
    double grid_kgco2e_per_kwh;       /* 0 = not reported */
    char source[TCE_TEXT_MAX];
};

struct tce_reliability {
    double interruptions_per_node_day;/* unexpected, all causes */
    double restart_minutes;           /* detect, re-rendezvous, reload */
    double checkpoint_write_gbytes_per_s; /* aggregate, whole job */
    int64_t hot_spare_nodes;
    char source[TCE_TEXT_MAX];
};

struct tce_topology {
    char path[TCE_TEXT_MAX];          /* file it came from */
    char name[TCE_NAME_MAX];
    char description[TCE_TEXT_MAX];
    struct tce_accelerator accelerator;
    struct tce_node node;
    struct tce_scale_up scale_up;
    struct tce_scale_out scale_out;
    int n_fabric;
    struct tce_fabric_tier fabric[TCE_FABRIC_TIERS_MAX];
    struct tce_capacity capacity;
    struct tce_price price;
    int n_contracts;
    struct tce_contract contracts[TCE_CONTRACTS_MAX];
    struct tce_power power;
    struct tce_reliability reliability;
    struct tce_computetable compute;  /* loaded from
                                         accelerator.compute_calibration;
                                         no rows when none */
    struct tce_computetable shape_reference; /* shape (issue 11): from
                                         accelerator.gemm_shape_reference;
                                         no rows when none */
    struct tce_config_origin origin;  /* filled by tce_topology_load */
};

/* ------------------------------------------------------------------------ */
/* Job: one training run, in Megatron-LM's argument names.                   */

/* attn (issue 11): Megatron's --cp-comm-type: "p2p" (Transformer Engine's
 * ring of K/V exchanges, each step hidden under an attention step),
 * "all_gather" (K/V all-gathered before attention, Llama 3), "a2a"
 * (DeepSpeed-Ulysses: all-to-all of Q, K, V and the output). */
enum tce_cp_comm { TCE_CP_COMM_P2P, TCE_CP_COMM_ALL_GATHER, TCE_CP_COMM_A2A };
/* Megatron-FSDP's --data-parallel-sharding-strategy: what is sharded over
 * the data-parallel (x context-parallel) group: nothing, the optimizer
 * state (the distributed optimizer, ZeRO-1), also the gradients (ZeRO-2),
 * also the parameters (FSDP, ZeRO-3). */
enum tce_dp_sharding { TCE_DP_SHARD_NONE, TCE_DP_SHARD_OPTIM,
                       TCE_DP_SHARD_OPTIM_GRADS,
                       TCE_DP_SHARD_OPTIM_GRADS_PARAMS };
/* moe (issue 11) */
enum tce_dispatcher { TCE_DISPATCHER_ALLTOALL, TCE_DISPATCHER_ALLGATHER,
                      TCE_DISPATCHER_FLEX };
/* deepep (issue 11): the flex dispatcher's kernels (Megatron-Core
 * --moe-flex-dispatcher-backend) */
enum tce_flex_backend { TCE_FLEX_DEEPEP, TCE_FLEX_HYBRIDEP };
enum tce_fp8_format { TCE_FP8_NONE, TCE_FP8_E4M3, TCE_FP8_HYBRID };
enum tce_fp8_recipe { TCE_FP8_DELAYED, TCE_FP8_TENSORWISE, TCE_FP8_MXFP8,
                      TCE_FP8_BLOCKWISE };

struct tce_model {
    int64_t num_layers;
    int64_t hidden_size;
    int64_t ffn_hidden_size;          /* dense MLP; default 4 * hidden_size */
    int64_t num_attention_heads;
    int64_t num_query_groups;         /* KV heads (GQA); default = heads */
    int64_t kv_channels;              /* head dim; default hidden / heads */
    int64_t seq_length;
    int64_t vocab_size;
    int swiglu;                       /* bool: 3hf MLP instead of 2hf */
    int untie_embeddings_and_output_weights; /* bool */
    int64_t num_experts;              /* 0 = dense model */
    int64_t moe_router_topk;
    int64_t moe_ffn_hidden_size;      /* per expert; default ffn_hidden_size */
    int64_t moe_shared_expert_intermediate_size; /* 0 = none */
    int64_t moe_layer_freq;           /* every k-th layer is MoE (1 = all) */
    int64_t moe_first_dense_layers;   /* leading dense layers (DeepSeek: 3) */
    int multi_latent_attention;       /* bool: MLA (DeepSeek-V2/V3) */
    int64_t q_lora_rank;              /* MLA; 0 = no query compression */
    int64_t kv_lora_rank;
    int64_t qk_head_dim;
    int64_t qk_pos_emb_head_dim;
    int64_t v_head_dim;
    /* attn (issue 11): sliding-window attention, Megatron's --window-size
     * (its left value; the right is 0 in a causal decoder) and
     * --window-attn-skip-freq (every N-th layer, 1-based, is full
     * attention; 0 = every layer windowed) */
    int64_t window_size;              /* tokens; 0 = no window */
    int64_t window_attn_skip_freq;
    /* moe (issue 11): node-limited (group-limited) routing */
    int64_t moe_router_num_groups;    /* expert groups; 0 = not limited */
    int64_t moe_router_group_topk;    /* groups a token may use */
    /* fitm (wave 4): multi-token prediction, Megatron-LM --mtp-num-layers:
     * MTP modules run by the last pipeline stage, each one transformer
     * layer of the last layer's kind with its own output head and loss */
    int64_t mtp_num_layers;           /* 0 = none */
    /* gptoss (issue 11): the model's own element-wise passes outside
     * fused kernels (plan_moe.c, plan_attn.c) */
    int add_bias_linear;              /* bool: Megatron --add-bias-linear */
    double activation_func_clamp_value; /* GLU input clamp; 0 = none */
    double yarn_rotary_scaling_factor;  /* YaRN RoPE factor; 0 = no YaRN */
    int qk_layernorm;                 /* bool: Megatron --qk-layernorm */
};

struct tce_parallel {
    int64_t num_gpus;
    int64_t tensor_model_parallel_size;
    int64_t pipeline_model_parallel_size;
    int64_t virtual_pipeline_model_parallel_size; /* 1 = no interleaving */
    int64_t context_parallel_size;
    int64_t expert_model_parallel_size;
    int sequence_parallel;            /* bool */
    int use_distributed_optimizer;    /* bool */
    int64_t decoder_first_pipeline_num_layers; /* Megatron-LM's uneven first
                                         stage; 0 = num_layers / pp */
    int64_t decoder_last_pipeline_num_layers;  /* uneven last stage; 0 = even */
    int account_for_embedding_in_pipeline_split; /* bool: the embedding
                                         takes one layer's slot (Megatron) */
    int account_for_loss_in_pipeline_split;      /* bool: so does the loss */
    /* attn (issue 11): context-parallel exchange and data-parallel
     * sharding (Megatron-LM / Megatron-FSDP argument names) */
    enum tce_cp_comm cp_comm_type;    /* p2p, all_gather, a2a */
    enum tce_dp_sharding data_parallel_sharding_strategy;
    int use_custom_fsdp;              /* bool: Megatron-FSDP (older name) */
    int use_megatron_fsdp;            /* bool: Megatron-FSDP */
    int use_torch_fsdp2;              /* bool: PyTorch FSDP2 */
    /* moe (issue 11) */
    enum tce_dispatcher moe_token_dispatcher_type; /* alltoall, allgather,
                                         flex (DeepEP: node-deduplicated) */
    enum tce_flex_backend moe_flex_dispatcher_backend; /* deepep (issue
                                         11): flex's kernels, deepep or
                                         hybridep */
    /* repro (issue 11): published layouts made expressible */
    char pipeline_model_parallel_layout[TCE_TEXT_MAX]; /* Megatron-LM's
                                         --pipeline-model-parallel-layout:
                                         "Et*4|(t*4|)*14t|mL"; "" = none */
    int64_t pipeline_layout_stages;   /* parsed by tce_job_derive
                                         (tce_rule_parse_pipeline_layout):
                                         virtual stages; 0 none, -1 bad */
    int16_t pipeline_layout_layers[TCE_PIPELINE_LAYOUT_MAX]; /* decoder
                                         layers of virtual stage j = chunk x
                                         pp + stage */
    int64_t expert_tensor_parallel_size; /* Megatron's MoE Parallel Folding:
                                         TP of the expert layers; the EP
                                         group spans TP x CP x DP ranks;
                                         0 = tp (EP inside DP) */
};

enum tce_recompute { TCE_RECOMPUTE_NONE, TCE_RECOMPUTE_SELECTIVE,
                     TCE_RECOMPUTE_FULL };
enum tce_precision { TCE_PRECISION_BF16, TCE_PRECISION_FP8 };

/* mem (wave 6): optimizer state and loss precision (Megatron-LM's
 * OptimizerConfig and TransformerConfig names) */
enum tce_optim_dtype { TCE_OPTIM_FP32, TCE_OPTIM_FP16, TCE_OPTIM_BF16,
                       TCE_OPTIM_FP8 };
enum tce_ce_impl { TCE_CE_NATIVE, TCE_CE_TE };

struct tce_training {
    int64_t micro_batch_size;
    int64_t global_batch_size;        /* sequences per iteration */
    int64_t train_tokens;
    enum tce_recompute recompute_granularity; /* none, selective, full */
    enum tce_precision precision;     /* bf16, fp8 */
    int overlap_grad_reduce;          /* bool */
    int overlap_param_gather;         /* bool */
    int tp_comm_overlap;              /* bool: TP communication hidden */
    int accumulate_allreduce_grads_in_fp32; /* bool: 4-byte gradients */
    int64_t ddp_bucket_size;          /* parameters per DP bucket (0:
                                         Megatron-Core's default) */
    int use_flash_attn;               /* bool: fused attention, no s x s
                                         scores in HBM (default true) */
    double hidden_dropout;            /* after attention and MLP: 0 = the
                                         bias-dropout-add is a residual add
                                         (no backward kernel) */
    /* attn (issue 11) */
    int fp8_dot_product_attention;    /* bool: attention in FP8 (else BF16
                                         also in FP8 jobs) */
    double cp_attention_imbalance;    /* slowest CP rank's attention work
                                         over the mean (document masks);
                                         1 = balanced */
    int64_t cpu_offloading_num_layers;/* layers whose activations live in
                                         host memory (Megatron's
                                         --cpu-offloading-num-layers) */
    /* moe (issue 11): EP overlap, FP8 recipe, launches, load balance */
    int overlap_moe_expert_parallel_comm; /* bool: EP all-to-all under
                                         another microbatch's compute */
    int64_t moe_deepep_num_sms;       /* SMs the overlapped EP comm takes */
    int moe_fp8_dispatch;             /* bool: dispatch in FP8 (1 B + a
                                         4 B scale per 128), combine bf16 */
    enum tce_fp8_format fp8;          /* Megatron --fp8-format */
    enum tce_fp8_recipe fp8_recipe;   /* Megatron --fp8-recipe */
    int fp8_param_gather;             /* bool: Megatron --fp8-param-gather:
                                         the linear layers' weights kept in
                                         FP8 only (no BF16 copy) */
    int enable_cuda_graph;            /* bool: kernels replayed as graphs */
    char cuda_graph_modules[TCE_NAME_MAX * 2]; /* host (issue 11):
                                         Megatron's --cuda-graph-modules,
                                         comma-separated; "" = none */
    unsigned cuda_graph_modules_mask; /* derived: enum tce_graph_module
                                         bits (graphscope.h) */
    double moe_expert_load_imbalance; /* busiest expert / mean, >= 1 */
    /* sched: pipeline p2p overlap (issue 11 item 5) */
    int overlap_p2p_comm;             /* bool: interleaved p2p under the
                                         next chunk step (default true) */
    int align_grad_reduce;            /* bool: Megatron's aligned grad
                                         sync across pipeline stages
                                         (default true) */
    /* kern (wave 5) */
    int nvte_norm_fwd_use_cudnn;      /* bool: MXFP8 norm output written
                                         by the norm (cuDNN), else a
                                         separate cast pass */
    /* mem (wave 6): optimizer state, loss, recomputed modules */
    int use_precision_aware_optimizer; /* bool: Adam's state in the dtypes
                                         below (Transformer Engine's
                                         FusedAdam) */
    enum tce_optim_dtype main_params_dtype; /* master weights: fp32, fp16 */
    enum tce_optim_dtype exp_avg_dtype;     /* first moment */
    enum tce_optim_dtype exp_avg_sq_dtype;  /* second moment */
    int store_param_remainders;       /* bool: fp32 master weights kept as
                                         the 16 bits BF16 weights lack */
    int cross_entropy_loss_fusion;    /* bool: fused cross-entropy */
    enum tce_ce_impl cross_entropy_fusion_impl; /* native, te */
    char recompute_modules[TCE_NAME_MAX * 2]; /* Megatron's
                                         --recompute-modules, comma-
                                         separated; "" = core_attn */
    unsigned recompute_modules_mask;  /* derived: enum tce_recompute_module
                                         bits (recompute.h) */
    /* sync (issue 11) */
    double moe_expert_rank_capacity_factor; /* flex dispatch's static
                                         receive budget per EP rank, x
                                         tokens x topk; 0 = none (the
                                         received count is copied to the
                                         host: a host-device sync) */
    /* token drop (issue 11): Megatron-Core's expert capacity */
    double moe_expert_capacity_factor; /* each expert takes at most
                                         ceil(tokens x topk / experts x
                                         this) of a rank's tokens; 0 =
                                         dropless */
    int moe_pad_expert_input_to_capacity; /* bool: every expert's input
                                         padded to its capacity (static
                                         sizes: no host-device sync) */
    /* gemm (issue 11): who runs the MLP's activation, so whether FC2's
     * FP8 input is quantised inside it */
    int use_te_activation_func;       /* bool: Transformer Engine's */
    int use_transformer_engine_op_fuser; /* bool: TE's fused-op MLP */
    /* wgrad (issue 11) */
    int gradient_accumulation_fusion; /* bool: wgrad GEMMs accumulate
                                         into main_grad (beta = 1) */
};

struct tce_job {
    char path[TCE_TEXT_MAX];
    char name[TCE_NAME_MAX];
    char description[TCE_TEXT_MAX];
    char source[TCE_TEXT_MAX];
    struct tce_model model;
    struct tce_parallel parallel;
    struct tce_training training;
    struct tce_stack stack;           /* stack: the training stack it runs
                                         (stack.h); framework "" =
                                         unspecified */
    struct tce_config_origin origin;  /* filled by tce_job_load */
};

/* ------------------------------------------------------------------------ */
/* Calibration: link parameters fitted by `tcemu calibrate` (MPI, or
 * --from-nccl-tests) and a measured compute table (computetable.h), read by
 * `tcemu project --calibration` (and, for the compute table, named by a
 * topology's accelerator.compute_calibration).  File format:
 *
 *   calibration = {
 *     tcemu_version = "0.1.0 (git abc1234)"; mpi_library = "Open MPI v4.1.4";
 *     path = "mpi_ranks";            (or "nccl_device"; default mpi_ranks)
 *     date = "2026-11-26T10:00:00Z"; hosts = "node1,node2";
 *     ranks = 8; ranks_per_node = 4;
 *     links = ( { link = "scale_up"; latency_us = 1.2;
 *                 bandwidth_gbytes_per_s = 9.5; rms_rel_error = 0.04;
 *                 points = 14; allreduce_efficiency = 0.9; ... }, ... );
 *     compute = { device = "NVIDIA H100 80GB HBM3"; date = "2026-11-28";
 *                 stack = { framework = "PyTorch"; ... };
 *                 elementwise_gbytes_per_s = 1751.6; launch_gap_us = 7.25;
 *                 gemms = ( { m = 8192; n = 1280; k = 8192; dtype = "bf16";
 *                             fwd_s = 2.742e-4; dgrad_s = ...; }, ... );
 *                 attention = ( { micro_batch_size = 1; ... }, ... ); };
 *     stack_overhead = { per_iteration_s = 0.06; per_microbatch_s = 0.012;
 *                 stack = { framework = "Megatron-LM"; ... };
 *                 fitted_from = "..."; points = 3; ... };   (stack.h)
 *   };
 *
 * links or compute or stack_overhead, or several; with links,
 * tcemu_version, mpi_library, ranks and ranks_per_node are required.  At most one entry per link class;
 * efficiencies default to 1.0. */

enum tce_link_class {
    TCE_LINK_SCALE_UP,                /* "scale_up" */
    TCE_LINK_SCALE_OUT,               /* "scale_out" */
    TCE_LINK_FABRIC,                  /* "fabric" */
};
#define TCE_LINK_CLASSES 3

/* What a calibration measured: MPI ranks exchanging host memory (`mpirun
 * tcemu calibrate`), or NCCL on the GPUs' memory over NVLink/NVSwitch and
 * GPUDirect RDMA (`tcemu calibrate --from-nccl-tests`).  Key "path". */
enum tce_link_path {
    TCE_LINK_PATH_MPI_HOST,           /* "mpi_ranks" (the default) */
    TCE_LINK_PATH_NCCL_DEVICE,        /* "nccl_device" */
};

struct tce_calibration_link {
    enum tce_link_class link;
    double latency_us;                /* fitted alpha */
    double bandwidth_gbytes_per_s;    /* fitted 1/beta, 1e9 B/s */
    double rms_rel_error;             /* of the fit over its points */
    int64_t points;                   /* measurements fitted */
    double allreduce_efficiency;      /* measured / alpha-beta model */
    double allgather_efficiency;
    double reducescatter_efficiency;
    double alltoall_efficiency;
    double sendrecv_efficiency;
};

/* links (issue 10 item 6): one measured collective pattern (key
 * calibration.collectives): a collective kind on groups of group_ranks
 * ranks, ranks_per_node of them on each node, spanning span, with
 * concurrency such groups on every node using the node's links at once; a
 * piecewise alpha-beta line in three size regimes (small: latency-bound,
 * below medium_from_bytes; medium; large: bandwidth-bound, from
 * large_from_bytes).  latency_us is the time of one step of the
 * collective's closed form and bandwidth_gbytes_per_s the bandwidth of its
 * busiest link (linkcal.h gives the closed forms and how an entry is
 * chosen for an op). */
#define TCE_CALIB_COLLS_MAX 40
#define TCE_CALIB_POINTS_MAX 32 /* measured sizes kept per entry */
struct tce_calibration_coll {
    int kind;                         /* enum tce_coll, allreduce..sendrecv */
    enum tce_link_class span;         /* scale_up, scale_out, fabric */
    int64_t concurrency;              /* groups per node at once */
    int64_t group_ranks;              /* n0: ranks of one measured group */
    int64_t ranks_per_node;           /* m0: of them on one node */
    int64_t medium_from_bytes;        /* first size of the medium regime */
    int64_t large_from_bytes;         /* first size of the large regime */
    double small_latency_us, small_bandwidth_gbytes_per_s;
    double medium_latency_us, medium_bandwidth_gbytes_per_s;
    double large_latency_us, large_bandwidth_gbytes_per_s;
    double rms_rel_error;             /* of the three lines over the points */
    int64_t points;                   /* measured sizes fitted */
    int64_t min_bytes, max_bytes;     /* smallest and largest size measured
                                         (0: not recorded, older files);
                                         outside them a regime's line is
                                         extrapolated */
    /* the measured points, by size (none in older files): between two of
     * them an op is priced from them (linkcal.h) */
    double point_bytes[TCE_CALIB_POINTS_MAX];
    double point_us[TCE_CALIB_POINTS_MAX];
    int n_point_bytes, n_point_us;
};

struct tce_calibration {
    char path[TCE_TEXT_MAX];
    char tcemu_version[TCE_NAME_MAX];
    char mpi_library[TCE_TEXT_MAX];
    enum tce_link_path link_path;     /* key "path" */
    char date[TCE_NAME_MAX];          /* ISO 8601, UTC */
    char hosts[TCE_TEXT_MAX];         /* comma-separated */
    int64_t ranks;
    int64_t ranks_per_node;
    int n_links;
    struct tce_calibration_link links[TCE_LINK_CLASSES];
    struct tce_computetable compute;  /* no rows when the file has none */
    struct tce_stack_overhead stack_overhead; /* stack: fitted from
                                         framework logs (stack.h); points
                                         0 = none */
    struct tce_config_origin origin;
    /* links: measured collective patterns (none in older files) */
    int n_colls;
    struct tce_calibration_coll colls[TCE_CALIB_COLLS_MAX];
};

/* Names of the enum values, as the files spell them; "?" if out of range. */
const char *tce_recompute_name(enum tce_recompute r);
const char *tce_precision_name(enum tce_precision p);
const char *tce_contract_kind_name(enum tce_contract_kind k);
const char *tce_link_class_name(enum tce_link_class l);
const char *tce_link_path_name(enum tce_link_path p);
/* attn (issue 11) */
const char *tce_cp_comm_name(enum tce_cp_comm c);
const char *tce_dp_sharding_name(enum tce_dp_sharding d);
/* moe (issue 11) */
const char *tce_dispatcher_name(enum tce_dispatcher d);
const char *tce_fp8_recipe_name(enum tce_fp8_recipe r);

/* Whether t runs its linear layers in FP8: precision = "fp8" or an FP8
 * format (Megatron --fp8-format) set.  The one rule the plan, the cost
 * model, the memory model and the checks share. */
int tce_training_fp8(const struct tce_training *t);

#endif
