/*
 * cmd_search.c - tcemu search: the best layouts of a job on a topology at
 * one or more GPU counts, ranked by time to train or by cost, with why the
 * first rejected alternatives lost (search.h has the rules).  Parses the
 * options, loads the scenario, runs the search through the projector and
 * hands the result to report_search.h.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcemu/cli.h"
#include "tcemu/config.h"
#include "tcemu/economics.h"
#include "tcemu/json.h"
#include "tcemu/output.h"
#include "tcemu/planning.h"
#include "tcemu/report_search.h"
#include "tcemu/scenario.h"
#include "tcemu/search.h"
#include "tcemu/util.h"

#define HINTS_MAX 4 /* nearby GPU counts named when nothing fits */

struct opts {
    const char *topo_path, *job_path, *gpus_arg, *plan, *json_path;
    const char *csv_path;
    struct tce_search_opts s;
};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: tcemu search -t TOPOLOGY -j JOB [--gpus N|LIST|RANGE] "
            "[OPTIONS]\n\n"
            "Enumerate every layout (tp, pp, vpp, cp, ep, dp, micro batch, "
            "recompute,\ndistributed optimizer) of JOB on TOPOLOGY, project "
            "each, keep those that\nfit memory and print the best.\n\n"
            "  -t, --topology FILE   topology (.cfg)\n"
            "  -j, --job FILE        job (.cfg)\n"
            "  -g, --gpus LIST       GPU counts: 1024, 1024,2048 or "
            "1024:65536:x2\n"
            "                        (default: the job's num_gpus)\n"
            "  -b, --by time|cost    rank by days to done or by USD "
            "(default time)\n"
            "  -k, --top K           layouts to print (default 5, max %d)\n"
            "  -x, --explain N       rejected alternatives to explain "
            "(default 5, max %d)\n"
            "  -p, --plan NAME       price under the topology's contract "
            "NAME\n"
            "                        (default on-demand list price)\n"
            "      --max-micro-batch N   largest micro batch tried "
            "(default 16)\n"
            "      --hbm-headroom F  keep only layouts whose modelled memory "
            "leaves\n"
            "                        the fraction F of HBM free, 0 to 0.9 "
            "(default 0)\n"
            "      --brute-force     project every candidate (no pruning)\n"
            "      --json FILE|-     also write JSON (schema "
            TCE_SEARCH_JSON_SCHEMA ")\n"
            "      --csv FILE|-      also write CSV, one row per layout "
            "(" TCE_SEARCH_CSV_SCHEMA ")\n"
            "  -h, --help            this help\n\n"
            "Every figure is modelled (projector + economics); none is "
            "measured.\n",
            TCE_SEARCH_TOP_MAX, TCE_SEARCH_EXPLAIN_MAX);
}

/* A bad option value's error names the option: "--top: 0 is out of
 * range [1, 64]". */
static int named(int ret, const char *option, struct tce_error *err)
{
    char msg[TCE_ERROR_MSG_MAX];

    if (ret == 0)
        return 0;
    snprintf(msg, sizeof(msg), "%s", err->msg);
    return tce_error_set(err, ret, "%s: %s", option, msg);
}

