/* SPDX-License-Identifier: Apache-2.0 */
#include "ct-buf.h"

#include <stdlib.h>
#include <string.h>

#include "ct-error.h"
#include "ct-secret.h"

void ct_buf_init(struct ct_buf *b, size_t cap)
{
	memset(b, 0, sizeof(*b));
	b->cap = cap;
}

void ct_buf_free(struct ct_buf *b)
{
	size_t cap = b->cap;

	ct_erase_free(b->data, b->alloc);
	ct_buf_init(b, cap);
}

int ct_buf_reserve(struct ct_buf *b, size_t n)
{
	size_t want, nalloc;
	uint8_t *p;

	if (b->err != 0)
		return b->err;
	if (n > b->cap || b->len > b->cap - n)
		return b->err = CT_ERR_TOO_LARGE;
	want = b->len + n;
	if (want <= b->alloc)
		return 0;
	nalloc = b->alloc < 64 ? 64 : b->alloc;
	while (nalloc < want)
		nalloc = nalloc > b->cap / 2 ? b->cap : nalloc * 2;
	/* Grow by copy, not realloc, so old copies of secrets get wiped. */
	p = malloc(nalloc);
	if (p == NULL)
		return b->err = CT_ERR_NOMEM;
	if (b->len > 0)
		memcpy(p, b->data, b->len);
	ct_erase_free(b->data, b->alloc);
	b->data = p;
	b->alloc = nalloc;
	return 0;
}

void ct_buf_put(struct ct_buf *b, const void *p, size_t n)
{
	if (n == 0 || ct_buf_reserve(b, n) != 0)
		return;
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

void ct_buf_put_u8(struct ct_buf *b, uint8_t v)
{
	ct_buf_put(b, &v, 1);
}

void ct_buf_put_le16(struct ct_buf *b, uint16_t v)
{
	uint8_t x[2] = {(uint8_t)v, (uint8_t)(v >> 8)};

	ct_buf_put(b, x, sizeof(x));
}

void ct_buf_put_le32(struct ct_buf *b, uint32_t v)
{
	uint8_t x[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
			(uint8_t)(v >> 24)};

	ct_buf_put(b, x, sizeof(x));
}

void ct_buf_put_le64(struct ct_buf *b, uint64_t v)
{
	ct_buf_put_le32(b, (uint32_t)v);
	ct_buf_put_le32(b, (uint32_t)(v >> 32));
}

void ct_buf_put_be32(struct ct_buf *b, uint32_t v)
{
	uint8_t x[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16),
			(uint8_t)(v >> 8), (uint8_t)v};

	ct_buf_put(b, x, sizeof(x));
}

void ct_buf_put_zeros(struct ct_buf *b, size_t n)
{
	if (n == 0 || ct_buf_reserve(b, n) != 0)
		return;
	memset(b->data + b->len, 0, n);
	b->len += n;
}

void ct_buf_insert(struct ct_buf *b, size_t off, const void *p, size_t n)
{
	if (b->err == 0 && off > b->len)
		b->err = CT_ERR_INTERNAL;
	if (n == 0 || ct_buf_reserve(b, n) != 0)
		return;
	memmove(b->data + off + n, b->data + off, b->len - off);
	memcpy(b->data + off, p, n);
	b->len += n;
}

int ct_buf_steal(struct ct_buf *b, uint8_t **out, size_t *outlen)
{
	uint8_t *p;

	if (b->err != 0)
		return b->err;
	/* An exact-size copy, so callers never see or free the slack. */
	p = malloc(b->len > 0 ? b->len : 1);
	if (p == NULL)
		return b->err = CT_ERR_NOMEM;
	if (b->len > 0)
		memcpy(p, b->data, b->len);
	*out = p;
	*outlen = b->len;
	ct_buf_free(b);
	return 0;
}

void ct_cursor_init(struct ct_cursor *c, const void *p, size_t len)
{
	c->p = p;
	c->len = len;
	c->err = 0;
	c->depth = 0;
}

int ct_cursor_fail(struct ct_cursor *c, int err)
{
	if (c->err == 0)
		c->err = err;
	c->len = 0;
	return c->err;
}

bool ct_cursor_empty(const struct ct_cursor *c)
{
	return c->len == 0;
}

const uint8_t *ct_cursor_get(struct ct_cursor *c, size_t n)
{
	const uint8_t *p;

	if (c->err != 0)
		return NULL;
	if (n > c->len) {
		ct_cursor_fail(c, CT_ERR_TRUNCATED);
		return NULL;
	}
	p = c->p;
	c->p += n;
	c->len -= n;
	return p;
}

void ct_cursor_sub(struct ct_cursor *c, size_t n, struct ct_cursor *sub)
{
	const uint8_t *p = ct_cursor_get(c, n);

	ct_cursor_init(sub, p, p == NULL ? 0 : n);
	sub->err = c->err;
	sub->depth = c->depth + 1;
}

uint8_t ct_cursor_get_u8(struct ct_cursor *c)
{
	const uint8_t *p = ct_cursor_get(c, 1);

	return p == NULL ? 0 : p[0];
}

uint16_t ct_cursor_get_le16(struct ct_cursor *c)
{
	const uint8_t *p = ct_cursor_get(c, 2);

	return p == NULL ? 0 : (uint16_t)(p[0] | (p[1] << 8));
}

uint32_t ct_cursor_get_le32(struct ct_cursor *c)
{
	const uint8_t *p = ct_cursor_get(c, 4);

	if (p == NULL)
		return 0;
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

uint64_t ct_cursor_get_le64(struct ct_cursor *c)
{
	const uint8_t *p = ct_cursor_get(c, 8);
	uint64_t v = 0;
	int i;

	if (p == NULL)
		return 0;
	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

uint32_t ct_cursor_get_be32(struct ct_cursor *c)
{
	const uint8_t *p = ct_cursor_get(c, 4);

	if (p == NULL)
		return 0;
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | (uint32_t)p[3];
}
