/*
 * coll.c - the collective plug-ins of tcemu bench (and calibrate),
 * nccl-tests style: one small table entry per collective (buffer counts,
 * seeded data, expected result, the MPI call, busbw factor by kind).  The
 * data and the checks are pure (src/collcheck.c, unit-tested); this file
 * adds the MPI calls.
 */
#include "tcemu/runtime.h"

#include "tcemu/collcheck.h"

float tce_coll_value(uint32_t seed, int rank, size_t i)
{
    return tce_collcheck_value(seed, rank, i);
}

static void init_plain(float *send, size_t send_count, int rank, int n,
                       uint32_t seed)
{
    (void)n;
    tce_collcheck_init(send, send_count, rank, seed);
}

#define COUNTS_AND_CHECK(fn, kind)                                            \
    static void fn##_counts(size_t count, int n, size_t *send,               \
                            size_t *recv)                                    \
    {                                                                        \
        tce_collcheck_counts(kind, count, n, send, recv);                    \
    }                                                                        \
    static int64_t fn##_check(const float *recv, size_t recv_count,          \
                              int rank, int n, uint32_t seed)                \
    {                                                                        \
        return tce_collcheck_wrong(kind, recv, recv_count, rank, n, seed);   \
    }

COUNTS_AND_CHECK(ar, TCE_BUSBW_ALLREDUCE)
COUNTS_AND_CHECK(ag, TCE_BUSBW_ALLGATHER)
COUNTS_AND_CHECK(rs, TCE_BUSBW_REDUCESCATTER)
COUNTS_AND_CHECK(a2a, TCE_BUSBW_ALLTOALL)
COUNTS_AND_CHECK(sr, TCE_BUSBW_SENDRECV)
COUNTS_AND_CHECK(bc, TCE_BUSBW_BROADCAST)

static int ar_run(const float *send, float *recv, size_t count, int n,
                  int rank, MPI_Comm comm)
{
    (void)n;
    (void)rank;
    return MPI_Allreduce(send, recv, (int)count, MPI_FLOAT, MPI_SUM, comm);
}

static int ag_run(const float *send, float *recv, size_t count, int n,
                  int rank, MPI_Comm comm)
{
    int c = (int)(count / (size_t)n);

    (void)rank;
    return MPI_Allgather(send, c, MPI_FLOAT, recv, c, MPI_FLOAT, comm);
}

static int rs_run(const float *send, float *recv, size_t count, int n,
                  int rank, MPI_Comm comm)
{
    (void)rank;
    return MPI_Reduce_scatter_block(send, recv, (int)(count / (size_t)n),
                                    MPI_FLOAT, MPI_SUM, comm);
}

static int a2a_run(const float *send, float *recv, size_t count, int n,
                   int rank, MPI_Comm comm)
{
    int c = (int)(count / (size_t)n);

    (void)rank;
    return MPI_Alltoall(send, c, MPI_FLOAT, recv, c, MPI_FLOAT, comm);
}

/* send/recv on a ring: send to rank+1, receive from rank-1. */
static int sr_run(const float *send, float *recv, size_t count, int n,
                  int rank, MPI_Comm comm)
{
    return MPI_Sendrecv(send, (int)count, MPI_FLOAT, (rank + 1) % n, 0, recv,
                        (int)count, MPI_FLOAT, (rank - 1 + n) % n, 0, comm,
                        MPI_STATUS_IGNORE);
}

/* broadcast from rank 0's send buffer into the others' receive buffers. */
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
    {TCE_BUSBW_SENDRECV, sr_counts, init_plain, sr_check, sr_run},
    {TCE_BUSBW_BROADCAST, bc_counts, init_plain, bc_check, bc_run},
};

const struct tce_coll_ops *tce_coll_get(enum tce_busbw_kind kind)
{
    size_t i;

    for (i = 0; i < sizeof(colls) / sizeof(colls[0]); i++)
        if (colls[i].kind == kind)
            return &colls[i];
    return NULL;
}
