/* test_calibfit.c - latency/bandwidth least squares, fit errors, clamping,
 * bad input, collective efficiency. */
#include "tce_test.h"

#include <string.h>

#include "tcemu/calibfit.h"

#define NPTS 16

/* Sizes 8 B .. 256 MiB by x4, times a + x / W times a noise pattern. */
static int make_points(double latency_s, double gbytes_per_s,
                       const double *noise, double *x, double *t)
{
    int i;
    double size = 8.0;

    for (i = 0; i < 13; i++, size *= 4.0) {
        x[i] = size;
        t[i] = (latency_s + size / (gbytes_per_s * 1e9)) *
               (1.0 + (noise ? noise[i % 4] : 0.0));
    }
    return i;
}

static void test_exact(void **state)
{
    static const struct {
        double latency_us, gbytes_per_s;
    } cases[] = {
        {5.0, 10.0},   /* TCP-ish */
        {0.3, 200.0},  /* shared memory */
        {40.0, 0.0125} /* 100 Mbit/s */
    };
    double x[NPTS], t[NPTS];
    struct tce_calibfit_line l;
    struct tce_error err;
    size_t c;
    int n;
    (void)state;

    for (c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        n = make_points(cases[c].latency_us * 1e-6, cases[c].gbytes_per_s, NULL,
                        x, t);
        assert_int_equal(tce_calibfit_line(x, t, n, &l, &err), 0);
        assert_close(l.latency_s, cases[c].latency_us * 1e-6, 1e-6);
        assert_close(tce_calibfit_bandwidth_gbytes_per_s(&l),
                     cases[c].gbytes_per_s, 1e-9);
        assert_true(l.rms_rel_error < 1e-9);
        assert_true(l.max_rel_error < 1e-9);
        assert_int_equal(l.points, n);
        assert_int_equal(l.latency_clamped, 0);
        assert_close(tce_calibfit_time_s(&l, 1e6),
                     cases[c].latency_us * 1e-6 +
                         1e6 / (cases[c].gbytes_per_s * 1e9),
                     1e-9);
    }
}

/* +-3% noise: parameters within a few percent, the error reported is the
 * noise (RMS of 3% is 3%), and the latency is still right although the big
 * messages are 10^7 times longer (an unweighted fit loses it). */
static void test_noise(void **state)
{
    static const double noise[4] = {0.03, -0.03, -0.03, 0.03};
    double x[NPTS], t[NPTS];
    struct tce_calibfit_line l;
    int n;
    (void)state;

    n = make_points(20e-6, 1.0, noise, x, t);
    assert_int_equal(tce_calibfit_line(x, t, n, &l, NULL), 0);
    assert_close(l.latency_s, 20e-6, 0.05);
    assert_close(tce_calibfit_bandwidth_gbytes_per_s(&l), 1.0, 0.05);
    assert_true(l.rms_rel_error > 0.02 && l.rms_rel_error < 0.035);
    assert_true(l.max_rel_error >= l.rms_rel_error);
    assert_true(l.max_rel_error < 0.07);
}

static void test_clamp(void **state)
{
    /* The free line through these has intercept -0.5 us. */
    double x[2] = {1000.0, 2000.0}, t[2] = {1e-6, 2.5e-6};
    struct tce_calibfit_line l;
    (void)state;

    assert_int_equal(tce_calibfit_line(x, t, 2, &l, NULL), 0);
    assert_int_equal(l.latency_clamped, 1);
    assert_close(l.latency_s, 0.0, 0);
    /* Through the origin, relative weights: b = sum(1/t x)/sum(x^2/t^2)
     * = (1e9 + 0.8e9) / (1e18 + 0.64e18). */
    assert_close(l.seconds_per_byte, 1.8e9 / 1.64e18, 1e-12);
    assert_true(l.rms_rel_error > 0.0);
}

static void test_bad_input(void **state)
{
    static const struct {
        double x[3], t[3];
        int n, code;
        const char *msg;
    } cases[] = {
        {{8, 0, 0}, {1e-6, 0, 0}, 1, TCE_EUSAGE, "at least 2 points"},
        {{8, 8, 8}, {1e-6, 2e-6, 3e-6}, 3, TCE_EUSAGE, "2 distinct sizes"},
        {{8, 16, 32}, {1e-6, 0.0, 3e-6}, 3, TCE_EUSAGE, "not positive"},
        {{8, -16, 32}, {1e-6, 2e-6, 3e-6}, 3, TCE_EUSAGE, "not valid"},
        {{8, 16, 32}, {1e-6, NAN, 3e-6}, 3, TCE_EUSAGE, "not positive"},
        {{8, 1e6, 2e6}, {3e-3, 2e-3, 1e-3}, 3, TCE_ECHECK, "does not grow"},
    };
    struct tce_calibfit_line l;
    struct tce_error err;
    size_t c;
    (void)state;

    for (c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        tce_error_clear(&err);
        assert_int_equal(
            tce_calibfit_line(cases[c].x, cases[c].t, cases[c].n, &l, &err),
            cases[c].code);
        assert_int_equal(err.code, cases[c].code);
        assert_non_null(strstr(err.msg, cases[c].msg));
    }
    assert_int_equal(tce_calibfit_line(NULL, NULL, 4, &l, NULL), TCE_EUSAGE);
}

/* A link with a knee: flat 50 us up to where 31 MB/s takes over, as a
 * token-bucket-shaped TCP link looks.  The one-line relative fit misses
 * the large-message bandwidth by a wide margin; the two-regime fit gets it
 * exactly and the latency from the flat part. */
