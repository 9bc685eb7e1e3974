/*
 * schema_int.h - the macros that build the schema tables (schema.c,
 * schema_cal.c): one initialiser per key type, each row naming the
 * struct member it fills.  Private to src/config/.
 */
#ifndef TCEMU_CONFIG_SCHEMA_INT_H
#define TCEMU_CONFIG_SCHEMA_INT_H

#include <stddef.h>
#include <stdint.h>

#include "config_int.h"

#define MSIZE(st, m) sizeof(((st *)0)->m)
#define I64(st, m, k, fl, lo, hi, d, u, h)                                     \
    {                                                                          \
        .key = k, .type = FT_INT, .flags = fl, .imin = lo, .imax = hi,         \
        .def = d, .unit = u, .help = h, .offset = offsetof(st, m),             \
        .size = MSIZE(st, m)                                                   \
    }
#define DBL(st, m, k, fl, lo, hi, d, u, h)                                     \
    {                                                                          \
        .key = k, .type = FT_DOUBLE, .flags = fl, .dmin = lo, .dmax = hi,      \
        .def = d, .unit = u, .help = h, .offset = offsetof(st, m),             \
        .size = MSIZE(st, m)                                                   \
    }
#define BOOL(st, m, k, d, h)                                                   \
    {                                                                          \
        .key = k, .type = FT_BOOL, .def = d, .unit = "", .help = h,            \
        .offset = offsetof(st, m), .size = MSIZE(st, m)                        \
    }
#define STR(st, m, k, fl, h)                                                   \
    {                                                                          \
        .key = k, .type = FT_STRING, .flags = fl, .unit = "", .help = h,       \
        .offset = offsetof(st, m), .size = MSIZE(st, m)                        \
    }
#define ENUM(st, m, k, fl, nm, d, h)                                           \
    {                                                                          \
        .key = k, .type = FT_ENUM, .flags = fl, .def = d, .unit = "",          \
        .help = h, .offset = offsetof(st, m), .size = MSIZE(st, m),            \
        .names = nm                                                            \
    }
#define LIST(st, m, cnt, k, fl, sch, mx, h)                                    \
    {                                                                          \
        .key = k, .type = FT_LIST, .flags = fl, .unit = "", .help = h,         \
        .offset = offsetof(st, m), .size = MSIZE(st, m), .elem = sch,          \
        .count_offset = offsetof(st, cnt), .max_count = mx                     \
    }

/* An array of at most mx numbers in [lo, hi] (doubles at m, their count an
 * int at cnt), as libconfig writes it: [1.0, 2.5]. */
#define ARR(st, m, cnt, k, fl, lo, hi, mx, u, h)                               \
    {                                                                          \
        .key = k, .type = FT_ARRAY, .flags = fl, .dmin = lo, .dmax = hi,       \
        .unit = u, .help = h, .offset = offsetof(st, m), .size = MSIZE(st, m), \
        .count_offset = offsetof(st, cnt), .max_count = mx                     \
    }

#define N_FIELDS(a) (sizeof(a) / sizeof((a)[0]))

#define I30 (INT64_C(1) << 30)
#define I20 (INT64_C(1) << 20)
#define I24 (INT64_C(1) << 24)

/* The calibration file's schema (schema_cal.c). */
const struct schema *tce_cfg_calibration_schema(void);

/* Names of the link classes and link paths (schema.c), shared with the
 * calibration tables. */
extern const char *const tce_cfg_link_names[];
extern const char *const tce_cfg_link_path_names[];

#endif
