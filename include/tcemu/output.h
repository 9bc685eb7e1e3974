/*
 * output.h - result files that are never half-written, and never replace
 * what is not a regular file.
 *
 * tce_output_open("-") writes to stdout; tce_output_commit() then checks
 * that every byte reached it (a failed write to stdout is an error).
 *
 * Any other path:
 *  - a regular file (or nothing yet, or a symbolic link to a regular file):
 *    written to a temporary file created exclusively in the target's
 *    directory (O_CREAT | O_EXCL | O_NOFOLLOW, a random name, mode from the
 *    umask), then flushed, fsync'ed, closed and renamed over the target (a
 *    link's target, so the link stays) by tce_output_commit(): a reader
 *    never sees a partial file, and an old result is only replaced by a
 *    complete new one.  Every write, flush, fsync and close is checked.
 *  - an existing device, FIFO or socket (/dev/null, a pipe to a reader):
 *    written in place, never replaced (a FIFO without a reader is refused
 *    rather than waited for).
 *  - a directory, a dangling link, an empty path: refused.
 * Errors name the path the user gave and are TCE_EIO (exit 1) or
 * TCE_EUSAGE for an empty or too long path (exit 2).  tce_output_abort()
 * removes the temporary file.  A run that is cut short (a time limit)
 * should still commit what it has, marked incomplete by the writer.
 *
 * tce_output_check() answers, before long work starts, whether open would
 * succeed (the directory exists and is writable, the target is not a
 * directory), without creating anything.
 */
#ifndef TCEMU_OUTPUT_H
#define TCEMU_OUTPUT_H

#include <stdio.h>

#include "tcemu/error.h"

struct tce_output {
    FILE *fp;
    int is_stdout;
    int in_place;                          /* device, FIFO, socket */
    char path[TCE_ERROR_PATH_MAX];         /* as the user gave it */
    char dest[TCE_ERROR_PATH_MAX];         /* what is renamed over */
    char tmp_path[TCE_ERROR_PATH_MAX + 32];
};

int tce_output_check(const char *path, struct tce_error *err);

/* tce_output_check for each of the n paths a command's options name, NULL
 * ones skipped, the first that fails answered (every result file is
 * checked before any long work). */
int tce_output_check_all(const char *const *paths, int n,
                         struct tce_error *err);
int tce_output_open(struct tce_output *o, const char *path,
                    struct tce_error *err);
/* Check, flush, fsync, close and rename into place. */
int tce_output_commit(struct tce_output *o, struct tce_error *err);
void tce_output_abort(struct tce_output *o);

#endif
