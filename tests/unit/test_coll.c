/* test_coll.c - the collective descriptors: names, nccl-tests bandwidth
 * factors, element counts, and the bench --check data (every collective's
 * expected result, simulated here without MPI, checks clean; one corrupted
 * element is counted exactly once); calibration keys. */
#include "tce_test.h"

#include <stdlib.h>
#include <string.h>

#include "tcemu/coll.h"
#include "tcemu/config.h"

#define N 4
#define COUNT 64 /* nccl-tests count: elements of the whole buffer */
#define SEED 7u

/* What an exact MPI implementation leaves in rank's receive buffer. */
static void simulate(enum tce_coll kind, int rank, float *recv,
                     size_t *recv_count)
{
    float send[N][COUNT];
    size_t sc = 0, rc = 0, c, i;
    int r, j;

    tce_coll_counts(kind, COUNT, N, &sc, &rc);
    for (r = 0; r < N; r++)
        tce_coll_init(send[r], sc, r, SEED);
    c = COUNT / N;
    memset(recv, 0, sizeof(float) * COUNT);
    for (i = 0; i < rc; i++) {
        switch (kind) {
        case TCE_COLL_ALL_REDUCE:
            for (r = 0; r < N; r++)
                recv[i] += send[r][i];
            break;
        case TCE_COLL_ALL_GATHER:
            recv[i] = send[i / c][i % c];
            break;
        case TCE_COLL_REDUCE_SCATTER:
            for (r = 0; r < N; r++)
                recv[i] += send[r][(size_t)rank * c + i];
            break;
        case TCE_COLL_ALL_TO_ALL:
            j = (int)(i / c);
            recv[i] = send[j][(size_t)rank * c + i % c];
            break;
        case TCE_COLL_SENDRECV:
            recv[i] = send[(rank - 1 + N) % N][i];
            break;
        case TCE_COLL_BROADCAST:
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
        enum tce_coll kind;
        size_t send, recv;
    } cases[] = {
        {TCE_COLL_ALL_REDUCE, 64, 64},     {TCE_COLL_ALL_GATHER, 16, 64},
        {TCE_COLL_REDUCE_SCATTER, 64, 16}, {TCE_COLL_ALL_TO_ALL, 64, 64},
        {TCE_COLL_SENDRECV, 64, 64},       {TCE_COLL_BROADCAST, 64, 64},
    };
    size_t i, s, r;
    (void)state;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        tce_coll_counts(cases[i].kind, COUNT, N, &s, &r);
        assert_int_equal(s, cases[i].send);
        assert_int_equal(r, cases[i].recv);
    }
    /* 66 elements on 4 ranks: whole elements per rank only. */
    tce_coll_counts(TCE_COLL_ALL_GATHER, 66, 4, &s, &r);
    assert_int_equal(s, 16);
    assert_int_equal(r, 64);
}

static void test_values(void **state)
{
    size_t i;
    int distinct = 0;
    (void)state;

    for (i = 0; i < 1000; i++) {
        float v = tce_coll_value(SEED, 3, i);

        assert_true(v >= 0.0f && v <= 16.0f);
        assert_true(v == (float)(int)v);
        distinct += v != tce_coll_value(SEED, 2, i);
    }
    assert_true(distinct > 500); /* ranks' data differ */
}

static void test_check_every_kind(void **state)
{
    float recv[COUNT];
    size_t rc;
    int k, rank;
    (void)state;

    for (k = 0; k < TCE_COLL_COUNT; k++) {
        for (rank = 0; rank < N; rank++) {
            enum tce_coll kind = (enum tce_coll)k;

            simulate(kind, rank, recv, &rc);
            assert_int_equal(tce_coll_wrong(kind, recv, rc, rank, N, SEED), 0);
            if (kind == TCE_COLL_BROADCAST && rank == 0)
                continue; /* the root's buffer is not checked */
            recv[rc / 2] += 1.0f;
            assert_int_equal(tce_coll_wrong(kind, recv, rc, rank, N, SEED), 1);
            /* another seed: (almost) everything is wrong */
            assert_true(tce_coll_wrong(kind, recv, rc, rank, N, SEED + 1) >
                        (int64_t)rc / 2);
        }
    }
}

static void test_factors(void **state)
{
    static const struct {
        enum tce_coll kind;
        int n;
        double factor;
    } cases[] = {
        {TCE_COLL_ALL_REDUCE, 8, 1.75},      {TCE_COLL_ALL_REDUCE, 2, 1.0},
        {TCE_COLL_ALL_REDUCE, 1, 0.0},       {TCE_COLL_ALL_GATHER, 4, 0.75},
        {TCE_COLL_REDUCE_SCATTER, 8, 0.875}, {TCE_COLL_ALL_TO_ALL, 2, 0.5},
        {TCE_COLL_SENDRECV, 8, 1.0},         {TCE_COLL_BROADCAST, 16, 1.0},
    };
    size_t i;
    (void)state;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        assert_close(tce_coll_busbw_factor(cases[i].kind, cases[i].n),
                     cases[i].factor, 1e-12);
}

