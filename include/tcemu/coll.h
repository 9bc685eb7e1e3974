/*
 * coll.h - the collective vocabulary: one enum of collective kinds and one
 * descriptor table (nccl-tests' testColl), used by the plan, the cost model,
 * the projector and the three MPI commands (run, bench, calibrate).  Pure; no
 * MPI (the MPI calls of each kind are in src/runtime/exec.c).
 *
 * Per kind the descriptor holds
 *   name, short_name  the plan's and run's name ("all_reduce") and the
 *                     nccl-tests name bench and calibrate parse and print
 *                     ("allreduce")
 *   busbw_factor      bus bandwidth = algbw x factor(n): all-reduce
 *                     2(n-1)/n; all-gather, reduce-scatter, all-to-all
 *                     (n-1)/n; send/recv, broadcast 1 (0 when n < 1)
 *   splits            1 when nccl-tests' count is divided among the ranks
 *                     (all-gather, reduce-scatter, all-to-all): a size
 *                     needs at least one element per rank
 *   counts            send and receive elements per rank for a count
 *   expected          the data check: the value an exact MPI leaves in
 *                     element i of rank's receive buffer when every rank's
 *                     send buffer holds tce_coll_value(seed, rank, .)
 *   calib_key         the calibration-file key of its efficiency
 *                     ("allreduce_efficiency"), NULL when it has none
 *
 * Sizes follow nccl-tests: "bytes" is the whole buffer (all-reduce: the
 * vector; all-gather: the gathered OUTPUT; reduce-scatter: the INPUT;
 * all-to-all: one rank's send buffer; send/recv: the message; broadcast: the
 * buffer); count = bytes / sizeof(float).  Data layouts (c = count / n):
 *   allreduce      send count, recv count;   out[i] = sum_r v(r, i)
 *   allgather      send c, recv n*c;         out[r*c + i] = v(r, i)
 *   reducescatter  send n*c, recv c;         out[i] = sum_r v(r, rank*c + i)
 *   alltoall       send n*c, recv n*c;       out[j*c + i] = v(j, rank*c + i)
 *   sendrecv       ring, from rank-1;        out[i] = v(rank-1, i)
 *   broadcast      from rank 0;              out[i] = v(0, i) (root: not
 *                                            checked, it sends)
 * Values are small integers (0..16) so sums over ranks are exact in float
 * and the check can demand equality.  GB/s are 1e9 bytes per second.
 *
 * Adding a kind: an enum value before TCE_COLL_COUNT, its row in coll.c,
 * its MPI call in src/runtime/exec.c and its time in costmodel.c (flat()).
 */
#ifndef TCEMU_COLL_H
#define TCEMU_COLL_H

#include <stddef.h>
#include <stdint.h>

#include "tcemu/error.h"

enum tce_coll {
    TCE_COLL_ALL_REDUCE,
    TCE_COLL_ALL_GATHER,
    TCE_COLL_REDUCE_SCATTER,
    TCE_COLL_ALL_TO_ALL,
    TCE_COLL_SENDRECV,  /* point-to-point (bench: a ring) */
    TCE_COLL_BROADCAST, /* bench only: not in plans, no efficiency */
    TCE_COLL_COUNT
};

struct tce_calibration_link;

struct tce_coll_desc {
    enum tce_coll kind;
    const char *name;       /* "all_reduce" (plans, run) */
    const char *short_name; /* "allreduce" (bench, calibrate, -c) */
    double (*busbw_factor)(int nranks);
    int splits;
    void (*counts)(size_t count, int n, size_t *send, size_t *recv);
    /* 1 and *value when element i is checked, 0 when it is not. */
    int (*expected)(uint32_t seed, int rank, int n, size_t recv_count, size_t i,
                    float *value);
    const char *calib_key; /* NULL: no efficiency in calibration files */
    size_t calib_offset;   /* of the efficiency in tce_calibration_link */
};

/* The descriptor of kind; NULL out of range. */
const struct tce_coll_desc *tce_coll_desc(enum tce_coll kind);

/* "all_reduce", ...; "unknown" out of range. */
const char *tce_coll_name(enum tce_coll kind);
/* "allreduce", ...; "unknown" out of range. */
const char *tce_coll_short_name(enum tce_coll kind);

/* Parse a short name (exact, lower case). 0 or TCE_EUSAGE naming the
 * known ones. */
int tce_coll_parse(const char *name, enum tce_coll *out, struct tce_error *err);

/* The nccl-tests bus-bandwidth factor for n ranks (0 out of range). */
double tce_coll_busbw_factor(enum tce_coll kind, int nranks);
/* bytes / time in 1e9 B/s; 0 when time_s <= 0. */
double tce_coll_algbw_gbytes_per_s(double bytes, double time_s);
/* algbw x factor. */
double tce_coll_busbw_gbytes_per_s(enum tce_coll kind, int nranks, double bytes,
                                   double time_s);

/* Whole elements of one operation of bytes on n ranks: bytes / 4, for
 * the kinds that split the buffer rounded down to a multiple of n. */
size_t tce_coll_op_count(enum tce_coll kind, int64_t bytes, int n);

/* Send and receive element counts per rank of one operation of nccl-tests
 * count (whole elements per rank for the kinds that split). */
void tce_coll_counts(enum tce_coll kind, size_t count, int n, size_t *send,
                     size_t *recv);

/* The seeded value of element i of rank's send data. */
float tce_coll_value(uint32_t seed, int rank, size_t i);
/* Fill rank's send buffer (send_count elements). */
void tce_coll_init(float *send, size_t send_count, int rank, uint32_t seed);
/* Wrong elements of rank's receive buffer after the operation (all of
 * them out of range). */
int64_t tce_coll_wrong(enum tce_coll kind, const float *recv, size_t recv_count,
                       int rank, int n, uint32_t seed);

/* The efficiency of kind in a calibration link entry (0 when the kind has
 * none), and setting it (ignored when it has none). */
double tce_coll_calib_efficiency(enum tce_coll kind,
                                 const struct tce_calibration_link *l);
void tce_coll_calib_set_efficiency(enum tce_coll kind,
                                   struct tce_calibration_link *l, double e);

#endif
