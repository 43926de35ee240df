/* SPDX-License-Identifier: Apache-2.0 */
/*
 * JWS and JWE: the published examples of RFC 7515 (A.2 RS256, A.3 ES256),
 * RFC 7516 (A.1 RSA-OAEP + A256GCM) and RFC 7520 (4.1 RS256, 4.3 ES512,
 * 4.4 HS256, 5.2 RSA-OAEP + A256GCM with a 4096-bit key, 5.6 dir +
 * A128GCM) from tests/data/jose/rfc-vectors.json; byte-identical signing
 * of the deterministic ones; round trips; algorithm confusion; tampering
 * with every part; and the refusals of the parsers.
 */
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "ct-error.h"
#include "ct-limits.h"
#include "jwe.h"
#include "jws.h"
#include "kdf.h"
#include "keyblob.h"
#include "strict-json.h"
#include "tap.h"

static struct ct_arena *arena;
static json_t *vectors;
static EVP_PKEY *rsa2048, *rsa2048b, *rsa1024, *p256;

#define ALL_JWS (CT_JOSE_RS256 | CT_JOSE_ES256 | CT_JOSE_HS256)
#define ALL_RSA_JWE (CT_JOSE_RSA_OAEP | CT_JOSE_RSA_OAEP_256)

/* ---- helpers ---- */

static const char *vec(const char *name, const char *field)
{
	const char *s = NULL;

	if (ct_json_get_str(json_object_get(vectors, name), field, &s, NULL))
		abort();
	return s;
}

static const json_t *vec_key(const char *name)
{
	return json_object_get(json_object_get(vectors, name), "key");
}

static const uint8_t *b64u(const char *s, size_t *len)
{
	uint8_t *p;

	if (ct_b64url_decode_arena(arena, s, strlen(s), &p, len) != 0)
		abort();
	return p;
}

static const char *jwk_str(const json_t *jwk, const char *name)
{
	const char *s;

	if (ct_json_get_str(jwk, name, &s, NULL) != 0)
		abort();
	return s;
}

static BIGNUM *jwk_bn(const json_t *jwk, const char *name)
{
	const char *s;
	size_t len;
	const uint8_t *p;

	if (ct_json_get_str(jwk, name, &s, NULL) != 0)
		return NULL;
	p = b64u(s, &len);
	return BN_bin2bn(p, (int)len, NULL);
}

/* An EVP_PKEY from an RSA or P-256 JWK (private when "d" is there). */
static EVP_PKEY *jwk_key(const json_t *jwk)
{
	static const char *const rsa[][2] = {
		{"n", OSSL_PKEY_PARAM_RSA_N},
		{"e", OSSL_PKEY_PARAM_RSA_E},
		{"d", OSSL_PKEY_PARAM_RSA_D},
		{"p", OSSL_PKEY_PARAM_RSA_FACTOR1},
		{"q", OSSL_PKEY_PARAM_RSA_FACTOR2},
		{"dp", OSSL_PKEY_PARAM_RSA_EXPONENT1},
		{"dq", OSSL_PKEY_PARAM_RSA_EXPONENT2},
		{"qi", OSSL_PKEY_PARAM_RSA_COEFFICIENT1},
	};
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	BIGNUM *bns[8] = {0};
	const char *kty = jwk_str(jwk, "kty");
	bool ec = strcmp(kty, "EC") == 0;
	uint8_t point[65];
	EVP_PKEY_CTX *c;
	OSSL_PARAM *params;
	EVP_PKEY *k = NULL;
	size_t i, xl, yl;

	if (ec) {
		const uint8_t *x = b64u(jwk_str(jwk, "x"), &xl);
		const uint8_t *y = b64u(jwk_str(jwk, "y"), &yl);

		point[0] = 4;
		memcpy(point + 1, x, 32);
		memcpy(point + 33, y, 32);
		OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
						"prime256v1", 0);
		OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY,
						 point, sizeof(point));
		bns[0] = jwk_bn(jwk, "d");
		if (bns[0] != NULL)
			OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY,
					       bns[0]);
	} else {
		for (i = 0; i < 8; i++) {
			bns[i] = jwk_bn(jwk, rsa[i][0]);
			if (bns[i] != NULL)
				OSSL_PARAM_BLD_push_BN(bld, rsa[i][1], bns[i]);
		}
	}
	params = OSSL_PARAM_BLD_to_param(bld);
	c = EVP_PKEY_CTX_new_from_name(NULL, ec ? "EC" : "RSA", NULL);
	if (EVP_PKEY_fromdata_init(c) != 1 ||
	    EVP_PKEY_fromdata(c, &k, json_object_get(jwk, "d") ?
				       EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY,
			      params) != 1)
		abort();
	EVP_PKEY_CTX_free(c);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	for (i = 0; i < 8; i++)
		BN_free(bns[i]);
	return k;
}

/* The public half of a key, as a verifier would hold it. */
static EVP_PKEY *public_only(EVP_PKEY *k)
{
	unsigned char *der = NULL;
	const unsigned char *p;
	int n = i2d_PUBKEY(k, &der);
	EVP_PKEY *pub;

	p = der;
	pub = d2i_PUBKEY(NULL, &p, n);
	OPENSSL_free(der);
	return pub;
}

