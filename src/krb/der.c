/* SPDX-License-Identifier: Apache-2.0 */
#include "der.h"

#include <string.h>

#include "ct-error.h"
#include "ct-limits.h"

/* ---- encoding ---- */

int ct_der_fail(struct ct_buf *b, int err)
{
	if (b->err == 0)
		b->err = err;
	return b->err;
}

size_t ct_der_begin(struct ct_buf *b, uint8_t tag)
{
	uint8_t hdr[2] = {tag, 0};

	ct_buf_put(b, hdr, sizeof(hdr));
	return b->len;
}

void ct_der_end(struct ct_buf *b, size_t mark)
{
	uint8_t lenbytes[sizeof(size_t)];
	size_t len, n = 0;

	if (b->err != 0)
		return;
	if (mark < 2 || mark > b->len) {
		ct_der_fail(b, CT_ERR_INTERNAL);
		return;
	}
	len = b->len - mark;
	if (len < 0x80) {
		b->data[mark - 1] = (uint8_t)len;
		return;
	}
	for (; len > 0; len >>= 8)
		n++;
	len = b->len - mark;
	for (size_t i = 0; i < n; i++)
		lenbytes[n - 1 - i] = (uint8_t)(len >> (8 * i));
	b->data[mark - 1] = (uint8_t)(0x80 | n);
	ct_buf_insert(b, mark, lenbytes, n);
}

/* Writes v as a minimal two's complement INTEGER. */
static void put_integer(struct ct_buf *b, int64_t v)
{
	uint8_t be[8];
	size_t i = 0, mark;

	for (size_t k = 0; k < 8; k++)
		be[k] = (uint8_t)((uint64_t)v >> (56 - 8 * k));
	/* Drop a leading byte while the next one still carries the sign. */
	while (i < 7 && ((be[i] == 0x00 && !(be[i + 1] & 0x80)) ||
			 (be[i] == 0xff && (be[i + 1] & 0x80))))
		i++;
	mark = ct_der_begin(b, CT_DER_INTEGER);
	ct_buf_put(b, be + i, 8 - i);
	ct_der_end(b, mark);
}

void ct_der_put_int32(struct ct_buf *b, int32_t v)
{
	put_integer(b, v);
}

void ct_der_put_uint32(struct ct_buf *b, uint32_t v)
{
	put_integer(b, v);
}

/* Writes a primitive value whose content is n bytes at p (n < 2^32). */
static void put_prim(struct ct_buf *b, uint8_t tag, const void *p, size_t n)
{
	size_t mark = ct_der_begin(b, tag);

	ct_buf_put(b, p, n);
	ct_der_end(b, mark);
}

void ct_der_put_octets(struct ct_buf *b, const void *data, size_t len)
{
	if (data == NULL && len > 0) {
		ct_der_fail(b, CT_ERR_INVALID_ARG);
		return;
	}
	put_prim(b, CT_DER_OCTET_STRING, data, len);
}

