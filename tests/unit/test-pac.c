/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PAC builder, decoder, signatures and dump; SIDs; the UTF-16 helpers.
 * The independent check against Samba's NDR parser and impacket is
 * pac-samba-check.py.
 */
#define _GNU_SOURCE /* open_memstream */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ct-arena.h"
#include "ct-buf.h"
#include "ct-error.h"
#include "kcrypto.h"
#include "ndr.h"
#include "pac.h"
#include "sid.h"
#include "tap.h"

static struct ct_kcrypto *kc;
static uint8_t server_key_bytes[32], kdc_key_bytes[32], other_key_bytes[32];
static struct ct_krb_key server_key, kdc_key, other_key, aes128_key;
static const uint32_t sample_groups[] = {1107, 571};

/* Offsets inside the LOGON_INFO NDR stream of the sample PAC. */
enum {
	NDR_START = 16,             /* after the type serialisation headers */
	S_REF = 0,
	S_EFFNAME_HDR = 52,
	S_GROUP_COUNT = 112,
	S_GROUP_PTR = 116,
	S_DOMAIN_SID_PTR = 156,
	S_SCALARS_END = 220,        /* first deferred: EffectiveName MaxCount */
};

static struct ct_pac_user sample_user(void)
{
	struct ct_pac_user u;

	memset(&u, 0, sizeof(u));
	u.account_name = "alice";
	u.full_name = "Alice Example";
	u.client_name = "alice";
	u.upn = "alice@corp.example.test";
	u.dns_domain = "CORP.EXAMPLE.TEST";
	u.netbios_domain = "CORP";
	if (ct_sid_parse("S-1-5-21-1111111111-2222222222-3333333333",
			 &u.domain_sid) != 0)
		abort();
	u.rid = 1105;
	u.primary_group_rid = 513;
	u.group_rids = sample_groups;
	u.ngroups = 2;
	u.authtime = 1700000000;
	return u;
}

/* Builds a PAC into a malloc'd copy; returns the build status. */
static int build(const struct ct_pac_user *u, const struct ct_pac_options *o,
		 uint8_t **pac, size_t *len)
{
	struct ct_buf b;
	int r;

	*pac = NULL;
	*len = 0;
	ct_buf_init(&b, CT_PAC_MAX_SIZE);
	r = ct_pac_build(kc, u, o, &server_key, &kdc_key, &b);
	if (r == 0)
		r = ct_buf_steal(&b, pac, len);
	ct_buf_free(&b);
	return r;
}

static uint8_t *sample_pac(size_t *len)
{
	struct ct_pac_user u = sample_user();
	uint8_t *pac;

	if (build(&u, NULL, &pac, len) != 0)
		abort();
	return pac;
}

static int decode(const uint8_t *pac, size_t len)
{
	struct ct_arena *a = ct_arena_new();
	struct ct_pac p;
	int r;

	if (a == NULL)
		abort();
	r = ct_pac_decode(a, pac, len, &p);
	ct_arena_free(a);
	return r;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* Header entry i: type, size, offset. */
static uint8_t *entry(uint8_t *pac, size_t i)
{
	return pac + 8 + 16 * i;
}

static size_t find_off(const uint8_t *pac, uint32_t type, size_t *size)
{
	uint32_t n = get32(pac), i;

	for (i = 0; i < n; i++) {
		const uint8_t *e = pac + 8 + 16 * i;

		if (get32(e) == type) {
			if (size != NULL)
				*size = get32(e + 4);
			return get32(e + 8);
		}
	}
	abort();
}

/* ---- SIDs ---- */

static void sid_roundtrip(const char *s)
{
	struct ct_sid sid;
	char buf[CT_SID_STRING_MAX];

	CHECK_INT(ct_sid_parse(s, &sid), 0);
	ct_sid_format(&sid, buf, sizeof(buf));
	CHECK_STR(buf, s);
}

static void test_sid(void)
{
	static const char *const bad[] = {
		"", "S", "S-", "S-1", "S-1-", "S-2-5", "s-1-5", "S-01-5",
		"S-1-5-", "S-1-5--1", "S-1-5-01", "S-1-5-4294967296",
		"S-1-5-+1", "S-1-5- 1", "S-1-5-1x", "S-1--5", " S-1-5",
		"S-1-5-1-2-3-4-5-6-7-8-9-10-11-12-13-14-15-16",
		"S-1-0x", "S-1-0x1234567890ABC", "S-1-281474976710656",
		"S-1-0xG", "S-1-5-99999999999999999999",
	};
	struct ct_sid sid, dom, user;
	char buf[CT_SID_STRING_MAX], small[8];
	uint32_t rid;
	size_t i;

	sid_roundtrip("S-1-5-21-1111111111-2222222222-3333333333-1105");
	sid_roundtrip("S-1-5");
	sid_roundtrip("S-1-0");
	sid_roundtrip("S-1-5-32-544");
	sid_roundtrip("S-1-18-1");
	sid_roundtrip("S-1-4294967295-0-4294967295");
	sid_roundtrip("S-1-0x123456789ABC-1");
	sid_roundtrip("S-1-5-1-2-3-4-5-6-7-8-9-10-11-12-13-14-15");
	/* Authorities >= 2^32 are written in hex. */
	CHECK_INT(ct_sid_parse("S-1-4294967296-7", &sid), 0);
	ct_sid_format(&sid, buf, sizeof(buf));
	CHECK_STR(buf, "S-1-0x000100000000-7");
	CHECK_INT(ct_sid_parse("S-1-0x5-21", &sid), 0);
	ct_sid_format(&sid, buf, sizeof(buf));
	CHECK_STR(buf, "S-1-5-21");
	/* The longest SID fits CT_SID_STRING_MAX. */
	CHECK_INT(ct_sid_parse("S-1-0xFFFFFFFFFFFF-4294967295-4294967295-"
			       "4294967295-4294967295-4294967295-4294967295-"
			       "4294967295-4294967295-4294967295-4294967295-"
			       "4294967295-4294967295-4294967295-4294967295-"
			       "4294967295", &sid), 0);
	CHECK_INT(sid.nsub, 15);
	ct_sid_format(&sid, buf, sizeof(buf));
	CHECK(strlen(buf) < CT_SID_STRING_MAX);
	CHECK_INT(strlen(buf), 4 + 14 + 15 * 11);
	ct_sid_format(&sid, small, sizeof(small));
	CHECK_STR(small, "S-1-0xF");

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		sid.nsub = 77;
		if (ct_sid_parse(bad[i], &sid) != CT_ERR_BAD_VALUE || sid.nsub != 77) {
			CHECK(!"rejects a malformed SID");
			tap_diag("accepted \"%s\"", bad[i]);
		}
	}
	CHECK(ct_sid_parse(NULL, &sid) == CT_ERR_BAD_VALUE);

	CHECK_INT(ct_sid_parse("S-1-5-21-1-2-3-1105", &user), 0);
	CHECK_INT(ct_sid_split(&user, &dom, &rid), 0);
	CHECK_INT(rid, 1105);
	ct_sid_format(&dom, buf, sizeof(buf));
	CHECK_STR(buf, "S-1-5-21-1-2-3");
	CHECK_INT(ct_sid_join(&dom, rid, &sid), 0);
	CHECK(ct_sid_equal(&sid, &user));
	CHECK(!ct_sid_equal(&dom, &user));
	CHECK_INT(ct_sid_parse("S-1-5", &sid), 0);
	CHECK_ERR(ct_sid_split(&sid, &dom, &rid), CT_ERR_BAD_VALUE);
	CHECK_INT(ct_sid_parse("S-1-5-1-2-3-4-5-6-7-8-9-10-11-12-13-14-15", &sid), 0);
	CHECK_ERR(ct_sid_join(&sid, 1, &dom), CT_ERR_BAD_VALUE);
	CHECK_INT(ct_sid_wire_len(&user), 8 + 4 * 5);
}

