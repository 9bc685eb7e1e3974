/*
 * schedule.c - the pipeline schedules (schedule.h): 1F1B and Megatron's
 * interleaved 1F1B, step by step in O(1), and the bubble fraction.
 */
#include "tcemu/schedule.h"

#include "tcemu/error.h"

int64_t tce_schedule_len(int64_t v, int64_t m)
{
    return 2 * (v > 0 ? v : 1) * m;
}

int64_t tce_schedule_warmup(int64_t p, int64_t v, int64_t m, int64_t stage)
{
    int64_t w, total;

    if (v <= 1) {
        w = p - stage - 1;
        return w < m ? w : m;
    }
    total = v * m;
    w = (p - stage - 1) * 2 + (v - 1) * p;
    return w < total ? w : total;
}

/* Virtual microbatch i (0 .. v*m-1) of the interleaved order. */
static void virtual_mb(int64_t p, int64_t v, int64_t i, int backward,
                       struct tce_sched_step *out)
{
    int64_t group = i / (p * v), in = i % (p * v);

    out->backward = backward;
    out->chunk = in / p;
    if (backward)
        out->chunk = v - 1 - out->chunk;
    out->microbatch = group * p + in % p;
}

void tce_schedule_backward_nth(int64_t p, int64_t v, int64_t i,
                               struct tce_sched_step *out)
{
    if (v < 1)
        v = 1;
    virtual_mb(p, v, i, 1, out);
    if (v == 1)
        out->chunk = 0;
}

int tce_schedule_step(int64_t p, int64_t v, int64_t m, int64_t stage,
                      int64_t k, struct tce_sched_step *out,
                      struct tce_error *err)
{
    int64_t total, w, r, j;
    int ret = 0;

    if (v < 1)
        v = 1;
    if (p < 1 || m < 1 || stage < 0 || stage >= p) {
        ret = tce_error_set(err, TCE_EUSAGE,
                            "schedule: bad shape p=%lld m=%lld stage=%lld",
                            (long long)p, (long long)m, (long long)stage);
        goto out;
    }
    if (v > 1 && m % p != 0) {
        ret = tce_error_set(err, TCE_EUSAGE,
                            "schedule: interleaving needs microbatches "
                            "(%lld) divisible by pp (%lld)",
                            (long long)m, (long long)p);
        goto out;
    }
    total = v * m;
    if (k < 0 || k >= 2 * total) {
        ret = tce_error_set(err, TCE_EUSAGE, "schedule: step %lld outside "
                            "[0, %lld)", (long long)k, (long long)(2 * total));
        goto out;
    }
    w = tce_schedule_warmup(p, v, m, stage);
    r = total - w;
    if (k < w) {
        virtual_mb(p, v, k, 0, out);
    } else if (k < w + 2 * r) {
        j = k - w;
        if (j % 2 == 0)
            virtual_mb(p, v, w + j / 2, 0, out);
        else
            virtual_mb(p, v, j / 2, 1, out);
    } else {
        virtual_mb(p, v, k - w - r, 1, out);
    }
    if (v == 1)
        out->chunk = 0;
out:
    return ret;
}

int64_t tce_schedule_tag(int64_t m, const struct tce_sched_step *s)
{
    return (s->chunk * m + s->microbatch) * 2 + (s->backward ? 1 : 0);
}

double tce_schedule_bubble_fraction(int64_t p, int64_t v, int64_t m)
{
    if (v < 1)
        v = 1;
    if (m < 1)
        return 0.0;
    return (double)(p - 1) / ((double)v * (double)m);
}

static double dmax(double a, double b)
{
    return a > b ? a : b;
}

/* The path through stage s (schedule.h): m T + (U + E) / v, given the
 * stage's times, U (the stages before it) and R (those after it). */
static double path_s(int64_t p, int64_t v, int64_t m, int64_t s,
                     const struct tce_sched_stage_s *x, double U, double R)
{
    double f = x->fwd_s, b = x->bwd_s, T = f + b, k = v > 1 ? 2.0 : 1.0;
    double w = (double)(p - 1 - s), mm = (double)(m - 1), E = 0.0;

    if (m > p - 1 - s)
        E = dmax(0.0, R - k * w * f) + dmax(0.0, R - k * w * b);
    E = dmax(E, dmax(R - mm * f, R - mm * b));
    return (double)m * T + (U + E) / (double)v;
}

