/*
 * validation.c - the reference rows tcemu reproduce projects, and the
 * model's error on the published runs comparable to a projection
 * (validation.h).
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tcemu/bridge.h"
#include "tcemu/datadir.h"
#include "tcemu/input.h"
#include "tcemu/recipes.h"
#include "tcemu/util.h"
#include "tcemu/validation.h"

/* The SC21 table's first nine columns, in order (more may follow). */
static const char *const sc21_cols[] = {
    "params_billion", "attention_heads", "hidden_size", "num_layers",
    "tensor_parallel", "pipeline_parallel", "gpus", "global_batch",
    "tflops_per_gpu",
};
#define SC21_COLS ((int)(sizeof(sc21_cols) / sizeof(sc21_cols[0])))

static int read_header(char **f, int nf, void *ctx)
{
    int i;

    (void)ctx;
    if (nf < SC21_COLS)
        return TCE_ECONFIG;
    for (i = 0; i < SC21_COLS; i++)
        if (strcmp(f[i], sc21_cols[i]) != 0)
            return TCE_ECONFIG;
    return 0;
}

struct read_ctx {
    struct tce_validation_row *rows;
    int n;
};

static int read_row(char **f, int nf, int lineno, void *ctx,
                    struct tce_error *e)
{
    struct read_ctx *x = ctx;
    struct tce_validation_row *r = &x->rows[x->n];

    (void)lineno;
    memset(r, 0, sizeof(*r));
    if (nf < SC21_COLS || strlen(f[0]) >= sizeof(r->params) ||
        tce_parse_int64(f[1], 1, INT64_C(1) << 30, &r->heads, e) ||
        tce_parse_int64(f[2], 1, INT64_C(1) << 30, &r->hidden, e) ||
        tce_parse_int64(f[3], 1, INT64_C(1) << 30, &r->layers, e) ||
        tce_parse_int64(f[4], 1, INT64_C(1) << 30, &r->tp, e) ||
        tce_parse_int64(f[5], 1, INT64_C(1) << 30, &r->pp, e) ||
        tce_parse_int64(f[6], 1, INT64_C(1) << 40, &r->gpus, e) ||
        tce_parse_int64(f[7], 1, INT64_C(1) << 40, &r->batch, e) ||
        tce_parse_double(f[8], 0.0, 1e9, &r->published_tflops, e))
        return tce_error_set(e, TCE_ECONFIG, "want 9+ numeric fields");
    snprintf(r->params, sizeof(r->params), "%s", f[0]);
    x->n++;
    return 0;
}

int tce_validation_read(const char *path, struct tce_validation_row *rows,
                        int max, int *n_rows, struct tce_error *err)
{
    /* regular files only, bounded, never blocking (tce_input_read: a FIFO
     * or /dev/zero given as --reference fails at once) */
    struct read_ctx x = {rows, 0};
    struct tce_csv_table t = {
        .header = read_header,
        .header_what =
            "the SC21 table's header (params_billion, "
            "attention_heads, ..., tflops_per_gpu)",
        .row = read_row,
        .ctx = &x,
        .max_rows = max,
    };

    return tce_csv_read(path, &t, n_rows, err);
}

static int check_job(const struct tce_validation_row *r, const struct tce_job *j,
                     struct tce_error *err)
{
    const struct tce_model *m = &j->model;
    const struct tce_parallel *p = &j->parallel;

    if (m->num_attention_heads != r->heads || m->hidden_size != r->hidden ||
        m->num_layers != r->layers || p->tensor_model_parallel_size != r->tp ||
        p->pipeline_model_parallel_size != r->pp || p->num_gpus != r->gpus ||
        j->training.global_batch_size != r->batch)
        return tce_error_set(err, TCE_ECONFIG,
                             "%s does not match reference row %sB (heads, "
                             "hidden, layers, tp, pp, gpus, global batch)",
                             r->job_path, r->params);
    return 0;
}

/* Project row r's job (a scenario on the loaded topology): 0, or the
 * error of the job's check, the cost model or the projection. */
int tce_validation_project(struct tce_validation_row *r,
                           const struct tce_topology *t,
                           const struct tce_job *j, struct tce_scenario *s,
                           struct tce_error *err)
{
    int ret = check_job(r, j, err);

    if (ret == 0)
        ret = tce_scenario_init(s, t, j, NULL, err);
    if (ret == 0)
        ret = tce_project(&s->topo, &s->job, &s->cm, 0, &r->proj, err);
    if (ret == 0) {
        r->projected_tflops = r->proj.hardware_tflops_per_gpu;
        r->error = r->projected_tflops / r->published_tflops - 1.0;
    }
    return ret;
}

