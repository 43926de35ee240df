/* SPDX-License-Identifier: Apache-2.0 */
#include "jwe.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "ct-arena.h"
#include "ct-limits.h"
#include "ct-secret.h"
#include "jose-internal.h"
#include "kdf.h"
#include "strict-json.h"

#define JWE_ALGS (CT_JOSE_RSA_OAEP | CT_JOSE_RSA_OAEP_256 | CT_JOSE_DIR)
#define RSA_ALGS (CT_JOSE_RSA_OAEP | CT_JOSE_RSA_OAEP_256)

void ct_jwe_free(struct ct_jwe *jwe)
{
	if (jwe == NULL)
		return;
	json_decref(jwe->header);
	ct_arena_free(jwe->arena);
	free(jwe);
}

/* Decodes the four parts after the header. */
static int decode_parts(struct ct_jwe *j, const struct ct_jose_part *parts,
			struct ct_errinfo *ei)
{
	int r;

	r = ct_jose_decode_part(j->arena, &parts[1], CT_JOSE_MAX_SIG,
				"encrypted key", &j->encrypted_key, ei);
	if (r == 0)
		r = ct_jose_decode_part(j->arena, &parts[2], CT_JOSE_MAX_IV,
					"IV", &j->iv, ei);
	if (r == 0)
		r = ct_jose_decode_part(j->arena, &parts[3],
					CT_JOSE_MAX_PAYLOAD, "ciphertext",
					&j->ciphertext, ei);
	if (r == 0)
		r = ct_jose_decode_part(j->arena, &parts[4], CT_JOSE_MAX_IV,
					"tag", &j->tag, ei);
	return r;
}

int ct_jwe_parse(const char *compact, size_t len, struct ct_jwe **out,
		 struct ct_errinfo *ei)
{
	struct ct_jose_part parts[5];
	struct ct_jwe *j;
	int r;

	*out = NULL;
	j = calloc(1, sizeof(*j));
	if (j == NULL)
		return CT_ERR_NOMEM;
	r = ct_jose_parse_begin(compact, len, parts, 5, &j->arena, &j->header,
				&j->header_json, &j->alg_name, ei);
	if (r != 0)
		goto out;
	j->alg = ct_jose_alg_from_name(j->alg_name) & JWE_ALGS;
	r = ct_json_get_str(j->header, "enc", &j->enc_name, NULL);
	if (r != 0) {
		ct_errinfo_set(ei, r, "header \"enc\": %s", ct_strerror(r));
		goto out;
	}
	r = ct_jose_header_str(j->header, "kid", &j->kid, ei);
	if (r == 0)
		r = decode_parts(j, parts, ei);
	if (r != 0)
		goto out;
	/* AAD is the header part exactly as received (RFC 7516 §5.2). */
	j->aad.data = ct_arena_memdup(j->arena, parts[0].p, parts[0].len, 1);
	j->aad.len = parts[0].len;
	if (j->aad.data == NULL) {
		r = CT_ERR_NOMEM;
		goto out;
	}
	*out = j;
	j = NULL;
out:
	ct_jwe_free(j);
	return r;
}

/* Checks enc and the sizes A256GCM needs. */
static int check_gcm(const struct ct_jwe *jwe, struct ct_errinfo *ei)
{
	char name[32];

	if (strcmp(jwe->enc_name, CT_JOSE_ENC_A256GCM) != 0)
		return ct_errinfo_set(ei, CT_ERR_UNSUPPORTED_ALG,
				      "JWE enc \"%s\" not accepted",
				      ct_jose_printable(jwe->enc_name, name,
							sizeof(name)));
	if (jwe->iv.len != CT_JOSE_GCM_IV_LEN ||
	    jwe->tag.len != CT_JOSE_GCM_TAG_LEN)
		return ct_errinfo_set(ei, CT_ERR_BAD_JOSE,
				      "A256GCM needs a 12-byte IV and a 16-byte tag");
	return 0;
}

static int check_alg(const struct ct_jwe *jwe, unsigned allowed,
		     struct ct_errinfo *ei)
{
	char name[32];

	if ((jwe->alg & allowed) == 0)
		return ct_errinfo_set(ei, CT_ERR_UNSUPPORTED_ALG,
				      "JWE alg \"%s\" not accepted here",
				      ct_jose_printable(jwe->alg_name, name,
							sizeof(name)));
	return check_gcm(jwe, ei);
}

/*
 * AES-256-GCM in either direction over in[0..len) into out; the tag is
 * written when sealing and checked when opening.  CT_ERR_INTEGRITY when
 * the tag does not match.
 */
