/* SPDX-License-Identifier: Apache-2.0 */
/*
 * NIST SP800-108 key derivation in counter mode with HMAC-SHA256 (OpenSSL
 * 3's "KBKDF"): a 32-bit big-endian counter before the fixed input, and
 * K(i) = HMAC(key, [i]_32 || fixed) for i = 1, 2, ...
 *
 * This is the KDF Windows and Entra use for PRT session keys (label
 * "AzureAD-SecureConversation", context = the decoded "ctx" header).
 */
#ifndef CT_JOSE_KDF_H
#define CT_JOSE_KDF_H

#include <stddef.h>
#include <stdint.h>

/*
 * Derives outlen bytes into out with the fixed input
 *   label || 0x00 || context || [outlen * 8]_32
 * (OpenSSL's KBKDF default layout, as Windows' BCryptKeyDerivation and
 * python-cryptography's KBKDFHMAC with rlen=llen=4 build it).  label and
 * context may be empty.  Returns 0, CT_ERR_INVALID_ARG (empty key, outlen 0
 * or over CT_KDF_MAX_OUT, key over CT_KDF_MAX_KEY) or CT_ERR_CRYPTO.  out
 * is written only on success.
 */
int ct_kdf_sp800_108_hmac_sha256(const uint8_t *key, size_t keylen,
				 const uint8_t *label, size_t labellen,
				 const uint8_t *context, size_t contextlen,
				 uint8_t *out, size_t outlen);

/*
 * The same KDF with a caller-built fixed input (no separator, no L added):
 * the form of the NIST CAVP counter-mode vectors.  Same errors.
 */
int ct_kdf_sp800_108_hmac_sha256_fixed(const uint8_t *key, size_t keylen,
				       const uint8_t *fixed, size_t fixedlen,
				       uint8_t *out, size_t outlen);

#endif
