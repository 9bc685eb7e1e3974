/*
 * busbw.h - collective kinds and the nccl-tests bandwidth arithmetic.
 *
 * algbw = bytes / time; busbw = algbw x factor, with the nccl-tests factors
 * (all-reduce 2(n-1)/n; all-gather, reduce-scatter, all-to-all (n-1)/n;
 * broadcast, send/recv 1).  "bytes" is nccl-tests' "size": the whole
 * buffer (all-reduce: the vector; all-gather: the gathered result;
 * reduce-scatter: the input; all-to-all: one rank's send buffer; send/recv:
 * the message).  GB/s are 1e9 bytes per second.  Pure; no MPI.
 */
#ifndef TCEMU_BUSBW_H
#define TCEMU_BUSBW_H

#include <stdint.h>

#include "tcemu/error.h"

enum tce_busbw_kind {
    TCE_BUSBW_ALLREDUCE,
    TCE_BUSBW_ALLGATHER,
    TCE_BUSBW_REDUCESCATTER,
    TCE_BUSBW_ALLTOALL,
    TCE_BUSBW_SENDRECV,
    TCE_BUSBW_BROADCAST,
    TCE_BUSBW_COUNT
};

/* "allreduce", "allgather", ...; "unknown" out of range. */
const char *tce_busbw_coll_name(enum tce_busbw_kind kind);

/* Parse a collective name (exact, lower case). 0 or TCE_EUSAGE. */
int tce_busbw_coll_parse(const char *name, enum tce_busbw_kind *out,
                         struct tce_error *err);

/* The nccl-tests bus-bandwidth factor for n ranks (1.0 when n < 2 for the
 * ring-style factors would be wrong: they are 0 for n == 1). */
double tce_busbw_factor(enum tce_busbw_kind kind, int nranks);

/* bytes / time in 1e9 B/s; 0 when time_s <= 0. */
double tce_busbw_algbw_gbytes_per_s(double bytes, double time_s);

/* algbw x factor. */
double tce_busbw_busbw_gbytes_per_s(enum tce_busbw_kind kind, int nranks,
                                    double bytes, double time_s);

#endif
