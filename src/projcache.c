/*
 * projcache.c - what a tce_projector keeps from one GPU count to the next,
 * keyed by what each entry was computed from (projcache.h).
 */
#include <string.h>

#include "tcemu/projcache.h"

void tce_projcache_init(struct tce_projcache *c)
{
    int i;

    c->epoch = 0;
    for (i = 0; i < TCE_PROJECTOR_MEMOS; i++)
        c->memo[i].valid = 0;
    for (i = 0; i < TCE_PROJECTOR_PLANS; i++)
        c->stage[i].valid = 0;
    tce_span_cache_init(&c->span_cache);
}

unsigned tce_projcache_list_groups(const struct tce_op_list *l)
{
    unsigned mask = 0;
    int i;

    for (i = 0; i < l->n; i++) {
        const struct tce_op *op = &l->ops[i];

        if (op->kind == TCE_OP_COLLECTIVE &&
            (unsigned)op->group < TCE_GROUP_COUNT)
            mask |= 1u << op->group;
        else if (op->kind == TCE_OP_SEND || op->kind == TCE_OP_RECV)
            mask |= 1u << TCE_GROUP_PP;
    }
    return mask;
}

const struct tce_span *tce_projcache_spans(struct tce_projcache *c,
                                           const struct tce_layout *layout,
                                           const struct tce_topology *topo)
{
    const struct tce_span *spans;
    unsigned moved;
    int i;

    spans = tce_layout_spans_cached(layout, topo, &c->span_cache, &moved);
    /* a list time timed with a span that moved since is dropped */
    for (i = 0; moved && i < TCE_PROJECTOR_MEMOS; i++)
        if (c->memo[i].valid && (c->memo[i].groups & moved)) {
            c->memo[i].valid = 0;
            c->epoch++;
        }
    return spans;
}

const struct tce_list_time *tce_projcache_list(const struct tce_projcache *c,
                                               int slot, unsigned gen,
                                               enum tce_plan_list id)
{
    const struct tce_list_memo *mm;

    if ((unsigned)id >= TCE_PROJECTOR_MEMOS)
        return NULL;
    mm = &c->memo[id];
    return mm->valid && mm->slot == slot && mm->gen == gen ? &mm->time : NULL;
}

void tce_projcache_keep_list(struct tce_projcache *c, int slot, unsigned gen,
                             enum tce_plan_list id, const struct tce_op_list *l,
                             const struct tce_list_time *t)
{
    struct tce_list_memo *mm;

    if ((unsigned)id >= TCE_PROJECTOR_MEMOS)
        return;
    mm = &c->memo[id];
    mm->time = *t;
    mm->groups = tce_projcache_list_groups(l);
    mm->slot = slot;
    mm->gen = gen;
    mm->valid = 1;
    c->epoch++;
}

const struct tce_stage_memo *tce_projcache_stage(const struct tce_projcache *c,
                                                 int slot, unsigned gen_first,
                                                 unsigned gen)
{
    const struct tce_stage_memo *sm;

    if (slot < 0 || slot >= TCE_PROJECTOR_PLANS)
        return NULL;
    sm = &c->stage[slot];
    return sm->valid && sm->gen_first == gen_first && sm->gen == gen &&
                   sm->epoch == c->epoch
               ? sm
               : NULL;
}

void tce_projcache_keep_stage(struct tce_projcache *c, int slot,
                              unsigned gen_first, unsigned gen,
                              const struct tce_list_time *fwd,
                              const struct tce_list_time *bwd)
{
    struct tce_stage_memo *sm;

    if (slot < 0 || slot >= TCE_PROJECTOR_PLANS)
        return;
    sm = &c->stage[slot];
    sm->valid = 1;
    sm->gen_first = gen_first;
    sm->gen = gen;
    sm->epoch = c->epoch;
    sm->fwd = *fwd;
    sm->bwd = *bwd;
}
