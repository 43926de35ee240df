/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Issuing tgt_ad: the partial TGT for a user's on-prem identity, minted with
 * the primary key of the Kerberos server object of the user's AD domain, and
 * its reply key wrapped for the device under the PRT session key.
 */
#ifndef CT_KRBISSUE_H
#define CT_KRBISSUE_H

#include <jansson.h>

#include "app.h"
#include "store.h"
#include "tokens.h"

/*
 * Builds the tgt_ad object for user.  Always returns a new JSON object in
 * *out when it returns 0: either the ticket or {"error", "error_description"}
 * (no_onprem_identity, denied_account, no_kerberos_server, no_key); *reason
 * is a static string for the audit trail ("issued" or the error).  Returns
 * a negative code only for internal failures (detail in ei).
 */
int ct_krbissue_tgt_ad(struct ct_worker *w, const struct ct_store_user *user,
		       const uint8_t session_key[CT_SESSION_KEY_LEN],
		       json_t **out, const char **reason, struct ct_errinfo *ei);

/* True for accounts the cloud never mints a partial TGT for (built-in RIDs < 1000). */
bool ct_krbissue_denied_sid(const char *sid);

#endif
