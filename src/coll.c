/* coll.c - the collective kinds: one descriptor row each (coll.h). */
#include "tcemu/coll.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "tcemu/config.h"

/* ------------------------------------------------------------------------ */
/* Bus-bandwidth factors (nccl-tests)                                        */

static double factor_allreduce(int nranks)
{
    double n = nranks;

    return 2.0 * (n - 1.0) / n;
}

static double factor_ring(int nranks)
{
    double n = nranks;

    return (n - 1.0) / n;
}

static double factor_one(int nranks)
{
    (void)nranks;
    return 1.0;
}

/* ------------------------------------------------------------------------ */
/* Element counts                                                            */

static void counts_whole(size_t count, int n, size_t *send, size_t *recv)
{
    (void)n;
    *send = count;
    *recv = count;
}

static size_t per_rank(size_t count, int n)
{
    return n > 0 ? count / (size_t)n : 0;
}

static void counts_gather(size_t count, int n, size_t *send, size_t *recv)
{
    size_t c = per_rank(count, n);

    *send = c;
    *recv = c * (size_t)n;
}

static void counts_scatter(size_t count, int n, size_t *send, size_t *recv)
{
    size_t c = per_rank(count, n);

    *send = c * (size_t)n;
    *recv = c;
}

static void counts_exchange(size_t count, int n, size_t *send, size_t *recv)
{
    size_t c = per_rank(count, n);

    *send = c * (size_t)n;
    *recv = c * (size_t)n;
}

/* ------------------------------------------------------------------------ */
/* Expected results (the data check)                                         */

static float sum_over_ranks(uint32_t seed, int n, size_t i)
{
    float s = 0.0f;
    int r;

    for (r = 0; r < n; r++)
        s += tce_coll_value(seed, r, i);
    return s;
}

static int expect_allreduce(uint32_t seed, int rank, int n, size_t rc, size_t i,
                            float *v)
{
    (void)rank;
    (void)rc;
    *v = sum_over_ranks(seed, n, i);
    return 1;
}

static int expect_allgather(uint32_t seed, int rank, int n, size_t rc, size_t i,
                            float *v)
{
    size_t c = per_rank(rc, n);

    (void)rank;
    if (c == 0 || i >= c * (size_t)n)
        return 0;
    *v = tce_coll_value(seed, (int)(i / c), i % c);
    return 1;
}

static int expect_reducescatter(uint32_t seed, int rank, int n, size_t rc,
                                size_t i, float *v)
{
    *v = sum_over_ranks(seed, n, (size_t)rank * rc + i);
    return 1;
}

static int expect_alltoall(uint32_t seed, int rank, int n, size_t rc, size_t i,
                           float *v)
{
    size_t c = per_rank(rc, n);

    if (c == 0 || i >= c * (size_t)n)
        return 0;
    *v = tce_coll_value(seed, (int)(i / c), (size_t)rank * c + i % c);
    return 1;
}

static int expect_sendrecv(uint32_t seed, int rank, int n, size_t rc, size_t i,
                           float *v)
{
    (void)rc;
    *v = tce_coll_value(seed, (rank - 1 + n) % n, i);
    return 1;
}

static int expect_broadcast(uint32_t seed, int rank, int n, size_t rc, size_t i,
                            float *v)
{
    (void)n;
    (void)rc;
    if (rank == 0)
        return 0; /* the root sends */
    *v = tce_coll_value(seed, 0, i);
    return 1;
}

/* ------------------------------------------------------------------------ */
/* The table                                                                 */

#define CALIB(field) #field, offsetof(struct tce_calibration_link, field)

static const struct tce_coll_desc colls[TCE_COLL_COUNT] = {
    {TCE_COLL_ALL_REDUCE, "all_reduce", "allreduce", factor_allreduce, 0,
     counts_whole, expect_allreduce, CALIB(allreduce_efficiency)},
    {TCE_COLL_ALL_GATHER, "all_gather", "allgather", factor_ring, 1,
     counts_gather, expect_allgather, CALIB(allgather_efficiency)},
    {TCE_COLL_REDUCE_SCATTER, "reduce_scatter", "reducescatter", factor_ring, 1,
     counts_scatter, expect_reducescatter, CALIB(reducescatter_efficiency)},
    {TCE_COLL_ALL_TO_ALL, "all_to_all", "alltoall", factor_ring, 1,
     counts_exchange, expect_alltoall, CALIB(alltoall_efficiency)},
    {TCE_COLL_SENDRECV, "sendrecv", "sendrecv", factor_one, 0, counts_whole,
     expect_sendrecv, CALIB(sendrecv_efficiency)},
    {TCE_COLL_BROADCAST, "broadcast", "broadcast", factor_one, 0, counts_whole,
     expect_broadcast, NULL, 0},
};

