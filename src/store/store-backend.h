/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The contract between the dispatch layer (store.c) and a storage backend,
 * modelled on MIT krb5's kdb_vftable: a versioned table of function
 * pointers with mandatory and optional methods.  Callers of the store never
 * include this header.
 *
 * Versioning.  maj_ver must equal CT_STORE_VTABLE_MAJOR: a major bump means
 * an incompatible change.  New methods are only ever appended, at a new
 * minor version, and are optional; the dispatch layer treats a method as
 * absent when the backend's min_ver predates it, so an older backend keeps
 * working.  An optional method left NULL makes the dispatch layer fall back
 * (krb_server_rotate is done with get + put in a transaction) or answer
 * CT_ERR_NOT_SUPPORTED (the purges).
 *
 * What a backend may assume: every argument has been validated by the
 * dispatch layer (lengths, UTF-8, no control characters, required fields
 * present, limits 1..CT_STORE_MAX_LIST, domains lower-cased), and calls on
 * one handle come from one thread at a time.
 *
 * What a backend must do: follow the semantics documented in store.h
 * exactly (including which CT_ERR_* a case gives), allocate every output in
 * the arena it is given, assign outputs only on success, make each method
 * atomic on its own, and make begin take the write lock at once.
 */
#ifndef CT_STORE_BACKEND_H
#define CT_STORE_BACKEND_H

#include "store.h"

#define CT_STORE_VTABLE_MAJOR 1
#define CT_STORE_VTABLE_MINOR 0

struct ct_store_vtable {
	int maj_ver;
	int min_ver;
	const char *scheme; /* URL scheme: "sqlite", later "postgresql" */

	/* Mandatory.  location is the URL with "scheme:" removed. */
	int (*open)(const char *location, void **out, struct ct_errinfo *ei);
	void (*close)(void *b);
	int (*begin)(void *b, struct ct_errinfo *ei);
	int (*commit)(void *b, struct ct_errinfo *ei);
	/* Must succeed (return 0) when the backend already rolled back. */
	int (*rollback)(void *b, struct ct_errinfo *ei);

	int (*tenant_add)(void *b, const struct ct_store_tenant *t,
			  struct ct_errinfo *ei);
	int (*tenant_get)(void *b, struct ct_arena *a,
			  struct ct_store_tenant *out, struct ct_errinfo *ei);
	int (*tenant_domain_add)(void *b, const char *domain,
				 struct ct_errinfo *ei);
	int (*tenant_domain_remove)(void *b, const char *domain,
				    struct ct_errinfo *ei);

	int (*user_add)(void *b, const struct ct_store_user *u,
			int64_t *id_out, struct ct_errinfo *ei);
	int (*user_get)(void *b, struct ct_arena *a, int64_t id,
			struct ct_store_user *out, struct ct_errinfo *ei);
	int (*user_get_by_upn)(void *b, struct ct_arena *a, const char *upn,
			       struct ct_store_user *out,
			       struct ct_errinfo *ei);
	int (*user_list)(void *b, struct ct_arena *a, size_t limit,
			 size_t offset, struct ct_store_user **out,
			 size_t *nout, struct ct_errinfo *ei);
	int (*user_set_enabled)(void *b, int64_t id, bool enabled,
				struct ct_errinfo *ei);
	int (*user_set_password_hash)(void *b, int64_t id, const char *hash,
				      struct ct_errinfo *ei);
	int (*user_set_totp_secret)(void *b, int64_t id,
				    const struct ct_store_blob *sealed,
				    struct ct_errinfo *ei);
	int (*user_set_onprem)(void *b, int64_t id,
			       const struct ct_store_onprem *op,
			       struct ct_errinfo *ei);
	int (*user_totp_advance)(void *b, int64_t id, int64_t step,
				 struct ct_errinfo *ei);

