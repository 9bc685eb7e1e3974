/*
 * cmd_compare.c - tcemu compare: one training run across offerings and
 * contracts, each at its best layout and a chosen scale, with time to
 * train, cost (failures and idle commitment shown), USD per million tokens,
 * energy and effective MFU; the cheapest, the fastest and the Pareto front
 * marked; what a budget buys; sensitivity to price and MFU +-10%.
 *
 * Scale: --gpus N (one count), or with --deadline the cheapest of the
 * candidate scales (--gpus LIST; default every GPU count at which the job
 * has a shape, 10% apart, up to the topology's capacity) that meets the
 * deadline.  Without --gpus or --deadline: the job's num_gpus.
 *
 * Thin: parses the options, builds one scenario per offering (scenario.h),
 * hands them to the planning module (planning.h states every rule) and its
 * result to report_compare.h.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcemu/cli.h"
#include "tcemu/config.h"
#include "tcemu/json.h"
#include "tcemu/output.h"
#include "tcemu/planning.h"
#include "tcemu/report_compare.h"
#include "tcemu/scenario.h"
#include "tcemu/search.h"
#include "tcemu/util.h"
#include "tcemu/validation.h"

struct opts {
    const char *job_path, *plan, *gpus_arg, *json_path, *csv_path;
    const char *topo_paths[TCE_PLANNING_OFFERINGS_MAX];
    int n_topos;
    int wide;
    struct tce_planning_goal goal;
};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: tcemu compare -j JOB -t TOPOLOGY [-t TOPOLOGY ...] "
            "[OPTIONS]\n\n"
            "The same training run across offerings and contracts, each at "
            "its best\nlayout: days, cost (failures and idle commitment "
            "shown), USD per million\ntokens, energy, effective MFU; the "
            "cheapest, the fastest and the Pareto\nfront (days, cost) "
            "marked.\n\n"
            "  -j, --job FILE        job (.cfg)\n"
            "  -t, --topology FILE   an offering (repeat, up to %d)\n"
            "  -p, --plan NAME       only the contract NAME of each topology "
            "(on-demand\n"
            "                        where a topology has no such contract); "
            "default all\n"
            "  -g, --gpus LIST       scale(s): one count, or candidates for "
            "--deadline\n"
            "  -d, --deadline DAYS   the cheapest scale done within DAYS "
            "(lead time\n"
            "                        included); default candidates: every "
            "GPU count\n"
            "                        the job divides into, 10%% apart, up "
            "to capacity\n"
            "  -B, --budget USD      what the budget buys: most tokens within "
            "budget\n"
            "                        (and deadline) on each offering\n"
            "      --chinchilla      with --budget: compute-optimal model "
            "size (20 tokens\n"
            "                        per parameter, C = 6 N D)\n"
            "      --hbm-headroom F  keep only layouts whose modelled memory "
            "leaves\n"
            "                        the fraction F of HBM free, 0 to 0.9 "
            "(default 0;\n"
            "                        as search)\n"
            "      --wide            every column in the human table "
            "(adds MWh, tCO2e,\n"
            "                        GiB: modelled memory per GPU)\n"
            "      --json FILE|-     also write JSON (schema "
            TCE_COMPARE_JSON_SCHEMA ")\n"
            "      --csv FILE|-      also write CSV, one row per offering "
            "and contract\n"
            "                        (" TCE_COMPARE_CSV_SCHEMA "; budget_* "
            "columns with --budget)\n"
            "  -h, --help            this help\n\n"
            "Every figure is modelled (projector, failures, prices from the "
            "topology\nfiles); none is measured.  Electricity is reported "
            "beside the bill (cloud\nprices include it), not added.\n",
            TCE_PLANNING_OFFERINGS_MAX);
}

static int parse(int argc, char **argv, struct opts *o, struct tce_error *err)
{
    enum { OPT_CHIN = 256, OPT_WIDE, OPT_HEADROOM };
    static const struct option longopts[] = {
        {"wide", no_argument, NULL, OPT_WIDE},
        {"hbm-headroom", required_argument, NULL, OPT_HEADROOM},
        {"deadline", required_argument, NULL, 'd'},
        {"budget", required_argument, NULL, 'B'},
        {"chinchilla", no_argument, NULL, OPT_CHIN},
        {NULL, 0, NULL, 0},
    };
    struct tce_cli_parser p;
    struct tce_cli_common co;
    int c, ret = 0;

    memset(o, 0, sizeof(*o));
    memset(&co, 0, sizeof(co));
    tce_cli_parser_init(&p,
                        TCE_CLI_JOB | TCE_CLI_TOPOLOGY | TCE_CLI_PLAN |
                            TCE_CLI_GPUS | TCE_CLI_JSON | TCE_CLI_CSV |
                            TCE_CLI_HELP,
                        longopts, ":d:B:");
    while (ret == 0 && (c = tce_cli_next(&p, argc, argv, &co)) != -1) {
        switch (c) {
        case 0: /* a shared option; -t may be given several times */
            if (p.last != TCE_CLI_OPT_TOPOLOGY)
                break;
            if (o->n_topos >= TCE_PLANNING_OFFERINGS_MAX)
                ret = tce_error_set(err, TCE_EUSAGE, "at most %d topologies",
                                    TCE_PLANNING_OFFERINGS_MAX);
            else
                o->topo_paths[o->n_topos++] = co.topology;
            break;
        case OPT_CHIN:
            o->goal.chinchilla = 1;
            break;
        case OPT_WIDE:
            o->wide = 1;
            break;
        case 'd':
            ret = tce_planning_parse_deadline(optarg, &o->goal, err);
            break;
        case 'B':
            ret = tce_planning_parse_budget(optarg, &o->goal, err);
            break;
        case OPT_HEADROOM:
            ret = tce_planning_parse_hbm_headroom(optarg, &o->goal, err);
            break;
        default: /* -h, or a bad option */
            ret = tce_cli_getopt_other(c, argv, err);
            break;
        }
    }
    o->job_path = co.job;
    o->plan = co.plan;
    o->gpus_arg = co.gpus;
    o->json_path = co.json;
    o->csv_path = co.csv;
    if (ret == 0)
        ret = tce_cli_no_operands(argc, argv, err);
    if (ret == 0 && (!o->job_path || o->n_topos == 0))
        ret = tce_error_set(err, TCE_EUSAGE,
                            "compare needs -j JOB and at least one -t "
                            "TOPOLOGY");
    if (ret == 0 && o->goal.chinchilla && o->goal.budget_usd <= 0.0)
        ret = tce_error_set(err, TCE_EUSAGE, "--chinchilla needs --budget");
    return ret;
}

