/*
 * calibfit.c - least-squares fits of latency and bandwidth from timings
 * (see calibfit.h for the method).  Pure; no MPI.
 */
#include "tcemu/calibfit.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int check_points(const double *bytes, const double *time_s, int n,
                        struct tce_error *err)
{
    int i, distinct = 0;

    if (!bytes || !time_s || n < 2)
        return tce_error_set(err, TCE_EUSAGE,
                             "a fit needs at least 2 points (got %d)", n);
    for (i = 0; i < n; i++) {
        if (!isfinite(bytes[i]) || bytes[i] < 0.0)
            return tce_error_set(err, TCE_EUSAGE,
                                 "point %d: size %g bytes is not valid", i,
                                 bytes[i]);
        if (!isfinite(time_s[i]) || time_s[i] <= 0.0)
            return tce_error_set(err, TCE_EUSAGE,
                                 "point %d: time %g s is not positive", i,
                                 time_s[i]);
        if (bytes[i] != bytes[0])
            distinct = 1;
    }
    if (!distinct)
        return tce_error_set(err, TCE_EUSAGE,
                             "a fit needs at least 2 distinct sizes");
    return 0;
}

static void fit_errors(const double *bytes, const double *time_s, int n,
                       struct tce_calibfit_line *l)
{
    double sum2 = 0.0, worst = 0.0;
    int i;

    for (i = 0; i < n; i++) {
        double rel =
            fabs(tce_calibfit_time_s(l, bytes[i]) - time_s[i]) / time_s[i];
        sum2 += rel * rel;
        if (rel > worst)
            worst = rel;
    }
    l->rms_rel_error = sqrt(sum2 / n);
    l->max_rel_error = worst;
}

int tce_calibfit_line(const double *bytes, const double *time_s, int n,
                      struct tce_calibfit_line *out, struct tce_error *err)
{
    /* Weighted normal equations with w = 1/t^2:
     *   [sw   swx ] [a]   [swt ]
     *   [swx  swxx] [b] = [swxt] */
    double sw = 0.0, swx = 0.0, swxx = 0.0, swt = 0.0, swxt = 0.0;
    double det, a, b;
    int i, rc;

    rc = check_points(bytes, time_s, n, err);
    if (rc)
        goto out;
    for (i = 0; i < n; i++) {
        double w = 1.0 / (time_s[i] * time_s[i]);
        sw += w;
        swx += w * bytes[i];
        swxx += w * bytes[i] * bytes[i];
        swt += w * time_s[i];
        swxt += w * bytes[i] * time_s[i];
    }
    memset(out, 0, sizeof(*out));
    det = sw * swxx - swx * swx;
    if (!(det > 0.0)) {
        rc = tce_error_set(err, TCE_EUSAGE,
                           "sizes too close together to fit a line");
        goto out;
    }
    a = (swxx * swt - swx * swxt) / det;
    b = (sw * swxt - swx * swt) / det;
    if (a < 0.0) {
        /* Through the origin: minimise sum w (b x - t)^2. */
        out->latency_clamped = 1;
        a = 0.0;
        b = swxt / swxx;
    }
    if (!(b > 0.0) || !isfinite(b)) {
        rc = tce_error_set(err, TCE_ECHECK,
                           "time does not grow with message size (slope %g "
                           "s/byte): bandwidth cannot be fitted",
                           b);
        goto out;
    }
    out->latency_s = a;
    out->seconds_per_byte = b;
    out->points = n;
    fit_errors(bytes, time_s, n, out);
out:
    return rc;
}

struct point {
    double bytes, time_s;
};

static int by_size(const void *a, const void *b)
{
    const struct point *p = a, *q = b;

    return (p->bytes > q->bytes) - (p->bytes < q->bytes);
}

/* The n points sorted by size: *p, and as two arrays *x and *t (all three
 * new: the caller frees them, also on failure). */
static int sorted_by_size(const double *bytes, const double *time_s, int n,
                          struct point **p, double **x, double **t,
                          struct tce_error *err)
{
    int i;

    *p = calloc((size_t)n, sizeof(**p));
    *x = calloc((size_t)n, sizeof(**x));
    *t = calloc((size_t)n, sizeof(**t));
    if (!*p || !*x || !*t)
        return tce_error_set(err, TCE_ENOMEM, "out of memory");
    for (i = 0; i < n; i++) {
        (*p)[i].bytes = bytes[i];
        (*p)[i].time_s = time_s[i];
    }
    qsort(*p, (size_t)n, sizeof(**p), by_size);
    for (i = 0; i < n; i++) {
        (*x)[i] = (*p)[i].bytes;
        (*t)[i] = (*p)[i].time_s;
    }
    return 0;
}

