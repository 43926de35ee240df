/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzzes the client config parser (src/client/local/cl-config.c): an
 * accepted file is printed, and the printout must parse back to the same
 * values; the ccache template must expand.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cl-config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int str_eq(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ct_client_config c, again;
	char *out = NULL, cc[8192];
	size_t outlen = 0;
	FILE *f;

	if (ct_client_config_parse((const char *)data, size, "fuzz", &c, NULL) != 0)
		return 0;
	f = open_memstream(&out, &outlen);
	if (f == NULL)
		goto out;
	ct_client_config_print(&c, f);
	fclose(f);
	if (ct_client_config_parse(out, outlen, "printed", &again, NULL) != 0)
		abort();
	if (!str_eq(c.server_url, again.server_url) || !str_eq(c.state_dir, again.state_dir) ||
	    !str_eq(c.ccache, again.ccache) || !str_eq(c.kdc, again.kdc) ||
	    !str_eq(c.tcti, again.tcti) || c.keystore != again.keystore ||
	    c.timeout != again.timeout || c.argon2_m_kib != again.argon2_m_kib ||
	    c.offline_logon != again.offline_logon)
		abort();
	if (ct_client_ccache_name(&c, 4294967295u, cc, sizeof(cc)) != 0)
		abort();
	ct_client_config_free(&again);
out:
	free(out);
	ct_client_config_free(&c);
	return 0;
}
