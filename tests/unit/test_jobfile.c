/*
 * test_jobfile.c - unit tests of src/jobfile.c: a job written with
 * tce_jobfile_save loads back (tce_job_load) to the same value of every
 * schema key (doubles bit for bit, 64-bit integers, strings with quotes,
 * enumerations, a pipeline layout string), for shipped dense and MoE jobs.
 * Runs from the repository root.
 */
#include "tce_test.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tcemu/config.h"
#include "tcemu/jobfile.h"

#define VALUES_MAX 256

struct values {
    int n;
    struct tce_config_value v[VALUES_MAX];
    char s[VALUES_MAX][TCE_TEXT_MAX];
};

static void keep(const struct tce_config_value *v, void *arg)
{
    struct values *vs = arg;

    assert_true(vs->n < VALUES_MAX);
    vs->v[vs->n] = *v;
    snprintf(vs->s[vs->n], TCE_TEXT_MAX, "%s", v->s ? v->s : "");
    vs->n++;
}

static void assert_same(const struct tce_job *a, const struct tce_job *b)
{
    struct values *x = calloc(1, sizeof(*x)), *y = calloc(1, sizeof(*y));
    int i;

    assert_non_null(x);
    assert_non_null(y);
    assert_int_equal(tce_config_visit(TCE_CONFIG_JOB, a, keep, x), 0);
    assert_int_equal(tce_config_visit(TCE_CONFIG_JOB, b, keep, y), 0);
    assert_int_equal(x->n, y->n);
    assert_true(x->n > 50);
    for (i = 0; i < x->n; i++) {
        assert_string_equal(x->v[i].key, y->v[i].key);
        assert_int_equal(x->v[i].type, y->v[i].type);
        assert_true(x->v[i].i == y->v[i].i);
        assert_memory_equal(&x->v[i].d, &y->v[i].d, sizeof(double));
        assert_string_equal(x->s[i], y->s[i]);
    }
    free(x);
    free(y);
}

static void round_trip(const char *shipped, void (*edit)(struct tce_job *))
{
    struct tce_job *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
    char path[] = "/tmp/tce_jobfile_XXXXXX";
    struct tce_error err;
    int fd = mkstemp(path);

    assert_true(fd >= 0);
    close(fd);
    assert_non_null(a);
    assert_non_null(b);
    tce_error_clear(&err);
    assert_int_equal(tce_job_load(shipped, a, NULL), 0);
    if (edit)
        edit(a);
    assert_int_equal(tce_jobfile_save(a, path, &err), 0);
    assert_int_equal(tce_job_load(path, b, NULL), 0);
    assert_same(a, b);
    unlink(path);
    free(a);
    free(b);
}

static void edit_moe(struct tce_job *j)
{
    snprintf(j->description, sizeof(j->description),
             "a \"quoted\" description with a back\\slash");
    j->training.hidden_dropout = 0.1 + 0.2; /* not a short decimal */
    j->training.train_tokens = INT64_C(14800000000001);
    j->training.recompute_granularity = TCE_RECOMPUTE_FULL;
}

static void test_round_trip_dense(void **state)
{
    (void)state;
    round_trip("jobs/llama3-70b.cfg", NULL);
}

static void test_round_trip_moe(void **state)
{
    (void)state;
    round_trip("jobs/deepseek-v3.cfg", edit_moe);
}

static void test_save_bad_path(void **state)
{
    struct tce_job *j = calloc(1, sizeof(*j));
    struct tce_error err;

    (void)state;
    assert_non_null(j);
    tce_error_clear(&err);
    tce_job_defaults(j);
    assert_int_equal(tce_jobfile_save(j, "/nonexistent/dir/x.cfg", &err),
                     TCE_EIO);
    assert_non_null(strstr(err.msg, "/nonexistent/dir/x.cfg"));
    free(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_dense),
        cmocka_unit_test(test_round_trip_moe),
        cmocka_unit_test(test_save_bad_path),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
