/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CT_HEX_H
#define CT_HEX_H

#include <stddef.h>
#include <stdint.h>

/*
 * Decodes a hex string (upper or lower case, no separators) into a new
 * buffer owned by the caller (free with ct_erase_free).  Returns 0,
 * CT_ERR_BAD_VALUE for odd length or non-hex characters, CT_ERR_NOMEM.
 */
int ct_hex_decode(const char *hex, uint8_t **out, size_t *outlen);
/* The value of one hex digit (either case), or -1. */
int ct_hex_digit(char c);
/* Writes 2n+1 bytes (lower-case hex and a NUL) to out. */
void ct_hex_encode(const uint8_t *p, size_t n, char *out);

#endif
