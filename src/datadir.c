/*
 * datadir.c - the data directories and NAME lookup (see datadir.h).
 */
#include "tcemu/datadir.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tcemu/util.h"

#ifndef TCE_DATA_DIR
#define TCE_DATA_DIR "/usr/local/share/tcemu"
#endif

/* How far above the executable's directory a checkout may lie
 * (bin/tcemu: 1; build/san/tcemu: 2; BUILD_ROOT/rel/x: 3). */
#define CHECKOUT_LEVELS 3

static const struct {
    const char *name, *subdir, *checkout_subdir, *ext;
} kinds[TCE_DATA_KIND_COUNT] = {
    [TCE_DATA_PATH] = {"file", "", "", ""},
    [TCE_DATA_TOPOLOGY] = {"topology", "topologies", "topologies", ".cfg"},
    [TCE_DATA_JOB] = {"job", "jobs", "jobs", ".cfg"},
    [TCE_DATA_REFERENCE] = {"reference table", "reference",
                            "tests/fixtures/reference", ".csv"},
};

const char *tce_datadir_compiled(void)
{
    return TCE_DATA_DIR;
}

const char *tce_datadir_kind_name(enum tce_data_kind kind)
{
    return (unsigned)kind < TCE_DATA_KIND_COUNT ? kinds[kind].name : "file";
}

