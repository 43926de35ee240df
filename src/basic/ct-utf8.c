/* SPDX-License-Identifier: Apache-2.0 */
#include "ct-utf8.h"

#include <stdint.h>

/* The length of the sequence at s, reading at most max bytes; 0 when it is
 * not one valid UTF-8 character. */
static size_t seq_len_bounded(const unsigned char *s, size_t max)
{
	unsigned c = s[0];
	size_t n, i;
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, cp = c & 0x07;
	else
		return 0;
	if (n > max)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0; /* also stops at the NUL */
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* Overlong forms, UTF-16 surrogates, beyond U+10FFFF. */
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

size_t ct_utf8_seq_len(const unsigned char *s)
{
	/* NUL-terminated: the continuation check stops at the NUL. */
	return seq_len_bounded(s, 4);
}

bool ct_utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, k;

	while (i < n) {
		if (p[i] == 0)
			return false;
		/* A sequence may not run past n: never read beyond it. */
		k = seq_len_bounded(p + i, n - i);
		if (k == 0)
			return false;
		i += k;
	}
	return true;
}
