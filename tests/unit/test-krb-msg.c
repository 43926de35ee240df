/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Kerberos messages: round trips of every message with every optional
 * field present and absent, known-answer bytes, strict rejections with their
 * exact codes, truncation and bit flips, and interoperability with MIT krb5
 * through its public API.
 *
 * "test-krb-msg --write-corpus DIR" also writes every message it encodes to
 * DIR/<type>-<n>.der: that is how fuzz/corpus/krb-msg was made.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <krb5.h>

#include "ct-arena.h"
#include "ct-buf.h"
#include "ct-error.h"
#include "ct-limits.h"
#include "der.h"
#include "krb-msg.h"
#include "tap.h"

#define REALM "CORP.EXAMPLE.TEST"
#define RODC_KVNO ((int32_t)((UINT32_C(40000) << 16) | 1))
#define T0 ((time_t)1700000000)

#define B(...) ((const uint8_t[]){__VA_ARGS__}), sizeof((const uint8_t[]){__VA_ARGS__})
/* CHECK_MEM against literal bytes. */
#define CHECK_BYTES(got, glen, ...) \
	CHECK_MEM(got, glen, ((const uint8_t[]){__VA_ARGS__}), sizeof((const uint8_t[]){__VA_ARGS__}))

static const char *corpus_dir;
static unsigned corpus_n;

static void save_corpus(const char *name, const struct ct_buf *b)
{
	char path[4096];
	FILE *f;

	if (corpus_dir == NULL || b->err != 0)
		return;
	snprintf(path, sizeof(path), "%s/%s-%02u.der", corpus_dir, name, corpus_n++);
	f = fopen(path, "wb");
	if (f == NULL)
		return;
	fwrite(b->data, 1, b->len, f);
	fclose(f);
}

/*
 * Encodes in into der, decodes it into *out, re-encodes *out and checks
 * the bytes are identical.  The caller frees der.
 */
