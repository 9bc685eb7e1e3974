/*
 * report.c - human table, CSV and JSON rows from one column description
 * (report.h states the formats).
 */
#include "tcemu/report.h"

#include <stdlib.h>
#include <string.h>

/* A human format "[-][+]WIDTH[.PREC]CONV". */
struct spec {
    int left, plus, width, prec; /* prec -1: printf's default */
    char conv;
};

static void parse_spec(const char *f, struct spec *s)
{
    char *end;

    memset(s, 0, sizeof(*s));
    s->prec = -1;
    s->conv = 's';
    if (!f)
        return;
    for (; *f == '-' || *f == '+'; f++) {
        if (*f == '-')
            s->left = 1;
        else
            s->plus = 1;
    }
    s->width = (int)strtol(f, &end, 10);
    f = end;
    if (*f == '.') {
        s->prec = (int)strtol(f + 1, &end, 10);
        f = end;
    }
    if (*f)
        s->conv = *f;
}

void tce_report_value(const struct tce_report *r,
                      const struct tce_report_column *c, int i,
                      struct tce_report_value *v)
{
    const char *row = (const char *)r->rows + (size_t)i * r->row_size;

    memset(v, 0, sizeof(*v));
    v->type = c->type;
    if (c->get) {
        c->get(r, i, v);
        v->type = c->type;
        return;
    }
    switch (c->type) {
    case TCE_REPORT_INT:
        memcpy(&v->i, row + c->offset, sizeof(v->i));
        break;
    case TCE_REPORT_DOUBLE:
        memcpy(&v->d, row + c->offset, sizeof(v->d));
        break;
    case TCE_REPORT_BOOL: {
        int b;

        memcpy(&b, row + c->offset, sizeof(b));
        v->i = b != 0;
        break;
    }
    case TCE_REPORT_TEXT:
        memcpy(&v->s, row + c->offset, sizeof(v->s));
        break;
    }
}

static int shown(const struct tce_report_column *c, unsigned where)
{
    return (c->in & where) != 0;
}

/* A string in column c's width and alignment. */
static void put_text(FILE *out, const struct spec *s, const char *text)
{
    fprintf(out, "%*s", s->left ? -s->width : s->width, text ? text : "");
}

static void put_human(FILE *out, const struct tce_report_column *c,
                      const struct tce_report_value *v)
{
    struct spec s;
    int w;
    double x;

    parse_spec(c->fmt, &s);
    w = s.left ? -s.width : s.width;
    switch (v->type) {
    case TCE_REPORT_INT:
        fprintf(out, "%*lld", w, (long long)v->i);
        break;
    case TCE_REPORT_DOUBLE:
        x = c->scale != 0.0 ? v->d * c->scale : v->d;
        if (s.conv == 'g')
            fprintf(out, s.plus ? "%+*.*g" : "%*.*g", w, s.prec, x);
        else if (s.conv == 'e')
            fprintf(out, s.plus ? "%+*.*e" : "%*.*e", w, s.prec, x);
        else
            fprintf(out, s.plus ? "%+*.*f" : "%*.*f", w, s.prec, x);
        break;
    case TCE_REPORT_BOOL:
        put_text(out, &s,
                 v->i ? (c->yes ? c->yes : "yes") : (c->no ? c->no : "no"));
        break;
    case TCE_REPORT_TEXT:
        put_text(out, &s, v->s);
        break;
    }
}

void tce_report_human_header(FILE *out, const struct tce_report *r)
{
    struct spec s;
    int k, last_unit = -1;

    fputc('#', out);
    for (k = 0; k < r->n_cols; k++) {
        const struct tce_report_column *c = &r->cols[k];

        if (!shown(c, TCE_REPORT_HUMAN))
            continue;
        parse_spec(c->fmt, &s);
        fputs(c->sep ? c->sep : " ", out);
        put_text(out, &s, c->human);
        if (c->unit)
            last_unit = k;
    }
    fputc('\n', out);
    if (last_unit < 0)
        return;
    fputc('#', out);
    for (k = 0; k <= last_unit; k++) {
        const struct tce_report_column *c = &r->cols[k];

        if (!shown(c, TCE_REPORT_HUMAN))
            continue;
        parse_spec(c->fmt, &s);
        fputs(c->sep ? c->sep : " ", out);
        put_text(out, &s, c->unit);
    }
    fputc('\n', out);
}

