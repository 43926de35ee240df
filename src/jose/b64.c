/* SPDX-License-Identifier: Apache-2.0 */
#include "b64.h"

#include <stdbool.h>
#include <stdint.h>

#include "ct-error.h"
#include "ct-secret.h"

struct alphabet {
	const char *chars;
	bool pad;
};

static const struct alphabet url = {
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
	false,
};
static const struct alphabet std = {
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
	true,
};

static size_t encoded_len(size_t n, const struct alphabet *al)
{
	size_t rest = n % 3;

	/* Callers' inputs are bounded by caps far below this. */
	if (n > SIZE_MAX / 2)
		return SIZE_MAX;
	if (al->pad)
		return 4 * (n / 3 + (rest != 0));
	return 4 * (n / 3) + (rest == 0 ? 0 : rest + 1);
}

size_t ct_b64url_encoded_len(size_t n)
{
	return encoded_len(n, &url);
}

size_t ct_b64_encoded_len(size_t n)
{
	return encoded_len(n, &std);
}

static void encode_raw(char *dst, const uint8_t *p, size_t n,
		       const struct alphabet *al)
{
	const char *c = al->chars;
	size_t i;
	uint32_t v;

	for (i = 0; i + 3 <= n; i += 3) {
		v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		*dst++ = c[v >> 18];
		*dst++ = c[(v >> 12) & 63];
		*dst++ = c[(v >> 6) & 63];
		*dst++ = c[v & 63];
	}
	if (n - i == 0)
		return;
	v = (uint32_t)p[i] << 16;
	if (n - i == 2)
		v |= (uint32_t)p[i + 1] << 8;
	*dst++ = c[v >> 18];
	*dst++ = c[(v >> 12) & 63];
	if (n - i == 2)
		*dst++ = c[(v >> 6) & 63];
	else if (al->pad)
		*dst++ = '=';
	if (al->pad)
		*dst = '=';
}

static int char_value(unsigned char ch, const struct alphabet *al)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9')
		return ch - '0' + 52;
	if (ch == (unsigned char)al->chars[62])
		return 62;
	if (ch == (unsigned char)al->chars[63])
		return 63;
	return -1;
}

/*
 * Checks the length and padding of s[0..n): sets *body to the characters
 * that carry data and *outlen to the decoded size.
 */
static int decoded_shape(const char *s, size_t n, const struct alphabet *al,
			 size_t *body, size_t *outlen)
{
	size_t pad = 0, rest;

	if (al->pad) {
		if (n % 4 != 0)
			return CT_ERR_BAD_BASE64;
		while (pad < 2 && pad < n && s[n - 1 - pad] == '=')
			pad++;
	}
	*body = n - pad;
	rest = *body % 4;
	if (rest == 1)
		return CT_ERR_BAD_BASE64;
	*outlen = *body / 4 * 3 + (rest == 0 ? 0 : rest - 1);
	return 0;
}

/* Decodes body characters (no padding) into dst; refuses stray bits. */
static int decode_raw(uint8_t *dst, const char *s, size_t body,
		      const struct alphabet *al)
{
	uint32_t v = 0;
	size_t i, k = 0;
	int d;

	for (i = 0; i < body; i++) {
		d = char_value((unsigned char)s[i], al);
		if (d < 0)
			return CT_ERR_BAD_BASE64;
		v = v << 6 | (uint32_t)d;
		if (i % 4 == 3) {
			dst[k++] = (uint8_t)(v >> 16);
			dst[k++] = (uint8_t)(v >> 8);
			dst[k++] = (uint8_t)v;
			v = 0;
		}
	}
	switch (body % 4) {
	case 2:
		/* 12 bits for one byte: the low 4 must be zero. */
		if (v & 0x0f)
			return CT_ERR_BAD_BASE64;
		dst[k] = (uint8_t)(v >> 4);
		break;
	case 3:
		/* 18 bits for two bytes: the low 2 must be zero. */
		if (v & 0x03)
			return CT_ERR_BAD_BASE64;
		dst[k] = (uint8_t)(v >> 10);
		dst[k + 1] = (uint8_t)(v >> 2);
		break;
	}
	return 0;
}

static int buf_encode(struct ct_buf *out, const void *p, size_t n,
		      const struct alphabet *al)
{
	size_t len = encoded_len(n, al);
	int r;

	r = ct_buf_reserve(out, len);
	if (r != 0 || len == 0)
		return r; /* (an empty buffer may have no data pointer) */
	encode_raw((char *)out->data + out->len, p, n, al);
	out->len += len;
	return 0;
}

static int buf_decode(struct ct_buf *out, const char *s, size_t n,
		      const struct alphabet *al)
{
	size_t body, len;
	int r;

	r = decoded_shape(s, n, al, &body, &len);
	if (r != 0)
		return r;
	r = ct_buf_reserve(out, len);
	if (r != 0 || len == 0)
		return r;
	r = decode_raw(out->data + out->len, s, body, al);
	if (r != 0) {
		ct_zap(out->data + out->len, len);
		return r;
	}
	out->len += len;
	return 0;
}

static int arena_encode(struct ct_arena *a, const void *p, size_t n,
			const struct alphabet *al, char **out)
{
	size_t len = encoded_len(n, al);
	char *s;

	if (len == SIZE_MAX)
		return CT_ERR_NOMEM;
	s = ct_arena_alloc(a, len + 1);
	if (s == NULL)
		return CT_ERR_NOMEM;
	encode_raw(s, p, n, al);
	s[len] = '\0';
	*out = s;
	return 0;
}

static int arena_decode(struct ct_arena *a, const char *s, size_t n,
			const struct alphabet *al, uint8_t **out,
			size_t *outlen)
{
	size_t body, len;
	uint8_t *p;
	int r;

	r = decoded_shape(s, n, al, &body, &len);
	if (r != 0)
		return r;
	p = ct_arena_alloc(a, len + 1);
	if (p == NULL)
		return CT_ERR_NOMEM;
	r = decode_raw(p, s, body, al);
	if (r != 0) {
		ct_zap(p, len);
		return r;
	}
	*out = p;
	*outlen = len;
	return 0;
}

int ct_b64url_encode(struct ct_buf *out, const void *p, size_t n)
{
	return buf_encode(out, p, n, &url);
}

int ct_b64_encode(struct ct_buf *out, const void *p, size_t n)
{
	return buf_encode(out, p, n, &std);
}

int ct_b64url_decode(struct ct_buf *out, const char *s, size_t n)
{
	return buf_decode(out, s, n, &url);
}

int ct_b64_decode(struct ct_buf *out, const char *s, size_t n)
{
	return buf_decode(out, s, n, &std);
}

int ct_b64url_encode_arena(struct ct_arena *a, const void *p, size_t n,
			   char **out)
{
	return arena_encode(a, p, n, &url, out);
}

int ct_b64_encode_arena(struct ct_arena *a, const void *p, size_t n,
			char **out)
{
	return arena_encode(a, p, n, &std, out);
}

int ct_b64url_decode_arena(struct ct_arena *a, const char *s, size_t n,
			   uint8_t **out, size_t *outlen)
{
	return arena_decode(a, s, n, &url, out, outlen);
}

int ct_b64_decode_arena(struct ct_arena *a, const char *s, size_t n,
			uint8_t **out, size_t *outlen)
{
	return arena_decode(a, s, n, &std, out, outlen);
}
