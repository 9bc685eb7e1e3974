/*
 * runstats.c - run's results: per-class statistics across ranks and
 * iterations, measured against modelled, busy time by charge (see
 * runstats.h).
 */
#include "tcemu/runstats.h"

#include <math.h>
#include <string.h>

#define FIELD(name, op)                                                       \
    {#name, offsetof(struct tce_runstats, name), op}

const struct tce_runstats_field tce_runstats_fields[TCE_RUNSTATS_FIELDS] = {
    FIELD(min_s, TCE_RUNSTATS_MIN),
    FIELD(max_s, TCE_RUNSTATS_MAX),
    FIELD(sum_s, TCE_RUNSTATS_SUM),
    FIELD(users, TCE_RUNSTATS_SUM),
    FIELD(per_iter, TCE_RUNSTATS_MAX),
    FIELD(modeled_s, TCE_RUNSTATS_MAX),
    FIELD(modeled_full_s, TCE_RUNSTATS_MAX),
    FIELD(bytes, TCE_RUNSTATS_MAX),
    FIELD(real_bytes, TCE_RUNSTATS_MAX),
};

#undef FIELD

double *tce_runstats_array(struct tce_runstats *s, int f)
{
    return (double *)((char *)s + tce_runstats_fields[f].offset);
}

void tce_runstats_local(struct tce_runstats *s,
                        const struct tce_runstats_class *cls,
                        int64_t measured)
{
    int i;

    for (i = 0; i < TCE_RUNSTATS_CLASSES; i++) {
        const struct tce_runstats_class *c = &cls[i];
        int has = c->used && c->execs > 0;
        double mine = has ? c->sum_s / (double)c->execs : 0.0;

        s->min_s[i] = has ? mine : INFINITY;
        s->max_s[i] = has ? mine : -INFINITY;
        s->sum_s[i] = mine;
        s->users[i] = has;
        s->per_iter[i] =
            has && measured > 0 ? (double)c->execs / (double)measured : 0.0;
        s->modeled_s[i] = has ? c->modeled_s : -INFINITY;
        s->modeled_full_s[i] = has ? c->modeled_full_s : -INFINITY;
        s->bytes[i] = has ? c->bytes : -INFINITY;
        s->real_bytes[i] = has ? c->real_bytes : -INFINITY;
    }
}

void tce_runstats_merge(struct tce_runstats *s,
                        const struct tce_runstats *other)
{
    int f, i;

    for (f = 0; f < TCE_RUNSTATS_FIELDS; f++) {
        double *a = tce_runstats_array(s, f);
        const double *b = tce_runstats_array((struct tce_runstats *)other, f);

        for (i = 0; i < TCE_RUNSTATS_CLASSES; i++) {
            switch (tce_runstats_fields[f].op) {
            case TCE_RUNSTATS_MIN:
                a[i] = b[i] < a[i] ? b[i] : a[i];
                break;
            case TCE_RUNSTATS_MAX:
                a[i] = b[i] > a[i] ? b[i] : a[i];
                break;
            case TCE_RUNSTATS_SUM:
                a[i] += b[i];
                break;
            }
        }
    }
}

int tce_runstats_ran(const struct tce_runstats *s, int c)
{
    return c >= 0 && c < TCE_RUNSTATS_CLASSES && s->users[c] > 0;
}

double tce_runstats_avg_s(const struct tce_runstats *s, int c)
{
    return tce_runstats_ran(s, c) ? s->sum_s[c] / s->users[c] : 0.0;
}

void tce_runstats_iterations(const double *iter_max_s, int64_t n,
                             struct tce_stats *out)
{
    int64_t k;

    tce_stats_init(out);
    for (k = 0; k < n; k++)
        tce_stats_add(out, iter_max_s[k]);
}

double tce_runstats_rank_mean_s(const double *iter_s, int64_t n)
{
    double sum = 0.0;
    int64_t k;

    for (k = 0; k < n; k++)
        sum += iter_s[k];
    return n > 0 ? sum / (double)n : 0.0;
}

void tce_runstats_charge_totals(const struct tce_runstats *s,
                                const int *charge, const double *model_scale,
                                double pp_bubble_s,
                                struct tce_runstats_charges *out)
{
    int i, c;

    memset(out, 0, sizeof(*out));
    for (i = 0; i < TCE_RUNSTATS_CLASSES; i++) {
        c = charge[i];
        if (!tce_runstats_ran(s, i) || c < 0 || c >= TCE_CHARGE_COUNT)
            continue;
        out->measured_s[c] += s->per_iter[i] * s->sum_s[i] / s->users[i];
        out->modeled_s[c] += s->per_iter[i] * s->modeled_s[i] * model_scale[i];
    }
    if (out->measured_s[TCE_CHARGE_PP] > 0)
        out->modeled_s[TCE_CHARGE_PP] += pp_bubble_s;
}

double tce_runstats_ratio(double measured_s, double modeled_s)
{
    return modeled_s > 0 ? measured_s / modeled_s : 0.0;
}