static void test_regimes_knee(void **state)
{
    double x[NPTS], t[NPTS], size = 8.0, w = 31e6;
    struct tce_calibfit_line one, two;
    int i, n = 10;
    (void)state;

    for (i = 0; i < n; i++, size *= 4.0) {
        x[i] = size;
        t[i] = size / w > 50e-6 ? size / w : 50e-6;
    }
    assert_int_equal(tce_calibfit_line(x, t, n, &one, NULL), 0);
    assert_int_equal(tce_calibfit_regimes(x, t, n, &two, NULL), 0);
    /* the single relative line is 14% off at 2 MiB (bandwidth 36 MB/s) ... */
    assert_true(fabs(tce_calibfit_time_s(&one, x[n - 1]) - t[n - 1]) >
                0.1 * t[n - 1]);
    /* ... the two regimes are exact there and in bandwidth */
    assert_close(tce_calibfit_bandwidth_gbytes_per_s(&two), w * 1e-9, 1e-9);
    assert_close(tce_calibfit_time_s(&two, x[n - 1]), t[n - 1], 1e-3);
    /* latency from the flat part (2048 B at 31 MB/s is 66 us: in the
     * smaller half, so the latency is a little above 50 us) */
    assert_true(two.latency_s >= 45e-6 && two.latency_s <= 60e-6);
    assert_int_equal(two.points, n);
    assert_true(two.rms_rel_error > 0.0);
}

/* Same answers as the single line on a true line, in any order; flat or
 * falling small sizes still give a latency; fewer than 4 points fall back
 * to the single line; the large half must grow. */
static void test_regimes_cases(void **state)
{
    double x[NPTS], t[NPTS], xr[NPTS], tr[NPTS];
    double fx[6] = {8, 64, 512, 1e6, 2e6, 4e6};
    double ft[6] = {30e-6, 28e-6, 29e-6, 1e-3, 2e-3, 4e-3};
    double dx[5] = {8, 64, 1e6, 2e6, 4e6};
    double dt[5] = {1e-5, 1e-5, 3e-3, 2e-3, 1e-3};
    struct tce_calibfit_line a, b;
    struct tce_error err;
    int i, n;
    (void)state;

    n = make_points(5e-6, 10.0, NULL, x, t);
    for (i = 0; i < n; i++) {
        xr[i] = x[n - 1 - i];
        tr[i] = t[n - 1 - i];
    }
    assert_int_equal(tce_calibfit_regimes(xr, tr, n, &a, NULL), 0);
    assert_close(a.latency_s, 5e-6, 1e-6);
    assert_close(tce_calibfit_bandwidth_gbytes_per_s(&a), 10.0, 1e-9);
    assert_true(a.rms_rel_error < 1e-9);

    assert_int_equal(tce_calibfit_regimes(fx, ft, 6, &a, NULL), 0);
    assert_true(a.latency_s > 27e-6 && a.latency_s < 31e-6);
    assert_close(a.seconds_per_byte, 1e-9, 1e-9);

    assert_int_equal(tce_calibfit_regimes(x, t, 3, &a, NULL), 0);
    assert_int_equal(tce_calibfit_line(x, t, 3, &b, NULL), 0);
    assert_close(a.seconds_per_byte, b.seconds_per_byte, 0);
    assert_close(a.latency_s, b.latency_s, 0);

    tce_error_clear(&err);
    assert_int_equal(tce_calibfit_regimes(dx, dt, 5, &a, &err), TCE_ECHECK);
    assert_non_null(strstr(err.msg, "larger half"));
    assert_int_equal(tce_calibfit_regimes(dx, dt, 1, &a, &err), TCE_EUSAGE);
}

static void test_efficiency(void **state)
{
    static const struct {
        enum tce_coll kind;
        int n;
        double factor;
    } cases[] = {
        {TCE_COLL_ALL_REDUCE, 4, 1.5},  {TCE_COLL_ALL_REDUCE, 2, 1.0},
        {TCE_COLL_ALL_GATHER, 4, 0.75}, {TCE_COLL_REDUCE_SCATTER, 8, 0.875},
        {TCE_COLL_ALL_TO_ALL, 4, 0.75},  {TCE_COLL_SENDRECV, 4, 1.0},
    };
    struct tce_calibfit_line coll;
    double w = 12.5; /* GB/s */
    size_t c;
    (void)state;

    memset(&coll, 0, sizeof(coll));
    for (c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        /* A collective whose bandwidth term is factor * M / (0.8 W). */
        coll.seconds_per_byte = cases[c].factor / (0.8 * w * 1e9);
        assert_close(
            tce_calibfit_efficiency(cases[c].kind, cases[c].n, &coll, w), 0.8,
            1e-12);
    }
    coll.seconds_per_byte = 1.0 / (w * 1e9);
    assert_close(tce_calibfit_efficiency(TCE_COLL_ALL_REDUCE, 1, &coll, w), 0.0,
                 0);
    assert_close(tce_calibfit_efficiency(TCE_COLL_ALL_REDUCE, 4, &coll, 0.0),
                 0.0, 0);
    coll.seconds_per_byte = 0.0;
    assert_close(tce_calibfit_efficiency(TCE_COLL_SENDRECV, 2, &coll, w), 0.0,
                 0);
    assert_close(tce_calibfit_bandwidth_gbytes_per_s(&coll), 0.0, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact),
        cmocka_unit_test(test_noise),
        cmocka_unit_test(test_clamp),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_efficiency),
        cmocka_unit_test(test_regimes_knee),
        cmocka_unit_test(test_regimes_cases),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
