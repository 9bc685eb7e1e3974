/* walk.c - one iteration of a rank's plan in execution order (walk.h). */
#include "tcemu/walk.h"

int tce_walk_is_deferred(const struct tce_op *op)
{
    return op->kind == TCE_OP_COLLECTIVE &&
           (op->overlap == TCE_OVERLAP_BACKWARD ||
            op->overlap == TCE_OVERLAP_FORWARD);
}

enum filter { ALL, SKIP_DEFERRED, ONLY_DEFERRED };

static int has_deferred(const struct tce_op_list *l)
{
    int i;

    for (i = 0; i < l->n; i++)
        if (tce_walk_is_deferred(&l->ops[i]))
            return 1;
    return 0;
}

static int run_list(const struct tce_plan *plan, enum tce_plan_list l,
                    enum filter f, const struct tce_walk_backend *be,
                    void *ctx)
{
    const struct tce_op_list *list = &plan->list[l];
    int i, rc = 0, ran = 0;

    for (i = 0; i < list->n && rc == 0; i++) {
        int deferred = tce_walk_is_deferred(&list->ops[i]);

        if ((f == SKIP_DEFERRED && deferred) ||
            (f == ONLY_DEFERRED && !deferred))
            continue;
        rc = be->op(ctx, l, i);
        ran = 1;
    }
    if (rc == 0 && ran)
        rc = be->list_end(ctx, l);
    return rc;
}

/* The SEND or RECV op of a p2p list. */
static int run_p2p(const struct tce_plan *plan, enum tce_plan_list l,
                   enum tce_op_kind kind, const struct tce_walk_backend *be,
                   void *ctx)
{
    const struct tce_op_list *list = &plan->list[l];
    int i;

    for (i = 0; i < list->n; i++)
        if (list->ops[i].kind == kind)
            return be->op(ctx, l, i);
    return 0;
}

static int layers(const struct tce_plan *plan, int64_t chunk, int backward,
                  const struct tce_walk_backend *be, void *ctx)
{
    int64_t n = tce_plan_chunk_layers(plan, chunk), i, k;
    int rc = 0;

    for (k = 0; k < n && rc == 0; k++) {
        i = backward ? n - 1 - k : k;
        if (tce_plan_layer_is_moe(plan, chunk, i))
            rc = run_list(plan,
                          backward ? TCE_PLAN_MOE_BWD : TCE_PLAN_MOE_FWD, ALL,
                          be, ctx);
        else
            rc = run_list(plan,
                          backward ? TCE_PLAN_DENSE_BWD : TCE_PLAN_DENSE_FWD,
                          ALL, be, ctx);
    }
    return rc;
}

int tce_walk_iteration(const struct tce_plan *plan,
                       const struct tce_walk_backend *be, void *ctx,
                       struct tce_error *err)
{
    int64_t p = plan->layout.pp > 0 ? plan->layout.pp : 1;
    int64_t v = plan->chunks > 0 ? plan->chunks : 1;
    int64_t m = plan->microbatches, stage = plan->stage, len, k;
    int begin_deferred = has_deferred(&plan->list[TCE_PLAN_ITER_BEGIN]);
    int end_deferred = has_deferred(&plan->list[TCE_PLAN_ITER_END]);
    int first_fwd_done = 0, rc;
    struct tce_sched_step st;

    rc = run_list(plan, TCE_PLAN_ITER_BEGIN, ALL, be, ctx);
    len = tce_schedule_len(v, m);
    for (k = 0; k < len && rc == 0; k++) {
        int first_virtual, last_virtual;

        rc = tce_schedule_step(p, v, m, stage, k, &st, err);
        if (rc)
            break;
        first_virtual = stage == 0 && st.chunk == 0;
        last_virtual = stage == p - 1 && st.chunk == v - 1;
        if (!st.backward) {
            if (!first_virtual)
                rc = run_p2p(plan, TCE_PLAN_P2P_FWD, TCE_OP_RECV, be, ctx);
            if (rc == 0 && first_virtual)
                rc = run_list(plan, TCE_PLAN_EMBED_FWD, ALL, be, ctx);
            if (rc == 0)
                rc = layers(plan, st.chunk, 0, be, ctx);
            if (rc == 0 && last_virtual)
                rc = run_list(plan, TCE_PLAN_HEAD_FWD, ALL, be, ctx);
            else if (rc == 0)
                rc = run_p2p(plan, TCE_PLAN_P2P_FWD, TCE_OP_SEND, be, ctx);
            if (rc == 0 && begin_deferred && !first_fwd_done)
                rc = be->wait(ctx, TCE_WALK_WAIT_PARAM_GATHER);
            first_fwd_done = 1;
            continue;
        }
        /* The last backward step posts the overlapped gradient buckets,
         * progressed while its compute runs. */
        if (k == len - 1 && end_deferred)
            rc = run_list(plan, TCE_PLAN_ITER_END, ONLY_DEFERRED, be, ctx);
        if (rc == 0 && !last_virtual)
            rc = run_p2p(plan, TCE_PLAN_P2P_BWD, TCE_OP_RECV, be, ctx);
        if (rc == 0 && last_virtual)
            rc = run_list(plan, TCE_PLAN_HEAD_BWD, ALL, be, ctx);
        if (rc == 0)
            rc = layers(plan, st.chunk, 1, be, ctx);
        if (rc == 0 && first_virtual)
            rc = run_list(plan, TCE_PLAN_EMBED_BWD, ALL, be, ctx);
        if (rc == 0 && !first_virtual)
            rc = run_p2p(plan, TCE_PLAN_P2P_BWD, TCE_OP_SEND, be, ctx);
    }
    if (rc == 0 && len == 0 && end_deferred)
        rc = run_list(plan, TCE_PLAN_ITER_END, ONLY_DEFERRED, be, ctx);
    if (rc == 0)
        rc = be->wait(ctx, TCE_WALK_WAIT_GRAD_REDUCE);
    if (rc == 0)
        rc = run_list(plan, TCE_PLAN_ITER_END, SKIP_DEFERRED, be, ctx);
    return rc;
}

const char *tce_walk_wait_name(enum tce_walk_wait w)
{
    switch (w) {
    case TCE_WALK_WAIT_PARAM_GATHER:
        return "param_gather";
    case TCE_WALK_WAIT_GRAD_REDUCE:
        return "grad_reduce";
    }
    return "unknown";
}

enum tce_plan_list tce_walk_wait_list(enum tce_walk_wait w)
{
    return w == TCE_WALK_WAIT_PARAM_GATHER ? TCE_PLAN_ITER_BEGIN
                                           : TCE_PLAN_ITER_END;
}
