/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The client library's top: one handle over the client config, the device
 * state and the keystore, and the flows a user or an administrator starts.
 * The cloudtrust command and pam_cloudtrust.so are thin shells over this.
 *
 * Every function returns 0 or a CT_ERR_* code with a sentence for a human in
 * ei.  Nothing here prints; events go through the local layer's event log.
 * PINs, passwords and codes are borrowed for the call and never kept.
 *
 * Errors every network flow can give: CT_ERR_NOT_JOINED, CT_ERR_NETWORK /
 * CT_ERR_TIMEOUT (server unreachable), CT_ERR_CERT_UNTRUSTED (its TLS
 * certificate does not verify), CT_ERR_REFUSED (the server said no; ei says
 * what it said), CT_ERR_BAD_JSON and friends (a reply we cannot read).
 */
#ifndef CT_CLIENT_H
#define CT_CLIENT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "cl-policy.h"
#include "ct-error.h"

struct ct_client;

/* Opens the client: reads the config (NULL = /etc/cloudtrust/client.conf,
 * or $CLOUDTRUST_CLIENT_CONF), the device state if joined, and the local
 * policy file.  Not being joined is not an error here. */
int ct_client_open(const char *config_path, struct ct_client **out,
		   struct ct_errinfo *ei);
void ct_client_close(struct ct_client *c);

/* True when device.json was read at open (or written by a join since). */
bool ct_client_joined(const struct ct_client *c);
/* The state directory of the config (static for the handle's life). */
const char *ct_client_state_dir(const struct ct_client *c);

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
 *
 * With the config's offline_logon and the server unreachable, the PIN is
 * checked against the Hello key alone: 0 with res->offline set, no PRT and
 * no new ticket.
 */
int ct_client_logon(struct ct_client *c, const char *user, const char *pin,
		    uid_t uid, gid_t gid, struct ct_logon_result *res,
		    struct ct_errinfo *ei);

/*
 * Renews the PRT of `user` with its session key (PROTOCOL.md §7, no PIN)
 * and, with UseCloudTrustForOnPremAuth on, exchanges the fresh partial TGT
 * for a fresh full TGT in the user's cache.  Root only (the session key is
 * root's).  Errors as ct_client_logon except the PIN ones; CT_ERR_NOT_FOUND
 * when the user holds no PRT (sign in first).
 */
int ct_client_refresh(struct ct_client *c, const char *user, uid_t uid,
		      gid_t gid, struct ct_logon_result *res,
		      struct ct_errinfo *ei);

/* ---- join and leave ---- */

struct ct_join_opts {
	const char *server_url;   /* https://...; NULL: the config's */
	const char *tenant_id;    /* the tenant's GUID */
	const char *ca_file;      /* PEM CA the server's TLS chains to; NULL: the config's */
	const char *upn;          /* the user who joins (and owns the device) */
	const char *password;
	const char *otp;          /* the current TOTP code */
	const char *display_name; /* NULL: the host name */
	const char *keystore;     /* "tpm", "soft" or NULL for the config's choice */
};

struct ct_join_result {
	char device_id[40];
	char thumbprint[44];
	char keystore[8];
	bool policy_fetched;
	char note[256];           /* what did not work besides the join itself */
};

/*
 * Joins the device (PROTOCOL.md §3, §4): password + TOTP for a token, a new
 * P-256 device key and RSA-2048 transport key, the join, then the state
 * files and the first policy fetch.  Errors: CT_ERR_CONFLICT (already
 * joined: leave first), CT_ERR_NOT_FOUND (unknown tenant), CT_ERR_REFUSED,
 * CT_ERR_KEYSTORE (a TPM was asked for and none answers), the network ones.
 */
int ct_client_join(struct ct_client *c, const struct ct_join_opts *opt,
		   struct ct_join_result *res, struct ct_errinfo *ei);

struct ct_leave_result {
	bool server_deleted;      /* the service removed the device and its keys */
	unsigned users_removed;
	char note[512];           /* what the administrator must still do */
};

/*
 * Leaves: asks the service to remove this device and its Hello keys
 * (PROTOCOL.md §4b), then deletes every Hello key, user state, the device
 * keys, the device state and the policy cache.  Service unreachable:
 * CT_ERR_NETWORK and nothing changes.  A service that no longer accepts the
 * device (removed or disabled) does not stop the local removal; res->note
 * says what the administrator may still do.  Errors: CT_ERR_NOT_JOINED,
 * CT_ERR_IO, the network ones.
 */
int ct_client_leave(struct ct_client *c, struct ct_leave_result *res,
		    struct ct_errinfo *ei);

/* ---- policy ---- */

