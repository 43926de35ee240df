/* SPDX-License-Identifier: Apache-2.0 */
/*
 * DER primitives: hand-checked encodings (known answers) and every strict
 * decoder rejection with its exact error code.
 */
#include <string.h>

#include "ct-arena.h"
#include "ct-buf.h"
#include "ct-error.h"
#include "ct-limits.h"
#include "der.h"
#include "tap.h"

#define B(...) ((const uint8_t[]){__VA_ARGS__}), sizeof((const uint8_t[]){__VA_ARGS__})
/* CHECK_MEM against literal bytes. */
#define CHECK_BYTES(got, glen, ...) \
	CHECK_MEM(got, glen, ((const uint8_t[]){__VA_ARGS__}), sizeof((const uint8_t[]){__VA_ARGS__}))

/* ---- encoding ---- */

static void check_int32(int32_t v, const uint8_t *want, size_t wantlen)
{
	struct ct_buf b;
	struct ct_cursor c;

	ct_buf_init(&b, 64);
	ct_der_put_int32(&b, v);
	CHECK_INT(b.err, 0);
	CHECK_MEM(b.data, b.len, want, wantlen);
	ct_cursor_init(&c, want, wantlen);
	CHECK_INT(ct_der_get_int32(&c), v);
	CHECK(c.err == 0 && ct_cursor_empty(&c));
	ct_buf_free(&b);
}

static void check_uint32(uint32_t v, const uint8_t *want, size_t wantlen)
{
	struct ct_buf b;
	struct ct_cursor c;

	ct_buf_init(&b, 64);
	ct_der_put_uint32(&b, v);
	CHECK_INT(b.err, 0);
	CHECK_MEM(b.data, b.len, want, wantlen);
	ct_cursor_init(&c, want, wantlen);
	CHECK_INT(ct_der_get_uint32(&c), v);
	CHECK(c.err == 0 && ct_cursor_empty(&c));
	ct_buf_free(&b);
}

static void test_integers(void)
{
	check_int32(0, B(0x02, 0x01, 0x00));
	check_int32(127, B(0x02, 0x01, 0x7f));
	check_int32(128, B(0x02, 0x02, 0x00, 0x80));
	check_int32(256, B(0x02, 0x02, 0x01, 0x00));
	check_int32(-1, B(0x02, 0x01, 0xff));
	check_int32(-128, B(0x02, 0x01, 0x80));
	check_int32(-129, B(0x02, 0x02, 0xff, 0x7f));
	check_int32(INT32_MAX, B(0x02, 0x04, 0x7f, 0xff, 0xff, 0xff));
	check_int32(INT32_MIN, B(0x02, 0x04, 0x80, 0x00, 0x00, 0x00));
	/* (40000 << 16) | 2 as an RODC kvno: negative on the wire. */
	check_int32((int32_t)0x9c400002u, B(0x02, 0x04, 0x9c, 0x40, 0x00, 0x02));
	check_uint32(0, B(0x02, 0x01, 0x00));
	check_uint32(0x7fffffffu, B(0x02, 0x04, 0x7f, 0xff, 0xff, 0xff));
	check_uint32(0x80000000u, B(0x02, 0x05, 0x00, 0x80, 0x00, 0x00, 0x00));
	check_uint32(UINT32_MAX, B(0x02, 0x05, 0x00, 0xff, 0xff, 0xff, 0xff));
}

static void check_time(time_t t, const char *want)
{
	struct ct_buf b;
	struct ct_cursor c;

	ct_buf_init(&b, 64);
	ct_der_put_time(&b, t);
	CHECK_INT(b.err, 0);
	CHECK_INT(b.len, 2 + CT_DER_TIME_LEN);
	if (b.len == 2 + CT_DER_TIME_LEN) {
		CHECK_INT(b.data[0], CT_DER_GENERALIZED_TIME);
		CHECK_INT(b.data[1], CT_DER_TIME_LEN);
		CHECK_MEM(b.data + 2, CT_DER_TIME_LEN, want, strlen(want));
		ct_cursor_init(&c, b.data, b.len);
		CHECK_INT(ct_der_get_time(&c), t);
		CHECK_INT(c.err, 0);
	}
	ct_buf_free(&b);
}

