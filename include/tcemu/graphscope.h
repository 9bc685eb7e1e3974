/*
 * graphscope.h - which modules of a layer per-module CUDA graphs capture:
 * Megatron-LM's --cuda-graph-modules (TransformerConfig.cuda_graph_modules;
 * before it --cuda-graph-scope, Megatron-Bridge's cuda_graph_scope) with
 * --cuda-graph-impl transformer_engine, parsed once.
 *
 * Megatron-Core megatron/core/transformer/transformer_config.py: "attn"
 * captures TransformerLayer._forward_attention(); "mlp" a dense layer's
 * _forward_mlp(); "moe" a MoE layer's _forward_mlp(); "moe_router" the MoE
 * layer up to MoELayer.router() (the pre-MLP norm and the router);
 * "moe_preprocess" MoELayer.preprocess() (the dispatcher's
 * dispatch_preprocess: routing metadata and the permutation), and it must
 * come with "moe_router".  Each captured module's forward and backward
 * replay as graphs (TE make_graphed_callables); the rest of the layer, in
 * a MoE layer the dispatch, the experts and the combine, stays eager.  The
 * MoE dispatcher's host-device sync is not captured: with moe_preprocess
 * it moves to just before the expert-parallel all-to-all
 * (token_dispatcher.py cuda_dtoh_point).  An empty list: no per-module
 * graphs (training.enable_cuda_graph captures whole layers).  Pure; no
 * allocation.
 */
#ifndef TCEMU_GRAPHSCOPE_H
#define TCEMU_GRAPHSCOPE_H

#include "tcemu/error.h"
#include "tcemu/types.h"

enum tce_graph_module {
    TCE_CG_ATTN = 1u << 0,           /* the attention block */
    TCE_CG_MLP = 1u << 1,            /* a dense layer's MLP block */
    TCE_CG_MOE = 1u << 2,            /* a MoE layer's whole MLP block */
    TCE_CG_MOE_ROUTER = 1u << 3,     /* pre-MLP norm and router */
    TCE_CG_MOE_PREPROCESS = 1u << 4, /* the dispatcher's preprocess */
};

/* Parse a comma-separated list of module names (blanks allowed) into
 * enum tce_graph_module bits; "" gives 0.  TCE_ECONFIG naming the unknown
 * module, or moe_preprocess without moe_router, otherwise. */
int tce_graphscope_parse(const char *list, unsigned *mask,
                         struct tce_error *err);

/* Set t->cuda_graph_modules (the list, as a job file writes it) and its
 * mask; TCE_ECONFIG as tce_graphscope_parse (t unchanged then). */
int tce_graphscope_set(struct tce_training *t, const char *list,
                       struct tce_error *err);

#endif
