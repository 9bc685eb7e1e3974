/*
 * report_stack.c - the training stack in the reports: assumption lines
 * and JSON for `tcemu project`, the fit of `tcemu calibrate --from-log`
 * (report_stack.h).
 */
#include "tcemu/report_stack.h"

#include <stdio.h>
#include <string.h>

#define DIFF_MAX 240

int tce_report_stack_assumptions(const struct tce_job *job,
                                 const struct tce_costmodel *cm,
                                 char lines[][TCE_REPORT_LINE_MAX], int max)
{
    const struct tce_stack_overhead *o = &cm->stack_overhead;
    char desc[TCE_REPORT_LINE_MAX], diff[DIFF_MAX];
    struct tce_stack table;
    int n = 0, table_flash, specified = tce_stack_specified(&job->stack);

    diff[0] = '\0';

#define LINE(...)                                                            \
    do {                                                                     \
        if (n < max)                                                         \
            snprintf(lines[n++], TCE_REPORT_LINE_MAX, __VA_ARGS__);          \
    } while (0)
    tce_stack_describe(&job->stack, job->training.use_flash_attn, desc,
                       sizeof(desc));
    if (specified)
        LINE("stack: the job runs %.200s", desc);
    else
        LINE("stack: the job does not say which training stack it runs "
             "(job group stack: framework, framework_version, "
             "attention_backend, cuda_graphs, fp8_recipe); measured tables "
             "and overheads are applied unchecked");
    if (cm->has_table && specified) {
        tce_stack_from_table(&cm->table.stack, &table, &table_flash);
        /* the table's FP8 recipe is how its FP8 rows were timed: it
         * matters to jobs that run FP8 */
        if (!tce_training_fp8(&job->training))
            snprintf(table.fp8_recipe, sizeof(table.fp8_recipe), "%s",
                     job->stack.fp8_recipe);
        if (tce_stack_diff(&job->stack, job->training.use_flash_attn, &table,
                           table_flash, diff, sizeof(diff)))
            LINE("stack: the compute table was measured under another stack "
                 "than the job's (job / table: %.200s): used as measured",
                 diff);
        else if (tce_stack_specified(&table))
            LINE("stack: the compute table was measured under the job's "
                 "stack");
    }
    if (tce_stack_overhead_present(o)) {
        char so[TCE_REPORT_LINE_MAX];
        const char *verdict;

        tce_stack_describe(&o->stack, o->use_flash_attn, so, sizeof(so));
        LINE("stack overhead, measured: %.4g s per iteration + %.4g s per "
             "microbatch (x the layout's microbatches), fitted %.24s from "
             "%lld points (m %lld to %lld, RMS error %.1f%%) of %.90s",
             o->per_iteration_s, o->per_microbatch_s, o->date,
             (long long)o->points, (long long)o->microbatches_min,
             (long long)o->microbatches_max, 100.0 * o->rms_rel_error,
             o->fitted_from);
        if (!specified)
            verdict = "the job's stack is unspecified: applied unchecked";
        else if (tce_stack_diff(&job->stack, job->training.use_flash_attn,
                                &o->stack, o->use_flash_attn, diff,
                                sizeof(diff)))
            verdict = "NOT the job's stack: applied as measured; refit "
                      "under the job's stack";
        else
            verdict = "the job's stack";
        LINE("stack overhead: fitted under %.120s: %s%s%.150s%s", so, verdict,
             diff[0] && specified ? " (job / fit: " : "",
             specified ? diff : "", diff[0] && specified ? ")" : "");
        LINE("stack overhead stands for: per microbatch, the schedule's "
             "host-side work (Megatron-LM's pipeline_parallel/schedules.py "
             "runs each microbatch from Python: launches, syncs); per "
             "iteration, the step around it (training.py train_step: grad "
             "zeroing, norm, clipping, optimizer launch, logging, data)");
    }
#undef LINE
    return n;
}

