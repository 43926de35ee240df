/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Minting partial TGTs and opening them as a device would, checked with our
 * own decoders and with MIT's public krb5_decode_ticket(); plus the
 * credential cache writer's refusals.
 */
#include <errno.h>
#include <krb5/krb5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "creds.h"
#include "ct-error.h"
#include "ct-hex.h"
#include "mint.h"
#include "pac.h"
#include "tap.h"

static struct ct_kcrypto *kc;

static const char *SID = "S-1-5-21-1111111111-2222222222-3333333333-1103";

static struct ct_krb_key fixed_key(struct ct_arena *a)
{
	struct ct_krb_key k = {CT_ENCTYPE_AES256_SHA1, {NULL, 32}};
	size_t i;

	k.value.data = ct_arena_alloc(a, 32);
	for (i = 0; i < 32; i++)
		k.value.data[i] = (uint8_t)(i * 7 + 1);
	return k;
}

static struct ct_mint_request base_request(const struct ct_krb_key *key)
{
	struct ct_mint_request r;

	memset(&r, 0, sizeof(r));
	r.realm = "CORP.EXAMPLE.TEST";
	r.account_name = "alice";
	r.user_sid = SID;
	r.netbios_domain = "CORP";
	r.krbtgt_key = key;
	r.key_version = 3;
	r.rodc_id = 40000; /* >= 32768: the kvno is negative on the wire */
	return r;
}

static void test_kvno(void)
{
	CHECK_INT(ct_rodc_kvno(1, 2), 0x10002);
	CHECK_INT(ct_rodc_kvno(40000, 3), (int32_t)0x9c400003);
	CHECK(ct_rodc_kvno(40000, 3) < 0);
	CHECK_INT(ct_rodc_kvno(65535, 65535), -1);
}

