/* test_collcheck.c - bench --check data: every collective's expected result,
 * simulated here without MPI, checks clean; one corrupted element is
 * counted exactly once. */
#include "tce_test.h"

#include <stdlib.h>
#include <string.h>

#include "tcemu/collcheck.h"

#define N 4
#define COUNT 64 /* nccl-tests count: elements of the whole buffer */
#define SEED 7u

/* What an exact MPI implementation leaves in rank's receive buffer. */
static void simulate(enum tce_busbw_kind kind, int rank, float *recv,
                     size_t *recv_count)
{
    float send[N][COUNT];
    size_t sc = 0, rc = 0, c, i;
    int r, j;

    tce_collcheck_counts(kind, COUNT, N, &sc, &rc);
    for (r = 0; r < N; r++)
        tce_collcheck_init(send[r], sc, r, SEED);
    c = COUNT / N;
    memset(recv, 0, sizeof(float) * COUNT);
    for (i = 0; i < rc; i++) {
        switch (kind) {
        case TCE_BUSBW_ALLREDUCE:
            for (r = 0; r < N; r++)
                recv[i] += send[r][i];
            break;
        case TCE_BUSBW_ALLGATHER:
            recv[i] = send[i / c][i % c];
            break;
        case TCE_BUSBW_REDUCESCATTER:
            for (r = 0; r < N; r++)
                recv[i] += send[r][(size_t)rank * c + i];
            break;
        case TCE_BUSBW_ALLTOALL:
            j = (int)(i / c);
            recv[i] = send[j][(size_t)rank * c + i % c];
            break;
        case TCE_BUSBW_SENDRECV:
            recv[i] = send[(rank - 1 + N) % N][i];
            break;
        case TCE_BUSBW_BROADCAST:
            recv[i] = rank == 0 ? -1.0f : send[0][i];
            break;
        default:
            break;
        }
    }
    *recv_count = rc;
}

static void test_counts(void **state)
{
    static const struct {
        enum tce_busbw_kind kind;
        size_t send, recv;
    } cases[] = {
        {TCE_BUSBW_ALLREDUCE, 64, 64},    {TCE_BUSBW_ALLGATHER, 16, 64},
        {TCE_BUSBW_REDUCESCATTER, 64, 16}, {TCE_BUSBW_ALLTOALL, 64, 64},
        {TCE_BUSBW_SENDRECV, 64, 64},     {TCE_BUSBW_BROADCAST, 64, 64},
    };
    size_t i, s, r;
    (void)state;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        tce_collcheck_counts(cases[i].kind, COUNT, N, &s, &r);
        assert_int_equal(s, cases[i].send);
        assert_int_equal(r, cases[i].recv);
    }
    /* 66 elements on 4 ranks: whole elements per rank only. */
    tce_collcheck_counts(TCE_BUSBW_ALLGATHER, 66, 4, &s, &r);
    assert_int_equal(s, 16);
    assert_int_equal(r, 64);
}

static void test_values(void **state)
{
    size_t i;
    int distinct = 0;
    (void)state;

    for (i = 0; i < 1000; i++) {
        float v = tce_collcheck_value(SEED, 3, i);

        assert_true(v >= 0.0f && v <= 16.0f);
        assert_true(v == (float)(int)v);
        distinct += v != tce_collcheck_value(SEED, 2, i);
    }
    assert_true(distinct > 500); /* ranks' data differ */
}

static void test_check_every_kind(void **state)
{
    float recv[COUNT];
    size_t rc;
    int k, rank;
    (void)state;

    for (k = 0; k < TCE_BUSBW_COUNT; k++) {
        for (rank = 0; rank < N; rank++) {
            enum tce_busbw_kind kind = (enum tce_busbw_kind)k;

            simulate(kind, rank, recv, &rc);
            assert_int_equal(
                tce_collcheck_wrong(kind, recv, rc, rank, N, SEED), 0);
            if (kind == TCE_BUSBW_BROADCAST && rank == 0)
                continue; /* the root's buffer is not checked */
            recv[rc / 2] += 1.0f;
            assert_int_equal(
                tce_collcheck_wrong(kind, recv, rc, rank, N, SEED), 1);
            /* another seed: (almost) everything is wrong */
            assert_true(tce_collcheck_wrong(kind, recv, rc, rank, N,
                                            SEED + 1) > (int64_t)rc / 2);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counts),
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_check_every_kind),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