static void test_time_encode(void)
{
	struct ct_buf b;

	check_time(0, "19700101000000Z");
	check_time(1700000000, "20231114221320Z");
	check_time(1709208000, "20240229120000Z");
	check_time(951825600, "20000229120000Z");
	check_time(2147483647, "20380119031407Z");
	check_time(2136422885, "20370913024805Z"); /* Windows "never" */
	check_time(CT_DER_TIME_MAX, "99991231235959Z");
	/* The exact bytes once, hand-checked. */
	ct_buf_init(&b, 64);
	ct_der_put_time(&b, 1700000000);
	CHECK_BYTES(b.data, b.len, 0x18, 0x0f, '2', '0', '2', '3', '1', '1', '1', '4',
				   '2', '2', '1', '3', '2', '0', 'Z');
	ct_buf_free(&b);

	ct_buf_init(&b, 64);
	ct_der_put_time(&b, -1);
	CHECK_ERR(b.err, CT_ERR_INVALID_ARG);
	ct_buf_free(&b);
	ct_buf_init(&b, 64);
	ct_der_put_time(&b, CT_DER_TIME_MAX + 1);
	CHECK_ERR(b.err, CT_ERR_INVALID_ARG);
	ct_buf_free(&b);
}

static void test_prim_encode(void)
{
	struct ct_buf b;
	char big[CT_KRB_MAX_STRING + 2];

	ct_buf_init(&b, 256);
	ct_der_put_flags(&b, 0x40810010u); /* forwardable, renewable, canonicalize, bit 27 */
	CHECK_BYTES(b.data, b.len, 0x03, 0x05, 0x00, 0x40, 0x81, 0x00, 0x10);
	ct_buf_free(&b);

	ct_der_put_flags(&b, 0);
	CHECK_BYTES(b.data, b.len, 0x03, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00);
	ct_buf_free(&b);

	ct_der_put_string(&b, "CORP");
	CHECK_BYTES(b.data, b.len, 0x1b, 0x04, 'C', 'O', 'R', 'P');
	ct_buf_free(&b);

	ct_der_put_string(&b, "");
	CHECK_BYTES(b.data, b.len, 0x1b, 0x00);
	ct_buf_free(&b);

	ct_der_put_octets(&b, NULL, 0);
	CHECK_BYTES(b.data, b.len, 0x04, 0x00);
	ct_buf_free(&b);

	ct_der_put_octets(&b, NULL, 1);
	CHECK_ERR(b.err, CT_ERR_INVALID_ARG);
	ct_buf_free(&b);

	ct_der_put_string(&b, NULL);
	CHECK_ERR(b.err, CT_ERR_INVALID_ARG);
	ct_buf_free(&b);

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ct_der_put_string(&b, big);
	CHECK_ERR(b.err, CT_ERR_INVALID_ARG);
	ct_buf_free(&b);
}

/* Lengths switch to the long form at 128 and grow a byte at 256. */
static void test_lengths(void)
{
	static uint8_t content[70000];
	size_t sizes[] = {0, 1, 127, 128, 255, 256, 65535, 65536};
	struct ct_buf b;

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t n = sizes[i], hdr = n < 128 ? 2 : n < 256 ? 3 : n < 65536 ? 4 : 5;
		struct ct_cursor c, in;
		uint8_t tag;

		ct_buf_init(&b, sizeof(content) + 16);
		ct_der_put_octets(&b, content, n);
		CHECK_INT(b.len, hdr + n);
		ct_cursor_init(&c, b.data, b.len);
		CHECK_INT(ct_der_get_tlv(&c, &tag, &in), 0);
		CHECK_INT(in.len, n);
		CHECK(ct_cursor_empty(&c));
		ct_buf_free(&b);
	}
	ct_buf_init(&b, 512);
	ct_der_put_octets(&b, content, 128);
	CHECK_BYTES(b.data, 3, 0x04, 0x81, 0x80);
	ct_buf_free(&b);
	ct_der_put_octets(&b, content, 256);
	CHECK_BYTES(b.data, 4, 0x04, 0x82, 0x01, 0x00);
	ct_buf_free(&b);
}

