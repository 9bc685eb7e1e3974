/*
 * cmd_reproduce_bridge.c - tcemu reproduce --reference
 * megatron-bridge-performance: project every selected Megatron-Bridge row
 * (bridge.h) on its topology with its job and layout, and print published
 * vs projected model TFLOP/s per GPU (Megatron-Bridge's FLOP count) and
 * tokens/s per GPU, the error of each row, whether the layout fits HBM,
 * and the mean and worst |error| per generation, dense and MoE.
 */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcemu/bridge.h"
#include "tcemu/cmd_reproduce_bridge.h"
#include "tcemu/config.h"
#include "tcemu/error.h"
#include "tcemu/jobfile.h"
#include "tcemu/json.h"
#include "tcemu/output.h"
#include "tcemu/report.h"
#include "tcemu/scenario.h"

#define TOPOS_MAX 8
#define JOBS_MAX 24

/* Files loaded once, by NAME. */
struct cache {
    int n_topos, n_jobs;
    char topo_name[TOPOS_MAX][TCE_NAME_MAX];
    int topo_ok[TOPOS_MAX];
    struct tce_topology *topo[TOPOS_MAX];
    char job_name[JOBS_MAX][TCE_NAME_MAX];
    int job_ok[JOBS_MAX];
    struct tce_job *job[JOBS_MAX];
};

static const struct tce_topology *topology(struct cache *c, const char *name)
{
    int i;

    for (i = 0; i < c->n_topos; i++)
        if (strcmp(c->topo_name[i], name) == 0)
            return c->topo_ok[i] ? c->topo[i] : NULL;
    if (c->n_topos == TOPOS_MAX)
        return NULL;
    i = c->n_topos++;
    snprintf(c->topo_name[i], sizeof(c->topo_name[i]), "%s", name);
    c->topo[i] = calloc(1, sizeof(*c->topo[i]));
    c->topo_ok[i] = c->topo[i] && tce_topology_load(name, c->topo[i], NULL) == 0;
    return c->topo_ok[i] ? c->topo[i] : NULL;
}

static const struct tce_job *job(struct cache *c, const char *dir,
                                 const char *key)
{
    char path[TCE_TEXT_MAX];
    int i;

    for (i = 0; i < c->n_jobs; i++)
        if (strcmp(c->job_name[i], key) == 0)
            return c->job_ok[i] ? c->job[i] : NULL;
    if (c->n_jobs == JOBS_MAX)
        return NULL;
    i = c->n_jobs++;
    snprintf(c->job_name[i], sizeof(c->job_name[i]), "%s", key);
    if (dir)
        snprintf(path, sizeof(path), "%.400s/%.60s.cfg", dir, key);
    else
        snprintf(path, sizeof(path), "%s", key);
    c->job[i] = calloc(1, sizeof(*c->job[i]));
    c->job_ok[i] = c->job[i] && tce_job_load(path, c->job[i], NULL) == 0;
    return c->job_ok[i] ? c->job[i] : NULL;
}

static void cache_free(struct cache *c)
{
    int i;

    for (i = 0; i < c->n_topos; i++)
        free(c->topo[i]);
    for (i = 0; i < c->n_jobs; i++)
        free(c->job[i]);
}

/* search2 (issue 11): the job reproduce projected for row r (layout and
 * recipe settings applied, every key resolved) written to
 * DIR/<model_key>-<system>-<csv_line>.cfg, and r->job_path set to it, so
 * that `tcemu project` and `tcemu search` start from exactly that job. */
static int write_job(struct tce_bridge_row *r, const struct tce_job *j,
                     const char *dir, struct tce_error *err)
{
    char path[TCE_TEXT_MAX];
    int ret;

    snprintf(path, sizeof(path), "%.400s/%.40s-%.16s-%d.cfg", dir,
             r->model_key, r->system, r->csv_line);
    ret = tce_jobfile_save(j, path, err);
    if (ret == 0)
        snprintf(r->job_path, sizeof(r->job_path), "%s", path);
    return ret;
}

