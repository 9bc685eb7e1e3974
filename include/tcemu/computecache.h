/*
 * computecache.h - compute ops' times (tce_cost_compute_op_s) remembered
 * by op, for callers that project many layouts with one cost model.
 */
#ifndef TCEMU_COMPUTECACHE_H
#define TCEMU_COMPUTECACHE_H

#include <stdint.h>

#include "tcemu/costmodel.h"
#include "tcemu/plan.h"

/*
 * A cache of compute ops' times (tce_cost_compute_op_s, one repetition)
 * keyed by the whole op (every field the cost can read, so a new op field
 * never gives a stale time), for callers that project many layouts with
 * one cost model (search, a one-shot loop): the measured table's
 * interpolation runs once per shape.  Owned by the caller (about 700 KB:
 * allocate it); bound to the first cost model it is used with and emptied
 * when another one comes (the cost model must not change in place).  A
 * full neighbourhood replaces its first entry.  No globals.
 */
#define TCE_COMPUTE_CACHE_SLOTS 4096 /* a power of two */
#define TCE_COMPUTE_CACHE_PROBE 4
struct tce_compute_cache {
    const struct tce_costmodel *cm;
    int64_t hits, misses;
    unsigned char used[TCE_COMPUTE_CACHE_SLOTS];
    uint64_t hash[TCE_COMPUTE_CACHE_SLOTS];
    double s[TCE_COMPUTE_CACHE_SLOTS];
    struct tce_op op[TCE_COMPUTE_CACHE_SLOTS];
};

void tce_compute_cache_init(struct tce_compute_cache *c);

/* tce_cost_compute_op_s(cm, op, NULL), from c when it holds op (c NULL:
 * computed). */
double tce_compute_cache_op_s(struct tce_compute_cache *c,
                              const struct tce_costmodel *cm,
                              const struct tce_op *op);

#endif
