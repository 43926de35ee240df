/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzzes the soft key file decoder: arbitrary bytes must be refused or
 * decode into a file that encodes back to exactly the same bytes (the
 * format has one encoding), whose public key parses or is refused.
 */
#include <openssl/evp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ct-buf.h"
#include "ks-ec.h"
#include "ks-internal.h"
#include "ks-soft-file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ks_soft_file f;
	struct ct_buf again, aad;
	EVP_PKEY *pub = NULL;

	if (ks_soft_file_decode(data, size, &f) != 0)
		return 0;
	if (f.t > CT_KS_SOFT_MAX_T || f.m_kib > CT_KS_SOFT_MAX_M_KIB ||
	    f.failures > f.max_attempts || f.pub_len > CT_KS_SOFT_MAX_PUB ||
	    f.sealed_len > CT_KS_SOFT_MAX_SEALED)
		abort();
	ct_buf_init(&again, 1 << 16);
	ct_buf_init(&aad, 1 << 16);
	ks_soft_file_encode(&f, false, &again);
	ks_soft_file_encode(&f, true, &aad);
	if (again.err != 0 || again.len != size || memcmp(again.data, data, size) != 0 ||
	    aad.err != 0 || aad.len >= size)
		abort();
	if (ks_ec_pub_from_spki(f.pub, f.pub_len, &pub) == 0 && !ks_ec_is_p256(pub))
		abort();
	EVP_PKEY_free(pub);
	ct_buf_free(&again);
	ct_buf_free(&aad);
	return 0;
}