/* Project row r: fills its results, or leaves projected 0 with the reason.
 * With write_dir, a projected row's job is written there (write_job); a
 * failed write is the only error returned. */
static int project_row(struct tce_bridge_row *r, struct cache *c,
                       const char *jobs_dir, const char *write_dir,
                       struct tce_job *j, struct tce_scenario *s)
{
    const struct tce_topology *t = topology(c, r->topology);
    const struct tce_job *base = job(c, jobs_dir, r->model_key);
    struct tce_error err;

    tce_error_clear(&err);
    if (!t) {
        snprintf(r->reason, sizeof(r->reason),
                 "not expressible: no topology file %s", r->topology);
        return 0;
    }
    if (!base) {
        snprintf(r->reason, sizeof(r->reason),
                 "not expressible: no job file %s.cfg", r->model_key);
        return 0;
    }
    if (tce_bridge_project(r, t, base, j, s, &err) != 0) {
        snprintf(r->reason, sizeof(r->reason), "not expressible: %.170s",
                 err.msg);
        return 0;
    }
    if (write_dir && write_job(r, j, write_dir, &err) != 0) {
        tce_error_print(&err, stderr);
        return err.code < 0 ? err.code : TCE_EIO;
    }
    return 0;
}

static void release_of(const struct tce_report *t, int i,
                       struct tce_report_value *v)
{
    const struct tce_bridge_row *r =
        &((const struct tce_bridge_row *)t->rows)[i];

    snprintf(v->buf, sizeof(v->buf), "%.*s", (int)strcspn(r->release, " "),
             r->release);
    v->s = v->buf;
}

static void kind_of(const struct tce_report *t, int i,
                    struct tce_report_value *v)
{
    v->s = ((const struct tce_bridge_row *)t->rows)[i].moe ? "MoE" : "dense";
}


static void topology_of(const struct tce_report *t, int i,
                        struct tce_report_value *v)
{
    const char *s = ((const struct tce_bridge_row *)t->rows)[i].topology;

    v->s = s ? s : "";
}

static void recipe_of(const struct tce_report *t, int i,
                      struct tce_report_value *v)
{
    const char *s = ((const struct tce_bridge_row *)t->rows)[i].fp8_recipe;

    v->s = s ? s : "";
}

