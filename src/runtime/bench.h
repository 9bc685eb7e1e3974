/*
 * bench.h - the parts of `tcemu bench` (private to src/runtime/bench_*.c and
 * cmd_bench.c): options (bench_opts.c), the sweep and its measurements
 * (bench_sweep.c), the table and result files (bench_report.c).
 */
#ifndef TCEMU_RUNTIME_BENCH_H
#define TCEMU_RUNTIME_BENCH_H

#include <stdint.h>
#include <stdio.h>

#include "tcemu/coll.h"
#include "tcemu/runtime.h"

#define MAX_COLLS 8
#define MAX_SIZES 64

struct bench_opts {
    enum tce_coll colls[MAX_COLLS];
    int n_colls;
    struct tce_rt_sweep sw; /* -b -e -f -n -w */
    char group[16];
    int64_t ranks_per_node;
    int64_t tp, cp, pp, ep;
    int check;
    int64_t seed;
    double timeout_s;
    const char *json_path;
};

struct bench_row {
    enum tce_coll kind;
    int64_t bytes, count;
    double time_s;          /* max over ranks of the mean per operation */
    double algbw, busbw;
    int64_t wrong;          /* -1 not checked */
};

struct bench {
    struct tce_rt rt;
    struct bench_opts o;
    MPI_Comm comm;          /* the group being measured */
    int g_rank, g_size, n_groups;
    struct bench_row rows[MAX_COLLS * MAX_SIZES];
    int n_rows;
    float *send, *recv;
};

void tce_bench_usage(FILE *out);
/* 1 = help printed, 0 = ok, <0 error. */
int tce_bench_parse_args(int argc, char **argv, struct bench_opts *o,
                         struct tce_error *err);
/* Build the communicator of the requested group. */
int tce_bench_make_group(struct bench *b, struct tce_error *err);
/* Time one size of one collective; fills row (every rank). */
int tce_bench_measure(struct bench *b, enum tce_coll kind, int64_t bytes,
                      struct bench_row *row, struct tce_error *err);
void tce_bench_print_head(FILE *out, const struct bench *b);
void tce_bench_print_row(FILE *out, const struct bench_row *r);
int tce_bench_write_json(const struct bench *b, int argc, char **argv,
                         const char *hosts, const int *nodes,
                         double avg_busbw, int64_t total_wrong,
                         struct tce_error *err);

#endif
