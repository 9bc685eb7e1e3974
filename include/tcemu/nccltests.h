/*
 * nccltests.h - the output of NVIDIA's nccl-tests as calibration input.
 *
 * GPU clusters run their collectives in NCCL over NVLink/NVSwitch and
 * GPUDirect RDMA, which MPI ranks on host memory do not exercise; their
 * users already run nccl-tests.  This module reads what its binaries print
 * (all_reduce_perf, all_gather_perf, reduce_scatter_perf, alltoall_perf,
 * sendrecv_perf, broadcast_perf, with or without the _mpi name suffix;
 * one process with -g/-t, or one per GPU under mpirun/srun, one node or
 * several) into a plain struct: which collective, how many ranks on how
 * many nodes, and one row per size with the out-of-place and in-place time,
 * algbw, busbw and check.  Pure: text in, struct out; no MPI, no files
 * except in tce_nccltests_load.
 *
 * What is read (everything else, such as NCCL INFO/WARN lines, MPI
 * warnings, command lines and markdown around a pasted run, is skipped):
 *   # nccl-tests version 2.18.3 ...          (version; also rccl-tests)
 *   # Collective test starting: all_reduce_perf
 *   # nThread 1 nGpus 8 minBytes ... warmup iters: 5 iters: 20 ...
 *   #  Rank  0 Group  0 Pid 1234 on HOST device  0 [0x18] NVIDIA H100 ...
 *                       (older versions print no "Group")
 *   #  size  count  type  redop  root  time  algbw  busbw  #wrong  time ...
 *                       (the column header; older versions have no
 *                       "root" and "error" for "#wrong"; "cputime" with
 *                       -C; i_min .. i_cv% columns with -I; "timestamp"
 *                       with -S)
 *   8589934592  2147483648  float  sum  -1  47535  180.71  338.82  0 ...
 *                       (rows: only after the column header; the redop
 *                       column may be blank (old all-to-all); "N/A" for a
 *                       check that was not made)
 *   # Out of bounds values : 0 OK
 *   # Avg bus bandwidth    : 70.742
 * Open MPI's --tag-output prefixes ("[1,0]<stdout>:"; "<stderr>" lines are
 * skipped) and srun --label prefixes ("0: ") are removed first.
 *
 * The collective: from "# Collective test starting:", else from the first
 * *_perf binary named in the text (a pasted command line), else from the
 * file's base name (all_reduce_perf-h100.txt).  The ranks: the "# Rank"
 * lines; without them, for the kinds that split the buffer (all-gather,
 * reduce-scatter, all-to-all), size / (count x type size) of the first row
 * with a count; else 0 (unknown).  With NCCL_TESTS_SPLIT the ranks form
 * several groups that run the collective side by side: group_ranks is the
 * size of group 0, the collective's own rank count, and group_nodes the
 * hosts it spans (NCCL_TESTS_SPLIT="DIV 8" on two 8-GPU nodes: two
 * one-node groups of 8).
 *
 * Errors (TCE_EPARSE, with the file and line): no column header, a row with
 * a missing or non-numeric column, a negative time, a second run in one
 * file (a second "# nThread" header, which is also what a nccl-tests built
 * without MPI=1 prints when mpirun starts it: every process runs alone as
 * rank 0), a rank listed twice, no rows, a collective that cannot be told
 * or is not one tcemu calibrates (reduce, gather, scatter, hypercube,
 * alltoallv), and a size/count that contradicts the rank lines.
 */
#ifndef TCEMU_NCCLTESTS_H
#define TCEMU_NCCLTESTS_H

#include <stddef.h>
#include <stdint.h>

#include "tcemu/coll.h"
#include "tcemu/error.h"

#define TCE_NCCLTESTS_NAME_MAX 64
#define TCE_NCCLTESTS_HOST_MAX 128
#define TCE_NCCLTESTS_PATH_MAX 1024

