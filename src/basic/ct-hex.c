/* SPDX-License-Identifier: Apache-2.0 */
#include "ct-hex.h"

#include <stdlib.h>
#include <string.h>

#include "ct-error.h"

int ct_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int ct_hex_decode(const char *hex, uint8_t **out, size_t *outlen)
{
	size_t n = strlen(hex), i;
	uint8_t *p;

	if (n % 2 != 0)
		return CT_ERR_BAD_VALUE;
	p = malloc(n / 2 + 1);
	if (p == NULL)
		return CT_ERR_NOMEM;
	for (i = 0; i < n / 2; i++) {
		int hi = ct_hex_digit(hex[2 * i]), lo = ct_hex_digit(hex[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			free(p);
			return CT_ERR_BAD_VALUE;
		}
		p[i] = (uint8_t)(hi << 4 | lo);
	}
	*out = p;
	*outlen = n / 2;
	return 0;
}

void ct_hex_encode(const uint8_t *p, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = '\0';
}
