/*
 * plan_graphs.h - the CUDA-graph marks of one layer's forward list (host,
 * issue 11): which compute ops replay from graphs (TCE_OP_F_GRAPHED, a
 * graph launch each) instead of being launched eagerly by the host
 * (hostsync.h).
 *
 * training.enable_cuda_graph (Megatron's per-layer or full-iteration
 * graphs): every compute op of the layer.  Otherwise
 * training.cuda_graph_modules (graphscope.h): the ops of the modules it
 * names, by the module each op carries (TCE_OP_F_MOD_*, set as the plan
 * builds the layer): attn the attention block; moe_router the pre-MLP norm
 * and the router; moe_preprocess the dispatcher's preprocess; moe the
 * whole MoE block (sync-free: Megatron-Core captures it only with a static
 * receive budget); mlp a dense layer's MLP block.  A host-device sync in a
 * graphed preprocess is not captured: it moves to the next eager compute
 * op (Megatron-Core token_dispatcher.py, cuda_dtoh_point
 * before_ep_alltoall).  The backward copies the forward's flags, so a
 * module's backward replays too (TE make_graphed_callables graphs both).
 * Pure; no allocation.
 */
#ifndef TCEMU_PLAN_GRAPHS_H
#define TCEMU_PLAN_GRAPHS_H

#include "tcemu/plan.h"
#include "tcemu/types.h"

/* Mark list l (one layer's forward, modules set) as t graphs it. */
void tce_plan_graph_marks(const struct tce_training *t, struct tce_op_list *l);

#endif