/* One placement (out-of-place or in-place) of one row. */
struct tce_nccltests_meas {
    double time_us;            /* time (or cputime with -C) */
    double algbw_gbytes_per_s; /* as printed (1e9 B/s) */
    double busbw_gbytes_per_s;
    double wrong; /* #wrong elements, or the max error of old versions'
                     "error" column; -1 when "N/A" (not checked) */
};

struct tce_nccltests_row {
    int64_t bytes; /* size (B): nccl-tests' whole buffer */
    int64_t count; /* elements, as printed */
    char type[16]; /* "float", "bfloat16", ... */
    char redop[16]; /* "sum", "none", "" when blank */
    int root;       /* -1 when none or not printed */
    struct tce_nccltests_meas out_of_place;
    struct tce_nccltests_meas in_place;
    int line; /* in the input */
};

struct tce_nccltests_rank {
    int rank, group, device;
    char host[TCE_NCCLTESTS_HOST_MAX];
    int line;
};

struct tce_nccltests_run {
    char path[TCE_NCCLTESTS_PATH_MAX];
    enum tce_coll kind;
    char test[TCE_NCCLTESTS_NAME_MAX];     /* "all_reduce_perf" */
    const char *kind_from;                 /* "header", "command line",
                                              "file name" (static) */
    char version[TCE_NCCLTESTS_NAME_MAX];  /* "2.18.3", "" when not printed */
    char device[TCE_NCCLTESTS_NAME_MAX * 2]; /* rank 0's device name, "" */
    int nthreads, ngpus;                   /* -t, -g; 0 when not printed */
    int iters, warmup_iters;               /* -n, -w; 0 when not printed */
    int wrong_is_error; /* old versions: "error" (max error), not #wrong */
    int ranks;          /* ranks listed (or derived, see above); 0 unknown */
    int ranks_derived;  /* 1 when ranks came from size / count */
    int groups;         /* NCCL_TESTS_SPLIT groups (1 normally) */
    int group_ranks;    /* ranks of group 0: the collective's size */
    int nodes;          /* distinct hosts of the rank lines; 0 unknown */
    int group_nodes;    /* distinct hosts of group 0's ranks: the nodes
                           one collective spans; 0 unknown */
    int ranks_per_node; /* most ranks on one host; 0 unknown */
    int nodes_uniform;  /* 1 when every host has ranks_per_node ranks */
    double avg_busbw_gbytes_per_s; /* footer; -1 when absent */
    int64_t out_of_bounds;         /* footer; -1 when absent */
    int n_rows;
    struct tce_nccltests_row *rows;   /* n_rows, in input order */
    int n_rank_lines;
    struct tce_nccltests_rank *rank_lines; /* as listed */
};

/*
 * Parse len bytes of text (need not be NUL-terminated) read from path (for
 * messages and the name fallback; may be NULL).  0, or TCE_EPARSE (input) /
 * TCE_ENOMEM with err set; on error *out holds nothing to release.
 */
int tce_nccltests_parse(const char *text, size_t len, const char *path,
                        struct tce_nccltests_run *out, struct tce_error *err);

/* Read path (a regular file, at most 256 KiB, tce_input_read) and parse
 * it.  TCE_EIO when it cannot be read. */
int tce_nccltests_load(const char *path, struct tce_nccltests_run *out,
                       struct tce_error *err);

/* Free what parse allocated; safe on a zeroed struct. */
void tce_nccltests_release(struct tce_nccltests_run *run);

/* Bytes of one element of an nccl-tests type name ("float" 4, "bfloat16"
 * 2, "f8e4m3" 1, ...); 0 for a name it does not know. */
int tce_nccltests_type_bytes(const char *type);

/*
 * The (bytes, seconds) points of a run for a fit: rows with bytes > 0 and
 * a positive time, in_place 0 or 1, at most max of them; returns how many.
 */
int tce_nccltests_points(const struct tce_nccltests_run *run, int in_place,
                         double *bytes, double *time_s, int max);

#endif
