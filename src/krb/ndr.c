/* SPDX-License-Identifier: Apache-2.0 */
#include "ndr.h"

#include <string.h>

#include "ct-error.h"

#define NDR_REF_FIRST 0x00020000u
#define NDR_REF_STEP 4u

/* ---- UTF-8 <-> UTF-16LE ---- */

/* Decodes one UTF-8 scalar value from s; returns its length or 0 when invalid. */
static size_t utf8_decode(const unsigned char *s, uint32_t *cp)
{
	uint32_t c = s[0], min;
	size_t n, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		c &= 0x1f;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		c &= 0x0f;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		c &= 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80) /* also stops at the NUL */
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

int ct_utf8_to_utf16le(const char *s, struct ct_buf *out)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t cp;
	size_t n;

	while (*p != '\0') {
		n = utf8_decode(p, &cp);
		if (n == 0)
			return CT_ERR_BAD_VALUE;
		p += n;
		if (cp >= 0x10000) {
			cp -= 0x10000;
			ct_buf_put_le16(out, (uint16_t)(0xd800 | (cp >> 10)));
			ct_buf_put_le16(out, (uint16_t)(0xdc00 | (cp & 0x3ff)));
		} else {
			ct_buf_put_le16(out, (uint16_t)cp);
		}
	}
	return out->err;
}

int ct_utf16le_to_utf8(struct ct_arena *a, const uint8_t *p, size_t n, char **out)
{
	size_t i, o = 0;
	uint32_t u, lo;
	char *s;

	if (n % 2 != 0)
		return CT_ERR_BAD_VALUE;
	/* Each code unit becomes at most 3 bytes (a pair: 4 bytes for 2 units). */
	if (n / 2 > (SIZE_MAX - 1) / 3)
		return CT_ERR_TOO_LARGE;
	s = ct_arena_alloc(a, n / 2 * 3 + 1);
	if (s == NULL)
		return CT_ERR_NOMEM;
	for (i = 0; i < n; i += 2) {
		u = (uint32_t)p[i] | (uint32_t)p[i + 1] << 8;
		if (u == 0)
			return CT_ERR_BAD_VALUE;
		if (u >= 0xdc00 && u <= 0xdfff)
			return CT_ERR_BAD_VALUE;
		if (u >= 0xd800 && u <= 0xdbff) {
			if (i + 4 > n)
				return CT_ERR_BAD_VALUE;
			lo = (uint32_t)p[i + 2] | (uint32_t)p[i + 3] << 8;
			if (lo < 0xdc00 || lo > 0xdfff)
				return CT_ERR_BAD_VALUE;
			u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
			i += 2;
		}
		if (u < 0x80) {
			s[o++] = (char)u;
		} else if (u < 0x800) {
			s[o++] = (char)(0xc0 | (u >> 6));
			s[o++] = (char)(0x80 | (u & 0x3f));
		} else if (u < 0x10000) {
			s[o++] = (char)(0xe0 | (u >> 12));
			s[o++] = (char)(0x80 | ((u >> 6) & 0x3f));
			s[o++] = (char)(0x80 | (u & 0x3f));
		} else {
			s[o++] = (char)(0xf0 | (u >> 18));
			s[o++] = (char)(0x80 | ((u >> 12) & 0x3f));
			s[o++] = (char)(0x80 | ((u >> 6) & 0x3f));
			s[o++] = (char)(0x80 | (u & 0x3f));
		}
	}
	s[o] = '\0';
	*out = s;
	return 0;
}

/* ---- writer ---- */

void ct_ndr_out_init(struct ct_ndr_out *w, struct ct_buf *b)
{
	w->b = b;
	w->base = b->len;
	w->next_ref = NDR_REF_FIRST;
}

size_t ct_ndr_out_pos(const struct ct_ndr_out *w)
{
	return w->b->len - w->base;
}

void ct_ndr_put_align(struct ct_ndr_out *w, size_t n)
{
	size_t pos = ct_ndr_out_pos(w);

	ct_buf_put_zeros(w->b, (n - (pos & (n - 1))) & (n - 1));
}

void ct_ndr_put_u16(struct ct_ndr_out *w, uint16_t v)
{
	ct_ndr_put_align(w, 2);
	ct_buf_put_le16(w->b, v);
}

void ct_ndr_put_u32(struct ct_ndr_out *w, uint32_t v)
{
	ct_ndr_put_align(w, 4);
	ct_buf_put_le32(w->b, v);
}

void ct_ndr_put_nttime(struct ct_ndr_out *w, uint64_t v)
{
	ct_ndr_put_u32(w, (uint32_t)v);
	ct_ndr_put_u32(w, (uint32_t)(v >> 32));
}

void ct_ndr_put_ptr(struct ct_ndr_out *w, bool present)
{
	if (!present) {
		ct_ndr_put_u32(w, 0);
		return;
	}
	ct_ndr_put_u32(w, w->next_ref);
	w->next_ref += NDR_REF_STEP;
}

static bool ustr_ok(struct ct_ndr_out *w, const struct ct_ndr_str *s)
{
	if (s->len % 2 != 0 || s->len > 65532 || (!s->present && s->len != 0)) {
		if (w->b->err == 0)
			w->b->err = CT_ERR_INVALID_ARG;
		return false;
	}
	return true;
}