/* Nested begin/end: the inner long form moves the outer content. */
static void test_nested(void)
{
	static uint8_t content[300];
	struct ct_buf b;
	struct ct_cursor c, outer, inner;
	size_t m1, m2;

	ct_buf_init(&b, 1024);
	m1 = ct_der_begin(&b, CT_DER_SEQUENCE);
	m2 = ct_der_begin(&b, CT_DER_CTX(3));
	ct_der_put_octets(&b, content, sizeof(content));
	ct_der_end(&b, m2);
	ct_der_put_int32(&b, 5);
	ct_der_end(&b, m1);
	CHECK_INT(b.err, 0);
	CHECK_BYTES(b.data, 8, 0x30, 0x82, 0x01, 0x37, 0xa3, 0x82, 0x01, 0x30);
	ct_cursor_init(&c, b.data, b.len);
	ct_der_enter(&c, CT_DER_SEQUENCE, &outer);
	ct_der_enter(&outer, CT_DER_CTX(3), &inner);
	CHECK_INT(inner.len, 304);
	CHECK_INT(ct_der_get_int32(&outer), 5);
	CHECK_INT(ct_der_leave(&c, &outer, CT_ERR_BAD_TAG), 0);
	CHECK(ct_cursor_empty(&c));
	ct_buf_free(&b);

	/* A full buffer latches TOO_LARGE and end() does not touch it. */
	ct_buf_init(&b, 4);
	m1 = ct_der_begin(&b, CT_DER_SEQUENCE);
	ct_der_put_octets(&b, content, 10);
	ct_der_end(&b, m1);
	CHECK_ERR(b.err, CT_ERR_TOO_LARGE);
	ct_buf_free(&b);
}

/* ---- decoding rejections ---- */

/* Runs one getter over the input and returns the latched error. */
enum getter { G_INT32, G_UINT32, G_LIBERAL, G_TIME, G_FLAGS, G_STRING, G_OCTETS, G_TLV };

static int run(enum getter g, const uint8_t *p, size_t n)
{
	struct ct_arena *a = ct_arena_new();
	struct ct_cursor c, sub;
	uint8_t *data;
	size_t len;
	uint8_t tag;

	ct_cursor_init(&c, p, n);
	switch (g) {
	case G_INT32: ct_der_get_int32(&c); break;
	case G_UINT32: ct_der_get_uint32(&c); break;
	case G_LIBERAL: ct_der_get_int32_liberal(&c); break;
	case G_TIME: ct_der_get_time(&c); break;
	case G_FLAGS: ct_der_get_flags(&c); break;
	case G_STRING: ct_der_get_string(&c, a); break;
	case G_OCTETS: ct_der_get_octets(&c, a, 4, &data, &len); break;
	case G_TLV: ct_der_get_tlv(&c, &tag, &sub); break;
	}
	ct_arena_free(a);
	return c.err;
}

#define REJECT(g, err, ...) CHECK_ERR(run(g, B(__VA_ARGS__)), err)
#define ACCEPT(g, ...) CHECK_ERR(run(g, B(__VA_ARGS__)), 0)

