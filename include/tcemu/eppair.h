/*
 * eppair.h - a MoE layer's expert-parallel communication under
 * overlap_moe_expert_parallel_comm, charged as Megatron-Core's combined
 * 1F1B schedule runs it (overlap, issue 11).
 *
 * Why: with the overlap on, Megatron-Core runs a layer's forward for one
 * microbatch beside its backward for another, the token dispatch and
 * combine on a communication stream, each against one compute run of the
 * other pass (megatron/core/models/common/model_chunk_schedule_plan.py,
 * TransformerLayerSchedulePlan.run, 2026-08: "comm_stream: combine_bwd |
 * dispatch_fwd->dispatch_bwd | combine_fwd; comp_stream: pre_dispatch_fwd
 * | mlp_bwd->mlp_bwd_dw->mlp_fwd | pre_dispatch_bwd").  Hiding the
 * communication under its own list's compute as a whole over-credits it
 * where one run is longer than its partner: an all-to-all across nodes
 * against a short attention, say.
 *
 * The plan marks such communication TCE_OP_F_EP_PAIRED (plan_moe.c).  The
 * projector leaves it out of the MoE layer lists' times and keeps a
 * summary of each list instead (struct tce_ep_phases): the runs of paired
 * communication in list order (forward: dispatch, combine; backward:
 * combine, dispatch) and the compute before, between and after them, the
 * list's FP8 casts (TCE_OP_F_CAST, one op summed over its linears) spread
 * over them by their GEMM time.  tce_eppair_charge then charges, in ms or
 * any unit:
 *   e1 = max(0, combine_bwd - pre_dispatch_fwd)
 *   e2 = end - (mlp_bwd + mlp_fwd), end the later of
 *        max(dispatch_fwd, mlp_bwd - wgrad) + dispatch_bwd  (the
 *        dispatch's backward needs the experts' dgrad) and
 *        max(mlp_bwd, dispatch_fwd) + mlp_fwd  (the experts' forward
 *        needs the dispatch)
 *   e3 = max(0, combine_fwd - pre_dispatch_bwd)
 * where pre_dispatch_fwd is the forward's compute before its dispatch
 * (attention, router, permute), mlp_fwd between dispatch and combine (the
 * experts), pre_dispatch_bwd the backward's compute after its dispatch
 * and mlp_bwd between its combine and dispatch, wgrad its weight-gradient
 * GEMMs (half of each linear's backward: dgrad and wgrad have equal
 * FLOPs).  The forward takes e3 + e2 / 2 as exposed EP time, the backward
 * e1 + e2 / 2; the rest of each pass's communication is hidden and holds
 * its SMs (sm_share x the hidden time, charged as compute; plan_moe.c's
 * comm_sms).  The combine's own element-wise work, on the communication
 * stream too, stays compute.
 * host (issue 11): one CPU thread launches both passes of a pair, in the
 * order above, and the forward's dispatcher waits for its token counts
 * (hostsync.h) after pre_dispatch_fwd: the CPU's lead is gone there, and
 * everything after it (the rest of the forward and the whole backward) is
 * launched from that point.  The schedule itself costs the host time
 * beyond the launches (host_sched, node.ep_overlap_host_us a pair): each
 * layer runs as schedule nodes (ScheduleNode in megatron/core/
 * pipeline_parallel/utils.py: per node an event wait and record, a
 * stream switch, its inputs detached, and in the backward one autograd
 * engine call of its own), and the experts' and attention's weight
 * gradients are separate backward_dw calls (Megatron-Bridge turns on
 * delay_wgrad_compute with the overlap).  So a pair takes at least
 *   max(host_pre_fwd, gpu_pre_fwd) + host_post_fwd + host_bwd
 *   + host_sched,
 * and what that floor exceeds the two passes' times by is charged to
 * compute, half to each.  This is why Megatron-Bridge turns the overlap
 * off where the host bounds a layer ("Disable moe_a2a_overlap due to CPU
 * overhead", NVIDIA-NeMo/Megatron-Bridge PR 1760, Qwen3-235B on B200:
 * 20.1 -> 16.9 s per step).  A list whose runs are not exactly two
 * (dispatch, combine) hides them under its own compute.
 * warm-up and cool-down: only the schedule's steady 1F1B steps pair a
 * forward with a backward.  The warm-up forwards and the cool-down
 * backwards run alone, dispatch and combine exposed: on pipeline stage s
 * of p with v chunks and m microbatches, min(m v, 2 (p - s - 1) +
 * (v - 1) p + 1) of each (Megatron-Core schedules.py
 * get_pp_rank_microbatches: the interleaved warm-up, microbatch groups of
 * p, "one extra micro-batch forward step before the 1f1b stages" under
 * the overlap), p - s of each without interleaving, and one of each
 * without a pipeline (combined_1f1b.py
 * combined_1f1b_schedule_for_no_pipelining: "The forward step for the
 * first microbatch is executed alone").  tce_eppair_charge records what a
 * pass adds when alone (struct tce_list_time solo_ep_s, solo_compute_s);
 * the projector adds it for that fraction of a stage's passes.  Pure.
 */
#ifndef TCEMU_EPPAIR_H
#define TCEMU_EPPAIR_H

#include <stdint.h>

#include "tcemu/plan.h"

/* The summary of one MoE layer list (forward or backward). */
struct tce_ep_phases {
    int runs;             /* runs of paired communication */
    double comm_s[2];     /* each run's time */
    double seg_s[3];      /* compute before the first run, between, after */
    double wgrad_s;       /* of seg_s[1]: the weight-gradient GEMMs */
    double sm_share;      /* the runs' comm_sms / sm_count (0: none) */
    /* host (issue 11): the list's host launch time before its sync and
     * from it on, and the GPU's time before it (hostsync.h) */
    double host_pre_s, host_post_s, gpu_pre_s;
};

/* The summary while a list is walked: start from zeros (memset). */
struct tce_eppair_walk {
    struct tce_ep_phases *p;
    int in_run;           /* the last op was paired communication */
    double cast;          /* the FP8 casts, spread at the end */
    double gemm[3];       /* each segment's GEMM time */
};

/* Whether op is paired communication a MoE layer list (pair != 0) leaves
 * out of its time. */
int tce_eppair_is_paired(const struct tce_op *op, int pair);

/* Add op, t seconds (all its repetitions), to the walk: paired
 * communication (sm_count: the accelerator's SMs) or a compute op. */
void tce_eppair_add(struct tce_eppair_walk *w, const struct tce_op *op,
                    double t, double sm_count);

/* The list is walked: spread its casts. */
void tce_eppair_end(struct tce_eppair_walk *w);

struct tce_list_time; /* projcache.h */

/* Charge the two lists' paired communication (the rule above) to their
 * times: exposed to TCE_CHARGE_EP, the SMs it holds to compute; sched_s:
 * the schedule's own host time a pair (host_sched above). */
void tce_eppair_charge(struct tce_list_time *fwd, struct tce_list_time *bwd,
                       double sched_s);

/* The fraction of stage's forward (and of its backward) passes that run
 * alone under the overlap: p pipeline stages, v chunks, m microbatches
 * (the rule above). */
double tce_eppair_solo_fraction(int64_t p, int64_t v, int64_t m,
                                int64_t stage);

#endif
