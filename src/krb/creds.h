/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Client-side credentials: what a device holds after it opens an AS-REP or a
 * TGS-REP, and how they go in and out of an MIT credential cache.
 */
#ifndef CT_CREDS_H
#define CT_CREDS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "ct-arena.h"
#include "ct-error.h"
#include "kcrypto.h"
#include "krb-msg.h"

/* Everything points into the arena the creds were made in. */
struct ct_krb_creds {
	char *client_realm;
	struct ct_krb_principal client;
	char *server_realm;
	struct ct_krb_principal server;
	struct ct_krb_key session_key;
	uint32_t flags;
	time_t authtime, starttime, endtime, renew_till;
	struct ct_bytes ticket; /* DER of the Ticket */
	int32_t ticket_kvno;    /* from the ticket's enc-part (signed) */
	int32_t ticket_etype;
};

/*
 * Opens an AS-REP (usually a partial TGT from the cloud) with its reply key:
 * decodes it, decrypts the enc-part (usage 3), and checks that it is a
 * ticket-granting ticket for the client it names, still valid at now.
 * Returns 0, a DER error (malformed), CT_ERR_BAD_MSG_TYPE, CT_ERR_INTEGRITY
 * (wrong reply key), CT_ERR_MISMATCH (names disagree), CT_ERR_BAD_VALUE
 * (expired or inconsistent times); detail in ei.
 */
int ct_creds_from_as_rep(struct ct_kcrypto *kc, struct ct_arena *a,
			 const uint8_t *der, size_t len,
			 const struct ct_krb_key *reply_key, time_t now,
			 struct ct_krb_creds *out, struct ct_errinfo *ei);

/*
 * Fills *out from a decoded KDC reply and its opened enc-part; everything
 * points into their arena.
 */
void ct_creds_from_reply(const struct ct_krb_kdc_rep *rep,
			 const struct ct_krb_enc_kdc_rep_part *ekp,
			 struct ct_krb_creds *out);

/* Formats "name/inst@REALM" into buf; returns buf. */
char *ct_principal_unparse(const struct ct_krb_principal *p, const char *realm,
			   char *buf, size_t buflen);

/* True when p is krbtgt/<realm> (the TGS of realm). */
bool ct_principal_is_tgs(const struct ct_krb_principal *p, const char *realm);

/* True when the two names have the same type-independent components. */
bool ct_principal_eq(const struct ct_krb_principal *a,
		     const struct ct_krb_principal *b);

/*
 * Where and for whom a cache file is written.  A cache is always replaced as
 * a whole: written to a fresh file beside it, then renamed over it, so a
 * reader sees the old cache or the new one, never half of either.
 */
struct ct_ccache_target {
	const char *path; /* file path, or "FILE:path" */
	uid_t uid;        /* owner; the caller's euid unless root writes for a user */
	gid_t gid;
};

/*
 * Writes creds as the only credentials of a new cache at target (default
 * principal = the creds' client).  The file is mode 0600 and owned by
 * target->uid.  Refuses (CT_ERR_UNSAFE_PATH) a directory that another user
 * can write without the sticky bit, or one owned by someone other than root
 * or the target user, and a final path that is not a regular file of the
 * target user.  When running as root for another user, the file is created
 * with that user's effective ids.  Returns 0, CT_ERR_UNSAFE_PATH,
 * CT_ERR_CCACHE, CT_ERR_IO, CT_ERR_PERMISSION; detail in ei.
 */
int ct_ccache_write(const struct ct_ccache_target *target,
		    const struct ct_krb_creds *creds, struct ct_errinfo *ei);

/*
 * Reads the TGT for the cache's default principal's realm (krbtgt/REALM@REALM)
 * from the cache at path, into the arena.  Returns 0, CT_ERR_NOT_FOUND,
 * CT_ERR_CCACHE; detail in ei.
 */
int ct_ccache_read_tgt(struct ct_arena *a, const char *path,
		       struct ct_krb_creds *out, struct ct_errinfo *ei);

#endif
