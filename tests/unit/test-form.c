/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The strict application/x-www-form-urlencoded parser: decoding, every
 * rejection, the limits at and over their edge, and encoder round trips.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ct-arena.h"
#include "ct-buf.h"
#include "ct-limits.h"
#include "form.h"
#include "tap.h"

/* Parses s (strlen bytes) in a fresh arena; returns the code, message in ei. */
static int parse(const char *s, struct ct_form *f, struct ct_arena **a, struct ct_errinfo *ei)
{
	*a = ct_arena_new();
	memset(ei, 0, sizeof(*ei));
	return ct_form_parse(*a, s, strlen(s), f, ei);
}

static void test_basic(void)
{
	struct ct_errinfo ei;
	struct ct_arena *a;
	struct ct_form f = {0};

	CHECK_ERR(parse("", &f, &a, &ei), 0);
	CHECK_INT(f.n, 0);
	CHECK(ct_form_get(&f, "x") == NULL);
	ct_arena_free(a);

	CHECK_ERR(parse("grant_type=srv_challenge&tgt=true&empty=", &f, &a, &ei), 0);
	CHECK_INT(f.n, 3);
	CHECK_STR(ct_form_get(&f, "grant_type"), "srv_challenge");
	CHECK_STR(ct_form_get(&f, "tgt"), "true");
	CHECK_STR(ct_form_get(&f, "empty"), "");
	CHECK_INT(ct_form_find(&f, "empty")->value_len, 0);
	CHECK_STR(f.fields[1].name, "tgt");
	CHECK(ct_form_get(&f, "missing") == NULL);
	CHECK(ct_form_find(&f, "Tgt") == NULL); /* names are case-sensitive */
	ct_arena_free(a);

	/* '+' is a space, escapes in either case, '=' inside a value is data. */
	CHECK_ERR(parse("scope=openid+aza%20ugs&k%5Fx=%2b%2B&eq=a=b&u=%C3%A9", &f, &a, &ei), 0);
	CHECK_STR(ct_form_get(&f, "scope"), "openid aza ugs");
	CHECK_STR(ct_form_get(&f, "k_x"), "++");
	CHECK_STR(ct_form_get(&f, "eq"), "a=b");
	CHECK_STR(ct_form_get(&f, "u"), "\xc3\xa9");
	ct_arena_free(a);

	/* Decoded newlines are data, not syntax (a PEM may travel this way). */
	CHECK_ERR(parse("pem=a%0Ab", &f, &a, &ei), 0);
	CHECK_INT(ct_form_find(&f, "pem")->value_len, 3);
	ct_arena_free(a);
}

struct reject {
	const char *in;
	size_t len; /* 0: strlen */
	int err;
	const char *why; /* part of the message */
};

