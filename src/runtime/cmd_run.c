/*
 * cmd_run.c - tcemu run: every MPI rank is one accelerator of the job's
 * layout and executes its own plan (src/plan.c) for real.
 *
 * Rank 0 reads the topology and job and broadcasts them; every rank builds
 * the layout, its stage's plan and the TP, CP, DP, EP, EDP and PP
 * communicators (MPI_Comm_split with the layout's colours).  An iteration
 * walks the pipeline schedule (1F1B or interleaved, tce_schedule_step):
 * compute ops wait for their modelled duration x --time-scale (sleep to an
 * absolute deadline), collectives and point-to-point messages run with
 * their real sizes (or all scaled by one reported factor when the buffers
 * would exceed --max-buffer); DP/EDP buckets marked as overlapped are
 * non-blocking and progressed (MPI_Test) while later work runs.  Every op
 * is timed on every rank; results are reduced to min/avg/max over ranks and
 * compared with the cost model's time for the same op.
 */
#define _DEFAULT_SOURCE /* clock_nanosleep, sysconf pages */
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "tcemu/coll.h"
#include "tcemu/cli.h"
#include "tcemu/config.h"
#include "tcemu/costmodel.h"
#include "tcemu/json.h"
#include "tcemu/layout.h"
#include "tcemu/output.h"
#include "tcemu/plan.h"
#include "tcemu/projector.h"
#include "tcemu/runtime.h"
#include "tcemu/stats.h"
#include "tcemu/util.h"
#include "tcemu/walk.h"

#define N_PLAN_CLASSES (TCE_PLAN_LIST_COUNT * TCE_PLAN_OPS_MAX)
/* Two more classes: the exposed waits for the deferred (overlapped) DP/EDP
 * collectives, what the projector calls exposed DP time. */
#define CLS_WAIT_PARAM N_PLAN_CLASSES
#define CLS_WAIT_GRAD (N_PLAN_CLASSES + 1)
#define N_CLASSES (N_PLAN_CLASSES + 2)
#define PROGRESS_S 200e-6 /* poll interval of pending requests in sleeps */
#define ELEM_BYTES 4      /* MPI_FLOAT elements */

struct run_opts {
    const char *topo_path, *job_path, *cal_path;
    int64_t gpus;
    int64_t iterations, warmup;
    int64_t ranks_per_node;
    double time_scale;
    int64_t max_buffer_bytes;   /* 0 = default */
    double routing_skew;
    double timeout_s;
    const char *json_path;
};

/* One op of the plan (list, index), aggregated over measured iterations. */
struct op_class {
    int used;
    int64_t execs;            /* executions (repetitions counted) */
    double sum_s;             /* measured seconds, all executions */
    double bytes;             /* bytes moved per execution (scaled) */
    double real_bytes;        /* the plan's bytes per execution */
    double modeled_s;         /* cost model, per execution, moved bytes */
    double modeled_full_s;    /* cost model, per execution, real bytes */
};

struct pending {             /* an outstanding non-blocking collective */
    MPI_Request req;
    int cls;
    int local;               /* overlapped with its own list's compute */
    double start_s;
};

struct run {
    struct tce_rt *rt;
    struct run_opts o;
    struct tce_topology topo;
    struct tce_job job;
    struct tce_calibration cal;   /* with --calibration */
    struct tce_layout lay;
    struct tce_coords me;
    struct tce_plan plan;
    struct tce_costmodel cm;
    struct tce_projection proj;  /* the projector on this topology */
    int have_proj;
    struct tce_span spans[TCE_GROUP_COUNT];
    MPI_Comm comm[TCE_GROUP_COUNT];
    int comm_size[TCE_GROUP_COUNT], comm_rank[TCE_GROUP_COUNT];
    double byte_scale;
    int64_t max_count;        /* elements per MPI call (INT_MAX) */
    float *buf_a, *buf_b, *buf_nb, *buf_ov;
    size_t a_elems, b_elems, nb_elems, nb_used, ov_elems, ov_used;
    int n_local;              /* pending entries with local set */
    struct pending *pend;
    int n_pend, cap_pend;
    MPI_Request *sends;
    int n_sends, cap_sends;
    int measuring;
    int64_t measured;         /* measured iterations completed */
    int stopped;              /* signal that stopped the run, or 0 */
    struct op_class cls[N_CLASSES];
    double *iter_s;           /* per iteration, this rank */
};

/* The one mutable static: a signal handler can only reach a flag.  SIGUSR1
 * (Slurm's --signal=B:USR1@T, forwarded by the batch script) or SIGTERM
 * asks the run to finish the current iteration and write what it has,
 * marked incomplete. */
static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int sig)
{
    stop_signal = sig;
}

static const char *const list_names[TCE_PLAN_LIST_COUNT] = {
    "dense_fwd", "dense_bwd", "moe_fwd",  "moe_bwd",  "embed_fwd",
    "embed_bwd", "head_fwd",  "head_bwd", "p2p_fwd",  "p2p_bwd",
    "iter_begin", "iter_end",
};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: mpirun -np N tcemu run -t TOPOLOGY -j JOB [OPTIONS]\n\n"
            "Emulate the job's training iteration: each MPI rank is one "
            "accelerator\nand runs its own plan's communication for real; "
            "compute waits for its\nmodelled time.  Prints measured vs "
            "modelled time per op.\n\n"
            "  -t, --topology FILE     topology (.cfg)\n"
            "  -j, --job FILE          job (.cfg)\n"
            "      --gpus N            re-derive DP for N ranks (N = world "
            "size)\n"
            "  -c, --calibration FILE  modelled times use the link parameters "
            "fitted\n"
            "                          by tcemu calibrate\n"
            "      --iterations K      measured iterations (default 3)\n"
            "      --warmup W          untimed iterations first (default 1)\n"
            "      --ranks-per-node K  virtual nodes of K consecutive ranks\n"
            "      --time-scale X      compute waits modelled time x X "
            "(default 1)\n"
            "      --max-buffer SIZE   per-rank buffer limit; above it every "
            "message\n"
            "                          is scaled by one reported factor "
            "(default:\n"
            "                          memory / (4 x ranks on the host))\n"
            "      --routing-skew X    MoE: the hottest expert rank gets "
            "(1+X) x its\n"
            "                          share of all-to-all tokens "
            "(default 0)\n"
            "      --timeout S         watchdog: abort (exit 4) when one op "
            "takes\n"
            "                          longer than S seconds\n"
            "      --json FILE|-       results as JSON (schema tcemu.run/1); "
            "with '-'\n"
            "                          the table goes to stderr\n"
            "  -h, --help\n\n"
            "SIGUSR1 or SIGTERM (Slurm's --signal=B:USR1@T): finish the "
            "current\niteration and write what was measured, marked "
            "incomplete.\n");
}

enum { OPT_CAL = 'c', OPT_GPUS = 256, OPT_ITERS, OPT_WARMUP, OPT_RPN, OPT_SCALE, OPT_MAXBUF,
       OPT_SKEW, OPT_TIMEOUT, OPT_JSON };

