/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PIN sign-in (PROTOCOL.md §2, §6), PRT renewal (§7), and what both do
 * with the reply: keep the PRT, open the partial TGT, exchange it at a DC
 * (src/krb) and write the user's credential cache.
 */
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cl-events.h"
#include "cl-internal.h"
#include "cl-kdc.h"
#include "cl-logon.h"
#include "creds.h"
#include "ct-secret.h"
#include "exchange.h"

/* ct_jws_signer over the keystore: the PIN unlocks the Hello key. */
struct ks_signer {
	struct ct_keystore *ks;
	const char *label;
	const char *pin;
};

static int sign_with_keystore(void *arg, const uint8_t *input, size_t len,
			      struct ct_buf *sig, struct ct_errinfo *ei)
{
	const struct ks_signer *s = arg;

	return ct_ks_sign(s->ks, s->label, s->pin, input, len, sig, ei);
}

/* Loads the user's state and checks it is the caller's user. */
static int load_user(struct ct_client *c, const char *user, uid_t uid,
		     struct cl_user_state *st, struct ct_errinfo *ei)
{
	int r = cl_need_joined(c, ei);

	if (r == 0)
		r = cl_user_state_load_user(c->cfg.state_dir, user, st, ei);
	if (r == 0 && st->uid != (uint32_t)uid) {
		r = ct_errinfo_set(ei, CT_ERR_MISMATCH,
				   "%s was enrolled as uid %u, not %u", user, (unsigned)st->uid,
				   (unsigned)uid);
		cl_user_state_clear(st);
	}
	return r;
}

static bool unreachable(int r)
{
	return r == CT_ERR_NETWORK || r == CT_ERR_TIMEOUT;
}

/* The PRT request (§6): Hello assertion inside a device-signed request. */
static int request_prt(struct ct_client *c, const struct cl_user_state *st,
		       const char *pin, struct ct_keystore *ks, const char *nonce,
		       struct cl_http_reply *rep, struct ct_errinfo *ei)
{
	struct ks_signer signer = {ks, st->key_label, pin};
	json_t *claims = NULL, *hdr = NULL;
	struct ct_buf form;
	char path[256], *payload = NULL, *assertion = NULL, *req = NULL;
	int r;

	ct_buf_init(&form, CT_CL_MAX_REPLY);
	r = cl_need_keys(c, ei);
	if (r == 0)
		r = cl_prt_inner(st->upn, c->dev.tenant_id, nonce, st->kid, cl_now(), &claims,
				 &hdr);
	if (r == 0 && (payload = json_dumps(claims, JSON_COMPACT)) == NULL)
		r = CT_ERR_NOMEM;
	if (r == 0)
		r = ct_jws_sign_with(CT_JOSE_ES256, hdr, payload, strlen(payload),
				     sign_with_keystore, &signer, &assertion, ei);
	if (r == 0)
		r = cl_prt_outer(c->keys.device_key, c->keys.cert_der, c->keys.cert_len,
				 st->upn, nonce, assertion, &req, ei);
	if (r == 0 && (cl_token_path(c, NULL, path, sizeof(path)) != 0 ||
		       cl_form_prt(&form, req, true, true) != 0))
		r = ct_errinfo_set(ei, CT_ERR_TOO_LARGE, "the PRT request is too large");
	if (r == 0)
		r = cl_call(c, "sign-in", "POST", path, CL_BODY_FORM, form.data, form.len, NULL,
			    rep, ei);
	ct_buf_free(&form);
	json_decref(claims);
	json_decref(hdr);
	free(payload);
	free(assertion);
	free(req);
	return r;
}

/* Keeps the PRT of a reply in the user's state. */
static int keep_prt(struct ct_client *c, struct cl_user_state *st,
		    const struct cl_prt_reply *p, const uint8_t sk[CT_CL_SESSION_KEY_LEN],
		    struct ct_logon_result *res, struct ct_errinfo *ei)
{
	time_t now = cl_now();

