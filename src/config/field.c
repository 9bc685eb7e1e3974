/*
 * field.c - a schema row's value in a struct: store, fetch, default, and
 * the range and enum texts of messages and the key reference.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "tcemu/util.h"

#include "config_int.h"

/* Store helpers. */
void tce_cfg_put_int(void *obj, const struct field *f, int64_t v)
{
    char *p = (char *)obj + f->offset;

    if (f->size == sizeof(int64_t))
        memcpy(p, &v, sizeof(v));
    else {
        int iv = (int)v;

        memcpy(p, &iv, sizeof(iv));
    }
}

int64_t tce_cfg_get_int(const void *obj, const struct field *f)
{
    const char *p = (const char *)obj + f->offset;

    if (f->size == sizeof(int64_t)) {
        int64_t v;

        memcpy(&v, p, sizeof(v));
        return v;
    } else {
        int iv;

        memcpy(&iv, p, sizeof(iv));
        return iv;
    }
}

void tce_cfg_put_double(void *obj, const struct field *f, double v)
{
    memcpy((char *)obj + f->offset, &v, sizeof(v));
}

double tce_cfg_get_double(const void *obj, const struct field *f)
{
    double v;

    memcpy(&v, (const char *)obj + f->offset, sizeof(v));
    return v;
}

void tce_cfg_put_string(void *obj, const struct field *f, const char *v)
{
    snprintf((char *)obj + f->offset, f->size, "%s", v);
}

void tce_cfg_range_text(const struct field *f, char *buf, size_t size)
{
    if (f->type == FT_INT)
        snprintf(buf, size, "[%lld, %lld]", (long long)f->imin,
                 (long long)f->imax);
    else
        snprintf(buf, size, "%s%.12g, %.12g]", (f->flags & F_OPEN) ? "(" : "[",
                 f->dmin, f->dmax);
}

void tce_cfg_enum_text(const struct field *f, char *buf, size_t size)
{
    size_t used = 0;
    int i;

    buf[0] = '\0';
    for (i = 0; f->names[i]; i++) {
        int w = snprintf(buf + used, size - used, "%s%s", i ? ", " : "",
                         f->names[i]);

        if (w < 0 || (size_t)w >= size - used)
            break;
        used += (size_t)w;
    }
}

void tce_cfg_set_default(void *obj, const struct field *f)
{
    int64_t iv = 0;
    double dv = 0.0;
    int i;

    switch (f->type) {
    case FT_INT:
        if (f->def && !(f->flags & F_DERIVED))
            tce_parse_int64(f->def, INT64_MIN, INT64_MAX, &iv, NULL);
        tce_cfg_put_int(obj, f, iv);
        break;
    case FT_DOUBLE:
        if (f->def)
            tce_parse_double(f->def, -1e300, 1e300, &dv, NULL);
        tce_cfg_put_double(obj, f, dv);
        break;
    case FT_BOOL:
        tce_cfg_put_int(obj, f, f->def && strcmp(f->def, "true") == 0);
        break;
    case FT_STRING:
        tce_cfg_put_string(obj, f, "");
        break;
    case FT_ENUM:
        for (i = 0; f->def && f->names[i]; i++)
            if (strcmp(f->names[i], f->def) == 0)
                iv = i;
        tce_cfg_put_int(obj, f, iv);
        break;
    case FT_LIST:
    case FT_ARRAY:
        memset((char *)obj + f->count_offset, 0, sizeof(int));
        break;
    }
}

void tce_cfg_defaults(const struct schema *sc, void *obj)
{
    size_t i;

    memset(obj, 0, sc->elem_size);
    for (i = 0; i < sc->n_fields; i++)
        tce_cfg_set_default(obj, &sc->fields[i]);
}

int tce_cfg_enum_count(const struct field *f)
{
    int n = 0;

    while (f->names && f->names[n])
        n++;
    return n;
}
