/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzzes the client's decoders of cloudtrustd's replies (cl-proto.h).  The
 * first byte picks the reply: 'd' discovery, 'n' nonce, 't' token, 'j'
 * join, 'k' key registration, 'p' PRT (and renewal), 'e' an error body
 * (the second byte is the HTTP status - 300); other bytes pick by value
 * modulo 7.  The rest is the body.  The seeds in corpus/client-reply are
 * real replies captured from cloudtrustd (tests/client/lib/capture-replies.py).
 *
 * Beyond memory safety it checks the promises of the decoders: an error's
 * description holds no control character, a decoded join reply's
 * thumbprint is 40 upper-case hex digits, a nonce is 43 base64url
 * characters, and a decoded PRT reply's messageBuffer is non-empty.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cl-proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char kinds[] = "dntjkpe";

static void check_shown(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			abort();
}

static void prt(const uint8_t *body, size_t len)
{
	static const uint8_t sk[CT_CL_SESSION_KEY_LEN] = {1, 2, 3};
	struct cl_prt_reply p;
	struct ct_buf key;

	if (cl_reply_prt(body, len, &p, NULL) != 0)
		return;
	if (p.prt == NULL || p.session_key_jwe == NULL)
		abort();
	if (p.tgt_ad.state == CL_TGT_ISSUED) {
		if (p.tgt_ad.as_rep == NULL || p.tgt_ad.realm == NULL)
			abort();
		/* The clientKey JWE parser and the session-key KDF on hostile input. */
		ct_buf_init(&key, CT_KRB_MAX_KEY);
		cl_open_client_key(p.tgt_ad.client_key, sk, sizeof(sk), &key, NULL);
		ct_buf_free(&key);
	} else if (p.tgt_ad.state == CL_TGT_ERROR) {
		check_shown(p.tgt_ad.error_description);
	}
	cl_prt_reply_free(&p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *k;
	const uint8_t *body;
	size_t len;
	int kind;

	if (size < 1)
		return 0;
	k = memchr(kinds, data[0], sizeof(kinds) - 1);
	kind = k != NULL ? (int)(k - kinds) : data[0] % 7;
	body = data + 1;
	len = size - 1;
	switch (kinds[kind]) {
	case 'd': {
		struct cl_discovery d;

		if (cl_reply_discovery(body, len, &d, NULL) == 0 && strlen(d.tenant_id) != 36)
			abort();
		break;
	}
	case 'n': {
		char nonce[64];

		if (cl_reply_nonce(body, len, nonce, sizeof(nonce), NULL) == 0 &&
		    strlen(nonce) != 43)
			abort();
		break;
	}
	case 't': {
		struct cl_token_reply t;

		if (cl_reply_token(body, len, &t, NULL) == 0) {
			if (t.access_token == NULL || t.expires_in <= 0)
				abort();
			cl_token_reply_free(&t);
		}
		break;
	}
	case 'j': {
		struct cl_join_reply j;

		if (cl_reply_join(body, len, &j, NULL) == 0) {
			if (strlen(j.thumbprint) != 40 || strspn(j.thumbprint, "0123456789ABCDEF") != 40 ||
			    j.cert_len == 0)
				abort();
			cl_join_reply_free(&j);
		}
		break;
	}
	case 'k': {
		char kid[64];

		if (cl_reply_kpp(body, len, kid, sizeof(kid), NULL) == 0 && strlen(kid) != 44)
			abort();
		break;
	}
	case 'p':
		prt(body, len);
		break;
	default: {
		struct cl_oauth_error e;

		if (len < 1)
			return 0;
		cl_reply_error(300 + body[0], body + 1, len - 1, &e);
		check_shown(e.error);
		check_shown(e.description);
		break;
	}
	}
	return 0;
}
