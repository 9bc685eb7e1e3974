/*
 * bridge.c - Megatron-Bridge's published rows: read, select, map to a job
 * and a topology, and count FLOPs as Megatron-Bridge does (bridge.h).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcemu/bridge.h"
#include "tcemu/bridge_recipe.h"
#include "tcemu/input.h"
#include "tcemu/rules.h"
#include "tcemu/scenario.h"
#include "tcemu/util.h"

/* The columns this module reads, by name. */
enum col {
    C_RELEASE, C_DATE, C_FILE, C_LINE, C_TASK, C_MODEL, C_KEY, C_MOE,
    C_SYSTEM, C_GEN, C_GPUS, C_PREC, C_GBS, C_MBS, C_SEQ, C_FSDP, C_TP, C_PP,
    C_CP, C_VP, C_EP, C_GA, C_TOKENS, C_TFLOPS, C_VARIANT, C_NOTES, C_COUNT
};

static const char *const col_names[C_COUNT] = {
    "release", "release_date", "source_file", "source_line", "task", "model",
    "model_key", "moe", "system", "generation", "gpus", "precision",
    "global_batch", "micro_batch", "seq_length", "fsdp", "tp", "pp", "cp",
    "vp", "ep", "ga", "tokens_per_s_per_gpu", "model_tflops_per_gpu", "variant",
    "notes",
};

int tce_bridge_detect(const char *path)
{
    char *data = NULL, *line, *next;
    const char *why = NULL;
    size_t len = 0;
    int yes = 0;

    if (tce_input_read(path, &data, &len, NULL, &why) != 0)
        return 0;
    for (line = data; line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        if (line[0] == '#' || line[0] == '\0' || line[0] == '\r')
            continue;
        yes = strncmp(line, "release,", 8) == 0;
        break;
    }
    free(data);
    return yes;
}

static int copy(char *dst, size_t n, const char *src)
{
    if (strlen(src) >= n)
        return -1;
    memcpy(dst, src, strlen(src) + 1);
    return 0;
}

static int int_or(const char *s, int64_t absent, int64_t *out,
                  struct tce_error *err)
{
    if (s[0] == '\0' || strcmp(s, "n/a") == 0) {
        *out = absent;
        return 0;
    }
    return tce_parse_int64(s, 0, INT64_C(1) << 40, out, err);
}

/* The row's data-parallel size, GPUs / (TP x PP x CP); 0 when that does
 * not divide. */
static int64_t row_dp(const struct tce_bridge_row *r)
{
    int64_t model = r->tp * r->pp * r->cp;

    return model < 1 || r->gpus % model != 0 ? 0 : r->gpus / model;
}

/* A parenthesised variant shares the cells its table writes once (no
 * parentheses) with the primary row; its gradient-accumulation cell is its
 * own.  Where the shared micro-batch contradicts the variant's GBS /
 * (DP x GA), the micro-batch is the one GA implies (e.g. 25.09 GB200
 * Llama 3 70B: GBS 128, TP 2 PP 4 on 64 GPUs = DP 8, GA 16 -> MBS 1, not
 * the primary row's shared 2); published_micro_batch keeps the cell. */
static void variant_micro_batch(struct tce_bridge_row *r)
{
    int64_t dp = row_dp(r);

    r->published_micro_batch = r->micro_batch;
    if (strcmp(r->variant, "parenthesised") != 0 || r->grad_accum < 1)
        return;
    if (dp > 0 && r->global_batch % (dp * r->grad_accum) == 0 &&
        r->global_batch / (dp * r->grad_accum) >= 1)
        r->micro_batch = r->global_batch / (dp * r->grad_accum);
}

/* Fill r from the fields f of one record (idx: field of each column). */
static int fill_row(struct tce_bridge_row *r, char **f, const int *idx,
                    struct tce_error *err)
{
    int64_t moe = 0;

