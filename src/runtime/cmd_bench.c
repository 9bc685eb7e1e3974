/*
 * cmd_bench.c - tcemu bench: an nccl-tests style collective benchmark.
 *
 * A small harness over the collectives of coll.h (executed by exec.c): the
 * options (bench_opts.c), then on every rank: nodes, environment,
 * watchdog, the group (world, the ranks of one node, one rank per node, or
 * the TP, CP, DP, EP, EDP, PP groups of --tp/--cp/--pp/--ep), the result
 * paths checked before any measurement, the sweep (bench_sweep.c), the
 * footer and files (bench_report.c).  Exit: 0, 3 when a check found a wrong
 * element, TCE_EXIT_STOPPED when a signal ended the sweep early (partial
 * results written), else the error's status.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcemu/output.h"
#include "tcemu/runtime.h"
#include "tcemu/runtime_cmd.h"

#include "bench.h"

/* Rank 0: the result paths, before the sweep (a bad path fails now, not
 * after the measurements). */
static int check_paths(const struct bench *b, struct tce_error *err)
{
    const char *paths[] = {b->o.json_path, b->o.csv_path};

    if (b->rt.rank != 0)
        return 0;
    return tce_output_check_all(paths, 2, err);
}

static int alloc_buffers(struct bench *b, struct tce_error *err)
{
    size_t n = (size_t)(b->o.sw.max_bytes / (int64_t)sizeof(float)) + 1;

    b->send = calloc(n, sizeof(float));
    b->recv = calloc(n, sizeof(float));
    if (!b->send || !b->recv)
        return tce_error_set(err, TCE_ENOMEM,
                             "cannot allocate 2 x %" PRId64 " bytes",
                             b->o.sw.max_bytes);
    return 0;
}

/* Everything before the sweep; agreed over the ranks. */
static int set_up(struct bench *b, char **hosts, int **nodes,
                  struct tce_error *err)
{
    int rc = tce_rt_nodes(&b->rt, (int)b->o.ranks_per_node, err);

    if (rc == 0)
        rc = tce_rt_check_environment(&b->rt, 0, err);
    if (rc == 0)
        rc = tce_watchdog_start(&b->rt.wd, b->o.timeout_s, b->rt.rank,
                                b->rt.host, err);
    if (rc == 0)
        rc = tce_bench_make_group(b, err);
    if (rc == 0)
        rc = check_paths(b, err);
    if (rc == 0)
        rc = alloc_buffers(b, err);
    if (rc == 0)
        rc = tce_rt_alloc_host_map(&b->rt, hosts, nodes, err);
    rc = tce_rt_report_agree(&b->rt, rc, err);
    if (rc == 0) {
        rc = tce_rt_gather_host_map(&b->rt, *hosts, *nodes, err);
        if (rc)
            tce_rt_print_error(&b->rt, err);
    }
    return rc;
}

static void warn_old_letters(const struct bench *b)
{
    if (b->rt.rank != 0)
        return;
    if (b->o.old_c)
        fprintf(stderr, "tcemu: warning: bench -c LIST is deprecated: -c is "
                        "nccl-tests' check count; use --collectives LIST\n");
    if (b->o.old_g)
        fprintf(stderr, "tcemu: warning: bench -g GROUP is deprecated: -g is "
                        "nccl-tests' GPUs per thread; use --group GROUP\n");
}

int tce_cmd_bench(int argc, char **argv)
{
    struct bench *b = NULL;
    struct tce_error err;
    char *hosts = NULL;
    int *nodes = NULL;
    FILE *out = stdout;
    int rc, mpi_up = 0;

    tce_error_clear(&err);
    b = calloc(1, sizeof(*b));
    if (!b) {
        fprintf(stderr, "tcemu: error: out of memory\n");
        return TCE_EXIT_RUNTIME;
    }
    b->comm = MPI_COMM_NULL;
    /* From here on SIGUSR1 / SIGTERM ask for a clean stop at a size
     * boundary instead of killing the rank. */
    tce_bench_catch_signals();
    rc = tce_rt_begin(&b->rt, tce_bench_parse_args(argc, argv, &b->o, &err),
                      &err, tce_bench_usage, &argc, &argv);
    if (rc) {
        rc = rc == 1 ? 0 : rc; /* 1: --help */
        goto out_free;
    }
    mpi_up = 1;
    if ((b->o.json_path && strcmp(b->o.json_path, "-") == 0) ||
        (b->o.csv_path && strcmp(b->o.csv_path, "-") == 0))
        out = stderr;
    warn_old_letters(b);
    rc = set_up(b, &hosts, &nodes, &err);
    if (rc)
        goto out;
    if (b->rt.rank == 0) {
        tce_rt_print_header(&b->rt, out, argc, argv, hosts);
        tce_bench_print_head(out, b);
    }
    rc = tce_bench_sweep(b, out, &err);
    if (rc) {
        tce_rt_print_error(&b->rt, &err);
        goto out;
    }
    if (b->rt.rank == 0) {
        tce_bench_print_foot(out, b);
        if (b->total_wrong)
            fprintf(stderr,
                    "tcemu: error: data check failed: %" PRId64
                    " wrong element(s) summed over ranks\n",
                    b->total_wrong);
        if (b->stopped)
            fprintf(stderr,
                    "tcemu: bench stopped by signal %d: %d row(s) measured "
                    "and written, marked incomplete (exit %d)\n",
                    b->stopped, b->n_rows, TCE_EXIT_STOPPED);
        rc = tce_bench_write_files(b, argc, argv, hosts, nodes, &err);
        if (rc)
            tce_rt_print_error(&b->rt, &err);
    }
    rc = tce_rt_agree(&b->rt, rc);
    if (rc == 0 && b->total_wrong)
        rc = TCE_ECHECK;
out:
    free(hosts);
    free(nodes);
    free(b->send);
    free(b->recv);
    if (b->comm != MPI_COMM_NULL && mpi_up)
        MPI_Comm_free(&b->comm);
    if (mpi_up)
        tce_rt_finalize(&b->rt);
out_free:
    /* every rank agreed on rc and on b->stopped */
    rc = rc == 0 && b->stopped ? TCE_EXIT_STOPPED : tce_exit_status(rc);
    free(b);
    return rc;
}
