/*
 * cmd_calibrate.c - tcemu calibrate: measure the link classes the ranks
 * reach and write a calibration file for `tcemu project --calibration`.
 *
 * Link classes: scale_up = the ranks of one node (every node's group at the
 * same time, as tensor parallelism does), scale_out = one rank per node
 * (every node-local rank's group at the same time, so the node's ranks share
 * its NICs as data parallelism does; the bandwidth fitted is per rank, which
 * is what the calibration file's scale_out entry means).  With -t, when the
 * topology's first fabric tier has switches of G nodes and the allocation
 * spans more than one (consecutive nodes fill a switch), scale_out stays
 * under one switch and fabric = the same position on every switch: its
 * bandwidth per rank across the tier, and the latency it adds to
 * scale_out's (what the cost model adds per crossing).
 *
 * For each class, each collective (the plug-ins of coll.c, the ones `tcemu
 * bench` runs) and each size, the slowest rank's median time per operation
 * is measured (`tcemu bench` reports means, like nccl-tests; a median
 * keeps other people's load bursts on a shared machine out of the fit;
 * the measured patterns, calibration.collectives, are fitted to the mean
 * over ranks of each rank's mean instead: what `run` reports per op and
 * what a step's sequence of collectives adds up to, the median of rounds
 * keeping load bursts out); then
 * calibfit.c fits time = latency + bytes / bandwidth by least squares in two
 * regimes (latency from the smaller half of the sizes, bandwidth from the
 * larger half; see calibfit.h): send/recv gives the link's latency and
 * bandwidth, every collective its efficiency (asymptotic bus bandwidth / link
 * bandwidth), each with its RMS relative error over all sizes.
 *
 * SIGUSR1 or SIGTERM (a batch job's time limit): the ranks agree after the
 * size in progress, stop measuring, fit what they have and write the files
 * marked incomplete ("complete": false in the JSON, a comment in the
 * calibration file).
 */
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tcemu/calibfit.h"
#include "tcemu/cli.h"
#include "tcemu/cmd_calibrate_nccl.h"
#include "tcemu/cmd_calibrate_log.h"
#include "tcemu/coll.h"
#include "tcemu/config.h"
#include "tcemu/json.h"
#include "tcemu/output.h"
#include "tcemu/runtime.h"
#include "tcemu/runtime_cmd.h"
#include "tcemu/stats.h"
#include "tcemu/util.h"

#include "calib.h"

/* The one mutable static: a signal handler can only reach a flag. */
static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int sig)
{
    stop_signal = sig;
}

/* One size of one collective on every group of a class at once: the
 * slowest rank's median time per operation (time_s) and the mean over
 * ranks of each rank's mean (avg_s, the patterns' statistic).  Each
 * operation is timed on its own (back to back, one barrier before the
 * first; where cores are shared each first waits for its group asleep,
 * tce_rt_arrive, as tcemu run's blocking collectives do): on a shared
 * machine a burst of someone else's load hits a few
 * operations, and the median ignores them where a mean would not.
 * Collective over the world. */
static int time_op(struct calib *c, struct cal_class *k, enum tce_coll kind,
                   size_t count, double *time_s, double *avg_s,
                   struct tce_error *err)
{
    struct tce_rt_coll_args a = {
        kind, k->comm, k->g_size, k->g_rank, c->send, c->recv, count, 0, NULL,
        NULL};
    char opname[TCE_RT_OPNAME_MAX];
    double t0, median_s = 0.0, mean_s = 0.0;
    int64_t it;
    int mrc = MPI_SUCCESS, rc = 0;

