/*
 * moecap.c - Megatron-Core's expert capacity (token drop) (moecap.h).
 */
#include "tcemu/moecap.h"

double tce_moecap_routed_share(const struct tce_training *t)
{
    double cf = t->moe_expert_capacity_factor;

    if (cf <= 0.0)
        return 1.0;
    if (t->moe_pad_expert_input_to_capacity)
        return cf;
    return cf < 1.0 ? cf : 1.0;
}

double tce_moecap_expert_load(const struct tce_training *t)
{
    double imb = t->moe_expert_load_imbalance >= 1.0
                     ? t->moe_expert_load_imbalance
                     : 1.0;
    double cf = t->moe_expert_capacity_factor;

    if (cf <= 0.0)
        return imb;
    if (t->moe_pad_expert_input_to_capacity)
        return cf;
    return cf < imb ? cf : imb;
}

double tce_moecap_alltoall_skew(const struct tce_training *t, double skew)
{
    double cf = t->moe_expert_capacity_factor;

    if (cf <= 0.0)
        return skew;
    if (t->moe_pad_expert_input_to_capacity || cf <= 1.0)
        return 0.0;
    return skew < cf - 1.0 ? skew : cf - 1.0;
}
