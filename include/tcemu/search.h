/*
 * search.h - find the best layouts of a job on a topology.
 *
 * Enumerates every layout (tp, pp, vpp, cp, ep, dp, micro batch,
 * recompute none/selective/full, distributed optimizer on/off) at one or
 * more GPU counts, projects each through a backend (the projector in the
 * CLI, a toy model in tests), keeps those that fit memory and ranks them by
 * time to train or by cost.  Pure: no I/O (report_search.h prints).
 *
 * Shapes enumerated (necessary conditions; the backend rejects the rest):
 *   tp   divides gpus, heads and query groups, tp <= the scale-up ranks
 *        the layout places the job on (tce_layout_scale_up_ranks)
 *   pp   divides gpus / tp; with vpp, a split the layout accepts
 *        (tce_layout_check_layers: layers, plus the embedding / loss slots
 *        when the job accounts for them, even over pp x vpp; or the job's
 *        uneven first / last stages)
 *   vpp  1, or (pp > 1) up to max_vpp, and the microbatch count a multiple
 *        of pp (Megatron's interleaving rule)
 *   cp   divides gpus / (tp pp), seq_length divisible by 2 cp, <= max_cp
 *   dp   gpus / (tp pp cp), divides global_batch_size
 *   ep   1 for dense models; else divides dp and num_experts
 *   b    divides global_batch / dp, <= max_micro_batch
 *   sequence_parallel = (tp > 1); distributed optimizer on and off (only
 *   off when dp * cp = 1, where it changes nothing).
 *   A job with a pipeline_model_parallel_layout (DeepSeek-V3) gets, for
 *   each pp x vpp, the layout Megatron-Bridge's rule builds for it
 *   (tce_search_bridge_layout); pp x vpp = 1 runs without one.
 *
 * Pruning (off with brute_force): for each (tp, pp, vpp, cp, ep, dist-opt)
 * the smallest-memory variant (smallest micro batch, full recomputation) is
 * projected first; when even it does not fit, the other micro batches and
 * recompute modes of the shape are skipped without projecting them.  This
 * relies on memory growing with the micro batch and with less recomputation
 * (true of model.h's formulas); the brute-force test checks the answer is
 * the same.
 */
#ifndef TCEMU_SEARCH_H
#define TCEMU_SEARCH_H

#include <stddef.h>
#include <stdint.h>

#include "tcemu/config.h"
#include "tcemu/economics.h"
#include "tcemu/error.h"
#include "tcemu/projector.h"
#include "tcemu/scenario.h"

#define TCE_SEARCH_TOP_MAX 64
#define TCE_SEARCH_EXPLAIN_MAX 16
#define TCE_SEARCH_GPUS_MAX 256

/* What the backend reports for one candidate. */
struct tce_search_eval {
    double iteration_s;
    double compute_s;               /* compute on the critical path */
    double bubble_s;                /* pipeline bubble */
    double exposed_comm_s;          /* exposed TP + CP + EP + DP + PP */
    struct tce_breakdown breakdown; /* the projector's parts (all 0 when
                                     the backend does not split them) */
    double model_tflops_per_gpu;
    double hardware_tflops_per_gpu;
    double optimizer_s;
    double memory_bytes;   /* per accelerator, worst stage */
    double capacity_bytes; /* HBM */
    double limit_bytes;    /* the most a layout may use: HBM less the
                              search's hbm_headroom (set by the search,
                              not the backend) */
    int fits_memory;       /* the backend's fit; with a headroom, also
                              memory_bytes <= limit_bytes */
    double mfu;
    double hfu;
    double tokens_per_s;
};

struct tce_search_backend {
    /* Project job (its parallel and training fields set to the candidate,
     * parallel.num_gpus = gpus).  0, or a negative TCE_E* code when the
     * shape is not a valid layout (counted as invalid, not fatal). */
    int (*project)(void *ctx, const struct tce_topology *topo,
                   const struct tce_job *job, struct tce_search_eval *out);
    void *ctx;
};

enum tce_search_by { TCE_SEARCH_BY_TIME, TCE_SEARCH_BY_COST };

/* The largest --hbm-headroom (search, compare, plot pareto). */
#define TCE_SEARCH_HBM_HEADROOM_MAX 0.9

struct tce_search_opts {
    int n_gpus;
    int64_t gpus[TCE_SEARCH_GPUS_MAX];
    enum tce_search_by by;
    int top_k;                           /* 1 .. TCE_SEARCH_TOP_MAX */
    int explain;                         /* rejected alternatives to explain */
    int brute_force;                     /* 1: no pruning */
    const struct tce_contract *contract; /* NULL: on-demand list price */
    int64_t max_micro_batch;             /* 0 = 16 */
    int64_t max_vpp;                     /* 0 = 8 */
    int64_t max_cp;                      /* 0 = 16 */
    double hbm_headroom;                 /* fraction of HBM a layout must
                                            leave free, [0, TCE_SEARCH_
                                            HBM_HEADROOM_MAX]: modelled
                                            memory <= (1 - it) x HBM
                                            (0 = the projector's fit) */
};

void tce_search_opts_init(struct tce_search_opts *o);

/* One candidate, projected and priced. */
struct tce_search_hit {
    int64_t gpus, tp, pp, vpp, cp, ep, dp;
    int64_t micro_batch, microbatches;
    enum tce_recompute recompute;
    int distributed_optimizer;
    int sequence_parallel;
    /* search2 (issue 11): for a job with a pipeline_model_parallel_layout,
     * the layout this (pp, vpp) runs with (tce_search_bridge_layout);
     * layout_set 0: the job's own pipeline fields are kept */
    int layout_set;
    char pipeline_layout[64];
    struct tce_search_eval eval;
    double ideal_days;    /* failure-free time to train */
    struct tce_econ econ; /* failures, bill, energy */
    double score;         /* days or USD: lower is better */
};

