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
 * CSV (RFC 4180 fields, LF line ends): the keys (after a "schema" column
 * when the report names one), then per row INT as %lld, DOUBLE as %.9g,
 * BOOL as 0/1 and TEXT always in double quotes (a quote inside doubled);
 * an empty field where a column's `when` says no for the row.
 * JSON: one object per row; consecutive columns with the same `group` sit
 * in one object named group; a column whose `when` says no for a row is
 * left out of it; `put_json` writes a member itself (a nested report); DOUBLE through tce_json_double (%.17g), BOOL
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
    TCE_REPORT_TEXT,   /* const char * (a pointer member; with chars, a
                          char array member), or get */
};

/* Which outputs show a column. */
#define TCE_REPORT_HUMAN 1u
#define TCE_REPORT_CSV 2u
#define TCE_REPORT_JSON 4u
#define TCE_REPORT_ALL (TCE_REPORT_HUMAN | TCE_REPORT_CSV | TCE_REPORT_JSON)

#define TCE_REPORT_VALUE_BUF 160

struct tce_report_value {
    enum tce_report_type type;
    int64_t i;     /* INT, BOOL */
    double d;      /* DOUBLE */
    const char *s; /* TEXT */
    char buf[TCE_REPORT_VALUE_BUF]; /* room for a get's text (s = buf) */
};

struct tce_report;

/* How a human table writes a number (CSV and JSON always raw). */
enum tce_report_as {
    TCE_REPORT_AS_FMT,   /* printf through fmt */
    TCE_REPORT_AS_SI,    /* humanfmt: 1.91M, 37.2M, 15.6T */
    TCE_REPORT_AS_USD,   /* humanfmt: USD 255.6M */
    TCE_REPORT_AS_COUNT, /* humanfmt: 16,384 */
};

struct tce_report_column {
    const char *key;      /* CSV column and JSON key */
    const char *json_key; /* JSON key when it differs from key (NULL) */
    const char *group;    /* JSON object holding it (NULL: the row's) */
    const char *human;    /* human header (NULL: "") */
    const char *unit;     /* human units line (NULL: none) */
    const char *fmt;      /* human value format, see above */
    const char *sep;      /* human separator before it (NULL: " ") */
    int hwidth;           /* header width when not fmt's (0: fmt's) */
    double scale;         /* human value = value x scale (0: 1) */
    double div;           /* ... / div (0: 1), e.g. 1e6 for millions */
    enum tce_report_as as; /* human number style (fmt gives the width) */
    int part;             /* human: 0 in every split table, else the
                             split it belongs to (tce_report.human_part) */
    const char *yes, *no; /* human text of a BOOL (NULL: "yes", "no") */
    unsigned in;          /* TCE_REPORT_HUMAN | _CSV | _JSON */
    enum tce_report_type type;
    size_t offset;        /* of the value in a row, when get is NULL */
    int chars;            /* TEXT at offset: a NUL-terminated char array
                             in the row, not a pointer */
    /* computed value of row i (NULL: read at offset) */
    void (*get)(const struct tce_report *r, int i,
                struct tce_report_value *v);
    /* JSON: row i has this column (NULL: always); a row without it leaves
     * the member out */
    int (*when)(const struct tce_report *r, int i);
    /* JSON: write the member named name of row i yourself (a nested
     * object, e.g. another report's row); NULL: the value as a scalar */
    void (*put_json)(struct tce_json *j, const char *name,
                     const struct tce_report *r, int i);
    /* a nested report whose row i belongs to this row i: in JSON an
     * object named key (its JSON columns), in CSV its CSV columns inline,
     * each key after csv_prefix (NULL: key and '_'); not in human tables */
    void (*sub)(const struct tce_report *r, struct tce_report *out);
    const char *csv_prefix;
};

struct tce_report {
    const struct tce_report_column *cols;
    int n_cols;
    const void *rows; /* n_rows rows of row_size bytes */
    size_t row_size;
    int n_rows;
    const void *ctx;  /* for get and json_extra */
    int human_part;       /* human: 0 every column (--wide), else the
                             columns of part 0 and this part */
    const char *schema;   /* CSV: a first column "schema" with this value
                             in every row (NULL: none) */
    const char *row_lead; /* before a human data row (NULL: " "); the
                             header line starts with "#", which takes the
                             first column's first place when row_lead is
                             "" */
    void (*json_extra)(struct tce_json *j, const struct tce_report *r,
                       int i);
};

/* t set to n_cols columns over n_rows rows of row_size bytes at rows, every
 * other field zero (set schema, row_lead, ... after). */
void tce_report_init(struct tce_report *t,
                     const struct tce_report_column *cols, int n_cols,
                     const void *rows, size_t row_size, int n_rows);

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

/* Row i's members alone, into the object the caller has open. */
void tce_report_json_members(struct tce_json *j, const struct tce_report *r,
                             int i);

/* Every row as a JSON array named key. */
void tce_report_json_rows(struct tce_json *j, const char *key,
                          const struct tce_report *r);

/* The layout's columns, the same in every table that shows a layout
 * (project, search): L(key, human header, human format, member of struct
 * tce_layout) is the table's own row macro, which knows where its rows keep
 * the layout.  One place for their names, headers and widths. */
#define TCE_REPORT_LAYOUT_COLUMNS(L)                                           \
    L("tp", "tp", "3d", tp), L("pp", "pp", "3d", pp),                          \
        L("vpp", "vpp", "3d", vpp), L("cp", "cp", "3d", cp),                   \
        L("ep", "ep", "3d", ep), L("dp", "dp", "6d", dp),                      \
        L("micro_batch_size", "mbsz", "4d", micro_batch),                      \
        L("microbatches", "n_mb", "5d", microbatches)

#endif
