/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The client's protocol messages (cl-proto): what the builders write, and
 * the strict decoders on real cloudtrustd replies (fuzz/corpus/client-reply,
 * captured by capture-replies.py), on a golden PRT reply whose session key
 * and reply key the independent Python client opened (tests/data/client),
 * and on replies broken one member at a time.
 */
#include <jansson.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "cl-device.h"
#include "cl-http.h"
#include "cl-proto.h"
#include "ct-hex.h"
#include "ct-secret.h"
#include "jwe.h"
#include "jws.h"
#include "kdf.h"
#include "strict-json.h"
#include "tap.h"

#ifndef CT_CLIENT_REPLY_CORPUS
#error "CT_CLIENT_REPLY_CORPUS must name fuzz/corpus/client-reply"
#endif
#ifndef CT_CLIENT_TESTDATA
#error "CT_CLIENT_TESTDATA must name tests/data/client"
#endif

/* Reads a whole file into a new NUL-terminated buffer. */
static char *slurp(const char *dir, const char *name, size_t *len)
{
	char path[1024];
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	if (f == NULL) {
		tap_diag("cannot open %s", path);
		return NULL;
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	if (buf != NULL && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	if (buf != NULL) {
		buf[n] = '\0';
		*len = (size_t)n;
	}
	return buf;
}

/* A corpus seed without its kind byte (and status byte for errors). */
static char *seed(const char *name, size_t *len, size_t skip)
{
	size_t n = 0;
	char *s = slurp(CT_CLIENT_REPLY_CORPUS, name, &n);

	if (s == NULL || n < skip)
		return s;
	memmove(s, s + skip, n - skip + 1);
	*len = n - skip;
	return s;
}

static void test_form(void)
{
	struct ct_buf b;

	ct_buf_init(&b, 256);
	CHECK_ERR(cl_form_add(&b, "a b", "x&y=z/\xc3\xa9~"), 0);
	CHECK_ERR(cl_form_add(&b, "grant_type", CL_GRANT_NONCE), 0);
	CHECK_MEM(b.data, b.len, "a%20b=x%26y%3Dz%2F%C3%A9~&grant_type=srv_challenge",
		  strlen("a%20b=x%26y%3Dz%2F%C3%A9~&grant_type=srv_challenge"));
	ct_buf_free(&b);
	ct_buf_init(&b, 10);
	CHECK_ERR(cl_form_add(&b, "long-name", "value"), CT_ERR_TOO_LARGE);
	ct_buf_free(&b);
}

static void test_url(void)
{
	CHECK_ERR(cl_url_check("https://cloud.example.test:8443", NULL), 0);
	CHECK_ERR(cl_url_check("https://[::1]:8443/base", NULL), 0);
	CHECK_ERR(cl_url_check("http://cloud.example.test", NULL), CT_ERR_BAD_VALUE);
	CHECK_ERR(cl_url_check("https://user@cloud", NULL), CT_ERR_BAD_VALUE);
	CHECK_ERR(cl_url_check("https://cloud/?q", NULL), CT_ERR_BAD_VALUE);
	CHECK_ERR(cl_url_check("https:///path", NULL), CT_ERR_BAD_VALUE);
	CHECK_ERR(cl_url_check("https://a b", NULL), CT_ERR_BAD_VALUE);
}

/* The builders: what the server's parsers will read. */
static void test_builders(void)
{
	struct cl_device_keys k;
	struct cl_join_request jr;
	struct ct_buf csr, tk;
	struct ct_jws *jws = NULL;
	json_t *o = NULL, *claims = NULL, *hdr = NULL;
	char *s = NULL;
	const char *str;
	int64_t iat;

	memset(&k, 0, sizeof(k));
	ct_buf_init(&csr, CT_CSR_MAX);
	ct_buf_init(&tk, 1024);
	CHECK_ERR(cl_device_keys_generate(&k, NULL), 0);
	CHECK(EVP_PKEY_get_base_id(k.device_key) == EVP_PKEY_EC);
	CHECK(EVP_PKEY_get_bits(k.transport_key) == 2048);
	CHECK_ERR(cl_device_csr(k.device_key, &csr, NULL), 0);
	CHECK(csr.len > 100);

	memset(&jr, 0, sizeof(jr));
	jr.csr_der = csr.data;
	jr.csr_len = csr.len;
	jr.transport_blob = (const uint8_t *)"RSA1....";
	jr.transport_len = 8;
	jr.target_domain = "corp.example.test";
	jr.os_version = "Debian 12";
	jr.display_name = "laptop";
	CHECK_ERR(cl_join_body(&jr, &s, NULL), 0);
	CHECK_ERR(ct_json_parse(s, strlen(s), &o, NULL), 0);
	CHECK(json_is_string(json_object_get(json_object_get(o, "CertificateRequest"), "Data")));
	CHECK_STR(json_string_value(json_object_get(o, "TransportKey")), "UlNBMS4uLi4=");
	CHECK_STR(json_string_value(json_object_get(o, "DeviceType")), "Linux");
	CHECK_INT(json_integer_value(json_object_get(o, "JoinType")), 0);
	json_decref(o);
	free(s);

	/* Device assertion: ES256, x5c, and the claims the server reads. */
	CHECK_ERR(cl_device_assertion(k.device_key, (const uint8_t *)"\x30\x03\x02\x01\x01", 5,
				      "nonce-1", "https://x/t/oauth2/token", 1764020000, &s, NULL),
		  0);
	CHECK_ERR(ct_jws_parse(s, strlen(s), &jws, NULL), 0);
	CHECK(jws != NULL && jws->alg == CT_JOSE_ES256 && jws->x5c_count == 1);
	CHECK(jws != NULL && ct_jws_verify(jws, CT_JOSE_ES256, k.device_key, NULL) == 0);
	CHECK_ERR(cl_jws_peek_claims(s, &claims, NULL), 0);
	CHECK(ct_json_get_str(claims, "request_nonce", &str, NULL) == 0 &&
	      strcmp(str, "nonce-1") == 0);
	CHECK(ct_json_get_int(claims, "iat", &iat) == 0 && iat == 1764020000);
	json_decref(claims);
	ct_jws_free(jws);
	free(s);

	/* The inner assertion's claims and header. */
	CHECK_ERR(cl_prt_inner("a@b", "tenant", "n", "kid=", 1000, &claims, &hdr), 0);
	CHECK(ct_json_get_int(claims, "exp", &iat) == 0 && iat == 1000 + CL_ASSERTION_LIFETIME);
	CHECK(ct_json_get_str(hdr, "use", &str, NULL) == 0 && strcmp(str, "ngc") == 0);
	json_decref(claims);
	json_decref(hdr);

	/* Renewal: HS256 under the KDF of the session key with the header's ctx. */
	{
		uint8_t sk[32], key[32];
		struct ct_buf ctx;
		json_t *v;
		bool tgt = false;

		memset(sk, 0x42, sizeof(sk));
		ct_buf_init(&ctx, 64);
		CHECK_ERR(cl_renew_request(sk, sizeof(sk), "the-prt", "n2", 1764020000, true, &s,
					   NULL), 0);
		CHECK_ERR(ct_jws_parse(s, strlen(s), &jws, NULL), 0);
		v = jws != NULL ? json_object_get(jws->header, "ctx") : NULL;
		CHECK(json_is_string(v) &&
		      ct_b64_decode(&ctx, json_string_value(v), json_string_length(v)) == 0 &&
		      ctx.len == 24);
		CHECK_ERR(ct_kdf_sp800_108_hmac_sha256(sk, 32, (const uint8_t *)CT_JWE_KDF_LABEL,
						       strlen(CT_JWE_KDF_LABEL), ctx.data, ctx.len,
						       key, 32), 0);
		CHECK(jws != NULL && ct_jws_verify_hmac(jws, key, 32, NULL) == 0);
		key[0] ^= 1;
		CHECK(jws != NULL && ct_jws_verify_hmac(jws, key, 32, NULL) != 0);
		CHECK_ERR(cl_jws_peek_claims(s, &claims, NULL), 0);
		CHECK(ct_json_get_str(claims, "grant_type", &str, NULL) == 0 &&
		      strcmp(str, "refresh_token") == 0);
		CHECK(ct_json_get_bool(claims, "tgt", &tgt) == 0 && tgt);
		json_decref(claims);
		ct_jws_free(jws);
		ct_buf_free(&ctx);
		free(s);
	}
	ct_buf_free(&csr);
	ct_buf_free(&tk);
	cl_device_keys_free(&k);
}

static void test_real_replies(void)
{
	struct cl_discovery d;
	struct cl_token_reply t;
	struct cl_join_reply j;
	struct cl_prt_reply p;
	struct cl_oauth_error e;
	char nonce[64], kid[64], *s;
	size_t n = 0;

	s = seed("d-discovery", &n, 1);
	CHECK(s != NULL && cl_reply_discovery(s, n, &d, NULL) == 0);
	CHECK(strlen(d.tenant_id) == 36 && strstr(d.token_endpoint, "/oauth2/token") != NULL);
	CHECK(d.es256_requests);
	free(s);
	s = seed("n-nonce", &n, 1);
	CHECK(s != NULL && cl_reply_nonce(s, n, nonce, sizeof(nonce), NULL) == 0);
	CHECK_INT(strlen(nonce), 43);
	free(s);
	s = seed("t-access-token", &n, 1);
	CHECK(s != NULL && cl_reply_token(s, n, &t, NULL) == 0);
	CHECK(t.access_token != NULL && t.deviceid == NULL && t.expires_in == 3600 && t.iat > 0);
	cl_token_reply_free(&t);
	free(s);
	s = seed("t-bound-token", &n, 1);
	CHECK(s != NULL && cl_reply_token(s, n, &t, NULL) == 0);
	CHECK(t.deviceid != NULL && strlen(t.deviceid) == 36);
	cl_token_reply_free(&t);
	free(s);
	s = seed("j-join-p256", &n, 1);
	CHECK(s != NULL && cl_reply_join(s, n, &j, NULL) == 0);
	CHECK(strlen(j.thumbprint) == 40 && strlen(j.device_id) == 36 && j.cert_len > 200);
	CHECK(j.upn != NULL && strchr(j.upn, '@') != NULL);
	cl_join_reply_free(&j);
	free(s);
	s = seed("k-kpp-ecs1", &n, 1);
	CHECK(s != NULL && cl_reply_kpp(s, n, kid, sizeof(kid), NULL) == 0);
	CHECK_INT(strlen(kid), 44);
	free(s);
	s = seed("p-prt-tgt-ad", &n, 1);
	CHECK(s != NULL && cl_reply_prt(s, n, &p, NULL) == 0);
	CHECK_INT(p.tgt_ad.state, CL_TGT_ISSUED);
	CHECK_STR(p.tgt_ad.realm, "CORP.EXAMPLE.TEST");
	CHECK_STR(p.tgt_ad.sn, "krbtgt/CORP.EXAMPLE.TEST");
	CHECK_INT(p.tgt_ad.key_type, 18);
	CHECK_INT(p.tgt_ad.session_key_type, 18);
	CHECK_INT(p.tgt_ad.account_type, 1);
	CHECK(p.tgt_ad.as_rep_len > 100 && p.tgt_ad.as_rep[0] == 0x6b); /* [APPLICATION 11] */
	CHECK(p.prt_expires_in == 1209600 && p.id_token != NULL);
	cl_prt_reply_free(&p);
	free(s);
	s = seed("p-renewal", &n, 1);
	CHECK(s != NULL && cl_reply_prt(s, n, &p, NULL) == 0 && p.tgt_ad.state == CL_TGT_ISSUED);
	cl_prt_reply_free(&p);
	free(s);
	s = seed("p-prt-no-onprem", &n, 1);
	CHECK(s != NULL && cl_reply_prt(s, n, &p, NULL) == 0);
	CHECK_INT(p.tgt_ad.state, CL_TGT_ERROR);
	CHECK_STR(p.tgt_ad.error, "no_onprem_identity");
	cl_prt_reply_free(&p);
	free(s);

	s = seed("e-wrong-password", &n, 2);
	cl_reply_error(400, s, n, &e);
	CHECK_STR(e.error, "invalid_grant");
	CHECK_INT(e.code, 50126);
	free(s);
	s = seed("e-kpp-stale-mfa", &n, 2);
	cl_reply_error(401, s, n, &e);
	CHECK_STR(e.error, "invalid_token");
	CHECK_INT(e.code, 50072);
	free(s);
	s = seed("e-unknown-tenant", &n, 2);
	cl_reply_error(404, s, n, &e);
	CHECK_STR(e.error, "invalid_tenant");
	CHECK_INT(e.code, 90002);
	free(s);
	s = seed("e-kpp-conflict", &n, 2);
	cl_reply_error(409, s, n, &e);
	CHECK_STR(e.error, "conflict");
	free(s);
	/* Anything else is an error without a name, never a crash. */
	cl_reply_error(502, "<html>bad gateway</html>", 24, &e);
	CHECK_STR(e.error, "");
	CHECK_INT(e.status, 502);
	{
		static const char ctl[] = "{\"error\":\"x\\u0007y\",\"error_description\":\"a\\nb\"}";

		cl_reply_error(400, ctl, strlen(ctl), &e);
	}
	CHECK_STR(e.error, "xy");
	CHECK_STR(e.description, "ab");
}

/* The golden vector: C opens what the Python client opened. */
static void test_golden_prt(void)
{
	struct cl_prt_reply p;
	struct ct_buf rk;
	uint8_t sk[CT_CL_SESSION_KEY_LEN], *want = NULL;
	size_t n = 0, wlen = 0;
	char *body = slurp(CT_CLIENT_TESTDATA, "prt-reply.json", &n);
	char *pem = NULL, *hex = NULL;
	EVP_PKEY *tk = NULL;
	BIO *b;

	CHECK(body != NULL);
	if (body == NULL)
		return;
	pem = slurp(CT_CLIENT_TESTDATA, "transport-key.pem", &n);
	b = pem != NULL ? BIO_new_mem_buf(pem, -1) : NULL;
	tk = b != NULL ? PEM_read_bio_PrivateKey(b, NULL, NULL, NULL) : NULL;
	BIO_free(b);
	CHECK(tk != NULL);
	CHECK(cl_reply_prt(body, strlen(body), &p, NULL) == 0);
	CHECK_ERR(cl_open_session_key(p.session_key_jwe, tk, sk, NULL), 0);
	hex = slurp(CT_CLIENT_TESTDATA, "session-key.hex", &n);
	if (hex != NULL)
		hex[strcspn(hex, "\n")] = '\0';
	CHECK(hex != NULL && ct_hex_decode(hex, &want, &wlen) == 0);
	CHECK_MEM(sk, sizeof(sk), want, wlen);
	free(want);
	want = NULL;
	free(hex);
	ct_buf_init(&rk, 64);
	CHECK_ERR(cl_open_client_key(p.tgt_ad.client_key, sk, sizeof(sk), &rk, NULL), 0);
	hex = slurp(CT_CLIENT_TESTDATA, "reply-key.hex", &n);
	if (hex != NULL)
		hex[strcspn(hex, "\n")] = '\0';
	CHECK(hex != NULL && ct_hex_decode(hex, &want, &wlen) == 0);
	CHECK_MEM(rk.data, rk.len, want, wlen);
	/* A wrong session key opens nothing. */
	sk[0] ^= 1;
	ct_buf_free(&rk);
	CHECK_ERR(cl_open_client_key(p.tgt_ad.client_key, sk, sizeof(sk), &rk, NULL),
		  CT_ERR_INTEGRITY);
	CHECK_INT(rk.len, 0);
	ct_buf_free(&rk);
	free(want);
	free(hex);
	cl_prt_reply_free(&p);
	EVP_PKEY_free(tk);
	free(pem);
	free(body);
}

/* The golden PRT reply with one member set to text (raw JSON), or removed. */
static int prt_variant(const char *key, const char *text)
{
	struct cl_prt_reply p;
	json_error_t jerr;
	json_t *o, *v;
	size_t n = 0;
	char *body = slurp(CT_CLIENT_TESTDATA, "prt-reply.json", &n), *s;
	int r;

	o = body != NULL ? json_loads(body, 0, &jerr) : NULL;
	free(body);
	if (o == NULL)
		return 12345;
	if (text == NULL) {
		json_object_del(o, key);
	} else {
		v = json_loads(text, JSON_DECODE_ANY, &jerr);
		if (v == NULL) {
			json_decref(o);
			return 12346;
		}
		json_object_set_new(o, key, v);
	}
	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	r = cl_reply_prt(s, strlen(s), &p, NULL);
	if (r == 0)
		cl_prt_reply_free(&p);
	free(s);
	return r;
}

/* tgt_ad of the golden reply with one member set or removed. */
static int tgt_variant(const char *key, const char *text, enum cl_tgt_state *state)
{
	struct cl_prt_reply p;
	json_error_t jerr;
	json_t *o, *t;
	size_t n = 0;
	char *body = slurp(CT_CLIENT_TESTDATA, "prt-reply.json", &n), *s;
	int r;

	o = body != NULL ? json_loads(body, 0, &jerr) : NULL;
	free(body);
	t = json_object_get(o, "tgt_ad");
	if (t == NULL) {
		json_decref(o);
		return 12345;
	}
	if (text == NULL)
		json_object_del(t, key);
	else
		json_object_set_new(t, key, json_loads(text, JSON_DECODE_ANY, &jerr));
	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	r = cl_reply_prt(s, strlen(s), &p, NULL);
	if (r == 0) {
		*state = p.tgt_ad.state;
		cl_prt_reply_free(&p);
	}
	free(s);
	return r;
}

static void test_prt_strict(void)
{
	enum cl_tgt_state st = CL_TGT_ABSENT;

	CHECK_ERR(prt_variant("token_type", "\"pop\""), 0);
	CHECK_ERR(prt_variant("token_type", "\"Bearer\""), CT_ERR_BAD_VALUE);
	CHECK_ERR(prt_variant("refresh_token", NULL), CT_ERR_MISSING_FIELD);
	CHECK_ERR(prt_variant("refresh_token", "\"has space\""), CT_ERR_BAD_VALUE);
	CHECK_ERR(prt_variant("refresh_token", "42"), CT_ERR_JSON_TYPE);
	CHECK_ERR(prt_variant("session_key_jwe", "\"a.b.c\\n\""), CT_ERR_BAD_VALUE);
	CHECK_ERR(prt_variant("refresh_token_expires_in", "0"), CT_ERR_BAD_VALUE);
	CHECK_ERR(prt_variant("refresh_token_expires_in", "\"1209600\""), 0);
	CHECK_ERR(prt_variant("refresh_token_expires_in", "\"soon\""), CT_ERR_BAD_VALUE);
	CHECK_ERR(prt_variant("tgt_ad", "null"), 0);
	CHECK_ERR(prt_variant("tgt_ad", "[1]"), CT_ERR_JSON_TYPE);
	CHECK_ERR(prt_variant("tgt_ad", "\"{\\\"error\\\":\\\"no_key\\\"}\""), 0);
	CHECK_ERR(prt_variant("tgt_ad", "{\"error\":\"No Key!\"}"), CT_ERR_BAD_VALUE);
	CHECK_ERR(prt_variant("tgt_ad", "{\"error\":\"no_key\",\"error_description\":7}"), 0);
	CHECK_ERR(tgt_variant("realm", NULL, &st), CT_ERR_MISSING_FIELD);
	CHECK_ERR(tgt_variant("realm", "\"A\\u0001B\"", &st), CT_ERR_BAD_VALUE);
	CHECK_ERR(tgt_variant("keyType", "0", &st), CT_ERR_BAD_VALUE);
	CHECK_ERR(tgt_variant("keyType", "\"18\"", &st), 0);
	CHECK_INT(st, CL_TGT_ISSUED);
	CHECK_ERR(tgt_variant("messageBuffer", "\"not base64\"", &st), CT_ERR_BAD_BASE64);
	CHECK_ERR(tgt_variant("clientKey", "\"\"", &st), CT_ERR_BAD_VALUE);
	CHECK_ERR(tgt_variant("accountType", NULL, &st), 0);
	/* Not an object, trailing bytes, duplicate members. */
	{
		struct cl_prt_reply p;
		static const char dup[] = "{\"token_type\":\"pop\",\"token_type\":\"pop\"}";

		CHECK_ERR(cl_reply_prt("[]", 2, &p, NULL), CT_ERR_JSON_TYPE);
		CHECK_ERR(cl_reply_prt("{} x", 4, &p, NULL), CT_ERR_BAD_JSON);
		CHECK_ERR(cl_reply_prt(dup, strlen(dup), &p, NULL), CT_ERR_BAD_JSON);
	}
}

static void test_join_strict(void)
{
	struct cl_join_reply j;
	json_error_t jerr;
	json_t *o;
	size_t n = 0;
	char *s = seed("j-join-p256", &n, 1), *t, thumb[41];

	o = s != NULL ? json_loadb(s, n, 0, &jerr) : NULL;
	CHECK(o != NULL);
	if (o == NULL) {
		free(s);
		return;
	}
	/* A thumbprint that is not the certificate's SHA-1 is refused. */
	snprintf(thumb, sizeof(thumb), "%s",
		 json_string_value(json_object_get(json_object_get(o, "Certificate"),
						   "Thumbprint")));
	thumb[0] = thumb[0] == 'A' ? 'B' : 'A';
	json_object_set_new(json_object_get(o, "Certificate"), "Thumbprint", json_string(thumb));
	t = json_dumps(o, JSON_COMPACT);
	CHECK_ERR(cl_reply_join(t, strlen(t), &j, NULL), CT_ERR_MISMATCH);
	free(t);
	/* Lower case is not the form PROTOCOL.md gives. */
	json_object_set_new(json_object_get(o, "Certificate"), "Thumbprint",
			    json_string("0396df7e12555cbbcd55910bc7848de6f06510c7"));
	t = json_dumps(o, JSON_COMPACT);
	CHECK_ERR(cl_reply_join(t, strlen(t), &j, NULL), CT_ERR_BAD_VALUE);
	free(t);
	json_decref(o);
	/* A device id that is not the certificate's CN is refused. */
	o = json_loadb(s, n, 0, &jerr);
	json_object_set_new(o, "DeviceId", json_string("00000000-0000-0000-0000-000000000000"));
	t = json_dumps(o, JSON_COMPACT);
	CHECK_ERR(cl_reply_join(t, strlen(t), &j, NULL), CT_ERR_MISMATCH);
	free(t);
	json_object_set_new(o, "DeviceId", json_string("not-a-guid"));
	t = json_dumps(o, JSON_COMPACT);
	CHECK_ERR(cl_reply_join(t, strlen(t), &j, NULL), CT_ERR_BAD_VALUE);
	free(t);
	json_decref(o);
	free(s);
}

static void test_small_strict(void)
{
	char out[64];
	struct cl_token_reply t;
	struct cl_discovery d;
	static const char *const nonces[] = {
		"{\"Nonce\":\"short\"}",
		"{\"Nonce\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"}",
		"{\"Nonce\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA+\"}",
		"{\"Nonce\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB\"}",
		"{\"nonce\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}",
		"{\"Nonce\":7}",
	};
	static const char good_nonce[] = "{\"Nonce\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}";
	size_t i;

	for (i = 0; i < sizeof(nonces) / sizeof(nonces[0]); i++)
		CHECK(cl_reply_nonce(nonces[i], strlen(nonces[i]), out, sizeof(out), NULL) != 0);
	CHECK_ERR(cl_reply_nonce(good_nonce, strlen(good_nonce), out, sizeof(out), NULL), 0);
	/* Not a JWS, or a JWS without a JSON payload, is no token. */
	CHECK(cl_reply_token("{\"token_type\":\"Bearer\",\"access_token\":\"abc\",\"expires_in\":1}",
			     58, &t, NULL) != 0);
	CHECK(cl_reply_token("{\"token_type\":\"Bearer\",\"access_token\":\"eyJhbGciOiJFUzI1NiJ9.eA.AA\","
			     "\"expires_in\":1}", 87, &t, NULL) != 0);
	CHECK(cl_reply_token("{\"token_type\":\"mac\"}", 20, &t, NULL) != 0);
	CHECK(cl_reply_kpp("{\"kid\":\"raIM0SqSlRqEPnNkmPkQp9lPHcwkIagbK_laBaeKyu8=\"}", 54, out,
			   sizeof(out), NULL) != 0);
	CHECK_ERR(cl_reply_kpp("{\"kid\":\"raIM0SqSlRqEPnNkmPkQp9lPHcwkIagbK/laBaeKyu8=\"}", 54, out,
			       sizeof(out), NULL), 0);
	CHECK(cl_reply_discovery("{\"tenant_id\":\"x\"}", 17, &d, NULL) != 0);
}

int main(void)
{
	test_form();
	test_url();
	test_builders();
	test_real_replies();
	test_golden_prt();
	test_prt_strict();
	test_join_strict();
	test_small_strict();
	return tap_done();
}
