/* SPDX-License-Identifier: Apache-2.0 */
#include "keyblob.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>
#include <string.h>

#include "b64.h"
#include "ct-limits.h"
#include "ct-secret.h"
#include "jose-internal.h"

static const uint8_t rsa1_magic[4] = {0x52, 0x53, 0x41, 0x31}; /* "RSA1" */
static const uint8_t ecs1_magic[4] = {0x45, 0x43, 0x53, 0x31}; /* "ECS1" */
#define P256_LEN 32

/* The checks every import ends with: a key type and size we accept. */
static int check_import(EVP_PKEY *key, struct ct_errinfo *ei)
{
	EVP_PKEY_CTX *c;
	int r;

	if (EVP_PKEY_is_a(key, "RSA"))
		return ct_jose_check_rsa(key, ei);
	r = ct_jose_check_p256(key, ei);
	if (r != 0)
		return r;
	/* On the curve, not the point at infinity, of the right order. */
	c = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);
	if (c == NULL)
		return CT_ERR_NOMEM;
	if (EVP_PKEY_public_check(c) != 1)
		r = ct_jose_ossl_fail(ei, CT_ERR_BAD_KEY,
				      "EC public key fails its check");
	EVP_PKEY_CTX_free(c);
	return r;
}

/* Builds a public EVP_PKEY of type from params. */
static int pkey_from_params(const char *type, OSSL_PARAM_BLD *bld,
			    EVP_PKEY **out, struct ct_errinfo *ei)
{
	OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
	EVP_PKEY *key = NULL;
	int r = CT_ERR_NOMEM;

	if (params == NULL || c == NULL)
		goto out;
	if (EVP_PKEY_fromdata_init(c) != 1 ||
	    EVP_PKEY_fromdata(c, &key, EVP_PKEY_PUBLIC_KEY, params) != 1) {
		r = ct_jose_ossl_fail(ei, CT_ERR_BAD_KEY,
				      "key material refused");
		goto out;
	}
	r = check_import(key, ei);
	if (r != 0)
		goto out;
	*out = key;
	key = NULL;
out:
	EVP_PKEY_free(key);
	EVP_PKEY_CTX_free(c);
	OSSL_PARAM_free(params);
	return r;
}

/* Checks the fixed blob header: magic and the cursor's state. */
static int check_magic(const uint8_t *magic, const uint8_t *want,
		       const char *name, struct ct_errinfo *ei)
{
	if (magic == NULL)
		return ct_errinfo_set(ei, CT_ERR_TRUNCATED,
				      "%s blob header truncated", name);
	if (memcmp(magic, want, 4) != 0)
		return ct_errinfo_set(ei, CT_ERR_BAD_VALUE,
				      "not a %s blob", name);
	return 0;
}

/* Checks the tail state after the last field was read. */
static int check_end(const struct ct_cursor *c, const char *name,
		     struct ct_errinfo *ei)
{
	if (c->err != 0)
		return ct_errinfo_set(ei, c->err, "%s blob truncated", name);
	if (!ct_cursor_empty(c))
		return ct_errinfo_set(ei, CT_ERR_TRAILING,
				      "%zu bytes after the %s blob", c->len,
				      name);
	return 0;
}

/* Checks an RSA1 exponent and modulus for the one encoding we accept. */
static int check_rsa1_numbers(const uint8_t *e, size_t elen,
			      const uint8_t *n, size_t nlen, uint32_t bits,
			      struct ct_errinfo *ei)
{
	uint32_t ev = 0;
	size_t i;
	unsigned top = 8;

	if (e[0] == 0 || n[0] == 0)
		return ct_errinfo_set(ei, CT_ERR_BAD_VALUE,
				      "RSA1 number with a leading zero byte");
	for (i = 0; i < elen; i++)
		ev = ev << 8 | e[i];
	if ((ev & 1) == 0 || ev < 3 || ev >= 1u << 31)
		return ct_errinfo_set(ei, CT_ERR_BAD_KEY,
				      "RSA exponent %u (need odd, 3..2^31-1)",
				      ev);
	while ((n[0] >> (top - 1)) == 0)
		top--;
	if ((nlen - 1) * 8 + top != bits)
		return ct_errinfo_set(ei, CT_ERR_BAD_VALUE,
				      "RSA1 BitLength %u but a %zu-bit modulus",
				      bits, (nlen - 1) * 8 + top);
	if ((n[nlen - 1] & 1) == 0)
		return ct_errinfo_set(ei, CT_ERR_BAD_KEY, "even RSA modulus");
	return 0;
}

