/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What every endpoint handler shares: the worker of the request, the audit
 * trail, the stable error codes of docs/PROTOCOL.md §10, and small helpers
 * for bodies and bearer tokens.
 */
#ifndef CT_SVC_H
#define CT_SVC_H

#include <jansson.h>
#include <stdbool.h>

#include "app.h"
#include "jws.h"
#include "http.h"

/* Stable error codes (docs/PROTOCOL.md §10). */
enum {
	CT_CODE_INVALID_REQUEST = 50000,
	CT_CODE_THROTTLED = 50053,
	CT_CODE_STALE_MFA = 50072,
	CT_CODE_SIGNIN_FAILED = 50126,
	CT_CODE_NO_DEVICE = 50155,
	CT_CODE_DISABLED = 50057,
	CT_CODE_INVALID_TENANT = 90002,
	CT_CODE_UNSUPPORTED_GRANT = 90004,
	CT_CODE_UNAUTHORIZED = 40101,
	CT_CODE_NOT_FOUND = 40400,
	CT_CODE_CONFLICT = 40900,
	CT_CODE_INTERNAL = 50001,
};

/* The worker of the request's thread (never NULL inside a handler). */
struct ct_worker *ct_svc_worker(struct ct_http_request *req);

/* An audit event: to the store and to the log's audit stream. */
struct ct_audit_ev {
	const char *actor;   /* upn, "admin" or "anonymous" */
	const char *device;  /* may be NULL */
	const char *action;  /* "prt.issue", "device.join" ... */
	const char *outcome; /* "grant", "deny", "change", "error" */
	const char *reason;  /* may be NULL */
	const char *detail;  /* may be NULL */
};
void ct_audit(struct ct_http_request *req, const struct ct_audit_ev *ev);

/* Replies 400 invalid_request with a description; returns 0 (reply written). */
int ct_svc_bad_request(struct ct_http_response *resp, const char *what);
/* Replies 500 with the internal code; the detail goes to the log only. */
int ct_svc_internal(struct ct_http_request *req, struct ct_http_response *resp,
		    const struct ct_errinfo *ei);

/*
 * Parses the body as a strict JSON object (the caller json_decrefs *out).
 * On failure writes a 400 reply and returns a negative code.
 */
int ct_svc_json_body(struct ct_http_request *req, struct ct_http_response *resp,
		     json_t **out);

/* The token of "Authorization: Bearer TOKEN", or NULL. */
const char *ct_svc_bearer(struct ct_http_request *req);

/* True when the tenant segment of the path names our tenant. */
bool ct_svc_tenant_ok(struct ct_http_request *req);

#endif

/* ---- Nonces and device proofs, shared by the token and policy endpoints ---- */

#define CT_NONCE_LIFETIME 300
#define CT_NONCE_BYTES 32

/* Issues a nonce (b64url, malloc'd into *out) valid for CT_NONCE_LIFETIME. */
int ct_svc_nonce_issue(struct ct_worker *w, char **out, struct ct_errinfo *ei);
/* Consumes a nonce: 0 exactly once before expiry, else CT_ERR_REPLAY. */
int ct_svc_nonce_consume(struct ct_worker *w, const char *nonce,
			 struct ct_errinfo *ei) __attribute__((warn_unused_result));

/* A request signed by a joined device's key. */
struct ct_device_proof {
	struct ct_jws *jws;      /* owned: ct_device_proof_free */
	json_t *claims;          /* owned */
	EVP_PKEY *key;           /* owned: the device key from the certificate */
	struct ct_store_device device; /* in the arena given */
	/* The device the certificate names, kept on failure too (for the audit). */
	char device_id[CT_PKI_GUID_LEN + 1];
};

/*
 * Verifies compact as a JWS signed (RS256/ES256) by a device: x5c[0] chains
 * to the device CA, names a device that exists, is enabled and holds that
 * very certificate, and the signature verifies with its key.  Does not
 * consume a nonce.  Returns 0, or CT_ERR_UNAUTHORIZED with *why set to a
 * short static reason for the audit trail.
 */
int ct_svc_device_jws(struct ct_worker *w, struct ct_arena *a,
		      const char *compact, struct ct_device_proof *out,
		      const char **why) __attribute__((warn_unused_result));
void ct_device_proof_free(struct ct_device_proof *p);
