/*
 * config.c - read topology, job and calibration files into plain structs.
 *
 * The only file that includes <libconfig.h>.  One schema table per file kind
 * (key, type, required, range, default, unit, help, offset in the struct)
 * drives a single generic loader, `tcemu validate --keys` and the README's
 * reference section.  Loading goes in four steps:
 *
 *  1. read: the file and its @include files are joined into one buffer here
 *     (libconfig 1.5 resolves includes against one global directory, not
 *     against the including file), keeping a map from each line of the
 *     buffer to its (file, line), so messages cite the file a key is in;
 *     loops, missing includes, directories, NUL bytes and huge files are
 *     clean errors;
 *  2. lex: integer literals that libconfig 1.5 would silently wrap (past 32
 *     bits without the L suffix, past 64 bits with it) are found in the text;
 *  3. parse with libconfig, then walk the schema: unknown keys (with the
 *     nearest known key suggested), missing required keys, wrong types and
 *     ranges; defaults filled in;
 *  4. cross-field rules, only when every single key was fine.
 *
 * Every error is one line "path:line: error: key: what is wrong (got X)";
 * all errors of a file are reported (up to ERRORS_MAX).
 */
#include <libconfig.h>

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tcemu/config.h"
#include "tcemu/util.h"

#define FILE_BYTES_MAX (4L << 20)   /* one file */
#define TOTAL_BYTES_MAX (16L << 20) /* a file and all its includes */
#define INCLUDE_DEPTH_MAX 8
#define ERRORS_MAX 100
#define BADLIT_MAX 64
#define GOT_MAX 48 /* characters of a value quoted back */
#define TCE_CONFIG_STR_(x) #x
#define TCE_CONFIG_STR(x) TCE_CONFIG_STR_(x)

/* ------------------------------------------------------------------------ */
/* Diagnostics                                                              */

void tce_diag_init(struct tce_diag *d, FILE *stream)
{
    d->stream = stream;
    d->errors = 0;
    d->warnings = 0;
}

static void vdiag(struct tce_diag *d, const char *what, const char *path,
                  int line, const char *key, const char *fmt, va_list ap)
{
    FILE *out;

    if (!d)
        return; /* no diag: the caller only wants the verdict */
    out = d->stream ? d->stream : stderr;
    if (path && path[0])
        fprintf(out, "%s:%d: %s: ", path, line, what);
    else
        fprintf(out, "tcemu: %s: ", what);
    if (key && key[0])
        fprintf(out, "%s: ", key);
    vfprintf(out, fmt, ap);
    fputc('\n', out);
}

int tce_diag_error(struct tce_diag *d, const char *path, int line,
                   const char *key, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vdiag(d, "error", path, line, key, fmt, ap);
    va_end(ap);
    if (d)
        d->errors++;
    return TCE_ECONFIG;
}

void tce_diag_warning(struct tce_diag *d, const char *path, int line,
                      const char *key, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vdiag(d, "warning", path, line, key, fmt, ap);
    va_end(ap);
    if (d)
        d->warnings++;
}

const char *tce_config_library_version(void)
{
    static const char version[] =
        TCE_CONFIG_STR(LIBCONFIG_VER_MAJOR) "." TCE_CONFIG_STR(
            LIBCONFIG_VER_MINOR) "." TCE_CONFIG_STR(LIBCONFIG_VER_REVISION);

    return version;
}

/* ------------------------------------------------------------------------ */
/* Schema tables                                                            */

enum ftype { FT_INT, FT_DOUBLE, FT_BOOL, FT_STRING, FT_ENUM, FT_LIST };

#define F_REQ 1u      /* required */
#define F_OPEN 2u     /* minimum is exclusive: (min, max] */
#define F_DERIVED 4u  /* default computed from other keys after loading */
#define F_NONEMPTY 8u /* string must not be empty */

struct schema;

struct field {
    const char *key; /* dotted path from the schema's root */
    enum ftype type;
    unsigned flags;
    int64_t imin, imax; /* FT_INT */
    double dmin, dmax;  /* FT_DOUBLE */
    const char *def;    /* default as text; NULL: 0, false or "" */
    const char *unit;
    const char *help;
    size_t offset; /* in the struct of the schema */
    size_t size;   /* of the member: int vs int64_t, char array size */
    const char *const *names;  /* FT_ENUM: NULL-terminated */
    const struct schema *elem; /* FT_LIST: the element schema */
    size_t count_offset;       /* FT_LIST: int count in the struct */
    int max_count;             /* FT_LIST */
};

struct loader;

struct schema {
    enum tce_config_kind kind;
    const char *name;
    const struct field *fields;
    size_t n_fields;
    size_t elem_size; /* list element struct size (element schemas) */
};

#define MSIZE(st, m) sizeof(((st *)0)->m)
#define I64(st, m, k, fl, lo, hi, d, u, h)                                     \
    {                                                                          \
        .key = k, .type = FT_INT, .flags = fl, .imin = lo, .imax = hi,         \
        .def = d, .unit = u, .help = h, .offset = offsetof(st, m),             \
        .size = MSIZE(st, m)                                                   \
    }
#define DBL(st, m, k, fl, lo, hi, d, u, h)                                     \
    {                                                                          \
        .key = k, .type = FT_DOUBLE, .flags = fl, .dmin = lo, .dmax = hi,      \
        .def = d, .unit = u, .help = h, .offset = offsetof(st, m),             \
        .size = MSIZE(st, m)                                                   \
    }
#define BOOL(st, m, k, d, h)                                                   \
    {                                                                          \
        .key = k, .type = FT_BOOL, .def = d, .unit = "", .help = h,            \
        .offset = offsetof(st, m), .size = MSIZE(st, m)                        \
    }
#define STR(st, m, k, fl, h)                                                   \
    {                                                                          \
        .key = k, .type = FT_STRING, .flags = fl, .unit = "", .help = h,       \
        .offset = offsetof(st, m), .size = MSIZE(st, m)                        \
    }
#define ENUM(st, m, k, fl, nm, d, h)                                           \
    {                                                                          \
        .key = k, .type = FT_ENUM, .flags = fl, .def = d, .unit = "",          \
        .help = h, .offset = offsetof(st, m), .size = MSIZE(st, m),            \
        .names = nm                                                            \
    }
#define LIST(st, m, cnt, k, fl, sch, mx, h)                                    \
    {                                                                          \
        .key = k, .type = FT_LIST, .flags = fl, .unit = "", .help = h,         \
        .offset = offsetof(st, m), .size = MSIZE(st, m), .elem = sch,          \
        .count_offset = offsetof(st, cnt), .max_count = mx                     \
    }

#define N_FIELDS(a) (sizeof(a) / sizeof((a)[0]))

#define I30 (INT64_C(1) << 30)
#define I20 (INT64_C(1) << 20)
#define I24 (INT64_C(1) << 24)

static const char *const recompute_names[] = {"none", "selective", "full",
                                              NULL};
static const char *const precision_names[] = {"bf16", "fp8", NULL};
static const char *const contract_names[] = {
    "on_demand", "reserved", "capacity_block", "spot", "commitment", NULL};
static const char *const link_names[] = {"scale_up", "scale_out", "fabric",
                                         NULL};

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
        "price.on_demand_usd_per_node_hour", F_REQ, 0.0, 1e6, NULL,
        "USD/node-hour", "on-demand list price"),
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
    I64(JS, training.ddp_bucket_size, "training.ddp_bucket_size", 0, 1,
        INT64_C(1) << 40, "40000000", "bytes", "DP gradient bucket size"),
    BOOL(JS, training.use_flash_attn, "training.use_flash_attn", "true",
         "fused (flash) attention: the s x s scores never reach HBM"),
};
static const struct schema job_schema = {TCE_CONFIG_JOB, "job", job_fields,
                                         N_FIELDS(job_fields), sizeof(JS)};

/* --- calibration --- */

#define CS struct tce_calibration
#define CL struct tce_calibration_link

static const struct field link_fields[] = {
    ENUM(CL, link, "link", F_REQ, link_names, NULL,
         "link class: scale_up, scale_out or fabric"),
    DBL(CL, latency_us, "latency_us", F_REQ, 0.0, 1e6, NULL, "us",
        "fitted latency (alpha)"),
    DBL(CL, bandwidth_gbytes_per_s, "bandwidth_gbytes_per_s", F_REQ | F_OPEN,
        0.0, 1e6, NULL, "GB/s", "fitted bandwidth (1/beta)"),
    DBL(CL, rms_rel_error, "rms_rel_error", 0, 0.0, 1e6, "0", "",
        "RMS relative error of the fit"),
    I64(CL, points, "points", 0, 0, I30, "0", "", "measurements fitted"),
    DBL(CL, allreduce_efficiency, "allreduce_efficiency", F_OPEN, 0.0, 10.0,
        "1.0", "", "measured / modelled all-reduce bandwidth"),
    DBL(CL, allgather_efficiency, "allgather_efficiency", F_OPEN, 0.0, 10.0,
        "1.0", "", "measured / modelled all-gather bandwidth"),
    DBL(CL, reducescatter_efficiency, "reducescatter_efficiency", F_OPEN, 0.0,
        10.0, "1.0", "", "measured / modelled reduce-scatter bandwidth"),
    DBL(CL, alltoall_efficiency, "alltoall_efficiency", F_OPEN, 0.0, 10.0,
        "1.0", "", "measured / modelled all-to-all bandwidth"),
    DBL(CL, sendrecv_efficiency, "sendrecv_efficiency", F_OPEN, 0.0, 10.0,
        "1.0", "", "measured / modelled send/recv bandwidth"),
};
static const struct schema link_schema = {TCE_CONFIG_CALIBRATION, "links",
                                          link_fields, N_FIELDS(link_fields),
                                          sizeof(CL)};

