/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The device's and the users' state files (docs/CLIENT.md "Files"):
 *
 *   STATE/device.json        what the join gave: server, tenant, device id
 *   STATE/users/<upn>.json   per user: local name and uid, Hello key id,
 *                            keystore kind, PRT, its session key and expiry
 *
 * Both are JSON objects with "version": 1 that this module writes and reads
 * back with strict decoders: every member is known and typed, strings are
 * bounded and printable, ids have their exact form; anything else is
 * refused (CT_ERR_BAD_VALUE and friends), never "repaired".  Files are
 * written atomically, mode 0600, in the 0700 root-owned state directory
 * (cl-safefile.h checks it).
 *
 * The structs own no pointers: fixed arrays, so a state is copied and
 * cleared with memset.  The user state holds secrets (PRT, session key);
 * wipe it with cl_user_state_clear.
 */
#ifndef CT_CL_STATE_H
#define CT_CL_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cl-limits.h"
#include "ct-error.h"

#define CL_STATE_VERSION 1

/* File names under the state directory. */
#define CL_DEVICE_FILE "device.json"
#define CL_DEVICE_KEY_FILE "device-key.pem"
#define CL_TRANSPORT_KEY_FILE "transport-key.pem"
#define CL_DEVICE_CERT_FILE "device-cert.pem"
#define CL_SERVER_CA_FILE "server-ca.pem"
#define CL_POLICY_CACHE_FILE "policy-cache.json"
#define CL_USERS_DIR "users"
#define CL_HELLO_DIR "hello"

struct cl_device_state {
	char server_url[CT_CL_MAX_URL + 1];
	char tenant_id[CT_CL_MAX_ID + 1];
	char device_id[CT_CL_MAX_ID + 1];
	char thumbprint[CT_CL_MAX_ID + 1];   /* SHA-1 of the certificate, hex */
	char joined_by[CT_CL_MAX_UPN + 1];   /* the UPN whose token joined */
	char display_name[CT_CL_MAX_NAME + 1];
	char keystore[8];                    /* "tpm" or "soft" */
	char tcti[CT_CL_MAX_TCTI + 1];       /* "" = the default TPM */
	int64_t join_time;
};

struct cl_user_state {
	char user[CT_CL_MAX_USER + 1];       /* local user name */
	uint32_t uid;
	char upn[CT_CL_MAX_UPN + 1];
	char kid[64];                        /* MS-KPP kid, base64 of SHA-256 */
	char key_label[CT_CL_MAX_LABEL + 1]; /* the key's name in the keystore */
	char keystore[8];                    /* "tpm" or "soft" */
	int64_t enrolled;                    /* when the key was registered */
	int64_t pin_set;                     /* when the PIN was last set */
	/* The PRT: present when has_prt. */
	bool has_prt;
	char prt[CT_CL_MAX_PRT + 1];
	uint8_t session_key[CT_CL_SESSION_KEY_LEN];
	int64_t prt_issued, prt_expiry;
	/* The last full TGT written for this user (for status). */
	int64_t tgt_expiry;
	char ccache[256];
};

/* True for the keystore names the state may hold. */
bool cl_keystore_name_ok(const char *s);

/* A GUID in its 36-character text form (8-4-4-4-12 hex digits, any case). */
bool cl_guid_ok(const char *s);

/*
 * A UPN the client accepts: 3..CT_CL_MAX_UPN bytes of printable ASCII, no
 * '/', '\\' or whitespace, exactly one '@' with text on both sides, not
 * starting with '.'.  (It names a file, so this is deliberately narrow.)
 */
bool cl_upn_ok(const char *upn);

/* A local user name: 1..CT_CL_MAX_USER bytes of [A-Za-z0-9._@$-], not
 * starting with '-' or '.' (POSIX names, plus '@' and '$' that directory
 * users and machine accounts carry). */
bool cl_user_name_ok(const char *name);

/*
 * Decoders of the file contents p[0..n).  Return 0 and fill *out, or
 * CT_ERR_BAD_JSON / CT_ERR_JSON_TYPE / CT_ERR_MISSING_FIELD /
 * CT_ERR_BAD_VALUE / CT_ERR_TOO_LARGE with the member named in ei.  *out is
 * written only on success (cl_user_state_parse wipes what it built
 * otherwise).
 */
int cl_device_state_parse(const void *p, size_t n, struct cl_device_state *out,
			  struct ct_errinfo *ei);
int cl_user_state_parse(const void *p, size_t n, struct cl_user_state *out,
			struct ct_errinfo *ei);

/*
 * Encoders: a new NUL-terminated JSON text in *out (the caller frees it;
 * for a user state with ct_erase_free_str: it holds the session key).
 * Return 0, CT_ERR_BAD_VALUE (a field the decoder would refuse: what we
 * write we can read), CT_ERR_NOMEM.
 */
int cl_device_state_format(const struct cl_device_state *s, char **out,
			   struct ct_errinfo *ei);
int cl_user_state_format(const struct cl_user_state *s, char **out,
			 struct ct_errinfo *ei);

/*
 * Load and save under the state directory dir.  Loading a missing file is
 * CT_ERR_NOT_FOUND (device: the device is not joined); saving creates
 * users/ as needed.  Errors as cl-safefile.h and the decoders.
 */
int cl_device_state_load(const char *dir, struct cl_device_state *out,
			 struct ct_errinfo *ei);
int cl_device_state_save(const char *dir, const struct cl_device_state *s,
			 struct ct_errinfo *ei);

int cl_user_state_load_upn(const char *dir, const char *upn,
			   struct cl_user_state *out, struct ct_errinfo *ei);
/*
 * Finds the state of local user name (scanning users/; the first file in
 * name order that names the user, so two UPNs for one local user is an
 * error: CT_ERR_CONFLICT).  CT_ERR_NOT_FOUND when none does.
 */
int cl_user_state_load_user(const char *dir, const char *user,
			    struct cl_user_state *out, struct ct_errinfo *ei);
int cl_user_state_save(const char *dir, const struct cl_user_state *s,
		       struct ct_errinfo *ei);
int cl_user_state_remove(const char *dir, const char *upn,
			 struct ct_errinfo *ei);

/*
 * Lists the UPNs with a user state: calls fn for each valid file (in name
 * order) until fn returns non-zero, which is then returned.  Files that do
 * not decode are skipped and counted in *bad (may be NULL).
 */
int cl_user_state_foreach(const char *dir,
			  int (*fn)(const struct cl_user_state *s, void *arg),
			  void *arg, unsigned *bad, struct ct_errinfo *ei);

/* Wipes a user state (PRT and session key). */
void cl_user_state_clear(struct cl_user_state *s);

/* users/<lower-cased upn>.json under dir into out. */
int cl_user_state_path(const char *dir, const char *upn, char *out,
		       size_t outlen);

#endif
