/* SPDX-License-Identifier: Apache-2.0 */
#include "tokens.h"

#include <jansson.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "ct-limits.h"
#include "ct-secret.h"
#include "jws.h"
#include "strict-json.h"

/* Tokens may be a little early: clocks differ by seconds, not minutes. */
#define CLOCK_SLACK 60

static void issuer(const struct ct_app *app, char *out, size_t n)
{
	snprintf(out, n, "%s/%s", app->issuer_url, app->tenant_id);
}

static int random_id(char *out, size_t n)
{
	uint8_t r[16];
	struct ct_buf b;
	int rc;

	if (RAND_bytes(r, sizeof(r)) != 1)
		return CT_ERR_CRYPTO;
	ct_buf_init(&b, 64);
	rc = ct_b64url_encode(&b, r, sizeof(r));
	if (rc == 0 && b.len < n) {
		memcpy(out, b.data, b.len);
		out[b.len] = '\0';
	} else if (rc == 0) {
		rc = CT_ERR_INTERNAL;
	}
	ct_buf_free(&b);
	return rc;
}

/* Signs claims (stolen reference) with the tenant token key. */
static int sign_claims(const struct ct_app *app, json_t *claims, char **out,
		       struct ct_errinfo *ei)
{
	json_t *hdr = json_pack("{s:s, s:s}", "typ", "JWT", "kid", app->token_kid);
	char *payload = json_dumps(claims, JSON_COMPACT);
	int r;

	if (hdr == NULL || payload == NULL) {
		r = CT_ERR_NOMEM;
		goto out;
	}
	r = ct_jws_sign(CT_JOSE_ES256, hdr, payload, strlen(payload),
			app->token_key, out, ei);
out:
	json_decref(hdr);
	json_decref(claims);
	free(payload);
	return r;
}

static json_t *base_claims(const struct ct_app *app, const char *aud,
			   int64_t user_id, const char *upn, int64_t now,
			   int64_t lifetime)
{
	char iss[1024], jti[64], sub[32];

	issuer(app, iss, sizeof(iss));
	snprintf(sub, sizeof(sub), "%lld", (long long)user_id);
	if (random_id(jti, sizeof(jti)) != 0)
		return NULL;
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:s}", "iss", iss,
			 "aud", aud, "tid", app->tenant_id, "sub", sub, "upn", upn,
			 "iat", (json_int_t)now, "exp", (json_int_t)(now + lifetime),
			 "jti", jti);
}

int ct_token_issue_access(const struct ct_app *app, int64_t user_id,
			  const char *upn, const char *device_id, char **out,
			  struct ct_errinfo *ei)
{
	json_t *c = base_claims(app, CT_ACCESS_AUDIENCE, user_id, upn,
				ct_app_now(app), CT_ACCESS_TOKEN_LIFETIME);

	if (c == NULL)
		return CT_ERR_NOMEM;
	json_object_set_new(c, "amr", json_pack("[s, s, s]", "pwd", "mfa", "ngcmfa"));
	if (device_id != NULL)
		json_object_set_new(c, "deviceid", json_string(device_id));
	return sign_claims(app, c, out, ei);
}

int ct_token_issue_id(const struct ct_app *app, int64_t user_id,
		      const char *upn, const char *device_id, char **out,
		      struct ct_errinfo *ei)
{
	json_t *c = base_claims(app, app->tenant_id, user_id, upn,
				ct_app_now(app), 3600);

	if (c == NULL)
		return CT_ERR_NOMEM;
	json_object_set_new(c, "amr", json_pack("[s]", "ngcmfa"));
	json_object_set_new(c, "deviceid", json_string(device_id));
	return sign_claims(app, c, out, ei);
}

/* An https:// (or http://) URL whose last path segment is our tenant id. */
static bool issuer_is_ours(const struct ct_app *app, const char *iss)
{
	size_t n = strlen(iss), t = strlen(app->tenant_id);

	return (strncmp(iss, "https://", 8) == 0 || strncmp(iss, "http://", 7) == 0) &&
	       n > t + 1 && iss[n - t - 1] == '/' && strcmp(iss + n - t, app->tenant_id) == 0;
}

