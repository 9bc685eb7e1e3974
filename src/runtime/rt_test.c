/*
 * rt_test.c - the runtime's fault injection, for the MPI tests only
 * (runtime.h).  Compiled in only with -DTCE_TEST_HOOKS (`make test-hooks`
 * builds $(BUILD_ROOT)/hooks/tcemu, which tests/mpi uses for these cases);
 * in the installed binary every hook answers "no fault" without reading
 * the environment, and the TCEMU_TEST_* names are not in it.
 */
#define _DEFAULT_SOURCE /* nanosleep */
#include "tcemu/runtime.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tcemu/util.h"

#ifdef TCE_TEST_HOOKS

int tce_rt_test_fault(const struct tce_rt *rt, const char *env,
                      const char *op)
{
    const char *spec = getenv(env);
    const char *colon;
    size_t len;
    int64_t rank = 1;
    int hit = 0;

    if (!spec || !*spec)
        goto out;
    colon = strchr(spec, ':');
    len = colon ? (size_t)(colon - spec) : strlen(spec);
    if (colon && tce_parse_int64(colon + 1, 0, INT32_MAX, &rank, NULL) != 0)
        goto out;
    hit = rank == rt->rank && strlen(op) == len &&
          strncmp(op, spec, len) == 0;
out:
    return hit;
}

int tce_rt_test_corrupt(void)
{
    const char *v = getenv("TCEMU_TEST_CORRUPT");

    return v && strcmp(v, "1") == 0;
}

int64_t tce_rt_test_max_count(void)
{
    const char *v = getenv("TCEMU_TEST_MAX_COUNT");
    int64_t n = INT_MAX;

    if (v && tce_parse_int64(v, 1, INT_MAX, &n, NULL) != 0)
        n = INT_MAX;
    return n;
}

#else /* the installed binary: no hooks */

int tce_rt_test_fault(const struct tce_rt *rt, const char *env,
                      const char *op)
{
    (void)rt;
    (void)env;
    (void)op;
    return 0;
}

int tce_rt_test_corrupt(void)
{
    return 0;
}

int64_t tce_rt_test_max_count(void)
{
    return INT_MAX;
}

#endif

int tce_rt_test_hang(const struct tce_rt *rt, const char *op)
{
    return tce_rt_test_fault(rt, TCE_RT_TEST_HANG, op);
}

void tce_rt_hang(void)
{
    struct timespec ts = {3600, 0};

    for (;;)
        nanosleep(&ts, NULL);
}
