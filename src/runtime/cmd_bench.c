/*
 * cmd_bench.c - tcemu bench: an nccl-tests style collective benchmark.
 *
 * A small harness over the collectives of coll.h (executed by exec.c): for each collective and each
 * size from -b to -e (times -f), warm up, time -n back-to-back operations
 * between two barriers, and report the mean time per operation of the
 * slowest rank (max over ranks), algbw = size / time and busbw = algbw x the
 * nccl-tests factor.  --check runs one more operation on seeded data and
 * counts wrong elements on every rank (exit 3 if any).  Groups: the world,
 * the ranks of one node (intra), one rank per node (inter), or the TP, CP,
 * DP, EP, EDP, PP groups of a layout given by --tp/--cp/--pp/--ep.
 */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcemu/coll.h"
#include "tcemu/cli.h"
#include "tcemu/runtime.h"
#include "tcemu/runtime_cmd.h"
#include "tcemu/util.h"

#include "bench.h"

int tce_cmd_bench(int argc, char **argv)
{
    struct bench *b = NULL;
    struct tce_error err;
    char *hosts = NULL;
    int *nodes = NULL;
    FILE *out = stdout;
    int rc, agreed, k, mpi_up = 0;
    int64_t bytes, total_wrong = 0;
    double busbw_sum = 0.0, next;

    tce_error_clear(&err);
    b = calloc(1, sizeof(*b));
    if (!b) {
        fprintf(stderr, "tcemu: error: out of memory\n");
        return TCE_EXIT_RUNTIME;
    }
    rc = tce_rt_begin(&b->rt, tce_bench_parse_args(argc, argv, &b->o, &err), &err,
                      tce_bench_usage, &argc, &argv);
    if (rc) {
        rc = rc == 1 ? 0 : rc; /* 1: --help */
        goto out_free;
    }
    mpi_up = 1;
    if (b->o.json_path && strcmp(b->o.json_path, "-") == 0)
        out = stderr;
    rc = tce_rt_nodes(&b->rt, (int)b->o.ranks_per_node, &err);
    if (rc == 0)
        rc = tce_rt_check_environment(&b->rt, 0, &err);
    if (rc == 0)
        rc = tce_watchdog_start(&b->rt.wd, b->o.timeout_s, b->rt.rank,
                                b->rt.host, &err);
    if (rc == 0)
        rc = tce_bench_make_group(b, &err);
    if (rc == 0) {
        size_t n = (size_t)(b->o.sw.max_bytes / (int64_t)sizeof(float)) + 1;

        b->send = calloc(n, sizeof(float));
        b->recv = calloc(n, sizeof(float));
        if (!b->send || !b->recv)
            rc = tce_error_set(&err, TCE_ENOMEM,
                               "cannot allocate 2 x %" PRId64 " bytes",
                               b->o.sw.max_bytes);
    }
    if (rc == 0)
        rc = tce_rt_alloc_host_map(&b->rt, &hosts, &nodes, &err);
    rc = tce_rt_report_agree(&b->rt, rc, &err);
    if (rc)
        goto out;
    rc = tce_rt_gather_host_map(&b->rt, hosts, nodes, &err);
    if (rc) {
        tce_rt_print_error(&b->rt, &err);
        goto out;
    }
    if (b->rt.rank == 0) {
        tce_rt_print_header(&b->rt, out, argc, argv, hosts);
        tce_bench_print_head(out, b);
    }
    for (k = 0; k < b->o.n_colls && rc == 0; k++) {
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
            if (b->n_rows >= MAX_COLLS * MAX_SIZES)
                break;
            rc = tce_bench_measure(b, d->kind, bytes, row, &err);
            if (rc) {
                /* The other ranks may be blocked in this operation: they
                 * can no longer agree, end the job. */
                tce_rt_print_error(&b->rt, &err);
                fflush(stdout);
                MPI_Abort(MPI_COMM_WORLD, tce_exit_status(rc));
            }
            b->n_rows++;
            busbw_sum += row->busbw;
            if (row->wrong > 0)
                total_wrong += row->wrong;
            if (b->rt.rank == 0)
                tce_bench_print_row(out, row);
        }
    }
    if (rc) {
        tce_rt_print_error(&b->rt, &err);
        goto out;
    }
    if (b->rt.rank == 0) {
        double avg = b->n_rows ? busbw_sum / b->n_rows : 0.0;

        fprintf(out, "# Out of bounds values : %" PRId64 " %s\n",
                total_wrong, total_wrong ? "FAILED" : "OK");
        fprintf(out, "# Avg bus bandwidth    : %.3f GB/s\n", avg);
        fprintf(out, "# data check: %s\n",
                !b->o.check ? "skipped (no --check)"
                            : (total_wrong ? "FAILED" : "OK"));
        if (total_wrong)
            fprintf(stderr,
                    "tcemu: error: data check failed: %" PRId64
                    " wrong element(s) summed over ranks\n",
                    total_wrong);
        if (b->o.json_path)
            rc = tce_bench_write_json(b, argc, argv, hosts, nodes, avg, total_wrong,
                            &err);
        if (rc)
            tce_rt_print_error(&b->rt, &err);
    }
    agreed = tce_rt_agree(&b->rt, rc);
    rc = agreed ? agreed : (total_wrong ? TCE_ECHECK : 0);
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
    free(b);
    return tce_exit_status(rc);
}
