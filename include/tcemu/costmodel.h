/*
 * costmodel.h - how long one operation of a plan takes on a topology.
 *
 * Compute: roofline per op,
 *     t = max(flops / (peak * eff(g)), bytes / (hbm * memory_efficiency))
 *     eff(g) = matmul_efficiency * g / (g + matmul_half_gflop)
 * with g the FLOPs of one GEMM of the op in GFLOP (a batched GEMM counts one
 * member of the batch: attention's per-head products are small GEMMs), and
 * peak the bf16 or fp8 dense peak as the job's precision says (the bf16
 * peak for ops flagged TCE_OP_F_BF16: attention in FP8 jobs); a fused
 * attention backward (TCE_OP_F_FUSED_ATTENTION) does 1.25x its op's FLOPs
 * (it recomputes the scores).  wgrad (issue 11): a linear layer's backward
 * the plan marks (main_grad_bytes, wgradcost.h) is two rooflines, its
 * dgrad and its wgrad GEMM (the wgrad's bytes incl. its main_grad read and
 * write), plus an unfused main_grad add pass; from a measured table, the
 * measured passes plus what the main_grad traffic adds to the wgrad's
 * roofline and the add pass at the table's element-wise rate.
 *
 * Measured compute: when the topology names a compute table
 * (accelerator.compute_calibration) or the calibration file carries one
 * (the calibration's wins), ops the table covers are timed from it
 * (computetable.h: exact rows or interpolation) instead of the curve:
 *   linear layer (op gemm_m, gemm_n, gemm_k): forward the fwd time, the
 *     backward op dgrad + wgrad, times the op's GEMMs of that shape
 *     (flops / 2mnk: the experts of an MoE layer);
 *   fused attention (op attn): forward, or forward+backward - forward,
 *     times the op's FLOPs over the shape's (forward: the table's count,
 *     computetable.h; backward: twice it): an op carrying a share of the
 *     layers' attention calls (sliding-window patterns, plan.h);
 *   element-wise (no FLOPs): bytes / elementwise bandwidth + launch gap.
 * Ops the table does not cover (other shapes, unfused attention, MLA,
 * router) keep the curve; tce_cost_compute_op_s says which was used.
 *
 * GEMM shapes (shape, issue 11): a topology without a table of its own may
 * name another accelerator's (accelerator.gemm_shape_reference); a linear
 * layer's pass the curve times and that table covers runs at
 *     eff = matmul_efficiency * fraction   (no size term)
 * with fraction the pass's rate there over its large GEMMs' rate, at most 1
 * (gemmshape.h; an FP8 pass's losses x peak_fp8 / peak_bf16).
 *
 * Sustained load (sust): a training step runs its kernels back to back, so
 * the SM clock falls to what the board's power cap allows, while short
 * benchmarks run at the boost clock (the HBM clock holds).  A table's
 * GEMM and attention rows are divided by its sustained_ratio (1 when it
 * was timed after a soak, below 1 when timed as short bursts: the shipped
 * H100 table, 0.964 measured on the same device); the curve's FLOP-bound
 * time (GEMM roofline and both pipes of fused attention) by
 * accelerator.sustained_compute_ratio (B200 0.853, measured; 1 where not
 * measured).  Element-wise and memory-bound time keep theirs.
 *
 * Precision per op (issue 11): a linear layer marked TCE_OP_F_FP8 runs at
 * the FP8 peak and the table's FP8 rows (a shape measured in BF16 only:
 * its BF16 time over the FP8 speed-up the table measured on the largest
 * shape it holds in both, 1.76 at 8192^3 on the H100 profile); every other
 * op at the BF16 peak (attention stays BF16 under Transformer Engine's FP8
 * recipes).  SMs held by overlapped EP communication (a communication
 * op's comm_sms) are charged by the projector's list time, for as long as
 * the communication runs under the list's compute.
 *
 * Communication: alpha-beta per link class (struct tce_link: latency,
 * bandwidth, efficiency per collective kind), n ranks, M bytes (plan.h's
 * nccl-tests "size" convention), W bandwidth per rank, L latency:
 *   ring all-reduce      2(n-1) L + 2 (n-1)/n M / W
 *   ring all-gather / reduce-scatter   (n-1) L + (n-1)/n M / W
 *   recursive doubling (all-reduce: the tree of small messages)
 *                        ceil(log2 n) (L + M / W)     (the faster is taken)
 *   two-level, for groups spanning scale-up domains with k > 1 members per
 *   domain: reduce-scatter inside the domain, all-reduce of M/k across the
 *   D = n/k domains, all-gather inside (all-gather / reduce-scatter: the
 *   matching halves); taken when faster than the flat ring on the slowest
 *   link
 *   all-to-all          (n-1) L + max(inside part (k-1)/n M / W_up,
 *                        outside part (n-k)/n M / W_out)
 * Inside a scale-up domain W = scale_up bandwidth x efficiency.  Across
 * domains W_out = the node's NIC bandwidth (nics x per-NIC) x efficiency,
 * shared by the node's ranks that use the NICs at the same time
 * (tce_span.nic_ranks), divided by the oversubscription of the highest
 * fabric tier the group crosses; latency = scale_out latency + each crossed
 * tier's added latency.  Every figure comes from the topology; a calibration
 * file overrides latency, bandwidth and per-kind efficiency per link class.
 */
