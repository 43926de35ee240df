/* SPDX-License-Identifier: Apache-2.0 */
#include "ks-ec.h"

#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>
#include <string.h>

#include "ct-error.h"

int ks_ec_is_p256(const EVP_PKEY *pkey)
{
	char group[32];
	size_t glen = 0;

	if (pkey == NULL || EVP_PKEY_get_base_id(pkey) != EVP_PKEY_EC ||
	    EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME,
					   group, sizeof(group), &glen) != 1)
		return 0;
	return strcmp(group, "prime256v1") == 0 || strcmp(group, "P-256") == 0;
}

int ks_ec_pub_from_spki(const uint8_t *der, size_t len, EVP_PKEY **out)
{
	const unsigned char *p = der;
	EVP_PKEY *pkey;

	if (len == 0 || len > 4096)
		return CT_ERR_BAD_KEY;
	pkey = d2i_PUBKEY(NULL, &p, (long)len);
	if (pkey == NULL || p != der + len || !ks_ec_is_p256(pkey)) {
		EVP_PKEY_free(pkey);
		return CT_ERR_BAD_KEY;
	}
	*out = pkey;
	return 0;
}

int ks_ec_pub_to_spki(EVP_PKEY *pkey, struct ct_buf *out)
{
	unsigned char *der = NULL;
	int n = i2d_PUBKEY(pkey, &der);

	if (n <= 0)
		return CT_ERR_CRYPTO;
	ct_buf_put(out, der, (size_t)n);
	OPENSSL_free(der);
	return out->err;
}

/* Left-pads a big-endian integer of up to 32 bytes to exactly 32. */
static int pad32(uint8_t *dst, const uint8_t *src, size_t len)
{
	/* Leading zero bytes beyond 32 are harmless; anything else is not. */
	while (len > CT_KS_P256_LEN && *src == 0) {
		src++;
		len--;
	}
	if (len > CT_KS_P256_LEN)
		return CT_ERR_BAD_VALUE;
	memset(dst, 0, CT_KS_P256_LEN - len);
	if (len > 0)
		memcpy(dst + CT_KS_P256_LEN - len, src, len);
	return 0;
}

int ks_ec_pub_from_xy(const uint8_t *x, size_t xlen, const uint8_t *y,
		      size_t ylen, EVP_PKEY **out)
{
	uint8_t point[1 + 2 * CT_KS_P256_LEN];
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;
	int r = CT_ERR_BAD_KEY;

	point[0] = 0x04;    /* uncompressed */
	if (pad32(point + 1, x, xlen) != 0 ||
	    pad32(point + 1 + CT_KS_P256_LEN, y, ylen) != 0)
		return CT_ERR_BAD_KEY;
	bld = OSSL_PARAM_BLD_new();
	if (bld == NULL ||
	    OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
					    "prime256v1", 0) != 1 ||
	    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY,
					     point, sizeof(point)) != 1 ||
	    (params = OSSL_PARAM_BLD_to_param(bld)) == NULL) {
		r = CT_ERR_NOMEM;
		goto out;
	}
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	/* fromdata checks that the point is on the curve. */
	if (ctx == NULL || EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1)
		goto out;
	*out = pkey;
	pkey = NULL;
	r = 0;
out:
	EVP_PKEY_free(pkey);
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	return r;
}

int ks_ec_sig_put_rs(struct ct_buf *sig, const uint8_t *r, size_t rlen,
		     const uint8_t *s, size_t slen)
{
	uint8_t rs[2 * CT_KS_P256_LEN];

	if (pad32(rs, r, rlen) != 0 || pad32(rs + CT_KS_P256_LEN, s, slen) != 0)
		return CT_ERR_SIGNATURE;
	ct_buf_put(sig, rs, sizeof(rs));
	return sig->err;
}

int ks_ec_sig_from_der(const uint8_t *der, size_t len, struct ct_buf *sig)
{
	const unsigned char *p = der;
	uint8_t r[CT_KS_P256_LEN], s[CT_KS_P256_LEN];
	const BIGNUM *br, *bs;
	ECDSA_SIG *es;
	int ret = CT_ERR_CRYPTO;

	es = d2i_ECDSA_SIG(NULL, &p, (long)len);
	if (es == NULL)
		return CT_ERR_CRYPTO;
	ECDSA_SIG_get0(es, &br, &bs);
	if (BN_bn2binpad(br, r, sizeof(r)) == sizeof(r) &&
	    BN_bn2binpad(bs, s, sizeof(s)) == sizeof(s))
		ret = ks_ec_sig_put_rs(sig, r, sizeof(r), s, sizeof(s));
	ECDSA_SIG_free(es);
	return ret;
}
