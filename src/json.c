/* json.c - streaming JSON encoder (see json.h). */
#include "tcemu/json.h"
#include "tcemu/util.h"

#include <math.h>

void tce_json_init(struct tce_json *j, FILE *out)
{
    j->out = out;
    j->depth = 0;
    j->pretty = 1;
}

static void write_escaped(FILE *out, const char *s)
{
    const unsigned char *p;

    fputc('"', out);
    for (p = (const unsigned char *)(s ? s : ""); *p; p++) {
        switch (*p) {
        case '"': fputs("\\\"", out); break;
        case '\\': fputs("\\\\", out); break;
        case '\n': fputs("\\n", out); break;
        case '\r': fputs("\\r", out); break;
        case '\t': fputs("\\t", out); break;
        default:
            if (*p < 0x20) {
                fprintf(out, "\\u%04x", *p);
            } else if (*p < 0x80) {
                fputc(*p, out);
            } else {
                /* valid UTF-8 as is; any other byte as U+FFFD, so the
                 * document stays valid JSON whatever a string holds */
                size_t n = tce_utf8_seq_len(p);
                if (n == 0) {
                    fputs("\\ufffd", out);
                } else {
                    fwrite(p, 1, n, out);
                    p += n - 1;
                }
            }
        }
    }
    fputc('"', out);
}

/* Separator, indentation and key before a value. */
static void member(struct tce_json *j, const char *key)
{
    int i;

    if (j->depth > 0) {
        if (j->count[j->depth - 1]++ > 0)
            fputc(',', j->out);
        if (j->pretty) {
            fputc('\n', j->out);
            for (i = 0; i < j->depth; i++)
                fputs("  ", j->out);
        }
        if (j->kind[j->depth - 1] == '{') {
            write_escaped(j->out, key ? key : "");
            fputs(j->pretty ? ": " : ":", j->out);
        }
    }
}

static void open_level(struct tce_json *j, const char *key, char kind)
{
    member(j, key);
    fputc(kind, j->out);
    if (j->depth < TCE_JSON_DEPTH_MAX) {
        j->kind[j->depth] = kind;
        j->count[j->depth] = 0;
        j->depth++;
    }
}

static void close_level(struct tce_json *j)
{
    int i;

    if (j->depth == 0)
        return;
    j->depth--;
    if (j->pretty && j->count[j->depth] > 0) {
        fputc('\n', j->out);
        for (i = 0; i < j->depth; i++)
            fputs("  ", j->out);
    }
    fputc(j->kind[j->depth] == '{' ? '}' : ']', j->out);
}

void tce_json_object_begin(struct tce_json *j, const char *key)
{
    open_level(j, key, '{');
}

void tce_json_object_end(struct tce_json *j)
{
    close_level(j);
}

void tce_json_array_begin(struct tce_json *j, const char *key)
{
    open_level(j, key, '[');
}

void tce_json_array_end(struct tce_json *j)
{
    close_level(j);
}

void tce_json_string(struct tce_json *j, const char *key, const char *value)
{
    member(j, key);
    write_escaped(j->out, value);
}

void tce_json_double(struct tce_json *j, const char *key, double value)
{
    member(j, key);
    if (isfinite(value))
        fprintf(j->out, "%.17g", value);
    else
        fputs("null", j->out);
}

void tce_json_int(struct tce_json *j, const char *key, int64_t value)
{
    member(j, key);
    fprintf(j->out, "%lld", (long long)value);
}

void tce_json_bool(struct tce_json *j, const char *key, int value)
{
    member(j, key);
    fputs(value ? "true" : "false", j->out);
}

void tce_json_null(struct tce_json *j, const char *key)
{
    member(j, key);
    fputs("null", j->out);
}

void tce_json_finish(struct tce_json *j)
{
    while (j->depth > 0)
        close_level(j);
    fputc('\n', j->out);
    fflush(j->out);
}
