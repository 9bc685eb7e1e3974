/*
 * getters.c - typed getters: one present libconfig setting read into a
 * struct field, with a wrong type or an out-of-range value reported as one
 * error that quotes the value back.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "config_int.h"

struct line_ref tce_cfg_where(const struct loader *ld,
                              const config_setting_t *s)
{
    struct line_ref r = {0, 1};
    unsigned l = s ? config_setting_source_line(s) : 0;

    if (l >= 1 && l <= ld->n_lines)
        r = ld->map[l - 1];
    return r;
}

void tce_cfg_describe(const config_setting_t *s, char *buf, size_t size)
{
    switch (config_setting_type(s)) {
    case CONFIG_TYPE_INT:
    case CONFIG_TYPE_INT64:
        snprintf(buf, size, "%lld", config_setting_get_int64(s));
        break;
    case CONFIG_TYPE_FLOAT: {
        double v = config_setting_get_float(s);

        /* keep a float looking like one: 8.0, not 8 */
        if (isfinite(v) && v == floor(v) && fabs(v) < 1e15)
            snprintf(buf, size, "%.1f", v);
        else
            snprintf(buf, size, "%g", v);
        break;
    }
    case CONFIG_TYPE_BOOL:
        snprintf(buf, size, "%s",
                 config_setting_get_bool(s) ? "true" : "false");
        break;
    case CONFIG_TYPE_STRING: {
        const char *v = config_setting_get_string(s);
        size_t n = v ? strlen(v) : 0;

        if (n > GOT_MAX)
            snprintf(buf, size, "\"%.*s...\"", GOT_MAX, v);
        else
            snprintf(buf, size, "\"%s\"", v ? v : "");
        break;
    }
    case CONFIG_TYPE_GROUP:
        snprintf(buf, size, "a group");
        break;
    case CONFIG_TYPE_ARRAY:
        snprintf(buf, size, "an array");
        break;
    case CONFIG_TYPE_LIST:
        snprintf(buf, size, "a list");
        break;
    default:
        snprintf(buf, size, "nothing");
        break;
    }
}

/*
 * Typed getters.  Each takes a setting that is present (missing keys are
 * told apart by the caller, which knows the enclosing group) and returns 0
 * with the value, or reports a wrong type or an out-of-range value as one
 * error and returns TCE_ECONFIG.  Integers are read with the int64 getter
 * (libconfig 1.5's int getter returns 0 past 32 bits); an integer is
 * accepted where a number is expected, a float never where an integer is.
 */
struct at { /* what a getter needs to report */
    struct loader *ld;
    const config_setting_t *s;
    const char *key;
    struct line_ref r;
    char got[GOT_MAX + 8];
};

static void at_init(struct at *a, struct loader *ld, const config_setting_t *s,
                    const char *key)
{
    a->ld = ld;
    a->s = s;
    a->key = key;
    a->r = tce_cfg_where(ld, s);
    tce_cfg_describe(s, a->got, sizeof(a->got));
}

static int get_int64(struct at *a, const struct field *f, int64_t *out)
{
    int t = config_setting_type(a->s), rc = 0;
    char range[128];
    int64_t v;

    if (t != CONFIG_TYPE_INT && t != CONFIG_TYPE_INT64) {
        rc = tce_cfg_error(a->ld, a->r.file, a->r.line, a->key,
                           "expected an integer (got %s)", a->got);
        goto out;
    }
    v = config_setting_get_int64(a->s);
    if (v < f->imin || v > f->imax) {
        tce_cfg_range_text(f, range, sizeof(range));
        rc = tce_cfg_error(a->ld, a->r.file, a->r.line, a->key,
                           "must be in %s (got %s)", range, a->got);
        goto out;
    }
    *out = v;
out:
    return rc;
}

static int get_double(struct at *a, const struct field *f, double *out)
{
    int t = config_setting_type(a->s), rc = 0;
    char range[128];
    double v = 0.0;

    if (t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64) {
        v = (double)config_setting_get_int64(a->s);
    } else if (t == CONFIG_TYPE_FLOAT) {
        v = config_setting_get_float(a->s);
    } else {
        rc = tce_cfg_error(a->ld, a->r.file, a->r.line, a->key,
                           "expected a number (got %s)", a->got);
        goto out;
    }
    if (!isfinite(v)) {
        rc = tce_cfg_error(a->ld, a->r.file, a->r.line, a->key,
                           "must be a finite number (got %s)", a->got);
        goto out;
    }
    if (v > f->dmax || v < f->dmin || ((f->flags & F_OPEN) && v <= f->dmin)) {
        tce_cfg_range_text(f, range, sizeof(range));
        rc = tce_cfg_error(a->ld, a->r.file, a->r.line, a->key,
                           "must be in %s (got %s)", range, a->got);
        goto out;
    }
    *out = v;
out:
    return rc;
}

