/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The soft key file: format, strict decoder and encoder.
 *
 * After the common header (ks-file.h), little-endian:
 *   4   Argon2id t (passes)          1..CT_KS_SOFT_MAX_T
 *   4   Argon2id m (KiB)             8*p..CT_KS_SOFT_MAX_M_KIB
 *   4   Argon2id p (lanes)           1..CT_KS_SOFT_MAX_P
 *   16  salt
 *   4   max_attempts                 1..CT_KS_MAX_ATTEMPTS
 *   4   failures                     0..max_attempts
 *   12  AES-256-GCM nonce
 *   2   public key length, then the SubjectPublicKeyInfo DER (P-256)
 *   2   sealed length, then the ciphertext of the SEC1 private key DER
 *   16  GCM tag
 * and nothing after.  The GCM additional data is the file up to the sealed
 * length with the failures field left out, so label, costs, salt, limit,
 * nonce and public key are all bound to the PIN; only the counter can
 * change without the PIN.
 *
 * failures counts PIN tries that have not (yet) proven right: it goes up,
 * durably, before a PIN is tried and back to 0 after a right one, so a
 * process killed mid-try has spent the try.  A file whose count has
 * reached max_attempts is wiped when next read.
 */
#ifndef CT_KS_SOFT_FILE_H
#define CT_KS_SOFT_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ct-buf.h"

#define CT_KS_SOFT_SALT_LEN 16
#define CT_KS_SOFT_NONCE_LEN 12
#define CT_KS_SOFT_TAG_LEN 16

/* A decoded file; label, pub and sealed point into the decoded bytes. */
struct ks_soft_file {
	const uint8_t *label;
	size_t label_len;
	uint32_t t, m_kib, p;
	uint8_t salt[CT_KS_SOFT_SALT_LEN];
	uint32_t max_attempts, failures;
	uint8_t nonce[CT_KS_SOFT_NONCE_LEN];
	const uint8_t *pub;
	size_t pub_len;
	const uint8_t *sealed;
	size_t sealed_len;
	uint8_t tag[CT_KS_SOFT_TAG_LEN];
};

/* Are these Argon2id costs within the bounds a file may ask for? */
bool ks_soft_costs_ok(uint32_t t, uint32_t m_kib, uint32_t p);

/* Decodes p[0..n) strictly; CT_ERR_BAD_VALUE / CT_ERR_TRUNCATED /
 * CT_ERR_TRAILING for anything but a well-formed file. */
int ks_soft_file_decode(const uint8_t *p, size_t n, struct ks_soft_file *f);

/* Encodes f to out; with aad, only the GCM additional data. */
void ks_soft_file_encode(const struct ks_soft_file *f, bool aad,
			 struct ct_buf *out);

#endif
