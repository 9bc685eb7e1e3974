/* test_output.c - safe result files: temporary file and rename for regular
 * files, in place for devices and FIFOs, never a replaced non-regular file,
 * links kept, errors naming the user's path.  Devices are private nodes
 * made in a scratch directory (root only; skipped otherwise), never the
 * machine's own /dev/null or /dev/full. */
#define _DEFAULT_SOURCE /* mknod, makedev */
#include "tce_test.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "tcemu/error.h"
#include "tcemu/output.h"

static char dir[256];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/tce-test-output-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    char cmd[300];
    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static const char *at(const char *name)
{
    static char buf[3][512]; /* test helper: three paths at a time */
    static int k;
    k = (k + 1) % 3;
    snprintf(buf[k], sizeof(buf[k]), "%s/%s", dir, name);
    return buf[k];
}

static int entries(void)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;

    while (d && (e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            n++;
    if (d)
        closedir(d);
    return n;
}

static void slurp(const char *path, char *buf, size_t size)
{
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(buf, 1, size - 1, f) : 0;
    buf[n] = '\0';
    if (f)
        fclose(f);
}

static void test_regular_file_replaced_whole(void **state)
{
    struct tce_output o;
    struct tce_error err;
    char buf[64];
    (void)state;

    tce_error_clear(&err);
    assert_int_equal(tce_output_open(&o, at("r.json"), &err), 0);
    fputs("first\n", o.fp);
    assert_int_equal(tce_output_commit(&o, &err), 0);
    slurp(at("r.json"), buf, sizeof(buf));
    assert_string_equal(buf, "first\n");
    /* the old result stays until the new one is complete */
    assert_int_equal(tce_output_open(&o, at("r.json"), &err), 0);
    fputs("second\n", o.fp);
    fflush(o.fp);
    slurp(at("r.json"), buf, sizeof(buf));
    assert_string_equal(buf, "first\n");
    assert_int_equal(entries(), 2); /* r.json and the temporary */
    assert_int_equal(tce_output_commit(&o, &err), 0);
    slurp(at("r.json"), buf, sizeof(buf));
    assert_string_equal(buf, "second\n");
    assert_int_equal(entries(), 1);
    /* abort leaves the old result and no temporary */
    assert_int_equal(tce_output_open(&o, at("r.json"), &err), 0);
    fputs("third\n", o.fp);
    tce_output_abort(&o);
    slurp(at("r.json"), buf, sizeof(buf));
    assert_string_equal(buf, "second\n");
    assert_int_equal(entries(), 1);
}

static void test_long_name(void **state)
{
    struct tce_output o;
    struct tce_error err;
    char name[251];
    (void)state;

    memset(name, 'a', 250);
    name[250] = '\0';
    assert_int_equal(tce_output_open(&o, at(name), &err), 0);
    fputs("x\n", o.fp);
    assert_int_equal(tce_output_commit(&o, &err), 0);
    assert_int_equal(access(at(name), F_OK), 0);
}

static void test_symlink_target_written_link_kept(void **state)
{
    struct tce_output o;
    struct tce_error err;
    struct stat st;
    char buf[64];
    (void)state;

    assert_int_equal(symlink("target.json", at("link.json")), 0);
    close(open(at("target.json"), O_WRONLY | O_CREAT, 0644));
    assert_int_equal(tce_output_open(&o, at("link.json"), &err), 0);
    fputs("via link\n", o.fp);
    assert_int_equal(tce_output_commit(&o, &err), 0);
    assert_int_equal(lstat(at("link.json"), &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    slurp(at("target.json"), buf, sizeof(buf));
    assert_string_equal(buf, "via link\n");
    /* a link to nothing is refused, naming the user's path */
    assert_int_equal(symlink("nowhere", at("dangling.json")), 0);
    tce_error_clear(&err);
    assert_int_equal(tce_output_open(&o, at("dangling.json"), &err), TCE_EIO);
    assert_non_null(strstr(err.msg, "dangling.json"));
}

static void test_refusals(void **state)
{
    struct tce_output o;
    struct tce_error err;
    (void)state;

    tce_error_clear(&err);
    assert_int_equal(tce_output_open(&o, "", &err), TCE_EUSAGE);
    assert_int_equal(tce_output_check("", &err), TCE_EUSAGE);
    assert_int_equal(tce_output_open(&o, dir, &err), TCE_EIO);
    assert_int_equal(tce_output_check(dir, &err), TCE_EIO);
    assert_int_equal(tce_output_check(at("no/such/dir/x.json"), &err),
                     TCE_EIO);
    assert_non_null(strstr(err.msg, "no/such/dir/x.json"));
    assert_int_equal(tce_output_check(at("fresh.json"), &err), 0);
    assert_int_equal(access(at("fresh.json"), F_OK), -1); /* not created */
    assert_int_equal(tce_output_check("-", &err), 0);
}

static void test_fifo_without_reader(void **state)
{
    struct tce_output o;
    struct tce_error err;
    struct stat st;
    (void)state;

    assert_int_equal(mkfifo(at("pipe"), 0600), 0);
    tce_error_clear(&err);
    assert_int_equal(tce_output_open(&o, at("pipe"), &err), TCE_EIO);
    assert_non_null(strstr(err.msg, "no reader"));
    assert_int_equal(stat(at("pipe"), &st), 0);
    assert_true(S_ISFIFO(st.st_mode));
}

static void test_private_devices(void **state)
{
    struct tce_output o;
    struct tce_error err;
    struct stat st;
    (void)state;

    if (geteuid() != 0 ||
        mknod(at("null"), S_IFCHR | 0666, makedev(1, 3)) != 0 ||
        mknod(at("full"), S_IFCHR | 0666, makedev(1, 7)) != 0) {
        print_message("# skipped: private device nodes need root\n");
        return;
    }
    /* written in place, still a device afterwards */
    assert_int_equal(tce_output_open(&o, at("null"), &err), 0);
    fputs("discarded\n", o.fp);
    assert_int_equal(tce_output_commit(&o, &err), 0);
    assert_int_equal(stat(at("null"), &st), 0);
    assert_true(S_ISCHR(st.st_mode));
    /* a device that refuses the bytes is an error naming the path */
    tce_error_clear(&err);
    assert_int_equal(tce_output_open(&o, at("full"), &err), 0);
    fputs("lost\n", o.fp);
    assert_int_equal(tce_output_commit(&o, &err), TCE_EIO);
    assert_non_null(strstr(err.msg, "full"));
    assert_int_equal(stat(at("full"), &st), 0);
    assert_true(S_ISCHR(st.st_mode));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_regular_file_replaced_whole,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_long_name, setup, teardown),
        cmocka_unit_test_setup_teardown(test_symlink_target_written_link_kept,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fifo_without_reader, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_private_devices, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
