/*
 * stackfit.c - the stack overhead fitted from framework logs: points
 * projected at each log's layout, least squares r(m) = a + b m with its
 * noise, refusals and clamping (stackfit.h).
 */
#include "tcemu/stackfit.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "tcemu/projector.h"

void tce_stackfit_init(struct tce_stackfit *f)
{
    memset(f, 0, sizeof(*f));
}

int tce_stackfit_add(struct tce_stackfit *f,
                     const struct tce_stackfit_point *p,
                     struct tce_error *err)
{
    if (f->n >= TCE_STACKFIT_POINTS_MAX)
        return tce_error_set(err, TCE_ERANGE,
                             "more than %d (log, global batch size) points",
                             TCE_STACKFIT_POINTS_MAX);
    if (p->microbatches < 1 || !(p->measured_s > 0) || !(p->projected_s > 0))
        return tce_error_set(err, TCE_ERANGE,
                             "a point needs microbatches >= 1 and positive "
                             "measured and projected times");
    f->points[f->n++] = *p;
    return 0;
}

/* The model's shape in the log against the job's. */
static int same_shape(const struct tce_job *job,
                      const struct tce_megatronlog *log,
                      struct tce_error *err)
{
    const struct tce_megatronlog_args *a = &log->args;
    const struct {
        const char *name;
        int64_t log, job;
    } dims[] = {
        {"num_layers", a->num_layers, job->model.num_layers},
        {"hidden_size", a->hidden_size, job->model.hidden_size},
        {"num_attention_heads", a->num_attention_heads,
         job->model.num_attention_heads},
        {"seq_length", a->seq_length, job->model.seq_length},
    };
    size_t i;

    for (i = 0; i < sizeof(dims) / sizeof(dims[0]); i++)
        if (dims[i].log > 0 && dims[i].log != dims[i].job)
            return tce_error_set_at(
                err, TCE_ECONFIG, log->path, a->line, NULL,
                "the log ran %s %lld, the job %s has %lld: give the job "
                "file of the model the log ran",
                dims[i].name, (long long)dims[i].log, job->path,
                (long long)dims[i].job);
    return 0;
}

int tce_stackfit_job_of_log(const struct tce_job *job,
                            const struct tce_megatronlog *log,
                            int64_t global_batch_size, int64_t gpus_default,
                            struct tce_job *out, int64_t *gpus,
                            struct tce_error *err)
{
    const struct tce_megatronlog_args *a = &log->args;
    struct tce_parallel *p = &out->parallel;
    struct tce_training *t = &out->training;
    int rc;

    *out = *job;
    rc = same_shape(job, log, err);
    if (rc != 0)
        return rc;
    if (a->tensor_model_parallel_size > 0)
        p->tensor_model_parallel_size = a->tensor_model_parallel_size;
    if (a->pipeline_model_parallel_size > 0)
        p->pipeline_model_parallel_size = a->pipeline_model_parallel_size;
    if (a->found)   /* None: no interleaving */
        p->virtual_pipeline_model_parallel_size =
            a->virtual_pipeline_model_parallel_size > 0
                ? a->virtual_pipeline_model_parallel_size
                : 1;
    if (a->context_parallel_size > 0)
        p->context_parallel_size = a->context_parallel_size;
    if (a->expert_model_parallel_size > 0)
        p->expert_model_parallel_size = a->expert_model_parallel_size;
    if (a->sequence_parallel >= 0)
        p->sequence_parallel = a->sequence_parallel;
    if (a->use_distributed_optimizer >= 0)
        p->use_distributed_optimizer = a->use_distributed_optimizer;
    if (a->micro_batch_size > 0)
        t->micro_batch_size = a->micro_batch_size;
    if (a->found) {
        if (strcmp(a->recompute_granularity, "full") == 0)
            t->recompute_granularity = TCE_RECOMPUTE_FULL;
        else if (strcmp(a->recompute_granularity, "selective") == 0)
            t->recompute_granularity = TCE_RECOMPUTE_SELECTIVE;
        else
            t->recompute_granularity = TCE_RECOMPUTE_NONE;
    }
    if (global_batch_size > 0)
        t->global_batch_size = global_batch_size;
    else if (a->global_batch_size > 0)
        t->global_batch_size = a->global_batch_size;
    *gpus = a->world_size > 0 ? a->world_size
            : gpus_default > 0 ? gpus_default
                               : job->parallel.num_gpus;
    p->num_gpus = *gpus;
    return 0;
}

