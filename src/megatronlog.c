/*
 * megatronlog.c - read Megatron-LM training logs: iteration lines, the
 * arguments block, the median time per global batch size after the
 * warm-up (megatronlog.h).
 */
#include "tcemu/megatronlog.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcemu/input.h"
#include "tcemu/util.h"

#define ARGS_BEGIN "------------------------ arguments ------------------------"
#define ARGS_END "-------------------- end of arguments ---------------------"
#define FIELD_MAX 160

/* One line of text, without its newline (and a trailing '\r'). */
struct cursor {
    const char *p;
    char line[4096];
    int number;
};

static int next_line(struct cursor *c)
{
    size_t n = 0;

    if (!*c->p)
        return 0;
    while (*c->p && *c->p != '\n') {
        if (n + 1 < sizeof(c->line))
            c->line[n++] = *c->p;
        c->p++;
    }
    if (*c->p == '\n')
        c->p++;
    if (n > 0 && c->line[n - 1] == '\r')
        n--;
    c->line[n] = '\0';
    c->number++;
    return 1;
}

/* Copy s[0..n) trimmed of blanks into out. */
static void trimmed(const char *s, size_t n, char *out, size_t cap)
{
    while (n > 0 && isspace((unsigned char)*s)) {
        s++;
        n--;
    }
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        n--;
    if (n >= cap)
        n = cap - 1;
    memcpy(out, s, n);
    out[n] = '\0';
}

/* " iteration  N/  M |": the position after '|', or NULL. */
static const char *iteration_head(const char *line, int64_t *iteration)
{
    const char *p = line;
    char *end;
    long long v;

    while ((p = strstr(p, "iteration")) != NULL) {
        const char *q = p + 9;

        p = q;
        if (!isspace((unsigned char)*q))
            continue;
        while (isspace((unsigned char)*q))
            q++;
        if (!isdigit((unsigned char)*q))
            continue;
        v = strtoll(q, &end, 10);
        q = end;
        if (*q != '/')
            continue;
        q++;
        while (isspace((unsigned char)*q))
            q++;
        if (!isdigit((unsigned char)*q))
            continue;
        (void)strtoll(q, &end, 10);
        q = end;
        while (isspace((unsigned char)*q))
            q++;
        if (*q != '|')
            continue;
        *iteration = (int64_t)v;
        return q + 1;
    }
    return NULL;
}

static int number_at(const char *path, int line, const char *field,
                     const char *text, double *out, struct tce_error *err)
{
    if (tce_parse_double(text, 0.0, 1e12, out, NULL) != 0)
        return tce_error_set_at(err, TCE_EPARSE, path, line, NULL,
                                "%s: not a number: '%.40s'", field, text);
    return 0;
}

/* The fields of an iteration line after its head. */
static int iteration_fields(const char *path, int line, const char *p,
                            struct tce_megatronlog_line *it,
                            struct tce_error *err)
{
    char field[FIELD_MAX], name[FIELD_MAX], value[FIELD_MAX];
    int have_time = 0;
    double v;

    while (*p) {
        const char *bar = strchr(p, '|'), *colon;
        size_t n = bar ? (size_t)(bar - p) : strlen(p);

        trimmed(p, n, field, sizeof(field));
        p += n + (bar ? 1 : 0);
        colon = strrchr(field, ':');
        if (!colon)
            continue;
        trimmed(field, (size_t)(colon - field), name, sizeof(name));
        trimmed(colon + 1, strlen(colon + 1), value, sizeof(value));
        if (strcmp(name, "elapsed time per iteration (ms)") == 0) {
            if (number_at(path, line, name, value, &v, err))
                return TCE_EPARSE;
            it->elapsed_s = v * 1e-3;
            have_time = 1;
        } else if (strcmp(name, "global batch size") == 0) {
            if (number_at(path, line, name, value, &v, err))
                return TCE_EPARSE;
            it->global_batch_size = (int64_t)v;
        } else if (strcmp(name, "number of skipped iterations") == 0) {
            if (number_at(path, line, name, value, &v, err))
                return TCE_EPARSE;
            it->skipped = (int64_t)v;
        }
    }
    if (!have_time)
        return tce_error_set_at(err, TCE_EPARSE, path, line, NULL,
                                "an iteration line without 'elapsed time "
                                "per iteration (ms)'");
    return 0;
}

static void args_init(struct tce_megatronlog_args *a)
{
    memset(a, 0, sizeof(*a));
    a->global_batch_size = a->micro_batch_size = -1;
    a->tensor_model_parallel_size = a->pipeline_model_parallel_size = -1;
    a->virtual_pipeline_model_parallel_size = -1;
    a->context_parallel_size = a->expert_model_parallel_size = -1;
    a->data_parallel_size = a->world_size = -1;
    a->num_layers = a->hidden_size = a->num_attention_heads = -1;
    a->seq_length = a->log_interval = -1;
    a->sequence_parallel = a->use_distributed_optimizer = -1;
    a->use_flash_attn = a->enable_cuda_graph = -1;
}

