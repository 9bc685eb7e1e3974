/* run_exec.c - tcemu run: one iteration on MPI (the plan walk's backend)
 * (run.h). */
#define _DEFAULT_SOURCE /* clock_nanosleep */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tcemu/hostsync.h"
#include "tcemu/walk.h"

#include "run.h"

static const char *const list_names[TCE_PLAN_LIST_COUNT] = {
    "dense_fwd", "dense_bwd", "moe_fwd", "moe_bwd", "embed_fwd",  "embed_bwd",
    "head_fwd",  "head_bwd",  "p2p_fwd", "p2p_bwd", "iter_begin", "iter_end",
};

const char *tce_run_list_name(int list)
{
    return (unsigned)list < TCE_PLAN_LIST_COUNT ? list_names[list] : "?";
}

/* ------------------------------------------------------------------------ */
/* Execution                                                                  */

static size_t elems_of(double bytes)
{
    double e = ceil(bytes / ELEM_BYTES);

    return e < 1 ? 1 : (size_t)e;
}

static void record(struct run *r, int cls, double secs)
{
    struct tce_runstats_class *c = &r->cls[cls];

    c->used = 1;
    if (!r->measuring)
        return;
    c->execs++;
    c->sum_s += secs;
    if (r->o.trace_path)
        tce_run_trace_record(r, cls, secs);
}

/* Test every pending request once (progress); completed ones are timed. */
static int progress(struct run *r)
{
    int i, done, mrc;

    for (i = 0; i < r->n_pend; i++) {
        mrc = MPI_Test(&r->pend[i].req, &done, MPI_STATUS_IGNORE);
        if (mrc != MPI_SUCCESS)
            return mrc;
        if (done) {
            if (r->pend[i].cls >= 0)
                record(r, r->pend[i].cls, tce_now_s() - r->pend[i].start_s);
            r->n_local -= r->pend[i].local;
            r->pend[i] = r->pend[--r->n_pend];
            i--;
        }
    }
    if (r->n_sends > 0) {
        mrc = MPI_Testall(r->n_sends, r->sends, &done, MPI_STATUSES_IGNORE);
        if (mrc != MPI_SUCCESS)
            return mrc;
        if (done)
            r->n_sends = 0;
    }
    return MPI_SUCCESS;
}

/* A wait loop's step: progress, and where cores are shared
 * (r->sleep_wait) a nap while *left requests remain, so that the waiting
 * rank leaves the cores to those still working (tce_rt_arrive). */
static int progress_or_nap(struct run *r, const int *left)
{
    int mrc = progress(r);

    if (mrc == MPI_SUCCESS && *left > 0 && r->sleep_wait)
        tce_rt_nap();
    return mrc;
}

/* Wait for n requests: asleep between tests where cores are shared
 * (r->sleep_wait), else in MPI_Waitall. */
static int wait_all(struct run *r, int n, MPI_Request *reqs)
{
    return r->sleep_wait ? tce_rt_waitall_asleep(n, reqs)
                         : MPI_Waitall(n, reqs, MPI_STATUSES_IGNORE);
}

static void sleep_until(double deadline_s)
{
    struct timespec ts;
    double whole = floor(deadline_s);

    ts.tv_sec = (time_t)whole;
    ts.tv_nsec = (long)((deadline_s - whole) * 1e9);
    if (ts.tv_nsec >= 1000000000L)
        ts.tv_nsec = 999999999L;
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) != 0)
        ;
}

static double mono_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Wait for the modelled duration, progressing pending requests. */
static int emulate_compute(struct run *r, double dur_s)
{
    double deadline = mono_s() + dur_s, now, next;
    int mrc = MPI_SUCCESS;

    if (dur_s <= 0)
        return MPI_SUCCESS;
    for (;;) {
        now = mono_s();
        if (now >= deadline)
            break;
        if (r->n_pend == 0 && r->n_sends == 0) {
            sleep_until(deadline);
            break;
        }
        mrc = progress(r);
        if (mrc != MPI_SUCCESS)
            break;
        next = now + PROGRESS_S;
        sleep_until(next < deadline ? next : deadline);
    }
    return mrc;
}

