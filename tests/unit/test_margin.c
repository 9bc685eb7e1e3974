/* test_margin.c - a pick against the job's own layout (margin.h), hand
 * values: the margin, the terms ordered by |delta|, the verdict when the
 * gaining terms' validation error is smaller than the advantage, at least
 * as large, or not measured, an own layout over the memory limit, and the
 * errors taken from a validation. */
#include "tce_test.h"

#include <string.h>

#include "tcemu/margin.h"

static void errors(struct tce_term_errors *e, double rel)
{
    int i;

    for (i = 0; i < TCE_PART_COUNT; i++)
        e->rel[i] = rel;
    snprintf(e->source, sizeof(e->source), "test");
}

/* pick: compute 10, bubble 1, dp 0.5 = 11.5 s; own: compute 10.3, bubble
 * 2, dp 0.3 = 12.6 s; advantage 1.1 s, margin 12.6 / 11.5 - 1. */
static void pair(struct tce_breakdown *pick, struct tce_breakdown *own)
{
    memset(pick, 0, sizeof(*pick));
    memset(own, 0, sizeof(*own));
    pick->compute_s = 10.0;
    pick->pp_bubble_s = 1.0;
    pick->dp_exposed_s = 0.5;
    own->compute_s = 10.3;
    own->pp_bubble_s = 2.0;
    own->dp_exposed_s = 0.3;
}

static void test_stands(void **state)
{
    struct tce_breakdown a, b;
    struct tce_term_errors e;
    struct tce_margin m;
    char buf[640];
    (void)state;

    pair(&a, &b);
    errors(&e, 0.036);
    tce_margin_compare(&a, 11.5, 11.5, &b, 12.6, 12.6, 0, 1, &e, &m);
    assert_close(m.margin, 12.6 / 11.5 - 1.0, 1e-12);
    assert_close(m.advantage_s, 1.1, 1e-12);
    assert_int_equal(m.n_terms, 3);
    assert_int_equal(m.terms[0].part, TCE_PART_PP_BUBBLE);
    assert_close(m.terms[0].delta_s, 1.0, 1e-12);
    assert_close(m.terms[0].error_s, 0.036 * 2.0, 1e-12);
    assert_int_equal(m.terms[1].part, TCE_PART_COMPUTE);
    assert_close(m.terms[1].delta_s, 0.3, 1e-9);
    assert_int_equal(m.terms[2].part, TCE_PART_DP);
    assert_close(m.terms[2].delta_s, -0.2, 1e-9);
    /* gaining terms: bubble 0.072 + compute 0.3708 < 1.1 s */
    assert_close(m.gain_error_s, 0.036 * 2.0 + 0.036 * 10.3, 1e-12);
    assert_int_equal(m.verdict, 0);
    tce_margin_sentence(&m, &e, buf, sizeof(buf));
    assert_non_null(strstr(buf, "own layout 9.6% worse"));
    assert_non_null(strstr(buf, "pp_bubble +1 s"));
    assert_non_null(strstr(buf, "stands"));
}

static void test_doubtful(void **state)
{
    struct tce_breakdown a, b;
    struct tce_term_errors e;
    struct tce_margin m;
    char buf[640];
    (void)state;

    pair(&a, &b);
    errors(&e, 0.036);
    e.rel[TCE_PART_COMPUTE] = 0.11; /* 0.11 x 10.3 = 1.133 s >= 1.1 s */
    tce_margin_compare(&a, 11.5, 11.5, &b, 12.6, 12.6, 0, 1, &e, &m);
    assert_int_equal(m.verdict, 1);
    assert_false(m.terms[0].doubtful); /* bubble: 0.072 s */
    assert_true(m.terms[1].doubtful);  /* compute */
    assert_false(m.terms[2].doubtful); /* dp: the own layout gains */
    tce_margin_sentence(&m, &e, buf, sizeof(buf));
    assert_non_null(strstr(buf, "rests on compute:"));
    assert_non_null(strstr(buf, "within the model's error"));
    /* no single term, but the gaining terms together */
    errors(&e, 0.09); /* 0.18 + 0.927 = 1.107 s >= 1.1 s */
    tce_margin_compare(&a, 11.5, 11.5, &b, 12.6, 12.6, 0, 1, &e, &m);
    assert_false(m.terms[0].doubtful);
    assert_false(m.terms[1].doubtful);
    assert_int_equal(m.verdict, 1);
}

