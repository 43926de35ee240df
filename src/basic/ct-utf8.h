/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CT_UTF8_H
#define CT_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Length of the UTF-8 sequence starting at s (1..4), or 0 when it is not
 * valid UTF-8: bad lead byte, truncated (a NUL stops it), overlong,
 * a UTF-16 surrogate, or beyond U+10FFFF.
 */
size_t ct_utf8_seq_len(const unsigned char *s);

/* True when s[0..n) is valid UTF-8 without NUL bytes. */
bool ct_utf8_valid(const char *s, size_t n);

#endif
