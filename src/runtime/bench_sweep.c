/*
 * bench_sweep.c - `tcemu bench` groups, measurements and the size sweep
 * (bench.h describes the procedure).
 */
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcemu/layout.h"
#include "tcemu/rules.h"
#include "tcemu/util.h"

#include "bench.h"

/* The one mutable static: a signal handler can only reach a flag.  SIGUSR1
 * (Slurm's --signal=B:USR1@T) or SIGTERM asks the sweep to stop at the next
 * size boundary and write what it has. */
static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int sig)
{
    stop_signal = sig;
}

void tce_bench_catch_signals(void)
{
    tce_rt_catch_stop_signals(on_stop_signal);
}

/* Build the communicator of the requested group. */
int tce_bench_make_group(struct bench *b, struct tce_error *err)
{
    struct tce_rt *rt = &b->rt;
    static const struct {
        const char *name;
        enum tce_group g;
    } kinds[] = {
        {"tp", TCE_GROUP_TP}, {"cp", TCE_GROUP_CP}, {"dp", TCE_GROUP_DP},
        {"ep", TCE_GROUP_EP}, {"edp", TCE_GROUP_EDP}, {"pp", TCE_GROUP_PP},
    };
    struct tce_layout l;
    struct tce_error why;
    int64_t color, key;
    size_t i;
    int rc = 0, mrc, is_leader;

    b->comm = MPI_COMM_NULL;
    if (strcmp(b->o.group, "world") == 0) {
        mrc = MPI_Comm_dup(rt->world, &b->comm);
    } else if (strcmp(b->o.group, "intra") == 0) {
        mrc = MPI_Comm_dup(rt->node, &b->comm);
    } else if (strcmp(b->o.group, "inter") == 0) {
        mrc = MPI_Comm_dup(rt->inter, &b->comm);
    } else {
        for (i = 0; i < TCE_ARRAY_SIZE(kinds); i++)
            if (strcmp(b->o.group, kinds[i].name) == 0)
                break;
        if (i == TCE_ARRAY_SIZE(kinds)) {
            rc = tce_error_set(err, TCE_EUSAGE,
                               "unknown --group '%s' (world, intra, inter, "
                               "tp, cp, dp, ep, edp, pp)",
                               b->o.group);
            goto out;
        }
        memset(&l, 0, sizeof(l));
        l.gpus = rt->size;
        l.tp = b->o.tp;
        l.cp = b->o.cp;
        l.pp = b->o.pp;
        l.ep = b->o.ep;
        l.vpp = 1;
        l.micro_batch = 1;
        l.microbatches = 1;
        l.gpus_per_node = rt->node_size;
        l.scale_up_domain = rt->node_size;
        if (tce_rule_model_parallel(rt->size, l.tp, l.pp, l.cp,
                                    TCE_RULE_BENCH, &why) != 0) {
            rc = tce_error_set(err, TCE_EUSAGE, "%s", why.msg);
            goto out;
        }
        l.dp = rt->size / (l.tp * l.cp * l.pp);
        if (tce_rule_ep_divides_dp(l.dp, l.ep, TCE_RULE_BENCH, &why) != 0) {
            rc = tce_error_set(err, TCE_EUSAGE, "%s", why.msg);
            goto out;
        }
        color = tce_layout_color(&l, rt->rank, kinds[i].g);
        key = tce_layout_key(&l, rt->rank, kinds[i].g);
        if (color < 0 || key < 0) {
            rc = tce_error_set(err, TCE_EINTERNAL, "no %s group for rank %d",
                               b->o.group, rt->rank);
            goto out;
        }
        mrc = MPI_Comm_split(rt->world, (int)color, (int)key, &b->comm);
    }
    if (mrc != MPI_SUCCESS) {
        rc = tce_rt_mpi_error(err, mrc, "group communicator");
        goto out;
    }
    tce_rt_comm_errors_return(b->comm);
    MPI_Comm_rank(b->comm, &b->g_rank);
    MPI_Comm_size(b->comm, &b->g_size);
    is_leader = b->g_rank == 0;
    MPI_Allreduce(&is_leader, &b->n_groups, 1, MPI_INT, MPI_SUM, rt->world);
out:
    return rc;
}

