/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Public keys as clients send them, to and from OpenSSL EVP_PKEYs:
 *   - BCRYPT_RSAKEY_BLOB "RSA1" (the kngc and transport keys of MS-KPP and
 *     MS-DVRJ): "RSA1", LE u32 BitLength, cbPublicExp, cbModulus,
 *     cbPrime1 = 0, cbPrime2 = 0, then exponent and modulus big-endian;
 *   - BCRYPT_ECCKEY_BLOB "ECS1" for P-256 (our ES256 extension): "ECS1",
 *     LE u32 cbKey = 32, then X and Y big-endian;
 *   - DER SubjectPublicKeyInfo.
 *
 * Imports take untrusted bytes and are strict: one encoding per key (no
 * leading zero bytes, BitLength equal to the modulus' bit count, no
 * trailing bytes), RSA modulus of CT_RSA_MIN_BITS..CT_RSA_MAX_BITS, odd
 * exponent 3 <= e < 2^31, EC points on P-256.  Errors: CT_ERR_TRUNCATED,
 * CT_ERR_TRAILING, CT_ERR_BAD_VALUE (malformed), CT_ERR_BAD_KEY (well
 * formed but not a key we accept), CT_ERR_TOO_LARGE, CT_ERR_NOMEM; detail
 * in ei.  *out is a new EVP_PKEY the caller frees with EVP_PKEY_free.
 *
 * Exports append to a ct_buf and give CT_ERR_BAD_KEY for keys the imports
 * would refuse, so what we write we can read.
 */
#ifndef CT_JOSE_KEYBLOB_H
#define CT_JOSE_KEYBLOB_H

#include <openssl/evp.h>
#include <stddef.h>
#include <stdint.h>

#include "ct-buf.h"
#include "ct-error.h"

/* Characters of a kid, and the buffer size with its NUL. */
#define CT_KID_LEN 44
#define CT_KID_BUFSIZE (CT_KID_LEN + 1)

/* An RSA1 blob to a new public EVP_PKEY in *out; errors as above. */
int ct_rsa1_blob_import(const uint8_t *blob, size_t len, EVP_PKEY **out,
			struct ct_errinfo *ei);
/*
 * Appends the RSA1 blob of an accepted RSA key (public or private) to out.
 * Returns 0, CT_ERR_BAD_KEY, CT_ERR_CRYPTO, or out's error.
 */
int ct_rsa1_blob_export(EVP_PKEY *key, struct ct_buf *out);

/* An ECS1 (P-256) blob to a new public EVP_PKEY in *out; errors as above. */
int ct_ecs1_blob_import(const uint8_t *blob, size_t len, EVP_PKEY **out,
			struct ct_errinfo *ei);
/* Appends the ECS1 blob of a P-256 key to out; errors as ct_rsa1_blob_export. */
int ct_ecs1_blob_export(EVP_PKEY *key, struct ct_buf *out);

/* Imports an RSA1 or ECS1 blob, chosen by its magic (else CT_ERR_BAD_VALUE). */
int ct_key_blob_import(const uint8_t *blob, size_t len, EVP_PKEY **out,
		       struct ct_errinfo *ei);

/*
 * The kid of a key: standard base64 (padded) of SHA-256 over the blob
 * bytes exactly as received or produced (MS-KPP), written with a NUL into
 * out.  Returns 0 or CT_ERR_CRYPTO.
 */
int ct_key_blob_kid(const uint8_t *blob, size_t len,
		    char out[CT_KID_BUFSIZE]);

/*
 * A DER SubjectPublicKeyInfo (at most CT_SPKI_MAX bytes, canonical DER) of
 * an accepted RSA or P-256 key to a new EVP_PKEY in *out; errors as above.
 */
int ct_spki_import(const uint8_t *der, size_t len, EVP_PKEY **out,
		   struct ct_errinfo *ei);
/* Appends the SPKI DER of an accepted key to out; errors as ct_rsa1_blob_export. */
int ct_spki_export(EVP_PKEY *key, struct ct_buf *out);

#endif
