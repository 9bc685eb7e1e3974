/*
 * opcost.h - the per-op model of one microbatch on one pipeline stage:
 * every op of the stage's per-microbatch lists (embedding, dense and MoE
 * layers, head, p2p; forward and backward) with its modelled time, FLOPs,
 * bytes, achieved rate and efficiency, and where the time came from (a
 * measured compute table, the topology's curve, or the link model).  What
 * `tcemu project --ops` prints: why a layer costs what it costs.
 *
 * Times are those the projector uses (tce_cost_compute_op_s for compute,
 * tce_cost_op_s for communication), one run each; `per_microbatch` says
 * how often an op runs per microbatch on the stage (the layer count for
 * layer ops, the op's count included), and the totals add the compute
 * ops' time x per_microbatch (communication, hidden or not, apart).
 * Efficiency: a GEMM's achieved FLOP/s over the peak of the job's
 * precision; an element-wise op's achieved bytes/s over the HBM datasheet
 * bandwidth; 0 for communication.  Launches: the host's kernel launches
 * of one run, eager or graphed, and per layer the host's launch time
 * beside its GPU time.  Pure, no allocation.
 */
#ifndef TCEMU_OPCOST_H
#define TCEMU_OPCOST_H

#include <stdint.h>

#include "tcemu/costmodel.h"
#include "tcemu/error.h"
#include "tcemu/layout.h"
#include "tcemu/plan.h"

#define TCE_OPCOST_ROWS_MAX 256

struct tce_opcost_row {
    const char *list;          /* "dense_fwd", "dense_bwd", "head_fwd", ... */
    const char *name;          /* the op's name */
    const char *kind;          /* "compute" or the collective / p2p kind */
    int64_t per_microbatch;    /* runs per microbatch on this stage */
    double s;                  /* one run, modelled */
    double flops;              /* one run */
    double bytes;              /* one run: HBM bytes, or bytes per rank */
    double tflops;             /* achieved (compute with FLOPs), 1e12/s */
    double efficiency;         /* see above */
    const char *source;        /* "table", "table (interpolated)",
                                  "table (bandwidth)", "curve", "links",
                                  "links (calibrated)" */
    int64_t gemm_m, gemm_n, gemm_k; /* a linear layer's shape, or 0 */
    /* host (issue 11): kernel launches of one run (hostsync.h) and how:
     * "eager" (the host launches each), "graph" (replayed from a CUDA
     * graph), "" (communication: counted with the compute ops) */
    int64_t launches;
    const char *launch;
};

struct tce_opcost {
    int64_t stage;
    int64_t gpus;
    int n;
    struct tce_opcost_row rows[TCE_OPCOST_ROWS_MAX];
    double compute_s;          /* per microbatch: compute ops x runs */
    double layer_fwd_bwd_s[2]; /* one dense (0) / MoE (1) layer's compute,
                                  forward + backward; 0 when none */
    double layer_host_s[2];    /* host (issue 11): the host's launch time
                                  of the same (tce_cost_list_launch_s; the
                                  projector charges the larger, or after a
                                  sync the host's launches after it plus
                                  the GPU's work before it) */
    int table_ops, curve_ops;  /* compute ops by source */
};

/* Fill out from plan (built for its stage) with cm and the layout's spans.
 * 0, or TCE_ERANGE when the rows do not fit. */
int tce_opcost_stage(const struct tce_plan *plan,
                     const struct tce_costmodel *cm,
                     const struct tce_span spans[TCE_GROUP_COUNT],
                     struct tce_opcost *out, struct tce_error *err);

#endif
