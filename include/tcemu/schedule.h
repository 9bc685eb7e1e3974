/*
 * schedule.h - pipeline schedules: 1F1B (v == 1) and Megatron's interleaved
 * 1F1B (v > 1, requires m % p == 0), for p stages, v virtual stages per
 * rank and m microbatches.  Pure arithmetic (src/schedule.c); plan.h walks
 * a stage's ops in this order, the projector prices the bubble.
 */
#ifndef TCEMU_SCHEDULE_H
#define TCEMU_SCHEDULE_H

#include <stdint.h>

#include "tcemu/error.h"

struct tce_sched_step {
    int backward;            /* 0 forward, 1 backward */
    int64_t microbatch;      /* 0 .. m-1 */
    int64_t chunk;           /* 0 .. v-1 */
};

/* Steps per stage and iteration: 2 * v * m. */
int64_t tce_schedule_len(int64_t v, int64_t m);

/* Warm-up forwards of a stage: 1F1B min(p-stage-1, m); interleaved
 * min((p-stage-1)*2 + (v-1)*p, v*m). */
int64_t tce_schedule_warmup(int64_t p, int64_t v, int64_t m, int64_t stage);

/*
 * Step k (0 .. 2vm-1) of stage's sequence, in O(1): warm-up forwards, then
 * alternating one forward and one backward, then cool-down backwards.
 * 0, or TCE_EUSAGE for bad arguments (m % p != 0 with v > 1, k out of
 * range).
 */
int tce_schedule_step(int64_t p, int64_t v, int64_t m, int64_t stage,
                      int64_t k, struct tce_sched_step *out,
                      struct tce_error *err);

/* The i-th backward step (0 .. v m - 1) of any stage: backwards run in
 * this order on every stage (1F1B and interleaved). */
void tce_schedule_backward_nth(int64_t p, int64_t v, int64_t i,
                               struct tce_sched_step *out);

/* A tag unique per (direction, microbatch, chunk), if the emulator prefers
 * tags to FIFO order: (chunk * m + microbatch) * 2 + backward. */
int64_t tce_schedule_tag(int64_t m, const struct tce_sched_step *s);

/* Pipeline bubble as a fraction of the ideal time with equal stages:
 * (p-1)/(v*m). */
double tce_schedule_bubble_fraction(int64_t p, int64_t v, int64_t m);

/* One pipeline stage's time per microbatch (all its v chunks): forward
 * and backward, each communication that is not hidden included. */
struct tce_sched_stage_s {
    double fwd_s, bwd_s;
};

/*
 * The span of the schedule's steps (no p2p, no DP, no optimizer) for p
 * stages of unequal times st[0..p-1], in closed form: Narayanan et al.,
 * "Efficient Large-Scale Language Model Training on GPU Clusters Using
 * Megatron-LM" (SC21, arXiv 2104.04473) sec. 2.2 give (m + (p-1)/v) T for
 * equal stages; generalised, the span is the longest of the paths through
 * each stage s,
 *   m T_s + (U_s + E_s) / v,   T_s = f_s + b_s,
 *   U_s = sum_{i<s} T_i        (fill before s and drain after it),
 *   R_s = sum_{j>s} T_j        (the round trip below s),
 *   E_s = max(D_s, R_s - (m-1) f_s, R_s - (m-1) b_s, 0),
 *   D_s = max(0, R_s - k w f_s) + max(0, R_s - k w b_s) when m > w, else 0,
 * w = p-1-s the 1F1B warm-up forwards that hide the round trip before the
 * stage's first backward (and the cool-down backwards before its last
 * one), k = 1 for 1F1B and 2 interleaved (Megatron's warm-up runs
 * 2(p-1-s) chunk forwards beyond the (v-1)p that fill the earlier
 * chunks).  Exact for equal stages; against a discrete-event walk of
 * tce_schedule_step over random stages (+-50%) it is within a few per cent
 * (test_schedule).  O(p).
 */
double tce_schedule_span_s(int64_t p, int64_t v, int64_t m,
                           const struct tce_sched_stage_s *st);

/* The same for stages in three classes, in O(1): st3[0] the first stage,
 * st3[1] each middle stage (1 .. p-2), st3[2] the last (p > 1). */
double tce_schedule_span3_s(int64_t p, int64_t v, int64_t m,
                            const struct tce_sched_stage_s st3[3]);

/*
 * Exposed time of communication overlapped with the schedule's last (or
 * first) steps: `total` seconds of buckets (the largest `bucket` s) split
 * evenly over the v chunks of a stage whose backward (forward) per
 * microbatch, all chunks, takes step_s.  Chunk c's gradients are final
 * after its last microbatch's backward, and the interleaved cool-down runs
 * chunks v-1 .. 0, p steps each (tce_schedule_step): chunk c's share is
 * released during its last backward step, c p steps before the end, and
 * the buckets go out one after another (Megatron-LM's DDP with
 * overlap_grad_reduce, one bucket group per model chunk).  So
 *   exposed = max(bucket, max_c ((c+1) total - (c p + 1) step_s) / v),
 * at most total; v = 1: max(bucket, total - step_s).  The param
 * all-gather (overlap_param_gather) mirrors it over the warm-up's first
 * forwards (chunk c first runs c p steps after the start).  overlap 0:
 * total.
 */
double tce_schedule_overlap_exposed_s(double total, double bucket,
                                      double step_s, int64_t p, int64_t v,
                                      int overlap);

/*
 * The DP gradient reduce and param all-gather of pipeline stage `stage`,
 * exposed beyond the schedule's span (whose end is the first stage's last
 * backward, drain_s after this stage's; whose start is this stage's first
 * forward minus fill_s).  Megatron-LM (schedules.py, DDP with
 * overlap_grad_reduce):
 *  - align_grad_reduce off: the bucket hooks reduce each chunk's buckets
 *    as its last microbatch's backward makes them final:
 *    tce_schedule_overlap_exposed_s, less the drain.
 *  - align_grad_reduce on (Megatron's default): grad_sync_func launches
 *    chunk c's whole reduce `stage` backward steps after its last one
 *    (virtual microbatch - pipeline rank), so that the stages' reduces
 *    line up in time; chunks whose turn falls past the loop go out after
 *    it.  Chunk c goes out max(0, c p - stage) chunk steps before the
 *    stage's end, chunks one after another (v-1 first):
 *      exposed = max(0, max_c ((c+1) total - max(0, c p - stage) step)
 *                / v - drain_s);
 *    1F1B (v = 1): the first stage reduces during its last backward
 *    (max(one bucket, total - step)), the others after it, under the
 *    drain: max(0, total - drain_s).
 *  - param all-gather (overlap_param_gather): chunk c's share is needed by
 *    the end of chunk c's first forward step (c p steps after this
 *    stage's start, the warm-up runs chunk 0 first), all of it launched
 *    at the start: max(0, tce_schedule_overlap_exposed_s(...) - fill_s).
 */
struct tce_sched_dp {
    double total_s, bucket_s; /* all buckets; the largest one */
    double step_s;            /* the stage's backward (forward for the
                                 gather) per microbatch, all chunks */
    double edge_s;            /* drain_s after the stage's last step
                                 (reduce), or fill_s before its first
                                 (gather) */
    int64_t p, v, stage;
    int overlap;              /* overlap_grad_reduce / _param_gather */
    int align;                /* align_grad_reduce (reduce only) */
};

double tce_schedule_grad_reduce_exposed_s(const struct tce_sched_dp *d);
double tce_schedule_param_gather_exposed_s(const struct tce_sched_dp *d);

#endif
