/*
 * bench_opts.c - `tcemu bench` options and usage.
 */
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcemu/cli.h"
#include "tcemu/util.h"

#include "bench.h"

void tce_bench_usage(FILE *out)
{
    fprintf(out,
            "usage: mpirun -np N tcemu bench [OPTIONS]\n\n"
            "nccl-tests style collective benchmark over MPI.\n\n"
            "  -c, --collectives LIST  allreduce,allgather,reducescatter,"
            "alltoall,\n"
            "                          sendrecv,broadcast (default "
            "allreduce)\n"
            "  -b, --minbytes SIZE     smallest size (default 8); K M G = "
            "1000^n,\n"
            "                          Ki Mi Gi = 1024^n\n"
            "  -e, --maxbytes SIZE     largest size (default 32Mi)\n"
            "  -f, --stepfactor X      size multiplier (default 2)\n"
            "  -n, --iters N           timed iterations per size (default "
            "20)\n"
            "  -w, --warmup N          untimed iterations first (default 5)\n"
            "  -g, --group G           world, intra, inter, tp, cp, dp, ep, "
            "edp, pp\n"
            "                          (default world)\n"
            "      --ranks-per-node K  virtual nodes of K consecutive ranks\n"
            "      --tp/--cp/--pp/--ep N  layout for the tp..pp groups\n"
            "      --check             validate seeded data on every rank "
            "(exit 3\n"
            "                          on any wrong element)\n"
            "      --seed N            seed of the check data (default 1)\n"
            "      --timeout S         watchdog: abort (exit 4) when one "
            "size takes\n"
            "                          longer than S seconds\n"
            "      --json FILE|-       write results as JSON "
            "(schema tcemu.bench/1);\n"
            "                          with '-' the table goes to stderr\n"
            "  -h, --help\n\n"
            "size is nccl-tests' size: the whole buffer (all-gather: the "
            "result,\nreduce-scatter: the input). time is the slowest rank's "
            "mean per\noperation; GB/s = 1e9 bytes/s; busbw factors: "
            "all-reduce 2(n-1)/n,\nall-gather, reduce-scatter, all-to-all "
            "(n-1)/n, send/recv and broadcast 1.\n");
}

static int parse_colls(const char *arg, struct bench_opts *o,
                       struct tce_error *err)
{
    char buf[256], *tok, *save = NULL;
    int rc = 0;

    snprintf(buf, sizeof(buf), "%s", arg);
    o->n_colls = 0;
    for (tok = strtok_r(buf, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        if (o->n_colls >= MAX_COLLS) {
            rc = tce_error_set(err, TCE_EUSAGE, "too many collectives");
            goto out;
        }
        rc = tce_coll_parse(tok, &o->colls[o->n_colls], err);
        if (rc)
            goto out;
        o->n_colls++;
    }
    if (o->n_colls == 0)
        rc = tce_error_set(err, TCE_EUSAGE, "-c needs a collective");
out:
    return rc;
}

enum { OPT_RPN = 256, OPT_TP, OPT_CP, OPT_PP, OPT_EP, OPT_CHECK, OPT_SEED,
       OPT_TIMEOUT, OPT_JSON };

/* 1 = help printed, 0 = ok, <0 error. */
int tce_bench_parse_args(int argc, char **argv, struct bench_opts *o,
                      struct tce_error *err)
{
    static const struct option longopts[] = {
        {"collectives", required_argument, NULL, 'c'},
        {"minbytes", required_argument, NULL, 'b'},
        {"maxbytes", required_argument, NULL, 'e'},
        {"stepfactor", required_argument, NULL, 'f'},
        {"iters", required_argument, NULL, 'n'},
        {"warmup", required_argument, NULL, 'w'},
        {"group", required_argument, NULL, 'g'},
        {"ranks-per-node", required_argument, NULL, OPT_RPN},
        {"tp", required_argument, NULL, OPT_TP},
        {"cp", required_argument, NULL, OPT_CP},
        {"pp", required_argument, NULL, OPT_PP},
        {"ep", required_argument, NULL, OPT_EP},
        {"check", no_argument, NULL, OPT_CHECK},
        {"seed", required_argument, NULL, OPT_SEED},
        {"timeout", required_argument, NULL, OPT_TIMEOUT},
        {"json", required_argument, NULL, OPT_JSON},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c, rc = 0;

    memset(o, 0, sizeof(*o));
    o->colls[0] = TCE_COLL_ALL_REDUCE;
    o->n_colls = 1;
    o->sw.min_bytes = 8;
    o->sw.max_bytes = 32 << 20;
    o->sw.factor = 2.0;
    o->sw.iters = 20;
    o->sw.warmup = 5;
    snprintf(o->group, sizeof(o->group), "world");
    o->tp = o->cp = o->pp = o->ep = 1;
    o->seed = 1;
    optind = 1;
    opterr = 0;
    while (rc == 0 &&
           (c = getopt_long(argc, argv, ":c:b:e:f:n:w:g:h", longopts,
                            NULL)) != -1) {
        switch (c) {
        case 'c':
            rc = parse_colls(optarg, o, err);
            break;
        case 'b':
        case 'e':
        case 'f':
        case 'n':
        case 'w':
            rc = tce_rt_sweep_option(&o->sw, c, optarg, err);
            break;
        case 'g':
            snprintf(o->group, sizeof(o->group), "%s", optarg);
            break;
        case OPT_RPN:
            rc = tce_parse_int64(optarg, 1, INT_MAX, &o->ranks_per_node, err);
            break;
        case OPT_TP:
            rc = tce_parse_int64(optarg, 1, INT_MAX, &o->tp, err);
            break;
        case OPT_CP:
            rc = tce_parse_int64(optarg, 1, INT_MAX, &o->cp, err);
            break;
        case OPT_PP:
            rc = tce_parse_int64(optarg, 1, INT_MAX, &o->pp, err);
            break;
        case OPT_EP:
            rc = tce_parse_int64(optarg, 1, INT_MAX, &o->ep, err);
            break;
        case OPT_CHECK:
            o->check = 1;
            break;
        case OPT_SEED:
            rc = tce_parse_int64(optarg, 0, UINT32_MAX, &o->seed, err);
            break;
        case OPT_TIMEOUT:
            rc = tce_parse_double(optarg, 0, 1e6, &o->timeout_s, err);
            break;
        case OPT_JSON:
            o->json_path = optarg;
            break;
        default: /* -h, a missing value, an unknown option */
            rc = tce_cli_getopt_other(c, argv, err);
            break;
        }
    }
    if (rc == 0 && optind < argc)
        rc = tce_error_set(err, TCE_EUSAGE, "unexpected argument '%s'",
                           argv[optind]);
    if (rc == 0)
        rc = tce_rt_sweep_check(&o->sw, err);
    if (rc == 0 && o->sw.max_bytes / (int64_t)sizeof(float) > INT_MAX)
        rc = tce_error_set(err, TCE_EUSAGE,
                           "-e %" PRId64 ": at most %lld bytes (INT_MAX "
                           "floats; MPI 3.1 counts)",
                           o->sw.max_bytes, (long long)INT_MAX * 4);
    return rc;
}
