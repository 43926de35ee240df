/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzzes the PAC decoder: ct_pac_decode on arbitrary bytes, and when it
 * decodes, ct_pac_print into /dev/null (so the dump code sees every
 * decoded shape too).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ct-arena.h"
#include "pac.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *sink;
	struct ct_arena *a;
	struct ct_pac pac;

	if (sink == NULL)
		sink = fopen("/dev/null", "w");
	a = ct_arena_new();
	if (a == NULL)
		return 0;
	if (ct_pac_decode(a, data, size, &pac) == 0 && sink != NULL)
		ct_pac_print(sink, &pac);
	ct_arena_free(a);
	return 0;
}