/* Record a posted nonblocking chunk (room reserved by reserve_pending):
 * cls is its op class on the execution's last chunk, -1 on the others (one
 * execution is timed by its last chunk, from the first); mode 2: local to
 * the list. */
static void add_pending(struct run *r, MPI_Request req, int cls, int mode,
                        double posted_s)
{
    struct pending *p = &r->pend[r->n_pend++];

    p->req = req;
    p->cls = cls;
    p->local = mode == 2;
    p->start_s = posted_s;
    r->n_local += mode == 2;
}

struct posting {
    struct run *r;
    int cls, mode;
    double posted_s;
};

static void on_posted(void *ctx, MPI_Request req, int last)
{
    struct posting *p = ctx;

    add_pending(p->r, req, last ? p->cls : -1, p->mode, p->posted_s);
}

/* One execution of a collective of `bytes` on its group (exec.c), in place
 * in buf (all-to-all: from buf_b, split with the routing skew: hot
 * destination group rank 0); nonblocking: requests appended to pending (1:
 * until the iteration's wait point, 2: local to the list); blocking where
 * cores are shared (r->sleep_wait), the rank first waits for the group
 * asleep (tce_rt_arrive), as tcemu calibrate times each operation there. */
static int run_collective(struct run *r, const struct tce_op *op, int cls,
                          double bytes, int nonblocking, float *buf)
{
    int n = r->comm_size[op->group];
    size_t total = elems_of(bytes);
    struct tce_rt_coll_args a = {
        op->coll, r->comm[op->group], n,   r->comm_rank[op->group], NULL, buf,
        total,    r->max_count,       NULL, NULL};
    struct posting p = {r, cls, nonblocking, tce_now_s()};
    int64_t *split = NULL;
    int mrc;

    if (tce_coll_desc(op->coll) && tce_coll_desc(op->coll)->splits &&
        total < (size_t)n)
        a.count = (size_t)n; /* at least one element per rank */
    if (op->coll == TCE_COLL_ALL_TO_ALL) {
        split = calloc((size_t)n, sizeof(*split));
        if (!split)
            return MPI_ERR_NO_MEM;
        if (tce_stats_skew_split((int64_t)total, n, r->a2a_skew, 0, split,
                                 NULL) != 0) {
            free(split);
            return MPI_ERR_ARG;
        }
        a.send = r->buf_b;
        a.split = split;
    }
    if (nonblocking && a.split) {
        /* deepep (issue 11): a posted stage's count arrays outlive the
         * call (the pair completes before the next stage is posted) */
        size_t need = 4 * (size_t)n * (size_t)tce_rt_alltoallv_calls(&a);
        int *grown;

        if (need > r->pp_v_n) {
            grown = realloc(r->pp_v, need * sizeof(*grown));
            if (!grown) {
                free(split);
                return MPI_ERR_NO_MEM;
            }
            r->pp_v = grown;
            r->pp_v_n = need;
        }
        a.v_store = r->pp_v;
    }
    if (nonblocking) {
        mrc = tce_rt_exec_coll_start(&a, on_posted, &p);
    } else {
        mrc = r->sleep_wait ? tce_rt_arrive(a.comm) : MPI_SUCCESS;
        if (mrc == MPI_SUCCESS)
            mrc = tce_rt_exec_coll(&a);
    }
    free(split);
    return mrc;
}

