/* SPDX-License-Identifier: Apache-2.0 */
#include "ct-secret.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void ct_zap(void *p, size_t n)
{
	if (p != NULL && n > 0)
		explicit_bzero(p, n);
}

void ct_erase_free(void *p, size_t n)
{
	if (p == NULL)
		return;
	ct_zap(p, n);
	free(p);
}

void ct_erase_free_str(char *s)
{
	if (s == NULL)
		return;
	ct_erase_free(s, strlen(s));
}

bool ct_memeq_secret(const void *a, const void *b, size_t n)
{
	const volatile uint8_t *x = a, *y = b;
	uint8_t d = 0;
	size_t i;

	for (i = 0; i < n; i++)
		d |= x[i] ^ y[i];
	return d == 0;
}
