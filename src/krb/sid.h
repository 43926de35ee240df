/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Windows security identifiers (MS-DTYP 2.4.2): the text form "S-1-5-21-…"
 * and the binary RPC_SID form used inside the PAC.
 *
 * Binary form (MS-DTYP 2.4.2.2): Revision (u8, always 1), SubAuthorityCount
 * (u8, 0..15), IdentifierAuthority (6 bytes, big-endian), SubAuthority[]
 * (little-endian u32 each).
 */
#ifndef CT_SID_H
#define CT_SID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ct-buf.h"
#include "ct-limits.h"

struct ct_sid {
	uint8_t revision;
	uint8_t nsub;
	uint8_t authority[6];
	uint32_t sub[CT_SID_MAX_SUBAUTH];
};

/* "S-1-" + "0x" and 12 hex digits + 15 x "-4294967295" + NUL, rounded up. */
#define CT_SID_STRING_MAX 192

/*
 * Parses the text form "S-1-<authority>(-<subauthority>){0,15}".  The
 * authority is decimal, or "0x" and 12 hex digits when it does not fit in
 * 32 bits (MS-DTYP 2.4.2.1).  Revision must be 1; no signs, spaces, empty
 * components, leading zeros or overflow.  Returns 0 or CT_ERR_BAD_VALUE
 * (*out is only written on success).
 */
int ct_sid_parse(const char *s, struct ct_sid *out);

/*
 * Formats sid as text into buf (at least CT_SID_STRING_MAX bytes for any
 * SID; a shorter buffer gets a truncated, NUL-terminated string).
 */
void ct_sid_format(const struct ct_sid *sid, char *buf, size_t buflen);

/*
 * Splits a user SID into the domain SID (all but the last sub-authority)
 * and the RID (the last one).  Returns 0 or CT_ERR_BAD_VALUE when user has
 * no sub-authority.
 */
int ct_sid_split(const struct ct_sid *user, struct ct_sid *domain, uint32_t *rid);

/*
 * Appends rid to domain (domain SID + RID = user SID).  Returns 0 or
 * CT_ERR_BAD_VALUE when domain already has CT_SID_MAX_SUBAUTH sub-authorities.
 */
int ct_sid_join(const struct ct_sid *domain, uint32_t rid, struct ct_sid *out);

/* True when both SIDs are equal (revision, authority and sub-authorities). */
bool ct_sid_equal(const struct ct_sid *a, const struct ct_sid *b);

/* Length in bytes of the binary form: 8 + 4 * nsub. */
size_t ct_sid_wire_len(const struct ct_sid *sid);

/* Appends the binary form to b (errors latch in b). */
void ct_sid_put(struct ct_buf *b, const struct ct_sid *sid);

/*
 * Reads a binary SID from c.  Revision must be 1 and the count at most
 * CT_SID_MAX_SUBAUTH; otherwise CT_ERR_BAD_VALUE is latched in c.  Returns
 * the cursor's status (0 on success, and *out filled).
 */
int ct_sid_get(struct ct_cursor *c, struct ct_sid *out);

#endif
