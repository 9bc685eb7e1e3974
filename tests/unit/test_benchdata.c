/* test_benchdata.c - bench's nccl-tests vocabulary: sizes in powers of
 * 1024, -o / -d / -a values and their messages; the op-aware data check
 * (an exact reduction simulated here, without MPI, checks clean for every
 * op, in and out of place; one wrong element is counted once). */
#include "tce_test.h"

#include <string.h>

#include "tcemu/benchdata.h"

#define N 4
#define COUNT 64
#define SEED 3u

static void test_words(void **state)
{
    struct tce_error err;
    enum tce_benchdata_op op;
    enum tce_benchdata_avg a;
    (void)state;

    assert_int_equal(tce_benchdata_op_parse("prod", &op, &err), 0);
    assert_int_equal(op, TCE_BENCHDATA_PROD);
    assert_string_equal(tce_benchdata_op_name(TCE_BENCHDATA_MAX), "max");
    assert_int_equal(tce_benchdata_op_parse("avg", &op, &err), TCE_EUSAGE);
    assert_non_null(strstr(err.msg, "no MPI equivalent"));
    assert_int_equal(tce_benchdata_op_parse("su", &op, &err), TCE_EUSAGE);
    assert_non_null(strstr(err.msg, "unknown -o 'su'"));
    assert_int_equal(tce_benchdata_type_parse("float", &err), 0);
    assert_int_equal(tce_benchdata_type_parse("half", &err), TCE_EUSAGE);
    assert_non_null(strstr(err.msg, "-d half: not supported"));
    assert_int_equal(tce_benchdata_type_parse("flt", &err), TCE_EUSAGE);
    assert_non_null(strstr(err.msg, "unknown -d 'flt'"));
    assert_int_equal(tce_benchdata_avg_parse("3", &a, &err), 0);
    assert_int_equal(a, TCE_BENCHDATA_AVG_MAX);
    assert_int_equal(tce_benchdata_avg_parse("4", &a, &err), TCE_EUSAGE);
    assert_string_equal(tce_benchdata_avg_key(TCE_BENCHDATA_AVG_MEAN), "avg");
}

/* What an exact MPI leaves on rank after one operation whose inputs
 * tce_benchdata_init prepared on every rank (in[r]: rank r's input). */
static void simulate(enum tce_coll kind, enum tce_benchdata_op op,
                     int in_place, int rank, float *recv, size_t *rc_out)
{
    float send[N][COUNT], rbuf[N][COUNT];
    const float *in[N];
    size_t sc, rc, c = COUNT / N, i;
    int r;

    tce_coll_counts(kind, COUNT, N, &sc, &rc);
    for (r = 0; r < N; r++) {
        tce_benchdata_init(kind, op, in_place, send[r], sc, rbuf[r], rc, r, N,
                           SEED);
        in[r] = in_place && kind == TCE_COLL_ALL_GATHER
                    ? rbuf[r] + (size_t)r * c
                    : (in_place ? rbuf[r] : send[r]);
    }
    for (i = 0; i < rc; i++) {
        float acc = 0;
        size_t src = kind == TCE_COLL_REDUCE_SCATTER ? rank * c + i : i;

        switch (kind) {
        case TCE_COLL_ALL_REDUCE:
        case TCE_COLL_REDUCE_SCATTER:
            acc = in[0][src];
            for (r = 1; r < N; r++)
                acc = op == TCE_BENCHDATA_SUM    ? acc + in[r][src]
                      : op == TCE_BENCHDATA_PROD ? acc * in[r][src]
                      : op == TCE_BENCHDATA_MIN
                          ? (in[r][src] < acc ? in[r][src] : acc)
                          : (in[r][src] > acc ? in[r][src] : acc);
            break;
        case TCE_COLL_ALL_GATHER:
            acc = in[i / c][i % c];
            break;
        case TCE_COLL_ALL_TO_ALL:
            acc = in[i / c][rank * c + i % c];
            break;
        case TCE_COLL_BROADCAST:
            acc = in[0][i];
            break;
        default:
            acc = in[(rank + N - 1) % N][i];
            break;
        }
        recv[i] = acc;
    }
    *rc_out = rc;
}

static void test_check(void **state)
{
    float recv[COUNT];
    size_t rc;
    int k, op, ip, rank;
    (void)state;

    for (k = 0; k < TCE_COLL_COUNT; k++)
        for (op = 0; op < TCE_BENCHDATA_OP_COUNT; op++)
            for (ip = 0; ip < 2; ip++) {
                if (ip && !tce_benchdata_has_in_place((enum tce_coll)k))
                    continue;
                for (rank = 0; rank < N; rank++) {
                    simulate((enum tce_coll)k, (enum tce_benchdata_op)op, ip,
                             rank, recv, &rc);
                    assert_int_equal(
                        tce_benchdata_wrong((enum tce_coll)k,
                                            (enum tce_benchdata_op)op, recv,
                                            rc, rank, N, SEED),
                        0);
                    if (rank == 0 && k == TCE_COLL_BROADCAST)
                        continue; /* the root is not checked */
                    recv[rc / 2] += 0.25f;
                    assert_int_equal(
                        tce_benchdata_wrong((enum tce_coll)k,
                                            (enum tce_benchdata_op)op, recv,
                                            rc, rank, N, SEED),
                        1);
                }
            }
}

static void test_prod_values_exact(void **state)
{
    size_t i;
    float v;
    (void)state;

    for (i = 0; i < 100; i++) {
        v = tce_benchdata_value(TCE_COLL_ALL_REDUCE, TCE_BENCHDATA_PROD, SEED,
                                1, i);
        assert_true(v == 0.5f || v == 1.0f || v == 2.0f);
        /* a kind that does not reduce keeps coll.h's values */
        assert_true(tce_benchdata_value(TCE_COLL_ALL_GATHER,
                                        TCE_BENCHDATA_PROD, SEED, 1, i) ==
                    tce_coll_value(SEED, 1, i));
    }
    assert_false(tce_benchdata_has_in_place(TCE_COLL_SENDRECV));
    assert_true(tce_benchdata_reduces(TCE_COLL_REDUCE_SCATTER));
    assert_false(tce_benchdata_reduces(TCE_COLL_BROADCAST));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_words),
        cmocka_unit_test(test_check),
        cmocka_unit_test(test_prod_values_exact),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
