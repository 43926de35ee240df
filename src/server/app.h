/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The service's state: what cloudtrustd loads once at start (keys, CAs,
 * tenant) and what each HTTP worker thread holds (its own store handle and
 * crypto context).  Request handling keeps nothing else between requests,
 * so several instances can share one database.
 */
#ifndef CT_APP_H
#define CT_APP_H

#include <openssl/evp.h>
#include <stdbool.h>
#include <stdint.h>

#include "ct-error.h"
#include "kcrypto.h"
#include "keycache.h"
#include "pki.h"
#include "seal.h"
#include "store.h"

#define CT_APP_PRT_KEY_LEN 32
#define CT_APP_KID_LEN 43 /* b64url of 32 bytes */

/* Names of sealed secrets in the store, and their seal purposes. */
#define CT_SECRET_TENANT_CA "tenant-ca-key"
#define CT_SECRET_DEVICE_CA "device-ca-key"
#define CT_SECRET_TOKEN_KEY "token-signing-key"
#define CT_SECRET_PRT_KEY "prt-sealing-key"
#define CT_SECRET_ADMIN_TOKEN "admin-token-sha256"
#define CT_SECRET_TENANT_CA_CERT "tenant-ca-cert"
#define CT_SECRET_DEVICE_CA_CERT "device-ca-cert"
#define CT_SEAL_PURPOSE_CA "ca-key"
#define CT_SEAL_PURPOSE_TOKEN "token-key"
#define CT_SEAL_PURPOSE_PRT "prt-key"
#define CT_SEAL_PURPOSE_PRT_TOKEN "prt"
#define CT_SEAL_PURPOSE_KRB "krb-server-key"
#define CT_SEAL_PURPOSE_TOTP "totp"

struct ct_app {
	char *state_dir;
	char *db_url;
	char *issuer_url;           /* "https://host:port", no trailing slash */
	char tenant_id[CT_PKI_GUID_LEN + 1];
	char *tenant_name;
	struct ct_seal *seal;       /* master key */
	struct ct_pki_ca *device_ca;
	EVP_PKEY *token_key;        /* ES256 key signing access and id tokens */
	char token_kid[CT_APP_KID_LEN + 1];
	uint8_t prt_key[CT_APP_PRT_KEY_LEN];
	uint8_t admin_token_hash[32];
	struct ct_keycache *keys;   /* parsed public keys, shared by all workers */
	/* Test hook: seconds added to the clock (CLOUDTRUST_TEST_TIME_OFFSET). */
	int64_t time_offset;
};

/* What one HTTP worker thread owns. */
struct ct_worker {
	struct ct_app *app;
	struct ct_store *store;
	struct ct_kcrypto *kc;
};

/*
 * Loads the service state from an initialised state directory.  Returns 0
 * and a new app (free with ct_app_free); CT_ERR_NOT_FOUND when the
 * directory was never initialised; key, store and seal errors otherwise.
 */
int ct_app_load(const char *state_dir, const char *db_url,
		const char *issuer_url, struct ct_app **out,
		struct ct_errinfo *ei);
void ct_app_free(struct ct_app *app);

/* Per-thread context for the HTTP layer (thread_init/thread_fini). */
void *ct_app_thread_init(void *app);
void ct_app_thread_fini(void *app, void *ctx);

/* The service clock (time(NULL) plus the test offset). */
int64_t ct_app_now(const struct ct_app *app);

/*
 * Creates a state directory's contents: master key, database, tenant, CAs,
 * TLS files, token and PRT keys, admin token.  Refuses an initialised one
 * (CT_ERR_CONFLICT).  Writes the tenant id into tenant_id_out.
 */
struct ct_init_opts {
	const char *state_dir;
	const char *tenant_name;
	const char **domains;
	size_t ndomains;
	const char *issuer_url;
	const char *listen;
};
int ct_app_init_state(const struct ct_init_opts *o,
		      char tenant_id_out[CT_PKI_GUID_LEN + 1],
		      struct ct_errinfo *ei);

/* Paths inside the state directory. */
#define CT_STATE_MASTER_KEY "master.key"
#define CT_STATE_DB "cloudtrust.db"
#define CT_STATE_ADMIN_TOKEN "admin.token"
#define CT_STATE_TLS_DIR "tls"
#define CT_STATE_TLS_CERT "tls/server.pem"
#define CT_STATE_TLS_KEY "tls/server.key"
#define CT_STATE_TLS_CA "tls/ca.pem"
#define CT_STATE_PORT_FILE "cloudtrustd.port"

#endif
