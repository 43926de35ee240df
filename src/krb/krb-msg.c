/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Kerberos V5 messages (RFC 4120 §5) on top of der.c.
 *
 * Every ASN.1 type has one writer (enc_fn) and one reader (dec_fn) with
 * uniform signatures, so fields, optional fields and SEQUENCE OF are handled
 * by a few shared helpers (put_field/put_opt/put_seq_of, get_field/get_opt/
 * get_ptr/get_seq_of) and each message is a short list of its fields.
 *
 * Readers take a cursor positioned at the value, consume exactly that value
 * and latch any error in the cursor; the helpers propagate errors outwards,
 * so only the top level looks at them.  Writers latch errors in the ct_buf.
 */
#include "krb-msg.h"

#include <string.h>

#include "ct-error.h"
#include "der.h"

#define KRB_PVNO 5
/* Microseconds ::= INTEGER (0..999999) */
#define USEC_MAX 999999
#define MT_BIT(mt) (UINT32_C(1) << (mt))

typedef void enc_fn(struct ct_buf *b, const void *v);
typedef void dec_fn(struct ct_arena *a, struct ct_cursor *c, void *v);

/* ==== writers ==== */

/* [n] EXPLICIT value */
static void put_field(struct ct_buf *b, unsigned n, enc_fn *fn, const void *v)
{
	size_t mark = ct_der_begin(b, CT_DER_CTX(n));

	fn(b, v);
	ct_der_end(b, mark);
}

static void put_opt(struct ct_buf *b, unsigned n, bool present, enc_fn *fn,
		    const void *v)
{
	if (present)
		put_field(b, n, fn, v);
}

/* An optional field held by pointer: present when v is not NULL. */
static void put_ptr(struct ct_buf *b, unsigned n, enc_fn *fn, const void *v)
{
	put_opt(b, n, v != NULL, fn, v);
}

static void put_int_field(struct ct_buf *b, unsigned n, int32_t v)
{
	size_t mark = ct_der_begin(b, CT_DER_CTX(n));

	ct_der_put_int32(b, v);
	ct_der_end(b, mark);
}

/* SEQUENCE OF: n elements of size bytes each, at most max of them. */
static void put_seq_of(struct ct_buf *b, const void *arr, size_t n, size_t size,
		       size_t max, enc_fn *fn)
{
	size_t mark;

	if (n > max || (n > 0 && arr == NULL)) {
		ct_der_fail(b, CT_ERR_INVALID_ARG);
		return;
	}
	mark = ct_der_begin(b, CT_DER_SEQUENCE);
	for (size_t i = 0; i < n; i++)
		fn(b, (const uint8_t *)arr + i * size);
	ct_der_end(b, mark);
}

/* Writes raw verbatim when it is set (bytes kept from a decode), else fn(v). */
static void put_raw_or(struct ct_buf *b, const struct ct_bytes *raw, enc_fn *fn,
		       const void *v)
{
	if (raw->data == NULL)
		fn(b, v);
	else if (raw->len == 0)
		ct_der_fail(b, CT_ERR_INVALID_ARG);
	else
		ct_buf_put(b, raw->data, raw->len);
}

/* [APPLICATION mt] SEQUENCE { [first] pvno, [first+1] msg-type, ... */
struct msg_mark {
	size_t app, seq;
};

static struct msg_mark begin_msg(struct ct_buf *b, int32_t mt, unsigned first)
{
	struct msg_mark m;

	m.app = ct_der_begin(b, CT_DER_APP(mt));
	m.seq = ct_der_begin(b, CT_DER_SEQUENCE);
	put_int_field(b, first, KRB_PVNO);
	put_int_field(b, first + 1, mt);
	return m;
}

/* Like begin_msg for the types without pvno/msg-type (Ticket has only a vno). */
static struct msg_mark begin_app(struct ct_buf *b, int32_t mt)
{
	struct msg_mark m;

	m.app = ct_der_begin(b, CT_DER_APP(mt));
	m.seq = ct_der_begin(b, CT_DER_SEQUENCE);
	return m;
}

static void end_msg(struct ct_buf *b, struct msg_mark m)
{
	ct_der_end(b, m.seq);
	ct_der_end(b, m.app);
}

/* Refuses a msg_type field that is neither of the two allowed values. */
static bool check_mt(struct ct_buf *b, int32_t mt, int32_t x, int32_t y)
{
	if (mt == x || mt == y)
		return true;
	ct_der_fail(b, CT_ERR_INVALID_ARG);
	return false;
}

/* -- primitive writers, v points at the C field -- */

static void enc_int32(struct ct_buf *b, const void *v)
{
	ct_der_put_int32(b, *(const int32_t *)v);
}

static void enc_uint32(struct ct_buf *b, const void *v)
{
	ct_der_put_uint32(b, *(const uint32_t *)v);
}

static void enc_usec(struct ct_buf *b, const void *v)
{
	int32_t us = *(const int32_t *)v;

	if (us < 0 || us > USEC_MAX)
		ct_der_fail(b, CT_ERR_INVALID_ARG);
	ct_der_put_int32(b, us);
}

static void enc_time(struct ct_buf *b, const void *v)
{
	ct_der_put_time(b, *(const time_t *)v);
}

static void enc_flags(struct ct_buf *b, const void *v)
{
	ct_der_put_flags(b, *(const uint32_t *)v);
}

static void enc_string(struct ct_buf *b, const void *v)
{
	ct_der_put_string(b, *(char *const *)v);
}

static void enc_bytes(struct ct_buf *b, const void *v)
{
	const struct ct_bytes *x = v;

	ct_der_put_octets(b, x->data, x->len);
}

/*
 * SEQUENCE { [tag0] Int32, [tag0+1] OCTET STRING }: the shape of
 * EncryptionKey, Checksum, HostAddress, AuthorizationData elements,
 * TransitedEncoding and (with tag0 = 1) PA-DATA.
 */
static void put_int_bytes(struct ct_buf *b, unsigned tag0, const int32_t *type,
			  const struct ct_bytes *bytes, size_t max)
{
	size_t mark = ct_der_begin(b, CT_DER_SEQUENCE);

	if (bytes->len > max)
		ct_der_fail(b, CT_ERR_INVALID_ARG);
	put_field(b, tag0, enc_int32, type);
	put_field(b, tag0 + 1, enc_bytes, bytes);
	ct_der_end(b, mark);
}

static void enc_key(struct ct_buf *b, const void *v)
{
	const struct ct_krb_key *k = v;

	put_int_bytes(b, 0, &k->enctype, &k->value, CT_KRB_MAX_KEY);
}

