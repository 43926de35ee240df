/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The messages of docs/PROTOCOL.md as the client sends them, and strict
 * decoders of every reply cloudtrustd sends back.
 *
 * Builders write the exact shapes of §1-§8.  Decoders take untrusted bytes:
 * the body must be one JSON object (ct_json_parse's rules: size, depth,
 * UTF-8, no duplicates); every member the client uses must be present with
 * its type, within its bound and in its exact form (GUIDs, base64,
 * thumbprints); members the client does not use are ignored, so a newer
 * server can add some.  A decoder never returns half a result: on error
 * *out is untouched (or emptied).
 *
 * Decoded replies own their strings in an arena (wiped when freed): free
 * them with the matching _free function.
 */
#ifndef CT_CL_PROTO_H
#define CT_CL_PROTO_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "cl-limits.h"
#include "ct-arena.h"
#include "ct-buf.h"
#include "ct-error.h"
#include "jws.h"

/* Grant types, scope and the broker's client id (§2, §3, §6, §7). */
#define CL_GRANT_NONCE "srv_challenge"
#define CL_GRANT_PASSWORD_OTP "urn:cloudtrust:grant-type:password-otp"
#define CL_GRANT_JWT_BEARER "urn:ietf:params:oauth:grant-type:jwt-bearer"
#define CL_GRANT_REFRESH "refresh_token"
#define CL_PRT_SCOPE "openid aza ugs"
/* The Windows broker's client id, as Windows and ROADtools send it. */
#define CL_BROKER_CLIENT_ID "38aa3b87-a06d-4817-b275-7a316988d93b"
/* The placeholder CN Windows puts in a join CSR (MS-DVRJ). */
#define CL_CSR_PLACEHOLDER_CN "7E980AD9-B86D-4306-9425-9AC066FB014A"
/* Lifetime of the Hello assertion (the server allows at most 10 minutes). */
#define CL_ASSERTION_LIFETIME 300

/* Paths, relative to the server's base URL. */
#define CL_PATH_JOIN "/EnrollmentServer/device/?api-version=2.0"
#define CL_PATH_KEY "/EnrollmentServer/key/?api-version=1.0"
#define CL_PATH_POLICY "/EnrollmentServer/policy/"
#define CL_PATH_LEAVE "/EnrollmentServer/device/leave/"
/* "/{tenant}/oauth2/token" and the discovery document. */
int cl_path_token(char *out, size_t outlen, const char *tenant);
int cl_path_discovery(char *out, size_t outlen, const char *tenant);

/* ---- errors (every endpoint) ---- */

struct cl_oauth_error {
	long status;
	char error[64];                       /* "invalid_grant"; "" if none */
	char description[CT_CL_MAX_ERROR_TEXT + 1]; /* printable, cut */
	int64_t code;                         /* first of error_codes, 0 if none */
};

/*
 * Reads an OAuth-style error body (PROTOCOL.md conventions) for a reply
 * with an HTTP status >= 400.  Never fails: a body that is not such an
 * object leaves error "" and code 0.  Control characters are dropped from
 * the description, so it can be shown to a person.
 */
void cl_reply_error(long status, const void *body, size_t len,
		    struct cl_oauth_error *out);

/* ---- §1 discovery ---- */

struct cl_discovery {
	char tenant_id[CT_CL_MAX_ID + 1];
	char token_endpoint[CT_CL_MAX_URL + 1];   /* the aud of device assertions */
	char issuer[CT_CL_MAX_URL + 1];
	bool es256_requests;                      /* ES256 in request_object_signing */
};

/* Errors: the JSON ones, CT_ERR_MISSING_FIELD, CT_ERR_BAD_VALUE. */
int cl_reply_discovery(const void *body, size_t len, struct cl_discovery *out,
		       struct ct_errinfo *ei);

/* ---- §2 nonce ---- */

/* The form of a nonce request. */
int cl_form_nonce(struct ct_buf *form);

/* {"Nonce": "<b64url of 32 bytes>"} into out (43 characters and a NUL). */
int cl_reply_nonce(const void *body, size_t len, char *out, size_t outlen,
		   struct ct_errinfo *ei);

/* ---- §3 password + TOTP ---- */

/*
 * The form of the password-otp grant; device_assertion may be NULL.  The
 * form holds the password: the caller wipes it (ct_buf_free does).
 */
int cl_form_password_otp(struct ct_buf *form, const char *upn,
			 const char *password, const char *otp,
			 const char *device_assertion);

struct cl_token_reply {
	struct ct_arena *arena;
	const char *access_token;   /* a compact JWS (not verified here) */
	int64_t expires_in;
	/* Claims read (unverified: the server verifies its own tokens). */
	const char *deviceid;       /* NULL when not bound to a device */
	int64_t iat;
};

int cl_reply_token(const void *body, size_t len, struct cl_token_reply *out,
		   struct ct_errinfo *ei);
void cl_token_reply_free(struct cl_token_reply *t);

/*
 * The device assertion of §3 (also proves the device for §8): an RS256 or
 * ES256 JWS by the device key, header x5c = [cert], claims request_nonce,
 * aud, iat.  *out is a malloc'd string.
 */
int cl_device_assertion(EVP_PKEY *device_key, const uint8_t *cert_der,
			size_t cert_len, const char *nonce, const char *aud,
			time_t iat, char **out, struct ct_errinfo *ei);

/* ---- §4 join ---- */

struct cl_join_request {
	const uint8_t *csr_der;
	size_t csr_len;
	const uint8_t *transport_blob;  /* RSA1 */
	size_t transport_len;
	const char *target_domain;
	const char *os_version;
	const char *display_name;
	int join_type;                  /* 0 join, 4 register */
};

