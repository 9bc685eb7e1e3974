/*
 * cmd_show.c - tcemu show: a topology and a job, resolved (defaults filled
 * in and marked), with the figures derived from them: parameters, model
 * FLOPs per token, data-parallel size, microbatches, tokens and iterations,
 * nodes used.  Human table on stdout (nccl-tests style: '#' on every
 * non-data line) and, with --json, the same as JSON.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcemu/cli.h"
#include "tcemu/config.h"
#include "tcemu/economics.h"
#include "tcemu/error.h"
#include "tcemu/json.h"
#include "tcemu/model.h"
#include "tcemu/output.h"
#include "tcemu/util.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: tcemu show -t TOPOLOGY -j JOB [--gpus N] [--json FILE|-]\n"
            "\n"
            "Print a topology and a job as loaded: every key with its unit, "
            "defaults\nmarked '(default)', then derived figures (parameter "
            "count, model FLOPs per\ntoken, data-parallel size, microbatches "
            "per iteration, tokens per\niteration, iterations to train, "
            "nodes used).\n"
            "\n"
            "options:\n"
            "  -t, --topology FILE  topology file (topologies/*.cfg)\n"
            "  -j, --job FILE       job file (jobs/*.cfg)\n"
            "  -g, --gpus N         override parallel.num_gpus and re-check "
            "the job\n"
            "      --json FILE|-    also write JSON (schema tcemu.show/1) to "
            "FILE;\n"
            "                       '-' writes only JSON, on stdout\n"
            "  -h, --help           this help\n"
            "\n"
            "Exit status: 0 ok, 1 cannot write output, 2 bad usage or "
            "configuration.\n");
}

struct derived {
    struct tce_param_count params;
    double flops_per_token; /* model FLOPs, fwd + bwd, no recompute */
    int64_t data_parallel_size;
    int64_t microbatches; /* per iteration, per pipeline */
    int64_t tokens_per_iteration;
    int64_t iterations; /* to train train_tokens */
    double train_flops; /* flops_per_token x train_tokens */
    int64_t nodes;      /* ceil(num_gpus / node.accelerators) */
};

static void derive(const struct tce_topology *t, const struct tce_job *j,
                   struct derived *d)
{
    const struct tce_parallel *p = &j->parallel;
    int64_t mp = p->tensor_model_parallel_size *
                 p->pipeline_model_parallel_size * p->context_parallel_size;

    memset(d, 0, sizeof(*d));
    tce_model_count_params(&j->model, &d->params);
    d->flops_per_token = tce_model_flops_per_token(&j->model);
    d->data_parallel_size = p->num_gpus / mp;
    d->microbatches = j->training.global_batch_size /
                      (d->data_parallel_size * j->training.micro_batch_size);
    d->tokens_per_iteration =
        j->training.global_batch_size * j->model.seq_length;
    d->iterations = (j->training.train_tokens + d->tokens_per_iteration - 1) /
                    d->tokens_per_iteration;
    d->train_flops = d->flops_per_token * (double)j->training.train_tokens;
    d->nodes = (p->num_gpus + t->node.accelerators - 1) / t->node.accelerators;
}

struct show_ctx {
    FILE *out; /* human table, or NULL */
    struct tce_json *json;
    int gpus_override;
};

static void print_value(const struct tce_config_value *v, void *arg)
{
    struct show_ctx *c = arg;
    char val[TCE_TEXT_MAX + 8];
    const char *note = v->is_default ? "(default)" : "";

    if (c->gpus_override && strcmp(v->key, "parallel.num_gpus") == 0)
        note = "(--gpus)";
    switch (v->type) {
    case TCE_CONFIG_INT:
        snprintf(val, sizeof(val), "%lld", (long long)v->i);
        break;
    case TCE_CONFIG_DOUBLE:
        snprintf(val, sizeof(val), "%.6g", v->d);
        break;
    case TCE_CONFIG_BOOL:
        snprintf(val, sizeof(val), "%s", v->i ? "true" : "false");
        break;
    case TCE_CONFIG_STRING:
        snprintf(val, sizeof(val), "\"%s\"", v->s);
        break;
    case TCE_CONFIG_ENUM:
        snprintf(val, sizeof(val), "%s", v->s);
        break;
    }
    if (c->out)
        fprintf(c->out, "%-46s %-24s %-14s %s\n", v->key, val,
                v->unit[0] ? v->unit : "-", note);
    if (c->json) {
        tce_json_object_begin(c->json, v->key);
        switch (v->type) {
        case TCE_CONFIG_INT:
            tce_json_int(c->json, "value", v->i);
            break;
        case TCE_CONFIG_DOUBLE:
            tce_json_double(c->json, "value", v->d);
            break;
        case TCE_CONFIG_BOOL:
            tce_json_bool(c->json, "value", (int)v->i);
            break;
        default:
            tce_json_string(c->json, "value", v->s);
            break;
        }
        tce_json_string(c->json, "unit", v->unit);
        tce_json_bool(c->json, "default", v->is_default);
        tce_json_object_end(c->json);
    }
}

