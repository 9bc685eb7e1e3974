/*
 * graphscope.c - Megatron-LM's --cuda-graph-modules names (graphscope.h).
 */
#include <string.h>

#include "tcemu/graphscope.h"

static const struct {
    const char *name;
    unsigned bit;
} modules[] = {
    {"attn", TCE_CG_ATTN},
    {"mlp", TCE_CG_MLP},
    {"moe", TCE_CG_MOE},
    {"moe_router", TCE_CG_MOE_ROUTER},
    {"moe_preprocess", TCE_CG_MOE_PREPROCESS},
};

int tce_graphscope_parse(const char *list, unsigned *mask,
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
                                 "unknown module '%.*s' (attn, mlp, moe, "
                                 "moe_router, moe_preprocess)",
                                 (int)(len > 64 ? 64 : len), p);
        p += len;
    }
    /* Megatron-Core transformer_config.py: "moe_preprocess cuda graph is
     * only supported with moe_router cuda graph" */
    if ((m & TCE_CG_MOE_PREPROCESS) && !(m & TCE_CG_MOE_ROUTER))
        return tce_error_set(err, TCE_ECONFIG,
                             "moe_preprocess needs moe_router (Megatron-"
                             "Core captures the preprocess only after the "
                             "router)");
    *mask = m;
    return 0;
}

int tce_graphscope_set(struct tce_training *t, const char *list,
                       struct tce_error *err)
{
    unsigned m;
    size_t n = strlen(list);
    int rc = tce_graphscope_parse(list, &m, err);

    if (rc != 0)
        return rc;
    if (n >= sizeof(t->cuda_graph_modules))
        return tce_error_set(err, TCE_ECONFIG,
                             "cuda_graph_modules: list "
                             "longer than %zu characters",
                             sizeof(t->cuda_graph_modules) - 1);
    memcpy(t->cuda_graph_modules, list, n + 1);
    t->cuda_graph_modules_mask = m;
    return 0;
}
