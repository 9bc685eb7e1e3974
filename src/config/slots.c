/*
 * slots.c - where a key of a schema lives: its row, the origin slots of
 * list elements (config_int.h), and the config kinds' names.  The tables
 * themselves are in schema.c.
 */
#include <string.h>

#include "config_int.h"

/* Row of a key in a schema (its origin slot for top-level rows); -1 if
 * none. */
int tce_cfg_slot(const struct schema *sc, const char *key)
{
    size_t i;

    for (i = 0; i < sc->n_fields; i++)
        if (strcmp(sc->fields[i].key, key) == 0)
            return (int)i;
    return -1;
}

/* Origin slots: top-level rows first, then each list row's elements. */
int tce_cfg_list_base(const struct schema *sc, size_t row)
{
    size_t i;
    int base = (int)sc->n_fields;

    for (i = 0; i < row; i++)
        if (sc->fields[i].type == FT_LIST)
            base += sc->fields[i].max_count * (int)sc->fields[i].elem->n_fields;
    return base;
}

const char *tce_config_kind_name(enum tce_config_kind kind)
{
    switch (kind) {
    case TCE_CONFIG_TOPOLOGY:
        return "topology";
    case TCE_CONFIG_JOB:
        return "job";
    case TCE_CONFIG_CALIBRATION:
        return "calibration";
    default:
        return NULL;
    }
}

int tce_cfg_list_slot(const struct schema *sc, const char *list, int index,
                      const char *key)
{
    int row = tce_cfg_slot(sc, list), k;
    const struct field *f;

    if (row < 0 || sc->fields[row].type != FT_LIST)
        return -1;
    f = &sc->fields[row];
    k = tce_cfg_slot(f->elem, key);
    if (k < 0 || index < 0 || index >= f->max_count)
        return -1;
    return tce_cfg_list_base(sc, (size_t)row) + index * (int)f->elem->n_fields +
           k;
}
