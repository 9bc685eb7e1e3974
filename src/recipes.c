/*
 * recipes.c - held-out checks of the projector (recipes.h): the shipped
 * references, the data file, and each row projected with its job on its
 * topology and counted as its source counts FLOPs.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcemu/bridge.h"
#include "tcemu/config.h"
#include "tcemu/input.h"
#include "tcemu/recipes.h"
#include "tcemu/scenario.h"
#include "tcemu/util.h"

enum col {
    C_RECIPE, C_MODEL, C_SYSTEM, C_TOPOLOGY, C_JOB, C_GPUS, C_TP, C_PP,
    C_CP, C_EP, C_MBS, C_GBS, C_SEQ, C_FLOPS, C_PUBLISHED, C_SOURCE_LINE,
    C_NOTES, C_COUNT
};

static const char *const header[C_COUNT] = {
    "recipe", "model", "system", "topology", "job", "gpus", "tp", "pp", "cp",
    "ep", "mbs", "gbs", "seq", "flops_count", "published_tflops_per_gpu",
    "source_line", "notes",
};

/* flops_count, by enum tce_recipes_flops */
static const char *const flops_names[] = {"megatron-lm", "nemo-llama"};

static const struct tce_recipes_reference references[] = {
    {TCE_RECIPES_REFERENCE, "Megatron-LM MoE recipes",
     "NVIDIA Megatron-LM MoE recipes, examples/moe_recipes/README.md, "
     "median model TFLOP/s per GPU, measured"},
    {TCE_RECIPES_LONG_SEQUENCE, "NeMo long-sequence",
     "NVIDIA NeMo docs/source/performance/performance_long_sequence.md, "
     "TFLOP/s per GPU with context parallelism, measured"},
};

const char *const tce_recipes_shipped[] = {
    TCE_RECIPES_REFERENCE, TCE_RECIPES_LONG_SEQUENCE, NULL,
};

const struct tce_recipes_reference *tce_recipes_reference(const char *path)
{
    static const struct tce_recipes_reference other = {
        "held-out", "held-out rows", "published measurements"};
    const char *base = strrchr(path, '/');
    size_t i, n;

    base = base ? base + 1 : path;
    n = strcspn(base, ".");
    for (i = 0; i < TCE_ARRAY_SIZE(references); i++)
        if (strlen(references[i].name) == n &&
            strncmp(base, references[i].name, n) == 0)
            return &references[i];
    return &other;
}

double tce_recipes_nemo_llama_flops(const struct tce_model *m, int64_t seq)
{
    double h = (double)m->hidden_size, l = (double)m->num_layers;
    double a = (double)m->num_attention_heads;
    double g = m->num_query_groups > 0 ? (double)m->num_query_groups : a;

    return l * h * h *
               (12.0 + 12.0 * g / a +
                18.0 * (double)m->ffn_hidden_size / h +
                12.0 * (double)seq / h) +
           6.0 * (double)m->vocab_size * h;
}

/* 0 when the fields are the header, in its order. */
static int is_header(char **f, int nf)
{
    int c;

    if (nf != C_COUNT)
        return -1;
    for (c = 0; c < C_COUNT; c++)
        if (strcmp(f[c], header[c]) != 0)
            return -1;
    return 0;
}

int tce_recipes_detect(const char *path)
{
    char *data = NULL, *next, *line, *f[C_COUNT + 1];
    const char *why = NULL;
    size_t len = 0;
    int lineno = 0, yes = 0;

    if (tce_input_read(path, &data, &len, NULL, &why) != 0)
        return 0;
    next = data;
    line = tce_input_next_line(&next, &lineno);
    if (line)
        yes = is_header(f, tce_csv_split(line, f, C_COUNT + 1)) == 0;
    free(data);
    return yes;
}

static int text(char *dst, size_t size, const char *s, const char *key,
                struct tce_error *err)
{
    if (strlen(s) >= size)
        return tce_error_set(err, TCE_ECONFIG, "%s: longer than %zu bytes",
                             key, size - 1);
    snprintf(dst, size, "%s", s);
    return 0;
}

