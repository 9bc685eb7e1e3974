/*
 * calibfit.h - fit link parameters from timings: least squares of
 * time = latency + bytes / bandwidth, per link class and per collective,
 * with the error of the fit.  Pure; no MPI (the measuring is in
 * src/runtime/cmd_calibrate.c).
 *
 * The fit minimises the squared *relative* error, sum(((a + b x - t) / t)^2)
 * (weighted least squares with weights 1/t^2), so an 8-byte message that
 * takes 20 us counts as much as a 64 MiB one that takes 20 ms; an ordinary
 * least-squares line is fixed by the largest messages alone and often
 * gets a negative latency.  A negative intercept is clamped to 0 and the
 * slope refitted through the origin.
 *
 * Collective efficiency: the alpha-beta model's bandwidth term of a
 * collective on n ranks is factor * bytes / W, with the nccl-tests bus
 * factor (all-reduce 2(n-1)/n, all-gather, reduce-scatter, all-to-all
 * (n-1)/n, send/recv 1) and W the link bandwidth fitted from ping-pong.
 * efficiency = factor / (W * slope): the asymptotic bus bandwidth measured
 * for that collective over W ("measured / modelled bandwidth", what the
 * calibration file's *_efficiency keys mean).
 */
#ifndef TCEMU_CALIBFIT_H
#define TCEMU_CALIBFIT_H

#include "tcemu/coll.h"
#include "tcemu/error.h"
#include "tcemu/linkcal.h"

struct tce_calibfit_line {
    double latency_s;        /* intercept, >= 0 */
    double seconds_per_byte; /* slope, > 0 */
    double rms_rel_error;    /* sqrt(mean(((fit - t) / t)^2)) */
    double max_rel_error;    /* max |fit - t| / t */
    int points;              /* points fitted */
    int latency_clamped;     /* the free fit had a negative intercept */
};

/*
 * Fit n points (bytes[i], time_s[i]).  Needs n >= 2, at least two distinct
 * sizes, every size >= 0 and every time > 0 (finite).  TCE_EUSAGE for bad
 * input, TCE_ECHECK when time does not grow with size (slope <= 0: the
 * bandwidth cannot be resolved from these points).
 */
int tce_calibfit_line(const double *bytes, const double *time_s, int n,
                      struct tce_calibfit_line *out, struct tce_error *err);

/*
 * The fit tcemu calibrate uses: two regimes of one alpha-beta line.  Real
 * links are not one straight line over eight decades of sizes (eager and
 * rendezvous protocols, TCP windows, token buckets bend it), and a single
 * relative fit then gets neither end right: the bandwidth it returns can be
 * a third off for the large messages that dominate training traffic.  So,
 * with the points sorted by size and n >= 4:
 *   latency = intercept of the relative least-squares line through the
 *             smaller half of the sizes (where latency dominates),
 *   slope   = slope of the ordinary least-squares line through the
 *             larger half (where transfer time dominates; absolute
 *             residuals, since an iteration's time is a sum of absolute
 *             times dominated by its largest messages),
 * and the errors are those of the combined line over all n points.  With
 * n < 4 it is tce_calibfit_line.  Same input rules and errors.
 */
int tce_calibfit_regimes(const double *bytes, const double *time_s, int n,
                         struct tce_calibfit_line *out, struct tce_error *err);

/*
 * links (issue 10 item 6): three size regimes, each its own alpha-beta
 * line (linkcal.h's small, medium, large).  Points sorted by size are cut
 * into three runs of consecutive sizes, each at least 2 points (3 when
 * n >= 9); the two cut points are those that minimise the sum of squared
 * relative errors of the three lines over all points (segmented
 * regression: the measured curve bends where the transport switches
 * protocol, e.g. Open MPI's TCP eager limit or NCCL's LL / LL128 / Simple,
 * and the data, not a guess, say where).  Each run is fitted by
 * tce_calibfit_line (relative least squares); a run whose time does not
 * grow with size (flat latency-bound sizes) keeps the slope of the whole
 * series (tce_calibfit_regimes) and fits its latency alone.  With n < 6
 * the three regimes are the one line of tce_calibfit_regimes.  The break
 * sizes are the first sizes of the medium and large runs.
 */
struct tce_calibfit_pieces {
    struct tce_calibfit_line line[3]; /* small, medium, large */
    double medium_from_bytes;         /* first size of the medium run */
    double large_from_bytes;          /* first size of the large run */
    double rms_rel_error;             /* of the three lines, all points */
    int points;
    double min_bytes, max_bytes;      /* smallest and largest size */
};
int tce_calibfit_pieces(const double *bytes, const double *time_s, int n,
                        struct tce_calibfit_pieces *out,
                        struct tce_error *err);

/* links: the calibration entry three regimes give for kind measured on
 * groups of n0 ranks, m0 per node, k groups per node at once, spanning
 * span (linkcal.h: latency per step = intercept / steps(n0), bandwidth =
 * load(n0, m0) / slope).  0, or -1 when the kind has no entry or the
 * closed forms cannot be formed (n0 < 2). */
int tce_calibfit_entry(const struct tce_calibfit_pieces *p, enum tce_coll kind,
                       enum tce_link_class span, int64_t n0, int64_t m0,
                       int64_t k, struct tce_calibration_coll *out);

/* The line's time for a message of bytes. */
double tce_calibfit_time_s(const struct tce_calibfit_line *l, double bytes);

/* 1 / slope in 1e9 bytes per second; 0 when the slope is not positive. */
double tce_calibfit_bandwidth_gbytes_per_s(const struct tce_calibfit_line *l);

/*
 * Efficiency of a collective fitted as line coll, on n ranks, against a
 * link of bandwidth_gbytes_per_s (see above).  0 when it cannot be formed
 * (n < 2 for ring factors, non-positive slope or bandwidth).
 */
double tce_calibfit_efficiency(enum tce_coll kind, int nranks,
                               const struct tce_calibfit_line *coll,
                               double bandwidth_gbytes_per_s);

#endif
