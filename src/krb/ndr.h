/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A small NDR (DCE/RPC transfer syntax, MS-RPCE 2.2.5 / C706 ch. 14) writer
 * and reader: just what the PAC's LOGON_INFO needs.  Little-endian, NDR32
 * (4-byte pointers), alignment counted from the start of the NDR stream.
 *
 * Writer: ct_ndr_out wraps a ct_buf whose current end is the start of the
 * stream; errors latch in the ct_buf.  Non-NULL pointers get referent ids
 * 0x00020000, 0x00020004, … in the order they are written, as Windows does.
 *
 * Reader: ct_ndr_in wraps a ct_cursor; the first failure latches
 * (CT_ERR_TRUNCATED for short input, CT_ERR_BAD_VALUE for a violated rule,
 * CT_ERR_TOO_LARGE for a count over a limit, CT_ERR_NOMEM) and later reads
 * return zeros.
 *
 * Also here: strict UTF-8 <-> UTF-16LE conversion for the PAC's strings.
 */
#ifndef CT_NDR_H
#define CT_NDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ct-arena.h"
#include "ct-buf.h"
#include "sid.h"

/*
 * Appends the UTF-16LE form of the UTF-8 string s (no NUL) to out.  Returns
 * 0, CT_ERR_BAD_VALUE for invalid UTF-8 (overlong forms, surrogates, values
 * above U+10FFFF, truncated sequences), or the error latched in out.
 */
int ct_utf8_to_utf16le(const char *s, struct ct_buf *out);

/*
 * Converts n bytes of UTF-16LE into a NUL-terminated UTF-8 string allocated
 * from a.  Returns 0, CT_ERR_BAD_VALUE (odd length, unpaired surrogate,
 * U+0000 inside the string), CT_ERR_NOMEM.
 */
int ct_utf16le_to_utf8(struct ct_arena *a, const uint8_t *p, size_t n, char **out);

struct ct_ndr_out {
	struct ct_buf *b;
	size_t base;
	uint32_t next_ref;
};

/* A string prepared for NDR: UTF-16LE code units (NULL pointer when absent). */
struct ct_ndr_str {
	bool present;
	const uint8_t *u16;
	size_t len; /* bytes, even, at most 65532 */
	/* lsa_StringLarge (LogonServer, LogonDomainName): MaximumLength = Length + 2. */
	bool large;
};

void ct_ndr_out_init(struct ct_ndr_out *w, struct ct_buf *b);
/* Offset of the write position inside the stream. */
size_t ct_ndr_out_pos(const struct ct_ndr_out *w);
/* Appends zero bytes up to a multiple of n (n a power of two). */
void ct_ndr_put_align(struct ct_ndr_out *w, size_t n);
void ct_ndr_put_u16(struct ct_ndr_out *w, uint16_t v);
void ct_ndr_put_u32(struct ct_ndr_out *w, uint32_t v);
/* NTTIME / FILETIME: two u32 halves, 4-aligned (low half first). */
void ct_ndr_put_nttime(struct ct_ndr_out *w, uint64_t v);
/* A unique/embedded pointer: a fresh referent id when present, else 0. */
void ct_ndr_put_ptr(struct ct_ndr_out *w, bool present);
/* RPC_UNICODE_STRING scalars: Length, MaximumLength, pointer. */
void ct_ndr_put_ustr_hdr(struct ct_ndr_out *w, const struct ct_ndr_str *s);
/* Its deferred body (conformant-varying array); nothing when absent. */
void ct_ndr_put_ustr_body(struct ct_ndr_out *w, const struct ct_ndr_str *s);
/* A deferred RPC_SID: MaxCount (= SubAuthorityCount), then the SID. */
void ct_ndr_put_sid2(struct ct_ndr_out *w, const struct ct_sid *sid);

struct ct_ndr_in {
	struct ct_cursor c;
	const uint8_t *base;
};

/* Scalars of an RPC_UNICODE_STRING as read. */
struct ct_ndr_ustr_hdr {
	uint16_t len, max;
	uint32_t ptr;
};

void ct_ndr_in_init(struct ct_ndr_in *r, const uint8_t *p, size_t len);
/* Offset of the read position inside the stream. */
size_t ct_ndr_in_pos(const struct ct_ndr_in *r);
/* Bytes left. */
size_t ct_ndr_in_left(const struct ct_ndr_in *r);
/* Latches err (first one wins); returns the latched error. */
int ct_ndr_fail(struct ct_ndr_in *r, int err);
/* Skips padding up to a multiple of n. */
void ct_ndr_get_align(struct ct_ndr_in *r, size_t n);
uint16_t ct_ndr_get_u16(struct ct_ndr_in *r);
uint32_t ct_ndr_get_u32(struct ct_ndr_in *r);
uint64_t ct_ndr_get_nttime(struct ct_ndr_in *r);
/* Reads n raw bytes (no alignment); NULL after a failure. */
const uint8_t *ct_ndr_get_bytes(struct ct_ndr_in *r, size_t n);
/*
 * Reads RPC_UNICODE_STRING scalars; Length and MaximumLength must be even,
 * Length <= MaximumLength, and a NULL pointer needs Length 0.
 */
void ct_ndr_get_ustr_hdr(struct ct_ndr_in *r, struct ct_ndr_ustr_hdr *h);
/*
 * Reads the deferred body for h (nothing when h->ptr is 0, *out = NULL):
 * MaxCount = MaximumLength/2, Offset = 0, ActualCount = Length/2, then the
 * code units, converted to UTF-8 in a.  Returns the latched status.
 */
int ct_ndr_get_ustr_body(struct ct_ndr_in *r, struct ct_arena *a,
			 const struct ct_ndr_ustr_hdr *h, char **out);
/* Reads a deferred RPC_SID (MaxCount must equal SubAuthorityCount). */
int ct_ndr_get_sid2(struct ct_ndr_in *r, struct ct_sid *sid);
/*
 * Reads the MaxCount of a deferred conformant array whose size field said
 * count; they must be equal and count at most max (CT_ERR_TOO_LARGE).
 */
void ct_ndr_get_conformance(struct ct_ndr_in *r, uint32_t count, uint32_t max);

#endif
