/*
 * opcost.c - the per-op model of one microbatch on one stage (opcost.h).
 */
#include <string.h>

#include "tcemu/coll.h"
#include "tcemu/gemmcost.h"
#include "tcemu/hostsync.h"
#include "tcemu/opcost.h"

struct list_use {
    enum tce_plan_list list;
    const char *name;
};

/* The per-microbatch lists, in the order a microbatch meets them. */
static const struct list_use lists[] = {
    {TCE_PLAN_P2P_FWD, "p2p_fwd"},     {TCE_PLAN_EMBED_FWD, "embed_fwd"},
    {TCE_PLAN_DENSE_FWD, "dense_fwd"}, {TCE_PLAN_MOE_FWD, "moe_fwd"},
    {TCE_PLAN_HEAD_FWD, "head_fwd"},   {TCE_PLAN_HEAD_BWD, "head_bwd"},
    {TCE_PLAN_MOE_BWD, "moe_bwd"},     {TCE_PLAN_DENSE_BWD, "dense_bwd"},
    {TCE_PLAN_EMBED_BWD, "embed_bwd"}, {TCE_PLAN_P2P_BWD, "p2p_bwd"},
};

/* Runs of a list per microbatch on this stage. */
static int64_t runs(const struct tce_plan *plan, enum tce_plan_list l)
{
    switch (l) {
    case TCE_PLAN_DENSE_FWD:
    case TCE_PLAN_DENSE_BWD:
        return plan->dense_layers;
    case TCE_PLAN_MOE_FWD:
    case TCE_PLAN_MOE_BWD:
        return plan->moe_layers;
    case TCE_PLAN_P2P_FWD:
    case TCE_PLAN_P2P_BWD:
        return plan->chunks;
    default:
        return 1;
    }
}

static void compute_row(const struct tce_costmodel *cm,
                        const struct tce_op *op, struct tce_opcost_row *r,
                        struct tce_opcost *out)
{
    enum tce_compute_source src;

    r->s = tce_cost_compute_op_s(cm, op, &src);
    r->source = tce_compute_source_name(src);
    r->kind = "compute";
    if (src == TCE_COMPUTE_CURVE || src == TCE_COMPUTE_CURVE_SHAPE)
        out->curve_ops++;
    else
        out->table_ops++;
    if (r->s > 0 && op->flops > 0) {
        r->tflops = op->flops / r->s / 1e12;
        r->efficiency = op->flops / r->s / cm->peak_flops;
    } else if (r->s > 0 && cm->hbm_bytes_per_s > 0) {
        r->efficiency = r->bytes / r->s / cm->hbm_bytes_per_s;
    }
    r->gemm_m = op->gemm_m;
    r->gemm_n = op->gemm_n;
    r->gemm_k = op->gemm_k;
}

int tce_opcost_stage(const struct tce_plan *plan,
                     const struct tce_costmodel *cm,
                     const struct tce_span spans[TCE_GROUP_COUNT],
                     struct tce_opcost *out, struct tce_error *err)
{
    size_t u;
    int i, ret = 0;

    memset(out, 0, sizeof(*out));
    out->stage = plan->stage;
    out->gpus = plan->layout.gpus;
    for (u = 0; u < sizeof(lists) / sizeof(lists[0]); u++) {
        const struct tce_op_list *l = &plan->list[lists[u].list];
        int64_t n = runs(plan, lists[u].list);
        int moe = lists[u].list == TCE_PLAN_MOE_FWD ||
                  lists[u].list == TCE_PLAN_MOE_BWD;
        int layer = moe || lists[u].list == TCE_PLAN_DENSE_FWD ||
                    lists[u].list == TCE_PLAN_DENSE_BWD;

        if (n <= 0)
            continue;
        if (layer) /* host (issue 11) */
            out->layer_host_s[moe] += tce_cost_list_launch_s(cm, l);
        for (i = 0; i < l->n; i++) {
            const struct tce_op *op = &l->ops[i];
            struct tce_opcost_row *r;

            if (out->n >= TCE_OPCOST_ROWS_MAX) {
                ret = tce_error_set(err, TCE_ERANGE,
                                    "more than %d ops on one stage",
                                    TCE_OPCOST_ROWS_MAX);
                goto out;
            }
            r = &out->rows[out->n++];
            r->list = lists[u].name;
            r->name = op->name;
            r->per_microbatch = n * op->count;
            r->flops = op->flops;
            r->bytes = op->bytes;
            r->launches = (int64_t)tce_hostsync_op_launches(op) /
                          (op->count > 0 ? op->count : 1);
            r->launch = op->kind != TCE_OP_COMPUTE      ? ""
                        : op->flags & TCE_OP_F_GRAPHED ? "graph"
                                                        : "eager";
            if (op->kind == TCE_OP_COMPUTE) {
                /* the bytes the time was costed on: an FP8 cast's
                 * transposed copies are not written where the FP8 GEMM
                 * takes any layout (gemmcost.h) */
                r->bytes = tce_gemmcost_cast_bytes(op, cm->fp8_any_layout);
                compute_row(cm, op, r, out);
                out->compute_s += r->s * (double)r->per_microbatch;
                if (layer)
                    out->layer_fwd_bwd_s[moe] += r->s * (double)op->count;
                continue;
            }
            r->s = tce_cost_op_s(cm, op, spans);
            r->kind = tce_coll_name(op->coll);
            r->source = cm->calibrated ? "links (calibrated)" : "links";
        }
    }
out:
    return ret;
}
