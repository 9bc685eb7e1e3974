/* test_cli.c - the table of shared options: a command's getopt tables
 * built from the shared rows it names plus its own, shared values stored,
 * its own options and unknown ones returned, --json - / --csv - rules. */
#include "tce_test.h"

#include <string.h>

#include "tcemu/cli.h"

static void test_shared_and_own(void **state)
{
    static const struct option own[] = {
        {"tolerance", required_argument, NULL, 'T'},
        {NULL, 0, NULL, 0},
    };
    char *argv[] = {"reproduce", "-t", "topo.cfg", "--json", "-",
                    "--tolerance", "0.1", "-r", "ref.csv", "-h", NULL};
    int argc = 10, c, seen_t = 0, seen_r = 0, seen_h = 0, stored = 0;
    struct tce_cli_parser p;
    struct tce_cli_common co;
    (void)state;

    memset(&co, 0, sizeof(co));
    assert_int_equal(tce_cli_parser_init(&p,
                                         TCE_CLI_TOPOLOGY | TCE_CLI_JSON |
                                             TCE_CLI_HELP,
                                         own, "r:"),
                     0);
    assert_non_null(strstr(p.shortopts, "t:"));
    assert_non_null(strstr(p.shortopts, "r:"));
    assert_null(strchr(p.shortopts, 'j')); /* not named: not taken */
    while ((c = tce_cli_next(&p, argc, argv, &co)) != -1) {
        if (c == 0)
            stored++;
        else if (c == 'T')
            seen_t = 1;
        else if (c == 'r')
            seen_r = 1;
        else if (c == 'h')
            seen_h = 1;
        else
            fail();
    }
    assert_int_equal(stored, 2);
    assert_int_equal(p.last, TCE_CLI_OPT_JSON);
    assert_true(seen_t && seen_r && seen_h);
    assert_string_equal(co.topology, "topo.cfg");
    assert_string_equal(co.json, "-");
    assert_null(co.job);
    assert_false(tce_cli_human(&co)); /* --json - : JSON only on stdout */
}

static void test_unknown_and_untaken(void **state)
{
    char *argv[] = {"validate", "-j", "job.cfg", NULL};
    struct tce_cli_parser p;
    struct tce_cli_common co;
    (void)state;

    memset(&co, 0, sizeof(co));
    tce_cli_parser_init(&p, TCE_CLI_HELP, NULL, "q");
    assert_int_equal(tce_cli_next(&p, 3, argv, &co), '?');
    assert_null(co.job);
}

static void test_stdout_rules(void **state)
{
    struct tce_cli_common co;
    (void)state;

    memset(&co, 0, sizeof(co));
    assert_true(tce_cli_human(&co));
    co.json = "out.json";
    co.csv = "-";
    assert_false(tce_cli_human(&co));
    assert_int_equal(tce_cli_stdout_clash("project", &co), 0);
    co.json = "-";
    assert_int_equal(tce_cli_stdout_clash("project", &co), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shared_and_own),
        cmocka_unit_test(test_unknown_and_untaken),
        cmocka_unit_test(test_stdout_rules),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