#ifndef TCEMU_COSTMODEL_H
#define TCEMU_COSTMODEL_H

#include "tcemu/config.h"
#include "tcemu/error.h"
#include "tcemu/gemmshape.h" /* shape (issue 11) */
#include "tcemu/layout.h"
#include "tcemu/linkcal.h"
#include "tcemu/plan.h"

struct tce_link {
    double latency_s;
    double bandwidth_bytes_per_s; /* scale_up: per accelerator; scale_out:
                                     per node (all NICs); fabric: 0 = no
                                     cap, else per rank across tiers */
    double efficiency;            /* achievable fraction of bandwidth */
    double kind_efficiency[TCE_COLL_COUNT]; /* per collective kind, 1.0 by
                                     default; from a calibration file */
    int calibrated;               /* 1 when a calibration file set it */
};

struct tce_costmodel {
    double peak_flops;            /* per accelerator, the job's precision */
    double bf16_peak_flops;       /* attn (issue 11): ops flagged
                                     TCE_OP_F_BF16 (attention) */
    double matmul_efficiency;
    double matmul_half_flops;     /* matmul_half_gflop * 1e9; 0 = flat */
    double hbm_bytes_per_s;
    double memory_efficiency;
    struct tce_link link[TCE_LINK_CLASSES];
    int n_tiers;
    double tier_oversubscription[TCE_FABRIC_TIERS_MAX];
    double tier_latency_s[TCE_FABRIC_TIERS_MAX];
    int calibrated;               /* any link calibrated */
    enum tce_dtype dtype;         /* the job's precision, for the table */
    int has_table;                /* 1: compute from `table` where covered */
    int table_from_calibration;   /* 1: the calibration's, 0: topology's */
    struct tce_computetable table;/* a copy (the cost model owns it) */
    struct tce_stack_overhead stack_overhead; /* stack: the calibration's
                                     (stack.h), charged once per iteration
                                     by the projector; points 0 = none */
    /* moe (issue 11): per-op precision, SMs, FP8 from BF16 rows */
    double fp8_peak_flops;        /* TCE_OP_F_FP8 linears (bf16 if none) */
    double sm_count;              /* accelerator.sm_count */
    double launch_gap_s;          /* eager, per kernel, on the host:
                                     node.host_launch_gap_us (the stack's
                                     cost per launch), else the table's
                                     measured launch gap */
    int launch_gap_from_node;     /* host (issue 11): launch_gap_s is the
                                     topology's node figure (a calibrated
                                     table's bare gap does not replace
                                     it) */
    double graph_launch_gap_s;    /* per kernel under CUDA graphs */
    double ep_overlap_host_s;     /* node.ep_overlap_host_us (eppair.h) */
    double host_link_bytes_per_s; /* node.host_link_gbytes_per_s (offload.h);
                                     0 = offload copies hidden */
    double attention_efficiency;  /* fitd: accelerator's; 0 = GEMM curve */
    double curve_sustained;       /* sust: accelerator.sustained_compute_
                                     ratio: the curve's FLOP-bound time is
                                     divided by it (1 = not measured) */
    double exp_per_s;             /* bw: SFU exponentials per second (attncost.h); 0 = not modelled */
    double mxfp8_gemm_rate;       /* gemm: MXFP8 GEMM rate relative to
                                     tensorwise FP8 (gemmcost.h); 1 = same */
    double curve_ceiling[TCE_DTYPE_COUNT]; /* ceil: where the measured
                                     table holds GEMMs of a dtype, the
                                     curve's large-GEMM efficiency for that
                                     dtype is the table's own (the median
                                     of its saturated GEMMs at the
                                     sustained clock:
                                     tce_cost_curve_ceilings), in place of
                                     matmul_efficiency x curve_sustained;
                                     0 = none */
    int fp8_any_layout;           /* gemm: FP8 GEMM takes any layout */
    /* shape (issue 11): accelerator.gemm_shape_reference, another
     * accelerator's measured GEMM rows.  Where the curve times a linear
     * layer's pass and this table covers its (m, n, k) (the same lookup
     * as a table of the accelerator's own, computetable.h), the curve's
     * efficiency is matmul_efficiency x the pass's rate in this table
     * over its large GEMMs' rate, at most 1 (gemmshape.h), in place
     * of the GFLOP-only matmul_half_gflop term: the tile and wave
     * quantisation and short-depth mainloops of a shape (a grouped
     * expert GEMM's few tokens an expert) that a GEMM's size alone does
     * not show.  has_shape_reference 0: none */
    int has_shape_reference;
    struct tce_computetable shape_reference; /* a copy */
    struct tce_gemmshape shape;   /* derived from it once (gemmshape.h) */
    double table_fp8_speedup;     /* BF16 / FP8 time of the largest shape
                                     the table measured in both (0: none):
                                     an FP8 shape measured in BF16 only */
    struct tce_linkcal linkcal;   /* measured collective patterns (a
                                     calibration's `collectives`), n = 0
                                     when none: see linkcal.h */
};

