/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The client library's top: one handle over the client config, the device
 * state and the keystore, and the flows a user or an administrator starts.
 * The cloudtrust command and pam_cloudtrust.so are thin shells over this.
 *
 * Every function returns 0 or a CT_ERR_* code with a sentence for a human in
 * ei.  Nothing here prints; events go through the local layer's event log.
 */
#ifndef CT_CLIENT_H
#define CT_CLIENT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "ct-error.h"

struct ct_client;

/* Opens the client: reads the config (NULL = /etc/cloudtrust/client.conf,
 * or $CLOUDTRUST_CLIENT_CONF), the device state if joined, and the local
 * policy file.  Not being joined is not an error here. */
int ct_client_open(const char *config_path, struct ct_client **out,
		   struct ct_errinfo *ei);
void ct_client_close(struct ct_client *c);

struct ct_logon_result {
	char upn[256];
	char ccache[4096];      /* where the TGT went ("FILE:/tmp/krb5cc_1001") */
	bool prt;               /* a PRT was obtained */
	bool partial_tgt;       /* the reply carried tgt_ad */
	bool full_tgt;          /* the DC exchanged it; cache written */
	bool offline;           /* server unreachable; PIN checked locally only */
	char tgt_note[256];     /* why there is no full TGT, when there is none */
	int32_t krb_error;      /* the DC's error code, 0 if none */
	time_t prt_expiry, tgt_expiry;
};

/*
 * PIN sign-in for the local user `user` (enrolled earlier): PIN -> Hello key
 * -> nonce -> PRT (tgt=true) -> when UseCloudTrustForOnPremAuth: exchange at
 * a writable DC -> full TGT in the user's cache, written with uid/gid.
 * CT_ERR_PIN_WRONG, CT_ERR_PIN_LOCKED, CT_ERR_NOT_ENROLLED, CT_ERR_NOT_JOINED,
 * CT_ERR_NETWORK / CT_ERR_TIMEOUT (server unreachable), CT_ERR_REFUSED /
 * CT_ERR_DENIED (the server said no: disabled user or device...),
 * CT_ERR_KDC_ERROR (the DC refused: res->krb_error, nothing written).
 */
int ct_client_logon(struct ct_client *c, const char *user, const char *pin,
		    uid_t uid, gid_t gid, struct ct_logon_result *res,
		    struct ct_errinfo *ei);

#endif
