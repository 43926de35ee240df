/* SPDX-License-Identifier: Apache-2.0 */
#include "exchange.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ct-limits.h"

static const struct {
	int32_t code;
	const char *name;
	const char *explain;
} krb_errors[] = {
	{6, "KDC_ERR_C_PRINCIPAL_UNKNOWN",
	 "the user does not exist in the domain"},
	{7, "KDC_ERR_S_PRINCIPAL_UNKNOWN",
	 "the domain controller does not know the requested service"},
	{12, "KDC_ERR_POLICY",
	 "the domain controller's policy refused the request: the user may be "
	 "disabled, or the Kerberos server object lacks its krbtgt link or "
	 "partial-secrets flag"},
	{13, "KDC_ERR_BADOPTION",
	 "the domain controller refused an option of the request"},
	{14, "KDC_ERR_ETYPE_NOSUPP",
	 "the domain controller supports none of the requested encryption types"},
	{18, "KDC_ERR_CLIENT_REVOKED",
	 "the user's account is disabled, expired or locked out in AD"},
	{20, "KDC_ERR_TGT_REVOKED",
	 "the domain controller refused: user not allowed by the Kerberos server "
	 "object's password replication policy (or the user is in a denied "
	 "group); the same code is returned when the partial TGT's PAC is "
	 "missing or lacks the requester SID"},
	{24, "KDC_ERR_PREAUTH_FAILED", "pre-authentication failed"},
	{31, "KRB_AP_ERR_BAD_INTEGRITY",
	 "the domain controller could not decrypt the partial TGT: the cloud's "
	 "key for the Kerberos server object does not match AD's"},
	{32, "KRB_AP_ERR_TKT_EXPIRED",
	 "the partial TGT has expired (or has less than 2 minutes left); sign in "
	 "again to get a fresh one"},
	{33, "KRB_AP_ERR_TKT_NYV",
	 "the partial TGT is not valid yet: check the clocks of the device, the "
	 "cloud service and the domain controller"},
	{34, "KRB_AP_ERR_REPEAT", "the domain controller saw this request before (replay)"},
	{35, "KRB_AP_ERR_NOT_US",
	 "the domain controller does not know this Kerberos server object (RODC "
	 "number): it is missing from AD or not yet replicated to this DC"},
	{37, "KRB_AP_ERR_SKEW",
	 "the clocks of this device and the domain controller differ by more than "
	 "5 minutes"},
	{41, "KRB_AP_ERR_MODIFIED",
	 "the domain controller could not decrypt or verify the partial TGT: the "
	 "cloud's key for the Kerberos server object does not match AD's, or the "
	 "PAC signature is wrong"},
	{44, "KRB_AP_ERR_BADKEYVER",
	 "the domain controller does not know this key version of the Kerberos "
	 "server object: the key was rotated more than twice since the ticket was "
	 "issued, or the cloud holds a key version AD does not"},
	{50, "KRB_AP_ERR_INAPP_CKSUM",
	 "the domain controller rejected the request checksum"},
	{52, "KRB_ERR_RESPONSE_TOO_BIG", "the reply was too big for UDP"},
	{60, "KRB_ERR_GENERIC",
	 "the domain controller rejected the partial TGT (generic error): usually "
	 "a malformed ticket or PAC, or a PAC whose client name or time does not "
	 "match the ticket"},
	{68, "KDC_ERR_WRONG_REALM", "the domain controller serves another realm"},
};

#define NERRORS (sizeof(krb_errors) / sizeof(krb_errors[0]))

const char *ct_krb_error_name(int32_t code)
{
	size_t i;

	for (i = 0; i < NERRORS; i++)
		if (krb_errors[i].code == code)
			return krb_errors[i].name;
	return "UNKNOWN";
}

const char *ct_exchange_explain(int32_t code)
{
	size_t i;

	for (i = 0; i < NERRORS; i++)
		if (krb_errors[i].code == code)
			return krb_errors[i].explain;
	return "the domain controller refused the partial TGT";
}

