/*
 * linkcal.c - measured collective patterns: closed forms, the entry rule
 * and the lookup (see linkcal.h).  Pure, no allocation.
 */
#include <string.h>

#include "tcemu/linkcal.h"

const char *tce_linkcal_regime_name(enum tce_linkcal_regime r)
{
    switch (r) {
    case TCE_LINKCAL_SMALL:
        return "small";
    case TCE_LINKCAL_MEDIUM:
        return "medium";
    case TCE_LINKCAL_LARGE:
        return "large";
    }
    return "?";
}

const char *tce_linkcal_match_name(enum tce_linkcal_match m)
{
    switch (m) {
    case TCE_LINKCAL_NONE:
        return "none";
    case TCE_LINKCAL_EXACT:
        return "exact";
    case TCE_LINKCAL_SHAPE:
        return "shape";
    }
    return "?";
}

double tce_linkcal_steps(enum tce_coll kind, double n)
{
    if (n < 2)
        return 0.0;
    switch (kind) {
    case TCE_COLL_ALL_REDUCE:
        return 2.0 * (n - 1.0);
    case TCE_COLL_ALL_GATHER:
    case TCE_COLL_REDUCE_SCATTER:
    case TCE_COLL_ALL_TO_ALL:
        return n - 1.0;
    case TCE_COLL_SENDRECV:
        return 1.0;
    case TCE_COLL_BROADCAST:
    case TCE_COLL_COUNT:
        break;
    }
    return 0.0;
}

double tce_linkcal_load(enum tce_coll kind, enum tce_link_class span,
                        double n, double m)
{
    if (n < 2)
        return 0.0;
    if (m < 1)
        m = 1;
    switch (kind) {
    case TCE_COLL_ALL_REDUCE:
        return 2.0 * (n - 1.0) / n;
    case TCE_COLL_ALL_GATHER:
    case TCE_COLL_REDUCE_SCATTER:
        return (n - 1.0) / n;
    case TCE_COLL_ALL_TO_ALL:
        /* across nodes every member's outside part leaves the node */
        if (span != TCE_LINK_SCALE_UP && m < n)
            return m * (n - m) / n;
        return (n - 1.0) / n;
    case TCE_COLL_SENDRECV:
        return 1.0;
    case TCE_COLL_BROADCAST:
    case TCE_COLL_COUNT:
        break;
    }
    return 0.0;
}

enum tce_linkcal_regime
tce_linkcal_regime_of(const struct tce_calibration_coll *e, double bytes)
{
    if (bytes >= (double)e->large_from_bytes)
        return TCE_LINKCAL_LARGE;
    if (bytes >= (double)e->medium_from_bytes)
        return TCE_LINKCAL_MEDIUM;
    return TCE_LINKCAL_SMALL;
}

void tce_linkcal_regime_params(const struct tce_calibration_coll *e,
                               enum tce_linkcal_regime r, double *latency_s,
                               double *bytes_per_s)
{
    double l = e->large_latency_us, w = e->large_bandwidth_gbytes_per_s;

    if (r == TCE_LINKCAL_SMALL) {
        l = e->small_latency_us;
        w = e->small_bandwidth_gbytes_per_s;
    } else if (r == TCE_LINKCAL_MEDIUM) {
        l = e->medium_latency_us;
        w = e->medium_bandwidth_gbytes_per_s;
    }
    *latency_s = l * 1e-6;
    *bytes_per_s = w * 1e9;
}

void tce_linkcal_set_regime(struct tce_calibration_coll *e,
                            enum tce_linkcal_regime r, double latency_s,
                            double bytes_per_s)
{
    double l = latency_s * 1e6, w = bytes_per_s * 1e-9;

    if (r == TCE_LINKCAL_SMALL) {
        e->small_latency_us = l;
        e->small_bandwidth_gbytes_per_s = w;
    } else if (r == TCE_LINKCAL_MEDIUM) {
        e->medium_latency_us = l;
        e->medium_bandwidth_gbytes_per_s = w;
    } else {
        e->large_latency_us = l;
        e->large_bandwidth_gbytes_per_s = w;
    }
}

/* The regime line's time on n ranks, m per node. */
static double line_s(const struct tce_calibration_coll *e, double n, double m,
                     double bytes)
{
    enum tce_coll kind = (enum tce_coll)e->kind;
    double L, W, t;

    tce_linkcal_regime_params(e, tce_linkcal_regime_of(e, bytes), &L, &W);
    t = tce_linkcal_steps(kind, n) * L;
    if (W > 0)
        t += tce_linkcal_load(kind, e->span, n, m) * bytes / W;
    return t;
}

double tce_linkcal_point_s(const struct tce_calibration_coll *e, double bytes)
{
    int n = e->n_point_bytes < e->n_point_us ? e->n_point_bytes
                                             : e->n_point_us,
        i = 1;
    const double *x = e->point_bytes, *t = e->point_us;

    if (n < 2 || !(bytes >= x[0]) || bytes > x[n - 1])
        return 0.0;
    while (i < n - 1 && bytes > x[i])
        i++;
    return (t[i - 1] + (t[i] - t[i - 1]) * (bytes - x[i - 1]) /
                           (x[i] - x[i - 1])) *
           1e-6;
}