static void test_unmeasured_and_same(void **state)
{
    struct tce_breakdown a, b;
    struct tce_term_errors e;
    struct tce_validation v;
    struct tce_margin m;
    (void)state;

    pair(&a, &b);
    memset(&v, 0, sizeof(v));
    snprintf(v.family, sizeof(v.family), "H100");
    v.kind = "dense";
    tce_term_errors_from_validation(&v, &e);
    assert_true(e.rel[TCE_PART_COMPUTE] < 0);
    assert_non_null(strstr(e.source, "no published validation for H100"));
    tce_margin_compare(&a, 11.5, 11.5, &b, 12.6, 12.6, 0, 1, &e, &m);
    assert_int_equal(m.verdict, -1);
    assert_true(m.terms[0].error_s < 0);
    v.applies = 1;
    v.worst = 0.036;
    v.reference = "Megatron-LM SC21";
    tce_term_errors_from_validation(&v, &e);
    assert_close(e.rel[TCE_PART_PP_BUBBLE], 0.036, 1e-15);
    tce_margin_compare(&a, 11.5, 11.5, &b, 12.6, 12.6, 0, 1, &e, &m);
    assert_int_equal(m.verdict, 0);
    /* the pick is the own layout */
    tce_margin_compare(&a, 11.5, 11.5, &a, 11.5, 11.5, 1, 1, &e, &m);
    assert_int_equal(m.n_terms, 0);
    assert_int_equal(m.verdict, 0);
    assert_close(m.margin, 0.0, 1e-15);
}

/* An own layout over the memory limit is no rival: faster (the pick's
 * "advantage" negative, which the error test would call doubtful) or
 * slower, the verdict says it does not fit. */
static void test_own_does_not_fit(void **state)
{
    struct tce_breakdown a, b;
    struct tce_term_errors e;
    struct tce_margin m;
    char buf[640];
    (void)state;

    pair(&a, &b);
    errors(&e, 0.036);
    /* own faster: pick 12.6 s, own 11.5 s */
    tce_margin_compare(&b, 12.6, 12.6, &a, 11.5, 11.5, 0, 1, &e, &m);
    assert_int_equal(m.verdict, 1); /* fitting: the old reading */
    tce_margin_compare(&b, 12.6, 12.6, &a, 11.5, 11.5, 0, 0, &e, &m);
    assert_int_equal(m.verdict, 2);
    assert_true(m.margin < 0.0);
    assert_close(m.advantage_s, -1.1, 1e-12);
    assert_string_equal(tce_margin_verdict_name(m.verdict),
                        "own does not fit");
    tce_margin_sentence(&m, &e, buf, sizeof(buf));
    assert_non_null(strstr(buf, "own layout 8.7% better"));
    assert_non_null(strstr(buf, "does not fit in memory"));
    assert_null(strstr(buf, "rests on"));
    /* own slower and over the limit: still no rival */
    tce_margin_compare(&a, 11.5, 11.5, &b, 12.6, 12.6, 0, 0, &e, &m);
    assert_int_equal(m.verdict, 2);
    /* the pick is the own layout: it fits (the search kept it) */
    tce_margin_compare(&a, 11.5, 11.5, &a, 11.5, 11.5, 1, 1, &e, &m);
    assert_int_equal(m.verdict, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stands),
        cmocka_unit_test(test_doubtful),
        cmocka_unit_test(test_unmeasured_and_same),
        cmocka_unit_test(test_own_does_not_fit),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
