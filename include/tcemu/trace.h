/*
 * trace.h - timelines as Chrome trace-event JSON (the "JSON Object Format"
 * that Perfetto and chrome://tracing open): one process per engine, one
 * track (thread) per rank or pipeline stage, one complete event ("ph":
 * "X") per op with its start and duration in microseconds and its details
 * in "args".  Written through the JSON encoder, so strings are escaped and
 * the document is closed even when a run stops early.
 *
 *   struct tce_trace t;
 *   tce_trace_begin(&t, fp, "tcemu run", "measured");
 *   tce_trace_track(&t, 0, "rank 0 (node1)");
 *   struct tce_trace_event e = { .name = "qkv", .cat = "compute",
 *       .track = 0, .start_us = 12.5, .dur_us = 140.0 };
 *   tce_trace_event(&t, &e);
 *   tce_trace_end(&t);
 *
 * Used by `tcemu run --trace` (measured, per rank) and `tcemu project
 * --trace` (modelled, per pipeline stage).
 */
#ifndef TCEMU_TRACE_H
#define TCEMU_TRACE_H

#include <stdint.h>
#include <stdio.h>

#include "tcemu/json.h"

#define TCE_TRACE_ARGS_MAX 8

struct tce_trace {
    struct tce_json j;
    int pid;                 /* one process per trace */
};

/* One argument shown with the event: a string (s != NULL) or a number. */
struct tce_trace_arg {
    const char *key;
    const char *s;
    double d;
};

struct tce_trace_event {
    const char *name;        /* op name */
    const char *cat;         /* "compute", "tp", "dp", "pp", "wait", ... */
    int64_t track;           /* rank or stage: the thread id */
    double start_us;         /* from the trace's time origin */
    double dur_us;           /* >= 0 */
    int n_args;
    struct tce_trace_arg args[TCE_TRACE_ARGS_MAX];
};

/* Open the document: {"displayTimeUnit": "ms", "otherData": {...},
 * "traceEvents": [ and the process name (engine: "measured" or
 * "modelled"). */
void tce_trace_begin(struct tce_trace *t, FILE *out, const char *title,
                     const char *engine);
/* Name track `track` (a thread_name metadata event) and keep the tracks in
 * that order (thread_sort_index). */
void tce_trace_track(struct tce_trace *t, int64_t track, const char *name);
/* A complete event. */
void tce_trace_event(struct tce_trace *t, const struct tce_trace_event *e);
/* Close the array and the document. */
void tce_trace_end(struct tce_trace *t);

#endif
