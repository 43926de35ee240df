/* SPDX-License-Identifier: Apache-2.0 */
#include "jws.h"

#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "ct-arena.h"
#include "ct-buf.h"
#include "ct-limits.h"
#include "ct-secret.h"
#include "jose-internal.h"
#include "strict-json.h"

#define JWS_ALGS (CT_JOSE_RS256 | CT_JOSE_ES256 | CT_JOSE_HS256)
#define ES256_SIG_LEN 64
#define HS256_LEN 32

void ct_jws_free(struct ct_jws *jws)
{
	if (jws == NULL)
		return;
	json_decref(jws->header);
	ct_arena_free(jws->arena);
	free(jws);
}

/* Decodes the optional "x5c" array of standard-base64 DER certificates. */
static int parse_x5c(struct ct_jws *j, struct ct_errinfo *ei)
{
	struct ct_jose_blob *certs;
	json_t *arr, *v;
	size_t i, n;
	uint8_t *der;
	int r;

	r = ct_json_get_array(j->header, "x5c", &arr);
	if (r == CT_ERR_MISSING_FIELD)
		return 0;
	if (r != 0)
		return ct_errinfo_set(ei, r, "header \"x5c\" is not an array");
	n = json_array_size(arr);
	if (n == 0)
		return ct_errinfo_set(ei, CT_ERR_BAD_JOSE, "empty \"x5c\"");
	if (n > CT_JOSE_MAX_X5C)
		return ct_errinfo_set(ei, CT_ERR_TOO_LARGE,
				      "%zu certificates in \"x5c\" (limit %d)",
				      n, CT_JOSE_MAX_X5C);
	certs = ct_arena_alloc(j->arena, n * sizeof(*certs));
	if (certs == NULL)
		return CT_ERR_NOMEM;
	json_array_foreach(arr, i, v) {
		if (!json_is_string(v))
			return ct_errinfo_set(ei, CT_ERR_JSON_TYPE,
					      "\"x5c\"[%zu] is not a string", i);
		if (json_string_length(v) > ct_b64_encoded_len(CT_JOSE_MAX_CERT))
			return ct_errinfo_set(ei, CT_ERR_TOO_LARGE,
					      "\"x5c\"[%zu] over %d bytes", i,
					      CT_JOSE_MAX_CERT);
		r = ct_b64_decode_arena(j->arena, json_string_value(v),
					json_string_length(v), &der,
					&certs[i].len);
		if (r != 0)
			return ct_errinfo_set(ei, r, "\"x5c\"[%zu]: %s", i,
					      ct_strerror(r));
		certs[i].data = der;
	}
	j->x5c = certs;
	j->x5c_count = n;
	return 0;
}

/* Reads the optional string members we hand to callers. */
static int parse_names(struct ct_jws *j, struct ct_errinfo *ei)
{
	int r;

	r = ct_jose_header_str(j->header, "kid", &j->kid, ei);
	if (r == 0)
		r = ct_jose_header_str(j->header, "typ", &j->typ, ei);
	if (r == 0)
		r = ct_jose_header_str(j->header, "use", &j->use, ei);
	return r;
}

int ct_jws_parse(const char *compact, size_t len, struct ct_jws **out,
		 struct ct_errinfo *ei)
{
	struct ct_jose_part parts[3];
	struct ct_jws *j = NULL;
	size_t inlen;
	int r;

