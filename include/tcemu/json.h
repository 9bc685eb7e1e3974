/*
 * json.h - a small streaming JSON encoder.
 *
 * The encoder tracks nesting and commas so callers cannot emit invalid JSON
 * by forgetting a separator; strings are escaped; non-finite numbers are
 * written as null.  tce_json_finish() closes whatever is still open, so a run
 * that aborts half-way still leaves a parseable document.
 *
 *     struct tce_json j;
 *     tce_json_init(&j, stream);
 *     tce_json_object_begin(&j, NULL);
 *     tce_json_string(&j, "schema", "tcemu.project/1");
 *     tce_json_array_begin(&j, "results");
 *     ...
 *     tce_json_finish(&j);
 *
 * Inside an object every value needs a key; inside an array keys are NULL.
 */
#ifndef TCEMU_JSON_H
#define TCEMU_JSON_H

#include <stdint.h>
#include <stdio.h>

#define TCE_JSON_DEPTH_MAX 32

struct tce_json {
    FILE *out;
    int depth;
    char kind[TCE_JSON_DEPTH_MAX]; /* '{' or '[' per level */
    int count[TCE_JSON_DEPTH_MAX]; /* members written per level */
    int pretty;                    /* newline + indent per member */
};

void tce_json_init(struct tce_json *j, FILE *out);
void tce_json_object_begin(struct tce_json *j, const char *key);
void tce_json_object_end(struct tce_json *j);
void tce_json_array_begin(struct tce_json *j, const char *key);
void tce_json_array_end(struct tce_json *j);
void tce_json_string(struct tce_json *j, const char *key, const char *value);
void tce_json_double(struct tce_json *j, const char *key, double value);
void tce_json_int(struct tce_json *j, const char *key, int64_t value);
void tce_json_bool(struct tce_json *j, const char *key, int value);
void tce_json_null(struct tce_json *j, const char *key);
/* Close every open level and end with a newline. */
void tce_json_finish(struct tce_json *j);

#endif