	int (*group_add)(void *b, const char *name, int64_t *id_out,
			 struct ct_errinfo *ei);
	int (*group_get)(void *b, struct ct_arena *a, int64_t id,
			 struct ct_store_group *out, struct ct_errinfo *ei);
	int (*group_get_by_name)(void *b, struct ct_arena *a, const char *name,
				 struct ct_store_group *out,
				 struct ct_errinfo *ei);
	int (*group_list)(void *b, struct ct_arena *a, size_t limit,
			  size_t offset, struct ct_store_group **out,
			  size_t *nout, struct ct_errinfo *ei);
	int (*group_remove)(void *b, int64_t id, struct ct_errinfo *ei);
	int (*group_member_add)(void *b, int64_t group_id, int64_t user_id,
				struct ct_errinfo *ei);
	int (*group_member_remove)(void *b, int64_t group_id, int64_t user_id,
				   struct ct_errinfo *ei);
	int (*group_members)(void *b, struct ct_arena *a, int64_t group_id,
			     size_t limit, size_t offset, int64_t **out,
			     size_t *nout, struct ct_errinfo *ei);
	int (*user_groups)(void *b, struct ct_arena *a, int64_t user_id,
			   struct ct_store_group **out, size_t *nout,
			   struct ct_errinfo *ei);

	int (*device_add)(void *b, const struct ct_store_device *d,
			  struct ct_errinfo *ei);
	int (*device_get)(void *b, struct ct_arena *a, const char *id,
			  struct ct_store_device *out, struct ct_errinfo *ei);
	int (*device_get_by_thumbprint)(void *b, struct ct_arena *a,
					const char *thumbprint,
					struct ct_store_device *out,
					struct ct_errinfo *ei);
	int (*device_list)(void *b, struct ct_arena *a, size_t limit,
			   size_t offset, struct ct_store_device **out,
			   size_t *nout, struct ct_errinfo *ei);
	int (*device_set_enabled)(void *b, const char *id, bool enabled,
				  struct ct_errinfo *ei);
	int (*device_touch)(void *b, const char *id, struct ct_errinfo *ei);
	int (*device_remove)(void *b, const char *id, struct ct_errinfo *ei);

	int (*hello_key_add)(void *b, const struct ct_store_hello_key *k,
			     struct ct_errinfo *ei);
	int (*hello_key_get)(void *b, struct ct_arena *a, const char *kid,
			     struct ct_store_hello_key *out,
			     struct ct_errinfo *ei);
	int (*hello_key_list_by_user)(void *b, struct ct_arena *a,
				      int64_t user_id,
				      struct ct_store_hello_key **out,
				      size_t *nout, struct ct_errinfo *ei);
	int (*hello_key_remove)(void *b, const char *kid,
				struct ct_errinfo *ei);

	int (*krb_server_put)(void *b, const struct ct_store_krb_server *ks,
			      struct ct_errinfo *ei);
	int (*krb_server_get)(void *b, struct ct_arena *a, const char *domain,
			      struct ct_store_krb_server *out,
			      struct ct_errinfo *ei);
	int (*krb_server_list)(void *b, struct ct_arena *a,
			       struct ct_store_krb_server **out, size_t *nout,
			       struct ct_errinfo *ei);
	int (*krb_server_remove)(void *b, const char *domain,
				 struct ct_errinfo *ei);

	int (*policy_set)(void *b, const char *node, const char *value,
			  int64_t group_id, struct ct_errinfo *ei);
	int (*policy_get)(void *b, struct ct_arena *a, const char *node,
			  int64_t group_id, const char **value_out,
			  struct ct_errinfo *ei);
	int (*policy_list)(void *b, struct ct_arena *a,
			   struct ct_store_policy **out, size_t *nout,
			   struct ct_errinfo *ei);
	int (*policy_remove)(void *b, const char *node, int64_t group_id,
			     struct ct_errinfo *ei);
	int (*policy_effective_for_user)(void *b, struct ct_arena *a,
					 int64_t user_id,
					 struct ct_store_policy **out,
					 size_t *nout, struct ct_errinfo *ei);

	int (*nonce_put)(void *b, const uint8_t *hash, int64_t expires,
			 struct ct_errinfo *ei);
	int (*nonce_consume)(void *b, const uint8_t *hash, int64_t now,
			     struct ct_errinfo *ei);

