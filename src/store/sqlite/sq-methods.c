/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SQLite backend's entity methods and its vtable.  Every method is one
 * SQL statement (plus, for a few, a read that tells two failures apart), so
 * each is atomic without a transaction of its own.  Rows owned by the
 * tenant are inserted with "SELECT ... FROM tenants", which inserts nothing
 * (CT_ERR_NOT_FOUND) while there is no tenant.
 */
#include <string.h>

#include "ct-limits.h"
#include "sq.h"

/* An insert under the tenant; no row inserted means there is none yet. */
static int tenant_insert(struct sq *q, const char *sql,
			 const struct sq_arg *args, size_t nargs,
			 struct ct_errinfo *ei)
{
	int64_t n = 0;
	int r = sq_run(q, sql, args, nargs, &n, ei);

	if (r == 0 && n == 0)
		r = ct_errinfo_set(ei, CT_ERR_NOT_FOUND,
				   "no tenant: create the tenant first");
	return r;
}

static void read_str(struct sq_row *r, void *elem)
{
	*(const char **)elem = sq_text(r);
}

static void read_i64(struct sq_row *r, void *elem)
{
	*(int64_t *)elem = sq_int(r);
}

static void read_blob(struct sq_row *r, void *elem)
{
	*(struct ct_store_blob *)elem = sq_blob(r);
}

/* ---- Tenant ---- */

static int tenant_add(void *b, const struct ct_store_tenant *t,
		      struct ct_errinfo *ei)
{
	int64_t n = 0;
	int r;

	r = sq_run(b,
		   "INSERT INTO tenants (id, name, created)"
		   " SELECT ?1, ?2, ?3 WHERE NOT EXISTS (SELECT 1 FROM tenants)",
		   SQ_ARGS(SQ_T(t->id), SQ_T(t->name), SQ_I(sq_now())), &n, ei);
	if (r == 0 && n == 0)
		r = ct_errinfo_set(ei, CT_ERR_CONFLICT,
				   "this database has a tenant already");
	return r;
}

static void read_tenant(struct sq_row *r, void *elem)
{
	struct ct_store_tenant *t = elem;

	t->id = sq_text(r);
	t->name = sq_text(r);
	t->created = sq_int(r);
}

static int tenant_get(void *b, struct ct_arena *a, struct ct_store_tenant *out,
		      struct ct_errinfo *ei)
{
	struct ct_store_tenant t;
	int r;

	r = sq_fetch_one(b, a, "tenant",
			 "SELECT id, name, created FROM tenants LIMIT 1",
			 SQ_NOARGS, read_tenant, sizeof(t), &t, ei);
	if (r == 0)
		r = sq_fetch(b, a,
			     "SELECT domain FROM tenant_domains"
			     " WHERE tenant_id = ?1 ORDER BY domain",
			     SQ_ARGS(SQ_T(t.id)), read_str, sizeof(char *),
			     CT_STORE_MAX_LIST, &t.domains, &t.ndomains, ei);
	if (r < 0)
		return r;
	*out = t;
	return 0;
}

static int tenant_domain_add(void *b, const char *domain,
			     struct ct_errinfo *ei)
{
	return tenant_insert(b,
			     "INSERT INTO tenant_domains (domain, tenant_id, created)"
			     " SELECT ?1, id, ?2 FROM tenants LIMIT 1",
			     SQ_ARGS(SQ_T(domain), SQ_I(sq_now())), ei);
}

static int tenant_domain_remove(void *b, const char *domain,
				struct ct_errinfo *ei)
{
	return sq_change(b, "domain",
			 "DELETE FROM tenant_domains WHERE domain = ?1",
			 SQ_ARGS(SQ_T(domain)), ei);
}

/* ---- Users ---- */

#define USER_COLS                                                             \
	"id, upn, display_name, enabled, password_hash, totp_secret,"         \
	" totp_last_step, onprem_sam_account_name, onprem_domain_name,"       \
	" onprem_sid, onprem_upn, created, updated"

static void read_user(struct sq_row *r, void *elem)
{
	struct ct_store_user *u = elem;

	u->id = sq_int(r);
	u->upn = sq_text(r);
	u->display_name = sq_text(r);
	u->enabled = sq_int(r) != 0;
	u->password_hash = sq_text(r);
	u->totp_secret = sq_blob(r);
	u->totp_last_step = sq_int(r);
	u->onprem.sam_account_name = sq_text(r);
	u->onprem.domain_name = sq_text(r);
	u->onprem.sid = sq_text(r);
	u->onprem.upn = sq_text(r);
	u->created = sq_int(r);
	u->updated = sq_int(r);
}

static int user_add(void *b, const struct ct_store_user *u, int64_t *id_out,
		    struct ct_errinfo *ei)
{
	struct sq *q = b;
	int64_t now = sq_now();
	int r;