    memset(r, 0, sizeof(*r));
    if (copy(r->release, sizeof(r->release), f[idx[C_RELEASE]]) ||
        copy(r->release_date, sizeof(r->release_date), f[idx[C_DATE]]) ||
        copy(r->source_file, sizeof(r->source_file), f[idx[C_FILE]]) ||
        copy(r->task, sizeof(r->task), f[idx[C_TASK]]) ||
        copy(r->model, sizeof(r->model), f[idx[C_MODEL]]) ||
        copy(r->model_key, sizeof(r->model_key), f[idx[C_KEY]]) ||
        copy(r->system, sizeof(r->system), f[idx[C_SYSTEM]]) ||
        copy(r->generation, sizeof(r->generation), f[idx[C_GEN]]) ||
        copy(r->precision, sizeof(r->precision), f[idx[C_PREC]]) ||
        copy(r->variant, sizeof(r->variant), f[idx[C_VARIANT]]) ||
        copy(r->notes, sizeof(r->notes), f[idx[C_NOTES]]))
        return tce_error_set(err, TCE_ECONFIG, "a text field is too long");
    if (int_or(f[idx[C_LINE]], 0, &r->source_line, err) ||
        int_or(f[idx[C_MOE]], 0, &moe, err) ||
        int_or(f[idx[C_GPUS]], 0, &r->gpus, err) ||
        int_or(f[idx[C_GBS]], 0, &r->global_batch, err) ||
        int_or(f[idx[C_MBS]], 0, &r->micro_batch, err) ||
        int_or(f[idx[C_SEQ]], 0, &r->seq_length, err) ||
        int_or(f[idx[C_FSDP]], -1, &r->fsdp, err) ||
        int_or(f[idx[C_TP]], 1, &r->tp, err) ||
        int_or(f[idx[C_PP]], 1, &r->pp, err) ||
        int_or(f[idx[C_CP]], 1, &r->cp, err) ||
        int_or(f[idx[C_VP]], 1, &r->vp, err) ||
        int_or(f[idx[C_EP]], 1, &r->ep, err) ||
        int_or(f[idx[C_GA]], 0, &r->grad_accum, err) ||
        tce_parse_double(f[idx[C_TOKENS]], 0.0, 1e9, &r->published_tokens,
                         err) ||
        tce_parse_double(f[idx[C_TFLOPS]], 0.0, 1e9, &r->published_tflops,
                         err))
        return TCE_ECONFIG;
    r->moe = moe != 0;
    variant_micro_batch(r);
    if (r->gpus < 1 || r->global_batch < 1 || r->micro_batch < 1 ||
        r->seq_length < 1 || r->tp < 1 || r->pp < 1 || r->cp < 1 ||
        r->vp < 1 || r->ep < 1 || r->published_tokens <= 0.0 ||
        r->published_tflops <= 0.0)
        return tce_error_set(err, TCE_ECONFIG,
                             "a count or a measurement is not positive");
    return 0;
}

/* Map the header's names to field positions; 0 or TCE_ECONFIG. */
static int header(char **f, int nf, int *idx)
{
    int c, i;

    for (c = 0; c < C_COUNT; c++) {
        idx[c] = -1;
        for (i = 0; i < nf; i++)
            if (strcmp(f[i], col_names[c]) == 0)
                idx[c] = i;
        if (idx[c] < 0)
            return TCE_ECONFIG;
    }
    return 0;
}

/* tce_bridge_read's table (input.h): the columns found by name */
struct read_ctx {
    struct tce_bridge_row *rows;
    int n, need;
    int idx[C_COUNT];
};

static int read_header(char **f, int nf, void *ctx)
{
    struct read_ctx *x = ctx;
    int c;

    if (header(f, nf, x->idx) != 0)
        return TCE_ECONFIG;
    for (c = 0; c < C_COUNT; c++)
        if (x->idx[c] + 1 > x->need)
            x->need = x->idx[c] + 1;
    return 0;
}

static int read_row(char **f, int nf, int lineno, void *ctx,
                    struct tce_error *e)
{
    struct read_ctx *x = ctx;

    if (nf < x->need)
        return tce_error_set(e, TCE_ECONFIG, "too few fields");
    if (fill_row(&x->rows[x->n], f, x->idx, e) != 0)
        return TCE_ECONFIG;
    x->rows[x->n++].csv_line = lineno;
    return 0;
}

