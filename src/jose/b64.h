/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Base64 in the two alphabets the protocol uses (RFC 4648):
 *   - base64url without padding (§5), for every JOSE part;
 *   - standard base64 with padding (§4), for x5c, kngc, messageBuffer, ctx.
 *
 * The decoders are strict, so one value has exactly one accepted spelling:
 * they refuse whitespace, characters of the other alphabet, padding where
 * there must be none (and missing padding where there must be some), a
 * length that cannot be produced by the encoder, and non-zero trailing bits.
 * Every failure is CT_ERR_BAD_BASE64.
 *
 * Each function comes in a ct_buf form (appends to the buffer, whose cap
 * bounds the output) and an arena form (allocates from the arena).  On
 * failure a buffer is left as it was and nothing is returned.
 */
#ifndef CT_JOSE_B64_H
#define CT_JOSE_B64_H

#include <stddef.h>
#include <stdint.h>

#include "ct-arena.h"
#include "ct-buf.h"

/* Characters the encodings of n bytes take (without a NUL). */
size_t ct_b64url_encoded_len(size_t n);
size_t ct_b64_encoded_len(size_t n);

/*
 * Append the encoding of p[0..n) to out (no NUL).  Return 0 or the buffer's
 * latched error (CT_ERR_TOO_LARGE over its cap, CT_ERR_NOMEM).
 */
int ct_b64url_encode(struct ct_buf *out, const void *p, size_t n);
int ct_b64_encode(struct ct_buf *out, const void *p, size_t n);

/*
 * Decode s[0..n) and append the bytes to out.  Return 0, CT_ERR_BAD_BASE64,
 * or the buffer's error (CT_ERR_TOO_LARGE, CT_ERR_NOMEM).
 */
int ct_b64url_decode(struct ct_buf *out, const char *s, size_t n);
int ct_b64_decode(struct ct_buf *out, const char *s, size_t n);

/*
 * Encode into a NUL-terminated string allocated from a (owned by the
 * arena).  Return 0 or CT_ERR_NOMEM (also when over the arena's cap).
 */
int ct_b64url_encode_arena(struct ct_arena *a, const void *p, size_t n,
			   char **out);
int ct_b64_encode_arena(struct ct_arena *a, const void *p, size_t n,
			char **out);

/*
 * Decode into bytes allocated from a (owned by the arena; one spare NUL
 * byte follows them, so decoded text can be used as a C string when it
 * holds no NUL).  Return 0, CT_ERR_BAD_BASE64 or CT_ERR_NOMEM.
 */
int ct_b64url_decode_arena(struct ct_arena *a, const char *s, size_t n,
			   uint8_t **out, size_t *outlen);
int ct_b64_decode_arena(struct ct_arena *a, const char *s, size_t n,
			uint8_t **out, size_t *outlen);

#endif
