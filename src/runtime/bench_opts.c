/*
 * bench_opts.c - `tcemu bench` options and usage.
 *
 * The letters are nccl-tests' where they overlap (github.com/NVIDIA/
 * nccl-tests, README "Arguments"; src/common.cu): -b -e -f -n -w, -c check,
 * -a average mode, -d datatype, -o op, -r root, -g GPUs per thread, -t
 * threads, -m aggregation, -T timeout; sizes K/M/G = 1024^n.  What tcemu
 * cannot do is refused with the reason, never silently ignored.
 * Collectives are chosen with the long-only --collectives LIST: nccl-tests
 * picks one by its binary (all_reduce_perf, ...), which a single tcemu
 * binary cannot, and its -c letter is the check.  The old -c LIST and
 * -g GROUP still work, with a warning (their values are never numbers, so
 * they cannot be mistaken for nccl-tests' -c N and -g N).
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
            "nccl-tests style collective benchmark over MPI: one rank stands "
            "for one GPU.\nThe letters follow nccl-tests "
            "(github.com/NVIDIA/nccl-tests, README \"Arguments\").\n\n"
            "  -b, --minbytes SIZE      smallest size (default 8); K M G = "
            "1024^n\n"
            "                           as in nccl-tests (Ki Mi Gi the "
            "same)\n"
            "  -e, --maxbytes SIZE      largest size (default 32M)\n"
            "  -f, --stepfactor X       size multiplier (default 2)\n"
            "  -n, --iters N            timed iterations per size (default "
            "20)\n"
            "  -w, --warmup_iters N     untimed iterations first (default 5; "
            "also --warmup)\n"
            "  -c, --check N            checked operations per size and "
            "place on seeded\n"
            "                           data (default 1, 0 = off); exit 3 "
            "on a wrong element\n"
            "  -a, --average M          time reported: 0 rank 0, 1 average "
            "over ranks\n"
            "                           (default), 2 minimum, 3 maximum\n"
            "  -o, --op OP              sum (default), prod, min, max "
            "(all-reduce,\n"
            "                           reduce-scatter)\n"
            "  -d, --datatype T         float (the only type: MPI_FLOAT)\n"
            "  -r, --root R             0 (broadcast's root; the only one)\n"
            "  -g, --ngpus N            GPUs per thread: 1 (one rank is one "
            "GPU; start\n"
            "                           more ranks with mpirun -np)\n"
            "  -t, --nthreads N, -m, --agg_iters N   1 only\n"
            "  -T, --timeout S          watchdog: abort (exit 4) when one "
            "size takes\n"
            "                           longer than S seconds\n"
            "      --collectives LIST   allreduce,allgather,reducescatter,"
            "alltoall,\n"
            "                           sendrecv,broadcast (default "
            "allreduce)\n"
            "      --group G            world, intra, inter, tp, cp, dp, ep, "
            "edp, pp\n"
            "                           (default world)\n"
            "      --ranks-per-node K   virtual nodes of K consecutive ranks\n"
            "      --tp/--cp/--pp/--ep N  layout for the tp..pp groups\n"
            "      --seed N             seed of the check data (default 1)\n"
            "      --json FILE|-        results as JSON (schema "
            BENCH_JSON_SCHEMA ")\n"
            "      --csv FILE|-         results as CSV (schema column "
            BENCH_CSV_SCHEMA ");\n"
            "                           with '-' the table goes to stderr\n"
            "  -h, --help\n\n"
            "Columns as nccl-tests: size (the whole buffer: all-gather the "
            "result,\nreduce-scatter the input), count, type, redop, root, "
            "then time, algbw,\nbusbw and #wrong out of place and in place "
            "(send/recv: out of place\nonly, MPI_Sendrecv needs two "
            "buffers).  Times are measured; GB/s = 1e9\nbytes/s; busbw "
            "factors: all-reduce 2(n-1)/n, all-gather, reduce-scatter,\n"
            "all-to-all (n-1)/n, send/recv and broadcast 1.  SIGUSR1 or "
            "SIGTERM: stop\nat the next size with what was measured written "
            "(exit %d).\n",
            TCE_EXIT_STOPPED);
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
        if (o->n_colls >= BENCH_MAX_COLLS) {
            rc = tce_error_set(err, TCE_EUSAGE, "too many collectives");
            goto out;
        }
        rc = tce_coll_parse(tok, &o->colls[o->n_colls], err);
        if (rc)
            goto out;
        o->n_colls++;
    }
    if (o->n_colls == 0)
        rc = tce_error_set(err, TCE_EUSAGE,
                           "--collectives needs a collective");
out:
    return rc;
}

static int is_number(const char *s)
{
    return s && tce_parse_int64(s, INT64_MIN, INT64_MAX, &(int64_t){0},
                                NULL) == 0;
}

/* An nccl-tests option whose only value tcemu can honour is `only`. */
static int only_value(int c, const char *arg, int64_t only, const char *why,
                      struct tce_error *err)
{
    int64_t v;

