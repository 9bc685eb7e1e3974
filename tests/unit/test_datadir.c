/* test_datadir.c - where NAMEs of shipped files are found: the search order
 * (TCEMU_DATA_DIR alone, beside the executable, its checkout, compiled in,
 * the current checkout), both layouts, paths shown relative to the current
 * directory, and errors naming every file tried and the nearest NAME. */
#include "tce_test.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tcemu/datadir.h"
#include "tcemu/error.h"

struct tree {
    char root[64];
    char prefix[128], share[160], co[128], exe_inst[160], exe_co[160];
};

static void touch(const char *root, const char *rel)
{
    char path[256], cmd[320];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", root, rel);
    snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", path);
    assert_int_equal(system(cmd), 0);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("x\n", f);
    fclose(f);
}

static int setup(void **state)
{
    struct tree *t = calloc(1, sizeof(*t));

    snprintf(t->root, sizeof(t->root), "/tmp/tce-test-datadir-XXXXXX");
    if (!t || !mkdtemp(t->root))
        return -1;
    snprintf(t->prefix, sizeof(t->prefix), "%s/prefix", t->root);
    snprintf(t->share, sizeof(t->share), "%s/share/tcemu", t->prefix);
    snprintf(t->co, sizeof(t->co), "%s/co", t->root);
    snprintf(t->exe_inst, sizeof(t->exe_inst), "%s/bin/tcemu", t->prefix);
    snprintf(t->exe_co, sizeof(t->exe_co), "%s/build/san/tcemu", t->co);
    touch(t->share, "topologies/aws-p5.cfg");
    touch(t->share, "jobs/llama3-70b.cfg");
    touch(t->share, "reference/sc21.csv");
    touch(t->co, "topologies/aws-p4d.cfg");
    touch(t->co, "jobs/tiny.cfg");
    touch(t->co, "tests/fixtures/reference/sc21.csv");
    touch(t->co, "build/san/tcemu");
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    struct tree *t = *state;
    char cmd[128];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->root);
    assert_int_equal(system(cmd), 0);
    free(t);
    return 0;
}

static void test_is_name(void **state)
{
    (void)state;
    assert_true(tce_datadir_is_name(TCE_DATA_TOPOLOGY, "aws-p5"));
    assert_true(tce_datadir_is_name(TCE_DATA_JOB, "llama3-70b"));
    assert_false(tce_datadir_is_name(TCE_DATA_TOPOLOGY, "aws-p5.cfg"));
    assert_false(tce_datadir_is_name(TCE_DATA_TOPOLOGY, "topologies/x"));
    assert_false(tce_datadir_is_name(TCE_DATA_TOPOLOGY, "./x"));
    assert_false(tce_datadir_is_name(TCE_DATA_TOPOLOGY, "-"));
    assert_false(tce_datadir_is_name(TCE_DATA_TOPOLOGY, ""));
    assert_false(tce_datadir_is_name(TCE_DATA_TOPOLOGY, NULL));
    assert_false(tce_datadir_is_name(TCE_DATA_TOPOLOGY, ".."));
    assert_false(tce_datadir_is_name(TCE_DATA_PATH, "aws-p5"));
    assert_false(tce_datadir_is_name(TCE_DATA_REFERENCE, "sc21.csv"));
    assert_true(tce_datadir_is_name(TCE_DATA_REFERENCE, "sc21"));
}

static void test_installed(void **state)
{
    struct tree *t = *state;
    struct tce_datadir d;
    struct tce_error err;
    char out[512], want[512];

    tce_datadir_init(&d, NULL, t->exe_inst, "/", "/nonexistent/share/tcemu");
    assert_int_equal(d.n, 2);
    assert_string_equal(d.roots[0].dir, t->share);
    assert_int_equal(d.roots[0].checkout, 0);
    assert_string_equal(d.roots[1].dir, "/nonexistent/share/tcemu");
    assert_int_equal(tce_datadir_find(&d, TCE_DATA_TOPOLOGY, "aws-p5", out,
                                      sizeof(out), &err),
                     0);
    snprintf(want, sizeof(want), "%s/topologies/aws-p5.cfg", t->share);
    assert_string_equal(out, want);
    assert_int_equal(tce_datadir_find(&d, TCE_DATA_REFERENCE, "sc21", out,
                                      sizeof(out), &err),
                     0);
    snprintf(want, sizeof(want), "%s/reference/sc21.csv", t->share);
    assert_string_equal(out, want);
    /* compiled in == beside the executable: once */
    tce_datadir_init(&d, "", t->exe_inst, NULL, t->share);
    assert_int_equal(d.n, 1);
    /* the executable moved away: the compiled-in directory finds it */
    tce_datadir_init(&d, NULL, "/usr/bin/tcemu-copy", NULL, t->share);
    assert_int_equal(tce_datadir_find(&d, TCE_DATA_JOB, "llama3-70b", out,
                                      sizeof(out), &err),
                     0);
    snprintf(want, sizeof(want), "%s/jobs/llama3-70b.cfg", t->share);
    assert_string_equal(out, want);
    assert_string_equal(d.roots[0].why, "compiled in");
}

