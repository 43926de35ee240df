/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzzes the config parser: ct_config_parse on arbitrary bytes, then the
 * defaults and cross-checks; an accepted configuration is printed and the
 * printout must parse back.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ct_config c, again;
	char *out = NULL;
	size_t outlen = 0;
	FILE *f;

	ct_config_init(&c);
	ct_config_init(&again);
	if (ct_config_parse(&c, (const char *)data, size, "fuzz", NULL) != 0 ||
	    ct_config_finish(&c, NULL) != 0)
		goto out;
	f = open_memstream(&out, &outlen);
	if (f == NULL)
		goto out;
	ct_config_print(&c, f);
	fclose(f);
	if (ct_config_parse(&again, out, outlen, "printed", NULL) != 0 ||
	    ct_config_finish(&again, NULL) != 0 || again.threads != c.threads ||
	    again.insecure_http != c.insecure_http)
		abort();
out:
	free(out);
	ct_config_free(&again);
	ct_config_free(&c);
	return 0;
}
