/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internal to the client library: the pieces of sign-in and renewal that
 * doctor reuses.
 */
#ifndef CT_CL_LOGON_H
#define CT_CL_LOGON_H

#include <stdbool.h>

#include "cl-internal.h"
#include "creds.h"

/*
 * Renews st's PRT (§7) into *out (free with cl_prt_reply_free); checks the
 * reply carries st's session key.  With save, the new PRT goes into st and
 * its file.  CT_ERR_NOT_FOUND when st holds no live PRT.
 */
int cl_renew_prt(struct ct_client *c, struct cl_user_state *st, bool save,
		 struct cl_prt_reply *out, struct ct_logon_result *res,
		 struct ct_errinfo *ei);

/* Opens tgt_ad (ISSUED) with the session key into the partial TGT's creds. */
int cl_open_partial_tgt(struct ct_kcrypto *kc, struct ct_arena *a,
			const struct cl_tgt_ad *t, const uint8_t *sk, size_t sklen,
			struct ct_krb_creds *out, struct ct_errinfo *ei);

#endif
