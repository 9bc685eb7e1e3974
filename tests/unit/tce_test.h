/*
 * tce_test.h - helpers shared by the CMocka unit tests.
 * CMocka 1.1.5 has no floating-point assert: assert_close() compares with a
 * relative tolerance and prints both values when they differ.
 * tce_test_write_tmp() writes text to a new file under /tmp and returns its
 * path (malloc'd; the caller unlinks and frees it).
 */
#ifndef TCE_TEST_H
#define TCE_TEST_H

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#define assert_close(actual, expected, rel_tol)                               \
    tce_test_assert_close((actual), (expected), (rel_tol), #actual, __FILE__, \
                          __LINE__)

static inline void tce_test_assert_close(double actual, double expected,
                                         double rel_tol, const char *expr,
                                         const char *file, int line)
{
    double scale = fabs(expected) > 1e-300 ? fabs(expected) : 1.0;

    if (!(fabs(actual - expected) <= rel_tol * scale)) {
        print_error("%s = %.17g, expected %.17g (relative tolerance %g)\n",
                    expr, actual, expected, rel_tol);
        _fail(file, line);
    }
}

static inline char *tce_test_write_tmp(const char *text)
{
    char *path = strdup("/tmp/tce_test_XXXXXX");
    int fd = path ? mkstemp(path) : -1;
    FILE *f;

    assert_true(fd >= 0);
    f = fdopen(fd, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
    return path;
}

#endif