static void test_sid_wire(void)
{
	static const uint8_t want[] = {1, 2, 0, 0, 0, 0, 0, 5, 0x20, 0, 0, 0,
				       0x20, 2, 0, 0};
	struct ct_sid sid, back;
	struct ct_cursor c;
	struct ct_buf b;
	uint8_t bad[sizeof(want)];

	CHECK_INT(ct_sid_parse("S-1-5-32-544", &sid), 0);
	ct_buf_init(&b, 64);
	ct_sid_put(&b, &sid);
	CHECK_MEM(b.data, b.len, want, sizeof(want));
	ct_cursor_init(&c, b.data, b.len);
	CHECK_INT(ct_sid_get(&c, &back), 0);
	CHECK(ct_cursor_empty(&c));
	CHECK(ct_sid_equal(&sid, &back));
	ct_buf_free(&b);

	memcpy(bad, want, sizeof(bad));
	bad[0] = 2; /* revision */
	ct_cursor_init(&c, bad, sizeof(bad));
	CHECK_ERR(ct_sid_get(&c, &back), CT_ERR_BAD_VALUE);
	memcpy(bad, want, sizeof(bad));
	bad[1] = 16; /* too many sub-authorities */
	ct_cursor_init(&c, bad, sizeof(bad));
	CHECK_ERR(ct_sid_get(&c, &back), CT_ERR_BAD_VALUE);
	memcpy(bad, want, sizeof(bad));
	bad[1] = 3; /* count beyond the data */
	ct_cursor_init(&c, bad, sizeof(bad));
	CHECK_ERR(ct_sid_get(&c, &back), CT_ERR_TRUNCATED);
}

/* ---- UTF-16 ---- */

static void test_utf16(void)
{
	static const uint8_t smile16[] = {0x4a, 0, 0xfc, 0, 0x3d, 0xd8, 0x42, 0xde};
	static const char *const bad8[] = {
		"\xc0\xaf",         /* overlong */
		"\xe0\x80\xaf",     /* overlong */
		"\xed\xa0\x80",     /* surrogate */
		"\xf4\x90\x80\x80", /* above U+10FFFF */
		"\xc3",             /* truncated */
		"\x80",             /* stray continuation */
		"\xff",
	};
	static const uint8_t lone_high[] = {0x3d, 0xd8, 0x41, 0};
	static const uint8_t lone_low[] = {0x41, 0, 0x42, 0xde};
	static const uint8_t high_at_end[] = {0x41, 0, 0x3d, 0xd8};
	static const uint8_t nul[] = {0x41, 0, 0, 0};
	struct ct_arena *a = ct_arena_new();
	struct ct_buf b;
	char *s = NULL;
	size_t i;

	ct_buf_init(&b, 256);
	CHECK_INT(ct_utf8_to_utf16le("J\xc3\xbc\xf0\x9f\x99\x82", &b), 0);
	CHECK_MEM(b.data, b.len, smile16, sizeof(smile16));
	ct_buf_free(&b);
	CHECK_INT(ct_utf16le_to_utf8(a, smile16, sizeof(smile16), &s), 0);
	CHECK_STR(s, "J\xc3\xbc\xf0\x9f\x99\x82");
	CHECK_INT(ct_utf16le_to_utf8(a, smile16, 0, &s), 0);
	CHECK_STR(s, "");
	for (i = 0; i < sizeof(bad8) / sizeof(bad8[0]); i++) {
		ct_buf_init(&b, 256);
		if (ct_utf8_to_utf16le(bad8[i], &b) != CT_ERR_BAD_VALUE) {
			CHECK(!"rejects invalid UTF-8");
			tap_diag("accepted case %zu", i);
		}
		ct_buf_free(&b);
	}
	CHECK_ERR(ct_utf16le_to_utf8(a, lone_high, sizeof(lone_high), &s), CT_ERR_BAD_VALUE);
	CHECK_ERR(ct_utf16le_to_utf8(a, lone_low, sizeof(lone_low), &s), CT_ERR_BAD_VALUE);
	CHECK_ERR(ct_utf16le_to_utf8(a, high_at_end, sizeof(high_at_end), &s), CT_ERR_BAD_VALUE);
	CHECK_ERR(ct_utf16le_to_utf8(a, nul, sizeof(nul), &s), CT_ERR_BAD_VALUE);
	CHECK_ERR(ct_utf16le_to_utf8(a, smile16, 3, &s), CT_ERR_BAD_VALUE);
	ct_arena_free(a);
}

/* ---- build + decode ---- */

