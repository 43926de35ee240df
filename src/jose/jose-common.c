/* SPDX-License-Identifier: Apache-2.0 */
#include "jose-internal.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "ct-limits.h"
#include "strict-json.h"

static const struct {
	enum ct_jose_alg alg;
	const char *name;
} alg_names[] = {
	{CT_JOSE_RS256, "RS256"},
	{CT_JOSE_ES256, "ES256"},
	{CT_JOSE_HS256, "HS256"},
	{CT_JOSE_RSA_OAEP, "RSA-OAEP"},
	{CT_JOSE_RSA_OAEP_256, "RSA-OAEP-256"},
	{CT_JOSE_DIR, "dir"},
};

#define N_ALGS (sizeof(alg_names) / sizeof(alg_names[0]))

enum ct_jose_alg ct_jose_alg_from_name(const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < N_ALGS; i++)
		if (strcmp(alg_names[i].name, name) == 0)
			return alg_names[i].alg;
	return CT_JOSE_ALG_UNKNOWN;
}

const char *ct_jose_alg_name(enum ct_jose_alg alg)
{
	size_t i;

	for (i = 0; i < N_ALGS; i++)
		if (alg_names[i].alg == alg)
			return alg_names[i].name;
	return "unknown";
}

int ct_jose_split(const char *s, size_t n, struct ct_jose_part *parts,
		  size_t nparts, struct ct_errinfo *ei)
{
	size_t i, k = 0, start = 0;

	if (n > CT_JOSE_MAX_COMPACT)
		return ct_errinfo_set(ei, CT_ERR_TOO_LARGE,
				      "compact JOSE object of %zu bytes (limit %d)",
				      n, CT_JOSE_MAX_COMPACT);
	for (i = 0; i <= n; i++) {
		if (i < n && s[i] != '.')
			continue;
		if (k == nparts)
			return ct_errinfo_set(ei, CT_ERR_BAD_JOSE,
					      "more than %zu parts", nparts);
		parts[k].p = s + start;
		parts[k].len = i - start;
		k++;
		start = i + 1;
	}
	if (k != nparts)
		return ct_errinfo_set(ei, CT_ERR_BAD_JOSE,
				      "%zu parts where %zu are needed", k,
				      nparts);
	return 0;
}

int ct_jose_decode_part(struct ct_arena *a, const struct ct_jose_part *part,
			size_t max, const char *what, struct ct_jose_blob *out,
			struct ct_errinfo *ei)
{
	uint8_t *p;
	size_t len;
	int r;

	if (part->len > ct_b64url_encoded_len(max))
		return ct_errinfo_set(ei, CT_ERR_TOO_LARGE,
				      "%s longer than %zu bytes", what, max);
	r = ct_b64url_decode_arena(a, part->p, part->len, &p, &len);
	if (r != 0)
		return ct_errinfo_set(ei, r, "%s: %s", what, ct_strerror(r));
	out->data = p;
	out->len = len;
	return 0;
}

int ct_jose_header_str(const json_t *hdr, const char *key, const char **out,
		       struct ct_errinfo *ei)
{
	int r = ct_json_get_str(hdr, key, out, NULL);

	if (r == CT_ERR_MISSING_FIELD) {
		*out = NULL;
		return 0;
	}
	if (r != 0)
		return ct_errinfo_set(ei, r, "header \"%s\" is not a string",
				      key);
	return 0;
}

int ct_jose_parse_header(struct ct_arena *a, const struct ct_jose_part *part,
			 json_t **hdr, struct ct_jose_blob *raw,
			 const char **alg_name, struct ct_errinfo *ei)
{
	struct ct_jose_blob b;
	json_t *h = NULL;
	const char *alg;
	int r;

	r = ct_jose_decode_part(a, part, CT_JOSE_MAX_HEADER, "header", &b, ei);
	if (r != 0)
		return r;
	r = ct_json_parse(b.data, b.len, &h, ei);
	if (r != 0)
		return r;
	if (json_object_get(h, "crit") != NULL) {
		r = ct_errinfo_set(ei, CT_ERR_UNSUPPORTED_ALG,
				   "header has \"crit\": no extension is understood");
		goto out;
	}
	if (json_object_get(h, "zip") != NULL) {
		r = ct_errinfo_set(ei, CT_ERR_UNSUPPORTED_ALG,
				   "compressed (\"zip\") objects are refused");
		goto out;
	}
	r = ct_json_get_str(h, "alg", &alg, NULL);
	if (r != 0) {
		ct_errinfo_set(ei, r, "header \"alg\": %s", ct_strerror(r));
		goto out;
	}
	*hdr = h;
	h = NULL;
	*raw = b;
	*alg_name = alg;
out:
	json_decref(h);
	return r;
}

int ct_jose_parse_begin(const char *compact, size_t len,
			struct ct_jose_part *parts, size_t nparts,
			struct ct_arena **arena, json_t **hdr,
			struct ct_jose_blob *raw, const char **alg_name,
			struct ct_errinfo *ei)
{
	struct ct_arena *a;
	int r;

