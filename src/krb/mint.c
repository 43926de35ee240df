/* SPDX-License-Identifier: Apache-2.0 */
#include "mint.h"

#include <string.h>

#include "ct-limits.h"
#include "ct-secret.h"

int32_t ct_rodc_kvno(uint16_t rodc_id, uint16_t key_version)
{
	return (int32_t)((uint32_t)rodc_id << 16 | key_version);
}

/* The realm must look like an upper-case DNS name: it goes into every name. */
static bool realm_ok(const char *r)
{
	size_t i, n = strlen(r);

	if (n == 0 || n > 255)
		return false;
	for (i = 0; i < n; i++) {
		char c = r[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '-'))
			return false;
	}
	return true;
}

static bool account_ok(const char *s)
{
	size_t n = strlen(s);

	/* sAMAccountName: at most 256 chars here, no separators a principal would split on. */
	return n > 0 && n <= 256 && strpbrk(s, "/@\\") == NULL;
}

static int check_request(const struct ct_mint_request *req,
			 struct ct_errinfo *ei)
{
	if (req->realm == NULL || !realm_ok(req->realm))
		return ct_errinfo_set(ei, CT_ERR_INVALID_ARG,
				      "realm must be an upper-case DNS name");
	if (req->account_name == NULL || !account_ok(req->account_name))
		return ct_errinfo_set(ei, CT_ERR_INVALID_ARG,
				      "invalid account name");
	if (req->krbtgt_key == NULL ||
	    !ct_enctype_supported(req->krbtgt_key->enctype))
		return ct_errinfo_set(ei, CT_ERR_UNSUPPORTED_ENCTYPE,
				      "the Kerberos server object's key has an unsupported enctype");
	if (req->rodc_id == 0)
		return ct_errinfo_set(ei, CT_ERR_INVALID_ARG,
				      "RODC number N must be 1..65535");
	if (req->lifetime < 0 || req->lifetime > CT_MINT_MAX_LIFETIME ||
	    req->renew_lifetime < 0 ||
	    req->renew_lifetime > CT_MINT_MAX_LIFETIME ||
	    req->start_delay < 0 || req->start_delay > CT_MINT_MAX_LIFETIME)
		return ct_errinfo_set(ei, CT_ERR_INVALID_ARG,
				      "ticket lifetime out of range");
	return 0;
}

/* Wraps the PAC as AD-IF-RELEVANT { AD-WIN2K-PAC }, the form KDCs expect. */
static int pac_authdata(struct ct_arena *a, const struct ct_buf *pac,
			struct ct_krb_authdata *out)
{
	struct ct_krb_authdata_elem inner = {CT_KRB_AD_WIN2K_PAC, {pac->data, pac->len}};
	struct ct_krb_authdata inner_seq = {1, &inner};
	struct ct_krb_authdata_elem *outer;
	struct ct_buf der;
	int r;

	ct_buf_init(&der, CT_KRB_MAX_MSG);
	r = ct_krb_encode_authdata(&der, &inner_seq);
	if (r != 0)
		goto out;
	outer = ct_arena_alloc(a, sizeof(*outer));
	if (outer == NULL) {
		r = CT_ERR_NOMEM;
		goto out;
	}
	outer->type = CT_KRB_AD_IF_RELEVANT;
	outer->data.data = ct_arena_memdup(a, der.data, der.len, 0);
	outer->data.len = der.len;
	if (outer->data.data == NULL) {
		r = CT_ERR_NOMEM;
		goto out;
	}
	out->n = 1;
	out->elem = outer;
out:
	ct_buf_free(&der);
	return r;
}

static int build_pac(struct ct_kcrypto *kc, const struct ct_mint_request *req,
		     time_t authtime, struct ct_buf *pac, struct ct_errinfo *ei)
{
	struct ct_pac_user user;
	struct ct_pac_options opt = req->pac;
	struct ct_sid sid;
	static const uint32_t groups[] = {513};
	int r;

	memset(&user, 0, sizeof(user));
	if (req->user_sid == NULL || ct_sid_parse(req->user_sid, &sid) != 0)
		return ct_errinfo_set(ei, CT_ERR_INVALID_ARG,
				      "invalid user SID \"%s\"",
				      req->user_sid ? req->user_sid : "");
	r = ct_sid_split(&sid, &user.domain_sid, &user.rid);
	if (r != 0)
		return ct_errinfo_set(ei, CT_ERR_INVALID_ARG,
				      "user SID has no RID");
	user.account_name = req->account_name;
	user.client_name = req->account_name;
	user.upn = req->upn;
	user.dns_domain = req->realm;
	user.netbios_domain = req->netbios_domain;
	user.primary_group_rid = 513;
	/* The DC rebuilds the groups from its directory; the cloud claims none but Domain Users. */
	user.group_rids = groups;
	user.ngroups = 1;
	user.authtime = authtime;
	opt.has_rodc_id = true;
	opt.rodc_id = req->rodc_id;
	/* Both signatures use the krbtgt_N key: it is this ticket's KDC key too. */
	return ct_pac_build(kc, &user, &opt, req->krbtgt_key, req->krbtgt_key,
			    pac);
}