int tce_bridge_read(const char *path, struct tce_bridge_row *rows, int max,
                    int *n_rows, struct tce_error *err)
{
    struct read_ctx x;
    struct tce_csv_table t = {
        .header = read_header,
        .header_what =
            "Megatron-Bridge's header (release, ..., notes)",
        .row = read_row,
        .ctx = &x,
        .max_rows = max,
    };

    memset(&x, 0, sizeof(x));
    x.rows = rows;
    return tce_csv_read(path, &t, n_rows, err);
}

const char *tce_bridge_topology(const char *system)
{
    static const struct {
        const char *system, *topology;
    } map[] = {
        {"DGX-H100", "dgx-h100"},       {"DGX-B200", "dgx-b200"},
        {"DGX-GB200", "gb200-nvl72"},   {"DGX-GB300", "gb300-nvl72"},
        {"DGX-B300", "dgx-b300"},
    };
    size_t i;

    for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (strcmp(system, map[i].system) == 0)
            return map[i].topology;
    return NULL;
}

int tce_bridge_precision(const char *published, enum tce_precision *p,
                         const char **recipe, const char **why)
{
    *p = TCE_PRECISION_BF16;
    *recipe = "";
    *why = NULL;
    if (strcmp(published, "BF16") == 0)
        return 0;
    *p = TCE_PRECISION_FP8;
    if (strcmp(published, "FP8") == 0) {
        *recipe = "unstated";
        return 0;
    }
    if (strcmp(published, "FP8-CS") == 0) {
        *recipe = "tensorwise";
        return 0;
    }
    if (strcmp(published, "FP8-MX") == 0 || strcmp(published, "MXFP8") == 0) {
        *recipe = "mxfp8";
        return 0;
    }
    /* 25.09 states no precision; its note says the parenthesised figures
     * use a finer quantization granularity, which only FP8 has */
    if (published[0] == '\0') {
        *recipe = "unstated";
        return 0;
    }
    *why = "NVFP4: tcemu has no FP4 peak or recipe";
    return -1;
}

int tce_bridge_fp8_recipe(const struct tce_bridge_row *r,
                          enum tce_fp8_recipe *recipe)
{
    if (!r->fp8_recipe || r->fp8_recipe[0] == '\0')
        return 0;
    /* Megatron-Bridge scripts/performance/configs/<family>/
     * <family>_workload_base_configs.py (v0.3.0 .. v0.5.0): every FP8
     * preset is <SYSTEM>_FP8_CS or _FP8_MX (H100 also _FP8_SC for
     * DeepSeek-V3, which tcemu does not express) */
    *recipe = strcmp(r->fp8_recipe, "mxfp8") == 0 ? TCE_FP8_MXFP8
                                                   : TCE_FP8_TENSORWISE;
    return 1;
}

/* The release's version ("26.04.01" of "26.04.01 NeMo Container"). */
static size_t version_len(const char *release)
{
    return strcspn(release, " ");
}

static int release_is(const struct tce_bridge_row *r, const char *v)
{
    return version_len(r->release) == strlen(v) &&
           strncmp(r->release, v, strlen(v)) == 0;
}

/* The README's known-bad published rows (tests/fixtures/reference/
 * README.md), one entry each: the release (two where two releases share
 * the reason), model, system (NULL: any), micro-batch (0: any) and FP8
 * recipe (NULL: any) a row must have, and why. */
