/* output.c - safe result files (see output.h). */
#define _DEFAULT_SOURCE /* O_NOFOLLOW, O_CLOEXEC, realpath */
#include "tcemu/output.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int fail(struct tce_error *err, const char *path, int e)
{
    return tce_error_set(err, TCE_EIO, "cannot write %s: %s", path,
                         e ? strerror(e) : "a write failed");
}

/* The directory part of path into dir ("." when none). */
static void dir_of(const char *path, char *dir, size_t size)
{
    const char *slash = strrchr(path, '/');

    if (!slash)
        snprintf(dir, size, ".");
    else if (slash == path)
        snprintf(dir, size, "/");
    else
        snprintf(dir, size, "%.*s", (int)(slash - path), path);
}

/* What path is: 0 nothing there, 1 regular file (dest = what to rename
 * over), 2 in place (device, FIFO, socket); negative on refusal. */
static int classify(const char *path, char *dest, size_t size,
                    struct tce_error *err)
{
    struct stat st;
    char real[PATH_MAX];

    if (lstat(path, &st) != 0) {
        if (errno != ENOENT)
            return fail(err, path, errno);
        snprintf(dest, size, "%s", path);
        return 0;
    }
    if (S_ISLNK(st.st_mode)) {
        if (stat(path, &st) != 0)
            return tce_error_set(err, TCE_EIO,
                                 "cannot write %s: a symbolic link to "
                                 "nothing (%s)",
                                 path, strerror(errno));
        if (S_ISREG(st.st_mode)) {
            if (!realpath(path, real) || strlen(real) >= size)
                return fail(err, path, errno ? errno : ENAMETOOLONG);
            snprintf(dest, size, "%s", real);
            return 1;
        }
    }
    if (S_ISDIR(st.st_mode))
        return fail(err, path, EISDIR);
    snprintf(dest, size, "%s", path);
    return S_ISREG(st.st_mode) ? 1 : 2;
}

int tce_output_check(const char *path, struct tce_error *err)
{
    char dest[TCE_ERROR_PATH_MAX], dir[TCE_ERROR_PATH_MAX];
    int kind;

    if (strcmp(path, "-") == 0)
        return 0;
    if (!*path)
        return tce_error_set(err, TCE_EUSAGE, "empty output path");
    if (strlen(path) >= sizeof(dest))
        return tce_error_set(err, TCE_EUSAGE, "path too long: %.64s...",
                             path);
    kind = classify(path, dest, sizeof(dest), err);
    if (kind < 0)
        return kind;
    if (kind == 2)
        return access(dest, W_OK) == 0 ? 0 : fail(err, path, errno);
    dir_of(dest, dir, sizeof(dir));
    if (access(dir, W_OK | X_OK) != 0)
        return fail(err, path, errno);
    return 0;
}

int tce_output_check_all(const char *const *paths, int n,
                         struct tce_error *err)
{
    int i, rc = 0;

    for (i = 0; i < n && rc == 0; i++)
        if (paths[i])
            rc = tce_output_check(paths[i], err);
    return rc;
}

static int open_in_place(struct tce_output *o, struct tce_error *err)
{
    int fd = open(o->dest, O_WRONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);

    if (fd < 0 && errno == ENXIO)
        return tce_error_set(err, TCE_EIO,
                             "cannot write %s: a FIFO with no reader",
                             o->path);
    if (fd < 0)
        return fail(err, o->path, errno);
    /* back to blocking writes: a reader is there */
    (void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    o->fp = fdopen(fd, "w");
    if (!o->fp) {
        int e = errno;
        close(fd);
        return fail(err, o->path, e);
    }
    o->in_place = 1;
    return 0;
}

static int open_temporary(struct tce_output *o, struct tce_error *err)
{
    char dir[TCE_ERROR_PATH_MAX];
    unsigned long long seed;
    struct timespec ts;
    int fd = -1, tries;

    dir_of(o->dest, dir, sizeof(dir));
    clock_gettime(CLOCK_REALTIME, &ts);
    seed = (unsigned long long)ts.tv_nsec ^
           ((unsigned long long)getpid() << 20) ^ (uintptr_t)o;
    for (tries = 0; tries < 100 && fd < 0; tries++) {
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        snprintf(o->tmp_path, sizeof(o->tmp_path), "%s/.tcemu-%012llx.tmp",
                 dir, (seed >> 16) & 0xffffffffffffULL);
        fd = open(o->tmp_path,
                  O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
        if (fd < 0 && errno != EEXIST)
            return fail(err, o->path, errno);
    }
    if (fd < 0)
        return fail(err, o->path, EEXIST);
    o->fp = fdopen(fd, "w");
    if (!o->fp) {
        int e = errno;
        close(fd);
        unlink(o->tmp_path);
        return fail(err, o->path, e);
    }
    return 0;
}

int tce_output_open(struct tce_output *o, const char *path,
                    struct tce_error *err)
{
    int kind;

    memset(o, 0, sizeof(*o));
    if (strcmp(path, "-") == 0) {
        o->fp = stdout;
        o->is_stdout = 1;
        return 0;
    }
    if (!*path)
        return tce_error_set(err, TCE_EUSAGE, "empty output path");
    if (strlen(path) >= sizeof(o->path))
        return tce_error_set(err, TCE_EUSAGE, "path too long: %.64s...",
                             path);
    strcpy(o->path, path);
    kind = classify(path, o->dest, sizeof(o->dest), err);
    if (kind < 0)
        return kind;
    return kind == 2 ? open_in_place(o, err) : open_temporary(o, err);
}

int tce_output_commit(struct tce_output *o, struct tce_error *err)
{
    int e = 0;

    if (!o->fp)
        return 0;
    if (o->is_stdout) {
        errno = 0;
        if (fflush(stdout) != 0 || ferror(stdout))
            e = errno ? errno : -1;
        o->fp = NULL;
        return e ? fail(err, "stdout", e > 0 ? e : 0) : 0;
    }
    errno = 0;
    if (fflush(o->fp) != 0 || ferror(o->fp))
        e = errno ? errno : -1;
    if (!e && !o->in_place && fsync(fileno(o->fp)) != 0)
        e = errno;
    if (fclose(o->fp) != 0 && !e)
        e = errno ? errno : -1;
    o->fp = NULL;
    if (o->in_place)
        return e ? fail(err, o->path, e > 0 ? e : 0) : 0;
    if (!e && rename(o->tmp_path, o->dest) != 0)
        e = errno;
    if (e) {
        unlink(o->tmp_path);
        return fail(err, o->path, e > 0 ? e : 0);
    }
    return 0;
}

void tce_output_abort(struct tce_output *o)
{
    if (!o->fp)
        return;
    if (!o->is_stdout) {
        fclose(o->fp);
        if (!o->in_place)
            unlink(o->tmp_path);
    }
    o->fp = NULL;
}
