/* run_results.c - tcemu run: per-op statistics reduced over ranks, op
 * descriptions (run.h). */
#include <string.h>

#include "tcemu/hostsync.h"
#include "tcemu/walk.h"

#include "run.h"

/* An op as described on every rank: the first rank's plan may not hold it
 * (stage-specific lists), so each rank describes what it ran. */
static const struct tce_op *class_op(const struct run *r, int cls)
{
    int l = cls / TCE_PLAN_OPS_MAX, i = cls % TCE_PLAN_OPS_MAX;

    if (i >= r->plan.list[l].n)
        return NULL;
    return &r->plan.list[l].ops[i];
}

/* This rank's contribution (runstats.h), every field reduced over the
 * ranks with its operation, the iteration times (max over ranks per
 * iteration) and the slowest rank. */
int tce_run_reduce_results(struct run *r, struct results *res)
{
    static const MPI_Op ops[] = {
        [TCE_RUNSTATS_MIN] = MPI_MIN,
        [TCE_RUNSTATS_MAX] = MPI_MAX,
        [TCE_RUNSTATS_SUM] = MPI_SUM,
    };
    struct {
        double v;
        int rank;
    } in, outp;
    int f, mrc = MPI_SUCCESS;
    MPI_Comm w = r->rt->world;

    tce_runstats_local(&res->cs, r->cls, r->measured);
    for (f = 0; f < TCE_RUNSTATS_FIELDS && mrc == MPI_SUCCESS; f++)
        mrc = MPI_Allreduce(MPI_IN_PLACE, tce_runstats_array(&res->cs, f),
                            N_CLASSES, MPI_DOUBLE,
                            ops[tce_runstats_fields[f].op], w);
    if (mrc == MPI_SUCCESS && r->measured > 0)
        mrc = MPI_Allreduce(r->iter_s, res->iter_max_s, (int)r->measured,
                            MPI_DOUBLE, MPI_MAX, w);
    if (mrc != MPI_SUCCESS)
        return mrc;
    tce_runstats_iterations(res->iter_max_s, r->measured, &res->iter);
    in.v = tce_runstats_rank_mean_s(r->iter_s, r->measured);
    in.rank = r->rt->rank;
    mrc = MPI_Allreduce(&in, &outp, 1, MPI_DOUBLE_INT, MPI_MAXLOC, w);
    res->slowest_rank = outp.rank;
    res->slowest_avg_s = outp.v;
    return mrc;
}

const char *tce_run_class_list(int cls)
{
    if (cls == CLS_WAIT_PARAM)
        return "iter_begin";
    if (cls == CLS_WAIT_GRAD)
        return "iter_end";
    return tce_run_list_name(cls / TCE_PLAN_OPS_MAX);
}

void tce_run_describe(const struct run *r, const struct tce_plan *last, int cls,
                      struct class_desc *d)
{
    const struct tce_op *op = cls < N_PLAN_CLASSES ? class_op(r, cls) : NULL;
    int l = cls < N_PLAN_CLASSES ? cls / TCE_PLAN_OPS_MAX : 0;
    int i = cls % TCE_PLAN_OPS_MAX;

    memset(d, 0, sizeof(*d));
    d->op_kind = -1;
    if (cls >= N_PLAN_CLASSES) {
        d->name =
            cls == CLS_WAIT_PARAM ? "param_gather_wait" : "grad_reduce_wait";
        d->kind = "wait";
        d->group = "dp";
        d->overlap = "exposed";
        d->charge = -1;
        return;
    }
    if (!op && i < last->list[l].n)
        op = &last->list[l].ops[i];
    if (!op) {
        d->name = "?";
        d->kind = "?";
        d->group = "-";
        return;
    }
    d->name = op->name;
    d->op_kind = (int)op->kind;
    d->charge = (int)op->charge;
    d->overlapped = tce_walk_is_deferred(op) || tce_run_is_overlap_compute(op);
    d->host_sync = tce_hostsync_op_syncs(op); /* sync (issue 11) */
    d->comm = tce_run_is_comm(op);
    d->bw_valid = d->comm && op->kind != TCE_OP_SEND;
    d->recompute = !!(op->flags & TCE_OP_F_RECOMPUTED);
    d->overlap = tce_overlap_name(op->overlap);
    if (op->kind == TCE_OP_COMPUTE) {
        d->kind = "compute";
        d->group = "-";
    } else if (op->kind == TCE_OP_SEND || op->kind == TCE_OP_RECV) {
        d->kind = op->kind == TCE_OP_SEND ? "send" : "recv";
        d->group = tce_group_name(op->group);
        d->bw = TCE_COLL_SENDRECV;
        d->group_size = 2;
    } else {
        d->kind = tce_coll_name(op->coll);
        d->group = tce_group_name(op->group);
        d->bw = op->coll;
        d->group_size = r->comm_size[op->group];
    }
}
