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
 * keeps other people's load bursts on a shared machine out of the fit); then
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

#include "tcemu/coll.h"
#include "tcemu/calibfit.h"
#include "tcemu/cli.h"
#include "tcemu/config.h"
#include "tcemu/json.h"
#include "tcemu/output.h"
#include "tcemu/runtime.h"
#include "tcemu/stats.h"
#include "tcemu/util.h"

#define CAL_COLLS_MAX 6
#define CAL_SIZES_MAX 48
#define CAL_ROUNDS_MAX 15
#define CAL_CLASSES 3

/* The one mutable static: a signal handler can only reach a flag. */
static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int sig)
{
    stop_signal = sig;
}

struct cal_opts {
    enum tce_coll colls[CAL_COLLS_MAX];
    int n_colls;
    struct tce_rt_sweep sw; /* -b -e -f -n -w */
    int rounds;
    int64_t ranks_per_node;
    double timeout_s;
    const char *topo_path;
    const char *out_path;
    const char *json_path;
};

struct cal_series {
    enum tce_coll kind;
    int n;
    double bytes[CAL_SIZES_MAX];
    double time_s[CAL_SIZES_MAX];                  /* median of the samples */
    double samples[CAL_SIZES_MAX][CAL_ROUNDS_MAX]; /* one per round */
    int n_samples[CAL_SIZES_MAX];
    struct tce_calibfit_line line;
    int fit_rc; /* 0, or why the fit failed */
    char fit_msg[TCE_ERROR_MSG_MAX];
    double efficiency; /* 0 = not fitted */
};

struct cal_class {
    enum tce_link_class link;
    const char *where; /* "inside a node", "across nodes" */
    MPI_Comm comm;     /* my group of this class */
    int g_rank, g_size, n_groups;
    int usable; /* every rank has a group of >= 2 */
    struct cal_series s[CAL_COLLS_MAX];
    int n_series;
    const struct cal_series *link_series; /* send/recv */
    double latency_us, bandwidth_gbytes_per_s;
    double file_latency_us; /* what the file records: fabric = the
                               latency added to scale_out's */
    int fitted;
};

struct calib {
    struct tce_rt rt;
    struct cal_opts o;
    struct cal_class cls[CAL_CLASSES];
    int node_size_min, node_size_max;
    int64_t leaf_nodes; /* nodes per first-tier switch (-t), 0 =
                           one switch for all or unknown */
    int stopped;        /* signal name or 0 */
    float *send, *recv;
    double *op_times; /* -n per-operation times of one size */
    char *hosts;      /* rank 0: size x TCE_RT_HOST_MAX */
    int *nodes;
    struct tce_topology *topo; /* rank 0, with -t */
};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: mpirun -np N tcemu calibrate [OPTIONS]\n\n"
            "Measure the link classes the ranks reach (scale_up: inside a "
            "node;\nscale_out: across nodes), fit latency, bandwidth and "
            "per-collective\nefficiency by least squares over sizes, and "
            "write a calibration file\nfor `tcemu project --calibration "
            "FILE`.\n\n"
            "  -o, --output FILE|-     calibration file (default "
            "calibration.cfg)\n"
            "      --json FILE|-       fits and every point as JSON "
            "(schema\n"
            "                          tcemu.calibrate/1)\n"
            "  -t, --topology FILE     print its datasheet figures beside "
            "the fitted\n"
            "  -c, --collectives LIST  allreduce,allgather,reducescatter,"
            "alltoall,\n"
            "                          sendrecv (default: all five; "
            "sendrecv is\n"
            "                          always measured: it gives the link)\n"
            "  -b, --minbytes SIZE     smallest size (default 8)\n"
            "  -e, --maxbytes SIZE     largest size (default 4Mi)\n"
            "  -f, --stepfactor X      size multiplier (default 4)\n"
            "  -n, --iters N           timed operations per size (default "
            "10)\n"
            "  -w, --warmup N          untimed operations first (default 2)\n"
            "  -r, --rounds R          repeat the whole sweep R times; a "
            "point is the\n"
            "                          median over rounds (default 1, at "
            "most 15)\n"
            "      --ranks-per-node K  virtual nodes of K consecutive ranks\n"
            "      --timeout S         watchdog (exit 4) per size\n"
            "  -h, --help\n\n"
            "Needs two ranks on a node for scale_up, two nodes for "
            "scale_out.\nAll figures printed are measured, except the "
            "datasheet lines (-t).\nSIGUSR1/SIGTERM: stop after the current "
            "size, fit and write what was\nmeasured, marked incomplete.\n");
}