/* Where a compute op's time came from. */
enum tce_compute_source {
    TCE_COMPUTE_CURVE,        /* the topology's curve (roofline above) */
    TCE_COMPUTE_CURVE_SHAPE,  /* shape (issue 11): the curve at the shape
                                 reference's fraction (gemmshape.h) */
    TCE_COMPUTE_TABLE_EXACT,  /* a measured row of the op's shape */
    TCE_COMPUTE_TABLE_INTERPOLATED, /* between measured rows */
    TCE_COMPUTE_TABLE_BANDWIDTH,    /* element-wise: measured bandwidth */
};

/* "curve", "curve (shape)", "table", "table (interpolated)", "table
 * (bandwidth)". */
const char *tce_compute_source_name(enum tce_compute_source s);

/* Fill from the topology; precision picks bf16 or fp8 peak (fp8 without an
 * fp8 peak falls back to bf16).  TCE_ECONFIG when a figure is missing. */
int tce_costmodel_init(struct tce_costmodel *cm,
                       const struct tce_topology *topo,
                       enum tce_precision precision, struct tce_error *err);

/* Override link parameters with a calibration file's fitted ones.  The
 * scale_out entry's bandwidth is per rank as measured with ranks_per_node
 * ranks per node sharing the NICs: node bandwidth = bw x ranks_per_node. */