static void enc_checksum(struct ct_buf *b, const void *v)
{
	const struct ct_krb_checksum *k = v;

	put_int_bytes(b, 0, &k->type, &k->value, CT_KRB_MAX_MSG);
}

static void enc_hostaddr(struct ct_buf *b, const void *v)
{
	const struct ct_krb_hostaddr *h = v;

	put_int_bytes(b, 0, &h->type, &h->addr, CT_KRB_MAX_MSG);
}

static void enc_authdata_elem(struct ct_buf *b, const void *v)
{
	const struct ct_krb_authdata_elem *e = v;

	put_int_bytes(b, 0, &e->type, &e->data, CT_KRB_MAX_MSG);
}

static void enc_transited(struct ct_buf *b, const void *v)
{
	const struct ct_krb_transited *t = v;

	put_int_bytes(b, 0, &t->type, &t->contents, CT_KRB_MAX_MSG);
}

static void enc_padata(struct ct_buf *b, const void *v)
{
	const struct ct_krb_padata *p = v;

	put_int_bytes(b, 1, &p->type, &p->value, CT_KRB_MAX_MSG);
}

/* -- SEQUENCE OF writers, v points at the struct holding count and array -- */

static void enc_hostaddrs(struct ct_buf *b, const void *v)
{
	const struct ct_krb_hostaddrs *h = v;

	put_seq_of(b, h->addr, h->n, sizeof(*h->addr), CT_KRB_MAX_SEQ, enc_hostaddr);
}

static void enc_authdata(struct ct_buf *b, const void *v)
{
	const struct ct_krb_authdata *ad = v;

	put_seq_of(b, ad->elem, ad->n, sizeof(*ad->elem), CT_KRB_MAX_SEQ,
		   enc_authdata_elem);
}

static void enc_padata_seq(struct ct_buf *b, const void *v)
{
	const struct ct_krb_padata_seq *s = v;

	put_seq_of(b, s->pa, s->n, sizeof(*s->pa), CT_KRB_MAX_SEQ, enc_padata);
}

static void enc_name_strings(struct ct_buf *b, const void *v)
{
	const struct ct_krb_principal *p = v;

	/* Empty names encode as the decoder accepts them (Samba's KRB-ERROR sname). */
	put_seq_of(b, p->comp, p->ncomp, sizeof(p->comp[0]),
		   CT_KRB_MAX_NAME_COMPONENTS, enc_string);
}

/* -- structures -- */

static void enc_principal(struct ct_buf *b, const void *v)
{
	const struct ct_krb_principal *p = v;
	size_t mark = ct_der_begin(b, CT_DER_SEQUENCE);

	put_field(b, 0, enc_int32, &p->type);
	put_field(b, 1, enc_name_strings, p);
	ct_der_end(b, mark);
}

static void enc_enc_data(struct ct_buf *b, const void *v)
{
	const struct ct_krb_enc_data *e = v;
	size_t mark = ct_der_begin(b, CT_DER_SEQUENCE);

	put_field(b, 0, enc_int32, &e->etype);
	/* Signed on purpose: Windows RODC kvnos do not fit a positive int32. */
	put_opt(b, 1, e->has_kvno, enc_int32, &e->kvno);
	put_field(b, 2, enc_bytes, &e->cipher);
	ct_der_end(b, mark);
}

static void enc_ticket_fields(struct ct_buf *b, const void *v)
{
	const struct ct_krb_ticket *t = v;
	struct msg_mark m = begin_app(b, CT_KRB_MT_TICKET);

	put_int_field(b, 0, KRB_PVNO);
	put_field(b, 1, enc_string, &t->realm);
	put_field(b, 2, enc_principal, &t->sname);
	put_field(b, 3, enc_enc_data, &t->enc_part);
	end_msg(b, m);
}

static void enc_ticket(struct ct_buf *b, const void *v)
{
	const struct ct_krb_ticket *t = v;

	put_raw_or(b, &t->der, enc_ticket_fields, t);
}

static void enc_tickets(struct ct_buf *b, const struct ct_krb_ticket *t, size_t n)
{
	put_seq_of(b, t, n, sizeof(*t), CT_KRB_MAX_SEQ, enc_ticket);
}

static void enc_enc_ticket_part(struct ct_buf *b, const void *v)
{
	const struct ct_krb_enc_ticket_part *e = v;
	struct msg_mark m = begin_app(b, CT_KRB_MT_ENC_TICKET_PART);

	put_field(b, 0, enc_flags, &e->flags);
	put_field(b, 1, enc_key, &e->key);
	put_field(b, 2, enc_string, &e->crealm);
	put_field(b, 3, enc_principal, &e->cname);
	put_field(b, 4, enc_transited, &e->transited);
	put_field(b, 5, enc_time, &e->authtime);
	put_opt(b, 6, e->has_starttime, enc_time, &e->starttime);
	put_field(b, 7, enc_time, &e->endtime);
	put_opt(b, 8, e->has_renew_till, enc_time, &e->renew_till);
	put_ptr(b, 9, enc_hostaddrs, e->caddr);
	put_ptr(b, 10, enc_authdata, e->authdata);
	end_msg(b, m);
}

static void enc_kdc_rep(struct ct_buf *b, const void *v)
{
	const struct ct_krb_kdc_rep *r = v;
	struct msg_mark m;

	if (!check_mt(b, r->msg_type, CT_KRB_MT_AS_REP, CT_KRB_MT_TGS_REP))
		return;
	m = begin_msg(b, r->msg_type, 0);
	put_ptr(b, 2, enc_padata_seq, r->padata);
	put_field(b, 3, enc_string, &r->crealm);
	put_field(b, 4, enc_principal, &r->cname);
	put_field(b, 5, enc_ticket, &r->ticket);
	put_field(b, 6, enc_enc_data, &r->enc_part);
	end_msg(b, m);
}

static void enc_last_req_elem(struct ct_buf *b, const void *v)
{
	const struct ct_krb_last_req *lr = v;
	size_t mark = ct_der_begin(b, CT_DER_SEQUENCE);

	put_field(b, 0, enc_int32, &lr->type);
	put_field(b, 1, enc_time, &lr->value);
	ct_der_end(b, mark);
}

static void enc_last_req(struct ct_buf *b, const void *v)
{
	const struct ct_krb_enc_kdc_rep_part *e = v;

	put_seq_of(b, e->last_req, e->nlast_req, sizeof(*e->last_req),
		   CT_KRB_MAX_SEQ, enc_last_req_elem);
}

