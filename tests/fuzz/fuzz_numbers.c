/*
 * fuzz_numbers.c - libFuzzer harness for the command-line number parsers:
 * integers, floating point, byte sizes (K/M/G) and GPU lists (N, N,M,...,
 * FIRST:LAST:xK, FIRST:LAST:+K).  Any sanitizer finding (signed overflow,
 * out-of-bounds) is a crash; a GPU list that parses must be in range.
 * Built and run by `make fuzz` (clang).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tcemu/error.h"
#include "tcemu/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    struct tce_gpu_list *l = malloc(sizeof(*l));
    struct tce_error err;
    int64_t i = 0;
    double d = 0;
    int k;

    if (!s || !l)
        abort();
    memcpy(s, data, size);
    s[size] = '\0';
    (void)tce_parse_int64(s, INT64_MIN, INT64_MAX, &i, &err);
    (void)tce_parse_int64(s, 1, INT64_C(1) << 40, &i, &err);
    (void)tce_parse_double(s, -1e300, 1e300, &d, &err);
    (void)tce_parse_size(s, &i, &err);
    if (tce_parse_gpu_list(s, l, &err) == 0) {
        if (l->n < 1 || l->n > TCE_GPU_LIST_MAX)
            abort();
        for (k = 0; k < l->n; k++)
            if (l->gpus[k] < 1)
                abort();
    }
    free(l);
    free(s);
    return 0;
}