static void test_roundtrip(void)
{
	struct ct_pac_user u = sample_user();
	struct ct_arena *a = ct_arena_new();
	struct ct_pac p;
	struct ct_sid user_sid;
	uint8_t *pac;
	size_t len, i;
	char buf[CT_SID_STRING_MAX];

	CHECK_INT(build(&u, NULL, &pac, &len), 0);
	CHECK_INT(ct_pac_decode(a, pac, len, &p), 0);
	CHECK_INT(len % 8, 0);
	CHECK_INT(p.nbuffers, 7);
	{
		static const uint32_t order[] = {1, 10, 12, 17, 18, 6, 7};

		for (i = 0; i < p.nbuffers && i < 7; i++)
			CHECK_INT(p.buffers[i].type, order[i]);
	}
	for (i = 0; i < p.nbuffers; i++) {
		CHECK_INT(p.buffers[i].offset % 8, 0);
		CHECK(p.buffers[i].offset + p.buffers[i].data.len <= len);
	}
	/* LOGON_INFO: the object buffer is a multiple of 8. */
	CHECK_INT((p.buffers[0].data.len - 16) % 8, 0);
	CHECK_INT(get32(p.buffers[0].data.data + 8), p.buffers[0].data.len - 16);

	CHECK(p.logon_info != NULL);
	if (p.logon_info != NULL) {
		const struct ct_pac_logon_info *li = p.logon_info;

		CHECK_INT(li->logon_time, 1700000000);
		CHECK_STR(li->effective_name, "alice");
		CHECK_STR(li->full_name, "Alice Example");
		CHECK_STR(li->logon_domain_name, "CORP");
		CHECK_INT(li->user_rid, 1105);
		CHECK_INT(li->primary_group_rid, 513);
		CHECK_INT(li->ngroups, 3);
		if (li->ngroups == 3) {
			CHECK_INT(li->group_rids[0], 513);
			CHECK_INT(li->group_rids[1], 1107);
			CHECK_INT(li->group_rids[2], 571);
			CHECK_INT(li->group_attrs[0], 7);
			CHECK_INT(li->group_attrs[1], 7);
			CHECK_INT(li->group_attrs[2], 7);
		}
		CHECK_INT(li->user_flags, 0);
		CHECK_INT(li->user_account_control, 0x10);
		CHECK(ct_sid_equal(&li->logon_domain_sid, &u.domain_sid));
		CHECK_INT(li->nextra_sids, 0);
		CHECK(li->extra_sids == NULL);
		CHECK(li->resource_domain_sid == NULL);
		CHECK_INT(li->nresource_groups, 0);
	}
	CHECK(p.client_info != NULL);
	if (p.client_info != NULL) {
		CHECK_INT(p.client_info->client_id, 1700000000);
		CHECK_STR(p.client_info->name, "alice");
	}
	CHECK_INT(ct_sid_join(&u.domain_sid, 1105, &user_sid), 0);
	CHECK(p.upn_dns_info != NULL);
	if (p.upn_dns_info != NULL) {
		CHECK_STR(p.upn_dns_info->upn, "alice@corp.example.test");
		CHECK_STR(p.upn_dns_info->dns_domain, "CORP.EXAMPLE.TEST");
		CHECK_INT(p.upn_dns_info->flags, 2);
		CHECK_STR(p.upn_dns_info->sam_name, "alice");
		CHECK(p.upn_dns_info->has_sid);
		ct_sid_format(&p.upn_dns_info->sid, buf, sizeof(buf));
		CHECK_STR(buf, "S-1-5-21-1111111111-2222222222-3333333333-1105");
	}
	CHECK(p.has_requestor);
	CHECK(ct_sid_equal(&p.requestor, &user_sid));
	CHECK(p.has_attributes);
	CHECK_INT(p.attributes_flags, 1);
	CHECK(p.server_sig != NULL && p.kdc_sig != NULL);
	if (p.server_sig != NULL && p.kdc_sig != NULL) {
		CHECK_INT(p.server_sig->type, 16);
		CHECK_INT(p.server_sig->value.len, 12);
		CHECK(!p.server_sig->has_rodc_id);
		CHECK_INT(p.kdc_sig->type, 16);
		CHECK_INT(p.kdc_sig->value.len, 12);
		CHECK(!p.kdc_sig->has_rodc_id);
	}
	/* Decoded data lives in the arena, not in the input. */
	CHECK(p.buffers[0].data.data != pac);
	memset(pac, 0, len);
	CHECK_STR(p.logon_info->effective_name, "alice");
	free(pac);
	ct_arena_free(a);
}

static void test_appends(void)
{
	struct ct_pac_user u = sample_user();
	struct ct_buf b;
	uint8_t *pac;
	size_t len;

	pac = sample_pac(&len);
	ct_buf_init(&b, CT_PAC_MAX_SIZE);
	ct_buf_put(&b, "xyz", 3);
	CHECK_INT(ct_pac_build(kc, &u, NULL, &server_key, &kdc_key, &b), 0);
	CHECK_MEM(b.data + 3, b.len - 3, pac, len);
	CHECK_INT(memcmp(b.data, "xyz", 3), 0);
	/* Deterministic: same input, same bytes. */
	ct_buf_free(&b);
	free(pac);

	/* Nothing appended on error. */
	ct_buf_init(&b, CT_PAC_MAX_SIZE);
	ct_buf_put(&b, "xyz", 3);
	u.account_name = NULL;
	CHECK_ERR(ct_pac_build(kc, &u, NULL, &server_key, &kdc_key, &b), CT_ERR_INVALID_ARG);
	CHECK_INT(b.len, 3);
	ct_buf_free(&b);
	/* An output buffer too small for the PAC. */
	u = sample_user();
	ct_buf_init(&b, 100);
	CHECK_ERR(ct_pac_build(kc, &u, NULL, &server_key, &kdc_key, &b), CT_ERR_TOO_LARGE);
	ct_buf_free(&b);
}

