/* stats.c - min/avg/max, medians, chunking, byte scaling, routing skew
 * (stats.h). */
#include "tcemu/stats.h"

#include <math.h>
#include <stdlib.h>

void tce_stats_init(struct tce_stats *s)
{
    s->n = 0;
    s->min = 0.0;
    s->max = 0.0;
    s->sum = 0.0;
}

void tce_stats_add(struct tce_stats *s, double x)
{
    if (s->n == 0 || x < s->min)
        s->min = x;
    if (s->n == 0 || x > s->max)
        s->max = x;
    s->sum += x;
    s->n++;
}

double tce_stats_avg(const struct tce_stats *s)
{
    return s->n > 0 ? s->sum / (double)s->n : 0.0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

double tce_stats_median(double *v, size_t n)
{
    if (n == 0)
        return 0.0;
    qsort(v, n, sizeof(*v), cmp_double);
    if (n % 2)
        return v[n / 2];
    return 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

int64_t tce_stats_chunks(int64_t count, int64_t max_per_call)
{
    if (count <= 0 || max_per_call <= 0)
        return 0;
    return (count + max_per_call - 1) / max_per_call;
}

int64_t tce_stats_chunk_count(int64_t count, int64_t max_per_call, int64_t i)
{
    int64_t n = tce_stats_chunks(count, max_per_call);

    if (i < 0 || i >= n)
        return 0;
    if (i < n - 1)
        return max_per_call;
    return count - (n - 1) * max_per_call;
}

double tce_stats_byte_scale(int64_t need_bytes, int64_t max_bytes)
{
    if (need_bytes <= 0 || max_bytes <= 0 || need_bytes <= max_bytes)
        return 1.0;
    return (double)max_bytes / (double)need_bytes;
}

int64_t tce_stats_scale_bytes(int64_t bytes, double scale, int64_t elem_bytes)
{
    int64_t out;

    if (bytes <= 0)
        return 0;
    if (elem_bytes < 1)
        elem_bytes = 1;
    if (scale >= 1.0)
        out = bytes;
    else
        out = (int64_t)floor((double)bytes * scale);
    out -= out % elem_bytes;
    if (out < elem_bytes)
        out = elem_bytes;
    return out;
}

int tce_stats_skew_split(int64_t total, int n, double skew, int hot,
                         int64_t *counts, struct tce_error *err)
{
    int64_t hot_count, rest, each, extra;
    int i, k, rc = 0;

    if (n < 1) {
        rc = tce_error_set(err, TCE_ERANGE, "skew split over %d ranks", n);
        goto out;
    }
    if (!(skew >= 0.0) || skew > (double)(n - 1)) {
        rc = tce_error_set(err, TCE_ERANGE,
                           "routing skew %g is out of range [0, %d]", skew,
                           n - 1);
        goto out;
    }
    if (total < 0 || hot < 0 || hot >= n) {
        rc = tce_error_set(err, TCE_ERANGE, "bad skew split arguments");
        goto out;
    }
    hot_count = n == 1 ? total
                       : (int64_t)llround((double)total / n * (1.0 + skew));
    if (hot_count > total)
        hot_count = total;
    rest = total - hot_count;
    each = n > 1 ? rest / (n - 1) : 0;
    extra = rest - each * (n - 1);
    for (i = 0, k = 0; i < n; i++) {
        if (i == hot) {
            counts[i] = hot_count;
            continue;
        }
        counts[i] = each + (k < extra ? 1 : 0);
        k++;
    }
out:
    return rc;
}
