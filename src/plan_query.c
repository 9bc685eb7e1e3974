/*
 * plan_query.c - what is asked of a built plan (plan.h): the layers of a
 * chunk and which of them are MoE, FLOPs of a list and of an iteration,
 * and the names of op kinds and overlap classes.
 */
#include "tcemu/plan.h"

#include <string.h>

int tce_plan_take_layout(struct tce_plan *plan, const struct tce_parallel *p,
                         int64_t virtual_stages)
{
    plan->layout_stages = 0;
    if (p->pipeline_layout_stages <= 0 ||
        p->pipeline_layout_stages != virtual_stages)
        return 0;
    plan->layout_stages = p->pipeline_layout_stages;
    memcpy(plan->layout_layers, p->pipeline_layout_layers,
           sizeof(plan->layout_layers));
    plan->chunk_layers = plan->layers / (plan->chunks > 0 ? plan->chunks : 1);
    plan->chunk_stride_layers = plan->chunk_offset_layers = 0;
    plan->embed_slot = plan->loss_slot = 0;
    return 1;
}

int64_t tce_plan_chunk_first_layer(const struct tce_plan *plan, int64_t chunk)
{
    int64_t j = chunk * plan->layout.pp + plan->stage, k, first = 0;

    if (plan->layout_stages > 0) {
        for (k = 0; k < j && k < plan->layout_stages; k++)
            first += plan->layout_layers[k];
        return first;
    }
    return chunk * plan->chunk_stride_layers + plan->chunk_offset_layers -
           (plan->embed_slot && j > 0 ? 1 : 0);
}

int64_t tce_plan_chunk_layers(const struct tce_plan *plan, int64_t chunk)
{
    int64_t p = plan->layout.pp, j = chunk * p + plan->stage;
    int64_t n = plan->chunk_layers;

    if (plan->layout_stages > 0)
        return j < plan->layout_stages ? plan->layout_layers[j] : 0;
    if (plan->embed_slot && j == 0)
        n--;
    if (plan->loss_slot && j == p * plan->chunks - 1)
        n--;
    return n;
}

int tce_plan_layer_is_moe(const struct tce_plan *plan, int64_t chunk,
                          int64_t i)
{
    int64_t idx = tce_plan_chunk_first_layer(plan, chunk) + i;
    int64_t freq = plan->moe_layer_freq;

    if (plan->num_experts <= 0 || idx < plan->moe_first_dense_layers)
        return 0;
    return (idx - plan->moe_first_dense_layers) % freq == 0;
}

double tce_plan_list_flops(const struct tce_op_list *l, int model_only)
{
    double sum = 0.0;
    int i;

    for (i = 0; i < l->n; i++) {
        const struct tce_op *op = &l->ops[i];
        if (op->kind != TCE_OP_COMPUTE || (model_only && (op->flags & TCE_OP_F_RECOMPUTED)))
            continue;
        sum += op->flops * (double)op->count;
    }
    return sum;
}

double tce_plan_iteration_flops(const struct tce_plan *plan, int model_only)
{
    const struct tce_op_list *L = plan->list;
    double per_mb, m = (double)plan->microbatches;

    per_mb = (double)plan->dense_layers *
                 (tce_plan_list_flops(&L[TCE_PLAN_DENSE_FWD], model_only) +
                  tce_plan_list_flops(&L[TCE_PLAN_DENSE_BWD], model_only)) +
             (double)plan->moe_layers *
                 (tce_plan_list_flops(&L[TCE_PLAN_MOE_FWD], model_only) +
                  tce_plan_list_flops(&L[TCE_PLAN_MOE_BWD], model_only));
    if (plan->first_stage)
        per_mb += tce_plan_list_flops(&L[TCE_PLAN_EMBED_FWD], model_only) +
                  tce_plan_list_flops(&L[TCE_PLAN_EMBED_BWD], model_only);
    if (plan->last_stage)
        per_mb += tce_plan_list_flops(&L[TCE_PLAN_HEAD_FWD], model_only) +
                  tce_plan_list_flops(&L[TCE_PLAN_HEAD_BWD], model_only);
    return m * per_mb +
           tce_plan_list_flops(&L[TCE_PLAN_ITER_BEGIN], model_only) +
           tce_plan_list_flops(&L[TCE_PLAN_ITER_END], model_only);
}

const char *tce_op_kind_name(enum tce_op_kind k)
{
    switch (k) {
    case TCE_OP_COMPUTE:
        return "compute";
    case TCE_OP_COLLECTIVE:
        return "collective";
    case TCE_OP_SEND:
        return "send";
    case TCE_OP_RECV:
        return "recv";
    }
    return "unknown";
}

const char *tce_overlap_name(enum tce_overlap o)
{
    switch (o) {
    case TCE_OVERLAP_NONE:
        return "exposed";
    case TCE_OVERLAP_COMPUTE:
        return "compute";
    case TCE_OVERLAP_BACKWARD:
        return "backward";
    case TCE_OVERLAP_FORWARD:
        return "forward";
    case TCE_OVERLAP_ATTENTION: /* attn (issue 11) */
        return "attention";
    }
    return "unknown";
}
