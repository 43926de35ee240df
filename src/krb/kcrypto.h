/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Kerberos cryptography (RFC 3961/3962/8009) through MIT krb5's public
 * krb5_c_* API.  This is the only module in src/krb that calls krb5_c_*;
 * the rest of the project sees ct_krb_key and ct_buf.
 *
 * Supported enctypes: aes256-cts-hmac-sha1-96 (18, required),
 * aes128-cts-hmac-sha1-96 (17), aes256-cts-hmac-sha384-192 (20),
 * aes128-cts-hmac-sha256-128 (19).  Anything else gives
 * CT_ERR_UNSUPPORTED_ENCTYPE: RC4 and DES are refused on purpose.
 */
#ifndef CT_KCRYPTO_H
#define CT_KCRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ct-arena.h"
#include "ct-buf.h"
#include "krb-msg.h"

enum {
	CT_ENCTYPE_AES128_SHA1 = 17,
	CT_ENCTYPE_AES256_SHA1 = 18,
	CT_ENCTYPE_AES128_SHA256 = 19,
	CT_ENCTYPE_AES256_SHA384 = 20,
};

/* Key usages (RFC 4120 §7.5.1, MS-PAC). */
enum {
	CT_KU_AS_REP_TICKET = 2,
	CT_KU_AS_REP_ENC_PART = 3,
	CT_KU_TGS_REQ_AUTHDATA_SESSKEY = 4,
	CT_KU_TGS_REQ_AUTH_CKSUM = 6,
	CT_KU_TGS_REQ_AUTH = 7,
	CT_KU_TGS_REP_ENC_PART_SESSKEY = 8,
	CT_KU_TGS_REP_ENC_PART_SUBKEY = 9,
	CT_KU_AP_REQ_AUTH = 11,
	CT_KU_KRB_CRED = 14,
	CT_KU_PAC_SIGNATURE = 17, /* KERB_NON_KERB_CKSUM_SALT */
};

struct ct_kcrypto;

/* Creates a crypto context (wraps a krb5_context). Returns 0, CT_ERR_NOMEM or CT_ERR_CRYPTO. */
int ct_kcrypto_new(struct ct_kcrypto **out);
/* Frees the context; NULL is a no-op. */
void ct_kcrypto_free(struct ct_kcrypto *kc);

/* True for the enctypes listed above. */
bool ct_enctype_supported(int32_t enctype);
/* Key length in bytes for a supported enctype, else 0. */
size_t ct_enctype_keylen(int32_t enctype);
/* The enctype's mandatory checksum type (16 for 18, 20 for 20 ...), else 0. */
int32_t ct_enctype_cksumtype(int32_t enctype);
/* Short name ("aes256-cts-hmac-sha1-96"), or "unknown". */
const char *ct_enctype_name(int32_t enctype);

/*
 * Encrypts plain under key with the given usage and fills out (etype and
 * cipher; cipher allocated from arena; kvno left as the caller sets it).
 */
int ct_kcrypto_encrypt(struct ct_kcrypto *kc, struct ct_arena *a,
		       const struct ct_krb_key *key, int32_t usage,
		       const uint8_t *plain, size_t plainlen,
		       struct ct_krb_enc_data *out);

/*
 * Decrypts enc under key; the plaintext is appended to out (a ct_buf, wiped
 * when freed).  Returns CT_ERR_INTEGRITY when the key is wrong or the data
 * was modified, CT_ERR_UNSUPPORTED_ENCTYPE, CT_ERR_MISMATCH if enc->etype
 * differs from key->enctype.
 */
int ct_kcrypto_decrypt(struct ct_kcrypto *kc, const struct ct_krb_key *key,
		       int32_t usage, const struct ct_krb_enc_data *enc,
		       struct ct_buf *out) __attribute__((warn_unused_result));

/*
 * Computes a keyed checksum of the key's mandatory type (or cksumtype when
 * non-zero) with the given usage; appends the value to out and stores the
 * type in *type_out (may be NULL).
 */
int ct_kcrypto_checksum(struct ct_kcrypto *kc, const struct ct_krb_key *key,
			int32_t usage, int32_t cksumtype, const uint8_t *data,
			size_t len, struct ct_buf *out, int32_t *type_out);

/* Returns 0 when cksum verifies, CT_ERR_INTEGRITY when not. */
int ct_kcrypto_verify_checksum(struct ct_kcrypto *kc,
			       const struct ct_krb_key *key, int32_t usage,
			       const uint8_t *data, size_t len,
			       const struct ct_krb_checksum *cksum)
	__attribute__((warn_unused_result));

/* Length in bytes of a checksum type's value, or 0 when unknown. */
size_t ct_cksumtype_len(struct ct_kcrypto *kc, int32_t cksumtype);

/* Makes a fresh random key of enctype, its value allocated from arena. */
int ct_kcrypto_random_key(struct ct_kcrypto *kc, struct ct_arena *a,
			  int32_t enctype, struct ct_krb_key *out);

/* Fills p with n bytes from the krb5 PRNG. */
int ct_kcrypto_random(struct ct_kcrypto *kc, void *p, size_t n);

/*
 * Derives a key from a password and salt (RFC 3962 / 8009 string-to-key);
 * params is the s2kparams (iteration count) or NULL for the default.
 */
int ct_kcrypto_string_to_key(struct ct_kcrypto *kc, struct ct_arena *a,
			     int32_t enctype, const char *password,
			     const char *salt, const struct ct_bytes *params,
			     struct ct_krb_key *out);

#endif