static void enc_enc_kdc_rep_part(struct ct_buf *b, const void *v)
{
	const struct ct_krb_enc_kdc_rep_part *e = v;
	struct msg_mark m;

	if (!check_mt(b, e->msg_type, CT_KRB_MT_ENC_AS_REP_PART,
		      CT_KRB_MT_ENC_TGS_REP_PART))
		return;
	m = begin_app(b, e->msg_type);
	put_field(b, 0, enc_key, &e->key);
	put_field(b, 1, enc_last_req, e);
	put_field(b, 2, enc_uint32, &e->nonce);
	put_opt(b, 3, e->has_key_expiration, enc_time, &e->key_expiration);
	put_field(b, 4, enc_flags, &e->flags);
	put_field(b, 5, enc_time, &e->authtime);
	put_opt(b, 6, e->has_starttime, enc_time, &e->starttime);
	put_field(b, 7, enc_time, &e->endtime);
	put_opt(b, 8, e->has_renew_till, enc_time, &e->renew_till);
	put_field(b, 9, enc_string, &e->srealm);
	put_field(b, 10, enc_principal, &e->sname);
	put_ptr(b, 11, enc_hostaddrs, e->caddr);
	put_ptr(b, 12, enc_padata_seq, e->enc_padata);
	end_msg(b, m);
}

static void enc_etypes(struct ct_buf *b, const void *v)
{
	const struct ct_krb_kdc_req_body *r = v;

	put_seq_of(b, r->etypes, r->netypes, sizeof(*r->etypes), CT_KRB_MAX_SEQ,
		   enc_int32);
}

static void enc_additional_tickets(struct ct_buf *b, const void *v)
{
	const struct ct_krb_kdc_req_body *r = v;

	enc_tickets(b, r->additional_tickets, r->nadditional_tickets);
}

static void enc_kdc_req_body(struct ct_buf *b, const void *v)
{
	const struct ct_krb_kdc_req_body *r = v;
	size_t mark = ct_der_begin(b, CT_DER_SEQUENCE);

	put_field(b, 0, enc_flags, &r->kdc_options);
	put_ptr(b, 1, enc_principal, r->cname);
	put_field(b, 2, enc_string, &r->realm);
	put_ptr(b, 3, enc_principal, r->sname);
	put_opt(b, 4, r->has_from, enc_time, &r->from);
	put_field(b, 5, enc_time, &r->till);
	put_opt(b, 6, r->has_rtime, enc_time, &r->rtime);
	put_field(b, 7, enc_uint32, &r->nonce);
	put_field(b, 8, enc_etypes, r);
	put_ptr(b, 9, enc_hostaddrs, r->addresses);
	put_ptr(b, 10, enc_enc_data, r->enc_authorization_data);
	/* An empty SEQUENCE OF is written as absent, as MIT does. */
	put_opt(b, 11, r->nadditional_tickets > 0, enc_additional_tickets, r);
	ct_der_end(b, mark);
}

static void enc_req_body_raw(struct ct_buf *b, const void *v)
{
	const struct ct_krb_kdc_req *r = v;

	put_raw_or(b, &r->body_der, enc_kdc_req_body, &r->body);
}

static void enc_kdc_req(struct ct_buf *b, const void *v)
{
	const struct ct_krb_kdc_req *r = v;
	struct msg_mark m;

	if (!check_mt(b, r->msg_type, CT_KRB_MT_AS_REQ, CT_KRB_MT_TGS_REQ))
		return;
	m = begin_msg(b, r->msg_type, 1);
	put_ptr(b, 3, enc_padata_seq, r->padata);
	put_field(b, 4, enc_req_body_raw, r);
	end_msg(b, m);
}

static void enc_ap_req(struct ct_buf *b, const void *v)
{
	const struct ct_krb_ap_req *r = v;
	struct msg_mark m = begin_msg(b, CT_KRB_MT_AP_REQ, 0);

	put_field(b, 2, enc_flags, &r->ap_options);
	put_field(b, 3, enc_ticket, &r->ticket);
	put_field(b, 4, enc_enc_data, &r->authenticator);
	end_msg(b, m);
}

static void enc_authenticator(struct ct_buf *b, const void *v)
{
	const struct ct_krb_authenticator *a = v;
	struct msg_mark m = begin_app(b, CT_KRB_MT_AUTHENTICATOR);

	put_int_field(b, 0, KRB_PVNO);
	put_field(b, 1, enc_string, &a->crealm);
	put_field(b, 2, enc_principal, &a->cname);
	put_ptr(b, 3, enc_checksum, a->cksum);
	put_field(b, 4, enc_usec, &a->cusec);
	put_field(b, 5, enc_time, &a->ctime);
	put_ptr(b, 6, enc_key, a->subkey);
	put_opt(b, 7, a->has_seq_number, enc_uint32, &a->seq_number);
	put_ptr(b, 8, enc_authdata, a->authdata);
	end_msg(b, m);
}

static void enc_error(struct ct_buf *b, const void *v)
{
	const struct ct_krb_error *e = v;
	struct msg_mark m = begin_msg(b, CT_KRB_MT_ERROR, 0);

	put_opt(b, 2, e->has_ctime, enc_time, &e->ctime);
	put_opt(b, 3, e->has_cusec, enc_usec, &e->cusec);
	put_field(b, 4, enc_time, &e->stime);
	put_field(b, 5, enc_usec, &e->susec);
	put_field(b, 6, enc_int32, &e->error_code);
	put_opt(b, 7, e->crealm != NULL, enc_string, &e->crealm);
	put_ptr(b, 8, enc_principal, e->cname);
	put_field(b, 9, enc_string, &e->realm);
	put_field(b, 10, enc_principal, &e->sname);
	put_opt(b, 11, e->e_text != NULL, enc_string, &e->e_text);
	put_opt(b, 12, e->e_data.data != NULL, enc_bytes, &e->e_data);
	end_msg(b, m);
}

static void enc_cred_tickets(struct ct_buf *b, const void *v)
{
	const struct ct_krb_cred *c = v;

	enc_tickets(b, c->tickets, c->ntickets);
}

static void enc_cred(struct ct_buf *b, const void *v)
{
	const struct ct_krb_cred *c = v;
	struct msg_mark m = begin_msg(b, CT_KRB_MT_CRED, 0);

	put_field(b, 2, enc_cred_tickets, c);
	put_field(b, 3, enc_enc_data, &c->enc_part);
	end_msg(b, m);
}