enum tce_search_reason {
    TCE_SEARCH_LOST_MEMORY, /* faster, but does not fit */
    TCE_SEARCH_LOST_BUBBLE,
    TCE_SEARCH_LOST_COMM,    /* exposed communication */
    TCE_SEARCH_LOST_COMPUTE, /* slower kernels, recomputation */
    TCE_SEARCH_LOST_OPTIMIZER,
    TCE_SEARCH_LOST_COST, /* same speed class, more expensive */
};

struct tce_search_reject {
    struct tce_search_hit hit;
    enum tce_search_reason reason;
    double delta_s; /* the reason's time versus the best */
};

struct tce_search_result {
    int n_top;
    struct tce_search_hit top[TCE_SEARCH_TOP_MAX];
    int n_explained;
    struct tce_search_reject explained[TCE_SEARCH_EXPLAIN_MAX];
    int64_t candidates; /* enumerated (projected + pruned) */
    int64_t projected;  /* backend calls */
    int64_t pruned;     /* skipped: their shape cannot fit */
    int64_t invalid;    /* backend said not a valid layout */
    int64_t no_fit;     /* projected, over memory */
    int64_t fits;       /* projected, fit */
    double elapsed_s;
    double candidates_per_s;
    /* the job's own layout (its file's tp, pp, vpp, cp, ep, micro batch,
     * recompute, distributed optimizer, sequence parallel) at the pick's
     * GPU count, projected and priced the same way (margin.h compares) */
    int own_status;  /* 1 projected (fitting or not), 0 not a valid layout
                        at that count, -1 not tried (nothing fits) */
    int own_is_pick; /* the pick is that layout */
    struct tce_search_hit own;
};

/*
 * Search.  out->n_top is 0 (and TCE_ENOFIT returned) when nothing fits;
 * other errors come from the economics (a contract without a price).
 */
int tce_search_run(const struct tce_topology *topo, const struct tce_job *job,
                   const struct tce_search_opts *opts,
                   const struct tce_search_backend *be,
                   struct tce_search_result *out, struct tce_error *err);

/*
 * GPU counts in [lo, hi] (whole nodes) at which the job has at least one
 * shape by the rules above: tp * pp * cp * dp with tp | heads, groups and
 * tp <= the scale-up ranks at that count (tce_layout_scale_up_ranks), pp
 * a split tce_layout_check_layers accepts (with
 * vpp 1), cp in 1..16 with seq_length
 * divisible by 2 cp, dp | global_batch_size.  Sorted, unique; when there
 * are more than max, thinned geometrically (each kept count at least
 * `step` times the previous, step >= 1; 1 keeps all that fit in max).
 * Returns the count.
 */
int tce_search_valid_scales(const struct tce_topology *topo,
                            const struct tce_job *job, int64_t lo, int64_t hi,
                            double step, int64_t *out, int max);

/* The projector (projector.h) as a search backend: tce_project() with the
 * scenario's cost model (scenario.h).  The search's topology must be the
 * scenario's (&s->topo) and the job's precision the scenario's job's (a
 * candidate of any other is reported invalid, TCE_EUSAGE); s must outlive
 * the backend's use. */
void tce_search_projector_backend(struct tce_scenario *s,
                                  struct tce_search_backend *be);

/* The projector backend with a compute-time cache (projector.h): the
 * measured table is interpolated once per op shape over the whole search,
 * results identical.  sp (about 700 KB: allocate it) is the backend's
 * context and must outlive its use. */
struct tce_search_projector {
    struct tce_scenario *s;
    struct tce_compute_cache cache;
};
void tce_search_projector_backend_cached(struct tce_search_projector *sp,
                                         struct tce_scenario *s,
                                         struct tce_search_backend *be);

/* Price a hit under contract c (NULL: on-demand list price) through
 * tce_econ_evaluate: its failure-free time times time_scale (1: as
 * projected), the accelerators' load its compute share of the iteration.
 * out may be &h->econ. */
int tce_search_price(const struct tce_topology *topo,
                     const struct tce_contract *c, double checkpoint_bytes,
                     const struct tce_search_hit *h, double time_scale,
                     struct tce_econ *out, struct tce_error *err);

/* 1 when two hits are one layout at one GPU count. */
int tce_search_same_layout(const struct tce_search_hit *a,
                           const struct tce_search_hit *b);

/*
 * search2 (issue 11): the pipeline_model_parallel_layout Megatron-Bridge
 * builds for `stages` = pp x vpp virtual stages of `layers` decoder layers
 * and `mtp` MTP layers (recipes/deepseek/h100/deepseek_v3.py,
 * _get_deepseek_v3_pipeline_layout, commit 067f987df03b: its table is this
 * rule at 4, 8 and 16 stages, and the H100 recipe's "Et|(tt|)*30mL" at
 * 32): per = ceil(layers / stages) decoder layers in every stage; the
 * first also holds the embedding, the last the remainder, the MTP layers
 * and the loss; where (stages - 1) per is more than layers, the first
 * stage gives up the excess and the last holds no decoder layer.
 * Written in Megatron's compact syntax ("Et*4|(t*4|)*14tmL").  0, or -1
 * when the split is impossible (stages < 2, or the excess is more than
 * per) or buf is too small.
 */
int tce_search_bridge_layout(int64_t layers, int64_t mtp, int64_t stages,
                             char *buf, size_t size);

/* Apply a hit's layout to a copy of a job (parallel and training fields). */
void tce_search_apply(const struct tce_search_hit *h, struct tce_job *job);

const char *tce_search_reason_name(enum tce_search_reason r);

#endif
