/* SPDX-License-Identifier: Apache-2.0 */
#include "sid.h"

#include "ct-hex.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ct-error.h"

#define AUTHORITY_MAX ((UINT64_C(1) << 48) - 1)

/*
 * Reads an unsigned decimal number without sign or leading zeros, at most
 * max, from *sp; advances *sp past it.  Returns false on any violation.
 */
static bool parse_decimal(const char **sp, uint64_t max, uint64_t *out)
{
	const char *s = *sp;
	uint64_t v = 0;

	if (*s < '0' || *s > '9')
		return false;
	if (s[0] == '0' && s[1] >= '0' && s[1] <= '9')
		return false;
	for (; *s >= '0' && *s <= '9'; s++) {
		unsigned d = (unsigned)(*s - '0');

		if (v > (max - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*sp = s;
	*out = v;
	return true;
}

/* "0x" and 1..12 hex digits. */
static bool parse_hex_authority(const char **sp, uint64_t *out)
{
	const char *s = *sp + 2;
	uint64_t v = 0;
	int n = 0, d;

	while ((d = ct_hex_digit(*s)) >= 0) {
		if (++n > 12)
			return false;
		v = v << 4 | (uint64_t)d;
		s++;
	}
	if (n == 0)
		return false;
	*sp = s;
	*out = v;
	return true;
}

int ct_sid_parse(const char *s, struct ct_sid *out)
{
	struct ct_sid sid;
	uint64_t v;
	int i;

	if (s == NULL || strncmp(s, "S-1-", 4) != 0)
		return CT_ERR_BAD_VALUE;
	memset(&sid, 0, sizeof(sid));
	sid.revision = 1;
	s += 4;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		if (!parse_hex_authority(&s, &v))
			return CT_ERR_BAD_VALUE;
	} else if (!parse_decimal(&s, AUTHORITY_MAX, &v)) {
		return CT_ERR_BAD_VALUE;
	}
	for (i = 5; i >= 0; i--) {
		sid.authority[i] = (uint8_t)v;
		v >>= 8;
	}
	while (*s == '-') {
		s++;
		if (sid.nsub == CT_SID_MAX_SUBAUTH ||
		    !parse_decimal(&s, UINT32_MAX, &v))
			return CT_ERR_BAD_VALUE;
		sid.sub[sid.nsub++] = (uint32_t)v;
	}
	if (*s != '\0')
		return CT_ERR_BAD_VALUE;
	*out = sid;
	return 0;
}

void ct_sid_format(const struct ct_sid *sid, char *buf, size_t buflen)
{
	uint64_t auth = 0;
	size_t off;
	int i, n;

	if (buflen == 0)
		return;
	for (i = 0; i < 6; i++)
		auth = auth << 8 | sid->authority[i];
	if (auth <= UINT32_MAX)
		n = snprintf(buf, buflen, "S-%u-%" PRIu64, sid->revision, auth);
	else
		n = snprintf(buf, buflen, "S-%u-0x%012" PRIX64, sid->revision,
			     auth);
	off = n < 0 ? buflen : (size_t)n;
	/* snprintf keeps buf NUL-terminated; stop once it has truncated. */
	for (i = 0; i < sid->nsub && i < CT_SID_MAX_SUBAUTH && off < buflen; i++) {
		n = snprintf(buf + off, buflen - off, "-%" PRIu32, sid->sub[i]);
		off = n < 0 ? buflen : off + (size_t)n;
	}
}

int ct_sid_split(const struct ct_sid *user, struct ct_sid *domain, uint32_t *rid)
{
	struct ct_sid d;
	uint32_t r;

	if (user->nsub == 0 || user->nsub > CT_SID_MAX_SUBAUTH)
		return CT_ERR_BAD_VALUE;
	d = *user;
	r = d.sub[d.nsub - 1];
	d.sub[--d.nsub] = 0;
	*domain = d;
	*rid = r;
	return 0;
}

int ct_sid_join(const struct ct_sid *domain, uint32_t rid, struct ct_sid *out)
{
	struct ct_sid u;

	if (domain->nsub >= CT_SID_MAX_SUBAUTH)
		return CT_ERR_BAD_VALUE;
	u = *domain;
	u.sub[u.nsub++] = rid;
	*out = u;
	return 0;
}

bool ct_sid_equal(const struct ct_sid *a, const struct ct_sid *b)
{
	int i;

	if (a->revision != b->revision || a->nsub != b->nsub ||
	    a->nsub > CT_SID_MAX_SUBAUTH ||
	    memcmp(a->authority, b->authority, sizeof(a->authority)) != 0)
		return false;
	for (i = 0; i < a->nsub; i++)
		if (a->sub[i] != b->sub[i])
			return false;
	return true;
}

size_t ct_sid_wire_len(const struct ct_sid *sid)
{
	return 8 + 4 * (size_t)sid->nsub;
}

void ct_sid_put(struct ct_buf *b, const struct ct_sid *sid)
{
	int i;

	if (sid->nsub > CT_SID_MAX_SUBAUTH) {
		if (b->err == 0)
			b->err = CT_ERR_INVALID_ARG;
		return;
	}
	ct_buf_put_u8(b, sid->revision);
	ct_buf_put_u8(b, sid->nsub);
	ct_buf_put(b, sid->authority, sizeof(sid->authority));
	for (i = 0; i < sid->nsub; i++)
		ct_buf_put_le32(b, sid->sub[i]);
}

int ct_sid_get(struct ct_cursor *c, struct ct_sid *out)
{
	struct ct_sid sid;
	const uint8_t *auth;
	int i;

	memset(&sid, 0, sizeof(sid));
	sid.revision = ct_cursor_get_u8(c);
	sid.nsub = ct_cursor_get_u8(c);
	auth = ct_cursor_get(c, sizeof(sid.authority));
	if (c->err != 0)
		return c->err;
	if (sid.revision != 1 || sid.nsub > CT_SID_MAX_SUBAUTH)
		return ct_cursor_fail(c, CT_ERR_BAD_VALUE);
	memcpy(sid.authority, auth, sizeof(sid.authority));
	for (i = 0; i < sid.nsub; i++)
		sid.sub[i] = ct_cursor_get_le32(c);
	if (c->err != 0)
		return c->err;
	*out = sid;
	return 0;
}