#define OFF(member) offsetof(struct tce_bridge_row, member)
#define ALL TCE_REPORT_ALL
#define DATA (TCE_REPORT_CSV | TCE_REPORT_JSON)
/* The projected rows, described once for the table, CSV and JSON. */
static const struct tce_report_column columns[] = {
    {.key = "release", .human = "release", .fmt = "-8s", .in = ALL,
     .type = TCE_REPORT_TEXT, .get = release_of},
    {.key = "release_date", .in = DATA, .type = TCE_REPORT_TEXT,
     .offset = OFF(release_date), .chars = 1},
    {.key = "source_file", .in = DATA, .type = TCE_REPORT_TEXT,
     .offset = OFF(source_file), .chars = 1},
    {.key = "source_line", .human = "line", .fmt = "4d", .in = ALL,
     .type = TCE_REPORT_INT, .offset = OFF(source_line)},
    {.key = "model", .in = DATA, .type = TCE_REPORT_TEXT, .offset = OFF(model),
     .chars = 1},
    {.key = "model_key", .human = "model", .fmt = "-15s", .in = ALL,
     .type = TCE_REPORT_TEXT, .offset = OFF(model_key), .chars = 1},
    {.key = "job_kind", .in = DATA, .type = TCE_REPORT_TEXT, .get = kind_of},
    {.key = "system", .human = "system", .fmt = "-9s", .in = ALL,
     .type = TCE_REPORT_TEXT, .offset = OFF(system), .chars = 1},
    {.key = "generation", .in = DATA, .type = TCE_REPORT_TEXT,
     .offset = OFF(generation), .chars = 1},
    {.key = "topology", .json_key = "name", .group = "topology", .in = DATA,
     .type = TCE_REPORT_TEXT, .get = topology_of},
    {.key = "topology_path", .json_key = "path", .group = "topology",
     .in = DATA, .type = TCE_REPORT_TEXT, .offset = OFF(topology_path),
     .chars = 1},
    {.key = "precision", .human = "prec", .fmt = "-6s", .in = ALL,
     .type = TCE_REPORT_TEXT, .offset = OFF(precision), .chars = 1},
    {.key = "fp8_recipe", .in = DATA, .type = TCE_REPORT_TEXT,
     .get = recipe_of},
    {.key = "gpus", .human = "gpus", .fmt = "5d", .in = ALL,
     .type = TCE_REPORT_INT, .offset = OFF(gpus)},
    {.key = "tp", .group = "layout", .human = "tp", .fmt = "2d", .in = ALL,
     .type = TCE_REPORT_INT, .offset = OFF(tp)},
    {.key = "pp", .group = "layout", .human = "pp", .fmt = "2d", .in = ALL,
     .type = TCE_REPORT_INT, .offset = OFF(pp)},
    {.key = "cp", .group = "layout", .human = "cp", .fmt = "2d", .in = ALL,
     .type = TCE_REPORT_INT, .offset = OFF(cp)},
    {.key = "vpp", .group = "layout", .human = "vp", .fmt = "2d", .in = ALL,
     .type = TCE_REPORT_INT, .offset = OFF(vp)},
    {.key = "ep", .group = "layout", .human = "ep", .fmt = "3d", .in = ALL,
     .type = TCE_REPORT_INT, .offset = OFF(ep)},
    {.key = "fsdp", .group = "layout", .in = DATA, .type = TCE_REPORT_INT,
     .offset = OFF(fsdp)},
    {.key = "expert_tensor_parallel_size", .group = "layout", .in = DATA,
     .type = TCE_REPORT_INT, .offset = OFF(etp)},
    {.key = "pipeline_model_parallel_layout", .group = "layout", .in = DATA,
     .type = TCE_REPORT_TEXT, .offset = OFF(pipeline_layout), .chars = 1},
    {.key = "sequence_parallel", .group = "layout", .in = DATA,
     .type = TCE_REPORT_BOOL, .offset = OFF(sequence_parallel)},
    {.key = "global_batch_size", .group = "layout", .human = "gbs", .fmt = "5d",
     .in = ALL, .type = TCE_REPORT_INT, .offset = OFF(global_batch)},
    {.key = "micro_batch_size", .group = "layout", .human = "mbs", .fmt = "3d",
     .in = ALL, .type = TCE_REPORT_INT, .offset = OFF(micro_batch)},
    {.key = "seq_length", .group = "layout", .human = "seq", .fmt = "5d",
     .in = ALL, .type = TCE_REPORT_INT, .offset = OFF(seq_length)},
    {.key = "published_tflops_per_gpu", .human = "pub", .sep = " | ",
     .unit = "(TFLOP/s)", .fmt = "6.0f", .in = ALL,
     .type = TCE_REPORT_DOUBLE, .offset = OFF(published_tflops)},
    {.key = "model_tflops_per_gpu", .human = "proj", .unit = "(TFLOP/s)",
     .fmt = "6.0f", .in = ALL, .type = TCE_REPORT_DOUBLE,
     .offset = OFF(projected_tflops)},
    {.key = "error", .human = "err", .unit = "(%)", .fmt = "+6.1f",
     .scale = 100.0, .in = ALL, .type = TCE_REPORT_DOUBLE,
     .offset = OFF(error)},
    {.key = "published_tokens_per_s_per_gpu", .human = "pub", .sep = " | ",
     .unit = "(tok/s)", .fmt = "7.0f", .in = ALL, .type = TCE_REPORT_DOUBLE,
     .offset = OFF(published_tokens)},
    {.key = "tokens_per_s_per_gpu", .human = "proj", .unit = "(tok/s)",
     .fmt = "7.0f", .in = ALL, .type = TCE_REPORT_DOUBLE,
     .offset = OFF(projected_tokens)},
    {.key = "tokens_error", .human = "err", .unit = "(%)", .fmt = "+6.1f",
     .scale = 100.0, .in = ALL, .type = TCE_REPORT_DOUBLE,
     .offset = OFF(tokens_error)},
    {.key = "model_flops_per_token", .in = DATA, .type = TCE_REPORT_DOUBLE,
     .offset = OFF(flops_per_token)},
    {.key = "published_model_flops_per_token", .in = DATA,
     .type = TCE_REPORT_DOUBLE, .offset = OFF(published_flops_per_token)},
    {.key = "counted_flops_per_token", .in = DATA, .type = TCE_REPORT_DOUBLE,
     .offset = OFF(count)},
    {.key = "memory_gib_per_gpu", .human = "mem", .sep = " | ",
     .unit = "(GiB)", .fmt = "5.0f", .in = ALL, .type = TCE_REPORT_DOUBLE,
     .offset = OFF(proj.memory_gib_per_gpu)},
    {.key = "hbm_gib", .human = "hbm", .unit = "(GiB)", .fmt = "4.0f",
     .in = ALL, .type = TCE_REPORT_DOUBLE, .offset = OFF(hbm_gib)},
    {.key = "fits_memory", .human = "fits", .fmt = "4s", .in = ALL,
     .type = TCE_REPORT_BOOL, .offset = OFF(proj.fits_memory)},
    {.key = "iteration_s", .in = DATA, .type = TCE_REPORT_DOUBLE,
     .offset = OFF(proj.iteration_s)},
    {.key = "job_name", .json_key = "name", .group = "job", .in = DATA,
     .type = TCE_REPORT_TEXT, .offset = OFF(model_key), .chars = 1},
    {.key = "job_path", .json_key = "path", .group = "job", .in = DATA,
     .type = TCE_REPORT_TEXT, .offset = OFF(job_path), .chars = 1},
};