void tce_report_human_row(FILE *out, const struct tce_report *r, int i)
{
    struct tce_report_value v;
    int k;

    fputc(' ', out);
    for (k = 0; k < r->n_cols; k++) {
        const struct tce_report_column *c = &r->cols[k];

        if (!shown(c, TCE_REPORT_HUMAN))
            continue;
        fputs(c->sep ? c->sep : " ", out);
        tce_report_value(r, c, i, &v);
        put_human(out, c, &v);
    }
    fputc('\n', out);
}

void tce_report_human(FILE *out, const struct tce_report *r)
{
    int i;

    tce_report_human_header(out, r);
    for (i = 0; i < r->n_rows; i++)
        tce_report_human_row(out, r, i);
}

static void put_csv_text(FILE *out, const char *s)
{
    if (!s)
        s = "";
    if (!strpbrk(s, ",\"\n")) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

void tce_report_csv(FILE *out, const struct tce_report *r)
{
    struct tce_report_value v;
    int i, k, first = 1;

    for (k = 0; k < r->n_cols; k++) {
        if (!shown(&r->cols[k], TCE_REPORT_CSV))
            continue;
        fputs(first ? "" : ",", out);
        put_csv_text(out, r->cols[k].key);
        first = 0;
    }
    fputc('\n', out);
    for (i = 0; i < r->n_rows; i++) {
        first = 1;
        for (k = 0; k < r->n_cols; k++) {
            const struct tce_report_column *c = &r->cols[k];

            if (!shown(c, TCE_REPORT_CSV))
                continue;
            fputs(first ? "" : ",", out);
            first = 0;
            tce_report_value(r, c, i, &v);
            switch (v.type) {
            case TCE_REPORT_INT:
            case TCE_REPORT_BOOL:
                fprintf(out, "%lld", (long long)v.i);
                break;
            case TCE_REPORT_DOUBLE:
                fprintf(out, "%.9g", v.d);
                break;
            case TCE_REPORT_TEXT:
                put_csv_text(out, v.s);
                break;
            }
        }
        fputc('\n', out);
    }
}

void tce_report_json_row(struct tce_json *j, const char *key,
                         const struct tce_report *r, int i)
{
    struct tce_report_value v;
    const char *group = NULL, *name;
    int k;

    tce_json_object_begin(j, key);
    for (k = 0; k < r->n_cols; k++) {
        const struct tce_report_column *c = &r->cols[k];

        if (!shown(c, TCE_REPORT_JSON))
            continue;
        if (group && (!c->group || strcmp(group, c->group) != 0)) {
            tce_json_object_end(j);
            group = NULL;
        }
        if (c->group && !group) {
            group = c->group;
            tce_json_object_begin(j, group);
        }
        name = c->json_key ? c->json_key : c->key;
        tce_report_value(r, c, i, &v);
        switch (v.type) {
        case TCE_REPORT_INT:
            tce_json_int(j, name, v.i);
            break;
        case TCE_REPORT_DOUBLE:
            tce_json_double(j, name, v.d);
            break;
        case TCE_REPORT_BOOL:
            tce_json_bool(j, name, (int)v.i);
            break;
        case TCE_REPORT_TEXT:
            if (v.s)
                tce_json_string(j, name, v.s);
            else
                tce_json_null(j, name);
            break;
        }
    }
    if (group)
        tce_json_object_end(j);
    if (r->json_extra)
        r->json_extra(j, r, i);
    tce_json_object_end(j);
}

void tce_report_json_rows(struct tce_json *j, const char *key,
                          const struct tce_report *r)
{
    int i;

    tce_json_array_begin(j, key);
    for (i = 0; i < r->n_rows; i++)
        tce_report_json_row(j, NULL, r, i);
    tce_json_array_end(j);
}
