/*
 * datadir.h - where tcemu finds the files it ships (topologies, jobs, the
 * published reference data), so `-t aws-p5 -j llama3-70b` and `tcemu
 * reproduce` work from any directory, installed or in a checkout.
 *
 * What the user types is a path or a NAME.  A path (it has a '/', or ends
 * in the kind's extension, .cfg or .csv; "-" is standard input) is opened
 * as typed.  A NAME is looked up as SUBDIR/NAME.EXT under the data
 * directories, first hit wins:
 *
 *   1. $TCEMU_DATA_DIR, when set and not empty: the only one searched;
 *   2. PREFIX/share/tcemu beside the executable (BIN/../share/tcemu), so a
 *      tree installed with DESTDIR or moved elsewhere still finds its files;
 *   3. the source checkout the executable was built in (bin/tcemu,
 *      build/san/tcemu: an ancestor up to three levels up that holds
 *      topologies/ and tests/fixtures/reference/);
 *   4. the directory compiled in (TCE_DATA_DIR, from `make install
 *      PREFIX=...`; /usr/local/share/tcemu by default);
 *   5. the current directory, when it is a checkout.
 *
 * Layouts: an installed tree has topologies/, jobs/, reference/; a checkout
 * has topologies/, jobs/, tests/fixtures/reference/.  A path found is given
 * relative to the current directory when it lies below it (so outputs made
 * in the checkout name topologies/aws-p5.cfg, as typed paths do).  Errors
 * name every file tried and the nearest known NAME.
 *
 * tce_datadir_init() is pure (the tests give it the environment, the
 * executable's path, the current directory and the compiled-in directory);
 * tce_datadir_init_process() reads them from the process.  Layer: utility
 * (below config, which resolves -t/-j NAMEs as it loads).
 */
#ifndef TCEMU_DATADIR_H
#define TCEMU_DATADIR_H

#include <stddef.h>

#include "tcemu/error.h"

#define TCE_DATADIR_ENV "TCEMU_DATA_DIR"
#define TCE_DATADIR_ROOTS_MAX 5
#define TCE_DATADIR_PATH_MAX 512

enum tce_data_kind {
    TCE_DATA_PATH,      /* not looked up: every argument is a path */
    TCE_DATA_TOPOLOGY,  /* topologies/NAME.cfg */
    TCE_DATA_JOB,       /* jobs/NAME.cfg */
    TCE_DATA_REFERENCE, /* reference/NAME.csv (checkout:
                           tests/fixtures/reference/NAME.csv) */
    TCE_DATA_KIND_COUNT
};

struct tce_datadir_root {
    char dir[TCE_DATADIR_PATH_MAX];
    int checkout;      /* source-tree layout */
    const char *why;   /* "TCEMU_DATA_DIR", "installed beside the
                          executable", ... (static text) */
};

struct tce_datadir {
    int n;
    struct tce_datadir_root roots[TCE_DATADIR_ROOTS_MAX];
    char cwd[TCE_DATADIR_PATH_MAX]; /* "" when unknown */
};

/* The search order above from explicit inputs (any may be NULL): env the
 * value of TCEMU_DATA_DIR, exe the executable's absolute path, cwd the
 * current directory, compiled the compiled-in directory.  Directories 2, 3
 * and 5 are kept only when they exist; 1 and 4 always (an error then names
 * them); duplicates once. */
void tce_datadir_init(struct tce_datadir *d, const char *env, const char *exe,
                      const char *cwd, const char *compiled);

/* The same from this process: getenv, /proc/self/exe, getcwd, TCE_DATA_DIR. */
void tce_datadir_init_process(struct tce_datadir *d);

/* The directory compiled in (PREFIX/share/tcemu). */
const char *tce_datadir_compiled(void);

/* 1 when arg is a NAME of kind (looked up), 0 when it is a path. */
int tce_datadir_is_name(enum tce_data_kind kind, const char *arg);

/* The first root holding SUBDIR/name.EXT: its path in out.  TCE_EUSAGE
 * with "no topology named 'X' (tried A, B; did you mean 'Y'?)" when none
 * does, TCE_ERANGE when the path does not fit size. */
int tce_datadir_find(const struct tce_datadir *d, enum tce_data_kind kind,
                     const char *name, char *out, size_t size,
                     struct tce_error *err);

/* What to open for arg as typed: a path copied as is (NULL: ""), a NAME
 * found through tce_datadir_init_process()'s roots. */
int tce_datadir_resolve(enum tce_data_kind kind, const char *arg, char *out,
                        size_t size, struct tce_error *err);

/* "topology", "job", "reference table" (for messages). */
const char *tce_datadir_kind_name(enum tce_data_kind kind);

#endif