static void test_header_rejections(void)
{
	CHECK_ERR(run(G_TLV, NULL, 0), CT_ERR_TRUNCATED);
	REJECT(G_TLV, CT_ERR_TRUNCATED, 0x04);
	REJECT(G_TLV, CT_ERR_BAD_TAG, 0x1f, 0x02, 0x01, 0x00);  /* multi-byte tag */
	REJECT(G_TLV, CT_ERR_BAD_TAG, 0x7f, 0x7f, 0x00);        /* APPLICATION 31+ */
	REJECT(G_TLV, CT_ERR_BAD_TAG, 0xbf, 0x1f, 0x00);        /* [31+] */
	REJECT(G_TLV, CT_ERR_BAD_LENGTH, 0x30, 0x80, 0x00, 0x00); /* indefinite */
	REJECT(G_TLV, CT_ERR_BAD_LENGTH, 0x04, 0xff);           /* reserved */
	REJECT(G_TLV, CT_ERR_NON_MINIMAL, 0x04, 0x81, 0x05, 1, 2, 3, 4, 5);
	REJECT(G_TLV, CT_ERR_NON_MINIMAL, 0x04, 0x82, 0x00, 0x80);
	REJECT(G_TLV, CT_ERR_NON_MINIMAL, 0x04, 0x81, 0x7f);
	REJECT(G_TLV, CT_ERR_TRUNCATED, 0x04, 0x05, 0x00);
	REJECT(G_TLV, CT_ERR_TRUNCATED, 0x04, 0x82, 0x01);
	REJECT(G_TLV, CT_ERR_TRUNCATED, 0x04, 0x85, 0x01, 0x00, 0x00, 0x00, 0x00);
	REJECT(G_TLV, CT_ERR_TRUNCATED, 0x04, 0x84, 0xff, 0xff, 0xff, 0xff);
	ACCEPT(G_TLV, 0x04, 0x00);
	/* Wrong tag for the getter. */
	REJECT(G_INT32, CT_ERR_BAD_TAG, 0x04, 0x01, 0x00);
	REJECT(G_INT32, CT_ERR_BAD_TAG, 0x22, 0x01, 0x00); /* constructed INTEGER */
}

static void test_integer_rejections(void)
{
	REJECT(G_INT32, CT_ERR_BAD_LENGTH, 0x02, 0x00);
	REJECT(G_INT32, CT_ERR_NON_MINIMAL, 0x02, 0x02, 0x00, 0x7f);
	REJECT(G_INT32, CT_ERR_NON_MINIMAL, 0x02, 0x02, 0xff, 0x80);
	REJECT(G_INT32, CT_ERR_NON_MINIMAL, 0x02, 0x02, 0x00, 0x00);
	REJECT(G_UINT32, CT_ERR_NON_MINIMAL, 0x02, 0x06, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff);
	REJECT(G_INT32, CT_ERR_BAD_VALUE, 0x02, 0x05, 0x00, 0x80, 0x00, 0x00, 0x00);
	REJECT(G_INT32, CT_ERR_BAD_VALUE, 0x02, 0x05, 0xff, 0x7f, 0xff, 0xff, 0xff);
	REJECT(G_INT32, CT_ERR_BAD_VALUE, 0x02, 0x06, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00);
	REJECT(G_UINT32, CT_ERR_BAD_VALUE, 0x02, 0x05, 0x01, 0x00, 0x00, 0x00, 0x00);
	REJECT(G_UINT32, CT_ERR_BAD_VALUE, 0x02, 0x05, 0xff, 0x7f, 0xff, 0xff, 0xff);
	REJECT(G_UINT32, CT_ERR_BAD_VALUE, 0x02, 0x09, 0x01, 0, 0, 0, 0, 0, 0, 0, 0);
	REJECT(G_INT32, CT_ERR_TRUNCATED, 0x02, 0x02, 0x01);
}