	r = tenant_insert(q,
			  "INSERT INTO users (tenant_id, upn, display_name,"
			  " enabled, password_hash, totp_secret,"
			  " onprem_sam_account_name, onprem_domain_name,"
			  " onprem_sid, onprem_upn, created, updated)"
			  " SELECT id, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10"
			  " FROM tenants LIMIT 1",
			  SQ_ARGS(SQ_T(u->upn), SQ_T(u->display_name),
				  SQ_I(u->enabled), SQ_T(u->password_hash),
				  SQ_B(u->totp_secret),
				  SQ_T(u->onprem.sam_account_name),
				  SQ_T(u->onprem.domain_name),
				  SQ_T(u->onprem.sid), SQ_T(u->onprem.upn),
				  SQ_I(now)),
			  ei);
	if (r == 0)
		*id_out = sqlite3_last_insert_rowid(q->db);
	return r;
}

static int user_get(void *b, struct ct_arena *a, int64_t id,
		    struct ct_store_user *out, struct ct_errinfo *ei)
{
	return sq_fetch_one(b, a, "user",
			    "SELECT " USER_COLS " FROM users WHERE id = ?1",
			    SQ_ARGS(SQ_I(id)), read_user, sizeof(*out), out,
			    ei);
}

static int user_get_by_upn(void *b, struct ct_arena *a, const char *upn,
			   struct ct_store_user *out, struct ct_errinfo *ei)
{
	return sq_fetch_one(b, a, "user",
			    "SELECT " USER_COLS " FROM users WHERE upn = ?1",
			    SQ_ARGS(SQ_T(upn)), read_user, sizeof(*out), out,
			    ei);
}

static int user_list(void *b, struct ct_arena *a, size_t limit, size_t offset,
		     struct ct_store_user **out, size_t *nout,
		     struct ct_errinfo *ei)
{
	return sq_fetch(b, a,
			"SELECT " USER_COLS " FROM users"
			" ORDER BY id LIMIT ?1 OFFSET ?2",
			SQ_ARGS(SQ_I((int64_t)limit), SQ_I((int64_t)offset)),
			read_user, sizeof(**out), limit, out, nout,
			ei);
}

static int user_set_enabled(void *b, int64_t id, bool enabled,
			    struct ct_errinfo *ei)
{
	return sq_change(b, "user",
			 "UPDATE users SET enabled = ?2, updated = ?3"
			 " WHERE id = ?1",
			 SQ_ARGS(SQ_I(id), SQ_I(enabled), SQ_I(sq_now())), ei);
}

static int user_set_password_hash(void *b, int64_t id, const char *hash,
				  struct ct_errinfo *ei)
{
	return sq_change(b, "user",
			 "UPDATE users SET password_hash = ?2, updated = ?3"
			 " WHERE id = ?1",
			 SQ_ARGS(SQ_I(id), SQ_T(hash), SQ_I(sq_now())), ei);
}

static int user_set_totp_secret(void *b, int64_t id,
				const struct ct_store_blob *sealed,
				struct ct_errinfo *ei)
{
	return sq_change(b, "user",
			 "UPDATE users SET totp_secret = ?2, updated = ?3"
			 " WHERE id = ?1",
			 SQ_ARGS(SQ_I(id), SQ_B(*sealed), SQ_I(sq_now())), ei);
}

static int user_set_onprem(void *b, int64_t id,
			   const struct ct_store_onprem *op,
			   struct ct_errinfo *ei)
{
	return sq_change(b, "user",
			 "UPDATE users SET onprem_sam_account_name = ?2,"
			 " onprem_domain_name = ?3, onprem_sid = ?4,"
			 " onprem_upn = ?5, updated = ?6 WHERE id = ?1",
			 SQ_ARGS(SQ_I(id), SQ_T(op->sam_account_name),
				 SQ_T(op->domain_name), SQ_T(op->sid),
				 SQ_T(op->upn), SQ_I(sq_now())),
			 ei);
}

static int user_totp_advance(void *b, int64_t id, int64_t step,
			     struct ct_errinfo *ei)
{
	int64_t n = 0, exists = 0;
	int r;

	/* Compare and set in one statement: the database serialises writers. */
	r = sq_run(b,
		   "UPDATE users SET totp_last_step = ?2, updated = ?3"
		   " WHERE id = ?1 AND totp_last_step < ?2",
		   SQ_ARGS(SQ_I(id), SQ_I(step), SQ_I(sq_now())), &n, ei);
	if (r < 0 || n == 1)
		return r;
	r = sq_scalar(b, "SELECT count(*) FROM users WHERE id = ?1",
		      SQ_ARGS(SQ_I(id)), &exists, ei);
	if (r < 0)
		return r;
	return exists ? ct_errinfo_set(ei, CT_ERR_REPLAY,
				       "TOTP step %lld was used already",
				       (long long)step)
		      : ct_errinfo_set(ei, CT_ERR_NOT_FOUND, "user not found");
}