void ct_ndr_put_ustr_hdr(struct ct_ndr_out *w, const struct ct_ndr_str *s)
{
	if (!ustr_ok(w, s))
		return;
	ct_ndr_put_u16(w, (uint16_t)s->len);
	ct_ndr_put_u16(w, (uint16_t)(s->len + (s->present && s->large ? 2 : 0)));
	ct_ndr_put_ptr(w, s->present);
}

void ct_ndr_put_ustr_body(struct ct_ndr_out *w, const struct ct_ndr_str *s)
{
	if (!ustr_ok(w, s) || !s->present)
		return;
	ct_ndr_put_u32(w, (uint32_t)(s->len / 2 + (s->large ? 1 : 0))); /* MaxCount */
	ct_ndr_put_u32(w, 0); /* Offset */
	ct_ndr_put_u32(w, (uint32_t)(s->len / 2)); /* ActualCount */
	ct_buf_put(w->b, s->u16, s->len);
}

void ct_ndr_put_sid2(struct ct_ndr_out *w, const struct ct_sid *sid)
{
	ct_ndr_put_u32(w, sid->nsub);
	ct_sid_put(w->b, sid);
}

/* ---- reader ---- */

void ct_ndr_in_init(struct ct_ndr_in *r, const uint8_t *p, size_t len)
{
	ct_cursor_init(&r->c, p, len);
	r->base = p;
}

size_t ct_ndr_in_pos(const struct ct_ndr_in *r)
{
	return (size_t)(r->c.p - r->base);
}

size_t ct_ndr_in_left(const struct ct_ndr_in *r)
{
	return r->c.len;
}

int ct_ndr_fail(struct ct_ndr_in *r, int err)
{
	return ct_cursor_fail(&r->c, err);
}

void ct_ndr_get_align(struct ct_ndr_in *r, size_t n)
{
	size_t pos = ct_ndr_in_pos(r);

	ct_cursor_get(&r->c, (n - (pos & (n - 1))) & (n - 1));
}

uint16_t ct_ndr_get_u16(struct ct_ndr_in *r)
{
	ct_ndr_get_align(r, 2);
	return ct_cursor_get_le16(&r->c);
}

uint32_t ct_ndr_get_u32(struct ct_ndr_in *r)
{
	ct_ndr_get_align(r, 4);
	return ct_cursor_get_le32(&r->c);
}

uint64_t ct_ndr_get_nttime(struct ct_ndr_in *r)
{
	uint64_t lo = ct_ndr_get_u32(r);

	return lo | (uint64_t)ct_ndr_get_u32(r) << 32;
}

const uint8_t *ct_ndr_get_bytes(struct ct_ndr_in *r, size_t n)
{
	return ct_cursor_get(&r->c, n);
}

void ct_ndr_get_ustr_hdr(struct ct_ndr_in *r, struct ct_ndr_ustr_hdr *h)
{
	h->len = ct_ndr_get_u16(r);
	h->max = ct_ndr_get_u16(r);
	h->ptr = ct_ndr_get_u32(r);
	if (r->c.err != 0)
		return;
	if (h->len % 2 != 0 || h->max % 2 != 0 || h->len > h->max ||
	    (h->ptr == 0 && h->len != 0))
		ct_ndr_fail(r, CT_ERR_BAD_VALUE);
}

int ct_ndr_get_ustr_body(struct ct_ndr_in *r, struct ct_arena *a,
			 const struct ct_ndr_ustr_hdr *h, char **out)
{
	uint32_t maxc, off, actual;
	const uint8_t *p;
	int e;

	*out = NULL;
	if (r->c.err != 0 || h->ptr == 0)
		return r->c.err;
	maxc = ct_ndr_get_u32(r);
	off = ct_ndr_get_u32(r);
	actual = ct_ndr_get_u32(r);
	if (r->c.err != 0)
		return r->c.err;
	if (maxc != h->max / 2u || off != 0 || actual != h->len / 2u)
		return ct_ndr_fail(r, CT_ERR_BAD_VALUE);
	p = ct_cursor_get(&r->c, h->len);
	if (p == NULL)
		return r->c.err;
	e = ct_utf16le_to_utf8(a, p, h->len, out);
	if (e != 0)
		return ct_ndr_fail(r, e);
	return 0;
}

int ct_ndr_get_sid2(struct ct_ndr_in *r, struct ct_sid *sid)
{
	uint32_t maxc = ct_ndr_get_u32(r);
	struct ct_sid s;

	if (ct_sid_get(&r->c, &s) != 0)
		return r->c.err;
	if (maxc != s.nsub)
		return ct_ndr_fail(r, CT_ERR_BAD_VALUE);
	*sid = s;
	return 0;
}

void ct_ndr_get_conformance(struct ct_ndr_in *r, uint32_t count, uint32_t max)
{
	uint32_t maxc = ct_ndr_get_u32(r);

	if (r->c.err != 0)
		return;
	if (count > max)
		ct_ndr_fail(r, CT_ERR_TOO_LARGE);
	else if (maxc != count)
		ct_ndr_fail(r, CT_ERR_BAD_VALUE);
}