void ct_der_put_string(struct ct_buf *b, const char *s)
{
	size_t n;

	if (s == NULL || (n = strnlen(s, CT_KRB_MAX_STRING + 1)) > CT_KRB_MAX_STRING) {
		ct_der_fail(b, CT_ERR_INVALID_ARG);
		return;
	}
	put_prim(b, CT_DER_GENERAL_STRING, s, n);
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = y / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* The inverse, for days >= 0. */
static void civil_from_days(int64_t z, unsigned *y, unsigned *m, unsigned *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = z / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*y = (unsigned)(yoe + era * 400 + (*m <= 2));
}

/* Writes v as n decimal digits. */
static void put_digits(char *p, unsigned v, unsigned n)
{
	while (n-- > 0) {
		p[n] = (char)('0' + v % 10);
		v /= 10;
	}
}

void ct_der_put_time(struct ct_buf *b, time_t t)
{
	char s[CT_DER_TIME_LEN];
	unsigned y, mo, d;
	int64_t secs = t;

	if (secs < 0 || secs > CT_DER_TIME_MAX) {
		ct_der_fail(b, CT_ERR_INVALID_ARG);
		return;
	}
	civil_from_days(secs / 86400, &y, &mo, &d);
	secs %= 86400;
	put_digits(s, y, 4);
	put_digits(s + 4, mo, 2);
	put_digits(s + 6, d, 2);
	put_digits(s + 8, (unsigned)(secs / 3600), 2);
	put_digits(s + 10, (unsigned)(secs / 60 % 60), 2);
	put_digits(s + 12, (unsigned)(secs % 60), 2);
	s[14] = 'Z';
	put_prim(b, CT_DER_GENERALIZED_TIME, s, sizeof(s));
}

void ct_der_put_flags(struct ct_buf *b, uint32_t v)
{
	uint8_t x[5] = {0, (uint8_t)(v >> 24), (uint8_t)(v >> 16),
			(uint8_t)(v >> 8), (uint8_t)v};

	put_prim(b, CT_DER_BIT_STRING, x, sizeof(x));
}

/* ---- decoding ---- */

/* Reads a long-form length of n bytes (1..4 allowed: inputs are far smaller). */
static size_t get_long_length(struct ct_cursor *c, unsigned n)
{
	const uint8_t *p;
	size_t len = 0;

	if (n == 0) {
		ct_cursor_fail(c, CT_ERR_BAD_LENGTH); /* indefinite form */
		return 0;
	}
	if (n == 0x7f) {
		ct_cursor_fail(c, CT_ERR_BAD_LENGTH); /* reserved */
		return 0;
	}
	p = ct_cursor_get(c, n);
	if (p == NULL)
		return 0;
	if (p[0] == 0) {
		ct_cursor_fail(c, CT_ERR_NON_MINIMAL);
		return 0;
	}
	if (n > 4) {
		/* At least 2^32 bytes: more than any input can hold. */
		ct_cursor_fail(c, CT_ERR_TRUNCATED);
		return 0;
	}
	for (unsigned i = 0; i < n; i++)
		len = len << 8 | p[i];
	if (len < 0x80)
		ct_cursor_fail(c, CT_ERR_NON_MINIMAL);
	return len;
}

int ct_der_get_tlv(struct ct_cursor *c, uint8_t *tag, struct ct_cursor *content)
{
	uint8_t t, lb;
	size_t len;

	t = ct_cursor_get_u8(c);
	/* Kerberos never needs tag numbers >= 31 (the multi-byte form). */
	if (c->err == 0 && (t & 0x1f) == 0x1f)
		ct_cursor_fail(c, CT_ERR_BAD_TAG);
	lb = ct_cursor_get_u8(c);
	len = lb < 0x80 ? lb : get_long_length(c, lb & 0x7f);
	if (c->err == 0 && c->depth >= CT_DER_MAX_DEPTH)
		ct_cursor_fail(c, CT_ERR_TOO_DEEP);
	if (c->err == 0 && len > c->len)
		ct_cursor_fail(c, CT_ERR_TRUNCATED);
	ct_cursor_sub(c, c->err == 0 ? len : 0, content);
	*tag = c->err == 0 ? t : 0;
	return c->err;
}

int ct_der_peek_tag(const struct ct_cursor *c)
{
	if (c->err != 0 || c->len == 0)
		return -1;
	return c->p[0];
}

int ct_der_enter(struct ct_cursor *c, uint8_t tag, struct ct_cursor *content)
{
	int next = ct_der_peek_tag(c);
	uint8_t t;

	if (c->err == 0 && next != tag) {
		bool missing = CT_DER_IS_CTX(tag) &&
			       (next < 0 || (CT_DER_IS_CTX(next) && next > tag));

		ct_cursor_fail(c, missing ? CT_ERR_MISSING_FIELD :
			       next < 0 ? CT_ERR_TRUNCATED : CT_ERR_BAD_TAG);
	}
	return ct_der_get_tlv(c, &t, content);
}

bool ct_der_enter_opt(struct ct_cursor *c, uint8_t tag, struct ct_cursor *content)
{
	if (ct_der_peek_tag(c) != tag)
		return false;
	ct_der_enter(c, tag, content);
	return true;
}

int ct_der_leave(struct ct_cursor *parent, struct ct_cursor *content, int leftover_err)
{
	if (content->err != 0)
		ct_cursor_fail(parent, content->err);
	else if (!ct_cursor_empty(content))
		ct_cursor_fail(parent, leftover_err);
	return parent->err;
}

/*
 * Reads an INTEGER of at most 5 content bytes (enough for -2^31..2^32-1)
 * into *v; returns false after latching an error.
 */
static bool get_integer(struct ct_cursor *c, int64_t *v)
{
	struct ct_cursor in;
	const uint8_t *p;
	int64_t x;

	if (ct_der_enter(c, CT_DER_INTEGER, &in) != 0)
		return false;
	p = in.p;
	if (in.len == 0)
		ct_cursor_fail(c, CT_ERR_BAD_LENGTH);
	else if (in.len > 1 && ((p[0] == 0x00 && !(p[1] & 0x80)) ||
				(p[0] == 0xff && (p[1] & 0x80))))
		ct_cursor_fail(c, CT_ERR_NON_MINIMAL);
	else if (in.len > 5)
		ct_cursor_fail(c, CT_ERR_BAD_VALUE);
	if (c->err != 0)
		return false;
	x = (p[0] & 0x80) ? -1 : 0;
	for (size_t i = 0; i < in.len; i++)
		x = (int64_t)((uint64_t)x << 8 | p[i]);
	*v = x;
	return true;
}

/* Reads an INTEGER that must lie in min..max. */
static int64_t get_integer_range(struct ct_cursor *c, int64_t min, int64_t max)
{
	int64_t v;

	if (!get_integer(c, &v))
		return 0;
	if (v < min || v > max) {
		ct_cursor_fail(c, CT_ERR_BAD_VALUE);
		return 0;
	}
	return v;
}

int32_t ct_der_get_int32(struct ct_cursor *c)
{
	return (int32_t)get_integer_range(c, INT32_MIN, INT32_MAX);
}

uint32_t ct_der_get_uint32(struct ct_cursor *c)
{
	/* A negative int32 wraps to its two's complement. */
	return (uint32_t)get_integer_range(c, INT32_MIN, UINT32_MAX);
}

int32_t ct_der_get_int32_liberal(struct ct_cursor *c)
{
	return (int32_t)ct_der_get_uint32(c);
}

/* Enters a primitive value with tag and returns its content (or NULL). */
static const uint8_t *get_prim(struct ct_cursor *c, uint8_t tag, size_t *len)
{
	struct ct_cursor in;

	*len = 0;
	if (ct_der_enter(c, tag, &in) != 0)
		return NULL;
	*len = in.len;
	return in.p;
}

int ct_der_get_octets(struct ct_cursor *c, struct ct_arena *a, size_t max,
		      uint8_t **data, size_t *len)
{
	const uint8_t *p;
	uint8_t *copy;
	size_t n;

	p = get_prim(c, CT_DER_OCTET_STRING, &n);
	if (p == NULL)
		return c->err;
	if (n > max)
		return ct_cursor_fail(c, CT_ERR_TOO_LARGE);
	copy = ct_arena_memdup(a, p, n, 0);
	if (copy == NULL)
		return ct_cursor_fail(c, CT_ERR_NOMEM);
	*data = copy;
	*len = n;
	return 0;
}

char *ct_der_get_string(struct ct_cursor *c, struct ct_arena *a)
{
	const uint8_t *p;
	char *s = NULL;
	size_t n;

	p = get_prim(c, CT_DER_GENERAL_STRING, &n);
	if (p == NULL)
		return NULL;
	if (n > CT_KRB_MAX_STRING)
		ct_cursor_fail(c, CT_ERR_TOO_LARGE);
	else if (memchr(p, 0, n) != NULL)
		ct_cursor_fail(c, CT_ERR_BAD_VALUE);
	else if ((s = ct_arena_memdup(a, p, n, 1)) == NULL)
		ct_cursor_fail(c, CT_ERR_NOMEM);
	return c->err == 0 ? s : NULL;
}

/* Parses n decimal digits; returns -1 if any is not a digit. */
static int parse_digits(const uint8_t *p, unsigned n)
{
	int v = 0;

	for (unsigned i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	return v;
}

static unsigned days_in_month(unsigned y, unsigned m)
{
	static const uint8_t mdays[12] = {31, 28, 31, 30, 31, 30,
					  31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return mdays[m - 1] + (m == 2 && leap);
}

time_t ct_der_get_time(struct ct_cursor *c)
{
	const uint8_t *p;
	size_t n;
	int y, mo, d, h, mi, s;

	p = get_prim(c, CT_DER_GENERALIZED_TIME, &n);
	if (p == NULL)
		return 0;
	if (n != CT_DER_TIME_LEN || p[14] != 'Z') {
		ct_cursor_fail(c, CT_ERR_BAD_VALUE);
		return 0;
	}
	y = parse_digits(p, 4);
	mo = parse_digits(p + 4, 2);
	d = parse_digits(p + 6, 2);
	h = parse_digits(p + 8, 2);
	mi = parse_digits(p + 10, 2);
	s = parse_digits(p + 12, 2);
	/* No leap seconds: Kerberos clocks never produce them, and DER is strict. */
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 ||
	    d > (int)days_in_month((unsigned)y, (unsigned)mo) ||
	    h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59) {
		ct_cursor_fail(c, CT_ERR_BAD_VALUE);
		return 0;
	}
	return (time_t)(days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 +
			h * 3600 + mi * 60 + s);
}

uint32_t ct_der_get_flags(struct ct_cursor *c)
{
	const uint8_t *p;
	size_t n;
	uint32_t v = 0;
	unsigned unused;

	p = get_prim(c, CT_DER_BIT_STRING, &n);
	if (p == NULL)
		return 0;
	if (n < 1 || n > 5) {
		ct_cursor_fail(c, CT_ERR_BAD_LENGTH);
		return 0;
	}
	unused = p[0];
	/* DER: at most 7 padding bits, none without content, and all zero. */
	if (unused > 7 || (n == 1 && unused != 0) ||
	    (n > 1 && (p[n - 1] & ((1u << unused) - 1)) != 0)) {
		ct_cursor_fail(c, CT_ERR_BAD_VALUE);
		return 0;
	}
	for (size_t i = 1; i < n; i++)
		v |= (uint32_t)p[i] << (8 * (4 - i));
	return v;
}