void tce_costmodel_calibrate(struct tce_costmodel *cm,
                             const struct tce_calibration *cal);

/* ceil (issue 10): fill cm->curve_ceiling from cm's table (has_table):
 * per dtype, the median achieved forward efficiency (2 m n k / time /
 * the dtype's peak) of its GEMM rows large enough for the curve to be
 * saturated (2 m n k >= 100 x matmul_half_gflop), x the table's
 * sustained_ratio.  A shape the table does not cover is then priced at
 * the same accelerator's measured large-GEMM efficiency, not at a
 * matmul_efficiency estimated elsewhere: outside a measured table the
 * curve runs no faster than the table's large GEMMs did. */
void tce_cost_curve_ceilings(struct tce_costmodel *cm);

/* sust: the table's sustained_ratio where it names one in (0, 1], else 1:
 * its GEMM and attention rows run at that fraction of their timed rate. */
double tce_cost_table_sustained(const struct tce_costmodel *cm);

/* GEMM efficiency of one GEMM of gemm_flops FLOPs (0: element-wise). */
double tce_cost_matmul_efficiency(const struct tce_costmodel *cm,
                                  double gemm_flops);

/* Time of one compute op (one repetition): from the measured table where
 * it covers the op, else the roofline; source (may be NULL) says which. */
double tce_cost_compute_op_s(const struct tce_costmodel *cm,
                             const struct tce_op *op,
                             enum tce_compute_source *source);

/* Roofline time of a compute op. */
double tce_cost_compute_s(const struct tce_costmodel *cm, double flops,
                          double gemm_flops, double bytes);

/* moe (issue 11): roofline time at the BF16 peak, or the FP8 peak (fp8 != 0;
 * the BF16 peak on an accelerator without one). */
double tce_cost_compute_dtype_s(const struct tce_costmodel *cm, double flops,
                                double gemm_flops, double bytes, int fp8);

/* fitd (issue 11): time of a fused attention op at the accelerator's
 * attention_efficiency of the BF16 (or FP8, fp8 != 0) peak: its FLOPs
 * (x 1.25 backward: the scores recomputed, 2.5x the forward's) over
 * peak x attention_efficiency x g / (g + matmul_half_gflop) (g: the op's
 * GEMM FLOPs: the GEMM curve's size dependence towards the attention
 * asymptote), or its bytes at the HBM rate if longer;
 * 0 when the accelerator names no attention efficiency.  bw (issue 11):
 * with accelerator.sfu_exp_tera_per_s, attncost.h's tensor and exponential
 * pipes at attention_efficiency, over the same size factor. */
double tce_cost_attention_s(const struct tce_costmodel *cm,
                            const struct tce_op *op, int fp8);

/* moe (issue 11), sync: the launch floor of a list: the host's time for
 * it (hostsync.h: its compute ops' kernel launches times
 * the launch gap, plus one gap per host-device sync), with the eager gap
 * node.host_launch_gap_us, else the table's launch_gap_us (0 without
 * either), accelerator.graph_launch_gap_us for TCE_OP_F_GRAPHED ops.  The
 * GPU runs ahead of the CPU's launches except after a sync, so a list
 * takes max(its compute, this). */
double tce_cost_list_launch_s(const struct tce_costmodel *cm,
                              const struct tce_op_list *l);

/* moe (issue 11): BF16 over FP8 forward time of the largest GEMM shape a
 * table measured in both dtypes; 0 when it has no such pair. */
double tce_cost_fp8_speedup(const struct tce_computetable *t);

/* Closed forms (n ranks, M bytes, W bytes/s per rank, L seconds). */
double tce_cost_ring_allreduce_s(double n, double M, double W, double L);
double tce_cost_ring_allgather_s(double n, double M, double W, double L);
double tce_cost_rd_allreduce_s(double n, double M, double W, double L);

