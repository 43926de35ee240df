/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `cloudtrust status`: what the device and a user hold, as JSON.  Only
 * what is not secret; what the caller may not read is null ("unknown").
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cl-internal.h"
#include "creds.h"

static json_t *device_section(const struct ct_client *c)
{
	const struct cl_device_state *d = &c->dev;
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	json_object_set_new(o, "joined", json_boolean(c->joined));
	if (!c->joined)
		return o;
	json_object_set_new(o, "device_id", json_string(d->device_id));
	json_object_set_new(o, "thumbprint", json_string(d->thumbprint));
	json_object_set_new(o, "display_name", json_string(d->display_name));
	json_object_set_new(o, "join_time", json_integer(d->join_time));
	json_object_set_new(o, "keystore", json_string(d->keystore));
	json_object_set_new(o, "keystore_note",
			    json_string(strcmp(d->keystore, "soft") == 0
						? "software key: weaker than a TPM"
						: "TPM-bound key"));
	if (d->tcti[0] != '\0')
		json_object_set_new(o, "tcti", json_string(d->tcti));
	return o;
}

static json_t *tenant_section(const struct ct_client *c)
{
	json_t *o = json_object();

	if (o == NULL || !c->joined)
		return o;
	json_object_set_new(o, "tenant_id", json_string(c->dev.tenant_id));
	json_object_set_new(o, "server_url", json_string(cl_server_url(c)));
	json_object_set_new(o, "joined_by", json_string(c->dev.joined_by));
	return o;
}

/* OnPremTgt: a live krbtgt in the user's cache (what klist would show). */
static void tgt_in_cache(struct ct_client *c, uid_t uid, json_t *sso)
{
	struct ct_krb_creds tgt;
	struct ct_arena *a = ct_arena_new();
	char name[4096];
	bool live = false;

	if (a == NULL || ct_client_ccache_name(&c->cfg, uid, name, sizeof(name)) != 0) {
		ct_arena_free(a);
		return;
	}
	json_object_set_new(sso, "ccache", json_string(name));
	if (ct_ccache_read_tgt(a, name, &tgt, NULL) == 0 && tgt.endtime > cl_now()) {
		live = true;
		json_object_set_new(sso, "tgt_expiry", json_integer(tgt.endtime));
	}
	json_object_set_new(sso, "onprem_tgt", json_boolean(live));
	ct_arena_free(a);
}

static void user_sections(struct ct_client *c, const char *user, uid_t uid, json_t *sso,
			  json_t *hello)
{
	struct cl_user_state *st = calloc(1, sizeof(*st));
	struct ct_keystore *ks = NULL;
	struct ct_ks_status ks_st;
	struct ct_errinfo ei = {0};
	int r;

	json_object_set_new(sso, "user", json_string(user));
	tgt_in_cache(c, uid, sso);
	/* The cloud never issues cloud TGTs (kerberos_top_level_names is not sent). */
	json_object_set_new(sso, "cloud_tgt", json_false());
	if (st == NULL)
		return;
	r = c->joined ? cl_user_state_load_user(c->cfg.state_dir, user, st, &ei)
		      : CT_ERR_NOT_JOINED;
	if (r != 0) {
		bool unknown = r == CT_ERR_PERMISSION || r == CT_ERR_UNSAFE_PATH ||
			       (r == CT_ERR_IO && geteuid() != 0);

		json_object_set_new(sso, "prt", unknown ? json_null() : json_false());
		json_object_set_new(hello, "enrolled", unknown ? json_null() : json_false());
		if (unknown)
			json_object_set_new(hello, "note",
					    json_string("run as root to read the user state"));
		free(st);
		return;
	}
	json_object_set_new(sso, "upn", json_string(st->upn));
	json_object_set_new(sso, "prt", json_boolean(st->has_prt && st->prt_expiry > cl_now()));
	if (st->has_prt) {
		json_object_set_new(sso, "prt_issued", json_integer(st->prt_issued));
		json_object_set_new(sso, "prt_expiry", json_integer(st->prt_expiry));
	}
	json_object_set_new(hello, "enrolled", json_true());
	json_object_set_new(hello, "upn", json_string(st->upn));
	json_object_set_new(hello, "kid", json_string(st->kid));
	json_object_set_new(hello, "keystore", json_string(st->keystore));
	json_object_set_new(hello, "enrolled_time", json_integer(st->enrolled));
	json_object_set_new(hello, "pin_set", json_integer(st->pin_set));
	if (cl_keystore_open(c, st->keystore, &ks, &ei) == 0 &&
	    ct_ks_status(ks, st->key_label, &ks_st, &ei) == 0) {
		json_object_set_new(hello, "key_present", json_boolean(ks_st.present));
		json_object_set_new(hello, "locked", json_boolean(ks_st.locked));
		json_object_set_new(hello, "tries_left", json_integer(ks_st.tries_left));
		json_object_set_new(hello, "max_attempts", json_integer(ks_st.max_attempts));
	} else {
		json_object_set_new(hello, "key_present", json_null());
		json_object_set_new(hello, "note", json_string(ei.msg));
	}
	ct_ks_close(ks);
	cl_user_state_clear(st);
	free(st);
}

int ct_client_status(struct ct_client *c, const char *user, uid_t uid,
		     json_t **out, struct ct_errinfo *ei)
{
	json_t *o = json_object(), *sso = json_object(), *hello = json_object();
	json_t *pol = NULL;
	struct ct_policy p;
	struct ct_errinfo pei = {0};

	*out = NULL;
	if (o == NULL || sso == NULL || hello == NULL) {
		json_decref(o);
		json_decref(sso);
		json_decref(hello);
		return CT_ERR_NOMEM;
	}
	json_object_set_new(o, "device", device_section(c));
	json_object_set_new(o, "tenant", tenant_section(c));
	if (user != NULL)
		user_sections(c, user, uid, sso, hello);
	json_object_set_new(o, "sso", sso);
	json_object_set_new(o, "hello", hello);
	if (cl_policy_cached(c, &p, &pei) == 0)
		pol = ct_policy_to_json(&p);
	else
		pol = json_pack("{s:s}", "error", pei.msg);
	json_object_set_new(o, "policy", pol != NULL ? pol : json_null());
	*out = o;
	(void)ei;
	return 0;
}