static void test_integer_liberal(void)
{
	struct ct_cursor c;

	/* A nonce sent as a negative int32 (as old MIT did) reads as uint32. */
	ct_cursor_init(&c, B(0x02, 0x01, 0xff));
	CHECK_INT(ct_der_get_uint32(&c), UINT32_MAX);
	CHECK_INT(c.err, 0);
	ct_cursor_init(&c, B(0x02, 0x04, 0x80, 0x00, 0x00, 0x00));
	CHECK_INT(ct_der_get_uint32(&c), 0x80000000u);
	CHECK_INT(c.err, 0);
	/* A kvno sent as unsigned reads as the negative int32. */
	ct_cursor_init(&c, B(0x02, 0x05, 0x00, 0x9c, 0x40, 0x00, 0x02));
	CHECK_INT(ct_der_get_int32_liberal(&c), (int32_t)0x9c400002u);
	CHECK_INT(c.err, 0);
	ct_cursor_init(&c, B(0x02, 0x04, 0x9c, 0x40, 0x00, 0x02));
	CHECK_INT(ct_der_get_int32_liberal(&c), (int32_t)0x9c400002u);
	CHECK_INT(c.err, 0);
}

#define T(s) 0x18, 0x0f, s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], \
	s[8], s[9], s[10], s[11], s[12], s[13], s[14]

static void test_time_rejections(void)
{
	ACCEPT(G_TIME, T("20240229235959Z"));
	ACCEPT(G_TIME, T("20000229000000Z"));
	ACCEPT(G_TIME, T("19700101000000Z"));
	REJECT(G_TIME, CT_ERR_BAD_VALUE, T("19000229000000Z"));
	REJECT(G_TIME, CT_ERR_BAD_VALUE, T("20230229000000Z"));
	REJECT(G_TIME, CT_ERR_BAD_VALUE, T("20230431000000Z"));
	REJECT(G_TIME, CT_ERR_BAD_VALUE, T("20231301000000Z"));
	REJECT(G_TIME, CT_ERR_BAD_VALUE, T("20230001000000Z"));
	REJECT(G_TIME, CT_ERR_BAD_VALUE, T("20230100000000Z"));
	REJECT(G_TIME, CT_ERR_BAD_VALUE, T("20230101240000Z"));
	REJECT(G_TIME, CT_ERR_BAD_VALUE, T("20230101236000Z"));
	REJECT(G_TIME, CT_ERR_BAD_VALUE, T("20230101235960Z"));
	REJECT(G_TIME, CT_ERR_BAD_VALUE, T("19691231235959Z"));
	REJECT(G_TIME, CT_ERR_BAD_VALUE, T("2023010100000+Z"));
	REJECT(G_TIME, CT_ERR_BAD_VALUE, T("20230101 00000Z"));
	REJECT(G_TIME, CT_ERR_BAD_VALUE, T("202301010000000"));
	REJECT(G_TIME, CT_ERR_BAD_VALUE, T("20230101000000z"));
	REJECT(G_TIME, CT_ERR_BAD_VALUE, 0x18, 0x0e, '2', '0', '2', '3', '0', '1', '0', '1',
	       '0', '0', '0', '0', '0', 'Z');
	REJECT(G_TIME, CT_ERR_BAD_VALUE, 0x18, 0x11, '2', '0', '2', '3', '0', '1', '0', '1',
	       '0', '0', '0', '0', '0', '0', '.', '5', 'Z');
	REJECT(G_TIME, CT_ERR_BAD_TAG, 0x17, 0x0d, '2', '3', '0', '1', '0', '1',
	       '0', '0', '0', '0', '0', '0', 'Z'); /* UTCTime */
}

