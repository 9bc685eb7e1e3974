/*
 * rt_opts.c - the options the emulator commands share (runtime.h): the
 * virtual nodes, the watchdog and the ready file (run, calibrate; bench
 * may), and the size
 * sweep (bench, calibrate).  With cli.h's shared table (-t, -j, -c, --gpus,
 * --json, --csv, -h) they make one description of every option an MPI
 * command takes.
 */
#include <inttypes.h>
#include <limits.h>

#include "tcemu/runtime.h"
#include "tcemu/util.h"

int tce_rt_common_option(struct tce_rt_common *co, int c, const char *arg,
                         struct tce_error *err)
{
    int rc;

    switch (c) {
    case TCE_RT_OPT_RANKS_PER_NODE:
        rc = tce_parse_int64(arg, 1, INT_MAX, &co->ranks_per_node, err);
        break;
    case TCE_RT_OPT_TIMEOUT:
        rc = tce_parse_double(arg, 0.0, 1e6, &co->timeout_s, err);
        break;
    case TCE_RT_OPT_READY_FILE:
        co->ready_file = arg;
        rc = 0;
        break;
    default:
        rc = 1;
        break;
    }
    return rc;
}

int tce_rt_sweep_option(struct tce_rt_sweep *s, int c, const char *arg,
                        struct tce_error *err)
{
    int rc;

    switch (c) {
    case 'b':
        rc = tce_parse_size(arg, &s->min_bytes, err);
        break;
    case 'e':
        rc = tce_parse_size(arg, &s->max_bytes, err);
        break;
    case 'f':
        rc = tce_parse_double(arg, 1.01, 1024, &s->factor, err);
        break;
    case 'n':
        rc = tce_parse_int64(arg, 1, 1000000000, &s->iters, err);
        break;
    case 'w':
        rc = tce_parse_int64(arg, 0, 1000000000, &s->warmup, err);
        break;
    default:
        rc = tce_error_set(err, TCE_EINTERNAL, "-%c is no sweep option", c);
        break;
    }
    return rc;
}

int tce_rt_sweep_check(const struct tce_rt_sweep *s, struct tce_error *err)
{
    int rc = 0;

    if (s->min_bytes < 1 || s->max_bytes < s->min_bytes)
        rc = tce_error_set(err, TCE_EUSAGE,
                           "sizes: need 1 <= -b (%" PRId64 ") <= -e (%" PRId64
                           ")",
                           s->min_bytes, s->max_bytes);
    return rc;
}
