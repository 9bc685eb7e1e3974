/*
 * stats.h - the emulator's small numeric helpers: running min/avg/max,
 * medians, chunking of counts above INT_MAX, one byte-scaling factor, and
 * the routing-skew split of MoE all-to-all traffic.  Pure; no MPI.
 */
#ifndef TCEMU_STATS_H
#define TCEMU_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "tcemu/error.h"

struct tce_stats {
    int64_t n;
    double min, max, sum;
};

void tce_stats_init(struct tce_stats *s);
void tce_stats_add(struct tce_stats *s, double x);
/* sum / n, 0 when empty. */
double tce_stats_avg(const struct tce_stats *s);

/* Median of v[0..n) (sorts v in place); 0 when n == 0. */
double tce_stats_median(double *v, size_t n);

/*
 * Chunking: a count of elements split into calls of at most max_per_call
 * (INT_MAX for MPI 3.1).  tce_stats_chunks() is the number of calls (0 for
 * count 0); tce_stats_chunk_count() the count of call i.
 */
int64_t tce_stats_chunks(int64_t count, int64_t max_per_call);
int64_t tce_stats_chunk_count(int64_t count, int64_t max_per_call, int64_t i);

/*
 * Byte scaling: the one factor (0 < f <= 1) by which every message is
 * multiplied so the largest per-rank buffer need_bytes fits max_bytes.
 * 1.0 when it fits.  tce_stats_scale_bytes() applies it, rounding down to
 * a multiple of elem_bytes and never below one element when bytes > 0.
 */
double tce_stats_byte_scale(int64_t need_bytes, int64_t max_bytes);
int64_t tce_stats_scale_bytes(int64_t bytes, double scale, int64_t elem_bytes);

/*
 * Routing skew: split total elements among n destinations.  The hottest
 * destination (index hot) receives (1 + skew) times the fair share total/n;
 * the others share the rest equally; the sum is exactly total.  skew in
 * [0, n-1]; 0 is a uniform split.  0 or TCE_ERANGE.
 */
int tce_stats_skew_split(int64_t total, int n, double skew, int hot,
                         int64_t *counts, struct tce_error *err);

#endif