char *tce_validation_family(const char *accelerator, char *buf, size_t n)
{
    size_t k = 0;

    if (n == 0)
        return buf;
    while (accelerator && isalnum((unsigned char)accelerator[k]) &&
           k + 1 < n) {
        buf[k] = accelerator[k];
        k++;
    }
    buf[k] = '\0';
    return buf;
}

/* The worst error over the reference rows on the reference topology: 0, or
 * a negative TCE_E* (err says why). */
static int worst_error(struct tce_validation *v, struct tce_error *err)
{
    char ref[TCE_TEXT_MAX], job[64], family[32];
    struct tce_validation_row *rows = calloc(TCE_VALIDATION_ROWS_MAX,
                                             sizeof(*rows));
    struct tce_topology *t = calloc(1, sizeof(*t));
    struct tce_job *j = calloc(1, sizeof(*j));
    struct tce_scenario *s = calloc(1, sizeof(*s));
    int i, n = 0, ret;

    if (!rows || !t || !j || !s) {
        ret = tce_error_set(err, TCE_ENOMEM, "out of memory");
        goto out;
    }
    ret = tce_datadir_resolve(TCE_DATA_REFERENCE, TCE_VALIDATION_REFERENCE,
                              ref, sizeof(ref), err);
    if (ret == 0)
        ret = tce_validation_read(ref, rows, TCE_VALIDATION_ROWS_MAX, &n,
                                  err);
    if (ret == 0 && tce_topology_load(TCE_VALIDATION_TOPOLOGY, t, NULL) != 0)
        ret = tce_error_set(err, TCE_ECONFIG, "cannot load %s",
                            TCE_VALIDATION_TOPOLOGY);
    if (ret == 0 &&
        strcmp(tce_validation_family(t->accelerator.name, family,
                                     sizeof(family)),
               v->family) != 0)
        ret = tce_error_set(err, TCE_ECONFIG, "%s is not %s",
                            TCE_VALIDATION_TOPOLOGY, v->family);
    for (i = 0; ret == 0 && i < n; i++) {
        snprintf(job, sizeof(job), "megatron-sc21-%sb", rows[i].params);
        if (tce_job_load(job, j, NULL) != 0) {
            ret = tce_error_set(err, TCE_ECONFIG, "cannot load %s", job);
            break;
        }
        ret = tce_validation_project(&rows[i], t, j, s, err);
        if (ret == 0 && fabs(rows[i].error) > v->worst)
            v->worst = fabs(rows[i].error);
        if (ret == 0)
            v->mean += fabs(rows[i].error) / n;
    }
    if (ret == 0)
        v->n_rows = n;
out:
    free(rows);
    free(t);
    free(j);
    free(s);
    return ret;
}

static void terms_empty(struct tce_validation_terms *out);
static int bridge_terms(const char *family, int moe,
                        struct tce_validation_terms *out);

/* The Megatron-Bridge rows of v's family and kind into v (applies when
 * any project); nothing when there are none. */
static void bridge_validation(struct tce_validation *v, int moe)
{
    struct tce_validation_terms terms;

    terms_empty(&terms);
    if (bridge_terms(v->family, moe, &terms) != 0 || terms.rows == 0)
        return;
    v->applies = 1;
    v->reference = "NVIDIA Megatron-Bridge performance summaries";
    v->n_rows = terms.rows;
    v->worst = terms.worst;
    v->mean = terms.sum_abs / terms.rows;
    snprintf(v->line, sizeof(v->line),
             "model validation: %s %s, Megatron-Bridge, %d rows, mean "
             "%.1f%%, worst %.1f%% (tcemu reproduce --reference "
             "megatron-bridge-performance)",
             v->family, v->kind, v->n_rows, 100.0 * v->mean,
             100.0 * v->worst);
}

static void recipes_validation(struct tce_validation *v);

void tce_validation_for(const struct tce_topology *t, const struct tce_job *j,
                        struct tce_validation *v)
{
    struct tce_error err;
    int moe = j->model.num_experts > 0;

