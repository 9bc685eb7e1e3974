/*
 * runstats.h - the arithmetic of `tcemu run`'s results, apart from MPI:
 * every op of the plan (an op class: list x index, plus the two exposed DP
 * waits) timed on every rank over the measured iterations, combined across
 * ranks, measured against modelled, and summed by charge (compute, tp, cp,
 * ep, dp, pp, optimizer) with their ratios.
 *
 * The runtime records struct tce_runstats_class per rank, fills its
 * contribution with tce_runstats_local(), reduces every field across ranks
 * with the operation tce_runstats_fields[] names (one MPI_Allreduce per
 * field: src/runtime/run_results.c), then reads the result through the
 * functions below.  tce_runstats_merge() is that reduction done in memory
 * (tests, or gathers done another way).  Pure; no MPI, no I/O.
 *
 * Every figure is either measured (min_s, max_s, sum_s, per_iter) or
 * modelled (modeled_s, modeled_full_s): the names say which.
 */
#ifndef TCEMU_RUNSTATS_H
#define TCEMU_RUNSTATS_H

#include <stddef.h>
#include <stdint.h>

#include "tcemu/breakdown.h"
#include "tcemu/plan.h"
#include "tcemu/stats.h"

/* Op classes: list * TCE_PLAN_OPS_MAX + index for the plan's ops, then
 * the exposed waits for the deferred (overlapped) DP/EDP collectives, what
 * the projector calls exposed DP time. */
#define TCE_RUNSTATS_PLAN_CLASSES (TCE_PLAN_LIST_COUNT * TCE_PLAN_OPS_MAX)
#define TCE_RUNSTATS_WAIT_PARAM TCE_RUNSTATS_PLAN_CLASSES
#define TCE_RUNSTATS_WAIT_GRAD (TCE_RUNSTATS_PLAN_CLASSES + 1)
#define TCE_RUNSTATS_CLASSES (TCE_RUNSTATS_PLAN_CLASSES + 2)

/* One op class on one rank, over the measured iterations. */
struct tce_runstats_class {
    int used;              /* executed (warm-up included) */
    int64_t execs;         /* measured executions (repetitions counted) */
    double sum_s;          /* measured seconds, all executions */
    double bytes;          /* bytes moved per execution (scaled) */
    double real_bytes;     /* the plan's bytes per execution */
    double modeled_s;      /* cost model, per execution, moved bytes */
    double modeled_full_s; /* cost model, per execution, real bytes */
};

/* Per class, combined over ranks.  A rank that did not run a class
 * contributes the operation's identity (+inf to min, -inf to max, 0 to
 * sums), so an unused class has users 0. */
struct tce_runstats {
    double min_s[TCE_RUNSTATS_CLASSES];    /* measured: min over ranks of
                                              each rank's mean per exec */
    double max_s[TCE_RUNSTATS_CLASSES];    /* measured: max of the same */
    double sum_s[TCE_RUNSTATS_CLASSES];    /* measured: sum of the same */
    double users[TCE_RUNSTATS_CLASSES];    /* ranks that ran the class */
    double per_iter[TCE_RUNSTATS_CLASSES]; /* executions per iteration */
    double modeled_s[TCE_RUNSTATS_CLASSES];
    double modeled_full_s[TCE_RUNSTATS_CLASSES];
    double bytes[TCE_RUNSTATS_CLASSES];
    double real_bytes[TCE_RUNSTATS_CLASSES];
};

enum tce_runstats_op { TCE_RUNSTATS_MIN, TCE_RUNSTATS_MAX, TCE_RUNSTATS_SUM };

/* One row per array of struct tce_runstats: how ranks combine it. */
struct tce_runstats_field {
    const char *name;
    size_t offset; /* of the array in struct tce_runstats */
    enum tce_runstats_op op;
};

#define TCE_RUNSTATS_FIELDS 9
extern const struct tce_runstats_field tce_runstats_fields[TCE_RUNSTATS_FIELDS];

/* The array of field f (TCE_RUNSTATS_CLASSES doubles). */
double *tce_runstats_array(struct tce_runstats *s, int f);

/* This rank's contribution from its classes (TCE_RUNSTATS_CLASSES of
 * them) and its measured iteration count. */
void tce_runstats_local(struct tce_runstats *s,
                        const struct tce_runstats_class *cls,
                        int64_t measured);

/* Combine another rank's contribution (or partial result) into s. */
void tce_runstats_merge(struct tce_runstats *s,
                        const struct tce_runstats *other);

/* Whether any rank ran class c; the mean over those ranks of each rank's
 * mean time per execution (measured; 0 when none ran it). */
int tce_runstats_ran(const struct tce_runstats *s, int c);
double tce_runstats_avg_s(const struct tce_runstats *s, int c);

/* Iterations: the time of iteration k is the max over ranks (iter_max_s,
 * n measured iterations); out gets min/avg/max over them (n 0: empty). */
void tce_runstats_iterations(const double *iter_max_s, int64_t n,
                             struct tce_stats *out);
/* One rank's mean iteration (0 when n is 0). */
double tce_runstats_rank_mean_s(const double *iter_s, int64_t n);

/* Busy time per iteration and rank by charge: sum over classes of
 * executions per iteration x mean time, measured and modelled.
 * charge[c]: enum tce_charge of class c, or TCE_CHARGE_NONE for a class
 * not counted (the waits, sends); model_scale[c]: multiplier of the
 * modelled time (the time scale for compute, 1 for communication).
 * pp_bubble_s (modelled) is added to the pp charge when pp was measured:
 * receives wait for the other stages. */
struct tce_runstats_charges {
    double measured_s[TCE_CHARGE_COUNT];
    double modeled_s[TCE_CHARGE_COUNT];
};

void tce_runstats_charge_totals(const struct tce_runstats *s,
                                const int *charge, const double *model_scale,
                                double pp_bubble_s,
                                struct tce_runstats_charges *out);

/* measured / modelled, 0 when modelled is not positive. */
double tce_runstats_ratio(double measured_s, double modeled_s);

#endif