/* The rows left out: identity and why. */
static const struct tce_report_column left_out[] = {
    {.key = "release", .human = "release", .fmt = "-8s", .in = ALL,
     .type = TCE_REPORT_TEXT, .get = release_of},
    {.key = "source_file", .in = DATA, .type = TCE_REPORT_TEXT,
     .offset = OFF(source_file), .chars = 1},
    {.key = "source_line", .human = "line", .fmt = "4d", .in = ALL,
     .type = TCE_REPORT_INT, .offset = OFF(source_line)},
    {.key = "model", .human = "model", .fmt = "-22s", .in = ALL,
     .type = TCE_REPORT_TEXT, .offset = OFF(model), .chars = 1},
    {.key = "system", .human = "system", .fmt = "-9s", .in = ALL,
     .type = TCE_REPORT_TEXT, .offset = OFF(system), .chars = 1},
    {.key = "precision", .human = "prec", .fmt = "-6s", .in = ALL,
     .type = TCE_REPORT_TEXT, .offset = OFF(precision), .chars = 1},
    {.key = "reason", .human = "reason", .fmt = "s", .sep = "  ", .in = ALL,
     .type = TCE_REPORT_TEXT, .offset = OFF(reason), .chars = 1},
};
#undef DATA
#undef ALL
#undef OFF

static void table(const struct tce_report_column *cols, int n_cols,
                  const struct tce_bridge_row *rows, int n,
                  struct tce_report *t)
{
    tce_report_init(t, cols, n_cols, rows, sizeof(rows[0]), n);
}

#define NCOLS(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* Rows in output order: projected, then not expressible (selected but
 * not projected), then excluded (stable); their first two counts in *p
 * and *q.  0, or TCE_ENOMEM. */