/* base64url(hdr) "." base64url(payload) "." base64url(sig), in the arena. */
static char *compact3(const char *hdr, const void *payload, size_t plen,
		      const void *sig, size_t siglen)
{
	struct ct_buf b;
	char *s;

	ct_buf_init(&b, CT_JOSE_MAX_COMPACT * 2);
	ct_b64url_encode(&b, hdr, strlen(hdr));
	ct_buf_put_u8(&b, '.');
	ct_b64url_encode(&b, payload, plen);
	ct_buf_put_u8(&b, '.');
	ct_b64url_encode(&b, sig, siglen);
	s = ct_arena_memdup(arena, b.data, b.len, 1);
	ct_buf_free(&b);
	return s;
}

/* Parses and verifies; returns the first error (0 when it verifies). */
static int verify(const char *compact, unsigned allowed, EVP_PKEY *key)
{
	struct ct_errinfo ei = {0};
	struct ct_jws *jws = NULL;
	int r;

	r = ct_jws_parse(compact, strlen(compact), &jws, &ei);
	if (r == 0)
		r = ct_jws_verify(jws, allowed, key, &ei);
	ct_jws_free(jws);
	return r;
}

static int verify_hmac(const char *compact, const uint8_t *key, size_t len)
{
	struct ct_jws *jws = NULL;
	int r;

	r = ct_jws_parse(compact, strlen(compact), &jws, NULL);
	if (r == 0)
		r = ct_jws_verify_hmac(jws, key, len, NULL);
	ct_jws_free(jws);
	return r;
}

/* A copy of compact with part idx replaced by repl. */
static char *replace_part(const char *compact, int idx, const char *repl)
{
	struct ct_buf b;
	const char *p = compact, *dot;
	char *s;
	int i;

	ct_buf_init(&b, CT_JOSE_MAX_COMPACT * 2);
	for (i = 0;; i++) {
		dot = strchr(p, '.');
		if (i > 0)
			ct_buf_put_u8(&b, '.');
		if (i == idx)
			ct_buf_put(&b, repl, strlen(repl));
		else
			ct_buf_put(&b, p, dot ? (size_t)(dot - p) : strlen(p));
		if (dot == NULL)
			break;
		p = dot + 1;
	}
	s = ct_arena_memdup(arena, b.data, b.len, 1);
	ct_buf_free(&b);
	return s;
}

/* Moves a malloc'd result into the arena (so checks can go on using it). */
static char *own(char **t)
{
	char *u = ct_arena_strdup(arena, *t != NULL ? *t : "");

	free(*t);
	*t = NULL;
	return u;
}

/* base64url of a string, in the arena. */
static char *enc(const void *p, size_t n)
{
	char *s;

	if (ct_b64url_encode_arena(arena, p, n, &s) != 0)
		abort();
	return s;
}

static char *encs(const char *s)
{
	return enc(s, strlen(s));
}

/* A copy of compact whose part idx has one bit flipped after decoding. */
static char *flip_part(const char *compact, int idx)
{
	const char *p = compact, *dot;
	uint8_t *raw;
	size_t len;
	char *part;
	int i;

	for (i = 0; i < idx; i++)
		p = strchr(p, '.') + 1;
	dot = strchr(p, '.');
	len = dot ? (size_t)(dot - p) : strlen(p);
	part = ct_arena_memdup(arena, p, len, 1);
	raw = (uint8_t *)b64u(part, &len);
	raw[len / 2] ^= 0x01;
	return replace_part(compact, idx, enc(raw, len));
}

/*
 * A copy of compact whose header has a space after its '{': still the same
 * JSON, but other bytes, so the signature or the AAD no longer match.
 */
static char *pad_header(const char *compact)
{
	size_t len;
	const char *dot = strchr(compact, '.');
	char *part = ct_arena_memdup(arena, compact, (size_t)(dot - compact), 1);
	const uint8_t *raw = b64u(part, &len);
	char *padded = ct_arena_alloc(arena, len + 2);

	padded[0] = '{';
	padded[1] = ' ';
	memcpy(padded + 2, raw + 1, len - 1);
	return replace_part(compact, 0, encs(padded));
}

/* ---- JWS ---- */

