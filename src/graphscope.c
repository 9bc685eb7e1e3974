/*
 * graphscope.c - Megatron-LM's --cuda-graph-modules names (graphscope.h).
 */
#include "tcemu/graphscope.h"
#include "tcemu/util.h"

static const struct tce_name_bit modules[] = {
    {"attn", TCE_CG_ATTN},
    {"mlp", TCE_CG_MLP},
    {"moe", TCE_CG_MOE},
    {"moe_router", TCE_CG_MOE_ROUTER},
    {"moe_preprocess", TCE_CG_MOE_PREPROCESS},
};

int tce_graphscope_parse(const char *list, unsigned *mask,
                         struct tce_error *err)
{
    unsigned m = 0;
    int rc = tce_parse_name_list(list, modules, TCE_ARRAY_SIZE(modules),
                                 "module", &m, err);

    if (rc != 0)
        return rc;
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
    unsigned m = 0;
    int rc = tce_graphscope_parse(list, &m, err);

    if (rc == 0)
        rc = tce_copy_list(t->cuda_graph_modules,
                           sizeof(t->cuda_graph_modules), list,
                           "cuda_graph_modules", err);
    if (rc == 0)
        t->cuda_graph_modules_mask = m;
    return rc;
}
