/* SPDX-License-Identifier: Apache-2.0 */
/*
 * POST /{tenant}/oauth2/token: the nonce (srv_challenge), the password+TOTP
 * bootstrap, the PRT request with the Hello key and its renewal
 * (docs/PROTOCOL.md §2, §3, §6, §7).
 *
 * Every sign-in refusal answers the same invalid_grant/50126 to the caller;
 * the reason goes to the audit trail only.
 */
#include <ctype.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "b64.h"
#include "ct-secret.h"
#include "endpoints.h"
#include "form.h"
#include "jwe.h"
#include "jws.h"
#include "kdf.h"
#include "keyblob.h"
#include "krbissue.h"
#include "password.h"
#include "strict-json.h"
#include "svc.h"
#include "tokens.h"
#include "totp.h"

#define GRANT_CHALLENGE "srv_challenge"
#define GRANT_PASSWORD_OTP "urn:cloudtrust:grant-type:password-otp"
#define GRANT_JWT_BEARER "urn:ietf:params:oauth:grant-type:jwt-bearer"
#define ASSERTION_SKEW 300   /* iat/exp within ±5 minutes */
#define ASSERTION_MAX_LIFE 600
#define THROTTLE_WINDOW 900
#define THROTTLE_USER 5
#define THROTTLE_SOURCE 20

static int signin_failed(struct ct_http_request *req, struct ct_http_response *resp,
			 const char *actor, const char *device, const char *action,
			 const char *reason)
{
	struct ct_audit_ev ev = {actor, device, action, "deny", reason, NULL};

	ct_audit(req, &ev);
	return ct_http_oauth_error(resp, 400, "invalid_grant",
				   "the sign-in could not be completed", CT_CODE_SIGNIN_FAILED);
}

/* ---- srv_challenge ---- */

static int grant_challenge(struct ct_worker *w, struct ct_http_request *req,
			   struct ct_http_response *resp)
{
	struct ct_errinfo ei = {0};
	char *nonce = NULL;
	int r = ct_svc_nonce_issue(w, &nonce, &ei);

	if (r != 0)
		return ct_svc_internal(req, resp, &ei);
	r = ct_http_json(resp, 200, json_pack("{s:s}", "Nonce", nonce));
	free(nonce);
	return r;
}

/* ---- password + TOTP ---- */