	*out = NULL;
	j = calloc(1, sizeof(*j));
	if (j == NULL)
		return CT_ERR_NOMEM;
	r = ct_jose_parse_begin(compact, len, parts, 3, &j->arena, &j->header,
				&j->header_json, &j->alg_name, ei);
	if (r != 0)
		goto out;
	j->alg = ct_jose_alg_from_name(j->alg_name) & JWS_ALGS;
	r = parse_names(j, ei);
	if (r == 0)
		r = parse_x5c(j, ei);
	if (r == 0)
		r = ct_jose_decode_part(j->arena, &parts[1], CT_JOSE_MAX_PAYLOAD,
					"payload", &j->payload, ei);
	if (r == 0)
		r = ct_jose_decode_part(j->arena, &parts[2], CT_JOSE_MAX_SIG,
					"signature", &j->signature, ei);
	if (r != 0)
		goto out;
	/* The signing input is the received text, never a re-encoding. */
	inlen = parts[0].len + 1 + parts[1].len;
	j->signing_input.data = ct_arena_memdup(j->arena, compact, inlen, 1);
	j->signing_input.len = inlen;
	if (j->signing_input.data == NULL) {
		r = CT_ERR_NOMEM;
		goto out;
	}
	*out = j;
	j = NULL;
out:
	ct_jws_free(j);
	return r;
}

/* Converts a JOSE ECDSA signature (r || s, 32 bytes each) to DER. */
static int es256_to_der(const uint8_t *raw, uint8_t **der, size_t *derlen)
{
	ECDSA_SIG *sig = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(raw, 32, NULL);
	BIGNUM *s = BN_bin2bn(raw + 32, 32, NULL);
	int len, ret = CT_ERR_NOMEM;

	if (sig == NULL || r == NULL || s == NULL || !ECDSA_SIG_set0(sig, r, s))
		goto out;
	r = s = NULL; /* owned by sig now */
	*der = NULL;
	len = i2d_ECDSA_SIG(sig, der);
	if (len <= 0)
		goto out;
	*derlen = (size_t)len;
	ret = 0;
out:
	BN_free(r);
	BN_free(s);
	ECDSA_SIG_free(sig);
	return ret;
}

/* Converts a DER ECDSA signature from OpenSSL to r || s. */
static int es256_from_der(const uint8_t *der, size_t derlen,
			  uint8_t raw[ES256_SIG_LEN])
{
	const unsigned char *p = der;
	ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, (long)derlen);
	const BIGNUM *r, *s;
	int ret = CT_ERR_CRYPTO;

	if (sig == NULL)
		return ret;
	ECDSA_SIG_get0(sig, &r, &s);
	if (BN_bn2binpad(r, raw, 32) == 32 && BN_bn2binpad(s, raw + 32, 32) == 32)
		ret = 0;
	ECDSA_SIG_free(sig);
	return ret;
}

static int check_key(enum ct_jose_alg alg, EVP_PKEY *key,
		     struct ct_errinfo *ei)
{
	if (alg == CT_JOSE_RS256)
		return ct_jose_check_rsa(key, ei);
	if (alg == CT_JOSE_ES256)
		return ct_jose_check_p256(key, ei);
	return ct_errinfo_set(ei, CT_ERR_UNSUPPORTED_ALG,
			      "%s needs a secret, not a key pair",
			      ct_jose_alg_name(alg));
}

int ct_jws_verify(const struct ct_jws *jws, unsigned allowed, EVP_PKEY *key,
		  struct ct_errinfo *ei)
{
	const uint8_t *sig = jws->signature.data;
	size_t siglen = jws->signature.len;
	uint8_t *der = NULL;
	EVP_MD_CTX *md = NULL;
	char name[32];
	int r;

	if ((jws->alg & allowed) == 0)
		return ct_errinfo_set(ei, CT_ERR_UNSUPPORTED_ALG,
				      "JWS alg \"%s\" not accepted here",
				      ct_jose_printable(jws->alg_name, name,
							sizeof(name)));
	r = check_key(jws->alg, key, ei);
	if (r != 0)
		return r;
	if (jws->alg == CT_JOSE_RS256 && siglen != (size_t)EVP_PKEY_get_size(key))
		return ct_errinfo_set(ei, CT_ERR_SIGNATURE,
				      "RS256 signature of %zu bytes for a %d-byte key",
				      siglen, EVP_PKEY_get_size(key));
	if (jws->alg == CT_JOSE_ES256) {
		if (siglen != ES256_SIG_LEN)
			return ct_errinfo_set(ei, CT_ERR_SIGNATURE,
					      "ES256 signature of %zu bytes (need 64)",
					      siglen);
		r = es256_to_der(sig, &der, &siglen);
		if (r != 0)
			return r;
		sig = der;
	}
	md = EVP_MD_CTX_new();
	if (md == NULL) {
		r = CT_ERR_NOMEM;
		goto out;
	}
	if (EVP_DigestVerifyInit_ex(md, NULL, "SHA256", NULL, NULL, key,
				    NULL) != 1) {
		r = ct_jose_ossl_fail(ei, CT_ERR_CRYPTO, "verify init");
		goto out;
	}
	if (EVP_DigestVerify(md, sig, siglen, jws->signing_input.data,
			     jws->signing_input.len) != 1)
		r = ct_jose_ossl_fail(ei, CT_ERR_SIGNATURE,
				      "JWS signature does not verify");
out:
	EVP_MD_CTX_free(md);
	OPENSSL_free(der);
	return r;
}

