/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A process-wide cache of public keys parsed from bytes that never change:
 * device certificates (checked against the device CA once), transport keys
 * and Hello key blobs.  Entries are found by the SHA-256 of those bytes, so
 * a hit is exactly what a fresh parse would give; what can change (a device
 * disabled, a key removed) is still read from the store on every request,
 * and a certificate's validity period is checked on every hit.
 *
 * Bench (bench/README.md): parsing and verifying these on every request was
 * about 40 % of the server's CPU per sign-in.
 */
#ifndef CT_KEYCACHE_H
#define CT_KEYCACHE_H

#include <openssl/evp.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "pki.h"

struct ct_keycache;

enum ct_keycache_kind {
	CT_KEYCACHE_DEVICE_CERT = 1,
	CT_KEYCACHE_SPKI = 2,
	CT_KEYCACHE_KEY_BLOB = 3,
};

/* Returns a new empty cache, or NULL. */
struct ct_keycache *ct_keycache_new(void);
/* Frees the cache and drops its key references; NULL is a no-op. */
void ct_keycache_free(struct ct_keycache *c);

/*
 * Verifies a device certificate like ct_pki_device_cert_verify (same
 * results and errors), parsing and chain-checking a given certificate only
 * once per process.  *pubkey gets a reference the caller frees.
 */
int ct_keycache_device_cert(struct ct_keycache *c, const struct ct_pki_ca *device_ca,
			    const uint8_t *der, size_t len, time_t now,
			    char device_id[CT_PKI_GUID_LEN + 1], EVP_PKEY **pubkey,
			    struct ct_errinfo *ei) __attribute__((warn_unused_result));

/* Imports a DER SubjectPublicKeyInfo (ct_spki_import), cached.  *out: a reference. */
int ct_keycache_spki(struct ct_keycache *c, const uint8_t *der, size_t len,
		     EVP_PKEY **out, struct ct_errinfo *ei);

/* Imports an RSA1/ECS1 key blob (ct_key_blob_import), cached.  *out: a reference. */
int ct_keycache_key_blob(struct ct_keycache *c, const uint8_t *blob, size_t len,
			 EVP_PKEY **out, struct ct_errinfo *ei);

#endif
