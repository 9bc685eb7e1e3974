/*
 * projcache.h - what a tce_projector (projector.h) keeps from one GPU count
 * to the next (speed, issue 11), each entry keyed by what it was computed
 * from, so a sweep gives tce_project()'s results bit for bit:
 *  - the spans of the group kinds (tce_span_cache, layout.h: by size,
 *    stride, node and domain sizes and the boundaries the job is larger
 *    than);
 *  - the time of each layer, embedding and head list (struct
 *    tce_list_memo): valid while the plan that held it was not rebuilt
 *    (slot, generation) and the spans of the groups its ops use did not
 *    move since it was timed;
 *  - each evaluated stage's per-microbatch forward and backward over those
 *    lists (struct tce_stage_memo): the sum of the list times x the
 *    stage's layer counts, valid while neither the plan it came from nor
 *    the first stage's (which holds the layer lists) was rebuilt and no
 *    list time changed since (the cache's epoch).
 * What depends on dp (the per-iteration lists, the DP and PP spans, the
 * schedule, memory) is not kept.  Pure, no allocation.
 */
#ifndef TCEMU_PROJCACHE_H
#define TCEMU_PROJCACHE_H

#include "tcemu/breakdown.h"
#include "tcemu/eppair.h"
#include "tcemu/layout.h"
#include "tcemu/plan.h"

/* Lists whose times are memoised: enum tce_plan_list values below this
 * (dense and MoE layers, embedding, head). */
#define TCE_PROJECTOR_MEMOS 8
/* Stages evaluated: the first, the last and one middle stage. */
#define TCE_PROJECTOR_PLANS 3

/* A list's time, split by charge. */
struct tce_list_time {
    double total_s;
    double part_s[TCE_CHARGE_COUNT];
    struct tce_ep_phases ep; /* overlap (issue 11): a MoE layer list's
                                paired EP communication (eppair.h) */
    /* overlap (issue 11): what one execution adds when it runs alone, as
     * the schedule's warm-up forwards and cool-down backwards do
     * (eppair.h): exposed EP, and compute (the pair's SM share and host
     * floor it no longer pays: <= 0) */
    double solo_ep_s, solo_compute_s;
};

/* The time of one list with what it was computed from; dropped when the
 * span of a group it uses changes from one run to the next. */
struct tce_list_memo {
    int valid;
    unsigned groups;            /* bit g: an op of the list uses group g */
    int slot;                   /* plan[slot] held the list ... */
    unsigned gen;               /* ... at its generation gen */
    struct tce_list_time time;
};

/* One stage's forward and backward per microbatch over its layer,
 * embedding and head lists (all chunks). */
struct tce_stage_memo {
    int valid;
    unsigned gen_first;         /* plan[0]'s generation (layer lists) */
    unsigned gen;               /* the stage's plan's generation */
    unsigned epoch;             /* the cache's epoch when summed */
    struct tce_list_time fwd, bwd;
};

struct tce_projcache {
    unsigned epoch;             /* + 1 whenever a list time is timed again
                                   or dropped */
    struct tce_list_memo memo[TCE_PROJECTOR_MEMOS];
    struct tce_stage_memo stage[TCE_PROJECTOR_PLANS];
    struct tce_span_cache span_cache;
};

/* Empty c. */
void tce_projcache_init(struct tce_projcache *c);

/* The spans of layout on topo (tce_layout_spans_cached: valid until the
 * next call), and the list times that use a group whose span moved since
 * the previous call dropped (so a kept time was timed with the spans of
 * every call since). */
const struct tce_span *tce_projcache_spans(struct tce_projcache *c,
                                           const struct tce_layout *layout,
                                           const struct tce_topology *topo);

/* The kept time of list id of the plan in slot at generation gen, or NULL
 * (then time it and tce_projcache_keep_list it). */
const struct tce_list_time *tce_projcache_list(const struct tce_projcache *c,
                                               int slot, unsigned gen,
                                               enum tce_plan_list id);

/* Keep t, the time of list l (id of the plan in slot at generation gen)
 * timed with this call's spans. */
void tce_projcache_keep_list(struct tce_projcache *c, int slot, unsigned gen,
                             enum tce_plan_list id,
                             const struct tce_op_list *l,
                             const struct tce_list_time *t);

/* The kept forward and backward of the stage in slot (its plan at
 * generation gen, the first stage's at gen_first), or NULL. */
const struct tce_stage_memo *tce_projcache_stage(const struct tce_projcache *c,
                                                 int slot, unsigned gen_first,
                                                 unsigned gen);

void tce_projcache_keep_stage(struct tce_projcache *c, int slot,
                              unsigned gen_first, unsigned gen,
                              const struct tce_list_time *fwd,
                              const struct tce_list_time *bwd);

/* Which groups a list's ops use (bit g set for group g; p2p: PP). */
unsigned tce_projcache_list_groups(const struct tce_op_list *l);

#endif
