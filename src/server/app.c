/* SPDX-License-Identifier: Apache-2.0 */
#include "app.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "b64.h"
#include "ct-limits.h"
#include "ct-secret.h"

#define PATH_BUF 4096

static int join_path(char *out, const char *dir, const char *name)
{
	int n = snprintf(out, PATH_BUF, "%s/%s", dir, name);

	return n < 0 || n >= PATH_BUF ? CT_ERR_INVALID_ARG : 0;
}

int64_t ct_app_now(const struct ct_app *app)
{
	return (int64_t)time(NULL) + app->time_offset;
}

/* Seals plain for purpose and stores it under name. */
static int put_sealed(struct ct_store *st, const struct ct_seal *seal,
		      const char *name, const char *purpose,
		      const uint8_t *plain, size_t len, struct ct_errinfo *ei)
{
	struct ct_buf blob;
	struct ct_store_blob b;
	int r;

	ct_buf_init(&blob, CT_SEAL_OVERHEAD + len + 64);
	r = ct_seal(seal, purpose, plain, len, &blob);
	if (r != 0) {
		ct_buf_free(&blob);
		return ct_errinfo_set(ei, r, "cannot seal %s: %s", name, ct_strerror(r));
	}
	b.data = blob.data;
	b.len = blob.len;
	r = ct_store_secret_put(st, name, &b, ei);
	ct_buf_free(&blob);
	return r;
}

/* Loads and opens the sealed secret name into out (a ct_buf, wiped on free). */
static int get_sealed(struct ct_store *st, const struct ct_seal *seal,
		      const char *name, const char *purpose, struct ct_buf *out,
		      struct ct_errinfo *ei)
{
	struct ct_arena *a = ct_arena_new();
	struct ct_store_blob b;
	int r;

	if (a == NULL)
		return CT_ERR_NOMEM;
	r = ct_store_secret_get(st, a, name, &b, ei);
	if (r == 0)
		r = ct_unseal(seal, purpose, b.data, b.len, out, ei);
	if (r != 0)
		ct_errinfo_default(ei, r, "cannot open secret %s", name);
	ct_arena_free(a);
	return r;
}

static int key_kid(EVP_PKEY *key, char kid[CT_APP_KID_LEN + 1])
{
	unsigned char *spki = NULL, md[SHA256_DIGEST_LENGTH];
	struct ct_buf b;
	int n = i2d_PUBKEY(key, &spki), r;

	if (n <= 0)
		return CT_ERR_CRYPTO;
	SHA256(spki, (size_t)n, md);
	OPENSSL_free(spki);
	ct_buf_init(&b, 128);
	r = ct_b64url_encode(&b, md, sizeof(md));
	if (r == 0 && b.len == CT_APP_KID_LEN) {
		memcpy(kid, b.data, b.len);
		kid[b.len] = '\0';
	} else if (r == 0) {
		r = CT_ERR_INTERNAL;
	}
	ct_buf_free(&b);
	return r;
}

static int load_token_key(struct ct_app *app, struct ct_store *st,
			  struct ct_errinfo *ei)
{
	struct ct_buf der;
	const unsigned char *p;
	int r;

	ct_buf_init(&der, 4096);
	r = get_sealed(st, app->seal, CT_SECRET_TOKEN_KEY, CT_SEAL_PURPOSE_TOKEN, &der, ei);
	if (r == 0) {
		p = der.data;
		app->token_key = d2i_AutoPrivateKey(NULL, &p, (long)der.len);
		if (app->token_key == NULL)
			r = ct_errinfo_set(ei, CT_ERR_BAD_KEY, "the token signing key is corrupt");
	}
	if (r == 0)
		r = key_kid(app->token_key, app->token_kid);
	ct_buf_free(&der);
	return r;
}

