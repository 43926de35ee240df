/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Every Kerberos message decoder on the same input.  Whatever decodes must
 * encode again, the encoding must decode, and encoding that must give the
 * same bytes (encode is a fixed point after one round).  Bytes kept for
 * verbatim re-encoding (Ticket.der, KDC-REQ body_der) are dropped first so
 * the field encoders run too.
 */
#include <stdlib.h>
#include <string.h>

#include "ct-arena.h"
#include "ct-buf.h"
#include "krb-msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct ct_bytes no_der;

/* Re-encoding may grow a little (5-byte flags, unsigned nonces): room for it. */
#define OUT_CAP (CT_KRB_MAX_MSG * 2)

/* The PAC lookup, for the types that carry authorization data. */
static void find_pac(struct ct_arena *a, const struct ct_krb_authdata *ad)
{
	struct ct_bytes pac;

	if (ad != NULL)
		ct_krb_find_pac(a, ad, &pac);
}

#define ROUNDTRIP(name, type, clear, extra)                                  \
	static void roundtrip_##name(const uint8_t *p, size_t n)                 \
	{                                                                        \
		struct ct_arena *a = ct_arena_new();                             \
		struct ct_buf b1, b2;                                            \
		type m;                                                          \
                                                                                 \
		ct_buf_init(&b1, OUT_CAP);                                       \
		ct_buf_init(&b2, OUT_CAP);                                       \
		if (a == NULL || ct_krb_decode_##name(a, p, n, &m) != 0)         \
			goto out;                                                \
		clear;                                                           \
		extra;                                                           \
		if (ct_krb_encode_##name(&b1, &m) != 0)                          \
			abort();                                                 \
		if (ct_krb_decode_##name(a, b1.data, b1.len, &m) != 0)           \
			abort();                                                 \
		clear;                                                           \
		if (ct_krb_encode_##name(&b2, &m) != 0 || b1.len != b2.len ||    \
		    memcmp(b1.data, b2.data, b1.len) != 0)                       \
			abort();                                                 \
	out:                                                                     \
		ct_buf_free(&b1);                                                \
		ct_buf_free(&b2);                                                \
		ct_arena_free(a);                                                \
	}

ROUNDTRIP(ticket, struct ct_krb_ticket, m.der = no_der, (void)0)
ROUNDTRIP(enc_ticket_part, struct ct_krb_enc_ticket_part, (void)0, find_pac(a, m.authdata))
ROUNDTRIP(kdc_rep, struct ct_krb_kdc_rep, m.ticket.der = no_der, (void)0)
ROUNDTRIP(enc_kdc_rep_part, struct ct_krb_enc_kdc_rep_part, (void)0, (void)0)
ROUNDTRIP(kdc_req, struct ct_krb_kdc_req, m.body_der = no_der, (void)0)
ROUNDTRIP(kdc_req_body, struct ct_krb_kdc_req_body, (void)0, (void)0)
ROUNDTRIP(ap_req, struct ct_krb_ap_req, m.ticket.der = no_der, (void)0)
ROUNDTRIP(authenticator, struct ct_krb_authenticator, (void)0, find_pac(a, m.authdata))
ROUNDTRIP(error, struct ct_krb_error, (void)0, (void)0)
ROUNDTRIP(cred, struct ct_krb_cred, (void)0, (void)0)
ROUNDTRIP(enc_cred_part, struct ct_krb_enc_cred_part, (void)0, (void)0)
ROUNDTRIP(authdata, struct ct_krb_authdata, (void)0, find_pac(a, &m))
ROUNDTRIP(padata_seq, struct ct_krb_padata_seq, (void)0, (void)0)
ROUNDTRIP(principal, struct ct_krb_principal, (void)0, (void)0)
ROUNDTRIP(enc_data, struct ct_krb_enc_data, (void)0, (void)0)
ROUNDTRIP(key, struct ct_krb_key, (void)0, (void)0)
ROUNDTRIP(checksum, struct ct_krb_checksum, (void)0, (void)0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Half the limit, so that a re-encoding that grows still fits it. */
	if (size > CT_KRB_MAX_MSG / 2)
		return 0;
	ct_krb_peek_msg_type(data, size);
	roundtrip_ticket(data, size);
	roundtrip_enc_ticket_part(data, size);
	roundtrip_kdc_rep(data, size);
	roundtrip_enc_kdc_rep_part(data, size);
	roundtrip_kdc_req(data, size);
	roundtrip_kdc_req_body(data, size);
	roundtrip_ap_req(data, size);
	roundtrip_authenticator(data, size);
	roundtrip_error(data, size);
	roundtrip_cred(data, size);
	roundtrip_enc_cred_part(data, size);
	roundtrip_authdata(data, size);
	roundtrip_padata_seq(data, size);
	roundtrip_principal(data, size);
	roundtrip_enc_data(data, size);
	roundtrip_key(data, size);
	roundtrip_checksum(data, size);
	return 0;
}
