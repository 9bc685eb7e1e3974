/*
 * model.h - the job's arithmetic: parameters, FLOPs, bytes, memory.
 *
 * Pure functions of the model (and, for memory, of the layout).  Formulas
 * follow ../shared/BRIEF.md "The arithmetic": dense GPT layers with GQA and
 * SwiGLU, MoE layers (routed top-k + shared experts), multi-latent attention.
 */
#ifndef TCEMU_MODEL_H
#define TCEMU_MODEL_H

#include <stdint.h>

#include "tcemu/config.h"

struct tce_param_count {
    double total;               /* every parameter */
    double active;              /* parameters one token passes through
                                   (MoE: top-k routed + shared experts) */
    double embedding;           /* input embedding, V*h */
    double output;              /* untied output layer, V*h; 0 when tied */
    double attention_per_layer;
    double dense_mlp_per_layer; /* a dense layer's MLP */
    double moe_mlp_per_layer;   /* all experts + shared + router */
    double norms_per_layer;
    int64_t dense_layers;
    int64_t moe_layers;
};

void tce_model_count_params(const struct tce_model *m,
                            struct tce_param_count *out);

/* Model FLOPs per token, forward + backward, no recomputation (what MFU
 * counts): 6 x active matmul parameters plus attention scores and logits. */
double tce_model_flops_per_token(const struct tce_model *m);

#endif