/* ---- Groups ---- */

#define GROUP_COLS "id, name, created"

static void read_group(struct sq_row *r, void *elem)
{
	struct ct_store_group *g = elem;

	g->id = sq_int(r);
	g->name = sq_text(r);
	g->created = sq_int(r);
}

static int group_add(void *b, const char *name, int64_t *id_out,
		     struct ct_errinfo *ei)
{
	struct sq *q = b;
	int r;

	r = tenant_insert(q,
			  "INSERT INTO groups (tenant_id, name, created)"
			  " SELECT id, ?1, ?2 FROM tenants LIMIT 1",
			  SQ_ARGS(SQ_T(name), SQ_I(sq_now())), ei);
	if (r == 0)
		*id_out = sqlite3_last_insert_rowid(q->db);
	return r;
}

static int group_get(void *b, struct ct_arena *a, int64_t id,
		     struct ct_store_group *out, struct ct_errinfo *ei)
{
	return sq_fetch_one(b, a, "group",
			    "SELECT " GROUP_COLS " FROM groups WHERE id = ?1",
			    SQ_ARGS(SQ_I(id)), read_group, sizeof(*out), out,
			    ei);
}

static int group_get_by_name(void *b, struct ct_arena *a, const char *name,
			     struct ct_store_group *out, struct ct_errinfo *ei)
{
	return sq_fetch_one(b, a, "group",
			    "SELECT " GROUP_COLS " FROM groups WHERE name = ?1",
			    SQ_ARGS(SQ_T(name)), read_group, sizeof(*out), out,
			    ei);
}

static int group_list(void *b, struct ct_arena *a, size_t limit, size_t offset,
		      struct ct_store_group **out, size_t *nout,
		      struct ct_errinfo *ei)
{
	return sq_fetch(b, a,
			"SELECT " GROUP_COLS " FROM groups"
			" ORDER BY id LIMIT ?1 OFFSET ?2",
			SQ_ARGS(SQ_I((int64_t)limit), SQ_I((int64_t)offset)),
			read_group, sizeof(**out), limit, out, nout,
			ei);
}

static int group_remove(void *b, int64_t id, struct ct_errinfo *ei)
{
	/* Memberships and group-scoped policies go by ON DELETE CASCADE. */
	return sq_change(b, "group", "DELETE FROM groups WHERE id = ?1",
			 SQ_ARGS(SQ_I(id)), ei);
}

static int group_member_add(void *b, int64_t group_id, int64_t user_id,
			    struct ct_errinfo *ei)
{
	return sq_run(b,
		      "INSERT INTO group_members (group_id, user_id)"
		      " VALUES (?1, ?2)",
		      SQ_ARGS(SQ_I(group_id), SQ_I(user_id)), NULL, ei);
}

static int group_member_remove(void *b, int64_t group_id, int64_t user_id,
			       struct ct_errinfo *ei)
{
	return sq_change(b, "membership",
			 "DELETE FROM group_members"
			 " WHERE group_id = ?1 AND user_id = ?2",
			 SQ_ARGS(SQ_I(group_id), SQ_I(user_id)), ei);
}

static int group_members(void *b, struct ct_arena *a, int64_t group_id,
			 size_t limit, size_t offset, int64_t **out,
			 size_t *nout, struct ct_errinfo *ei)
{
	return sq_fetch(b, a,
			"SELECT user_id FROM group_members WHERE group_id = ?1"
			" ORDER BY user_id LIMIT ?2 OFFSET ?3",
			SQ_ARGS(SQ_I(group_id), SQ_I((int64_t)limit),
				SQ_I((int64_t)offset)),
			read_i64, sizeof(**out), limit, out, nout, ei);
}

static int user_groups(void *b, struct ct_arena *a, int64_t user_id,
		       struct ct_store_group **out, size_t *nout,
		       struct ct_errinfo *ei)
{
	return sq_fetch(b, a,
			"SELECT g.id, g.name, g.created FROM groups g"
			" JOIN group_members m ON m.group_id = g.id"
			" WHERE m.user_id = ?1 ORDER BY g.id",
			SQ_ARGS(SQ_I(user_id)), read_group, sizeof(**out),
			CT_STORE_MAX_LIST, out, nout, ei);
}

/* ---- Devices ---- */

#define DEVICE_COLS                                                           \
	"id, display_name, os_version, device_type, join_type,"               \
	" owner_user_id, cert_thumbprint, cert_der, transport_key,"           \
	" device_key, enabled, created, last_seen"