static void enc_cred_info(struct ct_buf *b, const void *v)
{
	const struct ct_krb_cred_info *i = v;
	size_t mark = ct_der_begin(b, CT_DER_SEQUENCE);

	put_field(b, 0, enc_key, &i->key);
	put_opt(b, 1, i->prealm != NULL, enc_string, &i->prealm);
	put_ptr(b, 2, enc_principal, i->pname);
	put_opt(b, 3, i->has_flags, enc_flags, &i->flags);
	put_opt(b, 4, i->has_authtime, enc_time, &i->authtime);
	put_opt(b, 5, i->has_starttime, enc_time, &i->starttime);
	put_opt(b, 6, i->has_endtime, enc_time, &i->endtime);
	put_opt(b, 7, i->has_renew_till, enc_time, &i->renew_till);
	put_opt(b, 8, i->srealm != NULL, enc_string, &i->srealm);
	put_ptr(b, 9, enc_principal, i->sname);
	put_ptr(b, 10, enc_hostaddrs, i->caddr);
	ct_der_end(b, mark);
}

static void enc_cred_infos(struct ct_buf *b, const void *v)
{
	const struct ct_krb_enc_cred_part *e = v;

	put_seq_of(b, e->info, e->ninfo, sizeof(*e->info), CT_KRB_MAX_SEQ,
		   enc_cred_info);
}

static void enc_enc_cred_part(struct ct_buf *b, const void *v)
{
	const struct ct_krb_enc_cred_part *e = v;
	struct msg_mark m = begin_app(b, CT_KRB_MT_ENC_KRB_CRED_PART);

	put_field(b, 0, enc_cred_infos, e);
	put_opt(b, 1, e->has_nonce, enc_uint32, &e->nonce);
	put_opt(b, 2, e->has_timestamp, enc_time, &e->timestamp);
	put_opt(b, 3, e->has_usec, enc_usec, &e->usec);
	put_ptr(b, 4, enc_hostaddr, e->s_address);
	put_ptr(b, 5, enc_hostaddr, e->r_address);
	end_msg(b, m);
}

/* ==== readers ==== */

/* [n] EXPLICIT value, required. */
static void get_field(struct ct_arena *a, struct ct_cursor *c, unsigned n,
		      dec_fn *fn, void *v)
{
	struct ct_cursor f;

	ct_der_enter(c, CT_DER_CTX(n), &f);
	fn(a, &f, v);
	ct_der_leave(c, &f, CT_ERR_TRAILING);
}

/* [n] EXPLICIT value, optional; returns whether it was present. */
static bool get_opt(struct ct_arena *a, struct ct_cursor *c, unsigned n,
		    dec_fn *fn, void *v)
{
	if (ct_der_peek_tag(c) != CT_DER_CTX(n))
		return false;
	get_field(a, c, n, fn, v);
	return true;
}

/* An optional field held by pointer: allocated only when present. */
static void *get_ptr(struct ct_arena *a, struct ct_cursor *c, unsigned n,
		     dec_fn *fn, size_t size)
{
	void *v;

	if (ct_der_peek_tag(c) != CT_DER_CTX(n))
		return NULL;
	v = ct_arena_alloc(a, size);
	if (v == NULL) {
		ct_cursor_fail(c, CT_ERR_NOMEM);
		return NULL;
	}
	get_field(a, c, n, fn, v);
	return v;
}

/* Counts the values in c (stopping after max + 1) without decoding them. */
static size_t count_values(struct ct_cursor *c, size_t max)
{
	struct ct_cursor scan = *c, skip;
	size_t n = 0;
	uint8_t tag;

	while (!ct_cursor_empty(&scan) && n <= max) {
		if (ct_der_get_tlv(&scan, &tag, &skip) != 0) {
			ct_cursor_fail(c, scan.err);
			return 0;
		}
		n++;
	}
	if (n > max)
		ct_cursor_fail(c, CT_ERR_TOO_LARGE);
	return n;
}

/*
 * SEQUENCE OF: returns an arena array of elements of size bytes, each read
 * by fn, and their number in *n (0 on error).
 */
static void *get_seq_of(struct ct_arena *a, struct ct_cursor *c, size_t size,
			size_t max, dec_fn *fn, size_t *n)
{
	struct ct_cursor s;
	uint8_t *arr = NULL;
	size_t count = 0;

	*n = 0;
	if (ct_der_enter(c, CT_DER_SEQUENCE, &s) != 0)
		return NULL;
	count = count_values(&s, max);
	if (s.err == 0 && (arr = ct_arena_alloc(a, count * size)) == NULL)
		ct_cursor_fail(&s, CT_ERR_NOMEM);
	for (size_t i = 0; i < count && s.err == 0; i++)
		fn(a, &s, arr + i * size);
	if (ct_der_leave(c, &s, CT_ERR_TRAILING) != 0)
		return NULL;
	*n = count;
	return arr;
}

/* Runs fn, then keeps a copy of the exact bytes it read in *der. */
static void get_capture(struct ct_arena *a, struct ct_cursor *c, dec_fn *fn,
			void *v, struct ct_bytes *der)
{
	const uint8_t *start = c->p;
	size_t before = c->len;

	fn(a, c, v);
	if (c->err != 0)
		return;
	der->len = before - c->len;
	der->data = ct_arena_memdup(a, start, der->len, 0);
	if (der->data == NULL)
		ct_cursor_fail(c, CT_ERR_NOMEM);
}

/* -- primitive readers, v points at the C field -- */

static void dec_int32(struct ct_arena *a, struct ct_cursor *c, void *v)
{
	*(int32_t *)v = ct_der_get_int32(c);
}

static void dec_uint32(struct ct_arena *a, struct ct_cursor *c, void *v)
{
	*(uint32_t *)v = ct_der_get_uint32(c);
}

static void dec_kvno(struct ct_arena *a, struct ct_cursor *c, void *v)
{
	*(int32_t *)v = ct_der_get_int32_liberal(c);
}

static void dec_usec(struct ct_arena *a, struct ct_cursor *c, void *v)
{
	int32_t us = ct_der_get_int32(c);

	if (us < 0 || us > USEC_MAX)
		ct_cursor_fail(c, CT_ERR_BAD_VALUE);
	*(int32_t *)v = us;
}

static void dec_time(struct ct_arena *a, struct ct_cursor *c, void *v)
{
	*(time_t *)v = ct_der_get_time(c);
}

static void dec_flags(struct ct_arena *a, struct ct_cursor *c, void *v)
{
	*(uint32_t *)v = ct_der_get_flags(c);
}

static void dec_string(struct ct_arena *a, struct ct_cursor *c, void *v)
{
	*(char **)v = ct_der_get_string(c, a);
}

