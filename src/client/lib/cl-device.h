/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The device's own keys and certificate:
 *
 *   device key     ECDSA P-256.  PROTOCOL.md §4 accepts an EC P-256 CSR
 *                  beside RSA, and §6/§8 accept ES256 device signatures, so
 *                  the client takes the stronger and ~10x cheaper form.
 *   transport key  RSA-2048: §4 takes only an RSA1 blob, and the PRT
 *                  session key is RSA-OAEP encrypted to it (the client asks
 *                  for RSA-OAEP-256, the stronger form §6 offers).
 *   certificate    issued by the tenant's device CA at join; CN = device id.
 *
 * Keys are PEM (PKCS#8) files, 0600, in the state directory; loading goes
 * through cl-safefile.h's checks.
 */
#ifndef CT_CL_DEVICE_H
#define CT_CL_DEVICE_H

#include <openssl/evp.h>
#include <stddef.h>
#include <stdint.h>

#include "ct-buf.h"
#include "ct-error.h"

struct cl_device_keys {
	EVP_PKEY *device_key;
	EVP_PKEY *transport_key;
	uint8_t *cert_der;       /* NULL before the join */
	size_t cert_len;
};

/* Makes a fresh P-256 device key and RSA-2048 transport key. */
int cl_device_keys_generate(struct cl_device_keys *k, struct ct_errinfo *ei);

/* Frees and empties k; an empty k is a no-op. */
void cl_device_keys_free(struct cl_device_keys *k);

/*
 * A PKCS#10 request for key, CN = the MS-DVRJ placeholder, signed with
 * SHA-256, appended to der.  Returns 0, CT_ERR_CRYPTO, or der's error.
 */
int cl_device_csr(EVP_PKEY *key, struct ct_buf *der, struct ct_errinfo *ei);

/* True when the DER certificate certifies key's public half. */
bool cl_cert_matches_key(const uint8_t *der, size_t len, EVP_PKEY *key);

/*
 * Takes ownership of a copy of the certificate into k.  Returns 0 or
 * CT_ERR_NOMEM.
 */
int cl_device_keys_set_cert(struct cl_device_keys *k, const uint8_t *der,
			    size_t len);

/*
 * Saves the keys (0600) and the certificate (0644) under dir, as
 * device-key.pem, transport-key.pem and device-cert.pem.
 */
int cl_device_keys_save(const char *dir, const struct cl_device_keys *k,
			struct ct_errinfo *ei);

/*
 * Loads all three from dir into k (empty on entry).  The certificate must
 * certify the device key.  Errors: cl-safefile.h's, CT_ERR_BAD_KEY,
 * CT_ERR_BAD_VALUE (not PEM of the expected kind), CT_ERR_MISMATCH.
 */
int cl_device_keys_load(const char *dir, struct cl_device_keys *k,
			struct ct_errinfo *ei);

/* Removes the three files (keys overwritten first). */
int cl_device_keys_remove(const char *dir, struct ct_errinfo *ei);

/*
 * Copies the PEM CA file src (any owner, at most CT_CL_MAX_PEM_FILE bytes,
 * must hold at least one certificate) to path, 0644.
 */
int cl_copy_ca_file(const char *src, const char *path, struct ct_errinfo *ei);

#endif