static const struct known_bad_row {
    const char *release[2];
    const char *model_key, *system;
    int64_t micro_batch;
    const char *fp8_recipe;
    const char *why;
} known_bad_rows[] = {
    {{"26.06.01", NULL}, "gpt-oss-120b", NULL, 0, NULL,
     "known-bad: the release's footnote reports a cuDNN regression for "
     "GPT-OSS (cudnn-frontend issue 256)"},
    {{"26.02.01", NULL}, "qwen3-30b-a3b", "DGX-H100", 0, NULL,
     "known-bad: published as PP 2 VP 12 EP 8 with moe_a2a_overlap; the "
     "release's recipe runs EP 16 without pipeline or overlap (qwen3 H100 "
     "FP8_CS, v0.3.1: Megatron-Bridge PR 2477), and its 208 TFLOP/s is "
     "that layout's (26.04-26.06: 203-206), not 26.02's PP 2 VP 12 (118)"},
    {{"25.11", NULL}, "gpt-oss-120b", "DGX-H100", 0, NULL,
     "known-bad: MBS 4 with GA 2 contradicts GBS 512 on DP 16 (GA 8); the "
     "release's recipe runs MBS 1 (scripts/performance/configs/gpt_oss/"
     "workload_base_configs.py, v0.2.2)"},
    {{"25.11", NULL}, "gpt-oss-120b", "DGX-B200", 0, NULL,
     "known-bad: published as EP 8; the release's recipe runs EP 64 "
     "(gpt_oss/workload_base_configs.py B200 BF16, v0.2.0 and v0.2.2); 223 "
     "TFLOP/s is 26.02's EP 64 figure (219)"},
    {{"25.11", NULL}, "qwen3-30b-a3b", "DGX-H100", 0, NULL,
     "known-bad: published as VP 24 at MBS 2; the recipe (qwen3 H100 "
     "FP8_CS, v0.2.0-v0.2.2) runs VP 12 at MBS 1 with moe_a2a_overlap, the "
     "layout 26.02 publishes at 118 TFLOP/s"},
    {{"26.02.01", NULL}, "llama3-70b", "DGX-GB300", 0, "mxfp8",
     "known-bad: published as PP 4 without VP at MBS 2; the release's "
     "recipe runs PP 4 VP 5 at MBS 1 (llama3_workload_base_configs.py GB300 "
     "FP8_MX, v0.3.0 and v0.3.1), the layout 26.04.01 publishes"},
};

/* NULL or why r is known-bad. */
static const char *known_bad(const struct tce_bridge_row *r)
{
    size_t i;

    for (i = 0; i < sizeof(known_bad_rows) / sizeof(known_bad_rows[0]); i++) {
        const struct known_bad_row *k = &known_bad_rows[i];

        if (!release_is(r, k->release[0]) &&
            !(k->release[1] && release_is(r, k->release[1])))
            continue;
        if (strcmp(r->model_key, k->model_key) != 0 ||
            (k->system && strcmp(r->system, k->system) != 0) ||
            (k->micro_batch && r->micro_batch != k->micro_batch) ||
            (k->fp8_recipe &&
             strcmp(r->fp8_recipe ? r->fp8_recipe : "", k->fp8_recipe) != 0))
            continue;
        return k->why;
    }
    return NULL;
}

/* Same model, system, precision (FP8-MX and MXFP8 are one recipe) and
 * layout (GPUs, batch, sequence, every parallel size; no FSDP column and
 * FSDP 0 are both DDP). */
static int same_setup(const struct tce_bridge_row *a,
                      const struct tce_bridge_row *b)
{
    return strcmp(a->model, b->model) == 0 &&
           strcmp(a->system, b->system) == 0 &&
           strcmp(a->fp8_recipe, b->fp8_recipe) == 0 &&
           (strcmp(a->precision, b->precision) == 0 ||
            strcmp(a->fp8_recipe, "mxfp8") == 0) &&
           a->gpus == b->gpus && a->global_batch == b->global_batch &&
           a->micro_batch == b->micro_batch &&
           a->seq_length == b->seq_length &&
           (a->fsdp > 0 ? a->fsdp : 0) == (b->fsdp > 0 ? b->fsdp : 0) &&
           a->tp == b->tp && a->pp == b->pp && a->cp == b->cp &&
           a->vp == b->vp && a->ep == b->ep;
}

/* Later release: by date, then by version text (26.04.01 after 26.04). */
static int later(const struct tce_bridge_row *a, const struct tce_bridge_row *b)
{
    int c = strcmp(a->release_date, b->release_date);

    if (c == 0)
        c = strcmp(a->release, b->release);
    return c > 0;
}