/* Builds the AP-REQ that authenticates the TGS-REQ with the partial TGT. */
static int build_ap_req(struct ct_kcrypto *kc, struct ct_arena *a,
			const struct ct_krb_creds *tgt,
			const struct ct_buf *body_der, struct ct_krb_padata *pa)
{
	struct ct_krb_authenticator auth;
	struct ct_krb_checksum ck;
	struct ct_krb_ap_req ap;
	struct ct_buf ckbuf, plain, der;
	struct timespec ts;
	int r;

	memset(&auth, 0, sizeof(auth));
	memset(&ap, 0, sizeof(ap));
	ct_buf_init(&ckbuf, 256);
	ct_buf_init(&plain, CT_KRB_MAX_MSG);
	ct_buf_init(&der, CT_KRB_MAX_MSG);
	/* Samba insists on a checksum over the body (KRB_AP_ERR_INAPP_CKSUM otherwise). */
	r = ct_kcrypto_checksum(kc, &tgt->session_key, CT_KU_TGS_REQ_AUTH_CKSUM,
				0, body_der->data, body_der->len, &ckbuf,
				&ck.type);
	if (r != 0)
		goto out;
	ck.value.data = ckbuf.data;
	ck.value.len = ckbuf.len;
	clock_gettime(CLOCK_REALTIME, &ts);
	auth.crealm = tgt->client_realm;
	auth.cname = tgt->client;
	auth.cksum = &ck;
	auth.ctime = ts.tv_sec;
	auth.cusec = (int32_t)(ts.tv_nsec / 1000);
	r = ct_krb_encode_authenticator(&plain, &auth);
	if (r == 0)
		r = ct_kcrypto_encrypt(kc, a, &tgt->session_key,
				       CT_KU_TGS_REQ_AUTH, plain.data,
				       plain.len, &ap.authenticator);
	if (r != 0)
		goto out;
	r = ct_krb_decode_ticket(a, tgt->ticket.data, tgt->ticket.len,
				 &ap.ticket);
	if (r != 0)
		goto out;
	r = ct_krb_encode_ap_req(&der, &ap);
	if (r != 0)
		goto out;
	pa->type = CT_KRB_PA_TGS_REQ;
	pa->value.data = ct_arena_memdup(a, der.data, der.len, 0);
	pa->value.len = der.len;
	if (pa->value.data == NULL)
		r = CT_ERR_NOMEM;
out:
	ct_buf_free(&ckbuf);
	ct_buf_free(&plain);
	ct_buf_free(&der);
	return r;
}

static int build_tgs_req(struct ct_kcrypto *kc, struct ct_arena *a,
			 const struct ct_krb_creds *tgt, uint32_t nonce,
			 struct ct_buf *out)
{
	static int32_t etypes[] = {18, 17, 20, 19};
	struct ct_krb_principal sname = {CT_KRB_NT_SRV_INST, 2, {"krbtgt", NULL}};
	struct ct_krb_padata pa;
	struct ct_krb_padata_seq pas = {1, &pa};
	struct ct_krb_kdc_req req;
	struct ct_buf body;
	int r;

	memset(&req, 0, sizeof(req));
	ct_buf_init(&body, CT_KRB_MAX_MSG);
	sname.comp[1] = tgt->client_realm;
	req.msg_type = CT_KRB_MT_TGS_REQ;
	req.padata = &pas;
	/*
	 * Forwardable and canonicalize, as Windows asks; renewable only for a
	 * renewable TGT (Samba answers KDC_ERR_BADOPTION otherwise).
	 */
	req.body.kdc_options = CT_KRB_FLAG(CT_KRB_FLAG_FORWARDABLE) |
			       CT_KRB_FLAG(CT_KRB_FLAG_CANONICALIZE);
	if (tgt->flags & CT_KRB_FLAG(CT_KRB_FLAG_RENEWABLE))
		req.body.kdc_options |= CT_KRB_FLAG(CT_KRB_FLAG_RENEWABLE);
	req.body.realm = tgt->client_realm;
	req.body.sname = &sname;
	req.body.till = tgt->endtime;
	if (tgt->renew_till > 0) {
		req.body.has_rtime = true;
		req.body.rtime = tgt->renew_till;
	}
	req.body.nonce = nonce;
	req.body.netypes = sizeof(etypes) / sizeof(etypes[0]);
	req.body.etypes = etypes;
	r = ct_krb_encode_kdc_req_body(&body, &req.body);
	if (r == 0)
		r = build_ap_req(kc, a, tgt, &body, &pa);
	if (r != 0)
		goto out;
	/* Send the body bytes we checksummed, not a second encoding of them. */
	req.body_der.data = body.data;
	req.body_der.len = body.len;
	r = ct_krb_encode_kdc_req(out, &req);
out:
	ct_buf_free(&body);
	return r;
}

static int handle_error(struct ct_arena *a, const struct ct_buf *rep,
			const struct ct_kdc_addr *kdc,
			struct ct_kdc_error *kerr, struct ct_errinfo *ei)
{
	struct ct_krb_error e;
	int r;

	r = ct_krb_decode_error(a, rep->data, rep->len, &e);
	if (r != 0)
		return ct_errinfo_set(ei, r,
				      "domain controller %s sent a malformed KRB-ERROR: %s",
				      kdc->host, ct_strerror(r));
	kerr->code = e.error_code;
	snprintf(kerr->e_text, sizeof(kerr->e_text), "%s",
		 e.e_text != NULL ? e.e_text : "");
	return ct_errinfo_set(ei, CT_ERR_KDC_ERROR, "%s (%s, error %d%s%s%s)",
			      ct_exchange_explain(e.error_code),
			      ct_krb_error_name(e.error_code),
			      (int)e.error_code,
			      kerr->e_text[0] ? ": \"" : "", kerr->e_text,
			      kerr->e_text[0] ? "\"" : "");
}

