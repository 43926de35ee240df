/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Hello enrollment after MFA (PROTOCOL.md §3, §5, §8), PIN change and PIN
 * reset.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cl-events.h"
#include "cl-internal.h"
#include "cl-pin.h"
#include "ct-secret.h"
#include "keyblob.h"

/* The policy checks an enrollment must pass before any key is made. */
static int check_policy(const struct ct_policy *p, const char *kind, const char *pin,
			struct ct_errinfo *ei)
{
	char why[256];

	if (!p->use_passport_for_work)
		return ct_errinfo_set(ei, CT_ERR_DENIED,
				      "Windows Hello for Business is off for this device "
				      "(UsePassportForWork = false, from the %s policy)",
				      ct_policy_source_name(
					      p->source[CT_POL_USE_PASSPORT_FOR_WORK]));
	if (p->require_security_device && strcmp(kind, "soft") == 0)
		return ct_errinfo_set(ei, CT_ERR_DENIED,
				      "the policy requires a security device "
				      "(RequireSecurityDevice = true), and this device keeps "
				      "Hello keys in the software keystore: join it again with "
				      "a TPM");
	if (ct_pin_check(p, pin, why, sizeof(why)) != 0)
		return ct_errinfo_set(ei, CT_ERR_PIN_POLICY, "the PIN does not meet the policy: %s",
				      why);
	return 0;
}

/* The MS-KPP call: registers pub for the token's user; checks the kid. */
static int register_key(struct ct_client *c, const char *token, EVP_PKEY *pub,
			char kid[CT_KID_BUFSIZE], struct ct_errinfo *ei)
{
	struct cl_http_reply rep;
	struct ct_buf blob;
	char want[CT_KID_BUFSIZE], *body = NULL;
	int r;

	memset(&rep, 0, sizeof(rep));
	ct_buf_init(&blob, 256);
	r = ct_ecs1_blob_export(pub, &blob);
	if (r == 0)
		r = ct_key_blob_kid(blob.data, blob.len, want);
	if (r == 0)
		r = cl_kpp_body(blob.data, blob.len, &body);
	if (r != 0) {
		r = ct_errinfo_set(ei, r, "cannot encode the Hello key");
		goto out;
	}
	r = cl_call(c, "key registration", "POST", CL_PATH_KEY, CL_BODY_JSON, body,
		    strlen(body), token, &rep, ei);
	if (r == 0)
		r = cl_reply_kpp(rep.body.data, rep.body.len, kid, CT_KID_BUFSIZE, ei);
	if (r == 0 && strcmp(kid, want) != 0)
		r = ct_errinfo_set(ei, CT_ERR_MISMATCH,
				   "key registration: the server's kid is not our key's");
out:
	cl_http_reply_free(&rep);
	ct_buf_free(&blob);
	free(body);
	return r;
}

/*
 * One local user to one UPN: refuses a UPN enrolled for another local user
 * and a local user enrolled as another UPN.  *had tells whether old holds
 * the UPN's earlier state.
 */
static int check_mapping(struct ct_client *c, const char *user, const char *upn,
			 struct cl_user_state *old, bool *had, struct ct_errinfo *ei)
{
	struct cl_user_state *other = calloc(1, sizeof(*other));
	int r;

	*had = false;
	if (other == NULL)
		return CT_ERR_NOMEM;
	r = cl_user_state_load_upn(c->cfg.state_dir, upn, old, NULL);
	if (r == 0) {
		if (strcmp(old->user, user) != 0) {
			r = ct_errinfo_set(ei, CT_ERR_CONFLICT,
					   "%s is enrolled for the local user %s", upn, old->user);
			goto out;
		}
		*had = true;
	}
	r = cl_user_state_load_user(c->cfg.state_dir, user, other, NULL);
	if (r == 0 && strcasecmp(other->upn, upn) != 0) {
		r = ct_errinfo_set(ei, CT_ERR_CONFLICT, "the local user %s is enrolled as %s",
				   user, other->upn);
		goto out;
	}
	r = 0;
out:
	cl_user_state_clear(other);
	free(other);
	return r;
}

