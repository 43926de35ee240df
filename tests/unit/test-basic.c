/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>
#include <string.h>

#include "ct-arena.h"
#include "ct-buf.h"
#include "ct-error.h"
#include "ct-hex.h"
#include "ct-limits.h"
#include "ct-secret.h"
#include "ct-utf8.h"
#include "tap.h"

static void test_errors(void)
{
	CHECK_STR(ct_strerror(0), "ok");
	CHECK_STR(ct_strerror(CT_ERR_NOMEM), "out of memory");
	CHECK_STR(ct_errname(CT_ERR_TRUNCATED), "TRUNCATED");
	CHECK_STR(ct_strerror(12345), "unknown error");
	CHECK_STR(ct_strerror(CT_ERR_BASE_), "unknown error");
	CHECK_STR(ct_strerror(CT_ERR_END_), "unknown error");
}

static void test_errinfo(void)
{
	struct ct_errinfo ei = {0};

	CHECK_INT(ct_errinfo_set(&ei, CT_ERR_IO, "reading %s", "x"), CT_ERR_IO);
	CHECK_STR(ei.msg, "reading x");
	CHECK_INT(ct_errinfo_default(&ei, CT_ERR_NETWORK, "other"), CT_ERR_NETWORK);
	CHECK_STR(ei.msg, "reading x");
	CHECK_INT(ei.code, CT_ERR_NETWORK);
	CHECK_INT(ct_errinfo_set(NULL, CT_ERR_IO, "ignored"), CT_ERR_IO);
}

static void test_buf(void)
{
	struct ct_buf b;
	uint8_t *out = NULL;
	size_t outlen = 0;
	static const uint8_t want[] = {1, 0x34, 0x12, 0x78, 0x56, 0x34, 0x12,
				       0x12, 0x34, 0x56, 0x78, 0, 0};

	ct_buf_init(&b, 64);
	ct_buf_put_u8(&b, 1);
	ct_buf_put_le16(&b, 0x1234);
	ct_buf_put_le32(&b, 0x12345678);
	ct_buf_put_be32(&b, 0x12345678);
	ct_buf_put_zeros(&b, 2);
	CHECK_INT(b.err, 0);
	CHECK_MEM(b.data, b.len, want, sizeof(want));
	ct_buf_insert(&b, 1, "ab", 2);
	CHECK_INT(b.len, sizeof(want) + 2);
	CHECK(memcmp(b.data, "\x01" "ab" "\x34", 4) == 0);
	/* The cap latches TOO_LARGE and later puts do nothing. */
	ct_buf_put_zeros(&b, 100);
	CHECK_ERR(b.err, CT_ERR_TOO_LARGE);
	ct_buf_put_u8(&b, 9);
	CHECK_INT(b.len, sizeof(want) + 2);
	CHECK_ERR(ct_buf_steal(&b, &out, &outlen), CT_ERR_TOO_LARGE);
	ct_buf_free(&b);

	ct_buf_init(&b, 1 << 20);
	for (int i = 0; i < 10000; i++)
		ct_buf_put_le32(&b, (uint32_t)i);
	CHECK_INT(b.len, 40000);
	CHECK_INT(ct_buf_steal(&b, &out, &outlen), 0);
	CHECK_INT(outlen, 40000);
	CHECK_INT(out[4], 1);
	CHECK_INT(b.len, 0);
	free(out);
	ct_buf_free(&b);
}