/* The signal any rank received, agreed over the world (0: none). */
static int stop_agreed(struct bench *b, struct tce_error *err)
{
    int mine = (int)stop_signal, any = 0;
    int mrc = MPI_Allreduce(&mine, &any, 1, MPI_INT, MPI_MAX, b->rt.world);

    if (mrc != MPI_SUCCESS)
        return tce_rt_mpi_error(err, mrc, "agreeing on a stop signal");
    b->stopped = any;
    return 0;
}

static MPI_Op mpi_op(enum tce_benchdata_op op)
{
    switch (op) {
    case TCE_BENCHDATA_PROD:
        return MPI_PROD;
    case TCE_BENCHDATA_MIN:
        return MPI_MIN;
    case TCE_BENCHDATA_MAX:
        return MPI_MAX;
    default:
        return MPI_SUM;
    }
}

/* Each rank's mean per operation -> the reported time (-a), on every rank. */
static int combine_time(struct bench *b, double mine, double *out)
{
    double v = mine;
    int mrc;

    switch (b->o.avg) {
    case TCE_BENCHDATA_AVG_RANK0:
        mrc = MPI_Bcast(&v, 1, MPI_DOUBLE, 0, b->rt.world);
        break;
    case TCE_BENCHDATA_AVG_MIN:
        mrc = MPI_Allreduce(&mine, &v, 1, MPI_DOUBLE, MPI_MIN, b->rt.world);
        break;
    case TCE_BENCHDATA_AVG_MAX:
        mrc = MPI_Allreduce(&mine, &v, 1, MPI_DOUBLE, MPI_MAX, b->rt.world);
        break;
    default:
        mrc = MPI_Allreduce(&mine, &v, 1, MPI_DOUBLE, MPI_SUM, b->rt.world);
        v /= (double)b->rt.size;
        break;
    }
    *out = v;
    return mrc;
}

/* One place of one size: warm-up, timed loop, checks; then the ranks'
 * results combined.  Returns an MPI code. */
static int measure_place(struct bench *b, struct tce_rt_coll_args *a,
                         int in_place, struct bench_place *p)
{
    size_t sc, rcnt, zero;
    MPI_Op op = mpi_op(b->o.op);
    double t0, mean_s = 0.0;
    int64_t it, wrong = 0, all_wrong = 0;
    int mrc = MPI_SUCCESS;

    tce_coll_counts(a->kind, a->count, b->g_size, &sc, &rcnt);
    a->send = in_place ? NULL : b->send;
    /* time on zeros: no value grows over the iterations */
    zero = (sc > rcnt ? sc : rcnt) * sizeof(float);
    memset(b->send, 0, zero);
    memset(b->recv, 0, zero);
    for (it = 0; it < b->o.sw.warmup && mrc == MPI_SUCCESS; it++)
        mrc = tce_rt_exec_coll_op(a, op);
    if (mrc == MPI_SUCCESS)
        mrc = MPI_Barrier(b->rt.world);
    t0 = MPI_Wtime();
    for (it = 0; it < b->o.sw.iters && mrc == MPI_SUCCESS; it++)
        mrc = tce_rt_exec_coll_op(a, op);
    mean_s = (MPI_Wtime() - t0) / (double)b->o.sw.iters;
    for (it = 0; it < b->o.check && mrc == MPI_SUCCESS; it++) {
        tce_benchdata_init(a->kind, b->o.op, in_place, b->send, sc, b->recv,
                           rcnt, b->g_rank, b->g_size, (uint32_t)b->o.seed);
        mrc = tce_rt_exec_coll_op(a, op);
        if (mrc == MPI_SUCCESS && tce_rt_test_corrupt() && b->rt.rank == 0 &&
            rcnt > 0)
            b->recv[rcnt / 2] += 1.0f;
        if (mrc == MPI_SUCCESS)
            wrong += tce_benchdata_wrong(a->kind, b->o.op, b->recv, rcnt,
                                         b->g_rank, b->g_size,
                                         (uint32_t)b->o.seed);
    }
    if (mrc == MPI_SUCCESS)
        mrc = combine_time(b, mean_s, &p->time_s);
    if (mrc == MPI_SUCCESS && b->o.check)
        mrc = MPI_Allreduce(&wrong, &all_wrong, 1, MPI_INT64_T, MPI_SUM,
                            b->rt.world);
    if (mrc == MPI_SUCCESS) {
        p->measured = 1;
        p->algbw = tce_coll_algbw_gbytes_per_s((double)a->count *
                                                   sizeof(float),
                                               p->time_s);
        p->busbw = tce_coll_busbw_gbytes_per_s(
            a->kind, b->g_size, (double)a->count * sizeof(float), p->time_s);
        p->wrong = b->o.check ? all_wrong : -1;
    }
    return mrc;
}

