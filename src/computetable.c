/*
 * computetable.c - measured compute tables and their lookups (see
 * computetable.h for the interpolation rules and why).  Pure, no
 * allocation.
 */
#include <math.h>
#include <string.h>

#include "tcemu/computetable.h"
#include "tcemu/stats.h"

static const char *const dtype_names[TCE_DTYPE_COUNT] = {"bf16", "fp8"};
static const char *const pass_names[TCE_GEMM_PASS_COUNT] = {"fwd", "dgrad",
                                                            "wgrad"};
static const char *const how_names[] = {"exact", "interpolated",
                                        "not covered"};

void tce_computetable_init(struct tce_computetable *t)
{
    memset(t, 0, sizeof(*t));
    t->sustained_ratio = 1.0;
}

static double gemm_flops(int64_t m, int64_t n, int64_t k);

/* A row's coordinates and ln rate per pass (0 when not timed). */
static void row_coords(const struct tce_computetable_gemm *r, double *c)
{
    int p;

    c[0] = TCE_COMPUTETABLE_GEMM_M_WEIGHT * log((double)r->m);
    c[1] = log((double)r->n);
    c[2] = log((double)r->k);
    for (p = 0; p < TCE_GEMM_PASS_COUNT; p++) {
        double s = tce_computetable_row_s(r, (enum tce_gemm_pass)p);

        c[3 + p] = s > 0 ? log(gemm_flops(r->m, r->n, r->k) / s) : 0.0;
    }
}

void tce_computetable_prepare(struct tce_computetable *t)
{
    int i;

    for (i = 0; i < t->n_gemms && i < TCE_COMPUTETABLE_GEMMS_MAX; i++)
        row_coords(&t->gemms[i], t->gemm_log[i]);
    t->prepared = 1;
}

int tce_computetable_has_rows(const struct tce_computetable *t)
{
    return t && (t->n_gemms > 0 || t->n_attention > 0);
}

static int time_ok(double s)
{
    return isfinite(s) && s >= 0;
}

double tce_computetable_row_s(const struct tce_computetable_gemm *row,
                              enum tce_gemm_pass pass)
{
    switch (pass) {
    case TCE_GEMM_FWD:
        return row->fwd_s;
    case TCE_GEMM_DGRAD:
        return row->dgrad_s;
    case TCE_GEMM_WGRAD:
        return row->wgrad_s;
    default:
        return 0.0;
    }
}

int tce_computetable_gemm_check(const struct tce_computetable_gemm *row,
                                struct tce_error *err)
{
    int ret = 0;

    if (row->m < 1 || row->n < 1 || row->k < 1)
        ret = tce_error_set(err, TCE_ERANGE,
                            "GEMM row: m, n and k must be >= 1 (got %lld, "
                            "%lld, %lld)",
                            (long long)row->m, (long long)row->n,
                            (long long)row->k);
    else if ((unsigned)row->dtype >= TCE_DTYPE_COUNT)
        ret = tce_error_set(err, TCE_ERANGE, "GEMM row: unknown dtype");
    else if (!time_ok(row->fwd_s) || !time_ok(row->dgrad_s) ||
             !time_ok(row->wgrad_s))
        ret = tce_error_set(err, TCE_ERANGE,
                            "GEMM row: fwd_s, dgrad_s and wgrad_s must be "
                            "finite and >= 0");
    else if (row->fwd_s + row->dgrad_s + row->wgrad_s <= 0)
        ret = tce_error_set(err, TCE_ERANGE,
                            "GEMM row: no pass timed (fwd_s, dgrad_s and "
                            "wgrad_s all 0)");
    return ret;
}

int tce_computetable_attention_check(
    const struct tce_computetable_attention *row, struct tce_error *err)
{
    const struct tce_attention_shape *s = &row->shape;
    int ret = 0;

    if (s->micro_batch_size < 1 || s->num_attention_heads < 1 ||
        s->num_query_groups < 1 || s->kv_channels < 1 ||
        s->seq_length < 1 || s->window_size < 0)
        ret = tce_error_set(err, TCE_ERANGE,
                            "attention row: micro_batch_size, "
                            "num_attention_heads, num_query_groups, "
                            "kv_channels and seq_length must be >= 1, "
                            "window_size >= 0");
    else if (s->num_attention_heads % s->num_query_groups != 0)
        ret = tce_error_set(err, TCE_ERANGE,
                            "attention row: num_query_groups (%lld) must "
                            "divide num_attention_heads (%lld)",
                            (long long)s->num_query_groups,
                            (long long)s->num_attention_heads);
    else if (!isfinite(row->forward_s) || row->forward_s <= 0 ||
             !isfinite(row->forward_backward_s) ||
             row->forward_backward_s <= row->forward_s)
        ret = tce_error_set(err, TCE_ERANGE,
                            "attention row: need 0 < forward_s (%g) < "
                            "forward_backward_s (%g)",
                            row->forward_s, row->forward_backward_s);
    return ret;
}

