/* SPDX-License-Identifier: Apache-2.0 */
/*
 * KDC location and transport, and the exchange's handling of hostile or
 * broken replies.  The replies come from a FAKE, HOSTILE KDC on loopback,
 * written here: it exists to send what no real DC sends (oversized frames,
 * garbage, wrong message types, undecryptable replies).  What a real DC
 * sends is tested against Samba in the lab suite.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "creds.h"
#include "ct-error.h"
#include "exchange.h"
#include "mint.h"
#include "tap.h"

static struct ct_kcrypto *kc;

enum fake_mode { FAKE_ECHO, FAKE_HUGE, FAKE_CLOSE, FAKE_SILENT, FAKE_REPLY };

struct fake_kdc {
	int lfd;
	uint16_t port;
	enum fake_mode mode;
	const uint8_t *reply;
	size_t replylen;
	pthread_t thread;
	uint8_t got[65536];
	size_t gotlen;
};

static int read_full(int fd, void *p, size_t n)
{
	uint8_t *b = p;

	while (n > 0) {
		ssize_t r = read(fd, b, n);

		if (r <= 0)
			return -1;
		b += r;
		n -= (size_t)r;
	}
	return 0;
}

static void send_framed(int fd, const uint8_t *p, uint32_t n)
{
	uint8_t hdr[4] = {(uint8_t)(n >> 24), (uint8_t)(n >> 16), (uint8_t)(n >> 8), (uint8_t)n};

	if (write(fd, hdr, 4) != 4 || (n > 0 && write(fd, p, n) != (ssize_t)n))
		perror("fake kdc write");
}

static void *fake_main(void *arg)
{
	struct fake_kdc *f = arg;
	uint8_t hdr[4];
	uint32_t n;
	int fd = accept(f->lfd, NULL, NULL);

	if (fd < 0)
		return NULL;
	if (f->mode == FAKE_CLOSE)
		goto out;
	if (read_full(fd, hdr, 4) != 0)
		goto out;
	n = (uint32_t)hdr[0] << 24 | (uint32_t)hdr[1] << 16 | (uint32_t)hdr[2] << 8 | hdr[3];
	if (n > sizeof(f->got) || read_full(fd, f->got, n) != 0)
		goto out;
	f->gotlen = n;
	switch (f->mode) {
	case FAKE_ECHO:
		send_framed(fd, f->got, n);
		break;
	case FAKE_HUGE: {
		uint8_t big[4] = {0x7f, 0xff, 0xff, 0xff};

		if (write(fd, big, 4) != 4)
			perror("fake kdc write");
		break;
	}
	case FAKE_SILENT:
		sleep(1);
		break;
	case FAKE_REPLY:
		send_framed(fd, f->reply, (uint32_t)f->replylen);
		break;
	default:
		break;
	}
out:
	close(fd);
	return NULL;
}

static void fake_start(struct fake_kdc *f, enum fake_mode mode)
{
	struct sockaddr_in sa = {0};
	socklen_t sl = sizeof(sa);

	f->mode = mode;
	f->gotlen = 0;
	f->lfd = socket(AF_INET, SOCK_STREAM, 0);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(f->lfd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(f->lfd, 1) != 0 ||
	    getsockname(f->lfd, (struct sockaddr *)&sa, &sl) != 0)
		abort();
	f->port = ntohs(sa.sin_port);
	if (pthread_create(&f->thread, NULL, fake_main, f) != 0)
		abort();
}

static void fake_stop(struct fake_kdc *f)
{
	pthread_join(f->thread, NULL);
	close(f->lfd);
}

static void fake_addr(const struct fake_kdc *f, struct ct_kdc_addr *a, char *text, size_t n)
{
	snprintf(a->host, sizeof(a->host), "127.0.0.1");
	snprintf(a->port, sizeof(a->port), "%u", (unsigned)f->port);
	snprintf(text, n, "127.0.0.1:%u", (unsigned)f->port);
}

static void test_locate(void)
{
	struct ct_kdc_addr a;
	struct ct_errinfo ei = {0};
	char conf[] = "/tmp/ct-test-krb5.conf.XXXXXX";
	FILE *f;
	int fd;

	CHECK_INT(ct_kdc_locate("R", "dc1.example.test", &a, &ei), 0);
	CHECK_STR(a.host, "dc1.example.test");
	CHECK_STR(a.port, "88");
	CHECK_INT(ct_kdc_locate("R", "10.0.0.1:750", &a, &ei), 0);
	CHECK_STR(a.host, "10.0.0.1");
	CHECK_STR(a.port, "750");
	CHECK_INT(ct_kdc_locate("R", "[::1]:8888", &a, &ei), 0);
	CHECK_STR(a.host, "::1");
	CHECK_STR(a.port, "8888");
	CHECK_INT(ct_kdc_locate("R", "fe80::1", &a, &ei), 0);
	CHECK_STR(a.host, "fe80::1");
	CHECK_ERR(ct_kdc_locate("R", "h:0", &a, &ei), CT_ERR_INVALID_ARG);
	CHECK_ERR(ct_kdc_locate("R", "h:70000", &a, &ei), CT_ERR_INVALID_ARG);
	CHECK_ERR(ct_kdc_locate("R", "h:x", &a, &ei), CT_ERR_INVALID_ARG);
	CHECK_ERR(ct_kdc_locate("R", "", &a, &ei), CT_ERR_INVALID_ARG);
	CHECK_ERR(ct_kdc_locate("R", "[::1", &a, &ei), CT_ERR_INVALID_ARG);

	fd = mkstemp(conf);
	CHECK(fd >= 0);
	f = fdopen(fd, "w");
	fprintf(f, "[realms]\n CORP.EXAMPLE.TEST = {\n  kdc = 127.0.0.1:1234\n }\n");
	fclose(f);
	setenv("KRB5_CONFIG", conf, 1);
	CHECK_INT(ct_kdc_locate("CORP.EXAMPLE.TEST", NULL, &a, &ei), 0);
	CHECK_STR(a.host, "127.0.0.1");
	CHECK_STR(a.port, "1234");
	CHECK_ERR(ct_kdc_locate("OTHER.TEST", NULL, &a, &ei), CT_ERR_NOT_FOUND);
	CHECK(strstr(ei.msg, "no domain controller configured for OTHER.TEST") != NULL);
	unsetenv("KRB5_CONFIG");
	unlink(conf);
}

static void test_transport(void)
{
	struct fake_kdc f;
	struct ct_kdc_addr a;
	struct ct_errinfo ei = {0};
	struct ct_buf reply;
	char text[64];
	static const uint8_t msg[] = {0x6c, 0x03, 0x02, 0x01, 0x05};

	ct_buf_init(&reply, CT_KRB_MAX_MSG);
	fake_start(&f, FAKE_ECHO);
	fake_addr(&f, &a, text, sizeof(text));
	CHECK_INT(ct_kdc_sendto(&a, msg, sizeof(msg), 2000, &reply, &ei), 0);
	fake_stop(&f);
	CHECK_MEM(f.got, f.gotlen, msg, sizeof(msg));
	CHECK_MEM(reply.data, reply.len, msg, sizeof(msg));

	ct_buf_free(&reply);
	fake_start(&f, FAKE_HUGE);
	fake_addr(&f, &a, text, sizeof(text));
	CHECK_ERR(ct_kdc_sendto(&a, msg, sizeof(msg), 2000, &reply, &ei), CT_ERR_TOO_LARGE);
	CHECK(strstr(ei.msg, "byte reply") != NULL);
	CHECK_INT(reply.len, 0);
	fake_stop(&f);

	fake_start(&f, FAKE_CLOSE);
	fake_addr(&f, &a, text, sizeof(text));
	CHECK_ERR(ct_kdc_sendto(&a, msg, sizeof(msg), 2000, &reply, &ei), CT_ERR_NETWORK);
	fake_stop(&f);

	fake_start(&f, FAKE_SILENT);
	fake_addr(&f, &a, text, sizeof(text));
	CHECK_ERR(ct_kdc_sendto(&a, msg, sizeof(msg), 200, &reply, &ei), CT_ERR_TIMEOUT);
	CHECK(strstr(ei.msg, "timed out") != NULL);
	fake_stop(&f);

	/* Nobody listening: a connection error naming the DC. */
	snprintf(a.port, sizeof(a.port), "1");
	CHECK_ERR(ct_kdc_sendto(&a, msg, sizeof(msg), 2000, &reply, &ei), CT_ERR_NETWORK);
	CHECK(strstr(ei.msg, "cannot reach domain controller 127.0.0.1") != NULL);
	ct_buf_free(&reply);
}

