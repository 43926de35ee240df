/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Joining (PROTOCOL.md §3, §4) and leaving.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "cl-events.h"
#include "cl-internal.h"
#include "cl-safefile.h"
#include "keyblob.h"

/* The state directory: root's, 0711 so any user can read device.json and
 * the policy cache (status); users/ and hello/ are 0700. */
#define STATE_DIR_MODE 0711

/* PRETTY_NAME of /etc/os-release, else "Linux <release>". */
static void os_version(char *out, size_t outlen)
{
	char line[512];
	struct utsname u;
	FILE *f = fopen("/etc/os-release", "re");

	out[0] = '\0';
	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		char *v = line + strlen("PRETTY_NAME=");
		size_t n;

		if (strncmp(line, "PRETTY_NAME=", strlen("PRETTY_NAME=")) != 0)
			continue;
		v[strcspn(v, "\n")] = '\0';
		n = strlen(v);
		if (n >= 2 && v[0] == '"' && v[n - 1] == '"') {
			v[n - 1] = '\0';
			v++;
		}
		cl_copy(out, outlen, v);
		break;
	}
	if (f != NULL)
		fclose(f);
	if (out[0] == '\0' && uname(&u) == 0)
		snprintf(out, outlen, "%s %s", u.sysname, u.release);
	if (out[0] == '\0')
		snprintf(out, outlen, "Linux");
}

/* The keystore kind to use: asked for, or the config's ("auto": TPM if any). */
static int pick_keystore(const struct ct_client *c, const char *asked, char *out,
			 struct ct_errinfo *ei)
{
	enum ct_client_keystore k = c->cfg.keystore;

	if (asked != NULL) {
		if (strcmp(asked, "tpm") == 0)
			k = CT_CLIENT_KS_TPM;
		else if (strcmp(asked, "soft") == 0)
			k = CT_CLIENT_KS_SOFT;
		else if (strcmp(asked, "auto") == 0)
			k = CT_CLIENT_KS_AUTO;
		else
			return ct_errinfo_set(ei, CT_ERR_INVALID_ARG,
					      "keystore must be tpm, soft or auto");
	}
	if (k == CT_CLIENT_KS_AUTO)
		k = ct_ks_tpm_available(c->cfg.tcti) ? CT_CLIENT_KS_TPM : CT_CLIENT_KS_SOFT;
	if (k == CT_CLIENT_KS_TPM && !ct_ks_tpm_available(c->cfg.tcti))
		return ct_errinfo_set(ei, CT_ERR_KEYSTORE,
				      "the TPM keystore was asked for, but no TPM answers%s%s",
				      c->cfg.tcti ? " at " : "", c->cfg.tcti ? c->cfg.tcti : "");
	snprintf(out, 8, "%s", k == CT_CLIENT_KS_TPM ? "tpm" : "soft");
	return 0;
}

static int check_opts(const struct ct_join_opts *o, struct ct_errinfo *ei)
{
	if (o->tenant_id == NULL || o->upn == NULL || o->password == NULL || o->otp == NULL)
		return ct_errinfo_set(ei, CT_ERR_INVALID_ARG,
				      "join needs the tenant, a user, a password and a code");
	if (strlen(o->tenant_id) != 36)
		return ct_errinfo_set(ei, CT_ERR_INVALID_ARG, "the tenant id is not a GUID");
	if (!cl_upn_ok(o->upn))
		return ct_errinfo_set(ei, CT_ERR_INVALID_ARG, "%.300s is not a UPN", o->upn);
	return 0;
}

/* The MS-DVRJ exchange: CSR and transport key in, certificate out. */
static int do_join(struct ct_client *c, const struct ct_join_opts *o,
		   const char *token, struct cl_device_keys *k,
		   struct cl_join_reply *jr, struct ct_errinfo *ei)
{
	struct cl_join_request req;
	struct cl_http_reply rep;
	struct ct_buf csr, tk;
	char os[CT_CL_MAX_NAME], host[CT_CL_MAX_NAME], *body = NULL;
	int r;