/* One scenario per offering: the job loaded once, each topology loaded
 * into its own scenario with a copy of the job and its cost model. */
static int load(const struct opts *o, struct tce_scenario *sc,
                struct tce_error *err)
{
    struct tce_diag diag;
    int i, ret;

    tce_diag_init(&diag, stderr);
    ret = tce_job_load(o->job_path, &sc[0].job, &diag);
    for (i = 0; i < o->n_topos; i++)
        if (tce_topology_load(o->topo_paths[i], &sc[i].topo, &diag) < 0)
            ret = TCE_ECONFIG;
    if (ret < 0)
        ret = TCE_ECONFIG; /* reported through diag */
    for (i = 0; i < o->n_topos && ret == 0; i++) {
        sc[i].job = sc[0].job;
        ret = tce_scenario_rebuild(&sc[i], err);
    }
    return ret;
}

/* The candidate scales of one offering: --gpus (those within its
 * capacity), else planning's. */
static int scales(const struct opts *o, const struct tce_scenario *s,
                  int64_t *out, struct tce_error *err)
{
    struct tce_gpu_list gl;
    int n = 0, i, ret;

    if (!o->gpus_arg) {
        n = tce_planning_scales(s, &o->goal, out, TCE_PLANNING_SCALES_MAX, err);
        goto out;
    }
    ret = tce_parse_gpu_list(o->gpus_arg, &gl, err);
    if (ret < 0) {
        n = ret;
        goto out;
    }
    for (i = 0; i < gl.n && n < TCE_PLANNING_SCALES_MAX; i++) {
        if (tce_econ_over_capacity(&s->topo, gl.gpus[i])) {
            fprintf(stderr,
                    "tcemu compare: warning: %s: %lld GPUs skipped: "
                    "more nodes than it offers (%lld)\n",
                    s->topo.name, (long long)gl.gpus[i],
                    (long long)s->topo.capacity.max_nodes);
            continue;
        }
        out[n++] = gl.gpus[i];
    }
out:
    return n;
}