static int parse_args(int argc, char **argv, struct run_opts *o,
                      struct tce_error *err)
{
    static const struct option longopts[] = {
        {"topology", required_argument, NULL, 't'},
        {"job", required_argument, NULL, 'j'},
        {"gpus", required_argument, NULL, OPT_GPUS},
        {"calibration", required_argument, NULL, OPT_CAL},
        {"iterations", required_argument, NULL, OPT_ITERS},
        {"warmup", required_argument, NULL, OPT_WARMUP},
        {"ranks-per-node", required_argument, NULL, OPT_RPN},
        {"time-scale", required_argument, NULL, OPT_SCALE},
        {"max-buffer", required_argument, NULL, OPT_MAXBUF},
        {"routing-skew", required_argument, NULL, OPT_SKEW},
        {"timeout", required_argument, NULL, OPT_TIMEOUT},
        {"json", required_argument, NULL, OPT_JSON},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c, rc = 0;

    memset(o, 0, sizeof(*o));
    o->iterations = 3;
    o->warmup = 1;
    o->time_scale = 1.0;
    optind = 1;
    opterr = 0;
    while (rc == 0 &&
           (c = getopt_long(argc, argv, ":t:j:c:h", longopts, NULL)) != -1) {
        switch (c) {
        case 't':
            o->topo_path = optarg;
            break;
        case 'j':
            o->job_path = optarg;
            break;
        case OPT_CAL:
            o->cal_path = optarg;
            break;
        case OPT_GPUS:
            rc = tce_parse_int64(optarg, 1, INT_MAX, &o->gpus, err);
            break;
        case OPT_ITERS:
            rc = tce_parse_int64(optarg, 1, 1000000, &o->iterations, err);
            break;
        case OPT_WARMUP:
            rc = tce_parse_int64(optarg, 0, 1000000, &o->warmup, err);
            break;
        case OPT_RPN:
            rc = tce_parse_int64(optarg, 1, INT_MAX, &o->ranks_per_node, err);
            break;
        case OPT_SCALE:
            rc = tce_parse_double(optarg, 0.0, 1e6, &o->time_scale, err);
            break;
        case OPT_MAXBUF:
            rc = tce_parse_size(optarg, &o->max_buffer_bytes, err);
            if (rc == 0 && o->max_buffer_bytes < 1024)
                rc = tce_error_set(err, TCE_ERANGE,
                                   "--max-buffer %s: at least 1024 bytes",
                                   optarg);
            break;
        case OPT_SKEW:
            rc = tce_parse_double(optarg, 0.0, 1e6, &o->routing_skew, err);
            break;
        case OPT_TIMEOUT:
            rc = tce_parse_double(optarg, 0.0, 1e6, &o->timeout_s, err);
            break;
        case OPT_JSON:
            o->json_path = optarg;
            break;
        default: /* -h, a missing value, an unknown option */
            rc = tce_cli_getopt_other(c, argv, err);
            break;
        }
    }
    if (rc == 0 && optind < argc)
        rc = tce_error_set(err, TCE_EUSAGE, "unexpected argument '%s'",
                           argv[optind]);
    if (rc == 0 && (!o->topo_path || !o->job_path))
        rc = tce_error_set(err, TCE_EUSAGE,
                           "run needs -t TOPOLOGY and -j JOB");
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Setup                                                                      */

/* Rank 0 loads both files; everyone gets the structs or the same error. */
static int load_configs(struct run *r, struct tce_error *err)
{
    struct tce_diag diag;
    int rc = 0, mrc;

    if (r->rt->rank == 0) {
        tce_diag_init(&diag, stderr);
        rc = tce_topology_load(r->o.topo_path, &r->topo, &diag);
        if (tce_job_load(r->o.job_path, &r->job, &diag) != 0 && rc == 0)
            rc = TCE_ECONFIG;
        if (r->o.cal_path &&
            tce_calibration_load(r->o.cal_path, &r->cal, &diag) != 0 &&
            rc == 0)
            rc = TCE_ECONFIG;
    }
    mrc = MPI_Bcast(&rc, 1, MPI_INT, 0, r->rt->world);
    if (mrc != MPI_SUCCESS) {
        rc = tce_rt_mpi_error(err, mrc, "broadcasting config status");
        goto out;
    }
    if (rc) /* rank 0 printed the file:line diagnostics */
        goto out;
    mrc = MPI_Bcast(&r->topo, (int)sizeof(r->topo), MPI_BYTE, 0,
                    r->rt->world);
    if (mrc == MPI_SUCCESS)
        mrc = MPI_Bcast(&r->job, (int)sizeof(r->job), MPI_BYTE, 0,
                        r->rt->world);
    if (mrc == MPI_SUCCESS && r->o.cal_path)
        mrc = MPI_Bcast(&r->cal, (int)sizeof(r->cal), MPI_BYTE, 0,
                        r->rt->world);
    if (mrc != MPI_SUCCESS)
        rc = tce_rt_mpi_error(err, mrc, "broadcasting configs");
out:
    return rc;
}

static int make_layout(struct run *r, struct tce_error *err)
{
    int rc = 0, g;

    if (r->o.gpus > 0 && r->o.gpus != r->rt->size) {
        rc = tce_error_set(err, TCE_EUSAGE,
                           "--gpus %" PRId64 " but %d MPI ranks: each rank "
                           "is one accelerator (mpirun -np %" PRId64 ")",
                           r->o.gpus, r->rt->size, r->o.gpus);
        goto out;
    }
    if (r->o.gpus == 0 && r->job.parallel.num_gpus != r->rt->size) {
        rc = tce_error_set(err, TCE_EUSAGE,
                           "%s: parallel.num_gpus is %" PRId64
                           " but %d MPI ranks run: use mpirun -np %" PRId64
                           ", or --gpus %d to re-derive DP",
                           r->job.path, r->job.parallel.num_gpus,
                           r->rt->size, r->job.parallel.num_gpus,
                           r->rt->size);
        goto out;
    }
    r->job.parallel.num_gpus = r->rt->size;
    rc = tce_layout_init(&r->lay, &r->job, &r->topo, r->rt->size, err);
    if (rc)
        goto out;
    if (tce_layout_coords(&r->lay, r->rt->rank, &r->me) != 0) {
        rc = tce_error_set(err, TCE_EINTERNAL, "rank %d outside layout",
                           r->rt->rank);
        goto out;
    }
    rc = tce_costmodel_init(&r->cm, &r->topo, r->job.training.precision,
                            err);
    if (rc == 0 && r->o.cal_path)
        tce_costmodel_calibrate(&r->cm, &r->cal);
    for (g = 0; rc == 0 && g < TCE_GROUP_COUNT; g++)
        if (tce_layout_group_span(&r->lay, (enum tce_group)g, &r->topo,
                                  &r->spans[g]) != 0)
            rc = tce_error_set(err, TCE_EINTERNAL, "no span for group %s",
                               tce_group_name((enum tce_group)g));
    if (rc == 0)
        rc = tce_plan_build(&r->job, &r->lay, r->me.pp, &r->plan, err);
out:
    return rc;
}

static int make_comms(struct run *r, struct tce_error *err)
{
    int g, rc = 0, mrc = MPI_SUCCESS;
    int64_t color, key;

    for (g = 0; g < TCE_GROUP_COUNT; g++)
        r->comm[g] = MPI_COMM_NULL;
    for (g = 0; g < TCE_GROUP_COUNT && rc == 0; g++) {
        if (g == TCE_GROUP_WORLD) {
            mrc = MPI_Comm_dup(r->rt->world, &r->comm[g]);
        } else {
            color = tce_layout_color(&r->lay, r->rt->rank, (enum tce_group)g);
            key = tce_layout_key(&r->lay, r->rt->rank, (enum tce_group)g);
            if (color < 0 || key < 0 || color > INT_MAX) {
                rc = tce_error_set(err, TCE_EINTERNAL,
                                   "no %s group for rank %d",
                                   tce_group_name((enum tce_group)g),
                                   r->rt->rank);
                break;
            }
            mrc = MPI_Comm_split(r->rt->world, (int)color, (int)key,
                                 &r->comm[g]);
        }
        if (mrc != MPI_SUCCESS) {
            rc = tce_rt_mpi_error(err, mrc, "MPI_Comm_split");
            break;
        }
        tce_rt_comm_errors_return(r->comm[g]);
        MPI_Comm_size(r->comm[g], &r->comm_size[g]);
        MPI_Comm_rank(r->comm[g], &r->comm_rank[g]);
    }
    if (rc == 0 && (r->comm_size[TCE_GROUP_PP] != r->lay.pp ||
                    r->comm_size[TCE_GROUP_TP] != r->lay.tp ||
                    r->comm_rank[TCE_GROUP_PP] != r->me.pp))
        rc = tce_error_set(err, TCE_EINTERNAL,
                           "communicators disagree with the layout");
    return rc;
}

static int is_comm(const struct tce_op *op)
{
    return op->kind != TCE_OP_COMPUTE;
}

/* Is op overlapped with the compute of its own list (TP communication
 * with tp_comm_overlap, CP K/V exchange)?  Run non-blocking, waited for at
 * the end of the list. */
static int is_overlap_compute(const struct tce_op *op)
{
    return op->kind == TCE_OP_COLLECTIVE &&
           op->overlap == TCE_OVERLAP_COMPUTE &&
           op->coll != TCE_COLL_ALL_TO_ALL;
}

/* Receive-side elements an op needs in its (scaled) buffer. */
static double op_recv_bytes(const struct run *r, const struct tce_op *op)
{
    double n = r->comm_size[op->group];

    if (op->kind == TCE_OP_COLLECTIVE && op->coll == TCE_COLL_ALL_TO_ALL)
        return op->bytes * (1.0 + r->o.routing_skew) + n * ELEM_BYTES;
    return op->bytes + n * ELEM_BYTES;
}

/* Buffers: A (blocking collectives in place, all-to-all receive, p2p
 * receive), B (all-to-all and p2p send, read only), NB (one slice per
 * outstanding non-blocking bucket). */
static int size_buffers(struct run *r, struct tce_error *err)
{
    double a = 0, b = 0, nb = 0, ov = 0, ov_list, need, phys;
    int64_t max_buf;
    int l, i;

    for (l = 0; l < TCE_PLAN_LIST_COUNT; l++) {
        ov_list = 0;
        for (i = 0; i < r->plan.list[l].n; i++) {
            const struct tce_op *op = &r->plan.list[l].ops[i];

            if (!is_comm(op))
                continue;
            if (is_overlap_compute(op)) {
                ov_list += op_recv_bytes(r, op) * (double)op->count;
                if (ov_list > ov)
                    ov = ov_list;
                continue;
            }
            if (tce_walk_is_deferred(op)) {
                nb += op_recv_bytes(r, op) * (double)op->count;
                continue;
            }
            if (op_recv_bytes(r, op) > a)
                a = op_recv_bytes(r, op);
            if ((op->kind == TCE_OP_SEND ||
                 (op->kind == TCE_OP_COLLECTIVE &&
                  op->coll == TCE_COLL_ALL_TO_ALL)) &&
                op->bytes > b)
                b = op->bytes + ELEM_BYTES;
        }
    }
    need = a + b + nb + ov;
    max_buf = r->o.max_buffer_bytes;
    if (max_buf == 0) {
        phys = (double)sysconf(_SC_PHYS_PAGES) *
               (double)sysconf(_SC_PAGESIZE);
        max_buf = (int64_t)(phys / (4.0 * (r->rt->real_node_size > 0
                                               ? r->rt->real_node_size
                                               : 1)));
        if (max_buf < (64 << 20))
            max_buf = 64 << 20;
    }
    r->byte_scale = tce_stats_byte_scale((int64_t)ceil(need), max_buf);
    /* One factor for every rank: the smallest. */
    MPI_Allreduce(MPI_IN_PLACE, &r->byte_scale, 1, MPI_DOUBLE, MPI_MIN,
                  r->rt->world);
    r->a_elems = (size_t)ceil(a * r->byte_scale / ELEM_BYTES) + 64 +
                 (size_t)r->rt->size;
    r->b_elems = (size_t)ceil(b * r->byte_scale / ELEM_BYTES) + 64;
    r->nb_elems = (size_t)ceil(nb * r->byte_scale / ELEM_BYTES) + 64 +
                  (size_t)r->rt->size * 64;
    r->buf_a = calloc(r->a_elems, ELEM_BYTES);
    r->buf_b = calloc(r->b_elems, ELEM_BYTES);
    r->buf_nb = calloc(r->nb_elems, ELEM_BYTES);
    r->ov_elems = (size_t)ceil(ov * r->byte_scale / ELEM_BYTES) + 64 +
                  (size_t)r->rt->size * 64;
    r->buf_ov = calloc(r->ov_elems, ELEM_BYTES);
    if (!r->buf_a || !r->buf_b || !r->buf_nb || !r->buf_ov)
        return tce_error_set(err, TCE_ENOMEM,
                             "cannot allocate %.0f MB of message buffers",
                             need * r->byte_scale / 1e6);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Modelled times                                                             */

static double modeled_s(const struct run *r, const struct tce_op *op,
                        double bytes)
{
    struct tce_op o = *op;

    o.bytes = bytes;
    return tce_cost_op_s(&r->cm, &o, r->spans);
}

static void model_classes(struct run *r)
{
    int l, i;

    for (l = 0; l < TCE_PLAN_LIST_COUNT; l++) {
        for (i = 0; i < r->plan.list[l].n; i++) {
            const struct tce_op *op = &r->plan.list[l].ops[i];
            struct op_class *c = &r->cls[l * TCE_PLAN_OPS_MAX + i];

            c->bytes = is_comm(op) ? (double)tce_stats_scale_bytes(
                                         (int64_t)op->bytes, r->byte_scale,
                                         ELEM_BYTES)
                                   : op->bytes;
            if (is_comm(op) && r->byte_scale >= 1.0)
                c->bytes = op->bytes;
            c->real_bytes = op->bytes;
            c->modeled_full_s = modeled_s(r, op, op->bytes);
            c->modeled_s = is_comm(op) ? modeled_s(r, op, c->bytes)
                                       : c->modeled_full_s;
        }
    }
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
    struct op_class *c = &r->cls[cls];

    c->used = 1;
    if (!r->measuring)
        return;
    c->execs++;
    c->sum_s += secs;
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
 * until the iteration's wait point, 2: local to the list). */
static int run_collective(struct run *r, const struct tce_op *op, int cls,
                          double bytes, int nonblocking, float *buf)
{
    int n = r->comm_size[op->group];
    size_t total = elems_of(bytes);
    struct tce_rt_coll_args a = {op->coll, r->comm[op->group], n,
                                 r->comm_rank[op->group], NULL, buf, total,
                                 r->max_count, NULL};
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
        if (tce_stats_skew_split((int64_t)total, n, r->o.routing_skew, 0,
                                 split, NULL) != 0) {
            free(split);
            return MPI_ERR_ARG;
        }
        a.send = r->buf_b;
        a.split = split;
    }
    if (nonblocking)
        mrc = tce_rt_exec_coll_start(&a, on_posted, &p);
    else
        mrc = tce_rt_exec_coll(&a);
    free(split);
    return mrc;
}

static int run_p2p(struct run *r, const struct tce_op *op, double bytes)
{
    MPI_Comm comm = r->comm[TCE_GROUP_PP];
    int p = r->comm_size[TCE_GROUP_PP], stage = r->comm_rank[TCE_GROUP_PP];
    int peer = op->peer == TCE_PEER_PREV ? (stage - 1 + p) % p
                                         : (stage + 1) % p;
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
            mrc = MPI_Recv(r->buf_a, (int)c, MPI_FLOAT, peer, tag, comm,
                           MPI_STATUS_IGNORE);
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

struct walk_err {
    int mrc;
    char what[TCE_RT_OPNAME_MAX * 2];
};

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
    if (tce_rt_test_fault(r->rt, "TCEMU_TEST_FAIL", op->name)) {
        mrc = MPI_ERR_OTHER; /* test-only injection */
        goto out;
    }
    if (op->kind == TCE_OP_COMPUTE) {
        for (k = 0; k < count && mrc == MPI_SUCCESS; k++) {
            t0 = tce_now_s();
            mrc = emulate_compute(r, r->cls[cls].modeled_s * r->o.time_scale);
            record(r, cls, tce_now_s() - t0);
        }
        goto out;
    }
    if (is_overlap_compute(op)) {
        mrc = post_collectives(r, op, cls, bytes, count, opname, 2,
                               r->buf_ov, r->ov_elems, &r->ov_used);
        goto out;
    }
    if (tce_walk_is_deferred(op)) {
        mrc = post_collectives(r, op, cls, bytes, count, opname, 1,
                               r->buf_nb, r->nb_elems, &r->nb_used);
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
out:
    if (mrc != MPI_SUCCESS) {
        we->mrc = mrc;
        snprintf(we->what, sizeof(we->what), "%s (group %s)", opname,
                 tce_group_name(op->group));
    }
    return mrc;
}

/* Wait for every pending request, timing the exposed wait. */
static int wait_pending(struct run *r, const char *where,
                        struct walk_err *we)
{
    int mrc = MPI_SUCCESS;

    if (r->n_pend == 0)
        return MPI_SUCCESS;
    tce_watchdog_enter(&r->rt->wd, where, "dp");
    while (r->n_pend > 0 && mrc == MPI_SUCCESS)
        mrc = progress(r);
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
            mrc = progress(r);
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
    int cls = what == TCE_WALK_WAIT_PARAM_GATHER ? CLS_WAIT_PARAM
                                                 : CLS_WAIT_GRAD;
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
static int iteration(struct run *r, struct walk_err *we)
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
            snprintf(we->what, sizeof(we->what), "plan walk: %.150s",
                     err.msg);
        }
        return we->mrc;
    }
    if (r->n_sends > 0) {
        tce_watchdog_enter(&r->rt->wd, "pp_send_completion", "pp");
        mrc = MPI_Waitall(r->n_sends, r->sends, MPI_STATUSES_IGNORE);
        tce_watchdog_leave(&r->rt->wd);
        r->n_sends = 0;
        if (mrc != MPI_SUCCESS) {
            we->mrc = mrc;
            snprintf(we->what, sizeof(we->what), "pp send completion");
        }
    }
    return mrc;
}

/* ------------------------------------------------------------------------ */
/* Results                                                                    */

struct class_stats {          /* reduced over ranks (valid on every rank) */
    double min_s[N_CLASSES], max_s[N_CLASSES], sum_s[N_CLASSES];
    double users[N_CLASSES], per_iter[N_CLASSES];
    double modeled_s[N_CLASSES], modeled_full_s[N_CLASSES];
    double bytes[N_CLASSES], real_bytes[N_CLASSES];
};

struct results {
    struct class_stats cs;
    struct tce_stats iter;    /* over iterations of (max over ranks) */
    int slowest_rank;
    double slowest_avg_s;
    double *iter_max_s;
};

/* An op as described on every rank: the first rank's plan may not hold it
 * (stage-specific lists), so each rank describes what it ran. */
static const struct tce_op *class_op(const struct run *r, int cls)
{
    int l = cls / TCE_PLAN_OPS_MAX, i = cls % TCE_PLAN_OPS_MAX;

    if (i >= r->plan.list[l].n)
        return NULL;
    return &r->plan.list[l].ops[i];
}

static int reduce_results(struct run *r, struct results *res)
{
    struct class_stats *cs = &res->cs;
    double mine[N_CLASSES];
    struct {
        double v;
        int rank;
    } in, outp;
    double avg;
    int i, mrc;
    MPI_Comm w = r->rt->world;
    int64_t it;

    for (i = 0; i < N_CLASSES; i++) {
        const struct op_class *c = &r->cls[i];
        int has = c->used && c->execs > 0;

        mine[i] = has ? c->sum_s / (double)c->execs : 0.0;
        cs->min_s[i] = has ? mine[i] : INFINITY;
        cs->max_s[i] = has ? mine[i] : -INFINITY;
        cs->sum_s[i] = mine[i];
        cs->users[i] = has;
        cs->per_iter[i] = has && r->measured > 0
                              ? (double)c->execs / (double)r->measured
                              : 0.0;
        cs->modeled_s[i] = has ? c->modeled_s : -INFINITY;
        cs->modeled_full_s[i] = has ? c->modeled_full_s : -INFINITY;
        cs->bytes[i] = has ? c->bytes : -INFINITY;
        cs->real_bytes[i] = has ? c->real_bytes : -INFINITY;
    }
    mrc = MPI_Allreduce(MPI_IN_PLACE, cs->min_s, N_CLASSES, MPI_DOUBLE,
                        MPI_MIN, w);
    if (mrc == MPI_SUCCESS)
        mrc = MPI_Allreduce(MPI_IN_PLACE, cs->max_s, N_CLASSES, MPI_DOUBLE,
                            MPI_MAX, w);
    if (mrc == MPI_SUCCESS)
        mrc = MPI_Allreduce(MPI_IN_PLACE, cs->sum_s, N_CLASSES, MPI_DOUBLE,
                            MPI_SUM, w);
    if (mrc == MPI_SUCCESS)
        mrc = MPI_Allreduce(MPI_IN_PLACE, cs->users, N_CLASSES, MPI_DOUBLE,
                            MPI_SUM, w);
    if (mrc == MPI_SUCCESS)
        mrc = MPI_Allreduce(MPI_IN_PLACE, cs->per_iter, N_CLASSES,
                            MPI_DOUBLE, MPI_MAX, w);
    if (mrc == MPI_SUCCESS)
        mrc = MPI_Allreduce(MPI_IN_PLACE, cs->modeled_s, N_CLASSES,
                            MPI_DOUBLE, MPI_MAX, w);
    if (mrc == MPI_SUCCESS)
        mrc = MPI_Allreduce(MPI_IN_PLACE, cs->modeled_full_s, N_CLASSES,
                            MPI_DOUBLE, MPI_MAX, w);
    if (mrc == MPI_SUCCESS)
        mrc = MPI_Allreduce(MPI_IN_PLACE, cs->bytes, N_CLASSES, MPI_DOUBLE,
                            MPI_MAX, w);
    if (mrc == MPI_SUCCESS)
        mrc = MPI_Allreduce(MPI_IN_PLACE, cs->real_bytes, N_CLASSES,
                            MPI_DOUBLE, MPI_MAX, w);
    if (mrc == MPI_SUCCESS)
        mrc = MPI_Allreduce(r->iter_s, res->iter_max_s,
                            (int)r->measured, MPI_DOUBLE, MPI_MAX, w);
    if (mrc != MPI_SUCCESS)
        return mrc;
    tce_stats_init(&res->iter);
    for (it = 0; it < r->measured; it++)
        tce_stats_add(&res->iter, res->iter_max_s[it]);
    for (avg = 0, it = 0; it < r->measured; it++)
        avg += r->iter_s[it];
    in.v = r->measured > 0 ? avg / (double)r->measured : 0.0;
    in.rank = r->rt->rank;
    mrc = MPI_Allreduce(&in, &outp, 1, MPI_DOUBLE_INT, MPI_MAXLOC, w);
    res->slowest_rank = outp.rank;
    res->slowest_avg_s = outp.v;
    return mrc;
}

/* Describe the classes: rank 0 may not run every class (stage-specific
 * lists: embedding on stage 0, head on the last), so the lowest rank that
 * ran a class sends its op description... The plan of every stage has the
 * same list shapes for the layer lists; the stage-specific lists (embed,
 * head, p2p) differ only in presence.  Rank 0 builds the plan of the last
 * stage too, to describe the head. */
struct class_desc {
    const char *name;
    const char *kind;
    const char *group;
    enum tce_coll bw;
    int comm;
    int bw_valid;             /* bandwidth meaningful (not an Isend post) */
    int group_size;
    int recompute;
    const char *overlap;
    int charge;               /* enum tce_charge; -1 for the waits */
    int overlapped;           /* run non-blocking alongside other work */
    int op_kind;              /* enum tce_op_kind; -1 for the waits and
                                 unknown ops */
};

static const char *class_list(int cls)
{
    if (cls == CLS_WAIT_PARAM)
        return "iter_begin";
    if (cls == CLS_WAIT_GRAD)
        return "iter_end";
    return list_names[cls / TCE_PLAN_OPS_MAX];
}

static void describe(const struct run *r, const struct tce_plan *last,
                     int cls, struct class_desc *d)
{
    const struct tce_op *op = cls < N_PLAN_CLASSES ? class_op(r, cls) : NULL;
    int l = cls < N_PLAN_CLASSES ? cls / TCE_PLAN_OPS_MAX : 0;
    int i = cls % TCE_PLAN_OPS_MAX;

    memset(d, 0, sizeof(*d));
    d->op_kind = -1;
    if (cls >= N_PLAN_CLASSES) {
        d->name = cls == CLS_WAIT_PARAM ? "param_gather_wait"
                                        : "grad_reduce_wait";
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
    d->overlapped = tce_walk_is_deferred(op) || is_overlap_compute(op);
    d->comm = is_comm(op);
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

static void print_header(const struct run *r, FILE *out, int argc,
                         char **argv, const char *hosts)
{
    const struct tce_layout *l = &r->lay;

    tce_rt_print_header(r->rt, out, argc, argv, hosts);
    fprintf(out, "# topology: %s (%s)\n", r->o.topo_path, r->topo.name);
    if (r->o.cal_path)
        fprintf(out,
                "# calibration: %s (measured %s on %s, %" PRId64
                " ranks): modelled link parameters are the fitted ones\n",
                r->o.cal_path, r->cal.date, r->cal.hosts, r->cal.ranks);
    fprintf(out, "# job: %s (%s)\n", r->o.job_path, r->job.name);
    fprintf(out,
            "# layout: tp %" PRId64 " cp %" PRId64 " dp %" PRId64
            " ep %" PRId64 " pp %" PRId64 " vpp %" PRId64
            "; %" PRId64 " microbatches of %" PRId64 "; schedule %s\n",
            l->tp, l->cp, l->dp, l->ep, l->pp, l->vpp, l->microbatches,
            l->micro_batch, l->vpp > 1 ? "interleaved 1F1B" : "1F1B");
    fprintf(out,
            "# iterations: %" PRId64 " measured after %" PRId64
            " warm-up; iteration time = max over ranks\n",
            r->o.iterations, r->o.warmup);
    fprintf(out,
            "# compute: emulated by waiting modelled time x time-scale "
            "%g (not executed)\n",
            r->o.time_scale);
    if (r->byte_scale < 1.0)
        fprintf(out,
                "# byte scale: %.6g: every message is scaled by this factor "
                "to fit --max-buffer; 'bytes' are the bytes moved, "
                "'modeled' is for the bytes moved\n",
                r->byte_scale);
    else
        fprintf(out, "# byte scale: 1 (real message sizes)\n");
    if (r->o.routing_skew > 0)
        fprintf(out,
                "# routing skew: %g (hottest EP rank receives %gx its "
                "share)\n",
                r->o.routing_skew, 1.0 + r->o.routing_skew);
    fprintf(out,
            "# measured: wall time on these ranks (min/avg/max over ranks of "
            "each rank's mean per execution); modeled: cost model for "
            "topology %s; GB/s = 1e9 B/s\n",
            r->topo.name);
    fprintf(out,
            "# (rc): recomputed forward op; (ov): overlapped op "
            "(post to completion)\n");
    fprintf(out,
            "# recv: includes waiting for the sending stage (pipeline "
            "bubble); send: time to post MPI_Isend (no bandwidth); "
            "overlapped ops (DP buckets; TP, CP marked overlap compute): post to "
            "completion\n");
}

static void print_table(const struct run *r, const struct tce_plan *last,
                        const struct results *res, FILE *out)
{
    const struct class_stats *cs = &res->cs;
    struct class_desc d;
    char name[128];
    double avg, algbw, busbw;
    int i;

    fprintf(out,
            "#\n# %-34s %-14s %-5s %12s %8s %10s %10s %10s %10s %9s %9s\n",
            "op", "kind", "group", "bytes", "count", "min", "avg", "max",
            "modeled", "algbw", "busbw");
    fprintf(out, "# %-34s %-14s %-5s %12s %8s %10s %10s %10s %10s %9s %9s\n",
            "", "", "", "(B)", "(/iter)", "(us)", "(us)", "(us)", "(us)",
            "(GB/s)", "(GB/s)");
    for (i = 0; i < N_CLASSES; i++) {
        if (cs->users[i] <= 0)
            continue;
        describe(r, last, i, &d);
        avg = cs->sum_s[i] / cs->users[i];
        snprintf(name, sizeof(name), "%s.%s%s%s", class_list(i), d.name,
                 d.recompute ? "(rc)" : "",
                 d.overlapped ? "(ov)" : "");
        if (d.bw_valid) {
            algbw = tce_coll_algbw_gbytes_per_s(cs->bytes[i], avg);
            busbw = tce_coll_busbw_gbytes_per_s(d.bw, d.group_size,
                                                 cs->bytes[i], avg);
            fprintf(out,
                    "  %-34s %-14s %-5s %12.0f %8.0f %10.1f %10.1f %10.1f "
                    "%10.1f %9.3f %9.3f\n",
                    name, d.kind, d.group, cs->bytes[i], cs->per_iter[i],
                    cs->min_s[i] * 1e6, avg * 1e6, cs->max_s[i] * 1e6,
                    cs->modeled_s[i] * 1e6, algbw, busbw);
        } else if (d.comm) {
            fprintf(out,
                    "  %-34s %-14s %-5s %12.0f %8.0f %10.1f %10.1f %10.1f "
                    "%10.1f %9s %9s\n",
                    name, d.kind, d.group, cs->bytes[i], cs->per_iter[i],
                    cs->min_s[i] * 1e6, avg * 1e6, cs->max_s[i] * 1e6,
                    cs->modeled_s[i] * 1e6, "-", "-");
        } else if (i == CLS_WAIT_PARAM) {
            fprintf(out,
                    "  %-34s %-14s %-5s %12s %8.0f %10.1f %10.1f %10.1f "
                    "%10s %9s %9s\n",
                    name, d.kind, d.group, "-", cs->per_iter[i],
                    cs->min_s[i] * 1e6, avg * 1e6, cs->max_s[i] * 1e6, "-",
                    "-", "-");
        } else {
            fprintf(out,
                    "  %-34s %-14s %-5s %12s %8.0f %10.1f %10.1f %10.1f "
                    "%10.1f %9s %9s\n",
                    name, d.kind, d.group, "-", cs->per_iter[i],
                    cs->min_s[i] * 1e6, avg * 1e6, cs->max_s[i] * 1e6,
                    cs->modeled_s[i] * 1e6, "-", "-");
        }
    }
}

static const char *const charge_names[TCE_CHARGE_COUNT] = {
    [TCE_CHARGE_COMPUTE] = "compute", [TCE_CHARGE_TP] = "tp",
    [TCE_CHARGE_CP] = "cp",           [TCE_CHARGE_EP] = "ep",
    [TCE_CHARGE_DP] = "dp",           [TCE_CHARGE_PP] = "pp+wait",
    [TCE_CHARGE_OPTIMIZER] = "optimizer",
};

/* Busy time per iteration and rank by charge (compute, tp, cp, ep, dp,
 * pp, optimizer): sum over ops of executions x mean time, overlapped ops
 * counted in full; modelled the same way (compute x time-scale, as
 * emulated). */
static void charge_totals(const struct run *r, const struct tce_plan *last,
                          const struct results *res, double *measured,
                          double *modeled)
{
    const struct class_stats *cs = &res->cs;
    struct class_desc d;
    double scale;
    int i;

    for (i = 0; i < TCE_CHARGE_COUNT; i++)
        measured[i] = modeled[i] = 0.0;
    for (i = 0; i < N_PLAN_CLASSES; i++) {
        if (cs->users[i] <= 0)
            continue;
        describe(r, last, i, &d);
        if (d.charge < 0 || d.charge >= TCE_CHARGE_COUNT ||
            d.op_kind == TCE_OP_SEND)
            continue;
        scale = d.comm ? 1.0 : r->o.time_scale;
        measured[d.charge] += cs->per_iter[i] * cs->sum_s[i] / cs->users[i];
        modeled[d.charge] += cs->per_iter[i] * cs->modeled_s[i] * scale;
    }
    /* Receives wait for the other stages: compare with p2p + bubble. */
    if (r->have_proj && measured[TCE_CHARGE_PP] > 0)
        modeled[TCE_CHARGE_PP] += r->proj.breakdown.pp_bubble_s;
}

static void print_charges(const struct run *r, const struct tce_plan *last,
                          const struct results *res, FILE *out)
{
    double measured[TCE_CHARGE_COUNT], modeled[TCE_CHARGE_COUNT];
    int c;

    charge_totals(r, last, res, measured, modeled);
    fprintf(out,
            "# busy time per iteration and rank by class (sum over ops of "
            "count x avg; overlapped ops in full; pp recv includes the "
            "bubble, modelled as p2p + bubble; compute modelled x "
            "time-scale):\n");
    for (c = 0; c < TCE_CHARGE_COUNT; c++) {
        if (measured[c] <= 0 && modeled[c] <= 0)
            continue;
        fprintf(out,
                "#   %-10s measured %10.6f s   modeled %10.6f s   "
                "ratio %6.2f\n",
                charge_names[c], measured[c], modeled[c],
                modeled[c] > 0 ? measured[c] / modeled[c] : 0.0);
    }
}

static void print_summary(const struct run *r, const struct results *res,
                          const char *hosts, FILE *out)
{
    if (r->stopped)
        fprintf(out,
                "# INCOMPLETE: stopped by signal %d after %" PRId64
                " of %" PRId64 " measured iterations\n",
                r->stopped, r->measured, r->o.iterations);
    fprintf(out,
            "# iteration time (s, max over ranks): min %.6f avg %.6f max "
            "%.6f\n",
            res->iter.min, tce_stats_avg(&res->iter), res->iter.max);
    fprintf(out, "# slowest rank: %d (%s), mean iteration %.6f s\n",
            res->slowest_rank,
            hosts ? hosts + (size_t)res->slowest_rank * TCE_RT_HOST_MAX : "?",
            res->slowest_avg_s);
    if (r->have_proj)
        fprintf(out,
                "# modeled iteration (projector, topology %s, compute at "
                "time-scale 1): %.6f s = compute %.6f + tp %.6f + cp %.6f "
                "+ ep %.6f + dp %.6f + pp bubble %.6f + pp p2p %.6f + "
                "optimizer %.6f\n",
                r->topo.name, r->proj.iteration_s, r->proj.breakdown.compute_s,
                r->proj.breakdown.tp_exposed_s, r->proj.breakdown.cp_exposed_s,
                r->proj.breakdown.ep_exposed_s, r->proj.breakdown.dp_exposed_s,
                r->proj.breakdown.pp_bubble_s, r->proj.breakdown.pp_p2p_s,
                r->proj.breakdown.optimizer_s);
    fprintf(out, "# byte scale: %.6g\n", r->byte_scale);
}

static void json_measured(struct tce_json *j, const char *key, double min,
                          double avg, double max)
{
    tce_json_object_begin(j, key);
    tce_json_double(j, "min", min);
    tce_json_double(j, "avg", avg);
    tce_json_double(j, "max", max);
    tce_json_object_end(j);
}

static int write_json(const struct run *r, const struct tce_plan *last,
                      const struct results *res, int argc, char **argv,
                      const char *hosts, const int *nodes,
                      struct tce_error *err)
{
    const struct class_stats *cs = &res->cs;
    const struct tce_layout *l = &r->lay;
    struct class_desc d;
    struct tce_output o;
    struct tce_json j;
    double avg;
    int i, rc;

    rc = tce_output_open(&o, r->o.json_path, err);
    if (rc)
        return rc;
    tce_json_init(&j, o.fp);
    tce_json_object_begin(&j, NULL);
    tce_json_string(&j, "schema", "tcemu.run/1");
    tce_rt_json_header(r->rt, &j, argc, argv, hosts, nodes);
    tce_json_string(&j, "topology", r->o.topo_path);
    tce_json_string(&j, "job", r->o.job_path);
    if (r->o.cal_path)
        tce_json_string(&j, "calibration", r->o.cal_path);
    else
        tce_json_null(&j, "calibration");
    tce_json_object_begin(&j, "layout");
    tce_json_int(&j, "tp", l->tp);
    tce_json_int(&j, "cp", l->cp);
    tce_json_int(&j, "dp", l->dp);
    tce_json_int(&j, "ep", l->ep);
    tce_json_int(&j, "pp", l->pp);
    tce_json_int(&j, "vpp", l->vpp);
    tce_json_int(&j, "microbatches", l->microbatches);
    tce_json_int(&j, "micro_batch", l->micro_batch);
    tce_json_string(&j, "schedule", l->vpp > 1 ? "interleaved" : "1f1b");
    tce_json_object_end(&j);
    tce_json_int(&j, "iterations", r->measured);
    tce_json_int(&j, "iterations_requested", r->o.iterations);
    tce_json_bool(&j, "complete", !r->stopped);
    if (r->stopped)
        tce_json_int(&j, "stopped_by_signal", r->stopped);
    tce_json_int(&j, "warmup", r->o.warmup);
    tce_json_double(&j, "time_scale", r->o.time_scale);
    tce_json_double(&j, "routing_skew", r->o.routing_skew);
    tce_json_double(&j, "byte_scale", r->byte_scale);
    json_measured(&j, "iteration_s", res->iter.min, tce_stats_avg(&res->iter),
                  res->iter.max);
    if (r->have_proj) {
        const struct tce_breakdown *b = &r->proj.breakdown;

        tce_json_double(&j, "modeled_iteration_s", r->proj.iteration_s);
        tce_projector_breakdown_json(&j, "modeled_breakdown_s", b);
    } else {
        tce_json_null(&j, "modeled_iteration_s");
    }
    tce_json_object_begin(&j, "slowest_rank");
    tce_json_int(&j, "rank", res->slowest_rank);
    tce_json_string(&j, "host",
                    hosts ? hosts + (size_t)res->slowest_rank *
                                        TCE_RT_HOST_MAX
                          : "");
    tce_json_double(&j, "iteration_s", res->slowest_avg_s);
    tce_json_object_end(&j);
    {
        double measured[TCE_CHARGE_COUNT], modeled[TCE_CHARGE_COUNT];
        int c;

        charge_totals(r, last, res, measured, modeled);
        tce_json_array_begin(&j, "classes");
        for (c = 0; c < TCE_CHARGE_COUNT; c++) {
            if (measured[c] <= 0 && modeled[c] <= 0)
                continue;
            tce_json_object_begin(&j, NULL);
            tce_json_string(&j, "class", charge_names[c]);
            tce_json_double(&j, "measured_s", measured[c]);
            tce_json_double(&j, "modeled_s", modeled[c]);
            tce_json_object_end(&j);
        }
        tce_json_array_end(&j);
    }
    tce_json_array_begin(&j, "ops");
    for (i = 0; i < N_CLASSES; i++) {
        if (cs->users[i] <= 0)
            continue;
        describe(r, last, i, &d);
        avg = cs->sum_s[i] / cs->users[i];
        tce_json_object_begin(&j, NULL);
        tce_json_string(&j, "name", d.name);
        tce_json_string(&j, "list", class_list(i));
        tce_json_string(&j, "kind", d.kind);
        tce_json_string(&j, "group", d.group);
        tce_json_bool(&j, "recompute", d.recompute);
        tce_json_string(&j, "overlap", d.overlap);
        tce_json_bool(&j, "overlapped", d.overlapped);
        tce_json_int(&j, "ranks", (int64_t)cs->users[i]);
        if (d.comm) {
            tce_json_double(&j, "bytes", cs->bytes[i]);
            tce_json_double(&j, "real_bytes", cs->real_bytes[i]);
        } else {
            tce_json_null(&j, "bytes");
            tce_json_null(&j, "real_bytes");
        }
        tce_json_double(&j, "count", cs->per_iter[i]);
        json_measured(&j, "measured_s", cs->min_s[i], avg, cs->max_s[i]);
        if (i == CLS_WAIT_PARAM)
            tce_json_null(&j, "modeled_s"); /* in grad_reduce_wait's */
        else
            tce_json_double(&j, "modeled_s", cs->modeled_s[i]);
        if (d.comm) {
            tce_json_double(&j, "modeled_real_bytes_s", cs->modeled_full_s[i]);
        }
        if (d.bw_valid) {
            tce_json_double(&j, "algbw_gbytes_per_s",
                            tce_coll_algbw_gbytes_per_s(cs->bytes[i], avg));
            tce_json_double(&j, "busbw_gbytes_per_s",
                            tce_coll_busbw_gbytes_per_s(
                                d.bw, d.group_size, cs->bytes[i], avg));
        } else {
            if (d.op_kind == TCE_OP_COMPUTE)
                tce_json_double(&j, "emulated_s",
                                cs->modeled_s[i] * r->o.time_scale);
            tce_json_null(&j, "algbw_gbytes_per_s");
            tce_json_null(&j, "busbw_gbytes_per_s");
        }
        tce_json_object_end(&j);
    }
    tce_json_array_end(&j);
    tce_json_finish(&j);
    return tce_output_commit(&o, err);
}

/* ------------------------------------------------------------------------ */

static int64_t env_max_count(void)
{
    const char *v = getenv("TCEMU_TEST_MAX_COUNT"); /* test-only */
    int64_t n = INT_MAX;

    if (v && tce_parse_int64(v, 1, INT_MAX, &n, NULL) != 0)
        n = INT_MAX;
    return n;
}

static int measure(struct run *r, struct tce_error *err)
{
    struct walk_err we;
    int64_t it;
    double t0;
    int mrc = MPI_SUCCESS;

    memset(&we, 0, sizeof(we));
#if defined(__linux__) && defined(PR_SET_TIMERSLACK)
    /* Compute waits end on time: no 50 us default timer slack. */
    prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
#endif
    for (it = 0; it < r->o.warmup + r->o.iterations && mrc == MPI_SUCCESS;
         it++) {
        int mine = (int)stop_signal, any = 0;

        /* Between iterations, all ranks agree whether one was asked to
         * stop (outside the timed part). */
        mrc = MPI_Allreduce(&mine, &any, 1, MPI_INT, MPI_MAX, r->rt->world);
        if (mrc == MPI_SUCCESS && any) {
            r->stopped = any;
            break;
        }
        r->measuring = it >= r->o.warmup;
        if (mrc == MPI_SUCCESS)
            mrc = MPI_Barrier(r->rt->world);
        if (mrc != MPI_SUCCESS) {
            we.mrc = mrc;
            snprintf(we.what, sizeof(we.what), "barrier");
            break;
        }
        t0 = tce_now_s();
        mrc = iteration(r, &we);
        if (r->measuring && mrc == MPI_SUCCESS) {
            r->iter_s[it - r->o.warmup] = tce_now_s() - t0;
            r->measured = it - r->o.warmup + 1;
        }
    }
    if (mrc != MPI_SUCCESS)
        return tce_rt_mpi_error(err, we.mrc ? we.mrc : mrc, we.what);
    return 0;
}

int tce_cmd_run(int argc, char **argv)
{
    struct tce_rt rt;
    struct run *r = NULL;
    struct results *res = NULL;
    struct tce_plan *last = NULL;
    struct tce_error err;
    char *hosts = NULL;
    int *nodes = NULL;
    FILE *out = stdout;
    int rc, g, mpi_up = 0;

    tce_error_clear(&err);
    r = calloc(1, sizeof(*r));
    res = calloc(1, sizeof(*res));
    last = calloc(1, sizeof(*last));
    if (!r || !res || !last) {
        fprintf(stderr, "tcemu: error: out of memory\n");
        rc = TCE_ENOMEM;
        goto out_free;
    }
    /* From here on a time-limit signal asks for a clean stop (checked
     * between iterations) instead of killing the rank. */
    tce_rt_catch_stop_signals(on_stop_signal);
    rc = tce_rt_begin(&rt, parse_args(argc, argv, &r->o, &err), &err, usage,
                      &argc, &argv);
    if (rc) {
        rc = rc == 1 ? 0 : rc; /* 1: --help */
        goto out_free;
    }
    mpi_up = 1;
    r->rt = &rt;
    for (g = 0; g < TCE_GROUP_COUNT; g++)
        r->comm[g] = MPI_COMM_NULL;
    r->max_count = env_max_count();
    if (r->o.json_path && strcmp(r->o.json_path, "-") == 0)
        out = stderr;
    rc = tce_rt_nodes(&rt, (int)r->o.ranks_per_node, &err);
    if (rc == 0)
        rc = tce_rt_check_environment(&rt, 0, &err);
    rc = tce_rt_report_agree(&rt, rc, &err);
    if (rc)
        goto out;
    rc = load_configs(r, &err);
    if (rc) {
        if (rc != TCE_ECONFIG)
            tce_rt_print_error(&rt, &err);
        goto out;
    }
    /* Every rank derives the same layout: one message, from rank 0. */
    rc = make_layout(r, &err);
    if (rc && rt.rank == 0)
        tce_rt_print_error(&rt, &err);
    if (rc == 0 && rt.rank == 0 && r->lay.pp > 1)
        rc = tce_plan_build(&r->job, &r->lay, r->lay.pp - 1, last, &err);
    if (rc == 0 && rt.rank == 0)
        r->have_proj = tce_project(&r->topo, &r->job, &r->cm, rt.size,
                                   &r->proj, NULL) == 0;
    if (rc == 0 && (r->o.routing_skew > (double)(r->lay.ep - 1)) &&
        r->lay.ep > 1) {
        rc = tce_error_set(&err, TCE_EUSAGE,
                           "--routing-skew %g: at most ep - 1 = %" PRId64,
                           r->o.routing_skew, r->lay.ep - 1);
        if (rt.rank == 0)
            tce_rt_print_error(&rt, &err);
    }
    rc = tce_rt_agree(&rt, rc);
    if (rc)
        goto out;
    if (rt.rank == 0 && r->lay.pp <= 1)
        *last = r->plan;
    if (rt.rank == 0 && r->topo.node.accelerators > 0 &&
        rt.node_size != r->topo.node.accelerators)
        fprintf(stderr,
                "tcemu: warning: topology %s has %d accelerators per node "
                "but these ranks form nodes of %d (%s): modelled and "
                "emulated node boundaries differ\n",
                r->topo.name, r->topo.node.accelerators, rt.node_size,
                rt.ranks_per_node > 0 ? "--ranks-per-node" : "real hosts");
    rc = make_comms(r, &err);
    if (rc == 0)
        rc = size_buffers(r, &err);
    if (rc == 0) {
        r->iter_s = calloc((size_t)r->o.iterations, sizeof(double));
        res->iter_max_s = calloc((size_t)r->o.iterations, sizeof(double));
        if (!r->iter_s || !res->iter_max_s)
            rc = tce_error_set(&err, TCE_ENOMEM, "out of memory");
    }
    if (rc == 0)
        rc = tce_rt_alloc_host_map(&rt, &hosts, &nodes, &err);
    if (rc == 0)
        rc = tce_watchdog_start(&rt.wd, r->o.timeout_s, rt.rank, rt.host,
                                &err);
    rc = tce_rt_report_agree(&rt, rc, &err);
    if (rc)
        goto out;
    rc = tce_rt_gather_host_map(&rt, hosts, nodes, &err);
    if (rc == 0)
        model_classes(r);
    /* The exposed DP wait is compared with the projector's exposed DP time
     * (param gather and gradient reduce together: charged to the latter). */
    if (rc == 0 && r->have_proj)
        r->cls[CLS_WAIT_GRAD].modeled_s = r->proj.breakdown.dp_exposed_s;
    if (rc == 0 && rt.rank == 0) {
        print_header(r, out, argc, argv, hosts);
        fflush(out);
    }
    if (rc == 0) {
        rc = measure(r, &err);
        if (rc) {
            /* An MPI failure in the middle of the walk: the other ranks
             * may be blocked in an operation with this one and can no
             * longer agree, so end the job here. */
            tce_rt_print_error(&rt, &err);
            fflush(stdout);
            MPI_Abort(MPI_COMM_WORLD, tce_exit_status(rc));
        }
    }
    rc = tce_rt_report_agree(&rt, rc, &err);
    if (rc)
        goto out;
    if (reduce_results(r, res) != MPI_SUCCESS)
        rc = tce_error_set(&err, TCE_EMPI, "reducing results");
    if (rc == 0 && rt.rank == 0) {
        print_table(r, last, res, out);
        print_charges(r, last, res, out);
        print_summary(r, res, hosts, out);
        if (r->o.json_path)
            rc = write_json(r, last, res, argc, argv, hosts, nodes, &err);
    }
    rc = tce_rt_report_agree(&rt, rc, &err);
    /* Stopped before any measured iteration: what was written says so,
     * and the exit status too. */
    if (rc == 0 && r->stopped && r->measured == 0)
        rc = TCE_EINTERRUPTED;
out:
    if (mpi_up) {
        for (g = 0; g < TCE_GROUP_COUNT; g++)
            if (r->comm[g] != MPI_COMM_NULL)
                MPI_Comm_free(&r->comm[g]);
        tce_rt_finalize(&rt);
    }
out_free:
    if (r) {
        free(r->buf_a);
        free(r->buf_b);
        free(r->buf_nb);
        free(r->buf_ov);
        free(r->pend);
        free(r->sends);
        free(r->iter_s);
    }
    if (res)
        free(res->iter_max_s);
    free(hosts);
    free(nodes);
    free(r);
    free(res);
    free(last);
    return tce_exit_status(rc);
}
