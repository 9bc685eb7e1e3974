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

/* A tag unique per (direction, microbatch, chunk), if the emulator prefers
 * tags to FIFO order: (chunk * m + microbatch) * 2 + backward. */
int64_t tce_schedule_tag(int64_t m, const struct tce_sched_step *s);

/* Pipeline bubble as a fraction of the ideal time: (p-1)/(v*m). */
double tce_schedule_bubble_fraction(int64_t p, int64_t v, int64_t m);

#endif
