/*
 * error.h - error codes and the error record every tcemu function fills.
 *
 * Functions return 0 on success or a negative TCE_E* code, and fill an
 * optional struct tce_error with the message and, for input errors, the
 * user's file, line and key.  One X-macro list (TCE_ERRNO_MAP) generates the
 * codes, their messages and the process exit status each maps to, so the
 * three can never drift apart (the libuv UV_ERRNO_MAP habit).
 *
 * Exit statuses (documented in README.md):
 *   0 ok, 1 runtime failure, 2 bad usage or configuration,
 *   3 a check failed, 4 a hang was detected (watchdog), 5 stopped by a
 *   signal (SIGUSR1/SIGTERM) with the partial results written, marked
 *   incomplete.  Under mpirun or srun, 128+N means a rank was killed by
 *   signal N (reported by the launcher, not by tcemu).
 */
#ifndef TCEMU_ERROR_H
#define TCEMU_ERROR_H

#include <stdarg.h>
#include <stdio.h>

enum tce_exit {
    TCE_EXIT_OK = 0,
    TCE_EXIT_RUNTIME = 1,
    TCE_EXIT_USAGE = 2,
    TCE_EXIT_CHECK = 3,
    TCE_EXIT_HANG = 4,
    TCE_EXIT_STOPPED = 5,
};

/* X(name, value, exit status, message) */
#define TCE_ERRNO_MAP(X)                                                      \
    X(NOMEM, -1, TCE_EXIT_RUNTIME, "out of memory")                           \
    X(IO, -2, TCE_EXIT_RUNTIME, "input/output error")                         \
    X(USAGE, -3, TCE_EXIT_USAGE, "bad usage")                                 \
    X(CONFIG, -4, TCE_EXIT_USAGE, "bad configuration")                        \
    X(RANGE, -5, TCE_EXIT_USAGE, "value out of range")                        \
    X(PARSE, -6, TCE_EXIT_USAGE, "cannot parse value")                        \
    X(MPI, -7, TCE_EXIT_RUNTIME, "MPI failure")                               \
    X(CHECK, -8, TCE_EXIT_CHECK, "check failed")                              \
    X(HANG, -9, TCE_EXIT_HANG, "operation hung (watchdog timeout)")           \
    X(NOFIT, -10, TCE_EXIT_USAGE, "no valid layout")                          \
    X(INTERNAL, -11, TCE_EXIT_RUNTIME, "internal error")                      \
    X(INTERRUPTED, -12, TCE_EXIT_STOPPED, "stopped by a signal")

enum tce_errno {
#define TCE_ERRNO_ENUM(name, value, exit_status, msg) TCE_E##name = (value),
    TCE_ERRNO_MAP(TCE_ERRNO_ENUM)
#undef TCE_ERRNO_ENUM
};

#define TCE_ERROR_MSG_MAX 512
#define TCE_ERROR_PATH_MAX 1024
#define TCE_ERROR_KEY_MAX 128

struct tce_error {
    int code;                         /* 0 or a TCE_E* code */
    char msg[TCE_ERROR_MSG_MAX];      /* what is wrong, without prefix */
    char file[TCE_ERROR_PATH_MAX];    /* user's file, "" when none */
    int line;                         /* user's line, 0 when unknown */
    char key[TCE_ERROR_KEY_MAX];      /* dotted config key, "" when none */
};

/* Message of a code ("unknown error" for codes outside the map). */
const char *tce_strerror(int code);

/* Process exit status of a code: 0 for 0, else one of enum tce_exit. */
int tce_exit_status(int code);

/*
 * Record an error and return code, so callers can write
 *     return tce_error_set(err, TCE_EUSAGE, "bad --gpus '%s'", arg);
 * err may be NULL.  The first error recorded wins only if the caller
 * resets; each call overwrites.
 */
int tce_error_set(struct tce_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* As tce_error_set, with the user's file, line and key. */
int tce_error_set_at(struct tce_error *err, int code, const char *file,
                     int line, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* Clear a record (code 0, empty strings). */
void tce_error_clear(struct tce_error *err);

/*
 * Print a record on stream as one line:
 *   path:line: error: key: message      (input errors)
 *   tcemu: error: message               (others)
 */
void tce_error_print(const struct tce_error *err, FILE *stream);

#endif
