/*
 * schema_cal.c - the calibration file's schema table: measured links,
 * collective patterns, compute tables (GEMMs, attention) and the training
 * stack's overhead; one row per key, built with schema_int.h's macros.
 * The lookups over every schema are in schema.c and slots.c.
 */
#include <stddef.h>
#include <stdint.h>

#include "schema_int.h"

static const char *const dtype_names[] = {"bf16", "fp8", NULL};


#define CS struct tce_calibration
#define CL struct tce_calibration_link

static const struct field link_fields[] = {
    ENUM(CL, link, "link", F_REQ, tce_cfg_link_names, NULL,
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

/* links (issue 10 item 6): calibration.collectives, one measured
 * collective pattern per entry (types.h, linkcal.h). */
#define CC struct tce_calibration_coll
#define I40 (INT64_C(1) << 40)
static const char *const coll_kind_names[] = {
    "allreduce", "allgather", "reducescatter", "alltoall", "sendrecv", NULL};
static const struct field coll_fields[] = {
    ENUM(CC, kind, "kind", F_REQ, coll_kind_names, NULL,
         "collective: allreduce, allgather, reducescatter, alltoall or "
         "sendrecv"),
    ENUM(CC, span, "span", F_REQ, tce_cfg_link_names, NULL,
         "where the group reaches: scale_up (inside a node), scale_out "
         "(across nodes) or fabric (across first-tier switches)"),
    I64(CC, concurrency, "concurrency", F_REQ, 1, I20, NULL, "groups",
        "groups per node using its links at once"),
    I64(CC, group_ranks, "group_ranks", F_REQ, 2, I30, NULL, "ranks",
        "ranks in one measured group"),
    I64(CC, ranks_per_node, "ranks_per_node", F_REQ, 1, I20, NULL, "ranks",
        "members of one group on one node"),
    I64(CC, medium_from_bytes, "medium_from_bytes", F_REQ, 0, I40, NULL,
        "bytes", "first size of the medium regime (small below)"),
    I64(CC, large_from_bytes, "large_from_bytes", F_REQ, 0, I40, NULL,
        "bytes", "first size of the large (bandwidth-bound) regime"),
    DBL(CC, small_latency_us, "small_latency_us", F_REQ, 0.0, 1e6, NULL, "us",
        "small regime: latency per step of the closed form"),
    DBL(CC, small_bandwidth_gbytes_per_s, "small_bandwidth_gbytes_per_s",
        F_REQ | F_OPEN, 0.0, 1e6, NULL, "GB/s",
        "small regime: bandwidth of the busiest link"),
    DBL(CC, medium_latency_us, "medium_latency_us", F_REQ, 0.0, 1e6, NULL,
        "us", "medium regime: latency per step"),
    DBL(CC, medium_bandwidth_gbytes_per_s, "medium_bandwidth_gbytes_per_s",
        F_REQ | F_OPEN, 0.0, 1e6, NULL, "GB/s", "medium regime: bandwidth"),
    DBL(CC, large_latency_us, "large_latency_us", F_REQ, 0.0, 1e6, NULL, "us",
        "large regime: latency per step"),
    DBL(CC, large_bandwidth_gbytes_per_s, "large_bandwidth_gbytes_per_s",
        F_REQ | F_OPEN, 0.0, 1e6, NULL, "GB/s", "large regime: bandwidth"),
    DBL(CC, rms_rel_error, "rms_rel_error", 0, 0.0, 1e6, "0", "",
        "RMS relative error of the three lines over the points"),
    I64(CC, points, "points", 0, 0, I30, "0", "", "measured sizes fitted"),
    I64(CC, min_bytes, "min_bytes", 0, 0, I40, "0", "bytes",
        "smallest size measured (0: not recorded)"),
    I64(CC, max_bytes, "max_bytes", 0, 0, I40, "0", "bytes",
        "largest size measured (0: not recorded); beyond it the large "
        "regime's line is extrapolated"),
    ARR(CC, point_bytes, n_point_bytes, "point_bytes", 0, 1.0, 1e13,
        TCE_CALIB_POINTS_MAX, "bytes",
        "the sizes measured, increasing (with point_us)"),
    ARR(CC, point_us, n_point_us, "point_us", 0, 0.0, 1e12,
        TCE_CALIB_POINTS_MAX, "us",
        "the time measured at each size (the mean over ranks of each "
        "rank's mean): an op between two sizes is priced from them (on "
        "another group shape carried by the closed forms)"),
};
static const struct schema coll_schema = {TCE_CONFIG_CALIBRATION,
                                          "collectives", coll_fields,
                                          N_FIELDS(coll_fields), sizeof(CC)};

#define CG struct tce_computetable_gemm
#define CA struct tce_computetable_attention

static const struct field gemm_fields[] = {
    I64(CG, m, "m", F_REQ, 1, I30, NULL, "tokens",
        "rows of the input: tokens (sequence x micro batch)"),
    I64(CG, n, "n", F_REQ, 1, I30, NULL, "features",
        "output features of the (TP-sharded) weight"),
    I64(CG, k, "k", F_REQ, 1, I30, NULL, "features",
        "input features of the (TP-sharded) weight"),
    ENUM(CG, dtype, "dtype", F_REQ, dtype_names, NULL, "bf16 or fp8"),
    DBL(CG, fwd_s, "fwd_s", 0, 0.0, 1e6, "0", "s",
        "forward x @ W; 0 = not timed"),
    DBL(CG, dgrad_s, "dgrad_s", 0, 0.0, 1e6, "0", "s",
        "input gradient g @ W^T; 0 = not timed"),
    DBL(CG, wgrad_s, "wgrad_s", 0, 0.0, 1e6, "0", "s",
        "weight gradient x^T @ g; 0 = not timed"),
};
static const struct schema gemm_schema = {TCE_CONFIG_CALIBRATION, "gemms",
                                          gemm_fields, N_FIELDS(gemm_fields),
                                          sizeof(CG)};

static const struct field attention_fields[] = {
    I64(CA, shape.micro_batch_size, "micro_batch_size", F_REQ, 1, I20, NULL,
        "sequences", "micro batch"),
    I64(CA, shape.num_attention_heads, "num_attention_heads", F_REQ, 1, I20,
        NULL, "heads", "query heads of the TP shard"),
    I64(CA, shape.num_query_groups, "num_query_groups", F_REQ, 1, I20, NULL,
        "heads", "KV heads of the TP shard (divides the query heads)"),
    I64(CA, shape.kv_channels, "kv_channels", F_REQ, 1, I20, NULL, "",
        "head dim"),
    I64(CA, shape.seq_length, "seq_length", F_REQ, 1, I30, NULL, "tokens",
        "sequence length"),
    BOOL(CA, shape.causal, "causal", "true", "causal mask"),
    I64(CA, shape.window_size, "window_size", 0, 0, I30, "0", "tokens",
        "sliding window; 0 = none"),
    DBL(CA, forward_s, "forward_s", F_REQ | F_OPEN, 0.0, 1e6, NULL, "s",
        "forward"),
    DBL(CA, forward_backward_s, "forward_backward_s", F_REQ | F_OPEN, 0.0,
        1e6, NULL, "s", "forward and backward"),
};
static const struct schema attention_schema = {
    TCE_CONFIG_CALIBRATION, "attention", attention_fields,
    N_FIELDS(attention_fields), sizeof(CA)};

static const struct field calibration_fields[] = {
    STR(CS, tcemu_version, "calibration.tcemu_version", F_NONEMPTY,
        "tcemu that measured the links (required with links)"),
    STR(CS, mpi_library, "calibration.mpi_library", 0,
        "MPI library (required with links)"),
    ENUM(CS, link_path, "calibration.path", 0, tce_cfg_link_path_names, "mpi_ranks",
         "what was measured: mpi_ranks (MPI ranks, host memory) or "
         "nccl_device (NCCL on the GPUs, from nccl-tests)"),
    STR(CS, date, "calibration.date", F_REQ | F_NONEMPTY,
        "when (ISO 8601, UTC)"),
    STR(CS, hosts, "calibration.hosts", 0, "hosts, comma-separated"),
    I64(CS, ranks, "calibration.ranks", 0, 1, I30, NULL, "ranks",
        "MPI ranks of the measurement (required with links)"),
    I64(CS, ranks_per_node, "calibration.ranks_per_node", 0, 1, I20, NULL,
        "ranks", "ranks per node (required with links)"),
    LIST(CS, links, n_links, "calibration.links", 0, &link_schema,
         TCE_LINK_CLASSES,
         "fitted parameters, one entry per link class (required without "
         "compute)"),
    STR(CS, compute.device, "calibration.compute.device", F_NONEMPTY,
        "accelerator measured (required with compute)"),
    STR(CS, compute.driver, "calibration.compute.driver", 0, "driver version"),
    STR(CS, compute.software, "calibration.compute.software", 0,
        "CUDA, libraries, versions"),
    STR(CS, compute.date, "calibration.compute.date", F_NONEMPTY,
        "when measured (ISO 8601; required with compute)"),
    STR(CS, compute.measured_by, "calibration.compute.measured_by", 0,
        "who measured"),
    STR(CS, compute.method, "calibration.compute.method", 0,
        "how it was timed"),
    STR(CS, compute.stack.framework, "calibration.compute.stack.framework", 0,
        "training framework (PyTorch, Megatron-LM, ...)"),
    STR(CS, compute.stack.framework_version,
        "calibration.compute.stack.framework_version", 0, "its version"),
    BOOL(CS, compute.stack.flash_attention,
         "calibration.compute.stack.flash_attention", "false",
         "fused (flash) attention kernels"),
    BOOL(CS, compute.stack.cuda_graphs, "calibration.compute.stack.cuda_graphs",
         "false", "CUDA graphs"),
    STR(CS, compute.stack.fp8_recipe, "calibration.compute.stack.fp8_recipe",
        0, "FP8 recipe; \"\" = none"),
    DBL(CS, compute.elementwise_gbytes_per_s,
        "calibration.compute.elementwise_gbytes_per_s", 0, 0.0, 1e6, "0",
        "GB/s", "bandwidth of memory-bound kernels; 0 = not measured"),
    DBL(CS, compute.launch_gap_us, "calibration.compute.launch_gap_us", 0,
        0.0, 1e6, "0", "us", "time per kernel beyond its bytes"),
    DBL(CS, compute.sustained_ratio, "calibration.compute.sustained_ratio",
        F_OPEN, 0.0, 1.0, "1", "",
        "tensor throughput the device holds under sustained back-to-back "
        "load over the rows' (rows timed as short bursts run at a boost "
        "clock the board's power cannot hold): GEMM and attention rows are "
        "divided by it; 1 = rows timed at the sustained clock (the "
        "collector soaks first)"),
    LIST(CS, compute.gemms, compute.n_gemms, "calibration.compute.gemms", 0,
         &gemm_schema, TCE_COMPUTETABLE_GEMMS_MAX,
         "GEMM times by the linear layer's forward shape"),
    LIST(CS, compute.attention, compute.n_attention,
         "calibration.compute.attention", 0, &attention_schema,
         TCE_COMPUTETABLE_ATTENTION_MAX, "fused attention times"),
    /* stack: the stack overhead fitted from framework logs (stack.h) */
    DBL(CS, stack_overhead.per_iteration_s,
        "calibration.stack_overhead.per_iteration_s", 0, 0.0, 1e4, "0", "s",
        "time per iteration beyond the model (required with "
        "stack_overhead)"),
    DBL(CS, stack_overhead.per_microbatch_s,
        "calibration.stack_overhead.per_microbatch_s", 0, 0.0, 1e4, "0", "s",
        "time per microbatch beyond the model (required with "
        "stack_overhead)"),
    STR(CS, stack_overhead.stack.framework,
        "calibration.stack_overhead.stack.framework", 0,
        "framework the logs ran"),
    STR(CS, stack_overhead.stack.framework_version,
        "calibration.stack_overhead.stack.framework_version", 0,
        "its version"),
    ENUM(CS, stack_overhead.stack.attention_backend,
         "calibration.stack_overhead.stack.attention_backend", 0,
         tce_attention_backend_names, "unspecified", "attention backend"),
    BOOL(CS, stack_overhead.use_flash_attn,
         "calibration.stack_overhead.stack.use_flash_attn", "true",
         "fused (flash) attention"),
    BOOL(CS, stack_overhead.stack.cuda_graphs,
         "calibration.stack_overhead.stack.cuda_graphs", "false",
         "CUDA graphs"),
    STR(CS, stack_overhead.stack.fp8_recipe,
        "calibration.stack_overhead.stack.fp8_recipe", 0,
        "FP8 recipe; \"\" = none"),
    STR(CS, stack_overhead.fitted_from,
        "calibration.stack_overhead.fitted_from", 0,
        "the framework logs fitted (required with stack_overhead)"),
    STR(CS, stack_overhead.date, "calibration.stack_overhead.date", 0,
        "when fitted (ISO 8601, UTC)"),
    I64(CS, stack_overhead.points, "calibration.stack_overhead.points", 0,
        0, I30, "0", "",
        "(microbatches, median iteration time) points fitted (>= 2)"),
    I64(CS, stack_overhead.microbatches_min,
        "calibration.stack_overhead.microbatches_min", 0, 0, I30, "0",
        "microbatches", "fewest microbatches per iteration fitted"),
    I64(CS, stack_overhead.microbatches_max,
        "calibration.stack_overhead.microbatches_max", 0, 0, I30, "0",
        "microbatches", "most microbatches per iteration fitted"),
    DBL(CS, stack_overhead.rms_rel_error,
        "calibration.stack_overhead.rms_rel_error", 0, 0.0, 1e6, "0", "",
        "RMS relative error of the fit over its points"),
    /* links: measured collective patterns (after every older key, so the
     * writer keeps older files' bytes) */
    LIST(CS, colls, n_colls, "calibration.collectives", 0, &coll_schema,
         TCE_CALIB_COLLS_MAX,
         "measured collectives per kind, span, group shape and concurrency, "
         "in three size regimes (needs links)"),
};
static const struct schema calibration_schema = {
    TCE_CONFIG_CALIBRATION, "calibration", calibration_fields,
    N_FIELDS(calibration_fields), sizeof(CS)};

const struct schema *tce_cfg_calibration_schema(void)
{
    return &calibration_schema;
}
