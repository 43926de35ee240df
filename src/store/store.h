/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The storage interface of cloudtrustd: the only place that knows where
 * state lives.  Callers see typed records and CT_ERR_* codes; which database
 * holds them (SQLite today, PostgreSQL later) is chosen by the URL given to
 * ct_store_open() and is invisible everywhere else.
 *
 * Ownership.  Every record a function returns is written into the arena the
 * caller passes: strings, blobs and arrays all point into it, and
 * ct_arena_free() wipes and releases them together (so sealed blobs need no
 * separate care).  A list with no rows may come back as a NULL array with
 * count 0.  Records passed in are borrowed for the call only; the arena and
 * output pointers must not be NULL.
 *
 * Threads.  A handle is not thread-safe: open one per thread (cloudtrustd
 * keeps one per HTTP worker).  Handles in any number of threads or processes
 * may share one database; every method is atomic on its own, and
 * ct_store_begin() groups several into one all-or-nothing change.
 *
 * Times.  created/updated/last_seen are stamped by the store from the system
 * clock (unix seconds).  Times with protocol meaning (nonce expiry, failure
 * times, key_updated_on, audit times) are given by the caller.
 *
 * Text.  Every string is UTF-8, capped by a CT_STORE_MAX_* constant from
 * ct-limits.h and may not contain control characters (free-text fields
 * may contain tab, CR and LF).  Required strings may not be empty.  An
 * invalid value is refused with CT_ERR_INVALID_ARG before any backend sees it.
 *
 * Errors common to every method: CT_ERR_INVALID_ARG (bad input),
 * CT_ERR_NOMEM (out of memory or the arena's cap), CT_ERR_BUSY (the database
 * stayed locked for the busy timeout; retry), CT_ERR_IO, CT_ERR_PERMISSION
 * (read-only database), CT_ERR_STORE (any other database failure).  Detail
 * is always in ei.
 */
#ifndef CT_STORE_H
#define CT_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ct-arena.h"
#include "ct-error.h"

struct ct_store;

/* Bytes: borrowed on input; on output they point into the caller's arena. */
struct ct_store_blob {
	const uint8_t *data;
	size_t len;
};

/* ---- Handle and transactions ---- */

/*
 * Opens the store at url: "sqlite:/path/to/db", "sqlite:///path/to/db", a
 * bare path, or "sqlite::memory:" (tests and fuzzing only).  A SQLite file is
 * created mode 0600; an existing one must be a regular file (not a symlink)
 * of our euid (or we are root) with no group/other bits.  Missing schema
 * migrations are applied.  Returns 0 and a handle in *out that the caller
 * frees with ct_store_close(); CT_ERR_INVALID_ARG (malformed URL, unknown
 * scheme), CT_ERR_NOT_SUPPORTED (scheme known but not built in),
 * CT_ERR_UNSAFE_PATH, CT_ERR_SCHEMA (database newer than this program),
 * CT_ERR_PERMISSION, CT_ERR_IO, CT_ERR_STORE, CT_ERR_INTERNAL (a backend
 * with a bad vtable).
 */
int ct_store_open(const char *url, struct ct_store **out,
		  struct ct_errinfo *ei);

/* Rolls back an open transaction and closes the handle; NULL is a no-op. */
void ct_store_close(struct ct_store *s);

/* Returns the backend's scheme ("sqlite"), a static string. */
const char *ct_store_backend_name(const struct ct_store *s);

/*
 * Starts a write transaction that takes the database's write lock at once
 * (SQLite: BEGIN IMMEDIATE), so it cannot fail half-way for lock reasons.
 * Transactions do not nest.  If any write inside fails, the transaction can
 * only be rolled back: ct_store_commit() then rolls back and returns that
 * first error, so a multi-step change is never half-written.  Returns 0,
 * CT_ERR_INVALID_ARG (already in a transaction), CT_ERR_BUSY.
 */
int ct_store_begin(struct ct_store *s, struct ct_errinfo *ei);

/* Commits; see ct_store_begin().  CT_ERR_INVALID_ARG when none is open. */
int ct_store_commit(struct ct_store *s, struct ct_errinfo *ei);

/* Rolls back; CT_ERR_INVALID_ARG when no transaction is open. */
int ct_store_rollback(struct ct_store *s, struct ct_errinfo *ei);

/* ---- Tenant ---- */

struct ct_store_tenant {
	const char *id;   /* GUID text */
	const char *name;
	int64_t created;
	const char **domains; /* verified DNS domains, lower case */
	size_t ndomains;
};

