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