void tce_report_stack_object(struct tce_json *j, const char *key,
                             const struct tce_stack *s, int flash)
{
    tce_json_object_begin(j, key);
    tce_json_bool(j, "specified", tce_stack_specified(s));
    tce_json_string(j, "framework", s->framework);
    tce_json_string(j, "framework_version", s->framework_version);
    tce_json_string(j, "attention_backend",
                    (unsigned)s->attention_backend < TCE_ATTN_BACKEND_COUNT
                        ? tce_attention_backend_names[s->attention_backend]
                        : "?");
    tce_json_bool(j, "flash_attention", flash);
    tce_json_bool(j, "cuda_graphs", s->cuda_graphs);
    tce_json_string(j, "fp8_recipe", s->fp8_recipe);
    tce_json_object_end(j);
}

void tce_report_stack_json(struct tce_json *j, const char *key,
                           const struct tce_job *job,
                           const struct tce_costmodel *cm)
{
    const struct tce_stack_overhead *o = &cm->stack_overhead;
    struct tce_stack table;
    char diff[DIFF_MAX];
    int table_flash, flash = job->training.use_flash_attn;

    tce_json_object_begin(j, key);
    tce_report_stack_object(j, "job_stack", &job->stack, flash);
    if (cm->has_table) {
        tce_stack_from_table(&cm->table.stack, &table, &table_flash);
        if (!tce_training_fp8(&job->training))
            snprintf(table.fp8_recipe, sizeof(table.fp8_recipe), "%s",
                     job->stack.fp8_recipe);
        tce_json_int(j, "compute_table_differences",
                     tce_stack_diff(&job->stack, flash, &table, table_flash,
                                    diff, sizeof(diff)));
        tce_json_string(j, "compute_table_differs_in", diff);
    }
    if (tce_stack_overhead_present(o)) {
        tce_json_object_begin(j, "stack_overhead");
        tce_json_double(j, "per_iteration_s", o->per_iteration_s);
        tce_json_double(j, "per_microbatch_s", o->per_microbatch_s);
        tce_json_string(j, "fitted_from", o->fitted_from);
        tce_json_string(j, "date", o->date);
        tce_json_int(j, "points", o->points);
        tce_json_int(j, "microbatches_min", o->microbatches_min);
        tce_json_int(j, "microbatches_max", o->microbatches_max);
        tce_json_double(j, "rms_rel_error", o->rms_rel_error);
        tce_report_stack_object(j, "stack", &o->stack, o->use_flash_attn);
        tce_json_int(j, "job_stack_differences",
                     tce_stack_diff(&job->stack, flash, &o->stack,
                                    o->use_flash_attn, diff, sizeof(diff)));
        tce_json_string(j, "job_stack_differs_in", diff);
        tce_json_object_end(j);
    } else {
        tce_json_null(j, "stack_overhead");
    }
    tce_json_object_end(j);
}