/* Time one size of one collective, out of place then in place; fills row
 * (every rank). */
static int measure(struct bench *b, enum tce_coll kind, int64_t bytes,
                   struct bench_row *row, struct tce_error *err)
{
    size_t count = (size_t)bytes / sizeof(float);
    struct tce_rt_coll_args a = {kind,   b->comm, b->g_size, b->g_rank,
                                 b->send, b->recv, count,     0,
                                 NULL,    NULL};
    char opname[TCE_RT_OPNAME_MAX];
    int mrc;

    memset(row, 0, sizeof(*row));
    row->kind = kind;
    row->count = (int64_t)count;
    row->bytes = (int64_t)(count * sizeof(float));
    row->root = kind == TCE_COLL_BROADCAST ? 0 : -1;
    row->reduces = tce_benchdata_reduces(kind);
    row->oop.wrong = row->ip.wrong = -1;
    snprintf(opname, sizeof(opname), "%s %" PRId64 " B",
             tce_coll_short_name(kind), row->bytes);
    tce_watchdog_enter(&b->rt.wd, opname, b->o.group);
    if (tce_rt_test_hang(&b->rt, tce_coll_short_name(kind)))
        tce_rt_hang();
    mrc = measure_place(b, &a, 0, &row->oop);
    if (mrc == MPI_SUCCESS && tce_benchdata_has_in_place(kind))
        mrc = measure_place(b, &a, 1, &row->ip);
    tce_watchdog_leave(&b->rt.wd);
    if (mrc != MPI_SUCCESS)
        return tce_rt_mpi_error(err, mrc, opname);
    return 0;
}

static void account(struct bench *b, const struct bench_place *p)
{
    if (!p->measured)
        return;
    b->busbw_sum += p->busbw;
    b->n_busbw++;
    if (p->wrong > 0)
        b->total_wrong += p->wrong;
}

int tce_bench_sweep(struct bench *b, FILE *out, struct tce_error *err)
{
    int64_t bytes;
    double next;
    int k, rc = 0;

    for (k = 0; k < b->o.n_colls && rc == 0 && !b->stopped; k++) {
        const struct tce_coll_desc *d = tce_coll_desc(b->o.colls[k]);

        for (bytes = b->o.sw.min_bytes; bytes <= b->o.sw.max_bytes && rc == 0;
             bytes = (int64_t)next) {
            struct bench_row *row = &b->rows[b->n_rows];

            next = (double)bytes * b->o.sw.factor;
            if (next < (double)bytes + 1)
                next = (double)bytes + 1;
            if (bytes < (int64_t)sizeof(float) * b->g_size && d->splits)
                continue; /* less than one element per rank */
            if (bytes < (int64_t)sizeof(float))
                continue;
            if (b->n_rows >= BENCH_MAX_COLLS * BENCH_MAX_SIZES)
                break;
            /* a size boundary: all ranks agree whether to stop */
            rc = stop_agreed(b, err);
            if (rc || b->stopped)
                break;
            rc = measure(b, d->kind, bytes, row, err);
            if (rc) {
                /* The other ranks may be blocked in this operation: they
                 * can no longer agree, end the job. */
                tce_rt_print_error(&b->rt, err);
                fflush(stdout);
                MPI_Abort(MPI_COMM_WORLD, tce_exit_status(rc));
            }
            b->n_rows++;
            account(b, &row->oop);
            account(b, &row->ip);
            if (b->rt.rank == 0)
                tce_bench_print_row(out, b, row);
        }
    }
    return rc;
}
