/*
 * projector.h - evaluate a job's plan on a topology at any scale, without
 * enumerating ranks: iteration time and its breakdown, throughput, MFU/HFU,
 * memory fit, utilisation and the ideal time to train.  What that costs
 * (GPU-hours, USD, energy) is economics.h's tce_econ_price_projection.
 *
 * Rules (also printed as `# assumption:` lines by `tcemu project`):
 *  - Per microbatch, a stage's time is the sum over its lists (layers of all
 *    its chunks, embedding on the first stage, logits + loss on the last) of
 *    compute + exposed communication; communication marked
 *    TCE_OVERLAP_COMPUTE is hidden under the compute of its own list and
 *    only the excess is exposed, except a MoE layer's expert-parallel
 *    dispatch and combine under overlap_moe_expert_parallel_comm
 *    (TCE_OP_F_EP_PAIRED): Megatron-Core's combined 1F1B schedule runs
 *    the layer's forward for one microbatch beside its backward for
 *    another, each communication against one compute run of the other
 *    pass (eppair.h).  The first, the last and (pp > 2) one
 *    middle stage are evaluated (the middle one only when it may be slower
 *    than the first: MoE, or more layers); the slowest sets the pace (T).
 *  - 1F1B / interleaved: the span of the schedule's steps from each
 *    stage's own forward and backward per microbatch (first, middle and
 *    last stage, tce_schedule_span3_s: m T_s + fill and drain of the
 *    other stages / v, SC21's (m + (p-1)/v) T for equal stages); the
 *    bubble is that span minus m x the slowest stage's time.  Stages
 *    1 .. p-2 take the middle stage's times.
 *  - Pipeline p2p: each microbatch crosses each of the stage's v chunk
 *    boundaries forward and backward: 2 v m messages.  1F1B (v = 1) or
 *    overlap_p2p_comm off: exposed (send and receive overlap each other,
 *    full duplex).  Interleaved with overlap_p2p_comm (Megatron's
 *    --overlap-p2p-communication, on by default with VP > 1): the
 *    transfer runs under the next chunk step's compute; exposed per
 *    message its latency plus the transfer beyond that step (forward
 *    messages under f / v, backward under b / v).
 *  - DP gradient reduce (all buckets) with overlap_grad_reduce: each
 *    chunk's share goes out once its last microbatch's backward is done,
 *    under the backward that remains in the cool-down and the drain of
 *    the stages before (tce_schedule_grad_reduce_exposed_s: by bucket
 *    hooks, or with align_grad_reduce launched whole, pipeline-rank steps
 *    late, as Megatron-LM's schedules do); the worst of the evaluated
 *    stages (the middle class at stages 1 and p-2) shows.  Without it,
 *    all exposed.  The distributed optimizer's param all-gather likewise
 *    under the fill and the warm-up's forwards with overlap_param_gather.
 *  - Optimizer step exposed (memory-bound roofline).
 *  - Utilisation for energy: accelerators are busy for the compute part of
 *    the iteration (compute / iteration) and idle otherwise.
 *  - Time to train: ideal (no failures or restarts): train_tokens / tokens
 *    per iteration iterations.
 */
#ifndef TCEMU_PROJECTOR_H
#define TCEMU_PROJECTOR_H

#include <stddef.h>
#include <stdint.h>

#include "tcemu/breakdown.h"
#include "tcemu/computecache.h"
#include "tcemu/config.h"
#include "tcemu/costmodel.h"
#include "tcemu/error.h"
#include "tcemu/layout.h"
#include "tcemu/model.h"
#include "tcemu/plan.h"
#include "tcemu/projcache.h"
#include "tcemu/schedule.h"

/* struct tce_breakdown (seconds per part of the iteration) is in
 * breakdown.h. */

struct tce_projection {
    struct tce_layout layout;
    double iteration_s;
    struct tce_breakdown breakdown;
    double tokens_per_s;
    double model_tflops_per_gpu;
    double hardware_tflops_per_gpu;
    double mfu, hfu;
    double memory_gib_per_gpu;
    int fits_memory;
    double iterations;           /* train_tokens / tokens per iteration */
    double time_to_train_days;   /* ideal: no failures */
    double utilisation;          /* compute / iteration */
    int64_t slowest_stage;
    double stage_microbatch_s;   /* T of the slowest stage */
    double dp_total_s;           /* DP gradient reduce before overlap */
    double bubble_fraction;      /* pp_bubble_s / (m x T): (p-1)/(v m)
                                    for equal stages */
    struct tce_sched_stage_s stage_s[3]; /* per microbatch: the first, a
                                    middle and the last stage (the first's
                                    where there is none) */
};


