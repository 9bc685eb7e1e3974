/* test_runstats.c - run's results: combining ranks, averages, iterations,
 * busy time by charge and the ratios. */
#include "tce_test.h"

#include <stdlib.h>
#include <string.h>

#include "tcemu/runstats.h"

/* Two ranks: class 0 (compute, on both), class 1 (tp all-gather, rank 1
 * only), class 2 (a send, rank 0 only, not charged). */
static void two_ranks(struct tce_runstats *s)
{
    struct tce_runstats_class *a = calloc(TCE_RUNSTATS_CLASSES, sizeof(*a));
    struct tce_runstats_class *b = calloc(TCE_RUNSTATS_CLASSES, sizeof(*b));
    struct tce_runstats *other = calloc(1, sizeof(*other));

    assert_non_null(a);
    assert_non_null(b);
    assert_non_null(other);
    /* rank 0: 2 iterations, compute twice per iteration at 1 ms and 3 ms */
    a[0] = (struct tce_runstats_class){1, 4, 8e-3, 0, 0, 1.5e-3, 1.5e-3};
    a[2] = (struct tce_runstats_class){1, 2, 2e-6, 1e6, 1e6, 0, 0};
    /* rank 1: compute at 3 ms mean; tp 3 executions over 2 iterations */
    b[0] = (struct tce_runstats_class){1, 4, 12e-3, 0, 0, 1.5e-3, 1.5e-3};
    b[1] = (struct tce_runstats_class){1, 3, 3e-4, 5e5, 1e6, 8e-5, 1.6e-4};
    b[3] = (struct tce_runstats_class){1, 0, 0, 0, 0, 0, 0}; /* warm-up only */
    tce_runstats_local(s, a, 2);
    tce_runstats_local(other, b, 2);
    tce_runstats_merge(s, other);
    free(a);
    free(b);
    free(other);
}

static void test_combine(void **state)
{
    struct tce_runstats *s = calloc(1, sizeof(*s));
    (void)state;

    assert_non_null(s);
    two_ranks(s);
    assert_true(tce_runstats_ran(s, 0));
    assert_close(s->users[0], 2, 0);
    assert_close(s->min_s[0], 2e-3, 1e-12);
    assert_close(s->max_s[0], 3e-3, 1e-12);
    assert_close(tce_runstats_avg_s(s, 0), 2.5e-3, 1e-12);
    assert_close(s->per_iter[0], 2, 0);
    /* one rank's class keeps that rank's figures */
    assert_close(s->users[1], 1, 0);
    assert_close(tce_runstats_avg_s(s, 1), 1e-4, 1e-12);
    assert_close(s->per_iter[1], 1.5, 0);
    assert_close(s->bytes[1], 5e5, 0);
    assert_close(s->real_bytes[1], 1e6, 0);
    assert_close(s->modeled_full_s[1], 1.6e-4, 0);
    /* executed only in warm-up, and never run: no users, average 0 */
    assert_false(tce_runstats_ran(s, 3));
    assert_false(tce_runstats_ran(s, 4));
    assert_close(tce_runstats_avg_s(s, 4), 0, 0);
    assert_false(tce_runstats_ran(s, -1));
    assert_false(tce_runstats_ran(s, TCE_RUNSTATS_CLASSES));
    free(s);
}

/* Every array of the struct is in the field table, once. */
static void test_fields(void **state)
{
    size_t seen = 0;
    int f;
    (void)state;

    for (f = 0; f < TCE_RUNSTATS_FIELDS; f++) {
        assert_true(tce_runstats_fields[f].offset % sizeof(double) == 0);
        seen += sizeof(double) * TCE_RUNSTATS_CLASSES;
    }
    assert_int_equal(seen, sizeof(struct tce_runstats));
    assert_string_equal(tce_runstats_fields[0].name, "min_s");
    assert_int_equal(tce_runstats_fields[3].op, TCE_RUNSTATS_SUM);
}

static void test_iterations(void **state)
{
    const double iter_max[] = {0.3, 0.1, 0.2};
    const double mine[] = {0.1, 0.2};
    struct tce_stats st;
    (void)state;

    tce_runstats_iterations(iter_max, 3, &st);
    assert_int_equal(st.n, 3);
    assert_close(st.min, 0.1, 0);
    assert_close(st.max, 0.3, 0);
    assert_close(tce_stats_avg(&st), 0.2, 1e-12);
    /* a run stopped before any measured iteration: empty, not zeros read
     * as times */
    tce_runstats_iterations(iter_max, 0, &st);
    assert_int_equal(st.n, 0);
    assert_close(tce_runstats_rank_mean_s(mine, 2), 0.15, 1e-12);
    assert_close(tce_runstats_rank_mean_s(mine, 0), 0, 0);
}

static void test_charges(void **state)
{
    struct tce_runstats *s = calloc(1, sizeof(*s));
    int *charge = malloc(TCE_RUNSTATS_CLASSES * sizeof(int));
    double *scale = malloc(TCE_RUNSTATS_CLASSES * sizeof(double));
    struct tce_runstats_charges t;
    int i;
    (void)state;

    assert_non_null(s);
    assert_non_null(charge);
    assert_non_null(scale);
    two_ranks(s);
    for (i = 0; i < TCE_RUNSTATS_CLASSES; i++) {
        charge[i] = TCE_CHARGE_NONE;
        scale[i] = 1.0;
    }
    charge[0] = TCE_CHARGE_COMPUTE;
    scale[0] = 0.5; /* --time-scale 0.5 */
    charge[1] = TCE_CHARGE_TP;
    tce_runstats_charge_totals(s, charge, scale, 0.7, &t);
    /* compute: 2 per iteration x 2.5 ms measured; modelled 2 x 1.5 x 0.5 */
    assert_close(t.measured_s[TCE_CHARGE_COMPUTE], 5e-3, 1e-12);
    assert_close(t.modeled_s[TCE_CHARGE_COMPUTE], 1.5e-3, 1e-12);
    assert_close(t.measured_s[TCE_CHARGE_TP], 1.5e-4, 1e-12);
    assert_close(t.modeled_s[TCE_CHARGE_TP], 1.2e-4, 1e-12);
    assert_close(tce_runstats_ratio(t.measured_s[TCE_CHARGE_TP],
                                    t.modeled_s[TCE_CHARGE_TP]),
                 1.25, 1e-12);
    /* nothing measured on pp: the bubble is not added */
    assert_close(t.modeled_s[TCE_CHARGE_PP], 0, 0);
    charge[2] = TCE_CHARGE_PP;
    tce_runstats_charge_totals(s, charge, scale, 0.7, &t);
    assert_close(t.modeled_s[TCE_CHARGE_PP], 0.7, 1e-12);
    assert_close(tce_runstats_ratio(1.0, 0.0), 0, 0);
    free(s);
    free(charge);
    free(scale);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_combine),
        cmocka_unit_test(test_fields),
        cmocka_unit_test(test_iterations),
        cmocka_unit_test(test_charges),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