static int parse(int argc, char **argv, struct opts *o, struct tce_error *err)
{
    enum { OPT_BRUTE = 256, OPT_MAXB, OPT_HEADROOM };
    static const struct option longopts[] = {
        {"by", required_argument, NULL, 'b'},
        {"top", required_argument, NULL, 'k'},
        {"explain", required_argument, NULL, 'x'},
        {"brute-force", no_argument, NULL, OPT_BRUTE},
        {"max-micro-batch", required_argument, NULL, OPT_MAXB},
        {"hbm-headroom", required_argument, NULL, OPT_HEADROOM},
        {NULL, 0, NULL, 0},
    };
    struct tce_cli_parser p;
    struct tce_cli_common co;
    int64_t v;
    int c, ret = 0;

    memset(o, 0, sizeof(*o));
    memset(&co, 0, sizeof(co));
    tce_search_opts_init(&o->s);
    tce_cli_parser_init(&p,
                        TCE_CLI_TOPOLOGY | TCE_CLI_JOB | TCE_CLI_GPUS |
                            TCE_CLI_PLAN | TCE_CLI_JSON | TCE_CLI_CSV |
                            TCE_CLI_HELP,
                        longopts, ":b:k:x:");
    while (ret == 0 && (c = tce_cli_next(&p, argc, argv, &co)) != -1) {
        switch (c) {
        case 0: /* a shared option, stored in co */
            break;
        case OPT_BRUTE:
            o->s.brute_force = 1;
            break;
        case 'b':
            if (strcmp(optarg, "time") == 0)
                o->s.by = TCE_SEARCH_BY_TIME;
            else if (strcmp(optarg, "cost") == 0)
                o->s.by = TCE_SEARCH_BY_COST;
            else
                ret = tce_error_set(err, TCE_EUSAGE,
                                    "--by: '%s' is not time or cost", optarg);
            break;
        case 'k':
            ret = named(tce_parse_int64(optarg, 1, TCE_SEARCH_TOP_MAX, &v,
                                        err),
                        "--top", err);
            o->s.top_k = (int)v;
            break;
        case 'x':
            ret = named(tce_parse_int64(optarg, 0, TCE_SEARCH_EXPLAIN_MAX, &v,
                                        err),
                        "--explain", err);
            o->s.explain = (int)v;
            break;
        case OPT_MAXB:
            ret = named(tce_parse_int64(optarg, 1, 1 << 20, &v, err),
                        "--max-micro-batch", err);
            o->s.max_micro_batch = v;
            break;
        case OPT_HEADROOM: { /* compare's and plot's parser */
            struct tce_planning_goal g = {0};

            ret = tce_planning_parse_hbm_headroom(optarg, &g, err);
            o->s.hbm_headroom = g.hbm_headroom;
            break;
        }
        default: /* -h, or a bad option */
            ret = tce_cli_getopt_other(c, argv, err);
            break;
        }
    }
    o->topo_path = co.topology;
    o->job_path = co.job;
    o->gpus_arg = co.gpus;
    o->plan = co.plan;
    o->json_path = co.json;
    o->csv_path = co.csv;
    if (ret == 0)
        ret = tce_cli_no_operands(argc, argv, err);
    if (ret == 0 && (!o->topo_path || !o->job_path))
        ret = tce_error_set(err, TCE_EUSAGE,
                            "search needs -t TOPOLOGY and -j JOB");
    return ret;
}

