/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tokens the service issues: access tokens for enrolment (ES256 JWS), id
 * tokens, and the PRT, an opaque blob sealed with the PRT key so that any
 * instance sharing the database can open it and none needs to remember it.
 */
#ifndef CT_TOKENS_H
#define CT_TOKENS_H

#include <stdbool.h>
#include <stdint.h>

#include "app.h"
#include "ct-error.h"

/* An hour, like Entra's; key registration also wants MFA within CT_MFA_MAX_AGE. */
#define CT_ACCESS_TOKEN_LIFETIME 3600
#define CT_PRT_LIFETIME (14 * 24 * 3600)
#define CT_MFA_MAX_AGE 600
#define CT_ACCESS_AUDIENCE "urn:cloudtrust:enrollment"
#define CT_SESSION_KEY_LEN 32

struct ct_access_token {
	int64_t user_id;
	char upn[256];
	int64_t iat, exp;
	bool ngcmfa;
	char device_id[CT_PKI_GUID_LEN + 1]; /* "" when not bound to a device */
};

/*
 * Issues an access token for user (amr pwd, mfa, ngcmfa; bound to device_id
 * when not NULL).  *out is malloc'd.  Returns 0 or a JOSE error.
 */
int ct_token_issue_access(const struct ct_app *app, int64_t user_id,
			  const char *upn, const char *device_id, char **out,
			  struct ct_errinfo *ei);

/*
 * Checks a bearer access token: our signature, issuer, audience, tenant,
 * not expired.  Fills *out.  Returns 0 or CT_ERR_UNAUTHORIZED (detail in ei).
 */
int ct_token_verify_access(const struct ct_app *app, const char *token,
			   struct ct_access_token *out, struct ct_errinfo *ei)
	__attribute__((warn_unused_result));

/* Issues an id token for a PRT sign-in.  *out is malloc'd. */
int ct_token_issue_id(const struct ct_app *app, int64_t user_id,
		      const char *upn, const char *device_id, char **out,
		      struct ct_errinfo *ei);

/* The contents of a PRT. */
struct ct_prt {
	int64_t user_id;
	char device_id[CT_PKI_GUID_LEN + 1];
	uint8_t session_key[CT_SESSION_KEY_LEN];
	int64_t iat, exp;
};

/* Seals a PRT into an opaque b64url string (malloc'd). */
int ct_prt_seal(const struct ct_app *app, const struct ct_prt *prt, char **out,
		struct ct_errinfo *ei);

/*
 * Opens a PRT and checks its expiry.  Returns 0, CT_ERR_UNAUTHORIZED
 * (tampered, foreign, malformed or expired; detail in ei).
 */
int ct_prt_open(const struct ct_app *app, const char *text, struct ct_prt *out,
		struct ct_errinfo *ei) __attribute__((warn_unused_result));

#endif