    snprintf(opname, sizeof(opname), "calibrate %s %zu B",
             tce_coll_short_name(kind), count * sizeof(float));
    tce_watchdog_enter(&c->rt.wd, opname, tce_link_class_name(k->link));
    if (tce_rt_test_hang(&c->rt, tce_coll_short_name(kind)))
        tce_rt_hang();
    for (it = 0; it < c->o.sw.warmup && mrc == MPI_SUCCESS; it++)
        mrc = tce_rt_exec_coll(&a);
    if (mrc == MPI_SUCCESS)
        mrc = MPI_Barrier(c->rt.world);
    for (it = 0; it < c->o.sw.iters && mrc == MPI_SUCCESS; it++) {
        t0 = MPI_Wtime();
        if (c->sleep_wait)
            mrc = tce_rt_arrive(k->comm);
        if (mrc == MPI_SUCCESS)
            mrc = tce_rt_exec_coll(&a);
        c->op_times[it] = MPI_Wtime() - t0;
        mean_s += c->op_times[it];
    }
    tce_watchdog_leave(&c->rt.wd);
    if (mrc == MPI_SUCCESS) {
        mean_s /= (double)c->o.sw.iters;
        median_s = tce_stats_median(c->op_times, (size_t)c->o.sw.iters);
        mrc = MPI_Allreduce(&median_s, time_s, 1, MPI_DOUBLE, MPI_MAX,
                            c->rt.world);
        /* links: and the mean over ranks of each rank's mean (the
         * entries' statistic: what run reports per op, and a step's time
         * is a sum of ops, whose expectation is the sum of their means;
         * two groups' TCP flows sharing a NIC make an op's times skewed,
         * and their median falls below their mean) */
        if (mrc == MPI_SUCCESS)
            mrc = MPI_Allreduce(&mean_s, avg_s, 1, MPI_DOUBLE, MPI_SUM,
                                c->rt.world);
        *avg_s /= c->rt.size;
    }
    if (mrc != MPI_SUCCESS)
        rc = tce_rt_mpi_error(err, mrc, opname);
    return rc;
}

/* Median of n values without reordering them. */
static double median_of(const double *v, int n)
{
    double tmp[CAL_ROUNDS_MAX];
    int i;

    for (i = 0; i < n && i < CAL_ROUNDS_MAX; i++)
        tmp[i] = v[i];
    return tce_stats_median(tmp, (size_t)i);
}

/* Has any rank been asked to stop?  Collective over the world. */
static int agree_stop(struct calib *c)
{
    int mine = (int)stop_signal, any = 0;

    if (MPI_Allreduce(&mine, &any, 1, MPI_INT, MPI_MAX, c->rt.world) !=
        MPI_SUCCESS)
        any = SIGTERM;
    if (any && !c->stopped)
        c->stopped = any;
    return any;
}

/* The communicator of class i for this rank: scale_up = my node; scale_out
 * = my node-local rank on every node (of my leaf switch, when the topology
 * says the allocation spans several); fabric = my node-local rank and my
 * position in the leaf, on every leaf.  *comm is MPI_COMM_NULL when the
 * class does not exist here. */
static int class_comm(struct calib *c, int i, MPI_Comm *comm)
{
    struct tce_rt *rt = &c->rt;
    int64_t leaf = c->leaf_nodes;
    int n_leaves = leaf > 0 ? (int)((rt->n_nodes + leaf - 1) / leaf) : 1;

    *comm = MPI_COMM_NULL;
    if (i == 0)
        return MPI_Comm_dup(rt->node, comm);
    if (i == 1 && leaf == 0)
        return MPI_Comm_dup(rt->inter, comm);
    if (i == 1)
        return MPI_Comm_split(
            rt->world, rt->node_rank * n_leaves + (int)(rt->node_id / leaf),
            rt->rank, comm);
    if (leaf == 0)
        return MPI_SUCCESS;
    return MPI_Comm_split(rt->world,
                          rt->node_rank * (int)leaf + (int)(rt->node_id % leaf),
                          rt->rank, comm);
}

/* links: one pattern class (groups of m members per node; span scale_up:
 * inside a node, k = rpn / m of them per node; scale_out: across every
 * node of my leaf switch, k = rpn / m per node).  Collective. */