double tce_linkcal_time_s(const struct tce_calibration_coll *e, double n,
                          double m, double bytes)
{
    double t, measured, at_measured;

    if (n < 2 || bytes <= 0)
        return 0.0;
    t = line_s(e, n, m, bytes);
    measured = tce_linkcal_point_s(e, bytes);
    if (measured > 0) {
        at_measured = line_s(e, (double)e->group_ranks,
                             (double)e->ranks_per_node, bytes);
        t = at_measured > 0 ? measured * t / at_measured : measured;
    }
    return t;
}

int tce_linkcal_check(const struct tce_calibration_coll *e,
                      struct tce_error *err)
{
    int64_t n = e->group_ranks, m = e->ranks_per_node;
    int i;

    if (e->kind < 0 || e->kind > TCE_COLL_SENDRECV)
        return tce_error_set(err, TCE_ECONFIG, "kind %d has no entry",
                             e->kind);
    if (n < 2 || m < 1 || m > n || n % m != 0)
        return tce_error_set(err, TCE_ECONFIG,
                             "ranks_per_node %lld must divide group_ranks "
                             "%lld (at least 2)",
                             (long long)m, (long long)n);
    if (e->span == TCE_LINK_SCALE_UP && m != n)
        return tce_error_set(err, TCE_ECONFIG,
                             "a scale_up group is on one node: "
                             "ranks_per_node %lld must equal group_ranks "
                             "%lld",
                             (long long)m, (long long)n);
    if (e->span != TCE_LINK_SCALE_UP && m == n)
        return tce_error_set(err, TCE_ECONFIG,
                             "a %s group spans nodes: ranks_per_node %lld "
                             "must be below group_ranks %lld",
                             tce_link_class_name(e->span), (long long)m,
                             (long long)n);
    if (e->medium_from_bytes > e->large_from_bytes)
        return tce_error_set(err, TCE_ECONFIG,
                             "medium_from_bytes %lld is above "
                             "large_from_bytes %lld",
                             (long long)e->medium_from_bytes,
                             (long long)e->large_from_bytes);
    if (e->max_bytes > 0 && e->min_bytes > e->max_bytes)
        return tce_error_set(err, TCE_ECONFIG,
                             "min_bytes %lld is above max_bytes %lld",
                             (long long)e->min_bytes,
                             (long long)e->max_bytes);
    if (e->n_point_bytes != e->n_point_us)
        return tce_error_set(err, TCE_ECONFIG,
                             "point_bytes has %d sizes but point_us %d "
                             "times: one time per size",
                             e->n_point_bytes, e->n_point_us);
    for (i = 1; i < e->n_point_bytes; i++)
        if (!(e->point_bytes[i] > e->point_bytes[i - 1]))
            return tce_error_set(err, TCE_ECONFIG,
                                 "point_bytes must increase (size %d, "
                                 "%.0f, is not above %.0f)",
                                 i, e->point_bytes[i], e->point_bytes[i - 1]);
    return 0;
}

int tce_linkcal_outside(const struct tce_calibration_coll *e, double bytes)
{
    if (e->max_bytes <= 0)
        return 0; /* not recorded */
    if (bytes > (double)e->max_bytes)
        return 1;
    return bytes < (double)e->min_bytes ? -1 : 0;
}

int tce_linkcal_same_pattern(const struct tce_calibration_coll *a,
                             const struct tce_calibration_coll *b)
{
    return a->kind == b->kind && a->span == b->span &&
           a->ranks_per_node == b->ranks_per_node &&
           a->concurrency == b->concurrency;
}

void tce_linkcal_init(struct tce_linkcal *lc,
                      const struct tce_calibration *cal)
{
    int k, s, i, n = cal ? cal->n_colls : 0;

    memset(lc, 0, sizeof(*lc));
    if (n > TCE_CALIB_COLLS_MAX)
        n = TCE_CALIB_COLLS_MAX;
    /* group by (kind, span), keeping the file's order inside a group */
    for (k = 0; k < TCE_COLL_COUNT; k++)
        for (s = 0; s < TCE_LINK_CLASSES; s++) {
            lc->first[k][s] = lc->n;
            for (i = 0; i < n; i++)
                if (cal->colls[i].kind == k && (int)cal->colls[i].span == s)
                    lc->e[lc->n++] = cal->colls[i];
            lc->count[k][s] = lc->n - lc->first[k][s];
        }
}

const struct tce_calibration_coll *
tce_linkcal_find(const struct tce_linkcal *lc, enum tce_coll kind,
                 enum tce_link_class span, int64_t m, int64_t k,
                 enum tce_linkcal_match *how)
{
    const struct tce_calibration_coll *shape = NULL, *e;
    int i;

    *how = TCE_LINKCAL_NONE;
    if ((unsigned)kind >= TCE_COLL_COUNT || (unsigned)span >= TCE_LINK_CLASSES)
        return NULL;
    for (i = 0; i < lc->count[kind][span]; i++) {
        e = &lc->e[lc->first[kind][span] + i];
        if (e->concurrency != k)
            continue;
        if (e->ranks_per_node == m) {
            *how = TCE_LINKCAL_EXACT;
            return e;
        }
        if (!shape)
            shape = e;
    }
    if (shape)
        *how = TCE_LINKCAL_SHAPE;
    return shape;
}
