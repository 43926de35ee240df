/* SPDX-License-Identifier: Apache-2.0 */
#include "kdf.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <string.h>

#include "ct-error.h"
#include "ct-limits.h"
#include "ct-secret.h"

/*
 * Runs OpenSSL's KBKDF (counter mode, HMAC-SHA256, r = 32 bits: the only
 * counter width OpenSSL 3.0 has).  sep_and_l selects the default fixed
 * input layout (label 0x00 context [L]_32) or the raw one (label context).
 */
static int kbkdf(const uint8_t *key, size_t keylen, const uint8_t *label,
		 size_t labellen, const uint8_t *context, size_t contextlen,
		 int sep_and_l, uint8_t *out, size_t outlen)
{
	static const uint8_t empty[1];
	EVP_KDF *kdf = NULL;
	EVP_KDF_CTX *ctx = NULL;
	OSSL_PARAM params[9], *p = params;
	uint8_t tmp[CT_KDF_MAX_OUT];
	int r = CT_ERR_CRYPTO;

	if (key == NULL || keylen == 0 || keylen > CT_KDF_MAX_KEY ||
	    outlen == 0 || outlen > CT_KDF_MAX_OUT)
		return CT_ERR_INVALID_ARG;
	*p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_MODE,
						(char *)"COUNTER", 0);
	*p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_MAC,
						(char *)"HMAC", 0);
	*p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
						(char *)"SHA256", 0);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
						 (void *)key, keylen);
	*p++ = OSSL_PARAM_construct_octet_string(
		OSSL_KDF_PARAM_SALT, (void *)(labellen ? label : empty),
		labellen);
	*p++ = OSSL_PARAM_construct_octet_string(
		OSSL_KDF_PARAM_INFO, (void *)(contextlen ? context : empty),
		contextlen);
	*p++ = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_KBKDF_USE_SEPARATOR,
					&sep_and_l);
	*p++ = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_KBKDF_USE_L, &sep_and_l);
	*p = OSSL_PARAM_construct_end();
	kdf = EVP_KDF_fetch(NULL, OSSL_KDF_NAME_KBKDF, NULL);
	if (kdf == NULL || (ctx = EVP_KDF_CTX_new(kdf)) == NULL)
		goto out;
	/* Derive into a scratch buffer so out is untouched on failure. */
	if (EVP_KDF_derive(ctx, tmp, outlen, params) != 1)
		goto out;
	memcpy(out, tmp, outlen);
	r = 0;
out:
	if (r != 0)
		ERR_clear_error();
	ct_zap(tmp, sizeof(tmp));
	EVP_KDF_CTX_free(ctx);
	EVP_KDF_free(kdf);
	return r;
}

int ct_kdf_sp800_108_hmac_sha256(const uint8_t *key, size_t keylen,
				 const uint8_t *label, size_t labellen,
				 const uint8_t *context, size_t contextlen,
				 uint8_t *out, size_t outlen)
{
	return kbkdf(key, keylen, label, labellen, context, contextlen, 1, out,
		     outlen);
}

int ct_kdf_sp800_108_hmac_sha256_fixed(const uint8_t *key, size_t keylen,
				       const uint8_t *fixed, size_t fixedlen,
				       uint8_t *out, size_t outlen)
{
	return kbkdf(key, keylen, NULL, 0, fixed, fixedlen, 0, out, outlen);
}
