/*
 * config.h - topology, job and calibration files, parsed and validated into
 * the plain structs of types.h (included here, so this header is all a
 * caller needs).
 *
 * Only src/config/ sees libconfig.  The schema tables in
 * src/config/schema.c (key, type, required, min, max, default, unit, help)
 * drive loading, the defaults (tce_job_defaults, ...), validation,
 * `tcemu validate --keys`, the README's reference section, `tcemu show`
 * (tce_config_visit) and the calibration writer.
 *
 * Errors: each is reported as one line
 *     path:line: error: key: what is wrong (got X)
 * through struct tce_diag; loading goes on after an error so that all errors
 * of a file are reported, and returns TCE_ECONFIG if there was any.
 */
#ifndef TCEMU_CONFIG_H
#define TCEMU_CONFIG_H

#include <stdint.h>
#include <stdio.h>

#include "tcemu/error.h"
#include "tcemu/types.h"

/* Where diagnostics go: one line each on stream, counted. */
struct tce_diag {
    FILE *stream;  /* stderr in the CLI; a memstream in tests */
    int errors;
    int warnings;
};

/* Functions taking a struct tce_diag * accept NULL: nothing is printed
 * (e.g. tce_job_check in a search loop that only wants the verdict). */
void tce_diag_init(struct tce_diag *d, FILE *stream);
/* Print "path:line: error: key: message" and count it; returns TCE_ECONFIG. */
int tce_diag_error(struct tce_diag *d, const char *path, int line,
                   const char *key, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
void tce_diag_warning(struct tce_diag *d, const char *path, int line,
                      const char *key, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* ------------------------------------------------------------------------ */

enum tce_config_kind {
    TCE_CONFIG_UNKNOWN,
    TCE_CONFIG_TOPOLOGY,
    TCE_CONFIG_JOB,
    TCE_CONFIG_CALIBRATION,
};

/* "topology", "job", "calibration"; NULL for unknown. */
const char *tce_config_kind_name(enum tce_config_kind kind);

/* Guess a file's kind from its top-level groups (model -> job, accelerator
 * -> topology, calibration -> calibration). */
int tce_config_detect_kind(const char *path, enum tce_config_kind *kind,
                           struct tce_diag *diag);

/* Load and validate.  On error all errors are reported through diag and
 * TCE_ECONFIG is returned; *out is then unspecified.  path may be a NAME
 * of a shipped topology or job (datadir.h: "aws-p5" is
 * topologies/aws-p5.cfg, installed or in the checkout; out->path is the
 * file found) or "-" for standard input (a regular file: tcemu validate
 * copies a pipe to one). */
int tce_topology_load(const char *path, struct tce_topology *out,
                      struct tce_diag *diag);
int tce_job_load(const char *path, struct tce_job *out,
                 struct tce_diag *diag);

/* Re-check the job's cross-field rules (rules.h) after a change of num_gpus
 * (--gpus); errors cite the job file. */
int tce_job_check(const struct tce_job *job, struct tce_diag *diag);
/* moe (issue 11): the rules between a job and a topology (rules.h: an FP8
 * job on an accelerator without an FP8 peak), cited at the job's line. */
int tce_job_topology_check(const struct tce_job *job,
                           const struct tce_topology *topo,
                           struct tce_diag *diag);

/* Every field from the schema's default column (0, false or "" where the
 * schema has none; the derived keys ffn_hidden_size, num_query_groups,
 * kv_channels and moe_ffn_hidden_size 0 until tce_job_derive); the loaders
 * start from the same.  For structs built by hand (tests, tools): defaults
 * first, then the fields one sets. */
void tce_job_defaults(struct tce_job *job);
void tce_topology_defaults(struct tce_topology *topo);
void tce_calibration_link_defaults(struct tce_calibration_link *link);
/* Fill the derived keys that are 0 from the others (ffn_hidden_size =
 * 4 hidden_size, num_query_groups = num_attention_heads, kv_channels =
 * hidden_size / num_attention_heads, moe_ffn_hidden_size =
 * ffn_hidden_size), as the loader does for keys not in the file. */
void tce_job_derive(struct tce_job *job);

/* libconfig's version, "1.5.0" (for --version). */
const char *tce_config_library_version(void);

/* Print the schema of a kind: key, type, unit, range, default, help. */
void tce_config_print_keys(enum tce_config_kind kind, FILE *out);
/* The same as a Markdown table, for README.md. */
void tce_config_print_keys_markdown(enum tce_config_kind kind, FILE *out);

int tce_calibration_load(const char *path, struct tce_calibration *out,
                         struct tce_diag *diag);
/* The entry of a link class, or NULL when the file has none. */
const struct tce_calibration_link *
tce_calibration_find(const struct tce_calibration *c, enum tce_link_class l);
/* Write c in the format above (what tce_calibration_load reads back). */
int tce_calibration_write(const struct tce_calibration *c, FILE *out);

/* ------------------------------------------------------------------------ */
/* Walking the resolved settings of a loaded file (for `tcemu show`). */

enum tce_config_type {
    TCE_CONFIG_INT,
    TCE_CONFIG_DOUBLE,
    TCE_CONFIG_BOOL,
    TCE_CONFIG_STRING,
    TCE_CONFIG_ENUM,
};

struct tce_config_value {
    char key[2 * TCE_NAME_MAX];       /* "model.hidden_size", "fabric[1].name" */
    enum tce_config_type type;
    int64_t i;                        /* INT; BOOL as 0/1 */
    double d;                         /* DOUBLE */
    const char *s;                    /* STRING, ENUM (the name) */
    const char *unit;                 /* "" when none */
    const char *help;
    int is_default;                   /* not in the file: default or derived */
};

/* Call fn for every key of obj (a struct tce_topology, tce_job or
 * tce_calibration as kind says), in schema order, list entries included. */
int tce_config_visit(enum tce_config_kind kind, const void *obj,
                     void (*fn)(const struct tce_config_value *v, void *arg),
                     void *arg);

#endif