static int load_fixed_secret(struct ct_app *app, struct ct_store *st,
			     const char *name, const char *purpose,
			     uint8_t *out, size_t len, struct ct_errinfo *ei)
{
	struct ct_buf b;
	int r;

	ct_buf_init(&b, 256);
	r = get_sealed(st, app->seal, name, purpose, &b, ei);
	if (r == 0 && b.len != len)
		r = ct_errinfo_set(ei, CT_ERR_BAD_VALUE, "secret %s has the wrong size", name);
	if (r == 0)
		memcpy(out, b.data, len);
	ct_buf_free(&b);
	return r;
}

static int load_device_ca(struct ct_app *app, struct ct_store *st,
			  struct ct_errinfo *ei)
{
	struct ct_buf cert, key;
	int r;

	ct_buf_init(&cert, 16384);
	ct_buf_init(&key, 16384);
	r = get_sealed(st, app->seal, CT_SECRET_DEVICE_CA_CERT, CT_SEAL_PURPOSE_CA, &cert, ei);
	if (r == 0)
		r = get_sealed(st, app->seal, CT_SECRET_DEVICE_CA, CT_SEAL_PURPOSE_CA, &key, ei);
	if (r == 0)
		r = ct_pki_ca_load(cert.data, cert.len, key.data, key.len, &app->device_ca, ei);
	ct_buf_free(&cert);
	ct_buf_free(&key);
	return r;
}

int ct_app_load(const char *state_dir, const char *db_url,
		const char *issuer_url, struct ct_app **out,
		struct ct_errinfo *ei)
{
	struct ct_app *app = calloc(1, sizeof(*app));
	struct ct_store *st = NULL;
	struct ct_arena *a = ct_arena_new();
	struct ct_store_tenant t;
	char path[PATH_BUF];
	const char *off = getenv("CLOUDTRUST_TEST_TIME_OFFSET");
	int r;

	*out = NULL;
	if (app == NULL || a == NULL) {
		r = CT_ERR_NOMEM;
		goto out;
	}
	app->state_dir = strdup(state_dir);
	r = join_path(path, state_dir, CT_STATE_MASTER_KEY);
	if (r != 0 || app->state_dir == NULL)
		goto out;
	r = ct_seal_keyfile_load(path, &app->seal, ei);
	if (r == CT_ERR_NOT_FOUND)
		ct_errinfo_set(ei, r, "%s is not initialised (run cloudtrustd init)", state_dir);
	if (r != 0)
		goto out;
	if (db_url != NULL) {
		app->db_url = strdup(db_url);
	} else {
		char url[PATH_BUF + 8];

		snprintf(url, sizeof(url), "sqlite:%s/%s", state_dir, CT_STATE_DB);
		app->db_url = strdup(url);
	}
	if (app->db_url == NULL) {
		r = CT_ERR_NOMEM;
		goto out;
	}
	r = ct_store_open(app->db_url, &st, ei);
	if (r == 0)
		r = ct_store_tenant_get(st, a, &t, ei);
	if (r != 0)
		goto out;
	snprintf(app->tenant_id, sizeof(app->tenant_id), "%s", t.id);
	app->tenant_name = strdup(t.name);
	r = load_token_key(app, st, ei);
	if (r == 0)
		r = load_device_ca(app, st, ei);
	if (r == 0)
		r = load_fixed_secret(app, st, CT_SECRET_PRT_KEY, CT_SEAL_PURPOSE_PRT,
				      app->prt_key, sizeof(app->prt_key), ei);
	if (r == 0)
		r = load_fixed_secret(app, st, CT_SECRET_ADMIN_TOKEN, CT_SEAL_PURPOSE_TOKEN,
				      app->admin_token_hash, sizeof(app->admin_token_hash), ei);
	if (r != 0)
		goto out;
	app->issuer_url = strdup(issuer_url != NULL ? issuer_url : "https://127.0.0.1:8443");
	if (app->issuer_url == NULL || app->tenant_name == NULL) {
		r = CT_ERR_NOMEM;
		goto out;
	}
	app->keys = ct_keycache_new();
	if (app->keys == NULL) {
		r = CT_ERR_NOMEM;
		goto out;
	}
	/* A test hook only: it moves the service clock, never the system's. */
	if (off != NULL)
		app->time_offset = strtoll(off, NULL, 10);
	*out = app;
	app = NULL;
out:
	ct_store_close(st);
	ct_arena_free(a);
	ct_app_free(app);
	return r;
}

