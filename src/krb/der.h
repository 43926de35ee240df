/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The subset of DER that Kerberos (RFC 4120 §5) needs: single-byte tags,
 * definite minimal lengths, INTEGER, OCTET STRING, GeneralString,
 * GeneralizedTime (KerberosTime) and 32-bit BIT STRING (KerberosFlags).
 *
 * Encoding appends to a ct_buf.  A constructed value is written by
 * ct_der_begin() (tag plus a one-byte placeholder length), its content, then
 * ct_der_end(), which back-patches the minimal length.  Errors latch in the
 * buffer (CT_ERR_INVALID_ARG for unencodable values), so a writer checks
 * buf->err once at the end.
 *
 * Decoding reads from a ct_cursor.  ct_der_enter() splits off the content of
 * the next value as a sub-cursor one level deeper, ct_der_leave() checks the
 * sub-cursor was used up and copies its error back to the parent.  Every
 * getter latches the first error in the cursor and returns zero/NULL after
 * it, so a decoder checks cursor->err once.
 */
#ifndef CT_DER_H
#define CT_DER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "ct-arena.h"
#include "ct-buf.h"

/* Universal tags we use (with the constructed bit where it applies). */
#define CT_DER_INTEGER 0x02
#define CT_DER_BIT_STRING 0x03
#define CT_DER_OCTET_STRING 0x04
#define CT_DER_GENERALIZED_TIME 0x18
#define CT_DER_GENERAL_STRING 0x1b
#define CT_DER_SEQUENCE 0x30
/* Constructed context-specific [n] and APPLICATION n tags, n < 31. */
#define CT_DER_CTX(n) ((uint8_t)(0xa0 | (n)))
#define CT_DER_APP(n) ((uint8_t)(0x60 | (n)))
#define CT_DER_IS_CTX(tag) (((tag) & 0xe0) == 0xa0)
#define CT_DER_IS_APP(tag) (((tag) & 0xe0) == 0x60)
#define CT_DER_TAG_NUM(tag) ((tag) & 0x1f)

/* "YYYYMMDDHHMMSSZ" */
#define CT_DER_TIME_LEN 15
/* 9999-12-31T23:59:59Z, the last second a KerberosTime can hold. */
#define CT_DER_TIME_MAX INT64_C(253402300799)

/* Latches err in b unless an error is already latched; returns b->err. */
int ct_der_fail(struct ct_buf *b, int err);

/*
 * Writes tag and a placeholder length; returns the mark to pass to
 * ct_der_end() once the content has been written.
 */
size_t ct_der_begin(struct ct_buf *b, uint8_t tag);
/* Patches the length of the value opened at mark (long form if needed). */
void ct_der_end(struct ct_buf *b, size_t mark);

/* INTEGER in minimal two's complement. */
void ct_der_put_int32(struct ct_buf *b, int32_t v);
void ct_der_put_uint32(struct ct_buf *b, uint32_t v);
/* OCTET STRING; data may be NULL only when len is 0 (else INVALID_ARG). */
void ct_der_put_octets(struct ct_buf *b, const void *data, size_t len);
/* GeneralString (KerberosString); NULL or longer than CT_KRB_MAX_STRING: INVALID_ARG. */
void ct_der_put_string(struct ct_buf *b, const char *s);
/* KerberosTime; t outside 1970..9999 latches CT_ERR_INVALID_ARG. */
void ct_der_put_time(struct ct_buf *b, time_t t);
/* KerberosFlags: always 32 bits (03 05 00 b0 b1 b2 b3), bit 0 = MSB of v. */
void ct_der_put_flags(struct ct_buf *b, uint32_t v);

/*
 * Reads the header of the next value: *tag and a sub-cursor over its
 * content.  Returns 0 or the latched error: TRUNCATED (no header, or the
 * length runs past the input), BAD_TAG (multi-byte tag), BAD_LENGTH
 * (indefinite or reserved length form), NON_MINIMAL (long form where short
 * would do, or leading zero length bytes), TOO_DEEP (beyond CT_DER_MAX_DEPTH).
 */
int ct_der_get_tlv(struct ct_cursor *c, uint8_t *tag, struct ct_cursor *content);
/* Returns the next tag byte without consuming it, or -1 when c is empty or failed. */
int ct_der_peek_tag(const struct ct_cursor *c);
/*
 * Reads the next value, which must carry tag, into content.  Returns 0 or
 * the latched error: as ct_der_get_tlv, plus MISSING_FIELD when a context
 * tag is expected and the input is empty or continues with a higher context
 * tag, and BAD_TAG for any other mismatch.
 */
int ct_der_enter(struct ct_cursor *c, uint8_t tag, struct ct_cursor *content);
/* Like ct_der_enter when the next tag is tag; returns false and reads nothing otherwise. */
bool ct_der_enter_opt(struct ct_cursor *c, uint8_t tag, struct ct_cursor *content);
/*
 * Ends reading content (entered from parent): copies its error to parent,
 * and latches leftover_err when content was not used up (BAD_TAG for
 * unknown or out-of-order SEQUENCE fields, TRAILING elsewhere).
 * Returns parent's latched error.
 */
int ct_der_leave(struct ct_cursor *parent, struct ct_cursor *content, int leftover_err);

/*
 * Getters read one whole value (tag included) and latch: BAD_TAG, the
 * header errors above, BAD_LENGTH (empty INTEGER), NON_MINIMAL (INTEGER
 * with a redundant leading byte), BAD_VALUE (out of range, malformed
 * time, padding bits set), TOO_LARGE (over the max given), NOMEM.
 */
int32_t ct_der_get_int32(struct ct_cursor *c);
/*
 * 0..2^32-1.  Like MIT, a negative value that fits in an int32 is accepted
 * and reinterpreted as its two's complement (old encoders wrote nonces and
 * sequence numbers as signed).
 */
uint32_t ct_der_get_uint32(struct ct_cursor *c);
/*
 * The reverse liberality, for EncryptedData.kvno: an int32, but also
 * 2^31..2^32-1 (a kvno written as unsigned), reinterpreted as negative.
 */
int32_t ct_der_get_int32_liberal(struct ct_cursor *c);
/*
 * OCTET STRING of at most max bytes, copied into the arena.  *data is
 * non-NULL even for an empty value.  Returns 0 or the latched error.
 */
int ct_der_get_octets(struct ct_cursor *c, struct ct_arena *a, size_t max,
		      uint8_t **data, size_t *len);
/*
 * GeneralString of at most CT_KRB_MAX_STRING bytes without NUL, returned
 * NUL-terminated in the arena; NULL on error (BAD_VALUE for an embedded NUL).
 */
char *ct_der_get_string(struct ct_cursor *c, struct ct_arena *a);
/* KerberosTime "YYYYMMDDHHMMSSZ", years 1970..9999; anything else BAD_VALUE. */
time_t ct_der_get_time(struct ct_cursor *c);
/*
 * KerberosFlags: BIT STRING with 1..5 content bytes (MIT and Windows send
 * 5; a DER-minimal sender may drop trailing zero bytes); bit 0 is the MSB.
 * Bits beyond 32 are not accepted (BAD_LENGTH).
 */
uint32_t ct_der_get_flags(struct ct_cursor *c);

#endif