static void get_bytes(struct ct_arena *a, struct ct_cursor *c, size_t max,
		      struct ct_bytes *x)
{
	ct_der_get_octets(c, a, max, &x->data, &x->len);
}

static void dec_bytes(struct ct_arena *a, struct ct_cursor *c, void *v)
{
	get_bytes(a, c, CT_KRB_MAX_MSG, v);
}

static void dec_key_bytes(struct ct_arena *a, struct ct_cursor *c, void *v)
{
	get_bytes(a, c, CT_KRB_MAX_KEY, v);
}

static void get_int_expect(struct ct_arena *a, struct ct_cursor *c, unsigned n,
			   int32_t want, int err)
{
	int32_t v = 0;

	get_field(a, c, n, dec_int32, &v);
	if (c->err == 0 && v != want)
		ct_cursor_fail(c, err);
}

/*
 * Enters [APPLICATION n] SEQUENCE for an n in the allowed bit mask and
 * returns n (-1 on error): BAD_TAG when the value is not APPLICATION class,
 * BAD_MSG_TYPE when it is some other message.
 */
static int enter_app(struct ct_cursor *c, uint32_t allowed, struct ct_cursor *app,
		     struct ct_cursor *seq)
{
	int tag = ct_der_peek_tag(c);

	if (c->err == 0 && tag < 0)
		ct_cursor_fail(c, CT_ERR_TRUNCATED);
	else if (c->err == 0 && (!CT_DER_IS_APP(tag) || CT_DER_TAG_NUM(tag) == 31))
		ct_cursor_fail(c, CT_ERR_BAD_TAG);
	else if (c->err == 0 && !(allowed & MT_BIT(CT_DER_TAG_NUM(tag))))
		ct_cursor_fail(c, CT_ERR_BAD_MSG_TYPE);
	ct_der_enter(c, (uint8_t)tag, app);
	ct_der_enter(app, CT_DER_SEQUENCE, seq);
	return c->err == 0 ? CT_DER_TAG_NUM(tag) : -1;
}

/* enter_app plus the [first] pvno and [first+1] msg-type fields. */
static int enter_msg(struct ct_arena *a, struct ct_cursor *c, uint32_t allowed,
		     unsigned first, struct ct_cursor *app, struct ct_cursor *seq)
{
	int mt = enter_app(c, allowed, app, seq);

	get_int_expect(a, seq, first, KRB_PVNO, CT_ERR_BAD_PVNO);
	get_int_expect(a, seq, first + 1, mt, CT_ERR_BAD_MSG_TYPE);
	return mt;
}

static void leave_msg(struct ct_cursor *c, struct ct_cursor *app, struct ct_cursor *seq)
{
	ct_der_leave(app, seq, CT_ERR_BAD_TAG);
	ct_der_leave(c, app, CT_ERR_TRAILING);
}

/* The reader for put_int_bytes' shape; bytes_fn picks the size limit. */
static void get_int_bytes(struct ct_arena *a, struct ct_cursor *c, unsigned tag0,
			  int32_t *type, struct ct_bytes *bytes, dec_fn *bytes_fn)
{
	struct ct_cursor s;

	ct_der_enter(c, CT_DER_SEQUENCE, &s);
	get_field(a, &s, tag0, dec_int32, type);
	get_field(a, &s, tag0 + 1, bytes_fn, bytes);
	ct_der_leave(c, &s, CT_ERR_BAD_TAG);
}

static void dec_key(struct ct_arena *a, struct ct_cursor *c, void *v)
{
	struct ct_krb_key *k = v;

	get_int_bytes(a, c, 0, &k->enctype, &k->value, dec_key_bytes);
}

static void dec_checksum(struct ct_arena *a, struct ct_cursor *c, void *v)
{
	struct ct_krb_checksum *k = v;

	get_int_bytes(a, c, 0, &k->type, &k->value, dec_bytes);
}

static void dec_hostaddr(struct ct_arena *a, struct ct_cursor *c, void *v)
{
	struct ct_krb_hostaddr *h = v;

	get_int_bytes(a, c, 0, &h->type, &h->addr, dec_bytes);
}

static void dec_authdata_elem(struct ct_arena *a, struct ct_cursor *c, void *v)
{
	struct ct_krb_authdata_elem *e = v;

	get_int_bytes(a, c, 0, &e->type, &e->data, dec_bytes);
}

static void dec_transited(struct ct_arena *a, struct ct_cursor *c, void *v)
{
	struct ct_krb_transited *t = v;

	get_int_bytes(a, c, 0, &t->type, &t->contents, dec_bytes);
}

static void dec_padata(struct ct_arena *a, struct ct_cursor *c, void *v)
{
	struct ct_krb_padata *p = v;

	get_int_bytes(a, c, 1, &p->type, &p->value, dec_bytes);
}

/* -- SEQUENCE OF readers -- */

static void dec_hostaddrs(struct ct_arena *a, struct ct_cursor *c, void *v)
{
	struct ct_krb_hostaddrs *h = v;

	h->addr = get_seq_of(a, c, sizeof(*h->addr), CT_KRB_MAX_SEQ,
			     dec_hostaddr, &h->n);
}

static void dec_authdata(struct ct_arena *a, struct ct_cursor *c, void *v)
{
	struct ct_krb_authdata *ad = v;

	ad->elem = get_seq_of(a, c, sizeof(*ad->elem), CT_KRB_MAX_SEQ,
			      dec_authdata_elem, &ad->n);
}

static void dec_padata_seq(struct ct_arena *a, struct ct_cursor *c, void *v)
{
	struct ct_krb_padata_seq *s = v;

	s->pa = get_seq_of(a, c, sizeof(*s->pa), CT_KRB_MAX_SEQ, dec_padata, &s->n);
}

static void dec_name_strings(struct ct_arena *a, struct ct_cursor *c, void *v)
{
	struct ct_krb_principal *p = v;
	char **comp;
	size_t n;

	comp = get_seq_of(a, c, sizeof(*comp), CT_KRB_MAX_NAME_COMPONENTS,
			  dec_string, &n);
	/*
	 * Empty names are accepted: Samba's KDC sends one as the sname of a
	 * KRB-ERROR.  Users of a decoded name check its components.
	 */
	if (c->err != 0)
		return;
	memcpy(p->comp, comp, n * sizeof(*comp));
	p->ncomp = n;
}

/* -- structures -- */

