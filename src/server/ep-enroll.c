/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Device join (MS-DVRJ, /EnrollmentServer/device/) and Hello key
 * registration (MS-KPP, /EnrollmentServer/key/): docs/PROTOCOL.md §4, §5.
 */
#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "endpoints.h"
#include "keyblob.h"
#include "pki.h"
#include "strict-json.h"
#include "svc.h"
#include "tokens.h"

#define DEVICE_CERT_DAYS 365

/* Checks the bearer token; on failure replies 401 and returns non-zero. */
static int need_token(struct ct_http_request *req, struct ct_http_response *resp,
		      struct ct_access_token *t, const char *action)
{
	struct ct_worker *w = ct_svc_worker(req);
	struct ct_errinfo ei = {0};
	const char *bearer = ct_svc_bearer(req);

	if (bearer != NULL && ct_token_verify_access(w->app, bearer, t, &ei) == 0)
		return 0;
	{
		struct ct_audit_ev ev = {NULL, NULL, action, "deny", "bad_token", ei.msg};

		ct_audit(req, &ev);
	}
	ct_http_oauth_error(resp, 401, "unauthorized", "a valid access token is required",
			    CT_CODE_UNAUTHORIZED);
	return CT_ERR_UNAUTHORIZED;
}

/* Decodes a standard-base64 JSON member into b; 0 or a negative code. */
static int b64_member(const json_t *obj, const char *key, struct ct_buf *b)
{
	const char *s = NULL;
	size_t n = 0;

	if (ct_json_get_str(obj, key, &s, &n) != 0)
		return CT_ERR_MISSING_FIELD;
	return ct_b64_decode(b, s, n);
}

static const char *opt_str(const json_t *obj, const char *key, const char *def)
{
	const char *s = NULL;

	return ct_json_get_str(obj, key, &s, NULL) == 0 ? s : def;
}

/* Fills the device record from the request; returns a description on error. */
static const char *parse_join(const json_t *body, struct ct_buf *csr_der,
			      struct ct_buf *tk_blob, int64_t *join_type)
{
	json_t *cr = NULL;
	const char *type = NULL;

	if (ct_json_get_obj(body, "CertificateRequest", &cr) != 0 ||
	    ct_json_get_str(cr, "Type", &type, NULL) != 0 || strcmp(type, "pkcs10") != 0)
		return "CertificateRequest with Type pkcs10 is required";
	if (b64_member(cr, "Data", csr_der) != 0)
		return "CertificateRequest.Data must be base64 DER";
	if (b64_member(body, "TransportKey", tk_blob) != 0)
		return "TransportKey must be a base64 RSA1 blob";
	if (ct_json_get_int_lenient(body, "JoinType", join_type) != 0)
		*join_type = 0;
	if (*join_type != 0 && *join_type != 4 && *join_type != 6)
		return "JoinType must be 0, 4 or 6";
	return NULL;
}

int ct_ep_join(void *app, struct ct_http_request *req, struct ct_http_response *resp)
{
	struct ct_worker *w = ct_svc_worker(req);
	struct ct_access_token t;
	struct ct_errinfo ei = {0};
	struct ct_pki_csr csr;
	struct ct_store_device d;
	struct ct_buf csr_der, tk_blob, tk_spki, dk_spki, cert, b64;
	EVP_PKEY *tk = NULL;
	json_t *body = NULL;
	char id[CT_PKI_GUID_LEN + 1], thumb[CT_PKI_THUMBPRINT_LEN + 1];
	const char *bad;
	int64_t join_type = 0;
	int r;

	(void)app;
	memset(&csr, 0, sizeof(csr));
	memset(&d, 0, sizeof(d));
	ct_buf_init(&csr_der, 65536);
	ct_buf_init(&tk_blob, 4096);
	ct_buf_init(&tk_spki, 4096);
	ct_buf_init(&dk_spki, 4096);
	ct_buf_init(&cert, 65536);
	ct_buf_init(&b64, 131072);
	if (need_token(req, resp, &t, "device.join") != 0)
		goto done;
	if (ct_svc_json_body(req, resp, &body) != 0)
		goto done;
	bad = parse_join(body, &csr_der, &tk_blob, &join_type);
	if (bad == NULL && ct_pki_csr_parse(csr_der.data, csr_der.len, &csr, &ei) != 0)
		bad = "the certificate request is not acceptable";
	if (bad == NULL && ct_rsa1_blob_import(tk_blob.data, tk_blob.len, &tk, &ei) != 0)
		bad = "the transport key is not an acceptable RSA1 blob";
	if (bad != NULL) {
		struct ct_audit_ev ev = {t.upn, NULL, "device.join", "deny", "bad_request",
					 ei.msg[0] ? ei.msg : bad};

		ct_audit(req, &ev);
		ct_svc_bad_request(resp, bad);
		goto done;
	}
	r = ct_pki_guid_new(id);
	if (r == 0)
		r = ct_pki_device_cert_issue(w->app->device_ca, &csr, id, DEVICE_CERT_DAYS, &cert, &ei);
	if (r == 0)
		r = ct_pki_cert_thumbprint(cert.data, cert.len, thumb);
	if (r == 0)
		r = ct_spki_export(tk, &tk_spki);
	if (r == 0)
		r = ct_spki_export(csr.pubkey, &dk_spki);
	if (r != 0) {
		ct_svc_internal(req, resp, &ei);
		goto done;
	}
	d.id = id;
	d.display_name = opt_str(body, "DeviceDisplayName", "device");
	d.os_version = opt_str(body, "OSVersion", "");
	d.device_type = opt_str(body, "DeviceType", "");
	d.join_type = (int32_t)join_type;
	d.owner_user_id = t.user_id;
	d.cert_thumbprint = thumb;
	d.cert_der.data = cert.data;
	d.cert_der.len = cert.len;
	d.transport_key.data = tk_spki.data;
	d.transport_key.len = tk_spki.len;
	d.device_key.data = dk_spki.data;
	d.device_key.len = dk_spki.len;
	d.enabled = true;
	r = ct_store_device_add(w->store, &d, &ei);
	if (r == 0)
		r = ct_b64_encode(&b64, cert.data, cert.len);
	ct_buf_put_u8(&b64, 0);
	if (r != 0 || b64.err != 0) {
		/* A field the store refused (a display name too long ...) is the client's fault. */
		if (r == CT_ERR_INVALID_ARG)
			ct_svc_bad_request(resp, ei.msg);
		else
			ct_svc_internal(req, resp, &ei);
		goto done;
	}
	{
		struct ct_audit_ev ev = {t.upn, id, "device.join", "change", "joined", d.display_name};

		ct_audit(req, &ev);
	}
	ct_http_json(resp, 200,
		     json_pack("{s:{s:s, s:s}, s:{s:s}, s:[], s:s}", "Certificate",
			       "Thumbprint", thumb, "RawBody", (const char *)b64.data,
			       "User", "Upn", t.upn, "MembershipChanges", "DeviceId", id));
done:
	json_decref(body);
	EVP_PKEY_free(tk);
	ct_pki_csr_free(&csr);
	ct_buf_free(&csr_der);
	ct_buf_free(&tk_blob);
	ct_buf_free(&tk_spki);
	ct_buf_free(&dk_spki);
	ct_buf_free(&cert);
	ct_buf_free(&b64);
	return 0;
}

