/*
 * util.h - strict parsing of numbers, sizes and GPU-count lists.
 *
 * Every parser takes the whole string or fails: no trailing garbage, no
 * silent overflow, no atoi.  Sizes accept a decimal number with an optional
 * suffix K, M, G, T (powers of 1000) or Ki, Mi, Gi, Ti (powers of 1024) and an
 * optional trailing "B"; nothing else is guessed.
 */
#ifndef TCEMU_UTIL_H
#define TCEMU_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "tcemu/error.h"

#define TCE_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Parse a base-10 integer in [min, max].  0 or TCE_EPARSE / TCE_ERANGE. */
int tce_parse_int64(const char *s, int64_t min, int64_t max, int64_t *out,
                    struct tce_error *err);

/* Parse a finite double in [min, max]. */
int tce_parse_double(const char *s, double min, double max, double *out,
                     struct tce_error *err);

/* Parse a byte size the nccl-tests way: digits with an optional fraction,
 * then nothing, B, K M G T (either case, 1024^n) or Ki Mi Gi Ti with an
 * optional B ("256M" is 268435456 bytes).  Whole bytes, at most 2^62. */
int tce_parse_size(const char *s, int64_t *out_bytes, struct tce_error *err);

/* Format bytes the way nccl-tests tables do (plain integer). */

/*
 * A list of GPU counts from --gpus: "1024", "1024,2048,4096",
 * "1024:65536:x2" (multiply) or "8:64:+8" (add).  Bounds inclusive.
 */
#define TCE_GPU_LIST_MAX 256
struct tce_gpu_list {
    int n;
    int64_t gpus[TCE_GPU_LIST_MAX];
};

int tce_parse_gpu_list(const char *s, struct tce_gpu_list *out,
                       struct tce_error *err);

/* Levenshtein distance of two short strings (for "did you mean"). */
int tce_edit_distance(const char *a, const char *b);

/* Monotonic wall-clock seconds. */
double tce_now_s(void);

/* Checked arithmetic on user numbers: *out = a * b (a + b); TCE_ERANGE
 * (and *out unspecified) on overflow, never undefined behaviour. */
int tce_mul_i64(int64_t a, int64_t b, int64_t *out);
int tce_add_i64(int64_t a, int64_t b, int64_t *out);

/* Length (1 to 4) of the well-formed UTF-8 sequence at p (NUL-terminated
 * string), or 0 when the bytes there are not UTF-8 (stray continuation,
 * overlong form, surrogate, past U+10FFFF, truncated). */
size_t tce_utf8_seq_len(const unsigned char *p);

/* A list of names as Megatron-LM's list options take them (comma- or
 * blank-separated: --recompute-modules, --cuda-graph-modules), each one of
 * names[0 .. n-1]: the OR of their bits in *mask ("" gives 0).
 * TCE_ECONFIG "unknown <what> 'x' (a, b, ...)" otherwise (*mask
 * unchanged). */
struct tce_name_bit {
    const char *name;
    unsigned bit;
};
int tce_parse_name_list(const char *list, const struct tce_name_bit *names,
                        size_t n, const char *what, unsigned *mask,
                        struct tce_error *err);

/* Copy list into dst (size bytes); TCE_ECONFIG "<key>: list longer than
 * N characters" (dst unchanged) when it does not fit. */
int tce_copy_list(char *dst, size_t size, const char *list, const char *key,
                  struct tce_error *err);

/* Split one CSV record in place (RFC 4180: "a, ""b""" is one field): f[i]
 * points into line; returns the number of fields (at most max), or -1 on
 * an unterminated quote. */
int tce_csv_split(char *line, char **f, int max);

#endif