static int add_pattern(struct calib *c, enum tce_link_class span, int m)
{
    struct tce_rt *rt = &c->rt;
    struct cal_class *k = &c->cls[c->n_classes];
    int rpn = c->node_size_min, per = rpn / m, leader, ok, all_ok, mrc;
    int64_t leaf = c->leaf_nodes;
    int n_leaves = leaf > 0 ? (int)((rt->n_nodes + leaf - 1) / leaf) : 1;
    int my_leaf = leaf > 0 ? (int)(rt->node_id / leaf) : 0;
    int color = span == TCE_LINK_SCALE_UP
                    ? rt->node_id * per + rt->node_rank / m
                    : (rt->node_rank / m) * n_leaves + my_leaf;

    memset(k, 0, sizeof(*k));
    k->link = span;
    k->pattern = 1;
    k->members_per_node = m;
    k->concurrency = per;
    snprintf(k->where_buf, sizeof(k->where_buf),
             "%s: groups of %d rank(s) per node, %d group(s) per node at "
             "once",
             span == TCE_LINK_SCALE_UP ? "inside a node" : "across nodes", m,
             per);
    k->where = k->where_buf;
    k->g_size = 1;
    mrc = MPI_Comm_split(rt->world, color, rt->rank, &k->comm);
    if (mrc != MPI_SUCCESS)
        return mrc;
    tce_rt_comm_errors_return(k->comm);
    MPI_Comm_rank(k->comm, &k->g_rank);
    MPI_Comm_size(k->comm, &k->g_size);
    leader = k->g_rank == 0;
    ok = k->g_size >= 2;
    MPI_Allreduce(&leader, &k->n_groups, 1, MPI_INT, MPI_SUM, rt->world);
    MPI_Allreduce(&ok, &all_ok, 1, MPI_INT, MPI_LAND, rt->world);
    k->usable = all_ok;
    c->n_classes++;
    return MPI_SUCCESS;
}

/* links: the patterns the link classes do not measure already, for every
 * m dividing the ranks per node (nodes of equal size only): inside a node
 * groups of 2 <= m < rpn, across nodes groups of m >= 2 per node (m = 1 is
 * the scale_out class, m = rpn inside a node the scale_up class). */
static int make_patterns(struct calib *c)
{
    int rpn = c->node_size_min, m, mrc = MPI_SUCCESS;

    if (c->o.links_only || c->node_size_min != c->node_size_max || rpn < 2)
        return MPI_SUCCESS;
    for (m = 2; m <= rpn && mrc == MPI_SUCCESS; m++) {
        if (rpn % m != 0)
            continue;
        if (m < rpn && c->n_classes < CAL_CLASSES_MAX)
            mrc = add_pattern(c, TCE_LINK_SCALE_UP, m);
        if (mrc == MPI_SUCCESS && c->rt.n_nodes >= 2 &&
            c->n_classes < CAL_CLASSES_MAX)
            mrc = add_pattern(c, TCE_LINK_SCALE_OUT, m);
    }
    return mrc;
}

