/* test_schedule.c - the pipeline's closed forms (schedule.h): the span of
 * 1F1B and interleaved schedules over unequal stages against a
 * discrete-event walk of tce_schedule_step, exact for equal stages; the
 * three-class form equal to the general one; the DP overlap window with
 * hand values. */
#include "tce_test.h"

#include <stdlib.h>
#include <string.h>

#include "tcemu/schedule.h"

#define P_MAX 16
#define V_MAX 4
#define M_MAX 64

/* A discrete-event walk: each stage runs its steps in schedule order; a
 * forward of virtual stage j waits for j-1's forward of the microbatch, a
 * backward for j+1's backward.  A chunk step takes the stage's time / v.
 * Returns the last step's end. */
static double walk(int64_t p, int64_t v, int64_t m,
                   const struct tce_sched_stage_s *st)
{
    static const double unset = -1.0;
    double fwd[P_MAX * V_MAX][M_MAX], bwd[P_MAX * V_MAX][M_MAX];
    double now[P_MAX] = {0}, span = 0.0;
    int64_t k[P_MAX] = {0}, len = tce_schedule_len(v, m), s, j, done = 0;
    struct tce_sched_step x;
    int moved;

    for (j = 0; j < P_MAX * V_MAX; j++)
        for (s = 0; s < M_MAX; s++)
            fwd[j][s] = bwd[j][s] = unset;
    while (done < p) {
        moved = 0;
        for (s = 0; s < p; s++) {
            while (k[s] < len) {
                double need = now[s], t;

                assert_int_equal(
                    tce_schedule_step(p, v, m, s, k[s], &x, NULL), 0);
                j = x.chunk * p + s;
                if (!x.backward && j > 0) {
                    if (fwd[j - 1][x.microbatch] < 0)
                        break;
                    need = fmax(need, fwd[j - 1][x.microbatch]);
                }
                if (x.backward && j < v * p - 1) {
                    if (bwd[j + 1][x.microbatch] < 0)
                        break;
                    need = fmax(need, bwd[j + 1][x.microbatch]);
                }
                t = need + (x.backward ? st[s].bwd_s : st[s].fwd_s) /
                               (double)v;
                now[s] = t;
                if (x.backward)
                    bwd[j][x.microbatch] = t;
                else
                    fwd[j][x.microbatch] = t;
                k[s]++;
                moved = 1;
            }
        }
        for (s = 0, done = 0; s < p; s++)
            done += k[s] == len;
        assert_true(moved || done == p);
    }
    for (s = 0; s < p; s++)
        span = fmax(span, now[s]);
    return span;
}

static double uniform(double lo, double hi)
{
    return lo + (hi - lo) * ((double)rand() / (double)RAND_MAX);
}

/* Equal stages: (m + (p-1)/v) T, as SC21 sec. 2.2. */
static void test_equal_stages(void **state)
{
    static const int64_t cases[][3] = {{1, 1, 8},  {2, 1, 4},  {4, 1, 8},
                                       {4, 1, 2},  {4, 2, 8},  {8, 4, 16},
                                       {8, 2, 64}, {16, 1, 3}, {3, 3, 6}};
    struct tce_sched_stage_s st[P_MAX];
    size_t i;
    int64_t s;
    (void)state;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int64_t p = cases[i][0], v = cases[i][1], m = cases[i][2];
        double want = ((double)m + (double)(p - 1) / (double)v) * 3.0;

        for (s = 0; s < p; s++) {
            st[s].fwd_s = 1.0;
            st[s].bwd_s = 2.0;
        }
        assert_close(tce_schedule_span_s(p, v, m, st), want, 1e-12);
        assert_close(walk(p, v, m, st), want, 1e-12);
    }
}

/* Random unequal stages: within a few per cent of the walk, and much
 * nearer than the slowest stage's time for every fill and drain step. */