    memset(v, 0, sizeof(*v));
    tce_error_clear(&err);
    tce_validation_family(t->accelerator.name, v->family, sizeof(v->family));
    v->kind = moe ? "MoE" : "dense";
    /* A100 dense: Megatron-LM SC21 Table 1; every other family and kind:
     * the Megatron-Bridge rows of the same family and kind, if any */
    if (strcmp(v->family, "A100") != 0 || moe) {
        bridge_validation(v, moe);
        recipes_validation(v);
        if (!v->applies)
            snprintf(v->line, sizeof(v->line),
                     "model validation: no published validation for %s %s "
                     "runs in tcemu reproduce",
                     v->family[0] ? v->family : "this accelerator's",
                     v->kind);
        return;
    }
    if (worst_error(v, &err) != 0) {
        snprintf(v->line, sizeof(v->line),
                 "model validation: %s %s, Megatron-LM SC21: not available "
                 "(%.100s)",
                 v->family, v->kind, err.msg);
        v->worst = 0.0;
        return;
    }
    v->applies = 1;
    v->reference = "Megatron-LM SC21";
    snprintf(v->line, sizeof(v->line),
             "model validation: %s %s, %s, %d rows, worst %.1f%% (tcemu "
             "reproduce: projected vs published TFLOP/s per GPU)",
             v->family, v->kind, v->reference, v->n_rows, 100.0 * v->worst);
}

int tce_validation_margin(const struct tce_validation *v, double margin,
                          char *buf, size_t n)
{
    int smaller;

    if (!v->applies) {
        snprintf(buf, n,
                 "ranking margin %.1f%%: cannot be judged without a "
                 "published validation for %s %s runs",
                 100.0 * margin, v->family[0] ? v->family : "these",
                 v->kind ? v->kind : "");
        return -1;
    }
    smaller = margin < v->worst;
    snprintf(buf, n,
             "ranking margin %.1f%% is %s than the model's validation error "
             "(%s %s, worst %.1f%%): %s",
             100.0 * margin, smaller ? "smaller" : "larger", v->family,
             v->kind, 100.0 * v->worst,
             smaller ? "the order is within the model's error"
                     : "the order is beyond the model's error");
    return smaller;
}

void tce_validation_json(struct tce_json *j, const char *key,
                         const struct tce_validation *v)
{
    tce_json_object_begin(j, key);
    tce_json_string(j, "accelerator_family", v->family);
    tce_json_string(j, "job_kind", v->kind ? v->kind : "");
    if (v->applies) {
        tce_json_string(j, "reference", v->reference);
        tce_json_int(j, "rows", v->n_rows);
        tce_json_double(j, "worst_error", v->worst);
        tce_json_double(j, "mean_abs_error", v->mean);
    } else {
        tce_json_null(j, "reference");
        tce_json_int(j, "rows", 0);
        tce_json_null(j, "worst_error");
        tce_json_null(j, "mean_abs_error");
    }
    tce_json_string(j, "summary", v->line);
    /* held out (issue 11) */
    tce_json_object_begin(j, "held_out");
    tce_json_int(j, "rows", v->held_out_rows);
    if (v->held_out_rows > 0) {
        tce_json_string(j, "reference", TCE_RECIPES_REFERENCE);
        tce_json_double(j, "worst_error", v->held_out_worst);
        tce_json_double(j, "mean_abs_error", v->held_out_mean);
        tce_json_string(j, "summary", v->held_out_line);
    } else {
        tce_json_null(j, "reference");
        tce_json_null(j, "worst_error");
        tce_json_null(j, "mean_abs_error");
        tce_json_null(j, "summary");
    }
    tce_json_object_end(j);
    tce_json_object_end(j);
}

/* ---- per-term validation (repro, issue 11) ----------------------------- */

#define TERM_TOPOS_MAX 8
#define TERM_JOBS_MAX 16

void tce_validation_terms_add(struct tce_validation_terms *out, double error,
                              const struct tce_breakdown *b,
                              double iteration_s)
{
    double e = fabs(error);
    int k;

    out->rows++;
    out->sum_abs += e;
    if (e > out->worst)
        out->worst = e;
    for (k = 0; k < TCE_PART_COUNT; k++) {
        double part = tce_breakdown_get(b, (enum tce_part)k);

        if (!(iteration_s > 0.0) ||
            part < TCE_VALIDATION_TERM_SHARE * iteration_s)
            continue;
        out->part_rows[k]++;
        if (e > out->rel[k])
            out->rel[k] = e;
    }
}

static void terms_empty(struct tce_validation_terms *out)
{
    int k;

    memset(out, 0, sizeof(*out));
    for (k = 0; k < TCE_PART_COUNT; k++)
        out->rel[k] = -1.0;
}

/* Loaded once per call, by NAME. */
struct term_files {
    int n_topos, n_jobs;
    const char *topo_name[TERM_TOPOS_MAX];
    struct tce_topology *topo[TERM_TOPOS_MAX];
    const char *job_name[TERM_JOBS_MAX];
    struct tce_job *job[TERM_JOBS_MAX];
};

