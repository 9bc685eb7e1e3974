/*
 * coll.c - the collective plug-ins of tcemu bench, nccl-tests style: one
 * small table entry per collective (buffer counts, seeded data, expected
 * result, the MPI call).  Data are float; values are small integers so that
 * sums over ranks are exact and the check can demand equality.
 */
#include "tcemu/runtime.h"

#include <limits.h>

float tce_coll_value(uint32_t seed, int rank, size_t i)
{
    uint64_t x = (uint64_t)seed * 2654435761u + (uint64_t)rank * 40503u +
                 (uint64_t)i * 2246822519u;

    x ^= x >> 13;
    return (float)(x % 17u);
}

static float sum_over_ranks(uint32_t seed, int n, size_t i)
{
    float s = 0.0f;
    int r;

    for (r = 0; r < n; r++)
        s += tce_coll_value(seed, r, i);
    return s;
}

static void init_plain(float *send, size_t send_count, int rank, int n,
                       uint32_t seed)
{
    size_t i;

    (void)n;
    for (i = 0; i < send_count; i++)
        send[i] = tce_coll_value(seed, rank, i);
}

/* all-reduce: count in, count out, out[i] = sum_r v(r, i). */
static void ar_counts(size_t count, int n, size_t *send, size_t *recv)
{
    (void)n;
    *send = count;
    *recv = count;
}

static int64_t ar_check(const float *recv, size_t recv_count, int rank,
                        int n, uint32_t seed)
{
    int64_t wrong = 0;
    size_t i;

    (void)rank;
    for (i = 0; i < recv_count; i++)
        wrong += recv[i] != sum_over_ranks(seed, n, i);
    return wrong;
}

static int ar_run(const float *send, float *recv, size_t count, int n,
                  int rank, MPI_Comm comm)
{
    (void)n;
    (void)rank;
    return MPI_Allreduce(send, recv, (int)count, MPI_FLOAT, MPI_SUM, comm);
}

/* all-gather: count/n in, count out, out[r*c + i] = v(r, i). */
static void ag_counts(size_t count, int n, size_t *send, size_t *recv)
{
    *send = count / (size_t)n;
    *recv = *send * (size_t)n;
}

static int64_t ag_check(const float *recv, size_t recv_count, int rank,
                        int n, uint32_t seed)
{
    size_t c = recv_count / (size_t)n, i;
    int64_t wrong = 0;
    int r;

    (void)rank;
    for (r = 0; r < n; r++)
        for (i = 0; i < c; i++)
            wrong += recv[(size_t)r * c + i] != tce_coll_value(seed, r, i);
    return wrong;
}

static int ag_run(const float *send, float *recv, size_t count, int n,
                  int rank, MPI_Comm comm)
{
    int c = (int)(count / (size_t)n);

    (void)rank;
    return MPI_Allgather(send, c, MPI_FLOAT, recv, c, MPI_FLOAT, comm);
}

/* reduce-scatter: count in, count/n out, out[i] = sum_r v(r, rank*c + i). */
static void rs_counts(size_t count, int n, size_t *send, size_t *recv)
{
    *recv = count / (size_t)n;
    *send = *recv * (size_t)n;
}

static int64_t rs_check(const float *recv, size_t recv_count, int rank,
                        int n, uint32_t seed)
{
    int64_t wrong = 0;
    size_t i;

    for (i = 0; i < recv_count; i++)
        wrong += recv[i] !=
                 sum_over_ranks(seed, n, (size_t)rank * recv_count + i);
    return wrong;
}

static int rs_run(const float *send, float *recv, size_t count, int n,
                  int rank, MPI_Comm comm)
{
    (void)rank;
    return MPI_Reduce_scatter_block(send, recv, (int)(count / (size_t)n),
                                    MPI_FLOAT, MPI_SUM, comm);
}

/* all-to-all: block j of rank r goes to rank j:
 * out[j*c + i] = v(j, rank*c + i). */
static void a2a_counts(size_t count, int n, size_t *send, size_t *recv)
{
    *send = count / (size_t)n * (size_t)n;
    *recv = *send;
}

static int64_t a2a_check(const float *recv, size_t recv_count, int rank,
                         int n, uint32_t seed)
{
    size_t c = recv_count / (size_t)n, i;
    int64_t wrong = 0;
    int j;

    for (j = 0; j < n; j++)
        for (i = 0; i < c; i++)
            wrong += recv[(size_t)j * c + i] !=
                     tce_coll_value(seed, j, (size_t)rank * c + i);
    return wrong;
}

static int a2a_run(const float *send, float *recv, size_t count, int n,
                   int rank, MPI_Comm comm)
{
    int c = (int)(count / (size_t)n);

    (void)rank;
    return MPI_Alltoall(send, c, MPI_FLOAT, recv, c, MPI_FLOAT, comm);
}

/* send/recv on a ring: send to rank+1, receive from rank-1. */
static int64_t sr_check(const float *recv, size_t recv_count, int rank,
                        int n, uint32_t seed)
{
    int prev = (rank - 1 + n) % n;
    int64_t wrong = 0;
    size_t i;

    for (i = 0; i < recv_count; i++)
        wrong += recv[i] != tce_coll_value(seed, prev, i);
    return wrong;
}

static int sr_run(const float *send, float *recv, size_t count, int n,
                  int rank, MPI_Comm comm)
{
    return MPI_Sendrecv(send, (int)count, MPI_FLOAT, (rank + 1) % n, 0, recv,
                        (int)count, MPI_FLOAT, (rank - 1 + n) % n, 0, comm,
                        MPI_STATUS_IGNORE);
}

/* broadcast from rank 0's send buffer: out[i] = v(0, i) on the others. */
static int64_t bc_check(const float *recv, size_t recv_count, int rank,
                        int n, uint32_t seed)
{
    int64_t wrong = 0;
    size_t i;

    (void)n;
    for (i = 0; rank != 0 && i < recv_count; i++)
        wrong += recv[i] != tce_coll_value(seed, 0, i);
    return wrong;
}

static int bc_run(const float *send, float *recv, size_t count, int n,
                  int rank, MPI_Comm comm)
{
    (void)n;
    return MPI_Bcast(rank == 0 ? (void *)send : (void *)recv, (int)count,
                     MPI_FLOAT, 0, comm);
}

static const struct tce_coll_ops colls[] = {
    {TCE_BUSBW_ALLREDUCE, ar_counts, init_plain, ar_check, ar_run},
    {TCE_BUSBW_ALLGATHER, ag_counts, init_plain, ag_check, ag_run},
    {TCE_BUSBW_REDUCESCATTER, rs_counts, init_plain, rs_check, rs_run},
    {TCE_BUSBW_ALLTOALL, a2a_counts, init_plain, a2a_check, a2a_run},
    {TCE_BUSBW_SENDRECV, ar_counts, init_plain, sr_check, sr_run},
    {TCE_BUSBW_BROADCAST, ar_counts, init_plain, bc_check, bc_run},
};

const struct tce_coll_ops *tce_coll_get(enum tce_busbw_kind kind)
{
    size_t i;

    for (i = 0; i < sizeof(colls) / sizeof(colls[0]); i++)
        if (colls[i].kind == kind)
            return &colls[i];
    return NULL;
}