static void test_jws_rfc(void)
{
	EVP_PKEY *a2 = jwk_key(vec_key("rfc7515_a2"));
	EVP_PKEY *a3 = jwk_key(vec_key("rfc7515_a3"));
	EVP_PKEY *bilbo = jwk_key(vec_key("rfc7520_4_1"));
	EVP_PKEY *a2pub = public_only(a2), *a3pub = public_only(a3);
	const json_t *hkey = vec_key("rfc7520_4_4");
	size_t klen, plen;
	const uint8_t *k = b64u(json_string_value(json_object_get(hkey, "k")),
				&klen);
	const uint8_t *payload = b64u(vec("rfc7520_4_1", "payload"), &plen);
	struct ct_jws *jws = NULL;
	json_t *hdr;
	char *out = NULL;
	size_t want_len;
	const uint8_t *want;

	/* RFC 7515 A.2: RS256. */
	CHECK_INT(ct_jws_parse(vec("rfc7515_a2", "jws"),
			       strlen(vec("rfc7515_a2", "jws")), &jws, NULL), 0);
	CHECK_INT(jws->alg, CT_JOSE_RS256);
	want = b64u(vec("rfc7515_a2", "payload"), &want_len);
	CHECK_MEM(jws->payload.data, jws->payload.len, want, want_len);
	CHECK_MEM(jws->header_json.data, jws->header_json.len,
		  "{\"alg\":\"RS256\"}", 15);
	CHECK(jws->kid == NULL && jws->x5c_count == 0);
	CHECK_INT(ct_jws_verify(jws, CT_JOSE_RS256, a2pub, NULL), 0);
	CHECK_ERR(ct_jws_verify(jws, CT_JOSE_ES256, a2pub, NULL),
		  CT_ERR_UNSUPPORTED_ALG);
	ct_jws_free(jws);
	/* RFC 7515 A.3: ES256. */
	CHECK_INT(verify(vec("rfc7515_a3", "jws"), CT_JOSE_ES256, a3pub), 0);
	CHECK_INT(verify(vec("rfc7515_a3", "jws"), ALL_JWS, a3), 0);
	/* RFC 7520 4.1: verifies, and our signer writes the same bytes. */
	CHECK_INT(verify(vec("rfc7520_4_1", "jws"), CT_JOSE_RS256, bilbo), 0);
	hdr = json_pack("{ss}", "kid", "bilbo.baggins@hobbiton.example");
	CHECK_INT(ct_jws_sign(CT_JOSE_RS256, hdr, payload, plen, bilbo, &out,
			      NULL), 0);
	CHECK_STR(out, vec("rfc7520_4_1", "jws"));
	free(out);
	json_decref(hdr);
	/* RFC 7520 4.4: HS256, also byte for byte. */
	CHECK_INT(verify_hmac(vec("rfc7520_4_4", "jws"), k, klen), 0);
	hdr = json_pack("{ss}", "kid", "018c0ae5-4d9b-471b-bfd6-eef314bc7037");
	out = NULL;
	CHECK_INT(ct_jws_sign_hmac(hdr, payload, plen, k, klen, &out, NULL), 0);
	CHECK_STR(out, vec("rfc7520_4_4", "jws"));
	free(out);
	json_decref(hdr);
	/* RFC 7520 4.3: ES512 parses but is never accepted. */
	jws = NULL;
	CHECK_INT(ct_jws_parse(vec("rfc7520_4_3", "jws"),
			       strlen(vec("rfc7520_4_3", "jws")), &jws, NULL), 0);
	CHECK_INT(jws->alg, CT_JOSE_ALG_UNKNOWN);
	CHECK_STR(jws->alg_name, "ES512");
	CHECK_STR(jws->kid, "bilbo.baggins@hobbiton.example");
	CHECK_ERR(ct_jws_verify(jws, ALL_JWS, p256, NULL),
		  CT_ERR_UNSUPPORTED_ALG);
	ct_jws_free(jws);
	EVP_PKEY_free(a2pub);
	EVP_PKEY_free(a3pub);
	EVP_PKEY_free(a2);
	EVP_PKEY_free(a3);
	EVP_PKEY_free(bilbo);
}

/* Signs with our signer, checks it verifies, then tampers with each part. */
static void roundtrip_and_tamper(enum ct_jose_alg alg, EVP_PKEY *key,
				 const uint8_t *secret, size_t slen)
{
	static const char payload[] = "{\"iss\":\"user@corp.example.test\"}";
	json_t *hdr = json_pack("{ss}", "typ", "JWT");
	char *out = NULL, *t;
	int r, want;

	if (alg == CT_JOSE_HS256)
		r = ct_jws_sign_hmac(hdr, payload, strlen(payload), secret, slen,
				     &out, NULL);
	else
		r = ct_jws_sign(alg, hdr, payload, strlen(payload), key, &out,
				NULL);
	CHECK_INT(r, 0);
	json_decref(hdr);
	if (out == NULL)
		return;
	t = own(&out);
#define V(c) (alg == CT_JOSE_HS256 ? verify_hmac(c, secret, slen) : \
				    verify(c, alg, key))
	CHECK_INT(V(t), 0);
	/* Another header (one claiming RS256), payload or signature. */
	want = alg == CT_JOSE_RS256 ? CT_ERR_SIGNATURE : CT_ERR_UNSUPPORTED_ALG;
	CHECK_ERR(V(replace_part(t, 0, encs("{\"alg\":\"RS256\"}"))), want);
	CHECK_ERR(V(pad_header(t)), CT_ERR_SIGNATURE);
	CHECK_ERR(V(flip_part(t, 1)), CT_ERR_SIGNATURE);
	CHECK_ERR(V(flip_part(t, 2)), CT_ERR_SIGNATURE);
	CHECK_ERR(V(replace_part(t, 1, "")), CT_ERR_SIGNATURE);
	CHECK_ERR(V(replace_part(t, 2, "")), CT_ERR_SIGNATURE);
	CHECK_ERR(V(replace_part(t, 2, "AAAA")), CT_ERR_SIGNATURE);
#undef V
}

static void test_jws_roundtrip(void)
{
	static const uint8_t secret[32] = "0123456789abcdef0123456789abcdef";
	uint8_t zero_r[64] = {0};
	const char *es;
	char *t;

	roundtrip_and_tamper(CT_JOSE_RS256, rsa2048, NULL, 0);
	roundtrip_and_tamper(CT_JOSE_ES256, p256, NULL, 0);
	roundtrip_and_tamper(CT_JOSE_HS256, NULL, secret, sizeof(secret));
	/* An ES256 signature with r = 0 (never valid). */
	es = vec("rfc7515_a3", "jws");
	memset(zero_r + 32, 0x11, 32);
	t = replace_part(es, 2, enc(zero_r, 64));
	CHECK_ERR(verify(t, CT_JOSE_ES256, p256), CT_ERR_SIGNATURE);
}

