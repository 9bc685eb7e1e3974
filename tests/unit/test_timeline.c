/* test_timeline.c - the modelled timeline of one iteration: every stage
 * runs 2 v m steps, each microbatch's forward before its backward, no two
 * slices of one track overlap, a stage's steps add up to the projector's
 * per-microbatch time of that stage, the span within 3% of the projector's
 * closed form, and the trace is one JSON document. */
#include "tce_test.h"
#include "tce_fixtures.h"

#include <stdlib.h>
#include <string.h>

#include "tcemu/projector.h"
#include "tcemu/timeline.h"

static int cmp_start(const void *a, const void *b)
{
    const struct tce_tl_event *x = a, *y = b;

    return x->start_s < y->start_s ? -1 : x->start_s > y->start_s;
}

static void check(int64_t gpus, int64_t tp, int64_t pp, int64_t vpp)
{
    struct tce_topology t;
    struct tce_job j;
    struct tce_costmodel cm;
    struct tce_projection p;
    struct tce_timeline tl;
    struct tce_tl_event *tr;
    int64_t s, k, v, m, *fwd, *bwd;
    double slow = 0;
    int i, n;

    topo(&t);
    gpt(&j, gpus, tp, pp, vpp);
    assert_int_equal(tce_costmodel_init(&cm, &t, TCE_PRECISION_BF16, NULL),
                     0);
    assert_int_equal(tce_project(&t, &j, &cm, 0, &p, NULL), 0);
    assert_int_equal(tce_timeline_build(&t, &j, &cm, &p.layout, &tl, NULL),
                     0);
    v = tl.v;
    m = tl.m;
    assert_int_equal(tl.p, pp);
    assert_int_equal(v, vpp);
    fwd = calloc((size_t)(v * m), sizeof(*fwd));
    bwd = calloc((size_t)(v * m), sizeof(*bwd));
    tr = malloc((size_t)tl.n * sizeof(*tr));
    assert_non_null(fwd);
    assert_non_null(bwd);
    assert_non_null(tr);
    for (s = 0; s < pp; s++) {
        double busy = 0;

        memset(fwd, 0, (size_t)(v * m) * sizeof(*fwd));
        memset(bwd, 0, (size_t)(v * m) * sizeof(*bwd));
        for (k = 0; k < 2; k++) { /* each track of the stage */
            n = 0;
            for (i = 0; i < tl.n; i++)
                if (tl.ev[i].stage == s && tl.ev[i].overlapped == k)
                    tr[n++] = tl.ev[i];
            qsort(tr, (size_t)n, sizeof(*tr), cmp_start);
            for (i = 1; i < n; i++)
                assert_true(tr[i - 1].start_s + tr[i - 1].dur_s <=
                            tr[i].start_s + 1e-12);
        }
        for (i = 0; i < tl.n; i++) {
            const struct tce_tl_event *e = &tl.ev[i];
            int64_t idx;

            if (e->stage != s || (e->kind != TCE_TL_FORWARD &&
                                  e->kind != TCE_TL_BACKWARD))
                continue;
            idx = e->chunk * m + e->microbatch;
            busy += e->dur_s;
            if (e->kind == TCE_TL_FORWARD) {
                assert_int_equal(bwd[idx], 0); /* forward first */
                fwd[idx]++;
            } else {
                assert_int_equal(fwd[idx], 1);
                bwd[idx]++;
            }
        }
        for (i = 0; i < v * m; i++) {
            assert_int_equal(fwd[i], 1);
            assert_int_equal(bwd[i], 1);
        }
        if (busy / (double)m > slow)
            slow = busy / (double)m;
    }
    /* the slowest stage's steps are the projector's T */
    assert_close(slow, p.stage_microbatch_s, 1e-9);
    assert_true(tl.span_s > 0.97 * p.iteration_s);
    assert_true(tl.span_s < 1.03 * p.iteration_s);
    free(fwd);
    free(bwd);
    free(tr);
    tce_timeline_release(&tl);
}

static void test_1f1b(void **state)
{
    (void)state;
    check(512, 8, 2, 1);
    check(512, 8, 4, 1);
}

static void test_interleaved(void **state)
{
    (void)state;
    check(512, 8, 4, 2);
    check(1024, 8, 4, 3);
}

static void test_no_pipeline(void **state)
{
    (void)state;
    check(64, 8, 1, 1);
}

static void test_trace_document(void **state)
{
    struct tce_topology t;
    struct tce_job j;
    struct tce_costmodel cm;
    struct tce_projection p;
    struct tce_timeline tl;
    char *buf = NULL;
    size_t len = 0;
    FILE *f;
    (void)state;

    topo(&t);
    gpt(&j, 512, 8, 2, 1);
    assert_int_equal(tce_costmodel_init(&cm, &t, TCE_PRECISION_BF16, NULL),
                     0);
    assert_int_equal(tce_project(&t, &j, &cm, 0, &p, NULL), 0);
    assert_int_equal(tce_timeline_build(&t, &j, &cm, &p.layout, &tl, NULL),
                     0);
    f = open_memstream(&buf, &len);
    assert_non_null(f);
    tce_timeline_trace(f, &tl, "test", p.iteration_s);
    fclose(f);
    assert_non_null(strstr(buf, "\"engine\":\"modelled\""));
    assert_non_null(strstr(buf, "\"name\":\"stage 1 overlapped comm\""));
    assert_non_null(strstr(buf, "\"name\":\"F mb0\""));
    assert_non_null(strstr(buf, "\"name\":\"B mb47\""));
    assert_non_null(strstr(buf, "\"projector_iteration_s\":"));
    assert_string_equal(buf + len - 3, "]}\n");
    free(buf);
    tce_timeline_release(&tl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_1f1b),
        cmocka_unit_test(test_interleaved),
        cmocka_unit_test(test_no_pipeline),
        cmocka_unit_test(test_trace_document),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
