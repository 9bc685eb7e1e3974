/*
 * tree.c - step 3: the schema walk over a parsed file.  Unknown keys (with
 * the nearest known key suggested), missing required keys and groups, lists
 * of groups; every present key read by its typed getter, every absent one
 * set to its default, and each key's origin (file, line, set or default)
 * recorded in its slot.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "tcemu/util.h"

#include "config_int.h"

static int is_skipped(const struct loader *ld, const config_setting_t *s)
{
    int i;

    for (i = 0; i < ld->n_skip; i++)
        if (ld->skip[i] == s)
            return 1;
    return 0;
}

/* Keys one level below prefix ("" = root) in a schema: is name a leaf row
 * (returns the row), a group prefix (returns -2) or unknown (-1)? */
static int classify(const struct schema *sc, const char *prefix,
                    const char *name)
{
    size_t i, pl = strlen(prefix), nl = strlen(name);

    for (i = 0; i < sc->n_fields; i++) {
        const char *k = sc->fields[i].key;

        if (pl && (strncmp(k, prefix, pl) != 0 || k[pl] != '.'))
            continue;
        k += pl ? pl + 1 : 0;
        if (strncmp(k, name, nl) != 0)
            continue;
        if (k[nl] == '\0')
            return (int)i;
        if (k[nl] == '.')
            return -2;
    }
    return -1;
}

/* The nearest known key to name, searched at this level first, then in the
 * whole schema (a key put in the wrong group). */
static void suggest(const struct schema *sc, const char *prefix,
                    const char *name, char *out, size_t size)
{
    size_t i, pl = strlen(prefix), nl = strlen(name);
    int best = INT_MAX;
    char cand[2 * TCE_NAME_MAX];

    out[0] = '\0';
    for (i = 0; i < sc->n_fields; i++) {
        const char *k = sc->fields[i].key;
        const char *dot;
        int d;

        if (pl && (strncmp(k, prefix, pl) != 0 || k[pl] != '.'))
            continue;
        k += pl ? pl + 1 : 0;
        dot = strchr(k, '.');
        snprintf(cand, sizeof(cand), "%.*s",
                 (int)(dot ? (size_t)(dot - k) : strlen(k)), k);
        d = tce_edit_distance(name, cand);
        if (d < best) {
            best = d;
            snprintf(out, size, "%s", cand);
        }
    }
    if (best <= 2 || (best <= (int)strlen(name) / 3 && best < INT_MAX))
        return;
    /* A key at this level that name abbreviates? */
    out[0] = '\0';
    for (i = 0; nl >= 4 && i < sc->n_fields; i++) {
        const char *k = sc->fields[i].key;

        if (pl && (strncmp(k, prefix, pl) != 0 || k[pl] != '.'))
            continue;
        k += pl ? pl + 1 : 0;
        if (!strchr(k, '.') && strncmp(k, name, nl) == 0) {
            snprintf(out, size, "%s", k);
            return;
        }
    }
    /* The same name elsewhere in the schema? */
    for (i = 0; i < sc->n_fields; i++) {
        const char *k = sc->fields[i].key;
        const char *last = strrchr(k, '.');

        last = last ? last + 1 : k;
        if (tce_edit_distance(name, last) <= 1) {
            snprintf(out, size, "%s", k);
            return;
        }
    }
}

void tce_cfg_check_members(struct loader *ld, const struct schema *sc,
                           const char *prefix, const char *shown,
                           config_setting_t *group)
{
    int i, n = config_setting_length(group);

    for (i = 0; i < n; i++) {
        config_setting_t *c = config_setting_get_elem(group, (unsigned)i);
        const char *name = config_setting_name(c);
        char full[2 * TCE_NAME_MAX], fshown[2 * TCE_NAME_MAX], hint[128];
        struct line_ref r = tce_cfg_where(ld, c);
        int k;

        if (!name)
            continue;
        snprintf(full, sizeof(full), "%s%s%s", prefix, prefix[0] ? "." : "",
                 name);
        snprintf(fshown, sizeof(fshown), "%s%s%s", shown, shown[0] ? "." : "",
                 name);
        k = classify(sc, prefix, name);
        if (k == -2) {
            if (config_setting_type(c) != CONFIG_TYPE_GROUP) {
                char got[GOT_MAX + 8];

                tce_cfg_describe(c, got, sizeof(got));
                tce_cfg_error(ld, r.file, r.line, fshown,
                              "expected a group (got %s)", got);
            } else {
                tce_cfg_check_members(ld, sc, full, fshown, c);
            }
        } else if (k == -1) {
            suggest(sc, prefix, name, hint, sizeof(hint));
            if (hint[0])
                tce_cfg_error(ld, r.file, r.line, fshown,
                              "unknown key '%s' (did you mean '%s'?)", name,
                              hint);
            else
                tce_cfg_error(ld, r.file, r.line, fshown, "unknown key '%s'",
                              name);
        }
    }
}