/* A JWS signed outside our signer (which refuses weak keys). */
static char *sign_raw(EVP_PKEY *key, const char *hdr, const char *payload)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	char *input = compact3(hdr, payload, strlen(payload), "", 0);
	uint8_t sig[512];
	size_t siglen = sizeof(sig);

	input[strlen(input) - 1] = '\0'; /* drop the final '.' */
	if (EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key) != 1 ||
	    EVP_DigestSign(md, sig, &siglen, (uint8_t *)input,
			   strlen(input)) != 1)
		abort();
	EVP_MD_CTX_free(md);
	return compact3(hdr, payload, strlen(payload), sig, siglen);
}

static void test_jws_confusion(void)
{
	static const uint8_t secret[32] = "0123456789abcdef0123456789abcdef";
	unsigned char *der = NULL;
	int derlen = i2d_PUBKEY(rsa2048, &der);
	char *t = NULL;
	json_t *hdr;

	/* HS256 keyed with the RSA public key: the classic confusion. */
	CHECK_INT(ct_jws_sign_hmac(NULL, "{}", 2, der, (size_t)derlen, &t,
				   NULL), 0);
	CHECK_ERR(verify(t, ALL_JWS, rsa2048), CT_ERR_UNSUPPORTED_ALG);
	CHECK_ERR(verify(t, CT_JOSE_RS256, rsa2048), CT_ERR_UNSUPPORTED_ALG);
	CHECK_INT(verify_hmac(t, der, (size_t)derlen), 0);
	free(t);
	OPENSSL_free(der);
	/* "none", in any spelling, with or without a signature. */
	t = compact3("{\"alg\":\"none\"}", "{}", 2, "", 0);
	CHECK_ERR(verify(t, ALL_JWS, rsa2048), CT_ERR_UNSUPPORTED_ALG);
	CHECK_ERR(verify(t, ~0u, p256), CT_ERR_UNSUPPORTED_ALG);
	CHECK_ERR(verify_hmac(t, secret, 32), CT_ERR_UNSUPPORTED_ALG);
	t = compact3("{\"alg\":\"None\"}", "{}", 2, "x", 1);
	CHECK_ERR(verify(t, ~0u, rsa2048), CT_ERR_UNSUPPORTED_ALG);
	t = compact3("{\"alg\":\"rs256\"}", "{}", 2, "x", 1);
	CHECK_ERR(verify(t, ~0u, rsa2048), CT_ERR_UNSUPPORTED_ALG);
	/* A JWE alg in a JWS header. */
	t = compact3("{\"alg\":\"dir\"}", "{}", 2, "x", 1);
	CHECK_ERR(verify(t, ~0u, rsa2048), CT_ERR_UNSUPPORTED_ALG);
	/* ES256 header, RSA key; RS256 header, EC key. */
	t = compact3("{\"alg\":\"ES256\"}", "{}", 2, "x", 1);
	CHECK_ERR(verify(t, ALL_JWS, rsa2048), CT_ERR_BAD_KEY);
	t = sign_raw(rsa2048, "{\"alg\":\"RS256\"}", "{}");
	CHECK_INT(verify(t, CT_JOSE_RS256, rsa2048), 0);
	CHECK_ERR(verify(t, ALL_JWS, p256), CT_ERR_BAD_KEY);
	CHECK_ERR(verify_hmac(t, secret, 32), CT_ERR_UNSUPPORTED_ALG);
	/* RS256 with a 1024-bit key: correct signature, refused key. */
	t = sign_raw(rsa1024, "{\"alg\":\"RS256\"}", "{}");
	CHECK_ERR(verify(t, CT_JOSE_RS256, rsa1024), CT_ERR_BAD_KEY);
	t = NULL;
	CHECK_ERR(ct_jws_sign(CT_JOSE_RS256, NULL, "{}", 2, rsa1024, &t, NULL),
		  CT_ERR_BAD_KEY);
	CHECK_ERR(ct_jws_sign(CT_JOSE_ES256, NULL, "{}", 2, rsa2048, &t, NULL),
		  CT_ERR_BAD_KEY);
	CHECK_ERR(ct_jws_sign(CT_JOSE_HS256, NULL, "{}", 2, rsa2048, &t, NULL),
		  CT_ERR_UNSUPPORTED_ALG);
	CHECK_ERR(ct_jws_sign_hmac(NULL, "{}", 2, secret, 31, &t, NULL),
		  CT_ERR_BAD_KEY);
	CHECK(t == NULL);
	/* The header's "alg" is ours to set. */
	hdr = json_pack("{ss}", "alg", "none");
	CHECK_ERR(ct_jws_sign(CT_JOSE_RS256, hdr, "{}", 2, rsa2048, &t, NULL),
		  CT_ERR_INVALID_ARG);
	json_decref(hdr);
	/* HS256 with a short secret is refused when verifying too. */
	CHECK_INT(ct_jws_sign_hmac(NULL, "{}", 2, secret, 32, &t, NULL), 0);
	CHECK_ERR(verify_hmac(t, secret, 16), CT_ERR_BAD_KEY);
	free(t);
}

static int parse_err(const char *compact)
{
	struct ct_errinfo ei = {0};
	struct ct_jws *jws = (struct ct_jws *)1;
	int r = ct_jws_parse(compact, strlen(compact), &jws, &ei);

	CHECK(jws == NULL || r == 0);
	if (r == 0)
		ct_jws_free(jws);
	return r;
}

