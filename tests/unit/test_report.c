/* test_report.c - one column table, three outputs: the human table
 * (widths, separators, units line, scale, booleans), CSV (keys, raw
 * numbers, quoting) and JSON (groups as objects, extra members) all carry
 * the same columns.  (The project report's columns are pinned by the
 * golden outputs; report_project.o needs the version string, which the
 * core library does not hold yet.) */
#include "tce_test.h"

#include <stdlib.h>
#include <string.h>

#include "tcemu/report.h"

struct row {
    int64_t gpus, tp;
    double iter_s, mfu;
    int fits;
    const char *name;
};

static void twice(const struct tce_report *r, int i,
                  struct tce_report_value *v)
{
    const struct row *rows = r->rows;

    v->d = 2.0 * rows[i].iter_s;
}

static void extra(struct tce_json *j, const struct tce_report *r, int i)
{
    (void)r;
    tce_json_int(j, "extra", i);
}

#define OFF(m) offsetof(struct row, m)
static const struct tce_report_column cols[] = {
    {.key = "gpus", .human = "gpus", .unit = "", .fmt = "5d",
     .in = TCE_REPORT_ALL, .type = TCE_REPORT_INT, .offset = OFF(gpus)},
    {.key = "tp", .group = "layout", .human = "tp", .unit = "", .fmt = "3d",
     .in = TCE_REPORT_ALL, .type = TCE_REPORT_INT, .offset = OFF(tp)},
    {.key = "iteration_s", .json_key = "iter", .group = "layout",
     .human = "iter", .unit = "(s)", .fmt = "7.3f", .sep = " | ",
     .in = TCE_REPORT_ALL, .type = TCE_REPORT_DOUBLE, .offset = OFF(iter_s)},
    {.key = "mfu", .human = "MFU%", .fmt = "+6.1f", .scale = 100.0,
     .in = TCE_REPORT_ALL, .type = TCE_REPORT_DOUBLE, .offset = OFF(mfu)},
    {.key = "fits", .human = "fit", .fmt = "3s", .no = "NO",
     .in = TCE_REPORT_ALL, .type = TCE_REPORT_BOOL, .offset = OFF(fits)},
    {.key = "twice_s", .in = TCE_REPORT_CSV | TCE_REPORT_JSON,
     .type = TCE_REPORT_DOUBLE, .get = twice},
    {.key = "name", .human = "name", .fmt = "-6s", .sep = "  ",
     .in = TCE_REPORT_ALL, .type = TCE_REPORT_TEXT, .offset = OFF(name)},
};
#undef OFF

static const struct row rows[] = {
    {8, 2, 1.5, 0.4, 1, "a,b"},
    {16, 4, 0.75, 0.35, 0, "c"},
};

static char *capture_human(const struct tce_report *r)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    assert_non_null(f);
    tce_report_human(f, r);
    fclose(f);
    return buf;
}

static struct tce_report report(void)
{
    struct tce_report r;

    memset(&r, 0, sizeof(r));
    r.cols = cols;
    r.n_cols = (int)(sizeof(cols) / sizeof(cols[0]));
    r.rows = rows;
    r.row_size = sizeof(rows[0]);
    r.n_rows = 2;
    r.json_extra = extra;
    return r;
}

static void test_human(void **state)
{
    struct tce_report r = report();
    char *buf = capture_human(&r);
    (void)state;

    assert_string_equal(buf,
                        "#  gpus  tp |    iter   MFU% fit  name  \n"
                        "#           |     (s)\n"
                        "      8   2 |   1.500  +40.0 yes  a,b   \n"
                        "     16   4 |   0.750  +35.0  NO  c     \n");
    free(buf);
}

static void test_csv(void **state)
{
    struct tce_report r = report();
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    (void)state;

    assert_non_null(f);
    tce_report_csv(f, &r);
    fclose(f);
    assert_string_equal(buf, "gpus,tp,iteration_s,mfu,fits,twice_s,name\n"
                             "8,2,1.5,0.4,1,3,\"a,b\"\n"
                             "16,4,0.75,0.35,0,1.5,c\n");
    free(buf);
}

static void test_json(void **state)
{
    struct tce_report r = report();
    struct tce_json j;
    char *buf = NULL, *p;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    (void)state;

    assert_non_null(f);
    tce_json_init(&j, f);
    tce_json_object_begin(&j, NULL);
    tce_report_json_rows(&j, "results", &r);
    tce_json_finish(&j);
    fclose(f);
    /* compact the whitespace the encoder adds */
    for (p = buf; *p; p++)
        if (*p == '\n')
            *p = ' ';
    assert_non_null(strstr(buf, "\"gpus\": 8"));
    assert_non_null(strstr(buf, "\"layout\": {"));
    assert_true(strstr(buf, "\"tp\": 2") > strstr(buf, "\"layout\""));
    assert_non_null(strstr(buf, "\"iter\": 1.5"));
    assert_null(strstr(buf, "iteration_s"));
    assert_non_null(strstr(buf, "\"mfu\": 0.40000000000000002"));
    assert_non_null(strstr(buf, "\"fits\": true"));
    assert_non_null(strstr(buf, "\"fits\": false"));
    assert_non_null(strstr(buf, "\"twice_s\": 3"));
    assert_non_null(strstr(buf, "\"name\": \"a,b\""));
    assert_non_null(strstr(buf, "\"extra\": 1"));
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_human),
        cmocka_unit_test(test_csv),
        cmocka_unit_test(test_json),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
