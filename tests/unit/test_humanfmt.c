/* test_humanfmt.c - planner-grade numbers: suffixes, rounding at the
 * suffix edges, money, thousands separators, never an exponent. */
#include "tce_test.h"

#include <math.h>
#include <string.h>

#include "tcemu/humanfmt.h"

static void test_si(void **state)
{
    static const struct {
        double v;
        const char *want;
    } cases[] = {
        {0.0, "0"},          {0.512, "0.512"},     {7.25, "7.25"},
        {12.34, "12.3"},     {999.0, "999.0"},     {999.96, "1.00k"},
        {1910000.0, "1.91M"}, {37.2e6, "37.2M"},   {255.6e6, "255.6M"},
        {1.884e8, "188.4M"}, {15.6e12, "15.6T"},   {2.5e9, "2.50B"},
        {-4321.0, "-4.32k"}, {3e18, "3000.0P"},    {NAN, "n/a"},
        {4.1e-6, "<0.001"},  {0.00532, "0.00532"}, {-2e-5, "-<0.001"},
    };
    char buf[TCE_HUMANFMT_MAX];
    size_t i;
    (void)state;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        tce_humanfmt_si(cases[i].v, buf, sizeof(buf));
        assert_string_equal(buf, cases[i].want);
        assert_null(strchr(buf, 'e'));
    }
}

static void test_usd(void **state)
{
    char buf[TCE_HUMANFMT_MAX];
    (void)state;

    assert_string_equal(tce_humanfmt_usd(255.6e6, buf, sizeof(buf)),
                        "USD 255.6M");
    assert_string_equal(tce_humanfmt_usd(1.2e9, buf, sizeof(buf)),
                        "USD 1.20B");
    assert_string_equal(tce_humanfmt_usd(980.0, buf, sizeof(buf)),
                        "USD 980.0");
}

static void test_count(void **state)
{
    char buf[TCE_HUMANFMT_MAX];
    (void)state;

    assert_string_equal(tce_humanfmt_count(0, buf, sizeof(buf)), "0");
    assert_string_equal(tce_humanfmt_count(999, buf, sizeof(buf)), "999");
    assert_string_equal(tce_humanfmt_count(16384, buf, sizeof(buf)),
                        "16,384");
    assert_string_equal(tce_humanfmt_count(-1234567, buf, sizeof(buf)),
                        "-1,234,567");
    assert_string_equal(tce_humanfmt_count(INT64_MIN, buf, sizeof(buf)),
                        "-9,223,372,036,854,775,808");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_si),
        cmocka_unit_test(test_usd),
        cmocka_unit_test(test_count),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
