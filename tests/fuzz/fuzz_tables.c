/*
 * fuzz_tables.c - libFuzzer harness for the reference tables: each input is
 * written to a file in a private directory and read as the Megatron-LM
 * SC21 table (validation.h), the Megatron-Bridge performance summaries
 * (bridge.h) and the held-out references (recipes.h), which share one
 * CSV reader (input.h tce_csv_read) and one field splitter (util.h
 * tce_csv_split); the splitter also runs on the raw input.  A reader that
 * accepts the input must return at most the rows it was given room for,
 * with the fields its header promises in range (numbers positive, text
 * NUL-terminated inside its buffer); anything else, or a sanitizer
 * finding, aborts.  Built and run by `make fuzz` (clang); seeds: the
 * shipped reference tables.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcemu/bridge.h"
#include "tcemu/error.h"
#include "tcemu/recipes.h"
#include "tcemu/util.h"
#include "tcemu/validation.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define ROWS 8

static const char *input_path(void)
{
    /* libFuzzer calls in with no context: one process-wide directory */
    static char path[256];
    char dir[] = "/tmp/tce-fuzz-tables-XXXXXX";

    if (path[0])
        return path;
    if (!mkdtemp(dir))
        abort();
    snprintf(path, sizeof(path), "%s/input.csv", dir);
    return path;
}

static void terminated(const char *s, size_t n)
{
    if (!memchr(s, '\0', n))
        abort();
}

static void check_recipes(const struct tce_recipe_row *r, int n)
{
    int i;

    if (n < 0 || n > ROWS)
        abort();
    for (i = 0; i < n; i++) {
        terminated(r[i].recipe, sizeof(r[i].recipe));
        terminated(r[i].job, sizeof(r[i].job));
        terminated(r[i].notes, sizeof(r[i].notes));
        if (!r[i].flops_name)
            abort();
        if (r[i].gpus < 1 || r[i].tp < 1 || r[i].pp < 1 || r[i].cp < 1 ||
            r[i].ep < 1 || r[i].mbs < 1 || r[i].gbs < 1 || r[i].seq < 1 ||
            !(r[i].published_tflops > 0) || r[i].source_line < 1 ||
            (r[i].flops != TCE_RECIPES_FLOPS_MEGATRON_LM &&
             r[i].flops != TCE_RECIPES_FLOPS_NEMO_LLAMA))
            abort();
    }
}

static void check_sc21(const struct tce_validation_row *r, int n)
{
    int i;

    if (n < 0 || n > ROWS)
        abort();
    for (i = 0; i < n; i++) {
        terminated(r[i].params, sizeof(r[i].params));
        if (r[i].heads < 1 || r[i].tp < 1 || r[i].pp < 1 || r[i].gpus < 1 ||
            !(r[i].published_tflops >= 0))
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = input_path();
    struct tce_recipe_row *rec = calloc(ROWS, sizeof(*rec));
    struct tce_bridge_row *br = calloc(ROWS, sizeof(*br));
    struct tce_validation_row *sc = calloc(ROWS, sizeof(*sc));
    char *line = malloc(size + 1), *f[16];
    struct tce_error err;
    FILE *fp = fopen(path, "wb");
    int n = -1, k;

    if (!fp || !rec || !br || !sc || !line)
        abort();
    if (size && fwrite(data, 1, size, fp) != size)
        abort();
    fclose(fp);
    memcpy(line, data, size);
    line[size] = '\0';
    k = tce_csv_split(line, f, 16);
    if (k < -1 || k > 16)
        abort();
    if (tce_recipes_read(path, rec, ROWS, &n, &err) == 0)
        check_recipes(rec, n);
    n = -1;
    if (tce_bridge_read(path, br, ROWS, &n, &err) == 0 &&
        (n < 1 || n > ROWS))
        abort();
    n = -1;
    if (tce_validation_read(path, sc, ROWS, &n, &err) == 0)
        check_sc21(sc, n);
    (void)tce_recipes_detect(path);
    (void)tce_bridge_detect(path);
    free(line);
    free(sc);
    free(br);
    free(rec);
    return 0;
}