void tce_bridge_select(struct tce_bridge_row *rows, int n)
{
    enum tce_precision p;
    const char *why;
    int i, k;

    for (i = 0; i < n; i++) {
        struct tce_bridge_row *r = &rows[i];

        r->selected = 0;
        r->reason[0] = '\0';
        r->topology = tce_bridge_topology(r->system);
        why = NULL;
        if (tce_bridge_precision(r->precision, &p, &r->fp8_recipe, &why) !=
            0)
            r->fp8_recipe = "";
        /* 25.09's parenthesised figures: its note's finer quantization
         * granularity, on the B200 and GB200 (the only systems with such
         * rows) MXFP8: the release's YAML configs list the parenthesised
         * layouts under fp8_mx (scripts/performance/configs/llama31/
         * llama31_405b_llm_pretrain.yaml at f5a691dd1, gb200 fp8_mx:
         * TP 4, PP 8, CP 2, VP 8) */
        if (r->precision[0] == '\0' &&
            strcmp(r->variant, "parenthesised") == 0 &&
            (strcmp(r->system, "DGX-B200") == 0 ||
             strcmp(r->system, "DGX-GB200") == 0))
            r->fp8_recipe = "mxfp8";
        if (strcmp(r->task, "pretrain") != 0)
            snprintf(r->reason, sizeof(r->reason),
                     "%s: fine-tuning, not pre-training", r->task);
        else if (why)
            snprintf(r->reason, sizeof(r->reason), "%s", why);
        else if (strncmp(r->model_key, "nemotron", 8) == 0)
            snprintf(r->reason, sizeof(r->reason),
                     "Nemotron hybrid: Mamba layers are not in tcemu's "
                     "model");
        else if ((why = known_bad(r)) != NULL)
            snprintf(r->reason, sizeof(r->reason), "%s", why);
        else if (!r->topology)
            snprintf(r->reason, sizeof(r->reason),
                     "no tcemu topology for %s", r->system);
        else
            r->selected = 1;
    }
    /* the latest release of each setup; MoE rows on H100 and B200 from
     * every release */
    for (i = 0; i < n; i++) {
        struct tce_bridge_row *r = &rows[i];

        if (!r->selected || (r->moe && (strcmp(r->system, "DGX-H100") == 0 ||
                                        strcmp(r->system, "DGX-B200") == 0)))
            continue;
        for (k = 0; k < n; k++) {
            const struct tce_bridge_row *o = &rows[k];

            if (k == i || !same_setup(r, o) || o->reason[0] ||
                strcmp(o->task, "pretrain") != 0)
                continue;
            if (later(o, r) || (!later(r, o) && k < i)) {
                r->selected = 0;
                snprintf(r->reason, sizeof(r->reason),
                         "superseded: same model, system, precision and "
                         "layout in %.*s (%s line %lld)",
                         (int)version_len(o->release), o->release,
                         o->source_file, (long long)o->source_line);
                break;
            }
        }
    }
}

/* DeepSeek-V3's 61 layers over the pipeline as Megatron-Bridge's recipe
 * places them (src/megatron/bridge/recipes/deepseek/deepseek_v3.py,
 * _get_deepseek_v3_pipeline_layout: by the number of virtual stages, the
 * first holds the embedding, the last the MTP layer and the loss), with
 * expert tensor parallel size 1 (the same recipes). */
static int deepseek_layout(const struct tce_bridge_row *r,
                           struct tce_parallel *p, struct tce_error *err)
{
    int64_t v = r->pp * r->vp;
    const char *mtp = strstr(r->model, "w/o MTP") ? "" : "m";
    int f, z;