static int run_p2p(struct run *r, const struct tce_op *op, double bytes)
{
    MPI_Comm comm = r->comm[TCE_GROUP_PP];
    int p = r->comm_size[TCE_GROUP_PP], stage = r->comm_rank[TCE_GROUP_PP];
    int peer =
        op->peer == TCE_PEER_PREV ? (stage - 1 + p) % p : (stage + 1) % p;
    /* One tag per direction: activations 0, gradients 1 (plan.h: FIFO per
     * ordered pair and direction suffices). */
    int tag = op->flags & TCE_OP_F_GRADIENT ? 1 : 0;
    size_t total = elems_of(bytes), k, nch, c;
    int mrc = MPI_SUCCESS;
    MPI_Request *grown;

    nch = (size_t)tce_stats_chunks((int64_t)total, r->max_count);
    for (k = 0; k < nch && mrc == MPI_SUCCESS; k++) {
        c = (size_t)tce_stats_chunk_count((int64_t)total, r->max_count,
                                          (int64_t)k);
        if (op->kind == TCE_OP_RECV) {
            MPI_Request req;

            mrc = MPI_Irecv(r->buf_a, (int)c, MPI_FLOAT, peer, tag, comm,
                            &req);
            if (mrc == MPI_SUCCESS)
                mrc = wait_all(r, 1, &req);
            continue;
        }
        if (r->n_sends == r->cap_sends) {
            int cap = r->cap_sends ? 2 * r->cap_sends : 64;

            grown = realloc(r->sends, (size_t)cap * sizeof(*grown));
            if (!grown)
                return MPI_ERR_NO_MEM;
            r->sends = grown;
            r->cap_sends = cap;
        }
        mrc = MPI_Isend(r->buf_b, (int)c, MPI_FLOAT, peer, tag, comm,
                        &r->sends[r->n_sends]);
        if (mrc == MPI_SUCCESS)
            r->n_sends++;
    }
    return mrc;
}

/* Grow the pending array to hold n more requests. */
static int reserve_pending(struct run *r, int64_t more)
{
    struct pending *grown;
    int64_t want = r->n_pend + more;
    int cap = r->cap_pend ? r->cap_pend : 64;

    if (want <= r->cap_pend)
        return 0;
    while (cap < want)
        cap *= 2;
    grown = realloc(r->pend, (size_t)cap * sizeof(*grown));
    if (!grown)
        return -1;
    r->pend = grown;
    r->cap_pend = cap;
    return 0;
}

/* Post count nonblocking executions of a collective (mode 1: until the
 * iteration's wait point, 2: local to the list), each in its own slice of
 * buf (elems long; *used advances, wrapping only when the plan lied). */
static int post_collectives(struct run *r, const struct tce_op *op, int cls,
                            double bytes, int64_t count, const char *opname,
                            int mode, float *buf, size_t elems, size_t *used)
{
    size_t slice = elems_of(bytes) + (size_t)r->comm_size[op->group];
    int64_t k;
    int mrc = MPI_SUCCESS;

    if (reserve_pending(r, count * (tce_stats_chunks((int64_t)elems_of(bytes),
                                                     r->max_count) +
                                    1)) != 0) {
        mrc = MPI_ERR_NO_MEM;
        goto out;
    }
    tce_watchdog_enter(&r->rt->wd, opname, tce_group_name(op->group));
    if (tce_rt_test_hang(r->rt, op->name))
        tce_rt_hang();
    for (k = 0; k < count && mrc == MPI_SUCCESS; k++) {
        if (*used + slice > elems)
            *used = 0; /* reuse: only when the plan lied */
        mrc = run_collective(r, op, cls, bytes, mode, buf + *used);
        *used += slice;
    }
    tce_watchdog_leave(&r->rt->wd);
out:
    return mrc;
}

/* Complete the communication posted local to this list so far (why: the
 * watchdog's name for the wait).  sync (issue 11): a host-device sync
 * (hostsync.h: the MoE dispatcher copies its token counts to the CPU and
 * waits for them) lets the host go on only once the work queued before it
 * has run, as the list's end would; deepep (issue 11): a pipelined pair
 * ends when both stages have. */