static int partition(struct tce_bridge_row *rows, int n, int *p, int *q)
{
    struct tce_bridge_row *tmp = malloc((size_t)(n > 0 ? n : 1) *
                                        sizeof(*tmp));
    int i, k = 0, pass, want;

    if (!tmp)
        return TCE_ENOMEM;
    for (pass = 0; pass < 3; pass++) {
        for (i = 0; i < n; i++) {
            want = pass == 0   ? rows[i].projected
                   : pass == 1 ? rows[i].selected && !rows[i].projected
                               : !rows[i].selected;
            if (want)
                tmp[k++] = rows[i];
        }
        if (pass == 0)
            *p = k;
        else if (pass == 1)
            *q = k - *p;
    }
    memcpy(rows, tmp, (size_t)n * sizeof(*rows));
    free(tmp);
    return 0;
}

static void stats_members(struct tce_json *j, const struct tce_bridge_stats *s)
{
    tce_json_int(j, "rows", s->rows);
    tce_json_int(j, "rows_fit_memory", s->fit);
    if (s->rows) {
        tce_json_double(j, "mean_abs_error", s->mean_abs_error);
        tce_json_double(j, "worst_abs_error", s->worst_abs_error);
        tce_json_double(j, "mean_abs_tokens_error", s->mean_abs_tokens_error);
    } else {
        tce_json_null(j, "mean_abs_error");
        tce_json_null(j, "worst_abs_error");
        tce_json_null(j, "mean_abs_tokens_error");
    }
}

static void stats_json(struct tce_json *j, const char *key,
                       const struct tce_bridge_stats *s)
{
    tce_json_object_begin(j, key);
    stats_members(j, s);
    tce_json_object_end(j);
}

static void print_json(FILE *out, const struct tce_reproduce_bridge_opts *o,
                       const struct tce_bridge_row *rows, int np, int nq,
                       int n, const struct tce_bridge_summary *s, int ok)
{
    struct tce_report t;
    struct tce_json j;
    int g, k;

    tce_json_init(&j, out);
    tce_json_object_begin(&j, NULL);
    tce_json_string(&j, "schema", "tcemu.reproduce/3");
    tce_json_string(&j, "tcemu_version", tce_cli_version());
    tce_json_string(&j, "reference", o->reference);
    tce_json_string(&j, "reference_kind", "megatron-bridge");
    tce_json_double(&j, "tolerance", o->tolerance);
    tce_json_double(&j, "mean_tolerance", o->mean_tolerance);
    tce_json_bool(&j, "all_within_tolerance", ok);
    table(columns, NCOLS(columns), rows, np, &t);
    tce_report_json_rows(&j, "rows", &t);
    table(left_out, NCOLS(left_out), rows + np, nq, &t);
    tce_report_json_rows(&j, "not_expressible", &t);
    table(left_out, NCOLS(left_out), rows + np + nq, n - np - nq, &t);
    tce_report_json_rows(&j, "excluded", &t);
    tce_json_object_begin(&j, "summary");
    tce_json_int(&j, "rows_selected", s->selected);
    tce_json_int(&j, "rows_projected", s->projected);
    tce_json_int(&j, "rows_excluded", s->excluded);
    tce_json_int(&j, "generations", s->generations);
    stats_json(&j, "overall", &s->all);
    tce_json_array_begin(&j, "groups");
    for (g = 0; g < TCE_BRIDGE_GENERATIONS; g++)
        for (k = 0; k < 2; k++) {
            if (!s->group[g][k].rows)
                continue;
            tce_json_object_begin(&j, NULL);
            tce_json_string(&j, "generation", tce_bridge_generation_name(g));
            tce_json_string(&j, "job_kind", k ? "MoE" : "dense");
            stats_members(&j, &s->group[g][k]);
            tce_json_object_end(&j);
        }
    tce_json_array_end(&j);
    tce_json_object_end(&j);
    tce_json_finish(&j);
}

