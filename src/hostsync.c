/*
 * hostsync.c - the host's launches and host-device syncs of an op list
 * (hostsync.h).
 */
#include "tcemu/hostsync.h"

double tce_hostsync_op_launches(const struct tce_op *op)
{
    double k = op->kernels > 0 ? (double)op->kernels : 1.0;

    /* communication ops are not counted on their own: the MoE
     * dispatcher's NCCL launches are counted with its compute ops
     * (plan_moe.c), the others are a few per layer */
    if (op->kind != TCE_OP_COMPUTE)
        return 0.0;
    /* a linear layer's backward: dgrad and wgrad per forward GEMM */
    if ((op->flags & TCE_OP_F_BACKWARD) && op->flops > 0)
        k *= 2.0;
    return k * (double)op->count;
}

int tce_hostsync_op_syncs(const struct tce_op *op)
{
    return op->kind == TCE_OP_COMPUTE && (op->flags & TCE_OP_F_HOST_SYNC) &&
           !(op->flags & (TCE_OP_F_BACKWARD | TCE_OP_F_GRAPHED));
}

void tce_hostsync_scan(const struct tce_op_list *l,
                       struct tce_hostsync_list *out)
{
    int i;

    out->eager_launches = 0.0;
    out->graph_launches = 0.0;
    out->syncs = 0.0;
    for (i = 0; i < l->n; i++) {
        const struct tce_op *op = &l->ops[i];
        double k = tce_hostsync_op_launches(op);

        if (op->flags & TCE_OP_F_GRAPHED)
            out->graph_launches += k;
        else
            out->eager_launches += k;
        if (tce_hostsync_op_syncs(op))
            out->syncs += (double)op->count;
    }
}

int tce_hostsync_split(const struct tce_op_list *l, const double *op_s,
                       double eager_s, double graph_s,
                       struct tce_hostsync_split *out)
{
    double k;
    int i, at = -1, syncs = 0;

    out->pre_host_s = out->post_host_s = out->pre_gpu_s = 0.0;
    for (i = 0; i < l->n; i++)
        if (tce_hostsync_op_syncs(&l->ops[i])) {
            syncs += (int)l->ops[i].count;
            at = i;
        }
    for (i = 0; i < l->n; i++) {
        const struct tce_op *op = &l->ops[i];

        k = tce_hostsync_op_launches(op) *
            (op->flags & TCE_OP_F_GRAPHED ? graph_s : eager_s);
        if (syncs == 1 && i < at) {
            if (op->kind == TCE_OP_COMPUTE)
                out->pre_gpu_s += op_s[i] * (double)op->count;
            out->pre_host_s += k;
        } else {
            out->post_host_s += k;
        }
    }
    /* the GPU idles while the CPU wakes from the sync */
    if (syncs == 1)
        out->post_host_s += eager_s;
    return syncs == 1;
}

double tce_hostsync_segment_s(const struct tce_op_list *l, const double *op_s,
                              double eager_s, double graph_s)
{
    struct tce_hostsync_split sp;

    if (eager_s <= 0.0 && graph_s <= 0.0)
        return 0.0;
    if (!tce_hostsync_split(l, op_s, eager_s, graph_s, &sp))
        return 0.0;
    return sp.post_host_s + sp.pre_gpu_s;
}

double tce_hostsync_list_s(const struct tce_op_list *l, double eager_s,
                           double graph_s)
{
    struct tce_hostsync_list h;

    if (eager_s <= 0.0 && graph_s <= 0.0)
        return 0.0;
    tce_hostsync_scan(l, &h);
    return h.eager_launches * eager_s + h.graph_launches * graph_s +
           h.syncs * eager_s;
}
