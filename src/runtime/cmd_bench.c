/*
 * cmd_bench.c - tcemu bench: an nccl-tests style collective benchmark.
 *
 * A small harness over the collectives of coll.h (executed by exec.c): for each collective and each
 * size from -b to -e (times -f), warm up, time -n back-to-back operations
 * between two barriers, and report the mean time per operation of the
 * slowest rank (max over ranks), algbw = size / time and busbw = algbw x the
 * nccl-tests factor.  --check runs one more operation on seeded data and
 * counts wrong elements on every rank (exit 3 if any).  Groups: the world,
 * the ranks of one node (intra), one rank per node (inter), or the TP, CP,
 * DP, EP, EDP, PP groups of a layout given by --tp/--cp/--pp/--ep.
 */
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcemu/coll.h"
#include "tcemu/cli.h"
#include "tcemu/json.h"
#include "tcemu/layout.h"
#include "tcemu/output.h"
#include "tcemu/rules.h"
#include "tcemu/runtime.h"
#include "tcemu/runtime_cmd.h"
#include "tcemu/util.h"

#define MAX_COLLS 8
#define MAX_SIZES 64

struct bench_opts {
    enum tce_coll colls[MAX_COLLS];
    int n_colls;
    struct tce_rt_sweep sw; /* -b -e -f -n -w */
    char group[16];
    int64_t ranks_per_node;
    int64_t tp, cp, pp, ep;
    int check;
    int64_t seed;
    double timeout_s;
    const char *json_path;
};

struct bench_row {
    enum tce_coll kind;
    int64_t bytes, count;
    double time_s;          /* max over ranks of the mean per operation */
    double algbw, busbw;
    int64_t wrong;          /* -1 not checked */
};

struct bench {
    struct tce_rt rt;
    struct bench_opts o;
    MPI_Comm comm;          /* the group being measured */
    int g_rank, g_size, n_groups;
    struct bench_row rows[MAX_COLLS * MAX_SIZES];
    int n_rows;
    float *send, *recv;
};