static int parse_colls(const char *arg, struct cal_opts *o,
                       struct tce_error *err)
{
    char buf[256], *tok, *save = NULL;
    enum tce_coll k;
    int rc = 0, i, have_sr = 0;

    snprintf(buf, sizeof(buf), "%s", arg);
    o->n_colls = 0;
    for (tok = strtok_r(buf, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        rc = tce_coll_parse(tok, &k, err);
        if (rc)
            goto out;
        if (!tce_coll_desc(k)->calib_key) {
            rc = tce_error_set(err, TCE_EUSAGE,
                               "-c: %s has no efficiency in a "
                               "calibration file",
                               tce_coll_short_name(k));
            goto out;
        }
        for (i = 0; i < o->n_colls; i++)
            if (o->colls[i] == k)
                break;
        if (i < o->n_colls)
            continue;
        if (o->n_colls >= CAL_COLLS_MAX - 1) {
            rc = tce_error_set(err, TCE_EUSAGE, "-c: too many collectives");
            goto out;
        }
        o->colls[o->n_colls++] = k;
        have_sr |= k == TCE_COLL_SENDRECV;
    }
    /* The link itself is fitted from send/recv: always measured, first. */
    if (!have_sr) {
        memmove(&o->colls[1], &o->colls[0],
                (size_t)o->n_colls * sizeof(o->colls[0]));
        o->colls[0] = TCE_COLL_SENDRECV;
        o->n_colls++;
    }
out:
    return rc;
}

enum { OPT_RPN = 256, OPT_TIMEOUT, OPT_JSON };

/* 1 = help, 0 = ok, < 0 error. */
static int parse_args(int argc, char **argv, struct cal_opts *o,
                      struct tce_error *err)
{
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'},
        {"json", required_argument, NULL, OPT_JSON},
        {"topology", required_argument, NULL, 't'},
        {"collectives", required_argument, NULL, 'c'},
        {"minbytes", required_argument, NULL, 'b'},
        {"maxbytes", required_argument, NULL, 'e'},
        {"stepfactor", required_argument, NULL, 'f'},
        {"iters", required_argument, NULL, 'n'},
        {"warmup", required_argument, NULL, 'w'},
        {"rounds", required_argument, NULL, 'r'},
        {"ranks-per-node", required_argument, NULL, OPT_RPN},
        {"timeout", required_argument, NULL, OPT_TIMEOUT},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c, rc = 0;

