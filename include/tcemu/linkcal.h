/*
 * linkcal.h - measured collective patterns (a calibration file's
 * `collectives` entries, struct tce_calibration_coll): the rule an entry
 * obeys, the closed forms that carry a measurement to another group size,
 * and the choice of the entry that prices an op.  Pure; no allocation.
 *
 * Why: one alpha-beta line per link class (calibfit.h) prices every
 * collective the same way, but a step runs collectives whose time depends
 * on more than the link: the kind (its algorithm and how many bytes cross
 * the busiest link), where the group reaches (inside a node, across nodes,
 * across switches), the message size (latency-bound small messages, medium
 * ones, bandwidth-bound large ones: protocol switches such as Open MPI's
 * TCP eager limit or NCCL's LL/LL128/Simple bend the line) and how many
 * groups of the node use its NIC at once (a DP all-reduce with one member
 * per node: every rank of the node runs its own ring through the NIC; a TP
 * group spanning two nodes: one ring for the whole node).  `tcemu
 * calibrate` measures each pattern the ranks can form and writes one entry
 * per (kind, span, group shape, concurrency).
 *
 * An entry's model, for n ranks with m on each node and M bytes
 * (nccl-tests' size convention, coll.h):
 *     t = steps(kind, n) x L_r + load(kind, span, n, m) x M / W_r
 * with r the size regime of M (small below medium_from_bytes, large from
 * large_from_bytes, medium between) and
 *   steps: all-reduce 2(n-1); all-gather, reduce-scatter, all-to-all
 *          (n-1); send/recv 1 (the ring and pairwise closed forms of
 *          costmodel.h);
 *   load:  the bytes the busiest link carries per byte of M.  Inside a
 *          node it is nccl-tests' bus factor (all-reduce 2(n-1)/n, the
 *          others (n-1)/n, send/recv 1: nccl-tests doc/PERFORMANCE.md,
 *          bus bandwidth is what stays constant over n).  Across nodes it
 *          is what one node's NIC carries each way for one group, with
 *          members of a node consecutive in the ring (the rank order of
 *          the layout): a ring leaves each node once per step, so
 *          all-reduce 2(n-1)/n and all-gather / reduce-scatter (n-1)/n
 *          whatever m; an all-to-all sends every member's outside part,
 *          m (n-m)/n; send/recv 1.
 * Fitting inverts the same forms on the measured group (n0, m0):
 * L_r = a_r / steps(n0), W_r = load(n0, m0) / b_r for each regime's line
 * t = a_r + b_r M, and carries the measurement to other n (and other m,
 * same concurrency) by the closed forms.
 *
 * An entry that records its measured points (point_bytes, point_us) prices
 * a size between two of them from the points: the time interpolated
 * between the two (each piece the alpha-beta line through its two
 * points), times the closed forms' ratio of the op's shape to the measured
 * one (1 for the measured shape): so an entry reproduces its own
 * measurement, and the regime lines shape the carry and price sizes
 * outside the points.  Why: each regime's line is a least-squares fit,
 * and where the measured curve bends its value at a measured size moves
 * with the regime boundary.  Measured (2026-11-29, 2 namespace hosts, TCP
 * through a 100 Mbit/s token bucket, 15 calibrations): the 512 KiB
 * all-to-all's point at 43-46 ms (mean over ranks), the lines through it
 * at 45.6 or 50 ms as the large regime began at 64 or 512 KiB.
 *
 * An entry also records the smallest and largest size it was measured at
 * (min_bytes, max_bytes): an op outside them is priced by the nearest
 * regime's line, extrapolated, and the reports count such ops.
 *
 * Which entry prices an op (tce_linkcal_find): the op's kind and span
 * class, then
 *   exact:  same members per node and same concurrency;
 *   shape:  same concurrency, another group shape (the closed forms carry
 *           it to the op's n and m);
 *   none:   no entry of that kind, span and concurrency: the caller falls
 *           back to the link class figures (costmodel.h) and says so.
 */
#ifndef TCEMU_LINKCAL_H
#define TCEMU_LINKCAL_H

#include <stdint.h>

#include "tcemu/coll.h"
#include "tcemu/error.h"
#include "tcemu/types.h"