static int wait_local(struct run *r, const char *opname, const char *why)
{
    char where[TCE_RT_OPNAME_MAX];
    int mrc = MPI_SUCCESS;

    if (r->n_local == 0)
        return MPI_SUCCESS;
    snprintf(where, sizeof(where), "%.80s.%s", opname, why);
    tce_watchdog_enter(&r->rt->wd, where, "tp/cp/ep");
    while (r->n_local > 0 && mrc == MPI_SUCCESS)
        mrc = progress_or_nap(r, &r->n_local);
    tce_watchdog_leave(&r->rt->wd);
    return mrc;
}

/* Execute op i of list l (count repetitions). */
static int exec_op(struct run *r, int l, int i, struct walk_err *we)
{
    const struct tce_op *op = &r->plan.list[l].ops[i];
    int cls = l * TCE_PLAN_OPS_MAX + i;
    double bytes = r->cls[cls].bytes, t0;
    int64_t k, count = op->count > 0 ? op->count : 1;
    int mrc = MPI_SUCCESS;
    char opname[TCE_RT_OPNAME_MAX];

    snprintf(opname, sizeof(opname), "%s.%s", list_names[l], op->name);
    if (tce_rt_test_fault(r->rt, TCE_RT_TEST_FAIL, op->name)) {
        mrc = MPI_ERR_OTHER; /* test-only injection */
        goto out;
    }
    if (op->kind == TCE_OP_COMPUTE) {
        if (tce_hostsync_op_syncs(op))
            mrc = wait_local(r, opname, "host_sync"); /* sync (issue 11) */
        for (k = 0; k < count && mrc == MPI_SUCCESS; k++) {
            t0 = tce_now_s();
            mrc = emulate_compute(r, r->cls[cls].modeled_s * r->o.time_scale);
            record(r, cls, tce_now_s() - t0);
        }
        goto out;
    }
    if (tce_run_is_overlap_compute(op)) {
        mrc = post_collectives(r, op, cls, bytes, count, opname, 2, r->buf_ov,
                               r->ov_elems, &r->ov_used);
        goto out;
    }
    if (tce_walk_is_deferred(op)) {
        mrc = post_collectives(r, op, cls, bytes, count, opname, 1, r->buf_nb,
                               r->nb_elems, &r->nb_used);
        goto out;
    }
    /* deepep (issue 11): a stage the next op runs beside is posted; the
     * pair is complete once the next one has run */
    if (tce_run_is_pipeline_head(&r->plan.list[l], i)) {
        size_t used = 0;

        mrc = post_collectives(r, op, cls, bytes, count, opname, 2, r->buf_pp,
                               r->pp_elems, &used);
        goto out;
    }
    tce_watchdog_enter(&r->rt->wd, opname, tce_group_name(op->group));
    if (tce_rt_test_hang(r->rt, op->name))
        tce_rt_hang();
    for (k = 0; k < count && mrc == MPI_SUCCESS; k++) {
        t0 = tce_now_s();
        if (op->kind == TCE_OP_COLLECTIVE)
            mrc = run_collective(r, op, cls, bytes, 0, r->buf_a);
        else
            mrc = run_p2p(r, op, bytes);
        record(r, cls, tce_now_s() - t0);
    }
    tce_watchdog_leave(&r->rt->wd);
    if (mrc == MPI_SUCCESS && (op->flags & TCE_OP_F_PIPELINED))
        mrc = wait_local(r, opname, "pipelined");
out:
    if (mrc != MPI_SUCCESS) {
        we->mrc = mrc;
        snprintf(we->what, sizeof(we->what), "%s (group %s)", opname,
                 tce_group_name(op->group));
    }
    return mrc;
}

