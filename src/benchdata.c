/*
 * benchdata.c - bench's nccl-tests vocabulary (sizes, -o, -d, -a) and its
 * op-aware data check (benchdata.h states the rules).
 */
#include "tcemu/benchdata.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tcemu/util.h"

static const char *const op_names[TCE_BENCHDATA_OP_COUNT] = {
    [TCE_BENCHDATA_SUM] = "sum",
    [TCE_BENCHDATA_PROD] = "prod",
    [TCE_BENCHDATA_MIN] = "min",
    [TCE_BENCHDATA_MAX] = "max",
};

const char *tce_benchdata_op_name(enum tce_benchdata_op op)
{
    return (unsigned)op < TCE_BENCHDATA_OP_COUNT ? op_names[op] : "?";
}

int tce_benchdata_op_parse(const char *s, enum tce_benchdata_op *out,
                           struct tce_error *err)
{
    int i;

    for (i = 0; i < TCE_BENCHDATA_OP_COUNT; i++)
        if (strcmp(s, op_names[i]) == 0) {
            *out = (enum tce_benchdata_op)i;
            return 0;
        }
    if (strcmp(s, "avg") == 0 || strcmp(s, "mulsum") == 0)
        return tce_error_set(err, TCE_EUSAGE,
                             "-o %s: an NCCL operation with no MPI "
                             "equivalent (use sum, prod, min or max)",
                             s);
    if (strcmp(s, "all") == 0)
        return tce_error_set(err, TCE_EUSAGE,
                             "-o all: tcemu bench measures one op per run "
                             "(sum, prod, min or max)");
    return tce_error_set(err, TCE_EUSAGE,
                         "unknown -o '%s' (sum, prod, min, max)", s);
}

int tce_benchdata_type_parse(const char *s, struct tce_error *err)
{
    static const char *const nccl_types[] = {
        "int8",   "uint8",  "int32",    "uint32", "int64",
        "uint64", "half",   "double",   "bfloat16", "f8e4m3",
        "f8e5m2", "char",   "int",      "float16", "all",
    };
    size_t i;

    if (strcmp(s, "float") == 0)
        return 0;
    for (i = 0; i < TCE_ARRAY_SIZE(nccl_types); i++)
        if (strcmp(s, nccl_types[i]) == 0)
            return tce_error_set(err, TCE_EUSAGE,
                                 "-d %s: not supported; tcemu bench moves "
                                 "float (MPI_FLOAT) only (MPI has no half "
                                 "or bfloat16 type; the bytes moved, and so "
                                 "the bandwidth, do not depend on the type)",
                                 s);
    return tce_error_set(err, TCE_EUSAGE, "unknown -d '%s' (float)", s);
}

int tce_benchdata_avg_parse(const char *s, enum tce_benchdata_avg *out,
                            struct tce_error *err)
{
    int64_t v;

    if (tce_parse_int64(s, 0, 3, &v, NULL) != 0)
        return tce_error_set(err, TCE_EUSAGE,
                             "-a '%s': 0 (rank 0), 1 (average), 2 (minimum) "
                             "or 3 (maximum over ranks)",
                             s);
    *out = (enum tce_benchdata_avg)v;
    return 0;
}

const char *tce_benchdata_avg_name(enum tce_benchdata_avg mode)
{
    switch (mode) {
    case TCE_BENCHDATA_AVG_RANK0:
        return "rank 0's mean per operation";
    case TCE_BENCHDATA_AVG_MEAN:
        return "average over ranks of each rank's mean per operation";
    case TCE_BENCHDATA_AVG_MIN:
        return "fastest rank's mean per operation";
    case TCE_BENCHDATA_AVG_MAX:
        return "slowest rank's mean per operation";
    }
    return "?";
}

const char *tce_benchdata_avg_key(enum tce_benchdata_avg mode)
{
    static const char *const keys[] = {"rank0", "avg", "min", "max"};

    return (unsigned)mode < TCE_ARRAY_SIZE(keys) ? keys[mode] : "?";
}

int tce_benchdata_reduces(enum tce_coll kind)
{
    return kind == TCE_COLL_ALL_REDUCE || kind == TCE_COLL_REDUCE_SCATTER;
}

int tce_benchdata_has_in_place(enum tce_coll kind)
{
    return kind != TCE_COLL_SENDRECV && kind < TCE_COLL_COUNT;
}

float tce_benchdata_value(enum tce_coll kind, enum tce_benchdata_op op,
                          uint32_t seed, int rank, size_t i)
{
    float v = tce_coll_value(seed, rank, i);

    if (op == TCE_BENCHDATA_PROD && tce_benchdata_reduces(kind))
        return ldexpf(1.0f, (int)v % 3 - 1);
    return v;
}

static size_t per_rank(size_t count, int n)
{
    return n > 0 ? count / (size_t)n : 0;
}

void tce_benchdata_init(enum tce_coll kind, enum tce_benchdata_op op,
                        int in_place, float *send, size_t send_count,
                        float *recv, size_t recv_count, int rank, int n,
                        uint32_t seed)
{
    size_t i, c, lo = 0, hi = 0;

    for (i = 0; i < recv_count; i++)
        recv[i] = -1.0f;
    if (!in_place) {
        for (i = 0; i < send_count; i++)
            send[i] = tce_benchdata_value(kind, op, seed, rank, i);
        return;
    }
    switch (kind) {
    case TCE_COLL_ALL_GATHER: /* my block of the gathered result */
        c = per_rank(recv_count, n);
        lo = (size_t)rank * c;
        hi = lo + c;
        break;
    case TCE_COLL_REDUCE_SCATTER: /* the whole input, n blocks */
    case TCE_COLL_ALL_TO_ALL:
        hi = send_count;
        break;
    case TCE_COLL_BROADCAST:
        hi = rank == 0 ? recv_count : 0;
        break;
    case TCE_COLL_ALL_REDUCE:
        hi = recv_count;
        break;
    default: /* send/recv: no in-place form */
        break;
    }
    for (i = lo; i < hi; i++)
        recv[i] = tce_benchdata_value(kind, op, seed, rank, i - lo);
}

static float reduce_over_ranks(enum tce_benchdata_op op, uint32_t seed, int n,
                               size_t i)
{
    float acc = tce_benchdata_value(TCE_COLL_ALL_REDUCE, op, seed, 0, i), v;
    int r;

    for (r = 1; r < n; r++) {
        v = tce_benchdata_value(TCE_COLL_ALL_REDUCE, op, seed, r, i);
        switch (op) {
        case TCE_BENCHDATA_PROD:
            acc *= v;
            break;
        case TCE_BENCHDATA_MIN:
            acc = v < acc ? v : acc;
            break;
        case TCE_BENCHDATA_MAX:
            acc = v > acc ? v : acc;
            break;
        default:
            acc += v;
            break;
        }
    }
    return acc;
}

int64_t tce_benchdata_wrong(enum tce_coll kind, enum tce_benchdata_op op,
                            const float *recv, size_t recv_count, int rank,
                            int n, uint32_t seed)
{
    size_t i, base;
    int64_t wrong = 0;

    /* Plain values (sum, or a kind that does not reduce): coll.h's check. */
    if (op == TCE_BENCHDATA_SUM || !tce_benchdata_reduces(kind))
        return tce_coll_wrong(kind, recv, recv_count, rank, n, seed);
    base = kind == TCE_COLL_REDUCE_SCATTER ? (size_t)rank * recv_count : 0;
    for (i = 0; i < recv_count; i++)
        wrong += recv[i] != reduce_over_ranks(op, seed, n, base + i);
    return wrong;
}