static int fill(struct tce_recipe_row *r, char **f, struct tce_error *err)
{
    static const struct {
        enum col c;
        size_t off;
        int64_t max;
    } ints[] = {
        {C_GPUS, offsetof(struct tce_recipe_row, gpus), 1 << 20},
        {C_TP, offsetof(struct tce_recipe_row, tp), 1024},
        {C_PP, offsetof(struct tce_recipe_row, pp), 1024},
        {C_CP, offsetof(struct tce_recipe_row, cp), 1024},
        {C_EP, offsetof(struct tce_recipe_row, ep), 1 << 16},
        {C_MBS, offsetof(struct tce_recipe_row, mbs), 1 << 16},
        {C_GBS, offsetof(struct tce_recipe_row, gbs), 1 << 24},
        {C_SEQ, offsetof(struct tce_recipe_row, seq), 1 << 24},
    };
    struct tce_error e;
    size_t i;

    memset(r, 0, sizeof(*r));
    if (text(r->recipe, sizeof(r->recipe), f[C_RECIPE], "recipe", err) ||
        text(r->model, sizeof(r->model), f[C_MODEL], "model", err) ||
        text(r->system, sizeof(r->system), f[C_SYSTEM], "system", err) ||
        text(r->topology, sizeof(r->topology), f[C_TOPOLOGY], "topology",
             err) ||
        text(r->job, sizeof(r->job), f[C_JOB], "job", err) ||
        text(r->notes, sizeof(r->notes), f[C_NOTES], "notes", err))
        return TCE_ECONFIG;
    tce_error_clear(&e);
    for (i = 0; i < TCE_ARRAY_SIZE(ints); i++)
        if (tce_parse_int64(f[ints[i].c], 1, ints[i].max,
                            (int64_t *)((char *)r + ints[i].off), &e) != 0)
            return tce_error_set(err, TCE_ECONFIG, "%s: %s",
                                 header[ints[i].c], e.msg);
    if (tce_parse_double(f[C_PUBLISHED], 1e-3, 1e6, &r->published_tflops,
                         &e) != 0)
        return tce_error_set(err, TCE_ECONFIG, "%s: %s", header[C_PUBLISHED],
                             e.msg);
    if (tce_parse_int64(f[C_SOURCE_LINE], 1, 1 << 20, &r->source_line,
                        &e) != 0)
        return tce_error_set(err, TCE_ECONFIG, "%s: %s",
                             header[C_SOURCE_LINE], e.msg);
    for (i = 0; i < TCE_ARRAY_SIZE(flops_names); i++)
        if (strcmp(f[C_FLOPS], flops_names[i]) == 0) {
            r->flops = (enum tce_recipes_flops)i;
            r->flops_name = flops_names[i];
            return 0;
        }
    return tce_error_set(err, TCE_ECONFIG,
                         "%s: '%s' is not %s or %s", header[C_FLOPS],
                         f[C_FLOPS], flops_names[0], flops_names[1]);
}

/* tce_recipes_read's table (input.h) */
struct read_ctx {
    struct tce_recipe_row *rows;
    int n;
};

static int read_header(char **f, int nf, void *ctx)
{
    (void)ctx;
    return is_header(f, nf);
}

static int read_row(char **f, int nf, int lineno, void *ctx,
                    struct tce_error *e)
{
    struct read_ctx *x = ctx;

    if (nf != C_COUNT)
        return tce_error_set(e, TCE_ECONFIG, "expected %d fields, got %d",
                             C_COUNT, nf);
    if (fill(&x->rows[x->n], f, e) != 0)
        return TCE_ECONFIG;
    x->rows[x->n++].csv_line = lineno;
    return 0;
}

int tce_recipes_read(const char *path, struct tce_recipe_row *rows, int max,
                     int *n_rows, struct tce_error *err)
{
    struct read_ctx x = {rows, 0};
    struct tce_csv_table t = {
        .header = read_header,
        .header_what =
            "the held-out rows' header (recipe, model, ..., notes)",
        .row = read_row,
        .ctx = &x,
        .max_rows = max,
    };

    return tce_csv_read(path, &t, n_rows, err);
}

