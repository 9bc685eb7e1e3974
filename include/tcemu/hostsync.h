/*
 * hostsync.h - the host's side of a list of ops: how long the CPU takes to
 * launch its kernels, and where it must wait for the GPU (issue 11, sync).
 *
 * An eager training stack (PyTorch, Megatron-Core, Transformer Engine)
 * launches every kernel from the CPU at a host cost per launch (Python,
 * the PyTorch dispatcher, the CUDA launch: the compute table's measured
 * launch_gap_us, or the topology's node.host_launch_gap_us); a CUDA graph
 * replays its kernels at accelerator.graph_launch_gap_us each.  While the
 * CPU is ahead of the GPU its launches are hidden; a host-device sync
 * (TCE_OP_F_HOST_SYNC: Megatron-Core's MoE token dispatchers copy the
 * tokens per expert to the CPU and wait for them) drains that lead, and
 * from there the GPU runs no faster than the CPU launches.  A list (one
 * layer's forward, ...) therefore takes at least
 *
 *     host = sum over ops of launches x (eager or graph cost per launch)
 *            + syncs x eager cost (the GPU idles while the CPU wakes and
 *              launches the first kernel after the sync)
 *
 * and the projector charges max(the list's GPU compute plus its exposed
 * communication, host, and for a list with one sync
 * tce_hostsync_segment_s below; it takes that rule's pieces from
 * tce_hostsync_split, once per list, which the paired EP schedule reads
 * too).  The exposed communication (the alltoall dispatcher's all-to-all
 * after its sync, TP collectives without overlap) is GPU work the host
 * launches like a kernel and then goes on launching: one sync a layer in
 * steady state gives max(host, host after the sync + GPU before it,
 * GPU + communication).  Launches
 * per op: op->kernels (0 counts as 1) for compute ops (communication ops
 * count none: the MoE dispatcher's NCCL launches are counted in its
 * compute ops by plan_moe.c, other layers have a few); the
 * backward of a linear layer (TCE_OP_F_BACKWARD with FLOPs) launches its
 * dgrad and its wgrad GEMM for each forward GEMM (2 x kernels); an
 * element-wise op's backward launches its forward's count unless the plan
 * gives its own (tce_op.bwd_kernels, which plan.c's backward_of makes the
 * backward op's kernels: the alltoall dispatcher's 5, GPT-OSS's expert
 * bias loop 5 an expert, plan_moe.c); syncs count
 * in forward ops only (the backward reuses the counts the forward copied:
 * Megatron-Core token_dispatcher.py keeps the splits on the CPU, TE's
 * grouped GEMM keeps m_splits).  Pure, O(ops), no allocation.
 */
#ifndef TCEMU_HOSTSYNC_H
#define TCEMU_HOSTSYNC_H

#include "tcemu/plan.h"

/* What the host does for one repetition of list l. */
struct tce_hostsync_list {
    double eager_launches;  /* kernel launches from the CPU */
    double graph_launches;  /* kernels replayed from CUDA graphs */
    double syncs;           /* host-device syncs */
};

/* Count the launches and syncs of list l (op counts included). */
void tce_hostsync_scan(const struct tce_op_list *l,
                       struct tce_hostsync_list *out);

/* 1 when op makes the host wait for the GPU: a forward compute op marked
 * TCE_OP_F_HOST_SYNC, not graphed (the rule above). */
int tce_hostsync_op_syncs(const struct tce_op *op);

/* Launches of one repetition of op (the rule above). */
double tce_hostsync_op_launches(const struct tce_op *op);

/* The host's time for list l: launches x cost per launch (eager_s, or
 * graph_s for TCE_OP_F_GRAPHED ops) + syncs x eager_s; 0 when both costs
 * are 0. */
double tce_hostsync_list_s(const struct tce_op_list *l, double eager_s,
                           double graph_s);

/* sync (issue 11): where list l syncs the host once (one op with
 * tce_hostsync_op_syncs, count 1), the CPU's lead is gone at the sync:
 * from there the GPU runs no faster than the host launches the rest of
 * the list, and the list's ops before the sync (the next repetition's)
 * start only once the CPU has launched them.  Between two syncs the list
 * takes at least the host's time after the sync (launches and the sync's
 * gap) plus the GPU's time before it:
 *     post_host + pre_gpu
 * op_s: each op's GPU time for one repetition (compute ops; others are
 * not counted).  0 without exactly one sync or without costs. */
double tce_hostsync_segment_s(const struct tce_op_list *l, const double *op_s,
                              double eager_s, double graph_s);

/* host (issue 11): list l cut at its sync: the host's launch time before
 * it (pre_host_s) and from it on, with the sync's gap (post_host_s), and
 * the GPU's time before it (pre_gpu_s).  Without exactly one sync every
 * launch is post_host_s and 0 is returned; 1 otherwise.  The paired EP
 * schedule (eppair.h) joins two lists' host times with it. */
struct tce_hostsync_split {
    double pre_host_s, post_host_s, pre_gpu_s;
};
int tce_hostsync_split(const struct tce_op_list *l, const double *op_s,
                       double eager_s, double graph_s,
                       struct tce_hostsync_split *out);

#endif