/* Wait for every pending request, timing the exposed wait. */
static int wait_pending(struct run *r, const char *where, struct walk_err *we)
{
    int mrc = MPI_SUCCESS;

    if (r->n_pend == 0)
        return MPI_SUCCESS;
    tce_watchdog_enter(&r->rt->wd, where, "dp");
    while (r->n_pend > 0 && mrc == MPI_SUCCESS)
        mrc = progress_or_nap(r, &r->n_pend);
    tce_watchdog_leave(&r->rt->wd);
    if (mrc != MPI_SUCCESS) {
        we->mrc = mrc;
        snprintf(we->what, sizeof(we->what), "%s", where);
    }
    return mrc;
}

/* The MPI backend of the plan walk (walk.h). */
struct mpi_walk {
    struct run *r;
    struct walk_err *we;
};

static int be_op(void *ctx, enum tce_plan_list l, int i)
{
    struct mpi_walk *w = ctx;

    return exec_op(w->r, (int)l, i, w->we) == MPI_SUCCESS ? 0 : TCE_EMPI;
}

/* Communication overlapped with this list's compute ends here. */
static int be_list_end(void *ctx, enum tce_plan_list l)
{
    struct mpi_walk *w = ctx;
    struct run *r = w->r;
    char where[TCE_RT_OPNAME_MAX];
    int mrc = MPI_SUCCESS;

    if (r->n_local > 0) {
        snprintf(where, sizeof(where), "%s.overlap_wait", list_names[l]);
        tce_watchdog_enter(&r->rt->wd, where, "tp/cp");
        while (r->n_local > 0 && mrc == MPI_SUCCESS)
            mrc = progress_or_nap(r, &r->n_local);
        tce_watchdog_leave(&r->rt->wd);
        if (mrc != MPI_SUCCESS) {
            w->we->mrc = mrc;
            snprintf(w->we->what, sizeof(w->we->what), "%s", where);
        }
    }
    r->ov_used = 0;
    return mrc == MPI_SUCCESS ? 0 : TCE_EMPI;
}

static int be_wait(void *ctx, enum tce_walk_wait what)
{
    struct mpi_walk *w = ctx;
    char where[TCE_RT_OPNAME_MAX];
    int cls =
        what == TCE_WALK_WAIT_PARAM_GATHER ? CLS_WAIT_PARAM : CLS_WAIT_GRAD;
    const struct tce_op_list *l = &w->r->plan.list[tce_walk_wait_list(what)];
    double t0 = tce_now_s();
    int i, mrc, deferred = 0;

    snprintf(where, sizeof(where), "%s_wait", tce_walk_wait_name(what));
    mrc = wait_pending(w->r, where, w->we);
    for (i = 0; i < l->n; i++)
        deferred |= tce_walk_is_deferred(&l->ops[i]);
    if (deferred)
        record(w->r, cls, tce_now_s() - t0);
    return mrc == MPI_SUCCESS ? 0 : TCE_EMPI;
}

/* One iteration of this rank's plan; returns an MPI code. */
int tce_run_iteration(struct run *r, struct walk_err *we)
{
    static const struct tce_walk_backend be = {be_op, be_list_end, be_wait};
    struct mpi_walk w = {r, we};
    struct tce_error err;
    int rc, mrc = MPI_SUCCESS;

    r->nb_used = 0;
    r->ov_used = 0;
    tce_error_clear(&err);
    rc = tce_walk_iteration(&r->plan, &be, &w, &err);
    if (rc) {
        if (we->mrc == 0) {
            we->mrc = MPI_ERR_OTHER;
            snprintf(we->what, sizeof(we->what), "plan walk: %.150s", err.msg);
        }
        return we->mrc;
    }
    if (r->n_sends > 0) {
        tce_watchdog_enter(&r->rt->wd, "pp_send_completion", "pp");
        mrc = wait_all(r, r->n_sends, r->sends);
        tce_watchdog_leave(&r->rt->wd);
        r->n_sends = 0;
        if (mrc != MPI_SUCCESS) {
            we->mrc = mrc;
            snprintf(we->what, sizeof(we->what), "pp send completion");
        }
    }
    return mrc;
}
