/*
 * bench.h - the parts of `tcemu bench` (private to src/runtime/bench_*.c and
 * cmd_bench.c): options (bench_opts.c), the sweep and its measurements
 * (bench_sweep.c), the table and result files (bench_report.c).
 *
 * Per collective and size, like nccl-tests: out of place, then in place
 * (send/recv: out of place only, see benchdata.h); each place is warmed up,
 * timed over -n back-to-back operations between barriers, then checked -c
 * times on seeded data.  Each rank's mean per operation becomes the
 * reported time by -a (rank 0, average, minimum, maximum over ranks).
 * SIGUSR1 / SIGTERM end the sweep at the next size boundary (the ranks
 * agree there); what was measured is printed and written, marked
 * incomplete, and the exit status is TCE_EXIT_STOPPED.
 */
#ifndef TCEMU_RUNTIME_BENCH_H
#define TCEMU_RUNTIME_BENCH_H

#include <stdint.h>
#include <stdio.h>

#include "tcemu/benchdata.h"
#include "tcemu/coll.h"
#include "tcemu/runtime.h"

#define BENCH_MAX_COLLS 8
#define BENCH_MAX_SIZES 64

#define BENCH_JSON_SCHEMA "tcemu.bench/3"
#define BENCH_CSV_SCHEMA "tcemu.bench.csv/1"

struct bench_opts {
    enum tce_coll colls[BENCH_MAX_COLLS];
    int n_colls;
    struct tce_rt_sweep sw; /* -b -e -f -n -w */
    char group[16];
    int64_t ranks_per_node;
    int64_t tp, cp, pp, ep;
    int64_t check;          /* -c: checked operations per size and place */
    enum tce_benchdata_op op;
    enum tce_benchdata_avg avg;
    int64_t seed;
    double timeout_s;
    const char *json_path, *csv_path;
    int old_c, old_g;       /* the deprecated -c LIST, -g GROUP were used */
};

/* One place (out of place or in place) of one row. */
struct bench_place {
    int measured;           /* 0: not measured (in place of send/recv) */
    double time_s;          /* by -a, per operation */
    double algbw, busbw;    /* GB/s = 1e9 B/s */
    int64_t wrong;          /* summed over ranks; -1 not checked */
};

struct bench_row {
    enum tce_coll kind;
    int64_t bytes, count;
    int root;               /* -1: the kind has no root */
    int reduces;            /* redop applies */
    struct bench_place oop, ip;
};

struct bench {
    struct tce_rt rt;
    struct bench_opts o;
    MPI_Comm comm;          /* the group being measured */
    int g_rank, g_size, n_groups;
    struct bench_row rows[BENCH_MAX_COLLS * BENCH_MAX_SIZES];
    int n_rows;
    float *send, *recv;
    int stopped;            /* the signal that ended the sweep, or 0 */
    int64_t total_wrong;
    double busbw_sum;       /* over measured places, for the footer */
    int n_busbw;
};

void tce_bench_usage(FILE *out);
/* 1 = help printed, 0 = ok, <0 error. */
int tce_bench_parse_args(int argc, char **argv, struct bench_opts *o,
                         struct tce_error *err);

/* Catch SIGUSR1 and SIGTERM (before MPI starts). */
void tce_bench_catch_signals(void);
/* Build the communicator of the requested group. */
int tce_bench_make_group(struct bench *b, struct tce_error *err);
/* Every collective and size; rank 0 prints each row as it comes.  Stops
 * at a size boundary when a rank was signalled (b->stopped).  An MPI
 * failure inside an operation ends the job (MPI_Abort). */
int tce_bench_sweep(struct bench *b, FILE *out, struct tce_error *err);

void tce_bench_print_head(FILE *out, const struct bench *b);
void tce_bench_print_row(FILE *out, const struct bench *b,
                         const struct bench_row *r);
void tce_bench_print_foot(FILE *out, const struct bench *b);
/* Rank 0: --json and --csv files, when asked for. */
int tce_bench_write_files(const struct bench *b, int argc, char **argv,
                          const char *hosts, const int *nodes,
                          struct tce_error *err);

#endif