static void read_device(struct sq_row *r, void *elem)
{
	struct ct_store_device *d = elem;

	d->id = sq_text(r);
	d->display_name = sq_text(r);
	d->os_version = sq_text(r);
	d->device_type = sq_text(r);
	d->join_type = (int32_t)sq_int(r);
	d->owner_user_id = sq_int(r);
	d->cert_thumbprint = sq_text(r);
	d->cert_der = sq_blob(r);
	d->transport_key = sq_blob(r);
	d->device_key = sq_blob(r);
	d->enabled = sq_int(r) != 0;
	d->created = sq_int(r);
	d->last_seen = sq_int(r);
}

static int device_add(void *b, const struct ct_store_device *d,
		      struct ct_errinfo *ei)
{
	return tenant_insert(b,
			     "INSERT INTO devices (id, tenant_id, display_name,"
			     " os_version, device_type, join_type,"
			     " owner_user_id, cert_thumbprint, cert_der,"
			     " transport_key, device_key, enabled, created)"
			     " SELECT ?1, id, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"
			     " ?10, ?11, ?12 FROM tenants LIMIT 1",
			     SQ_ARGS(SQ_T(d->id), SQ_T(d->display_name),
				     SQ_T(d->os_version), SQ_T(d->device_type),
				     SQ_I(d->join_type),
				     sq_opt_int(d->owner_user_id != 0,
						d->owner_user_id),
				     SQ_T(d->cert_thumbprint),
				     SQ_B(d->cert_der), SQ_B(d->transport_key),
				     SQ_B(d->device_key), SQ_I(d->enabled),
				     SQ_I(sq_now())),
			     ei);
}

static int device_get(void *b, struct ct_arena *a, const char *id,
		      struct ct_store_device *out, struct ct_errinfo *ei)
{
	return sq_fetch_one(b, a, "device",
			    "SELECT " DEVICE_COLS " FROM devices WHERE id = ?1",
			    SQ_ARGS(SQ_T(id)), read_device, sizeof(*out), out,
			    ei);
}

static int device_get_by_thumbprint(void *b, struct ct_arena *a,
				    const char *thumbprint,
				    struct ct_store_device *out,
				    struct ct_errinfo *ei)
{
	return sq_fetch_one(b, a, "device",
			    "SELECT " DEVICE_COLS " FROM devices"
			    " WHERE cert_thumbprint = ?1",
			    SQ_ARGS(SQ_T(thumbprint)), read_device,
			    sizeof(*out), out, ei);
}

static int device_list(void *b, struct ct_arena *a, size_t limit,
		       size_t offset, struct ct_store_device **out,
		       size_t *nout, struct ct_errinfo *ei)
{
	/* rowid is the insertion order; created has only second resolution. */
	return sq_fetch(b, a,
			"SELECT " DEVICE_COLS " FROM devices"
			" ORDER BY rowid LIMIT ?1 OFFSET ?2",
			SQ_ARGS(SQ_I((int64_t)limit), SQ_I((int64_t)offset)),
			read_device, sizeof(**out), limit, out, nout,
			ei);
}

static int device_set_enabled(void *b, const char *id, bool enabled,
			      struct ct_errinfo *ei)
{
	return sq_change(b, "device",
			 "UPDATE devices SET enabled = ?2 WHERE id = ?1",
			 SQ_ARGS(SQ_T(id), SQ_I(enabled)), ei);
}

static int device_touch(void *b, const char *id, struct ct_errinfo *ei)
{
	return sq_change(b, "device",
			 "UPDATE devices SET last_seen = ?2 WHERE id = ?1",
			 SQ_ARGS(SQ_T(id), SQ_I(sq_now())), ei);
}

static int device_remove(void *b, const char *id, struct ct_errinfo *ei)
{
	/* Its Hello keys go by ON DELETE CASCADE. */
	return sq_change(b, "device", "DELETE FROM devices WHERE id = ?1",
			 SQ_ARGS(SQ_T(id)), ei);
}

/* ---- Hello keys ---- */

#define HELLO_KEY_COLS "kid, user_id, device_id, public_key, key_type, created"

static void read_hello_key(struct sq_row *r, void *elem)
{
	struct ct_store_hello_key *k = elem;

	k->kid = sq_text(r);
	k->user_id = sq_int(r);
	k->device_id = sq_text(r);
	k->public_key = sq_blob(r);
	k->key_type = sq_text(r);
	k->created = sq_int(r);
}

static int hello_key_add(void *b, const struct ct_store_hello_key *k,
			 struct ct_errinfo *ei)
{
	return sq_run(b,
		      "INSERT INTO hello_keys (" HELLO_KEY_COLS ")"
		      " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
		      SQ_ARGS(SQ_T(k->kid), SQ_I(k->user_id),
			      SQ_T(k->device_id), SQ_B(k->public_key),
			      SQ_T(k->key_type), SQ_I(sq_now())),
		      NULL, ei);
}