#define SHOW_HEADER "# %-44s %-24s %-14s %s\n"

static void print_human(FILE *out, const struct tce_topology *t,
                        const struct tce_job *j, const struct derived *d,
                        int gpus_override)
{
    struct show_ctx c = {out, NULL, gpus_override};

    fprintf(out, "# tcemu show %s\n", tce_cli_version());
    fprintf(out, "# topology: %s (%s)\n", t->path, t->name);
    fprintf(out, "# job: %s (%s)\n", j->path, j->name);
    fprintf(out, "#\n# topology settings\n");
    fprintf(out, SHOW_HEADER, "key", "value", "unit", "note");
    tce_config_visit(TCE_CONFIG_TOPOLOGY, t, print_value, &c);
    fprintf(out, "#\n# job settings\n");
    fprintf(out, SHOW_HEADER, "key", "value", "unit", "note");
    tce_config_visit(TCE_CONFIG_JOB, j, print_value, &c);
    fprintf(out, "#\n# derived (modelled from the job; nothing measured)\n");
    fprintf(out, SHOW_HEADER, "figure", "value", "unit", "note");
#define ROWD(k, v, u, n) fprintf(out, "%-46s %-24.6g %-14s %s\n", k, v, u, n)
#define ROWI(k, v, u, n)                                                       \
    fprintf(out, "%-46s %-24lld %-14s %s\n", k, (long long)(v), u, n)
    ROWD("parameters_total", d->params.total, "parameters", "every parameter");
    ROWD("parameters_active", d->params.active, "parameters",
         "one token's path (MoE: top-k routed + shared)");
    ROWD("model_flops_per_token", d->flops_per_token, "FLOP/token",
         "forward + backward, no recomputation (MFU)");
    ROWD("model_flops_to_train", d->train_flops, "FLOP",
         "model_flops_per_token x train_tokens");
    ROWI("data_parallel_size", d->data_parallel_size, "ranks",
         "num_gpus / (tp x pp x cp)");
    ROWI("microbatches_per_iteration", d->microbatches, "microbatches",
         "global_batch_size / (dp x micro_batch_size)");
    ROWI("tokens_per_iteration", d->tokens_per_iteration, "tokens",
         "global_batch_size x seq_length");
    ROWI("iterations_to_train", d->iterations, "iterations",
         "train_tokens / tokens_per_iteration, rounded up");
    ROWI("nodes_used", d->nodes, "nodes", "num_gpus / node.accelerators");
    ROWI("nodes_available", t->capacity.max_nodes, "nodes",
         "capacity.max_nodes");
#undef ROWD
#undef ROWI
}

static void print_json(FILE *out, const struct tce_topology *t,
                       const struct tce_job *j, const struct derived *d,
                       int gpus_override)
{
    struct tce_json json;
    struct show_ctx c = {NULL, &json, gpus_override};

    tce_json_init(&json, out);
    tce_json_object_begin(&json, NULL);
    tce_json_string(&json, "schema", "tcemu.show/1");
    tce_json_string(&json, "tcemu_version", tce_cli_version());
    tce_json_object_begin(&json, "topology");
    tce_json_string(&json, "name", t->name);
    tce_json_string(&json, "path", t->path);
    tce_json_object_begin(&json, "settings");
    tce_config_visit(TCE_CONFIG_TOPOLOGY, t, print_value, &c);
    tce_json_object_end(&json);
    tce_json_object_end(&json);
    tce_json_object_begin(&json, "job");
    tce_json_string(&json, "name", j->name);
    tce_json_string(&json, "path", j->path);
    tce_json_bool(&json, "gpus_from_command_line", gpus_override);
    tce_json_object_begin(&json, "settings");
    tce_config_visit(TCE_CONFIG_JOB, j, print_value, &c);
    tce_json_object_end(&json);
    tce_json_object_end(&json);
    tce_json_object_begin(&json, "derived");
    tce_json_double(&json, "parameters_total", d->params.total);
    tce_json_double(&json, "parameters_active", d->params.active);
    tce_json_double(&json, "model_flops_per_token", d->flops_per_token);
    tce_json_double(&json, "model_flops_to_train", d->train_flops);
    tce_json_int(&json, "dp", d->data_parallel_size);
    tce_json_int(&json, "microbatches", d->microbatches);
    tce_json_int(&json, "tokens_per_iteration", d->tokens_per_iteration);
    tce_json_int(&json, "iterations", d->iterations);
    tce_json_int(&json, "nodes", d->nodes);
    tce_json_int(&json, "max_nodes", t->capacity.max_nodes);
    tce_json_object_end(&json);
    tce_json_finish(&json);
}

