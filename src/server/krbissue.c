/* SPDX-License-Identifier: Apache-2.0 */
#include "krbissue.h"

#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "ct-limits.h"
#include "jwe.h"
#include "mint.h"
#include "sid.h"

/* Built-in accounts (Administrator 500, Guest 501, krbtgt 502 ...) live below 1000. */
#define CT_FIRST_ORDINARY_RID 1000

bool ct_krbissue_denied_sid(const char *text)
{
	struct ct_sid sid, dom;
	uint32_t rid;

	if (ct_sid_parse(text, &sid) != 0 || ct_sid_split(&sid, &dom, &rid) != 0)
		return true;
	return rid < CT_FIRST_ORDINARY_RID;
}

static json_t *tgt_error(const char *error, const char *desc)
{
	return json_pack("{s:s, s:s}", "error", error, "error_description", desc);
}

/* Opens the primary key of ks into key (value in arena a). */
static int open_key(struct ct_worker *w, struct ct_arena *a,
		    const struct ct_store_krb_server *ks, struct ct_krb_key *key,
		    struct ct_errinfo *ei)
{
	struct ct_buf plain;
	int r;

	ct_buf_init(&plain, CT_KRB_MAX_KEY);
	r = ct_unseal(w->app->seal, CT_SEAL_PURPOSE_KRB, ks->primary.sealed.data,
		      ks->primary.sealed.len, &plain, ei);
	if (r == 0) {
		key->enctype = ks->primary.enctype;
		key->value.len = plain.len;
		key->value.data = ct_arena_memdup(a, plain.data, plain.len, 0);
		if (key->value.data == NULL)
			r = CT_ERR_NOMEM;
	}
	ct_buf_free(&plain);
	return r;
}

static int mint_for(struct ct_worker *w, struct ct_arena *a,
		    const struct ct_store_user *u, const struct ct_store_krb_server *ks,
		    const uint8_t *session_key, json_t **out, struct ct_errinfo *ei)
{
	struct ct_mint_request req;
	struct ct_krb_key key, reply;
	struct ct_buf asrep, b64;
	char *client_key = NULL, sn[600];
	int r;

	memset(&req, 0, sizeof(req));
	ct_buf_init(&asrep, CT_KRB_MAX_MSG);
	ct_buf_init(&b64, 2 * CT_KRB_MAX_MSG);
	r = open_key(w, a, ks, &key, ei);
	if (r != 0)
		goto out;
	req.realm = ks->realm;
	req.account_name = u->onprem.sam_account_name;
	req.user_sid = u->onprem.sid;
	req.upn = u->onprem.upn;
	req.krbtgt_key = &key;
	req.key_version = (uint16_t)ks->primary.key_version;
	req.rodc_id = (uint16_t)ks->rodc_number;
	req.authtime = ct_app_now(w->app);
	r = ct_mint_partial_tgt(w->kc, a, &req, &asrep, &reply, ei);
	if (r == 0)
		r = ct_jwe_encrypt_session(reply.value.data, reply.value.len,
					   session_key, CT_SESSION_KEY_LEN, &client_key, ei);
	if (r == 0)
		r = ct_b64_encode(&b64, asrep.data, asrep.len);
	ct_buf_put_u8(&b64, 0);
	if (r != 0 || b64.err != 0)
		goto out;
	snprintf(sn, sizeof(sn), "krbtgt/%s", ks->realm);
	*out = json_pack("{s:s, s:i, s:s, s:s, s:s, s:s, s:i, s:i}",
			 "clientKey", client_key, "keyType", (int)reply.enctype,
			 "messageBuffer", (const char *)b64.data, "realm", ks->realm,
			 "sn", sn, "cn", u->onprem.sam_account_name,
			 "sessionKeyType", (int)reply.enctype, "accountType", 1);
	if (*out == NULL)
		r = CT_ERR_NOMEM;
out:
	free(client_key);
	ct_buf_free(&asrep);
	ct_buf_free(&b64);
	return r;
}

int ct_krbissue_tgt_ad(struct ct_worker *w, const struct ct_store_user *u,
		       const uint8_t session_key[CT_SESSION_KEY_LEN],
		       json_t **out, const char **reason, struct ct_errinfo *ei)
{
	struct ct_arena *a = ct_arena_new();
	struct ct_store_krb_server ks;
	int r = 0;

	*out = NULL;
	if (a == NULL)
		return CT_ERR_NOMEM;
	if (u->onprem.sam_account_name == NULL || u->onprem.domain_name == NULL ||
	    u->onprem.sid == NULL) {
		*reason = "no_onprem_identity";
		*out = tgt_error(*reason, "the user has no on-premises identity "
				 "(onPremisesSamAccountName, domain and SID)");
		goto out;
	}
	/* Defence in depth: the DC refuses these too, but the cloud never asks. */
	if (ct_krbissue_denied_sid(u->onprem.sid)) {
		*reason = "denied_account";
		*out = tgt_error(*reason, "partial TGTs are never issued for built-in privileged accounts");
		goto out;
	}
	/* The store compares DNS names without regard to case. */
	r = ct_store_krb_server_get(w->store, a, u->onprem.domain_name, &ks, ei);
	if (r == CT_ERR_NOT_FOUND) {
		r = 0;
		*reason = "no_kerberos_server";
		*out = tgt_error(*reason, "the user's AD domain has no Kerberos server object");
		goto out;
	}
	if (r != 0)
		goto out;
	if (ks.primary.sealed.len == 0) {
		*reason = "no_key";
		*out = tgt_error(*reason, "the Kerberos server object has no key yet");
		goto out;
	}
	r = mint_for(w, a, u, &ks, session_key, out, ei);
	if (r == 0)
		*reason = "issued";
out:
	ct_arena_free(a);
	if (r == 0 && *out == NULL)
		r = CT_ERR_NOMEM;
	return r;
}
