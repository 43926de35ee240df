/* SPDX-License-Identifier: Apache-2.0 */
/*
 * P-256 helpers both kinds share: checking and converting public keys and
 * signatures between DER, raw coordinates and OpenSSL objects.
 */
#ifndef CT_KS_EC_H
#define CT_KS_EC_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "ct-buf.h"

#define CT_KS_P256_LEN 32

/* Is pkey an EC key on P-256? */
int ks_ec_is_p256(const EVP_PKEY *pkey);

/* A P-256 public key from SubjectPublicKeyInfo DER; CT_ERR_BAD_KEY for
 * anything else.  The caller frees *out. */
int ks_ec_pub_from_spki(const uint8_t *der, size_t len, EVP_PKEY **out);

/* The SubjectPublicKeyInfo DER of a P-256 key, appended to out. */
int ks_ec_pub_to_spki(EVP_PKEY *pkey, struct ct_buf *out);

/* A P-256 public key from its affine coordinates (big-endian, up to 32
 * bytes each, shorter ones are left-padded); checks the point. */
int ks_ec_pub_from_xy(const uint8_t *x, size_t xlen, const uint8_t *y,
		      size_t ylen, EVP_PKEY **out);

/* Appends the JOSE form R || S (32 bytes each) of r and s given as
 * big-endian integers of up to 32 bytes. */
int ks_ec_sig_put_rs(struct ct_buf *sig, const uint8_t *r, size_t rlen,
		     const uint8_t *s, size_t slen);

/* Converts an ECDSA signature in DER (what OpenSSL makes) to R || S. */
int ks_ec_sig_from_der(const uint8_t *der, size_t len, struct ct_buf *sig);

#endif