static const struct field calibration_fields[] = {
    STR(CS, tcemu_version, "calibration.tcemu_version", F_REQ | F_NONEMPTY,
        "tcemu that measured"),
    STR(CS, mpi_library, "calibration.mpi_library", F_REQ, "MPI library"),
    STR(CS, date, "calibration.date", F_REQ | F_NONEMPTY,
        "when (ISO 8601, UTC)"),
    STR(CS, hosts, "calibration.hosts", 0, "hosts, comma-separated"),
    I64(CS, ranks, "calibration.ranks", F_REQ, 1, I30, NULL, "ranks",
        "MPI ranks of the measurement"),
    I64(CS, ranks_per_node, "calibration.ranks_per_node", F_REQ, 1, I20, NULL,
        "ranks", "ranks per node"),
    LIST(CS, links, n_links, "calibration.links", F_REQ, &link_schema,
         TCE_LINK_CLASSES, "fitted parameters, one entry per link class"),
};
static const struct schema calibration_schema = {
    TCE_CONFIG_CALIBRATION, "calibration", calibration_fields,
    N_FIELDS(calibration_fields), sizeof(CS)};

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
#undef CS
#undef CL

static const struct schema *schema_of(enum tce_config_kind kind)
{
    switch (kind) {
    case TCE_CONFIG_TOPOLOGY:
        return &topology_schema;
    case TCE_CONFIG_JOB:
        return &job_schema;
    case TCE_CONFIG_CALIBRATION:
        return &calibration_schema;
    default:
        return NULL;
    }
}

/* Row of a key in a schema (its origin slot for top-level rows); -1 if
 * none. */
static int slot_of(const struct schema *sc, const char *key)
{
    size_t i;

    for (i = 0; i < sc->n_fields; i++)
        if (strcmp(sc->fields[i].key, key) == 0)
            return (int)i;
    return -1;
}

/* Origin slots: top-level rows first, then each list row's elements. */
static int list_slot_base(const struct schema *sc, size_t row)
{
    size_t i;
    int base = (int)sc->n_fields;

    for (i = 0; i < row; i++)
        if (sc->fields[i].type == FT_LIST)
            base += sc->fields[i].max_count * (int)sc->fields[i].elem->n_fields;
    return base;
}