/*
 * Creates the tenant (id, name; domains ignored).  One tenant per database:
 * CT_ERR_CONFLICT if one exists.  Every other entity is filed under it, so
 * it must be added first (adds return CT_ERR_NOT_FOUND before).
 */
int ct_store_tenant_add(struct ct_store *s, const struct ct_store_tenant *t,
			struct ct_errinfo *ei);
/* Returns the tenant with its domains into a; CT_ERR_NOT_FOUND if none. */
int ct_store_tenant_get(struct ct_store *s, struct ct_arena *a,
			struct ct_store_tenant *out, struct ct_errinfo *ei);
/* Adds a verified domain (stored lower case); CT_ERR_CONFLICT if known. */
int ct_store_tenant_domain_add(struct ct_store *s, const char *domain,
			       struct ct_errinfo *ei);
/* Removes a verified domain; CT_ERR_NOT_FOUND if it is not one. */
int ct_store_tenant_domain_remove(struct ct_store *s, const char *domain,
				  struct ct_errinfo *ei);

/* ---- Users ---- */

/* The on-premises AD identity of a user; all NULL when not synced. */
struct ct_store_onprem {
	const char *sam_account_name;
	const char *domain_name;
	const char *sid;
	const char *upn;
};

struct ct_store_user {
	int64_t id;
	const char *upn; /* unique, ASCII case-insensitive */
	const char *display_name;
	bool enabled;
	const char *password_hash; /* Argon2id encoded string, or NULL */
	struct ct_store_blob totp_secret; /* sealed by the caller; len 0 = none */
	int64_t totp_last_step;
	struct ct_store_onprem onprem;
	int64_t created, updated;
};

/*
 * Adds a user from upn, display_name, enabled, password_hash, totp_secret
 * and onprem (other fields are ignored; totp_last_step starts at 0).  Returns
 * 0 and the new id in *id_out; CT_ERR_CONFLICT (upn taken),
 * CT_ERR_NOT_FOUND (no tenant yet).
 */
int ct_store_user_add(struct ct_store *s, const struct ct_store_user *u,
		      int64_t *id_out, struct ct_errinfo *ei);
/* Returns the user into a; CT_ERR_NOT_FOUND. */
int ct_store_user_get(struct ct_store *s, struct ct_arena *a, int64_t id,
		      struct ct_store_user *out, struct ct_errinfo *ei);
/* Returns the user whose upn matches (ASCII case-insensitive); CT_ERR_NOT_FOUND. */
int ct_store_user_get_by_upn(struct ct_store *s, struct ct_arena *a,
			     const char *upn, struct ct_store_user *out,
			     struct ct_errinfo *ei);
/*
 * Returns up to limit (1..CT_STORE_MAX_LIST) users ordered by id, skipping
 * offset, as an array in a (*nout may be 0).
 */
int ct_store_user_list(struct ct_store *s, struct ct_arena *a, size_t limit,
		       size_t offset, struct ct_store_user **out, size_t *nout,
		       struct ct_errinfo *ei);
/* The setters return 0 or CT_ERR_NOT_FOUND (no such user). */
int ct_store_user_set_enabled(struct ct_store *s, int64_t id, bool enabled,
			      struct ct_errinfo *ei);
/* Sets the Argon2id encoded hash; NULL removes the password. */
int ct_store_user_set_password_hash(struct ct_store *s, int64_t id,
				    const char *hash, struct ct_errinfo *ei);
/* Sets the sealed TOTP secret (len 0 removes it); totp_last_step is kept. */
int ct_store_user_set_totp_secret(struct ct_store *s, int64_t id,
				  const struct ct_store_blob *sealed,
				  struct ct_errinfo *ei);
/* Replaces the on-prem identity; NULL members clear the field. */
int ct_store_user_set_onprem(struct ct_store *s, int64_t id,
			     const struct ct_store_onprem *op,
			     struct ct_errinfo *ei);
/*
 * TOTP replay guard: atomically records step as the last used one only if
 * it is greater than the stored one, even with other processes racing.
 * Returns 0, CT_ERR_REPLAY (step <= the stored step: the code was used
 * already), CT_ERR_NOT_FOUND.
 */
int ct_store_user_totp_advance(struct ct_store *s, int64_t id, int64_t step,
			       struct ct_errinfo *ei)
	__attribute__((warn_unused_result));

/* ---- Groups ---- */

struct ct_store_group {
	int64_t id;
	const char *name; /* unique, ASCII case-insensitive */
	int64_t created;
};