static int is_dir(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int is_file(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int join(char *out, size_t size, const char *a, const char *b)
{
    int n = snprintf(out, size, "%s%s%s", a, a[0] && b[0] ? "/" : "", b);

    return n >= 0 && (size_t)n < size ? 0 : TCE_ERANGE;
}

/* Does dir look like a checkout (1), an installed tree (0), neither (-1)? */
static int layout_of(const char *dir)
{
    char p[TCE_DATADIR_PATH_MAX];

    if (join(p, sizeof(p), dir, "topologies") != 0 || !is_dir(p))
        return -1;
    if (join(p, sizeof(p), dir, "tests/fixtures/reference") == 0 && is_dir(p))
        return 1;
    return 0;
}

static void add(struct tce_datadir *d, const char *dir, int checkout,
                const char *why)
{
    struct tce_datadir_root *r;
    int i;

    if (!dir || !dir[0] || d->n >= TCE_DATADIR_ROOTS_MAX ||
        strlen(dir) >= sizeof(d->roots[0].dir))
        return;
    for (i = 0; i < d->n; i++)
        if (strcmp(d->roots[i].dir, dir) == 0)
            return;
    r = &d->roots[d->n++];
    snprintf(r->dir, sizeof(r->dir), "%s", dir);
    r->checkout = checkout;
    r->why = why;
}

/* path without its last component ("/a/b" -> "/a", "/a" -> "/"). */
static void parent(char *path)
{
    char *s = strrchr(path, '/');

    if (!s)
        path[0] = '\0';
    else if (s == path)
        path[1] = '\0';
    else
        *s = '\0';
}

static void add_beside_exe(struct tce_datadir *d, const char *exe)
{
    char dir[TCE_DATADIR_PATH_MAX], prefix[TCE_DATADIR_PATH_MAX];
    char p[TCE_DATADIR_PATH_MAX];
    int i;

    if (!exe || exe[0] != '/' || strlen(exe) >= sizeof(dir))
        return;
    snprintf(dir, sizeof(dir), "%s", exe);
    parent(dir); /* PREFIX/bin */
    snprintf(prefix, sizeof(prefix), "%s", dir);
    parent(prefix); /* PREFIX */
    if (snprintf(p, sizeof(p), "%s/share/tcemu",
                 strcmp(prefix, "/") ? prefix : "") < (int)sizeof(p) &&
        layout_of(p) == 0)
        add(d, p, 0, "installed beside the executable");
    for (i = 0; i < CHECKOUT_LEVELS && strcmp(dir, "/") != 0; i++) {
        parent(dir);
        if (layout_of(dir) == 1) {
            add(d, dir, 1, "the checkout of the executable");
            break;
        }
    }
}

void tce_datadir_init(struct tce_datadir *d, const char *env, const char *exe,
                      const char *cwd, const char *compiled)
{
    memset(d, 0, sizeof(*d));
    if (cwd && strlen(cwd) < sizeof(d->cwd))
        snprintf(d->cwd, sizeof(d->cwd), "%s", cwd);
    if (env && env[0]) {
        add(d, env, layout_of(env) == 1, TCE_DATADIR_ENV);
        return;
    }
    add_beside_exe(d, exe);
    add(d, compiled, layout_of(compiled ? compiled : "") == 1,
        "compiled in");
    if (cwd && layout_of(cwd) == 1)
        add(d, cwd, 1, "the checkout in the current directory");
}

void tce_datadir_init_process(struct tce_datadir *d)
{
    char exe[TCE_DATADIR_PATH_MAX], cwd[TCE_DATADIR_PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

    exe[n > 0 ? n : 0] = '\0';
    if (!getcwd(cwd, sizeof(cwd)))
        cwd[0] = '\0';
    tce_datadir_init(d, getenv(TCE_DATADIR_ENV), exe, cwd, TCE_DATA_DIR);
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);

    return k > 0 && n >= k && strcmp(s + n - k, suffix) == 0;
}

int tce_datadir_is_name(enum tce_data_kind kind, const char *arg)
{
    if ((unsigned)kind >= TCE_DATA_KIND_COUNT || kind == TCE_DATA_PATH ||
        !arg || !arg[0] || strcmp(arg, "-") == 0 || strchr(arg, '/') ||
        strcmp(arg, ".") == 0 || strcmp(arg, "..") == 0)
        return 0;
    return !ends_with(arg, kinds[kind].ext);
}

static int candidate(const struct tce_datadir_root *r, enum tce_data_kind kind,
                     const char *name, char *out, size_t size)
{
    char sub[TCE_DATADIR_PATH_MAX];
    int n;

    if (join(sub, sizeof(sub), r->dir,
             r->checkout ? kinds[kind].checkout_subdir : kinds[kind].subdir))
        return TCE_ERANGE;
    n = snprintf(out, size, "%s/%s%s", sub, name, kinds[kind].ext);
    return n >= 0 && (size_t)n < size ? 0 : TCE_ERANGE;
}

/* The known NAME of kind nearest to name (edit distance at most 2, or a
 * third of its length), "" when none. */
static void nearest(const struct tce_datadir *d, enum tce_data_kind kind,
                    const char *name, char *best, size_t size)
{
    char dir[TCE_DATADIR_PATH_MAX], stem[128];
    size_t ext = strlen(kinds[kind].ext), len = strlen(name);
    int i, dist, best_dist = len / 3 > 2 ? (int)(len / 3) : 2;
    struct dirent *e;
    DIR *dp;

    best[0] = '\0';
    for (i = 0; i < d->n; i++) {
        const struct tce_datadir_root *r = &d->roots[i];

        if (join(dir, sizeof(dir), r->dir,
                 r->checkout ? kinds[kind].checkout_subdir
                             : kinds[kind].subdir) != 0 ||
            !(dp = opendir(dir)))
            continue;
        while ((e = readdir(dp)) != NULL) {
            size_t n = strlen(e->d_name);

            if (n <= ext || n - ext >= sizeof(stem) ||
                !ends_with(e->d_name, kinds[kind].ext))
                continue;
            snprintf(stem, sizeof(stem), "%.*s", (int)(n - ext), e->d_name);
            dist = tce_edit_distance(name, stem);
            if (dist <= best_dist && (dist < best_dist || !best[0] ||
                                      strcmp(stem, best) < 0)) {
                best_dist = dist;
                snprintf(best, size, "%s", stem);
            }
        }
        closedir(dp);
    }
}

/* path, shortened to be relative to d->cwd when it lies below it. */
static int shown(const struct tce_datadir *d, const char *path, char *out,
                 size_t size)
{
    size_t n = strlen(d->cwd);
    int k;

    if (n > 1 && strncmp(path, d->cwd, n) == 0 && path[n] == '/')
        path += n + 1;
    k = snprintf(out, size, "%s", path);
    return k >= 0 && (size_t)k < size ? 0 : TCE_ERANGE;
}

int tce_datadir_find(const struct tce_datadir *d, enum tce_data_kind kind,
                     const char *name, char *out, size_t size,
                     struct tce_error *err)
{
    char path[TCE_DATADIR_PATH_MAX], tried[TCE_ERROR_MSG_MAX] = "";
    char best[160];
    size_t used = 0;
    int i, k;

    for (i = 0; i < d->n; i++) {
        if (candidate(&d->roots[i], kind, name, path, sizeof(path)) != 0)
            continue;
        if (is_file(path)) {
            if (shown(d, path, out, size) != 0)
                return tce_error_set(err, TCE_ERANGE, "path too long: %s",
                                     path);
            return 0;
        }
        k = snprintf(tried + used, sizeof(tried) - used, "%s%s",
                     used ? ", " : "", path);
        if (k > 0 && (size_t)k < sizeof(tried) - used)
            used += (size_t)k;
    }
    nearest(d, kind, name, best, sizeof(best));
    return tce_error_set(
        err, TCE_EUSAGE, "no %s named '%s' (tried %s%s)%s%s%s%s",
        tce_datadir_kind_name(kind), name, d->n ? tried : "no data directory",
        is_file(name) ? "; for the file here write ./" : "",
        is_file(name) ? name : "", best[0] ? "; did you mean '" : "",
        best[0] ? best : "", best[0] ? "'?" : "");
}

int tce_datadir_resolve(enum tce_data_kind kind, const char *arg, char *out,
                        size_t size, struct tce_error *err)
{
    struct tce_datadir d;
    int k;

    if (tce_datadir_is_name(kind, arg)) {
        tce_datadir_init_process(&d);
        return tce_datadir_find(&d, kind, arg, out, size, err);
    }
    k = snprintf(out, size, "%s", arg ? arg : "");
    if (k < 0 || (size_t)k >= size)
        return tce_error_set(err, TCE_ERANGE, "path too long: %.200s...",
                             arg);
    return 0;
}