static int hello_key_get(void *b, struct ct_arena *a, const char *kid,
			 struct ct_store_hello_key *out, struct ct_errinfo *ei)
{
	return sq_fetch_one(b, a, "Hello key",
			    "SELECT " HELLO_KEY_COLS " FROM hello_keys"
			    " WHERE kid = ?1",
			    SQ_ARGS(SQ_T(kid)), read_hello_key, sizeof(*out),
			    out, ei);
}

static int hello_key_list_by_user(void *b, struct ct_arena *a, int64_t user_id,
				  struct ct_store_hello_key **out,
				  size_t *nout, struct ct_errinfo *ei)
{
	return sq_fetch(b, a,
			"SELECT " HELLO_KEY_COLS " FROM hello_keys"
			" WHERE user_id = ?1 ORDER BY rowid",
			SQ_ARGS(SQ_I(user_id)), read_hello_key, sizeof(**out),
			CT_STORE_MAX_LIST, out, nout, ei);
}

static int hello_key_remove(void *b, const char *kid, struct ct_errinfo *ei)
{
	return sq_change(b, "Hello key", "DELETE FROM hello_keys WHERE kid = ?1",
			 SQ_ARGS(SQ_T(kid)), ei);
}

/* ---- Kerberos server objects ---- */

#define KRB_SERVER_COLS                                                       \
	"domain, realm, rodc_number, display_name, primary_key,"              \
	" primary_enctype, primary_version, secondary_key,"                   \
	" secondary_enctype, secondary_version, key_updated_on,"              \
	" key_updated_from, created"

static void read_krb_key(struct sq_row *r, struct ct_store_krb_key *k)
{
	k->sealed = sq_blob(r);
	k->enctype = (int32_t)sq_int(r);
	k->key_version = (uint32_t)sq_int(r);
}

static void read_krb_server(struct sq_row *r, void *elem)
{
	struct ct_store_krb_server *ks = elem;

	ks->domain = sq_text(r);
	ks->realm = sq_text(r);
	ks->rodc_number = (uint32_t)sq_int(r);
	ks->display_name = sq_text(r);
	read_krb_key(r, &ks->primary);
	read_krb_key(r, &ks->secondary);
	ks->has_secondary = ks->secondary.sealed.len > 0;
	ks->key_updated_on = sq_int(r);
	ks->key_updated_from = sq_text(r);
	ks->created = sq_int(r);
}

static int krb_server_put(void *b, const struct ct_store_krb_server *ks,
			  struct ct_errinfo *ei)
{
	const struct ct_store_krb_key *k2 = &ks->secondary;
	bool two = ks->has_secondary;
	struct ct_store_blob none = {NULL, 0};

	/* created survives a replace: the update leaves it alone. */
	return tenant_insert(b,
			     "INSERT INTO kerberos_servers (domain, tenant_id,"
			     " realm, rodc_number, display_name, primary_key,"
			     " primary_enctype, primary_version, secondary_key,"
			     " secondary_enctype, secondary_version,"
			     " key_updated_on, key_updated_from, created)"
			     " SELECT ?1, id, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"
			     " ?10, ?11, ?12, ?13 FROM tenants LIMIT 1"
			     " ON CONFLICT (domain) DO UPDATE SET"
			     " realm = excluded.realm,"
			     " rodc_number = excluded.rodc_number,"
			     " display_name = excluded.display_name,"
			     " primary_key = excluded.primary_key,"
			     " primary_enctype = excluded.primary_enctype,"
			     " primary_version = excluded.primary_version,"
			     " secondary_key = excluded.secondary_key,"
			     " secondary_enctype = excluded.secondary_enctype,"
			     " secondary_version = excluded.secondary_version,"
			     " key_updated_on = excluded.key_updated_on,"
			     " key_updated_from = excluded.key_updated_from",
			     SQ_ARGS(SQ_T(ks->domain), SQ_T(ks->realm),
				     SQ_I(ks->rodc_number),
				     SQ_T(ks->display_name),
				     SQ_B(ks->primary.sealed),
				     SQ_I(ks->primary.enctype),
				     SQ_I(ks->primary.key_version),
				     SQ_B(two ? k2->sealed : none),
				     sq_opt_int(two, k2->enctype),
				     sq_opt_int(two, k2->key_version),
				     SQ_I(ks->key_updated_on),
				     SQ_T(ks->key_updated_from),
				     SQ_I(sq_now())),
			     ei);
}

static int krb_server_get(void *b, struct ct_arena *a, const char *domain,
			  struct ct_store_krb_server *out,
			  struct ct_errinfo *ei)
{
	return sq_fetch_one(b, a, "Kerberos server object",
			    "SELECT " KRB_SERVER_COLS " FROM kerberos_servers"
			    " WHERE domain = ?1",
			    SQ_ARGS(SQ_T(domain)), read_krb_server,
			    sizeof(*out), out, ei);
}