/*
 * The effective policy: defaults, the cloud policy, the local file over it.
 * With fetch, asks the server first (for upn's groups when upn is given)
 * and updates the cache; without, uses the cached cloud policy.  A failed
 * fetch is an error here (the caller decides whether the cache will do).
 */
int ct_client_policy(struct ct_client *c, const char *upn, bool fetch,
		     struct ct_policy *out, struct ct_errinfo *ei);

/* ---- Hello enrollment and PINs ---- */

struct ct_enroll_opts {
	const char *user;         /* local user name */
	uid_t uid;
	const char *upn;          /* the cloud identity */
	const char *password;
	const char *otp;
	const char *pin;          /* already confirmed (typed twice) by the caller */
};

struct ct_enroll_result {
	char kid[48];
	char keystore[8];
};

/*
 * Enrolls a Hello key after MFA (PROTOCOL.md §3, §5): fetches the policy
 * (CT_ERR_DENIED when UsePassportForWork is off, or RequireSecurityDevice
 * is on and the keystore is soft), checks the PIN (CT_ERR_PIN_POLICY with
 * the rule in ei), signs in with password + TOTP bound to this device,
 * makes the key and registers it, then saves the user state.  A user
 * already enrolled gets a new key (the old one is deleted once the new one
 * is registered).  Errors also: CT_ERR_REFUSED (wrong password or code,
 * stale MFA, throttled), CT_ERR_KEYSTORE.
 */
int ct_client_enroll(struct ct_client *c, const struct ct_enroll_opts *opt,
		     struct ct_enroll_result *res, struct ct_errinfo *ei);

/*
 * Changes the PIN of user's Hello key: the old PIN must be right
 * (CT_ERR_PIN_WRONG / CT_ERR_PIN_LOCKED), the new one must meet the
 * effective (cached) policy (CT_ERR_PIN_POLICY).  Local only.
 */
int ct_client_pin_change(struct ct_client *c, const char *user,
			 const char *old_pin, const char *new_pin,
			 struct ct_errinfo *ei);

/*
 * Resets a forgotten or locked PIN: MFA again (password + TOTP), a new key
 * under the new PIN, registered like an enrollment; the old key is
 * deleted.  Errors as ct_client_enroll.
 */
int ct_client_pin_reset(struct ct_client *c, const char *user,
			const char *password, const char *otp,
			const char *new_pin, struct ct_errinfo *ei);

/* ---- status, doctor ---- */

/*
 * What the device and the user hold, like dsregcmd /status, as a JSON
 * object (a new reference) with sections "device", "tenant", "sso",
 * "hello", "policy" (docs/man/cloudtrust.1 lists the members).  user may be
 * NULL (device only).  Works for any caller: what a non-root caller cannot
 * read is reported as unknown, never guessed.  No secret is included.
 */
int ct_client_status(struct ct_client *c, const char *user, uid_t uid,
		     json_t **out, struct ct_errinfo *ei);

enum ct_doctor_check_id {
	CT_DOCTOR_SERVER_REACHABLE = 0,
	CT_DOCTOR_TLS,
	CT_DOCTOR_DEVICE,
	CT_DOCTOR_ONPREM_IDENTITY,
	CT_DOCTOR_KERBEROS_SERVER,
	CT_DOCTOR_DC_REACHABLE,
	CT_DOCTOR_CLOCK,
	CT_DOCTOR_POLICY,
	CT_DOCTOR_EXCHANGE,
	CT_DOCTOR_CHECK_COUNT
};

struct ct_doctor_check {
	enum ct_doctor_check_id id;
	const char *name;         /* "server reachable", static */
	bool ok;
	char detail[512];         /* what was seen */
	char hint[512];           /* what to do, when not ok */
};

/* Called once per check, in order, as it completes. */
typedef void (*ct_doctor_cb)(const struct ct_doctor_check *chk, void *arg);

/*
 * Runs the prerequisite checks in order (server reachable, TLS valid,
 * device known and enabled, user has an on-prem identity, domain has a
 * Kerberos server object, DC reachable, clock skew under 5 minutes against
 * the server and the DC, UseCloudTrustForOnPremAuth on, exchange works)
 * and stops at the first failure.  The user checks renew the user's PRT
 * (root; no PIN) and exchange the fresh partial TGT without writing a
 * cache.  user may be NULL (device checks only).  Returns 0 when every
 * check ran and passed, CT_ERR_DENIED naming the failed check otherwise
 * (each check's detail went to cb).
 */
int ct_client_doctor(struct ct_client *c, const char *user, ct_doctor_cb cb,
		     void *arg, struct ct_errinfo *ei);

#endif