static void test_signatures(void)
{
	uint8_t *pac;
	size_t len, i, srv_off, kdc_off, srv_size, kdc_size, bad_srv = 0,
		bad_kdc = 0, kdc_flip_ok = 0;

	pac = sample_pac(&len);
	CHECK_INT(ct_pac_verify_server(kc, pac, len, &server_key), 0);
	CHECK_INT(ct_pac_verify_kdc(kc, pac, len, &kdc_key), 0);
	CHECK_ERR(ct_pac_verify_server(kc, pac, len, &kdc_key), CT_ERR_PAC_SIGNATURE);
	CHECK_ERR(ct_pac_verify_server(kc, pac, len, &other_key), CT_ERR_PAC_SIGNATURE);
	CHECK_ERR(ct_pac_verify_kdc(kc, pac, len, &server_key), CT_ERR_PAC_SIGNATURE);
	/* A key of another enctype: checksum type mismatch. */
	CHECK_ERR(ct_pac_verify_server(kc, pac, len, &aes128_key), CT_ERR_PAC_SIGNATURE);

	srv_off = find_off(pac, 6, &srv_size);
	kdc_off = find_off(pac, 7, &kdc_size);
	/* Every byte outside the two signature values is covered. */
	for (i = 0; i < len; i++) {
		bool in_srv = i >= srv_off + 4 && i < srv_off + srv_size;
		bool in_kdc = i >= kdc_off + 4 && i < kdc_off + kdc_size;

		pac[i] ^= 0x01;
		if (in_kdc) {
			if (ct_pac_verify_server(kc, pac, len, &server_key) == 0)
				kdc_flip_ok++;
			if (ct_pac_verify_kdc(kc, pac, len, &kdc_key) == 0)
				bad_kdc++;
		} else if (ct_pac_verify_server(kc, pac, len, &server_key) == 0) {
			bad_srv++;
			tap_diag("flip at %zu still verifies", i);
		}
		if (in_srv && ct_pac_verify_kdc(kc, pac, len, &kdc_key) == 0)
			bad_kdc++;
		pac[i] ^= 0x01;
	}
	CHECK_INT(bad_srv, 0);
	CHECK_INT(bad_kdc, 0);
	/* The KDC value is zeroed for the server checksum, so flips there don't matter. */
	CHECK_INT(kdc_flip_ok, kdc_size - 4);
	CHECK_INT(ct_pac_verify_server(kc, pac, len, &server_key), 0);

	/* An unkeyed or foreign checksum type is refused before any crypto. */
	put32(pac + srv_off, 9); /* NIST SHA-1, unkeyed */
	CHECK_ERR(ct_pac_verify_server(kc, pac, len, &server_key), CT_ERR_PAC_SIGNATURE);
	put32(pac + srv_off, 15);
	CHECK_ERR(ct_pac_verify_server(kc, pac, len, &server_key), CT_ERR_PAC_SIGNATURE);
	put32(pac + srv_off, 16);
	/* A signature buffer of the wrong length is malformed. */
	put32(entry(pac, 5) + 4, (uint32_t)srv_size - 1);
	CHECK_ERR(ct_pac_verify_server(kc, pac, len, &server_key), CT_ERR_BAD_PAC);
	CHECK_ERR(ct_pac_verify_kdc(kc, pac, len, &kdc_key), CT_ERR_BAD_PAC);
	CHECK_ERR(decode(pac, len), CT_ERR_BAD_PAC);
	put32(entry(pac, 5) + 4, (uint32_t)srv_size);
	/* Missing signature buffer: retype the KDC one as unknown. */
	put32(entry(pac, 6), 99);
	CHECK_ERR(ct_pac_verify_server(kc, pac, len, &server_key), CT_ERR_BAD_PAC);
	CHECK_ERR(ct_pac_verify_kdc(kc, pac, len, &kdc_key), CT_ERR_BAD_PAC);
	CHECK_INT(decode(pac, len), 0);
	put32(entry(pac, 6), 7);
	CHECK_INT(ct_pac_verify_kdc(kc, pac, len, &kdc_key), 0);
	CHECK_ERR(ct_pac_verify_server(kc, pac, 7, &server_key), CT_ERR_BAD_PAC);
	free(pac);
}

static void test_rodc(void)
{
	struct ct_pac_user u = sample_user();
	struct ct_pac_options o = {.has_rodc_id = true, .rodc_id = 40000};
	struct ct_arena *a = ct_arena_new();
	struct ct_pac p;
	uint8_t *pac;
	size_t len, kdc_off, kdc_size;

	CHECK_INT(build(&u, &o, &pac, &len), 0);
	CHECK_INT(ct_pac_decode(a, pac, len, &p), 0);
	CHECK(p.kdc_sig != NULL && p.kdc_sig->has_rodc_id);
	if (p.kdc_sig != NULL) {
		CHECK_INT(p.kdc_sig->rodc_id, 40000);
		CHECK_INT(p.kdc_sig->value.len, 12);
	}
	CHECK_INT(ct_pac_verify_server(kc, pac, len, &server_key), 0);
	CHECK_INT(ct_pac_verify_kdc(kc, pac, len, &kdc_key), 0);
	/* The RODC id is zeroed while signing: changing it keeps the signature valid. */
	kdc_off = find_off(pac, 7, &kdc_size);
	CHECK_INT(kdc_size, 4 + 12 + 2);
	pac[kdc_off + 16] ^= 0xff;
	CHECK_INT(ct_pac_verify_server(kc, pac, len, &server_key), 0);
	free(pac);
	ct_arena_free(a);
}