static void test_jws_parse(void)
{
	static const char *const certs[] = {"MIIBAQ==", "MAA="};
	json_t *hdr = json_pack("{sssss[ss]}", "kid", "DlqfLInMQc/u95yU",
				"use", "ngc", "x5c", certs[0], certs[1]);
	struct ct_jws *jws = NULL;
	char *t = NULL, *big;
	size_t i;

	/* Header members handed to callers. */
	CHECK_INT(ct_jws_sign(CT_JOSE_ES256, hdr, "{\"a\":1}", 7, p256, &t,
			      NULL), 0);
	json_decref(hdr);
	CHECK_INT(ct_jws_parse(t, strlen(t), &jws, NULL), 0);
	CHECK_STR(jws->kid, "DlqfLInMQc/u95yU");
	CHECK_STR(jws->use, "ngc");
	CHECK(jws->typ == NULL);
	CHECK_INT(jws->x5c_count, 2);
	CHECK_MEM(jws->x5c[0].data, jws->x5c[0].len, "\x30\x82\x01\x01", 4);
	CHECK_MEM(jws->x5c[1].data, jws->x5c[1].len, "\x30\x00", 2);
	CHECK_INT(jws->signing_input.len, (size_t)(strrchr(t, '.') - t));
	CHECK_MEM(jws->signing_input.data, jws->signing_input.len, t,
		  (size_t)(strrchr(t, '.') - t));
	CHECK_INT(ct_jws_verify(jws, CT_JOSE_ES256, p256, NULL), 0);
	ct_jws_free(jws);
	free(t);

	CHECK_ERR(parse_err("eyJhbGciOiJSUzI1NiJ9.e30"), CT_ERR_BAD_JOSE);
	CHECK_ERR(parse_err("eyJhbGciOiJSUzI1NiJ9.e30.AA.AA"), CT_ERR_BAD_JOSE);
	CHECK_ERR(parse_err(""), CT_ERR_BAD_JOSE);
	CHECK_ERR(parse_err("eyJhbGciOiJSUzI1NiJ9.e30=.AA"), CT_ERR_BAD_BASE64);
	CHECK_ERR(parse_err("eyJhbGciOiJSUzI1NiJ9.e30.A+"), CT_ERR_BAD_BASE64);
	CHECK_ERR(parse_err(compact3("{\"alg\":", "{}", 2, "x", 1)),
		  CT_ERR_BAD_JSON);
	CHECK_ERR(parse_err(compact3("[\"RS256\"]", "{}", 2, "x", 1)),
		  CT_ERR_JSON_TYPE);
	CHECK_ERR(parse_err(compact3("{\"typ\":\"JWT\"}", "{}", 2, "x", 1)),
		  CT_ERR_MISSING_FIELD);
	CHECK_ERR(parse_err(compact3("{\"alg\":256}", "{}", 2, "x", 1)),
		  CT_ERR_JSON_TYPE);
	CHECK_ERR(parse_err(compact3("{\"alg\":\"RS256\",\"alg\":\"none\"}",
				     "{}", 2, "x", 1)), CT_ERR_BAD_JSON);
	CHECK_ERR(parse_err(compact3("{\"alg\":\"RS256\",\"crit\":[\"b64\"],"
				     "\"b64\":false}", "{}", 2, "x", 1)),
		  CT_ERR_UNSUPPORTED_ALG);
	CHECK_ERR(parse_err(compact3("{\"alg\":\"RS256\",\"kid\":7}", "{}", 2,
				     "x", 1)), CT_ERR_JSON_TYPE);
	CHECK_ERR(parse_err(compact3("{\"alg\":\"RS256\",\"x5c\":\"MAA=\"}",
				     "{}", 2, "x", 1)), CT_ERR_JSON_TYPE);
	CHECK_ERR(parse_err(compact3("{\"alg\":\"RS256\",\"x5c\":[1]}", "{}", 2,
				     "x", 1)), CT_ERR_JSON_TYPE);
	CHECK_ERR(parse_err(compact3("{\"alg\":\"RS256\",\"x5c\":[]}", "{}", 2,
				     "x", 1)), CT_ERR_BAD_JOSE);
	CHECK_ERR(parse_err(compact3("{\"alg\":\"RS256\",\"x5c\":[\"MA\"]}",
				     "{}", 2, "x", 1)), CT_ERR_BAD_BASE64);
	CHECK_ERR(parse_err(compact3("{\"alg\":\"RS256\",\"x5c\":[\"M-A=\"]}",
				     "{}", 2, "x", 1)), CT_ERR_BAD_BASE64);
	CHECK_ERR(parse_err(compact3("{\"alg\":\"RS256\",\"x5c\":[\"MAA=\","
				     "\"MAA=\",\"MAA=\",\"MAA=\",\"MAA=\","
				     "\"MAA=\",\"MAA=\",\"MAA=\",\"MAA=\"]}",
				     "{}", 2, "x", 1)), CT_ERR_TOO_LARGE);
	/* Size limits: whole object, signature. */
	big = ct_arena_alloc(arena, CT_JOSE_MAX_COMPACT + 2);
	memset(big, 'A', CT_JOSE_MAX_COMPACT + 1);
	big[20] = big[40] = '.';
	CHECK_ERR(parse_err(big), CT_ERR_TOO_LARGE);
	big = ct_arena_alloc(arena, CT_JOSE_MAX_SIG + 1);
	for (i = 0; i < CT_JOSE_MAX_SIG + 1; i++)
		big[i] = 'x';
	CHECK_ERR(parse_err(compact3("{\"alg\":\"RS256\"}", "{}", 2, big,
				     CT_JOSE_MAX_SIG + 1)), CT_ERR_TOO_LARGE);
}

/* ---- JWE ---- */

/* Parses and decrypts with the function named by mode; plaintext in *out. */
enum dec_mode { DEC_RSA, DEC_DIR, DEC_SESSION };