void ct_app_free(struct ct_app *app)
{
	if (app == NULL)
		return;
	free(app->state_dir);
	free(app->db_url);
	free(app->issuer_url);
	free(app->tenant_name);
	ct_seal_free(app->seal);
	ct_pki_ca_free(app->device_ca);
	EVP_PKEY_free(app->token_key);
	ct_keycache_free(app->keys);
	ct_zap(app->prt_key, sizeof(app->prt_key));
	ct_zap(app->admin_token_hash, sizeof(app->admin_token_hash));
	free(app);
}

void *ct_app_thread_init(void *appv)
{
	struct ct_app *app = appv;
	struct ct_worker *w = calloc(1, sizeof(*w));
	struct ct_errinfo ei = {0};

	if (w == NULL)
		return NULL;
	w->app = app;
	if (ct_store_open(app->db_url, &w->store, &ei) != 0 ||
	    ct_kcrypto_new(&w->kc) != 0) {
		ct_app_thread_fini(app, w);
		return NULL;
	}
	return w;
}

void ct_app_thread_fini(void *app, void *ctx)
{
	struct ct_worker *w = ctx;

	(void)app;
	if (w == NULL)
		return;
	ct_store_close(w->store);
	ct_kcrypto_free(w->kc);
	free(w);
}

/* ---- init ---- */

/* Writes data to a new file (O_EXCL, never through a link) with mode. */
static int write_new_file(const char *path, const void *data, size_t len,
			  mode_t mode, struct ct_errinfo *ei)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	ssize_t w;

	if (fd < 0)
		return ct_errinfo_set(ei, errno == EEXIST ? CT_ERR_CONFLICT : CT_ERR_IO,
				      "cannot create %s: %s", path, strerror(errno));
	w = write(fd, data, len);
	/* The mode asked for, whatever the umask: clients must read ca.pem. */
	if (w < 0 || (size_t)w != len || fchmod(fd, mode) != 0 || fsync(fd) != 0) {
		close(fd);
		unlink(path);
		return ct_errinfo_set(ei, CT_ERR_IO, "cannot write %s", path);
	}
	return close(fd) == 0 ? 0 : ct_errinfo_set(ei, CT_ERR_IO, "cannot write %s", path);
}

static int make_ca(struct ct_store *st, const struct ct_seal *seal,
		   const char *cn, const char *cert_name, const char *key_name,
		   struct ct_pki_ca **ca_out, struct ct_errinfo *ei)
{
	struct ct_buf cert, key;
	int r;

	ct_buf_init(&cert, 16384);
	ct_buf_init(&key, 16384);
	r = ct_pki_ca_create(cn, ca_out, ei);
	if (r == 0)
		r = ct_pki_ca_export(*ca_out, &cert, &key);
	if (r == 0)
		r = put_sealed(st, seal, cert_name, CT_SEAL_PURPOSE_CA, cert.data, cert.len, ei);
	if (r == 0)
		r = put_sealed(st, seal, key_name, CT_SEAL_PURPOSE_CA, key.data, key.len, ei);
	ct_buf_free(&cert);
	ct_buf_free(&key);
	return r;
}