static bool amr_has(const json_t *claims, const char *what)
{
	json_t *amr = json_object_get(claims, "amr"), *v;
	size_t i;

	json_array_foreach(amr, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), what) == 0)
			return true;
	return false;
}

int ct_token_verify_access(const struct ct_app *app, const char *token,
			   struct ct_access_token *out, struct ct_errinfo *ei)
{
	struct ct_jws *jws = NULL;
	json_t *c = NULL;
	const char *iss = NULL, *aud = NULL, *tid = NULL, *sub = NULL, *upn = NULL, *dev = NULL;
	int64_t now = ct_app_now(app);
	char *end;
	int r;

	memset(out, 0, sizeof(*out));
	r = ct_jws_parse(token, strlen(token), &jws, ei);
	if (r == 0)
		r = ct_jws_verify(jws, CT_JOSE_ES256, app->token_key, ei);
	if (r == 0)
		r = ct_json_parse(jws->payload.data, jws->payload.len, &c, ei);
	if (r != 0)
		goto out;
	if (ct_json_get_str(c, "iss", &iss, NULL) != 0 ||
	    ct_json_get_str(c, "aud", &aud, NULL) != 0 ||
	    ct_json_get_str(c, "tid", &tid, NULL) != 0 ||
	    ct_json_get_str(c, "sub", &sub, NULL) != 0 ||
	    ct_json_get_str(c, "upn", &upn, NULL) != 0 ||
	    ct_json_get_int(c, "iat", &out->iat) != 0 ||
	    ct_json_get_int(c, "exp", &out->exp) != 0) {
		r = ct_errinfo_set(ei, CT_ERR_UNAUTHORIZED, "token lacks required claims");
		goto out;
	}
	/*
	 * Instances behind different URLs share the token key, so the issuer
	 * is checked by its tenant path; the signature is what proves it ours.
	 */
	if (!issuer_is_ours(app, iss) || strcmp(aud, CT_ACCESS_AUDIENCE) != 0 ||
	    strcmp(tid, app->tenant_id) != 0) {
		r = ct_errinfo_set(ei, CT_ERR_UNAUTHORIZED, "token is for another issuer, audience or tenant");
		goto out;
	}
	if (out->exp <= now || out->iat > now + CLOCK_SLACK) {
		r = ct_errinfo_set(ei, CT_ERR_UNAUTHORIZED, "token expired or not yet valid");
		goto out;
	}
	out->user_id = strtoll(sub, &end, 10);
	if (*end != '\0' || strlen(upn) >= sizeof(out->upn)) {
		r = ct_errinfo_set(ei, CT_ERR_UNAUTHORIZED, "token subject malformed");
		goto out;
	}
	snprintf(out->upn, sizeof(out->upn), "%s", upn);
	out->ngcmfa = amr_has(c, "ngcmfa");
	if (ct_json_get_str(c, "deviceid", &dev, NULL) == 0 && strlen(dev) == CT_PKI_GUID_LEN)
		memcpy(out->device_id, dev, CT_PKI_GUID_LEN + 1);
out:
	if (r != 0 && r != CT_ERR_UNAUTHORIZED)
		r = ct_errinfo_default(ei, CT_ERR_UNAUTHORIZED, "invalid token");
	if (r != 0)
		r = CT_ERR_UNAUTHORIZED;
	json_decref(c);
	ct_jws_free(jws);
	return r;
}

/* ---- PRT ---- */

#define PRT_PURPOSE "prt"

static int prt_sealer(const struct ct_app *app, struct ct_seal **out)
{
	/* Key id 0: the PRT key is not the master key and rotates on its own. */
	return ct_seal_from_key(app->prt_key, 0, out);
}

int ct_prt_seal(const struct ct_app *app, const struct ct_prt *prt, char **out,
		struct ct_errinfo *ei)
{
	struct ct_seal *s = NULL;
	struct ct_buf sk, blob, text;
	json_t *j = NULL;
	char *plain = NULL;
	int r;

