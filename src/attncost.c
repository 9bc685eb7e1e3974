/*
 * attncost.c - fused attention's time from its tensor and exponential
 * pipes (see attncost.h for the model, its sources and its constants).
 * Pure, no allocation.
 */
#include "tcemu/attncost.h"

double tce_attncost_s(const struct tce_attncost_in *in)
{
    double e, t_mma, t_exp, hi, lo;

    if (in->flops <= 0 || in->peak_flops <= 0 || in->efficiency <= 0)
        return 0.0;
    e = in->efficiency;
    if (in->exp_per_s <= 0 || in->exps <= 0)
        return in->flops / (in->peak_flops * e);
    if (in->backward)
        e *= TCE_ATTNCOST_BWD_TENSOR_RATIO;
    t_mma = in->flops / (in->peak_flops * e);
    t_exp = in->exps / in->exp_per_s;
    hi = t_mma > t_exp ? t_mma : t_exp;
    lo = t_mma > t_exp ? t_exp : t_mma;
    return hi + TCE_ATTNCOST_SERIAL * lo;
}

double tce_attncost_efficiency(const struct tce_attncost_in *in)
{
    double t = tce_attncost_s(in);

    return t > 0 ? in->flops / (t * in->peak_flops) : 0.0;
}