int tce_stackfit_add_log(struct tce_stackfit *f,
                         const struct tce_megatronlog *log,
                         const struct tce_topology *topo,
                         const struct tce_job *job,
                         const struct tce_costmodel *cm, int64_t gpus,
                         int64_t warmup, struct tce_error *err)
{
    struct tce_megatronlog_point pts[TCE_MEGATRONLOG_POINTS_MAX];
    struct tce_projection proj;
    struct tce_stackfit_point sp;
    struct tce_job run;
    int n, i, rc;

    n = tce_megatronlog_points(log, warmup, pts, TCE_MEGATRONLOG_POINTS_MAX,
                               err);
    if (n < 0)
        return n;
    for (i = 0; i < n; i++) {
        memset(&sp, 0, sizeof(sp));
        rc = tce_stackfit_job_of_log(job, log, pts[i].global_batch_size,
                                     gpus, &run, &sp.gpus, err);
        if (rc == 0)
            rc = tce_project(topo, &run, cm, sp.gpus, &proj, err);
        if (rc != 0) {
            if (err && !err->file[0]) {
                char why[TCE_ERROR_MSG_MAX];

                snprintf(why, sizeof(why), "%s", err->msg);
                tce_error_set_at(err, rc, log->path, pts[i].first_line, NULL,
                                 "the layout this log ran: %.400s", why);
            }
            return rc;
        }
        snprintf(sp.path, sizeof(sp.path), "%s", log->path);
        sp.line = pts[i].first_line;
        sp.global_batch_size = run.training.global_batch_size;
        sp.micro_batch_size = run.training.micro_batch_size;
        sp.dp = proj.layout.dp;
        sp.tp = proj.layout.tp;
        sp.pp = proj.layout.pp;
        sp.microbatches = proj.layout.microbatches;
        sp.lines = pts[i].lines;
        sp.skipped_warmup = pts[i].skipped_warmup;
        sp.measured_s = pts[i].median_s;
        /* standard error of the median (normal errors), at least the
         * log's print resolution */
        sp.noise_s = 1.2533 * 1.4826 * pts[i].mad_s / sqrt(pts[i].lines);
        if (sp.noise_s < TCE_STACKFIT_RESOLUTION_S)
            sp.noise_s = TCE_STACKFIT_RESOLUTION_S;
        sp.projected_s = proj.iteration_s - proj.breakdown.stack_overhead_s;
        rc = tce_stackfit_add(f, &sp, err);
        if (rc != 0)
            return rc;
    }
    return 0;
}

static double sse(const struct tce_stackfit *f, double a, double b)
{
    double s = 0.0;
    int i;

    for (i = 0; i < f->n; i++) {
        const struct tce_stackfit_point *p = &f->points[i];
        double r = p->measured_s - p->projected_s - a -
                   b * (double)p->microbatches;

        s += r * r;
    }
    return s;
}

int tce_stackfit_solve(struct tce_stackfit *f, struct tce_error *err)
{
    double S = 0, Sm = 0, Smm = 0, Sr = 0, Smr = 0, noise2 = 0, det;
    double a, b, best, a0, b0, rel, sum2 = 0.0;
    int i, j, distinct = 0;

    f->m_min = f->m_max = f->n > 0 ? f->points[0].microbatches : 0;
    for (i = 0; i < f->n; i++) {
        const struct tce_stackfit_point *p = &f->points[i];
        double m = (double)p->microbatches;
        double r = p->measured_s - p->projected_s;

        for (j = 0; j < i; j++)
            if (f->points[j].microbatches == p->microbatches)
                break;
        distinct += j == i;
        if (p->microbatches < f->m_min)
            f->m_min = p->microbatches;
        if (p->microbatches > f->m_max)
            f->m_max = p->microbatches;
        S += 1;
        Sm += m;
        Smm += m * m;
        Sr += r;
        Smr += m * r;
        noise2 += p->noise_s * p->noise_s;
    }
    f->distinct_m = distinct;
    if (distinct < 2)
        return tce_error_set(
            err, TCE_EUSAGE,
            "the logs ran %d distinct microbatch count%s (m = %lld): "
            "separating the per-iteration and per-microbatch time needs at "
            "least 2; run a few iterations at another global batch size",
            distinct, distinct == 1 ? "" : "s", (long long)f->m_min);
    det = S * Smm - Sm * Sm;
    a = (Smm * Sr - Sm * Smr) / det;
    b = (S * Smr - Sm * Sr) / det;
    f->sigma_s = noise2 / S;
    if (f->n > 2 && sse(f, a, b) / (S - 2) > f->sigma_s)
        f->sigma_s = sse(f, a, b) / (S - 2);
    f->se_a = sqrt(f->sigma_s * Smm / det);
    f->se_b = sqrt(f->sigma_s * S / det);
    f->sigma_s = sqrt(f->sigma_s);
    if (a < -2.0 * f->se_a || b < -2.0 * f->se_b)
        return tce_error_set(
            err, TCE_ECHECK,
            "the model is slower than the logs: overhead per iteration "
            "%.4g s (+- %.2g), per microbatch %.4g s (+- %.2g) would be "
            "negative beyond the noise; a negative overhead would be a "
            "correction, not a mechanism: calibrate compute "
            "(slurm/tcemu-gpu-collect.py) and links (tcemu calibrate, or "
            "--from-nccl-tests) on the slice the logs ran on, and pass "
            "them with -c",
            a, 2.0 * f->se_a, b, 2.0 * f->se_b);
    f->clamped_a = f->clamped_b = 0;
    if (a < 0 || b < 0) {
        /* non-negative least squares over the two faces */
        a0 = Sr / S > 0 ? Sr / S : 0.0;
        b0 = Smr / Smm > 0 ? Smr / Smm : 0.0;
        best = sse(f, a0, 0.0);
        a = a0;
        b = 0.0;
        f->clamped_b = 1;
        if (sse(f, 0.0, b0) < best) {
            a = 0.0;
            b = b0;
            f->clamped_a = 1;
            f->clamped_b = 0;
        }
    }
    f->a = a;
    f->b = b;
    f->max_rel_error = 0.0;
    for (i = 0; i < f->n; i++) {
        struct tce_stackfit_point *p = &f->points[i];

        p->fitted_s = p->projected_s + a + b * (double)p->microbatches;
        rel = (p->fitted_s - p->measured_s) / p->measured_s;
        sum2 += rel * rel;
        if (fabs(rel) > f->max_rel_error)
            f->max_rel_error = fabs(rel);
    }
    f->rms_rel_error = sqrt(sum2 / S);
    return 0;
}