static const struct tce_topology *term_topology(struct term_files *f,
                                                const char *name)
{
    int i;

    for (i = 0; i < f->n_topos; i++)
        if (strcmp(f->topo_name[i], name) == 0)
            return f->topo[i];
    if (f->n_topos == TERM_TOPOS_MAX)
        return NULL;
    i = f->n_topos++;
    f->topo_name[i] = name;
    f->topo[i] = calloc(1, sizeof(*f->topo[i]));
    if (f->topo[i] && tce_topology_load(name, f->topo[i], NULL) != 0) {
        free(f->topo[i]);
        f->topo[i] = NULL;
    }
    return f->topo[i];
}

static const struct tce_job *term_job(struct term_files *f, const char *name)
{
    int i;

    for (i = 0; i < f->n_jobs; i++)
        if (strcmp(f->job_name[i], name) == 0)
            return f->job[i];
    if (f->n_jobs == TERM_JOBS_MAX)
        return NULL;
    i = f->n_jobs++;
    f->job_name[i] = name;
    f->job[i] = calloc(1, sizeof(*f->job[i]));
    if (f->job[i] && tce_job_load(name, f->job[i], NULL) != 0) {
        free(f->job[i]);
        f->job[i] = NULL;
    }
    return f->job[i];
}

/* held out (issue 11): the rows of one held-out reference (recipes.h) of
 * v's family and kind into v, each topology loaded once (term_topology:
 * its names point into the rows, so the files go with them); how many. */
static int held_out_reference(struct tce_validation *v, const char *name)
{
    struct term_files files, *f = &files;
    char ref[TCE_TEXT_MAX], fam[32];
    struct tce_recipe_row *rows = calloc(TCE_RECIPES_ROWS_MAX, sizeof(*rows));
    const struct tce_topology *t;
    struct tce_error err;
    enum tce_recipes_kind kind = strcmp(v->kind, "MoE") == 0
                                     ? TCE_RECIPES_MOE
                                     : TCE_RECIPES_DENSE;
    int i, n = 0, used = 0;
    double e;

    memset(f, 0, sizeof(*f));
    tce_error_clear(&err);
    if (!rows ||
        tce_datadir_resolve(TCE_DATA_REFERENCE, name, ref, sizeof(ref),
                            &err) != 0 ||
        tce_recipes_read(ref, rows, TCE_RECIPES_ROWS_MAX, &n, &err) != 0)
        n = 0;
    for (i = 0; i < n; i++) {
        t = term_topology(f, rows[i].topology);
        if (!t ||
            strcmp(tce_validation_family(t->accelerator.name, fam,
                                         sizeof(fam)),
                   v->family) != 0 ||
            tce_recipes_project(&rows[i], ref, kind, NULL, &err) != 0 ||
            !rows[i].projected)
            continue;
        e = fabs(rows[i].error);
        v->held_out_rows++;
        v->held_out_mean += e;
        if (e > v->held_out_worst)
            v->held_out_worst = e;
        used++;
    }
    for (i = 0; i < f->n_topos; i++)
        free(f->topo[i]);
    free(rows);
    return used;
}

/* held out (issue 11): every shipped held-out reference's rows of v's
 * family and kind into v; nothing when there are none. */
static void recipes_validation(struct tce_validation *v)
{
    char titles[160] = "", names[160] = "";
    const char *name;
    int i;

    for (i = 0; (name = tce_recipes_shipped[i]) != NULL; i++) {
        if (held_out_reference(v, name) == 0)
            continue;
        snprintf(titles + strlen(titles), sizeof(titles) - strlen(titles),
                 "%s%s", titles[0] ? " and " : "",
                 tce_recipes_reference(name)->title);
        snprintf(names + strlen(names), sizeof(names) - strlen(names),
                 "%s%s", names[0] ? ", " : "", name);
    }
    if (v->held_out_rows == 0)
        return;
    v->held_out_mean /= v->held_out_rows;
    snprintf(v->held_out_line, sizeof(v->held_out_line),
             "held out: %s %s, %s (nothing fitted to them), %d rows, mean "
             "%.1f%%, worst %.1f%% (tcemu reproduce --reference %s)",
             v->family, v->kind, titles, v->held_out_rows,
             100.0 * v->held_out_mean, 100.0 * v->held_out_worst, names);
}

/* Megatron-Bridge's rows of family and kind into out. */
static int bridge_terms(const char *family, int moe,
                        struct tce_validation_terms *out)
{
    char ref[TCE_TEXT_MAX], fam[32];
    struct tce_bridge_row *rows = calloc(TCE_BRIDGE_ROWS_MAX, sizeof(*rows));
    struct tce_scenario *s = calloc(1, sizeof(*s));
    struct tce_job *scratch = calloc(1, sizeof(*scratch));
    struct term_files f;
    struct tce_error err;
    int i, n = 0, ret = 0;

