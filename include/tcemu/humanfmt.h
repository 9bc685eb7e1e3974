/*
 * humanfmt.h - numbers a planner reads in human tables (never in CSV or
 * JSON, which carry raw numbers): short-scale suffixes k = 1e3, M = 1e6,
 * B = 1e9, T = 1e12, P = 1e15 with about three significant digits
 * ("255.6M" keeps one decimal from 100 up: "1.91M", "37.2M", "255.6M"),
 * money as "USD 255.6M", counts with thousands separators ("16,384").
 * Never scientific notation: a value past 999.9P keeps the P suffix, one
 * below 0.001 (not 0) prints as "<0.001".
 * Every function writes a NUL-terminated string into buf (n bytes, at
 * least TCE_HUMANFMT_MAX) and returns buf.
 */
#ifndef TCEMU_HUMANFMT_H
#define TCEMU_HUMANFMT_H

#include <stddef.h>
#include <stdint.h>

#define TCE_HUMANFMT_MAX 40

/* 0.512, 12.3, 999, 1.91k, 37.2M, 255.6M, 15.6T; negatives with '-'. */
char *tce_humanfmt_si(double v, char *buf, size_t n);

/* "USD 255.6M", "USD 980", "USD 1.20B" (tce_humanfmt_si after "USD "). */
char *tce_humanfmt_usd(double usd, char *buf, size_t n);

/* 16384 -> "16,384"; -1234567 -> "-1,234,567". */
char *tce_humanfmt_count(int64_t v, char *buf, size_t n);

#endif