/* The first field of the job that disagrees with row r, or NULL. */
static const char *disagrees(const struct tce_recipe_row *r,
                             const struct tce_job *j, int64_t *want,
                             int64_t *got)
{
    const struct {
        const char *key;
        int64_t want, got;
    } f[] = {
        {"parallel.num_gpus", r->gpus, j->parallel.num_gpus},
        {"parallel.tensor_model_parallel_size", r->tp,
         j->parallel.tensor_model_parallel_size},
        {"parallel.pipeline_model_parallel_size", r->pp,
         j->parallel.pipeline_model_parallel_size},
        {"parallel.context_parallel_size", r->cp,
         j->parallel.context_parallel_size},
        {"parallel.expert_model_parallel_size", r->ep,
         j->parallel.expert_model_parallel_size},
        {"training.micro_batch_size", r->mbs, j->training.micro_batch_size},
        {"training.global_batch_size", r->gbs,
         j->training.global_batch_size},
        {"model.seq_length", r->seq, j->model.seq_length},
    };
    size_t i;

    for (i = 0; i < TCE_ARRAY_SIZE(f); i++)
        if (f[i].want != f[i].got) {
            *want = f[i].want;
            *got = f[i].got;
            return f[i].key;
        }
    return NULL;
}

int tce_recipes_project(struct tce_recipe_row *r, const char *path,
                        enum tce_recipes_kind kind, FILE *diag_stream,
                        struct tce_error *err)
{
    struct tce_scenario *s = calloc(1, sizeof(*s));
    struct tce_scenario_files files;
    struct tce_bridge_arch arch;
    struct tce_diag diag;
    const char *slash = strrchr(path, '/'), *bad;
    int64_t want = 0, got = 0;
    int ret;

    r->projected = 0;
    if (!s)
        return tce_error_set(err, TCE_ENOMEM, "out of memory");
    if (slash)
        snprintf(r->job_path, sizeof(r->job_path), "%.*s/%s",
                 (int)(slash - path), path, r->job);
    else
        snprintf(r->job_path, sizeof(r->job_path), "%s", r->job);
    memset(&files, 0, sizeof(files));
    files.topology = r->topology;
    files.job = r->job_path;
    tce_diag_init(&diag, diag_stream);
    ret = tce_scenario_load(s, &files, diag_stream ? &diag : NULL, err);
    if (ret == 0 && (bad = disagrees(r, &s->job, &want, &got)) != NULL)
        ret = tce_error_set(err, TCE_ECONFIG,
                            "%s: %s is %lld, the row (line %d) says %lld",
                            r->job_path, bad, (long long)got, r->csv_line,
                            (long long)want);
    if (ret == 0)
        r->moe = s->job.model.num_experts > 0;
    if (ret == 0 && kind != TCE_RECIPES_ANY && r->moe != (int)kind) {
        snprintf(r->reason, sizeof(r->reason), "not a %s job",
                 kind == TCE_RECIPES_MOE ? "MoE" : "dense");
        goto out;
    }
    if (ret == 0 && r->flops == TCE_RECIPES_FLOPS_NEMO_LLAMA &&
        (s->job.model.num_experts > 0 || !s->job.model.swiglu))
        ret = tce_error_set(err, TCE_ECONFIG,
                            "%s: flops_count nemo-llama (line %d): NeMo's "
                            "llama formula counts dense SwiGLU models only",
                            r->job_path, r->csv_line);
    if (ret == 0)
        ret = tce_project(&s->topo, &s->job, &s->cm, 0, &r->proj, err);
    if (ret == 0) {
        snprintf(r->topology_path, sizeof(r->topology_path), "%s",
                 s->topo.path);
        snprintf(r->job_name, sizeof(r->job_name), "%s", s->job.name);
        tce_bridge_arch_of(NULL, &s->job, &arch);
        r->flops_per_token =
            r->flops == TCE_RECIPES_FLOPS_NEMO_LLAMA
                ? tce_recipes_nemo_llama_flops(&s->job.model, r->seq)
                : tce_bridge_flops_per_token(&s->job.model, r->seq, r->tp,
                                             &arch);
        r->projected_tokens = r->proj.tokens_per_s / (double)r->gpus;
        r->projected_tflops = r->projected_tokens * r->flops_per_token / 1e12;
        r->error = r->projected_tflops / r->published_tflops - 1.0;
        r->hbm_gib = s->topo.accelerator.hbm_gib;
        r->projected = 1;
    } else {
        snprintf(r->reason, sizeof(r->reason), "%.190s", err->msg);
    }
out:
    free(s);
    return ret;
}