static void test_options(void)
{
	struct ct_pac_user u = sample_user();
	struct ct_pac_options o;
	struct ct_arena *a = ct_arena_new();
	struct ct_sid extra[2];
	struct ct_pac p;
	uint8_t *pac;
	size_t len, i;
	char buf[CT_SID_STRING_MAX];

	memset(&o, 0, sizeof(o));
	o.omit_requestor = true;
	CHECK_INT(build(&u, &o, &pac, &len), 0);
	CHECK_INT(ct_pac_decode(a, pac, len, &p), 0);
	CHECK_INT(p.nbuffers, 6);
	CHECK(!p.has_requestor);
	CHECK(p.has_attributes && p.upn_dns_info != NULL);
	CHECK_INT(ct_pac_verify_server(kc, pac, len, &server_key), 0);
	free(pac);

	memset(&o, 0, sizeof(o));
	o.omit_attributes = true;
	CHECK_INT(build(&u, &o, &pac, &len), 0);
	CHECK_INT(ct_pac_decode(a, pac, len, &p), 0);
	CHECK_INT(p.nbuffers, 6);
	CHECK(!p.has_attributes && p.has_requestor);
	free(pac);

	memset(&o, 0, sizeof(o));
	o.omit_upn_dns_info = true;
	CHECK_INT(build(&u, &o, &pac, &len), 0);
	CHECK_INT(ct_pac_decode(a, pac, len, &p), 0);
	CHECK_INT(p.nbuffers, 6);
	CHECK(p.upn_dns_info == NULL);
	free(pac);

	o.omit_requestor = o.omit_attributes = true;
	CHECK_INT(build(&u, &o, &pac, &len), 0);
	CHECK_INT(ct_pac_decode(a, pac, len, &p), 0);
	CHECK_INT(p.nbuffers, 4);
	CHECK_INT(p.buffers[0].type, 1);
	CHECK_INT(p.buffers[1].type, 10);
	CHECK_INT(p.buffers[2].type, 6);
	CHECK_INT(p.buffers[3].type, 7);
	for (i = 0; i < p.nbuffers; i++)
		CHECK_INT(p.buffers[i].offset % 8, 0);
	CHECK_INT(ct_pac_verify_server(kc, pac, len, &server_key), 0);
	CHECK_INT(ct_pac_verify_kdc(kc, pac, len, &kdc_key), 0);
	free(pac);

	/* No explicit UPN: constructed, flag U. No groups: just the primary group. */
	u.upn = NULL;
	u.ngroups = 0;
	u.group_rids = NULL;
	u.full_name = NULL;
	u.netbios_domain = NULL;
	CHECK_INT(build(&u, NULL, &pac, &len), 0);
	CHECK_INT(ct_pac_decode(a, pac, len, &p), 0);
	CHECK_STR(p.upn_dns_info->upn, "alice@corp.example.test");
	CHECK_INT(p.upn_dns_info->flags, 3);
	CHECK_INT(p.logon_info->ngroups, 1);
	CHECK_INT(p.logon_info->group_rids[0], 513);
	CHECK(p.logon_info->full_name == NULL);
	CHECK(p.logon_info->logon_domain_name == NULL);
	free(pac);

	/* Primary group already listed: not repeated. */
	{
		static const uint32_t g[] = {571, 513};

		u = sample_user();
		u.group_rids = g;
		u.ngroups = 2;
		CHECK_INT(build(&u, NULL, &pac, &len), 0);
		CHECK_INT(ct_pac_decode(a, pac, len, &p), 0);
		CHECK_INT(p.logon_info->ngroups, 2);
		CHECK_INT(p.logon_info->group_rids[0], 571);
		CHECK_INT(p.logon_info->group_rids[1], 513);
		free(pac);
	}

	/* Extra SIDs set UserFlags 0x20. */
	u = sample_user();
	CHECK_INT(ct_sid_parse("S-1-18-1", &extra[0]), 0);
	CHECK_INT(ct_sid_parse("S-1-5-21-4-5-6-1000", &extra[1]), 0);
	u.extra_sids = extra;
	u.nextra_sids = 2;
	CHECK_INT(build(&u, NULL, &pac, &len), 0);
	CHECK_INT(ct_pac_decode(a, pac, len, &p), 0);
	CHECK_INT(p.logon_info->user_flags, 0x20);
	CHECK_INT(p.logon_info->nextra_sids, 2);
	ct_sid_format(&p.logon_info->extra_sids[1], buf, sizeof(buf));
	CHECK_STR(buf, "S-1-5-21-4-5-6-1000");
	CHECK_INT(p.logon_info->extra_sid_attrs[0], 7);
	free(pac);

	/* Non-ASCII names survive the round trip. */
	u = sample_user();
	u.account_name = "j\xc3\xbcrgen";
	u.client_name = "j\xc3\xbcrgen";
	u.full_name = "J\xc3\xbcrgen \xf0\x9f\x99\x82";
	CHECK_INT(build(&u, NULL, &pac, &len), 0);
	CHECK_INT(ct_pac_decode(a, pac, len, &p), 0);
	CHECK_STR(p.logon_info->effective_name, "j\xc3\xbcrgen");
	CHECK_STR(p.logon_info->full_name, "J\xc3\xbcrgen \xf0\x9f\x99\x82");
	CHECK_STR(p.client_info->name, "j\xc3\xbcrgen");
	CHECK_STR(p.upn_dns_info->sam_name, "j\xc3\xbcrgen");
	free(pac);

	/* Other key types. */
	{
		struct ct_buf b;

		ct_buf_init(&b, CT_PAC_MAX_SIZE);
		u = sample_user();
		CHECK_INT(ct_pac_build(kc, &u, NULL, &server_key, &aes128_key, &b), 0);
		CHECK_INT(ct_pac_verify_server(kc, b.data, b.len, &server_key), 0);
		CHECK_INT(ct_pac_verify_kdc(kc, b.data, b.len, &aes128_key), 0);
		CHECK_INT(ct_pac_decode(a, b.data, b.len, &p), 0);
		CHECK_INT(p.kdc_sig->type, 15);
		ct_buf_free(&b);
	}
	ct_arena_free(a);
}

static void test_build_errors(void)
{
	struct ct_pac_user u;
	struct ct_krb_key bad;
	uint32_t *many;
	uint8_t *pac;
	size_t len;

	u = sample_user();
	u.client_name = NULL;
	CHECK_ERR(build(&u, NULL, &pac, &len), CT_ERR_INVALID_ARG);
	u = sample_user();
	u.dns_domain = "";
	CHECK_ERR(build(&u, NULL, &pac, &len), CT_ERR_INVALID_ARG);
	u = sample_user();
	u.full_name = "bad \xc3";
	CHECK_ERR(build(&u, NULL, &pac, &len), CT_ERR_BAD_VALUE);
	u = sample_user();
	u.authtime = (time_t)-11644473601LL;
	CHECK_ERR(build(&u, NULL, &pac, &len), CT_ERR_INVALID_ARG);
	u = sample_user();
	u.authtime = (time_t)-11644473600LL; /* 1601-01-01 is fine */
	CHECK_INT(build(&u, NULL, &pac, &len), 0);
	free(pac);
	u = sample_user();
	CHECK_INT(ct_sid_parse("S-1-5-1-2-3-4-5-6-7-8-9-10-11-12-13-14-15",
			       &u.domain_sid), 0);
	CHECK_ERR(build(&u, NULL, &pac, &len), CT_ERR_INVALID_ARG);
	u = sample_user();
	u.domain_sid.revision = 2;
	CHECK_ERR(build(&u, NULL, &pac, &len), CT_ERR_INVALID_ARG);
	u = sample_user();
	u.ngroups = 3;
	u.group_rids = NULL;
	CHECK_ERR(build(&u, NULL, &pac, &len), CT_ERR_INVALID_ARG);

	many = calloc(CT_PAC_MAX_GROUPS + 1, sizeof(*many));
	if (many == NULL)
		abort();
	u = sample_user();
	u.group_rids = many;
	u.ngroups = CT_PAC_MAX_GROUPS + 1;
	CHECK_ERR(build(&u, NULL, &pac, &len), CT_ERR_TOO_LARGE);
	/* The limit counts the primary group that is added. */
	u.ngroups = CT_PAC_MAX_GROUPS;
	CHECK_ERR(build(&u, NULL, &pac, &len), CT_ERR_TOO_LARGE);
	many[0] = 513;
	CHECK_INT(build(&u, NULL, &pac, &len), 0);
	CHECK_INT(decode(pac, len), 0);
	free(pac);
	free(many);

	{
		char *longname = malloc(CT_KRB_MAX_STRING + 2);

		if (longname == NULL)
			abort();
		memset(longname, 'a', CT_KRB_MAX_STRING + 1);
		longname[CT_KRB_MAX_STRING + 1] = '\0';
		u = sample_user();
		u.full_name = longname;
		CHECK_ERR(build(&u, NULL, &pac, &len), CT_ERR_TOO_LARGE);
		longname[CT_KRB_MAX_STRING] = '\0';
		CHECK_INT(build(&u, NULL, &pac, &len), 0);
		CHECK_INT(decode(pac, len), 0);
		free(pac);
		free(longname);
	}

	u = sample_user();
	bad.enctype = 23; /* rc4-hmac: refused */
	bad.value = server_key.value;
	{
		struct ct_buf b;

		ct_buf_init(&b, CT_PAC_MAX_SIZE);
		CHECK_ERR(ct_pac_build(kc, &u, NULL, &bad, &kdc_key, &b),
			  CT_ERR_UNSUPPORTED_ENCTYPE);
		CHECK_ERR(ct_pac_build(kc, &u, NULL, &server_key, &bad, &b),
			  CT_ERR_UNSUPPORTED_ENCTYPE);
		bad.enctype = 18;
		bad.value.len = 16; /* wrong length for aes256 */
		CHECK(ct_pac_build(kc, &u, NULL, &bad, &kdc_key, &b) != 0);
		CHECK_INT(b.len, 0);
		CHECK_ERR(ct_pac_build(kc, NULL, NULL, &server_key, &kdc_key, &b),
			  CT_ERR_INVALID_ARG);
		ct_buf_free(&b);
	}
}