/* An array (or list) of numbers, each as get_double reads one, into the
 * field's doubles and count. */
static int get_array(struct at *a, const struct field *f, void *obj)
{
    int t = config_setting_type(a->s), n, i, rc = 0, count = 0;
    double *v = (double *)((char *)obj + f->offset);

    if (t != CONFIG_TYPE_ARRAY && t != CONFIG_TYPE_LIST)
        return tce_cfg_error(a->ld, a->r.file, a->r.line, a->key,
                             "expected an array of numbers [ ... ] (got %s)",
                             a->got);
    n = config_setting_length(a->s);
    if (n > f->max_count)
        return tce_cfg_error(a->ld, a->r.file, a->r.line, a->key,
                             "at most %d numbers (got %d)", f->max_count, n);
    for (i = 0; i < n && rc == 0; i++) {
        struct at e;
        char ekey[2 * TCE_NAME_MAX];

        snprintf(ekey, sizeof(ekey), "%.100s[%d]", a->key, i);
        at_init(&e, a->ld, config_setting_get_elem(a->s, (unsigned)i), ekey);
        e.r = a->r; /* libconfig has no line for an element */
        rc = get_double(&e, f, &v[i]);
        count = i + 1;
    }
    if (rc == 0)
        memcpy((char *)obj + f->count_offset, &count, sizeof(count));
    return rc;
}

static int get_bool(struct at *a, int *out)
{
    int rc = 0;

    if (config_setting_type(a->s) != CONFIG_TYPE_BOOL)
        rc = tce_cfg_error(a->ld, a->r.file, a->r.line, a->key,
                           "expected true or false (got %s)", a->got);
    else
        *out = config_setting_get_bool(a->s) != 0;
    return rc;
}

/* A string that fits the field's char array (with its NUL). */
static int get_string(struct at *a, const struct field *f, const char **out)
{
    const char *v = NULL;
    int rc = 0;

    if (config_setting_type(a->s) != CONFIG_TYPE_STRING) {
        rc = tce_cfg_error(a->ld, a->r.file, a->r.line, a->key,
                           "expected a string (got %s)", a->got);
        goto out;
    }
    v = config_setting_get_string(a->s);
    if (!v)
        v = "";
    if (strlen(v) >= f->size) {
        rc = tce_cfg_error(a->ld, a->r.file, a->r.line, a->key,
                           "string too long: %zu bytes, at most %zu (got %s)",
                           strlen(v), f->size - 1, a->got);
        goto out;
    }
    if ((f->flags & F_NONEMPTY) && v[0] == '\0') {
        rc = tce_cfg_error(a->ld, a->r.file, a->r.line, a->key,
                           "must not be empty (got \"\")");
        goto out;
    }
    *out = v;
out:
    return rc;
}

/* One of the field's names; *out is its index. */
static int get_enum(struct at *a, const struct field *f, int *out)
{
    char names[128];
    const char *v;
    int i, rc = 0;

    tce_cfg_enum_text(f, names, sizeof(names));
    if (config_setting_type(a->s) != CONFIG_TYPE_STRING) {
        rc = tce_cfg_error(a->ld, a->r.file, a->r.line, a->key,
                           "expected a string, one of %s (got %s)", names,
                           a->got);
        goto out;
    }
    v = config_setting_get_string(a->s);
    for (i = 0; v && f->names[i]; i++)
        if (strcmp(f->names[i], v) == 0)
            break;
    if (!v || !f->names[i]) {
        rc = tce_cfg_error(a->ld, a->r.file, a->r.line, a->key,
                           "expected one of %s (got %s)", names, a->got);
        goto out;
    }
    *out = i;
out:
    return rc;
}

/* Read one present setting into the struct through its typed getter. */
void tce_cfg_read_value(struct loader *ld, void *obj, const struct field *f,
                        config_setting_t *s, const char *key)
{
    struct at a;
    int64_t iv = 0;
    double dv = 0.0;
    const char *sv = "";
    int bv = 0;

    at_init(&a, ld, s, key);
    switch (f->type) {
    case FT_INT:
        if (get_int64(&a, f, &iv) == 0)
            tce_cfg_put_int(obj, f, iv);
        break;
    case FT_DOUBLE:
        if (get_double(&a, f, &dv) == 0)
            tce_cfg_put_double(obj, f, dv);
        break;
    case FT_BOOL:
        if (get_bool(&a, &bv) == 0)
            tce_cfg_put_int(obj, f, bv);
        break;
    case FT_STRING:
        if (get_string(&a, f, &sv) == 0)
            tce_cfg_put_string(obj, f, sv);
        break;
    case FT_ENUM:
        if (get_enum(&a, f, &bv) == 0)
            tce_cfg_put_int(obj, f, bv);
        break;
    case FT_ARRAY:
        get_array(&a, f, obj);
        break;
    case FT_LIST:
        break;
    }
}