static void throttle_keys(const char *upn, const char *src, char *ukey, char *skey)
{
	snprintf(ukey, 300, "user:%s", upn);
	for (char *p = ukey; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	snprintf(skey, 300, "source:%s", src ? src : "-");
}

static bool throttled(struct ct_worker *w, const char *ukey, const char *skey)
{
	int64_t since = ct_app_now(w->app) - THROTTLE_WINDOW;
	uint64_t nu = 0, ns = 0;

	if (ct_store_failure_count(w->store, ukey, since, &nu, NULL) != 0 ||
	    ct_store_failure_count(w->store, skey, since, &ns, NULL) != 0)
		return true; /* fail closed */
	return nu >= THROTTLE_USER || ns >= THROTTLE_SOURCE;
}

static void record_failure(struct ct_worker *w, const char *ukey, const char *skey)
{
	int64_t now = ct_app_now(w->app);

	ct_store_failure_record(w->store, ukey, now, NULL);
	ct_store_failure_record(w->store, skey, now, NULL);
}

/* Checks the TOTP code and advances the replay guard; 0 or a reason. */
static const char *check_totp(struct ct_worker *w, const struct ct_store_user *u,
			      const char *otp)
{
	struct ct_buf secret;
	struct ct_errinfo ei = {0};
	int64_t step = 0;
	const char *why = NULL;

	if (u->totp_secret.len == 0)
		return "mfa_not_enrolled";
	ct_buf_init(&secret, 256);
	if (ct_unseal(w->app->seal, CT_SEAL_PURPOSE_TOTP, u->totp_secret.data,
		      u->totp_secret.len, &secret, &ei) != 0)
		why = "totp_secret_unreadable";
	else if (ct_totp_verify(secret.data, secret.len, otp, (time_t)ct_app_now(w->app),
				CT_TOTP_WINDOW, u->totp_last_step, &step) != 0)
		why = "wrong_or_replayed_otp";
	else if (ct_store_user_totp_advance(w->store, u->id, step, &ei) != 0)
		why = "replayed_otp";
	ct_buf_free(&secret);
	return why;
}

/* The optional device_assertion binds the access token to a device. */
static const char *check_device_assertion(struct ct_worker *w, struct ct_arena *a,
					  const char *assertion,
					  char device_id[CT_PKI_GUID_LEN + 1])
{
	struct ct_device_proof p;
	const char *why = NULL, *nonce = NULL;

	if (ct_svc_device_jws(w, a, assertion, &p, &why) != 0)
		return why;
	if (ct_json_get_str(p.claims, "request_nonce", &nonce, NULL) != 0 ||
	    ct_svc_nonce_consume(w, nonce, NULL) != 0)
		why = "bad_nonce";
	else
		memcpy(device_id, p.device.id, CT_PKI_GUID_LEN + 1);
	ct_device_proof_free(&p);
	return why;
}

static int grant_password_otp(struct ct_worker *w, struct ct_http_request *req,
			      struct ct_http_response *resp, const struct ct_form *f)
{
	const char *upn = ct_form_get(f, "username"), *pw = ct_form_get(f, "password");
	const char *otp = ct_form_get(f, "otp"), *da = ct_form_get(f, "device_assertion");
	const char *why = NULL;
	struct ct_store_user u;
	struct ct_errinfo ei = {0};
	char ukey[300], skey[300], device_id[CT_PKI_GUID_LEN + 1] = "", *tok = NULL;
	int r;

	if (upn == NULL || pw == NULL || otp == NULL)
		return ct_svc_bad_request(resp, "username, password and otp are required");
	throttle_keys(upn, req->remote_addr, ukey, skey);
	if (throttled(w, ukey, skey)) {
		struct ct_audit_ev ev = {upn, NULL, "token.password_otp", "deny", "throttled", NULL};

		ct_audit(req, &ev);
		return ct_http_oauth_error(resp, 429, "too_many_requests",
					   "too many failed sign-ins; try again later",
					   CT_CODE_THROTTLED);
	}
	r = ct_store_user_get_by_upn(w->store, req->arena, upn, &u, &ei);
	if (r == CT_ERR_NOT_FOUND)
		why = "unknown_user";
	else if (r != 0)
		return ct_svc_internal(req, resp, &ei);
	else if (u.password_hash == NULL ||
		 ct_password_verify(u.password_hash, pw, strlen(pw)) != 0)
		why = "wrong_password";
	else if (!u.enabled)
		why = "user_disabled";
	else
		why = check_totp(w, &u, otp);
	if (why == NULL && da != NULL)
		why = check_device_assertion(w, req->arena, da, device_id);
	if (why != NULL) {
		record_failure(w, ukey, skey);
		return signin_failed(req, resp, upn, device_id[0] ? device_id : NULL,
				     "token.password_otp", why);
	}
	ct_store_failure_clear(w->store, ukey, NULL);
	r = ct_token_issue_access(w->app, u.id, u.upn, device_id[0] ? device_id : NULL,
				  &tok, &ei);
	if (r != 0)
		return ct_svc_internal(req, resp, &ei);
	{
		struct ct_audit_ev ev = {u.upn, device_id[0] ? device_id : NULL,
					 "token.password_otp", "grant", "mfa", NULL};

		ct_audit(req, &ev);
	}
	r = ct_http_json(resp, 200, json_pack("{s:s, s:s, s:i}", "token_type", "Bearer",
					       "access_token", tok, "expires_in",
					       CT_ACCESS_TOKEN_LIFETIME));
	free(tok);
	return r;
}

/* ---- PRT ---- */

/* Checks the inner Hello assertion; returns a reason or NULL. */
static const char *check_assertion(struct ct_worker *w, struct ct_arena *a,
				   const char *assertion, const char *username,
				   const char *outer_nonce, const char *device_id,
				   const struct ct_store_user *u)
{
	struct ct_jws *jws = NULL;
	struct ct_store_hello_key hk;
	EVP_PKEY *key = NULL;
	json_t *c = NULL;
	const char *iss = NULL, *aud = NULL, *nonce = NULL, *why;
	int64_t iat = 0, exp = 0, now = ct_app_now(w->app);

	why = "malformed_assertion";
	if (assertion == NULL || ct_jws_parse(assertion, strlen(assertion), &jws, NULL) != 0 ||
	    jws->kid == NULL)
		goto out;
	/* MS-OAPXBC: the Hello assertion says what signed it. */
	why = "assertion_not_ngc";
	if (jws->use == NULL || strcmp(jws->use, "ngc") != 0)
		goto out;
	why = "unknown_kid";
	if (ct_store_hello_key_get(w->store, a, jws->kid, &hk, NULL) != 0)
		goto out;
	why = "kid_of_another_user_or_device";
	if (hk.user_id != u->id || strcmp(hk.device_id, device_id) != 0)
		goto out;
	why = "hello_key_unreadable";
	if (ct_keycache_key_blob(w->app->keys, hk.public_key.data, hk.public_key.len, &key,
				 NULL) != 0)
		goto out;
	why = "bad_hello_signature";
	if (ct_jws_verify(jws, CT_JOSE_RS256 | CT_JOSE_ES256, key, NULL) != 0)
		goto out;
	why = "malformed_assertion";
	if (ct_json_parse(jws->payload.data, jws->payload.len, &c, NULL) != 0 ||
	    ct_json_get_str(c, "iss", &iss, NULL) != 0 ||
	    ct_json_get_str(c, "aud", &aud, NULL) != 0 ||
	    ct_json_get_int_lenient(c, "iat", &iat) != 0 ||
	    ct_json_get_int_lenient(c, "exp", &exp) != 0 ||
	    ct_json_get_str(c, "request_nonce", &nonce, NULL) != 0)
		goto out;
	why = "assertion_issuer_mismatch";
	if (strcasecmp(iss, username) != 0)
		goto out;
	why = "assertion_audience_mismatch";
	if (strcasecmp(aud, w->app->tenant_id) != 0)
		goto out;
	why = "assertion_time_window";
	if (iat > now + ASSERTION_SKEW || iat < now - ASSERTION_SKEW || exp <= now ||
	    exp > now + ASSERTION_SKEW + ASSERTION_MAX_LIFE || exp < iat)
		goto out;
	why = "assertion_nonce_mismatch";
	if (strcmp(nonce, outer_nonce) != 0)
		goto out;
	why = NULL;
out:
	EVP_PKEY_free(key);
	json_decref(c);
	ct_jws_free(jws);
	return why;
}

/* client_info: b64url of {"uid": user id, "utid": tenant id}, as Entra sends it. */
static int client_info(const struct ct_app *app, int64_t uid, char **out)
{
	char id[32], *json;
	struct ct_buf b;
	json_t *obj;
	int r;

	snprintf(id, sizeof(id), "%lld", (long long)uid);
	obj = json_pack("{s:s, s:s}", "uid", id, "utid", app->tenant_id);
	json = obj ? json_dumps(obj, JSON_COMPACT) : NULL;
	json_decref(obj);
	if (json == NULL)
		return CT_ERR_NOMEM;
	ct_buf_init(&b, 1024);
	r = ct_b64url_encode(&b, json, strlen(json));
	ct_buf_put_u8(&b, 0);
	if (r == 0 && b.err == 0)
		*out = strdup((const char *)b.data);
	r = r ? r : b.err ? b.err : *out ? 0 : CT_ERR_NOMEM;
	free(json);
	ct_buf_free(&b);
	return r;
}

/* Builds and sends the PRT response (§6) for user u on device dev. */
static int prt_response(struct ct_worker *w, struct ct_http_request *req,
			struct ct_http_response *resp, const struct ct_store_user *u,
			const struct ct_store_device *dev, const uint8_t *session_key,
			bool want_tgt, bool oaep256, const char *action)
{
	struct ct_prt prt;
	struct ct_errinfo ei = {0};
	EVP_PKEY *tk = NULL;
	json_t *body = NULL, *tgt = NULL;
	char *prt_text = NULL, *skjwe = NULL, *idt = NULL, *ci = NULL;
	const char *treason = "not_requested";
	int r;

	memset(&prt, 0, sizeof(prt));
	prt.user_id = u->id;
	memcpy(prt.device_id, dev->id, CT_PKI_GUID_LEN + 1);
	memcpy(prt.session_key, session_key, CT_SESSION_KEY_LEN);
	prt.iat = ct_app_now(w->app);
	prt.exp = prt.iat + CT_PRT_LIFETIME;
	r = ct_prt_seal(w->app, &prt, &prt_text, &ei);
	if (r == 0)
		r = ct_keycache_spki(w->app->keys, dev->transport_key.data,
				     dev->transport_key.len, &tk, &ei);
	if (r == 0)
		r = ct_jwe_encrypt_rsa(oaep256 ? CT_JOSE_RSA_OAEP_256 : CT_JOSE_RSA_OAEP, NULL,
				       session_key, CT_SESSION_KEY_LEN, tk, &skjwe, &ei);
	if (r == 0)
		r = ct_token_issue_id(w->app, u->id, u->upn, dev->id, &idt, &ei);
	if (r == 0 && want_tgt)
		r = ct_krbissue_tgt_ad(w, u, session_key, &tgt, &treason, &ei);
	if (r != 0)
		goto out;
	r = client_info(w->app, u->id, &ci);
	if (r != 0)
		goto out;
	body = json_pack("{s:s, s:s, s:i, s:s, s:s, s:s}", "token_type", "pop",
			 "refresh_token", prt_text, "refresh_token_expires_in",
			 CT_PRT_LIFETIME, "session_key_jwe", skjwe, "id_token", idt,
			 "client_info", ci);
	if (body == NULL) {
		r = CT_ERR_NOMEM;
		goto out;
	}
	json_object_set_new(body, "tgt_ad", tgt ? tgt : json_null());
	tgt = NULL;
	json_object_set_new(body, "tgt_cloud", json_null());
	{
		struct ct_audit_ev ev = {u->upn, dev->id, action, "grant", treason, NULL};

		ct_audit(req, &ev);
		if (want_tgt && strcmp(treason, "issued") != 0) {
			struct ct_audit_ev tev = {u->upn, dev->id, "tgt_ad.issue", "deny", treason, NULL};

			ct_audit(req, &tev);
		}
	}
	ct_store_device_touch(w->store, dev->id, NULL);
	r = ct_http_json(resp, 200, body);
	body = NULL;
out:
	if (r != 0 && body == NULL && tgt == NULL)
		r = ct_svc_internal(req, resp, &ei);
	json_decref(body);
	json_decref(tgt);
	EVP_PKEY_free(tk);
	ct_erase_free_str(prt_text);
	free(skjwe);
	free(idt);
	free(ci);
	ct_zap(&prt, sizeof(prt));
	return r;
}

static int grant_prt(struct ct_worker *w, struct ct_http_request *req,
		     struct ct_http_response *resp, const struct ct_form *f)
{
	const char *tgt = ct_form_get(f, "tgt"), *ska = ct_form_get(f, "session_key_alg");
	const char *username = NULL, *nonce = NULL, *assertion = NULL, *why;
	struct ct_device_proof p;
	struct ct_store_user u;
	uint8_t sk[CT_SESSION_KEY_LEN];
	int r;

	memset(&u, 0, sizeof(u));
	if (ct_svc_device_jws(w, req->arena, ct_form_get(f, "request"), &p, &why) != 0)
		return signin_failed(req, resp, NULL, p.device_id[0] ? p.device_id : NULL,
				     "prt.issue", why);
	why = "malformed_request";
	if (ct_json_get_str(p.claims, "username", &username, NULL) != 0 ||
	    ct_json_get_str(p.claims, "request_nonce", &nonce, NULL) != 0 ||
	    ct_json_get_str(p.claims, "assertion", &assertion, NULL) != 0)
		goto deny;
	/* The nonce is spent by this request, whatever its outcome. */
	why = "bad_nonce";
	if (ct_svc_nonce_consume(w, nonce, NULL) != 0)
		goto deny;
	why = "unknown_user";
	if (ct_store_user_get_by_upn(w->store, req->arena, username, &u, NULL) != 0)
		goto deny;
	/* Any user of the tenant may sign in on a joined device (Entra join);
	 * the Hello key itself is bound to this user and this device. */
	why = check_assertion(w, req->arena, assertion, username, nonce, p.device.id, &u);
	if (why != NULL)
		goto deny;
	why = "user_disabled";
	if (!u.enabled)
		goto deny;
	if (RAND_bytes(sk, sizeof(sk)) != 1) {
		ct_device_proof_free(&p);
		return ct_svc_internal(req, resp, NULL);
	}
	r = prt_response(w, req, resp, &u, &p.device, sk,
			 tgt != NULL && strcasecmp(tgt, "true") == 0,
			 ska != NULL && strcmp(ska, "RSA-OAEP-256") == 0, "prt.issue");
	ct_zap(sk, sizeof(sk));
	ct_device_proof_free(&p);
	return r;
deny:
	r = signin_failed(req, resp, username ? username : NULL, p.device.id, "prt.issue", why);
	ct_device_proof_free(&p);
	return r;
}

/* ---- PRT renewal (HS256 under a key derived from the session key) ---- */

static int grant_renew(struct ct_worker *w, struct ct_http_request *req,
		       struct ct_http_response *resp, const char *request, bool form_tgt)
{
	struct ct_jws *jws = NULL;
	struct ct_prt prt;
	struct ct_store_user u;
	struct ct_store_device dev;
	struct ct_buf ctx;
	json_t *c = NULL, *ctxv;
	const char *rt = NULL, *nonce = NULL, *why;
	bool tgt = false;
	uint8_t key[32];
	int r;

	memset(&prt, 0, sizeof(prt));
	ct_buf_init(&ctx, 256);
	why = "malformed_request";
	if (ct_jws_parse(request, strlen(request), &jws, NULL) != 0 ||
	    (ctxv = json_object_get(jws->header, "ctx")) == NULL || !json_is_string(ctxv) ||
	    ct_b64_decode(&ctx, json_string_value(ctxv), json_string_length(ctxv)) != 0 ||
	    ctx.len == 0 ||
	    ct_json_parse(jws->payload.data, jws->payload.len, &c, NULL) != 0 ||
	    ct_json_get_str(c, "refresh_token", &rt, NULL) != 0 ||
	    ct_json_get_str(c, "request_nonce", &nonce, NULL) != 0)
		goto deny;
	why = "bad_prt";
	if (ct_prt_open(w->app, rt, &prt, NULL) != 0)
		goto deny;
	why = "bad_session_signature";
	if (ct_kdf_sp800_108_hmac_sha256(prt.session_key, sizeof(prt.session_key),
					 (const uint8_t *)CT_JWE_KDF_LABEL,
					 strlen(CT_JWE_KDF_LABEL), ctx.data, ctx.len, key,
					 sizeof(key)) != 0 ||
	    ct_jws_verify_hmac(jws, key, sizeof(key), NULL) != 0)
		goto deny;
	why = "bad_nonce";
	if (ct_svc_nonce_consume(w, nonce, NULL) != 0)
		goto deny;
	why = "unknown_user";
	if (ct_store_user_get(w->store, req->arena, prt.user_id, &u, NULL) != 0)
		goto deny;
	why = "unknown_device";
	if (ct_store_device_get(w->store, req->arena, prt.device_id, &dev, NULL) != 0)
		goto deny;
	why = "user_or_device_disabled";
	if (!u.enabled || !dev.enabled)
		goto deny;
	/* "tgt" may come as a claim (true or "true") or as a form field. */
	if (ct_json_get_bool_lenient(c, "tgt", &tgt) != 0)
		tgt = form_tgt;
	r = prt_response(w, req, resp, &u, &dev, prt.session_key, tgt, false, "prt.renew");
	goto out;
deny:
	r = signin_failed(req, resp, NULL, prt.device_id[0] ? prt.device_id : NULL,
			  "prt.renew", why);
out:
	ct_zap(key, sizeof(key));
	ct_zap(&prt, sizeof(prt));
	ct_buf_free(&ctx);
	json_decref(c);
	ct_jws_free(jws);
	return r;
}

static int grant_jwt_bearer(struct ct_worker *w, struct ct_http_request *req,
			    struct ct_http_response *resp, const struct ct_form *f)
{
	const char *request = ct_form_get(f, "request");
	struct ct_jws *jws = NULL;
	bool hmac;

	if (request == NULL)
		return ct_svc_bad_request(resp, "request is required");
	if (ct_jws_parse(request, strlen(request), &jws, NULL) != 0)
		return ct_svc_bad_request(resp, "request is not a compact JWS");
	/* A session-key-signed request is a renewal; a device-signed one a sign-in. */
	hmac = jws->alg == CT_JOSE_HS256;
	ct_jws_free(jws);
	if (hmac) {
		const char *t = ct_form_get(f, "tgt");

		return grant_renew(w, req, resp, request, t != NULL && strcasecmp(t, "true") == 0);
	}
	return grant_prt(w, req, resp, f);
}

int ct_ep_token(void *app, struct ct_http_request *req, struct ct_http_response *resp)
{
	struct ct_worker *w = ct_svc_worker(req);
	struct ct_form f;
	struct ct_errinfo ei = {0};
	const char *grant;

	(void)app;
	if (!ct_svc_tenant_ok(req))
		return ct_http_oauth_error(resp, 404, "invalid_tenant", "unknown tenant",
					   CT_CODE_INVALID_TENANT);
	if (ct_http_form(req, &f, &ei) != 0)
		return ct_svc_bad_request(resp, ei.msg[0] ? ei.msg : "malformed form body");
	grant = ct_form_get(&f, "grant_type");
	if (grant == NULL)
		return ct_svc_bad_request(resp, "grant_type is required");
	if (strcmp(grant, GRANT_CHALLENGE) == 0)
		return grant_challenge(w, req, resp);
	if (strcmp(grant, GRANT_PASSWORD_OTP) == 0)
		return grant_password_otp(w, req, resp, &f);
	if (strcmp(grant, GRANT_JWT_BEARER) == 0)
		return grant_jwt_bearer(w, req, resp, &f);
	return ct_http_oauth_error(resp, 400, "unsupported_grant_type",
				   "this grant_type is not supported", CT_CODE_UNSUPPORTED_GRANT);
}