/* A partial TGT to exchange with the fake KDC. */
static void sample_tgt(struct ct_arena *a, struct ct_krb_creds *c, struct ct_buf *asrep)
{
	struct ct_krb_key key = {18, {NULL, 32}}, reply;
	struct ct_mint_request req;

	key.value.data = ct_arena_alloc(a, 32);
	memset(&req, 0, sizeof(req));
	req.realm = "CORP.EXAMPLE.TEST";
	req.account_name = "alice";
	req.user_sid = "S-1-5-21-1-2-3-1103";
	req.krbtgt_key = &key;
	req.rodc_id = 7;
	req.key_version = 1;
	if (ct_mint_partial_tgt(kc, a, &req, asrep, &reply, NULL) != 0 ||
	    ct_creds_from_as_rep(kc, a, asrep->data, asrep->len, &reply, time(NULL), c, NULL) != 0)
		abort();
}

/* Runs one exchange against the fake KDC answering with reply; returns the code. */
static int exchange_with(struct ct_arena *a, const struct ct_krb_creds *tgt,
			 const uint8_t *reply, size_t len, struct ct_kdc_error *kerr,
			 struct ct_errinfo *ei, struct fake_kdc *f)
{
	struct ct_exchange_opts o = {0};
	struct ct_krb_creds full;
	struct ct_kdc_addr addr;
	char text[64];
	int r;