/* Adds a group; returns its id in *id_out; CT_ERR_CONFLICT, CT_ERR_NOT_FOUND (no tenant). */
int ct_store_group_add(struct ct_store *s, const char *name, int64_t *id_out,
		       struct ct_errinfo *ei);
/* Returns the group into a; CT_ERR_NOT_FOUND. */
int ct_store_group_get(struct ct_store *s, struct ct_arena *a, int64_t id,
		       struct ct_store_group *out, struct ct_errinfo *ei);
/* Returns the group by name into a; CT_ERR_NOT_FOUND. */
int ct_store_group_get_by_name(struct ct_store *s, struct ct_arena *a,
			       const char *name, struct ct_store_group *out,
			       struct ct_errinfo *ei);
/* Returns up to limit groups ordered by id, skipping offset, into a. */
int ct_store_group_list(struct ct_store *s, struct ct_arena *a, size_t limit,
			size_t offset, struct ct_store_group **out,
			size_t *nout, struct ct_errinfo *ei);
/* Removes a group, its memberships and its group-scoped policies; CT_ERR_NOT_FOUND. */
int ct_store_group_remove(struct ct_store *s, int64_t id,
			  struct ct_errinfo *ei);
/* CT_ERR_CONFLICT (already a member), CT_ERR_NOT_FOUND (no such user or group). */
int ct_store_group_member_add(struct ct_store *s, int64_t group_id,
			      int64_t user_id, struct ct_errinfo *ei);
/* CT_ERR_NOT_FOUND (not a member). */
int ct_store_group_member_remove(struct ct_store *s, int64_t group_id,
				 int64_t user_id, struct ct_errinfo *ei);
/* Returns up to limit member user ids (ascending), skipping offset, into a. */
int ct_store_group_members(struct ct_store *s, struct ct_arena *a,
			   int64_t group_id, size_t limit, size_t offset,
			   int64_t **out, size_t *nout, struct ct_errinfo *ei);
/*
 * Returns the groups of a user ordered by id into a; CT_ERR_TOO_LARGE
 * beyond CT_STORE_MAX_LIST.  An unknown user simply has none.
 */
int ct_store_user_groups(struct ct_store *s, struct ct_arena *a,
			 int64_t user_id, struct ct_store_group **out,
			 size_t *nout, struct ct_errinfo *ei);

/* ---- Devices ---- */

struct ct_store_device {
	const char *id; /* GUID text */
	const char *display_name;
	const char *os_version;
	const char *device_type;
	int32_t join_type;
	int64_t owner_user_id; /* 0: none */
	const char *cert_thumbprint; /* unique, ASCII case-insensitive */
	struct ct_store_blob cert_der;
	struct ct_store_blob transport_key; /* SPKI DER */
	struct ct_store_blob device_key;    /* SPKI DER */
	bool enabled;
	int64_t created;
	int64_t last_seen; /* 0: never */
};

/*
 * Adds a device (created and last_seen are ignored).  Returns 0,
 * CT_ERR_CONFLICT (id or thumbprint taken), CT_ERR_NOT_FOUND (no tenant or
 * no such owner).
 */
int ct_store_device_add(struct ct_store *s, const struct ct_store_device *d,
			struct ct_errinfo *ei);
/* Returns the device into a; CT_ERR_NOT_FOUND. */
int ct_store_device_get(struct ct_store *s, struct ct_arena *a, const char *id,
			struct ct_store_device *out, struct ct_errinfo *ei);
/* Returns the device whose certificate has this thumbprint; CT_ERR_NOT_FOUND. */
int ct_store_device_get_by_thumbprint(struct ct_store *s, struct ct_arena *a,
				      const char *thumbprint,
				      struct ct_store_device *out,
				      struct ct_errinfo *ei);
/* Returns up to limit devices ordered by creation, skipping offset, into a. */
int ct_store_device_list(struct ct_store *s, struct ct_arena *a, size_t limit,
			 size_t offset, struct ct_store_device **out,
			 size_t *nout, struct ct_errinfo *ei);
/* CT_ERR_NOT_FOUND. */
int ct_store_device_set_enabled(struct ct_store *s, const char *id,
				bool enabled, struct ct_errinfo *ei);
/* Stamps last_seen with the store's clock; CT_ERR_NOT_FOUND. */
int ct_store_device_touch(struct ct_store *s, const char *id,
			  struct ct_errinfo *ei);
/* Removes the device and every Hello key registered on it; CT_ERR_NOT_FOUND. */
int ct_store_device_remove(struct ct_store *s, const char *id,
			   struct ct_errinfo *ei);