/* The JSON body; *out is a malloc'd NUL-terminated string. */
int cl_join_body(const struct cl_join_request *req, char **out,
		 struct ct_errinfo *ei);

struct cl_join_reply {
	struct ct_arena *arena;
	const uint8_t *cert_der;
	size_t cert_len;
	char thumbprint[41];            /* upper-case hex */
	char device_id[37];             /* GUID */
	const char *upn;                /* may be NULL */
};

int cl_reply_join(const void *body, size_t len, struct cl_join_reply *out,
		  struct ct_errinfo *ei);
void cl_join_reply_free(struct cl_join_reply *j);

/* ---- §5 key registration ---- */

/* {"kngc": "<b64 blob>"}; *out is a malloc'd string. */
int cl_kpp_body(const uint8_t *blob, size_t len, char **out);

/* {"kid", "upn"}: kid into out (44 characters and a NUL). */
int cl_reply_kpp(const void *body, size_t len, char *kid, size_t kidlen,
		 struct ct_errinfo *ei);

/* ---- §6 PRT and §7 renewal ---- */

/*
 * The inner assertion's claims and header, to be signed by the Hello key
 * (ES256 through the keystore: ct_jws_sign_with).  New references.
 */
int cl_prt_inner(const char *upn, const char *tenant, const char *nonce,
		 const char *kid, time_t now, json_t **claims, json_t **header);

/* The outer request JWS, signed by the device key; *out malloc'd. */
int cl_prt_outer(EVP_PKEY *device_key, const uint8_t *cert_der, size_t cert_len,
		 const char *upn, const char *nonce, const char *assertion,
		 char **out, struct ct_errinfo *ei);

/* The form of a PRT request (§6): with tgt=true and the stronger
 * session_key_alg when oaep256. */
int cl_form_prt(struct ct_buf *form, const char *request, bool tgt, bool oaep256);

/*
 * The renewal request of §7: HS256 JWS under the SP800-108 KDF of the
 * session key with a fresh random 24-byte ctx; claims grant_type
 * refresh_token, refresh_token, request_nonce, iat, tgt.  *out malloc'd.
 */
int cl_renew_request(const uint8_t *session_key, size_t sklen, const char *prt,
		     const char *nonce, time_t iat, bool tgt, char **out,
		     struct ct_errinfo *ei);
/* The form carrying it. */
int cl_form_renew(struct ct_buf *form, const char *request, bool tgt);

/* tgt_ad as the reply carries it. */
enum cl_tgt_state {
	CL_TGT_ABSENT = 0,   /* no tgt_ad, or null */
	CL_TGT_ISSUED,       /* clientKey, messageBuffer, ... */
	CL_TGT_ERROR,        /* {"error": ...}: why there is no partial TGT */
};

struct cl_tgt_ad {
	enum cl_tgt_state state;
	/* CL_TGT_ISSUED */
	const char *client_key;         /* compact JWE (dir, session-key form) */
	int32_t key_type;               /* enctype of the reply key */
	const uint8_t *as_rep;          /* messageBuffer, decoded DER */
	size_t as_rep_len;
	const char *realm, *sn, *cn;
	int32_t session_key_type;
	int32_t account_type;
	/* CL_TGT_ERROR */
	char error[64];
	char error_description[CT_CL_MAX_ERROR_TEXT + 1];
};

struct cl_prt_reply {
	struct ct_arena *arena;
	const char *prt;                /* refresh_token */
	int64_t prt_expires_in;
	const char *session_key_jwe;    /* compact JWE to the transport key */
	const char *id_token;           /* may be NULL */
	struct cl_tgt_ad tgt_ad;
};

/*
 * Decodes a §6/§7 reply.  token_type must be "pop"; the PRT must be at
 * most CT_CL_MAX_PRT printable token characters; tgt_ad may be an object
 * or (other servers) a string holding one.  Errors: the JSON ones,
 * CT_ERR_MISSING_FIELD, CT_ERR_BAD_VALUE, CT_ERR_BAD_BASE64, CT_ERR_TOO_LARGE.
 */
int cl_reply_prt(const void *body, size_t len, struct cl_prt_reply *out,
		 struct ct_errinfo *ei);
void cl_prt_reply_free(struct cl_prt_reply *p);

/*
 * Opens the session key: decrypts session_key_jwe (RSA-OAEP or
 * RSA-OAEP-256, A256GCM) with the transport key into sk (exactly 32
 * bytes).  Errors: the JWE ones, CT_ERR_BAD_VALUE (not 32 bytes).
 */
int cl_open_session_key(const char *jwe, EVP_PKEY *transport_key,
			uint8_t sk[CT_CL_SESSION_KEY_LEN], struct ct_errinfo *ei);

/*
 * Opens tgt_ad's clientKey (dir JWE under the KDF of the session key with
 * its ctx) into the reply key bytes (appended to key, at most 64 bytes).
 */
int cl_open_client_key(const char *jwe, const uint8_t *sk, size_t sklen,
		       struct ct_buf *key, struct ct_errinfo *ei);

/* ---- §8 policy ---- */

/* The policy request JWS (device key, x5c; request_nonce, iat, upn). */
/* The leave request [ours]: device-signed, request_nonce, iat, purpose "leave". */
int cl_leave_request(EVP_PKEY *device_key, const uint8_t *cert_der, size_t cert_len,
		     const char *nonce, time_t iat, char **out, struct ct_errinfo *ei);

int cl_policy_request(EVP_PKEY *device_key, const uint8_t *cert_der,
		      size_t cert_len, const char *nonce, time_t iat,
		      const char *upn, char **out, struct ct_errinfo *ei);

/* ---- helpers ---- */

/* Reads the claims of a compact JWS without verifying it (our own token). */
int cl_jws_peek_claims(const char *jws, json_t **claims, struct ct_errinfo *ei);

#endif