    p->decoder_first_pipeline_num_layers = 0;
    p->decoder_last_pipeline_num_layers = 0;
    p->account_for_embedding_in_pipeline_split = 0;
    p->account_for_loss_in_pipeline_split = 0;
    /* first virtual stage E + f layers, v - 2 of f, the last z + MTP + L */
    switch (v) {
    case 1:
        p->pipeline_model_parallel_layout[0] = '\0';
        return 0;
    case 4:
        f = 16;
        z = 13;
        break;
    case 8:
        f = 8;
        z = 5;
        break;
    case 16:
        f = 4;
        z = 1;
        break;
    default:
        return tce_error_set(err, TCE_ECONFIG,
                             "Megatron-Bridge's DeepSeek-V3 recipe names no "
                             "pipeline layout for %lld virtual stages",
                             (long long)v);
    }
    snprintf(p->pipeline_model_parallel_layout,
             sizeof(p->pipeline_model_parallel_layout),
             "Et*%d|(t*%d|)*%lldt*%d%sL", f, f, (long long)(v - 2), z, mtp);
    return 0;
}

int tce_bridge_apply(const struct tce_bridge_row *r, struct tce_job *job,
                     struct tce_error *err)
{
    struct tce_parallel *p = &job->parallel;
    struct tce_training *t = &job->training;
    struct tce_diag diag;
    const char *recipe, *why;
    enum tce_precision prec;
    char *msg = NULL;
    size_t msg_len = 0;
    FILE *mem;
    int ret;

    if (tce_bridge_precision(r->precision, &prec, &recipe, &why) != 0)
        return tce_error_set(err, TCE_ECONFIG, "%s", why);
    /* the FSDP column: Megatron-FSDP sharding weights, gradients and
     * optimizer state over the DP x CP ranks (Megatron-Bridge recipes:
     * cfg.ddp.use_megatron_fsdp = True, data_parallel_sharding_strategy =
     * "optim_grads_params"); the column is that group's size */
    if (r->fsdp > 0) {
        int64_t mp = r->tp * r->pp;

        if (mp < 1 || r->gpus % mp != 0 || r->gpus / mp != r->fsdp)
            return tce_error_set(err, TCE_ECONFIG,
                                 "FSDP %lld is not the DP x CP group (%lld "
                                 "GPUs / TP %lld / PP %lld)",
                                 (long long)r->fsdp, (long long)r->gpus,
                                 (long long)r->tp, (long long)r->pp);
        p->use_megatron_fsdp = 1;
        p->data_parallel_sharding_strategy = TCE_DP_SHARD_OPTIM_GRADS_PARAMS;
    }
    p->num_gpus = r->gpus;
    p->tensor_model_parallel_size = r->tp;
    p->pipeline_model_parallel_size = r->pp;
    p->virtual_pipeline_model_parallel_size = r->vp;
    p->context_parallel_size = r->cp;
    p->expert_model_parallel_size = r->ep;
    /* Megatron-Bridge's recipes turn sequence parallelism on with TP */
    p->sequence_parallel = r->tp > 1;
    /* Megatron-Bridge's MoE recipes fold EP over TP x CP x DP with expert
     * tensor parallel size 1 (recipes/qwen/qwen3_moe.py _qwen3_moe_common
     * expert_tensor_parallelism = 1; recipes/deepseek/deepseek_v3.py
     * expert_tensor_parallel_size = 1) */
    if (job->model.num_experts > 0)
        p->expert_tensor_parallel_size = 1;
    if (strcmp(job->name, "deepseek-v3") == 0) {
        ret = deepseek_layout(r, p, err);
        if (ret != 0)
            return ret;
    }
    t->global_batch_size = r->global_batch;
    t->micro_batch_size = r->micro_batch;
    t->precision = prec;
    /* memory (issue 11): the FP8 presets the performance scripts take
     * (scripts/performance utils/helpers.py, later utils/precision.py
     * get_precision_config: bf16_with_fp8_current_scaling_mixed,
     * bf16_with_mxfp8_mixed) keep the weights in FP8
     * (training/mixed_precision.py fp8_param_gather = True, v0.1.0rc3 ..
     * v0.6.0), with no per-model override for these models (audited
     * per row at v0.1.0rc3 .. v0.6.0; the GPT-OSS override to False is
     * the 20B's).  The one exception, 25.09's parenthesised DeepSeek-V3
     * H100 cell (subchannel scaling, whose preset sets False), is not
     * expressible: its pipeline layout is unnamed */
    t->fp8_param_gather = prec == TCE_PRECISION_FP8;
    job->model.seq_length = r->seq_length;
    /* the recipe's own settings (bridge_recipe.h) */
    ret = tce_bridge_recipe_dense(r, job, err);
    if (ret == 0)
        ret = tce_bridge_recipe_moe(r, job, err);
    if (ret != 0)
        return ret;
    /* Megatron-Bridge's CommOverlapConfig (training/comm_overlap.py
     * _get_optimizer_overlap_cfgs: v0.2.2 l.539-540, 067f987df l.576-577)
     * asks for DDP buckets of 128 Mi parameters when DP > 1; release
     * 25.09's Llama 3 8B recipe has none (run_script.py at f5a691dd1
     * l.54-55), so Megatron-Core's default holds there */
    if (row_dp(r) > 1 &&
        !(strncmp(r->release, "25.09", 5) == 0 &&
          strcmp(r->model_key, "llama3-8b") == 0))
        job->training.ddp_bucket_size = INT64_C(128) * 1024 * 1024;
    tce_rule_parse_pipeline_layout(p, NULL);
    /* the job's rules, with the first message kept */
    mem = open_memstream(&msg, &msg_len);
    if (!mem)
        return tce_error_set(err, TCE_ENOMEM, "out of memory");
    tce_diag_init(&diag, mem);
    ret = tce_job_check(job, &diag);
    fclose(mem);
    if (ret != 0) {
        char *nl = msg ? strchr(msg, '\n') : NULL;
        const char *text = msg ? msg : "a job rule fails";
        const char *e = strstr(text, "error: ");

        if (nl)
            *nl = '\0';
        ret = tce_error_set(err, TCE_ECONFIG, "%s",
                            e ? e + strlen("error: ") : text);
    }
    free(msg);
    return ret;
}

