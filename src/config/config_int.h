/*
 * config_int.h - what the files of src/config/ share: the schema types, the
 * loader's state and the functions one step of loading offers the next.
 * Private: only the files of src/config/ include it (and with it
 * <libconfig.h>).
 *
 * Loading goes in four steps:
 *  1. source.c: read the file and its @include files into one buffer with
 *     a line map;
 *  2. parse.c: find integer literals libconfig 1.5 would wrap, parse;
 *  3. tree.c (getters.c, field.c): walk the schema (schema.c): unknown,
 *     missing, wrongly typed and out-of-range keys; defaults filled in;
 *  4. check.c: the cross-field rules (rules.h), only when every key was
 *     fine.
 * load.c ties them together.  Every error is one line
 * "path:line: error: key: what is wrong (got X)"; all errors of a file are
 * reported (up to ERRORS_MAX).
 */
#ifndef TCEMU_CONFIG_INT_H
#define TCEMU_CONFIG_INT_H

#include <libconfig.h>

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "tcemu/config.h"

#define INCLUDE_DEPTH_MAX 8
#define ERRORS_MAX 100
#define BADLIT_MAX 64
#define GOT_MAX 48 /* characters of a value quoted back */

/* ---- schema ------------------------------------------------------------ */

enum ftype { FT_INT, FT_DOUBLE, FT_BOOL, FT_STRING, FT_ENUM, FT_LIST, FT_ARRAY };

#define F_REQ 1u      /* required */
#define F_OPEN 2u     /* minimum is exclusive: (min, max] */
#define F_DERIVED 4u  /* default computed from other keys after loading */
#define F_NONEMPTY 8u /* string must not be empty */

struct schema;

struct field {
    const char *key; /* dotted path from the schema's root */
    enum ftype type;
    unsigned flags;
    int64_t imin, imax; /* FT_INT */
    double dmin, dmax;  /* FT_DOUBLE */
    const char *def;    /* default as text; NULL: 0, false or "" */
    const char *unit;
    const char *help;
    size_t offset; /* in the struct of the schema */
    size_t size;   /* of the member: int vs int64_t, char array size */
    const char *const *names;  /* FT_ENUM: NULL-terminated */
    const struct schema *elem; /* FT_LIST: the element schema */
    size_t count_offset;       /* FT_LIST, FT_ARRAY: int count in the struct */
    int max_count;             /* FT_LIST, FT_ARRAY */
};

struct loader;

struct schema {
    enum tce_config_kind kind;
    const char *name;
    const struct field *fields;
    size_t n_fields;
    size_t elem_size; /* list element struct size (element schemas) */
};

/* The schema of a kind; NULL for TCE_CONFIG_UNKNOWN. */
const struct schema *tce_cfg_schema(enum tce_config_kind kind);
/* Row of a key in a schema (its origin slot for top-level rows); -1 if
 * none. */
int tce_cfg_slot(const struct schema *sc, const char *key);
/* Origin slots: top-level rows first, then each list row's elements; the
 * first slot of row's list (row = n_fields: the number of slots). */
int tce_cfg_list_base(const struct schema *sc, size_t row);
/* The origin slot of field `key` of entry `index` of list `list` (e.g.
 * "contracts", 2, "term_months"); -1 if there is no such list or field. */
int tce_cfg_list_slot(const struct schema *sc, const char *list, int index,
                      const char *key);

/* ---- field values (field.c) -------------------------------------------- */

void tce_cfg_put_int(void *obj, const struct field *f, int64_t v);
int64_t tce_cfg_get_int(const void *obj, const struct field *f);
void tce_cfg_put_double(void *obj, const struct field *f, double v);
double tce_cfg_get_double(const void *obj, const struct field *f);
void tce_cfg_put_string(void *obj, const struct field *f, const char *v);
/* "[lo, hi]" or "(lo, hi]"; an enum's names "a, b, c". */
void tce_cfg_range_text(const struct field *f, char *buf, size_t size);
void tce_cfg_enum_text(const struct field *f, char *buf, size_t size);
/* Number of names of an FT_ENUM row. */
int tce_cfg_enum_count(const struct field *f);
/* The schema's default (derived keys 0; a list empty). */
void tce_cfg_set_default(void *obj, const struct field *f);
/* Every row of a schema set to its default. */
void tce_cfg_defaults(const struct schema *sc, void *obj);

/* ---- the loader -------------------------------------------------------- */

struct line_ref {
    int file; /* index into origin-style file table */
    int line;
};

struct badlit { /* an integer literal libconfig would mangle */
    int line;   /* combined line */
    char name[TCE_NAME_MAX];
    char text[GOT_MAX];
    int too_big_64; /* else: needs the L suffix */
};

struct pending { /* an error, reported sorted by file and line */
    int file, line, seq;
    char key[2 * TCE_NAME_MAX];
    char msg[512];
};

struct loader {
    struct tce_diag *diag;
    struct pending pending[ERRORS_MAX];
    int n_pending;
    int errors; /* of this load */
    int n_files;
    char files[TCE_CONFIG_FILES_MAX][TCE_TEXT_MAX]; /* as cited */
    dev_t chain_dev[INCLUDE_DEPTH_MAX + 1]; /* include chain, for loops */
    ino_t chain_ino[INCLUDE_DEPTH_MAX + 1];
    int depth;
    char *buf;
    size_t len, cap;
    struct line_ref *map;
    size_t n_lines, cap_lines;
    struct badlit bad[BADLIT_MAX];
    int n_bad;
    config_t cfg;
    int parsed;
    struct tce_config_origin *origin;
    const config_setting_t *skip[BADLIT_MAX]; /* settings already reported */
    int n_skip;
};

int tce_cfg_error(struct loader *ld, int file, int line, const char *key,
                  const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Report the errors found so far, by file and line. */
void tce_cfg_flush(struct loader *ld);
int tce_cfg_append_line(struct loader *ld, const char *s, size_t n, int file,
                        int line);
/* Index of path in ld->files (added if new); -1 when the table is full. */
int tce_cfg_add_file(struct loader *ld, const char *path);
/* Read file index fi (already in ld->files) into the buffer. */
int tce_cfg_expand_file(struct loader *ld, int fi, int from_file,
                        int from_line);
/* Read, lex (when lex) and parse path.  0, or TCE_ECONFIG after reporting. */
int tce_cfg_parse(struct loader *ld, const char *path, struct tce_diag *diag,
                  int lex);
void tce_cfg_release(struct loader *ld);

/* (file, line) of a setting. */
struct line_ref tce_cfg_where(const struct loader *ld,
                              const config_setting_t *s);
/* A setting's value as quoted back in messages. */
void tce_cfg_describe(const config_setting_t *s, char *buf, size_t size);
/* Read one present setting into the struct through its typed getter. */
void tce_cfg_read_value(struct loader *ld, void *obj, const struct field *f,
                        config_setting_t *s, const char *key);
/* Unknown keys and non-groups below group (prefix: its schema path). */
void tce_cfg_check_members(struct loader *ld, const struct schema *sc,
                           const char *prefix, const char *shown,
                           config_setting_t *group);
/* Every row of a schema: present (typed, ranged), missing (required or
 * default).  slot0 is the origin slot of row 0. */
int tce_cfg_walk(struct loader *ld, const struct schema *sc,
                 config_setting_t *root, void *obj, const char *shown_prefix,
                 int slot0);

/* ---- cross-field rules (check.c) --------------------------------------- */

int tce_cfg_topology_check(const struct tce_topology *t, struct tce_diag *d);
int tce_cfg_calibration_check(const struct tce_calibration *c,
                              struct tce_diag *d);

#endif