const char *tce_config_kind_name(enum tce_config_kind kind)
{
    switch (kind) {
    case TCE_CONFIG_TOPOLOGY:
        return "topology";
    case TCE_CONFIG_JOB:
        return "job";
    case TCE_CONFIG_CALIBRATION:
        return "calibration";
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

const char *tce_contract_kind_name(enum tce_contract_kind k)
{
    return (unsigned)k < 5 ? contract_names[k] : "?";
}

const char *tce_link_class_name(enum tce_link_class l)
{
    return (unsigned)l < TCE_LINK_CLASSES ? link_names[l] : "?";
}

/* ------------------------------------------------------------------------ */
/* Step 1: read a file and its includes into one buffer with a line map.    */

struct line_ref {
    int file; /* index into origin-style file table */
    int line;
};

struct badlit { /* an integer literal libconfig would mangle */
    int line;   /* combined line */
    char name[TCE_NAME_MAX];
    char text[GOT_MAX];
    int too_big_64; /* else: needs the L suffix */
};

struct pending { /* an error, reported sorted by file and line */
    int file, line, seq;
    char key[2 * TCE_NAME_MAX];
    char msg[512];
};

struct loader {
    struct tce_diag *diag;
    struct pending pending[ERRORS_MAX];
    int n_pending;
    int errors; /* of this load */
    int n_files;
    char files[TCE_CONFIG_FILES_MAX][TCE_TEXT_MAX]; /* as cited */
    dev_t chain_dev[INCLUDE_DEPTH_MAX + 1]; /* include chain, for loops */
    ino_t chain_ino[INCLUDE_DEPTH_MAX + 1];
    int depth;
    char *buf;
    size_t len, cap;
    struct line_ref *map;
    size_t n_lines, cap_lines;
    struct badlit bad[BADLIT_MAX];
    int n_bad;
    config_t cfg;
    int parsed;
    struct tce_config_origin *origin;
    const config_setting_t *skip[BADLIT_MAX]; /* settings already reported */
    int n_skip;
};

static int lerr(struct loader *ld, int file, int line, const char *key,
                const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int lerr(struct loader *ld, int file, int line, const char *key,
                const char *fmt, ...)
{
    va_list ap;
    struct pending *p;

    ld->errors++;
    if (ld->n_pending >= ERRORS_MAX)
        return TCE_ECONFIG;
    p = &ld->pending[ld->n_pending];
    p->file = file;
    p->line = line;
    p->seq = ld->n_pending++;
    snprintf(p->key, sizeof(p->key), "%s", key ? key : "");
    va_start(ap, fmt);
    vsnprintf(p->msg, sizeof(p->msg), fmt, ap);
    va_end(ap);
    return TCE_ECONFIG;
}

static int pending_cmp(const void *a, const void *b)
{
    const struct pending *x = a, *y = b;

    if (x->file != y->file)
        return x->file < y->file ? -1 : 1;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    return x->seq < y->seq ? -1 : (x->seq > y->seq);
}

/* Report the errors found so far, by file and line. */
static void flush_errors(struct loader *ld)
{
    int i;

    qsort(ld->pending, (size_t)ld->n_pending, sizeof(ld->pending[0]),
          pending_cmp);
    for (i = 0; i < ld->n_pending; i++) {
        struct pending *p = &ld->pending[i];

        tce_diag_error(ld->diag, ld->files[p->file], p->line, p->key, "%s",
                       p->msg);
    }
    if (ld->errors > ld->n_pending)
        tce_diag_error(ld->diag, ld->files[0], 1, NULL,
                       "%d more errors not shown", ld->errors - ld->n_pending);
    ld->n_pending = 0;
    ld->errors = 0;
}

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
    size_t n = *cap ? *cap : 64;
    void *q;

    if (need <= *cap)
        return 0;
    while (n < need)
        n *= 2;
    q = realloc(*p, n * elem);
    if (!q)
        return TCE_ENOMEM;
    *p = q;
    *cap = n;
    return 0;
}

static int append_line(struct loader *ld, const char *s, size_t n, int file,
                       int line)
{
    void *b = ld->buf, *m = ld->map;
    int rc;

    rc = grow(&b, &ld->cap, ld->len + n + 2, 1);
    ld->buf = b;
    if (rc == 0) {
        rc = grow(&m, &ld->cap_lines, ld->n_lines + 1, sizeof(*ld->map));
        ld->map = m;
    }
    if (rc != 0)
        return rc;
    memcpy(ld->buf + ld->len, s, n);
    ld->len += n;
    ld->buf[ld->len++] = '\n';
    ld->buf[ld->len] = '\0';
    ld->map[ld->n_lines].file = file;
    ld->map[ld->n_lines].line = line;
    ld->n_lines++;
    return 0;
}

/* Read a whole regular file; *why is set on failure. */
static int read_whole(const char *path, char **out, size_t *out_len,
                      struct stat *st_out, const char **why)
{
    FILE *f = NULL;
    struct stat st;
    char *data = NULL;
    size_t n;
    int rc = TCE_EIO;

    *out = NULL;
    f = fopen(path, "rb");
    if (!f) {
        *why = strerror(errno);
        goto out;
    }
    if (fstat(fileno(f), &st) != 0) {
        *why = strerror(errno);
        goto out;
    }
    if (S_ISDIR(st.st_mode)) {
        *why = "is a directory, not a file";
        goto out;
    }
    if (!S_ISREG(st.st_mode)) {
        *why = "not a regular file";
        goto out;
    }
    if (st.st_size > FILE_BYTES_MAX) {
        *why = "file too large (more than 4 MiB)";
        goto out;
    }
    data = malloc((size_t)st.st_size + 1);
    if (!data) {
        *why = "out of memory";
        goto out;
    }
    n = fread(data, 1, (size_t)st.st_size, f);
    if (ferror(f)) {
        *why = strerror(errno);
        goto out;
    }
    data[n] = '\0';
    *st_out = st;
    *out = data;
    *out_len = n;
    data = NULL;
    rc = 0;
out:
    free(data);
    if (f)
        fclose(f);
    return rc;
}

/* Lexical state carried from line to line while looking for @include. */
struct lexstate {
    int in_block_comment;
    int in_string;
};

static void lex_line(struct lexstate *ls, const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (ls->in_block_comment) {
            if (s[i] == '*' && i + 1 < n && s[i + 1] == '/') {
                ls->in_block_comment = 0;
                i++;
            }
        } else if (ls->in_string) {
            if (s[i] == '\\')
                i++;
            else if (s[i] == '"')
                ls->in_string = 0;
        } else if (s[i] == '"') {
            ls->in_string = 1;
        } else if (s[i] == '#' ||
                   (s[i] == '/' && i + 1 < n && s[i + 1] == '/')) {
            return;
        } else if (s[i] == '/' && i + 1 < n && s[i + 1] == '*') {
            ls->in_block_comment = 1;
            i++;
        }
    }
}

/* Is the line `@include "name"`?  1 with name filled, 0 if not, -1 if it
 * is a malformed include. */
static int match_include(const char *s, size_t n, char *name, size_t size)
{
    size_t i = 0, j;

    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    if (n - i < 8 || strncmp(s + i, "@include", 8) != 0)
        return 0;
    i += 8;
    if (i >= n || (s[i] != ' ' && s[i] != '\t'))
        return -1;
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    if (i >= n || s[i] != '"')
        return -1;
    i++;
    for (j = i; j < n && s[j] != '"'; j++)
        if (s[j] == '\\')
            return -1;
    if (j >= n || j == i || j - i >= size)
        return -1;
    memcpy(name, s + i, j - i);
    name[j - i] = '\0';
    for (j++; j < n; j++) {
        if (s[j] == '#' || (s[j] == '/' && j + 1 < n && s[j + 1] == '/'))
            break;
        if (s[j] != ' ' && s[j] != '\t' && s[j] != '\r')
            return -1;
    }
    return 1;
}

static int add_file(struct loader *ld, const char *path);

/* Read file index fi (already in ld->files) into the buffer. */
static int expand_file(struct loader *ld, int fi, int from_file, int from_line)
{
    char *data = NULL;
    const char *why = NULL;
    struct stat st;
    size_t len = 0, pos = 0, n;
    struct lexstate ls = {0, 0};
    char name[TCE_TEXT_MAX], inc[TCE_TEXT_MAX];
    int line = 0, rc = 0, k, m;
    const char *path = ld->files[fi];

    if (read_whole(path, &data, &len, &st, &why) != 0) {
        if (from_file < 0)
            rc = lerr(ld, fi, 1, NULL, "cannot read file: %s", why);
        else
            rc = lerr(ld, from_file, from_line, "@include",
                      "cannot read '%s': %s", path, why);
        goto out;
    }
    if (ld->len + len > (size_t)TOTAL_BYTES_MAX) {
        rc = lerr(ld, fi, 1, NULL,
                  "file and its includes exceed 16 MiB together");
        goto out;
    }
    for (k = 0; k < ld->depth; k++) {
        if (ld->chain_dev[k] == st.st_dev && ld->chain_ino[k] == st.st_ino) {
            rc = lerr(ld, from_file, from_line, "@include",
                      "include loop: '%s' is already being read", path);
            goto out;
        }
    }
    if (ld->depth > INCLUDE_DEPTH_MAX - 1) {
        rc = lerr(ld, from_file, from_line, "@include",
                  "includes nested more than %d deep", INCLUDE_DEPTH_MAX);
        goto out;
    }
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        pos = 3; /* a UTF-8 byte order mark, as some editors write */
    ld->chain_dev[ld->depth] = st.st_dev;
    ld->chain_ino[ld->depth] = st.st_ino;
    ld->depth++;
    while (pos < len) {
        const char *s = data + pos;
        const char *nl = memchr(s, '\n', len - pos);

        n = nl ? (size_t)(nl - s) : len - pos;
        pos += n + (nl ? 1 : 0);
        line++;
        if (memchr(s, '\0', n)) {
            rc = lerr(ld, fi, line, NULL,
                      "file contains a NUL byte (binary file?)");
            break;
        }
        if (n > 0 && s[n - 1] == '\r')
            n--; /* CRLF line endings */
        m = (!ls.in_block_comment && !ls.in_string)
                ? match_include(s, n, name, sizeof(name))
                : 0;
        if (m < 0) {
            rc = lerr(ld, fi, line, "@include",
                      "expected @include \"FILE\" alone on its line");
            continue;
        }
        if (m > 0) {
            const char *slash = strrchr(path, '/');
            int w, nf;

            if (name[0] == '/' || !slash)
                w = snprintf(inc, sizeof(inc), "%s", name);
            else
                w = snprintf(inc, sizeof(inc), "%.*s/%s", (int)(slash - path),
                             path, name);
            rc = append_line(ld, "", 0, fi, line);
            if (rc != 0)
                break;
            if (w < 0 || (size_t)w >= sizeof(inc)) {
                rc = lerr(ld, fi, line, "@include", "path too long");
                continue;
            }
            nf = add_file(ld, inc);
            if (nf < 0) {
                rc = lerr(ld, fi, line, "@include",
                          "more than %d files included",
                          TCE_CONFIG_FILES_MAX - 1);
                continue;
            }
            if (expand_file(ld, nf, fi, line) != 0)
                rc = TCE_ECONFIG;
            continue;
        }
        lex_line(&ls, s, n);
        rc = append_line(ld, s, n, fi, line);
        if (rc != 0)
            break;
    }
    ld->depth--;
out:
    free(data);
    if (rc == TCE_ENOMEM)
        lerr(ld, fi, line, NULL, "out of memory");
    return rc;
}

static int add_file(struct loader *ld, const char *path)
{
    int i;

    for (i = 0; i < ld->n_files; i++)
        if (strcmp(ld->files[i], path) == 0)
            return i;
    if (ld->n_files >= TCE_CONFIG_FILES_MAX)
        return -1;
    snprintf(ld->files[ld->n_files], TCE_TEXT_MAX, "%s", path);
    return ld->n_files++;
}

/* ------------------------------------------------------------------------ */
/* Step 2: integer literals libconfig 1.5 would wrap silently.              */

static int is_name_char(int c)
{
    return isalnum(c) || c == '_' || c == '-' || c == '*';
}

static void scan_literals(struct loader *ld)
{
    const char *s = ld->buf;
    size_t i = 0, n = ld->len;
    int line = 1, in_str = 0, in_block = 0, in_line = 0;
    char last[TCE_NAME_MAX] = "";

    while (i < n) {
        char c = s[i];

        if (c == '\n') {
            line++;
            in_line = 0;
            i++;
            continue;
        }
        if (in_line) {
            i++;
        } else if (in_block) {
            if (c == '*' && i + 1 < n && s[i + 1] == '/') {
                in_block = 0;
                i++;
            }
            i++;
        } else if (in_str) {
            if (c == '\\' && i + 1 < n && s[i + 1] != '\n')
                i++;
            else if (c == '"')
                in_str = 0;
            i++;
        } else if (c == '"') {
            in_str = 1;
            i++;
        } else if (c == '#' || (c == '/' && i + 1 < n && s[i + 1] == '/')) {
            in_line = 1;
        } else if (c == '/' && i + 1 < n && s[i + 1] == '*') {
            in_block = 1;
            i += 2;
        } else if (isalpha((unsigned char)c) || c == '*' || c == '_') {
            size_t j = i;

            while (j < n && is_name_char((unsigned char)s[j]))
                j++;
            snprintf(last, sizeof(last), "%.*s", (int)(j - i), s + i);
            i = j;
        } else if (isdigit((unsigned char)c) ||
                   ((c == '-' || c == '+') && i + 1 < n &&
                    isdigit((unsigned char)s[i + 1]))) {
            size_t j = i + 1, k, ls = 0;
            int hex = 0, isfloat = 0;
            char text[GOT_MAX];
            long long v;

            if (c == '0' && j < n && (s[j] == 'x' || s[j] == 'X')) {
                hex = 1;
                j++;
                while (j < n && isxdigit((unsigned char)s[j]))
                    j++;
            } else {
                while (j < n && isdigit((unsigned char)s[j]))
                    j++;
                if (j < n && (s[j] == '.' || s[j] == 'e' || s[j] == 'E'))
                    isfloat = 1;
            }
            if (isfloat) {
                while (j < n && (isalnum((unsigned char)s[j]) || s[j] == '.' ||
                                 ((s[j] == '-' || s[j] == '+') &&
                                  (s[j - 1] == 'e' || s[j - 1] == 'E'))))
                    j++;
                i = j;
                continue;
            }
            for (k = j; k < n && s[k] == 'L'; k++)
                ls++;
            snprintf(text, sizeof(text), "%.*s", (int)(j - i), s + i);
            errno = 0;
            v = strtoll(text, NULL, hex ? 16 : 10);
            if (ld->n_bad < BADLIT_MAX &&
                (errno == ERANGE ||
                 (ls == 0 && (v > INT_MAX || v < INT_MIN)))) {
                struct badlit *b = &ld->bad[ld->n_bad++];

                b->line = line;
                snprintf(b->name, sizeof(b->name), "%s", last);
                snprintf(b->text, sizeof(b->text), "%.*s", (int)(k - i), s + i);
                b->too_big_64 = errno == ERANGE;
            }
            i = k;
        } else {
            i++;
        }
    }
}

/* ------------------------------------------------------------------------ */
/* Step 3: the schema walk.                                                 */

static struct line_ref where(const struct loader *ld, const config_setting_t *s)
{
    struct line_ref r = {0, 1};
    unsigned l = s ? config_setting_source_line(s) : 0;

    if (l >= 1 && l <= ld->n_lines)
        r = ld->map[l - 1];
    return r;
}

static void describe(const config_setting_t *s, char *buf, size_t size)
{
    switch (config_setting_type(s)) {
    case CONFIG_TYPE_INT:
    case CONFIG_TYPE_INT64:
        snprintf(buf, size, "%lld", config_setting_get_int64(s));
        break;
    case CONFIG_TYPE_FLOAT: {
        double v = config_setting_get_float(s);

        /* keep a float looking like one: 8.0, not 8 */
        if (isfinite(v) && v == floor(v) && fabs(v) < 1e15)
            snprintf(buf, size, "%.1f", v);
        else
            snprintf(buf, size, "%g", v);
        break;
    }
    case CONFIG_TYPE_BOOL:
        snprintf(buf, size, "%s",
                 config_setting_get_bool(s) ? "true" : "false");
        break;
    case CONFIG_TYPE_STRING: {
        const char *v = config_setting_get_string(s);
        size_t n = v ? strlen(v) : 0;

        if (n > GOT_MAX)
            snprintf(buf, size, "\"%.*s...\"", GOT_MAX, v);
        else
            snprintf(buf, size, "\"%s\"", v ? v : "");
        break;
    }
    case CONFIG_TYPE_GROUP:
        snprintf(buf, size, "a group");
        break;
    case CONFIG_TYPE_ARRAY:
        snprintf(buf, size, "an array");
        break;
    case CONFIG_TYPE_LIST:
        snprintf(buf, size, "a list");
        break;
    default:
        snprintf(buf, size, "nothing");
        break;
    }
}

static int is_skipped(const struct loader *ld, const config_setting_t *s)
{
    int i;

    for (i = 0; i < ld->n_skip; i++)
        if (ld->skip[i] == s)
            return 1;
    return 0;
}

/* Find a setting by name and line anywhere below s. */
static config_setting_t *find_at(config_setting_t *s, const char *name,
                                 unsigned line, int depth)
{
    int i, n;
    config_setting_t *hit;

    if (depth > 64 || !config_setting_is_aggregate(s))
        return NULL;
    n = config_setting_length(s);
    for (i = 0; i < n; i++) {
        config_setting_t *c = config_setting_get_elem(s, (unsigned)i);
        const char *cn = config_setting_name(c);

        if (config_setting_source_line(c) == line && cn &&
            strcmp(cn, name) == 0 && !config_setting_is_aggregate(c))
            return c;
        hit = find_at(c, name, line, depth + 1);
        if (hit)
            return hit;
    }
    return NULL;
}

/* Dotted path of a setting, for messages. */
static void path_of(const config_setting_t *s, char *buf, size_t size)
{
    const config_setting_t *chain[32];
    int n = 0, i;
    size_t used = 0;

    buf[0] = '\0';
    while (s && config_setting_parent(s) && n < 32) {
        chain[n++] = s;
        s = config_setting_parent(s);
    }
    for (i = n - 1; i >= 0; i--) {
        const char *nm = config_setting_name(chain[i]);
        int w;

        if (nm)
            w = snprintf(buf + used, size - used, "%s%s", used ? "." : "", nm);
        else
            w = snprintf(buf + used, size - used, "[%d]",
                         config_setting_index(chain[i]));
        if (w < 0 || (size_t)w >= size - used)
            break;
        used += (size_t)w;
    }
}

static void report_literals(struct loader *ld)
{
    int i;

    for (i = 0; i < ld->n_bad; i++) {
        struct badlit *b = &ld->bad[i];
        config_setting_t *s = find_at(config_root_setting(&ld->cfg), b->name,
                                      (unsigned)b->line, 0);
        char key[2 * TCE_NAME_MAX] = "";
        struct line_ref r = ld->map[b->line - 1];

        if (s) {
            path_of(s, key, sizeof(key));
            if (ld->n_skip < BADLIT_MAX)
                ld->skip[ld->n_skip++] = s;
        } else {
            snprintf(key, sizeof(key), "%s", b->name);
        }
        if (b->too_big_64)
            lerr(ld, r.file, r.line, key,
                 "integer does not fit in 64 bits (got %s)", b->text);
        else
            lerr(ld, r.file, r.line, key,
                 "integer does not fit in 32 bits: libconfig needs the L "
                 "suffix, write %sL (got %s)",
                 b->text, b->text);
    }
}

/* Keys one level below prefix ("" = root) in a schema: is name a leaf row
 * (returns the row), a group prefix (returns -2) or unknown (-1)? */
static int classify(const struct schema *sc, const char *prefix,
                    const char *name)
{
    size_t i, pl = strlen(prefix), nl = strlen(name);

    for (i = 0; i < sc->n_fields; i++) {
        const char *k = sc->fields[i].key;

        if (pl && (strncmp(k, prefix, pl) != 0 || k[pl] != '.'))
            continue;
        k += pl ? pl + 1 : 0;
        if (strncmp(k, name, nl) != 0)
            continue;
        if (k[nl] == '\0')
            return (int)i;
        if (k[nl] == '.')
            return -2;
    }
    return -1;
}

/* The nearest known key to name, searched at this level first, then in the
 * whole schema (a key put in the wrong group). */
static void suggest(const struct schema *sc, const char *prefix,
                    const char *name, char *out, size_t size)
{
    size_t i, pl = strlen(prefix), nl = strlen(name);
    int best = INT_MAX;
    char cand[2 * TCE_NAME_MAX];

    out[0] = '\0';
    for (i = 0; i < sc->n_fields; i++) {
        const char *k = sc->fields[i].key;
        const char *dot;
        int d;

        if (pl && (strncmp(k, prefix, pl) != 0 || k[pl] != '.'))
            continue;
        k += pl ? pl + 1 : 0;
        dot = strchr(k, '.');
        snprintf(cand, sizeof(cand), "%.*s",
                 (int)(dot ? (size_t)(dot - k) : strlen(k)), k);
        d = tce_edit_distance(name, cand);
        if (d < best) {
            best = d;
            snprintf(out, size, "%s", cand);
        }
    }
    if (best <= 2 || (best <= (int)strlen(name) / 3 && best < INT_MAX))
        return;
    /* A key at this level that name abbreviates? */
    out[0] = '\0';
    for (i = 0; nl >= 4 && i < sc->n_fields; i++) {
        const char *k = sc->fields[i].key;

        if (pl && (strncmp(k, prefix, pl) != 0 || k[pl] != '.'))
            continue;
        k += pl ? pl + 1 : 0;
        if (!strchr(k, '.') && strncmp(k, name, nl) == 0) {
            snprintf(out, size, "%s", k);
            return;
        }
    }
    /* The same name elsewhere in the schema? */
    for (i = 0; i < sc->n_fields; i++) {
        const char *k = sc->fields[i].key;
        const char *last = strrchr(k, '.');

        last = last ? last + 1 : k;
        if (tce_edit_distance(name, last) <= 1) {
            snprintf(out, size, "%s", k);
            return;
        }
    }
}

static void check_members(struct loader *ld, const struct schema *sc,
                          const char *prefix, const char *shown,
                          config_setting_t *group)
{
    int i, n = config_setting_length(group);

    for (i = 0; i < n; i++) {
        config_setting_t *c = config_setting_get_elem(group, (unsigned)i);
        const char *name = config_setting_name(c);
        char full[2 * TCE_NAME_MAX], fshown[2 * TCE_NAME_MAX], hint[128];
        struct line_ref r = where(ld, c);
        int k;

        if (!name)
            continue;
        snprintf(full, sizeof(full), "%s%s%s", prefix, prefix[0] ? "." : "",
                 name);
        snprintf(fshown, sizeof(fshown), "%s%s%s", shown, shown[0] ? "." : "",
                 name);
        k = classify(sc, prefix, name);
        if (k == -2) {
            if (config_setting_type(c) != CONFIG_TYPE_GROUP) {
                char got[GOT_MAX + 8];

                describe(c, got, sizeof(got));
                lerr(ld, r.file, r.line, fshown, "expected a group (got %s)",
                     got);
            } else {
                check_members(ld, sc, full, fshown, c);
            }
        } else if (k == -1) {
            suggest(sc, prefix, name, hint, sizeof(hint));
            if (hint[0])
                lerr(ld, r.file, r.line, fshown,
                     "unknown key '%s' (did you mean '%s'?)", name, hint);
            else
                lerr(ld, r.file, r.line, fshown, "unknown key '%s'", name);
        }
    }
}

/* Store helpers. */
static void put_int(void *obj, const struct field *f, int64_t v)
{
    char *p = (char *)obj + f->offset;

    if (f->size == sizeof(int64_t))
        memcpy(p, &v, sizeof(v));
    else {
        int iv = (int)v;

        memcpy(p, &iv, sizeof(iv));
    }
}

static int64_t field_int(const void *obj, const struct field *f)
{
    const char *p = (const char *)obj + f->offset;

    if (f->size == sizeof(int64_t)) {
        int64_t v;

        memcpy(&v, p, sizeof(v));
        return v;
    } else {
        int iv;

        memcpy(&iv, p, sizeof(iv));
        return iv;
    }
}

static void put_double(void *obj, const struct field *f, double v)
{
    memcpy((char *)obj + f->offset, &v, sizeof(v));
}

static double field_double(const void *obj, const struct field *f)
{
    double v;

    memcpy(&v, (const char *)obj + f->offset, sizeof(v));
    return v;
}

static void put_string(void *obj, const struct field *f, const char *v)
{
    snprintf((char *)obj + f->offset, f->size, "%s", v);
}

static void range_text(const struct field *f, char *buf, size_t size)
{
    if (f->type == FT_INT)
        snprintf(buf, size, "[%lld, %lld]", (long long)f->imin,
                 (long long)f->imax);
    else
        snprintf(buf, size, "%s%.12g, %.12g]", (f->flags & F_OPEN) ? "(" : "[",
                 f->dmin, f->dmax);
}

static void enum_text(const struct field *f, char *buf, size_t size)
{
    size_t used = 0;
    int i;

    buf[0] = '\0';
    for (i = 0; f->names[i]; i++) {
        int w = snprintf(buf + used, size - used, "%s%s", i ? ", " : "",
                         f->names[i]);

        if (w < 0 || (size_t)w >= size - used)
            break;
        used += (size_t)w;
    }
}

static void set_default(void *obj, const struct field *f)
{
    int64_t iv = 0;
    double dv = 0.0;
    int i;

    switch (f->type) {
    case FT_INT:
        if (f->def && !(f->flags & F_DERIVED))
            tce_parse_int64(f->def, INT64_MIN, INT64_MAX, &iv, NULL);
        put_int(obj, f, iv);
        break;
    case FT_DOUBLE:
        if (f->def)
            tce_parse_double(f->def, -1e300, 1e300, &dv, NULL);
        put_double(obj, f, dv);
        break;
    case FT_BOOL:
        put_int(obj, f, f->def && strcmp(f->def, "true") == 0);
        break;
    case FT_STRING:
        put_string(obj, f, "");
        break;
    case FT_ENUM:
        for (i = 0; f->def && f->names[i]; i++)
            if (strcmp(f->names[i], f->def) == 0)
                iv = i;
        put_int(obj, f, iv);
        break;
    case FT_LIST:
        memset((char *)obj + f->count_offset, 0, sizeof(int));
        break;
    }
}

static void mark(struct loader *ld, int slot, int is_set, struct line_ref r)
{
    if (!ld->origin || slot < 0 || slot >= TCE_CONFIG_SLOTS_MAX)
        return;
    ld->origin->is_set[slot] = (unsigned char)is_set;
    ld->origin->file[slot] = (unsigned char)r.file;
    ld->origin->line[slot] = r.line;
}

/*
 * Typed getters.  Each takes a setting that is present (missing keys are
 * told apart by the caller, which knows the enclosing group) and returns 0
 * with the value, or reports a wrong type or an out-of-range value as one
 * error and returns TCE_ECONFIG.  Integers are read with the int64 getter
 * (libconfig 1.5's int getter returns 0 past 32 bits); an integer is
 * accepted where a number is expected, a float never where an integer is.
 */
struct at { /* what a getter needs to report */
    struct loader *ld;
    const config_setting_t *s;
    const char *key;
    struct line_ref r;
    char got[GOT_MAX + 8];
};

static void at_init(struct at *a, struct loader *ld, const config_setting_t *s,
                    const char *key)
{
    a->ld = ld;
    a->s = s;
    a->key = key;
    a->r = where(ld, s);
    describe(s, a->got, sizeof(a->got));
}

static int get_int64(struct at *a, const struct field *f, int64_t *out)
{
    int t = config_setting_type(a->s), rc = 0;
    char range[128];
    int64_t v;

    if (t != CONFIG_TYPE_INT && t != CONFIG_TYPE_INT64) {
        rc = lerr(a->ld, a->r.file, a->r.line, a->key,
                  "expected an integer (got %s)", a->got);
        goto out;
    }
    v = config_setting_get_int64(a->s);
    if (v < f->imin || v > f->imax) {
        range_text(f, range, sizeof(range));
        rc = lerr(a->ld, a->r.file, a->r.line, a->key, "must be in %s (got %s)",
                  range, a->got);
        goto out;
    }
    *out = v;
out:
    return rc;
}

static int get_double(struct at *a, const struct field *f, double *out)
{
    int t = config_setting_type(a->s), rc = 0;
    char range[128];
    double v = 0.0;

    if (t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64) {
        v = (double)config_setting_get_int64(a->s);
    } else if (t == CONFIG_TYPE_FLOAT) {
        v = config_setting_get_float(a->s);
    } else {
        rc = lerr(a->ld, a->r.file, a->r.line, a->key,
                  "expected a number (got %s)", a->got);
        goto out;
    }
    if (!isfinite(v)) {
        rc = lerr(a->ld, a->r.file, a->r.line, a->key,
                  "must be a finite number (got %s)", a->got);
        goto out;
    }
    if (v > f->dmax || v < f->dmin || ((f->flags & F_OPEN) && v <= f->dmin)) {
        range_text(f, range, sizeof(range));
        rc = lerr(a->ld, a->r.file, a->r.line, a->key, "must be in %s (got %s)",
                  range, a->got);
        goto out;
    }
    *out = v;
out:
    return rc;
}

static int get_bool(struct at *a, int *out)
{
    int rc = 0;

    if (config_setting_type(a->s) != CONFIG_TYPE_BOOL)
        rc = lerr(a->ld, a->r.file, a->r.line, a->key,
                  "expected true or false (got %s)", a->got);
    else
        *out = config_setting_get_bool(a->s) != 0;
    return rc;
}

/* A string that fits the field's char array (with its NUL). */
static int get_string(struct at *a, const struct field *f, const char **out)
{
    const char *v = NULL;
    int rc = 0;

    if (config_setting_type(a->s) != CONFIG_TYPE_STRING) {
        rc = lerr(a->ld, a->r.file, a->r.line, a->key,
                  "expected a string (got %s)", a->got);
        goto out;
    }
    v = config_setting_get_string(a->s);
    if (!v)
        v = "";
    if (strlen(v) >= f->size) {
        rc = lerr(a->ld, a->r.file, a->r.line, a->key,
                  "string too long: %zu bytes, at most %zu (got %s)", strlen(v),
                  f->size - 1, a->got);
        goto out;
    }
    if ((f->flags & F_NONEMPTY) && v[0] == '\0') {
        rc = lerr(a->ld, a->r.file, a->r.line, a->key,
                  "must not be empty (got \"\")");
        goto out;
    }
    *out = v;
out:
    return rc;
}

/* One of the field's names; *out is its index. */
static int get_enum(struct at *a, const struct field *f, int *out)
{
    char names[128];
    const char *v;
    int i, rc = 0;

    enum_text(f, names, sizeof(names));
    if (config_setting_type(a->s) != CONFIG_TYPE_STRING) {
        rc = lerr(a->ld, a->r.file, a->r.line, a->key,
                  "expected a string, one of %s (got %s)", names, a->got);
        goto out;
    }
    v = config_setting_get_string(a->s);
    for (i = 0; v && f->names[i]; i++)
        if (strcmp(f->names[i], v) == 0)
            break;
    if (!v || !f->names[i]) {
        rc = lerr(a->ld, a->r.file, a->r.line, a->key,
                  "expected one of %s (got %s)", names, a->got);
        goto out;
    }
    *out = i;
out:
    return rc;
}

/* Read one present setting into the struct through its typed getter. */
static void read_value(struct loader *ld, void *obj, const struct field *f,
                       config_setting_t *s, const char *key)
{
    struct at a;
    int64_t iv = 0;
    double dv = 0.0;
    const char *sv = "";
    int bv = 0;

    at_init(&a, ld, s, key);
    switch (f->type) {
    case FT_INT:
        if (get_int64(&a, f, &iv) == 0)
            put_int(obj, f, iv);
        break;
    case FT_DOUBLE:
        if (get_double(&a, f, &dv) == 0)
            put_double(obj, f, dv);
        break;
    case FT_BOOL:
        if (get_bool(&a, &bv) == 0)
            put_int(obj, f, bv);
        break;
    case FT_STRING:
        if (get_string(&a, f, &sv) == 0)
            put_string(obj, f, sv);
        break;
    case FT_ENUM:
        if (get_enum(&a, f, &bv) == 0)
            put_int(obj, f, bv);
        break;
    case FT_LIST:
        break;
    }
}

static int walk(struct loader *ld, const struct schema *sc,
                config_setting_t *root, void *obj, const char *shown_prefix,
                int slot0);

/* Look a dotted key up below root; on a missing part, *enclosing is the
 * deepest group found and *missing_group the missing group's prefix. */
static config_setting_t *lookup(config_setting_t *root, const char *key,
                                config_setting_t **enclosing,
                                char *missing_group, size_t size)
{
    char part[TCE_NAME_MAX];
    const char *p = key;
    config_setting_t *cur = root;

    missing_group[0] = '\0';
    *enclosing = root;
    for (;;) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);
        config_setting_t *next;

        snprintf(part, sizeof(part), "%.*s", (int)n, p);
        if (config_setting_type(cur) != CONFIG_TYPE_GROUP)
            return NULL;
        next = config_setting_get_member(cur, part);
        if (!next) {
            if (dot)
                snprintf(missing_group, size, "%.*s", (int)(dot - key), key);
            *enclosing = cur;
            return NULL;
        }
        if (!dot)
            return next;
        cur = next;
        *enclosing = cur;
        p = dot + 1;
    }
}