static void test_cursor(void)
{
	static const uint8_t in[] = {0x78, 0x56, 0x34, 0x12, 0xaa, 0xbb};
	struct ct_cursor c, sub;

	ct_cursor_init(&c, in, sizeof(in));
	CHECK_INT(ct_cursor_get_le32(&c), 0x12345678);
	ct_cursor_sub(&c, 2, &sub);
	CHECK_INT(sub.depth, 1);
	CHECK_INT(ct_cursor_get_u8(&sub), 0xaa);
	CHECK(ct_cursor_empty(&c));
	/* Reading past the end latches TRUNCATED and returns zeros. */
	CHECK_INT(ct_cursor_get_le16(&c), 0);
	CHECK_ERR(c.err, CT_ERR_TRUNCATED);
	CHECK(ct_cursor_get(&c, 0) == NULL);
	CHECK_ERR(ct_cursor_fail(&c, CT_ERR_BAD_TAG), CT_ERR_TRUNCATED);

	ct_cursor_init(&c, in, 3);
	ct_cursor_sub(&c, 4, &sub);
	CHECK_ERR(sub.err, CT_ERR_TRUNCATED);
	CHECK_INT(sub.len, 0);
	ct_cursor_init(&c, in, sizeof(in));
	CHECK_INT(ct_cursor_get_be32(&c), 0x78563412);
	ct_cursor_init(&c, in, sizeof(in));
	CHECK(ct_cursor_get_le64(&c) == 0 && c.err == CT_ERR_TRUNCATED);
}

static void test_arena(void)
{
	struct ct_arena *a = ct_arena_new();
	char *s;
	uint8_t *p;
	size_t total = 0;

	CHECK(a != NULL);
	s = ct_arena_strdup(a, "hello");
	CHECK_STR(s, "hello");
	p = ct_arena_memdup(a, "\x01\x02", 2, 0);
	CHECK(p != NULL && p[0] == 1 && p[1] == 2);
	CHECK(((uintptr_t)ct_arena_alloc(a, 3) & 7) == 0);
	CHECK(ct_arena_alloc(a, 100000) != NULL);
	/* The cap stops a runaway decoder. */
	CHECK(ct_arena_alloc(a, CT_ARENA_MAX + 1) == NULL);
	while (ct_arena_alloc(a, 65536) != NULL && total < 2 * CT_ARENA_MAX)
		total += 65536;
	CHECK(total < CT_ARENA_MAX);
	ct_arena_free(a);
	ct_arena_free(NULL);
}

static void test_hex_secret(void)
{
	uint8_t *p = NULL;
	size_t n = 0;
	char out[16];

	CHECK_INT(ct_hex_decode("00ffA1", &p, &n), 0);
	CHECK_MEM(p, n, "\x00\xff\xa1", 3);
	ct_hex_encode(p, n, out);
	CHECK_STR(out, "00ffa1");
	CHECK(ct_memeq_secret(p, "\x00\xff\xa1", 3));
	CHECK(!ct_memeq_secret(p, "\x00\xff\xa2", 3));
	ct_erase_free(p, n);
	CHECK_ERR(ct_hex_decode("abc", &p, &n), CT_ERR_BAD_VALUE);
	CHECK_ERR(ct_hex_decode("zz", &p, &n), CT_ERR_BAD_VALUE);
	ct_erase_free(NULL, 3);
	ct_erase_free_str(NULL);
}

/* ct_utf8_valid on buffers that are not NUL-terminated: a sequence cut off
 * at the end is refused without reading past it (ASan watches the heap
 * copies, which are exactly n bytes). */
static void test_utf8(void)
{
	static const struct {
		const char *s;
		size_t n;
		bool ok;
	} v[] = {
		{"abc", 3, true}, {"\xc3\xa4", 2, true}, {"\xe2\x82\xac", 3, true},
		{"\xf0\x9f\x98\x80", 4, true}, {"\xc3", 1, false}, {"\xe2\x82", 2, false},
		{"\xf0\x9f\x98", 3, false}, {"a\xf0", 2, false}, {"\xc0\x80", 2, false},
		{"\xed\xa0\x80", 3, false}, {"a\0b", 3, false}, {"", 0, true},
	};
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		char *copy = malloc(v[i].n ? v[i].n : 1);

		if (copy == NULL)
			continue;
		memcpy(copy, v[i].s, v[i].n);
		CHECK_INT(ct_utf8_valid(copy, v[i].n), v[i].ok);
		free(copy);
	}
	CHECK_INT(ct_utf8_seq_len((const unsigned char *)"\xe2\x82\xac"), 3);
	CHECK_INT(ct_utf8_seq_len((const unsigned char *)"\xe2\x82"), 0);
}

int main(void)
{
	test_errors();
	test_errinfo();
	test_buf();
	test_cursor();
	test_arena();
	test_hex_secret();
	test_utf8();
	return tap_done();
}