/* "  name ........ value": 1 with name and value, 0 for another line. */
static int arg_line(const char *line, char *name, char *value)
{
    const char *dots = strstr(line, " ..."), *s, *v;

    if (!dots)
        return 0;
    s = dots;
    while (s > line && !isspace((unsigned char)s[-1]))
        s--;
    trimmed(s, (size_t)(dots - s), name, FIELD_MAX);
    v = dots + 1;
    while (*v == '.')
        v++;
    trimmed(v, strlen(v), value, FIELD_MAX);
    return name[0] != '\0';
}

static const struct int_arg {
    const char *name;
    size_t offset;
} int_args[] = {
#define A(m) {#m, offsetof(struct tce_megatronlog_args, m)}
    A(global_batch_size),
    A(micro_batch_size),
    A(tensor_model_parallel_size),
    A(pipeline_model_parallel_size),
    A(virtual_pipeline_model_parallel_size),
    A(context_parallel_size),
    A(expert_model_parallel_size),
    A(data_parallel_size),
    A(world_size),
    A(num_layers),
    A(hidden_size),
    A(num_attention_heads),
    A(seq_length),
    A(log_interval),
#undef A
};

static const struct int_arg bool_args[] = {
#define A(m) {#m, offsetof(struct tce_megatronlog_args, m)}
    A(sequence_parallel),
    A(use_distributed_optimizer),
    A(use_flash_attn),
    A(enable_cuda_graph),
#undef A
};

static const struct int_arg text_args[] = {
#define A(m) {#m, offsetof(struct tce_megatronlog_args, m)}
    A(recompute_granularity),
    A(attention_backend),
    A(cuda_graph_impl),
    A(fp8),
    A(fp8_recipe),
#undef A
};

static int set_arg(struct tce_megatronlog_args *a, const char *path,
                   int line, const char *name, const char *value,
                   struct tce_error *err)
{
    size_t i;
    int none = strcmp(value, "None") == 0;

    for (i = 0; i < TCE_ARRAY_SIZE(int_args); i++) {
        int64_t *dst = (int64_t *)((char *)a + int_args[i].offset);

        if (strcmp(name, int_args[i].name) != 0)
            continue;
        if (none)
            return 0;
        if (tce_parse_int64(value, 0, INT64_C(1) << 40, dst, NULL) != 0)
            return tce_error_set_at(err, TCE_EPARSE, path, line, NULL,
                                    "argument %s: not an integer: '%.40s'",
                                    name, value);
        return 0;
    }
    for (i = 0; i < TCE_ARRAY_SIZE(bool_args); i++) {
        int *dst = (int *)((char *)a + bool_args[i].offset);

        if (strcmp(name, bool_args[i].name) != 0)
            continue;
        if (strcmp(value, "True") == 0)
            *dst = 1;
        else if (strcmp(value, "False") == 0)
            *dst = 0;
        return 0;
    }
    for (i = 0; i < TCE_ARRAY_SIZE(text_args); i++) {
        char *dst = (char *)a + text_args[i].offset;
        const char *dot = strrchr(value, '.');

        if (strcmp(name, text_args[i].name) != 0)
            continue;
        if (none)
            return 0;
        /* enum values print as "AttnBackend.flash" */
        snprintf(dst, TCE_MEGATRONLOG_TEXT_MAX, "%.63s",
                 dot && isalpha((unsigned char)dot[1]) ? dot + 1 : value);
        return 0;
    }
    return 0;
}

static int add_line(struct tce_megatronlog *log, int line, int64_t iteration,
                    const char *rest, struct tce_error *err)
{
    struct tce_megatronlog_line it;
    int i, rc;

    for (i = 0; i < log->n_lines; i++)
        if (log->lines[i].iteration == iteration)
            return 0; /* printed by several ranks: once */
    if (log->n_lines >= TCE_MEGATRONLOG_LINES_MAX)
        return tce_error_set_at(err, TCE_EPARSE, log->path, line, NULL,
                                "more than %d iteration lines: give a "
                                "shorter log",
                                TCE_MEGATRONLOG_LINES_MAX);
    memset(&it, 0, sizeof(it));
    it.iteration = iteration;
    it.line = line;
    rc = iteration_fields(log->path, line, rest, &it, err);
    if (rc != 0)
        return rc;
    log->lines[log->n_lines++] = it;
    return 0;
}

int tce_megatronlog_parse(const char *text, const char *path,
                          struct tce_megatronlog *log, struct tce_error *err)
{
    struct cursor c;
    char name[FIELD_MAX], value[FIELD_MAX];
    int in_args = 0, rc;
    int64_t iteration;
    const char *rest;