/* Ordinary least-squares slope of n points (distinct sizes assumed). */
static double ols_slope(const struct point *p, int n)
{
    double mx = 0.0, mt = 0.0, sxx = 0.0, sxt = 0.0;
    int i;

    for (i = 0; i < n; i++) {
        mx += p[i].bytes / n;
        mt += p[i].time_s / n;
    }
    for (i = 0; i < n; i++) {
        sxx += (p[i].bytes - mx) * (p[i].bytes - mx);
        sxt += (p[i].bytes - mx) * (p[i].time_s - mt);
    }
    return sxx > 0.0 ? sxt / sxx : 0.0;
}

int tce_calibfit_regimes(const double *bytes, const double *time_s, int n,
                         struct tce_calibfit_line *out, struct tce_error *err)
{
    struct point *p = NULL;
    double *x = NULL, *t = NULL, slope;
    struct tce_calibfit_line low;
    int i, half, rc;

    rc = check_points(bytes, time_s, n, err);
    if (rc || n < 4)
        return rc ? rc : tce_calibfit_line(bytes, time_s, n, out, err);
    rc = sorted_by_size(bytes, time_s, n, &p, &x, &t, err);
    if (rc)
        goto out;
    half = (n + 1) / 2;
    /* Smaller half: latency.  Its times may be flat or even fall with size
     * (noise, protocol switches): then the latency is their relative
     * least-squares constant, sum(1/t) / sum(1/t^2). */
    memset(&low, 0, sizeof(low));
    if (tce_calibfit_line(x, t, half, &low, NULL) != 0) {
        double s1 = 0.0, s2 = 0.0;

        for (i = 0; i < half; i++) {
            s1 += 1.0 / t[i];
            s2 += 1.0 / (t[i] * t[i]);
        }
        low.latency_s = s1 / s2;
        low.latency_clamped = 0;
    }
    /* Larger half: ordinary least squares.  An iteration's time is a sum
     * of absolute times dominated by the largest messages, so absolute
     * residuals are the right measure here. */
    slope = ols_slope(p + (n - half), half);
    if (!(slope > 0.0) || !isfinite(slope)) {
        rc = tce_error_set(err, TCE_ECHECK,
                           "time does not grow with message size over the "
                           "larger half of the sizes (slope %g s/byte): "
                           "bandwidth cannot be fitted",
                           slope);
        goto out;
    }
    memset(out, 0, sizeof(*out));
    out->latency_s = low.latency_s;
    out->latency_clamped = low.latency_clamped;
    out->seconds_per_byte = slope;
    out->points = n;
    fit_errors(x, t, n, out);
out:
    free(p);
    free(x);
    free(t);
    return rc;
}

double tce_calibfit_time_s(const struct tce_calibfit_line *l, double bytes)
{
    return l->latency_s + bytes * l->seconds_per_byte;
}

double tce_calibfit_bandwidth_gbytes_per_s(const struct tce_calibfit_line *l)
{
    return l->seconds_per_byte > 0.0 ? 1e-9 / l->seconds_per_byte : 0.0;
}

double tce_calibfit_efficiency(enum tce_coll kind, int nranks,
                               const struct tce_calibfit_line *coll,
                               double bandwidth_gbytes_per_s)
{
    double factor = tce_coll_busbw_factor(kind, nranks);

    if (!(factor > 0.0) || !(coll->seconds_per_byte > 0.0) ||
        !(bandwidth_gbytes_per_s > 0.0))
        return 0.0;
    return factor / (bandwidth_gbytes_per_s * 1e9 * coll->seconds_per_byte);
}

/* links: three size regimes (calibfit.h). */

/* Fit one run of sorted points; a flat run keeps the slope `whole` and
 * fits its latency alone (relative least squares of t - whole x). */
static void fit_run(const double *x, const double *t, int n, double whole,
                    struct tce_calibfit_line *l)
{
    double s1 = 0.0, s2 = 0.0;
    int i;