static int gcm(bool seal, const uint8_t *key, const uint8_t *iv,
	       const struct ct_jose_blob *aad, const uint8_t *in, size_t len,
	       uint8_t *out, uint8_t *tag)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int n, r = CT_ERR_CRYPTO;

	if (c == NULL)
		return CT_ERR_NOMEM;
	if (EVP_CipherInit_ex(c, EVP_aes_256_gcm(), NULL, key, iv, seal) != 1 ||
	    EVP_CipherUpdate(c, NULL, &n, aad->data, (int)aad->len) != 1 ||
	    (len > 0 && EVP_CipherUpdate(c, out, &n, in, (int)len) != 1))
		goto out;
	if (!seal && EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG,
					 CT_JOSE_GCM_TAG_LEN, tag) != 1)
		goto out;
	if (EVP_CipherFinal_ex(c, out + len, &n) != 1) {
		r = seal ? CT_ERR_CRYPTO : CT_ERR_INTEGRITY;
		goto out;
	}
	if (seal && EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG,
					CT_JOSE_GCM_TAG_LEN, tag) != 1)
		goto out;
	r = 0;
out:
	EVP_CIPHER_CTX_free(c);
	return r;
}

/* Decrypts the content with cek and appends the plaintext to plain. */
static int open_content(const struct ct_jwe *jwe, const uint8_t *cek,
			struct ct_buf *plain, struct ct_errinfo *ei)
{
	size_t len = jwe->ciphertext.len;
	uint8_t none, *dst;
	int r;

	r = ct_buf_reserve(plain, len);
	if (r != 0)
		return ct_errinfo_set(ei, r, "JWE plaintext: %s",
				      ct_strerror(r));
	/* An empty buffer may have no data pointer; GCM still checks the tag. */
	dst = len > 0 ? plain->data + plain->len : &none;
	r = gcm(false, cek, jwe->iv.data, &jwe->aad, jwe->ciphertext.data,
		len, dst, (uint8_t *)jwe->tag.data);
	if (r != 0) {
		ct_zap(dst, len);
		return ct_errinfo_set(ei, r, "JWE does not decrypt");
	}
	plain->len += len;
	return 0;
}

/*
 * Finishes a compact JWE: the header (alg, enc A256GCM, extra) is already
 * in b; appends the encrypted key, a fresh IV, the ciphertext and the tag.
 */
static int seal_content(struct ct_buf *b, const uint8_t *cek,
			const uint8_t *ek, size_t eklen, const void *plain,
			size_t len, char **out, struct ct_errinfo *ei)
{
	struct ct_jose_blob aad = {b->data, b->len};
	uint8_t iv[CT_JOSE_GCM_IV_LEN], tag[CT_JOSE_GCM_TAG_LEN];
	uint8_t *ct;
	int r;

	if (len > CT_JOSE_MAX_PAYLOAD)
		return ct_errinfo_set(ei, CT_ERR_TOO_LARGE,
				      "JWE plaintext of %zu bytes (limit %d)",
				      len, CT_JOSE_MAX_PAYLOAD);
	if (RAND_bytes(iv, sizeof(iv)) != 1)
		return ct_jose_ossl_fail(ei, CT_ERR_CRYPTO, "random IV");
	ct = malloc(len + 16);
	if (ct == NULL)
		return CT_ERR_NOMEM;
	r = gcm(true, cek, iv, &aad, plain, len, ct, tag);
	if (r == 0) {
		ct_jose_put_part(b, ek, eklen);
		ct_jose_put_part(b, iv, sizeof(iv));
		ct_jose_put_part(b, ct, len);
		ct_jose_put_part(b, tag, sizeof(tag));
		r = ct_jose_finish(b, out);
	}
	free(ct);
	return r;
}

/* RSA-OAEP with SHA-1 or SHA-256 (and MGF1 with the same hash). */
static int rsa_oaep(bool enc, enum ct_jose_alg alg, EVP_PKEY *key,
		    const uint8_t *in, size_t inlen, uint8_t *out,
		    size_t *outlen)
{
	const char *md = alg == CT_JOSE_RSA_OAEP ? "SHA1" : "SHA256";
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);
	int r = CT_ERR_CRYPTO;

	if (c == NULL)
		return CT_ERR_NOMEM;
	if ((enc ? EVP_PKEY_encrypt_init(c) : EVP_PKEY_decrypt_init(c)) != 1 ||
	    EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_OAEP_PADDING) != 1 ||
	    EVP_PKEY_CTX_set_rsa_oaep_md_name(c, md, NULL) != 1 ||
	    EVP_PKEY_CTX_set_rsa_mgf1_md_name(c, md, NULL) != 1)
		goto out;
	if ((enc ? EVP_PKEY_encrypt(c, out, outlen, in, inlen) :
		   EVP_PKEY_decrypt(c, out, outlen, in, inlen)) == 1)
		r = 0;