static void dec_principal(struct ct_arena *a, struct ct_cursor *c, void *v)
{
	struct ct_krb_principal *p = v;
	struct ct_cursor s;

	ct_der_enter(c, CT_DER_SEQUENCE, &s);
	get_field(a, &s, 0, dec_int32, &p->type);
	get_field(a, &s, 1, dec_name_strings, p);
	ct_der_leave(c, &s, CT_ERR_BAD_TAG);
}

static void dec_enc_data(struct ct_arena *a, struct ct_cursor *c, void *v)
{
	struct ct_krb_enc_data *e = v;
	struct ct_cursor s;

	ct_der_enter(c, CT_DER_SEQUENCE, &s);
	get_field(a, &s, 0, dec_int32, &e->etype);
	e->has_kvno = get_opt(a, &s, 1, dec_kvno, &e->kvno);
	get_field(a, &s, 2, dec_bytes, &e->cipher);
	ct_der_leave(c, &s, CT_ERR_BAD_TAG);
}

static void dec_ticket_fields(struct ct_arena *a, struct ct_cursor *c, void *v)
{
	struct ct_krb_ticket *t = v;
	struct ct_cursor app, s;

	enter_app(c, MT_BIT(CT_KRB_MT_TICKET), &app, &s);
	get_int_expect(a, &s, 0, KRB_PVNO, CT_ERR_BAD_PVNO);
	get_field(a, &s, 1, dec_string, &t->realm);
	get_field(a, &s, 2, dec_principal, &t->sname);
	get_field(a, &s, 3, dec_enc_data, &t->enc_part);
	leave_msg(c, &app, &s);
}

static void dec_ticket(struct ct_arena *a, struct ct_cursor *c, void *v)
{
	struct ct_krb_ticket *t = v;

	get_capture(a, c, dec_ticket_fields, t, &t->der);
}

static struct ct_krb_ticket *get_tickets(struct ct_arena *a, struct ct_cursor *c,
					 size_t *n)
{
	return get_seq_of(a, c, sizeof(struct ct_krb_ticket), CT_KRB_MAX_SEQ,
			  dec_ticket, n);
}

static void dec_enc_ticket_part(struct ct_arena *a, struct ct_cursor *c, void *v)
{
	struct ct_krb_enc_ticket_part *e = v;
	struct ct_cursor app, s;

	enter_app(c, MT_BIT(CT_KRB_MT_ENC_TICKET_PART), &app, &s);
	get_field(a, &s, 0, dec_flags, &e->flags);
	get_field(a, &s, 1, dec_key, &e->key);
	get_field(a, &s, 2, dec_string, &e->crealm);
	get_field(a, &s, 3, dec_principal, &e->cname);
	get_field(a, &s, 4, dec_transited, &e->transited);
	get_field(a, &s, 5, dec_time, &e->authtime);
	e->has_starttime = get_opt(a, &s, 6, dec_time, &e->starttime);
	get_field(a, &s, 7, dec_time, &e->endtime);
	e->has_renew_till = get_opt(a, &s, 8, dec_time, &e->renew_till);
	e->caddr = get_ptr(a, &s, 9, dec_hostaddrs, sizeof(*e->caddr));
	e->authdata = get_ptr(a, &s, 10, dec_authdata, sizeof(*e->authdata));
	leave_msg(c, &app, &s);
}

static void dec_kdc_rep(struct ct_arena *a, struct ct_cursor *c, void *v)
{
	struct ct_krb_kdc_rep *r = v;
	struct ct_cursor app, s;

	r->msg_type = enter_msg(a, c, MT_BIT(CT_KRB_MT_AS_REP) | MT_BIT(CT_KRB_MT_TGS_REP),
				0, &app, &s);
	r->padata = get_ptr(a, &s, 2, dec_padata_seq, sizeof(*r->padata));
	get_field(a, &s, 3, dec_string, &r->crealm);
	get_field(a, &s, 4, dec_principal, &r->cname);
	get_field(a, &s, 5, dec_ticket, &r->ticket);
	get_field(a, &s, 6, dec_enc_data, &r->enc_part);
	leave_msg(c, &app, &s);
}

static void dec_last_req_elem(struct ct_arena *a, struct ct_cursor *c, void *v)
{
	struct ct_krb_last_req *lr = v;
	struct ct_cursor s;

	ct_der_enter(c, CT_DER_SEQUENCE, &s);
	get_field(a, &s, 0, dec_int32, &lr->type);
	get_field(a, &s, 1, dec_time, &lr->value);
	ct_der_leave(c, &s, CT_ERR_BAD_TAG);
}

static void dec_last_req(struct ct_arena *a, struct ct_cursor *c, void *v)
{
	struct ct_krb_enc_kdc_rep_part *e = v;

	e->last_req = get_seq_of(a, c, sizeof(*e->last_req), CT_KRB_MAX_SEQ,
				 dec_last_req_elem, &e->nlast_req);
}

static void dec_enc_kdc_rep_part(struct ct_arena *a, struct ct_cursor *c, void *v)
{
	struct ct_krb_enc_kdc_rep_part *e = v;
	struct ct_cursor app, s;

	e->msg_type = enter_app(c, MT_BIT(CT_KRB_MT_ENC_AS_REP_PART) |
				   MT_BIT(CT_KRB_MT_ENC_TGS_REP_PART), &app, &s);
	get_field(a, &s, 0, dec_key, &e->key);
	get_field(a, &s, 1, dec_last_req, e);
	get_field(a, &s, 2, dec_uint32, &e->nonce);
	e->has_key_expiration = get_opt(a, &s, 3, dec_time, &e->key_expiration);
	get_field(a, &s, 4, dec_flags, &e->flags);
	get_field(a, &s, 5, dec_time, &e->authtime);
	e->has_starttime = get_opt(a, &s, 6, dec_time, &e->starttime);
	get_field(a, &s, 7, dec_time, &e->endtime);
	e->has_renew_till = get_opt(a, &s, 8, dec_time, &e->renew_till);
	get_field(a, &s, 9, dec_string, &e->srealm);
	get_field(a, &s, 10, dec_principal, &e->sname);
	e->caddr = get_ptr(a, &s, 11, dec_hostaddrs, sizeof(*e->caddr));
	e->enc_padata = get_ptr(a, &s, 12, dec_padata_seq, sizeof(*e->enc_padata));
	leave_msg(c, &app, &s);
}

static void dec_etypes(struct ct_arena *a, struct ct_cursor *c, void *v)
{
	struct ct_krb_kdc_req_body *r = v;

	r->etypes = get_seq_of(a, c, sizeof(*r->etypes), CT_KRB_MAX_SEQ, dec_int32,
			       &r->netypes);
}