int tce_cmd_search(int argc, char **argv)
{
    struct opts o;
    struct tce_error err;
    struct tce_diag diag;
    struct tce_gpu_list gl;
    struct tce_contract scratch;
    struct tce_scenario_files files = {NULL, NULL, NULL};
    struct tce_scenario *sc = NULL;
    struct tce_search_projector *sp = NULL;
    struct tce_search_result *res = NULL;
    struct tce_search_backend be;
    struct tce_search_report rep;
    struct tce_validation validation;
    struct tce_search_hit hints[HINTS_MAX];
    struct tce_output out;
    struct tce_json j;
    int ret, i, have_out = 0;

    tce_error_clear(&err);
    ret = parse(argc, argv, &o, &err);
    if (ret == 1) {
        usage(stdout);
        ret = 0;
        goto out;
    }
    if (ret < 0)
        goto out;
    /* result paths checked before the search: a bad one fails at once */
    {
        const char *paths[] = {o.json_path, o.csv_path};

        if ((ret = tce_output_check_all(paths, 2, &err)) < 0)
            goto out;
    }
    sc = calloc(1, sizeof(*sc));
    res = calloc(1, sizeof(*res));
    sp = malloc(sizeof(*sp));
    if (!sc || !res || !sp) {
        ret = tce_error_set(&err, TCE_ENOMEM, "search: out of memory");
        goto out;
    }
    tce_diag_init(&diag, stderr);
    files.topology = o.topo_path;
    files.job = o.job_path;
    ret = tce_scenario_load(sc, &files, &diag, &err);
    if (ret < 0) {
        ret = TCE_ECONFIG;
        err.code = 0; /* already reported by diag */
        goto out;
    }
    if (o.gpus_arg) {
        ret = tce_parse_gpu_list(o.gpus_arg, &gl, &err);
        if (ret < 0)
            goto out;
    } else {
        gl.n = 1;
        gl.gpus[0] = sc->job.parallel.num_gpus;
        if (gl.gpus[0] < 1) {
            ret = tce_error_set(&err, TCE_EUSAGE,
                                "%s has no parallel.num_gpus: give --gpus",
                                o.job_path);
            goto out;
        }
    }
    /* capacity bounds the answer: a count the offering cannot rent is
     * skipped and named, as compare does */
    o.s.n_gpus = 0;
    for (i = 0; i < gl.n; i++) {
        if (tce_econ_over_capacity(&sc->topo, gl.gpus[i])) {
            fprintf(stderr,
                    "tcemu search: warning: %lld GPUs skipped: they need "
                    "%lld nodes and %s offers %lld\n",
                    (long long)gl.gpus[i],
                    (long long)tce_econ_nodes(&sc->topo, gl.gpus[i]),
                    sc->topo.name, (long long)sc->topo.capacity.max_nodes);
            continue;
        }
        o.s.gpus[o.s.n_gpus++] = gl.gpus[i];
    }
    if (o.s.n_gpus == 0) {
        ret = tce_error_set(&err, TCE_ENOFIT,
                            "no GPU count of the search fits %s's capacity "
                            "(%lld nodes of %d accelerators)",
                            sc->topo.name,
                            (long long)sc->topo.capacity.max_nodes,
                            sc->topo.node.accelerators);
        goto out;
    }
    o.s.contract = tce_econ_find_contract(&sc->topo, o.plan, &scratch);
    if (!o.s.contract) {
        ret = tce_error_set(&err, TCE_EUSAGE,
                            "%s has no contract '%s' (see tcemu show)",
                            o.topo_path, o.plan);
        goto out;
    }
    tce_search_projector_backend_cached(sp, sc, &be);
    ret = tce_search_run(&sc->topo, &sc->job, &o.s, &be, res, &err);
    tce_report_search_progress(stderr, res);
    if (ret == TCE_ENOFIT) {
        tce_error_print(&err, stderr);
        i = tce_planning_nearby(&sc->topo, &sc->job, o.s.contract,
                                o.s.hbm_headroom, &be,
                                o.s.gpus[0], res, hints, HINTS_MAX);
        tce_report_search_hints(stderr, o.s.gpus[0], hints, i);
        err.code = 0;
        goto out;
    }
    if (ret < 0)
        goto out;
    rep.version = tce_cli_version();
    rep.topology_path = o.topo_path;
    rep.job_path = o.job_path;
    rep.topo = &sc->topo;
    rep.job = &sc->job;
    rep.contract = o.s.contract;
    rep.opts = &o.s;
    rep.result = res;
    tce_validation_for(&sc->topo, &sc->job, &validation);
    rep.validation = &validation;
    /* With --json - or --csv - stdout carries that alone. */
    if ((!o.json_path || strcmp(o.json_path, "-") != 0) &&
        (!o.csv_path || strcmp(o.csv_path, "-") != 0))
        tce_report_search_human(stdout, &rep);
    if (o.json_path) {
        ret = tce_output_open(&out, o.json_path, &err);
        if (ret < 0)
            goto out;
        have_out = 1;
        tce_json_init(&j, out.fp);
        tce_report_search_json(&j, &rep);
        ret = tce_output_commit(&out, &err);
        have_out = 0;
        if (ret < 0)
            goto out;
    }
    if (o.csv_path) {
        ret = tce_output_open(&out, o.csv_path, &err);
        if (ret < 0)
            goto out;
        have_out = 1;
        tce_report_search_csv(out.fp, &rep);
        ret = tce_output_commit(&out, &err);
        have_out = 0;
    }
out:
    if (have_out)
        tce_output_abort(&out);
    if (ret < 0 && err.code != 0)
        tce_error_print(&err, stderr);
    free(sp);
    free(res);
    free(sc);
    return ret < 0 ? tce_exit_status(ret) : TCE_EXIT_OK;
}