	int (*failure_record)(void *b, const char *key, int64_t at,
			      struct ct_errinfo *ei);
	int (*failure_count)(void *b, const char *key, int64_t since,
			     uint64_t *count, struct ct_errinfo *ei);
	int (*failure_clear)(void *b, const char *key, struct ct_errinfo *ei);

	int (*audit_append)(void *b, const struct ct_store_audit *ev,
			    int64_t *id_out, struct ct_errinfo *ei);
	int (*audit_list)(void *b, struct ct_arena *a,
			  const struct ct_store_audit_filter *filter,
			  size_t limit, size_t offset,
			  struct ct_store_audit **out, size_t *nout,
			  struct ct_errinfo *ei);

	int (*secret_put)(void *b, const char *name,
			  const struct ct_store_blob *sealed,
			  struct ct_errinfo *ei);
	int (*secret_get)(void *b, struct ct_arena *a, const char *name,
			  struct ct_store_blob *out, struct ct_errinfo *ei);

	/* Optional (since 1.0). */
	int (*krb_server_rotate)(void *b, const char *domain,
				 const struct ct_store_krb_key *key,
				 int64_t updated_on, const char *updated_from,
				 struct ct_errinfo *ei);
	int (*nonce_purge)(void *b, int64_t now, size_t *npurged,
			   struct ct_errinfo *ei);
	int (*failure_purge)(void *b, int64_t before, size_t *npurged,
			     struct ct_errinfo *ei);
};

/* The mandatory methods, for the check ct_store_open() makes. */
#define CT_STORE_MANDATORY(X)                                                 \
	X(open) X(close) X(begin) X(commit) X(rollback)                       \
	X(tenant_add) X(tenant_get) X(tenant_domain_add)                      \
	X(tenant_domain_remove)                                               \
	X(user_add) X(user_get) X(user_get_by_upn) X(user_list)               \
	X(user_set_enabled) X(user_set_password_hash)                         \
	X(user_set_totp_secret) X(user_set_onprem) X(user_totp_advance)       \
	X(group_add) X(group_get) X(group_get_by_name) X(group_list)          \
	X(group_remove) X(group_member_add) X(group_member_remove)            \
	X(group_members) X(user_groups)                                       \
	X(device_add) X(device_get) X(device_get_by_thumbprint)               \
	X(device_list) X(device_set_enabled) X(device_touch)                  \
	X(device_remove)                                                      \
	X(hello_key_add) X(hello_key_get) X(hello_key_list_by_user)           \
	X(hello_key_remove)                                                   \
	X(krb_server_put) X(krb_server_get) X(krb_server_list)                \
	X(krb_server_remove)                                                  \
	X(policy_set) X(policy_get) X(policy_list) X(policy_remove)           \
	X(policy_effective_for_user)                                          \
	X(nonce_put) X(nonce_consume)                                         \
	X(failure_record) X(failure_count) X(failure_clear)                   \
	X(audit_append) X(audit_list)                                         \
	X(secret_put) X(secret_get)

/* The backends built in (each in its own directory). */
extern const struct ct_store_vtable ct_store_sqlite_vtable;

/*
 * Opens location with the backend vt, after checking its version and its
 * mandatory methods (for tests and backends built outside this tree;
 * callers use ct_store_open).  vt must outlive the handle.  Returns what
 * ct_store_open returns; CT_ERR_INTERNAL for a bad vtable.
 */
int ct_store_open_backend(const struct ct_store_vtable *vt,
			  const char *location, struct ct_store **out,
			  struct ct_errinfo *ei);

/*
 * For backends: appends one zeroed element of size elem to the arena array
 * *arr of *n elements (capacity *cap), growing it by doubling.  Returns the
 * new element, or NULL when the arena is out of memory.
 */
void *ct_store_array_push(struct ct_arena *a, void **arr, size_t *n,
			  size_t *cap, size_t elem);

#endif