static enum tce_attention_backend backend_of(const char *name)
{
    int i;

    for (i = 0; i < TCE_ATTN_BACKEND_COUNT; i++)
        if (strcasecmp(tce_attention_backend_names[i], name) == 0)
            return (enum tce_attention_backend)i;
    return TCE_ATTN_BACKEND_UNSPECIFIED;
}

static void note_add(char *note, size_t n, int *count, const char *what)
{
    size_t used;

    (*count)++;
    if (!note || n == 0)
        return;
    used = strlen(note);
    if (used < n)
        snprintf(note + used, n - used, "%s%s", used ? ", " : "", what);
}

int tce_stackfit_stack_of_log(const struct tce_job *job,
                              const struct tce_megatronlog *log,
                              struct tce_stack *s, int *flash, char *note,
                              size_t note_n)
{
    const struct tce_megatronlog_args *a = &log->args;
    enum tce_attention_backend be;
    char what[TCE_STACK_TEXT_MAX + 64];
    const char *recipe;
    int count = 0, graphs;

    if (note && note_n)
        note[0] = '\0';
    *s = job->stack;
    *flash = job->training.use_flash_attn;
    if (!tce_stack_specified(s))
        snprintf(s->framework, sizeof(s->framework), "Megatron-LM");
    if (!a->found)
        return 0;
    be = backend_of(a->attention_backend);
    if (a->attention_backend[0] && be != s->attention_backend) {
        snprintf(what, sizeof(what), "attention_backend %s", a->attention_backend);
        note_add(note, note_n, &count, what);
        s->attention_backend = be;
    }
    /* fused attention: a backend that says (auto: Transformer Engine
     * picks flash or cuDNN fused), else --use-flash-attn when set (off
     * says nothing: Transformer Engine fuses by itself) */
    if (be != TCE_ATTN_BACKEND_UNSPECIFIED || a->use_flash_attn == 1) {
        int f = be == TCE_ATTN_BACKEND_UNSPECIFIED ||
                be == TCE_ATTN_BACKEND_AUTO || be == TCE_ATTN_BACKEND_FLASH ||
                be == TCE_ATTN_BACKEND_FUSED;

        if (!f != !*flash) {
            note_add(note, note_n, &count,
                     f ? "fused attention" : "unfused attention");
            *flash = f;
        }
    }
    graphs = a->enable_cuda_graph == 1 ||
             (a->cuda_graph_impl[0] && strcmp(a->cuda_graph_impl, "none"));
    if (!graphs != !s->cuda_graphs) {
        note_add(note, note_n, &count,
                 graphs ? "CUDA graphs" : "no CUDA graphs");
        s->cuda_graphs = graphs;
    }
    recipe = a->fp8[0] ? (a->fp8_recipe[0] ? a->fp8_recipe : "delayed") : "";
    if (strcmp(recipe, s->fp8_recipe) != 0) {
        snprintf(what, sizeof(what), "fp8_recipe \"%s\"", recipe);
        note_add(note, note_n, &count, what);
        snprintf(s->fp8_recipe, sizeof(s->fp8_recipe), "%s", recipe);
    }
    return count;
}

void tce_stackfit_overhead(const struct tce_stackfit *f,
                           const struct tce_stack *s, int flash,
                           const char *fitted_from, const char *date,
                           struct tce_stack_overhead *o)
{
    memset(o, 0, sizeof(*o));
    o->per_iteration_s = f->a;
    o->per_microbatch_s = f->b;
    o->stack = *s;
    o->use_flash_attn = flash;
    snprintf(o->fitted_from, sizeof(o->fitted_from), "%s", fitted_from);
    snprintf(o->date, sizeof(o->date), "%s", date);
    o->points = f->n;
    o->microbatches_min = f->m_min;
    o->microbatches_max = f->m_max;
    o->rms_rel_error = f->rms_rel_error;
}
