/*
 * exec.c - the one MPI executor of a collective (runtime.h): bench,
 * calibrate and run all call tce_rt_exec_coll / tce_rt_exec_coll_start.
 *
 * One function per kind issues one chunk: `off` and `c` are in elements per
 * rank for the kinds that split the buffer (coll.h's splits), in elements of
 * the whole buffer otherwise.  An operation is cut into chunks of at most
 * max_count elements per rank and call (MPI 3.1 counts are ints).  Each
 * chunk is a smaller operation of the same kind on the next region of the
 * buffers (a splitting kind's chunk of c elements per rank covers n x c
 * elements of its whole side): the bytes moved are the operation's, the
 * data layout is one call's only when there is one chunk.  Bench and
 * calibrate stay below INT_MAX elements (their sizes are checked), so only
 * run (whose data is not checked) cuts operations.  (A chunk as a datatype
 * resized to the per-rank block would keep the layout, but Open MPI 4.1
 * refuses MPI_SUM on derived datatypes in reduce-scatter.)
 */
#include <limits.h>
#include <stdlib.h>

#include "tcemu/runtime.h"
#include "tcemu/stats.h"

/* One chunk: the calls of one kind.  req NULL: blocking; else one or two
 * requests (send/recv) are stored, *n_req counts them. */
struct chunk {
    const struct tce_rt_coll_args *a;
    size_t off;   /* offset of the chunk's per-rank part */
    size_t off_n; /* offset of its n parts: off x n, or off
                     when the kind does not split */
    int c;        /* elements per rank and call */
    MPI_Request *req;
    int n_req;
    MPI_Op op;    /* all-reduce, reduce-scatter */
};

/* The send side at offset off (MPI_IN_PLACE without a send buffer). */
static const void *send_at(const struct chunk *k, size_t off)
{
    return k->a->send ? (const void *)(k->a->send + off) : MPI_IN_PLACE;
}

static int exec_allreduce(struct chunk *k)
{
    const struct tce_rt_coll_args *a = k->a;
    const void *s = send_at(k, k->off);

    if (k->req)
        return MPI_Iallreduce(s, a->recv + k->off, k->c, MPI_FLOAT, k->op,
                              a->comm, &k->req[k->n_req++]);
    return MPI_Allreduce(s, a->recv + k->off, k->c, MPI_FLOAT, k->op,
                         a->comm);
}

static int exec_allgather(struct chunk *k)
{
    const struct tce_rt_coll_args *a = k->a;
    const void *s = send_at(k, k->off);
    int sc = a->send ? k->c : 0;
    MPI_Datatype st = a->send ? MPI_FLOAT : MPI_DATATYPE_NULL;

    if (k->req)
        return MPI_Iallgather(s, sc, st, a->recv + k->off_n, k->c, MPI_FLOAT,
                              a->comm, &k->req[k->n_req++]);
    return MPI_Allgather(s, sc, st, a->recv + k->off_n, k->c, MPI_FLOAT,
                         a->comm);
}

static int exec_reducescatter(struct chunk *k)
{
    const struct tce_rt_coll_args *a = k->a;
    const void *s = send_at(k, k->off_n);
    /* in place: the input is the receive buffer's n parts */
    float *r = a->send ? a->recv + k->off : a->recv + k->off_n;

    if (k->req)
        return MPI_Ireduce_scatter_block(s, r, k->c, MPI_FLOAT, k->op,
                                         a->comm, &k->req[k->n_req++]);
    return MPI_Reduce_scatter_block(s, r, k->c, MPI_FLOAT, k->op, a->comm);
}

static int exec_alltoall(struct chunk *k)
{
    const struct tce_rt_coll_args *a = k->a;
    const void *s = send_at(k, k->off_n);

    if (k->req)
        return MPI_Ialltoall(s, k->c, MPI_FLOAT, a->recv + k->off_n, k->c,
                             MPI_FLOAT, a->comm, &k->req[k->n_req++]);
    return MPI_Alltoall(s, k->c, MPI_FLOAT, a->recv + k->off_n, k->c, MPI_FLOAT,
                        a->comm);
}

