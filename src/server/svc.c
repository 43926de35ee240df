/* SPDX-License-Identifier: Apache-2.0 */
#include "svc.h"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>

#include "b64.h"
#include "jws.h"
#include "log.h"
#include "pki.h"
#include "store.h"
#include "strict-json.h"

struct ct_worker *ct_svc_worker(struct ct_http_request *req)
{
	return req->thread_ctx;
}

void ct_audit(struct ct_http_request *req, const struct ct_audit_ev *ev)
{
	struct ct_worker *w = ct_svc_worker(req);
	struct ct_store_audit a;
	struct ct_errinfo ei = {0};
	struct timeval tv;

	gettimeofday(&tv, NULL);
	memset(&a, 0, sizeof(a));
	a.at_us = (int64_t)tv.tv_sec * 1000000 + tv.tv_usec + w->app->time_offset * 1000000;
	a.actor = ev->actor ? ev->actor : "anonymous";
	a.device_id = ev->device;
	a.action = ev->action;
	a.outcome = ev->outcome;
	a.reason = ev->reason;
	a.source = req->remote_addr;
	a.detail = ev->detail;
	/* The log line is written even when the store refuses the event. */
	ct_log_audit("actor=%s device=%s action=%s outcome=%s reason=%s source=%s trace=%s",
		     a.actor, a.device_id, a.action, a.outcome, a.reason, a.source,
		     req->trace_id);
	if (ct_store_audit_append(w->store, &a, NULL, &ei) != 0)
		ct_log(CT_LOG_ERR, "cannot store audit event %s: %s", a.action, ei.msg);
}

int ct_svc_bad_request(struct ct_http_response *resp, const char *what)
{
	return ct_http_oauth_error(resp, 400, "invalid_request", what, CT_CODE_INVALID_REQUEST);
}

int ct_svc_internal(struct ct_http_request *req, struct ct_http_response *resp,
		    const struct ct_errinfo *ei)
{
	ct_log(CT_LOG_ERR, "%s %s: %s (trace %s)", req->method, req->path,
	       ei && ei->msg[0] ? ei->msg : "internal error",
	       req->trace_id ? req->trace_id : "-");
	return ct_http_oauth_error(resp, 500, "server_error",
				   "the service could not complete the request",
				   CT_CODE_INTERNAL);
}

int ct_svc_json_body(struct ct_http_request *req, struct ct_http_response *resp,
		     json_t **out)
{
	struct ct_errinfo ei = {0};
	int r = ct_json_parse(req->body, req->body_len, out, &ei);

	if (r != 0) {
		ct_svc_bad_request(resp, ei.msg[0] ? ei.msg : "the body is not a JSON object");
		return r;
	}
	return 0;
}

const char *ct_svc_bearer(struct ct_http_request *req)
{
	const char *h = ct_http_header(req, "Authorization");

	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0)
		return NULL;
	h += 7;
	while (*h == ' ')
		h++;
	return *h ? h : NULL;
}

bool ct_svc_tenant_ok(struct ct_http_request *req)
{
	struct ct_worker *w = ct_svc_worker(req);

	return req->capture != NULL && strcasecmp(req->capture, w->app->tenant_id) == 0;
}

/* ---- nonces ---- */


int ct_svc_nonce_issue(struct ct_worker *w, char **out, struct ct_errinfo *ei)
{
	uint8_t raw[CT_NONCE_BYTES], md[SHA256_DIGEST_LENGTH];
	struct ct_buf text;
	int r;

	ct_buf_init(&text, 128);
	if (RAND_bytes(raw, sizeof(raw)) != 1)
		return CT_ERR_CRYPTO;
	r = ct_b64url_encode(&text, raw, sizeof(raw));
	ct_buf_put_u8(&text, 0);
	if (r == 0 && text.err == 0) {
		/* The store keeps a hash: a database reader learns no live nonce. */
		SHA256(text.data, text.len - 1, md);
		r = ct_store_nonce_put(w->store, md, ct_app_now(w->app) + CT_NONCE_LIFETIME, ei);
	}
	if (r == 0) {
		*out = strdup((const char *)text.data);
		r = *out ? 0 : CT_ERR_NOMEM;
	}
	ct_buf_free(&text);
	return r;
}

int ct_svc_nonce_consume(struct ct_worker *w, const char *nonce,
			 struct ct_errinfo *ei)
{
	uint8_t md[SHA256_DIGEST_LENGTH];

	if (nonce == NULL || strlen(nonce) > 256)
		return ct_errinfo_set(ei, CT_ERR_REPLAY, "no nonce");
	SHA256((const uint8_t *)nonce, strlen(nonce), md);
	if (ct_store_nonce_consume(w->store, md, ct_app_now(w->app), ei) != 0)
		return ct_errinfo_set(ei, CT_ERR_REPLAY, "nonce unknown, expired or used");
	return 0;
}

/* ---- device proofs ---- */

void ct_device_proof_free(struct ct_device_proof *p)
{
	ct_jws_free(p->jws);
	json_decref(p->claims);
	EVP_PKEY_free(p->key);
	memset(p, 0, sizeof(*p));
}

int ct_svc_device_jws(struct ct_worker *w, struct ct_arena *a,
		      const char *compact, struct ct_device_proof *out,
		      const char **why)
{
	struct ct_errinfo ei = {0};
	char device_id[CT_PKI_GUID_LEN + 1], thumb[CT_PKI_THUMBPRINT_LEN + 1];

	memset(out, 0, sizeof(*out));
	device_id[0] = '\0';
	*why = "malformed_request";
	if (compact == NULL || ct_jws_parse(compact, strlen(compact), &out->jws, &ei) != 0)
		goto fail;
	*why = "no_device_certificate";
	if (out->jws->x5c_count < 1)
		goto fail;
	*why = "device_certificate_untrusted";
	if (ct_keycache_device_cert(w->app->keys, w->app->device_ca, out->jws->x5c[0].data,
				    out->jws->x5c[0].len, (time_t)ct_app_now(w->app),
				    device_id, &out->key, &ei) != 0)
		goto fail;
	*why = "unknown_device";
	if (ct_store_device_get(w->store, a, device_id, &out->device, &ei) != 0)
		goto fail;
	memcpy(out->device_id, device_id, sizeof(device_id));
	/* Only the certificate we issued for this device, not an older one. */
	*why = "device_certificate_replaced";
	if (ct_pki_cert_thumbprint(out->jws->x5c[0].data, out->jws->x5c[0].len, thumb) != 0 ||
	    strcasecmp(thumb, out->device.cert_thumbprint) != 0)
		goto fail;
	*why = "device_disabled";
	if (!out->device.enabled)
		goto fail;
	*why = "bad_device_signature";
	if (ct_jws_verify(out->jws, CT_JOSE_RS256 | CT_JOSE_ES256, out->key, &ei) != 0)
		goto fail;
	*why = "malformed_request";
	if (ct_json_parse(out->jws->payload.data, out->jws->payload.len, &out->claims, &ei) != 0)
		goto fail;
	*why = NULL;
	return 0;
fail:
	memcpy(device_id, out->device_id, sizeof(device_id));
	ct_device_proof_free(out);
	memcpy(out->device_id, device_id, sizeof(device_id));
	return CT_ERR_UNAUTHORIZED;
}
