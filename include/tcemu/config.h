/*
 * config.h - topology and job files, parsed and validated into plain structs.
 *
 * Only src/config.c includes <libconfig.h>.  Every struct field below has the
 * name of its configuration key, and every group struct the name of its
 * group, so `model.hidden_size` in a job file is job->model.hidden_size here.
 * The schema tables in src/config.c (key, type, required, min, max, default,
 * unit, help) drive loading, validation, `tcemu validate --keys` and the
 * README's reference section; this header only fixes the shapes.
 *
 * Units are in the key names (_gbytes_per_s is 1e9 bytes/s, _gbit_per_s is
 * 1e9 bits/s, _us microseconds, _usd US dollars, _watts, _gib 2^30 bytes).
 *
 * Errors: each is reported as one line
 *     path:line: error: key: what is wrong (got X)
 * through struct tce_diag; loading goes on after an error so that all errors
 * of a file are reported, and returns TCE_ECONFIG if there was any.
 */
#ifndef TCEMU_CONFIG_H
#define TCEMU_CONFIG_H

#include <stdint.h>
#include <stdio.h>

#include "tcemu/error.h"

#define TCE_NAME_MAX 64
#define TCE_TEXT_MAX 512
#define TCE_FABRIC_TIERS_MAX 4
#define TCE_CONTRACTS_MAX 16

/* Where diagnostics go: one line each on stream, counted. */
struct tce_diag {
    FILE *stream;  /* stderr in the CLI; a memstream in tests */
    int errors;
    int warnings;
};

void tce_diag_init(struct tce_diag *d, FILE *stream);
/* Print "path:line: error: key: message" and count it; returns TCE_ECONFIG. */
int tce_diag_error(struct tce_diag *d, const char *path, int line,
                   const char *key, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
void tce_diag_warning(struct tce_diag *d, const char *path, int line,
                      const char *key, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

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
    char source[TCE_TEXT_MAX];
};

struct tce_node {
    int accelerators;                 /* accelerators per node (priced unit) */
    double watts;                     /* whole node at full load; 0 = derive */
    char source[TCE_TEXT_MAX];
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
};

/* ------------------------------------------------------------------------ */
/* Job: one training run, in Megatron-LM's argument names.                   */

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
};

enum tce_recompute { TCE_RECOMPUTE_NONE, TCE_RECOMPUTE_SELECTIVE,
                     TCE_RECOMPUTE_FULL };
enum tce_precision { TCE_PRECISION_BF16, TCE_PRECISION_FP8 };

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
    int64_t ddp_bucket_size;          /* bytes per DP gradient bucket */
};

struct tce_job {
    char path[TCE_TEXT_MAX];
    char name[TCE_NAME_MAX];
    char description[TCE_TEXT_MAX];
    char source[TCE_TEXT_MAX];
    struct tce_model model;
    struct tce_parallel parallel;
    struct tce_training training;
};

/* ------------------------------------------------------------------------ */

enum tce_config_kind {
    TCE_CONFIG_UNKNOWN,
    TCE_CONFIG_TOPOLOGY,
    TCE_CONFIG_JOB,
    TCE_CONFIG_CALIBRATION,
};

/* "topology", "job", "calibration"; NULL for unknown. */
const char *tce_config_kind_name(enum tce_config_kind kind);

/* Guess a file's kind from its top-level groups (model -> job, accelerator
 * -> topology, calibration -> calibration). */
int tce_config_detect_kind(const char *path, enum tce_config_kind *kind,
                           struct tce_diag *diag);

/* Load and validate.  On error all errors are reported through diag and
 * TCE_ECONFIG is returned; *out is then unspecified. */
int tce_topology_load(const char *path, struct tce_topology *out,
                      struct tce_diag *diag);
int tce_job_load(const char *path, struct tce_job *out,
                 struct tce_diag *diag);

/* Re-check the job's cross-field rules after a change of num_gpus (--gpus);
 * errors cite the job file. */
int tce_job_check(const struct tce_job *job, struct tce_diag *diag);

/* Print the schema of a kind: key, type, unit, range, default, help. */
void tce_config_print_keys(enum tce_config_kind kind, FILE *out);
/* The same as a Markdown table, for README.md. */
void tce_config_print_keys_markdown(enum tce_config_kind kind, FILE *out);

const char *tce_recompute_name(enum tce_recompute r);
const char *tce_precision_name(enum tce_precision p);
const char *tce_contract_kind_name(enum tce_contract_kind k);

#endif
