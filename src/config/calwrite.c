/*
 * calwrite.c - the calibration writer, driven by the calibration schema:
 * every row is written under its own key in schema order, so a key added
 * to the schema is written (and read back) with no change here.
 *
 * Layout (what tce_calibration_load reads back; the compute group, nested
 * as its keys are, only when the calibration has a compute table, and the
 * link keys only when it has links or no table):
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
    case FT_ARRAY: {
        const double *v = (const double *)((const char *)obj + f->offset);
        int n, i;
        char num[40];

        memcpy(&n, (const char *)obj + f->count_offset, sizeof(n));
        fputc('[', out);
        for (i = 0; i < n && i < f->max_count; i++) {
            /* every element a float: libconfig's arrays are of one type */
            snprintf(num, sizeof(num), "%.9g", v[i]);
            fprintf(out, "%s%s%s", i ? ", " : "", num,
                    strpbrk(num, ".eEni") ? "" : ".0");
        }
        fputc(']', out);
        break;
    }
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

static void write_entry(FILE *out, const struct schema *es, const void *obj,
                        int indent)
{
    size_t i;

    fprintf(out, "%*s{", indent + 4, "");
    for (i = 0; i < es->n_fields; i++) {
        int next_line = i >= ENTRY_FIRST_LINE &&
                        (i - ENTRY_FIRST_LINE) % ENTRY_PER_LINE == 0;

        if (next_line)
            fprintf(out, "\n%*s", indent + 6, "");
        else
            fputc(' ', out);
        fprintf(out, "%s = ", es->fields[i].key);
        write_value(out, obj, &es->fields[i]);
        fputc(';', out);
    }
    fputs(" }", out);
}

static void write_list(FILE *out, const void *obj, const struct field *f,
                       int indent)
{
    int n, e;

    memcpy(&n, (const char *)obj + f->count_offset, sizeof(n));
    fprintf(out, "%*s%s = (", indent + 2, "", leaf(f->key));
    for (e = 0; e < n && e < f->max_count; e++) {
        fputs(e ? ",\n" : "\n", out);
        write_entry(out, f->elem,
                    (const char *)obj + f->offset +
                        (size_t)e * f->elem->elem_size,
                    indent);
    }
    fprintf(out, "\n%*s);\n", indent + 2, "");
}

/* Groups of key below "calibration": "calibration.compute.stack.x" has 2
 * (compute, stack). */
static int depth(const char *key)
{
    int d = 0;

    for (; *key; key++)
        d += *key == '.';
    return d - 1;
}

/* Groups prev and key share below "calibration". */
static int common(const char *prev, const char *key)
{
    int n = 0, dp = depth(prev), dk = depth(key);
    const char *p = strchr(prev, '.') + 1, *k = strchr(key, '.') + 1;

    while (n < dp && n < dk) {
        const char *ep = strchr(p, '.'), *ek = strchr(k, '.');

        if (ep - p != ek - k || strncmp(p, k, (size_t)(ep - p)) != 0)
            break;
        n++;
        p = ep + 1;
        k = ek + 1;
    }
    return n;
}

/* Close the groups of prev that key is not in, open key's new groups. */
static void regroup(FILE *out, int *open, const char *prev, const char *key)
{
    int keep = common(prev, key), want = depth(key), i;
    const char *p = strchr(key, '.') + 1;

    for (; *open > keep; (*open)--)
        fprintf(out, "%*s};\n", 2 * *open, "");
    for (i = 0; i < want; i++) {
        const char *dot = strchr(p, '.');

        if (i >= keep)
            fprintf(out, "%*s%.*s = {\n", 2 * (i + 1), "", (int)(dot - p),
                    p);
        p = dot + 1;
    }
    *open = want;
}

/* stack: the stack_overhead group only when the calibration has one;
 * with one and no links (and no table) the link keys are left out, as
 * with a compute table alone.  -1: not a stack key, decide as before. */
static int skip_for_stack(const struct tce_calibration *c, const char *key,
                          int compute)
{
    int stack = tce_stack_overhead_present(&c->stack_overhead);

    if (strncmp(key, "calibration.stack_overhead.", 27) == 0)
        return !stack;
    if (stack && !compute && c->n_links == 0 &&
        strncmp(key, "calibration.compute.", 20) != 0 &&
        strcmp(key, "calibration.date") != 0)
        return 1;
    return -1;
}

int tce_calibration_write(const struct tce_calibration *c, FILE *out)
{
    const struct schema *sc = tce_cfg_schema(TCE_CONFIG_CALIBRATION);
    const char *prev = "calibration.tcemu_version";
    int compute = tce_computetable_has_rows(&c->compute), open = 0;
    size_t i;

    fprintf(out, "# tcemu calibration file (tcemu validate reads it)\n"
                 "calibration = {\n");
    for (i = 0; i < sc->n_fields; i++) {
        const struct field *f = &sc->fields[i];

        /* the compute group only when there is a table; the links and
         * their measurement's facts only when there are links (or no
         * table) */
        int skip = skip_for_stack(c, f->key, compute);

        if (skip >= 0 ? skip
            : strncmp(f->key, "calibration.compute.", 20) == 0 ? !compute
            : compute && c->n_links == 0 &&
                  strcmp(f->key, "calibration.date") != 0)
            continue;
        /* links: the measured collectives only when there are some (older
         * files keep their bytes) */
        if (strcmp(f->key, "calibration.collectives") == 0 && c->n_colls == 0)
            continue;
        regroup(out, &open, prev, f->key);
        prev = f->key;
        if (f->type == FT_LIST) {
            write_list(out, c, f, 2 * open);
            continue;
        }
        fprintf(out, "%*s%s = ", 2 * open + 2, "", leaf(f->key));
        write_value(out, c, f);
        fputs(";\n", out);
    }
    for (; open > 0; open--)
        fprintf(out, "%*s};\n", 2 * open, "");
    fprintf(out, "};\n");
    return ferror(out) ? TCE_EIO : 0;
}