	memset(&rep, 0, sizeof(rep));
	ct_buf_init(&csr, CT_CSR_MAX);
	ct_buf_init(&tk, 1024);
	os_version(os, sizeof(os));
	if (o->display_name != NULL)
		snprintf(host, sizeof(host), "%s", o->display_name);
	else if (gethostname(host, sizeof(host)) != 0)
		snprintf(host, sizeof(host), "linux-device");
	host[sizeof(host) - 1] = '\0';
	r = cl_device_keys_generate(k, ei);
	if (r == 0)
		r = cl_device_csr(k->device_key, &csr, ei);
	if (r == 0 && ct_rsa1_blob_export(k->transport_key, &tk) != 0)
		r = ct_errinfo_set(ei, CT_ERR_CRYPTO, "cannot export the transport key");
	if (r != 0)
		goto out;
	memset(&req, 0, sizeof(req));
	req.csr_der = csr.data;
	req.csr_len = csr.len;
	req.transport_blob = tk.data;
	req.transport_len = tk.len;
	req.target_domain = strchr(o->upn, '@') + 1;
	req.os_version = os;
	req.display_name = host;
	req.join_type = 0;
	r = cl_join_body(&req, &body, ei);
	if (r == 0)
		r = cl_call(c, "join", "POST", CL_PATH_JOIN, CL_BODY_JSON, body, strlen(body),
			    token, &rep, ei);
	if (r == 0)
		r = cl_reply_join(rep.body.data, rep.body.len, jr, ei);
	if (r == 0 && !cl_cert_matches_key(jr->cert_der, jr->cert_len, k->device_key)) {
		cl_join_reply_free(jr);
		r = ct_errinfo_set(ei, CT_ERR_MISMATCH,
				   "join: the certificate is not for our device key");
	}
	if (r == 0)
		r = cl_device_keys_set_cert(k, jr->cert_der, jr->cert_len);
out:
	cl_http_reply_free(&rep);
	ct_buf_free(&csr);
	ct_buf_free(&tk);
	free(body);
	return r;
}

int ct_client_join(struct ct_client *c, const struct ct_join_opts *o,
		   struct ct_join_result *res, struct ct_errinfo *ei)
{
	struct cl_device_keys k;
	struct cl_join_reply jr;
	struct cl_token_reply tok;
	struct cl_device_state dev;
	struct ct_policy pol;
	struct ct_errinfo pei = {0};
	char kind[8], ca_path[PATH_MAX];
	const char *ca = o->ca_file != NULL ? o->ca_file : c->cfg.ca_file;
	int r;