	if (strlen(p->prt) > CT_CL_MAX_PRT)
		return ct_errinfo_set(ei, CT_ERR_TOO_LARGE, "the PRT is too long");
	st->has_prt = true;
	snprintf(st->prt, sizeof(st->prt), "%s", p->prt);
	memcpy(st->session_key, sk, CT_CL_SESSION_KEY_LEN);
	st->prt_issued = now;
	st->prt_expiry = now + p->prt_expires_in;
	res->prt = true;
	res->prt_expiry = st->prt_expiry;
	return cl_user_state_save(c->cfg.state_dir, st, ei);
}

int cl_open_partial_tgt(struct ct_kcrypto *kc, struct ct_arena *a,
			const struct cl_tgt_ad *t, const uint8_t *sk, size_t sklen,
			struct ct_krb_creds *out, struct ct_errinfo *ei)
{
	struct ct_krb_key key;
	struct ct_buf rk;
	int r;

	ct_buf_init(&rk, CT_KRB_MAX_KEY);
	r = cl_open_client_key(t->client_key, sk, sklen, &rk, ei);
	if (r != 0) {
		ct_buf_free(&rk);
		return cl_prefix(ei, r, "tgt_ad.clientKey");
	}
	key.enctype = t->key_type;
	key.value.data = rk.data;
	key.value.len = rk.len;
	r = ct_creds_from_as_rep(kc, a, t->as_rep, t->as_rep_len, &key, cl_now(), out, ei);
	ct_buf_free(&rk);
	return r != 0 ? cl_prefix(ei, r, "the partial TGT") : 0;
}

/* Why a reply brought no usable partial TGT, for people. */
static void tgt_note(const struct cl_tgt_ad *t, char *out, size_t outlen)
{
	if (t->state == CL_TGT_ABSENT)
		snprintf(out, outlen, "the service sent no partial TGT");
	else if (strcmp(t->error, "no_onprem_identity") == 0)
		snprintf(out, outlen, "no partial TGT: the user has no on-premises identity "
				      "in the cloud directory");
	else if (strcmp(t->error, "no_kerberos_server") == 0)
		snprintf(out, outlen, "no partial TGT: the user's domain has no Kerberos "
				      "server object");
	else if (strcmp(t->error, "no_key") == 0)
		snprintf(out, outlen, "no partial TGT: the Kerberos server object has no key");
	else if (strcmp(t->error, "denied_account") == 0)
		snprintf(out, outlen, "no partial TGT: the account is privileged and denied "
				      "by the service");
	else
		snprintf(out, outlen, "no partial TGT: %s%s%.150s", t->error,
			 t->error_description[0] ? ": " : "", t->error_description);
}

/*
 * After a PRT: the effective policy decides whether the partial TGT is
 * used; if so, the exchange at the DC and the cache.
 */
static int use_tgt(struct ct_client *c, struct cl_user_state *st,
		   const struct cl_prt_reply *p, const uint8_t *sk, uid_t uid, gid_t gid,
		   struct ct_logon_result *res, struct ct_errinfo *ei)
{
	struct ct_exchange_opts eo;
	struct ct_krb_creds partial, full;
	struct ct_ccache_target t;
	struct ct_kdc_error kerr;
	struct ct_kcrypto *kc = NULL;
	struct ct_arena *a = NULL;
	struct ct_policy pol;
	struct ct_errinfo pei = {0};
	char kdc[300];
	bool ok_without_tgt = false;
	int r;