static int decrypt(const char *compact, enum dec_mode mode, unsigned allowed,
		   EVP_PKEY *key, const uint8_t *secret, size_t slen,
		   struct ct_buf *plain)
{
	struct ct_errinfo ei = {0};
	struct ct_jwe *jwe = NULL;
	int r;

	r = ct_jwe_parse(compact, strlen(compact), &jwe, &ei);
	if (r == 0 && mode == DEC_RSA)
		r = ct_jwe_decrypt_rsa(jwe, allowed, key, plain, &ei);
	else if (r == 0 && mode == DEC_DIR)
		r = ct_jwe_decrypt_dir(jwe, secret, slen, plain, &ei);
	else if (r == 0)
		r = ct_jwe_decrypt_session(jwe, secret, slen, plain, &ei);
	ct_jwe_free(jwe);
	return r;
}

static void rfc_jwe(const char *name, EVP_PKEY *key, const char *kid)
{
	size_t plen;
	const uint8_t *want = b64u(vec(name, "plaintext"), &plen);
	struct ct_jwe *jwe = NULL;
	struct ct_buf plain;

	ct_buf_init(&plain, CT_JOSE_MAX_PAYLOAD);
	CHECK_INT(ct_jwe_parse(vec(name, "jwe"), strlen(vec(name, "jwe")), &jwe,
			       NULL), 0);
	CHECK_INT(jwe->alg, CT_JOSE_RSA_OAEP);
	CHECK_STR(jwe->enc_name, "A256GCM");
	CHECK(kid == NULL ? jwe->kid == NULL : strcmp(jwe->kid, kid) == 0);
	CHECK_ERR(ct_jwe_decrypt_rsa(jwe, CT_JOSE_RSA_OAEP_256, key, &plain,
				     NULL), CT_ERR_UNSUPPORTED_ALG);
	CHECK_ERR(ct_jwe_decrypt_dir(jwe, (const uint8_t *)
				     "0123456789abcdef0123456789abcdef", 32,
				     &plain, NULL), CT_ERR_UNSUPPORTED_ALG);
	CHECK_INT(plain.len, 0);
	CHECK_INT(ct_jwe_decrypt_rsa(jwe, CT_JOSE_RSA_OAEP, key, &plain, NULL), 0);
	CHECK_MEM(plain.data, plain.len, want, plen);
	ct_buf_free(&plain);
	ct_jwe_free(jwe);
}

static void test_jwe_rfc(void)
{
	EVP_PKEY *a1 = jwk_key(vec_key("rfc7516_a1"));
	EVP_PKEY *sam = jwk_key(vec_key("rfc7520_5_2"));
	const json_t *k56 = vec_key("rfc7520_5_6");
	size_t klen;
	const uint8_t *k = b64u(json_string_value(json_object_get(k56, "k")),
				&klen);
	struct ct_buf plain;

	rfc_jwe("rfc7516_a1", a1, NULL);
	rfc_jwe("rfc7520_5_2", sam, "samwise.gamgee@hobbiton.example");
	/* RFC 7520 5.6 is dir with A128GCM: not an enc we accept. */
	ct_buf_init(&plain, CT_JOSE_MAX_PAYLOAD);
	CHECK_ERR(decrypt(vec("rfc7520_5_6", "jwe"), DEC_DIR, 0, NULL, k, klen,
			  &plain), CT_ERR_UNSUPPORTED_ALG);
	CHECK_INT(plain.len, 0);
	ct_buf_free(&plain);
	EVP_PKEY_free(a1);
	EVP_PKEY_free(sam);
}

/* Everything that must fail to decrypt t fails the same way. */
static void tamper_jwe(const char *t, enum dec_mode mode, unsigned allowed,
		       EVP_PKEY *key, const uint8_t *secret, size_t slen)
{
	struct ct_buf plain;

	ct_buf_init(&plain, CT_JOSE_MAX_PAYLOAD);
	CHECK_ERR(decrypt(flip_part(t, 3), mode, allowed, key, secret, slen,
			  &plain), CT_ERR_INTEGRITY);
	CHECK_ERR(decrypt(flip_part(t, 4), mode, allowed, key, secret, slen,
			  &plain), CT_ERR_INTEGRITY);
	CHECK_ERR(decrypt(flip_part(t, 2), mode, allowed, key, secret, slen,
			  &plain), CT_ERR_INTEGRITY);
	if (mode == DEC_RSA)
		CHECK_ERR(decrypt(flip_part(t, 1), mode, allowed, key, secret,
				  slen, &plain), CT_ERR_INTEGRITY);
	/* The header is the AAD: a header change is detected. */
	CHECK_ERR(decrypt(pad_header(t), mode, allowed, key, secret, slen,
			  &plain), CT_ERR_INTEGRITY);
	CHECK_ERR(decrypt(replace_part(t, 4, ""), mode, allowed, key, secret,
			  slen, &plain), CT_ERR_BAD_JOSE);
	CHECK_ERR(decrypt(replace_part(t, 2, "AAAAAAAAAAAAAAAAAAAAAA"), mode,
			  allowed, key, secret, slen, &plain), CT_ERR_BAD_JOSE);
	CHECK_INT(plain.len, 0);
	ct_buf_free(&plain);
}