void tce_report_stackfit_print(FILE *out, const struct tce_stackfit *f,
                               const struct tce_stack *s, int flash)
{
    char desc[TCE_REPORT_LINE_MAX];
    int i;

    tce_stack_describe(s, flash, desc, sizeof(desc));
    fprintf(out, "# stack the logs ran: %s\n", desc);
    fprintf(out,
            "# %5s %3s %3s %4s %4s %6s %5s %5s %4s %11s %12s %10s %6s  %s\n",
            "gpus", "tp", "pp", "dp", "mbsz", "gbs", "n_mb", "lines", "warm",
            "measured(s)", "projected(s)", "fitted(s)", "err%", "log:line");
    for (i = 0; i < f->n; i++) {
        const struct tce_stackfit_point *p = &f->points[i];

        fprintf(out,
                "  %5lld %3lld %3lld %4lld %4lld %6lld %5lld %5d %4d %11.4f "
                "%12.4f %10.4f %+6.1f  %s:%d\n",
                (long long)p->gpus, (long long)p->tp, (long long)p->pp,
                (long long)p->dp, (long long)p->micro_batch_size,
                (long long)p->global_batch_size, (long long)p->microbatches,
                p->lines, p->skipped_warmup, p->measured_s, p->projected_s,
                p->fitted_s,
                100.0 * (p->fitted_s - p->measured_s) / p->measured_s,
                p->path, p->line);
    }
    fprintf(out,
            "# stack overhead, measured: %.4g s per iteration (+- %.2g) + "
            "%.4g s per microbatch (+- %.2g)%s%s\n",
            f->a, 2.0 * f->se_a, f->b, 2.0 * f->se_b,
            f->clamped_a ? "; per iteration negative within noise: 0" : "",
            f->clamped_b ? "; per microbatch negative within noise: 0" : "");
    fprintf(out,
            "# fit: measured - projected = a + b m over %d points, %d "
            "microbatch counts (m %lld to %lld); noise %.2g s; RMS error "
            "%.2f%%, worst %.2f%%\n",
            f->n, f->distinct_m, (long long)f->m_min, (long long)f->m_max,
            f->sigma_s, 100.0 * f->rms_rel_error, 100.0 * f->max_rel_error);
    fprintf(out, "# measured: the logs' medians after the warm-up; "
                 "projected: tcemu's model at each log's layout (modelled)\n");
}

void tce_report_stackfit_json(FILE *fp, const struct tce_stackfit *f,
                              const struct tce_stack_overhead *o,
                              const char *tcemu_version,
                              const char *calibration_file)
{
    struct tce_json j;
    int i;

    tce_json_init(&j, fp);
    tce_json_object_begin(&j, NULL);
    tce_json_string(&j, "schema", "tcemu.calibrate_log/1");
    tce_json_string(&j, "tcemu_version", tcemu_version);
    tce_json_string(&j, "calibration_file", calibration_file);
    tce_json_string(&j, "date", o->date);
    tce_json_string(&j, "fitted_from", o->fitted_from);
    tce_report_stack_object(&j, "stack", &o->stack, o->use_flash_attn);
    tce_json_array_begin(&j, "points");
    for (i = 0; i < f->n; i++) {
        const struct tce_stackfit_point *p = &f->points[i];

        tce_json_object_begin(&j, NULL);
        tce_json_string(&j, "file", p->path);
        tce_json_int(&j, "line", p->line);
        tce_json_int(&j, "gpus", p->gpus);
        tce_json_int(&j, "tp", p->tp);
        tce_json_int(&j, "pp", p->pp);
        tce_json_int(&j, "dp", p->dp);
        tce_json_int(&j, "micro_batch_size", p->micro_batch_size);
        tce_json_int(&j, "global_batch_size", p->global_batch_size);
        tce_json_int(&j, "microbatches", p->microbatches);
        tce_json_int(&j, "lines", p->lines);
        tce_json_int(&j, "lines_warmup", p->skipped_warmup);
        tce_json_double(&j, "measured_s", p->measured_s);
        tce_json_double(&j, "noise_s", p->noise_s);
        tce_json_double(&j, "projected_s", p->projected_s);
        tce_json_double(&j, "fitted_s", p->fitted_s);
        tce_json_object_end(&j);
    }
    tce_json_array_end(&j);
    tce_json_double(&j, "per_iteration_s", f->a);
    tce_json_double(&j, "per_microbatch_s", f->b);
    tce_json_double(&j, "per_iteration_se_s", f->se_a);
    tce_json_double(&j, "per_microbatch_se_s", f->se_b);
    tce_json_bool(&j, "per_iteration_clamped", f->clamped_a);
    tce_json_bool(&j, "per_microbatch_clamped", f->clamped_b);
    tce_json_double(&j, "noise_s", f->sigma_s);
    tce_json_int(&j, "microbatches_min", f->m_min);
    tce_json_int(&j, "microbatches_max", f->m_max);
    tce_json_double(&j, "rms_rel_error", f->rms_rel_error);
    tce_json_double(&j, "max_rel_error", f->max_rel_error);
    tce_json_object_end(&j);
    tce_json_finish(&j);
}
