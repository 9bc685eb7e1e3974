/* collcheck.c - seeded data and result checks of tcemu bench --check
 * (collcheck.h). */
#include "tcemu/collcheck.h"

float tce_collcheck_value(uint32_t seed, int rank, size_t i)
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
        s += tce_collcheck_value(seed, r, i);
    return s;
}

void tce_collcheck_counts(enum tce_busbw_kind kind, size_t count, int n,
                          size_t *send, size_t *recv)
{
    size_t c = n > 0 ? count / (size_t)n : 0;

    switch (kind) {
    case TCE_BUSBW_ALLGATHER:
        *send = c;
        *recv = c * (size_t)n;
        break;
    case TCE_BUSBW_REDUCESCATTER:
        *send = c * (size_t)n;
        *recv = c;
        break;
    case TCE_BUSBW_ALLTOALL:
        *send = c * (size_t)n;
        *recv = c * (size_t)n;
        break;
    default:
        *send = count;
        *recv = count;
        break;
    }
}

void tce_collcheck_init(float *send, size_t send_count, int rank,
                        uint32_t seed)
{
    size_t i;

    for (i = 0; i < send_count; i++)
        send[i] = tce_collcheck_value(seed, rank, i);
}

int64_t tce_collcheck_wrong(enum tce_busbw_kind kind, const float *recv,
                            size_t recv_count, int rank, int n,
                            uint32_t seed)
{
    size_t c = n > 0 ? recv_count / (size_t)n : 0, i;
    int64_t wrong = 0;
    int j;

    switch (kind) {
    case TCE_BUSBW_ALLREDUCE:
        for (i = 0; i < recv_count; i++)
            wrong += recv[i] != sum_over_ranks(seed, n, i);
        break;
    case TCE_BUSBW_ALLGATHER:
        for (j = 0; j < n; j++)
            for (i = 0; i < c; i++)
                wrong += recv[(size_t)j * c + i] !=
                         tce_collcheck_value(seed, j, i);
        break;
    case TCE_BUSBW_REDUCESCATTER:
        for (i = 0; i < recv_count; i++)
            wrong += recv[i] !=
                     sum_over_ranks(seed, n, (size_t)rank * recv_count + i);
        break;
    case TCE_BUSBW_ALLTOALL:
        for (j = 0; j < n; j++)
            for (i = 0; i < c; i++)
                wrong += recv[(size_t)j * c + i] !=
                         tce_collcheck_value(seed, j, (size_t)rank * c + i);
        break;
    case TCE_BUSBW_SENDRECV:
        for (i = 0; i < recv_count; i++)
            wrong += recv[i] !=
                     tce_collcheck_value(seed, (rank - 1 + n) % n, i);
        break;
    case TCE_BUSBW_BROADCAST:
        for (i = 0; rank != 0 && i < recv_count; i++)
            wrong += recv[i] != tce_collcheck_value(seed, 0, i);
        break;
    default:
        wrong = (int64_t)recv_count;
        break;
    }
    return wrong;
}