static int krb_server_list(void *b, struct ct_arena *a,
			   struct ct_store_krb_server **out, size_t *nout,
			   struct ct_errinfo *ei)
{
	return sq_fetch(b, a,
			"SELECT " KRB_SERVER_COLS " FROM kerberos_servers"
			" ORDER BY domain",
			SQ_NOARGS, read_krb_server, sizeof(**out),
			CT_STORE_MAX_LIST, out, nout, ei);
}

static int krb_server_remove(void *b, const char *domain,
			     struct ct_errinfo *ei)
{
	return sq_change(b, "Kerberos server object",
			 "DELETE FROM kerberos_servers WHERE domain = ?1",
			 SQ_ARGS(SQ_T(domain)), ei);
}

static int krb_server_rotate(void *b, const char *domain,
			     const struct ct_store_krb_key *key,
			     int64_t updated_on, const char *updated_from,
			     struct ct_errinfo *ei)
{
	/* One UPDATE: the right-hand sides all see the row before it. */
	return sq_change(b, "Kerberos server object",
			 "UPDATE kerberos_servers SET"
			 " secondary_key = primary_key,"
			 " secondary_enctype = primary_enctype,"
			 " secondary_version = primary_version,"
			 " primary_key = ?2, primary_enctype = ?3,"
			 " primary_version = ?4, key_updated_on = ?5,"
			 " key_updated_from = ?6 WHERE domain = ?1",
			 SQ_ARGS(SQ_T(domain), SQ_B(key->sealed),
				 SQ_I(key->enctype), SQ_I(key->key_version),
				 SQ_I(updated_on), SQ_T(updated_from)),
			 ei);
}

/* ---- Policy ---- */

static void read_policy(struct sq_row *r, void *elem)
{
	struct ct_store_policy *p = elem;

	p->node = sq_text(r);
	p->value = sq_text(r);
	p->group_id = sq_int(r);
	p->updated = sq_int(r);
}

static int policy_set(void *b, const char *node, const char *value,
		      int64_t group_id, struct ct_errinfo *ei)
{
	return tenant_insert(b,
			     "INSERT INTO policies (tenant_id, node, value,"
			     " group_id, updated)"
			     " SELECT id, ?1, ?2, ?3, ?4 FROM tenants LIMIT 1"
			     " ON CONFLICT (node, ifnull(group_id, 0))"
			     " DO UPDATE SET value = excluded.value,"
			     " updated = excluded.updated",
			     SQ_ARGS(SQ_T(node), SQ_T(value),
				     sq_opt_int(group_id != CT_STORE_SCOPE_ALL,
						group_id),
				     SQ_I(sq_now())),
			     ei);
}

static int policy_get(void *b, struct ct_arena *a, const char *node,
		      int64_t group_id, const char **value_out,
		      struct ct_errinfo *ei)
{
	return sq_fetch_one(b, a, "policy value",
			    "SELECT value FROM policies"
			    " WHERE node = ?1 AND ifnull(group_id, 0) = ?2",
			    SQ_ARGS(SQ_T(node), SQ_I(group_id)), read_str,
			    sizeof(*value_out), value_out, ei);
}

static int policy_list(void *b, struct ct_arena *a,
		       struct ct_store_policy **out, size_t *nout,
		       struct ct_errinfo *ei)
{
	return sq_fetch(b, a,
			"SELECT node, value, ifnull(group_id, 0), updated"
			" FROM policies ORDER BY node, ifnull(group_id, 0)",
			SQ_NOARGS, read_policy, sizeof(**out),
			CT_STORE_MAX_LIST, out, nout, ei);
}

static int policy_remove(void *b, const char *node, int64_t group_id,
			 struct ct_errinfo *ei)
{
	return sq_change(b, "policy value",
			 "DELETE FROM policies"
			 " WHERE node = ?1 AND ifnull(group_id, 0) = ?2",
			 SQ_ARGS(SQ_T(node), SQ_I(group_id)), ei);
}

static int policy_effective_for_user(void *b, struct ct_arena *a,
				     int64_t user_id,
				     struct ct_store_policy **out,
				     size_t *nout, struct ct_errinfo *ei)
{
	/* Per node: a group's value before the all-devices one, then the
	 * lowest group id. */
	return sq_fetch(b, a,
			"SELECT node, value, gid, updated FROM ("
			"  SELECT node, value, ifnull(group_id, 0) AS gid,"
			"   updated, row_number() OVER (PARTITION BY node"
			"   ORDER BY group_id IS NULL, group_id) AS rank"
			"  FROM policies WHERE group_id IS NULL OR group_id IN"
			"   (SELECT group_id FROM group_members WHERE user_id = ?1))"
			" WHERE rank = 1 ORDER BY node",
			SQ_ARGS(SQ_I(user_id)), read_policy, sizeof(**out),
			CT_STORE_MAX_LIST, out, nout, ei);
}