static int make_classes(struct calib *c, struct tce_error *err)
{
    static const struct {
        enum tce_link_class link;
        const char *where;
    } kinds[CAL_CLASSES] = {
        {TCE_LINK_SCALE_UP, "inside a node"},
        {TCE_LINK_SCALE_OUT, "across nodes"},
        {TCE_LINK_FABRIC, "across first-tier switches"},
    };
    struct tce_rt *rt = &c->rt;
    int ns[2] = {rt->node_size, -rt->node_size}, out[2], i, mrc, leader;
    int ok, all_ok;

    mrc = MPI_Allreduce(ns, out, 2, MPI_INT, MPI_MIN, rt->world);
    if (mrc != MPI_SUCCESS)
        return tce_rt_mpi_error(err, mrc, "node sizes");
    c->node_size_min = out[0];
    c->node_size_max = -out[1];
    for (i = 0; i < CAL_CLASSES; i++) {
        struct cal_class *k = &c->cls[i];

        k->link = kinds[i].link;
        k->where = kinds[i].where;
        if (i == 1 && c->leaf_nodes > 0)
            k->where = "across nodes under one first-tier switch";
        k->g_rank = 0;
        k->g_size = 1;
        mrc = class_comm(c, i, &k->comm);
        if (mrc != MPI_SUCCESS)
            return tce_rt_mpi_error(err, mrc, "class communicator");
        if (k->comm != MPI_COMM_NULL) {
            tce_rt_comm_errors_return(k->comm);
            MPI_Comm_rank(k->comm, &k->g_rank);
            MPI_Comm_size(k->comm, &k->g_size);
        }
        leader = k->g_rank == 0;
        ok = k->g_size >= 2;
        MPI_Allreduce(&leader, &k->n_groups, 1, MPI_INT, MPI_SUM, rt->world);
        MPI_Allreduce(&ok, &all_ok, 1, MPI_INT, MPI_LAND, rt->world);
        k->usable = all_ok;
    }
    c->cls[0].members_per_node = c->node_size_min;
    c->cls[0].concurrency = 1;
    c->cls[1].members_per_node = 1;
    c->cls[1].concurrency = c->node_size_min;
    c->cls[2].members_per_node = 1;
    c->cls[2].concurrency = c->node_size_min;
    c->n_classes = CAL_CLASSES;
    mrc = make_patterns(c);
    if (mrc != MPI_SUCCESS)
        return tce_rt_mpi_error(err, mrc, "pattern communicator");
    if (!c->cls[0].usable && !c->cls[1].usable)
        return tce_error_set(err, TCE_EUSAGE,
                             "nothing to calibrate: needs 2 ranks on every "
                             "node (scale_up) or 2 nodes (scale_out); got %d "
                             "rank(s) on %d node(s)",
                             rt->size, rt->n_nodes);
    return 0;
}

/* Measure every collective and size of one class (all ranks), in -r rounds
 * of the whole sweep: a point's time is the median over the rounds, so a
 * burst of someone else's load lasting seconds spoils one round of a
 * point, not the point.  Rows are printed during the last round. */
static int measure_class(struct calib *c, struct cal_class *k, FILE *out,
                         struct tce_error *err)
{
    int i, p, r, rc = 0;
    int64_t bytes;
    double next;

    if (c->rt.rank == 0)
        tce_calib_print_class_head(out, k);
    for (r = 0; r < c->o.rounds && rc == 0 && !c->stopped; r++) {
        for (i = 0; i < c->o.n_colls && rc == 0 && !c->stopped; i++) {
            enum tce_coll kind = c->o.colls[i];
            struct cal_series *s = &k->s[i];

            if (r == 0) {
                memset(s, 0, sizeof(*s));
                s->kind = kind;
                k->n_series++;
            }
            p = 0;
            for (bytes = c->o.sw.min_bytes;
                 bytes <= c->o.sw.max_bytes && rc == 0; bytes = (int64_t)next) {
                size_t count = tce_coll_op_count(kind, bytes, k->g_size);
                double t = 0.0, t_avg = 0.0, mb;

                next = (double)bytes * c->o.sw.factor;
                if (next < (double)bytes + 1)
                    next = (double)bytes + 1;
                mb = (double)(count * sizeof(float));
                if (count == 0 || p >= CAL_SIZES_MAX ||
                    (p > 0 && mb == s->bytes[p - 1]))
                    continue;
                if (r > 0 && p >= s->n)
                    break; /* round 0 was cut short */
                rc = time_op(c, k, kind, count, &t, &t_avg, err);
                if (rc)
                    break;
                s->bytes[p] = mb;
                s->samples_avg[p][s->n_samples[p]] = t_avg;
                s->samples[p][s->n_samples[p]++] = t;
                s->time_s[p] = median_of(s->samples[p], s->n_samples[p]);
                s->time_avg_s[p] =
                    median_of(s->samples_avg[p], s->n_samples[p]);
                if (r == 0)
                    s->n = p + 1;
                if (c->rt.rank == 0 && r == c->o.rounds - 1)
                    tce_calib_print_point(out, k, kind, mb, s->time_s[p]);
                p++;
                if (agree_stop(c))
                    break;
            }
        }
    }
    /* Cut short before the last round: print the medians so far. */
    if (c->rt.rank == 0 && c->stopped && c->o.rounds > 1)
        for (i = 0; i < k->n_series; i++)
            for (p = 0; p < k->s[i].n; p++)
                tce_calib_print_point(out, k, k->s[i].kind, k->s[i].bytes[p],
                                      k->s[i].time_s[p]);
    return rc;
}