static void dec_additional_tickets(struct ct_arena *a, struct ct_cursor *c, void *v)
{
	struct ct_krb_kdc_req_body *r = v;

	r->additional_tickets = get_tickets(a, c, &r->nadditional_tickets);
}

static void dec_kdc_req_body(struct ct_arena *a, struct ct_cursor *c, void *v)
{
	struct ct_krb_kdc_req_body *r = v;
	struct ct_cursor s;

	ct_der_enter(c, CT_DER_SEQUENCE, &s);
	get_field(a, &s, 0, dec_flags, &r->kdc_options);
	r->cname = get_ptr(a, &s, 1, dec_principal, sizeof(*r->cname));
	get_field(a, &s, 2, dec_string, &r->realm);
	r->sname = get_ptr(a, &s, 3, dec_principal, sizeof(*r->sname));
	r->has_from = get_opt(a, &s, 4, dec_time, &r->from);
	get_field(a, &s, 5, dec_time, &r->till);
	r->has_rtime = get_opt(a, &s, 6, dec_time, &r->rtime);
	get_field(a, &s, 7, dec_uint32, &r->nonce);
	get_field(a, &s, 8, dec_etypes, r);
	r->addresses = get_ptr(a, &s, 9, dec_hostaddrs, sizeof(*r->addresses));
	r->enc_authorization_data = get_ptr(a, &s, 10, dec_enc_data,
					    sizeof(*r->enc_authorization_data));
	get_opt(a, &s, 11, dec_additional_tickets, r);
	ct_der_leave(c, &s, CT_ERR_BAD_TAG);
}

static void dec_req_body_raw(struct ct_arena *a, struct ct_cursor *c, void *v)
{
	struct ct_krb_kdc_req *r = v;

	/* The checksum in PA-TGS-REQ covers these exact bytes. */
	get_capture(a, c, dec_kdc_req_body, &r->body, &r->body_der);
}

static void dec_kdc_req(struct ct_arena *a, struct ct_cursor *c, void *v)
{
	struct ct_krb_kdc_req *r = v;
	struct ct_cursor app, s;

	r->msg_type = enter_msg(a, c, MT_BIT(CT_KRB_MT_AS_REQ) | MT_BIT(CT_KRB_MT_TGS_REQ),
				1, &app, &s);
	r->padata = get_ptr(a, &s, 3, dec_padata_seq, sizeof(*r->padata));
	get_field(a, &s, 4, dec_req_body_raw, r);
	leave_msg(c, &app, &s);
}

static void dec_ap_req(struct ct_arena *a, struct ct_cursor *c, void *v)
{
	struct ct_krb_ap_req *r = v;
	struct ct_cursor app, s;

	enter_msg(a, c, MT_BIT(CT_KRB_MT_AP_REQ), 0, &app, &s);
	get_field(a, &s, 2, dec_flags, &r->ap_options);
	get_field(a, &s, 3, dec_ticket, &r->ticket);
	get_field(a, &s, 4, dec_enc_data, &r->authenticator);
	leave_msg(c, &app, &s);
}

static void dec_authenticator(struct ct_arena *a, struct ct_cursor *c, void *v)
{
	struct ct_krb_authenticator *au = v;
	struct ct_cursor app, s;

	enter_app(c, MT_BIT(CT_KRB_MT_AUTHENTICATOR), &app, &s);
	get_int_expect(a, &s, 0, KRB_PVNO, CT_ERR_BAD_PVNO);
	get_field(a, &s, 1, dec_string, &au->crealm);
	get_field(a, &s, 2, dec_principal, &au->cname);
	au->cksum = get_ptr(a, &s, 3, dec_checksum, sizeof(*au->cksum));
	get_field(a, &s, 4, dec_usec, &au->cusec);
	get_field(a, &s, 5, dec_time, &au->ctime);
	au->subkey = get_ptr(a, &s, 6, dec_key, sizeof(*au->subkey));
	au->has_seq_number = get_opt(a, &s, 7, dec_uint32, &au->seq_number);
	au->authdata = get_ptr(a, &s, 8, dec_authdata, sizeof(*au->authdata));
	leave_msg(c, &app, &s);
}

static void dec_error(struct ct_arena *a, struct ct_cursor *c, void *v)
{
	struct ct_krb_error *e = v;
	struct ct_cursor app, s;

	enter_msg(a, c, MT_BIT(CT_KRB_MT_ERROR), 0, &app, &s);
	e->has_ctime = get_opt(a, &s, 2, dec_time, &e->ctime);
	e->has_cusec = get_opt(a, &s, 3, dec_usec, &e->cusec);
	get_field(a, &s, 4, dec_time, &e->stime);
	get_field(a, &s, 5, dec_usec, &e->susec);
	get_field(a, &s, 6, dec_int32, &e->error_code);
	get_opt(a, &s, 7, dec_string, &e->crealm);
	e->cname = get_ptr(a, &s, 8, dec_principal, sizeof(*e->cname));
	get_field(a, &s, 9, dec_string, &e->realm);
	get_field(a, &s, 10, dec_principal, &e->sname);
	get_opt(a, &s, 11, dec_string, &e->e_text);
	get_opt(a, &s, 12, dec_bytes, &e->e_data);
	leave_msg(c, &app, &s);
}

static void dec_cred_tickets(struct ct_arena *a, struct ct_cursor *c, void *v)
{
	struct ct_krb_cred *cr = v;

	cr->tickets = get_tickets(a, c, &cr->ntickets);
}

static void dec_cred(struct ct_arena *a, struct ct_cursor *c, void *v)
{
	struct ct_krb_cred *cr = v;
	struct ct_cursor app, s;

	enter_msg(a, c, MT_BIT(CT_KRB_MT_CRED), 0, &app, &s);
	get_field(a, &s, 2, dec_cred_tickets, cr);
	get_field(a, &s, 3, dec_enc_data, &cr->enc_part);
	leave_msg(c, &app, &s);
}