static void test_mint_and_open(void)
{
	struct ct_arena *a = ct_arena_new();
	struct ct_krb_key key = fixed_key(a), reply = {0};
	struct ct_mint_request req = base_request(&key);
	struct ct_errinfo ei = {0};
	struct ct_buf asrep, plain;
	struct ct_krb_kdc_rep rep;
	struct ct_krb_enc_ticket_part etp;
	struct ct_krb_creds c;
	struct ct_bytes pacbytes;
	struct ct_pac pac;
	time_t now = time(NULL);
	krb5_context ctx;
	krb5_ticket *mt = NULL;
	krb5_data d;
	char name[256];

	ct_buf_init(&asrep, CT_KRB_MAX_MSG);
	ct_buf_init(&plain, CT_KRB_MAX_MSG);
	req.authtime = now;
	req.renew_lifetime = 7 * 24 * 3600;
	CHECK_INT(ct_mint_partial_tgt(kc, a, &req, &asrep, &reply, &ei), 0);
	CHECK_INT(reply.enctype, 18);
	CHECK_INT(reply.value.len, 32);

	/* Our decoder: an AS-REP whose ticket carries the RODC kvno. */
	CHECK_INT(ct_krb_decode_kdc_rep(a, asrep.data, asrep.len, &rep), 0);
	CHECK_INT(rep.msg_type, CT_KRB_MT_AS_REP);
	CHECK(rep.ticket.enc_part.has_kvno);
	CHECK_INT(rep.ticket.enc_part.kvno, ct_rodc_kvno(40000, 3));
	CHECK_INT(rep.ticket.enc_part.etype, 18);
	CHECK_STR(ct_principal_unparse(&rep.ticket.sname, rep.ticket.realm, name, sizeof(name)),
		  "krbtgt/CORP.EXAMPLE.TEST@CORP.EXAMPLE.TEST");
	CHECK_INT(rep.ticket.sname.type, CT_KRB_NT_SRV_INST);

	/* The ticket opens under the krbtgt_N key with usage 2, and holds a signed PAC. */
	CHECK_INT(ct_kcrypto_decrypt(kc, &key, CT_KU_AS_REP_TICKET, &rep.ticket.enc_part, &plain), 0);
	CHECK_INT(ct_krb_decode_enc_ticket_part(a, plain.data, plain.len, &etp), 0);
	CHECK_STR(ct_principal_unparse(&etp.cname, etp.crealm, name, sizeof(name)),
		  "alice@CORP.EXAMPLE.TEST");
	CHECK_INT(etp.authtime, now);
	CHECK_INT(etp.endtime, now + CT_MINT_DEFAULT_LIFETIME);
	CHECK(etp.has_renew_till && etp.renew_till == now + 7 * 24 * 3600);
	CHECK(etp.flags & CT_KRB_FLAG(CT_KRB_FLAG_INITIAL));
	CHECK(etp.flags & CT_KRB_FLAG(CT_KRB_FLAG_RENEWABLE));
	CHECK(etp.authdata != NULL);
	CHECK_INT(ct_krb_find_pac(a, etp.authdata, &pacbytes), 0);
	CHECK_INT(ct_pac_decode(a, pacbytes.data, pacbytes.len, &pac), 0);
	CHECK_INT(ct_pac_verify_server(kc, pacbytes.data, pacbytes.len, &key), 0);
	CHECK_INT(ct_pac_verify_kdc(kc, pacbytes.data, pacbytes.len, &key), 0);
	CHECK(pac.has_requestor);
	CHECK(pac.logon_info != NULL && pac.logon_info->user_rid == 1103);
	CHECK(pac.client_info != NULL && strcmp(pac.client_info->name, "alice") == 0);
	CHECK(pac.client_info != NULL && pac.client_info->client_id == now);
	CHECK(pac.kdc_sig != NULL && pac.kdc_sig->has_rodc_id && pac.kdc_sig->rodc_id == 40000);

	/* MIT's own decoder agrees on the ticket. */
	CHECK_INT(krb5_init_context(&ctx), 0);
	d.magic = KV5M_DATA;
	d.length = (unsigned int)rep.ticket.der.len;
	d.data = (char *)rep.ticket.der.data;
	CHECK_INT(krb5_decode_ticket(&d, &mt), 0);
	if (mt != NULL) {
		CHECK_INT((int32_t)mt->enc_part.kvno, ct_rodc_kvno(40000, 3));
		CHECK_INT(mt->enc_part.enctype, 18);
		krb5_free_ticket(ctx, mt);
	}
	krb5_free_context(ctx);

	/* The device opens the AS-REP with the reply key. */
	memset(&c, 0, sizeof(c));
	CHECK_INT(ct_creds_from_as_rep(kc, a, asrep.data, asrep.len, &reply, now, &c, &ei), 0);
	CHECK_STR(c.client.comp[0], "alice");
	CHECK(ct_principal_is_tgs(&c.server, "CORP.EXAMPLE.TEST"));
	CHECK_INT(c.ticket_kvno, ct_rodc_kvno(40000, 3));
	CHECK_INT(c.session_key.value.len, 32);
	CHECK_MEM(c.session_key.value.data, c.session_key.value.len,
		  etp.key.value.data, etp.key.value.len);
	CHECK_MEM(c.ticket.data, c.ticket.len, rep.ticket.der.data, rep.ticket.der.len);

	/* The wrong reply key, or the krbtgt key, cannot open it. */
	CHECK_ERR(ct_creds_from_as_rep(kc, a, asrep.data, asrep.len, &key, now, &c, &ei),
		  CT_ERR_INTEGRITY);
	CHECK(strstr(ei.msg, "reply key") != NULL);
	/* Opened after it expired: refused. */
	CHECK_ERR(ct_creds_from_as_rep(kc, a, asrep.data, asrep.len, &reply,
				       now + CT_MINT_DEFAULT_LIFETIME + 1, &c, &ei),
		  CT_ERR_BAD_VALUE);
	/* Truncated: a DER error, never a crash. */
	CHECK(ct_creds_from_as_rep(kc, a, asrep.data, asrep.len - 1, &reply, now, &c, &ei) < 0);

	ct_buf_free(&asrep);
	ct_buf_free(&plain);
	ct_arena_free(a);
}

