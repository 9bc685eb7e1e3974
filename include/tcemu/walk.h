/*
 * walk.h - the order in which one rank executes its plan in one iteration,
 * behind a table of function pointers (IOR's aiori habit): the emulator's
 * MPI backend (src/runtime/cmd_run.c) runs each op for real; a model
 * backend that only counts or advances a clock runs the same walk in unit
 * tests.  Pure; no MPI.
 *
 * The walk (plan.h):
 *   ITER_BEGIN (all ops; the overlapped param all-gather is posted here)
 *   for each step of tce_schedule_step(p, v, m, stage, k):
 *     forward:  [recv from PREV] [EMBED_FWD] layers [HEAD_FWD | send NEXT]
 *               after the first forward step: wait(PARAM_GATHER)
 *     backward: on the last step first: ITER_END's overlapped ops (the
 *               gradient buckets), then
 *               [recv from NEXT] [HEAD_BWD] layers reversed [EMBED_BWD]
 *               [send PREV]
 *   wait(GRAD_REDUCE), then ITER_END's other ops (optimizer)
 * Every list execution ends with list_end(list) (where communication
 * overlapped with the list's compute is completed).
 */
#ifndef TCEMU_WALK_H
#define TCEMU_WALK_H

#include "tcemu/error.h"
#include "tcemu/plan.h"

/* The wait points of an iteration. */
enum tce_walk_wait {
    TCE_WALK_WAIT_PARAM_GATHER, /* after the first forward step: the
                                   overlapped param all-gather (ITER_BEGIN) */
    TCE_WALK_WAIT_GRAD_REDUCE,  /* before the optimizer: the overlapped
                                   gradient buckets (ITER_END) */
};

/* "param_gather", "grad_reduce". */
const char *tce_walk_wait_name(enum tce_walk_wait w);
/* The list whose deferred ops a wait completes (ITER_BEGIN, ITER_END). */
enum tce_plan_list tce_walk_wait_list(enum tce_walk_wait w);

struct tce_walk_backend {
    /* Execute op index of list (op->count repetitions).  0 or an error the
     * walk returns at once. */
    int (*op)(void *ctx, enum tce_plan_list list, int index);
    /* A list's execution is over. */
    int (*list_end)(void *ctx, enum tce_plan_list list);
    /* Complete the overlapped ops posted earlier (PARAM_GATHER after the
     * first forward step, GRAD_REDUCE before the optimizer). */
    int (*wait)(void *ctx, enum tce_walk_wait what);
};

/* Ops posted early and completed at a wait point: overlap FORWARD or
 * BACKWARD collectives (DP/EDP buckets, param all-gather). */
int tce_walk_is_deferred(const struct tce_op *op);

/* Walk one iteration of plan.  0, the backend's error, or TCE_EUSAGE from
 * the schedule (err filled). */
int tce_walk_iteration(const struct tce_plan *plan,
                       const struct tce_walk_backend *be, void *ctx,
                       struct tce_error *err);

#endif
