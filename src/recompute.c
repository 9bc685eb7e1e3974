/*
 * recompute.c - Megatron-LM's --recompute-modules names (recompute.h).
 */
#include "tcemu/recompute.h"
#include "tcemu/util.h"

static const struct tce_name_bit modules[] = {
    {"core_attn", TCE_RC_CORE_ATTN},
    {"mlp", TCE_RC_MLP},
    {"moe_act", TCE_RC_MOE_ACT},
    {"layernorm", TCE_RC_LAYERNORM},
    {"mla_up_proj", TCE_RC_MLA_UP_PROJ},
    {"moe", TCE_RC_MOE},
    {"shared_experts", TCE_RC_SHARED_EXPERTS},
};

int tce_recompute_parse(const char *list, unsigned *mask,
                        struct tce_error *err)
{
    return tce_parse_name_list(list, modules, TCE_ARRAY_SIZE(modules),
                               "module", mask, err);
}

int tce_recompute_set(struct tce_training *t, const char *list,
                      struct tce_error *err)
{
    unsigned m = 0;
    int rc = tce_recompute_parse(list, &m, err);

    if (rc == 0)
        rc = tce_copy_list(t->recompute_modules, sizeof(t->recompute_modules),
                           list, "recompute_modules", err);
    if (rc == 0)
        t->recompute_modules_mask = m;
    return rc;
}

unsigned tce_recompute_modules_of(const struct tce_training *t)
{
    if (t->recompute_granularity != TCE_RECOMPUTE_SELECTIVE)
        return 0;
    return t->recompute_modules_mask ? t->recompute_modules_mask
                                     : (unsigned)TCE_RC_CORE_ATTN;
}