/* The job's description and source name the row it now runs (the base
 * job's describe the base layout: "on 64 H100: PP 4, EP 8, ..."), so a job
 * written by reproduce --write-jobs says what it is. */
static void label_job(const struct tce_bridge_row *r,
                      const struct tce_job *base, struct tce_job *job)
{
    char prec[64];

    /* a row that states no precision runs the recipe reproduce assumes */
    if (r->precision[0])
        snprintf(prec, sizeof(prec), "%s", r->precision);
    else if (r->fp8_recipe && r->fp8_recipe[0])
        snprintf(prec, sizeof(prec), "FP8 %.20s (assumed)", r->fp8_recipe);
    else
        snprintf(prec, sizeof(prec), "BF16 (assumed)");
    snprintf(job->description, sizeof(job->description),
             "%.40s on %lld %.16s: TP %lld, PP %lld, CP %lld, VP %lld, EP "
             "%lld, %s, batch %lld x %lld, micro-batch %lld (Megatron-"
             "Bridge %.40s row, as tcemu reproduce projects it)",
             base->name, (long long)r->gpus, r->system, (long long)r->tp,
             (long long)r->pp, (long long)r->cp, (long long)r->vp,
             (long long)r->ep, prec,
             (long long)r->global_batch, (long long)r->seq_length,
             (long long)r->micro_batch, r->release);
    snprintf(job->source, sizeof(job->source),
             "model: %.200s; layout and recipe settings: NVIDIA Megatron-"
             "Bridge %.64s line %lld (%.40s, measured)",
             base->path, r->source_file, (long long)r->source_line,
             r->release);
}

int tce_bridge_project(struct tce_bridge_row *r, const struct tce_topology *t,
                       const struct tce_job *base, struct tce_job *job,
                       struct tce_scenario *s, struct tce_error *err)
{
    struct tce_bridge_arch arch;
    int ret;

