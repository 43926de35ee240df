/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internal to the client library: the handle and what the flows share
 * (the HTTP client, the device keys, the keystore, a nonce, the mapping of
 * the server's refusals to CT_ERR_* codes).
 */
#ifndef CT_CL_INTERNAL_H
#define CT_CL_INTERNAL_H

#include <limits.h>
#include <stdbool.h>

#include "cl-config.h"
#include "cl-device.h"
#include "cl-http.h"
#include "cl-policy.h"
#include "cl-proto.h"
#include "cl-state.h"
#include "client.h"
#include "keystore.h"

struct ct_client {
	struct ct_client_config cfg;
	bool joined;
	struct cl_device_state dev;
	struct ct_policy local_only;      /* defaults + the local file, for checks */
	bool local_policy_ok;
	char local_policy_error[512];
	struct cl_http *http;             /* opened on first use */
	struct cl_device_keys keys;       /* loaded on first use */
	bool keys_loaded;
	struct cl_discovery disco;
	bool have_disco;
	time_t server_date;               /* the last Date header seen */
};

/* "<state>/<name>" into out (PATH_MAX). */
int cl_state_path(const struct ct_client *c, const char *name, char *out);

/* The CA file to trust: the config's, else the one saved at join. */
const char *cl_ca_file(const struct ct_client *c, char *buf);

/* The server URL: the config's, else the device state's. */
const char *cl_server_url(const struct ct_client *c);

/* Opens the HTTP client (once) for the configured or joined server. */
int cl_http_open(struct ct_client *c, const char *url, const char *ca,
		 struct ct_errinfo *ei);

/* Needs a joined device: CT_ERR_NOT_JOINED otherwise. */
int cl_need_joined(const struct ct_client *c, struct ct_errinfo *ei);

/* Loads the device keys (once). */
int cl_need_keys(struct ct_client *c, struct ct_errinfo *ei);

/* Opens the keystore of the device state (kind, TCTI, config costs). */
int cl_keystore_open(struct ct_client *c, const char *kind,
		     struct ct_keystore **out, struct ct_errinfo *ei);

/*
 * Sends a request and keeps a 2xx reply; a refusal becomes a CT_ERR_* code
 * with the server's words in ei (what names the step: "sign-in").
 */
int cl_call(struct ct_client *c, const char *what, const char *method,
	    const char *path, enum cl_http_body kind, const void *body,
	    size_t len, const char *bearer, struct cl_http_reply *reply,
	    struct ct_errinfo *ei);

/* A fresh nonce (§2) into out (64 bytes). */
int cl_get_nonce(struct ct_client *c, char *out, size_t outlen,
		 struct ct_errinfo *ei);

/* The discovery document (once); checks it names the device's tenant. */
int cl_get_discovery(struct ct_client *c, const char *tenant,
		     struct ct_errinfo *ei);

/* The path of the token endpoint of the joined tenant. */
int cl_token_path(const struct ct_client *c, const char *tenant, char *out,
		  size_t outlen);

/*
 * Fetches the policy (§8) for upn (may be NULL), saves the reply as the
 * cache, and returns the effective policy in out.
 */
int cl_policy_fetch(struct ct_client *c, const char *upn, struct ct_policy *out,
		    struct ct_errinfo *ei);

/* The effective policy from the cache (no network); missing cache = defaults. */
int cl_policy_cached(struct ct_client *c, struct ct_policy *out,
		     struct ct_errinfo *ei);

/* password + TOTP (§3), bound to the device when bind is set. */
int cl_sign_in(struct ct_client *c, const char *upn, const char *password,
	       const char *otp, bool bind, struct cl_token_reply *tok,
	       struct ct_errinfo *ei);

/* The keystore label of a new key for upn ("<upn>#<time>", lower case). */
void cl_new_key_label(const char *upn, char *out, size_t outlen);

/* Copies an errinfo's message with a prefix ("sign-in: ..."). */
int cl_prefix(struct ct_errinfo *ei, int r, const char *what);

/* Copies src into dst[0..n), cut to fit and always terminated. */
void cl_copy(char *dst, size_t n, const char *src);

/* Now, as the client sees it. */
time_t cl_now(void);

#endif
