/*
 * recompute.h - which modules selective recomputation re-runs: Megatron-LM's
 * --recompute-modules (TransformerConfig.recompute_modules), parsed once.
 *
 * With recompute_granularity "selective" each named module's outputs are
 * not kept for the backward; the backward re-runs the module's forward
 * first (Megatron-LM megatron/core/transformer/transformer_layer.py,
 * multi_latent_attention.py, moe/experts.py: CheckpointWithoutOutput or
 * tensor_parallel.checkpoint around the module).  An empty list means
 * Megatron's default, ["core_attn"].  Pure; no allocation.
 */
#ifndef TCEMU_RECOMPUTE_H
#define TCEMU_RECOMPUTE_H

#include <stddef.h>

#include "tcemu/error.h"
#include "tcemu/types.h"

enum tce_recompute_module {
    TCE_RC_CORE_ATTN = 1u << 0,      /* the attention core (scores) */
    TCE_RC_MLP = 1u << 1,            /* a dense layer's MLP */
    TCE_RC_MOE_ACT = 1u << 2,        /* the experts' activation function */
    TCE_RC_LAYERNORM = 1u << 3,      /* norms that are modules of their own
                                        (not fused into the next linear) */
    TCE_RC_MLA_UP_PROJ = 1u << 4,    /* MLA's Q and KV up-projections */
    TCE_RC_MOE = 1u << 5,            /* the whole MoE layer */
    TCE_RC_SHARED_EXPERTS = 1u << 6, /* the shared experts */
};

/* Parse a comma-separated list of module names (blanks allowed) into
 * enum tce_recompute_module bits; "" gives 0.  TCE_ECONFIG naming the
 * unknown module otherwise. */
int tce_recompute_parse(const char *list, unsigned *mask,
                        struct tce_error *err);

/* Set t->recompute_modules (the list, as a job file writes it) and its
 * mask; TCE_ECONFIG as tce_recompute_parse (t unchanged then). */
int tce_recompute_set(struct tce_training *t, const char *list,
                      struct tce_error *err);

/* The modules a job's backward recomputes: 0 unless recompute_granularity
 * is selective; then recompute_modules_mask, or core_attn when it is 0. */
unsigned tce_recompute_modules_of(const struct tce_training *t);

#endif