	if (p->tgt_ad.state != CL_TGT_ISSUED) {
		tgt_note(&p->tgt_ad, res->tgt_note, sizeof(res->tgt_note));
		return 0;
	}
	res->partial_tgt = true;
	/* A fresh policy when the server answers, else the cached one. */
	if (cl_policy_fetch(c, st->upn, &pol, &pei) != 0) {
		r = cl_policy_cached(c, &pol, ei);
		if (r != 0)
			return r;
	}
	if (!pol.use_cloud_trust_for_onprem_auth) {
		snprintf(res->tgt_note, sizeof(res->tgt_note),
			 "UseCloudTrustForOnPremAuth is off (%s policy): the partial TGT is "
			 "not used, so Kerberos services will ask for a password",
			 ct_policy_source_name(pol.source[CT_POL_USE_CLOUD_TRUST_FOR_ONPREM_AUTH]));
		return 0;
	}
	memset(&partial, 0, sizeof(partial));
	memset(&full, 0, sizeof(full));
	memset(&kerr, 0, sizeof(kerr));
	memset(&eo, 0, sizeof(eo));
	eo.kdc = kdc;
	eo.timeout_ms = (int)c->cfg.timeout * 1000;
	/* Without a DC in sight the sign-in stands, without a full TGT (as on
	 * Windows); only a DC that answers "no" fails it. */
	if (cl_kdc_find(p->tgt_ad.realm, c->cfg.kdc, kdc, sizeof(kdc), &pei) != 0) {
		cl_copy(res->tgt_note, sizeof(res->tgt_note), pei.msg);
		ct_event_emit(c->cfg.state_dir, CT_EVENT_EXCHANGE_FAILED, st->user,
			      CT_ERR_NOT_FOUND, "%s", pei.msg);
		return 0;
	}
	r = ct_kcrypto_new(&kc);
	if (r == 0 && (a = ct_arena_new()) == NULL)
		r = CT_ERR_NOMEM;
	if (r == 0)
		r = cl_open_partial_tgt(kc, a, &p->tgt_ad, sk, CT_CL_SESSION_KEY_LEN, &partial,
					ei);
	if (r == 0) {
		r = ct_exchange_partial_tgt(kc, a, &partial, &eo, &full, &kerr, ei);
		if (r != 0) {
			res->krb_error = kerr.code;
			cl_copy(res->tgt_note, sizeof(res->tgt_note),
				r == CT_ERR_KDC_ERROR ? ct_exchange_explain(kerr.code)
						      : (ei != NULL ? ei->msg : ct_strerror(r)));
			ct_event_emit(c->cfg.state_dir, CT_EVENT_EXCHANGE_FAILED, st->user, r,
				      "the domain controller %s: %s",
				      r == CT_ERR_KDC_ERROR ? "refused the partial TGT"
							    : "could not be used",
				      ei != NULL ? ei->msg : ct_strerror(r));
			if (r == CT_ERR_KDC_ERROR) {
				cl_prefix(ei, r, "the domain controller refused");
			} else if (r == CT_ERR_NETWORK || r == CT_ERR_TIMEOUT) {
				snprintf(res->tgt_note, sizeof(res->tgt_note),
					 "the domain controller %.200s could not be reached", kdc);
				ok_without_tgt = true;
			}
		}
	}
	if (r == 0 && ct_client_ccache_name(&c->cfg, uid, res->ccache, sizeof(res->ccache)) != 0)
		r = ct_errinfo_set(ei, CT_ERR_TOO_LARGE, "the ccache name is too long");
	if (r == 0) {
		t.path = res->ccache;
		t.uid = uid;
		t.gid = gid;
		r = ct_ccache_write(&t, &full, ei);
	}
	if (r == 0) {
		res->full_tgt = true;
		res->tgt_expiry = full.endtime;
		st->tgt_expiry = full.endtime;
		cl_copy(st->ccache, sizeof(st->ccache), res->ccache);
		r = cl_user_state_save(c->cfg.state_dir, st, ei);
		ct_event_emit(c->cfg.state_dir, CT_EVENT_EXCHANGE, st->user, 0,
			      "full TGT for %s in %s", st->upn, res->ccache);
	}
	ct_arena_free(a);
	ct_kcrypto_free(kc);
	return ok_without_tgt ? 0 : r;
}

/* With offline_logon: the PIN proves itself to the Hello key alone. */
static int offline_logon(struct ct_client *c, struct ct_keystore *ks,
			 const struct cl_user_state *st, const char *pin,
			 struct ct_logon_result *res, int net_err, struct ct_errinfo *ei)
{
	uint8_t challenge[32];
	struct ct_buf sig;
	char why[sizeof(ei->msg)];
	int r;