static void test_mint_options(void)
{
	struct ct_arena *a = ct_arena_new();
	struct ct_krb_key key = fixed_key(a), reply = {0};
	struct ct_mint_request req = base_request(&key);
	struct ct_errinfo ei = {0};
	struct ct_buf asrep, plain;
	struct ct_krb_kdc_rep rep;
	struct ct_krb_enc_ticket_part etp;
	struct ct_bytes pacbytes;
	struct ct_pac pac;

	ct_buf_init(&asrep, CT_KRB_MAX_MSG);
	ct_buf_init(&plain, CT_KRB_MAX_MSG);
	req.omit_pac = true;
	req.session_enctype = CT_ENCTYPE_AES256_SHA384;
	req.start_delay = 600;
	req.lifetime = 3600;
	CHECK_INT(ct_mint_partial_tgt(kc, a, &req, &asrep, &reply, &ei), 0);
	CHECK_INT(reply.enctype, 20);
	CHECK_INT(ct_krb_decode_kdc_rep(a, asrep.data, asrep.len, &rep), 0);
	CHECK_INT(ct_kcrypto_decrypt(kc, &key, 2, &rep.ticket.enc_part, &plain), 0);
	CHECK_INT(ct_krb_decode_enc_ticket_part(a, plain.data, plain.len, &etp), 0);
	CHECK(etp.authdata == NULL);
	CHECK_INT(etp.key.enctype, 20);
	CHECK_INT(etp.starttime - etp.authtime, 600);
	CHECK_INT(etp.endtime - etp.starttime, 3600);
	CHECK(!etp.has_renew_till);

	req = base_request(&key);
	req.pac.omit_requestor = true;
	ct_buf_free(&asrep);
	ct_buf_free(&plain);
	CHECK_INT(ct_mint_partial_tgt(kc, a, &req, &asrep, &reply, &ei), 0);
	CHECK_INT(ct_krb_decode_kdc_rep(a, asrep.data, asrep.len, &rep), 0);
	CHECK_INT(ct_kcrypto_decrypt(kc, &key, 2, &rep.ticket.enc_part, &plain), 0);
	CHECK_INT(ct_krb_decode_enc_ticket_part(a, plain.data, plain.len, &etp), 0);
	CHECK_INT(ct_krb_find_pac(a, etp.authdata, &pacbytes), 0);
	CHECK_INT(ct_pac_decode(a, pacbytes.data, pacbytes.len, &pac), 0);
	CHECK(!pac.has_requestor);
	ct_buf_free(&asrep);
	ct_buf_free(&plain);
	ct_arena_free(a);
}

/* mint_refused: a request that must fail with want and a message containing msg. */
static void mint_refused(const struct ct_mint_request *req, int want, const char *msg)
{
	struct ct_arena *a = ct_arena_new();
	struct ct_errinfo ei = {0};
	struct ct_krb_key reply = {0};
	struct ct_buf asrep;

	ct_buf_init(&asrep, CT_KRB_MAX_MSG);
	CHECK_ERR(ct_mint_partial_tgt(kc, a, req, &asrep, &reply, &ei), want);
	CHECK(strstr(ei.msg, msg) != NULL);
	CHECK_INT(asrep.len, 0);
	CHECK(reply.value.data == NULL);
	ct_buf_free(&asrep);
	ct_arena_free(a);
}

static void test_mint_refusals(void)
{
	struct ct_arena *a = ct_arena_new();
	struct ct_krb_key key = fixed_key(a), rc4 = key;
	struct ct_mint_request req;

	req = base_request(&key);
	req.realm = "corp.example.test";
	mint_refused(&req, CT_ERR_INVALID_ARG, "upper-case");
	req = base_request(&key);
	req.account_name = "alice/admin";
	mint_refused(&req, CT_ERR_INVALID_ARG, "account name");
	req = base_request(&key);
	req.user_sid = "S-1-5-21-x";
	mint_refused(&req, CT_ERR_INVALID_ARG, "SID");
	req = base_request(&key);
	req.rodc_id = 0;
	mint_refused(&req, CT_ERR_INVALID_ARG, "RODC number");
	req = base_request(&key);
	req.lifetime = CT_MINT_MAX_LIFETIME + 1;
	mint_refused(&req, CT_ERR_INVALID_ARG, "lifetime");
	rc4.enctype = 23;
	req = base_request(&rc4);
	mint_refused(&req, CT_ERR_UNSUPPORTED_ENCTYPE, "enctype");
	req = base_request(&key);
	req.session_enctype = 23;
	mint_refused(&req, CT_ERR_UNSUPPORTED_ENCTYPE, "enctype");
	ct_arena_free(a);
}

