/*
 * input.h - reading an input file whole, bounded and without blocking.
 *
 * Configs, includes, calibration files and reference tables are read
 * through tce_input_read(): the file is opened non-blocking (a FIFO with no
 * writer cannot hang the command), checked with fstat to be a regular file
 * (a FIFO, device, socket or directory is refused, so /dev/zero cannot spin
 * forever) and no larger than max_bytes, then read whole and NUL-
 * terminated.  On failure *why is a static phrase for the message ("not a
 * regular file", "file too large (more than 256 KiB)", strerror(errno)).
 *
 * The cap: libconfig 1.5 checks each new setting against its siblings one
 * by one, so parsing grows with the square of a group's size.  Measured on
 * the development machine (2 cores, Debian 12, libconfig 1.5), one group of
 * 40-byte subgroups parsed in 0.05 s at 64 KiB, 0.58 s at 256 KiB and 11 s
 * at 1 MiB.  256 KiB keeps the worst case under a second and is 25 times
 * the largest shipped file.
 */
#ifndef TCEMU_INPUT_H
#define TCEMU_INPUT_H

#include <stddef.h>
#include <sys/stat.h>

#define TCE_INPUT_BYTES_MAX (256u * 1024u)
#define TCE_INPUT_TOO_LARGE "file too large (more than 256 KiB)"

/* Returns 0, or TCE_EIO with *why set; *out is malloc'ed (free it), *len
 * its length without the NUL; st_out (may be NULL) gets the file's stat. */
int tce_input_read(const char *path, char **out, size_t *len,
                   struct stat *st_out, const char **why);

/* The same with another cap, for inputs that are not parsed by libconfig
 * (framework logs: megatronlog.h); *why "file too large" past it. */
int tce_input_read_max(const char *path, size_t max_bytes, char **out,
                       size_t *len, struct stat *st_out, const char **why);

/* The next content line of a buffer tce_input_read returned: splits it at
 * '\n' in place, drops a trailing '\r', counts every line in *lineno and
 * skips '#' comment and empty lines.  Start with *cursor = the buffer and
 * *lineno = 0; NULL at the end. */
char *tce_input_next_line(char **cursor, int *lineno);

struct tce_error;

/* A CSV table read by tce_csv_read: its header line, then one record per
 * content line (tce_input_next_line: '#' comments and empty lines skipped;
 * fields split by tce_csv_split, util.h). */
struct tce_csv_table {
    /* 0 when fields f[0..nf) are the expected header */
    int (*header)(char **f, int nf, void *ctx);
    const char *header_what; /* "not <header_what>" when header refuses */
    /* one record: 0, or e set (the message after "bad row: ") */
    int (*row)(char **f, int nf, int lineno, void *ctx,
               struct tce_error *e);
    void *ctx;
    int max_rows;
};

/* Read path as table t: *n_rows records given to t->row.  0; TCE_EUSAGE
 * (unreadable); TCE_ECONFIG at path:line (an unterminated quote, not the
 * header, more than max_rows rows, a bad row) or with no data rows. */
int tce_csv_read(const char *path, const struct tce_csv_table *t,
                 int *n_rows, struct tce_error *err);

#endif