	memset(res, 0, sizeof(*res));
	memset(&k, 0, sizeof(k));
	memset(&jr, 0, sizeof(jr));
	memset(&tok, 0, sizeof(tok));
	if (c->joined)
		return ct_errinfo_set(ei, CT_ERR_CONFLICT,
				      "this device is already joined (device %s): run "
				      "cloudtrust leave first", c->dev.device_id);
	r = check_opts(o, ei);
	if (r == 0 && ca == NULL)
		r = ct_errinfo_set(ei, CT_ERR_INVALID_ARG,
				   "give the CA file the server's certificate chains to (--ca)");
	if (r == 0)
		r = pick_keystore(c, o->keystore, kind, ei);
	if (r == 0)
		r = cl_dir_ensure(c->cfg.state_dir, STATE_DIR_MODE, ei);
	if (r == 0)
		r = cl_http_open(c, o->server_url, ca, ei);
	if (r == 0)
		r = cl_get_discovery(c, o->tenant_id, ei);
	if (r == 0)
		r = cl_sign_in(c, o->upn, o->password, o->otp, false, &tok, ei);
	if (r == 0)
		r = do_join(c, o, tok.access_token, &k, &jr, ei);
	if (r != 0)
		goto out;
	memset(&dev, 0, sizeof(dev));
	snprintf(dev.server_url, sizeof(dev.server_url), "%s", cl_http_base(c->http));
	snprintf(dev.tenant_id, sizeof(dev.tenant_id), "%s", c->disco.tenant_id);
	snprintf(dev.device_id, sizeof(dev.device_id), "%s", jr.device_id);
	snprintf(dev.thumbprint, sizeof(dev.thumbprint), "%s", jr.thumbprint);
	snprintf(dev.joined_by, sizeof(dev.joined_by), "%s", o->upn);
	if (o->display_name != NULL)
		snprintf(dev.display_name, sizeof(dev.display_name), "%s", o->display_name);
	else if (gethostname(dev.display_name, sizeof(dev.display_name) - 1) != 0)
		snprintf(dev.display_name, sizeof(dev.display_name), "linux-device");
	snprintf(dev.keystore, sizeof(dev.keystore), "%s", kind);
	if (strcmp(kind, "tpm") == 0 && c->cfg.tcti != NULL)
		snprintf(dev.tcti, sizeof(dev.tcti), "%s", c->cfg.tcti);
	dev.join_time = cl_now();
	/* Keys and CA first: device.json last, as the mark of a finished join. */
	r = cl_device_keys_save(c->cfg.state_dir, &k, ei);
	if (r == 0 && cl_state_path(c, CL_SERVER_CA_FILE, ca_path) != 0)
		r = CT_ERR_TOO_LARGE;
	if (r == 0 && strcmp(ca, ca_path) != 0)
		r = cl_copy_ca_file(ca, ca_path, ei);
	if (r == 0)
		r = cl_device_state_save(c->cfg.state_dir, &dev, ei);
	if (r != 0) {
		cl_prefix(ei, r, "the server joined the device, but its state could not be saved");
		goto out;
	}
	c->dev = dev;
	c->joined = true;
	cl_device_keys_free(&c->keys);
	c->keys = k;
	c->keys_loaded = true;
	memset(&k, 0, sizeof(k));
	cl_copy(res->device_id, sizeof(res->device_id), dev.device_id);
	cl_copy(res->thumbprint, sizeof(res->thumbprint), dev.thumbprint);
	snprintf(res->keystore, sizeof(res->keystore), "%s", kind);
	ct_event_emit(c->cfg.state_dir, CT_EVENT_JOIN, o->upn, 0,
		      "joined tenant %s as device %s (keystore %s)", dev.tenant_id,
		      dev.device_id, kind);
	res->policy_fetched = cl_policy_fetch(c, NULL, &pol, &pei) == 0;
	if (!res->policy_fetched)
		snprintf(res->note, sizeof(res->note), "the first policy fetch failed: %.200s",
			 pei.msg);
out:
	if (r != 0)
		ct_event_emit(c->joined ? c->cfg.state_dir : NULL, CT_EVENT_ERROR, o->upn, r,
			      "join failed: %s", ei != NULL ? ei->msg : ct_strerror(r));
	cl_device_keys_free(&k);
	cl_join_reply_free(&jr);
	cl_token_reply_free(&tok);
	return r;
}

/* ---- leave ---- */

struct leave_ctx {
	struct ct_client *c;
	struct ct_keystore *ks;
	unsigned removed;
	int first_error;
	struct ct_errinfo *ei;
};

static int leave_user(const struct cl_user_state *s, void *arg)
{
	struct leave_ctx *l = arg;
	int r;

	r = ct_ks_delete(l->ks, s->key_label, l->ei);
	if (r == CT_ERR_NOT_ENROLLED)
		r = 0;
	if (r == 0)
		r = cl_user_state_remove(l->c->cfg.state_dir, s->upn, l->ei);
	if (r == 0)
		l->removed++;
	else if (l->first_error == 0)
		l->first_error = r;
	return 0;
}

