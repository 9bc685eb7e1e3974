/*
 * bench_sweep.c - `tcemu bench` groups and measurements.
 */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcemu/layout.h"
#include "tcemu/rules.h"
#include "tcemu/util.h"

#include "bench.h"

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

/* Time one size of one collective; fills row (every rank). */
int tce_bench_measure(struct bench *b, enum tce_coll kind, int64_t bytes,
                   struct bench_row *row, struct tce_error *err)
{
    size_t count = (size_t)bytes / sizeof(float), sc, rcnt, i;
    struct tce_rt_coll_args a = {kind,   b->comm, b->g_size, b->g_rank,
                                 b->send, b->recv, count,     0,
                                 NULL};
    double t0, mean_s, max_s = 0.0;
    int64_t it, wrong = 0, all_wrong = 0;
    char opname[TCE_RT_OPNAME_MAX];
    int rc = 0, mrc = MPI_SUCCESS;

    tce_coll_counts(kind, count, b->g_size, &sc, &rcnt);
    row->kind = kind;
    row->count = (int64_t)count;
    row->bytes = (int64_t)(count * sizeof(float));
    row->wrong = -1;
    snprintf(opname, sizeof(opname), "%s %" PRId64 " B",
             tce_coll_short_name(kind), row->bytes);
    tce_watchdog_enter(&b->rt.wd, opname, b->o.group);
    if (tce_rt_test_hang(&b->rt, tce_coll_short_name(kind)))
        tce_rt_hang();
    for (it = 0; it < b->o.sw.warmup && mrc == MPI_SUCCESS; it++)
        mrc = tce_rt_exec_coll(&a);
    if (mrc == MPI_SUCCESS)
        mrc = MPI_Barrier(b->rt.world);
    t0 = MPI_Wtime();
    for (it = 0; it < b->o.sw.iters && mrc == MPI_SUCCESS; it++)
        mrc = tce_rt_exec_coll(&a);
    mean_s = (MPI_Wtime() - t0) / (double)b->o.sw.iters;
    if (mrc == MPI_SUCCESS && b->o.check) {
        tce_coll_init(b->send, sc, b->g_rank, (uint32_t)b->o.seed);
        for (i = 0; i < rcnt; i++)
            b->recv[i] = -1.0f;
        mrc = tce_rt_exec_coll(&a);
        if (mrc == MPI_SUCCESS && tce_rt_test_corrupt() && b->rt.rank == 0 &&
            rcnt > 0)
            b->recv[rcnt / 2] += 1.0f;
        if (mrc == MPI_SUCCESS)
            wrong = tce_coll_wrong(kind, b->recv, rcnt, b->g_rank, b->g_size,
                                   (uint32_t)b->o.seed);
    }
    tce_watchdog_leave(&b->rt.wd);
    if (mrc != MPI_SUCCESS) {
        rc = tce_rt_mpi_error(err, mrc, opname);
        goto out;
    }
    mrc = MPI_Allreduce(&mean_s, &max_s, 1, MPI_DOUBLE, MPI_MAX, b->rt.world);
    if (mrc == MPI_SUCCESS && b->o.check)
        mrc = MPI_Allreduce(&wrong, &all_wrong, 1, MPI_INT64_T, MPI_SUM,
                            b->rt.world);
    if (mrc != MPI_SUCCESS) {
        rc = tce_rt_mpi_error(err, mrc, "reducing results");
        goto out;
    }
    row->time_s = max_s;
    row->algbw = tce_coll_algbw_gbytes_per_s((double)row->bytes, max_s);
    row->busbw = tce_coll_busbw_gbytes_per_s(kind, b->g_size,
                                              (double)row->bytes, max_s);
    row->wrong = b->o.check ? all_wrong : -1;
out:
    return rc;
}
