/*
 * calwrite.c - the calibration writer, driven by the calibration schema:
 * every row is written under its own key in schema order, so a key added
 * to the schema is written (and read back) with no change here.
 *
 * Layout (what tce_calibration_load reads back):
 *   calibration = {
 *     key = value;                  one top-level row per line
 *     links = (
 *       { k0 = v; k1 = v; k2 = v;   the first three keys of an entry,
 *         k3 = v; k4 = v;           then two per line
 *         ... },
 *       ...
 *     );
 *   };
 * Integers carry the L suffix (64 bits), numbers %.9g, strings are quoted
 * with " and \ escaped and control characters dropped.
 */
#include <stdio.h>
#include <string.h>

#include "config_int.h"

#define ENTRY_FIRST_LINE 3 /* keys on an entry's first line */
#define ENTRY_PER_LINE 2   /* keys on each further line */

static void write_quoted(FILE *out, const char *v)
{
    fputc('"', out);
    for (; *v; v++) {
        if (*v == '"' || *v == '\\')
            fputc('\\', out);
        if ((unsigned char)*v >= 0x20)
            fputc(*v, out);
    }
    fputc('"', out);
}

/* "value" of one scalar row. */
static void write_value(FILE *out, const void *obj, const struct field *f)
{
    int64_t k;

    switch (f->type) {
    case FT_INT:
        fprintf(out, "%lldL", (long long)tce_cfg_get_int(obj, f));
        break;
    case FT_DOUBLE:
        fprintf(out, "%.9g", tce_cfg_get_double(obj, f));
        break;
    case FT_BOOL:
        fputs(tce_cfg_get_int(obj, f) ? "true" : "false", out);
        break;
    case FT_STRING:
        write_quoted(out, (const char *)obj + f->offset);
        break;
    case FT_ENUM:
        k = tce_cfg_get_int(obj, f);
        write_quoted(out,
                     k >= 0 && k < tce_cfg_enum_count(f) ? f->names[k] : "?");
        break;
    case FT_LIST:
        break;
    }
}

/* The last part of a dotted key: "ranks" of "calibration.ranks". */
static const char *leaf(const char *key)
{
    const char *dot = strrchr(key, '.');

    return dot ? dot + 1 : key;
}

static void write_entry(FILE *out, const struct schema *es, const void *obj)
{
    size_t i;

    fputs("    {", out);
    for (i = 0; i < es->n_fields; i++) {
        int next_line = i >= ENTRY_FIRST_LINE &&
                        (i - ENTRY_FIRST_LINE) % ENTRY_PER_LINE == 0;

        fputs(next_line ? "\n      " : " ", out);
        fprintf(out, "%s = ", es->fields[i].key);
        write_value(out, obj, &es->fields[i]);
        fputc(';', out);
    }
    fputs(" }", out);
}

static void write_list(FILE *out, const void *obj, const struct field *f)
{
    int n, e;

    memcpy(&n, (const char *)obj + f->count_offset, sizeof(n));
    fprintf(out, "  %s = (", leaf(f->key));
    for (e = 0; e < n && e < f->max_count; e++) {
        fputs(e ? ",\n" : "\n", out);
        write_entry(out, f->elem,
                    (const char *)obj + f->offset +
                        (size_t)e * f->elem->elem_size);
    }
    fputs("\n  );\n", out);
}

int tce_calibration_write(const struct tce_calibration *c, FILE *out)
{
    const struct schema *sc = tce_cfg_schema(TCE_CONFIG_CALIBRATION);
    size_t i;

    fprintf(out, "# tcemu calibration file (tcemu validate reads it)\n"
                 "calibration = {\n");
    for (i = 0; i < sc->n_fields; i++) {
        const struct field *f = &sc->fields[i];

        if (f->type == FT_LIST) {
            write_list(out, c, f);
            continue;
        }
        fprintf(out, "  %s = ", leaf(f->key));
        write_value(out, c, f);
        fputs(";\n", out);
    }
    fprintf(out, "};\n");
    return ferror(out) ? TCE_EIO : 0;
}
