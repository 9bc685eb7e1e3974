/*
 * recompute.c - Megatron-LM's --recompute-modules names (recompute.h).
 */
#include <string.h>

#include "tcemu/recompute.h"

static const struct {
    const char *name;
    unsigned bit;
} modules[] = {
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
    const char *p = list ? list : "";
    unsigned m = 0;

    while (*p) {
        size_t len, i;
        int found = 0;

        p += strspn(p, " \t,");
        len = strcspn(p, " \t,");
        if (len == 0)
            break;
        for (i = 0; i < sizeof(modules) / sizeof(modules[0]); i++)
            if (strlen(modules[i].name) == len &&
                strncmp(modules[i].name, p, len) == 0) {
                m |= modules[i].bit;
                found = 1;
            }
        if (!found)
            return tce_error_set(err, TCE_ECONFIG,
                                 "unknown module '%.*s' (core_attn, mlp, "
                                 "moe_act, layernorm, mla_up_proj, moe, "
                                 "shared_experts)",
                                 (int)(len > 64 ? 64 : len), p);
        p += len;
    }
    *mask = m;
    return 0;
}

int tce_recompute_set(struct tce_training *t, const char *list,
                      struct tce_error *err)
{
    unsigned m;
    size_t n = strlen(list);
    int rc = tce_recompute_parse(list, &m, err);

    if (rc != 0)
        return rc;
    if (n >= sizeof(t->recompute_modules))
        return tce_error_set(err, TCE_ECONFIG, "recompute_modules: list "
                                               "longer than %zu characters",
                             sizeof(t->recompute_modules) - 1);
    memcpy(t->recompute_modules, list, n + 1);
    t->recompute_modules_mask = m;
    return 0;
}

unsigned tce_recompute_modules_of(const struct tce_training *t)
{
    if (t->recompute_granularity != TCE_RECOMPUTE_SELECTIVE)
        return 0;
    return t->recompute_modules_mask ? t->recompute_modules_mask
                                     : (unsigned)TCE_RC_CORE_ATTN;
}
