/* test_stats.c - min/avg/max, medians, chunking, byte scaling, skew split. */
#include "tce_test.h"

#include <limits.h>

#include "tcemu/stats.h"

static void test_running(void **state)
{
    struct tce_stats s;
    (void)state;

    tce_stats_init(&s);
    assert_close(tce_stats_avg(&s), 0.0, 0);
    tce_stats_add(&s, 3.0);
    tce_stats_add(&s, -1.0);
    tce_stats_add(&s, 4.0);
    assert_int_equal(s.n, 3);
    assert_close(s.min, -1.0, 0);
    assert_close(s.max, 4.0, 0);
    assert_close(tce_stats_avg(&s), 2.0, 1e-12);
}

static void test_median(void **state)
{
    double odd[] = {5, 1, 3};
    double even[] = {4, 1, 3, 2};
    (void)state;

    assert_close(tce_stats_median(odd, 3), 3.0, 0);
    assert_close(tce_stats_median(even, 4), 2.5, 0);
    assert_close(tce_stats_median(NULL, 0), 0.0, 0);
}

static void test_chunks(void **state)
{
    static const struct {
        int64_t count, max, chunks, last;
    } cases[] = {
        {0, INT_MAX, 0, 0},
        {10, INT_MAX, 1, 10},
        {(int64_t)INT_MAX, INT_MAX, 1, INT_MAX},
        {(int64_t)INT_MAX + 1, INT_MAX, 2, 1},
        {5000000000LL, INT_MAX, 3, 5000000000LL - 2LL * INT_MAX},
        {10, 3, 4, 1},
    };
    size_t i;
    int64_t k, sum;
    (void)state;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(tce_stats_chunks(cases[i].count, cases[i].max),
                         cases[i].chunks);
        sum = 0;
        for (k = 0; k < cases[i].chunks; k++) {
            assert_true(tce_stats_chunk_count(cases[i].count, cases[i].max,
                                              k) <= cases[i].max);
            sum += tce_stats_chunk_count(cases[i].count, cases[i].max, k);
        }
        assert_int_equal(sum, cases[i].count);
        if (cases[i].chunks > 0)
            assert_int_equal(tce_stats_chunk_count(cases[i].count,
                                                   cases[i].max,
                                                   cases[i].chunks - 1),
                             cases[i].last);
    }
}

static void test_byte_scale(void **state)
{
    (void)state;
    assert_close(tce_stats_byte_scale(100, 1000), 1.0, 0);
    assert_close(tce_stats_byte_scale(4000, 1000), 0.25, 1e-12);
    assert_int_equal(tce_stats_scale_bytes(4000, 0.25, 4), 1000);
    assert_int_equal(tce_stats_scale_bytes(4002, 0.25, 4), 1000);
    assert_int_equal(tce_stats_scale_bytes(8, 0.01, 4), 4); /* >= 1 elem */
    assert_int_equal(tce_stats_scale_bytes(0, 0.5, 4), 0);
    assert_int_equal(tce_stats_scale_bytes(1 << 20, 1.0, 2), 1 << 20);
}

static void test_skew(void **state)
{
    struct tce_error err;
    int64_t c[8];
    int i;
    int64_t sum;
    (void)state;

    assert_int_equal(tce_stats_skew_split(800, 8, 0.0, 0, c, &err), 0);
    for (i = 0; i < 8; i++)
        assert_int_equal(c[i], 100);
    /* skew 1: the hot rank gets twice its share, the rest share 600. */
    assert_int_equal(tce_stats_skew_split(800, 8, 1.0, 3, c, &err), 0);
    assert_int_equal(c[3], 200);
    for (sum = 0, i = 0; i < 8; i++)
        sum += c[i];
    assert_int_equal(sum, 800);
    assert_int_equal(c[0], 600 / 7 + 1);
    /* Everything to one rank. */
    assert_int_equal(tce_stats_skew_split(801, 8, 7.0, 7, c, &err), 0);
    assert_int_equal(c[7], 801);
    assert_int_equal(c[0], 0);
    assert_int_equal(tce_stats_skew_split(800, 8, 7.5, 0, c, &err),
                     TCE_ERANGE);
    assert_int_equal(tce_stats_skew_split(800, 8, -0.5, 0, c, &err),
                     TCE_ERANGE);
    assert_int_equal(tce_stats_skew_split(10, 1, 0.0, 0, c, &err), 0);
    assert_int_equal(c[0], 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_running),   cmocka_unit_test(test_median),
        cmocka_unit_test(test_chunks),    cmocka_unit_test(test_byte_scale),
        cmocka_unit_test(test_skew),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