static void test_unequal_stages(void **state)
{
    struct tce_sched_stage_s st[P_MAX];
    static const int64_t ps[] = {2, 3, 4, 5, 8, 16};
    double worst[2] = {0, 0}, old_worst = 0.0, sum_abs = 0.0;
    int it, n = 0;
    (void)state;

    srand(11);
    for (it = 0; it < 1500; it++) {
        int64_t p = ps[rand() % 6], v = 1 + rand() % V_MAX, m, s;
        double T = 0.0, d, e, old;

        if (v > 1)
            m = p * (1 + rand() % 4);
        else
            m = 1 + rand() % (2 * p);
        if (m > M_MAX)
            m = M_MAX;
        for (s = 0; s < p; s++) {
            st[s].fwd_s = uniform(0.5, 1.5);
            st[s].bwd_s = st[s].fwd_s * uniform(1.5, 2.5);
            T = fmax(T, st[s].fwd_s + st[s].bwd_s);
        }
        d = walk(p, v, m, st);
        e = (tce_schedule_span_s(p, v, m, st) - d) / d;
        old = ((double)m + (double)(p - 1) / (double)v) * T;
        if (fabs(e) > fabs(worst[v > 1]))
            worst[v > 1] = e;
        old_worst = fmax(old_worst, (old - d) / d);
        sum_abs += fabs(e);
        n++;
    }
    print_message("span vs walk: 1F1B worst %+.2f%%, interleaved worst "
                  "%+.2f%%, mean |error| %.2f%%; slowest-stage form worst "
                  "%+.1f%%\n",
                  100 * worst[0], 100 * worst[1], 100 * sum_abs / n,
                  100 * old_worst);
    assert_true(fabs(worst[0]) < 0.05);
    assert_true(fabs(worst[1]) < 0.10);
    assert_true(sum_abs / n < 0.01);
    assert_true(old_worst > 0.3); /* what the per-stage form removes */
}

/* First, middle and last classes: the O(1) form is the O(p) one. */
static void test_three_classes(void **state)
{
    struct tce_sched_stage_s st[P_MAX], st3[3];
    int it;
    (void)state;

    srand(5);
    for (it = 0; it < 2000; it++) {
        int64_t p = 2 + rand() % (P_MAX - 1), v = 1 + rand() % V_MAX, m, s;
        int k;

        m = 1 + rand() % (3 * p);
        for (k = 0; k < 3; k++) {
            st3[k].fwd_s = uniform(0.3, 2.0);
            st3[k].bwd_s = st3[k].fwd_s * uniform(1.0, 3.0);
        }
        for (s = 0; s < p; s++)
            st[s] = st3[s == 0 ? 0 : s == p - 1 ? 2 : 1];
        assert_close(tce_schedule_span3_s(p, v, m, st3),
                     tce_schedule_span_s(p, v, m, st), 1e-12);
    }
    st3[0].fwd_s = 1.0;
    st3[0].bwd_s = 2.0;
    assert_close(tce_schedule_span3_s(1, 1, 7, st3), 21.0, 1e-15);
}

/* A first stage that is the bottleneck hides the others' fill and drain
 * under its warm-up (hand values): p = 2, m = 4, stage 0 f 2 b 4, stage 1
 * f 1 b 1.  Stage 0: F0 F1 (0-4), B0 arrives at 2 + 2 = 4, then B0 F2 B1
 * F3 B2 B3, never waiting: 4 x 6 = 24, plus stage 0's path ends last. */
static void test_hand_bottleneck(void **state)
{
    struct tce_sched_stage_s st[2] = {{2.0, 4.0}, {1.0, 1.0}};
    (void)state;

    assert_close(walk(2, 1, 4, st), 24.0, 1e-15);
    assert_close(tce_schedule_span_s(2, 1, 4, st), 24.0, 1e-15);
    /* the slowest stage charged for the other's fill: 4 x 6 + 6 = 30 */
}

