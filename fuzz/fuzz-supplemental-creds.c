/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzzes the supplementalCredentials decoder (ks-supcreds.h) with raw
 * attribute bytes, and the samba-tool output parser with the same bytes
 * base64-encoded in an LDIF line.  Beyond memory safety: a decoded key has
 * the enctype's length.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "kcrypto.h"
#include "ks-keysource.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int32_t enctypes[] = {18, 17};
	struct ct_errinfo ei = {0};
	struct ks_key_result res;
	struct ks_keys k;
	char *ldif;
	size_t i, n;

	for (i = 0; i < sizeof(enctypes) / sizeof(enctypes[0]); i++)
		if (ks_supcreds_decode(data, size, enctypes[i], &k, &ei) == 0 &&
		    (k.current.len != ct_enctype_keylen(enctypes[i]) ||
		     (k.has_old && k.old.len != k.current.len)))
			abort();
	if (size > 70000)
		return 0;
	ldif = malloc(64 + 4 * ((size + 2) / 3) + 1);
	if (ldif == NULL)
		return 0;
	n = (size_t)sprintf(ldif, "dn: x\nmsDS-KeyVersionNumber: 7\nsupplementalCredentials:: ");
	n += (size_t)EVP_EncodeBlock((unsigned char *)ldif + n, data, (int)size);
	if (ks_samba_parse(ldif, n, 18, &res, &ei) == 0 && res.key_version != 7)
		abort();
	free(ldif);
	return 0;
}