double tce_schedule_span_s(int64_t p, int64_t v, int64_t m,
                           const struct tce_sched_stage_s *st)
{
    double U = 0.0, R = 0.0, best = 0.0, x;
    int64_t s;

    if (v < 1)
        v = 1;
    if (p < 1 || m < 1)
        return 0.0;
    for (s = 1; s < p; s++)
        R += st[s].fwd_s + st[s].bwd_s;
    for (s = 0; s < p; s++) {
        x = path_s(p, v, m, s, &st[s], U, R);
        if (x > best)
            best = x;
        U += st[s].fwd_s + st[s].bwd_s;
        if (s + 1 < p)
            R -= st[s + 1].fwd_s + st[s + 1].bwd_s;
    }
    return best;
}

double tce_schedule_span3_s(int64_t p, int64_t v, int64_t m,
                            const struct tce_sched_stage_s st3[3])
{
    double T0 = st3[0].fwd_s + st3[0].bwd_s, Tm = st3[1].fwd_s + st3[1].bwd_s;
    double Tl = st3[2].fwd_s + st3[2].bwd_s, best, x;
    int64_t cand[4], s;
    int i;

    if (v < 1)
        v = 1;
    if (p < 1 || m < 1)
        return 0.0;
    if (p == 1)
        return (double)m * T0;
    /* first and last stage */
    best = path_s(p, v, m, 0, &st3[0], 0.0, (double)(p - 2) * Tm + Tl);
    x = path_s(p, v, m, p - 1, &st3[2], T0 + (double)(p - 2) * Tm, 0.0);
    best = dmax(best, x);
    /* middle stages: the path is convex in s on each side of the stage
     * where the warm-up term starts (m > p-1-s), so its largest value is
     * at an end of either piece */
    cand[0] = 1;
    cand[1] = p - 2;
    cand[2] = p - 1 - m;
    cand[3] = p - m;
    for (i = 0; i < 4; i++) {
        s = cand[i];
        if (s < 1 || s > p - 2)
            continue;
        x = path_s(p, v, m, s, &st3[1], T0 + (double)(s - 1) * Tm,
                   (double)(p - 2 - s) * Tm + Tl);
        best = dmax(best, x);
    }
    return best;
}

double tce_schedule_overlap_exposed_s(double total, double bucket,
                                      double step_s, int64_t p, int64_t v,
                                      int overlap)
{
    double e, last;

    if (!overlap || total <= 0.0)
        return total > 0.0 ? total : 0.0;
    if (v < 1)
        v = 1;
    if (p < 1)
        p = 1;
    /* max over c of a linear function of c: c = 0 or c = v-1 */
    e = (total - step_s) / (double)v;
    last = total - ((double)((v - 1) * p) + 1.0) * step_s / (double)v;
    e = dmax(e, last);
    e = dmax(e, bucket);
    return e < total ? e : total;
}

double tce_schedule_grad_reduce_exposed_s(const struct tce_sched_dp *d)
{
    double e, x, lag;
    int64_t v = d->v > 0 ? d->v : 1, p = d->p > 0 ? d->p : 1, c;

    if (!d->overlap || d->total_s <= 0.0)
        return d->total_s > 0.0 ? d->total_s : 0.0;
    if (!d->align || (v == 1 && d->stage == 0)) {
        e = tce_schedule_overlap_exposed_s(d->total_s, d->bucket_s, d->step_s,
                                           p, v, 1) -
            d->edge_s;
        return e > 0.0 ? e : 0.0;
    }
    /* launched as a whole, chunk by chunk (O(v)) */
    e = 0.0;
    for (c = 0; c < v; c++) {
        lag = (double)(c * p - d->stage);
        x = ((double)(c + 1) * d->total_s -
             (lag > 0.0 ? lag : 0.0) * d->step_s) /
            (double)v;
        e = dmax(e, x);
    }
    e -= d->edge_s;
    if (e > d->total_s)
        e = d->total_s;
    return e > 0.0 ? e : 0.0;
}

double tce_schedule_param_gather_exposed_s(const struct tce_sched_dp *d)
{
    double e;

    if (!d->overlap || d->total_s <= 0.0)
        return d->total_s > 0.0 ? d->total_s : 0.0;
    e = tce_schedule_overlap_exposed_s(d->total_s, d->bucket_s, d->step_s,
                                       d->p, d->v, 1) -
        d->edge_s;
    return e > 0.0 ? e : 0.0;
}