#define ROUNDTRIP(name, in, out, a, der)                                         \
	do {                                                                     \
		struct ct_buf again_;                                            \
		ct_buf_init(&(der), CT_KRB_MAX_MSG);                             \
		ct_buf_init(&again_, CT_KRB_MAX_MSG);                            \
		CHECK_ERR(ct_krb_encode_##name(&(der), (in)), 0);                \
		CHECK_ERR(ct_krb_decode_##name((a), (der).data, (der).len, (out)), 0); \
		CHECK_ERR(ct_krb_encode_##name(&again_, (out)), 0);              \
		CHECK_MEM(again_.data, again_.len, (der).data, (der).len);       \
		save_corpus(#name, &(der));                                      \
		ct_buf_free(&again_);                                            \
	} while (0)

/* ---- fixtures ---- */

static uint8_t cipher[48], keybytes[32], pacbytes[40], cksum[12];
static uint8_t ip4[4] = {192, 0, 2, 1};
static uint8_t ip6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
static uint8_t etype_info2[] = {0x30, 0x02, 0x30, 0x00};
static uint8_t pac_request[] = {0x30, 0x05, 0xa0, 0x03, 0x01, 0x01, 0xff};
static int32_t etypes[] = {18, 17, 20, 19};
static struct ct_krb_hostaddr addrs[2] = {
	{2, {ip4, sizeof(ip4)}},
	{24, {ip6, sizeof(ip6)}},
};
static struct ct_krb_hostaddrs caddr = {2, addrs};
static struct ct_krb_padata pa[2] = {
	{CT_KRB_PA_ETYPE_INFO2, {etype_info2, sizeof(etype_info2)}},
	{CT_KRB_PA_PAC_REQUEST, {pac_request, sizeof(pac_request)}},
};
static struct ct_krb_padata_seq padata = {2, pa};
/* AD-IF-RELEVANT { AD-WIN2K-PAC }, filled in by init_fixtures(). */
static struct ct_buf if_relevant;
static struct ct_krb_authdata_elem ad_elems[2];
static struct ct_krb_authdata authdata = {2, ad_elems};

static void init_fixtures(void)
{
	struct ct_krb_authdata_elem pac = {CT_KRB_AD_WIN2K_PAC, {pacbytes, sizeof(pacbytes)}};
	struct ct_krb_authdata inner = {1, &pac};

	for (size_t i = 0; i < sizeof(cipher); i++)
		cipher[i] = (uint8_t)(0xc0 ^ i);
	for (size_t i = 0; i < sizeof(keybytes); i++)
		keybytes[i] = (uint8_t)(0x10 + i);
	for (size_t i = 0; i < sizeof(pacbytes); i++)
		pacbytes[i] = (uint8_t)(0x80 + i);
	memset(cksum, 0x5a, sizeof(cksum));
	ct_buf_init(&if_relevant, 1024);
	ct_krb_encode_authdata(&if_relevant, &inner);
	ad_elems[0] = (struct ct_krb_authdata_elem){CT_KRB_AD_IF_RELEVANT,
						    {if_relevant.data, if_relevant.len}};
	ad_elems[1] = (struct ct_krb_authdata_elem){-140, {cksum, 4}};
}

static struct ct_krb_principal princ(int32_t type, const char *c0, const char *c1)
{
	struct ct_krb_principal p = {.type = type};

	p.comp[p.ncomp++] = (char *)c0;
	if (c1 != NULL)
		p.comp[p.ncomp++] = (char *)c1;
	return p;
}

static struct ct_krb_principal tgs_name(void)
{
	return princ(CT_KRB_NT_SRV_INST, "krbtgt", REALM);
}

static struct ct_krb_principal user_name(void)
{
	return princ(CT_KRB_NT_PRINCIPAL, "alice", NULL);
}

static struct ct_krb_enc_data enc_data(bool has_kvno, int32_t kvno)
{
	return (struct ct_krb_enc_data){18, has_kvno, kvno, {cipher, sizeof(cipher)}};
}

static struct ct_krb_ticket ticket(bool has_kvno, int32_t kvno)
{
	return (struct ct_krb_ticket){REALM, tgs_name(), enc_data(has_kvno, kvno), {NULL, 0}};
}

static struct ct_krb_key key(void)
{
	return (struct ct_krb_key){18, {keybytes, sizeof(keybytes)}};
}

static bool principal_eq(const struct ct_krb_principal *a, const struct ct_krb_principal *b)
{
	if (a->type != b->type || a->ncomp != b->ncomp)
		return false;
	for (size_t i = 0; i < a->ncomp; i++)
		if (strcmp(a->comp[i], b->comp[i]) != 0)
			return false;
	return true;
}

static bool bytes_eq(const struct ct_bytes *a, const void *p, size_t n)
{
	return a->len == n && (n == 0 || memcmp(a->data, p, n) == 0);
}

/* ---- known answers ---- */

static void test_known_answers(void)
{
	struct ct_krb_principal p = tgs_name(), out;
	struct ct_krb_enc_data e = {18, true, (int32_t)((UINT32_C(40000) << 16) | 2),
				    {(uint8_t *)"abc", 3}}, eout;
	struct ct_arena *a = ct_arena_new();
	struct ct_buf b;

	ROUNDTRIP(principal, &p, &out, a, b);
	CHECK_BYTES(b.data, b.len, 0x30, 0x24, 0xa0, 0x03, 0x02, 0x01, 0x02,
				   0xa1, 0x1d, 0x30, 0x1b,
				   0x1b, 0x06, 'k', 'r', 'b', 't', 'g', 't',
				   0x1b, 0x11, 'C', 'O', 'R', 'P', '.', 'E', 'X', 'A',
				   'M', 'P', 'L', 'E', '.', 'T', 'E', 'S', 'T');
	CHECK(principal_eq(&out, &p));
	ct_buf_free(&b);

	/* No components: Samba sends such an sname in some KRB-ERRORs. */
	p = (struct ct_krb_principal){.type = CT_KRB_NT_PRINCIPAL};
	ROUNDTRIP(principal, &p, &out, a, b);
	CHECK_BYTES(b.data, b.len, 0x30, 0x09, 0xa0, 0x03, 0x02, 0x01, 0x01, 0xa1, 0x02, 0x30, 0x00);
	CHECK_INT(out.ncomp, 0);
	ct_buf_free(&b);

	/* kvno 0x9c400002 is negative as an int32 and written that way. */
	ROUNDTRIP(enc_data, &e, &eout, a, b);
	CHECK_BYTES(b.data, b.len, 0x30, 0x14, 0xa0, 0x03, 0x02, 0x01, 0x12,
				   0xa1, 0x06, 0x02, 0x04, 0x9c, 0x40, 0x00, 0x02,
				   0xa2, 0x05, 0x04, 0x03, 'a', 'b', 'c');
	CHECK(eout.has_kvno);
	CHECK_INT((uint32_t)eout.kvno, 0x9c400002u);
	ct_buf_free(&b);

	/* The same kvno written as an unsigned INTEGER reads back the same. */
	CHECK_ERR(ct_krb_decode_enc_data(a, B(0x30, 0x15, 0xa0, 0x03, 0x02, 0x01, 0x12,
					      0xa1, 0x07, 0x02, 0x05, 0x00, 0x9c, 0x40, 0x00, 0x02,
					      0xa2, 0x05, 0x04, 0x03, 'a', 'b', 'c'), &eout), 0);
	CHECK_INT((uint32_t)eout.kvno, 0x9c400002u);

	/* PA-DATA starts at [1]. */
	{
		struct ct_krb_padata one = {CT_KRB_PA_PAC_REQUEST, {pac_request, sizeof(pac_request)}};
		struct ct_krb_padata_seq s = {1, &one}, sout;

		ROUNDTRIP(padata_seq, &s, &sout, a, b);
		CHECK_BYTES(b.data, b.len, 0x30, 0x13, 0x30, 0x11, 0xa1, 0x04, 0x02, 0x02, 0x00, 0x80,
					   0xa2, 0x09, 0x04, 0x07, 0x30, 0x05, 0xa0, 0x03,
					   0x01, 0x01, 0xff);
		ct_buf_free(&b);
	}
	ct_arena_free(a);
}

/* ---- round trips ---- */

static void test_ticket(void)
{
	struct ct_arena *a = ct_arena_new();
	struct ct_krb_ticket t = ticket(true, 2), out;
	struct ct_buf b, fields;

	ROUNDTRIP(ticket, &t, &out, a, b);
	CHECK_STR(out.realm, REALM);
	CHECK(principal_eq(&out.sname, &t.sname));
	CHECK_INT(out.enc_part.etype, 18);
	CHECK(out.enc_part.has_kvno);
	CHECK_INT(out.enc_part.kvno, 2);
	CHECK(bytes_eq(&out.enc_part.cipher, cipher, sizeof(cipher)));
	CHECK(bytes_eq(&out.der, b.data, b.len));
	/* Without der the fields are encoded again, to the same bytes. */
	out.der = (struct ct_bytes){NULL, 0};
	ct_buf_init(&fields, 4096);
	CHECK_ERR(ct_krb_encode_ticket(&fields, &out), 0);
	CHECK_MEM(fields.data, fields.len, b.data, b.len);
	ct_buf_free(&fields);
	ct_buf_free(&b);

	t = ticket(false, 0);
	ROUNDTRIP(ticket, &t, &out, a, b);
	CHECK(!out.enc_part.has_kvno);
	ct_buf_free(&b);

	t = ticket(true, RODC_KVNO);
	ROUNDTRIP(ticket, &t, &out, a, b);
	CHECK_INT(out.enc_part.kvno, RODC_KVNO);
	CHECK(out.enc_part.kvno < 0);
	ct_buf_free(&b);

	/* A ticket with der set is written verbatim. */
	t.der = (struct ct_bytes){(uint8_t *)"\x61\x00", 2};
	ct_buf_init(&b, 64);
	CHECK_ERR(ct_krb_encode_ticket(&b, &t), 0);
	CHECK_BYTES(b.data, b.len, 0x61, 0x00);
	ct_buf_free(&b);
	ct_arena_free(a);
}

static void test_enc_ticket_part(void)
{
	struct ct_arena *a = ct_arena_new();
	struct ct_krb_enc_ticket_part e = {
		.flags = CT_KRB_FLAG(CT_KRB_FLAG_FORWARDABLE) | CT_KRB_FLAG(CT_KRB_FLAG_INITIAL),
		.key = key(),
		.crealm = REALM,
		.cname = user_name(),
		.transited = {1, {(uint8_t *)"", 0}},
		.authtime = T0,
		.has_starttime = true,
		.starttime = T0 + 1,
		.endtime = T0 + 36000,
		.has_renew_till = true,
		.renew_till = T0 + 7 * 86400,
		.caddr = &caddr,
		.authdata = &authdata,
	}, out;
	struct ct_bytes pac;
	struct ct_buf b;

	ROUNDTRIP(enc_ticket_part, &e, &out, a, b);
	CHECK_INT(out.flags, e.flags);
	CHECK(bytes_eq(&out.key.value, keybytes, sizeof(keybytes)));
	CHECK_INT(out.authtime, T0);
	CHECK(out.has_starttime && out.starttime == T0 + 1);
	CHECK(out.has_renew_till && out.renew_till == T0 + 7 * 86400);
	CHECK(out.caddr != NULL && out.caddr->n == 2 && out.caddr->addr[1].type == 24);
	CHECK(out.authdata != NULL && out.authdata->n == 2);
	CHECK_ERR(ct_krb_find_pac(a, out.authdata, &pac), 0);
	CHECK(bytes_eq(&pac, pacbytes, sizeof(pacbytes)));
	ct_buf_free(&b);

	e.has_starttime = e.has_renew_till = false;
	e.caddr = NULL;
	e.authdata = NULL;
	ROUNDTRIP(enc_ticket_part, &e, &out, a, b);
	CHECK(!out.has_starttime && !out.has_renew_till);
	CHECK(out.caddr == NULL && out.authdata == NULL);
	ct_buf_free(&b);
	ct_arena_free(a);
}

static struct ct_krb_kdc_rep as_rep(void)
{
	return (struct ct_krb_kdc_rep){
		.msg_type = CT_KRB_MT_AS_REP,
		.padata = &padata,
		.crealm = REALM,
		.cname = user_name(),
		.ticket = ticket(true, 2),
		.enc_part = enc_data(true, 1),
	};
}

static void test_kdc_rep(void)
{
	struct ct_arena *a = ct_arena_new();
	struct ct_krb_kdc_rep r = as_rep(), out;
	struct ct_buf b, t;

	ROUNDTRIP(kdc_rep, &r, &out, a, b);
	CHECK_INT(out.msg_type, CT_KRB_MT_AS_REP);
	CHECK(out.padata != NULL && out.padata->n == 2);
	CHECK_INT(out.padata->pa[1].type, CT_KRB_PA_PAC_REQUEST);
	CHECK_STR(out.crealm, REALM);
	CHECK(principal_eq(&out.ticket.sname, &r.ticket.sname));
	/* The embedded ticket's der is exactly its encoding. */
	ct_buf_init(&t, 4096);
	ct_krb_encode_ticket(&t, &r.ticket);
	CHECK(bytes_eq(&out.ticket.der, t.data, t.len));
	ct_buf_free(&t);
	ct_buf_free(&b);

	r.msg_type = CT_KRB_MT_TGS_REP;
	r.padata = NULL;
	r.ticket = ticket(false, 0);
	ROUNDTRIP(kdc_rep, &r, &out, a, b);
	CHECK_INT(out.msg_type, CT_KRB_MT_TGS_REP);
	CHECK(out.padata == NULL);
	CHECK_INT(ct_krb_peek_msg_type(b.data, b.len), CT_KRB_MT_TGS_REP);
	ct_buf_free(&b);
	ct_arena_free(a);
}

static void test_enc_kdc_rep_part(void)
{
	struct ct_arena *a = ct_arena_new();
	struct ct_krb_last_req lr[2] = {{0, T0}, {-6, T0 - 100}};
	struct ct_krb_enc_kdc_rep_part e = {
		.msg_type = CT_KRB_MT_ENC_AS_REP_PART,
		.key = key(),
		.nlast_req = 2,
		.last_req = lr,
		.nonce = 0xfedcba98u,
		.has_key_expiration = true,
		.key_expiration = T0 + 86400 * 30,
		.flags = 0x40e10000u,
		.authtime = T0,
		.has_starttime = true,
		.starttime = T0,
		.endtime = T0 + 36000,
		.has_renew_till = true,
		.renew_till = T0 + 86400,
		.srealm = REALM,
		.sname = tgs_name(),
		.caddr = &caddr,
		.enc_padata = &padata,
	}, out;
	struct ct_buf b;

	ROUNDTRIP(enc_kdc_rep_part, &e, &out, a, b);
	CHECK_INT(out.msg_type, CT_KRB_MT_ENC_AS_REP_PART);
	CHECK_INT(out.nonce, 0xfedcba98u);
	CHECK(out.nlast_req == 2 && out.last_req[1].type == -6 && out.last_req[1].value == T0 - 100);
	CHECK(out.has_key_expiration && out.key_expiration == e.key_expiration);
	CHECK(out.enc_padata != NULL && out.enc_padata->n == 2);
	ct_buf_free(&b);

	e.msg_type = CT_KRB_MT_ENC_TGS_REP_PART;
	e.nlast_req = 0;
	e.has_key_expiration = e.has_starttime = e.has_renew_till = false;
	e.caddr = NULL;
	e.enc_padata = NULL;
	ROUNDTRIP(enc_kdc_rep_part, &e, &out, a, b);
	CHECK_INT(out.msg_type, CT_KRB_MT_ENC_TGS_REP_PART);
	CHECK(out.nlast_req == 0 && !out.has_key_expiration && out.caddr == NULL);
	ct_buf_free(&b);
	ct_arena_free(a);
}

static void test_kdc_req(void)
{
	struct ct_arena *a = ct_arena_new();
	struct ct_krb_principal cname = user_name(), sname = tgs_name();
	struct ct_krb_enc_data authz = enc_data(false, 0);
	struct ct_krb_ticket add[2] = {ticket(true, 2), ticket(true, RODC_KVNO)};
	struct ct_krb_kdc_req r = {
		.msg_type = CT_KRB_MT_AS_REQ,
		.padata = &padata,
		.body = {
			.kdc_options = CT_KRB_FLAG(CT_KRB_FLAG_FORWARDABLE) |
				       CT_KRB_FLAG(CT_KRB_FLAG_CANONICALIZE),
			.cname = &cname,
			.realm = REALM,
			.sname = &sname,
			.has_from = true,
			.from = T0,
			.till = T0 + 36000,
			.has_rtime = true,
			.rtime = T0 + 86400,
			.nonce = 0x80000001u,
			.netypes = 4,
			.etypes = etypes,
			.addresses = &caddr,
			.enc_authorization_data = &authz,
			.nadditional_tickets = 2,
			.additional_tickets = add,
		},
	}, out;
	struct ct_krb_kdc_req_body bout;
	struct ct_buf b, body;

	ROUNDTRIP(kdc_req, &r, &out, a, b);
	CHECK_INT(out.msg_type, CT_KRB_MT_AS_REQ);
	CHECK_INT(out.body.nonce, 0x80000001u);
	CHECK(out.body.netypes == 4 && out.body.etypes[2] == 20);
	CHECK(out.body.cname != NULL && principal_eq(out.body.cname, &cname));
	CHECK(out.body.has_from && out.body.has_rtime);
	CHECK(out.body.nadditional_tickets == 2 &&
	      out.body.additional_tickets[1].enc_part.kvno == RODC_KVNO &&
	      out.body.additional_tickets[1].der.data != NULL);
	/* body_der is exactly the encoding of the body. */
	ROUNDTRIP(kdc_req_body, &r.body, &bout, a, body);
	CHECK(bytes_eq(&out.body_der, body.data, body.len));
	ct_buf_free(&body);
	/* A set body_der is written instead of the body. */
	out.body.nonce = 7;
	ct_buf_init(&body, CT_KRB_MAX_MSG);
	CHECK_ERR(ct_krb_encode_kdc_req(&body, &out), 0);
	CHECK_MEM(body.data, body.len, b.data, b.len);
	ct_buf_free(&body);
	ct_buf_free(&b);

	r.msg_type = CT_KRB_MT_TGS_REQ;
	r.padata = NULL;
	memset(&r.body, 0, sizeof(r.body));
	r.body.realm = REALM;
	r.body.till = T0;
	ROUNDTRIP(kdc_req, &r, &out, a, b);
	CHECK_INT(out.msg_type, CT_KRB_MT_TGS_REQ);
	CHECK(out.padata == NULL && out.body.cname == NULL && out.body.sname == NULL);
	CHECK(!out.body.has_from && !out.body.has_rtime && out.body.netypes == 0);
	CHECK(out.body.addresses == NULL && out.body.enc_authorization_data == NULL);
	CHECK(out.body.nadditional_tickets == 0);
	ct_buf_free(&b);
	ct_arena_free(a);
}

static void test_ap_req_and_authenticator(void)
{
	struct ct_arena *a = ct_arena_new();
	struct ct_krb_ap_req r = {CT_KRB_FLAG(2), ticket(true, 2), enc_data(false, 0)}, rout;
	struct ct_krb_checksum ck = {16, {cksum, sizeof(cksum)}};
	struct ct_krb_key sub = key();
	struct ct_krb_authenticator au = {
		.crealm = REALM,
		.cname = user_name(),
		.cksum = &ck,
		.cusec = 999999,
		.ctime = T0,
		.subkey = &sub,
		.has_seq_number = true,
		.seq_number = 0xffffffffu,
		.authdata = &authdata,
	}, aout;
	struct ct_buf b;

	ROUNDTRIP(ap_req, &r, &rout, a, b);
	CHECK_INT(rout.ap_options, CT_KRB_FLAG(2));
	CHECK(rout.ticket.der.data != NULL);
	ct_buf_free(&b);

	ROUNDTRIP(authenticator, &au, &aout, a, b);
	CHECK_INT(aout.cusec, 999999);
	CHECK(aout.cksum != NULL && aout.cksum->type == 16);
	CHECK(aout.subkey != NULL && aout.has_seq_number && aout.seq_number == 0xffffffffu);
	CHECK(aout.authdata != NULL && aout.authdata->n == 2);
	ct_buf_free(&b);

	au.cksum = NULL;
	au.subkey = NULL;
	au.has_seq_number = false;
	au.authdata = NULL;
	au.cusec = 0;
	ROUNDTRIP(authenticator, &au, &aout, a, b);
	CHECK(aout.cksum == NULL && aout.subkey == NULL && !aout.has_seq_number &&
	      aout.authdata == NULL);
	ct_buf_free(&b);
	ct_arena_free(a);
}

static struct ct_krb_error krb_error_full(struct ct_krb_principal *cname)
{
	return (struct ct_krb_error){
		.has_ctime = true,
		.ctime = T0 - 5,
		.has_cusec = true,
		.cusec = 12345,
		.stime = T0,
		.susec = 678,
		.error_code = 25,
		.crealm = REALM,
		.cname = cname,
		.realm = REALM,
		.sname = tgs_name(),
		.e_text = "NEEDED_PREAUTH",
		.e_data = {etype_info2, sizeof(etype_info2)},
	};
}

static void test_error(void)
{
	struct ct_arena *a = ct_arena_new();
	struct ct_krb_principal cname = user_name();
	struct ct_krb_error e = krb_error_full(&cname), out;
	struct ct_buf b;

	ROUNDTRIP(error, &e, &out, a, b);
	CHECK(out.has_ctime && out.ctime == T0 - 5 && out.has_cusec && out.cusec == 12345);
	CHECK_INT(out.error_code, 25);
	CHECK_STR(out.crealm, REALM);
	CHECK_STR(out.e_text, "NEEDED_PREAUTH");
	CHECK(bytes_eq(&out.e_data, etype_info2, sizeof(etype_info2)));
	ct_buf_free(&b);

	e.has_ctime = e.has_cusec = false;
	e.crealm = NULL;
	e.cname = NULL;
	e.e_text = NULL;
	e.e_data = (struct ct_bytes){NULL, 0};
	ROUNDTRIP(error, &e, &out, a, b);
	CHECK(!out.has_ctime && !out.has_cusec && out.crealm == NULL && out.cname == NULL);
	CHECK(out.e_text == NULL && out.e_data.data == NULL);
	ct_buf_free(&b);

	/* Present but empty e-data stays present. */
	e.e_data = (struct ct_bytes){etype_info2, 0};
	ROUNDTRIP(error, &e, &out, a, b);
	CHECK(out.e_data.data != NULL && out.e_data.len == 0);
	ct_buf_free(&b);
	ct_arena_free(a);
}

static void test_cred(void)
{
	struct ct_arena *a = ct_arena_new();
	struct ct_krb_ticket tk[2] = {ticket(true, 2), ticket(false, 0)};
	struct ct_krb_cred c = {2, tk, enc_data(false, 0)}, out;
	struct ct_krb_principal pname = user_name(), sname = tgs_name();
	struct ct_krb_cred_info info[2] = {
		{
			.key = key(),
			.prealm = REALM,
			.pname = &pname,
			.has_flags = true,
			.flags = 0x50e00000u,
			.has_authtime = true, .has_starttime = true,
			.has_endtime = true, .has_renew_till = true,
			.authtime = T0, .starttime = T0 + 1,
			.endtime = T0 + 2, .renew_till = T0 + 3,
			.srealm = REALM,
			.sname = &sname,
			.caddr = &caddr,
		},
		{.key = key()},
	};
	struct ct_krb_enc_cred_part e = {
		.ninfo = 2,
		.info = info,
		.has_nonce = true,
		.nonce = 42,
		.has_timestamp = true,
		.timestamp = T0,
		.has_usec = true,
		.usec = 5,
		.s_address = &addrs[0],
		.r_address = &addrs[1],
	}, eout;
	struct ct_buf b;

	ROUNDTRIP(cred, &c, &out, a, b);
	CHECK(out.ntickets == 2 && out.tickets[1].der.data != NULL &&
	      !out.tickets[1].enc_part.has_kvno);
	ct_buf_free(&b);
	c.ntickets = 1;
	ROUNDTRIP(cred, &c, &out, a, b);
	CHECK_INT(out.ntickets, 1);
	ct_buf_free(&b);

	ROUNDTRIP(enc_cred_part, &e, &eout, a, b);
	CHECK(eout.ninfo == 2 && eout.info[0].pname != NULL && eout.info[0].has_renew_till);
	CHECK(eout.info[1].prealm == NULL && eout.info[1].pname == NULL &&
	      !eout.info[1].has_flags && !eout.info[1].has_authtime &&
	      eout.info[1].srealm == NULL && eout.info[1].sname == NULL &&
	      eout.info[1].caddr == NULL);
	CHECK(eout.has_nonce && eout.nonce == 42 && eout.has_usec && eout.usec == 5);
	CHECK(eout.s_address != NULL && eout.s_address->type == 2);
	ct_buf_free(&b);

	e.ninfo = 1;
	e.info = &info[1];
	e.has_nonce = e.has_timestamp = e.has_usec = false;
	e.s_address = e.r_address = NULL;
	ROUNDTRIP(enc_cred_part, &e, &eout, a, b);
	CHECK(!eout.has_nonce && !eout.has_timestamp && !eout.has_usec &&
	      eout.s_address == NULL && eout.r_address == NULL);
	ct_buf_free(&b);
	ct_arena_free(a);
}

static void test_small_types(void)
{
	struct ct_arena *a = ct_arena_new();
	struct ct_krb_key k = key(), kout;
	struct ct_krb_checksum ck = {-138, {cksum, sizeof(cksum)}}, ckout;
	struct ct_krb_authdata adout, empty = {0, NULL};
	struct ct_krb_padata_seq pout;
	struct ct_buf b;

	ROUNDTRIP(key, &k, &kout, a, b);
	CHECK(kout.enctype == 18 && bytes_eq(&kout.value, keybytes, sizeof(keybytes)));
	ct_buf_free(&b);
	ROUNDTRIP(checksum, &ck, &ckout, a, b);
	CHECK_INT(ckout.type, -138);
	ct_buf_free(&b);
	ROUNDTRIP(authdata, &authdata, &adout, a, b);
	CHECK(adout.n == 2 && adout.elem[1].type == -140);
	ct_buf_free(&b);
	ROUNDTRIP(authdata, &empty, &adout, a, b);
	CHECK_BYTES(b.data, b.len, 0x30, 0x00);
	CHECK_INT(adout.n, 0);
	ct_buf_free(&b);
	ROUNDTRIP(padata_seq, &padata, &pout, a, b);
	CHECK(pout.n == 2 && bytes_eq(&pout.pa[0].value, etype_info2, sizeof(etype_info2)));
	ct_buf_free(&b);
	ct_arena_free(a);
}

/* ---- PAC lookup ---- */

static void test_find_pac(void)
{
	struct ct_arena *a = ct_arena_new();
	struct ct_krb_authdata_elem pac = {CT_KRB_AD_WIN2K_PAC, {pacbytes, 8}};
	struct ct_krb_authdata_elem other = {-140, {cksum, 3}};
	struct ct_krb_authdata_elem two[2] = {other, pac};
	struct ct_krb_authdata inner_other = {1, &other}, inner_two = {2, two};
	struct ct_krb_authdata_elem outer[3];
	struct ct_krb_authdata ad = {0, outer};
	struct ct_buf c1, c2;
	struct ct_bytes found;

	ct_buf_init(&c1, 1024);
	ct_buf_init(&c2, 1024);
	ct_krb_encode_authdata(&c1, &inner_other);
	ct_krb_encode_authdata(&c2, &inner_two);

	CHECK_ERR(ct_krb_find_pac(a, &ad, &found), CT_ERR_NOT_FOUND);
	/* A bare PAC outside AD-IF-RELEVANT is not the PAC. */
	outer[0] = pac;
	ad.n = 1;
	CHECK_ERR(ct_krb_find_pac(a, &ad, &found), CT_ERR_NOT_FOUND);
	/* The PAC may sit in any AD-IF-RELEVANT element, not only the first. */
	outer[0] = (struct ct_krb_authdata_elem){1, {c1.data, c1.len}};
	outer[1] = (struct ct_krb_authdata_elem){1, {c2.data, c2.len}};
	ad.n = 2;
	CHECK_ERR(ct_krb_find_pac(a, &ad, &found), 0);
	CHECK(bytes_eq(&found, pacbytes, 8));
	/* Two PACs are refused. */
	outer[2] = outer[1];
	ad.n = 3;
	CHECK_ERR(ct_krb_find_pac(a, &ad, &found), CT_ERR_BAD_PAC);
	/* A malformed container is an error, not "no PAC". */
	outer[1] = (struct ct_krb_authdata_elem){1, {(uint8_t *)"\x30\x05", 2}};
	ad.n = 2;
	CHECK_ERR(ct_krb_find_pac(a, &ad, &found), CT_ERR_TRUNCATED);
	ct_buf_free(&c1);
	ct_buf_free(&c2);
	ct_arena_free(a);
}

/* ---- strict rejections ---- */

/* Finds pat in b (the first occurrence at or after from); returns its offset or -1. */
static long find(const struct ct_buf *b, size_t from, const uint8_t *pat, size_t n)
{
	for (size_t i = from; i + n <= b->len; i++)
		if (memcmp(b->data + i, pat, n) == 0)
			return (long)i;
	return -1;
}

static int decode_rep_patched(const struct ct_buf *b, const uint8_t *pat, size_t n,
			      size_t at, uint8_t val)
{
	struct ct_arena *a = ct_arena_new();
	struct ct_krb_kdc_rep out;
	uint8_t *copy = malloc(b->len);
	long off = find(b, 0, pat, n);
	int err;

	memcpy(copy, b->data, b->len);
	if (off >= 0)
		copy[off + (long)at] = val;
	err = off < 0 ? -1 : ct_krb_decode_kdc_rep(a, copy, b->len, &out);
	free(copy);
	ct_arena_free(a);
	return err;
}

static void test_message_rejections(void)
{
	struct ct_arena *a = ct_arena_new();
	struct ct_krb_kdc_rep r = as_rep(), out;
	struct ct_krb_principal pout;
	struct ct_krb_enc_data eout;
	struct ct_krb_error eo;
	struct ct_krb_authdata adout;
	struct ct_krb_key kout;
	struct ct_buf b, big;

	ct_buf_init(&b, CT_KRB_MAX_MSG);
	ct_krb_encode_kdc_rep(&b, &r);
	/* pvno 4 */
	CHECK_ERR(decode_rep_patched(&b, B(0xa0, 0x03, 0x02, 0x01, 0x05), 4, 0x04), CT_ERR_BAD_PVNO);
	/* msg-type 13 inside [APPLICATION 11] */
	CHECK_ERR(decode_rep_patched(&b, B(0xa1, 0x03, 0x02, 0x01, 0x0b), 4, 0x0d), CT_ERR_BAD_MSG_TYPE);
	/* [APPLICATION 30] given to the KDC-REP decoder */
	CHECK_ERR(decode_rep_patched(&b, B(0x6b), 0, 0x7e), CT_ERR_BAD_MSG_TYPE);
	/* a universal SEQUENCE at the top */
	CHECK_ERR(decode_rep_patched(&b, B(0x6b), 0, 0x30), CT_ERR_BAD_TAG);
	/* crealm [3] renumbered [7]: [3] missing */
	CHECK_ERR(decode_rep_patched(&b, B(0xa3, 0x13, 0x1b, 0x11), 0, 0xa7), CT_ERR_MISSING_FIELD);
	/* The Ticket's tkt-vno 4 (the second "[0] INTEGER 5"). */
	{
		long v = find(&b, 0, B(0xa0, 0x03, 0x02, 0x01, 0x05));
		uint8_t *copy = malloc(b.len);

		v = v < 0 ? -1 : find(&b, (size_t)v + 1, B(0xa0, 0x03, 0x02, 0x01, 0x05));
		CHECK(v > 0);

		memcpy(copy, b.data, b.len);
		if (v >= 0)
			copy[v + 4] = 4;
		CHECK_ERR(ct_krb_decode_kdc_rep(a, copy, b.len, &out), CT_ERR_BAD_PVNO);
		free(copy);
	}
	/* Trailing garbage after the message. */
	ct_buf_put_u8(&b, 0);
	CHECK_ERR(ct_krb_decode_kdc_rep(a, b.data, b.len, &out), CT_ERR_TRAILING);
	b.len--;
	CHECK_ERR(ct_krb_decode_kdc_rep(a, b.data, b.len, &out), 0);
	/* Too large to be a message. */
	ct_buf_init(&big, CT_KRB_MAX_MSG + 16);
	ct_buf_put_zeros(&big, CT_KRB_MAX_MSG + 1);
	CHECK_ERR(ct_krb_decode_kdc_rep(a, big.data, big.len, &out), CT_ERR_TOO_LARGE);
	ct_buf_free(&big);
	ct_buf_free(&b);

	/* PrincipalName: missing name-type, unknown [2], duplicate [0], out of order. */
	CHECK_ERR(ct_krb_decode_principal(a, B(0x30, 0x0c, 0xa1, 0x0a, 0x30, 0x08, 0x1b, 0x06,
						'k', 'r', 'b', 't', 'g', 't'), &pout),
		  CT_ERR_MISSING_FIELD);
	CHECK_ERR(ct_krb_decode_principal(a, B(0x30, 0x15, 0xa0, 0x03, 0x02, 0x01, 0x01,
						0xa1, 0x0a, 0x30, 0x08, 0x1b, 0x06,
						'k', 'r', 'b', 't', 'g', 't',
						0xa2, 0x02, 0x05, 0x00), &pout),
		  CT_ERR_BAD_TAG);
	CHECK_ERR(ct_krb_decode_principal(a, B(0x30, 0x0a, 0xa0, 0x03, 0x02, 0x01, 0x01,
						0xa0, 0x03, 0x02, 0x01, 0x01), &pout),
		  CT_ERR_BAD_TAG);
	CHECK_ERR(ct_krb_decode_principal(a, B(0x30, 0x11, 0xa1, 0x0a, 0x30, 0x08, 0x1b, 0x06,
						'k', 'r', 'b', 't', 'g', 't',
						0xa0, 0x03, 0x02, 0x01, 0x01), &pout),
		  CT_ERR_MISSING_FIELD);
	/* An embedded NUL in a component. */
	CHECK_ERR(ct_krb_decode_principal(a, B(0x30, 0x0c, 0xa0, 0x03, 0x02, 0x01, 0x01,
						0xa1, 0x05, 0x30, 0x03, 0x1b, 0x01, 0x00), &pout),
		  CT_ERR_BAD_VALUE);
	/* Extra bytes inside an explicit tag. */
	CHECK_ERR(ct_krb_decode_principal(a, B(0x30, 0x0e, 0xa0, 0x05, 0x02, 0x01, 0x01, 0x05, 0x00,
						0xa1, 0x05, 0x30, 0x03, 0x1b, 0x01, 'a'), &pout),
		  CT_ERR_TRAILING);
	/* EncryptedData [0] [2] [1]: the optional [1] after [2] is out of order. */
	CHECK_ERR(ct_krb_decode_enc_data(a, B(0x30, 0x0f, 0xa0, 0x03, 0x02, 0x01, 0x12,
					      0xa2, 0x03, 0x04, 0x01, 'x',
					      0xa1, 0x03, 0x02, 0x01, 0x02), &eout),
		  CT_ERR_BAD_TAG);
	/* EncryptionKey longer than CT_KRB_MAX_KEY. */
	{
		uint8_t longkey[CT_KRB_MAX_KEY + 1] = {0};
		struct ct_krb_checksum ck = {18, {longkey, sizeof(longkey)}};

		ct_buf_init(&b, 1024);
		ct_krb_encode_checksum(&b, &ck);
		CHECK_ERR(ct_krb_decode_key(a, b.data, b.len, &kout), CT_ERR_TOO_LARGE);
		ct_buf_free(&b);
		ck.value.len--;
		ct_krb_encode_checksum(&b, &ck);
		CHECK_ERR(ct_krb_decode_key(a, b.data, b.len, &kout), 0);
		ct_buf_free(&b);
	}
	/* KRB-ERROR with susec out of range. */
	{
		struct ct_krb_error e = krb_error_full(NULL);
		long off;

		ct_buf_init(&b, 4096);
		e.susec = 0x0f4240 - 1; /* 999999 */
		ct_krb_encode_error(&b, &e);
		off = find(&b, 0, B(0xa5, 0x05, 0x02, 0x03, 0x0f, 0x42, 0x3f));
		CHECK(off >= 0);
		if (off >= 0)
			b.data[off + 6] = 0x40; /* 1000000 */
		CHECK_ERR(ct_krb_decode_error(a, b.data, b.len, &eo), CT_ERR_BAD_VALUE);
		ct_buf_free(&b);
	}
	/* SEQUENCE OF with CT_KRB_MAX_SEQ elements is fine, one more is not. */
	{
		static struct ct_krb_authdata_elem many[CT_KRB_MAX_SEQ + 1];
		struct ct_krb_authdata ad = {CT_KRB_MAX_SEQ, many};
		size_t mark;

		for (size_t i = 0; i < CT_KRB_MAX_SEQ + 1; i++)
			many[i] = (struct ct_krb_authdata_elem){1, {cksum, 1}};
		ct_buf_init(&b, CT_KRB_MAX_MSG);
		CHECK_ERR(ct_krb_encode_authdata(&b, &ad), 0);
		CHECK_ERR(ct_krb_decode_authdata(a, b.data, b.len, &adout), 0);
		CHECK_INT(adout.n, CT_KRB_MAX_SEQ);
		ct_buf_free(&b);
		ad.n++;
		CHECK_ERR(ct_krb_encode_authdata(&b, &ad), CT_ERR_INVALID_ARG);
		ct_buf_free(&b);
		/* Build the 65-element one by hand. */
		mark = ct_der_begin(&b, CT_DER_SEQUENCE);
		for (size_t i = 0; i < CT_KRB_MAX_SEQ + 1; i++) {
			struct ct_krb_authdata one = {1, &many[i]};
			struct ct_buf tmp;

			ct_buf_init(&tmp, 64);
			ct_krb_encode_authdata(&tmp, &one);
			ct_buf_put(&b, tmp.data + 2, tmp.len - 2); /* the element */
			ct_buf_free(&tmp);
		}
		ct_der_end(&b, mark);
		CHECK_ERR(ct_krb_decode_authdata(a, b.data, b.len, &adout), CT_ERR_TOO_LARGE);
		ct_buf_free(&b);
	}
	/* More than CT_KRB_MAX_NAME_COMPONENTS components. */
	{
		size_t mark, inner;

		ct_buf_init(&b, 1024);
		mark = ct_der_begin(&b, CT_DER_SEQUENCE);
		inner = ct_der_begin(&b, CT_DER_CTX(0));
		ct_der_put_int32(&b, 1);
		ct_der_end(&b, inner);
		inner = ct_der_begin(&b, CT_DER_CTX(1));
		{
			size_t seq = ct_der_begin(&b, CT_DER_SEQUENCE);

			for (int i = 0; i < CT_KRB_MAX_NAME_COMPONENTS + 1; i++)
				ct_der_put_string(&b, "x");
			ct_der_end(&b, seq);
		}
		ct_der_end(&b, inner);
		ct_der_end(&b, mark);
		CHECK_ERR(ct_krb_decode_principal(a, b.data, b.len, &pout), CT_ERR_TOO_LARGE);
		ct_buf_free(&b);
	}
	CHECK_ERR(ct_krb_peek_msg_type(NULL, 0), CT_ERR_TRUNCATED);
	CHECK_ERR(ct_krb_peek_msg_type(B(0x30, 0x00)), CT_ERR_BAD_TAG);
	CHECK_ERR(ct_krb_peek_msg_type(B(0x7f, 0x00)), CT_ERR_BAD_TAG);
	CHECK_ERR(ct_krb_peek_msg_type(B(0x7e, 0x00)), CT_KRB_MT_ERROR);
	ct_arena_free(a);
}

static void test_encoder_rejections(void)
{
	struct ct_krb_principal cname = user_name();
	struct ct_krb_kdc_rep r = as_rep();
	struct ct_krb_error e = krb_error_full(&cname);
	struct ct_krb_key k = key();
	uint8_t longkey[CT_KRB_MAX_KEY + 1] = {0};
	struct ct_buf b;

	ct_buf_init(&b, CT_KRB_MAX_MSG);
	r.msg_type = CT_KRB_MT_AS_REQ;
	CHECK_ERR(ct_krb_encode_kdc_rep(&b, &r), CT_ERR_INVALID_ARG);
	ct_buf_free(&b);
	r = as_rep();
	r.crealm = NULL;
	CHECK_ERR(ct_krb_encode_kdc_rep(&b, &r), CT_ERR_INVALID_ARG);
	ct_buf_free(&b);
	r = as_rep();
	r.cname.ncomp = CT_KRB_MAX_NAME_COMPONENTS + 1;
	CHECK_ERR(ct_krb_encode_kdc_rep(&b, &r), CT_ERR_INVALID_ARG);
	ct_buf_free(&b);
	e.stime = -1;
	CHECK_ERR(ct_krb_encode_error(&b, &e), CT_ERR_INVALID_ARG);
	ct_buf_free(&b);
	e = krb_error_full(&cname);
	e.susec = 1000000;
	CHECK_ERR(ct_krb_encode_error(&b, &e), CT_ERR_INVALID_ARG);
	ct_buf_free(&b);
	k.value = (struct ct_bytes){longkey, sizeof(longkey)};
	CHECK_ERR(ct_krb_encode_key(&b, &k), CT_ERR_INVALID_ARG);
	ct_buf_free(&b);
	CHECK_ERR(ct_krb_encode_key(&b, NULL), CT_ERR_INVALID_ARG);
	ct_buf_free(&b);
	/* A buffer too small for the message latches TOO_LARGE. */
	ct_buf_init(&b, 32);
	r = as_rep();
	CHECK_ERR(ct_krb_encode_kdc_rep(&b, &r), CT_ERR_TOO_LARGE);
	ct_buf_free(&b);
}

/* ---- robustness ---- */

/* Decodes an exact-size copy so ASan sees any read past the end. */
static int decode_copy(const uint8_t *p, size_t n)
{
	struct ct_arena *a = ct_arena_new();
	struct ct_krb_kdc_rep out;
	uint8_t *copy = malloc(n > 0 ? n : 1);
	struct ct_buf again;
	int err;

	memcpy(copy, p, n);
	err = ct_krb_decode_kdc_rep(a, copy, n, &out);
	free(copy);
	if (err == 0) {
		/* Whatever decodes must encode again. */
		ct_buf_init(&again, CT_KRB_MAX_MSG * 2);
		if (ct_krb_encode_kdc_rep(&again, &out) != 0)
			err = 1;
		ct_buf_free(&again);
	}
	ct_arena_free(a);
	return err;
}

static void test_truncation_and_flips(void)
{
	struct ct_krb_kdc_rep r = as_rep();
	struct ct_buf b;
	unsigned bad_trunc = 0, bad_flip = 0, flip_ok = 0;
	static const uint8_t masks[] = {0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0xff};

	ct_buf_init(&b, CT_KRB_MAX_MSG);
	CHECK_ERR(ct_krb_encode_kdc_rep(&b, &r), 0);
	for (size_t n = 0; n < b.len; n++)
		if (decode_copy(b.data, n) >= 0)
			bad_trunc++;
	CHECK_INT(bad_trunc, 0);
	for (size_t i = 0; i < b.len; i++) {
		for (size_t m = 0; m < sizeof(masks); m++) {
			int err;

			b.data[i] ^= masks[m];
			err = decode_copy(b.data, b.len);
			b.data[i] ^= masks[m];
			if (err > 0)
				bad_flip++;
			if (err == 0)
				flip_ok++;
		}
	}
	CHECK_INT(bad_flip, 0);
	tap_diag("%zu bytes, %u of %zu flips still decode", b.len, flip_ok,
		 b.len * sizeof(masks));
	ct_buf_free(&b);
}

/* ---- MIT krb5 interoperability ---- */

static bool mit_principal_eq(krb5_principal m, const char *realm,
			     const struct ct_krb_principal *p)
{
	if (m->type != p->type || (size_t)m->length != p->ncomp ||
	    m->realm.length != strlen(realm) ||
	    memcmp(m->realm.data, realm, m->realm.length) != 0)
		return false;
	for (size_t i = 0; i < p->ncomp; i++)
		if (m->data[i].length != strlen(p->comp[i]) ||
		    memcmp(m->data[i].data, p->comp[i], m->data[i].length) != 0)
			return false;
	return true;
}

static void mit_ticket(krb5_context ctx, int32_t kvno)
{
	struct ct_krb_ticket t = ticket(true, kvno);
	krb5_ticket *mt = NULL;
	krb5_data d;
	struct ct_buf b;

	ct_buf_init(&b, 4096);
	CHECK_ERR(ct_krb_encode_ticket(&b, &t), 0);
	d.magic = KV5M_DATA;
	d.length = (unsigned)b.len;
	d.data = (char *)b.data;
	CHECK_INT(krb5_decode_ticket(&d, &mt), 0);
	if (mt != NULL) {
		CHECK(mit_principal_eq(mt->server, REALM, &t.sname));
		CHECK_INT(mt->enc_part.enctype, 18);
		CHECK_INT((uint32_t)mt->enc_part.kvno, (uint32_t)kvno);
		CHECK_MEM(mt->enc_part.ciphertext.data, mt->enc_part.ciphertext.length,
			  cipher, sizeof(cipher));
		krb5_free_ticket(ctx, mt);
	}
	ct_buf_free(&b);
}

static void mit_error(krb5_context ctx)
{
	struct ct_arena *a = ct_arena_new();
	struct ct_krb_principal cname = user_name();
	struct ct_krb_error e = krb_error_full(&cname), out;
	krb5_error *me = NULL;
	krb5_data d, md = {KV5M_DATA, 0, NULL};
	struct ct_buf b, again;

	/* Ours, read by MIT. */
	ct_buf_init(&b, 4096);
	CHECK_ERR(ct_krb_encode_error(&b, &e), 0);
	d.magic = KV5M_DATA;
	d.length = (unsigned)b.len;
	d.data = (char *)b.data;
	CHECK_INT(krb5_rd_error(ctx, &d, &me), 0);
	if (me != NULL) {
		CHECK_INT(me->error, 25);
		CHECK_INT(me->stime, T0);
		CHECK_INT(me->susec, 678);
		CHECK_INT(me->ctime, T0 - 5);
		CHECK_INT(me->cusec, 12345);
		CHECK(me->client != NULL && mit_principal_eq(me->client, REALM, &cname));
		CHECK(mit_principal_eq(me->server, REALM, &e.sname));
		CHECK_MEM(me->text.data, me->text.length, "NEEDED_PREAUTH", 14);
		CHECK_MEM(me->e_data.data, me->e_data.length, etype_info2, sizeof(etype_info2));
		/* MIT's, read by us and written back byte for byte. */
		CHECK_INT(krb5_mk_error(ctx, me, &md), 0);
		krb5_free_error(ctx, me);
	}
	if (md.data != NULL) {
		CHECK_MEM(md.data, md.length, b.data, b.len);
		CHECK_ERR(ct_krb_decode_error(a, (uint8_t *)md.data, md.length, &out), 0);
		ct_buf_init(&again, 4096);
		CHECK_ERR(ct_krb_encode_error(&again, &out), 0);
		CHECK_MEM(again.data, again.len, md.data, md.length);
		ct_buf_free(&again);
		krb5_free_data_contents(ctx, &md);
	}
	ct_buf_free(&b);
	ct_arena_free(a);
}

static void mit_authdata(krb5_context ctx)
{
	krb5_authdata e0 = {KV5M_AUTHDATA, CT_KRB_AD_WIN2K_PAC, sizeof(pacbytes), pacbytes};
	krb5_authdata e1 = {KV5M_AUTHDATA, 141, 4, cksum};
	krb5_authdata *list[] = {&e0, &e1, NULL}, **container = NULL, **back = NULL;
	struct ct_krb_authdata_elem elems[2] = {
		{CT_KRB_AD_WIN2K_PAC, {pacbytes, sizeof(pacbytes)}},
		{141, {cksum, 4}},
	};
	struct ct_krb_authdata ad = {2, elems};
	krb5_authdata ours;
	struct ct_buf b;

	ct_buf_init(&b, 4096);
	CHECK_ERR(ct_krb_encode_authdata(&b, &ad), 0);
	CHECK_INT(krb5_encode_authdata_container(ctx, KRB5_AUTHDATA_IF_RELEVANT, list,
						 &container), 0);
	if (container != NULL) {
		CHECK_INT(container[0]->ad_type, CT_KRB_AD_IF_RELEVANT);
		CHECK_MEM(container[0]->contents, container[0]->length, b.data, b.len);
		krb5_free_authdata(ctx, container);
	}
	ours = (krb5_authdata){KV5M_AUTHDATA, KRB5_AUTHDATA_IF_RELEVANT,
			       (unsigned)b.len, b.data};
	CHECK_INT(krb5_decode_authdata_container(ctx, KRB5_AUTHDATA_IF_RELEVANT, &ours,
						 &back), 0);
	if (back != NULL) {
		CHECK(back[0] != NULL && back[1] != NULL && back[2] == NULL);
		CHECK_INT(back[1]->ad_type, 141);
		CHECK_MEM(back[0]->contents, back[0]->length, pacbytes, sizeof(pacbytes));
		krb5_free_authdata(ctx, back);
	}
	ct_buf_free(&b);
}

/*
 * KRB-CRED without keys: MIT then leaves EncKrbCredPart unencrypted
 * (etype 0), so both directions exercise both messages.
 */
static void mit_cred(krb5_context ctx)
{
	struct ct_arena *a = ct_arena_new();
	struct ct_krb_ticket t = ticket(true, 3);
	struct ct_krb_cred cred, cout;
	struct ct_krb_enc_cred_part part;
	krb5_auth_context ac = NULL;
	krb5_creds creds, **got = NULL;
	krb5_data *md = NULL, d;
	struct ct_buf tb, b;

	memset(&creds, 0, sizeof(creds));
	ct_buf_init(&tb, 4096);
	ct_krb_encode_ticket(&tb, &t);
	CHECK_INT(krb5_build_principal(ctx, &creds.client, strlen(REALM), REALM, "alice",
				       (char *)NULL), 0);
	CHECK_INT(krb5_build_principal(ctx, &creds.server, strlen(REALM), REALM, "krbtgt",
				       REALM, (char *)NULL), 0);
	creds.keyblock = (krb5_keyblock){KV5M_KEYBLOCK, 18, sizeof(keybytes), keybytes};
	creds.times.authtime = T0;
	creds.times.starttime = T0;
	creds.times.endtime = T0 + 36000;
	creds.times.renew_till = T0 + 86400;
	creds.ticket_flags = 0x40e10000;
	creds.ticket = (krb5_data){KV5M_DATA, (unsigned)tb.len, (char *)tb.data};
	CHECK_INT(krb5_auth_con_init(ctx, &ac), 0);
	CHECK_INT(krb5_auth_con_setflags(ctx, ac, 0), 0);
	CHECK_INT(krb5_mk_1cred(ctx, ac, &creds, &md, NULL), 0);
	if (md != NULL) {
		struct ct_buf again;

		CHECK_ERR(ct_krb_decode_cred(a, (uint8_t *)md->data, md->length, &cred), 0);
		CHECK(cred.ntickets == 1 && bytes_eq(&cred.tickets[0].der, tb.data, tb.len));
		CHECK_INT(cred.enc_part.etype, 0);
		ct_buf_init(&again, 8192);
		CHECK_ERR(ct_krb_encode_cred(&again, &cred), 0);
		CHECK_MEM(again.data, again.len, md->data, md->length);
		ct_buf_free(&again);
		CHECK_ERR(ct_krb_decode_enc_cred_part(a, cred.enc_part.cipher.data,
						      cred.enc_part.cipher.len, &part), 0);
		CHECK(part.ninfo == 1 && part.info[0].has_renew_till &&
		      part.info[0].renew_till == T0 + 86400);
		CHECK(part.info[0].pname != NULL && strcmp(part.info[0].pname->comp[0], "alice") == 0);
		CHECK_INT(part.info[0].flags, 0x40e10000);
		ct_buf_init(&again, 8192);
		CHECK_ERR(ct_krb_encode_enc_cred_part(&again, &part), 0);
		CHECK_MEM(again.data, again.len, cred.enc_part.cipher.data, cred.enc_part.cipher.len);
		ct_buf_free(&again);
		krb5_free_data(ctx, md);
	}

	/* Ours, read by MIT: rebuild the message from our own encoders. */
	{
		struct ct_krb_principal pname = user_name(), sname = tgs_name();
		struct ct_krb_cred_info info = {
			.key = key(), .prealm = REALM, .pname = &pname,
			.has_flags = true, .flags = 0x40e10000,
			.has_authtime = true, .authtime = T0,
			.has_endtime = true, .endtime = T0 + 36000,
			.srealm = REALM, .sname = &sname,
		};
		struct ct_krb_enc_cred_part ep = {.ninfo = 1, .info = &info};
		struct ct_buf epb;

		ct_buf_init(&epb, 4096);
		ct_buf_init(&b, 8192);
		CHECK_ERR(ct_krb_encode_enc_cred_part(&epb, &ep), 0);
		cout = (struct ct_krb_cred){1, &t, {0, false, 0, {epb.data, epb.len}}};
		CHECK_ERR(ct_krb_encode_cred(&b, &cout), 0);
		d = (krb5_data){KV5M_DATA, (unsigned)b.len, (char *)b.data};
		CHECK_INT(krb5_rd_cred(ctx, ac, &d, &got, NULL), 0);
		if (got != NULL) {
			CHECK(got[0] != NULL && got[1] == NULL);
			CHECK_INT(got[0]->times.endtime, T0 + 36000);
			CHECK_INT(got[0]->ticket_flags, 0x40e10000);
			CHECK(mit_principal_eq(got[0]->client, REALM, &pname));
			CHECK(mit_principal_eq(got[0]->server, REALM, &sname));
			CHECK_MEM(got[0]->ticket.data, got[0]->ticket.length, tb.data, tb.len);
			krb5_free_tgt_creds(ctx, got);
		}
		ct_buf_free(&epb);
		ct_buf_free(&b);
	}
	krb5_auth_con_free(ctx, ac);
	krb5_free_principal(ctx, creds.client);
	krb5_free_principal(ctx, creds.server);
	ct_buf_free(&tb);
	ct_arena_free(a);
}

static void test_mit(void)
{
	krb5_context ctx;

	if (krb5_init_context(&ctx) != 0) {
		CHECK(!"krb5_init_context");
		return;
	}
	mit_ticket(ctx, 2);
	mit_ticket(ctx, RODC_KVNO);
	mit_error(ctx);
	mit_authdata(ctx);
	mit_cred(ctx);
	krb5_free_context(ctx);
}

/* ---- captured messages (tests/data/krb) ---- */

#ifdef CT_KRB_TESTDATA
static bool read_file(const char *path, struct ct_buf *b)
{
	uint8_t chunk[4096];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (f == NULL)
		return false;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		ct_buf_put(b, chunk, n);
	fclose(f);
	return b->err == 0;
}

/*
 * Decodes a captured message, drops the bytes kept for verbatim re-encoding
 * (so every field goes through the encoder) and encodes it again.
 */
#define REENCODE(name, type, clear)                                              \
	static int reencode_##name(struct ct_arena *a, const struct ct_buf *in,  \
				   struct ct_buf *out)                           \
	{                                                                        \
		type m;                                                          \
		int err = ct_krb_decode_##name(a, in->data, in->len, &m);        \
		if (err != 0)                                                    \
			return err;                                              \
		clear;                                                           \
		return ct_krb_encode_##name(out, &m);                            \
	}

static const struct ct_bytes no_der;

REENCODE(kdc_rep, struct ct_krb_kdc_rep, m.ticket.der = no_der)
REENCODE(kdc_req, struct ct_krb_kdc_req, m.body_der = no_der)
REENCODE(ap_req, struct ct_krb_ap_req, m.ticket.der = no_der)
REENCODE(ticket, struct ct_krb_ticket, m.der = no_der)
REENCODE(authenticator, struct ct_krb_authenticator, (void)0)
REENCODE(enc_kdc_rep_part, struct ct_krb_enc_kdc_rep_part, (void)0)
REENCODE(enc_ticket_part, struct ct_krb_enc_ticket_part, (void)0)
REENCODE(error, struct ct_krb_error, (void)0)

static const struct {
	const char *prefix;
	int (*fn)(struct ct_arena *a, const struct ct_buf *in, struct ct_buf *out);
} captured_kinds[] = {
	{"as-rep-", reencode_kdc_rep},
	{"tgs-rep-", reencode_kdc_rep},
	{"as-req-", reencode_kdc_req},
	{"tgs-req-", reencode_kdc_req},
	{"ap-req-", reencode_ap_req},
	{"ticket-", reencode_ticket},
	{"authenticator-", reencode_authenticator},
	{"enc-as-rep-part-", reencode_enc_kdc_rep_part},
	{"enc-tgs-rep-part-", reencode_enc_kdc_rep_part},
	{"enc-ticket-part-", reencode_enc_ticket_part},
	{"krb-error-", reencode_error},
};

/* A DER-clean capture must come back byte for byte. */
static void check_captured(const char *dir, const char *name)
{
	struct ct_arena *a = ct_arena_new();
	char path[4096];
	struct ct_buf in, out;
	int err = CT_ERR_NOT_FOUND;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	ct_buf_init(&in, CT_KRB_MAX_MSG);
	ct_buf_init(&out, CT_KRB_MAX_MSG * 2);
	CHECK(read_file(path, &in));
	for (size_t i = 0; i < sizeof(captured_kinds) / sizeof(captured_kinds[0]); i++)
		if (strncmp(name, captured_kinds[i].prefix, strlen(captured_kinds[i].prefix)) == 0)
			err = captured_kinds[i].fn(a, &in, &out);
	if (err != 0)
		tap_diag("%s: %s", name, ct_errname(err));
	CHECK_ERR(err, 0);
	CHECK_MEM(out.data, out.len, in.data, in.len);
	ct_buf_free(&in);
	ct_buf_free(&out);
	ct_arena_free(a);
}

static void test_captured(void)
{
	DIR *d = opendir(CT_KRB_TESTDATA);
	struct dirent *e;
	unsigned n = 0;

	if (d == NULL) {
		tap_diag("no captured messages in %s", CT_KRB_TESTDATA);
		return;
	}
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);

		if (len > 4 && strcmp(e->d_name + len - 4, ".der") == 0) {
			check_captured(CT_KRB_TESTDATA, e->d_name);
			n++;
		}
	}
	closedir(d);
	tap_diag("%u captured messages", n);
}
#else
static void test_captured(void)
{
	tap_diag("built without CT_KRB_TESTDATA");
}
#endif

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "--write-corpus") == 0)
		corpus_dir = argv[2];
	init_fixtures();
	test_known_answers();
	test_ticket();
	test_enc_ticket_part();
	test_kdc_rep();
	test_enc_kdc_rep_part();
	test_kdc_req();
	test_ap_req_and_authenticator();
	test_error();
	test_cred();
	test_small_types();
	test_find_pac();
	test_message_rejections();
	test_encoder_rejections();
	test_truncation_and_flips();
	test_mit();
	test_captured();
	ct_buf_free(&if_relevant);
	return tap_done();
}
