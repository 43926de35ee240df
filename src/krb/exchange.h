/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The exchange: a TGS-REQ for krbtgt/REALM sent with the partial TGT to a
 * writable DC, which answers with a full TGT (or a KRB-ERROR we explain).
 */
#ifndef CT_EXCHANGE_H
#define CT_EXCHANGE_H

#include <stdint.h>

#include "creds.h"
#include "ct-buf.h"
#include "ct-error.h"
#include "kcrypto.h"

struct ct_kdc_addr {
	char host[256];
	char port[8];
};

/*
 * Finds a KDC for realm: the explicit "host[:port]" when given, else the
 * first `kdc` of [realms] REALM in krb5.conf (KRB5_CONFIG honoured).
 * Returns 0, CT_ERR_NOT_FOUND (no KDC configured), CT_ERR_INVALID_ARG.
 */
int ct_kdc_locate(const char *realm, const char *explicit_kdc,
		  struct ct_kdc_addr *out, struct ct_errinfo *ei);

/*
 * Sends one Kerberos message over TCP (RFC 4120 §7.2.2 framing) and reads
 * the reply into reply (capped at CT_KRB_MAX_MSG).  Returns 0, CT_ERR_NETWORK,
 * CT_ERR_TIMEOUT, CT_ERR_TOO_LARGE; detail in ei.
 */
int ct_kdc_sendto(const struct ct_kdc_addr *kdc, const uint8_t *msg,
		  size_t len, int timeout_ms, struct ct_buf *reply,
		  struct ct_errinfo *ei);

/* What a KDC said when it refused. */
struct ct_kdc_error {
	int32_t code;      /* KRB-ERROR error-code, 0 when none */
	char e_text[256];  /* the KDC's own text, may be empty */
};

/* Kerberos error name ("KDC_ERR_TGT_REVOKED"), or "UNKNOWN". */
const char *ct_krb_error_name(int32_t code);

/*
 * What an administrator should make of a KDC error on the exchange of a
 * partial TGT.  Returns a static string.
 */
const char *ct_exchange_explain(int32_t code);

struct ct_exchange_opts {
	const char *kdc;     /* "host[:port]" or NULL for krb5.conf */
	int timeout_ms;      /* 0 = 10 s */
	struct ct_buf *req_out;  /* opt: receives the TGS-REQ DER (tests, tshark) */
	struct ct_buf *rep_out;  /* opt: receives the reply DER */
};

/*
 * Exchanges tgt (a partial TGT) for a full TGT of the same realm.  On
 * success fills *full (in the arena).  On a KRB-ERROR returns
 * CT_ERR_KDC_ERROR, fills *kerr and writes the explanation to ei.  Other
 * errors: CT_ERR_NETWORK, CT_ERR_TIMEOUT, CT_ERR_NOT_FOUND (no KDC), a DER
 * error or CT_ERR_INTEGRITY / CT_ERR_MISMATCH for a reply that does not
 * belong to our request.
 */
int ct_exchange_partial_tgt(struct ct_kcrypto *kc, struct ct_arena *a,
			    const struct ct_krb_creds *tgt,
			    const struct ct_exchange_opts *opts,
			    struct ct_krb_creds *full, struct ct_kdc_error *kerr,
			    struct ct_errinfo *ei);

#endif
