/*
 * cmd_search.c - tcemu search: the best layouts of a job on a topology at
 * one or more GPU counts, ranked by time to train or by cost, with why the
 * first rejected alternatives lost (search.h has the rules).
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
#include "tcemu/search.h"
#include "tcemu/util.h"

#define GIB (1024.0 * 1024.0 * 1024.0)

struct opts {
    const char *topo_path, *job_path, *gpus_arg, *plan, *json_path;
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
            "      --brute-force     project every candidate (no pruning)\n"
            "      --json FILE|-     also write JSON (schema "
            "tcemu.search/1)\n"
            "  -h, --help            this help\n\n"
            "Every figure is modelled (projector + economics); none is "
            "measured.\n",
            TCE_SEARCH_TOP_MAX, TCE_SEARCH_EXPLAIN_MAX);
}

static int parse(int argc, char **argv, struct opts *o, struct tce_error *err)
{
    enum { OPT_JSON = 256, OPT_BRUTE, OPT_MAXB };
    static const struct option longopts[] = {
        {"topology", required_argument, NULL, 't'},
        {"job", required_argument, NULL, 'j'},
        {"gpus", required_argument, NULL, 'g'},
        {"by", required_argument, NULL, 'b'},
        {"top", required_argument, NULL, 'k'},
        {"explain", required_argument, NULL, 'x'},
        {"plan", required_argument, NULL, 'p'},
        {"json", required_argument, NULL, OPT_JSON},
        {"brute-force", no_argument, NULL, OPT_BRUTE},
        {"max-micro-batch", required_argument, NULL, OPT_MAXB},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int64_t v;
    int c, ret = 0;

    memset(o, 0, sizeof(*o));
    tce_search_opts_init(&o->s);
    optind = 1;
    opterr = 0;
    while (ret == 0 && (c = getopt_long(argc, argv, ":t:j:g:b:k:x:p:h",
                                        longopts, NULL)) != -1) {
        switch (c) {
        case 't':
            o->topo_path = optarg;
            break;
        case 'j':
            o->job_path = optarg;
            break;
        case 'g':
            o->gpus_arg = optarg;
            break;
        case 'p':
            o->plan = optarg;
            break;
        case OPT_JSON:
            o->json_path = optarg;
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
            ret = tce_parse_int64(optarg, 1, TCE_SEARCH_TOP_MAX, &v, err);
            o->s.top_k = (int)v;
            break;
        case 'x':
            ret = tce_parse_int64(optarg, 0, TCE_SEARCH_EXPLAIN_MAX, &v, err);
            o->s.explain = (int)v;
            break;
        case OPT_MAXB:
            ret = tce_parse_int64(optarg, 1, 1 << 20, &v, err);
            o->s.max_micro_batch = v;
            break;
        default: /* -h, or a bad option */
            ret = tce_cli_getopt_other(c, argv, err);
            break;
        }
    }
    if (ret == 0 && optind < argc)
        ret = tce_error_set(err, TCE_EUSAGE, "unexpected argument '%s'",
                            argv[optind]);
    if (ret == 0 && (!o->topo_path || !o->job_path))
        ret = tce_error_set(err, TCE_EUSAGE,
                            "search needs -t TOPOLOGY and -j JOB");
    return ret;
}

static void print_hit_row(FILE *f, int rank, const struct tce_search_hit *h)
{
    fprintf(f,
            "%5d %7lld %3lld %3lld %3lld %3lld %3lld %6lld %3lld %5lld "
            "%-9s %4s %9.3f %6.3f %7.1f %8.1f %10.3f\n",
            rank, (long long)h->gpus, (long long)h->tp, (long long)h->pp,
            (long long)h->vpp, (long long)h->cp, (long long)h->ep,
            (long long)h->dp, (long long)h->micro_batch,
            (long long)h->microbatches, tce_recompute_name(h->recompute),
            h->distributed_optimizer ? "on" : "off", h->eval.iteration_s,
            h->eval.mfu, h->eval.memory_bytes / GIB, h->econ.days_to_done,
            h->econ.bill.total_usd / 1e6);
}