int tce_computetable_add_gemm(struct tce_computetable *t,
                              const struct tce_computetable_gemm *row,
                              struct tce_error *err)
{
    int ret = 0;

    if (t->n_gemms >= TCE_COMPUTETABLE_GEMMS_MAX)
        ret = tce_error_set(err, TCE_ERANGE,
                            "more than %d GEMM rows in one compute table",
                            TCE_COMPUTETABLE_GEMMS_MAX);
    else
        ret = tce_computetable_gemm_check(row, err);
    if (ret == 0) {
        row_coords(row, t->gemm_log[t->n_gemms]);
        t->gemms[t->n_gemms++] = *row;
    }
    return ret;
}

int tce_computetable_add_attention(struct tce_computetable *t,
                                   const struct tce_computetable_attention *row,
                                   struct tce_error *err)
{
    int ret = 0;

    if (t->n_attention >= TCE_COMPUTETABLE_ATTENTION_MAX)
        ret = tce_error_set(err, TCE_ERANGE,
                            "more than %d attention rows in one compute table",
                            TCE_COMPUTETABLE_ATTENTION_MAX);
    else
        ret = tce_computetable_attention_check(row, err);
    if (ret == 0)
        t->attention[t->n_attention++] = *row;
    return ret;
}

/* ------------------------------------------------------------------------ */
/* GEMM lookup                                                               */

struct neighbour {
    double d;
    double log_rate;
};

/* Keep the K nearest in nb[0..*n) sorted by distance (insertion). */
static void keep_nearest(struct neighbour *nb, int *n, double d,
                         double log_rate)
{
    int i;

    if (*n == TCE_COMPUTETABLE_GEMM_NEIGHBOURS &&
        d >= nb[*n - 1].d)
        return;
    i = *n < TCE_COMPUTETABLE_GEMM_NEIGHBOURS ? (*n)++ : *n - 1;
    while (i > 0 && nb[i - 1].d > d) {
        nb[i] = nb[i - 1];
        i--;
    }
    nb[i].d = d;
    nb[i].log_rate = log_rate;
}

/* ln 1.5: a neighbour whose rate is off the neighbours' median by more
 * than a factor 1.5 is an outlier. */
#define OUTLIER_LOG 0.4054651081081644

/* The median of the neighbours' log rates (n >= 1). */
static double median_log_rate(const struct neighbour *nb, int n)
{
    double y[TCE_COMPUTETABLE_GEMM_NEIGHBOURS], t;
    int i, j;

    for (i = 0; i < n; i++) {
        t = nb[i].log_rate;
        for (j = i; j > 0 && y[j - 1] > t; j--)
            y[j] = y[j - 1];
        y[j] = t;
    }
    return 0.5 * (y[n / 2] + y[(n - 1) / 2]);
}

static double gemm_flops(int64_t m, int64_t n, int64_t k)
{
    return 2.0 * (double)m * (double)n * (double)k;
}

/* carried (shape, issue 11): an exact row is returned only when its rate
 * is within the outlier factor of its nearest rows' median (itself among
 * them) or no other shape is near; otherwise it is left out like an
 * outlier neighbour and the shape is interpolated from the others. */