	snprintf(why, sizeof(why), "%s", ei != NULL ? ei->msg : ct_strerror(net_err));
	ct_buf_init(&sig, 128);
	if (RAND_bytes(challenge, sizeof(challenge)) != 1)
		return ct_errinfo_set(ei, CT_ERR_CRYPTO, "no random bytes");
	r = ct_ks_sign(ks, st->key_label, pin, challenge, sizeof(challenge), &sig, ei);
	ct_buf_free(&sig);
	if (r != 0)
		return r;
	res->offline = true;
	snprintf(res->tgt_note, sizeof(res->tgt_note),
		 "offline: the server could not be reached (%.180s); PIN checked locally", why);
	ct_event_emit(c->cfg.state_dir, CT_EVENT_OFFLINE_LOGON, st->user, 0,
		      "offline sign-in: %s", why);
	return 0;
}

static void logon_failed(struct ct_client *c, const char *user, int r,
			 struct ct_errinfo *ei)
{
	/* The keystores word it their way; the user reads one sentence first. */
	if (r == CT_ERR_PIN_LOCKED && ei != NULL && strstr(ei->msg, "locked") == NULL)
		cl_prefix(ei, r, "the Hello key is locked");
	ct_event_emit(c->cfg.state_dir,
		      r == CT_ERR_PIN_LOCKED ? CT_EVENT_KEY_LOCKED : CT_EVENT_LOGON_FAILED, user,
		      r, "sign-in failed: %s", ei != NULL ? ei->msg : ct_strerror(r));
}

int ct_client_logon(struct ct_client *c, const char *user, const char *pin,
		    uid_t uid, gid_t gid, struct ct_logon_result *res,
		    struct ct_errinfo *ei)
{
	struct cl_user_state *st = calloc(1, sizeof(*st));
	struct cl_prt_reply p;
	struct cl_http_reply rep;
	struct ct_keystore *ks = NULL;
	uint8_t sk[CT_CL_SESSION_KEY_LEN];
	char nonce[64];
	int r;

	memset(res, 0, sizeof(*res));
	memset(&p, 0, sizeof(p));
	memset(&rep, 0, sizeof(rep));
	if (st == NULL)
		return CT_ERR_NOMEM;
	r = load_user(c, user, uid, st, ei);
	if (r == 0) {
		snprintf(res->upn, sizeof(res->upn), "%s", st->upn);
		r = cl_keystore_open(c, st->keystore, &ks, ei);
	}
	if (r == 0) {
		r = cl_get_nonce(c, nonce, sizeof(nonce), ei);
		if (unreachable(r) && c->cfg.offline_logon) {
			r = offline_logon(c, ks, st, pin, res, r, ei);
			goto out;
		}
	}
	if (r == 0)
		r = request_prt(c, st, pin, ks, nonce, &rep, ei);
	if (r == 0)
		r = cl_reply_prt(rep.body.data, rep.body.len, &p, ei);
	if (r == 0)
		r = cl_open_session_key(p.session_key_jwe, c->keys.transport_key, sk, ei);
	if (r == 0)
		r = keep_prt(c, st, &p, sk, res, ei);
	if (r == 0)
		r = use_tgt(c, st, &p, sk, uid, gid, res, ei);
	if (r == 0)
		ct_event_emit(c->cfg.state_dir, CT_EVENT_LOGON, user, 0,
			      "signed in as %s: PRT%s%s", st->upn,
			      res->full_tgt ? ", full TGT in " : "; ",
			      res->full_tgt ? res->ccache : res->tgt_note);
out:
	if (r != 0)
		logon_failed(c, user, r, ei);
	ct_zap(sk, sizeof(sk));
	cl_prt_reply_free(&p);
	cl_http_reply_free(&rep);
	ct_ks_close(ks);
	cl_user_state_clear(st);
	free(st);
	return r;
}

/* ---- renewal ---- */