int ct_rsa1_blob_import(const uint8_t *blob, size_t len, EVP_PKEY **out,
			struct ct_errinfo *ei)
{
	const uint8_t *magic, *e, *n;
	uint32_t bits, elen, nlen, p1, p2;
	struct ct_cursor c;
	OSSL_PARAM_BLD *bld = NULL;
	BIGNUM *bn_n = NULL, *bn_e = NULL;
	int r;

	*out = NULL;
	ct_cursor_init(&c, blob, len);
	magic = ct_cursor_get(&c, 4);
	r = check_magic(magic, rsa1_magic, "RSA1", ei);
	if (r != 0)
		return r;
	bits = ct_cursor_get_le32(&c);
	elen = ct_cursor_get_le32(&c);
	nlen = ct_cursor_get_le32(&c);
	p1 = ct_cursor_get_le32(&c);
	p2 = ct_cursor_get_le32(&c);
	if (c.err != 0)
		return check_end(&c, "RSA1", ei);
	if (p1 != 0 || p2 != 0)
		return ct_errinfo_set(ei, CT_ERR_BAD_VALUE,
				      "RSA1 blob with private-key lengths");
	if (bits < CT_RSA_MIN_BITS || bits > CT_RSA_MAX_BITS)
		return ct_errinfo_set(ei, CT_ERR_BAD_KEY,
				      "RSA key of %u bits (accepted: %d..%d)",
				      bits, CT_RSA_MIN_BITS, CT_RSA_MAX_BITS);
	if (nlen != (bits + 7) / 8 || elen == 0 || elen > 4)
		return ct_errinfo_set(ei, CT_ERR_BAD_VALUE,
				      "RSA1 lengths %u/%u for %u bits", elen,
				      nlen, bits);
	e = ct_cursor_get(&c, elen);
	n = ct_cursor_get(&c, nlen);
	r = check_end(&c, "RSA1", ei);
	if (r == 0)
		r = check_rsa1_numbers(e, elen, n, nlen, bits, ei);
	if (r != 0)
		return r;
	r = CT_ERR_NOMEM;
	bn_n = BN_bin2bn(n, (int)nlen, NULL);
	bn_e = BN_bin2bn(e, (int)elen, NULL);
	bld = OSSL_PARAM_BLD_new();
	if (bn_n == NULL || bn_e == NULL || bld == NULL ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e))
		goto out;
	r = pkey_from_params("RSA", bld, out, ei);
out:
	OSSL_PARAM_BLD_free(bld);
	BN_free(bn_n);
	BN_free(bn_e);
	return r;
}

int ct_rsa1_blob_export(EVP_PKEY *key, struct ct_buf *out)
{
	BIGNUM *n = NULL, *e = NULL;
	uint8_t nbuf[CT_RSA_MAX_BITS / 8], ebuf[4];
	int nlen, elen, r;

	r = ct_jose_check_rsa(key, NULL);
	if (r != 0)
		return r;
	r = CT_ERR_CRYPTO;
	if (!EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_N, &n) ||
	    !EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_E, &e))
		goto out;
	nlen = BN_bn2bin(n, nbuf);
	elen = BN_bn2bin(e, ebuf);
	ct_buf_put(out, rsa1_magic, sizeof(rsa1_magic));
	ct_buf_put_le32(out, (uint32_t)BN_num_bits(n));
	ct_buf_put_le32(out, (uint32_t)elen);
	ct_buf_put_le32(out, (uint32_t)nlen);
	ct_buf_put_le32(out, 0);
	ct_buf_put_le32(out, 0);
	ct_buf_put(out, ebuf, (size_t)elen);
	ct_buf_put(out, nbuf, (size_t)nlen);
	r = out->err;
out:
	BN_free(n);
	BN_free(e);
	return r;
}

int ct_ecs1_blob_import(const uint8_t *blob, size_t len, EVP_PKEY **out,
			struct ct_errinfo *ei)
{
	const uint8_t *magic, *x, *y;
	uint8_t point[1 + 2 * P256_LEN];
	struct ct_cursor c;
	OSSL_PARAM_BLD *bld;
	uint32_t cb;
	int r;

	*out = NULL;
	ct_cursor_init(&c, blob, len);
	magic = ct_cursor_get(&c, 4);
	r = check_magic(magic, ecs1_magic, "ECS1", ei);
	if (r != 0)
		return r;
	cb = ct_cursor_get_le32(&c);
	if (c.err == 0 && cb != P256_LEN)
		return ct_errinfo_set(ei, CT_ERR_BAD_VALUE,
				      "ECS1 cbKey %u (P-256 needs 32)", cb);
	x = ct_cursor_get(&c, P256_LEN);
	y = ct_cursor_get(&c, P256_LEN);
	r = check_end(&c, "ECS1", ei);
	if (r != 0)
		return r;
	point[0] = 0x04; /* uncompressed */
	memcpy(point + 1, x, P256_LEN);
	memcpy(point + 1 + P256_LEN, y, P256_LEN);
	bld = OSSL_PARAM_BLD_new();
	if (bld == NULL ||
	    !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
					     "prime256v1", 0) ||
	    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY,
					      point, sizeof(point)))
		r = CT_ERR_NOMEM;
	else
		r = pkey_from_params("EC", bld, out, ei);
	OSSL_PARAM_BLD_free(bld);
	return r;
}

