/*
 * jobfile.h - write a job (struct tce_job, every key resolved) as a job
 * file that tce_job_load reads back to the same job (search2, issue 11).
 *
 * Every key of the schema is written, defaults and derived keys included,
 * in schema order and grouped as the schema groups them (model, parallel,
 * training, stack), through tce_config_visit: the file does not depend on
 * which keys the job's own file set.  Doubles are written with 17
 * significant digits (they read back bit for bit), integers past 32 bits
 * with libconfig's L suffix, enumerations by name.  `tcemu reproduce
 * --write-jobs` writes each Megatron-Bridge row's job, recipe settings
 * applied, with it.
 */
#ifndef TCEMU_JOBFILE_H
#define TCEMU_JOBFILE_H

#include <stdio.h>

#include "tcemu/config.h"
#include "tcemu/error.h"

/* Write job to out; 0, or TCE_EIO (err filled) when writing fails. */
int tce_jobfile_write(const struct tce_job *job, FILE *out,
                      struct tce_error *err);

/* Write job to the file at path (created or replaced); 0 or TCE_EIO. */
int tce_jobfile_save(const struct tce_job *job, const char *path,
                     struct tce_error *err);

#endif