static void usage(FILE *out)
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
static int parse_args(int argc, char **argv, struct bench_opts *o,
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

/* Build the communicator of the requested group. */
static int make_group(struct bench *b, struct tce_error *err)
{
    struct tce_rt *rt = &b->rt;
    static const struct {
        const char *name;
        enum tce_group g;
    } kinds[] = {
        {"tp", TCE_GROUP_TP}, {"cp", TCE_GROUP_CP}, {"dp", TCE_GROUP_DP},
        {"ep", TCE_GROUP_EP}, {"edp", TCE_GROUP_EDP}, {"pp", TCE_GROUP_PP},
    };
    struct tce_layout l;
    struct tce_error why;
    int64_t color, key;
    size_t i;
    int rc = 0, mrc, is_leader;

    b->comm = MPI_COMM_NULL;
    if (strcmp(b->o.group, "world") == 0) {
        mrc = MPI_Comm_dup(rt->world, &b->comm);
    } else if (strcmp(b->o.group, "intra") == 0) {
        mrc = MPI_Comm_dup(rt->node, &b->comm);
    } else if (strcmp(b->o.group, "inter") == 0) {
        mrc = MPI_Comm_dup(rt->inter, &b->comm);
    } else {
        for (i = 0; i < TCE_ARRAY_SIZE(kinds); i++)
            if (strcmp(b->o.group, kinds[i].name) == 0)
                break;
        if (i == TCE_ARRAY_SIZE(kinds)) {
            rc = tce_error_set(err, TCE_EUSAGE,
                               "unknown --group '%s' (world, intra, inter, "
                               "tp, cp, dp, ep, edp, pp)",
                               b->o.group);
            goto out;
        }
        memset(&l, 0, sizeof(l));
        l.gpus = rt->size;
        l.tp = b->o.tp;
        l.cp = b->o.cp;
        l.pp = b->o.pp;
        l.ep = b->o.ep;
        l.vpp = 1;
        l.micro_batch = 1;
        l.microbatches = 1;
        l.gpus_per_node = rt->node_size;
        l.scale_up_domain = rt->node_size;
        if (tce_rule_model_parallel(rt->size, l.tp, l.pp, l.cp,
                                    TCE_RULE_BENCH, &why) != 0) {
            rc = tce_error_set(err, TCE_EUSAGE, "%s", why.msg);
            goto out;
        }
        l.dp = rt->size / (l.tp * l.cp * l.pp);
        if (tce_rule_ep_divides_dp(l.dp, l.ep, TCE_RULE_BENCH, &why) != 0) {
            rc = tce_error_set(err, TCE_EUSAGE, "%s", why.msg);
            goto out;
        }
        color = tce_layout_color(&l, rt->rank, kinds[i].g);
        key = tce_layout_key(&l, rt->rank, kinds[i].g);
        if (color < 0 || key < 0) {
            rc = tce_error_set(err, TCE_EINTERNAL, "no %s group for rank %d",
                               b->o.group, rt->rank);
            goto out;
        }
        mrc = MPI_Comm_split(rt->world, (int)color, (int)key, &b->comm);
    }
    if (mrc != MPI_SUCCESS) {
        rc = tce_rt_mpi_error(err, mrc, "group communicator");
        goto out;
    }
    tce_rt_comm_errors_return(b->comm);
    MPI_Comm_rank(b->comm, &b->g_rank);
    MPI_Comm_size(b->comm, &b->g_size);
    is_leader = b->g_rank == 0;
    MPI_Allreduce(&is_leader, &b->n_groups, 1, MPI_INT, MPI_SUM, rt->world);
out:
    return rc;
}

/* Time one size of one collective; fills row (every rank). */
static int measure(struct bench *b, enum tce_coll kind, int64_t bytes,
                   struct bench_row *row, struct tce_error *err)
{
    size_t count = (size_t)bytes / sizeof(float), sc, rcnt, i;
    struct tce_rt_coll_args a = {kind,   b->comm, b->g_size, b->g_rank,
                                 b->send, b->recv, count,     0,
                                 NULL};
    double t0, mean_s, max_s = 0.0;
    int64_t it, wrong = 0, all_wrong = 0;
    char opname[TCE_RT_OPNAME_MAX];
    int rc = 0, mrc = MPI_SUCCESS;

    tce_coll_counts(kind, count, b->g_size, &sc, &rcnt);
    row->kind = kind;
    row->count = (int64_t)count;
    row->bytes = (int64_t)(count * sizeof(float));
    row->wrong = -1;
    snprintf(opname, sizeof(opname), "%s %" PRId64 " B",
             tce_coll_short_name(kind), row->bytes);
    tce_watchdog_enter(&b->rt.wd, opname, b->o.group);
    if (tce_rt_test_hang(&b->rt, tce_coll_short_name(kind)))
        tce_rt_hang();
    for (it = 0; it < b->o.sw.warmup && mrc == MPI_SUCCESS; it++)
        mrc = tce_rt_exec_coll(&a);
    if (mrc == MPI_SUCCESS)
        mrc = MPI_Barrier(b->rt.world);
    t0 = MPI_Wtime();
    for (it = 0; it < b->o.sw.iters && mrc == MPI_SUCCESS; it++)
        mrc = tce_rt_exec_coll(&a);
    mean_s = (MPI_Wtime() - t0) / (double)b->o.sw.iters;
    if (mrc == MPI_SUCCESS && b->o.check) {
        tce_coll_init(b->send, sc, b->g_rank, (uint32_t)b->o.seed);
        for (i = 0; i < rcnt; i++)
            b->recv[i] = -1.0f;
        mrc = tce_rt_exec_coll(&a);
        if (mrc == MPI_SUCCESS && tce_rt_test_corrupt() && b->rt.rank == 0 &&
            rcnt > 0)
            b->recv[rcnt / 2] += 1.0f;
        if (mrc == MPI_SUCCESS)
            wrong = tce_coll_wrong(kind, b->recv, rcnt, b->g_rank, b->g_size,
                                   (uint32_t)b->o.seed);
    }
    tce_watchdog_leave(&b->rt.wd);
    if (mrc != MPI_SUCCESS) {
        rc = tce_rt_mpi_error(err, mrc, opname);
        goto out;
    }
    mrc = MPI_Allreduce(&mean_s, &max_s, 1, MPI_DOUBLE, MPI_MAX, b->rt.world);
    if (mrc == MPI_SUCCESS && b->o.check)
        mrc = MPI_Allreduce(&wrong, &all_wrong, 1, MPI_INT64_T, MPI_SUM,
                            b->rt.world);
    if (mrc != MPI_SUCCESS) {
        rc = tce_rt_mpi_error(err, mrc, "reducing results");
        goto out;
    }
    row->time_s = max_s;
    row->algbw = tce_coll_algbw_gbytes_per_s((double)row->bytes, max_s);
    row->busbw = tce_coll_busbw_gbytes_per_s(kind, b->g_size,
                                              (double)row->bytes, max_s);
    row->wrong = b->o.check ? all_wrong : -1;
out:
    return rc;
}

static void print_table_head(FILE *out, const struct bench *b)
{
    fprintf(out,
            "# group: %s, %d group(s) of %d ranks, measured at the same "
            "time\n",
            b->o.group, b->n_groups, b->g_size);
    fprintf(out,
            "# iterations: %" PRId64 " timed after %" PRId64
            " warm-up; time = slowest rank's mean per operation (measured)\n",
            b->o.sw.iters, b->o.sw.warmup);
    fprintf(out, "#\n# %-13s %12s %12s %6s %12s %12s %12s %8s\n",
            "collective", "size", "count", "type", "time", "algbw", "busbw",
            "#wrong");
    fprintf(out, "# %-13s %12s %12s %6s %12s %12s %12s %8s\n", "", "(B)",
            "(elements)", "", "(us)", "(GB/s)", "(GB/s)", "");
}

static void print_row(FILE *out, const struct bench_row *r)
{
    char wrong[32];

    if (r->wrong < 0)
        snprintf(wrong, sizeof(wrong), "N/A");
    else
        snprintf(wrong, sizeof(wrong), "%" PRId64, r->wrong);
    fprintf(out, "  %-13s %12" PRId64 " %12" PRId64 " %6s %12.2f %12.3f "
                 "%12.3f %8s\n",
            tce_coll_short_name(r->kind), r->bytes, r->count, "float",
            r->time_s * 1e6, r->algbw, r->busbw, wrong);
    fflush(out);
}

static int write_json(const struct bench *b, int argc, char **argv,
                      const char *hosts, const int *nodes, double avg_busbw,
                      int64_t total_wrong, struct tce_error *err)
{
    struct tce_output o;
    struct tce_json j;
    int i, rc;

    rc = tce_output_open(&o, b->o.json_path, err);
    if (rc)
        goto out;
    tce_json_init(&j, o.fp);
    tce_json_object_begin(&j, NULL);
    tce_json_string(&j, "schema", "tcemu.bench/1");
    tce_rt_json_header(&b->rt, &j, argc, argv, hosts, nodes);
    tce_json_string(&j, "group", b->o.group);
    tce_json_int(&j, "group_size", b->g_size);
    tce_json_int(&j, "groups", b->n_groups);
    tce_json_int(&j, "iterations", b->o.sw.iters);
    tce_json_int(&j, "warmup", b->o.sw.warmup);
    tce_json_string(&j, "type", "float");
    tce_json_string(&j, "time", "slowest rank's mean per operation");
    tce_json_array_begin(&j, "results");
    for (i = 0; i < b->n_rows; i++) {
        const struct bench_row *r = &b->rows[i];

        tce_json_object_begin(&j, NULL);
        tce_json_string(&j, "collective", tce_coll_short_name(r->kind));
        tce_json_int(&j, "size_bytes", r->bytes);
        tce_json_int(&j, "count", r->count);
        tce_json_double(&j, "time_us", r->time_s * 1e6);
        tce_json_double(&j, "algbw_gbytes_per_s", r->algbw);
        tce_json_double(&j, "busbw_gbytes_per_s", r->busbw);
        tce_json_double(&j, "busbw_factor",
                        tce_coll_busbw_factor(r->kind, b->g_size));
        if (r->wrong < 0)
            tce_json_null(&j, "wrong");
        else
            tce_json_int(&j, "wrong", r->wrong);
        tce_json_object_end(&j);
    }
    tce_json_array_end(&j);
    tce_json_double(&j, "avg_busbw_gbytes_per_s", avg_busbw);
    tce_json_string(&j, "data_check",
                    !b->o.check ? "skipped"
                                : (total_wrong ? "FAILED" : "OK"));
    tce_json_int(&j, "wrong_total", total_wrong);
    tce_json_finish(&j);
    rc = tce_output_commit(&o, err);
out:
    return rc;
}

int tce_cmd_bench(int argc, char **argv)
{
    struct bench *b = NULL;
    struct tce_error err;
    char *hosts = NULL;
    int *nodes = NULL;
    FILE *out = stdout;
    int rc, agreed, k, mpi_up = 0;
    int64_t bytes, total_wrong = 0;
    double busbw_sum = 0.0, next;

    tce_error_clear(&err);
    b = calloc(1, sizeof(*b));
    if (!b) {
        fprintf(stderr, "tcemu: error: out of memory\n");
        return TCE_EXIT_RUNTIME;
    }
    rc = tce_rt_begin(&b->rt, parse_args(argc, argv, &b->o, &err), &err,
                      usage, &argc, &argv);
    if (rc) {
        rc = rc == 1 ? 0 : rc; /* 1: --help */
        goto out_free;
    }
    mpi_up = 1;
    if (b->o.json_path && strcmp(b->o.json_path, "-") == 0)
        out = stderr;
    rc = tce_rt_nodes(&b->rt, (int)b->o.ranks_per_node, &err);
    if (rc == 0)
        rc = tce_rt_check_environment(&b->rt, 0, &err);
    if (rc == 0)
        rc = tce_watchdog_start(&b->rt.wd, b->o.timeout_s, b->rt.rank,
                                b->rt.host, &err);
    if (rc == 0)
        rc = make_group(b, &err);
    if (rc == 0) {
        size_t n = (size_t)(b->o.sw.max_bytes / (int64_t)sizeof(float)) + 1;

        b->send = calloc(n, sizeof(float));
        b->recv = calloc(n, sizeof(float));
        if (!b->send || !b->recv)
            rc = tce_error_set(&err, TCE_ENOMEM,
                               "cannot allocate 2 x %" PRId64 " bytes",
                               b->o.sw.max_bytes);
    }
    if (rc == 0)
        rc = tce_rt_alloc_host_map(&b->rt, &hosts, &nodes, &err);
    rc = tce_rt_report_agree(&b->rt, rc, &err);
    if (rc)
        goto out;
    rc = tce_rt_gather_host_map(&b->rt, hosts, nodes, &err);
    if (rc) {
        tce_rt_print_error(&b->rt, &err);
        goto out;
    }
    if (b->rt.rank == 0) {
        tce_rt_print_header(&b->rt, out, argc, argv, hosts);
        print_table_head(out, b);
    }
    for (k = 0; k < b->o.n_colls && rc == 0; k++) {
        const struct tce_coll_desc *d = tce_coll_desc(b->o.colls[k]);

        for (bytes = b->o.sw.min_bytes; bytes <= b->o.sw.max_bytes && rc == 0;
             bytes = (int64_t)next) {
            struct bench_row *row = &b->rows[b->n_rows];

            next = (double)bytes * b->o.sw.factor;
            if (next < (double)bytes + 1)
                next = (double)bytes + 1;
            if (bytes < (int64_t)sizeof(float) * b->g_size && d->splits)
                continue; /* less than one element per rank */
            if (bytes < (int64_t)sizeof(float))
                continue;
            if (b->n_rows >= MAX_COLLS * MAX_SIZES)
                break;
            rc = measure(b, d->kind, bytes, row, &err);
            if (rc) {
                /* The other ranks may be blocked in this operation: they
                 * can no longer agree, end the job. */
                tce_rt_print_error(&b->rt, &err);
                fflush(stdout);
                MPI_Abort(MPI_COMM_WORLD, tce_exit_status(rc));
            }
            b->n_rows++;
            busbw_sum += row->busbw;
            if (row->wrong > 0)
                total_wrong += row->wrong;
            if (b->rt.rank == 0)
                print_row(out, row);
        }
    }
    if (rc) {
        tce_rt_print_error(&b->rt, &err);
        goto out;
    }
    if (b->rt.rank == 0) {
        double avg = b->n_rows ? busbw_sum / b->n_rows : 0.0;

        fprintf(out, "# Out of bounds values : %" PRId64 " %s\n",
                total_wrong, total_wrong ? "FAILED" : "OK");
        fprintf(out, "# Avg bus bandwidth    : %.3f GB/s\n", avg);
        fprintf(out, "# data check: %s\n",
                !b->o.check ? "skipped (no --check)"
                            : (total_wrong ? "FAILED" : "OK"));
        if (total_wrong)
            fprintf(stderr,
                    "tcemu: error: data check failed: %" PRId64
                    " wrong element(s) summed over ranks\n",
                    total_wrong);
        if (b->o.json_path)
            rc = write_json(b, argc, argv, hosts, nodes, avg, total_wrong,
                            &err);
        if (rc)
            tce_rt_print_error(&b->rt, &err);
    }
    agreed = tce_rt_agree(&b->rt, rc);
    rc = agreed ? agreed : (total_wrong ? TCE_ECHECK : 0);
out:
    free(hosts);
    free(nodes);
    free(b->send);
    free(b->recv);
    if (b->comm != MPI_COMM_NULL && mpi_up)
        MPI_Comm_free(&b->comm);
    if (mpi_up)
        tce_rt_finalize(&b->rt);
out_free:
    free(b);
    return tce_exit_status(rc);
}
