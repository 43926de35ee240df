/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A tiny TAP harness.  Each check prints one "ok"/"not ok" line; failures
 * print both values and file:line as TAP diagnostics.  tap_done() prints the
 * plan and returns the exit status, so main() ends with "return tap_done();".
 */
#ifndef CT_TAP_H
#define CT_TAP_H

#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

void tap_check(bool ok, const char *file, int line, const char *expr);
void tap_check_int(intmax_t got, intmax_t want, const char *file, int line,
		   const char *expr);
void tap_check_str(const char *got, const char *want, const char *file,
		   int line, const char *expr);
void tap_check_mem(const void *got, size_t gotlen, const void *want,
		   size_t wantlen, const char *file, int line, const char *expr);
void tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints the plan; returns 0 if every check passed, else 1. */
int tap_done(void);

#define CHECK(e) tap_check((e), __FILE__, __LINE__, #e)
#define CHECK_INT(got, want) \
	tap_check_int((intmax_t)(got), (intmax_t)(want), __FILE__, __LINE__, #got " == " #want)
#define CHECK_STR(got, want) tap_check_str((got), (want), __FILE__, __LINE__, #got " == " #want)
#define CHECK_MEM(got, glen, want, wlen) \
	tap_check_mem((got), (glen), (want), (wlen), __FILE__, __LINE__, #got " == " #want)
/* An error code check that prints names, not numbers. */
#define CHECK_ERR(got, want) CHECK_INT(got, want)

#endif