/* A ring: send to rank+1, receive from rank-1. */
static int exec_sendrecv(struct chunk *k)
{
    const struct tce_rt_coll_args *a = k->a;
    const float *s = a->send ? a->send : a->recv;
    int to = (a->rank + 1) % a->n, from = (a->rank - 1 + a->n) % a->n;
    int mrc;

    if (!k->req)
        return MPI_Sendrecv(s + k->off, k->c, MPI_FLOAT, to, 0,
                            a->recv + k->off, k->c, MPI_FLOAT, from, 0, a->comm,
                            MPI_STATUS_IGNORE);
    mrc = MPI_Irecv(a->recv + k->off, k->c, MPI_FLOAT, from, 0, a->comm,
                    &k->req[k->n_req++]);
    if (mrc == MPI_SUCCESS)
        mrc = MPI_Isend(s + k->off, k->c, MPI_FLOAT, to, 0, a->comm,
                        &k->req[k->n_req++]);
    return mrc;
}

/* From rank 0's send buffer (its receive buffer when there is none) into
 * the others' receive buffers. */
static int exec_broadcast(struct chunk *k)
{
    const struct tce_rt_coll_args *a = k->a;
    void *buf = a->rank == 0 && a->send ? (void *)(a->send + k->off)
                                        : (void *)(a->recv + k->off);

    if (k->req)
        return MPI_Ibcast(buf, k->c, MPI_FLOAT, 0, a->comm,
                          &k->req[k->n_req++]);
    return MPI_Bcast(buf, k->c, MPI_FLOAT, 0, a->comm);
}

static int (*const exec_kind[TCE_COLL_COUNT])(struct chunk *) = {
    [TCE_COLL_ALL_REDUCE] = exec_allreduce,
    [TCE_COLL_ALL_GATHER] = exec_allgather,
    [TCE_COLL_REDUCE_SCATTER] = exec_reducescatter,
    [TCE_COLL_ALL_TO_ALL] = exec_alltoall,
    [TCE_COLL_SENDRECV] = exec_sendrecv,
    [TCE_COLL_BROADCAST] = exec_broadcast,
};

static int64_t max_count_of(const struct tce_rt_coll_args *a)
{
    return a->max_count > 0 && a->max_count < INT_MAX ? a->max_count : INT_MAX;
}

/* Elements the chunks cut: per rank for the kinds that split. */
static size_t chunked_elems(const struct tce_rt_coll_args *a)
{
    const struct tce_coll_desc *d = tce_coll_desc(a->kind);

    if (d && d->splits)
        return a->n > 0 ? a->count / (size_t)a->n : 0;
    return a->count;
}

/* The largest per-peer split and the per-peer elements one call moves. */
static void alltoallv_steps(const struct tce_rt_coll_args *a,
                            int64_t *biggest, int64_t *step)
{
    int j;

    *biggest = a->split[a->rank];
    for (j = 0; j < a->n; j++)
        if (a->split[j] > *biggest)
            *biggest = a->split[j];
    *step = max_count_of(a) / a->n;
    if (*step < 1)
        *step = 1;
}

int64_t tce_rt_alltoallv_calls(const struct tce_rt_coll_args *a)
{
    int64_t biggest, step;

    if (!a->split || a->n < 1)
        return 0;
    alltoallv_steps(a, &biggest, &step);
    return biggest > 0 ? (biggest + step - 1) / step : 0;
}

/* All-to-all(v) with a skewed split: every source sends split[j] elements
 * to rank j (the same split on every source), so rank j receives
 * split[j] from each; repeated with at most max_count / n per peer while
 * any per-peer count or displacement would pass max_count.  posted: each
 * call nonblocking, its arrays in a->v_store (deepep, issue 11). */