out:
	EVP_PKEY_CTX_free(c);
	return r;
}

int ct_jwe_encrypt_rsa(enum ct_jose_alg alg, const json_t *extra,
		       const void *plain, size_t len, EVP_PKEY *key,
		       char **out, struct ct_errinfo *ei)
{
	uint8_t cek[CT_JOSE_GCM_KEY_LEN], ek[CT_JOSE_MAX_SIG];
	size_t eklen = sizeof(ek);
	struct ct_buf b;
	int r;

	if (alg != CT_JOSE_RSA_OAEP && alg != CT_JOSE_RSA_OAEP_256)
		return ct_errinfo_set(ei, CT_ERR_UNSUPPORTED_ALG,
				      "ct_jwe_encrypt_rsa does RSA-OAEP and RSA-OAEP-256 only");
	r = ct_jose_check_rsa(key, ei);
	if (r != 0)
		return r;
	if (RAND_bytes(cek, sizeof(cek)) != 1)
		return ct_jose_ossl_fail(ei, CT_ERR_CRYPTO, "random CEK");
	ct_buf_init(&b, CT_JOSE_MAX_COMPACT);
	r = rsa_oaep(true, alg, key, cek, sizeof(cek), ek, &eklen);
	if (r != 0) {
		ct_jose_ossl_fail(ei, r, "RSA-OAEP encryption");
		goto out;
	}
	r = ct_jose_put_header(&b, ct_jose_alg_name(alg), CT_JOSE_ENC_A256GCM,
			       extra, ei);
	if (r == 0)
		r = seal_content(&b, cek, ek, eklen, plain, len, out, ei);
out:
	ct_zap(cek, sizeof(cek));
	ct_buf_free(&b);
	return r;
}

/* Whether an RSA key holds its private exponent (a caller's mistake if not). */
static bool has_private(EVP_PKEY *key)
{
	BIGNUM *d = NULL;
	bool ok = EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_D, &d) == 1;

	BN_clear_free(d);
	ERR_clear_error();
	return ok;
}

int ct_jwe_decrypt_rsa(const struct ct_jwe *jwe, unsigned allowed,
		       EVP_PKEY *key, struct ct_buf *plain,
		       struct ct_errinfo *ei)
{
	uint8_t cek[CT_JOSE_MAX_SIG];
	size_t ceklen = sizeof(cek);
	int r;

	r = check_alg(jwe, allowed & RSA_ALGS, ei);
	if (r == 0)
		r = ct_jose_check_rsa(key, ei);
	if (r != 0)
		return r;
	if (!has_private(key))
		return ct_errinfo_set(ei, CT_ERR_BAD_KEY,
				      "RSA key without its private half");
	if (jwe->encrypted_key.len != (size_t)EVP_PKEY_get_size(key))
		return ct_errinfo_set(ei, CT_ERR_BAD_JOSE,
				      "encrypted key of %zu bytes for a %d-byte RSA key",
				      jwe->encrypted_key.len,
				      EVP_PKEY_get_size(key));
	/*
	 * RFC 7516 §11.5: a padding failure must look like a wrong tag, so
	 * carry on with a random CEK and let GCM fail.
	 */
	if (rsa_oaep(false, jwe->alg, key, jwe->encrypted_key.data,
		     jwe->encrypted_key.len, cek, &ceklen) != 0 ||
	    ceklen != CT_JOSE_GCM_KEY_LEN) {
		ERR_clear_error();
		if (RAND_bytes(cek, CT_JOSE_GCM_KEY_LEN) != 1)
			return ct_jose_ossl_fail(ei, CT_ERR_CRYPTO, "random");
	}
	r = open_content(jwe, cek, plain, ei);
	ct_zap(cek, sizeof(cek));
	return r;
}

int ct_jwe_encrypt_dir(const json_t *extra, const void *plain, size_t len,
		       const uint8_t *key, size_t keylen, char **out,
		       struct ct_errinfo *ei)
{
	struct ct_buf b;
	int r;

	if (keylen != CT_JOSE_GCM_KEY_LEN)
		return ct_errinfo_set(ei, CT_ERR_BAD_KEY,
				      "A256GCM key of %zu bytes", keylen);
	ct_buf_init(&b, CT_JOSE_MAX_COMPACT);
	r = ct_jose_put_header(&b, ct_jose_alg_name(CT_JOSE_DIR),
			       CT_JOSE_ENC_A256GCM, extra, ei);
	if (r == 0)
		r = seal_content(&b, key, NULL, 0, plain, len, out, ei);
	ct_buf_free(&b);
	return r;
}