static void test_flags(void)
{
	struct ct_cursor c;

	ct_cursor_init(&c, B(0x03, 0x05, 0x00, 0x40, 0x81, 0x00, 0x10));
	CHECK_INT(ct_der_get_flags(&c), 0x40810010u);
	CHECK_INT(c.err, 0);
	ct_cursor_init(&c, B(0x03, 0x03, 0x00, 0x50, 0x80));
	CHECK_INT(ct_der_get_flags(&c), 0x50800000u);
	ct_cursor_init(&c, B(0x03, 0x02, 0x07, 0x80));
	CHECK_INT(ct_der_get_flags(&c), 0x80000000u);
	CHECK_INT(c.err, 0);
	ct_cursor_init(&c, B(0x03, 0x01, 0x00));
	CHECK_INT(ct_der_get_flags(&c), 0);
	CHECK_INT(c.err, 0);
	REJECT(G_FLAGS, CT_ERR_BAD_LENGTH, 0x03, 0x00);
	REJECT(G_FLAGS, CT_ERR_BAD_LENGTH, 0x03, 0x06, 0x00, 0, 0, 0, 0, 0);
	REJECT(G_FLAGS, CT_ERR_BAD_VALUE, 0x03, 0x02, 0x08, 0x00);
	REJECT(G_FLAGS, CT_ERR_BAD_VALUE, 0x03, 0x01, 0x01);
	REJECT(G_FLAGS, CT_ERR_BAD_VALUE, 0x03, 0x02, 0x01, 0x81);
	REJECT(G_FLAGS, CT_ERR_BAD_TAG, 0x23, 0x02, 0x00, 0x00);
}

static void test_strings(void)
{
	struct ct_arena *a = ct_arena_new();
	static uint8_t big[CT_KRB_MAX_STRING + 5];
	struct ct_cursor c;
	uint8_t *data = NULL;
	size_t len = 99;
	char *s;

	ct_cursor_init(&c, B(0x1b, 0x04, 'C', 'O', 'R', 'P'));
	s = ct_der_get_string(&c, a);
	CHECK_STR(s, "CORP");
	ct_cursor_init(&c, B(0x1b, 0x00));
	s = ct_der_get_string(&c, a);
	CHECK_STR(s, "");
	REJECT(G_STRING, CT_ERR_BAD_VALUE, 0x1b, 0x03, 'a', 0x00, 'b');
	REJECT(G_STRING, CT_ERR_BAD_TAG, 0x0c, 0x01, 'a'); /* UTF8String */
	/* Exactly CT_KRB_MAX_STRING is accepted, one more is not. */
	memset(big, 'x', sizeof(big));
	big[0] = 0x1b;
	big[1] = 0x82;
	big[2] = CT_KRB_MAX_STRING >> 8;
	big[3] = CT_KRB_MAX_STRING & 0xff;
	ct_cursor_init(&c, big, 4 + CT_KRB_MAX_STRING);
	s = ct_der_get_string(&c, a);
	CHECK(s != NULL && strlen(s) == CT_KRB_MAX_STRING);
	big[3]++;
	CHECK_ERR(run(G_STRING, big, 5 + CT_KRB_MAX_STRING), CT_ERR_TOO_LARGE);

	ct_cursor_init(&c, B(0x04, 0x00));
	CHECK_INT(ct_der_get_octets(&c, a, 4, &data, &len), 0);
	CHECK(data != NULL && len == 0);
	ACCEPT(G_OCTETS, 0x04, 0x04, 1, 2, 3, 4);
	REJECT(G_OCTETS, CT_ERR_TOO_LARGE, 0x04, 0x05, 1, 2, 3, 4, 5);
	REJECT(G_OCTETS, CT_ERR_BAD_TAG, 0x24, 0x00); /* constructed OCTET STRING */
	ct_arena_free(a);
}