static void test_checkout(void **state)
{
    struct tree *t = *state;
    struct tce_datadir d;
    struct tce_error err;
    char out[512], want[512];

    /* build/san/tcemu: the checkout two levels up; the tree installed
     * elsewhere comes after it */
    tce_datadir_init(&d, NULL, t->exe_co, "/", t->share);
    assert_int_equal(d.n, 2);
    assert_string_equal(d.roots[0].dir, t->co);
    assert_int_equal(d.roots[0].checkout, 1);
    assert_int_equal(tce_datadir_find(&d, TCE_DATA_REFERENCE, "sc21", out,
                                      sizeof(out), &err),
                     0);
    snprintf(want, sizeof(want), "%s/tests/fixtures/reference/sc21.csv",
             t->co);
    assert_string_equal(out, want);
    /* a NAME only the second root has */
    assert_int_equal(tce_datadir_find(&d, TCE_DATA_TOPOLOGY, "aws-p5", out,
                                      sizeof(out), &err),
                     0);
    snprintf(want, sizeof(want), "%s/topologies/aws-p5.cfg", t->share);
    assert_string_equal(out, want);
    /* run from the checkout: the path relative to it */
    tce_datadir_init(&d, NULL, t->exe_co, t->co, NULL);
    assert_int_equal(tce_datadir_find(&d, TCE_DATA_JOB, "tiny", out,
                                      sizeof(out), &err),
                     0);
    assert_string_equal(out, "jobs/tiny.cfg");
    /* an executable built elsewhere, run in the checkout */
    tce_datadir_init(&d, NULL, "/elsewhere/tcemu", t->co, NULL);
    assert_int_equal(d.n, 1);
    assert_string_equal(d.roots[0].why,
                        "the checkout in the current directory");
    assert_int_equal(tce_datadir_find(&d, TCE_DATA_TOPOLOGY, "aws-p4d", out,
                                      sizeof(out), &err),
                     0);
    assert_string_equal(out, "topologies/aws-p4d.cfg");
}

static void test_env_and_errors(void **state)
{
    struct tree *t = *state;
    struct tce_datadir d;
    struct tce_error err;
    char out[512], want[1024];

    /* TCEMU_DATA_DIR is the only directory searched */
    tce_datadir_init(&d, t->co, t->exe_inst, "/", t->share);
    assert_int_equal(d.n, 1);
    assert_string_equal(d.roots[0].why, "TCEMU_DATA_DIR");
    tce_error_clear(&err);
    assert_int_equal(tce_datadir_find(&d, TCE_DATA_TOPOLOGY, "aws-p5", out,
                                      sizeof(out), &err),
                     TCE_EUSAGE);
    snprintf(want, sizeof(want),
             "no topology named 'aws-p5' (tried %s/topologies/aws-p5.cfg); "
             "did you mean 'aws-p4d'?",
             t->co);
    assert_string_equal(err.msg, want);
    /* every file tried is named, in order; no suggestion when none is near */
    tce_datadir_init(&d, NULL, t->exe_inst, "/", t->co);
    assert_int_equal(tce_datadir_find(&d, TCE_DATA_JOB, "gpt-13b-long", out,
                                      sizeof(out), &err),
                     TCE_EUSAGE);
    snprintf(want, sizeof(want),
             "no job named 'gpt-13b-long' (tried %s/jobs/gpt-13b-long.cfg, "
             "%s/jobs/gpt-13b-long.cfg)",
             t->share, t->co);
    assert_string_equal(err.msg, want);
    /* a path is copied, never looked up */
    assert_int_equal(tce_datadir_resolve(TCE_DATA_TOPOLOGY, "no/such.cfg",
                                         out, sizeof(out), &err),
                     0);
    assert_string_equal(out, "no/such.cfg");
    assert_int_equal(tce_datadir_resolve(TCE_DATA_JOB, "-", out, sizeof(out),
                                         &err),
                     0);
    assert_string_equal(out, "-");
    assert_int_equal(tce_datadir_resolve(TCE_DATA_JOB, NULL, out, sizeof(out),
                                         &err),
                     0);
    assert_string_equal(out, "");
    /* too small an output buffer */
    tce_datadir_init(&d, NULL, t->exe_inst, NULL, NULL);
    assert_int_equal(tce_datadir_find(&d, TCE_DATA_JOB, "llama3-70b", out, 8,
                                      &err),
                     TCE_ERANGE);
    assert_string_equal(tce_datadir_kind_name(TCE_DATA_REFERENCE),
                        "reference table");
    assert_non_null(tce_datadir_compiled());
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_is_name),
        cmocka_unit_test(test_installed),
        cmocka_unit_test(test_checkout),
        cmocka_unit_test(test_env_and_errors),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