static int hs256(const uint8_t *key, size_t keylen, const uint8_t *msg,
		 size_t len, uint8_t mac[HS256_LEN], struct ct_errinfo *ei)
{
	size_t maclen = 0;

	if (keylen < HS256_LEN)
		return ct_errinfo_set(ei, CT_ERR_BAD_KEY,
				      "HS256 key of %zu bytes (need %d or more)",
				      keylen, HS256_LEN);
	if (EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, key, keylen, msg,
		      len, mac, HS256_LEN, &maclen) == NULL ||
	    maclen != HS256_LEN)
		return ct_jose_ossl_fail(ei, CT_ERR_CRYPTO, "HMAC-SHA256");
	return 0;
}

int ct_jws_verify_hmac(const struct ct_jws *jws, const uint8_t *key,
		       size_t keylen, struct ct_errinfo *ei)
{
	uint8_t mac[HS256_LEN];
	char name[32];
	int r;

	if (jws->alg != CT_JOSE_HS256)
		return ct_errinfo_set(ei, CT_ERR_UNSUPPORTED_ALG,
				      "JWS alg \"%s\" where HS256 is expected",
				      ct_jose_printable(jws->alg_name, name,
							sizeof(name)));
	r = hs256(key, keylen, jws->signing_input.data, jws->signing_input.len,
		  mac, ei);
	if (r != 0)
		return r;
	if (jws->signature.len != HS256_LEN ||
	    CRYPTO_memcmp(mac, jws->signature.data, HS256_LEN) != 0)
		r = ct_errinfo_set(ei, CT_ERR_SIGNATURE,
				   "JWS MAC does not verify");
	ct_zap(mac, sizeof(mac));
	return r;
}

/* Starts a compact JWS in b: base64url(header) "." base64url(payload). */
static int put_signing_input(struct ct_buf *b, enum ct_jose_alg alg,
			     const json_t *header, const void *payload,
			     size_t len, struct ct_errinfo *ei)
{
	int r;

	r = ct_jose_put_header(b, ct_jose_alg_name(alg), NULL, header, ei);
	if (r != 0)
		return r;
	ct_jose_put_part(b, payload, len);
	if (b->err != 0)
		return ct_errinfo_set(ei, b->err, "JWS: %s",
				      ct_strerror(b->err));
	return 0;
}

/* Signs b's contents with key and returns the signature in JOSE form. */
static int sign_input(const struct ct_buf *b, enum ct_jose_alg alg,
		      EVP_PKEY *key, uint8_t **sig, size_t *siglen,
		      struct ct_errinfo *ei)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	uint8_t *der = NULL;
	size_t derlen = 0;
	int r = CT_ERR_NOMEM;

	if (md == NULL)
		goto out;
	if (EVP_DigestSignInit_ex(md, NULL, "SHA256", NULL, NULL, key,
				  NULL) != 1 ||
	    EVP_DigestSign(md, NULL, &derlen, b->data, b->len) != 1) {
		r = ct_jose_ossl_fail(ei, CT_ERR_CRYPTO, "sign init");
		goto out;
	}
	der = OPENSSL_malloc(derlen);
	if (der == NULL)
		goto out;
	if (EVP_DigestSign(md, der, &derlen, b->data, b->len) != 1) {
		r = ct_jose_ossl_fail(ei, CT_ERR_CRYPTO, "sign");
		goto out;
	}
	if (alg == CT_JOSE_ES256) {
		uint8_t *raw = OPENSSL_malloc(ES256_SIG_LEN);

		if (raw == NULL)
			goto out;
		r = es256_from_der(der, derlen, raw);
		if (r != 0) {
			OPENSSL_free(raw);
			goto out;
		}
		OPENSSL_free(der);
		der = raw;
		derlen = ES256_SIG_LEN;
	}
	*sig = der;
	*siglen = derlen;
	der = NULL;
	r = 0;
