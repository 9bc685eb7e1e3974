/* output.c - atomic result files (see output.h). */
#include "tcemu/output.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

int tce_output_open(struct tce_output *o, const char *path,
                    struct tce_error *err)
{
    memset(o, 0, sizeof(*o));
    if (strcmp(path, "-") == 0) {
        o->fp = stdout;
        o->is_stdout = 1;
        return 0;
    }
    if (strlen(path) >= sizeof(o->path))
        return tce_error_set(err, TCE_EUSAGE, "path too long: %s", path);
    strcpy(o->path, path);
    snprintf(o->tmp_path, sizeof(o->tmp_path), "%s.tmp.%ld", path,
             (long)getpid());
    o->fp = fopen(o->tmp_path, "w");
    if (!o->fp)
        return tce_error_set(err, TCE_EIO, "cannot write %s: %s", o->tmp_path,
                             strerror(errno));
    return 0;
}

int tce_output_commit(struct tce_output *o, struct tce_error *err)
{
    int bad;

    if (!o->fp)
        return 0;
    if (o->is_stdout) {
        bad = fflush(stdout) != 0;
        o->fp = NULL;
        return bad ? tce_error_set(err, TCE_EIO, "cannot write stdout: %s",
                                   strerror(errno))
                   : 0;
    }
    bad = fflush(o->fp) != 0 || fsync(fileno(o->fp)) != 0;
    bad |= fclose(o->fp) != 0;
    o->fp = NULL;
    if (bad || rename(o->tmp_path, o->path) != 0) {
        int e = errno;
        unlink(o->tmp_path);
        return tce_error_set(err, TCE_EIO, "cannot write %s: %s", o->path,
                             strerror(e));
    }
    return 0;
}

void tce_output_abort(struct tce_output *o)
{
    if (!o->fp)
        return;
    if (!o->is_stdout) {
        fclose(o->fp);
        unlink(o->tmp_path);
    }
    o->fp = NULL;
}