static void print_layout(FILE *f, const struct tce_search_hit *h)
{
    fprintf(f,
            "gpus=%lld tp=%lld pp=%lld vpp=%lld cp=%lld ep=%lld dp=%lld "
            "mb=%lld %s%s",
            (long long)h->gpus, (long long)h->tp, (long long)h->pp,
            (long long)h->vpp, (long long)h->cp, (long long)h->ep,
            (long long)h->dp, (long long)h->micro_batch,
            tce_recompute_name(h->recompute),
            h->distributed_optimizer ? " distopt" : "");
}

static void print_table(FILE *f, const struct opts *o,
                        const struct tce_topology *t, const struct tce_job *job,
                        const struct tce_contract *c,
                        const struct tce_search_result *r)
{
    const struct tce_search_hit *best = &r->top[0];
    int i;

    fprintf(f, "# tcemu search: job %s (%s) on %s (%s)\n", job->name,
            o->job_path, t->name, o->topo_path);
    fprintf(f, "# gpus:");
    for (i = 0; i < o->s.n_gpus; i++)
        fprintf(f, " %lld", (long long)o->s.gpus[i]);
    fprintf(f, "; ranked by %s; contract %s (%.2f USD/node-hour%s%s)\n",
            o->s.by == TCE_SEARCH_BY_COST ? "cost" : "time to train", c->name,
            c->usd_per_node_hour, c->as_of[0] ? ", as of " : "", c->as_of);
    fprintf(f,
            "# candidates %lld: projected %lld, pruned %lld (shape cannot "
            "fit), invalid %lld, over memory %lld, fit %lld\n",
            (long long)r->candidates, (long long)r->projected,
            (long long)r->pruned, (long long)r->invalid, (long long)r->no_fit,
            (long long)r->fits);
    fprintf(f, "# search time %.3f s: %.0f candidates/s, %.0f projections/s\n",
            r->elapsed_s, r->candidates_per_s,
            r->elapsed_s > 0 ? (double)r->projected / r->elapsed_s : 0.0);
    fprintf(f, "# rank    gpus  tp  pp vpp  cp  ep     dp  mb     m recompute "
               "dopt    iter_s    mfu mem_GiB     days   cost_MUSD\n");
    for (i = 0; i < r->n_top; i++)
        print_hit_row(f, i + 1, &r->top[i]);
    fprintf(f,
            "# best: %.1f days to done (%.1f failure-free; %.2f "
            "interruptions/day, checkpoint every %.0f s, %.1f%% effective "
            "training time), %.1f M GPU-hours, %.2f M USD (%.2f M USD "
            "paid idle), %.3f USD per used GPU-hour, %.0f MWh, "
            "effective MFU %.3f\n",
            best->econ.days_to_done, best->ideal_days,
            best->econ.goodput.interruptions_per_day,
            best->econ.goodput.checkpoint_interval_s,
            100.0 * best->econ.goodput.efficiency,
            best->econ.accelerator_hours / 1e6, best->econ.bill.total_usd / 1e6,
            best->econ.bill.idle_usd / 1e6,
            best->econ.bill.usd_per_used_accelerator_hour,
            best->econ.energy.facility_mwh,
            best->eval.mfu * best->econ.goodput.efficiency);
    if (r->n_explained > 0)
        fprintf(f, "# why the first rejected alternatives lost to #1:\n");
    for (i = 0; i < r->n_explained; i++) {
        const struct tce_search_reject *x = &r->explained[i];

        fprintf(f, "#   ");
        print_layout(f, &x->hit);
        if (x->reason == TCE_SEARCH_LOST_MEMORY)
            fprintf(f,
                    ": memory (%.1f GiB > %.1f GiB HBM; it would take "
                    "%.1f days)\n",
                    x->hit.eval.memory_bytes / GIB,
                    x->hit.eval.capacity_bytes / GIB, x->hit.econ.days_to_done);
        else if (x->reason == TCE_SEARCH_LOST_COST)
            fprintf(f, ": cost (%.2f M USD vs %.2f M USD, %.1f days)\n",
                    x->hit.econ.bill.total_usd / 1e6,
                    best->econ.bill.total_usd / 1e6, x->hit.econ.days_to_done);
        else
            fprintf(f, ": %s (+%.3f s per iteration; %.3f s vs %.3f s)\n",
                    tce_search_reason_name(x->reason), x->delta_s,
                    x->hit.eval.iteration_s, best->eval.iteration_s);
    }
    fprintf(f, "# modelled: every figure (projector, failures, prices from "
               "the topology file); measured: none\n");
}

