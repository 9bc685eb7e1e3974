/*
 * projector_text.c - the projector's rules in words (the `# assumption:`
 * lines of its pipeline and overlap models) and its breakdown as JSON
 * (projector.h).
 */
#include <stdio.h>

#include "tcemu/json.h"
#include "tcemu/projector.h"

char *tce_projector_pipeline_assumption(const struct tce_job *job, char *buf,
                                        size_t n)
{
    int interleaved = job->parallel.virtual_pipeline_model_parallel_size > 1;

    snprintf(buf, n,
             "pipeline: %s from each stage's own forward and backward: m x "
             "the slowest stage + the others' fill and drain / v (SC21 "
             "arXiv 2104.04473 sec. 2.2, unequal stages); p2p %s",
             interleaved ? "interleaved 1F1B" : "1F1B",
             !interleaved ? "exposed"
             : job->training.overlap_p2p_comm
                 ? "under the next chunk step (overlap_p2p_comm): latency "
                   "and transfer beyond the step exposed"
                 : "exposed (overlap_p2p_comm off)");
    return buf;
}

char *tce_projector_dp_assumption(const struct tce_job *job, char *buf,
                                  size_t n)
{
    const struct tce_training *tr = &job->training;

    snprintf(buf, n,
             "DP gradient reduce %s; param all-gather %s; TP communication "
             "%s; EP all-to-all %s",
             tr->overlap_grad_reduce
                 ? (tr->align_grad_reduce
                        ? "per chunk once its last backward is done, "
                          "launched pipeline-rank steps late "
                          "(align_grad_reduce), under the cool-down and "
                          "drain; the worst stage's excess exposed"
                        : "per chunk by bucket hooks during its last "
                          "backward, under the cool-down and drain; the "
                          "worst stage's excess exposed")
                 : "exposed",
             tr->overlap_param_gather
                 ? "under the fill and warm-up's forwards, per chunk"
                 : "exposed",
             tr->tp_comm_overlap ? "hidden under the layer's compute"
                                 : "exposed",
             tr->overlap_moe_expert_parallel_comm
                 ? "paired with another microbatch's pass as Megatron-Core's "
                   "combined 1F1B runs it (dispatch and combine against "
                   "its attention and experts), the excess exposed; the "
                   "warm-up forwards and cool-down backwards alone, "
                   "exposed"
                 : "exposed");
    return buf;
}

void tce_projector_breakdown_json(struct tce_json *j, const char *key,
                                  const struct tce_breakdown *b)
{
    int i;

    tce_json_object_begin(j, key);
    for (i = 0; i < TCE_PART_COUNT; i++)
        tce_json_double(j, tce_breakdown_parts[i].json,
                        tce_breakdown_get(b, (enum tce_part)i));
    tce_json_object_end(j);
}