static void test_bandwidth(void **state)
{
    (void)state;
    /* 1 GB in 0.5 s = 2 GB/s; all-reduce on 4 ranks: busbw 3 GB/s. */
    assert_close(tce_coll_algbw_gbytes_per_s(1e9, 0.5), 2.0, 1e-12);
    assert_close(tce_coll_busbw_gbytes_per_s(TCE_COLL_ALL_REDUCE, 4, 1e9, 0.5),
                 3.0, 1e-12);
    assert_close(tce_coll_algbw_gbytes_per_s(1e9, 0.0), 0.0, 1e-12);
}

static void test_names(void **state)
{
    struct tce_error err;
    enum tce_coll k;
    int i;
    (void)state;

    for (i = 0; i < TCE_COLL_COUNT; i++) {
        assert_int_equal(
            tce_coll_parse(tce_coll_short_name((enum tce_coll)i), &k, &err), 0);
        assert_int_equal(k, i);
    }
    assert_int_equal(tce_coll_parse("allreduc", &k, &err), TCE_EUSAGE);
    assert_non_null(strstr(err.msg, "allreduc"));
    assert_string_equal(tce_coll_short_name(TCE_COLL_COUNT), "unknown");
}

static void test_descriptors(void **state)
{
    static const char *const names[TCE_COLL_COUNT] = {
        "all_reduce", "all_gather", "reduce_scatter",
        "all_to_all", "sendrecv",   "broadcast"};
    static const char *const short_names[TCE_COLL_COUNT] = {
        "allreduce", "allgather", "reducescatter",
        "alltoall",  "sendrecv",  "broadcast"};
    struct tce_error err;
    enum tce_coll k;
    int i;
    (void)state;

    for (i = 0; i < TCE_COLL_COUNT; i++) {
        const struct tce_coll_desc *d = tce_coll_desc((enum tce_coll)i);

        assert_non_null(d);
        assert_int_equal(d->kind, i);
        assert_string_equal(tce_coll_name((enum tce_coll)i), names[i]);
        assert_string_equal(d->short_name, short_names[i]);
    }
    assert_null(tce_coll_desc(TCE_COLL_COUNT));
    assert_string_equal(tce_coll_name(TCE_COLL_COUNT), "unknown");
    /* the plan's names are not parsed: bench's -c spells nccl-tests' */
    assert_int_equal(tce_coll_parse("all_reduce", &k, &err), TCE_EUSAGE);
    assert_string_equal(err.msg,
                        "unknown collective 'all_reduce' (known: allreduce, "
                        "allgather, reducescatter, alltoall, sendrecv, "
                        "broadcast)");
    /* whole elements; a multiple of n for the kinds that split */
    assert_int_equal(tce_coll_op_count(TCE_COLL_ALL_REDUCE, 30, 4), 7);
    assert_int_equal(tce_coll_op_count(TCE_COLL_ALL_GATHER, 30, 4), 4);
    assert_int_equal(tce_coll_op_count(TCE_COLL_SENDRECV, 2, 4), 0);
}

static void test_calibration_keys(void **state)
{
    struct tce_calibration_link l;
    (void)state;

    memset(&l, 0, sizeof(l));
    l.allreduce_efficiency = 0.9;
    l.allgather_efficiency = 0.8;
    l.reducescatter_efficiency = 0.7;
    l.alltoall_efficiency = 0.6;
    l.sendrecv_efficiency = 0.5;
    assert_close(tce_coll_calib_efficiency(TCE_COLL_ALL_REDUCE, &l), 0.9, 0);
    assert_close(tce_coll_calib_efficiency(TCE_COLL_ALL_GATHER, &l), 0.8, 0);
    assert_close(tce_coll_calib_efficiency(TCE_COLL_REDUCE_SCATTER, &l), 0.7,
                 0);
    assert_close(tce_coll_calib_efficiency(TCE_COLL_ALL_TO_ALL, &l), 0.6, 0);
    assert_close(tce_coll_calib_efficiency(TCE_COLL_SENDRECV, &l), 0.5, 0);
    assert_close(tce_coll_calib_efficiency(TCE_COLL_BROADCAST, &l), 0.0, 0);
    assert_string_equal(tce_coll_desc(TCE_COLL_ALL_TO_ALL)->calib_key,
                        "alltoall_efficiency");
    assert_null(tce_coll_desc(TCE_COLL_BROADCAST)->calib_key);
    tce_coll_calib_set_efficiency(TCE_COLL_REDUCE_SCATTER, &l, 0.25);
    assert_close(l.reducescatter_efficiency, 0.25, 0);
    tce_coll_calib_set_efficiency(TCE_COLL_BROADCAST, &l, 3.0);
    assert_close(l.sendrecv_efficiency, 0.5, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counts),
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_check_every_kind),
        cmocka_unit_test(test_factors),
        cmocka_unit_test(test_bandwidth),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_descriptors),
        cmocka_unit_test(test_calibration_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