int cl_renew_prt(struct ct_client *c, struct cl_user_state *st, bool save,
		 struct cl_prt_reply *out, struct ct_logon_result *res,
		 struct ct_errinfo *ei)
{
	struct cl_http_reply rep;
	struct ct_buf form;
	uint8_t sk[CT_CL_SESSION_KEY_LEN];
	char nonce[64], path[256], *req = NULL;
	int r;

	memset(&rep, 0, sizeof(rep));
	ct_buf_init(&form, CT_CL_MAX_REPLY);
	if (!st->has_prt)
		return ct_errinfo_set(ei, CT_ERR_NOT_FOUND,
				      "%s holds no PRT: sign in with the PIN first", st->user);
	if (st->prt_expiry <= cl_now())
		return ct_errinfo_set(ei, CT_ERR_NOT_FOUND,
				      "the PRT of %s has expired: sign in with the PIN", st->user);
	r = cl_need_keys(c, ei);
	if (r == 0)
		r = cl_get_nonce(c, nonce, sizeof(nonce), ei);
	if (r == 0)
		r = cl_renew_request(st->session_key, sizeof(st->session_key), st->prt, nonce,
				     cl_now(), true, &req, ei);
	if (r == 0 && (cl_token_path(c, NULL, path, sizeof(path)) != 0 ||
		       cl_form_renew(&form, req, true) != 0))
		r = ct_errinfo_set(ei, CT_ERR_TOO_LARGE, "the renewal request is too large");
	if (r == 0)
		r = cl_call(c, "PRT renewal", "POST", path, CL_BODY_FORM, form.data, form.len,
			    NULL, &rep, ei);
	if (r == 0)
		r = cl_reply_prt(rep.body.data, rep.body.len, out, ei);
	/* The same session key comes back; anything else is not our PRT's reply. */
	if (r == 0 && (cl_open_session_key(out->session_key_jwe, c->keys.transport_key, sk,
					   ei) != 0 ||
		       !ct_memeq_secret(sk, st->session_key, sizeof(sk)))) {
		cl_prt_reply_free(out);
		r = ct_errinfo_set(ei, CT_ERR_MISMATCH,
				   "PRT renewal: the reply does not carry our session key");
	}
	if (r == 0 && save)
		r = keep_prt(c, st, out, st->session_key, res, ei);
	else if (r == 0)
		res->prt = true;
	if (r != 0)
		cl_prt_reply_free(out);
	ct_zap(sk, sizeof(sk));
	ct_buf_free(&form);
	cl_http_reply_free(&rep);
	ct_erase_free_str(req);
	return r;
}

int ct_client_refresh(struct ct_client *c, const char *user, uid_t uid,
		      gid_t gid, struct ct_logon_result *res,
		      struct ct_errinfo *ei)
{
	struct cl_user_state *st = calloc(1, sizeof(*st));
	struct cl_prt_reply p;
	int r;

	memset(res, 0, sizeof(*res));
	memset(&p, 0, sizeof(p));
	if (st == NULL)
		return CT_ERR_NOMEM;
	r = load_user(c, user, uid, st, ei);
	if (r == 0) {
		snprintf(res->upn, sizeof(res->upn), "%s", st->upn);
		r = cl_renew_prt(c, st, true, &p, res, ei);
	}
	if (r == 0)
		r = use_tgt(c, st, &p, st->session_key, uid, gid, res, ei);
	if (r == 0)
		ct_event_emit(c->cfg.state_dir, CT_EVENT_PRT_RENEWED, user, 0,
			      "PRT renewed for %s%s%s", st->upn,
			      res->full_tgt ? ", full TGT in " : "; ",
			      res->full_tgt ? res->ccache : res->tgt_note);
	else
		ct_event_emit(c->cfg.state_dir, CT_EVENT_ERROR, user, r, "refresh failed: %s",
			      ei != NULL ? ei->msg : ct_strerror(r));
	cl_prt_reply_free(&p);
	cl_user_state_clear(st);
	free(st);
	return r;
}