	r = ct_jose_split(compact, len, parts, nparts, ei);
	if (r != 0)
		return r;
	a = ct_arena_new();
	if (a == NULL)
		return CT_ERR_NOMEM;
	r = ct_jose_parse_header(a, &parts[0], hdr, raw, alg_name, ei);
	if (r != 0) {
		ct_arena_free(a);
		return r;
	}
	*arena = a;
	return 0;
}

int ct_jose_put_header(struct ct_buf *out, const char *alg, const char *enc,
		       const json_t *extra, struct ct_errinfo *ei)
{
	static const char *const reserved[] = {"alg", "enc", "zip", "crit"};
	json_t *h, *v;
	const char *key;
	char *text = NULL;
	size_t i;
	int r = CT_ERR_NOMEM;

	if (extra != NULL && !json_is_object(extra))
		return ct_errinfo_set(ei, CT_ERR_INVALID_ARG,
				      "extra header is not an object");
	for (i = 0; extra != NULL && i < sizeof(reserved) / sizeof(*reserved); i++)
		if (json_object_get(extra, reserved[i]) != NULL)
			return ct_errinfo_set(ei, CT_ERR_INVALID_ARG,
					      "extra header may not set \"%s\"",
					      reserved[i]);
	h = json_object();
	if (h == NULL || json_object_set_new(h, "alg", json_string(alg)) != 0)
		goto out;
	if (enc != NULL && json_object_set_new(h, "enc", json_string(enc)) != 0)
		goto out;
	if (extra != NULL) {
		json_object_foreach((json_t *)extra, key, v)
			if (json_object_set(h, key, v) != 0)
				goto out;
	}
	text = json_dumps(h, JSON_COMPACT);
	if (text == NULL)
		goto out;
	r = ct_b64url_encode(out, text, strlen(text));
out:
	free(text);
	json_decref(h);
	return r;
}

void ct_jose_put_part(struct ct_buf *out, const void *p, size_t n)
{
	ct_buf_put_u8(out, '.');
	ct_b64url_encode(out, p, n);
}

int ct_jose_finish(struct ct_buf *out, char **s)
{
	uint8_t *p;
	size_t len;
	int r;

	ct_buf_put_u8(out, '\0');
	r = ct_buf_steal(out, &p, &len);
	if (r != 0)
		return r;
	*s = (char *)p;
	return 0;
}

int ct_jose_check_rsa(EVP_PKEY *key, struct ct_errinfo *ei)
{
	BIGNUM *e = NULL;
	int bits, r = 0;

	if (key == NULL || !EVP_PKEY_is_a(key, "RSA"))
		return ct_errinfo_set(ei, CT_ERR_BAD_KEY, "not an RSA key");
	bits = EVP_PKEY_get_bits(key);
	if (bits < CT_RSA_MIN_BITS || bits > CT_RSA_MAX_BITS)
		return ct_errinfo_set(ei, CT_ERR_BAD_KEY,
				      "RSA key of %d bits (accepted: %d..%d)",
				      bits, CT_RSA_MIN_BITS, CT_RSA_MAX_BITS);
	if (!EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_E, &e))
		return ct_jose_ossl_fail(ei, CT_ERR_BAD_KEY,
					 "RSA key without exponent");
	if (!BN_is_odd(e) || BN_num_bits(e) > 31 || BN_cmp(e, BN_value_one()) <= 0)
		r = ct_errinfo_set(ei, CT_ERR_BAD_KEY,
				   "RSA exponent must be odd and in 3..2^31-1");
	BN_free(e);
	return r;
}

int ct_jose_check_p256(EVP_PKEY *key, struct ct_errinfo *ei)
{
	char group[64];

	if (key == NULL || !EVP_PKEY_is_a(key, "EC"))
		return ct_errinfo_set(ei, CT_ERR_BAD_KEY, "not an EC key");
	if (!EVP_PKEY_get_group_name(key, group, sizeof(group), NULL) ||
	    strcmp(group, "prime256v1") != 0)
		return ct_errinfo_set(ei, CT_ERR_BAD_KEY,
				      "EC key not on P-256");
	return 0;
}

int ct_jose_ossl_fail(struct ct_errinfo *ei, int code, const char *what)
{
	unsigned long e = ERR_peek_error();
	char detail[256];

	if (e != 0) {
		ERR_error_string_n(e, detail, sizeof(detail));
		ct_errinfo_set(ei, code, "%s (%s)", what, detail);
	} else {
		ct_errinfo_set(ei, code, "%s", what);
	}
	ERR_clear_error();
	return code;
}

const char *ct_jose_printable(const char *s, char *buf, size_t n)
{
	size_t i;

	for (i = 0; s != NULL && s[i] != '\0' && i + 1 < n; i++)
		buf[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	buf[i] = '\0';
	return buf;
}