/* ---- Windows Hello keys ---- */

struct ct_store_hello_key {
	const char *kid; /* unique, case-sensitive (base64) */
	int64_t user_id;
	const char *device_id;
	struct ct_store_blob public_key; /* the key blob as registered */
	const char *key_type; /* "rsa" or "ec" */
	int64_t created;
};

/* Adds a key (created is ignored); CT_ERR_CONFLICT, CT_ERR_NOT_FOUND (no such user or device). */
int ct_store_hello_key_add(struct ct_store *s,
			   const struct ct_store_hello_key *k,
			   struct ct_errinfo *ei);
/* Returns the key into a; CT_ERR_NOT_FOUND. */
int ct_store_hello_key_get(struct ct_store *s, struct ct_arena *a,
			   const char *kid, struct ct_store_hello_key *out,
			   struct ct_errinfo *ei);
/* Returns the user's keys, oldest first, into a; CT_ERR_TOO_LARGE beyond CT_STORE_MAX_LIST. */
int ct_store_hello_key_list_by_user(struct ct_store *s, struct ct_arena *a,
				    int64_t user_id,
				    struct ct_store_hello_key **out,
				    size_t *nout, struct ct_errinfo *ei);
/* CT_ERR_NOT_FOUND. */
int ct_store_hello_key_remove(struct ct_store *s, const char *kid,
			      struct ct_errinfo *ei);

/* ---- Kerberos server objects (one per AD domain) ---- */

struct ct_store_krb_key {
	struct ct_store_blob sealed; /* the krbtgt_N key, sealed by the caller */
	int32_t enctype;     /* > 0 */
	uint32_t key_version; /* 0..65535: the low half of the kvno */
};

struct ct_store_krb_server {
	const char *domain; /* DNS name, lower case: the key */
	const char *realm;
	uint32_t rodc_number; /* N of krbtgt_N, 1..65535 */
	const char *display_name;
	struct ct_store_krb_key primary;
	bool has_secondary;
	struct ct_store_krb_key secondary;
	int64_t key_updated_on;
	const char *key_updated_from;
	int64_t created;
};

/*
 * Inserts or replaces the object for ks->domain (lower-cased; created is
 * kept on replace).  Returns 0, CT_ERR_NOT_FOUND (no tenant).
 */
int ct_store_krb_server_put(struct ct_store *s,
			    const struct ct_store_krb_server *ks,
			    struct ct_errinfo *ei);
/* Returns the object for domain (any case) into a; CT_ERR_NOT_FOUND. */
int ct_store_krb_server_get(struct ct_store *s, struct ct_arena *a,
			    const char *domain,
			    struct ct_store_krb_server *out,
			    struct ct_errinfo *ei);
/* Returns all objects ordered by domain into a; CT_ERR_TOO_LARGE beyond CT_STORE_MAX_LIST. */
int ct_store_krb_server_list(struct ct_store *s, struct ct_arena *a,
			     struct ct_store_krb_server **out, size_t *nout,
			     struct ct_errinfo *ei);
/* CT_ERR_NOT_FOUND. */
int ct_store_krb_server_remove(struct ct_store *s, const char *domain,
			       struct ct_errinfo *ei);
/*
 * Key rotation as one atomic step: the current primary becomes the
 * secondary (the old secondary is dropped) and key becomes the primary, so
 * tickets issued under the previous key keep working.  Returns 0,
 * CT_ERR_NOT_FOUND.
 */
int ct_store_krb_server_rotate(struct ct_store *s, const char *domain,
			       const struct ct_store_krb_key *key,
			       int64_t updated_on, const char *updated_from,
			       struct ct_errinfo *ei);

/* ---- Policy ---- */

/* Scope of a policy value that applies to every device. */
#define CT_STORE_SCOPE_ALL 0

struct ct_store_policy {
	const char *node;  /* OMA-URI style path */
	const char *value;
	int64_t group_id;  /* CT_STORE_SCOPE_ALL or a group id */
	int64_t updated;
};

/* Sets node to value for the scope (upsert); CT_ERR_NOT_FOUND (no tenant or group). */
int ct_store_policy_set(struct ct_store *s, const char *node,
			const char *value, int64_t group_id,
			struct ct_errinfo *ei);
/* Returns the value set exactly at (node, group_id) into a; CT_ERR_NOT_FOUND. */
int ct_store_policy_get(struct ct_store *s, struct ct_arena *a,
			const char *node, int64_t group_id,
			const char **value_out, struct ct_errinfo *ei);
