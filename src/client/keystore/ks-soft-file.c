/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The soft key file's strict decoder and its encoder (format in
 * ks-soft-file.h).  The decoder sees untrusted bytes: every field is
 * bounded before anything acts on it, and a file is refused, never
 * repaired.
 */
#include "ks-soft-file.h"

#include <string.h>

#include "ct-error.h"
#include "ks-file.h"
#include "ks-internal.h"

bool ks_soft_costs_ok(uint32_t t, uint32_t m_kib, uint32_t p)
{
	/* Argon2 needs at least 8 KiB per lane. */
	return t >= 1 && t <= CT_KS_SOFT_MAX_T && p >= 1 &&
	       p <= CT_KS_SOFT_MAX_P && m_kib >= 8 * p &&
	       m_kib <= CT_KS_SOFT_MAX_M_KIB;
}

/* A 16-bit length, then that many bytes (1..max). */
static const uint8_t *get_blob(struct ct_cursor *c, size_t max, size_t *len)
{
	uint16_t n = ct_cursor_get_le16(c);

	if (c->err != 0)
		return NULL;
	if (n == 0 || n > max) {
		ct_cursor_fail(c, CT_ERR_BAD_VALUE);
		return NULL;
	}
	*len = n;
	return ct_cursor_get(c, n);
}

static void get_fixed(struct ct_cursor *c, uint8_t *out, size_t n)
{
	const uint8_t *p = ct_cursor_get(c, n);

	if (p != NULL)
		memcpy(out, p, n);
}

int ks_soft_file_decode(const uint8_t *p, size_t n, struct ks_soft_file *f)
{
	struct ct_cursor c;
	int r;

	memset(f, 0, sizeof(*f));
	ct_cursor_init(&c, p, n);
	r = ks_header_get(&c, CT_KS_SOFT, &f->label, &f->label_len);
	if (r != 0)
		return r;
	f->t = ct_cursor_get_le32(&c);
	f->m_kib = ct_cursor_get_le32(&c);
	f->p = ct_cursor_get_le32(&c);
	get_fixed(&c, f->salt, sizeof(f->salt));
	f->max_attempts = ct_cursor_get_le32(&c);
	f->failures = ct_cursor_get_le32(&c);
	get_fixed(&c, f->nonce, sizeof(f->nonce));
	if (c.err != 0)
		return c.err;
	if (!ks_soft_costs_ok(f->t, f->m_kib, f->p) || f->max_attempts == 0 ||
	    f->max_attempts > CT_KS_MAX_ATTEMPTS ||
	    f->failures > f->max_attempts)
		return CT_ERR_BAD_VALUE;
	f->pub = get_blob(&c, CT_KS_SOFT_MAX_PUB, &f->pub_len);
	f->sealed = get_blob(&c, CT_KS_SOFT_MAX_SEALED, &f->sealed_len);
	get_fixed(&c, f->tag, sizeof(f->tag));
	if (c.err != 0)
		return c.err;
	if (!ct_cursor_empty(&c))
		return CT_ERR_TRAILING;
	return 0;
}

void ks_soft_file_encode(const struct ks_soft_file *f, bool aad,
			 struct ct_buf *out)
{
	ks_header_put(out, CT_KS_SOFT, f->label, f->label_len);
	ct_buf_put_le32(out, f->t);
	ct_buf_put_le32(out, f->m_kib);
	ct_buf_put_le32(out, f->p);
	ct_buf_put(out, f->salt, sizeof(f->salt));
	ct_buf_put_le32(out, f->max_attempts);
	if (!aad)
		ct_buf_put_le32(out, f->failures);
	ct_buf_put(out, f->nonce, sizeof(f->nonce));
	ct_buf_put_le16(out, (uint16_t)f->pub_len);
	ct_buf_put(out, f->pub, f->pub_len);
	if (aad)
		return;
	ct_buf_put_le16(out, (uint16_t)f->sealed_len);
	ct_buf_put(out, f->sealed, f->sealed_len);
	ct_buf_put(out, f->tag, sizeof(f->tag));
}
