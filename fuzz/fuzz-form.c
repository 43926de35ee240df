/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzzes the form parser: ct_form_parse on arbitrary bytes; whatever it
 * accepts must survive ct_form_append and a second parse unchanged.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ct-arena.h"
#include "ct-buf.h"
#include "ct-limits.h"
#include "form.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ct_arena *a = ct_arena_new();
	struct ct_form f, g;
	struct ct_buf b;
	size_t i;

	if (a == NULL)
		return 0;
	ct_buf_init(&b, 4 * CT_HTTP_MAX_BODY);
	if (ct_form_parse(a, (const char *)data, size, &f, NULL) != 0)
		goto out;
	for (i = 0; i < f.n; i++) {
		if (strlen(f.fields[i].value) != f.fields[i].value_len)
			abort(); /* no NUL may hide inside a value */
		ct_form_append(&b, f.fields[i].name, f.fields[i].value, f.fields[i].value_len);
	}
	if (b.err != 0 || ct_form_parse(a, (const char *)b.data, b.len, &g, NULL) != 0 ||
	    g.n != f.n)
		abort();
	for (i = 0; i < f.n; i++)
		if (strcmp(f.fields[i].name, g.fields[i].name) != 0 ||
		    f.fields[i].value_len != g.fields[i].value_len ||
		    memcmp(f.fields[i].value, g.fields[i].value, f.fields[i].value_len) != 0 ||
		    ct_form_get(&f, f.fields[i].name) != f.fields[i].value)
			abort();
out:
	ct_buf_free(&b);
	ct_arena_free(a);
	return 0;
}