/* Returns every value, ordered by node then scope, into a; CT_ERR_TOO_LARGE. */
int ct_store_policy_list(struct ct_store *s, struct ct_arena *a,
			 struct ct_store_policy **out, size_t *nout,
			 struct ct_errinfo *ei);
/* CT_ERR_NOT_FOUND. */
int ct_store_policy_remove(struct ct_store *s, const char *node,
			   int64_t group_id, struct ct_errinfo *ei);
/*
 * Returns one value per node for the user, ordered by node, into a: a value
 * set for one of the user's groups wins over the all-devices value; among
 * several groups, the group with the lowest id (the oldest) wins.  group_id
 * tells where each value came from.  CT_ERR_TOO_LARGE.
 */
int ct_store_policy_effective_for_user(struct ct_store *s, struct ct_arena *a,
				       int64_t user_id,
				       struct ct_store_policy **out,
				       size_t *nout, struct ct_errinfo *ei);

/* ---- Nonces (hash of the nonce only, never the nonce) ---- */

#define CT_STORE_NONCE_HASH_LEN 32

/* Records a nonce valid until expires (inclusive); CT_ERR_CONFLICT if known. */
int ct_store_nonce_put(struct ct_store *s,
		       const uint8_t hash[CT_STORE_NONCE_HASH_LEN],
		       int64_t expires, struct ct_errinfo *ei);
/*
 * Consumes a nonce: succeeds exactly once, and only while now <= expires,
 * even with many processes racing on one database.  Returns 0,
 * CT_ERR_NOT_FOUND (unknown, used or expired).
 */
int ct_store_nonce_consume(struct ct_store *s,
			   const uint8_t hash[CT_STORE_NONCE_HASH_LEN],
			   int64_t now, struct ct_errinfo *ei)
	__attribute__((warn_unused_result));
/* Deletes nonces expired before now; the count in *npurged (may be NULL). */
int ct_store_nonce_purge(struct ct_store *s, int64_t now, size_t *npurged,
			 struct ct_errinfo *ei);

/* ---- Authentication failures (throttling) ---- */

/* Records one failure for key (e.g. "upn:alice@example.com") at time at. */
int ct_store_failure_record(struct ct_store *s, const char *key, int64_t at,
			    struct ct_errinfo *ei);
/* Returns in *count the failures for key at or after since. */
int ct_store_failure_count(struct ct_store *s, const char *key, int64_t since,
			   uint64_t *count, struct ct_errinfo *ei);
/* Forgets every failure for key (after a success); no error if none. */
int ct_store_failure_clear(struct ct_store *s, const char *key,
			   struct ct_errinfo *ei);
/* Deletes failures older than before; the count in *npurged (may be NULL). */
int ct_store_failure_purge(struct ct_store *s, int64_t before, size_t *npurged,
			   struct ct_errinfo *ei);

/* ---- Audit events (append-only) ---- */

struct ct_store_audit {
	int64_t id;
	int64_t at_us; /* unix time in microseconds */
	const char *actor; /* upn or admin name */
	const char *device_id; /* may be NULL */
	const char *action; /* e.g. "prt.issue" */
	const char *outcome; /* "grant", "deny", "change" or "error" */
	const char *reason; /* may be NULL */
	const char *source; /* client address; may be NULL */
	const char *detail; /* may be NULL */
};

/* NULL members match anything. */
struct ct_store_audit_filter {
	const char *actor;
	const char *action;
};

/* Appends an event (id is ignored); its id in *id_out (may be NULL). */
int ct_store_audit_append(struct ct_store *s, const struct ct_store_audit *ev,
			  int64_t *id_out, struct ct_errinfo *ei);
/*
 * Returns up to limit events, newest first (by time, then id), skipping
 * offset, matching filter (NULL: all), into a.
 */
int ct_store_audit_list(struct ct_store *s, struct ct_arena *a,
			const struct ct_store_audit_filter *filter,
			size_t limit, size_t offset,
			struct ct_store_audit **out, size_t *nout,
			struct ct_errinfo *ei);

/* ---- Named sealed secrets (CA keys, signing keys, PRT sealing keys) ---- */

/* Stores blob (sealed by the caller) under name, replacing any old one. */
int ct_store_secret_put(struct ct_store *s, const char *name,
			const struct ct_store_blob *sealed,
			struct ct_errinfo *ei);
/* Returns the blob into a; CT_ERR_NOT_FOUND. */
int ct_store_secret_get(struct ct_store *s, struct ct_arena *a,
			const char *name, struct ct_store_blob *out,
			struct ct_errinfo *ei);

#endif