int ct_mint_partial_tgt(struct ct_kcrypto *kc, struct ct_arena *a,
			const struct ct_mint_request *req, struct ct_buf *as_rep,
			struct ct_krb_key *reply_key, struct ct_errinfo *ei)
{
	struct ct_krb_principal cname = {CT_KRB_NT_PRINCIPAL, 1, {NULL}};
	struct ct_krb_principal sname = {CT_KRB_NT_SRV_INST, 2, {NULL}};
	struct ct_krb_enc_ticket_part etp;
	struct ct_krb_enc_kdc_rep_part ekp;
	struct ct_krb_kdc_rep rep;
	struct ct_krb_last_req lr;
	struct ct_krb_authdata ad;
	struct ct_krb_key session, reply;
	struct ct_buf pac, plain;
	int32_t enctype = req->session_enctype ? req->session_enctype : CT_ENCTYPE_AES256_SHA1;
	time_t authtime, starttime, endtime;
	uint32_t flags, nonce = req->nonce;
	int r;

	ct_buf_init(&pac, CT_PAC_MAX_SIZE);
	ct_buf_init(&plain, CT_KRB_MAX_MSG);
	memset(&etp, 0, sizeof(etp));
	memset(&ekp, 0, sizeof(ekp));
	memset(&rep, 0, sizeof(rep));
	memset(&ad, 0, sizeof(ad));

	r = check_request(req, ei);
	if (r != 0)
		goto out;
	if (!ct_enctype_supported(enctype)) {
		r = ct_errinfo_set(ei, CT_ERR_UNSUPPORTED_ENCTYPE,
				   "unsupported session enctype %d", (int)enctype);
		goto out;
	}
	authtime = req->authtime ? req->authtime : time(NULL);
	starttime = authtime + req->start_delay;
	endtime = starttime + (req->lifetime ? req->lifetime : CT_MINT_DEFAULT_LIFETIME);
	cname.comp[0] = (char *)req->account_name;
	sname.comp[0] = "krbtgt";
	sname.comp[1] = (char *)req->realm;
	flags = CT_KRB_FLAG(CT_KRB_FLAG_FORWARDABLE) |
		CT_KRB_FLAG(CT_KRB_FLAG_INITIAL) |
		CT_KRB_FLAG(CT_KRB_FLAG_PRE_AUTHENT);
	if (req->renew_lifetime > 0)
		flags |= CT_KRB_FLAG(CT_KRB_FLAG_RENEWABLE);
	if (nonce == 0 && (r = ct_kcrypto_random(kc, &nonce, sizeof(nonce))) != 0)
		goto out;
	nonce &= 0x7fffffff;

	r = ct_kcrypto_random_key(kc, a, enctype, &session);
	if (r == 0)
		r = ct_kcrypto_random_key(kc, a, enctype, &reply);
	if (r != 0)
		goto out;

	if (!req->omit_pac) {
		r = build_pac(kc, req, authtime, &pac, ei);
		if (r == 0)
			r = pac_authdata(a, &pac, &ad);
		if (r != 0)
			goto out;
	}

	/* The ticket: encrypted under krbtgt_N with the RODC kvno. */
	etp.flags = flags;
	etp.key = session;
	etp.crealm = (char *)req->realm;
	etp.cname = cname;
	etp.transited.type = 1; /* DOMAIN-X500-COMPRESS, empty: no realms crossed */
	etp.transited.contents.data = (uint8_t *)"";
	etp.authtime = authtime;
	etp.has_starttime = true;
	etp.starttime = starttime;
	etp.endtime = endtime;
	etp.has_renew_till = req->renew_lifetime > 0;
	etp.renew_till = starttime + req->renew_lifetime;
	etp.authdata = req->omit_pac ? NULL : &ad;
	r = ct_krb_encode_enc_ticket_part(&plain, &etp);
	if (r == 0)
		r = ct_kcrypto_encrypt(kc, a, req->krbtgt_key, CT_KU_AS_REP_TICKET,
				       plain.data, plain.len, &rep.ticket.enc_part);
	if (r != 0)
		goto out;
	rep.ticket.enc_part.has_kvno = true;
	rep.ticket.enc_part.kvno = ct_rodc_kvno(req->rodc_id, req->key_version);
	rep.ticket.realm = (char *)req->realm;
	rep.ticket.sname = sname;

	/* The enc-part: what the device learns, under the reply key. */
	lr.type = 0;
	lr.value = authtime;
	ekp.msg_type = CT_KRB_MT_ENC_AS_REP_PART;
	ekp.key = session;
	ekp.nlast_req = 1;
	ekp.last_req = &lr;
	ekp.nonce = nonce;
	ekp.flags = flags;
	ekp.authtime = authtime;
	ekp.has_starttime = true;
	ekp.starttime = starttime;
	ekp.endtime = endtime;
	ekp.has_renew_till = etp.has_renew_till;
	ekp.renew_till = etp.renew_till;
	ekp.srealm = (char *)req->realm;
	ekp.sname = sname;
	ct_buf_free(&plain);
	r = ct_krb_encode_enc_kdc_rep_part(&plain, &ekp);
	if (r == 0)
		r = ct_kcrypto_encrypt(kc, a, &reply, CT_KU_AS_REP_ENC_PART,
				       plain.data, plain.len, &rep.enc_part);
	if (r != 0)
		goto out;

	rep.msg_type = CT_KRB_MT_AS_REP;
	rep.crealm = (char *)req->realm;
	rep.cname = cname;
	r = ct_krb_encode_kdc_rep(as_rep, &rep);
	if (r != 0)
		goto out;
	*reply_key = reply;
out:
	ct_buf_free(&pac);
	ct_buf_free(&plain);
	if (r != 0)
		ct_errinfo_default(ei, r, "minting the partial TGT failed: %s",
				   ct_strerror(r));
	return r;
}
