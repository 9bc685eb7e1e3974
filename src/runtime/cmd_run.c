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
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "tcemu/cli.h"
#include "tcemu/moecap.h"
#include "tcemu/output.h"
#include "tcemu/runtime_cmd.h"
#include "tcemu/util.h"

#include "run.h"

/* The one mutable static: a signal handler can only reach a flag.  SIGUSR1
 * (Slurm's --signal=B:USR1@T, forwarded by the batch script) or SIGTERM
 * asks the run to finish the current iteration and write what it has,
 * marked incomplete. */
static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int sig)
{
    stop_signal = sig;
}

/* ------------------------------------------------------------------------ */

/* Every result file the options name, before any long work. */
static int check_outputs(const struct run_opts *o, struct tce_error *err)
{
    const char *paths[] = {o->json_path, o->csv_path, o->trace_path};

    return tce_output_check_all(paths, 3, err);
}

static int measure(struct run *r, struct tce_error *err)
{
    struct walk_err we;
    int64_t it;
    double t0;
    int mrc = MPI_SUCCESS;
    /* Progress on a terminal (or with --progress): logs and pipes get the
     * table alone.  Under mpirun a rank's stderr is a pipe. */
    int progress =
        r->rt->rank == 0 && (r->o.progress || isatty(STDERR_FILENO));

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
        if (r->measuring) { /* --trace keeps the last measured iteration */
            r->n_ev = 0;
            r->iter_t0_s = t0;
        }
        mrc = tce_run_iteration(r, &we);
        if (r->measuring && mrc == MPI_SUCCESS) {
            r->iter_s[it - r->o.warmup] = tce_now_s() - t0;
            r->measured = it - r->o.warmup + 1;
        }
        if (progress && mrc == MPI_SUCCESS)
            fprintf(stderr,
                    "tcemu: %s iteration %" PRId64 "/%" PRId64
                    ": %.6f s (rank 0, measured)\n",
                    r->measuring ? "measured" : "warm-up",
                    r->measuring ? it - r->o.warmup + 1 : it + 1,
                    r->measuring ? r->o.iterations : r->o.warmup,
                    tce_now_s() - t0);
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
    rc = tce_rt_begin(&rt, tce_run_parse_args(argc, argv, &r->o, &err), &err,
                      tce_run_usage, &argc, &argv);
    if (rc) {
        rc = rc == 1 ? 0 : rc; /* 1: --help */
        goto out_free;
    }
    mpi_up = 1;
    r->rt = &rt;
    for (g = 0; g < TCE_GROUP_COUNT; g++)
        r->comm[g] = MPI_COMM_NULL;
    r->max_count = tce_rt_test_max_count();
    if (r->o.json_path && strcmp(r->o.json_path, "-") == 0)
        out = stderr;
    /* Result paths are checked before the emulation, on rank 0 (which
     * writes them): an error names the user's path. */
    if (rt.rank == 0)
        rc = check_outputs(&r->o, &err);
    rc = tce_rt_report_agree(&rt, rc, &err);
    if (rc)
        goto out;
    /* Every rank is past MPI_Init, so past its stop-signal handler. */
    rc = tce_rt_report_agree(
        &rt, tce_rt_ready(&rt, r->o.common.ready_file, &err), &err);
    if (rc)
        goto out;
    rc = tce_rt_nodes(&rt, (int)r->o.common.ranks_per_node, &err);
    if (rc == 0)
        rc = tce_rt_check_environment(&rt, 0, &err);
    if (rc == 0)
        rc = tce_rt_cores_shared(&rt, &r->sleep_wait, &err);
    rc = tce_rt_report_agree(&rt, rc, &err);
    if (rc)
        goto out;
    rc = tce_run_load_configs(r, &err);
    if (rc) {
        if (rc != TCE_ECONFIG)
            tce_rt_print_error(&rt, &err);
        goto out;
    }
    r->a2a_skew =
        tce_moecap_alltoall_skew(&r->sc.job.training, r->o.routing_skew);
    /* Every rank derives the same layout: one message, from rank 0. */
    rc = tce_run_make_layout(r, &err);
    if (rc && rt.rank == 0)
        tce_rt_print_error(&rt, &err);
    if (rc == 0 && rt.rank == 0 && r->sc.layout.pp > 1)
        rc = tce_plan_build(&r->sc.job, &r->sc.layout, r->sc.layout.pp - 1, last, &err);
    if (rc == 0 && rt.rank == 0)
        r->have_proj = tce_project(&r->sc.topo, &r->sc.job, &r->sc.cm, rt.size, &r->proj,
                                   NULL) == 0;
    if (rc == 0 && (r->o.routing_skew > (double)(r->sc.layout.ep - 1)) &&
        r->sc.layout.ep > 1) {
        rc = tce_error_set(&err, TCE_EUSAGE,
                           "--routing-skew %g: at most ep - 1 = %" PRId64,
                           r->o.routing_skew, r->sc.layout.ep - 1);
        if (rt.rank == 0)
            tce_rt_print_error(&rt, &err);
    }
    rc = tce_rt_agree(&rt, rc);
    if (rc)
        goto out;
    if (rt.rank == 0 && r->sc.layout.pp <= 1)
        *last = r->plan;
    if (rt.rank == 0 && r->sc.topo.node.accelerators > 0 &&
        rt.node_size != r->sc.topo.node.accelerators)
        fprintf(stderr,
                "tcemu: warning: topology %s has %d accelerators per node "
                "but these ranks form nodes of %d (%s): modelled and "
                "emulated node boundaries differ\n",
                r->sc.topo.name, r->sc.topo.node.accelerators, rt.node_size,
                rt.ranks_per_node > 0 ? "--ranks-per-node" : "real hosts");
    rc = tce_run_make_comms(r, &err);
    if (rc == 0)
        rc = tce_run_size_buffers(r, &err);
    if (rc == 0) {
        r->iter_s = calloc((size_t)r->o.iterations, sizeof(double));
        res->iter_max_s = calloc((size_t)r->o.iterations, sizeof(double));
        if (!r->iter_s || !res->iter_max_s)
            rc = tce_error_set(&err, TCE_ENOMEM, "out of memory");
    }
    if (rc == 0)
        rc = tce_rt_alloc_host_map(&rt, &hosts, &nodes, &err);
    if (rc == 0)
        rc = tce_watchdog_start(&rt.wd, r->o.common.timeout_s, rt.rank, rt.host, &err);
    rc = tce_rt_report_agree(&rt, rc, &err);
    if (rc)
        goto out;
    rc = tce_rt_gather_host_map(&rt, hosts, nodes, &err);
    if (rc == 0)
        tce_run_model_classes(r);
    /* The exposed DP wait is compared with the projector's exposed DP time
     * (param gather and gradient reduce together: charged to the latter). */
    if (rc == 0 && r->have_proj)
        r->cls[CLS_WAIT_GRAD].modeled_s = r->proj.breakdown.dp_exposed_s;
    if (rc == 0 && rt.rank == 0) {
        tce_run_print_header(r, out, argc, argv, hosts);
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
    if (tce_run_reduce_results(r, res) != MPI_SUCCESS)
        rc = tce_error_set(&err, TCE_EMPI, "reducing results");
    if (rc == 0 && rt.rank == 0) {
        tce_run_print_table(r, last, res, out);
        tce_run_print_charges(r, last, res, out);
        tce_run_print_summary(r, res, hosts, out);
        if (r->o.json_path)
            rc = tce_run_write_json(r, last, res, argc, argv, hosts, nodes,
                                    &err);
        if (rc == 0 && r->o.csv_path)
            rc = tce_run_write_csv(r, last, res, &err);
    }
    /* The trace gathers every rank's events: all ranks take part. */
    if (r->o.trace_path) {
        struct tce_error terr;
        int trc;

        tce_error_clear(&terr);
        trc = tce_run_write_trace(r, last, res, hosts, &terr);
        if (trc && rc == 0) {
            rc = trc;
            err = terr;
        }
    }
    rc = tce_rt_report_agree(&rt, rc, &err);
    /* Stopped by a signal: what was written says so ("complete": false),
     * and the exit status too (5, TCE_EXIT_STOPPED). */
    if (rc == 0 && r->stopped) {
        if (rt.rank == 0)
            fprintf(stderr,
                    "tcemu: stopped by signal %d after %" PRId64 " of %" PRId64
                    " measured iterations; partial results written, marked "
                    "incomplete (exit %d)\n",
                    r->stopped, r->measured, r->o.iterations,
                    TCE_EXIT_STOPPED);
        rc = TCE_EINTERRUPTED;
    }
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
        free(r->buf_pp);
        free(r->pp_v);
        free(r->pend);
        free(r->sends);
        free(r->iter_s);
        free(r->ev);
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