/* The algorithm a collective time came from. */
enum tce_algo {
    TCE_ALGO_NONE,          /* n = 1: nothing to do */
    TCE_ALGO_RING,
    TCE_ALGO_RECURSIVE_DOUBLING,
    TCE_ALGO_HIERARCHICAL,
    TCE_ALGO_PAIRWISE,      /* all-to-all */
    TCE_ALGO_P2P,
    TCE_ALGO_MEASURED,      /* a measured pattern (linkcal.h) */
};
const char *tce_algo_name(enum tce_algo a);

/* Time of one collective of kind on a group that sits as span says.
 * algo may be NULL.  With measured patterns (cm->linkcal) the entry that
 * tce_cost_linkcal_find picks prices it (algo "measured"); without one,
 * the link class closed forms above. */
double tce_cost_collective_s(const struct tce_costmodel *cm,
                             enum tce_coll kind, const struct tce_span *span,
                             double bytes, enum tce_algo *algo);
/* deepep (issue 11): the same with the share of the NIC's line rate the
 * kernels reach across domains (wire_efficiency > 0: a plan op's
 * wire_efficiency, plan.h) in place of the scale-out link's efficiency and
 * calibration; wire_efficiency <= 0 is tce_cost_collective_s. */
double tce_cost_collective_wire_s(const struct tce_costmodel *cm,
                                  enum tce_coll kind,
                                  const struct tce_span *span, double bytes,
                                  double wire_efficiency, enum tce_algo *algo);

/* The measured pattern that prices a collective of kind on span (NULL
 * when none: *how says so; how may be NULL): span class scale_up inside
 * a scale-up domain, fabric when the group crosses a fabric tier above
 * the first and the calibration has fabric entries of that kind, else
 * scale_out; members per node span->ranks_per_node; concurrency
 * span->groups_per_node (the groups of the kind with members on one node,
 * all communicating at once). */
const struct tce_calibration_coll *
tce_cost_linkcal_find(const struct tce_costmodel *cm, enum tce_coll kind,
                      const struct tce_span *span,
                      enum tce_linkcal_match *how);

/* links: which measured patterns price a plan's communication (for the
 * reports: project's assumption line, run's header; not on the projection
 * path).  Every collective and p2p op of every list of the plan counts
 * once, by how tce_cost_linkcal_find matched it. */
struct tce_cost_linkcal_cover {
    int entries;                 /* patterns in the calibration */
    int exact, shape, none;      /* the plan's communication ops */
    char none_what[120];         /* the first unmatched op: "all_reduce dp
                                    (scale_out, 1 per node, 2 groups per
                                    node)", "" when none */
    int outside;                 /* matched ops whose size lies outside
                                    the sizes their pattern was measured
                                    at (tce_linkcal_outside): extrapolated */
    char outside_what[120];      /* the first: "all_reduce dp 10.1M bytes,
                                    measured 1.02k to 2.10M" */
};
void tce_cost_linkcal_cover(const struct tce_costmodel *cm,
                            const struct tce_plan *plan,
                            const struct tce_span spans[TCE_GROUP_COUNT],
                            struct tce_cost_linkcal_cover *out);
/* One sentence saying it ("" when the calibration has no patterns). */
void tce_cost_linkcal_cover_text(const struct tce_cost_linkcal_cover *c,
                                 char *buf, size_t len);

/* Time of one point-to-point message between pipeline neighbours (span of
 * TCE_GROUP_PP: crossing a domain when the pipeline does). */
double tce_cost_p2p_s(const struct tce_costmodel *cm,
                      const struct tce_span *span, double bytes);

/* Time of one op (one repetition: multiply by op->count), with the spans
 * of every group kind of the layout (indexed by enum tce_group). */
double tce_cost_op_s(const struct tce_costmodel *cm, const struct tce_op *op,
                     const struct tce_span spans[TCE_GROUP_COUNT]);

#endif
