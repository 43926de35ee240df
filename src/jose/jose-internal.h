/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Helpers shared by jws.c, jwe.c and keyblob.c.  Not an interface for other
 * layers: they use jws.h, jwe.h and keyblob.h.
 */
#ifndef CT_JOSE_INTERNAL_H
#define CT_JOSE_INTERNAL_H

#include <jansson.h>
#include <openssl/evp.h>
#include <stddef.h>

#include "ct-arena.h"
#include "ct-buf.h"
#include "ct-error.h"
#include "jose.h"

/* One '.'-separated part of a compact serialisation, borrowed. */
struct ct_jose_part {
	const char *p;
	size_t len;
};

/*
 * Splits s[0..n) into exactly nparts parts.  Returns 0, CT_ERR_TOO_LARGE
 * (over CT_JOSE_MAX_COMPACT) or CT_ERR_BAD_JOSE (wrong number of parts).
 */
int ct_jose_split(const char *s, size_t n, struct ct_jose_part *parts,
		  size_t nparts, struct ct_errinfo *ei);

/*
 * Decodes a base64url part of at most max decoded bytes into the arena.
 * what names the part in messages.  CT_ERR_TOO_LARGE, CT_ERR_BAD_BASE64,
 * CT_ERR_NOMEM.
 */
int ct_jose_decode_part(struct ct_arena *a, const struct ct_jose_part *part,
			size_t max, const char *what, struct ct_jose_blob *out,
			struct ct_errinfo *ei);

/*
 * Decodes and parses a protected header: a JSON object with a string
 * "alg" and no "crit" (we understand no extension, so RFC 7515 §4.1.11
 * says refuse) and no "zip".  *hdr is a new reference; *raw points into the
 * arena.  *alg_name borrows from *hdr.
 */
int ct_jose_parse_header(struct ct_arena *a, const struct ct_jose_part *part,
			 json_t **hdr, struct ct_jose_blob *raw,
			 const char **alg_name, struct ct_errinfo *ei);

/*
 * The start every compact parser shares: splits compact into nparts,
 * creates *arena and parses the protected header (first part) as
 * ct_jose_parse_header does.  On failure nothing is left allocated.
 */
int ct_jose_parse_begin(const char *compact, size_t len,
			struct ct_jose_part *parts, size_t nparts,
			struct ct_arena **arena, json_t **hdr,
			struct ct_jose_blob *raw, const char **alg_name,
			struct ct_errinfo *ei);

/* An optional string member of a header: NULL when absent. */
int ct_jose_header_str(const json_t *hdr, const char *key, const char **out,
		       struct ct_errinfo *ei);

/*
 * Appends base64url(JSON({"alg": alg[, "enc": enc], extra members...})) to
 * out.  extra may be NULL; it may not set alg, enc, zip or crit
 * (CT_ERR_INVALID_ARG).
 */
int ct_jose_put_header(struct ct_buf *out, const char *alg, const char *enc,
		       const json_t *extra, struct ct_errinfo *ei);

/* Appends '.' and base64url(p[0..n)) to out. */
void ct_jose_put_part(struct ct_buf *out, const void *p, size_t n);

/* NUL-terminates out and hands its bytes over as a malloc'd string. */
int ct_jose_finish(struct ct_buf *out, char **s);

/*
 * Key checks (CT_ERR_BAD_KEY with detail): RSA (not RSA-PSS) with a
 * modulus of CT_RSA_MIN_BITS..CT_RSA_MAX_BITS and an odd public exponent
 * 3 <= e < 2^31; EC on P-256.
 */
int ct_jose_check_rsa(EVP_PKEY *key, struct ct_errinfo *ei);
int ct_jose_check_p256(EVP_PKEY *key, struct ct_errinfo *ei);

/*
 * Copies s (attacker-controlled, e.g. an "alg" value) into buf for a
 * message: at most n-1 bytes, anything unprintable as '?'.  Returns buf.
 */
const char *ct_jose_printable(const char *s, char *buf, size_t n);

/*
 * Records the first queued OpenSSL error after what in ei, clears the
 * queue, and returns code.  The one place OpenSSL errors are translated.
 */
int ct_jose_ossl_fail(struct ct_errinfo *ei, int code, const char *what);

#endif