static double gemm_lookup(const struct tce_computetable *t, int64_t m,
                          int64_t n, int64_t k, enum tce_dtype dtype,
                          enum tce_gemm_pass pass, enum tce_table_how *how,
                          int carried)
{
    struct neighbour nb[TCE_COMPUTETABLE_GEMM_NEIGHBOURS];
    double q[3], lo[3], hi[3], exact_sum = 0, wsum = 0, acc = 0, s = 0, med;
    enum tce_table_how h = TCE_TABLE_NOT_COVERED;
    int i, j, rows = 0, exact = 0, n_nb = 0, pass_all;

    if (!t || m < 1 || n < 1 || k < 1)
        goto out;
    q[0] = TCE_COMPUTETABLE_GEMM_M_WEIGHT * log((double)m);
    q[1] = log((double)n);
    q[2] = log((double)k);
    for (i = 0; i < t->n_gemms; i++) {
        const struct tce_computetable_gemm *r = &t->gemms[i];
        double c[3 + TCE_GEMM_PASS_COUNT], d2 = 0;
        const double *p = c;
        double rs = tce_computetable_row_s(r, pass);

        if (r->dtype != dtype || rs <= 0)
            continue;
        if (r->m == m && r->n == n && r->k == k) {
            exact_sum += rs;
            exact++;
        }
        if (t->prepared)
            p = t->gemm_log[i];
        else
            row_coords(r, c);
        for (j = 0; j < 3; j++) {
            lo[j] = rows == 0 || p[j] < lo[j] ? p[j] : lo[j];
            hi[j] = rows == 0 || p[j] > hi[j] ? p[j] : hi[j];
            d2 += (p[j] - q[j]) * (p[j] - q[j]);
        }
        rows++;
        keep_nearest(nb, &n_nb, sqrt(d2), p[3 + pass]);
    }
    if (exact && carried && n_nb > 1 && nb[n_nb - 1].d > 0.0 &&
        fabs(log(gemm_flops(m, n, k) * exact / exact_sum) -
             median_log_rate(nb, n_nb)) > OUTLIER_LOG)
        exact = 0; /* carried: this shape's own kernel choice */
    if (exact) {
        s = exact_sum / exact;
        h = TCE_TABLE_EXACT;
        goto out;
    }
    if (rows == 0 || nb[0].d > TCE_COMPUTETABLE_GEMM_RADIUS)
        goto out;
    for (j = 0; j < 3; j++)
        if (q[j] < lo[j] || q[j] > hi[j])
            goto out;
    med = median_log_rate(nb, n_nb);
    for (pass_all = 0; pass_all < 2 && wsum == 0; pass_all++)
        for (i = 0; i < n_nb; i++) {
            double w;

            /* carried: the left-out exact rows */
            if (nb[i].d <= 0.0)
                continue;
            w = 1.0 / (nb[i].d * nb[i].d * nb[i].d);
            /* an outlier (a kernel choice of its own shape) is left out */
            if (!pass_all && fabs(nb[i].log_rate - med) > OUTLIER_LOG)
                continue;
            wsum += w;
            acc += w * nb[i].log_rate;
        }
    s = gemm_flops(m, n, k) / exp(acc / wsum);
    h = TCE_TABLE_INTERPOLATED;
out:
    if (how)
        *how = h;
    return s;
}

double tce_computetable_gemm_s(const struct tce_computetable *t, int64_t m,
                               int64_t n, int64_t k, enum tce_dtype dtype,
                               enum tce_gemm_pass pass,
                               enum tce_table_how *how)
{
    return gemm_lookup(t, m, n, k, dtype, pass, how, 0);
}

double tce_computetable_gemm_carried_s(const struct tce_computetable *t,
                                       int64_t m, int64_t n, int64_t k,
                                       enum tce_dtype dtype,
                                       enum tce_gemm_pass pass,
                                       enum tce_table_how *how)
{
    return gemm_lookup(t, m, n, k, dtype, pass, how, 1);
}

/* shape (issue 11) */
double tce_computetable_large_rate(const struct tce_computetable *t,
                                  double min_flops)
{
    double rate[TCE_COMPUTETABLE_GEMMS_MAX], f;
    int i, n = 0;

    for (i = 0; i < t->n_gemms; i++) {
        const struct tce_computetable_gemm *g = &t->gemms[i];

        f = 2.0 * (double)g->m * (double)g->n * (double)g->k;
        if (g->dtype != TCE_DTYPE_BF16 || !(g->fwd_s > 0) ||
            f < min_flops)
            continue;
        rate[n++] = f / g->fwd_s;
    }
    return n > 0 ? tce_stats_median(rate, (size_t)n) : 0.0;
}

/* ------------------------------------------------------------------------ */
/* Attention lookup                                                          */

double tce_computetable_attention_flops(const struct tce_attention_shape *s)
{
    double seq = (double)s->seq_length, keys = seq;

    if (s->window_size > 0 && s->window_size < s->seq_length)
        keys = (double)s->window_size;
    else if (s->causal)
        keys = seq / 2.0;
    return 4.0 * (double)s->micro_batch_size *
           (double)s->num_attention_heads * seq * keys *
           (double)s->kv_channels;
}

static int same_family(const struct tce_attention_shape *a,
                       const struct tce_attention_shape *b)
{
    return a->kv_channels == b->kv_channels && !a->causal == !b->causal &&
           a->window_size == b->window_size;
}

static int same_shape(const struct tce_attention_shape *a,
                      const struct tce_attention_shape *b)
{
    return same_family(a, b) && a->micro_batch_size == b->micro_batch_size &&
           a->num_attention_heads == b->num_attention_heads &&
           a->num_query_groups == b->num_query_groups &&
           a->seq_length == b->seq_length;
}

/* Seconds of a row's forward (fb = 0) or forward+backward (fb = 1). */
static double row_s(const struct tce_computetable_attention *r, int fb)
{
    return fb ? r->forward_backward_s : r->forward_s;
}

/* Interpolated seconds of forward (fb = 0) or forward+backward (fb = 1);
 * 0 when the query's FLOPs lie outside the family's range. */