/* ---- Nonces ---- */

static int nonce_put(void *b, const uint8_t *hash, int64_t expires,
		     struct ct_errinfo *ei)
{
	return sq_run(b, "INSERT INTO nonces (hash, expires) VALUES (?1, ?2)",
		      SQ_ARGS(SQ_RAW(hash, CT_STORE_NONCE_HASH_LEN),
			      SQ_I(expires)),
		      NULL, ei);
}

static int nonce_consume(void *b, const uint8_t *hash, int64_t now,
			 struct ct_errinfo *ei)
{
	int64_t n = 0;
	int r;

	/* Whoever deletes the row owns the nonce; the database serialises
	 * the deletes, so exactly one caller sees a change. */
	r = sq_run(b, "DELETE FROM nonces WHERE hash = ?1 AND expires >= ?2",
		   SQ_ARGS(SQ_RAW(hash, CT_STORE_NONCE_HASH_LEN), SQ_I(now)),
		   &n, ei);
	if (r == 0 && n != 1)
		r = ct_errinfo_set(ei, CT_ERR_NOT_FOUND,
				   "nonce unknown, used or expired");
	return r;
}

/* A DELETE whose count goes to *npurged (which may be NULL). */
static int purge(struct sq *q, const char *sql, int64_t t, size_t *npurged,
		 struct ct_errinfo *ei)
{
	int64_t n = 0;
	int r = sq_run(q, sql, SQ_ARGS(SQ_I(t)), &n, ei);

	if (r == 0 && npurged != NULL)
		*npurged = (size_t)n;
	return r;
}

static int nonce_purge(void *b, int64_t now, size_t *npurged,
		       struct ct_errinfo *ei)
{
	return purge(b, "DELETE FROM nonces WHERE expires < ?1", now, npurged,
		     ei);
}

/* ---- Authentication failures ---- */

static int failure_record(void *b, const char *key, int64_t at,
			  struct ct_errinfo *ei)
{
	return sq_run(b, "INSERT INTO auth_failures (key, at) VALUES (?1, ?2)",
		      SQ_ARGS(SQ_T(key), SQ_I(at)), NULL, ei);
}

static int failure_count(void *b, const char *key, int64_t since,
			 uint64_t *count, struct ct_errinfo *ei)
{
	int64_t n = 0;
	int r;

	r = sq_scalar(b,
		      "SELECT count(*) FROM auth_failures"
		      " WHERE key = ?1 AND at >= ?2",
		      SQ_ARGS(SQ_T(key), SQ_I(since)), &n, ei);
	if (r == 0)
		*count = (uint64_t)n;
	return r;
}

static int failure_clear(void *b, const char *key, struct ct_errinfo *ei)
{
	return sq_run(b, "DELETE FROM auth_failures WHERE key = ?1",
		      SQ_ARGS(SQ_T(key)), NULL, ei);
}

static int failure_purge(void *b, int64_t before, size_t *npurged,
			 struct ct_errinfo *ei)
{
	return purge(b, "DELETE FROM auth_failures WHERE at < ?1", before,
		     npurged, ei);
}

/* ---- Audit ---- */

#define AUDIT_COLS                                                            \
	"id, at_us, actor, device_id, action, outcome, reason, source, detail"
#define AUDIT_ORDER " ORDER BY at_us DESC, id DESC LIMIT ?3 OFFSET ?4"

static void read_audit(struct sq_row *r, void *elem)
{
	struct ct_store_audit *ev = elem;

	ev->id = sq_int(r);
	ev->at_us = sq_int(r);
	ev->actor = sq_text(r);
	ev->device_id = sq_text(r);
	ev->action = sq_text(r);
	ev->outcome = sq_text(r);
	ev->reason = sq_text(r);
	ev->source = sq_text(r);
	ev->detail = sq_text(r);
}

static int audit_append(void *b, const struct ct_store_audit *ev,
			int64_t *id_out, struct ct_errinfo *ei)
{
	struct sq *q = b;
	int r;

	r = sq_run(q,
		   "INSERT INTO audit_events (tenant_id, at_us, actor,"
		   " device_id, action, outcome, reason, source, detail)"
		   " VALUES ((SELECT id FROM tenants LIMIT 1),"
		   " ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
		   SQ_ARGS(SQ_I(ev->at_us), SQ_T(ev->actor),
			   SQ_T(ev->device_id), SQ_T(ev->action),
			   SQ_T(ev->outcome), SQ_T(ev->reason),
			   SQ_T(ev->source), SQ_T(ev->detail)),
		   NULL, ei);
	if (r == 0 && id_out != NULL)
		*id_out = sqlite3_last_insert_rowid(q->db);
	return r;
}