/*
 * The common part of enroll and reset: policy, PIN rules, MFA bound to the
 * device, a new key, its registration, the state; the old key goes last.
 */
static int enroll_key(struct ct_client *c, const struct ct_enroll_opts *o,
		      enum ct_event_kind ok_event, struct ct_enroll_result *res,
		      struct ct_errinfo *ei)
{
	struct cl_user_state *old = NULL, *st = NULL;
	struct cl_token_reply tok;
	struct ct_keystore *ks = NULL;
	struct ct_policy pol;
	EVP_PKEY *pub = NULL;
	char label[CT_CL_MAX_LABEL + 1], kid[CT_KID_BUFSIZE];
	bool had = false, created = false;
	time_t now = cl_now();
	int r;

	memset(&tok, 0, sizeof(tok));
	r = cl_need_joined(c, ei);
	if (r != 0)
		return r;
	if (!cl_user_name_ok(o->user) || !cl_upn_ok(o->upn) || o->pin == NULL ||
	    o->password == NULL || o->otp == NULL)
		return ct_errinfo_set(ei, CT_ERR_INVALID_ARG,
				      "enrollment needs a local user, a UPN, a password, a code "
				      "and a PIN");
	old = calloc(1, sizeof(*old));
	st = calloc(1, sizeof(*st));
	if (old == NULL || st == NULL) {
		r = CT_ERR_NOMEM;
		goto out;
	}
	r = check_mapping(c, o->user, o->upn, old, &had, ei);
	if (r == 0)
		r = cl_policy_fetch(c, o->upn, &pol, ei);
	if (r == 0)
		r = check_policy(&pol, c->dev.keystore, o->pin, ei);
	if (r == 0)
		r = cl_sign_in(c, o->upn, o->password, o->otp, true, &tok, ei);
	if (r == 0)
		r = cl_keystore_open(c, c->dev.keystore, &ks, ei);
	if (r != 0)
		goto out;
	cl_new_key_label(o->upn, label, sizeof(label));
	if (had && strcmp(label, old->key_label) == 0)
		snprintf(label + strlen(label), sizeof(label) - strlen(label), "1");
	r = ct_ks_create(ks, label, o->pin, &pub, ei);
	created = r == 0;
	if (r == 0)
		r = register_key(c, tok.access_token, pub, kid, ei);
	if (r != 0)
		goto out;
	snprintf(st->user, sizeof(st->user), "%s", o->user);
	st->uid = (uint32_t)o->uid;
	snprintf(st->upn, sizeof(st->upn), "%s", o->upn);
	snprintf(st->kid, sizeof(st->kid), "%s", kid);
	snprintf(st->key_label, sizeof(st->key_label), "%s", label);
	snprintf(st->keystore, sizeof(st->keystore), "%s", c->dev.keystore);
	st->enrolled = now;
	st->pin_set = now;
	r = cl_user_state_save(c->cfg.state_dir, st, ei);
	if (r != 0)
		goto out;
	created = false;
	/* The old key is gone from this device; the server keeps its kid (there
	 * is no call to remove a key), but without the private key it is dead. */
	if (had && strcmp(old->key_label, label) != 0)
		ct_ks_delete(ks, old->key_label, NULL);
	if (res != NULL) {
		snprintf(res->kid, sizeof(res->kid), "%s", kid);
		snprintf(res->keystore, sizeof(res->keystore), "%s", c->dev.keystore);
	}
	ct_event_emit(c->cfg.state_dir, ok_event, o->user, 0,
		      "%s: Hello key %s registered for %s (keystore %s)",
		      ok_event == CT_EVENT_PIN_RESET ? "PIN reset" : "enrolled", kid,
		      o->upn, c->dev.keystore);
out:
	if (created)
		ct_ks_delete(ks, label, NULL);
	if (r != 0)
		ct_event_emit(c->cfg.state_dir, CT_EVENT_ENROLL_FAILED, o->user, r, "%s %s: %s",
			      ok_event == CT_EVENT_PIN_RESET ? "PIN reset for" : "enrollment of",
			      o->upn, ei != NULL ? ei->msg : ct_strerror(r));
	EVP_PKEY_free(pub);
	ct_ks_close(ks);
	cl_token_reply_free(&tok);
	cl_user_state_clear(old);
	cl_user_state_clear(st);
	free(old);
	free(st);
	return r;
}