out:
	OPENSSL_free(der);
	EVP_MD_CTX_free(md);
	return r;
}

int ct_jws_sign(enum ct_jose_alg alg, const json_t *header,
		const void *payload, size_t len, EVP_PKEY *key, char **out,
		struct ct_errinfo *ei)
{
	struct ct_buf b;
	uint8_t *sig = NULL;
	size_t siglen = 0;
	int r;

	if (alg != CT_JOSE_RS256 && alg != CT_JOSE_ES256)
		return ct_errinfo_set(ei, CT_ERR_UNSUPPORTED_ALG,
				      "ct_jws_sign does RS256 and ES256 only");
	r = check_key(alg, key, ei);
	if (r != 0)
		return r;
	ct_buf_init(&b, CT_JOSE_MAX_COMPACT);
	r = put_signing_input(&b, alg, header, payload, len, ei);
	if (r == 0)
		r = sign_input(&b, alg, key, &sig, &siglen, ei);
	if (r == 0) {
		ct_jose_put_part(&b, sig, siglen);
		r = ct_jose_finish(&b, out);
	}
	OPENSSL_free(sig);
	ct_buf_free(&b);
	return r;
}

int ct_jws_sign_with(enum ct_jose_alg alg, const json_t *header,
		     const void *payload, size_t len, ct_jws_signer sign,
		     void *arg, char **out, struct ct_errinfo *ei)
{
	struct ct_buf b, sig;
	int r;

	if (alg != CT_JOSE_RS256 && alg != CT_JOSE_ES256)
		return ct_errinfo_set(ei, CT_ERR_UNSUPPORTED_ALG,
				      "ct_jws_sign_with does RS256 and ES256 only");
	ct_buf_init(&b, CT_JOSE_MAX_COMPACT);
	ct_buf_init(&sig, CT_JOSE_MAX_SIG);
	r = put_signing_input(&b, alg, header, payload, len, ei);
	if (r == 0)
		r = sign(arg, b.data, b.len, &sig, ei);
	if (r == 0 && (sig.len == 0 || (alg == CT_JOSE_ES256 && sig.len != ES256_SIG_LEN)))
		r = ct_errinfo_set(ei, CT_ERR_SIGNATURE,
				   "the signer gave a %zu-byte signature", sig.len);
	if (r == 0) {
		ct_jose_put_part(&b, sig.data, sig.len);
		r = ct_jose_finish(&b, out);
	}
	ct_buf_free(&sig);
	ct_buf_free(&b);
	return r;
}

int ct_jws_sign_hmac(const json_t *header, const void *payload, size_t len,
		     const uint8_t *key, size_t keylen, char **out,
		     struct ct_errinfo *ei)
{
	uint8_t mac[HS256_LEN];
	struct ct_buf b;
	int r;

	ct_buf_init(&b, CT_JOSE_MAX_COMPACT);
	r = put_signing_input(&b, CT_JOSE_HS256, header, payload, len, ei);
	if (r == 0)
		r = hs256(key, keylen, b.data, b.len, mac, ei);
	if (r == 0) {
		ct_jose_put_part(&b, mac, sizeof(mac));
		r = ct_jose_finish(&b, out);
	}
	ct_zap(mac, sizeof(mac));
	ct_buf_free(&b);
	return r;
}
