/*
 * benchdata.h - the nccl-tests vocabulary of `tcemu bench` and its
 * op-aware data check.  Pure; no MPI (the MPI calls are in
 * src/runtime/bench_*.c and exec.c).
 *
 * nccl-tests (github.com/NVIDIA/nccl-tests, README "Arguments" and
 * src/common.cu) is the reference its users type from memory:
 *  - sizes: K, M, G (either case) are powers of 1024 (`-e 256M` is
 *    268435456 bytes), as nccl-tests' parsesize(); tcemu also takes Ki,
 *    Mi, Gi, Ti (and KiB, ...) with the same meaning, and T = 1024^4;
 *  - -o, --op: sum, prod, min, max (nccl-tests' avg and mulsum are NCCL
 *    operations with no MPI equivalent: refused with that reason);
 *  - -d, --datatype: float only (MPI_FLOAT); the other nccl-tests names are
 *    known and refused with that reason;
 *  - -a, --average: 0 rank 0's time, 1 the average over ranks (nccl-tests'
 *    default), 2 the minimum, 3 the maximum.
 *
 * The data check: every rank's input element i is a small value of
 * (seed, rank, i) (coll.h's tce_coll_value, 0..16).  For prod the value
 * becomes 2^(v mod 3 - 1), one of 0.5, 1, 2, so a product over any number
 * of ranks is exact in float; sums of 0..16 stay exact below 2^24 / 16
 * ranks; min and max are always exact.  So the check demands equality.
 * The op matters only for the kinds that reduce (all-reduce,
 * reduce-scatter); the others move data and ignore it.
 *
 * In place (nccl-tests' in-place column, sendbuff == recvbuff): the input
 * sits in the receive buffer where MPI_IN_PLACE expects it:
 *   allreduce      recv[i] = v(rank, i)                (count)
 *   allgather      recv[rank*c + i] = v(rank, i)       (c = count / n)
 *   reducescatter  recv[j] = v(rank, j)                (n*c; result in c)
 *   alltoall       recv[j] = v(rank, j)                (n*c)
 *   broadcast      root: recv[i] = v(0, i)             (count)
 *   sendrecv       none: MPI_Sendrecv needs distinct buffers (MPI 3.1
 *                  section 3.10), so bench measures it out of place only
 */
#ifndef TCEMU_BENCHDATA_H
#define TCEMU_BENCHDATA_H

#include <stddef.h>
#include <stdint.h>

#include "tcemu/coll.h"
#include "tcemu/error.h"

enum tce_benchdata_op {
    TCE_BENCHDATA_SUM,
    TCE_BENCHDATA_PROD,
    TCE_BENCHDATA_MIN,
    TCE_BENCHDATA_MAX,
    TCE_BENCHDATA_OP_COUNT
};

/* How the per-rank times become the reported time (nccl-tests' -a). */
enum tce_benchdata_avg {
    TCE_BENCHDATA_AVG_RANK0 = 0,
    TCE_BENCHDATA_AVG_MEAN = 1,
    TCE_BENCHDATA_AVG_MIN = 2,
    TCE_BENCHDATA_AVG_MAX = 3,
};

/* "sum", "prod", "min", "max"; "?" out of range. */
const char *tce_benchdata_op_name(enum tce_benchdata_op op);
/* Parse an -o value; TCE_EUSAGE names the known ones (and says why avg,
 * mulsum and all are refused). */
int tce_benchdata_op_parse(const char *s, enum tce_benchdata_op *out,
                           struct tce_error *err);

/* Accept a -d value: 0 for "float"; TCE_EUSAGE otherwise (nccl-tests'
 * other type names are named as not supported, with the reason). */
int tce_benchdata_type_parse(const char *s, struct tce_error *err);

/* Parse an -a value (0..3); TCE_EUSAGE otherwise. */
int tce_benchdata_avg_parse(const char *s, enum tce_benchdata_avg *out,
                            struct tce_error *err);
/* "rank 0's mean", "mean over ranks", ...; "?" out of range. */
const char *tce_benchdata_avg_name(enum tce_benchdata_avg mode);
/* "rank0", "avg", "min", "max" (JSON and CSV). */
const char *tce_benchdata_avg_key(enum tce_benchdata_avg mode);

/* 1 when kind reduces (all-reduce, reduce-scatter): -o applies. */
int tce_benchdata_reduces(enum tce_coll kind);
/* 1 when bench measures kind in place (all but send/recv). */
int tce_benchdata_has_in_place(enum tce_coll kind);

/* The input value of element i of rank for kind and op. */
float tce_benchdata_value(enum tce_coll kind, enum tce_benchdata_op op,
                          uint32_t seed, int rank, size_t i);

/* Fill the input of one checked operation.  Out of place: send (its
 * send_count elements); in place: recv in the layout above (recv_count
 * elements; what the operation does not read is set to -1). */
void tce_benchdata_init(enum tce_coll kind, enum tce_benchdata_op op,
                        int in_place, float *send, size_t send_count,
                        float *recv, size_t recv_count, int rank, int n,
                        uint32_t seed);

/* Elements of rank's result (recv_count: the kind's receive count) that
 * differ from what an exact MPI leaves there. */
int64_t tce_benchdata_wrong(enum tce_coll kind, enum tce_benchdata_op op,
                            const float *recv, size_t recv_count, int rank,
                            int n, uint32_t seed);

#endif