/* Fit the link from send/recv, then each collective's efficiency. */
static void fit_class(struct cal_class *k)
{
    struct tce_error e;
    int i;

    k->link_series = NULL;
    for (i = 0; i < k->n_series; i++) {
        struct cal_series *s = &k->s[i];

        tce_error_clear(&e);
        s->fit_rc =
            tce_calibfit_regimes(s->bytes, s->time_s, s->n, &s->line, &e);
        snprintf(s->fit_msg, sizeof(s->fit_msg), "%s", e.msg);
        if (s->kind == TCE_COLL_SENDRECV && s->fit_rc == 0 && !k->pattern)
            k->link_series = s;
        /* links: the three size regimes of this pattern */
        s->pieces_rc = s->fit_rc ? s->fit_rc
                                 : tce_calibfit_pieces(s->bytes,
                                                       s->time_avg_s, s->n,
                                                       &s->pieces, NULL);
    }
    if (!k->link_series)
        return;
    k->fitted = 1;
    k->latency_us = k->link_series->line.latency_s * 1e6;
    k->bandwidth_gbytes_per_s =
        tce_calibfit_bandwidth_gbytes_per_s(&k->link_series->line);
    for (i = 0; i < k->n_series; i++) {
        struct cal_series *s = &k->s[i];

        if (s->fit_rc == 0)
            s->efficiency = tce_calibfit_efficiency(
                s->kind, k->g_size, &s->line, k->bandwidth_gbytes_per_s);
    }
}

/* Rank 0: load the topology of -t.  Errors cite the user's file. */
static int load_topology(struct calib *c, struct tce_error *err)
{
    struct tce_diag diag;
    int rc;

    if (!c->o.topo_path || c->rt.rank != 0)
        return 0;
    c->topo = calloc(1, sizeof(*c->topo));
    if (!c->topo)
        return tce_error_set(err, TCE_ENOMEM, "out of memory");
    tce_diag_init(&diag, stderr);
    rc = tce_topology_load(c->o.topo_path, c->topo, &diag);
    if (rc)
        rc = tce_error_set(err, rc, "cannot use topology %s", c->o.topo_path);
    return rc;
}

/* Rank 0 loads -t; every rank learns the first fabric tier's switch size
 * (nodes per leaf), which decides the scale_out and fabric groups.  The
 * fabric class exists when the allocation spans more than one leaf. */
static int share_tiers(struct calib *c, struct tce_error *err)
{
    int64_t leaf = 0;
    int rc = 0, mrc;

    if (c->rt.rank == 0) {
        rc = load_topology(c, err);
        if (rc)
            leaf = -1;
        else if (c->topo && c->topo->n_fabric > 0)
            leaf = c->topo->fabric[0].group_nodes;
    }
    mrc = MPI_Bcast(&leaf, 1, MPI_INT64_T, 0, c->rt.world);
    if (mrc != MPI_SUCCESS)
        return tce_rt_mpi_error(err, mrc, "sharing the topology");
    if (leaf < 0)
        return rc ? rc
                  : tce_error_set(err, TCE_ECONFIG,
                                  "topology %s could not be loaded (rank 0 "
                                  "says why)",
                                  c->o.topo_path);
    c->leaf_nodes = leaf > 0 && leaf < c->rt.n_nodes ? leaf : 0;
    return 0;
}