    r->projected = 0;
    *job = *base;
    snprintf(r->job_path, sizeof(r->job_path), "%s", base->path);
    snprintf(r->topology_path, sizeof(r->topology_path), "%s", t->path);
    ret = tce_bridge_apply(r, job, err);
    if (ret == 0) {
        label_job(r, base, job);
        ret = tce_scenario_init(s, t, job, NULL, err);
    }
    if (ret == 0)
        ret = tce_project(&s->topo, &s->job, &s->cm, 0, &r->proj, err);
    if (ret != 0)
        return ret;
    snprintf(r->pipeline_layout, sizeof(r->pipeline_layout), "%s",
             job->parallel.pipeline_model_parallel_layout);
    r->etp = job->parallel.expert_tensor_parallel_size;
    r->sequence_parallel = job->parallel.sequence_parallel;
    tce_bridge_arch_of(r, job, &arch);
    r->flops_per_token =
        tce_bridge_flops_per_token(&job->model, r->seq_length, r->tp, &arch);
    r->published_flops_per_token =
        r->published_tflops * 1e12 / r->published_tokens;
    r->projected_tokens = r->proj.tokens_per_s / (double)r->gpus;
    /* The row's own count: Megatron-Bridge's flop_utils.py changed between
     * releases (commit baa0259bd, 2026-05-28, first in 26.06: gated MLPs
     * with a non-SiLU activation and sliding windows), so a row published
     * before a change counts differently from today's formula.  Where the
     * recount and the published TFLOP/s over tokens/s differ by more than
     * the tokens/s rounding of some releases (5%), the published count is
     * the row's convention and is used; the error is then the tokens/s
     * error.  r->flops_per_token keeps the recount (JSON
     * model_flops_per_token) beside it. */
    r->count = fabs(r->flops_per_token / r->published_flops_per_token - 1.0) >
                       0.05
                   ? r->published_flops_per_token
                   : r->flops_per_token;
    r->projected_tflops = r->projected_tokens * r->count / 1e12;
    r->error = r->projected_tflops / r->published_tflops - 1.0;
    r->tokens_error = r->projected_tokens / r->published_tokens - 1.0;
    r->hbm_gib = t->accelerator.hbm_gib;
    r->projected = 1;
    return 0;
}

const char *tce_bridge_generation_name(int g)
{
    static const char *const names[TCE_BRIDGE_GENERATIONS] = {
        "Hopper", "Blackwell", "Blackwell Ultra"};

    return g >= 0 && g < TCE_BRIDGE_GENERATIONS ? names[g] : "?";
}

int tce_bridge_generation_index(const char *name)
{
    int g;

    for (g = 0; g < TCE_BRIDGE_GENERATIONS; g++)
        if (strcmp(name, tce_bridge_generation_name(g)) == 0)
            return g;
    return -1;
}

static void add(struct tce_bridge_stats *st, const struct tce_bridge_row *r,
                int i)
{
    double e = fabs(r->error);

    if (st->rows == 0)
        st->worst_row = -1;
    st->rows++;
    st->fit += r->proj.fits_memory != 0;
    st->mean_abs_error += e;
    st->mean_abs_tokens_error += fabs(r->tokens_error);
    if (st->worst_row < 0 || e > st->worst_abs_error) {
        st->worst_abs_error = e;
        st->worst_row = i;
    }
}

static void finish(struct tce_bridge_stats *st)
{
    if (st->rows > 0) {
        st->mean_abs_error /= st->rows;
        st->mean_abs_tokens_error /= st->rows;
    } else {
        st->worst_row = -1;
    }
}

void tce_bridge_summarise(const struct tce_bridge_row *rows, int n,
                          struct tce_bridge_summary *s)
{
    int i, g, k;

    memset(s, 0, sizeof(*s));
    for (i = 0; i < n; i++) {
        const struct tce_bridge_row *r = &rows[i];

        if (!r->selected) {
            s->excluded++;
            continue;
        }
        s->selected++;
        if (!r->projected)
            continue;
        s->projected++;
        add(&s->all, r, i);
        g = tce_bridge_generation_index(r->generation);
        if (g >= 0)
            add(&s->group[g][r->moe ? 1 : 0], r, i);
    }
    finish(&s->all);
    for (g = 0; g < TCE_BRIDGE_GENERATIONS; g++) {
        int any = 0;

        for (k = 0; k < 2; k++) {
            finish(&s->group[g][k]);
            any |= s->group[g][k].rows > 0;
        }
        s->generations += any;
    }
}