	f->reply = reply;
	f->replylen = len;
	fake_start(f, FAKE_REPLY);
	fake_addr(f, &addr, text, sizeof(text));
	o.kdc = text;
	o.timeout_ms = 3000;
	memset(ei, 0, sizeof(*ei));
	r = ct_exchange_partial_tgt(kc, a, tgt, &o, &full, kerr, ei);
	fake_stop(f);
	return r;
}

static void test_exchange_replies(void)
{
	struct ct_arena *a = ct_arena_new();
	struct ct_krb_creds tgt;
	struct ct_buf asrep, err, bad;
	struct ct_krb_error ke;
	struct ct_krb_kdc_rep rep;
	struct ct_krb_kdc_req req;
	struct ct_kdc_error kerr;
	struct ct_errinfo ei;
	struct fake_kdc *f = calloc(1, sizeof(*f));
	static const uint8_t garbage[] = "HTTP/1.1 400 Bad Request\r\n\r\n";
	uint8_t cipher[64];

	ct_buf_init(&asrep, CT_KRB_MAX_MSG);
	ct_buf_init(&err, CT_KRB_MAX_MSG);
	ct_buf_init(&bad, CT_KRB_MAX_MSG);
	memset(&tgt, 0, sizeof(tgt));
	sample_tgt(a, &tgt, &asrep);

	/* A KRB-ERROR the way Samba sends it: explained, code kept. */
	memset(&ke, 0, sizeof(ke));
	ke.stime = time(NULL);
	ke.error_code = 20;
	ke.realm = "<unspecified realm>";
	ke.sname.type = 0;
	ke.sname.ncomp = 0;
	ke.e_text = "PAC_TYPE_REQUESTER_SID missing";
	CHECK_INT(ct_krb_encode_error(&err, &ke), 0);
	CHECK_ERR(exchange_with(a, &tgt, err.data, err.len, &kerr, &ei, f), CT_ERR_KDC_ERROR);
	CHECK_INT(kerr.code, 20);
	CHECK_STR(kerr.e_text, "PAC_TYPE_REQUESTER_SID missing");
	CHECK(strstr(ei.msg, "password replication policy") != NULL);
	CHECK(strstr(ei.msg, "KDC_ERR_TGT_REVOKED") != NULL);
	/* What we sent was a well-formed TGS-REQ for krbtgt/REALM with a PA-TGS-REQ. */
	CHECK_INT(ct_krb_decode_kdc_req(a, f->got, f->gotlen, &req), 0);
	CHECK_INT(req.msg_type, CT_KRB_MT_TGS_REQ);
	CHECK(req.padata != NULL && req.padata->n == 1 && req.padata->pa[0].type == CT_KRB_PA_TGS_REQ);
	CHECK(req.body.sname != NULL && ct_principal_is_tgs(req.body.sname, "CORP.EXAMPLE.TEST"));
	CHECK(!(req.body.kdc_options & CT_KRB_FLAG(CT_KRB_FLAG_RENEWABLE)));

	/* Garbage, the wrong message type, a truncated error: specific errors. */
	CHECK_ERR(exchange_with(a, &tgt, garbage, sizeof(garbage) - 1, &kerr, &ei, f), CT_ERR_BAD_MSG_TYPE);
	CHECK_ERR(exchange_with(a, &tgt, asrep.data, asrep.len, &kerr, &ei, f), CT_ERR_BAD_MSG_TYPE);
	CHECK(exchange_with(a, &tgt, err.data, err.len - 3, &kerr, &ei, f) < 0);
	CHECK(strstr(ei.msg, "malformed KRB-ERROR") != NULL);
	CHECK_INT(exchange_with(a, &tgt, NULL, 0, &kerr, &ei, f), CT_ERR_BAD_MSG_TYPE);

	/* A TGS-REP that our session key cannot open. */
	CHECK_INT(ct_krb_decode_kdc_rep(a, asrep.data, asrep.len, &rep), 0);
	rep.msg_type = CT_KRB_MT_TGS_REP;
	memset(cipher, 0x41, sizeof(cipher));
	rep.enc_part.cipher.data = cipher;
	rep.enc_part.cipher.len = sizeof(cipher);
	rep.enc_part.etype = 18;
	CHECK_INT(ct_krb_encode_kdc_rep(&bad, &rep), 0);
	CHECK_ERR(exchange_with(a, &tgt, bad.data, bad.len, &kerr, &ei, f), CT_ERR_INTEGRITY);
	CHECK(strstr(ei.msg, "cannot open the TGS-REP") != NULL);

	ct_buf_free(&asrep);
	ct_buf_free(&err);
	ct_buf_free(&bad);
	free(f);
	ct_arena_free(a);
}

static void test_explain(void)
{
	CHECK_STR(ct_krb_error_name(44), "KRB_AP_ERR_BADKEYVER");
	CHECK(strstr(ct_exchange_explain(44), "key version") != NULL);
	CHECK(strstr(ct_exchange_explain(37), "clocks") != NULL);
	CHECK_STR(ct_krb_error_name(9999), "UNKNOWN");
	CHECK(strstr(ct_exchange_explain(9999), "refused") != NULL);
}

int main(void)
{
	CHECK_INT(ct_kcrypto_new(&kc), 0);
	test_locate();
	test_transport();
	test_exchange_replies();
	test_explain();
	ct_kcrypto_free(kc);
	return tap_done();
}