static void test_rejections(void)
{
	static const struct reject cases[] = {
		{"a=%", 0, CT_ERR_BAD_VALUE, "percent escape"},
		{"a=%4", 0, CT_ERR_BAD_VALUE, "percent escape"},
		{"a=%zz", 0, CT_ERR_BAD_VALUE, "percent escape"},
		{"a=%4g", 0, CT_ERR_BAD_VALUE, "percent escape"},
		{"a=%g4", 0, CT_ERR_BAD_VALUE, "percent escape"},
		{"%=1", 0, CT_ERR_BAD_VALUE, "percent escape"},
		{"a=%00", 0, CT_ERR_BAD_VALUE, "NUL"},
		{"a%00=1", 0, CT_ERR_BAD_VALUE, "NUL"},
		{"a=x\0y", 5, CT_ERR_BAD_VALUE, "control"},
		{"a=x\ny", 0, CT_ERR_BAD_VALUE, "control"},
		{"a=x\ry", 0, CT_ERR_BAD_VALUE, "control"},
		{"a=\x7f", 0, CT_ERR_BAD_VALUE, "control"},
		{"a=1&&b=2", 0, CT_ERR_BAD_VALUE, "field 2 is empty"},
		{"a=1&", 0, CT_ERR_BAD_VALUE, "field 2 is empty"},
		{"&a=1", 0, CT_ERR_BAD_VALUE, "field 1 is empty"},
		{"&", 0, CT_ERR_BAD_VALUE, "empty"},
		{"a", 0, CT_ERR_BAD_VALUE, "no '='"},
		{"a=1&b", 0, CT_ERR_BAD_VALUE, "field 2 has no '='"},
		{"=1", 0, CT_ERR_BAD_VALUE, "is empty"},
		{"a=1&a=2", 0, CT_ERR_BAD_VALUE, "\"a\" is repeated"},
		{"a=1&%61=2", 0, CT_ERR_BAD_VALUE, "repeated"},
		{"a+b=1", 0, CT_ERR_BAD_VALUE, "printable"},
		{"a%20b=1", 0, CT_ERR_BAD_VALUE, "printable"},
		{"%C3%A9=1", 0, CT_ERR_BAD_VALUE, "printable"},
		{"\xc3\xa9=1", 0, CT_ERR_BAD_VALUE, "non-ASCII"},
		{"a=\xc3\xa9", 0, CT_ERR_BAD_VALUE, "non-ASCII"},
		{"a=%FF%FE", 0, CT_ERR_BAD_VALUE, "not valid UTF-8"},
		{"a=%C3", 0, CT_ERR_BAD_VALUE, "not valid UTF-8"},
		{"a=%ED%A0%80", 0, CT_ERR_BAD_VALUE, "not valid UTF-8"},
		{"a%09=1", 0, CT_ERR_BAD_VALUE, "printable"},
	};
	struct ct_errinfo ei;
	struct ct_arena *a;
	struct ct_form f;
	size_t i;
	int r;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct reject *c = &cases[i];

		a = ct_arena_new();
		memset(&ei, 0, sizeof(ei));
		f.fields = (const void *)&f; /* a sentinel: untouched on error */
		f.n = 77;
		r = ct_form_parse(a, c->in, c->len ? c->len : strlen(c->in), &f, &ei);
		CHECK_ERR(r, c->err);
		if (strstr(ei.msg, c->why) == NULL)
			tap_diag("case %zu: got \"%s\"", i, ei.msg);
		CHECK(strstr(ei.msg, c->why) != NULL);
		CHECK(f.n == 77 && f.fields == (const void *)&f);
		ct_arena_free(a);
	}
}

/* A message names the field but never repeats its value. */
static void test_no_value_in_messages(void)
{
	struct ct_errinfo ei;
	struct ct_arena *a;
	struct ct_form f;

	CHECK_ERR(parse("password=hunter2%zz", &f, &a, &ei), CT_ERR_BAD_VALUE);
	CHECK(strstr(ei.msg, "password") != NULL);
	CHECK(strstr(ei.msg, "hunter2") == NULL);
	ct_arena_free(a);
}

static char *repeat(char c, size_t n)
{
	char *s = malloc(n + 1);

	memset(s, c, n);
	s[n] = '\0';
	return s;
}

/*
 * Encodes one field, parses it back and checks it survived; returns the
 * parser's code (message in ei).
 */
static int parse_one(const char *name, const char *value, size_t vlen, struct ct_errinfo *ei)
{
	const struct ct_form_field *field;
	struct ct_arena *a;
	struct ct_form f;
	struct ct_buf b;
	int r;

	ct_buf_init(&b, 4 * CT_FORM_MAX_VALUE);
	ct_form_append(&b, name, value, vlen);
	ct_buf_put_u8(&b, 0);
	r = parse((char *)b.data, &f, &a, ei);
	if (r == 0) {
		field = ct_form_find(&f, name);
		CHECK(field != NULL && field->value_len == vlen &&
		      memcmp(field->value, value, vlen) == 0);
	}
	ct_arena_free(a);
	ct_buf_free(&b);
	return r;
}