static int exec_alltoallv(const struct tce_rt_coll_args *a,
                          void (*posted)(void *ctx, MPI_Request req, int last),
                          void *ctx)
{
    int n = a->n, j, mrc = MPI_SUCCESS;
    int *own = posted ? NULL : calloc(4 * (size_t)n, sizeof(int));
    int *sc, *rc, *sd, *rd;
    int64_t mine = a->split[a->rank], biggest, done = 0, step, call = 0,
            calls = tce_rt_alltoallv_calls(a);
    MPI_Request req;

    if (posted ? !a->v_store : !own) {
        mrc = posted ? MPI_ERR_ARG : MPI_ERR_NO_MEM;
        goto out;
    }
    alltoallv_steps(a, &biggest, &step);
    while (done < biggest && mrc == MPI_SUCCESS) {
        int64_t so = 0, ro = 0, s, r;

        sc = posted ? a->v_store + 4 * (size_t)n * (size_t)call : own;
        rc = sc + n;
        sd = rc + n;
        rd = sd + n;
        for (j = 0; j < n; j++) {
            s = a->split[j] - done;
            s = s < 0 ? 0 : (s > step ? step : s);
            r = mine - done;
            r = r < 0 ? 0 : (r > step ? step : r);
            sc[j] = (int)s;
            rc[j] = (int)r;
            sd[j] = (int)so;
            rd[j] = (int)ro;
            so += s;
            ro += r;
        }
        if (posted) {
            mrc = MPI_Ialltoallv(a->send, sc, sd, MPI_FLOAT, a->recv, rc, rd,
                                 MPI_FLOAT, a->comm, &req);
            if (mrc == MPI_SUCCESS)
                posted(ctx, req, call + 1 == calls);
        } else {
            mrc = MPI_Alltoallv(a->send, sc, sd, MPI_FLOAT, a->recv, rc, rd,
                                MPI_FLOAT, a->comm);
        }
        done += step;
        call++;
    }
out:
    free(own);
    return mrc;
}

int64_t tce_rt_exec_coll_chunks(const struct tce_rt_coll_args *a)
{
    int64_t n = tce_stats_chunks((int64_t)chunked_elems(a), max_count_of(a));

    return n > 1 ? n : 1;
}

/* Every chunk; posted (nonblocking) or NULL (blocking). */
static int exec_chunks(const struct tce_rt_coll_args *a, MPI_Op op,
                       void (*posted)(void *ctx, MPI_Request req, int last),
                       void *ctx)
{
    const struct tce_coll_desc *d = tce_coll_desc(a->kind);
    size_t total = chunked_elems(a);
    int64_t nch, i, max = max_count_of(a);
    MPI_Request req[2];
    struct chunk k;
    int mrc = MPI_SUCCESS, j;

    if (!d || !exec_kind[a->kind])
        return MPI_ERR_OP;
    if (a->split && a->kind == TCE_COLL_ALL_TO_ALL)
        return exec_alltoallv(a, posted, ctx);
    nch = tce_stats_chunks((int64_t)total, max);
    if (nch < 1)
        nch = 1; /* an empty operation is still one call */
    for (i = 0; i < nch && mrc == MPI_SUCCESS; i++) {
        k.a = a;
        k.off = (size_t)i * (size_t)max;
        k.off_n = d->splits ? k.off * (size_t)a->n : k.off;
        k.c = (int)tce_stats_chunk_count((int64_t)total, max, i);
        k.req = posted ? req : NULL;
        k.n_req = 0;
        k.op = op;
        mrc = exec_kind[a->kind](&k);
        for (j = 0; posted && j < k.n_req; j++)
            posted(ctx, req[j], i + 1 == nch && j + 1 == k.n_req);
    }
    return mrc;
}

int tce_rt_exec_coll(const struct tce_rt_coll_args *a)
{
    return exec_chunks(a, MPI_SUM, NULL, NULL);
}

int tce_rt_exec_coll_op(const struct tce_rt_coll_args *a, MPI_Op op)
{
    return exec_chunks(a, op, NULL, NULL);
}

int tce_rt_exec_coll_start(const struct tce_rt_coll_args *a,
                           void (*posted)(void *ctx, MPI_Request req, int last),
                           void *ctx)
{
    return exec_chunks(a, MPI_SUM, posted, ctx);
}