static int setup(struct calib *c, struct tce_error *err)
{
    size_t n = (size_t)(c->o.sw.max_bytes / (int64_t)sizeof(float)) + 1;
    int rc;

    rc = tce_rt_nodes(&c->rt, (int)c->o.common.ranks_per_node, err);
    if (rc == 0)
        rc = tce_rt_check_environment(&c->rt, 0, err);
    if (rc == 0)
        rc = tce_rt_cores_shared(&c->rt, &c->sleep_wait, err);
    if (rc == 0)
        rc = tce_watchdog_start(&c->rt.wd, c->o.common.timeout_s, c->rt.rank,
                                c->rt.host, err);
    if (rc == 0)
        rc = share_tiers(c, err);
    if (rc == 0)
        rc = make_classes(c, err);
    if (rc == 0) {
        c->send = calloc(n, sizeof(float));
        c->recv = calloc(n, sizeof(float));
        c->op_times = calloc((size_t)c->o.sw.iters, sizeof(double));
        if (!c->send || !c->recv || !c->op_times)
            rc = tce_error_set(err, TCE_ENOMEM,
                               "cannot allocate 2 x %" PRId64 " bytes",
                               c->o.sw.max_bytes);
        /* Touch every page now, not inside the first timed operation. */
        if (rc == 0) {
            memset(c->send, 1, n * sizeof(float));
            memset(c->recv, 1, n * sizeof(float));
        }
    }
    if (rc == 0)
        rc = tce_rt_alloc_host_map(&c->rt, &c->hosts, &c->nodes, err);
    return rc;
}

