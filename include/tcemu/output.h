/*
 * output.h - result files that are never half-written.
 *
 * tce_output_open("-") writes to stdout.  Any other path is written to a
 * temporary file beside it (path.tmp.PID) and renamed over path by
 * tce_output_commit(), so a reader never sees a partial file and an old
 * result is only replaced by a complete new one.  tce_output_abort() removes
 * the temporary file.  A run that is cut short (a time limit) should still
 * commit what it has, marked incomplete by the writer.
 */
#ifndef TCEMU_OUTPUT_H
#define TCEMU_OUTPUT_H

#include <stdio.h>

#include "tcemu/error.h"

struct tce_output {
    FILE *fp;
    int is_stdout;
    char path[TCE_ERROR_PATH_MAX];
    char tmp_path[TCE_ERROR_PATH_MAX + 32];
};

int tce_output_open(struct tce_output *o, const char *path,
                    struct tce_error *err);
/* Flush, fsync, close and rename into place. */
int tce_output_commit(struct tce_output *o, struct tce_error *err);
void tce_output_abort(struct tce_output *o);

#endif