/* Key registration needs fresh MFA and a token bound to the user's enabled device. */
static const char *check_kpp_token(struct ct_worker *w, struct ct_http_request *req,
				   const struct ct_access_token *t, int *code)
{
	struct ct_store_device d;
	int64_t now = ct_app_now(w->app);

	*code = CT_CODE_STALE_MFA;
	if (!t->ngcmfa || t->iat < now - CT_MFA_MAX_AGE)
		return "stale_mfa";
	*code = CT_CODE_NO_DEVICE;
	if (t->device_id[0] == '\0')
		return "token_not_bound_to_device";
	if (ct_store_device_get(w->store, req->arena, t->device_id, &d, NULL) != 0)
		return "unknown_device";
	if (!d.enabled)
		return "device_disabled";
	return NULL;
}

int ct_ep_key(void *app, struct ct_http_request *req, struct ct_http_response *resp)
{
	struct ct_worker *w = ct_svc_worker(req);
	struct ct_access_token t;
	struct ct_errinfo ei = {0};
	struct ct_store_hello_key hk;
	struct ct_store_user u;
	struct ct_buf blob;
	EVP_PKEY *key = NULL;
	json_t *body = NULL;
	char kid[CT_KID_BUFSIZE];
	const char *why;
	int code, r;

	(void)app;
	ct_buf_init(&blob, 8192);
	if (need_token(req, resp, &t, "hello_key.register") != 0)
		goto done;
	why = check_kpp_token(w, req, &t, &code);
	if (why == NULL &&
	    (ct_store_user_get(w->store, req->arena, t.user_id, &u, NULL) != 0 || !u.enabled)) {
		why = "user_disabled";
		code = CT_CODE_SIGNIN_FAILED;
	}
	if (why != NULL) {
		struct ct_audit_ev ev = {t.upn, t.device_id[0] ? t.device_id : NULL,
					 "hello_key.register", "deny", why, NULL};

		ct_audit(req, &ev);
		ct_http_oauth_error(resp, 401, "invalid_token",
				    "key registration needs a fresh MFA token bound to this device",
				    code);
		goto done;
	}
	if (ct_svc_json_body(req, resp, &body) != 0)
		goto done;
	if (b64_member(body, "kngc", &blob) != 0 ||
	    ct_key_blob_import(blob.data, blob.len, &key, &ei) != 0) {
		ct_svc_bad_request(resp, "kngc must be a base64 RSA1 (2048-4096 bit) or ECS1 P-256 key blob");
		goto done;
	}
	r = ct_key_blob_kid(blob.data, blob.len, kid);
	memset(&hk, 0, sizeof(hk));
	hk.kid = kid;
	hk.user_id = t.user_id;
	hk.device_id = t.device_id;
	hk.public_key.data = blob.data;
	hk.public_key.len = blob.len;
	hk.key_type = EVP_PKEY_base_id(key) == EVP_PKEY_RSA ? "rsa" : "ec";
	if (r == 0)
		r = ct_store_hello_key_add(w->store, &hk, &ei);
	if (r == CT_ERR_CONFLICT) {
		ct_http_oauth_error(resp, 409, "conflict", "this key is already registered",
				    CT_CODE_CONFLICT);
		goto done;
	}
	if (r != 0) {
		ct_svc_internal(req, resp, &ei);
		goto done;
	}
	{
		struct ct_audit_ev ev = {t.upn, t.device_id, "hello_key.register", "change", "registered", kid};

		ct_audit(req, &ev);
	}
	ct_http_json(resp, 200, json_pack("{s:s, s:s}", "kid", kid, "upn", t.upn));
done:
	EVP_PKEY_free(key);
	json_decref(body);
	ct_buf_free(&blob);
	return 0;
}
