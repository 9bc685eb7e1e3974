/* test_confidence.c - confidence words in source strings: whole words,
 * the weakest wins, names are not words; the groups of a topology and of a
 * contract; the summary and the description of the weak inputs. */
#include "tce_test.h"

#include <string.h>

#include "tcemu/confidence.h"

static void test_parse(void **state)
{
    static const struct {
        const char *s;
        enum tce_confidence want;
    } cases[] = {
        {NULL, TCE_CONF_UNSTATED},
        {"", TCE_CONF_UNSTATED},
        {"made up for emulation", TCE_CONF_UNSTATED},
        {"NVIDIA datasheet (read)", TCE_CONF_READ},
        {"AWS page (secondary); EFA guide (read)", TCE_CONF_SECONDARY},
        {"PUE (recalled); EIA (read); grid (secondary)", TCE_CONF_RECALLED},
        {"datasheet (read); latency, efficiency estimates",
         TCE_CONF_ESTIMATE},
        {"unconfirmed: one public secondary listing", TCE_CONF_UNCONFIRMED},
        {"ESTIMATE: 50% off", TCE_CONF_ESTIMATE},
        /* not whole words, or parts of names */
        {"already reads readme spreadsheet", TCE_CONF_UNSTATED},
        {"matmul_read read_2 estimate_x x_estimate", TCE_CONF_UNSTATED},
        {"read2 estimated", TCE_CONF_UNSTATED},
        {"(read via secondary copies)", TCE_CONF_SECONDARY},
    };
    size_t i;
    (void)state;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        assert_int_equal(tce_confidence_parse(cases[i].s), cases[i].want);
}

static void test_names_order(void **state)
{
    (void)state;
    assert_string_equal(tce_confidence_name(TCE_CONF_READ), "read");
    assert_string_equal(tce_confidence_name(TCE_CONF_UNSTATED), "unstated");
    assert_string_equal(tce_confidence_name(TCE_CONF_UNCONFIRMED),
                        "unconfirmed");
    assert_int_equal(tce_confidence_weaker(TCE_CONF_READ, TCE_CONF_RECALLED),
                     TCE_CONF_RECALLED);
    assert_int_equal(
        tce_confidence_weaker(TCE_CONF_UNSTATED, TCE_CONF_SECONDARY),
        TCE_CONF_SECONDARY);
    assert_int_equal(
        tce_confidence_weaker(TCE_CONF_ESTIMATE, TCE_CONF_UNCONFIRMED),
        TCE_CONF_UNCONFIRMED);
    assert_string_equal(tce_confidence_group_key(TCE_CONF_SCALE_OUT),
                        "scale_out");
    assert_string_equal(tce_confidence_group_label(TCE_CONF_SCALE_OUT),
                        "scale-out");
}

static void fill(struct tce_topology *t, struct tce_contract *c)
{
    memset(t, 0, sizeof(*t));
    memset(c, 0, sizeof(*c));
    snprintf(t->accelerator.source, TCE_TEXT_MAX, "datasheet (read)");
    snprintf(t->scale_up.source, TCE_TEXT_MAX, "page (secondary)");
    snprintf(t->scale_out.source, TCE_TEXT_MAX,
             "page (read); latency estimate");
    snprintf(t->price.source, TCE_TEXT_MAX, "price page (secondary)");
    snprintf(t->power.source, TCE_TEXT_MAX, "PUE (recalled)");
    snprintf(t->node.source, TCE_TEXT_MAX, "datasheet (read)");
    /* reliability: unstated */
    snprintf(c->name, TCE_NAME_MAX, "block");
    snprintf(c->source, TCE_TEXT_MAX,
             "unconfirmed: one listing, a long text that goes on and on "
             "past the ninety characters a description keeps of it, really");
}

static void test_groups(void **state)
{
    struct tce_topology t;
    struct tce_contract c;
    struct tce_confidence_set s;
    char buf[512];
    (void)state;

    fill(&t, &c);
    tce_confidence_of(&t, NULL, &s);
    assert_int_equal(s.group[TCE_CONF_ACCELERATOR], TCE_CONF_READ);
    assert_int_equal(s.group[TCE_CONF_SCALE_UP], TCE_CONF_SECONDARY);
    assert_int_equal(s.group[TCE_CONF_SCALE_OUT], TCE_CONF_ESTIMATE);
    assert_int_equal(s.group[TCE_CONF_PRICE], TCE_CONF_SECONDARY);
    assert_int_equal(s.group[TCE_CONF_POWER], TCE_CONF_RECALLED);
    assert_int_equal(s.group[TCE_CONF_RELIABILITY], TCE_CONF_UNSTATED);
    assert_string_equal(tce_confidence_summary(&s, buf, sizeof(buf)),
                        "accelerator read, scale-up secondary, scale-out "
                        "estimate, price secondary, power recalled, "
                        "reliability unstated");
    assert_int_equal(
        tce_confidence_describe(&s, TCE_CONF_UNCONFIRMED, "x", buf,
                                sizeof(buf)),
        0);
    assert_string_equal(buf, "");

    /* the contract's own source weakens the price */
    tce_confidence_of(&t, &c, &s);
    assert_int_equal(s.group[TCE_CONF_PRICE], TCE_CONF_UNCONFIRMED);
    assert_int_equal(tce_confidence_describe(&s, TCE_CONF_UNCONFIRMED,
                                             "aws-x", buf, sizeof(buf)),
                     1);
    assert_non_null(strstr(buf, "aws-x's contract block's price "
                                "(unconfirmed: one listing"));
    assert_non_null(strstr(buf, "...)"));
    assert_int_equal(tce_confidence_describe(&s, TCE_CONF_ESTIMATE, NULL,
                                             buf, sizeof(buf)),
                     1);
    assert_string_equal(buf, "scale-out (estimate: page (read); latency "
                             "estimate)");
    /* truncation never overruns */
    tce_confidence_summary(&s, buf, 10);
    assert_true(strlen(buf) < 10);
    tce_confidence_describe(&s, TCE_CONF_UNCONFIRMED, "aws-x", buf, 12);
    assert_true(strlen(buf) < 12);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_names_order),
        cmocka_unit_test(test_groups),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