static void dec_cred_info(struct ct_arena *a, struct ct_cursor *c, void *v)
{
	struct ct_krb_cred_info *i = v;
	struct ct_cursor s;

	ct_der_enter(c, CT_DER_SEQUENCE, &s);
	get_field(a, &s, 0, dec_key, &i->key);
	get_opt(a, &s, 1, dec_string, &i->prealm);
	i->pname = get_ptr(a, &s, 2, dec_principal, sizeof(*i->pname));
	i->has_flags = get_opt(a, &s, 3, dec_flags, &i->flags);
	i->has_authtime = get_opt(a, &s, 4, dec_time, &i->authtime);
	i->has_starttime = get_opt(a, &s, 5, dec_time, &i->starttime);
	i->has_endtime = get_opt(a, &s, 6, dec_time, &i->endtime);
	i->has_renew_till = get_opt(a, &s, 7, dec_time, &i->renew_till);
	get_opt(a, &s, 8, dec_string, &i->srealm);
	i->sname = get_ptr(a, &s, 9, dec_principal, sizeof(*i->sname));
	i->caddr = get_ptr(a, &s, 10, dec_hostaddrs, sizeof(*i->caddr));
	ct_der_leave(c, &s, CT_ERR_BAD_TAG);
}

static void dec_cred_infos(struct ct_arena *a, struct ct_cursor *c, void *v)
{
	struct ct_krb_enc_cred_part *e = v;

	e->info = get_seq_of(a, c, sizeof(*e->info), CT_KRB_MAX_SEQ, dec_cred_info,
			     &e->ninfo);
}

static void dec_enc_cred_part(struct ct_arena *a, struct ct_cursor *c, void *v)
{
	struct ct_krb_enc_cred_part *e = v;
	struct ct_cursor app, s;

	enter_app(c, MT_BIT(CT_KRB_MT_ENC_KRB_CRED_PART), &app, &s);
	get_field(a, &s, 0, dec_cred_infos, e);
	e->has_nonce = get_opt(a, &s, 1, dec_uint32, &e->nonce);
	e->has_timestamp = get_opt(a, &s, 2, dec_time, &e->timestamp);
	e->has_usec = get_opt(a, &s, 3, dec_usec, &e->usec);
	e->s_address = get_ptr(a, &s, 4, dec_hostaddr, sizeof(*e->s_address));
	e->r_address = get_ptr(a, &s, 5, dec_hostaddr, sizeof(*e->r_address));
	leave_msg(c, &app, &s);
}

/* ==== public entry points ==== */

static int encode_top(struct ct_buf *out, enc_fn *fn, const void *v)
{
	if (out == NULL)
		return CT_ERR_INVALID_ARG;
	if (v == NULL)
		return ct_der_fail(out, CT_ERR_INVALID_ARG);
	if (out->err == 0)
		fn(out, v);
	return out->err;
}

static int decode_top(struct ct_arena *a, const uint8_t *der, size_t len,
		      dec_fn *fn, void *out, size_t size)
{
	struct ct_cursor c;

	if (a == NULL || out == NULL || (der == NULL && len > 0))
		return CT_ERR_INVALID_ARG;
	if (len > CT_KRB_MAX_MSG)
		return CT_ERR_TOO_LARGE;
	memset(out, 0, size);
	ct_cursor_init(&c, der, len);
	fn(a, &c, out);
	if (c.err == 0 && !ct_cursor_empty(&c))
		ct_cursor_fail(&c, CT_ERR_TRAILING);
	return c.err;
}

/* One encoder and one decoder per type, all alike: generated. */
#define CT_KRB_CODEC(name, type)                                               \
	int ct_krb_encode_##name(struct ct_buf *out, const type *v)            \
	{                                                                      \
		return encode_top(out, enc_##name, v);                         \
	}                                                                      \
	int ct_krb_decode_##name(struct ct_arena *a, const uint8_t *der,       \
				 size_t len, type *out)                        \
	{                                                                      \
		return decode_top(a, der, len, dec_##name, out, sizeof(*out)); \
	}

CT_KRB_CODEC(ticket, struct ct_krb_ticket)
CT_KRB_CODEC(enc_ticket_part, struct ct_krb_enc_ticket_part)
CT_KRB_CODEC(kdc_rep, struct ct_krb_kdc_rep)
CT_KRB_CODEC(enc_kdc_rep_part, struct ct_krb_enc_kdc_rep_part)
CT_KRB_CODEC(kdc_req_body, struct ct_krb_kdc_req_body)
CT_KRB_CODEC(kdc_req, struct ct_krb_kdc_req)
CT_KRB_CODEC(ap_req, struct ct_krb_ap_req)
CT_KRB_CODEC(authenticator, struct ct_krb_authenticator)
CT_KRB_CODEC(error, struct ct_krb_error)
CT_KRB_CODEC(cred, struct ct_krb_cred)
CT_KRB_CODEC(enc_cred_part, struct ct_krb_enc_cred_part)
CT_KRB_CODEC(authdata, struct ct_krb_authdata)
CT_KRB_CODEC(principal, struct ct_krb_principal)
CT_KRB_CODEC(enc_data, struct ct_krb_enc_data)
CT_KRB_CODEC(key, struct ct_krb_key)
CT_KRB_CODEC(checksum, struct ct_krb_checksum)
CT_KRB_CODEC(padata_seq, struct ct_krb_padata_seq)

int ct_krb_peek_msg_type(const uint8_t *der, size_t len)
{
	if (der == NULL || len == 0)
		return CT_ERR_TRUNCATED;
	if (!CT_DER_IS_APP(der[0]) || CT_DER_TAG_NUM(der[0]) == 31)
		return CT_ERR_BAD_TAG;
	return CT_DER_TAG_NUM(der[0]);
}

/* Looks for AD-WIN2K-PAC in one AD-IF-RELEVANT container; a second PAC is an error. */
static int find_pac_in(struct ct_arena *a, const struct ct_bytes *container,
		       struct ct_bytes *found)
{
	struct ct_krb_authdata inner;
	int err;

	err = ct_krb_decode_authdata(a, container->data, container->len, &inner);
	if (err != 0)
		return err;
	for (size_t j = 0; j < inner.n; j++) {
		if (inner.elem[j].type != CT_KRB_AD_WIN2K_PAC)
			continue;
		if (found->data != NULL)
			return CT_ERR_BAD_PAC;
		*found = inner.elem[j].data;
	}
	return 0;
}

int ct_krb_find_pac(struct ct_arena *a, const struct ct_krb_authdata *ad,
		    struct ct_bytes *pac)
{
	struct ct_bytes found = {0};
	int err;

	if (a == NULL || ad == NULL || pac == NULL)
		return CT_ERR_INVALID_ARG;
	for (size_t i = 0; i < ad->n; i++) {
		if (ad->elem[i].type != CT_KRB_AD_IF_RELEVANT)
			continue;
		err = find_pac_in(a, &ad->elem[i].data, &found);
		if (err != 0)
			return err;
	}
	if (found.data == NULL)
		return CT_ERR_NOT_FOUND;
	*pac = found;
	return 0;
}