/* ---- decoder rejections ---- */

static void test_header_rejections(void)
{
	uint8_t *pac, *big;
	size_t len, i, n;

	pac = sample_pac(&len);
	n = get32(pac);
	CHECK_INT(n, 7);
	CHECK_INT(decode(pac, len), 0);
	for (i = 0; i < 8; i++)
		CHECK_ERR(decode(pac, i), CT_ERR_BAD_PAC);
	/* Header (8 + 16n) cut short. */
	CHECK_ERR(decode(pac, 8 + 16 * n - 1), CT_ERR_BAD_PAC);
	CHECK_ERR(decode(NULL, 0), CT_ERR_BAD_PAC);

	put32(pac, 0);
	CHECK_ERR(decode(pac, len), CT_ERR_BAD_PAC);
	put32(pac, CT_PAC_MAX_BUFFERS + 1);
	CHECK_ERR(decode(pac, len), CT_ERR_TOO_LARGE);
	put32(pac, 0xffffffff);
	CHECK_ERR(decode(pac, len), CT_ERR_TOO_LARGE);
	put32(pac, CT_PAC_MAX_BUFFERS); /* header runs past the data */
	CHECK_ERR(decode(pac, len), CT_ERR_BAD_PAC);
	put32(pac, (uint32_t)n);
	put32(pac + 4, 1); /* version */
	CHECK_ERR(decode(pac, len), CT_ERR_BAD_PAC);
	put32(pac + 4, 0);
	CHECK_INT(decode(pac, len), 0);

	/* Offsets: unaligned, inside the header, past the end, high half set. */
	{
		uint32_t off = get32(entry(pac, 1) + 8);

		put32(entry(pac, 1) + 8, off + 4);
		CHECK_ERR(decode(pac, len), CT_ERR_BAD_PAC);
		put32(entry(pac, 1) + 8, 8);
		CHECK_ERR(decode(pac, len), CT_ERR_BAD_PAC);
		put32(entry(pac, 1) + 8, (uint32_t)len + 8);
		CHECK_ERR(decode(pac, len), CT_ERR_BAD_PAC);
		put32(entry(pac, 1) + 8, off);
		put32(entry(pac, 1) + 12, 1);
		CHECK_ERR(decode(pac, len), CT_ERR_BAD_PAC);
		put32(entry(pac, 1) + 12, 0);
		/* Size runs past the end. */
		put32(entry(pac, 6) + 4, (uint32_t)(len - get32(entry(pac, 6) + 8) + 1));
		CHECK_ERR(decode(pac, len), CT_ERR_BAD_PAC);
		put32(entry(pac, 6) + 4, 0xffffffff);
		CHECK_ERR(decode(pac, len), CT_ERR_BAD_PAC);
		put32(entry(pac, 6) + 4, 16);
		CHECK_INT(decode(pac, len), 0);
		/* Overlap: CLIENT_INFO pointed into LOGON_INFO. */
		put32(entry(pac, 1) + 8, get32(entry(pac, 0) + 8) + 8);
		CHECK_ERR(decode(pac, len), CT_ERR_BAD_PAC);
		/* Overlap: two buffers at the same offset. */
		put32(entry(pac, 1) + 8, get32(entry(pac, 0) + 8));
		CHECK_ERR(decode(pac, len), CT_ERR_BAD_PAC);
		put32(entry(pac, 1) + 8, off);
		CHECK_INT(decode(pac, len), 0);
	}
	/* Duplicate known types are refused; unknown types are kept. */
	put32(entry(pac, 4), CT_PAC_CLIENT_INFO);
	CHECK_ERR(decode(pac, len), CT_ERR_BAD_PAC);
	put32(entry(pac, 4), CT_PAC_TICKET_CHECKSUM);
	put32(entry(pac, 3), CT_PAC_TICKET_CHECKSUM);
	CHECK_ERR(decode(pac, len), CT_ERR_BAD_PAC);
	put32(entry(pac, 4), 0x1000);
	put32(entry(pac, 3), 0x1000);
	{
		struct ct_arena *a = ct_arena_new();
		struct ct_pac p;

		CHECK_INT(ct_pac_decode(a, pac, len, &p), 0);
		CHECK_INT(p.nbuffers, 7);
		CHECK_INT(p.buffers[3].type, 0x1000);
		CHECK_INT(p.buffers[3].data.len, 8);
		CHECK(!p.has_attributes && !p.has_requestor);
		CHECK_STR(ct_pac_type_name(0x1000), "unknown");
		CHECK_STR(ct_pac_type_name(1), "LOGON_INFO");
		ct_arena_free(a);
	}
	free(pac);

	/* Over CT_PAC_MAX_SIZE. */
	big = calloc(1, CT_PAC_MAX_SIZE + 1);
	if (big == NULL)
		abort();
	pac = sample_pac(&len);
	memcpy(big, pac, len);
	CHECK_INT(decode(big, CT_PAC_MAX_SIZE), 0);
	CHECK_ERR(decode(big, CT_PAC_MAX_SIZE + 1), CT_ERR_TOO_LARGE);
	free(big);
	free(pac);
}

