/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The byte-level pieces of src/jose: base64 (RFC 4648 vectors and every
 * refusal of the strict decoders), strict JSON and its getters, the
 * SP800-108 KDF (NIST CAVP counter-mode vectors, and label/context vectors
 * from python-cryptography's KBKDFHMAC), and the RSA1 / ECS1 / SPKI key
 * imports with a fixed known-answer kid.
 */
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "ct-error.h"
#include "ct-hex.h"
#include "ct-limits.h"
#include "kdf.h"
#include "keyblob.h"
#include "strict-json.h"
#include "tap.h"

static struct ct_arena *arena;

/* Decodes a hex literal into arena memory (aborts on a typo). */
static const uint8_t *hex(const char *h, size_t *len)
{
	uint8_t *p = NULL;
	const uint8_t *q;

	if (ct_hex_decode(h, &p, len) != 0)
		abort();
	q = ct_arena_memdup(arena, p, *len, 0);
	free(p);
	return q;
}

/* ---- base64 ---- */

static void check_pair(const char *plain, const char *std, const char *url)
{
	size_t n = strlen(plain);
	struct ct_buf b;
	uint8_t *dec;
	size_t declen;
	char *enc;

	ct_buf_init(&b, 1024);
	CHECK_INT(ct_b64_encode(&b, plain, n), 0);
	CHECK_MEM(b.data ? b.data : (const uint8_t *)"", b.len, std,
		  strlen(std));
	ct_buf_free(&b);
	CHECK_INT(ct_b64url_encode_arena(arena, plain, n, &enc), 0);
	CHECK_STR(enc, url);
	CHECK_INT(ct_b64_decode_arena(arena, std, strlen(std), &dec, &declen), 0);
	CHECK_MEM(dec, declen, plain, n);
	CHECK_INT(ct_b64url_decode_arena(arena, url, strlen(url), &dec, &declen),
		  0);
	CHECK_MEM(dec, declen, plain, n);
	CHECK_INT(ct_b64_encoded_len(n), strlen(std));
	CHECK_INT(ct_b64url_encoded_len(n), strlen(url));
}

static void test_b64_vectors(void)
{
	/* RFC 4648 §10. */
	check_pair("", "", "");
	check_pair("f", "Zg==", "Zg");
	check_pair("fo", "Zm8=", "Zm8");
	check_pair("foo", "Zm9v", "Zm9v");
	check_pair("foob", "Zm9vYg==", "Zm9vYg");
	check_pair("fooba", "Zm9vYmE=", "Zm9vYmE");
	check_pair("foobar", "Zm9vYmFy", "Zm9vYmFy");
	/* The two alphabets differ in exactly the last two characters. */
	check_pair("\xfb\xff\xbf", "+/+/", "-_-_");
}

/* Decoding bad must fail in both forms and leave the buffer as it was. */
static void bad(bool url, const char *s, size_t n)
{
	struct ct_buf b;
	uint8_t *dec = NULL;
	size_t declen = 7;

	ct_buf_init(&b, 1024);
	ct_buf_put(&b, "xy", 2);
	CHECK_ERR(url ? ct_b64url_decode(&b, s, n) : ct_b64_decode(&b, s, n),
		  CT_ERR_BAD_BASE64);
	CHECK_MEM(b.data, b.len, "xy", 2);
	CHECK_INT(b.err, 0);
	ct_buf_free(&b);
	CHECK_ERR(url ? ct_b64url_decode_arena(arena, s, n, &dec, &declen) :
			ct_b64_decode_arena(arena, s, n, &dec, &declen),
		  CT_ERR_BAD_BASE64);
	CHECK(dec == NULL && declen == 7);
}

#define BAD_URL(s) bad(true, s, sizeof(s) - 1)
#define BAD_STD(s) bad(false, s, sizeof(s) - 1)

static void test_b64_strict(void)
{
	struct ct_buf b;

	/* Padding only where it belongs. */
	BAD_URL("Zg==");
	BAD_URL("Zm8=");
	BAD_STD("Zg");
	BAD_STD("Zm8");
	BAD_STD("Zg=");
	BAD_STD("Zg===");
	BAD_STD("Z===");
	BAD_STD("====");
	BAD_STD("Zg==Zg==");
	BAD_STD("Z=g=");
	/* Lengths no encoder makes. */
	BAD_URL("Z");
	BAD_URL("Zm9vY");
	/* Whitespace, NUL, foreign characters, the other alphabet. */
	BAD_URL("Zm9v\n");
	BAD_STD(" Zm9v");
	BAD_STD("Zm9v\r\n");
	BAD_URL("Zm\0v");
	BAD_URL("Zm9*");
	BAD_URL("+/+/");
	BAD_STD("-_-_");
	BAD_URL("Zm9v\xc3\xa4");
	/* Non-zero trailing bits: "Zh" would also decode to "f". */
	BAD_URL("Zh");
	BAD_STD("Zh==");
	BAD_URL("Zm9");
	BAD_STD("Zm9=");
	/* The output buffer's cap holds. */
	ct_buf_init(&b, 2);
	CHECK_ERR(ct_b64url_decode(&b, "Zm9v", 4), CT_ERR_TOO_LARGE);
	ct_buf_free(&b);
	ct_buf_init(&b, 3);
	CHECK_ERR(ct_b64_encode(&b, "foo", 3), CT_ERR_TOO_LARGE);
	ct_buf_free(&b);
}

static void test_b64_roundtrip(void)
{
	uint8_t data[67], *dec;
	size_t n, declen;
	char *enc;
	bool ok = true;

	for (n = 0; n < sizeof(data); n++)
		data[n] = (uint8_t)(n * 37 + 11);
	for (n = 0; n <= sizeof(data); n++) {
		ok &= ct_b64url_encode_arena(arena, data, n, &enc) == 0 &&
		      strlen(enc) == ct_b64url_encoded_len(n) &&
		      ct_b64url_decode_arena(arena, enc, strlen(enc), &dec,
					     &declen) == 0 &&
		      declen == n && memcmp(dec, data, n) == 0;
		ok &= ct_b64_encode_arena(arena, data, n, &enc) == 0 &&
		      strlen(enc) % 4 == 0 &&
		      ct_b64_decode_arena(arena, enc, strlen(enc), &dec,
					  &declen) == 0 &&
		      declen == n && memcmp(dec, data, n) == 0;
	}
	CHECK(ok);
}

/* ---- JSON ---- */

static int parse(const char *s, json_t **out)
{
	struct ct_errinfo ei = {0};

	return ct_json_parse(s, strlen(s), out, &ei);
}

static void check_refused(const char *s, size_t n, int want)
{
	struct ct_errinfo ei = {0};
	json_t *v = (json_t *)1;
	size_t i;
	bool printable = true;

	CHECK_ERR(ct_json_parse(s, n, &v, &ei), want);
	CHECK(v == NULL);
	/* The detail goes to logs: no control bytes from the input. */
	for (i = 0; ei.msg[i] != '\0'; i++)
		printable &= ei.msg[i] >= 0x20 && ei.msg[i] < 0x7f;
	CHECK(printable && ei.msg[0] != '\0');
}

#define REFUSED(s, want) check_refused(s, sizeof(s) - 1, want)

/* A document nested depth levels deep: {"a":{"a":...{}...}}. */
static char *nested(unsigned depth)
{
	char *s = ct_arena_alloc(arena, depth * 6 + 1);
	unsigned i;

	for (i = 0; i + 1 < depth; i++)
		memcpy(s + i * 5, "{\"a\":", 5);
	s[i * 5] = '{';
	memset(s + i * 5 + 1, '}', depth);
	return s;
}

static void test_json_parse(void)
{
	json_t *v = NULL;
	char *big;
	size_t n;

	CHECK_INT(parse("{\"a\": [1, {\"b\": \"[{[{\"}]}", &v), 0);
	CHECK(json_is_object(v));
	json_decref(v);
	REFUSED("[1]", CT_ERR_JSON_TYPE);
	REFUSED("1", CT_ERR_BAD_JSON);
	REFUSED("", CT_ERR_BAD_JSON);
	REFUSED("{\"alg\":\"RS256\",\"alg\":\"none\"}", CT_ERR_BAD_JSON);
	REFUSED("{\"a\":\"\xff\"}", CT_ERR_BAD_JSON);
	REFUSED("{\"a\":\"\xc0\xaf\"}", CT_ERR_BAD_JSON);   /* overlong */
	REFUSED("{\"a\":\"\xed\xa0\x80\"}", CT_ERR_BAD_JSON); /* surrogate */
	REFUSED("{\"a\":\"\\u0000\"}", CT_ERR_BAD_JSON);
	REFUSED("{\"a\":\"x\0\"}", CT_ERR_BAD_JSON);
	REFUSED("{\"a\":\"\x01\"}", CT_ERR_BAD_JSON);
	REFUSED("{} {}", CT_ERR_BAD_JSON);
	REFUSED("{\"a\":1,}", CT_ERR_BAD_JSON);
	REFUSED("{\"a\":99999999999999999999}", CT_ERR_BAD_JSON);
	/* Depth: the limit itself passes, one more does not. */
	CHECK_INT(parse(nested(CT_JSON_MAX_DEPTH), &v), 0);
	json_decref(v);
	check_refused(nested(CT_JSON_MAX_DEPTH + 1),
		      strlen(nested(CT_JSON_MAX_DEPTH + 1)), CT_ERR_BAD_JSON);
	/* Brackets and escaped quotes inside strings do not nest. */
	CHECK_INT(parse("{\"a\":\"\\\"[[[[[[[[[[[[[[[[[[[[[[[[\"}", &v), 0);
	json_decref(v);
	/* Size: exactly the cap is fine, one byte more is not. */
	big = ct_arena_alloc(arena, CT_JSON_MAX + 2);
	n = CT_JSON_MAX;
	memset(big, ' ', n + 1);
	memcpy(big, "{\"a\":\"", 6);
	memset(big + 6, 'x', n - 8);
	memcpy(big + n - 2, "\"}", 2);
	CHECK_INT(ct_json_parse(big, n, &v, NULL), 0);
	json_decref(v);
	check_refused(big, n + 1, CT_ERR_TOO_LARGE);
}

static void test_json_getters(void)
{
	json_t *v = NULL, *o;
	const char *s;
	size_t len;
	int64_t i;
	bool b;

	CHECK_INT(parse("{\"s\":\"h\\u00e9\",\"i\":-7,\"t\":true,\"n\":null,"
			"\"o\":{},\"a\":[],\"r\":1.5}", &v), 0);
	CHECK_INT(ct_json_get_str(v, "s", &s, &len), 0);
	CHECK_STR(s, "h\xc3\xa9");
	CHECK_INT(len, 3);
	CHECK_INT(ct_json_get_int(v, "i", &i), 0);
	CHECK_INT(i, -7);
	CHECK_INT(ct_json_get_bool(v, "t", &b), 0);
	CHECK(b);
	CHECK_INT(ct_json_get_obj(v, "o", &o), 0);
	CHECK(json_is_object(o));
	CHECK_INT(ct_json_get_array(v, "a", &o), 0);
	CHECK(json_is_array(o));
	/* Missing and null are "missing"; anything else is a type error. */
	CHECK_ERR(ct_json_get_str(v, "absent", &s, NULL), CT_ERR_MISSING_FIELD);
	CHECK_ERR(ct_json_get_str(v, "n", &s, NULL), CT_ERR_MISSING_FIELD);
	CHECK_ERR(ct_json_get_str(v, "i", &s, NULL), CT_ERR_JSON_TYPE);
	CHECK_ERR(ct_json_get_int(v, "r", &i), CT_ERR_JSON_TYPE);
	CHECK_ERR(ct_json_get_int(v, "s", &i), CT_ERR_JSON_TYPE);
	CHECK_ERR(ct_json_get_bool(v, "i", &b), CT_ERR_JSON_TYPE);
	CHECK_ERR(ct_json_get_obj(v, "a", &o), CT_ERR_JSON_TYPE);
	CHECK_ERR(ct_json_get_array(v, "o", &o), CT_ERR_JSON_TYPE);
	json_decref(v);
}

static void lenient_int(const char *doc, int want_err, int64_t want)
{
	json_t *v = NULL;
	int64_t got = 12345;

	if (parse(doc, &v) != 0)
		abort();
	CHECK_ERR(ct_json_get_int_lenient(v, "x", &got), want_err);
	CHECK_INT(got, want_err == 0 ? want : 12345);
	json_decref(v);
}

static void lenient_bool(const char *doc, int want_err, bool want)
{
	json_t *v = NULL;
	bool got = !want;

	if (parse(doc, &v) != 0)
		abort();
	CHECK_ERR(ct_json_get_bool_lenient(v, "x", &got), want_err);
	if (want_err == 0)
		CHECK(got == want);
	json_decref(v);
}

static void test_json_lenient(void)
{
	lenient_int("{\"x\":300}", 0, 300);
	lenient_int("{\"x\":\"300\"}", 0, 300);
	lenient_int("{\"x\":\"-5\"}", 0, -5);
	lenient_int("{\"x\":\"0\"}", 0, 0);
	lenient_int("{\"x\":\"9223372036854775807\"}", 0, INT64_MAX);
	lenient_int("{\"x\":\"-9223372036854775808\"}", 0, INT64_MIN);
	lenient_int("{\"x\":\"9223372036854775808\"}", CT_ERR_BAD_VALUE, 0);
	lenient_int("{\"x\":\"-9223372036854775809\"}", CT_ERR_BAD_VALUE, 0);
	lenient_int("{\"x\":\"+5\"}", CT_ERR_BAD_VALUE, 0);
	lenient_int("{\"x\":\" 5\"}", CT_ERR_BAD_VALUE, 0);
	lenient_int("{\"x\":\"5 \"}", CT_ERR_BAD_VALUE, 0);
	lenient_int("{\"x\":\"\"}", CT_ERR_BAD_VALUE, 0);
	lenient_int("{\"x\":\"-\"}", CT_ERR_BAD_VALUE, 0);
	lenient_int("{\"x\":\"1e3\"}", CT_ERR_BAD_VALUE, 0);
	lenient_int("{\"x\":\"0x10\"}", CT_ERR_BAD_VALUE, 0);
	lenient_int("{\"x\":\"3.0\"}", CT_ERR_BAD_VALUE, 0);
	lenient_int("{\"x\":3.5}", CT_ERR_JSON_TYPE, 0);
	lenient_int("{\"x\":true}", CT_ERR_JSON_TYPE, 0);
	lenient_int("{\"x\":null}", CT_ERR_MISSING_FIELD, 0);
	lenient_bool("{\"x\":true}", 0, true);
	lenient_bool("{\"x\":false}", 0, false);
	lenient_bool("{\"x\":\"true\"}", 0, true);
	lenient_bool("{\"x\":\"True\"}", 0, true);
	lenient_bool("{\"x\":\"FALSE\"}", 0, false);
	lenient_bool("{\"x\":\"1\"}", 0, true);
	lenient_bool("{\"x\":\"0\"}", 0, false);
	lenient_bool("{\"x\":1}", 0, true);
	lenient_bool("{\"x\":0}", 0, false);
	lenient_bool("{\"x\":2}", CT_ERR_BAD_VALUE, false);
	lenient_bool("{\"x\":\"yes\"}", CT_ERR_BAD_VALUE, false);
	lenient_bool("{\"x\":\"\"}", CT_ERR_BAD_VALUE, false);
	lenient_bool("{\"x\":\"truex\"}", CT_ERR_BAD_VALUE, false);
	lenient_bool("{\"x\":1.0}", CT_ERR_JSON_TYPE, false);
	lenient_bool("{\"x\":[]}", CT_ERR_JSON_TYPE, false);
	lenient_bool("{}", CT_ERR_MISSING_FIELD, false);
}

static void obj_lenient(const char *doc, int want_err)
{
	struct ct_errinfo ei = {0};
	json_t *v = NULL, *o = (json_t *)1;
	const char *realm;

	if (parse(doc, &v) != 0)
		abort();
	CHECK_ERR(ct_json_get_obj_lenient(v, "tgt_ad", &o, &ei), want_err);
	if (want_err == 0) {
		CHECK_INT(ct_json_get_str(o, "realm", &realm, NULL), 0);
		CHECK_STR(realm, "CORP.EXAMPLE.TEST");
		json_decref(o);
	}
	json_decref(v);
}

static void test_json_obj_lenient(void)
{
	json_t *v = NULL, *o = NULL;

	obj_lenient("{\"tgt_ad\":{\"realm\":\"CORP.EXAMPLE.TEST\"}}", 0);
	obj_lenient("{\"tgt_ad\":\"{\\\"realm\\\":\\\"CORP.EXAMPLE.TEST\\\"}\"}", 0);
	obj_lenient("{\"tgt_ad\":\"[1]\"}", CT_ERR_JSON_TYPE);
	obj_lenient("{\"tgt_ad\":\"{\\\"a\\\":1,\\\"a\\\":2}\"}", CT_ERR_BAD_JSON);
	obj_lenient("{\"tgt_ad\":\"{\"}", CT_ERR_BAD_JSON);
	obj_lenient("{\"tgt_ad\":7}", CT_ERR_JSON_TYPE);
	obj_lenient("{\"tgt_ad\":null}", CT_ERR_MISSING_FIELD);
	obj_lenient("{}", CT_ERR_MISSING_FIELD);
	/* The object form is a new reference: it outlives the parent. */
	CHECK_INT(parse("{\"tgt_ad\":{\"realm\":\"R\"}}", &v), 0);
	CHECK_INT(ct_json_get_obj_lenient(v, "tgt_ad", &o, NULL), 0);
	json_decref(v);
	CHECK_INT(json_object_size(o), 1);
	json_decref(o);
}

/* ---- KDF ---- */

static void kdf_fixed(const char *key, const char *fixed, const char *want)
{
	size_t klen, flen, wlen;
	const uint8_t *k = hex(key, &klen), *f = hex(fixed, &flen);
	const uint8_t *w = hex(want, &wlen);
	uint8_t out[64];

	CHECK_INT(ct_kdf_sp800_108_hmac_sha256_fixed(k, klen, f, flen, out,
						     wlen), 0);
	CHECK_MEM(out, wlen, w, wlen);
}

static void kdf_label(const char *key, const char *label, const char *ctx,
		      const char *want)
{
	size_t klen, clen, wlen;
	const uint8_t *k = hex(key, &klen), *c = hex(ctx, &clen);
	const uint8_t *w = hex(want, &wlen);
	uint8_t out[128];

	CHECK_INT(ct_kdf_sp800_108_hmac_sha256(k, klen, (const uint8_t *)label,
					       strlen(label), c, clen, out,
					       wlen), 0);
	CHECK_MEM(out, wlen, w, wlen);
}

static void test_kdf(void)
{
	static const uint8_t key[32] = {1};
	uint8_t out[CT_KDF_MAX_OUT + 1];

	/*
	 * NIST CAVP KBKDF CounterMode.zip, [PRF=HMAC_SHA256]
	 * [CTRLOCATION=BEFORE_FIXED] [RLEN=32_BITS], COUNT=0 (L=128),
	 * COUNT=10 (L=256) and COUNT=30 (L=320, two blocks): the fixed input
	 * is given whole, so the raw form is checked.
	 */
	kdf_fixed("dd1d91b7d90b2bd3138533ce92b272fbf8a369316aefe242e659cc0ae238afe0",
		  "01322b96b30acd197979444e468e1c5c6859bf1b1cf951b7e725303e237e46b8"
		  "64a145fab25e517b08f8683d0315bb2911d80a0e8aba17f3b413faac",
		  "10621342bfb0fd40046c0e29f2cfdbf0");
	kdf_fixed("e204d6d466aad507ffaf6d6dab0a5b26152c9e21e764370464e360c8fbc765c6",
		  "7b03b98d9f94b899e591f3ef264b71b193fba7043c7e953cde23bc5384bc1a62"
		  "93580115fae3495fd845dadbd02bd6455cf48d0f62b33e62364a3a80",
		  "770dfab6a6a4a4bee0257ff335213f78d8287b4fd537d5c1fffa956910e7c779");
	kdf_fixed("c4bedbddb66493e7c7259a3bbbc25f8c7e0ca7fe284d92d431d9cd99a0d214ac",
		  "1c69c54766791e315c2cc5c47ecd3ffab87d0d273dd920e70955814c220eacac"
		  "e6a5946542da3dfe24ff626b4897898cafb7db83bdff3c14fa46fd4b",
		  "1da47638d6c9c4d04d74d4640bbd42ab814d9e8cc22f4326695239f96b0693f1"
		  "2d0dd1152cf44430");
	/*
	 * Label/context layout: values computed with python-cryptography's
	 * KBKDFHMAC (counter before fixed, rlen = llen = 4), as ROADtools
	 * derives PRT session keys; jose-oracle.py repeats this with random
	 * inputs.
	 */
	kdf_label("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		  "AzureAD-SecureConversation",
		  "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7",
		  "6a8e5c7d74295100279d19bcf58f4e1b1be1d828ac9d60e7bc5ff30552aecac1");
	kdf_label("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		  "AzureAD-SecureConversation", "",
		  "2a107be550f281393be28fdc7e90af55ede2985f240da234a4fd2ee11937bc0c");
	kdf_label("000102030405060708090a0b0c0d0e0f", "", "",
		  "c03f5c07c933ac0cea615eb92175c28fd370a067816889c782585504f6f0f2b9"
		  "2dd38b6dba745cf90cb0282885701c1e5576a9dd5f810b8e36ce510d60d2e193"
		  "a9622b9b173bb0b4538d88bad18f7078");
	kdf_label("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		  "label", "636f6e74657874",
		  "a96742dab629385c2fda3ab31ff80ae5ab8f18d61a903f75d4cb97422e3b9586"
		  "4f650329d558a492707fde746725067868d9647d1a5d07f510bb09aa8d05efaa");
	/* Refusals leave out untouched. */
	memset(out, 0xee, sizeof(out));
	CHECK_ERR(ct_kdf_sp800_108_hmac_sha256(key, 0, NULL, 0, NULL, 0, out, 32),
		  CT_ERR_INVALID_ARG);
	CHECK_ERR(ct_kdf_sp800_108_hmac_sha256(key, 32, NULL, 0, NULL, 0, out, 0),
		  CT_ERR_INVALID_ARG);
	CHECK_ERR(ct_kdf_sp800_108_hmac_sha256(key, 32, NULL, 0, NULL, 0, out,
					       CT_KDF_MAX_OUT + 1),
		  CT_ERR_INVALID_ARG);
	CHECK(out[0] == 0xee && out[CT_KDF_MAX_OUT] == 0xee);
}

/* ---- key blobs ---- */

/* The RSA1 blob of the RFC 7515 A.2 key, and its kid (python hashlib). */
#define RFC_RSA1                                                              \
	"525341310008000003000000000100000000000000000000010001"              \
	"a1f8160ae2e3c9b465ce8d2d656263362b927dbe29e1f02477fc1625cc90a136"    \
	"e38bd93497c5b6ea63dd7711e67c7429f956b0fb8a8f089adc4b69893cc1333f"    \
	"53edd019b87784252fec914fe4857769594bea4280d32c0f55bf62944f130396"    \
	"bc6e9bdf6ebdd2bda3678eeca0c668f701b38dbffb38c8342ce2fe6d27fade4a"    \
	"5a4874979dd4b9cf9adec4c75b05852c2c0f5ef8a5c1750392f944e8ed64c110"    \
	"c6b647609aa4783aeb9c6c9ad755313050638b83665c6f6f7a82a396702a1f64"    \
	"1b82d3ebf2392219491fb686872c5716f50af8358d9a8b9d17c340728f7f87d8"    \
	"9a18d8fcab67ad84590c2ecf759339363c07034d6f606f9e21e05456cae5e9a1"
#define RFC_RSA1_KID "DlqfLInMQc/u95yUY7JwlCwYEu/S1EFgEds8zk1R/70="
/* The ECS1 blob of the RFC 7515 A.3 P-256 key, and its kid. */
#define RFC_ECS1                                                              \
	"4543533120000000"                                                    \
	"7fcdce2770f6c45d4183cbee6fdb4b7b580733357be9ef13bacf6e3c7bd15445"    \
	"c7f144cd1bbd9b7e872cdfedb9eeb9f4b3695d6ea90b24ad8a4623288588e5ad"
#define RFC_ECS1_KID "bnY0xGhAWR1Zq38csHW65N+OUjESm9fm7ns88dDcAtY="

/* Imports blob[0..len) (a copy), expecting want; frees any key. */
static void blob_refused(const uint8_t *blob, size_t len, int want)
{
	struct ct_errinfo ei = {0};
	EVP_PKEY *k = (EVP_PKEY *)1;
	uint8_t *copy = malloc(len ? len : 1);
	int r;

	/* An exact-size copy, so ASan sees any read past the end. */
	memcpy(copy, blob, len);
	r = ct_key_blob_import(copy, len, &k, &ei);
	if (r != want)
		tap_diag("blob of %zu bytes: %s", len, ei.msg);
	CHECK_ERR(r, want);
	CHECK(k == NULL && ei.msg[0] != '\0');
	free(copy);
}

/* A mutated copy of blob: byte v at offset off. */
static void mutate(const uint8_t *blob, size_t len, size_t off, uint8_t v,
		   int want)
{
	uint8_t *m = ct_arena_memdup(arena, blob, len, 0);

	m[off] = v;
	blob_refused(m, len, want);
}

/* A mutated copy of blob: little-endian u32 v at offset off. */
static void mutate_le32(const uint8_t *blob, size_t len, size_t off,
			uint32_t v, int want)
{
	uint8_t *m = ct_arena_memdup(arena, blob, len, 0);

	m[off] = (uint8_t)v;
	m[off + 1] = (uint8_t)(v >> 8);
	m[off + 2] = (uint8_t)(v >> 16);
	m[off + 3] = (uint8_t)(v >> 24);
	blob_refused(m, len, want);
}

static void test_rsa1_known(void)
{
	size_t len;
	const uint8_t *blob = hex(RFC_RSA1, &len);
	struct ct_buf out;
	EVP_PKEY *k = NULL;
	char kid[CT_KID_BUFSIZE];
	uint8_t *m;

	CHECK_INT(ct_rsa1_blob_import(blob, len, &k, NULL), 0);
	CHECK_INT(EVP_PKEY_get_bits(k), 2048);
	ct_buf_init(&out, 4096);
	CHECK_INT(ct_rsa1_blob_export(k, &out), 0);
	CHECK_MEM(out.data, out.len, blob, len);
	ct_buf_free(&out);
	CHECK_INT(ct_key_blob_kid(blob, len, kid), 0);
	CHECK_STR(kid, RFC_RSA1_KID);
	EVP_PKEY_free(k);

	blob_refused(blob, 3, CT_ERR_TRUNCATED);
	blob_refused(blob, 20, CT_ERR_TRUNCATED);
	blob_refused(blob, len - 1, CT_ERR_TRUNCATED);
	m = ct_arena_alloc(arena, len + 1);
	memcpy(m, blob, len);
	blob_refused(m, len + 1, CT_ERR_TRAILING);
	mutate(blob, len, 3, '2', CT_ERR_BAD_VALUE);		/* "RSA2" */
	mutate_le32(blob, len, 16, 1, CT_ERR_BAD_VALUE);	/* cbPrime1 */
	mutate_le32(blob, len, 20, 1, CT_ERR_BAD_VALUE);	/* cbPrime2 */
	/* BitLength must be the modulus' bit count, in range. */
	mutate_le32(blob, len, 4, 2049, CT_ERR_BAD_VALUE);
	mutate(blob, len, 27, 0x71, CT_ERR_BAD_VALUE);		/* 2047-bit n */
	mutate_le32(blob, len, 4, 2047, CT_ERR_BAD_KEY);
	mutate_le32(blob, len, 4, 1024, CT_ERR_BAD_KEY);
	mutate_le32(blob, len, 4, 4104, CT_ERR_BAD_KEY);
	mutate_le32(blob, len, 4, 0xffffffff, CT_ERR_BAD_KEY);
	mutate_le32(blob, len, 12, 257, CT_ERR_BAD_VALUE);	/* cbModulus */
	mutate_le32(blob, len, 12, 0xffffffff, CT_ERR_BAD_VALUE);
	mutate_le32(blob, len, 8, 5, CT_ERR_BAD_VALUE);	/* cbPublicExp */
	mutate_le32(blob, len, 8, 0, CT_ERR_BAD_VALUE);
	mutate(blob, len, 26, 0x00, CT_ERR_BAD_KEY);		/* e = 65536 */
	mutate(blob, len, 24, 0x00, CT_ERR_BAD_VALUE);		/* 00 00 01 */
	mutate(blob, len, 27, 0x00, CT_ERR_BAD_VALUE);		/* 00 f8 ... */
	mutate(blob, len, len - 1, 0xa0, CT_ERR_BAD_KEY);	/* even n */
}

/* A blob for the RFC key with another exponent. */
static void rsa1_exponent(const char *ehex, int want)
{
	size_t len, elen;
	const uint8_t *blob = hex(RFC_RSA1, &len), *e = hex(ehex, &elen);
	size_t nlen = 256, total = 24 + elen + nlen;
	uint8_t *m = ct_arena_alloc(arena, total);
	EVP_PKEY *k = NULL;

	memcpy(m, blob, 24);
	m[8] = (uint8_t)elen;
	memcpy(m + 24, e, elen);
	memcpy(m + 24 + elen, blob + 27, nlen);
	if (want != 0) {
		blob_refused(m, total, want);
		return;
	}
	CHECK_INT(ct_rsa1_blob_import(m, total, &k, NULL), 0);
	EVP_PKEY_free(k);
}

static void test_rsa1_exponents(void)
{
	rsa1_exponent("03", 0);
	rsa1_exponent("7fffffff", 0);
	rsa1_exponent("01", CT_ERR_BAD_KEY);
	rsa1_exponent("80000001", CT_ERR_BAD_KEY);
	rsa1_exponent("0100", CT_ERR_BAD_KEY); /* even */
	rsa1_exponent("0003", CT_ERR_BAD_VALUE); /* not minimal */
}

static void spki_refused(EVP_PKEY *key, int want)
{
	unsigned char *der = NULL;
	int n = i2d_PUBKEY(key, &der);
	EVP_PKEY *back = NULL;

	CHECK(n > 0);
	CHECK_ERR(ct_spki_import(der, (size_t)n, &back, NULL), want);
	CHECK(back == NULL);
	OPENSSL_free(der);
}

static void test_rsa1_roundtrip(void)
{
	EVP_PKEY *k = EVP_RSA_gen(3072), *back = NULL, *small = EVP_RSA_gen(1024);
	struct ct_buf b, s;

	ct_buf_init(&b, 4096);
	CHECK_INT(ct_rsa1_blob_export(k, &b), 0);
	CHECK_INT(b.len, 24 + 3 + 384);
	CHECK_INT(ct_key_blob_import(b.data, b.len, &back, NULL), 0);
	CHECK(back != NULL && EVP_PKEY_eq(k, back) == 1);
	EVP_PKEY_free(back);
	/* SPKI of the same key. */
	ct_buf_init(&s, CT_SPKI_MAX);
	CHECK_INT(ct_spki_export(k, &s), 0);
	back = NULL;
	CHECK_INT(ct_spki_import(s.data, s.len, &back, NULL), 0);
	CHECK(back != NULL && EVP_PKEY_eq(k, back) == 1);
	EVP_PKEY_free(back);
	ct_buf_free(&s);
	ct_buf_free(&b);
	/* What we refuse to read we refuse to write. */
	ct_buf_init(&b, 4096);
	CHECK_ERR(ct_rsa1_blob_export(small, &b), CT_ERR_BAD_KEY);
	CHECK_ERR(ct_ecs1_blob_export(k, &b), CT_ERR_BAD_KEY);
	CHECK_ERR(ct_spki_export(small, &b), CT_ERR_BAD_KEY);
	CHECK_INT(b.len, 0);
	ct_buf_free(&b);
	spki_refused(small, CT_ERR_BAD_KEY);
	EVP_PKEY_free(small);
	EVP_PKEY_free(k);
}

static void test_ecs1(void)
{
	size_t len;
	const uint8_t *blob = hex(RFC_ECS1, &len);
	EVP_PKEY *k = NULL, *gen = EVP_EC_gen("P-256"), *back = NULL;
	struct ct_buf out;
	char kid[CT_KID_BUFSIZE];
	uint8_t *m;

	CHECK_INT(ct_key_blob_import(blob, len, &k, NULL), 0);
	ct_buf_init(&out, 256);
	CHECK_INT(ct_ecs1_blob_export(k, &out), 0);
	CHECK_MEM(out.data, out.len, blob, len);
	CHECK_ERR(ct_rsa1_blob_export(k, &out), CT_ERR_BAD_KEY);
	ct_buf_free(&out);
	CHECK_INT(ct_key_blob_kid(blob, len, kid), 0);
	CHECK_STR(kid, RFC_ECS1_KID);
	EVP_PKEY_free(k);
	/* A fresh key whose X or Y may start with zero bytes. */
	ct_buf_init(&out, 256);
	CHECK_INT(ct_ecs1_blob_export(gen, &out), 0);
	CHECK_INT(out.len, 72);
	CHECK_INT(ct_ecs1_blob_import(out.data, out.len, &back, NULL), 0);
	CHECK(back != NULL && EVP_PKEY_eq(gen, back) == 1);
	EVP_PKEY_free(back);
	ct_buf_free(&out);
	EVP_PKEY_free(gen);

	mutate(blob, len, len - 1, blob[len - 1] ^ 1, CT_ERR_BAD_KEY); /* off curve */
	mutate(blob, len, 4, 48, CT_ERR_BAD_VALUE);
	mutate(blob, len, 3, '3', CT_ERR_BAD_VALUE); /* ECS3 (P-384) */
	blob_refused(blob, len - 1, CT_ERR_TRUNCATED);
	blob_refused(blob, 6, CT_ERR_TRUNCATED);
	m = ct_arena_alloc(arena, len + 1);
	memcpy(m, blob, len);
	blob_refused(m, len + 1, CT_ERR_TRAILING);
	blob_refused((const uint8_t *)"", 0, CT_ERR_TRUNCATED);
	/* X = Y = 0 is not a point on P-256. */
	m = ct_arena_alloc(arena, len);
	memcpy(m, blob, 8);
	blob_refused(m, len, CT_ERR_BAD_KEY);
}

static void test_spki(void)
{
	EVP_PKEY *ec = EVP_EC_gen("P-256"), *p384 = EVP_EC_gen("P-384");
	EVP_PKEY *ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519"), *back = NULL;
	struct ct_buf b;
	uint8_t *m;

	ct_buf_init(&b, CT_SPKI_MAX + 8);
	CHECK_INT(ct_spki_export(ec, &b), 0);
	CHECK_INT(b.len, 91);
	CHECK_INT(ct_spki_import(b.data, b.len, &back, NULL), 0);
	CHECK(back != NULL && EVP_PKEY_eq(ec, back) == 1);
	EVP_PKEY_free(back);
	back = NULL;
	/* Trailing byte; the outer length in long form (not DER). */
	m = ct_arena_alloc(arena, b.len + 1);
	memcpy(m, b.data, b.len);
	CHECK_ERR(ct_spki_import(m, b.len + 1, &back, NULL), CT_ERR_TRAILING);
	m[0] = 0x30;
	m[1] = 0x81;
	memcpy(m + 2, b.data + 1, b.len - 1);
	CHECK_ERR(ct_spki_import(m, b.len + 1, &back, NULL), CT_ERR_BAD_VALUE);
	CHECK_ERR(ct_spki_import(b.data, b.len - 1, &back, NULL),
		  CT_ERR_BAD_VALUE);
	CHECK_ERR(ct_spki_import((const uint8_t *)"\x30\x00", 2, &back, NULL),
		  CT_ERR_BAD_VALUE);
	m = ct_arena_alloc(arena, CT_SPKI_MAX + 1);
	CHECK_ERR(ct_spki_import(m, CT_SPKI_MAX + 1, &back, NULL),
		  CT_ERR_TOO_LARGE);
	CHECK(back == NULL);
	spki_refused(p384, CT_ERR_BAD_KEY);
	spki_refused(ed, CT_ERR_BAD_KEY);
	ct_buf_free(&b);
	EVP_PKEY_free(ed);
	EVP_PKEY_free(p384);
	EVP_PKEY_free(ec);
}

int main(void)
{
	arena = ct_arena_new();
	test_b64_vectors();
	test_b64_strict();
	test_b64_roundtrip();
	test_json_parse();
	test_json_getters();
	test_json_lenient();
	test_json_obj_lenient();
	test_kdf();
	test_rsa1_known();
	test_rsa1_exponents();
	test_rsa1_roundtrip();
	test_ecs1();
	test_spki();
	ct_arena_free(arena);
	return tap_done();
}