    memset(l, 0, sizeof(*l));
    if (n >= 2 && tce_calibfit_line(x, t, n, l, NULL) == 0)
        return;
    memset(l, 0, sizeof(*l));
    for (i = 0; i < n; i++) {
        double r = t[i] - whole * x[i];

        s1 += r / (t[i] * t[i]);
        s2 += 1.0 / (t[i] * t[i]);
    }
    l->latency_s = s2 > 0.0 && s1 > 0.0 ? s1 / s2 : 0.0;
    l->seconds_per_byte = whole;
    l->points = n;
    fit_errors(x, t, n, l);
}

static double sq_rel(const double *x, const double *t, int n,
                     const struct tce_calibfit_line *l)
{
    double s = 0.0;
    int i;

    for (i = 0; i < n; i++) {
        double r = (tce_calibfit_time_s(l, x[i]) - t[i]) / t[i];
        s += r * r;
    }
    return s;
}

int tce_calibfit_pieces(const double *bytes, const double *time_s, int n,
                        struct tce_calibfit_pieces *out,
                        struct tce_error *err)
{
    struct point *p = NULL;
    double *x = NULL, *t = NULL, best = -1.0;
    struct tce_calibfit_line whole, l[3];
    int i, j, k, min_run, bi = 0, bj = 0, rc;

    memset(out, 0, sizeof(*out));
    rc = tce_calibfit_regimes(bytes, time_s, n, &whole, err);
    if (rc)
        return rc;
    rc = sorted_by_size(bytes, time_s, n, &p, &x, &t, err);
    if (rc)
        goto out;
    out->points = n;
    out->min_bytes = x[0];
    out->max_bytes = x[n - 1];
    if (n < 6) {
        for (k = 0; k < 3; k++)
            out->line[k] = whole;
        out->medium_from_bytes = out->large_from_bytes = x[0];
        out->rms_rel_error = whole.rms_rel_error;
        goto out;
    }
    min_run = n >= 9 ? 3 : 2;
    /* runs [0, i), [i, j), [j, n) */
    for (i = min_run; i <= n - 2 * min_run; i++)
        for (j = i + min_run; j <= n - min_run; j++) {
            double s;

            fit_run(x, t, i, whole.seconds_per_byte, &l[0]);
            fit_run(x + i, t + i, j - i, whole.seconds_per_byte, &l[1]);
            fit_run(x + j, t + j, n - j, whole.seconds_per_byte, &l[2]);
            s = sq_rel(x, t, i, &l[0]) + sq_rel(x + i, t + i, j - i, &l[1]) +
                sq_rel(x + j, t + j, n - j, &l[2]);
            if (best < 0.0 || s < best) {
                best = s;
                bi = i;
                bj = j;
                for (k = 0; k < 3; k++)
                    out->line[k] = l[k];
            }
        }
    out->medium_from_bytes = x[bi];
    out->large_from_bytes = x[bj];
    out->rms_rel_error = sqrt(best / n);
out:
    free(p);
    free(x);
    free(t);
    return rc;
}

int tce_calibfit_entry(const struct tce_calibfit_pieces *p, enum tce_coll kind,
                       enum tce_link_class span, int64_t n0, int64_t m0,
                       int64_t k, struct tce_calibration_coll *out)
{
    double steps = tce_linkcal_steps(kind, (double)n0);
    double load = tce_linkcal_load(kind, span, (double)n0, (double)m0);
    int r;

    memset(out, 0, sizeof(*out));
    if (kind > TCE_COLL_SENDRECV || steps <= 0 || load <= 0)
        return -1;
    out->kind = (int)kind;
    out->span = span;
    out->concurrency = k > 0 ? k : 1;
    out->group_ranks = n0;
    out->ranks_per_node = m0;
    out->medium_from_bytes = (int64_t)p->medium_from_bytes;
    out->large_from_bytes = (int64_t)p->large_from_bytes;
    for (r = 0; r < TCE_LINKCAL_REGIMES; r++) {
        const struct tce_calibfit_line *l = &p->line[r];

        if (!(l->seconds_per_byte > 0))
            return -1;
        tce_linkcal_set_regime(out, (enum tce_linkcal_regime)r,
                               l->latency_s / steps,
                               load / l->seconds_per_byte);
    }
    out->rms_rel_error = p->rms_rel_error;
    out->points = p->points;
    out->min_bytes = (int64_t)p->min_bytes;
    out->max_bytes = (int64_t)p->max_bytes;
    return 0;
}