int ct_client_enroll(struct ct_client *c, const struct ct_enroll_opts *o,
		     struct ct_enroll_result *res, struct ct_errinfo *ei)
{
	if (res != NULL)
		memset(res, 0, sizeof(*res));
	return enroll_key(c, o, CT_EVENT_ENROLL, res, ei);
}

/*
 * The state of an enrolled user of this joined device into a new *out (the
 * caller wipes and frees it); *out stays NULL on error.
 */
static int load_joined_user(struct ct_client *c, const char *user,
			    struct cl_user_state **out, struct ct_errinfo *ei)
{
	struct cl_user_state *st = calloc(1, sizeof(*st));
	int r;

	*out = NULL;
	if (st == NULL)
		return CT_ERR_NOMEM;
	r = cl_need_joined(c, ei);
	if (r == 0)
		r = cl_user_state_load_user(c->cfg.state_dir, user, st, ei);
	if (r != 0) {
		cl_user_state_clear(st);
		free(st);
		return r;
	}
	*out = st;
	return 0;
}

int ct_client_pin_reset(struct ct_client *c, const char *user,
			const char *password, const char *otp,
			const char *new_pin, struct ct_errinfo *ei)
{
	struct cl_user_state *st;
	struct ct_enroll_opts o;
	int r;

	r = load_joined_user(c, user, &st, ei);
	if (r == 0) {
		memset(&o, 0, sizeof(o));
		o.user = st->user;
		o.uid = st->uid;
		o.upn = st->upn;
		o.password = password;
		o.otp = otp;
		o.pin = new_pin;
		r = enroll_key(c, &o, CT_EVENT_PIN_RESET, NULL, ei);
	}
	cl_user_state_clear(st);
	free(st);
	return r;
}

int ct_client_pin_change(struct ct_client *c, const char *user,
			 const char *old_pin, const char *new_pin,
			 struct ct_errinfo *ei)
{
	struct ct_keystore *ks = NULL;
	struct cl_user_state *st;
	struct ct_policy pol;
	char why[256];
	int r;

	r = load_joined_user(c, user, &st, ei);
	if (r == 0)
		r = cl_policy_cached(c, &pol, ei);
	if (r == 0 && ct_pin_check(&pol, new_pin, why, sizeof(why)) != 0)
		r = ct_errinfo_set(ei, CT_ERR_PIN_POLICY,
				   "the new PIN does not meet the policy: %s", why);
	if (r == 0)
		r = cl_keystore_open(c, st->keystore, &ks, ei);
	if (r == 0)
		r = ct_ks_change_pin(ks, st->key_label, old_pin, new_pin, ei);
	if (r == 0) {
		st->pin_set = cl_now();
		r = cl_user_state_save(c->cfg.state_dir, st, ei);
	}
	if (r == 0)
		ct_event_emit(c->cfg.state_dir, CT_EVENT_PIN_CHANGE, user, 0, "PIN changed");
	else if (r == CT_ERR_PIN_LOCKED)
		ct_event_emit(c->cfg.state_dir, CT_EVENT_KEY_LOCKED, user, r,
			      "PIN change: the Hello key is locked");
	else if (r == CT_ERR_PIN_WRONG || r == CT_ERR_PIN_POLICY)
		ct_event_emit(c->cfg.state_dir, CT_EVENT_ERROR, user, r, "PIN change refused: %s",
			      ei != NULL ? ei->msg : ct_strerror(r));
	ct_ks_close(ks);
	cl_user_state_clear(st);
	free(st);
	return r;
}