static void test_limits(void)
{
	struct ct_errinfo ei;
	struct ct_arena *a;
	struct ct_form f;
	struct ct_buf b;
	char name[16], *s, *v;
	int i;

	/* CT_FORM_MAX_FIELDS fields pass, one more does not. */
	ct_buf_init(&b, 4096);
	for (i = 0; i < CT_FORM_MAX_FIELDS; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		ct_form_append(&b, name, "v", 1);
	}
	ct_buf_put_u8(&b, 0);
	CHECK_ERR(parse((char *)b.data, &f, &a, &ei), 0);
	CHECK_INT(f.n, CT_FORM_MAX_FIELDS);
	CHECK_STR(ct_form_get(&f, "f63"), "v");
	ct_arena_free(a);
	b.len--;
	ct_form_append(&b, "one_more", "v", 1);
	ct_buf_put_u8(&b, 0);
	CHECK_ERR(parse((char *)b.data, &f, &a, &ei), CT_ERR_TOO_LARGE);
	CHECK(strstr(ei.msg, "fields") != NULL);
	ct_arena_free(a);
	ct_buf_free(&b);

	/* Name length. */
	s = repeat('n', CT_FORM_MAX_NAME);
	CHECK_ERR(parse_one(s, "1", 1, &ei), 0);
	free(s);
	s = repeat('n', CT_FORM_MAX_NAME + 1);
	CHECK_ERR(parse_one(s, "1", 1, &ei), CT_ERR_TOO_LARGE);
	CHECK(strstr(ei.msg, "too long") != NULL);
	free(s);

	/* Value length, counted decoded: escapes do not count thrice. */
	v = repeat('v', CT_FORM_MAX_VALUE + 1);
	CHECK_ERR(parse_one("big", v, CT_FORM_MAX_VALUE, &ei), 0);
	memset(v, '/', CT_FORM_MAX_VALUE); /* each one becomes %2F */
	CHECK_ERR(parse_one("big", v, CT_FORM_MAX_VALUE, &ei), 0);
	CHECK_ERR(parse_one("big", v, CT_FORM_MAX_VALUE + 1, &ei), CT_ERR_TOO_LARGE);
	CHECK(strstr(ei.msg, "value of \"big\" is too long") != NULL);
	free(v);
}

/* Every byte but NUL survives encode then parse, in names (printable) and values. */
static void test_round_trip(void)
{
	struct ct_errinfo ei;
	struct ct_arena *a;
	struct ct_form f;
	struct ct_buf b;
	char value[255], name[95];
	int i;

	/* Every ASCII byte but NUL, then two-, three- and four-byte UTF-8. */
	for (i = 0; i < 127; i++)
		value[i] = (char)(i + 1);
	memcpy(value + 127, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x94\x91", 9);
	for (i = 136; i < 255; i++)
		value[i] = 'x';
	for (i = 0; i < 94; i++)
		name[i] = (char)(0x21 + i);
	name[94] = '\0';
	ct_buf_init(&b, 4096);
	ct_form_append(&b, "all", value, sizeof(value));
	ct_form_append(&b, "sp", "a b+c&d=e%", 10);
	ct_form_append(&b, "n", "", 0);
	/* 94 printable characters exceed CT_FORM_MAX_NAME: split in two names. */
	name[60] = '\0';
	ct_form_append(&b, name, "x", 1);
	ct_form_append(&b, name + 61, "y", 1);
	CHECK_INT(b.err, 0);
	CHECK(memchr(b.data, ' ', b.len) == NULL);
	a = ct_arena_new();
	memset(&ei, 0, sizeof(ei));
	CHECK_ERR(ct_form_parse(a, (char *)b.data, b.len, &f, &ei), 0);
	CHECK_INT(f.n, 5);
	CHECK_MEM(ct_form_find(&f, "all")->value, ct_form_find(&f, "all")->value_len,
		  value, sizeof(value));
	CHECK_STR(ct_form_get(&f, "sp"), "a b+c&d=e%");
	CHECK_STR(ct_form_get(&f, "n"), "");
	CHECK_STR(ct_form_get(&f, name), "x");
	CHECK_STR(ct_form_get(&f, name + 61), "y");
	ct_arena_free(a);
	ct_buf_free(&b);

	/* The encoder leaves unreserved characters alone. */
	ct_buf_init(&b, 64);
	ct_form_append(&b, "k", "Az09-._~ /", 10);
	CHECK_MEM(b.data, b.len, "k=Az09-._~+%2F", 14);
	ct_buf_free(&b);
}

int main(void)
{
	test_basic();
	test_rejections();
	test_no_value_in_messages();
	test_limits();
	test_round_trip();
	return tap_done();
}