/* Asks the service to remove this device and its Hello keys. */
static int leave_service(struct ct_client *c, struct ct_errinfo *ei)
{
	struct cl_http_reply rep;
	struct ct_buf form;
	char nonce[64], *req = NULL;
	int r;

	ct_buf_init(&form, CT_CL_MAX_REPLY);
	memset(&rep, 0, sizeof(rep));
	r = cl_need_keys(c, ei);
	if (r == 0)
		r = cl_get_nonce(c, nonce, sizeof(nonce), ei);
	if (r == 0)
		r = cl_leave_request(c->keys.device_key, c->keys.cert_der, c->keys.cert_len,
				     nonce, cl_now(), &req, ei);
	if (r == 0 && cl_form_add(&form, "request", req) != 0)
		r = CT_ERR_TOO_LARGE;
	if (r == 0)
		r = cl_call(c, "leave", "POST", CL_PATH_LEAVE, CL_BODY_FORM, form.data, form.len,
			    NULL, &rep, ei);
	cl_http_reply_free(&rep);
	ct_buf_free(&form);
	free(req);
	return r;
}

int ct_client_leave(struct ct_client *c, struct ct_leave_result *res,
		    struct ct_errinfo *ei)
{
	static const char *const files[] = {CL_DEVICE_FILE, CL_POLICY_CACHE_FILE,
					    CL_SERVER_CA_FILE};
	struct leave_ctx l = {.c = c, .ei = ei};
	char path[PATH_MAX];
	size_t i;
	int r;

	memset(res, 0, sizeof(*res));
	r = cl_need_joined(c, ei);
	if (r != 0)
		return r;
	/* The service first: unreachable, nothing changes here either (try
	 * again); a service that no longer accepts the device (an administrator
	 * removed or disabled it) does not keep the device from leaving. */
	r = leave_service(c, ei);
	if (r == CT_ERR_NETWORK || r == CT_ERR_TIMEOUT || r == CT_ERR_CERT_UNTRUSTED)
		return cl_prefix(ei, r, "nothing changed; run leave again when the service "
				 "can be reached");
	res->server_deleted = r == 0;
	if (r != 0 && r != CT_ERR_REFUSED)
		return r;
	ei->msg[0] = '\0';
	r = cl_keystore_open(c, c->dev.keystore, &l.ks, ei);
	if (r == 0)
		r = cl_user_state_foreach(c->cfg.state_dir, leave_user, &l, NULL, ei);
	ct_ks_close(l.ks);
	if (r == 0)
		r = l.first_error;
	if (r != 0)
		return cl_prefix(ei, r, "cannot remove the Hello keys");
	res->users_removed = l.removed;
	for (i = 0; i < sizeof(files) / sizeof(files[0]) && r == 0; i++) {
		if (cl_state_path(c, files[i], path) != 0)
			return CT_ERR_TOO_LARGE;
		r = cl_file_remove(path, false, ei);
	}
	if (r == 0)
		r = cl_device_keys_remove(c->cfg.state_dir, ei);
	if (r != 0)
		return r;
	if (res->server_deleted)
		snprintf(res->note, sizeof(res->note),
			 "device %s and its Hello keys are removed from the service",
			 c->dev.device_id);
	else
		snprintf(res->note, sizeof(res->note),
			 "the service no longer accepts device %s (removed or disabled); if "
			 "it is still listed, an administrator runs \"cloudtrust-admin device "
			 "remove %s\"", c->dev.device_id, c->dev.device_id);
	ct_event_emit(c->cfg.state_dir, CT_EVENT_LEAVE, NULL, 0,
		      "left tenant %s: device %s (%s), %u Hello key(s) removed",
		      c->dev.tenant_id, c->dev.device_id,
		      res->server_deleted ? "removed from the service" : "service refused",
		      l.removed);
	c->joined = false;
	cl_device_keys_free(&c->keys);
	c->keys_loaded = false;
	return 0;
}
