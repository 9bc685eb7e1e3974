/* test_plot.c - gnuplot scripts: output formats by extension, data inline
 * ($name << EOD), one terminal and output per picture, strings from files
 * escaped (quotes, backslashes, newlines), missing values as NaN, and
 * bench/run result files read with clear errors. */
#include "tce_test.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tcemu/plot.h"
#include "tcemu/plot_data.h"

static void test_format(void **state)
{
    enum tce_plot_format f;
    struct tce_error err;
    (void)state;

    assert_int_equal(tce_plot_format_of("a.png", &f, NULL), 0);
    assert_int_equal(f, TCE_PLOT_PNG);
    assert_int_equal(tce_plot_format_of("dir/A.SVG", &f, NULL), 0);
    assert_int_equal(f, TCE_PLOT_SVG);
    assert_int_equal(tce_plot_format_of("a.jpg", &f, &err), TCE_EUSAGE);
    assert_non_null(strstr(err.msg, "must end in .png or .svg"));
    assert_int_equal(tce_plot_format_of("a\n.png", &f, &err), TCE_EUSAGE);
    assert_non_null(strstr(err.msg, "control character"));
    assert_int_equal(tce_plot_format_of("", &f, &err), TCE_EUSAGE);
}

static char *script_of(const struct tce_plot_page *pg,
                       const struct tce_plot_run_op *ops, int n)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    assert_non_null(f);
    tce_plot_run_script(f, pg, ops, n, "modelled \"x\"");
    fclose(f);
    return buf;
}

static void test_script(void **state)
{
    struct tce_plot_page pg = {
        .title = "t \"q\" \\ x",
        .subtitle = "measured\nline",
        .n_outputs = 2,
        .outputs = {{"o'ut.png", TCE_PLOT_PNG}, {"b\"c.svg", TCE_PLOT_SVG}}};
    struct tce_plot_run_op ops[2] = {
        {"a\"b\\c\nd", 1e-3, 5e-4, 2e-3, 1e-3},
        {"", 1e-3, 1e-3, 1e-3, NAN}};
    char *s;
    (void)state;

    s = script_of(&pg, ops, 2);
    assert_non_null(strstr(s, "$run << EOD\n\"a'b/c d\" 1 1 0.5 2\n"));
    assert_non_null(strstr(s, "\"-\" 1 NaN 1 1\nEOD\n"));
    assert_non_null(strstr(s, "set terminal pngcairo size 1200,700 "
                              "noenhanced"));
    assert_non_null(strstr(s, "set output \"o'ut.png\"\n"));
    assert_non_null(strstr(s, "set terminal svg size 1200,700"));
    assert_non_null(strstr(s, "set output \"b\\\"c.svg\"\n"));
    assert_non_null(strstr(s, "\"t \\\"q\\\" \\\\ x\\nmeasured\\nline\""));
    assert_non_null(strstr(s, "title \"modelled \\\"x\\\"\""));
    assert_null(strstr(s, "\nd\""));
    free(s);
}

static void test_bench_read(void **state)
{
    const char *ok = "{\"schema\": \"tcemu.bench/1\", \"group\": \"world\", "
                     "\"group_size\": 4, \"results\": ["
                     "{\"collective\": \"allreduce\", \"size_bytes\": 8, "
                     "\"busbw_gbytes_per_s\": 0.5},"
                     "{\"collective\": \"allreduce\", \"size_bytes\": 16, "
                     "\"busbw_gbytes_per_s\": 1},"
                     "{\"collective\": \"alltoall\", \"size_bytes\": 8, "
                     "\"out_of_place\": {\"busbw_gbytes_per_s\": 2}}]}";
    const char *mixed = "{\"schema\": \"tcemu.bench/2\", \"results\": ["
                        "{\"collective\": \"a\", \"size_bytes\": 8, "
                        "\"busbw_gbytes_per_s\": 0.5},"
                        "{\"collective\": \"b\", \"size_bytes\": 8, "
                        "\"busbw_gbytes_per_s\": 0.5},"
                        "{\"collective\": \"a\", \"size_bytes\": 16, "
                        "\"busbw_gbytes_per_s\": 0.5}]}";
    struct tce_plot_bench_data *d = calloc(1, sizeof(*d));
    struct tce_error err;
    (void)state;

    assert_int_equal(tce_plot_bench_read("f", ok, strlen(ok), d, &err), 0);
    assert_int_equal(d->n_series, 2);
    assert_string_equal(d->series[0].name, "allreduce");
    assert_int_equal(d->series[0].n, 2);
    assert_close(d->series[0].x[1], 16, 0);
    assert_close(d->series[1].y[0], 2, 0);
    assert_int_equal(d->group_size, 4);
    tce_plot_bench_release(d);
    assert_int_equal(tce_plot_bench_read("f", mixed, strlen(mixed), d, &err),
                     TCE_ECONFIG);
    assert_non_null(strstr(err.msg, "f: rows not grouped by collective"));
    assert_int_equal(tce_plot_bench_read("f", "{}", 2, d, &err),
                     TCE_ECONFIG);
    assert_non_null(strstr(err.msg, "not a result of tcemu bench"));
    assert_int_equal(tce_plot_bench_read("f", "{", 1, d, &err), TCE_EPARSE);
    assert_non_null(strstr(err.msg, "f: not valid JSON: line 1, column 2"));
    free(d);
}

static void test_run_read(void **state)
{
    const char *ok = "{\"schema\": \"tcemu.run/1\", \"time_scale\": 0.5, "
                     "\"layout\": {\"tp\": 2, \"pp\": 1, \"dp\": 4, "
                     "\"schedule\": \"1f1b\"}, \"ops\": ["
                     "{\"name\": \"qkv\", \"list\": \"dense_fwd\", "
                     "\"measured_s\": {\"min\": 1, \"avg\": 2, \"max\": 3}, "
                     "\"modeled_s\": 8, \"emulated_s\": 4},"
                     "{\"name\": \"w\", \"list\": \"iter_end\", "
                     "\"measured_s\": {\"min\": 1, \"avg\": 2, \"max\": 3}, "
                     "\"modelled_s\": null}]}";
    struct tce_plot_run_data *d = calloc(1, sizeof(*d));
    struct tce_error err;
    (void)state;

    assert_int_equal(tce_plot_run_read("f", ok, strlen(ok), d, &err), 0);
    assert_int_equal(d->n, 2);
    assert_string_equal(d->ops[0].label, "dense_fwd.qkv");
    assert_close(d->ops[0].modelled_s, 4, 0); /* what the emulator aimed at */
    assert_true(isnan(d->ops[1].modelled_s));
    assert_close(d->time_scale, 0.5, 0);
    assert_int_equal(d->dp, 4);
    free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_script),
        cmocka_unit_test(test_bench_read),
        cmocka_unit_test(test_run_read),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