    memset(o, 0, sizeof(*o));
    rc = parse_colls("sendrecv,allreduce,allgather,reducescatter,alltoall", o,
                     err);
    o->sw.min_bytes = 8;
    o->sw.max_bytes = 4 << 20;
    o->sw.factor = 4.0;
    o->sw.iters = 10;
    o->sw.warmup = 2;
    o->rounds = 1;
    o->out_path = "calibration.cfg";
    optind = 1;
    opterr = 0;
    while (rc == 0 && (c = getopt_long(argc, argv, ":o:t:c:b:e:f:n:w:r:h",
                                       longopts, NULL)) != -1) {
        switch (c) {
        case 'o':
            o->out_path = optarg;
            break;
        case OPT_JSON:
            o->json_path = optarg;
            break;
        case 't':
            o->topo_path = optarg;
            break;
        case 'c':
            rc = parse_colls(optarg, o, err);
            break;
        case 'b':
        case 'e':
        case 'f':
        case 'n':
        case 'w':
            rc = tce_rt_sweep_option(&o->sw, c, optarg, err);
            break;
        case 'r': {
            int64_t v = 0;

            rc = tce_parse_int64(optarg, 1, CAL_ROUNDS_MAX, &v, err);
            o->rounds = (int)v;
            break;
        }
        case OPT_RPN:
            rc = tce_parse_int64(optarg, 1, INT_MAX, &o->ranks_per_node, err);
            break;
        case OPT_TIMEOUT:
            rc = tce_parse_double(optarg, 0, 1e6, &o->timeout_s, err);
            break;
        default: /* -h, a missing value, an unknown option */
            rc = tce_cli_getopt_other(c, argv, err);
            break;
        }
    }
    if (rc == 0 && optind < argc)
        rc = tce_error_set(err, TCE_EUSAGE, "unexpected argument '%s'",
                           argv[optind]);
    if (rc == 0)
        rc = tce_rt_sweep_check(&o->sw, err);
    if (rc == 0 && o->sw.max_bytes / (int64_t)sizeof(float) > INT_MAX / 2)
        rc = tce_error_set(err, TCE_EUSAGE, "-e %" PRId64 " is too large",
                           o->sw.max_bytes);
    if (rc == 0 && o->json_path && o->out_path &&
        strcmp(o->json_path, "-") == 0 && strcmp(o->out_path, "-") == 0)
        rc = tce_error_set(err, TCE_EUSAGE,
                           "-o - and --json - cannot both go to stdout");
    return rc;
}

/* One size of one collective on every group of a class at once: the
 * slowest rank's median time per operation.  Each operation is timed on
 * its own (back to back, one barrier before the first): on a shared
 * machine a burst of someone else's load hits a few operations, and the
 * median ignores them where a mean would not.  Collective over the world. */
static int time_op(struct calib *c, struct cal_class *k,
                   enum tce_coll kind, size_t count, double *time_s,
                   struct tce_error *err)
{
    struct tce_rt_coll_args a = {kind,    k->comm, k->g_size, k->g_rank,
                                 c->send, c->recv, count,     0,
                                 NULL};
    char opname[TCE_RT_OPNAME_MAX];
    double t0, median_s = 0.0;
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
        mrc = tce_rt_exec_coll(&a);
        c->op_times[it] = MPI_Wtime() - t0;
    }
    tce_watchdog_leave(&c->rt.wd);
    if (mrc == MPI_SUCCESS) {
        median_s = tce_stats_median(c->op_times, (size_t)c->o.sw.iters);
        mrc = MPI_Allreduce(&median_s, time_s, 1, MPI_DOUBLE, MPI_MAX,
                            c->rt.world);
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
    if (!c->cls[0].usable && !c->cls[1].usable)
        return tce_error_set(err, TCE_EUSAGE,
                             "nothing to calibrate: needs 2 ranks on every "
                             "node (scale_up) or 2 nodes (scale_out); got %d "
                             "rank(s) on %d node(s)",
                             rt->size, rt->n_nodes);
    return 0;
}

static void print_class_head(FILE *out, const struct cal_class *k)
{
    fprintf(out,
            "#\n# link class %s (%s): %d group(s) of %d ranks measured at "
            "the same time\n",
            tce_link_class_name(k->link), k->where, k->n_groups, k->g_size);
    fprintf(out, "# %-13s %12s %12s %12s %12s\n", "collective", "size", "time",
            "algbw", "busbw");
    fprintf(out, "# %-13s %12s %12s %12s %12s\n", "", "(B)", "(us)", "(GB/s)",
            "(GB/s)");
}

/* Measure every collective and size of one class (all ranks). */
static void print_point(FILE *out, const struct cal_class *k,
                        enum tce_coll kind, double mb, double t)
{
    fprintf(out, "  %-13s %12.0f %12.2f %12.3f %12.3f\n",
            tce_coll_short_name(kind), mb, t * 1e6,
            tce_coll_algbw_gbytes_per_s(mb, t),
            tce_coll_busbw_gbytes_per_s(kind, k->g_size, mb, t));
    fflush(out);
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
        print_class_head(out, k);
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
                double t = 0.0, mb;

