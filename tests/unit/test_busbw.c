/* test_busbw.c - collective names and nccl-tests bandwidth factors. */
#include "tce_test.h"

#include <string.h>

#include "tcemu/busbw.h"

static void test_factors(void **state)
{
    static const struct {
        enum tce_busbw_kind kind;
        int n;
        double factor;
    } cases[] = {
        {TCE_BUSBW_ALLREDUCE, 8, 1.75},     {TCE_BUSBW_ALLREDUCE, 2, 1.0},
        {TCE_BUSBW_ALLREDUCE, 1, 0.0},      {TCE_BUSBW_ALLGATHER, 4, 0.75},
        {TCE_BUSBW_REDUCESCATTER, 8, 0.875}, {TCE_BUSBW_ALLTOALL, 2, 0.5},
        {TCE_BUSBW_SENDRECV, 8, 1.0},       {TCE_BUSBW_BROADCAST, 16, 1.0},
    };
    size_t i;
    (void)state;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        assert_close(tce_busbw_factor(cases[i].kind, cases[i].n),
                     cases[i].factor, 1e-12);
}

static void test_bandwidth(void **state)
{
    (void)state;
    /* 1 GB in 0.5 s = 2 GB/s; all-reduce on 4 ranks: busbw 3 GB/s. */
    assert_close(tce_busbw_algbw_gbytes_per_s(1e9, 0.5), 2.0, 1e-12);
    assert_close(tce_busbw_busbw_gbytes_per_s(TCE_BUSBW_ALLREDUCE, 4, 1e9, 0.5),
                 3.0, 1e-12);
    assert_close(tce_busbw_algbw_gbytes_per_s(1e9, 0.0), 0.0, 1e-12);
}

static void test_names(void **state)
{
    struct tce_error err;
    enum tce_busbw_kind k;
    int i;
    (void)state;

    for (i = 0; i < TCE_BUSBW_COUNT; i++) {
        assert_int_equal(
            tce_busbw_coll_parse(tce_busbw_coll_name((enum tce_busbw_kind)i),
                                 &k, &err),
            0);
        assert_int_equal(k, i);
    }
    assert_int_equal(tce_busbw_coll_parse("allreduc", &k, &err), TCE_EUSAGE);
    assert_non_null(strstr(err.msg, "allreduc"));
    assert_string_equal(tce_busbw_coll_name(TCE_BUSBW_COUNT), "unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_factors),
        cmocka_unit_test(test_bandwidth),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
