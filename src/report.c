/*
 * report.c - human table, CSV and JSON rows from one column description
 * (report.h states the formats).
 */
#include "tcemu/report.h"

#include "tcemu/humanfmt.h"

#include <math.h>
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

void tce_report_init(struct tce_report *t,
                     const struct tce_report_column *cols, int n_cols,
                     const void *rows, size_t row_size, int n_rows)
{
    memset(t, 0, sizeof(*t));
    t->cols = cols;
    t->n_cols = n_cols;
    t->rows = rows;
    t->row_size = row_size;
    t->n_rows = n_rows;
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
        if (c->chars)
            v->s = row + c->offset;
        else
            memcpy(&v->s, row + c->offset, sizeof(v->s));
        break;
    }
}

static int shown(const struct tce_report_column *c, unsigned where)
{
    return (c->in & where) != 0;
}

/* in this human table (its split part) */
static int in_human(const struct tce_report *r,
                    const struct tce_report_column *c)
{
    return shown(c, TCE_REPORT_HUMAN) &&
           (r->human_part == 0 || c->part == 0 || c->part == r->human_part);
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

    char buf[TCE_HUMANFMT_MAX];

    parse_spec(c->fmt, &s);
    w = s.left ? -s.width : s.width;
    switch (v->type) {
    case TCE_REPORT_INT:
        if (c->as == TCE_REPORT_AS_COUNT)
            put_text(out, &s, tce_humanfmt_count(v->i, buf, sizeof(buf)));
        else
            fprintf(out, "%*lld", w, (long long)v->i);
        break;
    case TCE_REPORT_DOUBLE:
        x = c->scale != 0.0 ? v->d * c->scale : v->d;
        if (c->div != 0.0)
            x /= c->div;
        if (c->as == TCE_REPORT_AS_SI)
            put_text(out, &s, tce_humanfmt_si(x, buf, sizeof(buf)));
        else if (c->as == TCE_REPORT_AS_USD)
            put_text(out, &s, tce_humanfmt_usd(x, buf, sizeof(buf)));
        else if (c->as == TCE_REPORT_AS_COUNT)
            put_text(out, &s,
                     tce_humanfmt_count((int64_t)llround(x), buf, sizeof(buf)));
        else if (s.conv == 'g')
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
    int k, last_unit = -1, first = 1;

    fputc('#', out);
    for (k = 0; k < r->n_cols; k++) {
        const struct tce_report_column *c = &r->cols[k];

        if (!in_human(r, c))
            continue;
        parse_spec(c->fmt, &s);
        /* rows starting at column 0: the '#' takes the first place */
        if (first && r->row_lead && !r->row_lead[0] && s.width > 0)
            s.width--;
        first = 0;
        if (c->hwidth)
            s.width = c->hwidth;
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

        if (!in_human(r, c))
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

    fputs(r->row_lead ? r->row_lead : " ", out);
    for (k = 0; k < r->n_cols; k++) {
        const struct tce_report_column *c = &r->cols[k];

        if (!in_human(r, c))
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

/* RFC 4180: a text field in double quotes, a quote inside doubled. */
static void put_csv_quoted(FILE *out, const char *s)
{
    fputc('"', out);
    for (; s && *s; s++) {
        if (*s == '"')
            fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

/* A key: as is when it needs no quotes (keys are identifiers). */
static void put_csv_key(FILE *out, const char *prefix, const char *key)
{
    if (strpbrk(key, ",\"\r\n") || (prefix && strpbrk(prefix, ",\"\r\n"))) {
        fputc('"', out);
        fputs(prefix ? prefix : "", out);
        fputs(key, out);
        fputc('"', out);
        return;
    }
    fputs(prefix ? prefix : "", out);
    fputs(key, out);
}

static void sub_prefix(const struct tce_report_column *c, const char *outer,
                       char *buf, size_t n)
{
    if (c->csv_prefix)
        snprintf(buf, n, "%s%s", outer ? outer : "", c->csv_prefix);
    else
        snprintf(buf, n, "%s%s_", outer ? outer : "", c->key);
}

static void csv_header(FILE *out, const struct tce_report *r,
                       const char *prefix, int *first)
{
    struct tce_report sub;
    char pre[96];
    int k;

    for (k = 0; k < r->n_cols; k++) {
        const struct tce_report_column *c = &r->cols[k];

        if (!shown(c, TCE_REPORT_CSV))
            continue;
        if (c->sub) {
            c->sub(r, &sub);
            sub_prefix(c, prefix, pre, sizeof(pre));
            csv_header(out, &sub, pre, first);
            continue;
        }
        fputs(*first ? "" : ",", out);
        *first = 0;
        put_csv_key(out, prefix, c->key);
    }
}

/* Row i's fields; empty ones when blank (a `when` that says no). */
static void csv_fields(FILE *out, const struct tce_report *r, int i,
                       int blank, int *first)
{
    struct tce_report_value v;
    struct tce_report sub;
    int k;

    for (k = 0; k < r->n_cols; k++) {
        const struct tce_report_column *c = &r->cols[k];
        int empty = blank || (c->when && !c->when(r, i));

        if (!shown(c, TCE_REPORT_CSV))
            continue;
        if (c->sub) {
            c->sub(r, &sub);
            csv_fields(out, &sub, i, empty, first);
            continue;
        }
        fputs(*first ? "" : ",", out);
        *first = 0;
        if (empty)
            continue;
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
            put_csv_quoted(out, v.s);
            break;
        }
    }
}

void tce_report_csv(FILE *out, const struct tce_report *r)
{
    int i, first = 1;

    if (r->schema) {
        fputs("schema", out);
        first = 0;
    }
    csv_header(out, r, NULL, &first);
    fputc('\n', out);
    for (i = 0; i < r->n_rows; i++) {
        first = 1;
        if (r->schema) {
            put_csv_quoted(out, r->schema);
            first = 0;
        }
        csv_fields(out, r, i, 0, &first);
        fputc('\n', out);
    }
}

void tce_report_json_members(struct tce_json *j, const struct tce_report *r,
                             int i)
{
    struct tce_report_value v;
    const char *group = NULL, *name;
    int k;

    for (k = 0; k < r->n_cols; k++) {
        const struct tce_report_column *c = &r->cols[k];

        if (!shown(c, TCE_REPORT_JSON) || (c->when && !c->when(r, i)))
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
        if (c->sub) {
            struct tce_report sub;

            c->sub(r, &sub);
            tce_report_json_row(j, name, &sub, i);
            continue;
        }
        if (c->put_json) {
            c->put_json(j, name, r, i);
            continue;
        }
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
}

void tce_report_json_row(struct tce_json *j, const char *key,
                         const struct tce_report *r, int i)
{
    tce_json_object_begin(j, key);
    tce_report_json_members(j, r, i);
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
