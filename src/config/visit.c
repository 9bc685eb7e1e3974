/*
 * visit.c - tce_config_visit: every key of a loaded struct, in schema
 * order, list entries included (for `tcemu show`).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "config_int.h"

static void visit_schema(const struct schema *sc, const void *obj,
                         const struct tce_config_origin *o, int slot0,
                         const char *prefix,
                         void (*fn)(const struct tce_config_value *, void *),
                         void *arg)
{
    size_t i;
    int e, n;

    for (i = 0; i < sc->n_fields; i++) {
        const struct field *f = &sc->fields[i];
        struct tce_config_value v;
        int slot = slot0 + (int)i;

        memset(&v, 0, sizeof(v));
        snprintf(v.key, sizeof(v.key), "%s%s", prefix, f->key);
        v.unit = f->unit ? f->unit : "";
        v.help = f->help;
        v.is_default = slot < TCE_CONFIG_SLOTS_MAX ? !o->is_set[slot] : 0;
        switch (f->type) {
        case FT_INT:
            v.type = TCE_CONFIG_INT;
            v.i = tce_cfg_get_int(obj, f);
            break;
        case FT_DOUBLE:
            v.type = TCE_CONFIG_DOUBLE;
            v.d = tce_cfg_get_double(obj, f);
            break;
        case FT_BOOL:
            v.type = TCE_CONFIG_BOOL;
            v.i = tce_cfg_get_int(obj, f) != 0;
            break;
        case FT_STRING:
            v.type = TCE_CONFIG_STRING;
            v.s = (const char *)obj + f->offset;
            break;
        case FT_ENUM: {
            int64_t k = tce_cfg_get_int(obj, f);

            v.type = TCE_CONFIG_ENUM;
            v.s = k >= 0 && k < tce_cfg_enum_count(f) ? f->names[k] : "?";
            break;
        }
        case FT_ARRAY: /* measured points: data, not a setting to show */
            continue;
        case FT_LIST: {
            char sub[4 * TCE_NAME_MAX];
            int base = tce_cfg_list_base(sc, i);

            memcpy(&n, (const char *)obj + f->count_offset, sizeof(n));
            for (e = 0; e < n && e < f->max_count; e++) {
                snprintf(sub, sizeof(sub), "%.60s%.60s[%d].", prefix, f->key,
                         e);
                visit_schema(f->elem,
                             (const char *)obj + f->offset +
                                 (size_t)e * f->elem->elem_size,
                             o, base + e * (int)f->elem->n_fields, sub, fn,
                             arg);
            }
            continue;
        }
        }
        fn(&v, arg);
    }
}

int tce_config_visit(enum tce_config_kind kind, const void *obj,
                     void (*fn)(const struct tce_config_value *v, void *arg),
                     void *arg)
{
    const struct schema *sc = tce_cfg_schema(kind);
    const struct tce_config_origin *o;

    if (!sc || !obj)
        return TCE_EUSAGE;
    if (kind == TCE_CONFIG_TOPOLOGY)
        o = &((const struct tce_topology *)obj)->origin;
    else if (kind == TCE_CONFIG_JOB)
        o = &((const struct tce_job *)obj)->origin;
    else
        o = &((const struct tce_calibration *)obj)->origin;
    visit_schema(sc, obj, o, 0, "", fn, arg);
    return 0;
}
