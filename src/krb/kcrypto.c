/* SPDX-License-Identifier: Apache-2.0 */
#include "kcrypto.h"

#include <krb5/krb5.h>
#include <stdlib.h>
#include <string.h>

#include "ct-error.h"
#include "ct-limits.h"
#include "ct-secret.h"

struct ct_kcrypto {
	krb5_context ctx;
};

static const struct {
	int32_t enctype;
	size_t keylen;
	int32_t cksumtype;
	const char *name;
} enctypes[] = {
	{CT_ENCTYPE_AES128_SHA1, 16, 15, "aes128-cts-hmac-sha1-96"},
	{CT_ENCTYPE_AES256_SHA1, 32, 16, "aes256-cts-hmac-sha1-96"},
	{CT_ENCTYPE_AES128_SHA256, 16, 19, "aes128-cts-hmac-sha256-128"},
	{CT_ENCTYPE_AES256_SHA384, 32, 20, "aes256-cts-hmac-sha384-192"},
};

static int enctype_index(int32_t enctype)
{
	size_t i;

	for (i = 0; i < sizeof(enctypes) / sizeof(enctypes[0]); i++)
		if (enctypes[i].enctype == enctype)
			return (int)i;
	return -1;
}

bool ct_enctype_supported(int32_t enctype)
{
	return enctype_index(enctype) >= 0;
}

size_t ct_enctype_keylen(int32_t enctype)
{
	int i = enctype_index(enctype);

	return i < 0 ? 0 : enctypes[i].keylen;
}

int32_t ct_enctype_cksumtype(int32_t enctype)
{
	int i = enctype_index(enctype);

	return i < 0 ? 0 : enctypes[i].cksumtype;
}

const char *ct_enctype_name(int32_t enctype)
{
	int i = enctype_index(enctype);

	return i < 0 ? "unknown" : enctypes[i].name;
}

int ct_kcrypto_new(struct ct_kcrypto **out)
{
	struct ct_kcrypto *kc;

	*out = NULL;
	kc = calloc(1, sizeof(*kc));
	if (kc == NULL)
		return CT_ERR_NOMEM;
	/* A secure context ignores KRB5_CONFIG: crypto needs no profile. */
	if (krb5_init_secure_context(&kc->ctx) != 0) {
		free(kc);
		return CT_ERR_CRYPTO;
	}
	*out = kc;
	return 0;
}

void ct_kcrypto_free(struct ct_kcrypto *kc)
{
	if (kc == NULL)
		return;
	krb5_free_context(kc->ctx);
	free(kc);
}

/* Builds a borrowed keyblock view of key after checking enctype and length. */
static int keyblock_view(const struct ct_krb_key *key, krb5_keyblock *kb)
{
	if (!ct_enctype_supported(key->enctype))
		return CT_ERR_UNSUPPORTED_ENCTYPE;
	if (key->value.len != ct_enctype_keylen(key->enctype) ||
	    key->value.data == NULL)
		return CT_ERR_BAD_VALUE;
	memset(kb, 0, sizeof(*kb));
	kb->magic = KV5M_KEYBLOCK;
	kb->enctype = key->enctype;
	kb->length = (unsigned int)key->value.len;
	kb->contents = key->value.data;
	return 0;
}

int ct_kcrypto_encrypt(struct ct_kcrypto *kc, struct ct_arena *a,
		       const struct ct_krb_key *key, int32_t usage,
		       const uint8_t *plain, size_t plainlen,
		       struct ct_krb_enc_data *out)
{
	krb5_keyblock kb;
	krb5_data in;
	krb5_enc_data enc;
	size_t clen;
	uint8_t *cipher;
	int r;

	r = keyblock_view(key, &kb);
	if (r != 0)
		return r;
	if (plainlen > CT_KRB_MAX_MSG)
		return CT_ERR_TOO_LARGE;
	if (krb5_c_encrypt_length(kc->ctx, kb.enctype, plainlen, &clen) != 0)
		return CT_ERR_CRYPTO;
	cipher = ct_arena_alloc(a, clen);
	if (cipher == NULL)
		return CT_ERR_NOMEM;
	in.magic = KV5M_DATA;
	in.length = (unsigned int)plainlen;
	in.data = (char *)plain;
	memset(&enc, 0, sizeof(enc));
	enc.magic = KV5M_ENC_DATA;
	enc.ciphertext.length = (unsigned int)clen;
	enc.ciphertext.data = (char *)cipher;
	if (krb5_c_encrypt(kc->ctx, &kb, usage, NULL, &in, &enc) != 0)
		return CT_ERR_CRYPTO;
	out->etype = key->enctype;
	out->cipher.data = cipher;
	out->cipher.len = enc.ciphertext.length;
	return 0;
}

int ct_kcrypto_decrypt(struct ct_kcrypto *kc, const struct ct_krb_key *key,
		       int32_t usage, const struct ct_krb_enc_data *enc,
		       struct ct_buf *out)
{
	krb5_keyblock kb;
	krb5_enc_data in;
	krb5_data plain;
	krb5_error_code kr;
	int r;

