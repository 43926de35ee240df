/* SPDX-License-Identifier: Apache-2.0 */
#include "creds.h"

#include <stdio.h>
#include <string.h>

#include "ct-limits.h"

char *ct_principal_unparse(const struct ct_krb_principal *p, const char *realm,
			   char *buf, size_t buflen)
{
	size_t i, off = 0;

	buf[0] = '\0';
	for (i = 0; i < p->ncomp && off < buflen; i++)
		off += (size_t)snprintf(buf + off, buflen - off, "%s%s",
					i ? "/" : "", p->comp[i]);
	if (realm != NULL && off < buflen)
		snprintf(buf + off, buflen - off, "@%s", realm);
	return buf;
}

bool ct_principal_is_tgs(const struct ct_krb_principal *p, const char *realm)
{
	return p->ncomp == 2 && strcmp(p->comp[0], "krbtgt") == 0 &&
	       strcmp(p->comp[1], realm) == 0;
}

bool ct_principal_eq(const struct ct_krb_principal *a,
		     const struct ct_krb_principal *b)
{
	size_t i;

	if (a->ncomp != b->ncomp)
		return false;
	for (i = 0; i < a->ncomp; i++)
		if (strcmp(a->comp[i], b->comp[i]) != 0)
			return false;
	return true;
}

void ct_creds_from_reply(const struct ct_krb_kdc_rep *rep,
			 const struct ct_krb_enc_kdc_rep_part *ekp,
			 struct ct_krb_creds *out)
{
	out->client_realm = rep->crealm;
	out->client = rep->cname;
	out->server_realm = ekp->srealm;
	out->server = ekp->sname;
	out->session_key = ekp->key;
	out->flags = ekp->flags;
	out->authtime = ekp->authtime;
	out->starttime = ekp->has_starttime ? ekp->starttime : ekp->authtime;
	out->endtime = ekp->endtime;
	out->renew_till = ekp->has_renew_till ? ekp->renew_till : 0;
	out->ticket = rep->ticket.der;
	out->ticket_kvno = rep->ticket.enc_part.has_kvno ? rep->ticket.enc_part.kvno : 0;
	out->ticket_etype = rep->ticket.enc_part.etype;
}

int ct_creds_from_as_rep(struct ct_kcrypto *kc, struct ct_arena *a,
			 const uint8_t *der, size_t len,
			 const struct ct_krb_key *reply_key, time_t now,
			 struct ct_krb_creds *out, struct ct_errinfo *ei)
{
	struct ct_krb_kdc_rep rep;
	struct ct_krb_enc_kdc_rep_part ekp;
	struct ct_buf plain;
	char name[512];
	int r;

	ct_buf_init(&plain, CT_KRB_MAX_MSG);
	r = ct_krb_decode_kdc_rep(a, der, len, &rep);
	if (r != 0) {
		ct_errinfo_set(ei, r, "the AS-REP is malformed: %s",
			       ct_strerror(r));
		goto out;
	}
	if (rep.msg_type != CT_KRB_MT_AS_REP) {
		r = ct_errinfo_set(ei, CT_ERR_BAD_MSG_TYPE,
				   "expected an AS-REP, got message type %d",
				   (int)rep.msg_type);
		goto out;
	}
	r = ct_kcrypto_decrypt(kc, reply_key, CT_KU_AS_REP_ENC_PART,
			       &rep.enc_part, &plain);
	if (r != 0) {
		ct_errinfo_set(ei, r,
			       "cannot open the AS-REP with its reply key: %s",
			       ct_strerror(r));
		goto out;
	}
	r = ct_krb_decode_enc_kdc_rep_part(a, plain.data, plain.len, &ekp);
	if (r != 0) {
		ct_errinfo_set(ei, r, "the AS-REP's enc-part is malformed: %s",
			       ct_strerror(r));
		goto out;
	}
	/* A TGT of the client's own realm, named the same inside and out. */
	if (!ct_principal_is_tgs(&ekp.sname, rep.crealm) ||
	    strcmp(ekp.srealm, rep.crealm) != 0 ||
	    strcmp(rep.ticket.realm, rep.crealm) != 0 ||
	    !ct_principal_eq(&ekp.sname, &rep.ticket.sname)) {
		r = ct_errinfo_set(ei, CT_ERR_MISMATCH,
				   "the AS-REP is not a TGT for %s: it names %s",
				   rep.crealm,
				   ct_principal_unparse(&ekp.sname, ekp.srealm,
							name, sizeof(name)));
		goto out;
	}
	if (!ct_enctype_supported(ekp.key.enctype)) {
		r = ct_errinfo_set(ei, CT_ERR_UNSUPPORTED_ENCTYPE,
				   "the session key has unsupported enctype %d",
				   (int)ekp.key.enctype);
		goto out;
	}
	if (ekp.endtime <= now) {
		r = ct_errinfo_set(ei, CT_ERR_BAD_VALUE,
				   "the partial TGT expired before it arrived");
		goto out;
	}
	ct_creds_from_reply(&rep, &ekp, out);
out:
	ct_buf_free(&plain);
	return r;
}