/* Runs decode on a copy of the sample PAC with one u32 changed in LOGON_INFO's NDR stream. */
static int logon_with(size_t stream_off, uint32_t v)
{
	size_t len, off;
	uint8_t *pac = sample_pac(&len);
	int r;

	off = find_off(pac, 1, NULL);
	put32(pac + off + NDR_START + stream_off, v);
	r = decode(pac, len);
	free(pac);
	return r;
}

static void test_ndr_rejections(void)
{
	uint8_t *pac;
	size_t len, off, size;

	pac = sample_pac(&len);
	off = find_off(pac, 1, &size);
	/* Sanity: the offsets used below are right. */
	CHECK_INT(get32(pac + off + NDR_START + S_REF), 0x00020000);
	CHECK_INT(get32(pac + off + NDR_START + S_EFFNAME_HDR), 0x000a000a);
	CHECK_INT(get32(pac + off + NDR_START + S_GROUP_COUNT), 3);
	CHECK_INT(get32(pac + off + NDR_START + S_SCALARS_END), 5);

	/* Type serialisation headers. */
	pac[off] = 2;
	CHECK_ERR(decode(pac, len), CT_ERR_BAD_PAC);
	pac[off] = 1;
	pac[off + 4] = 0;
	CHECK_ERR(decode(pac, len), CT_ERR_BAD_PAC);
	pac[off + 4] = 0xcc;
	put32(pac + off + 8, (uint32_t)size - 16 - 4); /* not a multiple of 8 */
	CHECK_ERR(decode(pac, len), CT_ERR_BAD_PAC);
	put32(pac + off + 8, (uint32_t)size - 16 + 8); /* beyond the buffer */
	CHECK_ERR(decode(pac, len), CT_ERR_BAD_PAC);
	put32(pac + off + 8, (uint32_t)size - 16 - 8); /* cuts the data */
	CHECK_ERR(decode(pac, len), CT_ERR_BAD_PAC);
	put32(pac + off + 8, (uint32_t)size - 16);
	CHECK_INT(decode(pac, len), 0);
	free(pac);

	/* Referents and lengths. */
	CHECK_ERR(logon_with(S_REF, 0), CT_ERR_BAD_PAC);
	CHECK_INT(logon_with(S_REF, 0x12345678), 0);          /* any non-zero id */
	CHECK_ERR(logon_with(S_DOMAIN_SID_PTR, 0), CT_ERR_BAD_PAC);
	CHECK_ERR(logon_with(S_GROUP_PTR, 0), CT_ERR_BAD_PAC); /* count 3, NULL */
	CHECK_ERR(logon_with(S_GROUP_COUNT, 2), CT_ERR_BAD_PAC); /* != MaxCount */
	CHECK_ERR(logon_with(S_GROUP_COUNT, 4), CT_ERR_BAD_PAC);
	CHECK_ERR(logon_with(S_GROUP_COUNT, CT_PAC_MAX_GROUPS + 1), CT_ERR_TOO_LARGE);
	CHECK_ERR(logon_with(S_GROUP_COUNT, 0xffffffff), CT_ERR_TOO_LARGE);
	CHECK_ERR(logon_with(200, 1), CT_ERR_BAD_PAC);      /* SidCount 1, ptr NULL */
	CHECK_ERR(logon_with(200, CT_PAC_MAX_SIDS + 1), CT_ERR_BAD_PAC); /* NULL ptr first */
	CHECK_ERR(logon_with(212, 1), CT_ERR_BAD_PAC);      /* resource count, NULL */
	/* EffectiveName: odd Length, Length > MaximumLength, NULL with a length. */
	CHECK_ERR(logon_with(S_EFFNAME_HDR, 0x000a0009), CT_ERR_BAD_PAC);
	CHECK_ERR(logon_with(S_EFFNAME_HDR, 0x0008000a), CT_ERR_BAD_PAC);
	CHECK_ERR(logon_with(S_EFFNAME_HDR + 4, 0), CT_ERR_BAD_PAC);
	/* Its deferred conformant-varying array: MaxCount, Offset, ActualCount. */
	CHECK_ERR(logon_with(S_SCALARS_END, 6), CT_ERR_BAD_PAC);
	CHECK_ERR(logon_with(S_SCALARS_END + 4, 1), CT_ERR_BAD_PAC);
	CHECK_ERR(logon_with(S_SCALARS_END + 8, 4), CT_ERR_BAD_PAC);
	/* An unpaired surrogate and a NUL in the name. */
	CHECK_ERR(logon_with(S_SCALARS_END + 12, 0x0061d800), CT_ERR_BAD_PAC);
	CHECK_ERR(logon_with(S_SCALARS_END + 12, 0x00610000), CT_ERR_BAD_PAC);
	CHECK_INT(logon_with(S_SCALARS_END + 12, 0x00420041), 0);
}