static double attention_interp_s(const struct tce_computetable *t,
                                 const struct tce_attention_shape *q, int fb)
{
    double f = tce_computetable_attention_flops(q), lf = log(f);
    double f_lo = 0, f_hi = 0, r_lo = 0, r_hi = 0, mult = fb ? 3.5 : 1.0;
    double rate, s = 0;
    int i, n_lo = 0, n_hi = 0;

    /* the nearest FLOPs below and above (mean log rate of equal FLOPs) */
    for (i = 0; i < t->n_attention; i++) {
        const struct tce_computetable_attention *r = &t->attention[i];
        double rf, lr;

        if (!same_family(&r->shape, q))
            continue;
        rf = tce_computetable_attention_flops(&r->shape);
        lr = log(mult * rf / row_s(r, fb));
        if (rf <= f) {
            if (n_lo == 0 || rf > f_lo) {
                f_lo = rf;
                r_lo = lr;
                n_lo = 1;
            } else if (rf == f_lo) {
                r_lo += lr;
                n_lo++;
            }
        }
        if (rf >= f) {
            if (n_hi == 0 || rf < f_hi) {
                f_hi = rf;
                r_hi = lr;
                n_hi = 1;
            } else if (rf == f_hi) {
                r_hi += lr;
                n_hi++;
            }
        }
    }
    if (n_lo == 0 || n_hi == 0)
        goto out;
    r_lo /= n_lo;
    r_hi /= n_hi;
    if (f_hi > f_lo)
        rate = r_lo + (r_hi - r_lo) * (lf - log(f_lo)) /
                          (log(f_hi) - log(f_lo));
    else
        rate = r_lo;
    s = mult * f / exp(rate);
out:
    return s;
}

double tce_computetable_attention_s(const struct tce_computetable *t,
                                    const struct tce_attention_shape *q,
                                    int backward, enum tce_table_how *how)
{
    enum tce_table_how h = TCE_TABLE_NOT_COVERED;
    double fwd = 0, fb = 0, sum_f = 0, sum_fb = 0, s = 0;
    int i, exact = 0;

    if (!t || !q || q->micro_batch_size < 1 || q->num_attention_heads < 1 ||
        q->kv_channels < 1 || q->seq_length < 1)
        goto out;
    for (i = 0; i < t->n_attention; i++) {
        if (!same_shape(&t->attention[i].shape, q))
            continue;
        sum_f += t->attention[i].forward_s;
        sum_fb += t->attention[i].forward_backward_s;
        exact++;
    }
    if (exact) {
        fwd = sum_f / exact;
        fb = sum_fb / exact;
        h = TCE_TABLE_EXACT;
    } else {
        fwd = attention_interp_s(t, q, 0);
        fb = attention_interp_s(t, q, 1);
        if (fwd <= 0 || fb <= fwd)
            goto out;
        h = TCE_TABLE_INTERPOLATED;
    }
    s = backward ? fb - fwd : fwd;
out:
    if (how)
        *how = h;
    return s;
}

/* ------------------------------------------------------------------------ */

double tce_computetable_max_rate(const struct tce_computetable *t,
                                 enum tce_dtype dtype)
{
    double best = 0.0;
    int i, p;

    for (i = 0; i < t->n_gemms; i++)
        for (p = 0; p < TCE_GEMM_PASS_COUNT; p++) {
            const struct tce_computetable_gemm *r = &t->gemms[i];
            double s = tce_computetable_row_s(r, (enum tce_gemm_pass)p);

            if (r->dtype == dtype && s > 0 &&
                gemm_flops(r->m, r->n, r->k) / s > best)
                best = gemm_flops(r->m, r->n, r->k) / s;
        }
    return best;
}

const char *tce_computetable_dtype_name(enum tce_dtype d)
{
    return (unsigned)d < TCE_DTYPE_COUNT ? dtype_names[d] : NULL;
}

const char *tce_computetable_pass_name(enum tce_gemm_pass p)
{
    return (unsigned)p < TCE_GEMM_PASS_COUNT ? pass_names[p] : NULL;
}

const char *tce_computetable_how_name(enum tce_table_how h)
{
    return (unsigned)h <= TCE_TABLE_NOT_COVERED ? how_names[h] : NULL;
}

int tce_computetable_dtype_parse(const char *s, enum tce_dtype *out)
{
    int i, ret = TCE_EPARSE;

    for (i = 0; i < TCE_DTYPE_COUNT && ret != 0; i++)
        if (s && strcmp(s, dtype_names[i]) == 0) {
            *out = (enum tce_dtype)i;
            ret = 0;
        }
    return ret;
}

int tce_computetable_pass_parse(const char *s, enum tce_gemm_pass *out)
{
    int i, ret = TCE_EPARSE;

    for (i = 0; i < TCE_GEMM_PASS_COUNT && ret != 0; i++)
        if (s && strcmp(s, pass_names[i]) == 0) {
            *out = (enum tce_gemm_pass)i;
            ret = 0;
        }
    return ret;
}