/* Mints and opens a ticket for ccache tests. */
static void sample_creds(struct ct_arena *a, struct ct_krb_creds *c)
{
	struct ct_krb_key key = fixed_key(a), reply = {0};
	struct ct_mint_request req = base_request(&key);
	struct ct_buf asrep;

	ct_buf_init(&asrep, CT_KRB_MAX_MSG);
	if (ct_mint_partial_tgt(kc, a, &req, &asrep, &reply, NULL) != 0 ||
	    ct_creds_from_as_rep(kc, a, asrep.data, asrep.len, &reply, time(NULL), c, NULL) != 0)
		abort();
	ct_buf_free(&asrep);
}

static void test_ccache(void)
{
	struct ct_arena *a = ct_arena_new();
	struct ct_krb_creds c, back;
	struct ct_errinfo ei = {0};
	struct ct_ccache_target t = {NULL, geteuid(), getegid()};
	char dir[] = "/tmp/ct-test-ccache.XXXXXX", path[128], other[256];
	struct stat st;

	memset(&c, 0, sizeof(c));
	memset(&back, 0, sizeof(back));
	sample_creds(a, &c);
	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/cc", dir);
	t.path = path;
	CHECK_INT(ct_ccache_write(&t, &c, &ei), 0);
	CHECK_INT(stat(path, &st), 0);
	CHECK_INT(st.st_mode & 07777, 0600);
	CHECK_INT(st.st_uid, geteuid());
	CHECK_INT(ct_ccache_read_tgt(a, path, &back, &ei), 0);
	CHECK_MEM(back.ticket.data, back.ticket.len, c.ticket.data, c.ticket.len);
	CHECK_MEM(back.session_key.value.data, back.session_key.value.len,
		  c.session_key.value.data, c.session_key.value.len);
	CHECK_INT(back.endtime, c.endtime);
	CHECK_STR(back.client.comp[0], "alice");
	/* Replacing works, and leaves no temporary files behind. */
	CHECK_INT(ct_ccache_write(&t, &c, &ei), 0);
	snprintf(other, sizeof(other), "FILE:%s", path);
	t.path = other;
	CHECK_INT(ct_ccache_write(&t, &c, &ei), 0);
	t.path = path;

	/* A symlink in the cache's place is refused, and not followed. */
	snprintf(other, sizeof(other), "%s/target", dir);
	CHECK_INT(unlink(path), 0);
	CHECK_INT(symlink(other, path), 0);
	CHECK_ERR(ct_ccache_write(&t, &c, &ei), CT_ERR_UNSAFE_PATH);
	CHECK(access(other, F_OK) != 0);
	CHECK_INT(unlink(path), 0);

	/* A directory others may write, without the sticky bit, is refused. */
	CHECK_INT(chmod(dir, 0777), 0);
	CHECK_ERR(ct_ccache_write(&t, &c, &ei), CT_ERR_UNSAFE_PATH);
	CHECK(strstr(ei.msg, "writable by others") != NULL);
	CHECK(access(path, F_OK) != 0);
	/* ... but a sticky one (like /tmp) is fine. */
	CHECK_INT(chmod(dir, 01777), 0);
	CHECK_INT(ct_ccache_write(&t, &c, &ei), 0);
	CHECK_INT(chmod(dir, 0700), 0);

	/* A non-root caller may not write for someone else. */
	if (geteuid() != 0) {
		t.uid = geteuid() + 1;
		CHECK_ERR(ct_ccache_write(&t, &c, &ei), CT_ERR_PERMISSION);
		t.uid = geteuid();
	}
	/* Reading: a missing cache and an empty directory entry are clear errors. */
	CHECK_ERR(ct_ccache_read_tgt(a, "/nonexistent/cc", &back, &ei), CT_ERR_NOT_FOUND);
	t.path = "";
	CHECK_ERR(ct_ccache_write(&t, &c, &ei), CT_ERR_INVALID_ARG);
	t.path = "KEYRING:persistent:0";
	CHECK_ERR(ct_ccache_write(&t, &c, &ei), CT_ERR_INVALID_ARG);

	unlink(path);
	CHECK_INT(rmdir(dir), 0);
	ct_arena_free(a);
}

int main(void)
{
	CHECK_INT(ct_kcrypto_new(&kc), 0);
	test_kvno();
	test_mint_and_open();
	test_mint_options();
	test_mint_refusals();
	test_ccache();
	ct_kcrypto_free(kc);
	return tap_done();
}
