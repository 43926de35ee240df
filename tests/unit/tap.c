/* SPDX-License-Identifier: Apache-2.0 */
#include "tap.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static unsigned tap_count, tap_failed;

void tap_check(bool ok, const char *file, int line, const char *expr)
{
	tap_count++;
	printf("%sok %u - %s\n", ok ? "" : "not ", tap_count, expr);
	if (!ok) {
		tap_failed++;
		printf("#   at %s:%d\n", file, line);
	}
	fflush(stdout);
}

void tap_check_int(intmax_t got, intmax_t want, const char *file, int line,
		   const char *expr)
{
	tap_check(got == want, file, line, expr);
	if (got != want)
		printf("#   got:  %jd\n#   want: %jd\n", got, want);
}

void tap_check_str(const char *got, const char *want, const char *file,
		   int line, const char *expr)
{
	bool ok = got != NULL && want != NULL && strcmp(got, want) == 0;

	tap_check(ok, file, line, expr);
	if (!ok)
		printf("#   got:  \"%s\"\n#   want: \"%s\"\n",
		       got ? got : "(null)", want ? want : "(null)");
}

static void dump(const char *label, const void *p, size_t n)
{
	const unsigned char *b = p;
	size_t i;

	printf("#   %s (%zu):", label, n);
	for (i = 0; i < n && i < 64; i++)
		printf(" %02x", b[i]);
	printf("%s\n", n > 64 ? " ..." : "");
}

void tap_check_mem(const void *got, size_t gotlen, const void *want,
		   size_t wantlen, const char *file, int line, const char *expr)
{
	bool ok = got != NULL && gotlen == wantlen &&
		  (wantlen == 0 || memcmp(got, want, wantlen) == 0);

	tap_check(ok, file, line, expr);
	if (!ok) {
		dump("got ", got, got ? gotlen : 0);
		dump("want", want, wantlen);
	}
}

void tap_diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

int tap_done(void)
{
	printf("1..%u\n", tap_count);
	if (tap_failed > 0)
		printf("# %u of %u checks failed\n", tap_failed, tap_count);
	return tap_failed == 0 && tap_count > 0 ? 0 : 1;
}