static void test_depth(void)
{
	uint8_t in[2 * (CT_DER_MAX_DEPTH + 2)];
	struct ct_cursor c[CT_DER_MAX_DEPTH + 3];
	size_t n = CT_DER_MAX_DEPTH + 2, i;

	/* n nested empty-ended SEQUENCEs: 30 L 30 L ... 30 00 */
	for (i = 0; i < n; i++) {
		in[2 * i] = 0x30;
		in[2 * i + 1] = (uint8_t)(2 * (n - 1 - i));
	}
	ct_cursor_init(&c[0], in, 2 * n);
	for (i = 0; i < CT_DER_MAX_DEPTH; i++)
		CHECK_INT(ct_der_enter(&c[i], CT_DER_SEQUENCE, &c[i + 1]), 0);
	CHECK_INT(c[CT_DER_MAX_DEPTH].depth, CT_DER_MAX_DEPTH);
	CHECK_ERR(ct_der_enter(&c[CT_DER_MAX_DEPTH], CT_DER_SEQUENCE,
			       &c[CT_DER_MAX_DEPTH + 1]), CT_ERR_TOO_DEEP);
	for (i = CT_DER_MAX_DEPTH; i > 0; i--)
		ct_der_leave(&c[i - 1], &c[i], CT_ERR_TRAILING);
	CHECK_ERR(c[0].err, CT_ERR_TOO_DEEP);
}

static void test_fields(void)
{
	struct ct_cursor c, f;

	/* Expecting [1]: [2] next means [1] is missing, [0] next is unexpected. */
	ct_cursor_init(&c, B(0xa2, 0x00));
	CHECK_ERR(ct_der_enter(&c, CT_DER_CTX(1), &f), CT_ERR_MISSING_FIELD);
	ct_cursor_init(&c, NULL, 0);
	CHECK_ERR(ct_der_enter(&c, CT_DER_CTX(1), &f), CT_ERR_MISSING_FIELD);
	ct_cursor_init(&c, B(0xa0, 0x00));
	CHECK_ERR(ct_der_enter(&c, CT_DER_CTX(1), &f), CT_ERR_BAD_TAG);
	ct_cursor_init(&c, B(0x81, 0x00)); /* primitive [1] */
	CHECK_ERR(ct_der_enter(&c, CT_DER_CTX(1), &f), CT_ERR_BAD_TAG);
	ct_cursor_init(&c, B(0x30, 0x00));
	CHECK_ERR(ct_der_enter(&c, CT_DER_CTX(1), &f), CT_ERR_BAD_TAG);
	ct_cursor_init(&c, NULL, 0);
	CHECK_ERR(ct_der_enter(&c, CT_DER_SEQUENCE, &f), CT_ERR_TRUNCATED);

	ct_cursor_init(&c, B(0xa1, 0x00, 0xa2, 0x00));
	CHECK(!ct_der_enter_opt(&c, CT_DER_CTX(0), &f));
	CHECK(ct_der_enter_opt(&c, CT_DER_CTX(1), &f));
	CHECK_INT(c.err, 0);
	CHECK_INT(ct_der_peek_tag(&c), 0xa2);
	CHECK_ERR(ct_der_leave(&c, &f, CT_ERR_BAD_TAG), 0);

	/* Leftover content gets the caller's error; content errors propagate. */
	ct_cursor_init(&c, B(0x30, 0x03, 0x02, 0x01, 0x05));
	ct_der_enter(&c, CT_DER_SEQUENCE, &f);
	CHECK_ERR(ct_der_leave(&c, &f, CT_ERR_BAD_TAG), CT_ERR_BAD_TAG);
	ct_cursor_init(&c, B(0x30, 0x03, 0x02, 0x01, 0x05));
	ct_der_enter(&c, CT_DER_SEQUENCE, &f);
	CHECK_ERR(ct_der_leave(&c, &f, CT_ERR_TRAILING), CT_ERR_TRAILING);
	ct_cursor_init(&c, B(0x30, 0x02, 0x02, 0x00));
	ct_der_enter(&c, CT_DER_SEQUENCE, &f);
	ct_der_get_int32(&f);
	CHECK_ERR(ct_der_leave(&c, &f, CT_ERR_TRAILING), CT_ERR_BAD_LENGTH);
}

int main(void)
{
	test_integers();
	test_time_encode();
	test_prim_encode();
	test_lengths();
	test_nested();
	test_header_rejections();
	test_integer_rejections();
	test_integer_liberal();
	test_time_rejections();
	test_flags();
	test_strings();
	test_depth();
	test_fields();
	return tap_done();
}