                next = (double)bytes * c->o.sw.factor;
                if (next < (double)bytes + 1)
                    next = (double)bytes + 1;
                mb = (double)(count * sizeof(float));
                if (count == 0 || p >= CAL_SIZES_MAX ||
                    (p > 0 && mb == s->bytes[p - 1]))
                    continue;
                if (r > 0 && p >= s->n)
                    break; /* round 0 was cut short */
                rc = time_op(c, k, kind, count, &t, err);
                if (rc)
                    break;
                s->bytes[p] = mb;
                s->samples[p][s->n_samples[p]++] = t;
                s->time_s[p] = median_of(s->samples[p], s->n_samples[p]);
                if (r == 0)
                    s->n = p + 1;
                if (c->rt.rank == 0 && r == c->o.rounds - 1)
                    print_point(out, k, kind, mb, s->time_s[p]);
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
                print_point(out, k, k->s[i].kind, k->s[i].bytes[p],
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
        if (s->kind == TCE_COLL_SENDRECV && s->fit_rc == 0)
            k->link_series = s;
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

static const struct cal_series *series_of(const struct cal_class *k,
                                          enum tce_coll kind)
{
    int i;

    for (i = 0; i < k->n_series; i++)
        if (k->s[i].kind == kind && k->s[i].fit_rc == 0)
            return &k->s[i];
    return NULL;
}

static void print_fits(const struct calib *c, FILE *out)
{
    int i, j;

    fprintf(out, "#\n# fits of time = latency + bytes / bandwidth (least "
                 "squares: latency from the smaller half of the sizes,\n# "
                 "bandwidth from the larger half; errors over all sizes; "
                 "measured):\n");
    fprintf(out, "# %-10s %-13s %10s %12s %10s %8s %10s %7s\n", "link",
            "collective", "latency", "busbw", "efficiency", "rms_err",
            "max_err", "points");
    fprintf(out, "# %-10s %-13s %10s %12s %10s %8s %10s %7s\n", "", "", "(us)",
            "(GB/s)", "", "(%)", "(%)", "");
    for (i = 0; i < CAL_CLASSES; i++) {
        const struct cal_class *k = &c->cls[i];

        if (!k->n_series)
            continue;
        for (j = 0; j < k->n_series; j++) {
            const struct cal_series *s = &k->s[j];

            if (s->fit_rc) {
                fprintf(out, "  %-10s %-13s not fitted: %s\n",
                        tce_link_class_name(k->link),
                        tce_coll_short_name(s->kind), s->fit_msg);
                continue;
            }
            fprintf(out,
                    "  %-10s %-13s %10.2f %12.4f %10.3f %8.1f %10.1f %7d\n",
                    tce_link_class_name(k->link), tce_coll_short_name(s->kind),
                    s->line.latency_s * 1e6,
                    tce_coll_busbw_factor(s->kind, k->g_size) * 1e-9 /
                        s->line.seconds_per_byte,
                    s->efficiency, s->line.rms_rel_error * 100.0,
                    s->line.max_rel_error * 100.0, s->line.points);
        }
        if (k->fitted)
            fprintf(out,
                    "# %s: latency %.2f us, bandwidth %.4f GB/s per rank "
                    "(send/recv fit, RMS error %.1f%%)\n",
                    tce_link_class_name(k->link), k->latency_us,
                    k->bandwidth_gbytes_per_s,
                    k->link_series->line.rms_rel_error * 100.0);
        else
            fprintf(out, "# %s: link not fitted (no send/recv fit)\n",
                    tce_link_class_name(k->link));
        if (k->fitted && k->link == TCE_LINK_FABRIC)
            fprintf(out,
                    "# fabric: the file records %.2f us, the latency added "
                    "to scale_out's per crossing, and the bandwidth per "
                    "rank across the tier (%" PRId64 " nodes per switch)\n",
                    k->file_latency_us, c->leaf_nodes);
    }
    if (c->topo) {
        const struct tce_topology *t = c->topo;
        double per_rank =
            t->scale_out.nic_bandwidth_gbit_per_s / 8.0 *
            (t->scale_out.nics_per_node > 0 ? t->scale_out.nics_per_node : 1) *
            (t->scale_out.efficiency > 0 ? t->scale_out.efficiency : 1.0) /
            (c->node_size_min > 0 ? c->node_size_min : 1);

        fprintf(out,
                "# datasheet (%s, modelled): scale_up latency %.2f us, "
                "bandwidth %.4f GB/s x efficiency %.2f; scale_out latency "
                "%.2f us, %.4f GB/s per rank with %d ranks per node\n",
                t->path, t->scale_up.latency_us,
                t->scale_up.bandwidth_gbytes_per_s,
                t->scale_up.efficiency > 0 ? t->scale_up.efficiency : 1.0,
                t->scale_out.latency_us, per_rank, c->node_size_min);
    }
    if (c->stopped)
        fprintf(out,
                "# INCOMPLETE: stopped by signal %d before every size "
                "was measured\n",
                c->stopped);
}

/* Comma-separated distinct hosts in rank order. */
static void host_list(const struct calib *c, char *buf, size_t len)
{
    size_t used = 0;
    int r, q, w;

    buf[0] = '\0';
    for (r = 0; c->hosts && r < c->rt.size; r++) {
        const char *h = c->hosts + (size_t)r * TCE_RT_HOST_MAX;

        for (q = 0; q < r; q++)
            if (strcmp(h, c->hosts + (size_t)q * TCE_RT_HOST_MAX) == 0)
                break;
        if (q < r)
            continue;
        w = snprintf(buf + used, len - used, "%s%s", used ? "," : "", h);
        if (w < 0 || (size_t)w >= len - used)
            break;
        used += (size_t)w;
    }
}

static void utc_now(char *buf, size_t len)
{
    time_t now = time(NULL);
    struct tm tm;

    gmtime_r(&now, &tm);
    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The largest efficiency a calibration file accepts. */
#define CAL_EFFICIENCY_MAX 10.0

static double eff_of(const struct cal_class *k, enum tce_coll kind)
{
    const struct cal_series *s = series_of(k, kind);

    /* Not measured: the neutral 1.0 (the file's default). */
    if (!s || !(s->efficiency > 0))
        return 1.0;
    /* A collective 10x faster than send/recv on the same link means the
     * send/recv fit is off (a disturbed measurement): say so, and keep the
     * file loadable. */
    if (s->efficiency > CAL_EFFICIENCY_MAX) {
        fprintf(stderr,
                "tcemu: warning: %s %s efficiency %.2f is above %.0f: the "
                "link's send/recv fit looks disturbed (busy machine?); the "
                "file records %.0f\n",
                tce_link_class_name(k->link), tce_coll_short_name(kind),
                s->efficiency, CAL_EFFICIENCY_MAX, CAL_EFFICIENCY_MAX);
        return CAL_EFFICIENCY_MAX;
    }
    return s->efficiency;
}

static int write_calibration(const struct calib *c, const char *date,
                             struct tce_error *err)
{
    struct tce_calibration *cal = calloc(1, sizeof(*cal));
    struct tce_output o;
    int i, j, rc = 0;

    if (!cal)
        return tce_error_set(err, TCE_ENOMEM, "out of memory");
    snprintf(cal->tcemu_version, sizeof(cal->tcemu_version), "%s",
             tce_cli_version());
    tce_rt_mpi_library(cal->mpi_library, sizeof(cal->mpi_library));
    snprintf(cal->date, sizeof(cal->date), "%s", date);
    host_list(c, cal->hosts, sizeof(cal->hosts));
    cal->ranks = c->rt.size;
    cal->ranks_per_node = c->node_size_min;
    for (i = 0; i < CAL_CLASSES; i++) {
        const struct cal_class *k = &c->cls[i];
        struct tce_calibration_link *l = &cal->links[cal->n_links];

        if (!k->fitted)
            continue;
        l->link = k->link;
        l->latency_us = k->file_latency_us;
        l->bandwidth_gbytes_per_s = k->bandwidth_gbytes_per_s;
        l->rms_rel_error = k->link_series->line.rms_rel_error;
        l->points = k->link_series->line.points;
        for (j = 0; j < TCE_COLL_COUNT; j++)
            tce_coll_calib_set_efficiency((enum tce_coll)j, l,
                                          eff_of(k, (enum tce_coll)j));
        cal->n_links++;
    }
    rc = tce_output_open(&o, c->o.out_path, err);
    if (rc)
        goto out;
    fprintf(o.fp,
            "# tcemu calibrate: measured on %d ranks, %d per node; "
            "latency and bandwidth\n# from send/recv, efficiencies = "
            "collective bus bandwidth / link bandwidth.\n",
            c->rt.size, c->node_size_min);
    if (c->stopped)
        fprintf(o.fp,
                "# INCOMPLETE: stopped by signal %d before every size "
                "was measured.\n",
                c->stopped);
    rc = tce_calibration_write(cal, o.fp);
    if (rc) {
        tce_output_abort(&o);
        rc = tce_error_set(err, rc, "cannot write the calibration to %s",
                           c->o.out_path);
        goto out;
    }
    rc = tce_output_commit(&o, err);
out:
    free(cal);
    return rc;
}

static int write_json(const struct calib *c, int argc, char **argv,
                      const char *date, struct tce_error *err)
{
    struct tce_output o;
    struct tce_json j;
    int i, s, p, rc;

    rc = tce_output_open(&o, c->o.json_path, err);
    if (rc)
        return rc;
    tce_json_init(&j, o.fp);
    tce_json_object_begin(&j, NULL);
    tce_json_string(&j, "schema", "tcemu.calibrate/1");
    tce_json_bool(&j, "complete", !c->stopped);
    if (c->stopped)
        tce_json_int(&j, "stopped_by_signal", c->stopped);
    tce_json_string(&j, "date", date);
    tce_rt_json_header(&c->rt, &j, argc, argv, c->hosts, c->nodes);
    tce_json_int(&j, "ranks_per_node_measured", c->node_size_min);
    tce_json_string(&j, "calibration_file", c->o.out_path);
    tce_json_int(&j, "iterations", c->o.sw.iters);
    tce_json_int(&j, "warmup", c->o.sw.warmup);
    tce_json_int(&j, "rounds", c->o.rounds);
    tce_json_string(&j, "time", "slowest rank's median per operation");
    tce_json_array_begin(&j, "links");
    for (i = 0; i < CAL_CLASSES; i++) {
        const struct cal_class *k = &c->cls[i];

        if (!k->n_series)
            continue;
        tce_json_object_begin(&j, NULL);
        tce_json_string(&j, "link", tce_link_class_name(k->link));
        tce_json_string(&j, "where", k->where);
        tce_json_int(&j, "group_size", k->g_size);
        tce_json_int(&j, "groups", k->n_groups);
        tce_json_bool(&j, "fitted", k->fitted);
        if (k->fitted) {
            tce_json_double(&j, "latency_us", k->latency_us);
            tce_json_double(&j, "file_latency_us", k->file_latency_us);
            tce_json_double(&j, "bandwidth_gbytes_per_s",
                            k->bandwidth_gbytes_per_s);
            tce_json_double(&j, "rms_rel_error",
                            k->link_series->line.rms_rel_error);
        }
        tce_json_array_begin(&j, "collectives");
        for (s = 0; s < k->n_series; s++) {
            const struct cal_series *se = &k->s[s];

            tce_json_object_begin(&j, NULL);
            tce_json_string(&j, "collective", tce_coll_short_name(se->kind));
            if (se->fit_rc == 0) {
                tce_json_double(&j, "latency_us", se->line.latency_s * 1e6);
                tce_json_double(&j, "seconds_per_byte",
                                se->line.seconds_per_byte);
                tce_json_double(&j, "busbw_gbytes_per_s",
                                tce_coll_busbw_factor(se->kind, k->g_size) * 1e-9 /
                                    se->line.seconds_per_byte);
                tce_json_double(&j, "efficiency", se->efficiency);
                tce_json_double(&j, "rms_rel_error", se->line.rms_rel_error);
                tce_json_double(&j, "max_rel_error", se->line.max_rel_error);
                tce_json_bool(&j, "latency_clamped", se->line.latency_clamped);
            } else {
                tce_json_string(&j, "fit_error", se->fit_msg);
            }
            tce_json_array_begin(&j, "points");
            for (p = 0; p < se->n; p++) {
                tce_json_object_begin(&j, NULL);
                tce_json_double(&j, "size_bytes", se->bytes[p]);
                tce_json_double(&j, "time_us", se->time_s[p] * 1e6);
                if (se->fit_rc == 0)
                    tce_json_double(
                        &j, "fit_time_us",
                        tce_calibfit_time_s(&se->line, se->bytes[p]) * 1e6);
                tce_json_object_end(&j);
            }
            tce_json_array_end(&j);
            tce_json_object_end(&j);
        }
        tce_json_array_end(&j);
        tce_json_object_end(&j);
    }
    tce_json_array_end(&j);
    tce_json_finish(&j);
    return tce_output_commit(&o, err);
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

    rc = tce_rt_nodes(&c->rt, (int)c->o.ranks_per_node, err);
    if (rc == 0)
        rc = tce_rt_check_environment(&c->rt, 0, err);
    if (rc == 0)
        rc = tce_watchdog_start(&c->rt.wd, c->o.timeout_s, c->rt.rank,
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

    tce_error_clear(&err);
    c = calloc(1, sizeof(*c));
    if (!c) {
        fprintf(stderr, "tcemu: error: out of memory\n");
        return TCE_EXIT_RUNTIME;
    }
    rc = tce_rt_begin(&c->rt, parse_args(argc, argv, &c->o, &err), &err, usage,
                      &argc, &argv);
    if (rc) {
        rc = rc == 1 ? 0 : rc; /* 1: --help */
        goto out_free;
    }
    mpi_up = 1;
    tce_rt_catch_stop_signals(on_stop_signal);
    if ((c->o.json_path && strcmp(c->o.json_path, "-") == 0) ||
        strcmp(c->o.out_path, "-") == 0)
        out = stderr;
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
        if (c->node_size_min != c->node_size_max)
            fprintf(out,
                    "# warning: nodes have %d to %d ranks; the file "
                    "records %d\n",
                    c->node_size_min, c->node_size_max, c->node_size_min);
    }
    for (i = 0; i < CAL_CLASSES && rc == 0 && !c->stopped; i++) {
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
    for (i = 0; i < CAL_CLASSES; i++) {
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

        utc_now(date, sizeof(date));
        print_fits(c, out);
        for (i = 0; i < CAL_CLASSES; i++)
            fitted += c->cls[i].fitted;
        if (!fitted)
            rc = tce_error_set(&err, c->stopped ? TCE_EINTERRUPTED : TCE_ECHECK,
                               "no link could be fitted%s",
                               c->stopped ? " (stopped before enough sizes "
                                            "were measured)"
                                          : "");
        if (rc == 0)
            rc = write_calibration(c, date, &err);
        if (c->o.json_path) {
            struct tce_error jerr;
            int jrc;

            tce_error_clear(&jerr);
            jrc = write_json(c, argc, argv, date, &jerr);
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
out:
    for (i = 0; i < CAL_CLASSES; i++)
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
