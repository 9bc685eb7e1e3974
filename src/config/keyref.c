/*
 * keyref.c - the schema for humans: `tcemu validate --keys` and the
 * README's Markdown tables.
 */
#include <stdio.h>

#include "config_int.h"

static const char *type_name(const struct field *f)
{
    switch (f->type) {
    case FT_INT:
        return "integer";
    case FT_DOUBLE:
        return "number";
    case FT_BOOL:
        return "bool";
    case FT_STRING:
        return "string";
    case FT_ENUM:
        return "enum";
    case FT_LIST:
        return "list";
    case FT_ARRAY:
        return "array";
    }
    return "?";
}

struct key_row {
    char key[2 * TCE_NAME_MAX];
    const char *type;
    const char *unit;
    char range[128];
    char def[64];
    const char *help;
};

static void row_of(const struct field *f, const char *prefix, struct key_row *r)
{
    snprintf(r->key, sizeof(r->key), "%s%s", prefix, f->key);
    r->type = type_name(f);
    r->unit = f->unit && f->unit[0] ? f->unit : "-";
    r->help = f->help;
    switch (f->type) {
    case FT_INT:
    case FT_DOUBLE:
        tce_cfg_range_text(f, r->range, sizeof(r->range));
        break;
    case FT_ENUM:
        tce_cfg_enum_text(f, r->range, sizeof(r->range));
        break;
    case FT_BOOL:
        snprintf(r->range, sizeof(r->range), "true, false");
        break;
    case FT_STRING:
        snprintf(r->range, sizeof(r->range), "< %zu bytes", f->size);
        break;
    case FT_LIST:
        snprintf(r->range, sizeof(r->range), "<= %d groups", f->max_count);
        break;
    case FT_ARRAY: {
        char each[100];

        tce_cfg_range_text(f, each, sizeof(each));
        snprintf(r->range, sizeof(r->range), "<= %d numbers, each in %s",
                 f->max_count, each);
        break;
    }
    }
    if (f->flags & F_REQ)
        snprintf(r->def, sizeof(r->def), "required");
    else if (f->def)
        snprintf(r->def, sizeof(r->def), "%s", f->def);
    else if (f->type == FT_STRING)
        snprintf(r->def, sizeof(r->def), "\"\"");
    else if (f->type == FT_LIST || f->type == FT_ARRAY)
        snprintf(r->def, sizeof(r->def), "none");
    else
        snprintf(r->def, sizeof(r->def), "0");
}

static void print_schema(const struct schema *sc, const char *prefix,
                         int markdown, FILE *out)
{
    size_t i;
    struct key_row r;
    char sub[2 * TCE_NAME_MAX];

    for (i = 0; i < sc->n_fields; i++) {
        const struct field *f = &sc->fields[i];

        row_of(f, prefix, &r);
        if (markdown)
            fprintf(out, "| `%s` | %s | %s | %s | %s | %s |\n", r.key, r.type,
                    r.unit, r.range, r.def, r.help);
        else
            fprintf(out, "%-46s %-7s %-14s %-26s %-16s %s\n", r.key, r.type,
                    r.unit, r.range, r.def, r.help);
        if (f->type == FT_LIST) {
            snprintf(sub, sizeof(sub), "%s%s[].", prefix, f->key);
            print_schema(f->elem, sub, markdown, out);
        }
    }
}

void tce_config_print_keys(enum tce_config_kind kind, FILE *out)
{
    const struct schema *sc = tce_cfg_schema(kind);

    if (!sc)
        return;
    fprintf(out,
            "# %s file keys (units: GB/s = 1e9 bytes/s, Gbit/s = 1e9 "
            "bits/s, GiB = 2^30 bytes)\n",
            sc->name);
    fprintf(out, "# %-44s %-7s %-14s %-26s %-16s %s\n", "key", "type", "unit",
            "range", "default", "description");
    print_schema(sc, "", 0, out);
}

void tce_config_print_keys_markdown(enum tce_config_kind kind, FILE *out)
{
    const struct schema *sc = tce_cfg_schema(kind);

    if (!sc)
        return;
    fprintf(out, "| key | type | unit | range | default | description |\n"
                 "|---|---|---|---|---|---|\n");
    print_schema(sc, "", 1, out);
}
