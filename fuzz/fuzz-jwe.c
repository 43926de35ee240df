/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzzes the JWE parser and the "dir" decryptions: ct_jwe_parse on
 * arbitrary bytes, then ct_jwe_decrypt_dir with a fixed 32-byte key and
 * ct_jwe_decrypt_session with a fixed session key.  The corpus (made by
 * tests/data/jose/make-fuzz-corpus.py) holds JWEs under those keys, so the
 * seeds decrypt; a decryption that fails must leave the plaintext buffer
 * empty (checked).
 */
#include <stdint.h>
#include <stdlib.h>

#include "ct-limits.h"
#include "jwe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The keys make-fuzz-corpus.py encrypts under. */
static const uint8_t dir_key[32] = "fuzz-jwe dir A256GCM key 32 byte";
static const uint8_t session_key[32] = "fuzz-jwe PRT session key 32 byte";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ct_jwe *jwe = NULL;
	struct ct_buf plain;

	if (ct_jwe_parse((const char *)data, size, &jwe, NULL) != 0)
		return 0;
	ct_buf_init(&plain, CT_JOSE_MAX_PAYLOAD);
	if (ct_jwe_decrypt_dir(jwe, dir_key, sizeof(dir_key), &plain, NULL) != 0 &&
	    plain.len != 0)
		abort();
	ct_buf_free(&plain);
	if (ct_jwe_decrypt_session(jwe, session_key, sizeof(session_key),
				   &plain, NULL) != 0 &&
	    plain.len != 0)
		abort();
	ct_buf_free(&plain);
	ct_jwe_free(jwe);
	return 0;
}