static void write_json(struct tce_json *j, const struct opts *o,
                       const struct tce_topology *t, const struct tce_job *job,
                       const struct tce_contract *c,
                       const struct tce_search_result *r)
{
    int i;

    tce_json_object_begin(j, NULL);
    tce_json_string(j, "schema", "tcemu.search/1");
    tce_json_string(j, "version", tce_cli_version());
    tce_json_string(j, "topology", o->topo_path);
    tce_json_string(j, "topology_name", t->name);
    tce_json_string(j, "job", o->job_path);
    tce_json_string(j, "job_name", job->name);
    tce_json_string(j, "by", o->s.by == TCE_SEARCH_BY_COST ? "cost" : "time");
    tce_json_string(j, "contract", c->name);
    tce_json_array_begin(j, "gpus");
    for (i = 0; i < o->s.n_gpus; i++)
        tce_json_int(j, NULL, o->s.gpus[i]);
    tce_json_array_end(j);
    tce_json_object_begin(j, "search");
    tce_json_int(j, "candidates", r->candidates);
    tce_json_int(j, "projected", r->projected);
    tce_json_int(j, "pruned", r->pruned);
    tce_json_int(j, "invalid", r->invalid);
    tce_json_int(j, "over_memory", r->no_fit);
    tce_json_int(j, "fit", r->fits);
    tce_json_double(j, "elapsed_s", r->elapsed_s);
    tce_json_double(j, "candidates_per_s", r->candidates_per_s);
    tce_json_object_end(j);
    tce_json_array_begin(j, "results");
    for (i = 0; i < r->n_top; i++)
        tce_search_hit_json(j, NULL, &r->top[i]);
    tce_json_array_end(j);
    tce_json_array_begin(j, "rejected");
    for (i = 0; i < r->n_explained; i++) {
        tce_json_object_begin(j, NULL);
        tce_json_string(j, "reason",
                        tce_search_reason_name(r->explained[i].reason));
        tce_json_double(j, "delta", r->explained[i].delta_s);
        tce_search_hit_json(j, "candidate", &r->explained[i].hit);
        tce_json_object_end(j);
    }
    tce_json_array_end(j);
    tce_json_string(j, "measured", "none");
    tce_json_string(j, "modelled", "all");
    tce_json_object_end(j);
    tce_json_finish(j);
}

/* Nothing fits: name the nearest GPU counts (within 25%) where a layout
 * does, so the user sees whether the count or the model is the problem. */
static void hint_nearby(const struct tce_topology *t, const struct tce_job *j,
                        const struct opts *o,
                        const struct tce_search_backend *be)
{
    static struct tce_search_result r;
    struct tce_search_opts so;
    int64_t want = o->s.gpus[0], scales[64];
    int n, i, shown = 0;

    n = tce_search_valid_scales(t, j, want - want / 4, want + want / 4, 1.0,
                                scales, (int)TCE_ARRAY_SIZE(scales));
    for (i = 0; i < n && shown < 4; i++) {
        tce_search_opts_init(&so);
        so.n_gpus = 1;
        so.gpus[0] = scales[i];
        so.top_k = 1;
        so.explain = 0;
        so.contract = o->s.contract;
        if (scales[i] == want || tce_search_run(t, j, &so, be, &r, NULL) < 0)
            continue;
        fprintf(stderr,
                "tcemu: hint: %lld GPUs fit (tp %lld pp %lld cp %lld dp "
                "%lld, %.1f days)\n",
                (long long)scales[i], (long long)r.top[0].tp,
                (long long)r.top[0].pp, (long long)r.top[0].cp,
                (long long)r.top[0].dp, r.top[0].econ.days_to_done);
        shown++;
    }
    if (shown == 0)
        fprintf(stderr,
                "tcemu: hint: no GPU count within 25%% of %lld has "
                "a layout that fits\n",
                (long long)want);
}