int tce_cmd_calibrate(int argc, char **argv)
{
    struct calib *c = NULL;
    struct tce_error err;
    char date[64];
    FILE *out = stdout;
    int rc, i, mpi_up = 0;

    /* nccl-tests output: files only, so no MPI is started (core command) */
    if (tce_cmd_calibrate_nccl_wanted(argc, argv))
        return tce_cmd_calibrate_nccl(argc, argv);
    /* stack: framework logs, likewise files only */
    if (tce_cmd_calibrate_log_wanted(argc, argv))
        return tce_cmd_calibrate_log(argc, argv);
    tce_error_clear(&err);
    c = calloc(1, sizeof(*c));
    if (!c) {
        fprintf(stderr, "tcemu: error: out of memory\n");
        return TCE_EXIT_RUNTIME;
    }
    /* From here on SIGUSR1/SIGTERM ask for a clean stop (checked after
     * each size) instead of killing the rank. */
    tce_rt_catch_stop_signals(on_stop_signal);
    rc = tce_rt_begin(&c->rt, tce_calib_parse_args(argc, argv, &c->o, &err),
                      &err, tce_calib_usage, &argc, &argv);
    if (rc) {
        rc = rc == 1 ? 0 : rc; /* 1: --help */
        goto out_free;
    }
    mpi_up = 1;
    if ((c->o.json_path && strcmp(c->o.json_path, "-") == 0) ||
        strcmp(c->o.out_path, "-") == 0)
        out = stderr;
    /* The result paths, before any measuring (rank 0 writes them). */
    {
        const char *paths[] = {c->o.out_path, c->o.json_path};

        rc = c->rt.rank == 0 ? tce_output_check_all(paths, 2, &err) : 0;
    }
    rc = tce_rt_report_agree(&c->rt, rc, &err);
    /* Every rank is past MPI_Init, so past its stop-signal handler. */
    if (rc == 0)
        rc = tce_rt_report_agree(
            &c->rt, tce_rt_ready(&c->rt, c->o.common.ready_file, &err), &err);
    if (rc == 0)
        rc = tce_rt_report_agree(&c->rt, setup(c, &err), &err);
    if (rc)
        goto out;
    rc = tce_rt_gather_host_map(&c->rt, c->hosts, c->nodes, &err);
    if (rc) {
        tce_rt_print_error(&c->rt, &err);
        goto out;
    }
    if (c->rt.rank == 0) {
        tce_rt_print_header(&c->rt, out, argc, argv, c->hosts);
        fprintf(out,
                "# timing: %" PRId64 " operations after %" PRId64
                " warm-up, each timed; time = slowest rank's median per "
                "operation, median over %d round(s) (measured)\n",
                c->o.sw.iters, c->o.sw.warmup, c->o.rounds);
        if (c->sleep_wait)
            fprintf(out, "# waiting: ranks outnumber a machine's cores: "
                         "each timed operation first waits asleep for its "
                         "group, its time included (as tcemu run's "
                         "collectives do)\n");
        if (c->node_size_min != c->node_size_max)
            fprintf(out,
                    "# warning: nodes have %d to %d ranks; the file "
                    "records %d\n",
                    c->node_size_min, c->node_size_max, c->node_size_min);
    }
    for (i = 0; i < c->n_classes && rc == 0 && !c->stopped; i++) {
        if (!c->cls[i].usable) {
            if (c->rt.rank == 0)
                fprintf(out,
                        "#\n# link class %s (%s): not reachable "
                        "(groups of %d rank(s)); not calibrated\n",
                        tce_link_class_name(c->cls[i].link), c->cls[i].where,
                        c->cls[i].g_size);
            continue;
        }
        rc = measure_class(c, &c->cls[i], out, &err);
    }
    if (rc) {
        tce_rt_print_error(&c->rt, &err);
        goto out;
    }
    for (i = 0; i < c->n_classes; i++) {
        fit_class(&c->cls[i]);
        c->cls[i].file_latency_us = c->cls[i].latency_us;
    }
    /* The cost model adds the fabric latency to scale_out's. */
    if (c->cls[2].fitted && c->cls[1].fitted) {
        double added = c->cls[2].latency_us - c->cls[1].latency_us;
        c->cls[2].file_latency_us = added > 0 ? added : 0.0;
    }
    if (c->rt.rank == 0) {
        int fitted = 0;

        tce_calib_utc_now(date, sizeof(date));
        tce_calib_print_fits(c, out);
        for (i = 0; i < CAL_CLASSES; i++)
            fitted += c->cls[i].fitted;
        if (!fitted)
            rc = tce_error_set(&err, c->stopped ? TCE_EINTERRUPTED : TCE_ECHECK,
                               "no link could be fitted%s",
                               c->stopped ? " (stopped before enough sizes "
                                            "were measured)"
                                          : "");
        if (rc == 0)
            rc = tce_calib_write_calibration(c, date, &err);
        if (c->o.json_path) {
            struct tce_error jerr;
            int jrc;

            tce_error_clear(&jerr);
            jrc = tce_calib_write_json(c, argc, argv, date, &jerr);
            if (jrc && rc == 0) {
                rc = jrc;
                err = jerr;
            }
        }
        if (rc)
            tce_rt_print_error(&c->rt, &err);
        else
            fprintf(stderr, "tcemu: wrote %s%s%s\n", c->o.out_path,
                    c->o.json_path ? " and " : "",
                    c->o.json_path ? c->o.json_path : "");
    }
    rc = tce_rt_agree(&c->rt, rc);
    /* Stopped by a signal, what was measured written: exit 5. */
    if (rc == 0 && c->stopped) {
        if (c->rt.rank == 0)
            fprintf(stderr,
                    "tcemu: stopped by signal %d; partial results written, "
                    "marked incomplete (exit %d)\n",
                    c->stopped, TCE_EXIT_STOPPED);
        rc = TCE_EINTERRUPTED;
    }
out:
    for (i = 0; i < CAL_CLASSES_MAX; i++)
        if (c->cls[i].comm != MPI_COMM_NULL && c->cls[i].comm != 0)
            MPI_Comm_free(&c->cls[i].comm);
    if (mpi_up)
        tce_rt_finalize(&c->rt);
out_free:
    free(c->send);
    free(c->recv);
    free(c->op_times);
    free(c->hosts);
    free(c->nodes);
    free(c->topo);
    free(c);
    return tce_exit_status(rc);
}