static void read_list(struct loader *ld, const struct field *f, void *obj,
                      config_setting_t *s, const char *key, int slot0)
{
    struct line_ref r = where(ld, s);
    int t = config_setting_type(s), n, i, count = 0;
    char got[GOT_MAX + 8];
    const struct schema *es = f->elem;

    if (t != CONFIG_TYPE_LIST &&
        !(t == CONFIG_TYPE_ARRAY && config_setting_length(s) == 0)) {
        describe(s, got, sizeof(got));
        lerr(ld, r.file, r.line, key,
             "expected a list of groups ( {...}, {...} ) (got %s)", got);
        return;
    }
    n = config_setting_length(s);
    if (n > f->max_count) {
        lerr(ld, r.file, r.line, key, "at most %d entries (got %d)",
             f->max_count, n);
        n = f->max_count;
    }
    for (i = 0; i < n; i++) {
        config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
        char ekey[2 * TCE_NAME_MAX];
        void *eobj = (char *)obj + f->offset + (size_t)i * es->elem_size;

        snprintf(ekey, sizeof(ekey), "%.100s[%d]", key, i);
        if (config_setting_type(e) != CONFIG_TYPE_GROUP) {
            struct line_ref er = where(ld, e);

            describe(e, got, sizeof(got));
            lerr(ld, er.file, er.line, ekey, "expected a group (got %s)", got);
            continue;
        }
        memset(eobj, 0, es->elem_size);
        check_members(ld, es, "", ekey, e);
        walk(ld, es, e, eobj, ekey, slot0 + i * (int)es->n_fields);
        count = i + 1;
    }
    memcpy((char *)obj + f->count_offset, &count, sizeof(count));
}