static void mark(struct loader *ld, int slot, int is_set, struct line_ref r)
{
    if (!ld->origin || slot < 0 || slot >= TCE_CONFIG_SLOTS_MAX)
        return;
    ld->origin->is_set[slot] = (unsigned char)is_set;
    ld->origin->file[slot] = (unsigned char)r.file;
    ld->origin->line[slot] = r.line;
}

/* Look a dotted key up below root; on a missing part, *enclosing is the
 * deepest group found and *missing_group the missing group's prefix. */
static config_setting_t *lookup(config_setting_t *root, const char *key,
                                config_setting_t **enclosing,
                                char *missing_group, size_t size)
{
    char part[TCE_NAME_MAX];
    const char *p = key;
    config_setting_t *cur = root;

    missing_group[0] = '\0';
    *enclosing = root;
    for (;;) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);
        config_setting_t *next;

        snprintf(part, sizeof(part), "%.*s", (int)n, p);
        if (config_setting_type(cur) != CONFIG_TYPE_GROUP)
            return NULL;
        next = config_setting_get_member(cur, part);
        if (!next) {
            if (dot)
                snprintf(missing_group, size, "%.*s", (int)(dot - key), key);
            *enclosing = cur;
            return NULL;
        }
        if (!dot)
            return next;
        cur = next;
        *enclosing = cur;
        p = dot + 1;
    }
}

static void read_list(struct loader *ld, const struct field *f, void *obj,
                      config_setting_t *s, const char *key, int slot0)
{
    struct line_ref r = tce_cfg_where(ld, s);
    int t = config_setting_type(s), n, i, count = 0;
    char got[GOT_MAX + 8];
    const struct schema *es = f->elem;

    if (t != CONFIG_TYPE_LIST &&
        !(t == CONFIG_TYPE_ARRAY && config_setting_length(s) == 0)) {
        tce_cfg_describe(s, got, sizeof(got));
        tce_cfg_error(ld, r.file, r.line, key,
                      "expected a list of groups ( {...}, {...} ) (got %s)",
                      got);
        return;
    }
    n = config_setting_length(s);
    if (n > f->max_count) {
        tce_cfg_error(ld, r.file, r.line, key, "at most %d entries (got %d)",
                      f->max_count, n);
        n = f->max_count;
    }
    for (i = 0; i < n; i++) {
        config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
        char ekey[2 * TCE_NAME_MAX];
        void *eobj = (char *)obj + f->offset + (size_t)i * es->elem_size;

        snprintf(ekey, sizeof(ekey), "%.100s[%d]", key, i);
        if (config_setting_type(e) != CONFIG_TYPE_GROUP) {
            struct line_ref er = tce_cfg_where(ld, e);

            tce_cfg_describe(e, got, sizeof(got));
            tce_cfg_error(ld, er.file, er.line, ekey,
                          "expected a group (got %s)", got);
            continue;
        }
        tce_cfg_defaults(es, eobj);
        tce_cfg_check_members(ld, es, "", ekey, e);
        tce_cfg_walk(ld, es, e, eobj, ekey, slot0 + i * (int)es->n_fields);
        count = i + 1;
    }
    memcpy((char *)obj + f->count_offset, &count, sizeof(count));
}

/* Every row of a schema: present (typed, ranged), missing (required or
 * default).  slot0 is the origin slot of row 0. */
int tce_cfg_walk(struct loader *ld, const struct schema *sc,
                 config_setting_t *root, void *obj, const char *shown_prefix,
                 int slot0)
{
    size_t i;
    char reported[TCE_NAME_MAX] = "\x01";

    for (i = 0; i < sc->n_fields; i++) {
        const struct field *f = &sc->fields[i];
        config_setting_t *enclosing = NULL, *s;
        char missing[TCE_NAME_MAX], key[2 * TCE_NAME_MAX];
        struct line_ref r;
        int slot = slot0 + (int)i;

        snprintf(key, sizeof(key), "%s%s%s", shown_prefix,
                 shown_prefix[0] ? "." : "", f->key);
        s = lookup(root, f->key, &enclosing, missing, sizeof(missing));
        if (!s) {
            r = tce_cfg_where(ld, enclosing);
            if (config_setting_type(enclosing) != CONFIG_TYPE_GROUP)
                continue; /* reported by check_members */
            mark(ld, slot, 0, r);
            if (!(f->flags & F_REQ))
                continue;
            if (missing[0]) {
                if (strcmp(missing, reported) != 0) {
                    char mkey[2 * TCE_NAME_MAX];

                    snprintf(mkey, sizeof(mkey), "%s%s%s", shown_prefix,
                             shown_prefix[0] ? "." : "", missing);
                    tce_cfg_error(ld, r.file, r.line, mkey,
                                  "missing required group");
                    snprintf(reported, sizeof(reported), "%s", missing);
                }
            } else {
                tce_cfg_error(ld, r.file, r.line, key, "missing required key");
            }
            continue;
        }
        r = tce_cfg_where(ld, s);
        mark(ld, slot, 1, r);
        if (is_skipped(ld, s))
            continue;
        if (f->type == FT_LIST)
            read_list(ld, f, obj, s, key, tce_cfg_list_base(sc, i));
        else
            tce_cfg_read_value(ld, obj, f, s, key);
    }
    return 0;
}