/* Opens a TGS-REP and checks it answers our request. */
static int open_tgs_rep(struct ct_kcrypto *kc, struct ct_arena *a,
			const struct ct_buf *rep, const struct ct_krb_creds *tgt,
			uint32_t nonce, struct ct_krb_creds *full,
			struct ct_errinfo *ei)
{
	struct ct_krb_kdc_rep kr;
	struct ct_krb_enc_kdc_rep_part ekp;
	struct ct_buf plain;
	int r;

	ct_buf_init(&plain, CT_KRB_MAX_MSG);
	r = ct_krb_decode_kdc_rep(a, rep->data, rep->len, &kr);
	if (r == 0 && kr.msg_type != CT_KRB_MT_TGS_REP)
		r = CT_ERR_BAD_MSG_TYPE;
	if (r != 0) {
		ct_errinfo_set(ei, r, "the TGS-REP is malformed: %s", ct_strerror(r));
		goto out;
	}
	r = ct_kcrypto_decrypt(kc, &tgt->session_key,
			       CT_KU_TGS_REP_ENC_PART_SESSKEY, &kr.enc_part,
			       &plain);
	if (r == 0)
		r = ct_krb_decode_enc_kdc_rep_part(a, plain.data, plain.len, &ekp);
	if (r != 0) {
		ct_errinfo_set(ei, r, "cannot open the TGS-REP: %s", ct_strerror(r));
		goto out;
	}
	if (ekp.nonce != nonce || !ct_principal_is_tgs(&ekp.sname, tgt->client_realm) ||
	    strcmp(kr.crealm, tgt->client_realm) != 0 ||
	    !ct_principal_eq(&kr.cname, &tgt->client)) {
		r = ct_errinfo_set(ei, CT_ERR_MISMATCH,
				   "the domain controller's reply does not match the request");
		goto out;
	}
	if (!ct_enctype_supported(ekp.key.enctype)) {
		r = ct_errinfo_set(ei, CT_ERR_UNSUPPORTED_ENCTYPE,
				   "the full TGT's session key has unsupported enctype %d",
				   (int)ekp.key.enctype);
		goto out;
	}
	ct_creds_from_reply(&kr, &ekp, full);
out:
	ct_buf_free(&plain);
	return r;
}

int ct_exchange_partial_tgt(struct ct_kcrypto *kc, struct ct_arena *a,
			    const struct ct_krb_creds *tgt,
			    const struct ct_exchange_opts *opts,
			    struct ct_krb_creds *full, struct ct_kdc_error *kerr,
			    struct ct_errinfo *ei)
{
	struct ct_kdc_addr kdc;
	struct ct_buf req, rep;
	uint32_t nonce;
	int r, type;

	memset(kerr, 0, sizeof(*kerr));
	ct_buf_init(&req, CT_KRB_MAX_MSG);
	ct_buf_init(&rep, CT_KRB_MAX_MSG);
	r = ct_kdc_locate(tgt->client_realm, opts->kdc, &kdc, ei);
	if (r != 0)
		goto out;
	r = ct_kcrypto_random(kc, &nonce, sizeof(nonce));
	if (r != 0)
		goto out;
	nonce &= 0x7fffffff;
	r = build_tgs_req(kc, a, tgt, nonce, &req);
	if (r != 0) {
		ct_errinfo_set(ei, r, "cannot build the TGS-REQ: %s", ct_strerror(r));
		goto out;
	}
	if (opts->req_out != NULL)
		ct_buf_put(opts->req_out, req.data, req.len);
	r = ct_kdc_sendto(&kdc, req.data, req.len, opts->timeout_ms, &rep, ei);
	if (r != 0)
		goto out;
	if (opts->rep_out != NULL)
		ct_buf_put(opts->rep_out, rep.data, rep.len);
	type = ct_krb_peek_msg_type(rep.data, rep.len);
	if (type == CT_KRB_MT_ERROR)
		r = handle_error(a, &rep, &kdc, kerr, ei);
	else if (type == CT_KRB_MT_TGS_REP)
		r = open_tgs_rep(kc, a, &rep, tgt, nonce, full, ei);
	else
		r = ct_errinfo_set(ei, CT_ERR_BAD_MSG_TYPE,
				   "domain controller %s answered with message type %d",
				   kdc.host, type);
out:
	ct_buf_free(&req);
	ct_buf_free(&rep);
	return r;
}