static int audit_list(void *b, struct ct_arena *a,
		      const struct ct_store_audit_filter *filter, size_t limit,
		      size_t offset, struct ct_store_audit **out, size_t *nout,
		      struct ct_errinfo *ei)
{
	/* One statement per filter shape, so each can use its index. */
	static const char *const sql[4] = {
		"SELECT " AUDIT_COLS " FROM audit_events"
		" WHERE ?1 IS NULL AND ?2 IS NULL" AUDIT_ORDER,
		"SELECT " AUDIT_COLS " FROM audit_events"
		" WHERE actor = ?1 AND ?2 IS NULL" AUDIT_ORDER,
		"SELECT " AUDIT_COLS " FROM audit_events"
		" WHERE ?1 IS NULL AND action = ?2" AUDIT_ORDER,
		"SELECT " AUDIT_COLS " FROM audit_events"
		" WHERE actor = ?1 AND action = ?2" AUDIT_ORDER,
	};
	int shape = (filter->actor != NULL) | (filter->action != NULL) << 1;

	return sq_fetch(b, a, sql[shape],
			SQ_ARGS(SQ_T(filter->actor), SQ_T(filter->action),
				SQ_I((int64_t)limit), SQ_I((int64_t)offset)),
			read_audit, sizeof(**out), limit, out, nout,
			ei);
}

/* ---- Secrets ---- */

static int secret_put(void *b, const char *name,
		      const struct ct_store_blob *sealed, struct ct_errinfo *ei)
{
	return sq_run(b,
		      "INSERT INTO secrets (name, blob, updated)"
		      " VALUES (?1, ?2, ?3) ON CONFLICT (name) DO UPDATE SET"
		      " blob = excluded.blob, updated = excluded.updated",
		      SQ_ARGS(SQ_T(name), SQ_B(*sealed), SQ_I(sq_now())), NULL,
		      ei);
}

static int secret_get(void *b, struct ct_arena *a, const char *name,
		      struct ct_store_blob *out, struct ct_errinfo *ei)
{
	return sq_fetch_one(b, a, "secret",
			    "SELECT blob FROM secrets WHERE name = ?1",
			    SQ_ARGS(SQ_T(name)), read_blob, sizeof(*out), out,
			    ei);
}

const struct ct_store_vtable ct_store_sqlite_vtable = {
	.maj_ver = CT_STORE_VTABLE_MAJOR,
	.min_ver = CT_STORE_VTABLE_MINOR,
	.scheme = "sqlite",
	.open = sq_open,
	.close = sq_close,
	.begin = sq_begin,
	.commit = sq_commit,
	.rollback = sq_rollback,
	.tenant_add = tenant_add,
	.tenant_get = tenant_get,
	.tenant_domain_add = tenant_domain_add,
	.tenant_domain_remove = tenant_domain_remove,
	.user_add = user_add,
	.user_get = user_get,
	.user_get_by_upn = user_get_by_upn,
	.user_list = user_list,
	.user_set_enabled = user_set_enabled,
	.user_set_password_hash = user_set_password_hash,
	.user_set_totp_secret = user_set_totp_secret,
	.user_set_onprem = user_set_onprem,
	.user_totp_advance = user_totp_advance,
	.group_add = group_add,
	.group_get = group_get,
	.group_get_by_name = group_get_by_name,
	.group_list = group_list,
	.group_remove = group_remove,
	.group_member_add = group_member_add,
	.group_member_remove = group_member_remove,
	.group_members = group_members,
	.user_groups = user_groups,
	.device_add = device_add,
	.device_get = device_get,
	.device_get_by_thumbprint = device_get_by_thumbprint,
	.device_list = device_list,
	.device_set_enabled = device_set_enabled,
	.device_touch = device_touch,
	.device_remove = device_remove,
	.hello_key_add = hello_key_add,
	.hello_key_get = hello_key_get,
	.hello_key_list_by_user = hello_key_list_by_user,
	.hello_key_remove = hello_key_remove,
	.krb_server_put = krb_server_put,
	.krb_server_get = krb_server_get,
	.krb_server_list = krb_server_list,
	.krb_server_remove = krb_server_remove,
	.policy_set = policy_set,
	.policy_get = policy_get,
	.policy_list = policy_list,
	.policy_remove = policy_remove,
	.policy_effective_for_user = policy_effective_for_user,
	.nonce_put = nonce_put,
	.nonce_consume = nonce_consume,
	.failure_record = failure_record,
	.failure_count = failure_count,
	.failure_clear = failure_clear,
	.audit_append = audit_append,
	.audit_list = audit_list,
	.secret_put = secret_put,
	.secret_get = secret_get,
	.krb_server_rotate = krb_server_rotate,
	.nonce_purge = nonce_purge,
	.failure_purge = failure_purge,
};
