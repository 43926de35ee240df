/* SPDX-License-Identifier: Apache-2.0 */
/*
 * JWS compact serialisation (RFC 7515) with RS256, ES256 and HS256.
 *
 * Parsing is structural: it checks sizes, base64url, the header's JSON and
 * the types of the members we read, and refuses "crit" and "zip".  It
 * does not judge "alg": verification does, against a caller's allow-list,
 * and "none" or any other name can never pass.  The key decides too: RS256
 * needs an RSA key of 2048..4096 bits, ES256 a P-256 key, and HS256 goes
 * through a separate function that takes bytes, so a public key can never
 * be used as an HMAC secret.
 */
#ifndef CT_JOSE_JWS_H
#define CT_JOSE_JWS_H

#include <jansson.h>
#include <openssl/evp.h>
#include <stddef.h>
#include <stdint.h>

#include "ct-buf.h"
#include "ct-error.h"
#include "jose.h"

struct ct_arena;

/*
 * A parsed JWS.  Everything it points to is owned by it (and freed with
 * ct_jws_free); strings are NUL-terminated, optional ones NULL when absent.
 */
struct ct_jws {
	enum ct_jose_alg alg;	/* CT_JOSE_ALG_UNKNOWN when not ours */
	const char *alg_name;	/* "alg" as received */
	const char *kid;
	const char *typ;
	const char *use;
	/* "x5c": DER certificates, decoded from standard base64. */
	struct ct_jose_blob *x5c;
	size_t x5c_count;
	json_t *header;			   /* the protected header */
	struct ct_jose_blob header_json;   /* its bytes as received */
	struct ct_jose_blob payload;
	struct ct_jose_blob signature;
	struct ct_jose_blob signing_input; /* ASCII "header.payload" */
	struct ct_arena *arena;
};

/*
 * Parses compact[0..len).  On success *out is a new ct_jws (free with
 * ct_jws_free).  Errors: CT_ERR_TOO_LARGE (limits in ct-limits.h),
 * CT_ERR_BAD_JOSE (not three parts), CT_ERR_BAD_BASE64, CT_ERR_BAD_JSON,
 * CT_ERR_JSON_TYPE, CT_ERR_MISSING_FIELD (no "alg"),
 * CT_ERR_UNSUPPORTED_ALG ("crit", "zip"), CT_ERR_NOMEM; detail in ei.
 */
int ct_jws_parse(const char *compact, size_t len, struct ct_jws **out,
		 struct ct_errinfo *ei);

/* Frees a ct_jws and everything it owns; NULL is a no-op. */
void ct_jws_free(struct ct_jws *jws);

/*
 * Verifies an RS256 or ES256 signature with a public (or private) key.
 * allowed is a mask of CT_JOSE_RS256 / CT_JOSE_ES256.  Returns 0 only when
 * the header's alg is allowed, the key fits it, and the signature verifies.
 * Errors: CT_ERR_UNSUPPORTED_ALG (alg not allowed, unknown, "none", or
 * HS256), CT_ERR_BAD_KEY (key type or size wrong for the alg),
 * CT_ERR_SIGNATURE (bad length or does not verify).
 */
int ct_jws_verify(const struct ct_jws *jws, unsigned allowed, EVP_PKEY *key,
		  struct ct_errinfo *ei) __attribute__((warn_unused_result));

/*
 * Verifies an HS256 MAC with a secret of at least 32 bytes (RFC 7518 §3.2),
 * compared in constant time.  The header's alg must be HS256.  Errors:
 * CT_ERR_UNSUPPORTED_ALG, CT_ERR_BAD_KEY (short key), CT_ERR_SIGNATURE.
 */
int ct_jws_verify_hmac(const struct ct_jws *jws, const uint8_t *key,
		       size_t keylen, struct ct_errinfo *ei)
	__attribute__((warn_unused_result));

/*
 * Signs payload[0..len) with RS256 or ES256 and returns the compact JWS
 * as a malloc'd NUL-terminated string (the caller frees it).  The header
 * is {"alg": ...} followed by the members of header (may be NULL; may not
 * set "alg", "enc", "zip" or "crit").  Errors: CT_ERR_INVALID_ARG,
 * CT_ERR_UNSUPPORTED_ALG, CT_ERR_BAD_KEY, CT_ERR_TOO_LARGE, CT_ERR_CRYPTO,
 * CT_ERR_NOMEM.
 */
int ct_jws_sign(enum ct_jose_alg alg, const json_t *header,
		const void *payload, size_t len, EVP_PKEY *key, char **out,
		struct ct_errinfo *ei);

/*
 * A signer for keys that live outside this process (a TPM, a key store):
 * appends the JOSE form of the signature over input[0..len) to sig (ES256:
 * the 64 bytes R || S; RS256: the PKCS#1 v1.5 block).  Returns 0 or a
 * CT_ERR_* code with detail in ei, which ct_jws_sign_with passes on.
 */
typedef int (*ct_jws_signer)(void *arg, const uint8_t *input, size_t len,
			     struct ct_buf *sig, struct ct_errinfo *ei);

/*
 * Like ct_jws_sign, but the signature comes from sign(arg, ...).  alg must
 * be RS256 or ES256; an ES256 signature that is not 64 bytes is
 * CT_ERR_SIGNATURE.  Errors as ct_jws_sign, plus whatever sign returns.
 */
int ct_jws_sign_with(enum ct_jose_alg alg, const json_t *header,
		     const void *payload, size_t len, ct_jws_signer sign,
		     void *arg, char **out, struct ct_errinfo *ei);

/* Like ct_jws_sign with HS256 and a secret of at least 32 bytes. */
int ct_jws_sign_hmac(const json_t *header, const void *payload, size_t len,
		     const uint8_t *key, size_t keylen, char **out,
		     struct ct_errinfo *ei);

#endif