static void test_other_buffer_rejections(void)
{
	uint8_t *pac;
	size_t len, off, size;

	/* CLIENT_INFO: NameLength odd / not matching the buffer. */
	pac = sample_pac(&len);
	off = find_off(pac, 10, &size);
	pac[off + 8] = 9;
	CHECK_ERR(decode(pac, len), CT_ERR_BAD_PAC);
	pac[off + 8] = 8;
	CHECK_ERR(decode(pac, len), CT_ERR_BAD_PAC);
	pac[off + 8] = 10;
	pac[off + 10] = 0x00;
	pac[off + 11] = 0xdc; /* lone low surrogate */
	CHECK_ERR(decode(pac, len), CT_ERR_BAD_PAC);
	free(pac);

	/* UPN_DNS_INFO: offsets outside the buffer or into the fixed part. */
	pac = sample_pac(&len);
	off = find_off(pac, 12, &size);
	pac[off + 2] = 0xf0; /* UpnOffset */
	CHECK_ERR(decode(pac, len), CT_ERR_BAD_PAC);
	pac[off + 2] = 0x04;
	CHECK_ERR(decode(pac, len), CT_ERR_BAD_PAC);
	pac[off + 2] = 0x18;
	pac[off + 0] = 0x2f; /* odd UpnLength */
	CHECK_ERR(decode(pac, len), CT_ERR_BAD_PAC);
	pac[off + 0] = 0x2e;
	pac[off + 18] = 0xff; /* SidOffset */
	CHECK_ERR(decode(pac, len), CT_ERR_BAD_PAC);
	pac[off + 18] = 0x80;
	pac[off + 16] = 0x1b; /* SidLength not matching the SID */
	CHECK_ERR(decode(pac, len), CT_ERR_BAD_PAC);
	pac[off + 16] = 0x1c;
	CHECK_INT(decode(pac, len), 0);
	/* Without flag S the extension is not read. */
	pac[off + 8] = 0;
	{
		struct ct_arena *a = ct_arena_new();
		struct ct_pac p;

		CHECK_INT(ct_pac_decode(a, pac, len, &p), 0);
		CHECK(p.upn_dns_info->sam_name == NULL && !p.upn_dns_info->has_sid);
		ct_arena_free(a);
	}
	free(pac);

	/* REQUESTOR: bad revision, count too big, trailing bytes. */
	pac = sample_pac(&len);
	off = find_off(pac, 18, &size);
	pac[off] = 2;
	CHECK_ERR(decode(pac, len), CT_ERR_BAD_PAC);
	pac[off] = 1;
	pac[off + 1] = 16;
	CHECK_ERR(decode(pac, len), CT_ERR_BAD_PAC);
	pac[off + 1] = 4;
	CHECK_ERR(decode(pac, len), CT_ERR_BAD_PAC);
	pac[off + 1] = 5;
	CHECK_INT(decode(pac, len), 0);
	free(pac);

	/* ATTRIBUTES_INFO: FlagsLength 0 or needing more words. */
	pac = sample_pac(&len);
	off = find_off(pac, 17, &size);
	put32(pac + off, 0);
	CHECK_ERR(decode(pac, len), CT_ERR_BAD_PAC);
	put32(pac + off, 33);
	CHECK_ERR(decode(pac, len), CT_ERR_BAD_PAC);
	put32(pac + off, 0xffffffff);
	CHECK_ERR(decode(pac, len), CT_ERR_BAD_PAC);
	put32(pac + off, 32);
	CHECK_INT(decode(pac, len), 0);
	free(pac);
}

/* Every prefix and single-byte change: no crash (ASan/UBSan builds check more). */
static void test_truncation_and_flips(void)
{
	uint8_t *pac, *copy;
	size_t len, i, bad_codes = 0, decoded_short = 0;
	int r, v;

	pac = sample_pac(&len);
	for (i = 0; i < len; i++) {
		/* An exact-size copy so ASan sees any over-read. */
		copy = malloc(i > 0 ? i : 1);
		if (copy == NULL)
			abort();
		memcpy(copy, pac, i);
		r = decode(copy, i);
		if (r == 0)
			decoded_short++;
		else if (r != CT_ERR_BAD_PAC)
			bad_codes++;
		if (ct_pac_verify_server(kc, copy, i, &server_key) == 0 ||
		    ct_pac_verify_kdc(kc, copy, i, &kdc_key) == CT_ERR_INTERNAL)
			bad_codes++;
		free(copy);
	}
	CHECK_INT(bad_codes, 0);
	/* The last buffer (16 bytes) has no padding: every prefix fails. */
	CHECK_INT(decoded_short, 0);

	bad_codes = 0;
	for (i = 0; i < len; i++) {
		for (v = 1; v < 256; v <<= 1) {
			pac[i] ^= (uint8_t)v;
			r = decode(pac, len);
			if (r != 0 && r != CT_ERR_BAD_PAC && r != CT_ERR_TOO_LARGE)
				bad_codes++;
			pac[i] ^= (uint8_t)v;
		}
	}
	CHECK_INT(bad_codes, 0);
	free(pac);
}

static void test_print(void)
{
	struct ct_pac_user u = sample_user();
	struct ct_pac_options o = {.has_rodc_id = true, .rodc_id = 7};
	struct ct_arena *a = ct_arena_new();
	struct ct_pac p;
	uint8_t *pac;
	size_t len, dlen = 0;
	char *dump = NULL;
	FILE *f;

	u.full_name = "Eve\x1b[31m\xc2\x9b";
	CHECK_INT(build(&u, &o, &pac, &len), 0);
	CHECK_INT(ct_pac_decode(a, pac, len, &p), 0);
	f = open_memstream(&dump, &dlen);
	if (f == NULL)
		abort();
	ct_pac_print(f, &p);
	fclose(f);
	CHECK(strstr(dump, "effective name:    \"alice\"") != NULL);
	CHECK(strstr(dump, "S-1-5-21-1111111111-2222222222-3333333333-1105") != NULL);
	CHECK(strstr(dump, "logon time:        2023-11-14T22:13:20Z") != NULL);
	CHECK(strstr(dump, "RODC identifier: 7") != NULL);
	CHECK(strstr(dump, "PAC_WAS_REQUESTED") != NULL);
	CHECK(strstr(dump, "\"Eve\\x1b[31m\\u009b\"") != NULL);
	CHECK(strchr(dump, 0x1b) == NULL);
	if (strstr(dump, "effective name") == NULL)
		tap_diag("%s", dump);
	free(dump);
	free(pac);
	ct_arena_free(a);
}

int main(void)
{
	size_t i;

	for (i = 0; i < 32; i++) {
		server_key_bytes[i] = (uint8_t)i;
		kdc_key_bytes[i] = (uint8_t)(0x20 + i);
		other_key_bytes[i] = (uint8_t)(0x40 + i);
	}
	server_key = (struct ct_krb_key){18, {server_key_bytes, 32}};
	kdc_key = (struct ct_krb_key){18, {kdc_key_bytes, 32}};
	other_key = (struct ct_krb_key){18, {other_key_bytes, 32}};
	aes128_key = (struct ct_krb_key){17, {other_key_bytes, 16}};
	if (ct_kcrypto_new(&kc) != 0)
		return 1;

	test_sid();
	test_sid_wire();
	test_utf16();
	test_roundtrip();
	test_appends();
	test_signatures();
	test_rodc();
	test_options();
	test_build_errors();
	test_header_rejections();
	test_ndr_rejections();
	test_other_buffer_rejections();
	test_truncation_and_flips();
	test_print();
	ct_kcrypto_free(kc);
	return tap_done();
}