int tce_cmd_search(int argc, char **argv)
{
    static struct tce_topology topo;
    static struct tce_job job;
    static struct tce_search_result res;
    static struct opts o;
    struct tce_error err;
    struct tce_diag diag;
    struct tce_gpu_list gl;
    struct tce_contract scratch;
    const struct tce_contract *contract;
    struct tce_search_backend be;
    static struct tce_search_projector proj;
    struct tce_output out;
    struct tce_json j;
    int ret, i, have_out = 0;

    tce_error_clear(&err);
    ret = parse(argc, argv, &o, &err);
    if (ret == 1) {
        usage(stdout);
        return TCE_EXIT_OK;
    }
    if (ret < 0)
        goto out;
    tce_diag_init(&diag, stderr);
    ret = tce_topology_load(o.topo_path, &topo, &diag);
    if (ret == 0)
        ret = tce_job_load(o.job_path, &job, &diag);
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
        gl.gpus[0] = job.parallel.num_gpus;
        if (gl.gpus[0] < 1) {
            ret = tce_error_set(&err, TCE_EUSAGE,
                                "%s has no parallel.num_gpus: give --gpus",
                                o.job_path);
            goto out;
        }
    }
    o.s.n_gpus = gl.n;
    for (i = 0; i < gl.n; i++) {
        int64_t per = topo.node.accelerators > 0 ? topo.node.accelerators : 1;

        o.s.gpus[i] = gl.gpus[i];
        if (topo.capacity.max_nodes > 0 &&
            (gl.gpus[i] + per - 1) / per > topo.capacity.max_nodes)
            fprintf(stderr,
                    "tcemu search: warning: %lld GPUs need more "
                    "nodes than %s offers (%lld)\n",
                    (long long)gl.gpus[i], topo.name,
                    (long long)topo.capacity.max_nodes);
    }
    contract = tce_econ_find_contract(&topo, o.plan, &scratch);
    if (!contract) {
        ret = tce_error_set(&err, TCE_EUSAGE,
                            "%s has no contract '%s' (see tcemu show)",
                            o.topo_path, o.plan);
        goto out;
    }
    o.s.contract = contract;
    tce_search_projector_backend(&proj, &be);
    ret = tce_search_run(&topo, &job, &o.s, &be, &res, &err);
    fprintf(stderr, "tcemu search: %lld candidates in %.3f s (%.0f/s)\n",
            (long long)res.candidates, res.elapsed_s, res.candidates_per_s);
    if (ret == TCE_ENOFIT) {
        tce_error_print(&err, stderr);
        hint_nearby(&topo, &job, &o, &be);
        err.code = 0;
        goto out;
    }
    if (ret < 0)
        goto out;
    /* With --json - stdout carries the JSON alone. */
    if (!o.json_path || strcmp(o.json_path, "-") != 0)
        print_table(stdout, &o, &topo, &job, contract, &res);
    if (o.json_path) {
        ret = tce_output_open(&out, o.json_path, &err);
        if (ret < 0)
            goto out;
        have_out = 1;
        tce_json_init(&j, out.fp);
        write_json(&j, &o, &topo, &job, contract, &res);
        ret = tce_output_commit(&out, &err);
        have_out = 0;
    }
out:
    if (have_out)
        tce_output_abort(&out);
    if (ret < 0 && err.code != 0)
        tce_error_print(&err, stderr);
    return ret < 0 ? tce_exit_status(ret) : TCE_EXIT_OK;
}
