/*
 * timeline.h - the modelled timeline of one iteration: every pipeline
 * stage's forward and backward steps per microbatch (and chunk), in the
 * order of schedule.h (1F1B, or interleaved with v > 1), with the
 * pipeline sends, the DP gradient reduce and param all-gather, and the
 * optimizer.  Written as Chrome trace-event JSON (trace.h) by
 * `tcemu project --trace FILE`.  Pure: no printing except into the stream
 * given to tce_timeline_trace.
 *
 * Rules (those of projector.h, played out step by step instead of in
 * closed form):
 *  - Each stage's plan (plan.h) is timed with the cost model: a forward or
 *    backward step of chunk c costs the stage's lists of that chunk
 *    (layers, embedding on the first virtual stage, logits and loss on the
 *    last), each list timed by the projector's rule
 *    (tce_projector_list_time: communication marked TCE_OVERLAP_COMPUTE
 *    hidden under the list's compute, the excess exposed).
 *  - A stage runs its steps in schedule order; a forward of virtual stage
 *    j waits for the activation sent by j-1, a backward for the gradient
 *    sent by j+1.  A send occupies its stage for the exposed part of one
 *    p2p message, as the projector counts it
 *    (tce_projector_p2p_message_s: all of it, or with interleaving and
 *    overlap_p2p_comm its latency and the transfer beyond a chunk step),
 *    and the message is there when it ends.  Waiting shows as a "wait"
 *    slice (the bubble).
 *  - Overlapped DP gradient buckets (overlap_grad_reduce) run on the
 *    stage's second track, back to back, chunk c's share (1/v of each
 *    op's repetitions; chunks finish v-1 first, 0 last) at a time, as the
 *    projector's rule (tce_schedule_grad_reduce_exposed_s): with
 *    align_grad_reduce (Megatron's default) as a whole, `stage` backward
 *    steps after chunk c's last backward (1F1B: stages after the first
 *    after the loop), those whose turn falls past the loop after it;
 *    without it, from the start of chunk c's last backward step
 *    (microbatch m-1), the last bucket no earlier than that step's end.  The overlapped
 *    param all-gather runs there from the start, chunk 0's share first,
 *    and chunk c's share is waited for after chunk c's first forward step.
 *    Then the optimizer step and the ITER_END ops that are not overlapped.
 * The timeline's span can differ slightly from the projector's closed-form
 * iteration (the slowest stage's steady work plus the closed-form fill and
 * drain of tce_schedule_span3_s, p2p as a sum): both are written into the
 * trace.
 */
#ifndef TCEMU_TIMELINE_H
#define TCEMU_TIMELINE_H

#include <stdint.h>
#include <stdio.h>

#include "tcemu/config.h"
#include "tcemu/costmodel.h"
#include "tcemu/error.h"
#include "tcemu/layout.h"

enum tce_tl_kind {
    TCE_TL_FORWARD,
    TCE_TL_BACKWARD,
    TCE_TL_SEND,     /* p2p to the next / previous stage */
    TCE_TL_WAIT,     /* idle: waiting for a message or overlapped comm */
    TCE_TL_COMM,     /* DP / param gather collective */
    TCE_TL_OPTIMIZER,
};

/* Events longer than this many per iteration are refused (a trace of
 * tens of MB): TCE_EUSAGE. */
#define TCE_TIMELINE_EVENTS_MAX 2000000

struct tce_tl_event {
    enum tce_tl_kind kind;
    int64_t stage;
    int overlapped;        /* on the stage's second (overlapped comm) track */
    int64_t microbatch;    /* -1 when none */
    int64_t chunk;         /* -1 when none */
    const char *name;      /* op name for COMM / OPTIMIZER, else NULL */
    int64_t count;         /* repetitions (DP buckets) in the slice */
    double start_s, dur_s;
    double compute_s, tp_s, cp_s, ep_s; /* FORWARD / BACKWARD: exposed */
};

struct tce_timeline {
    int64_t p, v, m;
    int n, cap;
    struct tce_tl_event *ev; /* malloc'ed */
    double span_s;           /* the last event's end */
};

/* The timeline of one iteration of job at layout (complete, as
 * tce_layout_init gives it) on topo with cm.  0, or an error (plan,
 * schedule, TCE_ENOMEM, TCE_EUSAGE past TCE_TIMELINE_EVENTS_MAX). */
int tce_timeline_build(const struct tce_topology *topo,
                       const struct tce_job *job,
                       const struct tce_costmodel *cm,
                       const struct tce_layout *layout,
                       struct tce_timeline *out, struct tce_error *err);

void tce_timeline_release(struct tce_timeline *t);

/* The trace: one track per stage (its steps, sends, waits, optimizer) and
 * one per stage for its overlapped communication, and a summary track with
 * the iteration (args: the timeline's span, projector_iteration_s,
 * bubble fraction).  projector_iteration_s < 0: unknown. */
void tce_timeline_trace(FILE *out, const struct tce_timeline *t,
                        const char *title, double projector_iteration_s);

#endif