/* Project job on topo with gpus accelerators (0 = the job's num_gpus):
 * layout from tce_layout_init (dp re-derived), then the plan of the
 * relevant stages evaluated with cm.  0, or the layout's error (TCE_ECONFIG
 * with a message naming the rule) when gpus does not fit the job. */
int tce_project(const struct tce_topology *topo, const struct tce_job *job,
                const struct tce_costmodel *cm, int64_t gpus,
                struct tce_projection *out, struct tce_error *err);

/* tce_project with compute times through cache (NULL: none); results
 * identical. */
int tce_project_cached(const struct tce_topology *topo,
                       const struct tce_job *job,
                       const struct tce_costmodel *cm,
                       struct tce_compute_cache *cache, int64_t gpus,
                       struct tce_projection *out, struct tce_error *err);

/*
 * A projector bound to one (topology, job, cost model), for sweeps over GPU
 * counts: what does not depend on the GPU count is built at the first
 * projection and reused by the next ones: the model's FLOP counts, the
 * plans of the evaluated stages (tce_plan_relayout to the same stage
 * rebuilds only the per-iteration lists, which depend on dp, and of those
 * only the optimizer's shard while dp > 1 and edp > 1 hold), and in
 * struct tce_projcache (projcache.h) the groups' spans, the times of the
 * per-layer, embedding and head lists and each stage's sums over them,
 * each reused only while what it was computed from is unchanged, so
 * results are identical to tce_project()'s.  topo, job and cm
 * must not change while the projector is used (init again after changing
 * them).  No allocation; the struct holds three plans (about 130 KB):
 * allocate it, or keep it off small stacks.
 */

/* The rule of a list's time, for every caller that times a list
 * (projector, timeline): compute plus exposed communication, where
 * communication marked TCE_OVERLAP_COMPUTE is hidden under the list's
 * compute and only the excess is exposed, spread over the hidden ops'
 * charges.  One execution of the list (each op x its count). */
void tce_projector_list_time(const struct tce_costmodel *cm,
                             const struct tce_span spans[TCE_GROUP_COUNT],
                             const struct tce_op_list *l,
                             struct tce_list_time *out);

/* The exposed time of one pipeline message of msg_s seconds (lat_s its
 * latency, tce_cost_p2p_s at one byte) next to a chunk step of step_s:
 * overlapped (interleaved with overlap_p2p_comm) lat_s + max(0, transfer
 * - step_s), else msg_s. */
double tce_projector_p2p_message_s(double msg_s, double lat_s, double step_s,
                                   int overlapped);

struct tce_projector {
    const struct tce_topology *topo;
    const struct tce_job *job;
    const struct tce_costmodel *cm;
    int have_plan[TCE_PROJECTOR_PLANS]; /* plan[i] built for this job */
    unsigned plan_gen[TCE_PROJECTOR_PLANS]; /* + 1 whenever plan[i]'s lists
                                   other than the per-iteration ones may
                                   have changed */
    struct tce_iteration_flops flops;
    struct tce_projcache cache; /* speed (issue 11): spans, list times and
                                   stage sums kept by what they read */
    /* the plan of the first, last and middle stage: each keeps its stage
     * from one GPU count to the next */
    struct tce_plan plan[TCE_PROJECTOR_PLANS];
};

/* Bind p to (topo, job, cm); nothing is built until the first run. */
void tce_projector_init(struct tce_projector *p,
                        const struct tce_topology *topo,
                        const struct tce_job *job,
                        const struct tce_costmodel *cm);

/* tce_project(p->topo, p->job, p->cm, gpus, out, err), reusing what
 * earlier runs built. */
int tce_projector_run(struct tce_projector *p, int64_t gpus,
                      struct tce_projection *out, struct tce_error *err);

/* The `# assumption:` sentences of the schedule rules above, for job
 * (its vpp and overlap keys), into buf of n bytes; return buf. */
char *tce_projector_pipeline_assumption(const struct tce_job *job, char *buf,
                                        size_t n);
char *tce_projector_dp_assumption(const struct tce_job *job, char *buf,
                                  size_t n);

struct tce_json;
/* The breakdown as a JSON object named key (seconds), one member per part
 * of TCE_BREAKDOWN_PARTS (breakdown.h) under its JSON key: compute,
 * tp_exposed, cp_exposed, ep_exposed, dp_exposed, pp_bubble, pp_p2p,
 * optimizer; one shape wherever a breakdown is written (project, run). */
void tce_projector_breakdown_json(struct tce_json *j, const char *key,
                                  const struct tce_breakdown *b);

#endif
