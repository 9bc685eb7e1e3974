/*
 * report.h - one description of a result's columns, three outputs: a
 * human table (nccl-tests style: '#' on every non-data line, units in the
 * headers), CSV (a header line of keys, raw numbers) and JSON objects
 * (through tce_json).  A column added to the table appears in all three
 * (or in those its `in` names).
 *
 *   static const struct tce_report_column cols[] = {
 *       {.key = "gpus", .human = "gpus", .fmt = "6d", .in = TCE_REPORT_ALL,
 *        .type = TCE_REPORT_INT, .offset = offsetof(struct row, gpus)},
 *       {.key = "tp", .group = "layout", ...},
 *       {.key = "mfu", .human = "MFU%", .fmt = "5.1f", .scale = 100, ...},
 *   };
 *   struct tce_report r = {cols, n, rows, sizeof(rows[0]), n_rows};
 *   tce_report_human_header(out, &r); for (i...) tce_report_human_row(...);
 *   tce_report_csv(out, &r);
 *   tce_report_json_rows(&json, "results", &r);
 *
 * Human: each line starts with '#' (headers) or ' ' (data); each column is
 * preceded by its separator (" " unless sep says otherwise, e.g. " | "
 * between groups) and printed right-aligned in the width of its fmt
 * ("[-][+]WIDTH[.PREC]CONV", CONV d for INT, f g e for DOUBLE, s for TEXT
 * and BOOL; '-' left-aligns, '+' signs).  The header line gives each
 * column's `human` in the same width; a second '#' line of units follows
 * when a column has one (up to the last column that has one).
 * CSV: the keys, then per row INT as %lld, DOUBLE as %.9g, BOOL as 0/1 and
 * TEXT as is (quoted when it holds a comma or a quote).
 * JSON: one object per row; consecutive columns with the same `group` sit
 * in one object named group; DOUBLE through tce_json_double (%.17g), BOOL
 * as true/false.  json_extra, when set, adds members at the end of each
 * row's object (an object computed elsewhere, e.g. a bill).
 */
#ifndef TCEMU_REPORT_H
#define TCEMU_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tcemu/json.h"

enum tce_report_type {
    TCE_REPORT_INT,    /* int64_t */
    TCE_REPORT_DOUBLE, /* double */
    TCE_REPORT_BOOL,   /* int, 0 or 1 */
    TCE_REPORT_TEXT,   /* const char * (a pointer member), or get */
};

/* Which outputs show a column. */
#define TCE_REPORT_HUMAN 1u
#define TCE_REPORT_CSV 2u
#define TCE_REPORT_JSON 4u
#define TCE_REPORT_ALL (TCE_REPORT_HUMAN | TCE_REPORT_CSV | TCE_REPORT_JSON)

struct tce_report_value {
    enum tce_report_type type;
    int64_t i;     /* INT, BOOL */
    double d;      /* DOUBLE */
    const char *s; /* TEXT */
};

struct tce_report;

struct tce_report_column {
    const char *key;      /* CSV column and JSON key */
    const char *json_key; /* JSON key when it differs from key (NULL) */
    const char *group;    /* JSON object holding it (NULL: the row's) */
    const char *human;    /* human header (NULL: "") */
    const char *unit;     /* human units line (NULL: none) */
    const char *fmt;      /* human value format, see above */
    const char *sep;      /* human separator before it (NULL: " ") */
    double scale;         /* human value = value x scale (0: 1) */
    const char *yes, *no; /* human text of a BOOL (NULL: "yes", "no") */
    unsigned in;          /* TCE_REPORT_HUMAN | _CSV | _JSON */
    enum tce_report_type type;
    size_t offset;        /* of the value in a row, when get is NULL */
    /* computed value of row i (NULL: read at offset) */
    void (*get)(const struct tce_report *r, int i,
                struct tce_report_value *v);
};

struct tce_report {
    const struct tce_report_column *cols;
    int n_cols;
    const void *rows; /* n_rows rows of row_size bytes */
    size_t row_size;
    int n_rows;
    const void *ctx;  /* for get and json_extra */
    void (*json_extra)(struct tce_json *j, const struct tce_report *r,
                       int i);
};

/* Row i's value of column c. */
void tce_report_value(const struct tce_report *r,
                      const struct tce_report_column *c, int i,
                      struct tce_report_value *v);

/* The human header line ("# ...") and, if any column has a unit, the
 * units line. */
void tce_report_human_header(FILE *out, const struct tce_report *r);

/* Data row i of the human table. */
void tce_report_human_row(FILE *out, const struct tce_report *r, int i);

/* The header and every row. */
void tce_report_human(FILE *out, const struct tce_report *r);

/* The CSV header line and every row. */
void tce_report_csv(FILE *out, const struct tce_report *r);

/* Row i as a JSON object named key (NULL inside an array). */
void tce_report_json_row(struct tce_json *j, const char *key,
                         const struct tce_report *r, int i);

/* Every row as a JSON array named key. */
void tce_report_json_rows(struct tce_json *j, const char *key,
                          const struct tce_report *r);

#endif