/* The server certificate names the listen address and localhost. */
static int make_tls(const char *state_dir, const struct ct_pki_ca *ca,
		    const char *listen, struct ct_errinfo *ei)
{
	struct ct_buf cert, key, pem;
	char certp[PATH_BUF], keyp[PATH_BUF], cap[PATH_BUF], dir[PATH_BUF], host[256] = "";
	const char *dns[] = {"localhost"};
	const char *ips[2] = {"127.0.0.1", NULL};
	size_t nips = 1;
	int r;

	/* A numeric listen address other than loopback also goes into the SANs. */
	if (listen != NULL && listen[0] != '[') {
		const char *colon = strrchr(listen, ':');
		size_t n = colon ? (size_t)(colon - listen) : strlen(listen);

		if (n > 0 && n < sizeof(host)) {
			memcpy(host, listen, n);
			host[n] = '\0';
			if (strcmp(host, "127.0.0.1") != 0 && strcmp(host, "0.0.0.0") != 0)
				ips[nips++] = host;
		}
	}
	ct_buf_init(&cert, 16384);
	ct_buf_init(&key, 16384);
	ct_buf_init(&pem, 65536);
	if (join_path(dir, state_dir, CT_STATE_TLS_DIR) != 0 ||
	    join_path(certp, state_dir, CT_STATE_TLS_CERT) != 0 ||
	    join_path(keyp, state_dir, CT_STATE_TLS_KEY) != 0 ||
	    join_path(cap, state_dir, CT_STATE_TLS_CA) != 0) {
		r = CT_ERR_INVALID_ARG;
		goto out;
	}
	if ((mkdir(dir, 0755) != 0 && errno != EEXIST) || chmod(dir, 0755) != 0) {
		r = ct_errinfo_set(ei, CT_ERR_IO, "cannot create %s: %s", dir, strerror(errno));
		goto out;
	}
	r = ct_pki_server_cert_issue(ca, dns, 1, ips, nips, 825, &cert, &key, ei);
	if (r == 0)
		r = ct_pki_write_tls_files(certp, keyp, cert.data, cert.len, key.data, key.len, ei);
	ct_buf_free(&cert);
	if (r == 0)
		r = ct_pki_ca_export(ca, &cert, NULL);
	if (r == 0)
		r = ct_pki_pem_encode("CERTIFICATE", cert.data, cert.len, &pem);
	if (r == 0)
		r = write_new_file(cap, pem.data, pem.len, 0644, ei);
out:
	ct_buf_free(&cert);
	ct_buf_free(&key);
	ct_buf_free(&pem);
	return r;
}

static int make_token_key(struct ct_store *st, const struct ct_seal *seal,
			  struct ct_errinfo *ei)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");
	unsigned char *der = NULL;
	int n, r;

	if (k == NULL)
		return ct_errinfo_set(ei, CT_ERR_CRYPTO, "cannot make the token signing key");
	n = i2d_PrivateKey(k, &der);
	r = n > 0 ? put_sealed(st, seal, CT_SECRET_TOKEN_KEY, CT_SEAL_PURPOSE_TOKEN,
			       der, (size_t)n, ei)
		  : CT_ERR_CRYPTO;
	if (der != NULL)
		OPENSSL_clear_free(der, (size_t)n);
	EVP_PKEY_free(k);
	return r;
}

/* The PRT sealing key and the admin token (kept as its hash). */
static int make_random_secrets(const struct ct_init_opts *o, struct ct_store *st,
			       const struct ct_seal *seal, struct ct_errinfo *ei)
{
	uint8_t prt[CT_APP_PRT_KEY_LEN], tok[32], md[SHA256_DIGEST_LENGTH];
	struct ct_buf text;
	char path[PATH_BUF];
	int r;

	ct_buf_init(&text, 128);
	if (RAND_bytes(prt, sizeof(prt)) != 1 || RAND_bytes(tok, sizeof(tok)) != 1)
		return ct_errinfo_set(ei, CT_ERR_CRYPTO, "no randomness");
	r = put_sealed(st, seal, CT_SECRET_PRT_KEY, CT_SEAL_PURPOSE_PRT, prt, sizeof(prt), ei);
	if (r == 0)
		r = ct_b64url_encode(&text, tok, sizeof(tok));
	if (r == 0) {
		/* The token is what the admin types; the hash is what we keep. */
		SHA256(text.data, text.len, md);
		r = put_sealed(st, seal, CT_SECRET_ADMIN_TOKEN, CT_SEAL_PURPOSE_TOKEN,
			       md, sizeof(md), ei);
	}
	ct_buf_put_u8(&text, '\n');
	if (r == 0)
		r = join_path(path, o->state_dir, CT_STATE_ADMIN_TOKEN);
	if (r == 0)
		r = write_new_file(path, text.data, text.len, 0600, ei);
	ct_zap(prt, sizeof(prt));
	ct_zap(tok, sizeof(tok));
	ct_buf_free(&text);
	return r;
}

