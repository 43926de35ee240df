/* SPDX-License-Identifier: Apache-2.0 */
/*
 * JWE compact serialisation (RFC 7516) with content encryption A256GCM
 * only (12-byte IV, 16-byte tag, AAD = the ASCII of the protected header
 * as received) and key management:
 *   - "RSA-OAEP" (SHA-1; what clients use for session_key_jwe) and
 *     "RSA-OAEP-256" (the stronger form, beside it), RSA 2048..4096 bits;
 *   - "dir" with a 32-byte key, plus the MS-OAPXBC session-key form where
 *     the key is derived from the PRT session key and a random "ctx"
 *     header (SP800-108, label "AzureAD-SecureConversation").
 * Anything else is refused with CT_ERR_UNSUPPORTED_ALG.
 *
 * Decryption appends the plaintext to a caller's ct_buf (wiped when the
 * caller frees it); on failure nothing is appended.  Every failure after
 * the header checks (wrong key, modified data, RSA padding) is the same
 * CT_ERR_INTEGRITY, so the error says nothing an attacker could use.
 */
#ifndef CT_JOSE_JWE_H
#define CT_JOSE_JWE_H

#include <jansson.h>
#include <openssl/evp.h>
#include <stddef.h>
#include <stdint.h>

#include "ct-buf.h"
#include "ct-error.h"
#include "jose.h"

struct ct_arena;

/* The KDF label of MS-OAPXBC session-key JWEs. */
#define CT_JWE_KDF_LABEL "AzureAD-SecureConversation"
/* Random ctx bytes ct_jwe_encrypt_session puts in the header. */
#define CT_JWE_CTX_LEN 24

/* A parsed JWE; owns everything it points to (free with ct_jwe_free). */
struct ct_jwe {
	enum ct_jose_alg alg;	/* CT_JOSE_ALG_UNKNOWN when not ours */
	const char *alg_name;	/* "alg" as received */
	const char *enc_name;	/* "enc" as received */
	const char *kid;	/* NULL when absent */
	json_t *header;		/* the protected header */
	struct ct_jose_blob header_json;
	struct ct_jose_blob aad;	/* the first part, ASCII */
	struct ct_jose_blob encrypted_key;
	struct ct_jose_blob iv;
	struct ct_jose_blob ciphertext;
	struct ct_jose_blob tag;
	struct ct_arena *arena;
};

/*
 * Parses compact[0..len) (five parts).  Structural checks only; the
 * decrypt functions judge alg and enc.  Errors: CT_ERR_TOO_LARGE,
 * CT_ERR_BAD_JOSE, CT_ERR_BAD_BASE64, CT_ERR_BAD_JSON, CT_ERR_JSON_TYPE,
 * CT_ERR_MISSING_FIELD (no "alg" or "enc"), CT_ERR_UNSUPPORTED_ALG ("crit",
 * "zip"), CT_ERR_NOMEM.  *out is a new ct_jwe.
 */
int ct_jwe_parse(const char *compact, size_t len, struct ct_jwe **out,
		 struct ct_errinfo *ei);

/* Frees a ct_jwe and everything it owns; NULL is a no-op. */
void ct_jwe_free(struct ct_jwe *jwe);

/*
 * Encrypts plain[0..len) to an RSA public key with alg CT_JOSE_RSA_OAEP or
 * CT_JOSE_RSA_OAEP_256 and enc A256GCM (fresh random CEK and IV).  The
 * header is {"alg", "enc"} then the members of extra (may be NULL; may not
 * set alg, enc, zip or crit).  *out is a malloc'd NUL-terminated compact
 * JWE.  Errors: CT_ERR_UNSUPPORTED_ALG, CT_ERR_BAD_KEY, CT_ERR_INVALID_ARG,
 * CT_ERR_TOO_LARGE, CT_ERR_CRYPTO, CT_ERR_NOMEM.
 */
int ct_jwe_encrypt_rsa(enum ct_jose_alg alg, const json_t *extra,
		       const void *plain, size_t len, EVP_PKEY *key,
		       char **out, struct ct_errinfo *ei);

/*
 * Decrypts an RSA-OAEP(-256) / A256GCM JWE with an RSA private key; allowed
 * is a mask of CT_JOSE_RSA_OAEP / CT_JOSE_RSA_OAEP_256.  Errors:
 * CT_ERR_UNSUPPORTED_ALG, CT_ERR_BAD_KEY (also for a key without its
 * private half), CT_ERR_BAD_JOSE (IV, tag or
 * encrypted key of the wrong size), CT_ERR_INTEGRITY, CT_ERR_TOO_LARGE /
 * CT_ERR_NOMEM from plain.
 */
int ct_jwe_decrypt_rsa(const struct ct_jwe *jwe, unsigned allowed,
		       EVP_PKEY *key, struct ct_buf *plain,
		       struct ct_errinfo *ei) __attribute__((warn_unused_result));

/*
 * "dir" / A256GCM with a 32-byte key (CT_ERR_BAD_KEY otherwise).  extra
 * as for ct_jwe_encrypt_rsa; *out a malloc'd compact JWE.
 */
int ct_jwe_encrypt_dir(const json_t *extra, const void *plain, size_t len,
		       const uint8_t *key, size_t keylen, char **out,
		       struct ct_errinfo *ei);

/*
 * Decrypts a "dir" / A256GCM JWE (empty encrypted key) with a 32-byte key.
 * Errors as ct_jwe_decrypt_rsa.
 */
int ct_jwe_decrypt_dir(const struct ct_jwe *jwe, const uint8_t *key,
		       size_t keylen, struct ct_buf *plain,
		       struct ct_errinfo *ei) __attribute__((warn_unused_result));

/*
 * The MS-OAPXBC session-key form: draws CT_JWE_CTX_LEN random bytes,
 * derives the content key as SP800-108 HMAC-SHA256(session_key,
 * CT_JWE_KDF_LABEL, ctx, 32 bytes), and encrypts as "dir" / A256GCM with
 * header {"alg":"dir","enc":"A256GCM","ctx": base64(ctx)}.  Errors as
 * ct_jwe_encrypt_dir, plus CT_ERR_BAD_KEY for an empty session key.
 */
int ct_jwe_encrypt_session(const void *plain, size_t len,
			   const uint8_t *session_key, size_t sklen,
			   char **out, struct ct_errinfo *ei);

/*
 * Decrypts the session-key form: reads "ctx" (standard base64, 1..
 * CT_JOSE_MAX_CTX bytes) from the header, derives the key from the
 * session key, and decrypts as ct_jwe_decrypt_dir.  A header with
 * "kdf_ver" other than 1 is CT_ERR_UNSUPPORTED_ALG; a missing or malformed
 * ctx is CT_ERR_BAD_JOSE.
 */
int ct_jwe_decrypt_session(const struct ct_jwe *jwe,
			   const uint8_t *session_key, size_t sklen,
			   struct ct_buf *plain, struct ct_errinfo *ei)
	__attribute__((warn_unused_result));

#endif