static int plan(const struct opts *o, struct tce_scenario *sc,
                struct tce_planning *pl, struct tce_error *err)
{
    struct tce_search_backend be;
    struct tce_search_projector *sp = malloc(sizeof(*sp));
    int64_t gpus[TCE_PLANNING_SCALES_MAX];
    int i, n, ret = 0;

    if (!sp)
        return tce_error_set(err, TCE_ENOMEM, "compare: out of memory");
    tce_planning_init(pl, &sc[0].job, &o->goal);
    for (i = 0; i < o->n_topos && ret == 0; i++) {
        n = scales(o, &sc[i], gpus, err);
        if (n == TCE_ENOFIT) { /* this offering cannot: say why, go on */
            ret = tce_planning_add_unable(pl, &sc[i], err->msg, err);
            tce_error_clear(err);
            continue;
        }
        if (n < 0) {
            ret = n;
            break;
        }
        tce_search_projector_backend_cached(sp, &sc[i], &be);
        ret = tce_planning_add_offering(pl, &sc[i], &be, gpus, n, err);
    }
    free(sp);
    for (i = 0; i < o->n_topos && ret == 0; i++)
        if (tce_planning_add_rows(pl, i, o->plan) == 1)
            fprintf(stderr,
                    "tcemu compare: warning: %s has no contract '%s': "
                    "priced on demand\n",
                    sc[i].topo.name, o->plan);
    if (ret == 0)
        ret = tce_planning_evaluate(pl, err);
    return ret;
}

int tce_cmd_compare(int argc, char **argv)
{
    struct opts o;
    struct tce_scenario *sc = NULL;
    struct tce_planning *pl = NULL;
    struct tce_compare_report rep;
    struct tce_validation validation;
    struct tce_error err;
    struct tce_output out;
    struct tce_json j;
    int ret, have_out = 0;

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
    sc = calloc((size_t)o.n_topos, sizeof(*sc));
    pl = calloc(1, sizeof(*pl));
    if (!sc || !pl) {
        ret = tce_error_set(&err, TCE_ENOMEM, "compare: out of memory");
        goto out;
    }
    ret = load(&o, sc, &err);
    if (ret < 0)
        goto out;
    ret = plan(&o, sc, pl, &err);
    if (ret < 0)
        goto out;
    rep.pl = pl;
    rep.version = tce_cli_version();
    rep.job_path = o.job_path;
    rep.topology_paths = o.topo_paths;
    rep.wide = o.wide;
    rep.validation = NULL;
    if (pl->verdict.cheapest >= 0) {
        const struct tce_planning_row *b = &pl->rows[pl->verdict.cheapest];

        tce_validation_for(&pl->offerings[b->offering].scenario->topo,
                           pl->job, &validation);
        rep.validation = &validation;
    }
    if ((!o.json_path || strcmp(o.json_path, "-") != 0) &&
        (!o.csv_path || strcmp(o.csv_path, "-") != 0))
        tce_report_compare_human(stdout, &rep);
    if (o.json_path) {
        ret = tce_output_open(&out, o.json_path, &err);
        if (ret < 0)
            goto out;
        have_out = 1;
        tce_json_init(&j, out.fp);
        tce_report_compare_json(&j, &rep);
        have_out = 0;
        ret = tce_output_commit(&out, &err);
        if (ret < 0)
            goto out;
    }
    if (o.csv_path) {
        ret = tce_output_open(&out, o.csv_path, &err);
        if (ret < 0)
            goto out;
        have_out = 1;
        tce_report_compare_csv(out.fp, &rep);
        have_out = 0;
        ret = tce_output_commit(&out, &err);
    }
out:
    if (have_out)
        tce_output_abort(&out);
    if (ret < 0 && err.code != 0)
        tce_error_print(&err, stderr);
    free(pl);
    free(sc);
    return ret < 0 ? tce_exit_status(ret) : TCE_EXIT_OK;
}