/* Size regimes of an entry. */
enum tce_linkcal_regime {
    TCE_LINKCAL_SMALL,  /* latency-bound */
    TCE_LINKCAL_MEDIUM,
    TCE_LINKCAL_LARGE,  /* bandwidth-bound */
};
#define TCE_LINKCAL_REGIMES 3

/* How an op found its entry. */
enum tce_linkcal_match {
    TCE_LINKCAL_NONE,   /* no entry: link class figures */
    TCE_LINKCAL_EXACT,  /* same kind, span, members per node, concurrency */
    TCE_LINKCAL_SHAPE,  /* same kind, span, concurrency; other shape */
};

/* "small", "medium", "large"; "none", "exact", "shape". */
const char *tce_linkcal_regime_name(enum tce_linkcal_regime r);
const char *tce_linkcal_match_name(enum tce_linkcal_match m);

/* steps(kind, n) and load(kind, span, n, m) above (0 for n < 2 or a kind
 * without an entry). */
double tce_linkcal_steps(enum tce_coll kind, double n);
double tce_linkcal_load(enum tce_coll kind, enum tce_link_class span,
                        double n, double m);

/* The regime of a size for e. */
enum tce_linkcal_regime
tce_linkcal_regime_of(const struct tce_calibration_coll *e, double bytes);

/* Latency (s) and bandwidth (bytes/s) of regime r. */
void tce_linkcal_regime_params(const struct tce_calibration_coll *e,
                               enum tce_linkcal_regime r, double *latency_s,
                               double *bytes_per_s);
void tce_linkcal_set_regime(struct tce_calibration_coll *e,
                            enum tce_linkcal_regime r, double latency_s,
                            double bytes_per_s);

/* The time e measured at bytes, interpolated between the points around it
 * (s; 0 outside its points or without them). */
double tce_linkcal_point_s(const struct tce_calibration_coll *e,
                           double bytes);

/* Time of one collective of e's kind and span on n ranks, m per node. */
double tce_linkcal_time_s(const struct tce_calibration_coll *e, double n,
                          double m, double bytes);

/* The rule an entry obeys (config calls it and cites the entry's line):
 * a kind with an entry, 2 <= group_ranks, ranks_per_node <= group_ranks
 * and dividing it, scale_up groups on one node (ranks_per_node =
 * group_ranks), scale_out and fabric groups on more than one,
 * medium_from_bytes <= large_from_bytes, min_bytes <= max_bytes when
 * max_bytes is recorded.  0 or TCE_ECONFIG (err->msg says which; err->key
 * is left to the caller). */
int tce_linkcal_check(const struct tce_calibration_coll *e,
                      struct tce_error *err);

/* Whether bytes lies outside the sizes e was measured at: 1 above its
 * max_bytes, -1 below its min_bytes, 0 inside or not recorded (older
 * files).  Outside, the nearest regime's line is extrapolated: the
 * reports say so (tce_cost_linkcal_cover), the time is the same. */
int tce_linkcal_outside(const struct tce_calibration_coll *e, double bytes);

/* 1 when a and b describe the same pattern (kind, span, members per node,
 * concurrency): a file holds one entry per pattern. */
int tce_linkcal_same_pattern(const struct tce_calibration_coll *a,
                             const struct tce_calibration_coll *b);

/* The entries of a calibration, grouped by (kind, span) for the lookup. */
struct tce_linkcal {
    int n;
    struct tce_calibration_coll e[TCE_CALIB_COLLS_MAX];
    int first[TCE_COLL_COUNT][TCE_LINK_CLASSES]; /* into e */
    int count[TCE_COLL_COUNT][TCE_LINK_CLASSES];
};

/* Build from a calibration's entries (cal may be NULL: no entries). */
void tce_linkcal_init(struct tce_linkcal *lc,
                      const struct tce_calibration *cal);

/* The entry pricing a collective of kind on span with m members per node
 * and k groups per node at once (see above); NULL with *how = NONE. */
const struct tce_calibration_coll *
tce_linkcal_find(const struct tce_linkcal *lc, enum tce_coll kind,
                 enum tce_link_class span, int64_t m, int64_t k,
                 enum tce_linkcal_match *how);

#endif