const struct tce_coll_desc *tce_coll_desc(enum tce_coll kind)
{
    return (unsigned)kind < TCE_COLL_COUNT ? &colls[kind] : NULL;
}

const char *tce_coll_name(enum tce_coll kind)
{
    const struct tce_coll_desc *d = tce_coll_desc(kind);

    return d ? d->name : "unknown";
}

const char *tce_coll_short_name(enum tce_coll kind)
{
    const struct tce_coll_desc *d = tce_coll_desc(kind);

    return d ? d->short_name : "unknown";
}

int tce_coll_parse(const char *name, enum tce_coll *out, struct tce_error *err)
{
    char known[256];
    size_t len = 0;
    int i;

    for (i = 0; i < TCE_COLL_COUNT; i++) {
        if (strcmp(name, colls[i].short_name) == 0) {
            *out = (enum tce_coll)i;
            return 0;
        }
    }
    known[0] = '\0';
    for (i = 0; i < TCE_COLL_COUNT && len < sizeof(known); i++)
        len += (size_t)snprintf(known + len, sizeof(known) - len, "%s%s",
                                i ? ", " : "", colls[i].short_name);
    return tce_error_set(err, TCE_EUSAGE, "unknown collective '%s' (known: %s)",
                         name, known);
}

double tce_coll_busbw_factor(enum tce_coll kind, int nranks)
{
    const struct tce_coll_desc *d = tce_coll_desc(kind);

    if (!d || nranks < 1)
        return 0.0;
    return d->busbw_factor(nranks);
}

double tce_coll_algbw_gbytes_per_s(double bytes, double time_s)
{
    if (!(time_s > 0.0))
        return 0.0;
    return bytes / time_s / 1e9;
}

double tce_coll_busbw_gbytes_per_s(enum tce_coll kind, int nranks, double bytes,
                                   double time_s)
{
    return tce_coll_algbw_gbytes_per_s(bytes, time_s) *
           tce_coll_busbw_factor(kind, nranks);
}

size_t tce_coll_op_count(enum tce_coll kind, int64_t bytes, int n)
{
    const struct tce_coll_desc *d = tce_coll_desc(kind);
    size_t count = bytes > 0 ? (size_t)bytes / sizeof(float) : 0;

    if (d && d->splits && n > 0)
        count -= count % (size_t)n;
    return count;
}

void tce_coll_counts(enum tce_coll kind, size_t count, int n, size_t *send,
                     size_t *recv)
{
    const struct tce_coll_desc *d = tce_coll_desc(kind);

    if (d)
        d->counts(count, n, send, recv);
    else
        counts_whole(count, n, send, recv);
}

float tce_coll_value(uint32_t seed, int rank, size_t i)
{
    uint64_t x = (uint64_t)seed * 2654435761u + (uint64_t)rank * 40503u +
                 (uint64_t)i * 2246822519u;

    x ^= x >> 13;
    return (float)(x % 17u);
}

void tce_coll_init(float *send, size_t send_count, int rank, uint32_t seed)
{
    size_t i;

    for (i = 0; i < send_count; i++)
        send[i] = tce_coll_value(seed, rank, i);
}

int64_t tce_coll_wrong(enum tce_coll kind, const float *recv, size_t recv_count,
                       int rank, int n, uint32_t seed)
{
    const struct tce_coll_desc *d = tce_coll_desc(kind);
    int64_t wrong = 0;
    float v;
    size_t i;

    if (!d)
        return (int64_t)recv_count;
    for (i = 0; i < recv_count; i++)
        if (d->expected(seed, rank, n, recv_count, i, &v))
            wrong += recv[i] != v;
    return wrong;
}

double tce_coll_calib_efficiency(enum tce_coll kind,
                                 const struct tce_calibration_link *l)
{
    const struct tce_coll_desc *d = tce_coll_desc(kind);
    double e;

    if (!d || !d->calib_key)
        return 0.0;
    memcpy(&e, (const char *)l + d->calib_offset, sizeof(e));
    return e;
}

void tce_coll_calib_set_efficiency(enum tce_coll kind,
                                   struct tce_calibration_link *l, double e)
{
    const struct tce_coll_desc *d = tce_coll_desc(kind);

    if (d && d->calib_key)
        memcpy((char *)l + d->calib_offset, &e, sizeof(e));
}