	r = keyblock_view(key, &kb);
	if (r != 0)
		return r;
	if (enc->etype != key->enctype)
		return CT_ERR_MISMATCH;
	if (enc->cipher.len > CT_KRB_MAX_MSG)
		return CT_ERR_TOO_LARGE;
	r = ct_buf_reserve(out, enc->cipher.len);
	if (r != 0)
		return r;
	memset(&in, 0, sizeof(in));
	in.magic = KV5M_ENC_DATA;
	in.enctype = enc->etype;
	in.ciphertext.length = (unsigned int)enc->cipher.len;
	in.ciphertext.data = (char *)enc->cipher.data;
	plain.magic = KV5M_DATA;
	plain.length = (unsigned int)enc->cipher.len;
	plain.data = (char *)out->data + out->len;
	kr = krb5_c_decrypt(kc->ctx, &kb, usage, NULL, &in, &plain);
	if (kr != 0) {
		ct_zap(out->data + out->len, enc->cipher.len);
		return kr == KRB5KRB_AP_ERR_BAD_INTEGRITY ||
				       kr == KRB5_BAD_MSIZE
			       ? CT_ERR_INTEGRITY
			       : CT_ERR_CRYPTO;
	}
	out->len += plain.length;
	return 0;
}

int ct_kcrypto_checksum(struct ct_kcrypto *kc, const struct ct_krb_key *key,
			int32_t usage, int32_t cksumtype, const uint8_t *data,
			size_t len, struct ct_buf *out, int32_t *type_out)
{
	krb5_keyblock kb;
	krb5_data in;
	krb5_checksum ck;
	int r;

	r = keyblock_view(key, &kb);
	if (r != 0)
		return r;
	if (cksumtype == 0)
		cksumtype = ct_enctype_cksumtype(key->enctype);
	in.magic = KV5M_DATA;
	in.length = (unsigned int)len;
	in.data = (char *)data;
	memset(&ck, 0, sizeof(ck));
	if (krb5_c_make_checksum(kc->ctx, cksumtype, &kb, usage, &in, &ck) != 0)
		return CT_ERR_CRYPTO;
	ct_buf_put(out, ck.contents, ck.length);
	krb5_free_checksum_contents(kc->ctx, &ck);
	if (type_out != NULL)
		*type_out = cksumtype;
	return out->err;
}

int ct_kcrypto_verify_checksum(struct ct_kcrypto *kc,
			       const struct ct_krb_key *key, int32_t usage,
			       const uint8_t *data, size_t len,
			       const struct ct_krb_checksum *cksum)
{
	krb5_keyblock kb;
	krb5_data in;
	krb5_checksum ck;
	krb5_boolean valid = 0;
	int r;

	r = keyblock_view(key, &kb);
	if (r != 0)
		return r;
	in.magic = KV5M_DATA;
	in.length = (unsigned int)len;
	in.data = (char *)data;
	memset(&ck, 0, sizeof(ck));
	ck.magic = KV5M_CHECKSUM;
	ck.checksum_type = cksum->type;
	ck.length = (unsigned int)cksum->value.len;
	ck.contents = cksum->value.data;
	/* krb5_c_verify_checksum compares in constant time. */
	if (krb5_c_verify_checksum(kc->ctx, &kb, usage, &in, &ck, &valid) != 0)
		return CT_ERR_INTEGRITY;
	return valid ? 0 : CT_ERR_INTEGRITY;
}

size_t ct_cksumtype_len(struct ct_kcrypto *kc, int32_t cksumtype)
{
	size_t n = 0;

	if (krb5_c_checksum_length(kc->ctx, cksumtype, &n) != 0)
		return 0;
	return n;
}

int ct_kcrypto_random(struct ct_kcrypto *kc, void *p, size_t n)
{
	krb5_data d;

	d.magic = KV5M_DATA;
	d.length = (unsigned int)n;
	d.data = p;
	return krb5_c_random_make_octets(kc->ctx, &d) == 0 ? 0 : CT_ERR_CRYPTO;
}

/* Copies a krb5 keyblock into an arena-owned ct_krb_key. */
static int key_from_keyblock(struct ct_arena *a, const krb5_keyblock *kb,
			     struct ct_krb_key *out)
{
	uint8_t *v = ct_arena_memdup(a, kb->contents, kb->length, 0);

	if (v == NULL)
		return CT_ERR_NOMEM;
	out->enctype = kb->enctype;
	out->value.data = v;
	out->value.len = kb->length;
	return 0;
}

int ct_kcrypto_random_key(struct ct_kcrypto *kc, struct ct_arena *a,
			  int32_t enctype, struct ct_krb_key *out)
{
	krb5_keyblock kb;
	int r;

	if (!ct_enctype_supported(enctype))
		return CT_ERR_UNSUPPORTED_ENCTYPE;
	memset(&kb, 0, sizeof(kb));
	if (krb5_c_make_random_key(kc->ctx, enctype, &kb) != 0)
		return CT_ERR_CRYPTO;
	r = key_from_keyblock(a, &kb, out);
	krb5_free_keyblock_contents(kc->ctx, &kb);
	return r;
}

int ct_kcrypto_string_to_key(struct ct_kcrypto *kc, struct ct_arena *a,
			     int32_t enctype, const char *password,
			     const char *salt, const struct ct_bytes *params,
			     struct ct_krb_key *out)
{
	krb5_keyblock kb;
	krb5_data pw, sd, pd;
	int r;

	if (!ct_enctype_supported(enctype))
		return CT_ERR_UNSUPPORTED_ENCTYPE;
	pw.magic = sd.magic = pd.magic = KV5M_DATA;
	pw.length = (unsigned int)strlen(password);
	pw.data = (char *)password;
	sd.length = (unsigned int)strlen(salt);
	sd.data = (char *)salt;
	if (params != NULL) {
		pd.length = (unsigned int)params->len;
		pd.data = (char *)params->data;
	}
	memset(&kb, 0, sizeof(kb));
	if (krb5_c_string_to_key_with_params(kc->ctx, enctype, &pw, &sd,
					     params != NULL ? &pd : NULL,
					     &kb) != 0)
		return CT_ERR_CRYPTO;
	r = key_from_keyblock(a, &kb, out);
	krb5_free_keyblock_contents(kc->ctx, &kb);
	return r;
}