/* DP window (hand values). */
static void test_overlap_window(void **state)
{
    (void)state;
    /* not overlapped: all */
    assert_close(tce_schedule_overlap_exposed_s(5.0, 1.0, 3.0, 4, 1, 0), 5.0,
                 1e-15);
    /* 1F1B: total - one backward, at least one bucket */
    assert_close(tce_schedule_overlap_exposed_s(5.0, 1.0, 3.0, 4, 1, 1), 2.0,
                 1e-15);
    assert_close(tce_schedule_overlap_exposed_s(5.0, 1.0, 4.5, 4, 1, 1), 1.0,
                 1e-15);
    /* interleaved, p 4, v 2, backward 3 s per microbatch (1.5 per chunk
     * step): chunk 1's 2.5 s go out from 4 steps + 1 before the end (7.5
     * s), chunk 0's 2.5 s during the last step: max(2.5 - 1.5,
     * 5 - 7.5) = 1 */
    assert_close(tce_schedule_overlap_exposed_s(5.0, 0.5, 3.0, 4, 2, 1), 1.0,
                 1e-15);
    /* more than the window: 20 s, c = 1 term 20 - 7.5 = 12.5 */
    assert_close(tce_schedule_overlap_exposed_s(20.0, 0.5, 3.0, 4, 2, 1),
                 12.5, 1e-15);
    /* never more than the total */
    assert_close(tce_schedule_overlap_exposed_s(0.2, 0.5, 3.0, 4, 2, 1), 0.2,
                 1e-15);
}

/* Megatron's aligned grad sync and the param gather (hand values). */
static void test_aligned_reduce(void **state)
{
    struct tce_sched_dp d;
    (void)state;

    memset(&d, 0, sizeof(d));
    d.total_s = 5.0;
    d.bucket_s = 0.5;
    d.step_s = 3.0;
    d.p = 4;
    d.v = 2;
    d.overlap = 1;
    /* not aligned: the hooks' window, less the drain after the stage */
    d.edge_s = 0.25;
    assert_close(tce_schedule_grad_reduce_exposed_s(&d), 0.75, 1e-15);
    /* aligned, first stage: chunk 1 out 4 chunk steps (6 s) before the
     * end, chunk 0 after the last step: max(2.5, 5 - 6) = 2.5, less the
     * drain */
    d.align = 1;
    d.edge_s = 0.0;
    assert_close(tce_schedule_grad_reduce_exposed_s(&d), 2.5, 1e-15);
    /* stage 3: chunk 1 goes out 4 - 3 = 1 step (1.5 s) before the end:
     * max(2.5, 5 - 1.5) = 3.5, less its drain (3 stages' chunk steps) */
    d.stage = 3;
    d.edge_s = 3.0;
    assert_close(tce_schedule_grad_reduce_exposed_s(&d), 0.5, 1e-15);
    /* 1F1B: the first stage during its last backward, the others after
     * it, under the drain */
    d.v = 1;
    d.stage = 0;
    d.edge_s = 0.0;
    assert_close(tce_schedule_grad_reduce_exposed_s(&d), 2.0, 1e-15);
    d.stage = 2;
    d.edge_s = 4.0;
    assert_close(tce_schedule_grad_reduce_exposed_s(&d), 1.0, 1e-15);
    d.edge_s = 6.0;
    assert_close(tce_schedule_grad_reduce_exposed_s(&d), 0.0, 1e-15);
    /* not overlapped: all of it */
    d.overlap = 0;
    assert_close(tce_schedule_grad_reduce_exposed_s(&d), 5.0, 1e-15);
    /* param gather: the warm-up window, less the fill before the stage */
    d.overlap = 1;
    d.v = 2;
    d.edge_s = 0.5;
    assert_close(tce_schedule_param_gather_exposed_s(&d), 0.5, 1e-15);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_equal_stages),
        cmocka_unit_test(test_unequal_stages),
        cmocka_unit_test(test_three_classes),
        cmocka_unit_test(test_hand_bottleneck),
        cmocka_unit_test(test_overlap_window),
        cmocka_unit_test(test_aligned_reduce),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