	ct_buf_init(&sk, 128);
	ct_buf_init(&blob, 4096);
	ct_buf_init(&text, 8192);
	r = ct_b64url_encode(&sk, prt->session_key, sizeof(prt->session_key));
	ct_buf_put_u8(&sk, 0);
	if (r == 0 && sk.err == 0)
		j = json_pack("{s:I, s:s, s:s, s:I, s:I}", "u", (json_int_t)prt->user_id,
			      "d", prt->device_id, "sk", (const char *)sk.data,
			      "iat", (json_int_t)prt->iat, "exp", (json_int_t)prt->exp);
	plain = j ? json_dumps(j, JSON_COMPACT) : NULL;
	if (plain == NULL) {
		r = CT_ERR_NOMEM;
		goto out;
	}
	r = prt_sealer(app, &s);
	if (r == 0)
		r = ct_seal(s, PRT_PURPOSE, (const uint8_t *)plain, strlen(plain), &blob);
	if (r == 0)
		r = ct_b64url_encode(&text, blob.data, blob.len);
	ct_buf_put_u8(&text, 0);
	if (r == 0 && text.err == 0) {
		*out = strdup((const char *)text.data);
		r = *out ? 0 : CT_ERR_NOMEM;
	}
out:
	if (r != 0)
		ct_errinfo_default(ei, r, "cannot seal the PRT");
	ct_seal_free(s);
	ct_erase_free_str(plain);
	json_decref(j);
	ct_buf_free(&sk);
	ct_buf_free(&blob);
	ct_buf_free(&text);
	return r;
}

int ct_prt_open(const struct ct_app *app, const char *text, struct ct_prt *out,
		struct ct_errinfo *ei)
{
	struct ct_seal *s = NULL;
	struct ct_buf blob, plain, sk;
	json_t *j = NULL;
	const char *d = NULL, *skt = NULL;
	int r;

	memset(out, 0, sizeof(*out));
	ct_buf_init(&blob, 4096);
	ct_buf_init(&plain, 4096);
	ct_buf_init(&sk, 128);
	r = ct_b64url_decode(&blob, text, strlen(text));
	if (r == 0)
		r = prt_sealer(app, &s);
	if (r == 0)
		r = ct_unseal(s, PRT_PURPOSE, blob.data, blob.len, &plain, ei);
	if (r == 0)
		r = ct_json_parse(plain.data, plain.len, &j, ei);
	if (r == 0 && (ct_json_get_int(j, "u", &out->user_id) != 0 ||
		       ct_json_get_str(j, "d", &d, NULL) != 0 ||
		       ct_json_get_str(j, "sk", &skt, NULL) != 0 ||
		       ct_json_get_int(j, "iat", &out->iat) != 0 ||
		       ct_json_get_int(j, "exp", &out->exp) != 0 ||
		       strlen(d) != CT_PKI_GUID_LEN))
		r = CT_ERR_BAD_VALUE;
	if (r == 0)
		r = ct_b64url_decode(&sk, skt, strlen(skt));
	if (r == 0 && sk.len != CT_SESSION_KEY_LEN)
		r = CT_ERR_BAD_VALUE;
	if (r == 0 && out->exp <= ct_app_now(app))
		r = ct_errinfo_set(ei, CT_ERR_UNAUTHORIZED, "the PRT has expired");
	if (r == 0) {
		memcpy(out->device_id, d, CT_PKI_GUID_LEN + 1);
		memcpy(out->session_key, sk.data, CT_SESSION_KEY_LEN);
	} else {
		ct_errinfo_default(ei, r, "the PRT is not valid");
		ct_zap(out, sizeof(*out));
		r = CT_ERR_UNAUTHORIZED;
	}
	json_decref(j);
	ct_seal_free(s);
	ct_buf_free(&blob);
	ct_buf_free(&plain);
	ct_buf_free(&sk);
	return r;
}