int ct_jwe_decrypt_dir(const struct ct_jwe *jwe, const uint8_t *key,
		       size_t keylen, struct ct_buf *plain,
		       struct ct_errinfo *ei)
{
	int r;

	r = check_alg(jwe, CT_JOSE_DIR, ei);
	if (r != 0)
		return r;
	if (jwe->encrypted_key.len != 0)
		return ct_errinfo_set(ei, CT_ERR_BAD_JOSE,
				      "\"dir\" JWE with an encrypted key");
	if (keylen != CT_JOSE_GCM_KEY_LEN)
		return ct_errinfo_set(ei, CT_ERR_BAD_KEY,
				      "A256GCM key of %zu bytes", keylen);
	return open_content(jwe, key, plain, ei);
}

static int derive_session_key(const uint8_t *sk, size_t sklen, const uint8_t *ctx,
		       size_t ctxlen, uint8_t key[CT_JOSE_GCM_KEY_LEN],
		       struct ct_errinfo *ei)
{
	static const char label[] = CT_JWE_KDF_LABEL;
	int r;

	if (sklen == 0 || sklen > CT_KDF_MAX_KEY)
		return ct_errinfo_set(ei, CT_ERR_BAD_KEY,
				      "session key of %zu bytes", sklen);
	r = ct_kdf_sp800_108_hmac_sha256(sk, sklen, (const uint8_t *)label,
					 sizeof(label) - 1, ctx, ctxlen, key,
					 CT_JOSE_GCM_KEY_LEN);
	if (r != 0)
		return ct_errinfo_set(ei, r, "session key derivation failed");
	return 0;
}

int ct_jwe_encrypt_session(const void *plain, size_t len,
			   const uint8_t *session_key, size_t sklen,
			   char **out, struct ct_errinfo *ei)
{
	uint8_t ctx[CT_JWE_CTX_LEN], key[CT_JOSE_GCM_KEY_LEN];
	struct ct_buf b;
	json_t *extra = NULL;
	int r;

	if (RAND_bytes(ctx, sizeof(ctx)) != 1)
		return ct_jose_ossl_fail(ei, CT_ERR_CRYPTO, "random ctx");
	r = derive_session_key(session_key, sklen, ctx, sizeof(ctx), key, ei);
	if (r != 0)
		return r;
	ct_buf_init(&b, CT_JOSE_MAX_CTX * 2);
	r = ct_b64_encode(&b, ctx, sizeof(ctx));
	if (r != 0)
		goto out;
	r = CT_ERR_NOMEM;
	extra = json_pack("{ss%}", "ctx", (const char *)b.data, b.len);
	if (extra == NULL)
		goto out;
	r = ct_jwe_encrypt_dir(extra, plain, len, key, sizeof(key), out, ei);
out:
	json_decref(extra);
	ct_buf_free(&b);
	ct_zap(key, sizeof(key));
	return r;
}

int ct_jwe_decrypt_session(const struct ct_jwe *jwe,
			   const uint8_t *session_key, size_t sklen,
			   struct ct_buf *plain, struct ct_errinfo *ei)
{
	uint8_t key[CT_JOSE_GCM_KEY_LEN];
	struct ct_buf ctx;
	const char *s;
	size_t slen;
	int64_t ver;
	int r;

	r = check_alg(jwe, CT_JOSE_DIR, ei);
	if (r != 0)
		return r;
	r = ct_json_get_int_lenient(jwe->header, "kdf_ver", &ver);
	if (r == 0 && ver != 1)
		return ct_errinfo_set(ei, CT_ERR_UNSUPPORTED_ALG,
				      "kdf_ver %lld is not supported",
				      (long long)ver);
	if (r != 0 && r != CT_ERR_MISSING_FIELD)
		return ct_errinfo_set(ei, CT_ERR_BAD_JOSE, "bad \"kdf_ver\"");
	if (ct_json_get_str(jwe->header, "ctx", &s, &slen) != 0)
		return ct_errinfo_set(ei, CT_ERR_BAD_JOSE,
				      "session-key JWE without a \"ctx\" string");
	ct_buf_init(&ctx, CT_JOSE_MAX_CTX);
	if (ct_b64_decode(&ctx, s, slen) != 0 || ctx.len == 0) {
		r = ct_errinfo_set(ei, CT_ERR_BAD_JOSE,
				   "\"ctx\" is not 1..%d bytes of base64",
				   CT_JOSE_MAX_CTX);
		goto out;
	}
	r = derive_session_key(session_key, sklen, ctx.data, ctx.len, key, ei);
	if (r == 0)
		r = ct_jwe_decrypt_dir(jwe, key, sizeof(key), plain, ei);
out:
	ct_zap(key, sizeof(key));
	ct_buf_free(&ctx);
	return r;
}