static void test_jwe_rsa(void)
{
	static const char msg[] = "thirty-two bytes of session key!";
	enum ct_jose_alg algs[2] = {CT_JOSE_RSA_OAEP, CT_JOSE_RSA_OAEP_256};
	json_t *extra = json_pack("{ss}", "kid", "transport");
	EVP_PKEY *pub = public_only(rsa2048);
	struct ct_buf plain, small;
	struct ct_jwe *jwe = NULL;
	char *t = NULL, *u;
	int i;

	for (i = 0; i < 2; i++) {
		/* Encrypting needs only the public key. */
		CHECK_INT(ct_jwe_encrypt_rsa(algs[i], extra, msg, 32, pub, &t,
					     NULL), 0);
		u = own(&t);
		CHECK_INT(ct_jwe_parse(u, strlen(u), &jwe, NULL), 0);
		CHECK_INT(jwe->alg, algs[i]);
		CHECK_STR(jwe->kid, "transport");
		CHECK_INT(jwe->encrypted_key.len, 256);
		CHECK_INT(jwe->iv.len, 12);
		CHECK_INT(jwe->tag.len, 16);
		ct_jwe_free(jwe);
		jwe = NULL;
		ct_buf_init(&plain, CT_JOSE_MAX_PAYLOAD);
		CHECK_INT(decrypt(u, DEC_RSA, algs[i], rsa2048, NULL, 0, &plain),
			  0);
		CHECK_MEM(plain.data, plain.len, msg, 32);
		/* Only the allowed form, only the right key. */
		CHECK_ERR(decrypt(u, DEC_RSA, algs[1 - i], rsa2048, NULL, 0,
				  &plain), CT_ERR_UNSUPPORTED_ALG);
		CHECK_ERR(decrypt(u, DEC_RSA, ALL_RSA_JWE, rsa2048b, NULL, 0,
				  &plain), CT_ERR_INTEGRITY);
		CHECK_ERR(decrypt(u, DEC_RSA, ALL_RSA_JWE, p256, NULL, 0,
				  &plain), CT_ERR_BAD_KEY);
		CHECK_ERR(decrypt(u, DEC_RSA, ALL_RSA_JWE, pub, NULL, 0,
				  &plain), CT_ERR_BAD_KEY);
		CHECK_ERR(decrypt(u, DEC_DIR, 0, NULL,
				  (const uint8_t *)msg, 32, &plain),
			  CT_ERR_UNSUPPORTED_ALG);
		CHECK_INT(plain.len, 32);
		ct_buf_free(&plain);
		tamper_jwe(u, DEC_RSA, ALL_RSA_JWE, rsa2048, NULL, 0);
		/* A plaintext buffer too small is refused, and left as it was. */
		ct_buf_init(&small, 31);
		CHECK_ERR(decrypt(u, DEC_RSA, ALL_RSA_JWE, rsa2048, NULL, 0,
				  &small), CT_ERR_TOO_LARGE);
		CHECK_INT(small.len, 0);
		ct_buf_free(&small);
	}
	CHECK_ERR(ct_jwe_encrypt_rsa(CT_JOSE_DIR, NULL, msg, 32, rsa2048, &t,
				     NULL), CT_ERR_UNSUPPORTED_ALG);
	CHECK_ERR(ct_jwe_encrypt_rsa(CT_JOSE_RSA_OAEP, NULL, msg, 32, rsa1024,
				     &t, NULL), CT_ERR_BAD_KEY);
	json_decref(extra);
	extra = json_pack("{ss}", "enc", "A128GCM");
	CHECK_ERR(ct_jwe_encrypt_rsa(CT_JOSE_RSA_OAEP, extra, msg, 32, rsa2048,
				     &t, NULL), CT_ERR_INVALID_ARG);
	CHECK(t == NULL);
	json_decref(extra);
	EVP_PKEY_free(pub);
}

static void test_jwe_dir(void)
{
	static const uint8_t key[32] = "an AES-256 key of 32 bytes......";
	static const uint8_t other[32] = "another AES-256 key of 32 bytes.";
	json_t *extra = json_pack("{ss}", "ctx", "AAAA");
	struct ct_buf plain;
	char *t = NULL, *u;

	CHECK_INT(ct_jwe_encrypt_dir(extra, "", 0, key, 32, &t, NULL), 0);
	json_decref(extra);
	u = own(&t);
	CHECK(strstr(u, "..") != NULL); /* empty encrypted key */
	ct_buf_init(&plain, 64);
	CHECK_INT(decrypt(u, DEC_DIR, 0, NULL, key, 32, &plain), 0);
	CHECK_INT(plain.len, 0);
	CHECK_ERR(decrypt(u, DEC_DIR, 0, NULL, other, 32, &plain),
		  CT_ERR_INTEGRITY);
	CHECK_ERR(decrypt(u, DEC_DIR, 0, NULL, key, 16, &plain),
		  CT_ERR_BAD_KEY);
	CHECK_ERR(decrypt(u, DEC_RSA, ALL_RSA_JWE, rsa2048, NULL, 0, &plain),
		  CT_ERR_UNSUPPORTED_ALG);
	CHECK_ERR(decrypt(replace_part(u, 1, "AAAA"), DEC_DIR, 0, NULL, key,
			  32, &plain), CT_ERR_BAD_JOSE);
	ct_buf_free(&plain);
	CHECK_INT(ct_jwe_encrypt_dir(NULL, "secret", 6, key, 32, &t, NULL), 0);
	u = own(&t);
	tamper_jwe(u, DEC_DIR, 0, NULL, key, 32);
	CHECK_ERR(ct_jwe_encrypt_dir(NULL, "x", 1, key, 31, &t, NULL),
		  CT_ERR_BAD_KEY);
	CHECK(t == NULL);
	/* Parse refusals: zip, crit, no enc, four parts. */
	ct_buf_init(&plain, 64);
	CHECK_ERR(decrypt(replace_part(u, 0, encs("{\"alg\":\"dir\",\"enc\":"
						 "\"A256GCM\",\"zip\":\"DEF\"}")), DEC_DIR, 0, NULL, key,
			  32, &plain), CT_ERR_UNSUPPORTED_ALG);
	CHECK_ERR(decrypt(replace_part(u, 0, encs("{\"alg\":\"dir\",\"enc\":"
						 "\"A256GCM\",\"crit\":[]}")), DEC_DIR, 0, NULL, key,
			  32, &plain), CT_ERR_UNSUPPORTED_ALG);
	CHECK_ERR(decrypt(replace_part(u, 0, encs("{\"alg\":\"dir\"}")),
			  DEC_DIR, 0, NULL, key, 32, &plain),
		  CT_ERR_MISSING_FIELD);
	CHECK_ERR(decrypt("a.b.c.d", DEC_DIR, 0, NULL, key, 32, &plain),
		  CT_ERR_BAD_JOSE);
	CHECK_INT(plain.len, 0);
	ct_buf_free(&plain);
}