int tce_cmd_show(int argc, char **argv)
{
    const char *topo_path, *job_path, *json_path;
    struct tce_topology *t = NULL;
    struct tce_job *j = NULL;
    struct tce_cli_parser p;
    struct tce_cli_common co;
    struct tce_diag diag;
    struct tce_error err;
    struct tce_output o;
    struct derived d;
    int64_t gpus = 0;
    int c, status = TCE_EXIT_OK;

    memset(&co, 0, sizeof(co));
    tce_cli_parser_init(&p,
                        TCE_CLI_TOPOLOGY | TCE_CLI_JOB | TCE_CLI_GPUS |
                            TCE_CLI_JSON | TCE_CLI_HELP,
                        NULL, NULL);
    while ((c = tce_cli_next(&p, argc, argv, &co)) != -1) {
        if (c == 0 && p.last == TCE_CLI_OPT_GPUS) {
            tce_error_clear(&err);
            if (tce_parse_int64(co.gpus, 1, INT64_C(1) << 30, &gpus, &err)) {
                fprintf(stderr, "tcemu show: error: --gpus: %s\n", err.msg);
                return TCE_EXIT_USAGE;
            }
        } else if (c == 'h') {
            usage(stdout);
            return TCE_EXIT_OK;
        } else if (c != 0) {
            return tce_cli_bad_option("show", argv, usage);
        }
    }
    topo_path = co.topology;
    job_path = co.job;
    json_path = co.json;
    tce_error_clear(&err);
    if (tce_cli_no_operands(argc, argv, &err) != 0 || !topo_path ||
        !job_path) {
        fprintf(stderr, "tcemu show: error: %s\n",
                err.code ? err.msg : "needs -t TOPOLOGY and -j JOB");
        usage(stderr);
        return TCE_EXIT_USAGE;
    }
    t = calloc(1, sizeof(*t));
    j = calloc(1, sizeof(*j));
    if (!t || !j) {
        fprintf(stderr, "tcemu show: error: out of memory\n");
        status = TCE_EXIT_RUNTIME;
        goto out;
    }
    tce_diag_init(&diag, stderr);
    tce_topology_load(topo_path, t, &diag);
    tce_job_load(job_path, j, &diag);
    if (diag.errors == 0 && gpus > 0) {
        j->parallel.num_gpus = gpus;
        tce_job_check(j, &diag);
        if (diag.errors)
            fprintf(stderr,
                    "tcemu show: error: the job does not fit "
                    "--gpus %lld\n",
                    (long long)gpus);
    }
    if (diag.errors) {
        status = TCE_EXIT_USAGE;
        goto out;
    }
    derive(t, j, &d);
    if (tce_econ_over_capacity(t, j->parallel.num_gpus))
        fprintf(stderr,
                "tcemu show: warning: the job needs %lld nodes, %s offers "
                "%lld (capacity.max_nodes)\n",
                (long long)d.nodes, t->name, (long long)t->capacity.max_nodes);
    if (!json_path || strcmp(json_path, "-") != 0)
        print_human(stdout, t, j, &d, gpus > 0);
    if (json_path) {
        status = tce_cli_output_open(&o, json_path);
        if (status != TCE_EXIT_OK)
            goto out;
        print_json(o.fp, t, j, &d, gpus > 0);
        status = tce_cli_output_commit(&o);
        if (status != TCE_EXIT_OK)
            goto out;
    }
    if (fflush(stdout) != 0)
        status = TCE_EXIT_RUNTIME;
out:
    free(t);
    free(j);
    return status;
}