static void print_stats(FILE *out, const char *what,
                        const struct tce_bridge_stats *s,
                        const struct tce_bridge_row *rows)
{
    fprintf(out, "# %-24s %3d rows, mean |error| %5.1f%%, worst %5.1f%%",
            what, s->rows, 100.0 * s->mean_abs_error,
            100.0 * s->worst_abs_error);
    if (s->worst_row >= 0)
        fprintf(out, " (%s %s line %lld)", rows[s->worst_row].model_key,
                rows[s->worst_row].system,
                (long long)rows[s->worst_row].source_line);
    fprintf(out, "; tokens/s mean |error| %.1f%%; %d of %d fit HBM\n",
            100.0 * s->mean_abs_tokens_error, s->fit, s->rows);
}

/* "# excluded: 92 superseded, 33 NVFP4, ..." (by the reason's words before
 * its first ':'), in order of first appearance. */
static void print_reasons(FILE *out, const struct tce_bridge_row *rows, int n)
{
    int i, k, count, first = 1;
    size_t len, klen;

    if (n <= 0)
        return;
    fprintf(out, "# excluded:");
    for (i = 0; i < n; i++) {
        len = strcspn(rows[i].reason, ":");
        for (k = 0; k < i; k++) {
            klen = strcspn(rows[k].reason, ":");
            if (klen == len && strncmp(rows[k].reason, rows[i].reason, len) == 0)
                break;
        }
        if (k < i)
            continue;
        for (count = 0, k = i; k < n; k++) {
            klen = strcspn(rows[k].reason, ":");
            count += klen == len &&
                     strncmp(rows[k].reason, rows[i].reason, len) == 0;
        }
        fprintf(out, "%s %d %.*s", first ? "" : ",", count, (int)len,
                rows[i].reason);
        first = 0;
    }
    fprintf(out, " (--excluded lists each row and why)\n");
}

static void print_human(FILE *out, const struct tce_reproduce_bridge_opts *o,
                        const struct tce_bridge_row *rows, int np, int nq,
                        int n, const struct tce_bridge_summary *s, int ok)
{
    struct tce_report t;
    char what[64];
    int g, k;

    fprintf(out, "# tcemu %s reproduce\n", tce_cli_version());
    fprintf(out, "# reference: %s (NVIDIA Megatron-Bridge performance "
                 "summaries, measured)\n", o->reference);
    fprintf(out, "# published: model TFLOP/s and tokens/s per GPU as "
                 "published; projected: tcemu project (modelled) on the "
                 "row's topology, job and layout, model TFLOP/s counted as "
                 "Megatron-Bridge counts them (flop_utils.py: causal half, "
                 "windows as the window, MTP)\n");
    fprintf(out, "# %d rows: %d selected (%d projected, %d not "
                 "expressible), %d excluded\n",
            n, s->selected, s->projected, s->selected - s->projected,
            s->excluded);
    table(columns, NCOLS(columns), rows, np, &t);
    tce_report_human(out, &t);
    if (nq > 0) {
        fprintf(out, "# not expressible in tcemu yet:\n");
        table(left_out, NCOLS(left_out), rows + np, nq, &t);
        t.row_lead = "#  ";
        tce_report_human(out, &t);
    }
    print_reasons(out, rows + np + nq, n - np - nq);
    if (o->excluded && n - np - nq > 0) {
        fprintf(out, "# excluded from the validation set:\n");
        table(left_out, NCOLS(left_out), rows + np + nq, n - np - nq, &t);
        t.row_lead = "#  ";
        tce_report_human(out, &t);
    }
    print_stats(out, "all", &s->all, rows);
    for (g = 0; g < TCE_BRIDGE_GENERATIONS; g++)
        for (k = 0; k < 2; k++) {
            if (!s->group[g][k].rows)
                continue;
            snprintf(what, sizeof(what), "%s %s",
                     tce_bridge_generation_name(g), k ? "MoE" : "dense");
            print_stats(out, what, &s->group[g][k], rows);
        }
    fprintf(out, "# %d generations; mean |error| %.1f%% (tolerance %.1f%%), "
                 "worst %.1f%% (tolerance %.1f%%): %s\n",
            s->generations, 100.0 * s->all.mean_abs_error,
            100.0 * o->mean_tolerance, 100.0 * s->all.worst_abs_error,
            100.0 * o->tolerance, ok ? "OK" : "FAILED");
}

