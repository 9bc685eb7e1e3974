/*
 * jobfile.c - write a resolved job as a job file (jobfile.h): the schema's
 * keys through tce_config_visit, one group at a time.
 */
#include "tcemu/jobfile.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#define GROUPS_MAX 16
#define GROUP_NAME_MAX 32

struct groups {
    int n;
    char name[GROUPS_MAX][GROUP_NAME_MAX];
};

struct writer {
    FILE *out;
    const char *group; /* "" top-level keys, else the group's name */
};

/* The group of key "model.hidden_size" into buf ("" for "name"). */
static void group_of(const char *key, char *buf, size_t size)
{
    const char *dot = strchr(key, '.');
    size_t n = dot ? (size_t)(dot - key) : 0;

    if (n >= size)
        n = size - 1;
    memcpy(buf, key, n);
    buf[n] = '\0';
}

static void collect(const struct tce_config_value *v, void *arg)
{
    struct groups *g = arg;
    char name[GROUP_NAME_MAX];
    int i;

    group_of(v->key, name, sizeof(name));
    if (name[0] == '\0')
        return;
    for (i = 0; i < g->n; i++)
        if (strcmp(g->name[i], name) == 0)
            return;
    if (g->n < GROUPS_MAX)
        snprintf(g->name[g->n++], GROUP_NAME_MAX, "%s", name);
}

static void put_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (; s && *s; s++) {
        if (*s == '"' || *s == '\\')
            fprintf(out, "\\%c", *s);
        else if (*s == '\n')
            fputs("\\n", out);
        else if (*s == '\t')
            fputs("\\t", out);
        else
            fputc(*s, out);
    }
    fputc('"', out);
}

static void put_value(const struct tce_config_value *v, void *arg)
{
    struct writer *w = arg;
    char name[GROUP_NAME_MAX];
    const char *key = v->key;

    group_of(v->key, name, sizeof(name));
    if (strcmp(name, w->group) != 0)
        return;
    if (name[0] != '\0')
        key += strlen(name) + 1;
    fprintf(w->out, "%s%s = ", name[0] ? "  " : "", key);
    switch (v->type) {
    case TCE_CONFIG_INT:
        /* libconfig reads past 32 bits only with the L suffix */
        fprintf(w->out, "%" PRId64 "%s", v->i,
                v->i > INT32_MAX || v->i < INT32_MIN ? "L" : "");
        break;
    case TCE_CONFIG_DOUBLE:
        fprintf(w->out, "%.17g", v->d);
        break;
    case TCE_CONFIG_BOOL:
        fputs(v->i ? "true" : "false", w->out);
        break;
    case TCE_CONFIG_STRING:
    case TCE_CONFIG_ENUM:
        put_string(w->out, v->s);
        break;
    }
    fputs(";\n", w->out);
}

int tce_jobfile_write(const struct tce_job *job, FILE *out,
                      struct tce_error *err)
{
    struct groups g;
    struct writer w = {out, ""};
    int i, ret;

    memset(&g, 0, sizeof(g));
    ret = tce_config_visit(TCE_CONFIG_JOB, job, collect, &g);
    if (ret < 0)
        return tce_error_set(err, ret, "job file: cannot walk the job's keys");
    fputs("# written by tcemu: every key of the job, resolved\n", out);
    ret = tce_config_visit(TCE_CONFIG_JOB, job, put_value, &w);
    for (i = 0; ret == 0 && i < g.n; i++) {
        fprintf(out, "\n%s = {\n", g.name[i]);
        w.group = g.name[i];
        ret = tce_config_visit(TCE_CONFIG_JOB, job, put_value, &w);
        fputs("};\n", out);
    }
    if (ret < 0)
        return tce_error_set(err, ret, "job file: cannot walk the job's keys");
    if (ferror(out))
        return tce_error_set(err, TCE_EIO, "job file: write failed");
    return 0;
}

int tce_jobfile_save(const struct tce_job *job, const char *path,
                     struct tce_error *err)
{
    FILE *f = fopen(path, "w");
    int ret;

    if (!f)
        return tce_error_set(err, TCE_EIO, "%s: %s", path, strerror(errno));
    ret = tce_jobfile_write(job, f, err);
    if (fclose(f) != 0 && ret == 0)
        ret = tce_error_set(err, TCE_EIO, "%s: %s", path, strerror(errno));
    return ret;
}