    if (tce_parse_int64(arg, INT64_MIN, INT64_MAX, &v, NULL) == 0 &&
        v == only)
        return 0;
    return tce_error_set(err, TCE_EUSAGE, "-%c %s: only %" PRId64 " (%s)", c,
                         arg, only, why);
}

enum { OPT_RPN = 256, OPT_TP, OPT_CP, OPT_PP, OPT_EP, OPT_CHECK, OPT_SEED,
       OPT_JSON, OPT_CSV, OPT_COLLS, OPT_GROUP };

static const struct option longopts[] = {
    {"collectives", required_argument, NULL, OPT_COLLS},
    {"minbytes", required_argument, NULL, 'b'},
    {"maxbytes", required_argument, NULL, 'e'},
    {"stepfactor", required_argument, NULL, 'f'},
    {"stepbytes", required_argument, NULL, 'i'},
    {"iters", required_argument, NULL, 'n'},
    {"warmup", required_argument, NULL, 'w'},
    {"warmup_iters", required_argument, NULL, 'w'},
    {"check", optional_argument, NULL, OPT_CHECK},
    {"average", required_argument, NULL, 'a'},
    {"op", required_argument, NULL, 'o'},
    {"datatype", required_argument, NULL, 'd'},
    {"root", required_argument, NULL, 'r'},
    {"ngpus", required_argument, NULL, 'g'},
    {"nthreads", required_argument, NULL, 't'},
    {"agg_iters", required_argument, NULL, 'm'},
    {"timeout", required_argument, NULL, 'T'},
    {"group", required_argument, NULL, OPT_GROUP},
    {"ranks-per-node", required_argument, NULL, OPT_RPN},
    {"tp", required_argument, NULL, OPT_TP},
    {"cp", required_argument, NULL, OPT_CP},
    {"pp", required_argument, NULL, OPT_PP},
    {"ep", required_argument, NULL, OPT_EP},
    {"seed", required_argument, NULL, OPT_SEED},
    {"json", required_argument, NULL, OPT_JSON},
    {"csv", required_argument, NULL, OPT_CSV},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static void defaults(struct bench_opts *o)
{
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
    o->check = 1;
    o->op = TCE_BENCHDATA_SUM;
    o->avg = TCE_BENCHDATA_AVG_MEAN;
    o->seed = 1;
}

/* -c: nccl-tests' check count, or the old collective list. */
static int opt_c(struct bench_opts *o, const char *arg, struct tce_error *err)
{
    if (is_number(arg))
        return tce_parse_int64(arg, 0, 1000, &o->check, err);
    o->old_c = 1;
    return parse_colls(arg, o, err);
}

/* -g: nccl-tests' GPUs per thread, or the old group name. */
static int opt_g(struct bench_opts *o, const char *arg, struct tce_error *err)
{
    if (is_number(arg))
        return only_value('g', arg, 1,
                          "nccl-tests' GPUs per thread; in tcemu each rank "
                          "stands for one GPU: start that many more ranks "
                          "with mpirun -np",
                          err);
    o->old_g = 1;
    snprintf(o->group, sizeof(o->group), "%s", arg);
    return 0;
}

/* --check, --check=N or --check N (nccl-tests' form takes a count). */
static int opt_check(struct bench_opts *o, int argc, char **argv,
                     struct tce_error *err)
{
    if (optarg)
        return tce_parse_int64(optarg, 0, 1000, &o->check, err);
    if (optind < argc && is_number(argv[optind]))
        return tce_parse_int64(argv[optind++], 0, 1000, &o->check, err);
    o->check = 1;
    return 0;
}

static int parse_one(int c, int argc, char **argv, struct bench_opts *o,
                     struct tce_error *err)
{
    switch (c) {
    case OPT_COLLS:
        return parse_colls(optarg, o, err);
    case 'c':
        return opt_c(o, optarg, err);
    case 'g':
        return opt_g(o, optarg, err);
    case OPT_CHECK:
        return opt_check(o, argc, argv, err);
    case 'b':
        return tce_parse_size(optarg, &o->sw.min_bytes, err);
    case 'e':
        return tce_parse_size(optarg, &o->sw.max_bytes, err);
    case 'f':
    case 'n':
    case 'w':
        return tce_rt_sweep_option(&o->sw, c, optarg, err);
    case 'i':
        return tce_error_set(err, TCE_EUSAGE,
                             "-i (fixed size steps) is not supported: use "
                             "-f, a size factor");
    case 'a':
        return tce_benchdata_avg_parse(optarg, &o->avg, err);
    case 'o':
        return tce_benchdata_op_parse(optarg, &o->op, err);
    case 'd':
        return tce_benchdata_type_parse(optarg, err);
    case 'r':
        return only_value('r', optarg, 0, "broadcast's root is rank 0", err);
    case 't':
        return only_value('t', optarg, 1,
                          "each rank is one process with one thread", err);
    case 'm':
        return only_value('m', optarg, 1,
                          "NCCL group aggregation has no MPI equivalent",
                          err);
    case 'T':
        return tce_parse_double(optarg, 0, 1e6, &o->timeout_s, err);
    case OPT_GROUP:
        snprintf(o->group, sizeof(o->group), "%s", optarg);
        return 0;
    case OPT_RPN:
        return tce_parse_int64(optarg, 1, INT_MAX, &o->ranks_per_node, err);
    case OPT_TP:
        return tce_parse_int64(optarg, 1, INT_MAX, &o->tp, err);
    case OPT_CP:
        return tce_parse_int64(optarg, 1, INT_MAX, &o->cp, err);
    case OPT_PP:
        return tce_parse_int64(optarg, 1, INT_MAX, &o->pp, err);
    case OPT_EP:
        return tce_parse_int64(optarg, 1, INT_MAX, &o->ep, err);
    case OPT_SEED:
        return tce_parse_int64(optarg, 0, UINT32_MAX, &o->seed, err);
    case OPT_JSON:
        o->json_path = optarg;
        return 0;
    case OPT_CSV:
        o->csv_path = optarg;
        return 0;
    default: /* -h, a missing value, an unknown option */
        return tce_cli_getopt_other(c, argv, err);
    }
}

int tce_bench_parse_args(int argc, char **argv, struct bench_opts *o,
                         struct tce_error *err)
{
    int c, rc = 0;

    defaults(o);
    optind = 1;
    opterr = 0;
    while (rc == 0 && (c = getopt_long(argc, argv,
                                       ":c:b:e:f:i:n:w:a:o:d:r:g:t:m:T:h",
                                       longopts, NULL)) != -1)
        rc = parse_one(c, argc, argv, o, err);
    if (rc == 0)
        rc = tce_cli_no_operands(argc, argv, err);
    if (rc == 0)
        rc = tce_rt_sweep_check(&o->sw, err);
    if (rc == 0 && o->sw.max_bytes / (int64_t)sizeof(float) > INT_MAX)
        rc = tce_error_set(err, TCE_EUSAGE,
                           "-e %" PRId64 ": at most %lld bytes (INT_MAX "
                           "floats; MPI 3.1 counts)",
                           o->sw.max_bytes, (long long)INT_MAX * 4);
    if (rc == 0 && o->json_path && o->csv_path &&
        strcmp(o->json_path, "-") == 0 && strcmp(o->csv_path, "-") == 0)
        rc = tce_error_set(err, TCE_EUSAGE,
                           "--json - and --csv - cannot both use stdout");
    return rc;
}
