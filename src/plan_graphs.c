/*
 * plan_graphs.c - which ops of a layer replay from CUDA graphs
 * (plan_graphs.h).
 */
#include "tcemu/plan_graphs.h"

#include "tcemu/graphscope.h"

/* host (issue 11): per-module CUDA graphs (graphscope.h).  The ops of
 * the captured modules replay as graphs; a host-device sync inside one
 * (the dispatcher's preprocess) is not captured: it moves to the next
 * eager compute op (token_dispatcher.py: cuda_dtoh_point
 * before_ep_alltoall). */
static void module_graphs(struct tce_op_list *l, unsigned mods)
{
    int moe = 0, i, sync = 0;
    unsigned take = 0;

    for (i = 0; i < l->n; i++)
        moe |= (l->ops[i].flags & TCE_OP_F_MOD_ROUTER) != 0;
    if (mods & TCE_CG_ATTN)
        take |= TCE_OP_F_MOD_ATTN;
    if (moe && (mods & TCE_CG_MOE))
        take |=
            TCE_OP_F_MOD_ROUTER | TCE_OP_F_MOD_PREPROCESS | TCE_OP_F_MOD_MLP;
    if (moe && (mods & TCE_CG_MOE_ROUTER))
        take |= TCE_OP_F_MOD_ROUTER;
    if (moe && (mods & TCE_CG_MOE_PREPROCESS))
        take |= TCE_OP_F_MOD_PREPROCESS;
    if (!moe && (mods & TCE_CG_MLP))
        take |= TCE_OP_F_MOD_MLP;
    for (i = 0; i < l->n; i++) {
        struct tce_op *op = &l->ops[i];

        if (op->kind != TCE_OP_COMPUTE)
            continue;
        if (sync && !(op->flags & take)) {
            op->flags |= TCE_OP_F_HOST_SYNC;
            sync = 0;
        }
        if (!(op->flags & take))
            continue;
        op->flags |= TCE_OP_F_GRAPHED;
        /* a whole graphed MoE block (moe) runs sync-free: Megatron-Core
         * captures it only with a static receive budget */
        if ((op->flags & TCE_OP_F_HOST_SYNC) && !(mods & TCE_CG_MOE)) {
            op->flags &= ~(unsigned)TCE_OP_F_HOST_SYNC;
            sync = 1;
        }
    }
}

void tce_plan_graph_marks(const struct tce_training *t, struct tce_op_list *l)
{
    int i;

    /* Megatron --enable-cuda-graph captures each transformer layer */
    if (t->enable_cuda_graph) {
        for (i = 0; i < l->n; i++)
            if (l->ops[i].kind == TCE_OP_COMPUTE)
                l->ops[i].flags |= TCE_OP_F_GRAPHED;
    } else if (t->cuda_graph_modules_mask) {
        module_graphs(l, t->cuda_graph_modules_mask);
    }
}