/* Removes what a failed init made, so init can simply be run again. */
static void init_undo(const char *state_dir)
{
	static const char *const made[] = {
		CT_STATE_ADMIN_TOKEN, CT_STATE_TLS_CERT, CT_STATE_TLS_KEY,
		CT_STATE_TLS_CA, CT_STATE_DB, CT_STATE_DB "-wal", CT_STATE_DB "-shm",
		CT_STATE_MASTER_KEY,
	};
	char path[PATH_BUF];
	size_t i;

	for (i = 0; i < sizeof(made) / sizeof(made[0]); i++)
		if (join_path(path, state_dir, made[i]) == 0)
			unlink(path);
}

int ct_app_init_state(const struct ct_init_opts *o,
		      char tenant_id_out[CT_PKI_GUID_LEN + 1],
		      struct ct_errinfo *ei)
{
	struct ct_seal *seal = NULL;
	struct ct_store *st = NULL;
	struct ct_pki_ca *tenant_ca = NULL, *device_ca = NULL;
	struct ct_store_tenant t;
	char path[PATH_BUF], url[PATH_BUF + 8], id[CT_PKI_GUID_LEN + 1];
	size_t i;
	int r;

	memset(&t, 0, sizeof(t));
	if (mkdir(o->state_dir, 0700) != 0 && errno != EEXIST)
		return ct_errinfo_set(ei, CT_ERR_IO, "cannot create %s: %s",
				      o->state_dir, strerror(errno));
	r = join_path(path, o->state_dir, CT_STATE_MASTER_KEY);
	if (r != 0)
		return r;
	if (access(path, F_OK) == 0)
		return ct_errinfo_set(ei, CT_ERR_CONFLICT,
				      "%s is already initialised", o->state_dir);
	r = ct_seal_keyfile_create(path, ei);
	if (r != 0)
		return r;
	r = ct_seal_keyfile_load(path, &seal, ei);
	if (r != 0)
		goto out;
	snprintf(url, sizeof(url), "sqlite:%s/%s", o->state_dir, CT_STATE_DB);
	r = ct_store_open(url, &st, ei);
	if (r == 0)
		r = ct_pki_guid_new(id);
	if (r != 0)
		goto out;
	/* All of the database's part or none of it. */
	r = ct_store_begin(st, ei);
	if (r != 0)
		goto out;
	t.id = id;
	t.name = o->tenant_name;
	r = ct_store_tenant_add(st, &t, ei);
	for (i = 0; r == 0 && i < o->ndomains; i++)
		r = ct_store_tenant_domain_add(st, o->domains[i], ei);
	if (r == 0)
		r = make_ca(st, seal, "cloudtrust tenant CA", CT_SECRET_TENANT_CA_CERT,
			    CT_SECRET_TENANT_CA, &tenant_ca, ei);
	if (r == 0)
		r = make_ca(st, seal, "cloudtrust device CA", CT_SECRET_DEVICE_CA_CERT,
			    CT_SECRET_DEVICE_CA, &device_ca, ei);
	if (r == 0)
		r = make_token_key(st, seal, ei);
	if (r == 0)
		r = make_random_secrets(o, st, seal, ei);
	if (r == 0)
		r = make_tls(o->state_dir, tenant_ca, o->listen, ei);
	if (r == 0)
		r = ct_store_commit(st, ei);
	else
		ct_store_rollback(st, NULL);
	if (r == 0)
		memcpy(tenant_id_out, id, sizeof(id));
out:
	ct_pki_ca_free(tenant_ca);
	ct_pki_ca_free(device_ca);
	ct_store_close(st);
	ct_seal_free(seal);
	if (r != 0)
		init_undo(o->state_dir);
	return r;
}