int ct_ecs1_blob_export(EVP_PKEY *key, struct ct_buf *out)
{
	BIGNUM *x = NULL, *y = NULL;
	uint8_t xy[2 * P256_LEN];
	int r;

	r = ct_jose_check_p256(key, NULL);
	if (r != 0)
		return r;
	r = CT_ERR_CRYPTO;
	if (!EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_EC_PUB_X, &x) ||
	    !EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_EC_PUB_Y, &y) ||
	    BN_bn2binpad(x, xy, P256_LEN) != P256_LEN ||
	    BN_bn2binpad(y, xy + P256_LEN, P256_LEN) != P256_LEN)
		goto out;
	ct_buf_put(out, ecs1_magic, sizeof(ecs1_magic));
	ct_buf_put_le32(out, P256_LEN);
	ct_buf_put(out, xy, sizeof(xy));
	r = out->err;
out:
	BN_free(x);
	BN_free(y);
	return r;
}

int ct_key_blob_import(const uint8_t *blob, size_t len, EVP_PKEY **out,
		       struct ct_errinfo *ei)
{
	*out = NULL;
	if (len >= 4 && memcmp(blob, ecs1_magic, 4) == 0)
		return ct_ecs1_blob_import(blob, len, out, ei);
	if (len >= 4 && memcmp(blob, rsa1_magic, 4) == 0)
		return ct_rsa1_blob_import(blob, len, out, ei);
	return ct_errinfo_set(ei, len < 4 ? CT_ERR_TRUNCATED : CT_ERR_BAD_VALUE,
			      "neither an RSA1 nor an ECS1 key blob");
}

int ct_key_blob_kid(const uint8_t *blob, size_t len,
		    char out[CT_KID_BUFSIZE])
{
	uint8_t md[32];
	unsigned mdlen = 0;
	struct ct_buf b;
	int r;

	if (EVP_Digest(blob, len, md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen != sizeof(md))
		return ct_jose_ossl_fail(NULL, CT_ERR_CRYPTO, "SHA-256");
	ct_buf_init(&b, CT_KID_LEN);
	r = ct_b64_encode(&b, md, sizeof(md));
	if (r == 0) {
		memcpy(out, b.data, CT_KID_LEN);
		out[CT_KID_LEN] = '\0';
	}
	ct_buf_free(&b);
	return r;
}

int ct_spki_import(const uint8_t *der, size_t len, EVP_PKEY **out,
		   struct ct_errinfo *ei)
{
	const unsigned char *p = der;
	unsigned char *again = NULL;
	EVP_PKEY *key;
	int r, n;

	*out = NULL;
	if (len > CT_SPKI_MAX)
		return ct_errinfo_set(ei, CT_ERR_TOO_LARGE,
				      "SubjectPublicKeyInfo of %zu bytes", len);
	key = d2i_PUBKEY(NULL, &p, (long)len);
	if (key == NULL)
		return ct_jose_ossl_fail(ei, CT_ERR_BAD_VALUE,
					 "not a SubjectPublicKeyInfo");
	r = CT_ERR_TRAILING;
	if (p != der + len) {
		ct_errinfo_set(ei, r, "bytes after the SubjectPublicKeyInfo");
		goto out;
	}
	/* One encoding per key: what we would write must be what we read. */
	n = i2d_PUBKEY(key, &again);
	r = CT_ERR_BAD_VALUE;
	if (n < 0 || (size_t)n != len || memcmp(again, der, len) != 0) {
		ct_errinfo_set(ei, r, "SubjectPublicKeyInfo is not canonical DER");
		goto out;
	}
	r = check_import(key, ei);
	if (r != 0)
		goto out;
	*out = key;
	key = NULL;
out:
	OPENSSL_free(again);
	EVP_PKEY_free(key);
	return r;
}

int ct_spki_export(EVP_PKEY *key, struct ct_buf *out)
{
	unsigned char *der = NULL;
	int n, r;

	r = check_import(key, NULL);
	if (r != 0)
		return r;
	n = i2d_PUBKEY(key, &der);
	if (n <= 0)
		return ct_jose_ossl_fail(NULL, CT_ERR_CRYPTO, "i2d_PUBKEY");
	ct_buf_put(out, der, (size_t)n);
	OPENSSL_free(der);
	return out->err;
}