    memset(log, 0, sizeof(*log));
    snprintf(log->path, sizeof(log->path), "%s", path);
    args_init(&log->args);
    c.p = text;
    c.number = 0;
    while (next_line(&c)) {
        if (strstr(c.line, ARGS_BEGIN)) {
            in_args = !log->args.found; /* the first block only */
            log->args.line = in_args ? c.number : log->args.line;
            continue;
        }
        if (in_args && strstr(c.line, ARGS_END)) {
            in_args = 0;
            log->args.found = 1;
            continue;
        }
        if (in_args) {
            if (arg_line(c.line, name, value) &&
                (rc = set_arg(&log->args, path, c.number, name, value, err)))
                return rc;
            continue;
        }
        rest = iteration_head(c.line, &iteration);
        if (rest && (rc = add_line(log, c.number, iteration, rest, err)))
            return rc;
    }
    if (in_args)
        log->args.found = 1; /* cut short: what was read */
    if (log->n_lines == 0)
        return tce_error_set_at(err, TCE_EPARSE, path, 0, NULL,
                                "no Megatron-LM iteration line ('iteration "
                                "N/ M | ... elapsed time per iteration "
                                "(ms): ...')");
    return 0;
}

int tce_megatronlog_load(const char *path, struct tce_megatronlog *log,
                         struct tce_error *err)
{
    char *text = NULL;
    const char *why = NULL;
    size_t len;
    int rc;

    rc = tce_input_read_max(path, TCE_MEGATRONLOG_BYTES_MAX, &text, &len,
                            NULL, &why);
    if (rc != 0)
        return tce_error_set_at(err, TCE_EIO, path, 0, NULL,
                                "cannot read: %s%s", why,
                                strcmp(why, "file too large") == 0
                                    ? " (more than 64 MiB)"
                                    : "");
    rc = tce_megatronlog_parse(text, path, log, err);
    free(text);
    return rc;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

double tce_megatronlog_median(double *v, int n)
{
    if (n < 1)
        return 0.0;
    qsort(v, (size_t)n, sizeof(*v), cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* The iterations between logged lines: the arguments' log interval, else
 * the step between the first two lines, else 1. */
static int64_t log_interval(const struct tce_megatronlog *log)
{
    if (log->args.log_interval > 0)
        return log->args.log_interval;
    if (log->n_lines > 1 && log->lines[1].iteration > log->lines[0].iteration)
        return log->lines[1].iteration - log->lines[0].iteration;
    return 1;
}

int tce_megatronlog_points(const struct tce_megatronlog *log,
                           int64_t warmup,
                           struct tce_megatronlog_point *points, int max,
                           struct tce_error *err)
{
    double v[TCE_MEGATRONLOG_LINES_MAX];
    int64_t start, prev;
    int n = 0, i, j, k, used = 0;

    if (log->n_lines < 1)
        return tce_error_set_at(err, TCE_ERANGE, log->path, 0, NULL,
                                "no iteration line");
    start = log->lines[0].iteration - log_interval(log);
    memset(points, 0, sizeof(*points) * (size_t)max);
    /* the points, in order of first appearance of their batch size */
    prev = start;
    for (i = 0; i < log->n_lines; i++) {
        const struct tce_megatronlog_line *l = &log->lines[i];
        int64_t from = i == 0 ? start : prev;
        int warm = from < start + warmup || l->skipped > 0;

        prev = l->iteration;
        for (k = 0; k < n; k++)
            if (points[k].global_batch_size == l->global_batch_size)
                break;
        if (k == n) {
            if (n >= max)
                return tce_error_set_at(
                    err, TCE_ERANGE, log->path, l->line, NULL,
                    "more than %d global batch sizes in one log", max);
            points[n].global_batch_size = l->global_batch_size;
            points[n].first_line = l->line;
            n++;
        }
        if (warm) {
            points[k].skipped_warmup++;
            continue;
        }
        if (points[k].lines == 0)
            points[k].first_iteration = l->iteration;
        points[k].last_iteration = l->iteration;
        points[k].lines++;
        used++;
    }
    if (used == 0)
        return tce_error_set_at(err, TCE_ERANGE, log->path, 0, NULL,
                                "no iteration line after the %lld warm-up "
                                "iterations (%d lines, log interval %lld)",
                                (long long)warmup, log->n_lines,
                                (long long)log_interval(log));
    /* medians and spreads; a batch size seen only in the warm-up goes */
    for (k = 0, j = 0; k < n; k++) {
        int m = 0;

        prev = start;
        for (i = 0; i < log->n_lines; i++) {
            const struct tce_megatronlog_line *l = &log->lines[i];
            int64_t from = i == 0 ? start : prev;

            prev = l->iteration;
            if (l->global_batch_size == points[k].global_batch_size &&
                from >= start + warmup && l->skipped == 0)
                v[m++] = l->elapsed_s;
        }
        if (m == 0)
            continue;
        points[k].median_s = tce_megatronlog_median(v, m);
        for (i = 0; i < m; i++)
            v[i] = fabs(v[i] - points[k].median_s);
        points[k].mad_s = tce_megatronlog_median(v, m);
        points[j++] = points[k];
    }
    return j;
}