static void test_jwe_session(void)
{
	static const uint8_t sk[32] = "PRT session key, 32 random bytes";
	static const uint8_t client_key[32] = "the AS-REP reply key (clientKey)";
	static const char label[] = CT_JWE_KDF_LABEL;
	struct ct_jwe *jwe = NULL;
	struct ct_buf plain, ctx;
	uint8_t derived[32];
	const char *s;
	size_t slen;
	char *t = NULL, *u;

	CHECK_INT(ct_jwe_encrypt_session(client_key, 32, sk, 32, &t, NULL), 0);
	u = own(&t);
	CHECK_INT(ct_jwe_parse(u, strlen(u), &jwe, NULL), 0);
	CHECK_INT(jwe->alg, CT_JOSE_DIR);
	CHECK_INT(ct_json_get_str(jwe->header, "ctx", &s, &slen), 0);
	ct_buf_init(&ctx, 64);
	CHECK_INT(ct_b64_decode(&ctx, s, slen), 0);
	CHECK_INT(ctx.len, CT_JWE_CTX_LEN);
	/* The same key derived by hand opens it as plain "dir". */
	CHECK_INT(ct_kdf_sp800_108_hmac_sha256(sk, 32, (const uint8_t *)label,
					       sizeof(label) - 1, ctx.data,
					       ctx.len, derived, 32), 0);
	ct_buf_init(&plain, 64);
	CHECK_INT(ct_jwe_decrypt_dir(jwe, derived, 32, &plain, NULL), 0);
	CHECK_MEM(plain.data, plain.len, client_key, 32);
	ct_buf_free(&plain);
	ct_buf_free(&ctx);
	ct_jwe_free(jwe);
	ct_buf_init(&plain, 64);
	CHECK_INT(decrypt(u, DEC_SESSION, 0, NULL, sk, 32, &plain), 0);
	CHECK_MEM(plain.data, plain.len, client_key, 32);
	CHECK_ERR(decrypt(u, DEC_SESSION, 0, NULL, client_key, 32, &plain),
		  CT_ERR_INTEGRITY);
	CHECK_ERR(decrypt(u, DEC_SESSION, 0, NULL, sk, 0, &plain),
		  CT_ERR_BAD_KEY);
	/* A header without ctx, with a bad ctx, or a later kdf_ver. */
	CHECK_ERR(decrypt(replace_part(u, 0, encs("{\"alg\":\"dir\",\"enc\":"
						 "\"A256GCM\"}")),
			  DEC_SESSION, 0, NULL, sk, 32, &plain),
		  CT_ERR_BAD_JOSE);
	CHECK_ERR(decrypt(replace_part(u, 0, encs("{\"alg\":\"dir\",\"enc\":"
						 "\"A256GCM\",\"ctx\":\"AA\"}")), DEC_SESSION, 0, NULL, sk,
			  32, &plain), CT_ERR_BAD_JOSE);
	CHECK_ERR(decrypt(replace_part(u, 0, encs("{\"alg\":\"dir\",\"enc\":"
						 "\"A256GCM\",\"ctx\":\"AAAA\","
						 "\"kdf_ver\":2}")),
			  DEC_SESSION, 0, NULL, sk, 32, &plain),
		  CT_ERR_UNSUPPORTED_ALG);
	CHECK_INT(plain.len, 32);
	ct_buf_free(&plain);
	tamper_jwe(u, DEC_SESSION, 0, NULL, sk, 32);
}

int main(void)
{
	json_error_t jerr;

	arena = ct_arena_new();
	vectors = json_load_file(CT_JOSE_TESTDATA "/rfc-vectors.json", 0, &jerr);
	if (vectors == NULL) {
		tap_diag("cannot load rfc-vectors.json: %s", jerr.text);
		return 1;
	}
	rsa2048 = EVP_RSA_gen(2048);
	rsa2048b = EVP_RSA_gen(2048);
	rsa1024 = EVP_RSA_gen(1024);
	p256 = EVP_EC_gen("P-256");
	test_jws_rfc();
	test_jws_roundtrip();
	test_jws_confusion();
	test_jws_parse();
	test_jwe_rfc();
	test_jwe_rsa();
	test_jwe_dir();
	test_jwe_session();
	EVP_PKEY_free(rsa2048);
	EVP_PKEY_free(rsa2048b);
	EVP_PKEY_free(rsa1024);
	EVP_PKEY_free(p256);
	json_decref(vectors);
	ct_arena_free(arena);
	return tap_done();
}