/* Every row of a schema: present (typed, ranged), missing (required or
 * default).  slot0 is the origin slot of row 0. */
static int walk(struct loader *ld, const struct schema *sc,
                config_setting_t *root, void *obj, const char *shown_prefix,
                int slot0)
{
    size_t i;
    char reported[TCE_NAME_MAX] = "\x01";

    for (i = 0; i < sc->n_fields; i++) {
        const struct field *f = &sc->fields[i];
        config_setting_t *enclosing = NULL, *s;
        char missing[TCE_NAME_MAX], key[2 * TCE_NAME_MAX];
        struct line_ref r;
        int slot = slot0 + (int)i;

        snprintf(key, sizeof(key), "%s%s%s", shown_prefix,
                 shown_prefix[0] ? "." : "", f->key);
        set_default(obj, f);
        s = lookup(root, f->key, &enclosing, missing, sizeof(missing));
        if (!s) {
            r = where(ld, enclosing);
            if (config_setting_type(enclosing) != CONFIG_TYPE_GROUP)
                continue; /* reported by check_members */
            mark(ld, slot, 0, r);
            if (!(f->flags & F_REQ))
                continue;
            if (missing[0]) {
                if (strcmp(missing, reported) != 0) {
                    char mkey[2 * TCE_NAME_MAX];

                    snprintf(mkey, sizeof(mkey), "%s%s%s", shown_prefix,
                             shown_prefix[0] ? "." : "", missing);
                    lerr(ld, r.file, r.line, mkey, "missing required group");
                    snprintf(reported, sizeof(reported), "%s", missing);
                }
            } else {
                lerr(ld, r.file, r.line, key, "missing required key");
            }
            continue;
        }
        r = where(ld, s);
        mark(ld, slot, 1, r);
        if (is_skipped(ld, s))
            continue;
        if (f->type == FT_LIST)
            read_list(ld, f, obj, s, key, list_slot_base(sc, i));
        else
            read_value(ld, obj, f, s, key);
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Loading                                                                  */

static void loader_release(struct loader *ld)
{
    flush_errors(ld);
    if (ld->parsed)
        config_destroy(&ld->cfg);
    free(ld->buf);
    free(ld->map);
    ld->buf = NULL;
    ld->map = NULL;
    ld->parsed = 0;
}

/* Read, lex and parse path.  0, or TCE_ECONFIG after reporting. */
static int loader_parse(struct loader *ld, const char *path,
                        struct tce_diag *diag, int lex)
{
    int fi;
    config_setting_t *root;

    memset(ld, 0, sizeof(*ld));
    ld->diag = diag;
    fi = add_file(ld, path ? path : "");
    if (!path || !path[0])
        return lerr(ld, fi, 1, NULL, "no file name");
    expand_file(ld, fi, -1, 0);
    if (ld->errors)
        return TCE_ECONFIG;
    if (!ld->buf && append_line(ld, "", 0, fi, 1) != 0)
        return lerr(ld, fi, 1, NULL, "out of memory");
    config_init(&ld->cfg);
    ld->parsed = 1;
    if (config_read_string(&ld->cfg, ld->buf) != CONFIG_TRUE) {
        int l = config_error_line(&ld->cfg);
        struct line_ref r = {fi, 1};
        const char *text = config_error_text(&ld->cfg);

        if (l >= 1 && (size_t)l <= ld->n_lines) {
            r = ld->map[l - 1];
        } else if (l > 0 && ld->n_lines > 0) {
            r = ld->map[ld->n_lines - 1];
            if (text && strcmp(text, "syntax error") == 0)
                text = "syntax error at end of file (unclosed group, list "
                       "or string?)";
        }
        if (text && strcmp(text, "memory exhausted") == 0)
            text = "nesting too deep (parser stack exhausted)";
        return lerr(ld, r.file, r.line, NULL, "%s",
                    text ? text : "syntax error");
    }
    root = config_root_setting(&ld->cfg);
    if (config_setting_length(root) == 0)
        return lerr(ld, fi, 1, NULL, "no settings in the file (empty file?)");
    if (lex) {
        /* not fatal: the settings concerned are skipped by the walk */
        scan_literals(ld);
        report_literals(ld);
    }
    return 0;
}

static void copy_origin_files(struct loader *ld)
{
    int i;

    if (!ld->origin)
        return;
    ld->origin->n_files = ld->n_files;
    for (i = 0; i < ld->n_files; i++)
        snprintf(ld->origin->files[i], TCE_TEXT_MAX, "%s", ld->files[i]);
}

int tce_config_detect_kind(const char *path, enum tce_config_kind *kind,
                           struct tce_diag *diag)
{
    struct loader *ld = calloc(1, sizeof(*ld));
    config_setting_t *root;
    int rc;

    *kind = TCE_CONFIG_UNKNOWN;
    if (!ld)
        return TCE_ENOMEM;
    rc = loader_parse(ld, path, diag, 0);
    if (rc != 0 || ld->errors) {
        rc = TCE_ECONFIG;
        goto out;
    }
    root = config_root_setting(&ld->cfg);
    if (config_setting_get_member(root, "model"))
        *kind = TCE_CONFIG_JOB;
    else if (config_setting_get_member(root, "accelerator"))
        *kind = TCE_CONFIG_TOPOLOGY;
    else if (config_setting_get_member(root, "calibration"))
        *kind = TCE_CONFIG_CALIBRATION;
    else
        rc = lerr(ld, 0, 1, NULL,
                  "cannot tell the kind of file: no 'model' (job), "
                  "'accelerator' (topology) or 'calibration' group; use "
                  "--kind");
out:
    loader_release(ld);
    free(ld);
    return rc;
}

/* --- cross-field rules --- */

/* Where a key came from, for cross-field messages. */
static const char *cite(const struct tce_config_origin *o,
                        const struct schema *sc, const char *key, int *line)
{
    size_t i;

    for (i = 0; i < sc->n_fields; i++) {
        if (strcmp(sc->fields[i].key, key) == 0) {
            int f = o->file[i];

            *line = o->line[i] > 0 ? o->line[i] : 1;
            return f < o->n_files ? o->files[f] : o->files[0];
        }
    }
    *line = 1;
    return o->files[0];
}

static int cross_err(struct tce_diag *d, const struct tce_config_origin *o,
                     const struct schema *sc, const char *key, const char *fmt,
                     ...) __attribute__((format(printf, 5, 6)));

static int cross_err(struct tce_diag *d, const struct tce_config_origin *o,
                     const struct schema *sc, const char *key, const char *fmt,
                     ...)
{
    char msg[1024];
    va_list ap;
    int line;
    const char *file;

    if (!d)
        return TCE_ECONFIG; /* verdict only: no formatting (search loops) */
    file = cite(o, sc, key, &line);
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return tce_diag_error(d, file, line, key, "%s", msg);
}

/* Defaults computed from other keys (F_DERIVED); before the rules. */
static void job_derive(struct tce_job *j)
{
    struct tce_model *m = &j->model;
    const unsigned char *set = j->origin.is_set;
    const struct schema *sc = &job_schema;

    if (!set[slot_of(sc, "model.ffn_hidden_size")])
        m->ffn_hidden_size = 4 * m->hidden_size;
    if (!set[slot_of(sc, "model.num_query_groups")])
        m->num_query_groups = m->num_attention_heads;
    if (!set[slot_of(sc, "model.kv_channels")])
        m->kv_channels = m->hidden_size / m->num_attention_heads;
    if (!set[slot_of(sc, "model.moe_ffn_hidden_size")])
        m->moe_ffn_hidden_size = m->ffn_hidden_size;
}

int tce_job_check(const struct tce_job *job, struct tce_diag *diag)
{
    const struct tce_model *m = &job->model;
    const struct tce_parallel *p = &job->parallel;
    const struct tce_training *t = &job->training;
    const struct tce_config_origin *o = &job->origin;
    const struct schema *sc = &job_schema;
    int64_t tp = p->tensor_model_parallel_size;
    int64_t pp = p->pipeline_model_parallel_size;
    int64_t vpp = p->virtual_pipeline_model_parallel_size;
    int64_t cp = p->context_parallel_size;
    int64_t ep = p->expert_model_parallel_size;
    int64_t mp = tp * pp * cp, dp = 0;
    int bad = 0;

#define RULE(cond, key, ...)                                                   \
    do {                                                                       \
        if (!(cond)) {                                                         \
            cross_err(diag, o, sc, key, __VA_ARGS__);                          \
            bad = 1;                                                           \
        }                                                                      \
    } while (0)

    if (tp < 1 || pp < 1 || cp < 1 || ep < 1 || vpp < 1 || p->num_gpus < 1 ||
        t->micro_batch_size < 1 || m->num_attention_heads < 1 ||
        m->num_query_groups < 1) {
        return tce_diag_error(diag, o->files[0], 1, NULL,
                              "job not loaded (sizes below 1)");
    }
    RULE(p->num_gpus % mp == 0, "parallel.num_gpus",
         "must be a multiple of tensor x pipeline x context parallel sizes "
         "%lld x %lld x %lld = %lld (got %lld)",
         (long long)tp, (long long)pp, (long long)cp, (long long)mp,
         (long long)p->num_gpus);
    if (p->num_gpus % mp == 0)
        dp = p->num_gpus / mp;
    RULE(m->num_attention_heads % tp == 0, "model.num_attention_heads",
         "must be divisible by tensor_model_parallel_size %lld (got %lld)",
         (long long)tp, (long long)m->num_attention_heads);
    if (!m->multi_latent_attention) {
        RULE(m->num_query_groups % tp == 0, "model.num_query_groups",
             "must be divisible by tensor_model_parallel_size %lld (got "
             "%lld)",
             (long long)tp, (long long)m->num_query_groups);
        RULE(m->num_attention_heads % m->num_query_groups == 0,
             "model.num_query_groups",
             "must divide num_attention_heads %lld (got %lld)",
             (long long)m->num_attention_heads, (long long)m->num_query_groups);
    }
    if (!o->is_set[slot_of(sc, "model.kv_channels")])
        RULE(m->hidden_size % m->num_attention_heads == 0, "model.hidden_size",
             "must be divisible by num_attention_heads %lld when "
             "kv_channels is not set (got %lld)",
             (long long)m->num_attention_heads, (long long)m->hidden_size);
    if (p->decoder_first_pipeline_num_layers <= 0 &&
        p->decoder_last_pipeline_num_layers <= 0) {
        int64_t slots = m->num_layers +
                        (p->account_for_embedding_in_pipeline_split ? 1 : 0) +
                        (p->account_for_loss_in_pipeline_split ? 1 : 0);

        RULE(slots % (pp * vpp) == 0, "model.num_layers",
             "%smust be divisible by pipeline x virtual pipeline sizes "
             "%lld x %lld = %lld (got %lld)",
             slots != m->num_layers ? "plus the embedding / loss slots "
                                    : "",
             (long long)pp, (long long)vpp, (long long)(pp * vpp),
             (long long)slots);
    } else {
        RULE(!p->account_for_embedding_in_pipeline_split &&
                 !p->account_for_loss_in_pipeline_split,
             "parallel.account_for_embedding_in_pipeline_split",
             "cannot be combined with decoder_first/last_pipeline_num_layers");
        /* Megatron-LM's uneven first / last stages: the other stages split
         * the rest evenly, each stage's layers split over vpp chunks */
        int64_t f = p->decoder_first_pipeline_num_layers;
        int64_t z = p->decoder_last_pipeline_num_layers;
        int64_t ms = pp - (f > 0) - (z > 0);
        int64_t rest = m->num_layers - (f > 0 ? f : 0) - (z > 0 ? z : 0);

        RULE(pp > 1 && ms >= 0 && rest >= 0 &&
                 (ms > 0 ? rest % (ms * vpp) == 0 : rest == 0) &&
                 f % vpp == 0 && z % vpp == 0,
             f > 0 ? "parallel.decoder_first_pipeline_num_layers"
                   : "parallel.decoder_last_pipeline_num_layers",
             "first %lld and last %lld stage layers leave %lld of "
             "num_layers %lld for %lld middle stages: each stage's layers "
             "must split evenly over %lld virtual stages (pp > 1)",
             (long long)f, (long long)z, (long long)rest,
             (long long)m->num_layers, (long long)ms, (long long)vpp);
    }
    RULE(vpp == 1 || pp > 1, "parallel.virtual_pipeline_model_parallel_size",
         "needs pipeline_model_parallel_size > 1 (got %lld)", (long long)vpp);
    if (m->num_experts > 0) {
        RULE(m->moe_router_topk >= 1 && m->moe_router_topk <= m->num_experts,
             "model.moe_router_topk",
             "must be in [1, num_experts = %lld] for an MoE model (got %lld)",
             (long long)m->num_experts, (long long)m->moe_router_topk);
        RULE(m->num_experts % ep == 0, "parallel.expert_model_parallel_size",
             "must divide num_experts %lld (got %lld)",
             (long long)m->num_experts, (long long)ep);
        RULE(m->moe_first_dense_layers < m->num_layers,
             "model.moe_first_dense_layers",
             "must be less than num_layers %lld (got %lld)",
             (long long)m->num_layers, (long long)m->moe_first_dense_layers);
    } else {
        RULE(ep == 1, "parallel.expert_model_parallel_size",
             "needs num_experts > 0 (got %lld)", (long long)ep);
        RULE(m->moe_router_topk == 0, "model.moe_router_topk",
             "needs num_experts > 0 (got %lld)", (long long)m->moe_router_topk);
    }
    if (dp > 0) {
        RULE(dp % ep == 0, "parallel.expert_model_parallel_size",
             "must divide the data parallel size %lld = num_gpus / (tp x pp "
             "x cp) (got %lld)",
             (long long)dp, (long long)ep);
        RULE(t->global_batch_size % (dp * t->micro_batch_size) == 0,
             "training.global_batch_size",
             "must be a multiple of data parallel size x micro_batch_size "
             "%lld x %lld = %lld (got %lld)",
             (long long)dp, (long long)t->micro_batch_size,
             (long long)(dp * t->micro_batch_size),
             (long long)t->global_batch_size);
    }
    if (cp > 1)
        RULE(m->seq_length % (2 * cp) == 0, "model.seq_length",
             "must be divisible by 2 x context_parallel_size = %lld (got "
             "%lld)",
             (long long)(2 * cp), (long long)m->seq_length);
    RULE(t->train_tokens >= t->global_batch_size * m->seq_length,
         "training.train_tokens",
         "must be at least one iteration, global_batch_size x seq_length = "
         "%lld (got %lld)",
         (long long)(t->global_batch_size * m->seq_length),
         (long long)t->train_tokens);
    if (m->multi_latent_attention) {
        RULE(m->kv_lora_rank > 0, "model.kv_lora_rank",
             "must be > 0 with multi_latent_attention (got %lld)",
             (long long)m->kv_lora_rank);
        RULE(m->qk_head_dim > 0, "model.qk_head_dim",
             "must be > 0 with multi_latent_attention (got %lld)",
             (long long)m->qk_head_dim);
        RULE(m->qk_pos_emb_head_dim > 0, "model.qk_pos_emb_head_dim",
             "must be > 0 with multi_latent_attention (got %lld)",
             (long long)m->qk_pos_emb_head_dim);
        RULE(m->v_head_dim > 0, "model.v_head_dim",
             "must be > 0 with multi_latent_attention (got %lld)",
             (long long)m->v_head_dim);
    }
#undef RULE
    return bad ? TCE_ECONFIG : 0;
}

static int topology_check(const struct tce_topology *t, struct tce_diag *d)
{
    const struct tce_config_origin *o = &t->origin;
    const struct schema *sc = &topology_schema;
    int bad = 0, i, j;
    int64_t dom = t->scale_up.domain_accelerators;
    int64_t acc = t->node.accelerators;
    int fbase = list_slot_base(sc, (size_t)slot_of(sc, "fabric"));
    int cbase = list_slot_base(sc, (size_t)slot_of(sc, "contracts"));

    if (dom % acc != 0 && acc % dom != 0)
        bad = cross_err(d, o, sc, "scale_up.domain_accelerators",
                        "must be a multiple or a divisor of "
                        "node.accelerators %lld (got %lld)",
                        (long long)acc, (long long)dom);
    for (i = 1; i < t->n_fabric; i++) {
        int slot = fbase + i * (int)fabric_schema.n_fields + 1;

        if (t->fabric[i].group_nodes <= t->fabric[i - 1].group_nodes) {
            char key[64];

            snprintf(key, sizeof(key), "fabric[%d].group_nodes", i);
            tce_diag_error(d, o->files[o->file[slot]], o->line[slot], key,
                           "must be greater than the tier below, %lld (got "
                           "%lld)",
                           (long long)t->fabric[i - 1].group_nodes,
                           (long long)t->fabric[i].group_nodes);
            bad = TCE_ECONFIG;
        }
    }
    for (i = 0; i < t->n_contracts; i++) {
        const struct tce_contract *c = &t->contracts[i];
        int s0 = cbase + i * (int)contract_schema.n_fields;
        const char *file = o->files[o->file[s0]];
        int line = o->line[s0 + 1];
        char key[64];
        const char *need = NULL;

        if ((c->kind == TCE_CONTRACT_RESERVED ||
             c->kind == TCE_CONTRACT_COMMITMENT) &&
            !o->is_set[s0 + 3])
            need = "term_months";
        else if (c->kind == TCE_CONTRACT_COMMITMENT && !o->is_set[s0 + 7])
            need = "committed_nodes";
        else if (c->kind == TCE_CONTRACT_CAPACITY_BLOCK && !o->is_set[s0 + 4])
            need = "max_days";
        else if (c->kind == TCE_CONTRACT_SPOT && !o->is_set[s0 + 6])
            need = "interruptions_per_node_day";
        if (need) {
            snprintf(key, sizeof(key), "contracts[%d].%s", i, need);
            tce_diag_error(d, file, line, key,
                           "missing required key for kind '%s'",
                           tce_contract_kind_name(c->kind));
            bad = TCE_ECONFIG;
        }
        if (c->kind == TCE_CONTRACT_COMMITMENT && o->is_set[s0 + 7] &&
            (c->committed_nodes < 1 ||
             c->committed_nodes > t->capacity.max_nodes)) {
            snprintf(key, sizeof(key), "contracts[%d].committed_nodes", i);
            tce_diag_error(d, o->files[o->file[s0 + 7]], o->line[s0 + 7], key,
                           "must be in [1, capacity.max_nodes = %lld] (got "
                           "%lld)",
                           (long long)t->capacity.max_nodes,
                           (long long)c->committed_nodes);
            bad = TCE_ECONFIG;
        }
        for (j = 0; j < i; j++) {
            if (strcmp(t->contracts[j].name, c->name) == 0) {
                snprintf(key, sizeof(key), "contracts[%d].name", i);
                tce_diag_error(d, o->files[o->file[s0]], o->line[s0], key,
                               "duplicate contract name '%s' (also "
                               "contracts[%d])",
                               c->name, j);
                bad = TCE_ECONFIG;
                break;
            }
        }
    }
    return bad ? TCE_ECONFIG : 0;
}

static int calibration_check(const struct tce_calibration *c,
                             struct tce_diag *d)
{
    const struct tce_config_origin *o = &c->origin;
    const struct schema *sc = &calibration_schema;
    int bad = 0, i, j;
    int base = list_slot_base(sc, (size_t)slot_of(sc, "calibration.links"));

    if (c->ranks_per_node > c->ranks)
        bad = cross_err(d, o, sc, "calibration.ranks_per_node",
                        "must be at most ranks %lld (got %lld)",
                        (long long)c->ranks, (long long)c->ranks_per_node);
    for (i = 0; i < c->n_links; i++) {
        for (j = 0; j < i; j++) {
            if (c->links[i].link == c->links[j].link) {
                int s = base + i * (int)link_schema.n_fields;
                char key[64];

                snprintf(key, sizeof(key), "calibration.links[%d].link", i);
                tce_diag_error(d, o->files[o->file[s]], o->line[s], key,
                               "second entry for link '%s' (first is "
                               "links[%d])",
                               tce_link_class_name(c->links[i].link), j);
                bad = TCE_ECONFIG;
            }
        }
    }
    return bad ? TCE_ECONFIG : 0;
}

/* The generic loader: parse, walk the schema, then the kind's rules. */
static int load(enum tce_config_kind kind, const char *path, void *obj,
                size_t size, char *obj_path, struct tce_config_origin *origin,
                struct tce_diag *diag)
{
    const struct schema *sc = schema_of(kind);
    struct loader *ld = calloc(1, sizeof(*ld));
    int rc = 0;

    if (!ld)
        return TCE_ENOMEM;
    memset(obj, 0, size);
    if (list_slot_base(sc, sc->n_fields) > TCE_CONFIG_SLOTS_MAX) {
        free(ld);
        return tce_diag_error(diag, path, 1, NULL,
                              "internal: schema has more keys than "
                              "TCE_CONFIG_SLOTS_MAX");
    }
    rc = loader_parse(ld, path, diag, 1);
    ld->origin = origin;
    copy_origin_files(ld);
    snprintf(obj_path, TCE_TEXT_MAX, "%s", path ? path : "");
    if (rc != 0) {
        rc = TCE_ECONFIG;
        goto out;
    }
    check_members(ld, sc, "", "", config_root_setting(&ld->cfg));
    walk(ld, sc, config_root_setting(&ld->cfg), obj, "", 0);
    if (ld->errors) {
        rc = TCE_ECONFIG;
        goto out;
    }
    flush_errors(ld);
    switch (kind) {
    case TCE_CONFIG_JOB:
        job_derive(obj);
        rc = tce_job_check(obj, diag);
        break;
    case TCE_CONFIG_TOPOLOGY:
        rc = topology_check(obj, diag);
        break;
    case TCE_CONFIG_CALIBRATION:
        rc = calibration_check(obj, diag);
        break;
    default:
        rc = TCE_EINTERNAL;
        break;
    }
out:
    loader_release(ld);
    free(ld);
    return rc;
}

int tce_topology_load(const char *path, struct tce_topology *out,
                      struct tce_diag *diag)
{
    return load(TCE_CONFIG_TOPOLOGY, path, out, sizeof(*out), out->path,
                &out->origin, diag);
}

int tce_job_load(const char *path, struct tce_job *out, struct tce_diag *diag)
{
    return load(TCE_CONFIG_JOB, path, out, sizeof(*out), out->path,
                &out->origin, diag);
}

int tce_calibration_load(const char *path, struct tce_calibration *out,
                         struct tce_diag *diag)
{
    return load(TCE_CONFIG_CALIBRATION, path, out, sizeof(*out), out->path,
                &out->origin, diag);
}

const struct tce_calibration_link *
tce_calibration_find(const struct tce_calibration *c, enum tce_link_class l)
{
    int i;

    for (i = 0; i < c->n_links; i++)
        if (c->links[i].link == l)
            return &c->links[i];
    return NULL;
}

static void write_string(FILE *out, const char *key, const char *v)
{
    fprintf(out, "  %s = \"", key);
    for (; *v; v++) {
        if (*v == '"' || *v == '\\')
            fputc('\\', out);
        if ((unsigned char)*v >= 0x20)
            fputc(*v, out);
    }
    fprintf(out, "\";\n");
}

int tce_calibration_write(const struct tce_calibration *c, FILE *out)
{
    int i;

    fprintf(out, "# tcemu calibration file (tcemu validate reads it)\n"
                 "calibration = {\n");
    write_string(out, "tcemu_version", c->tcemu_version);
    write_string(out, "mpi_library", c->mpi_library);
    write_string(out, "date", c->date);
    write_string(out, "hosts", c->hosts);
    fprintf(out, "  ranks = %lldL;\n  ranks_per_node = %lldL;\n  links = (",
            (long long)c->ranks, (long long)c->ranks_per_node);
    for (i = 0; i < c->n_links; i++) {
        const struct tce_calibration_link *l = &c->links[i];

        fprintf(out,
                "%s\n    { link = \"%s\"; latency_us = %.9g; "
                "bandwidth_gbytes_per_s = %.9g;\n      rms_rel_error = %.9g; "
                "points = %lldL;\n      allreduce_efficiency = %.9g; "
                "allgather_efficiency = %.9g;\n      "
                "reducescatter_efficiency = %.9g; alltoall_efficiency = "
                "%.9g;\n      sendrecv_efficiency = %.9g; }",
                i ? "," : "", tce_link_class_name(l->link), l->latency_us,
                l->bandwidth_gbytes_per_s, l->rms_rel_error,
                (long long)l->points, l->allreduce_efficiency,
                l->allgather_efficiency, l->reducescatter_efficiency,
                l->alltoall_efficiency, l->sendrecv_efficiency);
    }
    fprintf(out, "\n  );\n};\n");
    return ferror(out) ? TCE_EIO : 0;
}

/* ------------------------------------------------------------------------ */
/* The schema for humans                                                    */

static const char *type_name(const struct field *f)
{
    switch (f->type) {
    case FT_INT:
        return "integer";
    case FT_DOUBLE:
        return "number";
    case FT_BOOL:
        return "bool";
    case FT_STRING:
        return "string";
    case FT_ENUM:
        return "enum";
    case FT_LIST:
        return "list";
    }
    return "?";
}

struct key_row {
    char key[2 * TCE_NAME_MAX];
    const char *type;
    const char *unit;
    char range[128];
    char def[64];
    const char *help;
};

static void row_of(const struct field *f, const char *prefix, struct key_row *r)
{
    snprintf(r->key, sizeof(r->key), "%s%s", prefix, f->key);
    r->type = type_name(f);
    r->unit = f->unit && f->unit[0] ? f->unit : "-";
    r->help = f->help;
    switch (f->type) {
    case FT_INT:
    case FT_DOUBLE:
        range_text(f, r->range, sizeof(r->range));
        break;
    case FT_ENUM:
        enum_text(f, r->range, sizeof(r->range));
        break;
    case FT_BOOL:
        snprintf(r->range, sizeof(r->range), "true, false");
        break;
    case FT_STRING:
        snprintf(r->range, sizeof(r->range), "< %zu bytes", f->size);
        break;
    case FT_LIST:
        snprintf(r->range, sizeof(r->range), "<= %d groups", f->max_count);
        break;
    }
    if (f->flags & F_REQ)
        snprintf(r->def, sizeof(r->def), "required");
    else if (f->def)
        snprintf(r->def, sizeof(r->def), "%s", f->def);
    else if (f->type == FT_STRING)
        snprintf(r->def, sizeof(r->def), "\"\"");
    else if (f->type == FT_LIST)
        snprintf(r->def, sizeof(r->def), "none");
    else
        snprintf(r->def, sizeof(r->def), "0");
}

static void print_schema(const struct schema *sc, const char *prefix,
                         int markdown, FILE *out)
{
    size_t i;
    struct key_row r;
    char sub[2 * TCE_NAME_MAX];

    for (i = 0; i < sc->n_fields; i++) {
        const struct field *f = &sc->fields[i];

        row_of(f, prefix, &r);
        if (markdown)
            fprintf(out, "| `%s` | %s | %s | %s | %s | %s |\n", r.key, r.type,
                    r.unit, r.range, r.def, r.help);
        else
            fprintf(out, "%-46s %-7s %-14s %-26s %-16s %s\n", r.key, r.type,
                    r.unit, r.range, r.def, r.help);
        if (f->type == FT_LIST) {
            snprintf(sub, sizeof(sub), "%s%s[].", prefix, f->key);
            print_schema(f->elem, sub, markdown, out);
        }
    }
}

void tce_config_print_keys(enum tce_config_kind kind, FILE *out)
{
    const struct schema *sc = schema_of(kind);

    if (!sc)
        return;
    fprintf(out,
            "# %s file keys (units: GB/s = 1e9 bytes/s, Gbit/s = 1e9 "
            "bits/s, GiB = 2^30 bytes)\n",
            sc->name);
    fprintf(out, "# %-44s %-7s %-14s %-26s %-16s %s\n", "key", "type", "unit",
            "range", "default", "description");
    print_schema(sc, "", 0, out);
}

void tce_config_print_keys_markdown(enum tce_config_kind kind, FILE *out)
{
    const struct schema *sc = schema_of(kind);

    if (!sc)
        return;
    fprintf(out, "| key | type | unit | range | default | description |\n"
                 "|---|---|---|---|---|---|\n");
    print_schema(sc, "", 1, out);
}

/* ------------------------------------------------------------------------ */
/* Visiting a loaded struct                                                 */

static void visit_schema(const struct schema *sc, const void *obj,
                         const struct tce_config_origin *o, int slot0,
                         const char *prefix,
                         void (*fn)(const struct tce_config_value *, void *),
                         void *arg)
{
    size_t i;
    int e, n;

    for (i = 0; i < sc->n_fields; i++) {
        const struct field *f = &sc->fields[i];
        struct tce_config_value v;
        int slot = slot0 + (int)i;

        memset(&v, 0, sizeof(v));
        snprintf(v.key, sizeof(v.key), "%s%s", prefix, f->key);
        v.unit = f->unit ? f->unit : "";
        v.help = f->help;
        v.is_default = slot < TCE_CONFIG_SLOTS_MAX ? !o->is_set[slot] : 0;
        switch (f->type) {
        case FT_INT:
            v.type = TCE_CONFIG_INT;
            v.i = field_int(obj, f);
            break;
        case FT_DOUBLE:
            v.type = TCE_CONFIG_DOUBLE;
            v.d = field_double(obj, f);
            break;
        case FT_BOOL:
            v.type = TCE_CONFIG_BOOL;
            v.i = field_int(obj, f) != 0;
            break;
        case FT_STRING:
            v.type = TCE_CONFIG_STRING;
            v.s = (const char *)obj + f->offset;
            break;
        case FT_ENUM: {
            int64_t k = field_int(obj, f), c = 0;

            while (f->names[c])
                c++;
            v.type = TCE_CONFIG_ENUM;
            v.s = k >= 0 && k < c ? f->names[k] : "?";
            break;
        }
        case FT_LIST: {
            char sub[4 * TCE_NAME_MAX];
            int base = list_slot_base(sc, i);

            memcpy(&n, (const char *)obj + f->count_offset, sizeof(n));
            for (e = 0; e < n && e < f->max_count; e++) {
                snprintf(sub, sizeof(sub), "%.60s%.60s[%d].", prefix, f->key,
                         e);
                visit_schema(f->elem,
                             (const char *)obj + f->offset +
                                 (size_t)e * f->elem->elem_size,
                             o, base + e * (int)f->elem->n_fields, sub, fn,
                             arg);
            }
            continue;
        }
        }
        fn(&v, arg);
    }
}

int tce_config_visit(enum tce_config_kind kind, const void *obj,
                     void (*fn)(const struct tce_config_value *v, void *arg),
                     void *arg)
{
    const struct schema *sc = schema_of(kind);
    const struct tce_config_origin *o;

    if (!sc || !obj)
        return TCE_EUSAGE;
    if (kind == TCE_CONFIG_TOPOLOGY)
        o = &((const struct tce_topology *)obj)->origin;
    else if (kind == TCE_CONFIG_JOB)
        o = &((const struct tce_job *)obj)->origin;
    else
        o = &((const struct tce_calibration *)obj)->origin;
    visit_schema(sc, obj, o, 0, "", fn, arg);
    return 0;
}