int tce_cmd_reproduce_bridge(const struct tce_reproduce_bridge_opts *o)
{
    struct tce_bridge_row *rows = calloc(TCE_BRIDGE_ROWS_MAX, sizeof(*rows));
    struct tce_scenario *s = calloc(1, sizeof(*s));
    struct tce_job *j = calloc(1, sizeof(*j));
    struct cache c;
    struct tce_bridge_summary sum;
    struct tce_error err;
    struct tce_output out;
    struct tce_report tab;
    int i, n = 0, np = 0, nq = 0, ok, status = TCE_EXIT_OK;

    memset(&c, 0, sizeof(c));
    tce_error_clear(&err);
    if (!rows || !s || !j) {
        status = TCE_EXIT_RUNTIME;
        goto out;
    }
    if (tce_bridge_read(o->reference, rows, TCE_BRIDGE_ROWS_MAX, &n, &err) !=
        0) {
        tce_error_print(&err, stderr);
        status = TCE_EXIT_USAGE;
        goto out;
    }
    tce_bridge_select(rows, n);
    for (i = 0; i < n; i++) {
        struct tce_bridge_row *r = &rows[i];

        if (r->selected && o->topology &&
            (!r->topology || strcmp(r->topology, o->topology) != 0)) {
            r->selected = 0;
            snprintf(r->reason, sizeof(r->reason),
                     "not on the topology asked for (-t %.60s)", o->topology);
        }
        if (r->selected &&
            project_row(r, &c, o->jobs_dir, o->write_jobs, j, s) != 0) {
            status = TCE_EXIT_RUNTIME;
            goto out;
        }
    }
    if (partition(rows, n, &np, &nq) != 0) {
        status = TCE_EXIT_RUNTIME;
        goto out;
    }
    tce_bridge_summarise(rows, n, &sum);
    ok = sum.all.rows > 0 && sum.all.worst_abs_error <= o->tolerance &&
         sum.all.mean_abs_error <= o->mean_tolerance;
    if (tce_cli_human(o->co))
        print_human(stdout, o, rows, np, nq, n, &sum, ok);
    if (o->co->json) {
        status = tce_cli_output_open(&out, o->co->json);
        if (status != TCE_EXIT_OK)
            goto out;
        print_json(out.fp, o, rows, np, nq, n, &sum, ok);
        status = tce_cli_output_commit(&out);
        if (status != TCE_EXIT_OK)
            goto out;
    }
    if (o->co->csv) {
        status = tce_cli_output_open(&out, o->co->csv);
        if (status != TCE_EXIT_OK)
            goto out;
        table(columns, NCOLS(columns), rows, np, &tab);
        tab.schema = "tcemu.reproduce.csv/2";
        tce_report_csv(out.fp, &tab);
        status = tce_cli_output_commit(&out);
        if (status != TCE_EXIT_OK)
            goto out;
    }
    if (!ok) {
        fprintf(stderr,
                "tcemu reproduce: error: Megatron-Bridge rows: mean |error| "
                "%.1f%% (tolerance %.1f%%), worst %.1f%% (tolerance "
                "%.1f%%)\n",
                100.0 * sum.all.mean_abs_error, 100.0 * o->mean_tolerance,
                100.0 * sum.all.worst_abs_error, 100.0 * o->tolerance);
        status = TCE_EXIT_CHECK;
    }
    if (fflush(stdout) != 0)
        status = TCE_EXIT_RUNTIME;
out:
    cache_free(&c);
    free(rows);
    free(s);
    free(j);
    return status;
}
