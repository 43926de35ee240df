/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Minting a partial TGT: the AS-REP the cloud service hands a device, with a
 * ticket for krbtgt/REALM encrypted under the Kerberos server object's key
 * (an RODC-style krbtgt_N key) and an enc-part encrypted under a fresh reply
 * key (the `clientKey` of tgt_ad).
 *
 * This is the one module that uses the krbtgt_N key; it never stores it.
 */
#ifndef CT_MINT_H
#define CT_MINT_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "ct-arena.h"
#include "ct-buf.h"
#include "ct-error.h"
#include "kcrypto.h"
#include "krb-msg.h"
#include "pac.h"

/* Windows and Samba cap TGT lifetime at 10 h; so do we by default. */
#define CT_MINT_DEFAULT_LIFETIME (10 * 3600)
#define CT_MINT_MAX_LIFETIME (7 * 24 * 3600)

struct ct_mint_request {
	const char *realm;          /* AD realm, upper case: CORP.EXAMPLE.TEST */
	const char *account_name;   /* sAMAccountName: alice */
	const char *user_sid;       /* S-1-5-21-...-1103 */
	const char *upn;            /* opt: alice@corp.example.test */
	const char *netbios_domain; /* opt: CORP */
	const struct ct_krb_key *krbtgt_key; /* the Kerberos server object's key */
	uint16_t key_version;       /* msDS-KeyVersionNumber of krbtgt_N (low 16 bits) */
	uint16_t rodc_id;           /* N of krbtgt_N; kvno = N << 16 | key_version */
	int32_t session_enctype;    /* enctype of session and reply keys; 0 = 18 */
	time_t authtime;            /* 0 = now */
	int64_t lifetime;           /* seconds; 0 = CT_MINT_DEFAULT_LIFETIME */
	int64_t renew_lifetime;     /* seconds; 0 = not renewable */
	int64_t start_delay;        /* seconds after authtime the ticket starts (tests) */
	uint32_t nonce;             /* echoed in EncASRepPart; 0 = random */
	bool omit_pac;              /* tests: mint a ticket with no PAC */
	struct ct_pac_options pac;  /* tests: leave out PAC buffers */
};

/*
 * Mints the AS-REP.  Appends its DER to as_rep and fills *reply_key (value
 * allocated from a) with the key that decrypts the AS-REP's enc-part (usage 3).
 * Returns 0, CT_ERR_INVALID_ARG (bad SID, realm, lifetime; detail in ei),
 * CT_ERR_UNSUPPORTED_ENCTYPE, CT_ERR_CRYPTO, CT_ERR_NOMEM, CT_ERR_TOO_LARGE.
 */
int ct_mint_partial_tgt(struct ct_kcrypto *kc, struct ct_arena *a,
			const struct ct_mint_request *req, struct ct_buf *as_rep,
			struct ct_krb_key *reply_key, struct ct_errinfo *ei);

/* The RODC-style kvno: N in the high 16 bits, key version in the low 16, as a signed int32. */
int32_t ct_rodc_kvno(uint16_t rodc_id, uint16_t key_version);

#endif