    memset(&f, 0, sizeof(f));
    tce_error_clear(&err);
    if (!rows || !s || !scratch ||
        tce_datadir_resolve(TCE_DATA_REFERENCE, TCE_BRIDGE_REFERENCE, ref,
                            sizeof(ref), &err) != 0 ||
        tce_bridge_read(ref, rows, TCE_BRIDGE_ROWS_MAX, &n, &err) != 0) {
        ret = TCE_ECONFIG;
        goto out;
    }
    tce_bridge_select(rows, n);
    for (i = 0; i < n; i++) {
        struct tce_bridge_row *r = &rows[i];
        const struct tce_topology *t;
        const struct tce_job *base;

        if (!r->selected || r->moe != moe)
            continue;
        t = term_topology(&f, r->topology);
        if (!t || strcmp(tce_validation_family(t->accelerator.name, fam,
                                               sizeof(fam)),
                         family) != 0)
            continue;
        base = term_job(&f, r->model_key);
        if (base && tce_bridge_project(r, t, base, scratch, s, &err) == 0)
            tce_validation_terms_add(out, r->error, &r->proj.breakdown,
                                     r->proj.iteration_s);
    }
out:
    for (i = 0; i < f.n_topos; i++)
        free(f.topo[i]);
    for (i = 0; i < f.n_jobs; i++)
        free(f.job[i]);
    free(rows);
    free(s);
    free(scratch);
    return ret;
}

/* Megatron-LM SC21's rows (A100 dense) into out. */
static int sc21_terms(struct tce_validation_terms *out)
{
    char ref[TCE_TEXT_MAX], job[64];
    struct tce_validation_row *rows = calloc(TCE_VALIDATION_ROWS_MAX,
                                             sizeof(*rows));
    struct tce_topology *t = calloc(1, sizeof(*t));
    struct tce_job *j = calloc(1, sizeof(*j));
    struct tce_scenario *s = calloc(1, sizeof(*s));
    struct tce_error err;
    int i, n = 0, ret = 0;

    tce_error_clear(&err);
    if (!rows || !t || !j || !s ||
        tce_datadir_resolve(TCE_DATA_REFERENCE, TCE_VALIDATION_REFERENCE,
                            ref, sizeof(ref), &err) != 0 ||
        tce_validation_read(ref, rows, TCE_VALIDATION_ROWS_MAX, &n, &err) !=
            0 ||
        tce_topology_load(TCE_VALIDATION_TOPOLOGY, t, NULL) != 0) {
        ret = TCE_ECONFIG;
        goto out;
    }
    for (i = 0; i < n; i++) {
        snprintf(job, sizeof(job), "megatron-sc21-%sb", rows[i].params);
        if (tce_job_load(job, j, NULL) != 0 ||
            tce_validation_project(&rows[i], t, j, s, &err) != 0)
            continue;
        tce_validation_terms_add(out, rows[i].error, &rows[i].proj.breakdown,
                                 rows[i].proj.iteration_s);
    }
out:
    free(rows);
    free(t);
    free(j);
    free(s);
    return ret;
}

int tce_validation_terms_for(const struct tce_topology *t,
                             const struct tce_job *j,
                             struct tce_validation_terms *out)
{
    char family[32];
    int moe = j->model.num_experts > 0;
    const char *kind = moe ? "MoE" : "dense";

    terms_empty(out);
    tce_validation_family(t->accelerator.name, family, sizeof(family));
    if (strcmp(family, "A100") == 0 && !moe) {
        if (sc21_terms(out) != 0 || out->rows == 0)
            snprintf(out->source, sizeof(out->source),
                     "Megatron-LM SC21 rows not available");
        else
            snprintf(out->source, sizeof(out->source),
                     "Megatron-LM SC21, A100 dense, %d rows", out->rows);
        return 0;
    }
    if (bridge_terms(family, moe, out) != 0)
        snprintf(out->source, sizeof(out->source),
                 "Megatron-Bridge rows not available");
    else if (out->rows == 0)
        snprintf(out->source, sizeof(out->source),
                 "no published %s %s rows in tcemu reproduce",
                 family[0] ? family : "comparable", kind);
    else
        snprintf(out->source, sizeof(out->source),
                 "Megatron-Bridge, %s %s, %d rows", family, kind, out->rows);
    return 0;
}
