/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The dispatch layer: picks a backend by URL scheme, checks its vtable,
 * validates every argument once for all backends, and keeps the
 * transaction latch that turns "a write failed" into "nothing is written".
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ct-limits.h"
#include "ct-utf8.h"
#include "store-backend.h"

struct ct_store {
	const struct ct_store_vtable *vt;
	void *b;
	bool in_txn;
	int txn_err; /* first failed write inside the open transaction */
};

/* "postgresql://..." is a scheme we know of but have not built yet. */
static const char *const planned_schemes[] = {"postgresql", "postgres"};

static const struct ct_store_vtable *const backends[] = {
	&ct_store_sqlite_vtable,
};

/* ---- Argument checks ---- */

enum {
	TXT_OPTIONAL = 1 << 0,  /* NULL allowed */
	TXT_MULTILINE = 1 << 1, /* tab, CR and LF allowed */
};

static int check_text(const char *v, const char *what, size_t max,
		      unsigned flags, struct ct_errinfo *ei)
{
	const unsigned char *p = (const unsigned char *)v;
	size_t len, n;

	if (v == NULL)
		return flags & TXT_OPTIONAL
			       ? 0
			       : ct_errinfo_set(ei, CT_ERR_INVALID_ARG,
						"%s is missing", what);
	len = strnlen(v, max + 1);
	if (len > max)
		return ct_errinfo_set(ei, CT_ERR_INVALID_ARG,
				      "%s is longer than %zu bytes", what, max);
	if (len == 0 && !(flags & TXT_OPTIONAL))
		return ct_errinfo_set(ei, CT_ERR_INVALID_ARG, "%s is empty",
				      what);
	for (; *p != '\0'; p += n) {
		n = ct_utf8_seq_len(p);
		if (n == 0)
			return ct_errinfo_set(ei, CT_ERR_INVALID_ARG,
					      "%s is not valid UTF-8", what);
		if (n == 1 && (*p < 0x20 || *p == 0x7f) &&
		    !((flags & TXT_MULTILINE) &&
		      (*p == '\t' || *p == '\n' || *p == '\r')))
			return ct_errinfo_set(ei, CT_ERR_INVALID_ARG,
					      "%s contains a control character",
					      what);
	}
	return 0;
}

static int check_blob(const struct ct_store_blob *b, const char *what,
		      bool required, struct ct_errinfo *ei)
{
	if (b == NULL || b->len == 0)
		return required ? ct_errinfo_set(ei, CT_ERR_INVALID_ARG,
						 "%s is missing", what)
				: 0;
	if (b->data == NULL)
		return ct_errinfo_set(ei, CT_ERR_INVALID_ARG,
				      "%s has a length but no data", what);
	if (b->len > CT_STORE_MAX_BLOB)
		return ct_errinfo_set(ei, CT_ERR_INVALID_ARG,
				      "%s is larger than %d bytes", what,
				      CT_STORE_MAX_BLOB);
	return 0;
}

static int check_id(int64_t id, const char *what, struct ct_errinfo *ei)
{
	return id > 0 ? 0
		      : ct_errinfo_set(ei, CT_ERR_INVALID_ARG,
				       "%s must be positive", what);
}

static int check_page(size_t limit, size_t offset, struct ct_errinfo *ei)
{
	if (limit == 0 || limit > CT_STORE_MAX_LIST)
		return ct_errinfo_set(ei, CT_ERR_INVALID_ARG,
				      "limit must be 1..%d", CT_STORE_MAX_LIST);
	if (offset > INT64_MAX)
		return ct_errinfo_set(ei, CT_ERR_INVALID_ARG,
				      "offset too large");
	return 0;
}

/*
 * DNS names are compared as lower case everywhere, so they are stored that
 * way: copies name into out (CT_STORE_MAX_DOMAIN + 1 bytes) lower-cased,
 * after checking it is LDH labels of 1..63 separated by single dots.
 */
static int norm_domain(const char *name, char *out, struct ct_errinfo *ei)
{
	size_t i, label = 0;
	int r;
	char c;

	r = check_text(name, "domain", CT_STORE_MAX_DOMAIN, 0, ei);
	if (r < 0)
		return r;
	for (i = 0; name[i] != '\0'; i++) {
		c = name[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c == '.') {
			if (label == 0)
				goto bad;
			label = 0;
		} else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
			   c == '-') {
			if (++label > 63)
				goto bad;
		} else {
			goto bad;
		}
		out[i] = c;
	}
	if (label == 0)
		goto bad;
	out[i] = '\0';
	return 0;
bad:
	return ct_errinfo_set(ei, CT_ERR_INVALID_ARG,
			      "domain is not a DNS name");
}

static int check_onprem(const struct ct_store_onprem *op,
			struct ct_errinfo *ei)
{
	int r;

	r = check_text(op->sam_account_name, "onprem sAMAccountName",
		       CT_STORE_MAX_NAME, TXT_OPTIONAL, ei);
	if (r == 0)
		r = check_text(op->domain_name, "onprem domain name",
			       CT_STORE_MAX_DOMAIN, TXT_OPTIONAL, ei);
	if (r == 0)
		r = check_text(op->sid, "onprem SID", CT_STORE_MAX_SID,
			       TXT_OPTIONAL, ei);
	if (r == 0)
		r = check_text(op->upn, "onprem UPN", CT_STORE_MAX_UPN,
			       TXT_OPTIONAL, ei);
	return r;
}

static int check_krb_key(const struct ct_store_krb_key *k, const char *what,
			 struct ct_errinfo *ei)
{
	int r = check_blob(&k->sealed, what, true, ei);

	if (r < 0)
		return r;
	if (k->enctype <= 0)
		return ct_errinfo_set(ei, CT_ERR_INVALID_ARG,
				      "%s: enctype must be positive", what);
	if (k->key_version > 0xffff)
		return ct_errinfo_set(ei, CT_ERR_INVALID_ARG,
				      "%s: key version must fit 16 bits", what);
	return 0;
}

/* ---- Handle ---- */

/* Latches the first failed write of an open transaction. */
static int wr(struct ct_store *s, int r)
{
	if (r < 0 && s->in_txn && s->txn_err == 0)
		s->txn_err = r;
	return r;
}

/* A method a backend may leave out, or that predates its min_ver. */
#define HAS_OPTIONAL(s, minor, fn) \
	((s)->vt->min_ver >= (minor) && (s)->vt->fn != NULL)

static int check_vtable(const struct ct_store_vtable *vt,
			struct ct_errinfo *ei)
{
	if (vt->maj_ver != CT_STORE_VTABLE_MAJOR || vt->min_ver < 0)
		return ct_errinfo_set(ei, CT_ERR_INTERNAL,
				      "store backend %s has vtable version %d.%d, need %d.x",
				      vt->scheme, vt->maj_ver, vt->min_ver,
				      CT_STORE_VTABLE_MAJOR);
#define CT_STORE_CHECK_(fn)                                                   \
	if (vt->fn == NULL)                                                   \
		return ct_errinfo_set(ei, CT_ERR_INTERNAL,                    \
				      "store backend %s lacks mandatory method " #fn, \
				      vt->scheme);
	CT_STORE_MANDATORY(CT_STORE_CHECK_)
#undef CT_STORE_CHECK_
	return 0;
}

/* Finds the backend for url; *loc is what follows "scheme:". */
static int pick_backend(const char *url, const struct ct_store_vtable **vt,
			const char **loc, struct ct_errinfo *ei)
{
	size_t n = 0, i;

	/* An RFC 3986 scheme: a letter, then letters, digits, + - . */
	if ((url[0] >= 'a' && url[0] <= 'z') || (url[0] >= 'A' && url[0] <= 'Z'))
		n = strspn(url, "abcdefghijklmnopqrstuvwxyz"
				"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-.");
	if (n == 0 || url[n] != ':') {
		/* No scheme: a bare path of a SQLite database. */
		*vt = &ct_store_sqlite_vtable;
		*loc = url;
		return 0;
	}
	for (i = 0; i < sizeof(backends) / sizeof(backends[0]); i++) {
		if (strlen(backends[i]->scheme) == n &&
		    strncasecmp(url, backends[i]->scheme, n) == 0) {
			*vt = backends[i];
			*loc = url + n + 1;
			return 0;
		}
	}
	for (i = 0; i < sizeof(planned_schemes) / sizeof(planned_schemes[0]); i++)
		if (strlen(planned_schemes[i]) == n &&
		    strncasecmp(url, planned_schemes[i], n) == 0)
			return ct_errinfo_set(ei, CT_ERR_NOT_SUPPORTED,
					      "no %.*s store backend in this build",
					      (int)n, url);
	return ct_errinfo_set(ei, CT_ERR_INVALID_ARG,
			      "unknown store scheme \"%.*s\" (use sqlite:PATH)",
			      (int)n, url);
}

int ct_store_open(const char *url, struct ct_store **out,
		  struct ct_errinfo *ei)
{
	const struct ct_store_vtable *vt = NULL;
	const char *loc = NULL;
	int r;

	r = check_text(url, "store URL", CT_STORE_MAX_URL, 0, ei);
	if (r == 0)
		r = pick_backend(url, &vt, &loc, ei);
	return r < 0 ? r : ct_store_open_backend(vt, loc, out, ei);
}

int ct_store_open_backend(const struct ct_store_vtable *vt,
			  const char *location, struct ct_store **out,
			  struct ct_errinfo *ei)
{
	struct ct_store *s = NULL;
	int r;

	r = check_vtable(vt, ei);
	if (r == 0)
		r = check_text(location, "store location", CT_STORE_MAX_URL, 0,
			       ei);
	if (r < 0)
		goto out;
	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		r = ct_errinfo_set(ei, CT_ERR_NOMEM, "out of memory");
		goto out;
	}
	s->vt = vt;
	r = vt->open(location, &s->b, ei);
	if (r < 0)
		goto out;
	*out = s;
	s = NULL;
out:
	free(s);
	return r;
}

void ct_store_close(struct ct_store *s)
{
	if (s == NULL)
		return;
	if (s->in_txn)
		s->vt->rollback(s->b, NULL);
	s->vt->close(s->b);
	free(s);
}

const char *ct_store_backend_name(const struct ct_store *s)
{
	return s->vt->scheme;
}

int ct_store_begin(struct ct_store *s, struct ct_errinfo *ei)
{
	int r;

	if (s->in_txn)
		return ct_errinfo_set(ei, CT_ERR_INVALID_ARG,
				      "a transaction is already open");
	r = s->vt->begin(s->b, ei);
	if (r == 0) {
		s->in_txn = true;
		s->txn_err = 0;
	}
	return r;
}

int ct_store_rollback(struct ct_store *s, struct ct_errinfo *ei)
{
	if (!s->in_txn)
		return ct_errinfo_set(ei, CT_ERR_INVALID_ARG,
				      "no transaction is open");
	s->in_txn = false;
	return s->vt->rollback(s->b, ei);
}

int ct_store_commit(struct ct_store *s, struct ct_errinfo *ei)
{
	int r;

	if (!s->in_txn)
		return ct_errinfo_set(ei, CT_ERR_INVALID_ARG,
				      "no transaction is open");
	if (s->txn_err < 0) {
		r = s->txn_err;
		ct_store_rollback(s, NULL);
		return ct_errinfo_set(ei, r,
				      "transaction rolled back: a write in it failed (%s)",
				      ct_errname(r));
	}
	s->in_txn = false;
	r = s->vt->commit(s->b, ei);
	if (r < 0)
		s->vt->rollback(s->b, NULL);
	return r;
}

void *ct_store_array_push(struct ct_arena *a, void **arr, size_t *n,
			  size_t *cap, size_t elem)
{
	size_t ncap;
	uint8_t *p;

	if (*n == *cap) {
		ncap = *cap == 0 ? 8 : *cap * 2;
		if (ncap > SIZE_MAX / elem)
			return NULL;
		/* The old array stays in the arena: at most half is wasted. */
		p = ct_arena_alloc(a, ncap * elem);
		if (p == NULL)
			return NULL;
		if (*n > 0)
			memcpy(p, *arr, *n * elem);
		*arr = p;
		*cap = ncap;
	}
	p = (uint8_t *)*arr + *n * elem;
	(*n)++;
	return p;
}

/* ---- Tenant ---- */

int ct_store_tenant_add(struct ct_store *s, const struct ct_store_tenant *t,
			struct ct_errinfo *ei)
{
	int r = check_text(t->id, "tenant id", CT_STORE_MAX_ID, 0, ei);

	if (r == 0)
		r = check_text(t->name, "tenant name", CT_STORE_MAX_NAME, 0,
			       ei);
	if (r < 0)
		return r;
	return wr(s, s->vt->tenant_add(s->b, t, ei));
}

int ct_store_tenant_get(struct ct_store *s, struct ct_arena *a,
			struct ct_store_tenant *out, struct ct_errinfo *ei)
{
	return s->vt->tenant_get(s->b, a, out, ei);
}

int ct_store_tenant_domain_add(struct ct_store *s, const char *domain,
			       struct ct_errinfo *ei)
{
	char d[CT_STORE_MAX_DOMAIN + 1];
	int r = norm_domain(domain, d, ei);

	return r < 0 ? r : wr(s, s->vt->tenant_domain_add(s->b, d, ei));
}

int ct_store_tenant_domain_remove(struct ct_store *s, const char *domain,
				  struct ct_errinfo *ei)
{
	char d[CT_STORE_MAX_DOMAIN + 1];
	int r = norm_domain(domain, d, ei);

	return r < 0 ? r : wr(s, s->vt->tenant_domain_remove(s->b, d, ei));
}

/* ---- Users ---- */

static int check_upn(const char *upn, struct ct_errinfo *ei)
{
	return check_text(upn, "UPN", CT_STORE_MAX_UPN, 0, ei);
}

static int check_password_hash(const char *hash, struct ct_errinfo *ei)
{
	return check_text(hash, "password hash", CT_STORE_MAX_PASSWORD_HASH,
			  TXT_OPTIONAL, ei);
}

int ct_store_user_add(struct ct_store *s, const struct ct_store_user *u,
		      int64_t *id_out, struct ct_errinfo *ei)
{
	int r = check_upn(u->upn, ei);

	if (r == 0)
		r = check_text(u->display_name, "display name",
			       CT_STORE_MAX_NAME, 0, ei);
	if (r == 0)
		r = check_password_hash(u->password_hash, ei);
	if (r == 0)
		r = check_blob(&u->totp_secret, "TOTP secret", false, ei);
	if (r == 0)
		r = check_onprem(&u->onprem, ei);
	if (r < 0)
		return r;
	return wr(s, s->vt->user_add(s->b, u, id_out, ei));
}

int ct_store_user_get(struct ct_store *s, struct ct_arena *a, int64_t id,
		      struct ct_store_user *out, struct ct_errinfo *ei)
{
	int r = check_id(id, "user id", ei);

	return r < 0 ? r : s->vt->user_get(s->b, a, id, out, ei);
}

int ct_store_user_get_by_upn(struct ct_store *s, struct ct_arena *a,
			     const char *upn, struct ct_store_user *out,
			     struct ct_errinfo *ei)
{
	int r = check_upn(upn, ei);

	return r < 0 ? r : s->vt->user_get_by_upn(s->b, a, upn, out, ei);
}

int ct_store_user_list(struct ct_store *s, struct ct_arena *a, size_t limit,
		       size_t offset, struct ct_store_user **out, size_t *nout,
		       struct ct_errinfo *ei)
{
	int r = check_page(limit, offset, ei);

	return r < 0 ? r
		     : s->vt->user_list(s->b, a, limit, offset, out, nout, ei);
}

int ct_store_user_set_enabled(struct ct_store *s, int64_t id, bool enabled,
			      struct ct_errinfo *ei)
{
	int r = check_id(id, "user id", ei);

	return r < 0 ? r
		     : wr(s, s->vt->user_set_enabled(s->b, id, enabled, ei));
}

int ct_store_user_set_password_hash(struct ct_store *s, int64_t id,
				    const char *hash, struct ct_errinfo *ei)
{
	int r = check_id(id, "user id", ei);

	if (r == 0)
		r = check_password_hash(hash, ei);
	return r < 0 ? r
		     : wr(s, s->vt->user_set_password_hash(s->b, id, hash, ei));
}

int ct_store_user_set_totp_secret(struct ct_store *s, int64_t id,
				  const struct ct_store_blob *sealed,
				  struct ct_errinfo *ei)
{
	int r = check_id(id, "user id", ei);

	if (r == 0)
		r = check_blob(sealed, "TOTP secret", false, ei);
	return r < 0 ? r
		     : wr(s, s->vt->user_set_totp_secret(s->b, id, sealed, ei));
}

int ct_store_user_set_onprem(struct ct_store *s, int64_t id,
			     const struct ct_store_onprem *op,
			     struct ct_errinfo *ei)
{
	int r = check_id(id, "user id", ei);

	if (r == 0)
		r = check_onprem(op, ei);
	return r < 0 ? r : wr(s, s->vt->user_set_onprem(s->b, id, op, ei));
}

int ct_store_user_totp_advance(struct ct_store *s, int64_t id, int64_t step,
			       struct ct_errinfo *ei)
{
	int r = check_id(id, "user id", ei);

	if (r == 0 && step < 0)
		r = ct_errinfo_set(ei, CT_ERR_INVALID_ARG,
				   "TOTP step is negative");
	return r < 0 ? r : wr(s, s->vt->user_totp_advance(s->b, id, step, ei));
}

/* ---- Groups ---- */

static int check_group_name(const char *name, struct ct_errinfo *ei)
{
	return check_text(name, "group name", CT_STORE_MAX_NAME, 0, ei);
}

int ct_store_group_add(struct ct_store *s, const char *name, int64_t *id_out,
		       struct ct_errinfo *ei)
{
	int r = check_group_name(name, ei);

	return r < 0 ? r : wr(s, s->vt->group_add(s->b, name, id_out, ei));
}

int ct_store_group_get(struct ct_store *s, struct ct_arena *a, int64_t id,
		       struct ct_store_group *out, struct ct_errinfo *ei)
{
	int r = check_id(id, "group id", ei);

	return r < 0 ? r : s->vt->group_get(s->b, a, id, out, ei);
}

int ct_store_group_get_by_name(struct ct_store *s, struct ct_arena *a,
			       const char *name, struct ct_store_group *out,
			       struct ct_errinfo *ei)
{
	int r = check_group_name(name, ei);

	return r < 0 ? r : s->vt->group_get_by_name(s->b, a, name, out, ei);
}

int ct_store_group_list(struct ct_store *s, struct ct_arena *a, size_t limit,
			size_t offset, struct ct_store_group **out,
			size_t *nout, struct ct_errinfo *ei)
{
	int r = check_page(limit, offset, ei);

	return r < 0 ? r
		     : s->vt->group_list(s->b, a, limit, offset, out, nout, ei);
}

int ct_store_group_remove(struct ct_store *s, int64_t id,
			  struct ct_errinfo *ei)
{
	int r = check_id(id, "group id", ei);

	return r < 0 ? r : wr(s, s->vt->group_remove(s->b, id, ei));
}

static int check_membership(int64_t group_id, int64_t user_id,
			    struct ct_errinfo *ei)
{
	int r = check_id(group_id, "group id", ei);

	return r < 0 ? r : check_id(user_id, "user id", ei);
}

int ct_store_group_member_add(struct ct_store *s, int64_t group_id,
			      int64_t user_id, struct ct_errinfo *ei)
{
	int r = check_membership(group_id, user_id, ei);

	return r < 0 ? r
		     : wr(s, s->vt->group_member_add(s->b, group_id, user_id,
						     ei));
}

int ct_store_group_member_remove(struct ct_store *s, int64_t group_id,
				 int64_t user_id, struct ct_errinfo *ei)
{
	int r = check_membership(group_id, user_id, ei);

	return r < 0 ? r
		     : wr(s, s->vt->group_member_remove(s->b, group_id,
							user_id, ei));
}

int ct_store_group_members(struct ct_store *s, struct ct_arena *a,
			   int64_t group_id, size_t limit, size_t offset,
			   int64_t **out, size_t *nout, struct ct_errinfo *ei)
{
	int r = check_id(group_id, "group id", ei);

	if (r == 0)
		r = check_page(limit, offset, ei);
	return r < 0 ? r
		     : s->vt->group_members(s->b, a, group_id, limit, offset,
					    out, nout, ei);
}

int ct_store_user_groups(struct ct_store *s, struct ct_arena *a,
			 int64_t user_id, struct ct_store_group **out,
			 size_t *nout, struct ct_errinfo *ei)
{
	int r = check_id(user_id, "user id", ei);

	return r < 0 ? r : s->vt->user_groups(s->b, a, user_id, out, nout, ei);
}

/* ---- Devices ---- */

static int check_device_id(const char *id, struct ct_errinfo *ei)
{
	return check_text(id, "device id", CT_STORE_MAX_ID, 0, ei);
}

static int check_thumbprint(const char *tp, struct ct_errinfo *ei)
{
	return check_text(tp, "certificate thumbprint", CT_STORE_MAX_ID, 0, ei);
}

int ct_store_device_add(struct ct_store *s, const struct ct_store_device *d,
			struct ct_errinfo *ei)
{
	int r = check_device_id(d->id, ei);

	if (r == 0)
		r = check_text(d->display_name, "device display name",
			       CT_STORE_MAX_NAME, 0, ei);
	if (r == 0)
		r = check_text(d->os_version, "OS version", CT_STORE_MAX_NAME,
			       0, ei);
	if (r == 0)
		r = check_text(d->device_type, "device type",
			       CT_STORE_MAX_NAME, 0, ei);
	if (r == 0)
		r = check_thumbprint(d->cert_thumbprint, ei);
	if (r == 0)
		r = check_blob(&d->cert_der, "device certificate", true, ei);
	if (r == 0)
		r = check_blob(&d->transport_key, "transport key", true, ei);
	if (r == 0)
		r = check_blob(&d->device_key, "device key", true, ei);
	if (r == 0 && (d->owner_user_id < 0 || d->join_type < 0))
		r = ct_errinfo_set(ei, CT_ERR_INVALID_ARG,
				   "owner id and join type may not be negative");
	if (r < 0)
		return r;
	return wr(s, s->vt->device_add(s->b, d, ei));
}

int ct_store_device_get(struct ct_store *s, struct ct_arena *a, const char *id,
			struct ct_store_device *out, struct ct_errinfo *ei)
{
	int r = check_device_id(id, ei);

	return r < 0 ? r : s->vt->device_get(s->b, a, id, out, ei);
}

int ct_store_device_get_by_thumbprint(struct ct_store *s, struct ct_arena *a,
				      const char *thumbprint,
				      struct ct_store_device *out,
				      struct ct_errinfo *ei)
{
	int r = check_thumbprint(thumbprint, ei);

	return r < 0 ? r
		     : s->vt->device_get_by_thumbprint(s->b, a, thumbprint,
						       out, ei);
}

int ct_store_device_list(struct ct_store *s, struct ct_arena *a, size_t limit,
			 size_t offset, struct ct_store_device **out,
			 size_t *nout, struct ct_errinfo *ei)
{
	int r = check_page(limit, offset, ei);

	return r < 0 ? r
		     : s->vt->device_list(s->b, a, limit, offset, out, nout,
					  ei);
}

int ct_store_device_set_enabled(struct ct_store *s, const char *id,
				bool enabled, struct ct_errinfo *ei)
{
	int r = check_device_id(id, ei);

	return r < 0 ? r
		     : wr(s, s->vt->device_set_enabled(s->b, id, enabled, ei));
}

int ct_store_device_touch(struct ct_store *s, const char *id,
			  struct ct_errinfo *ei)
{
	int r = check_device_id(id, ei);

	return r < 0 ? r : wr(s, s->vt->device_touch(s->b, id, ei));
}

int ct_store_device_remove(struct ct_store *s, const char *id,
			   struct ct_errinfo *ei)
{
	int r = check_device_id(id, ei);

	return r < 0 ? r : wr(s, s->vt->device_remove(s->b, id, ei));
}

/* ---- Hello keys ---- */

static int check_kid(const char *kid, struct ct_errinfo *ei)
{
	return check_text(kid, "key id", CT_STORE_MAX_ID, 0, ei);
}

int ct_store_hello_key_add(struct ct_store *s,
			   const struct ct_store_hello_key *k,
			   struct ct_errinfo *ei)
{
	int r = check_kid(k->kid, ei);

	if (r == 0)
		r = check_id(k->user_id, "user id", ei);
	if (r == 0)
		r = check_device_id(k->device_id, ei);
	if (r == 0)
		r = check_blob(&k->public_key, "public key", true, ei);
	if (r == 0 && (k->key_type == NULL ||
		       (strcmp(k->key_type, "rsa") != 0 &&
			strcmp(k->key_type, "ec") != 0)))
		r = ct_errinfo_set(ei, CT_ERR_INVALID_ARG,
				   "key type must be \"rsa\" or \"ec\"");
	if (r < 0)
		return r;
	return wr(s, s->vt->hello_key_add(s->b, k, ei));
}

int ct_store_hello_key_get(struct ct_store *s, struct ct_arena *a,
			   const char *kid, struct ct_store_hello_key *out,
			   struct ct_errinfo *ei)
{
	int r = check_kid(kid, ei);

	return r < 0 ? r : s->vt->hello_key_get(s->b, a, kid, out, ei);
}

int ct_store_hello_key_list_by_user(struct ct_store *s, struct ct_arena *a,
				    int64_t user_id,
				    struct ct_store_hello_key **out,
				    size_t *nout, struct ct_errinfo *ei)
{
	int r = check_id(user_id, "user id", ei);

	return r < 0 ? r
		     : s->vt->hello_key_list_by_user(s->b, a, user_id, out,
						     nout, ei);
}

int ct_store_hello_key_remove(struct ct_store *s, const char *kid,
			      struct ct_errinfo *ei)
{
	int r = check_kid(kid, ei);

	return r < 0 ? r : wr(s, s->vt->hello_key_remove(s->b, kid, ei));
}

/* ---- Kerberos server objects ---- */

static int check_updated_from(const char *from, struct ct_errinfo *ei)
{
	return check_text(from, "key updated from", CT_STORE_MAX_NAME, 0, ei);
}

int ct_store_krb_server_put(struct ct_store *s,
			    const struct ct_store_krb_server *ks,
			    struct ct_errinfo *ei)
{
	struct ct_store_krb_server copy = *ks;
	char d[CT_STORE_MAX_DOMAIN + 1];
	int r = norm_domain(ks->domain, d, ei);

	if (r == 0)
		r = check_text(ks->realm, "realm", CT_STORE_MAX_DOMAIN, 0, ei);
	if (r == 0)
		r = check_text(ks->display_name, "display name",
			       CT_STORE_MAX_NAME, 0, ei);
	if (r == 0)
		r = check_updated_from(ks->key_updated_from, ei);
	if (r == 0)
		r = check_krb_key(&ks->primary, "primary key", ei);
	if (r == 0 && ks->has_secondary)
		r = check_krb_key(&ks->secondary, "secondary key", ei);
	if (r == 0 && (ks->rodc_number < 1 || ks->rodc_number > 0xffff))
		r = ct_errinfo_set(ei, CT_ERR_INVALID_ARG,
				   "RODC number must be 1..65535");
	if (r < 0)
		return r;
	copy.domain = d;
	return wr(s, s->vt->krb_server_put(s->b, &copy, ei));
}

int ct_store_krb_server_get(struct ct_store *s, struct ct_arena *a,
			    const char *domain,
			    struct ct_store_krb_server *out,
			    struct ct_errinfo *ei)
{
	char d[CT_STORE_MAX_DOMAIN + 1];
	int r = norm_domain(domain, d, ei);

	return r < 0 ? r : s->vt->krb_server_get(s->b, a, d, out, ei);
}

int ct_store_krb_server_list(struct ct_store *s, struct ct_arena *a,
			     struct ct_store_krb_server **out, size_t *nout,
			     struct ct_errinfo *ei)
{
	return s->vt->krb_server_list(s->b, a, out, nout, ei);
}

int ct_store_krb_server_remove(struct ct_store *s, const char *domain,
			       struct ct_errinfo *ei)
{
	char d[CT_STORE_MAX_DOMAIN + 1];
	int r = norm_domain(domain, d, ei);

	return r < 0 ? r : wr(s, s->vt->krb_server_remove(s->b, d, ei));
}

/* Rotation for a backend without its own: get and put in one transaction. */
static int rotate_fallback(struct ct_store *s, const char *domain,
			   const struct ct_store_krb_key *key,
			   int64_t updated_on, const char *updated_from,
			   struct ct_errinfo *ei)
{
	struct ct_arena *a = ct_arena_new();
	struct ct_store_krb_server ks;
	bool own = !s->in_txn;
	int r;

	if (a == NULL)
		return ct_errinfo_set(ei, CT_ERR_NOMEM, "out of memory");
	r = own ? s->vt->begin(s->b, ei) : 0;
	if (r < 0)
		goto out;
	r = s->vt->krb_server_get(s->b, a, domain, &ks, ei);
	if (r == 0) {
		ks.secondary = ks.primary;
		ks.has_secondary = true;
		ks.primary = *key;
		ks.key_updated_on = updated_on;
		ks.key_updated_from = updated_from;
		r = s->vt->krb_server_put(s->b, &ks, ei);
	}
	if (own && r == 0)
		r = s->vt->commit(s->b, ei);
	if (own && r < 0)
		s->vt->rollback(s->b, NULL);
out:
	ct_arena_free(a);
	return r;
}

int ct_store_krb_server_rotate(struct ct_store *s, const char *domain,
			       const struct ct_store_krb_key *key,
			       int64_t updated_on, const char *updated_from,
			       struct ct_errinfo *ei)
{
	char d[CT_STORE_MAX_DOMAIN + 1];
	int r = norm_domain(domain, d, ei);

	if (r == 0)
		r = check_krb_key(key, "new key", ei);
	if (r == 0)
		r = check_updated_from(updated_from, ei);
	if (r < 0)
		return r;
	if (HAS_OPTIONAL(s, 0, krb_server_rotate))
		r = s->vt->krb_server_rotate(s->b, d, key, updated_on,
					     updated_from, ei);
	else
		r = rotate_fallback(s, d, key, updated_on, updated_from, ei);
	return wr(s, r);
}

/* ---- Policy ---- */

static int check_policy_key(const char *node, int64_t group_id,
			    struct ct_errinfo *ei)
{
	int r = check_text(node, "policy node", CT_STORE_MAX_POLICY_NODE, 0,
			   ei);

	if (r == 0 && group_id < 0)
		r = ct_errinfo_set(ei, CT_ERR_INVALID_ARG,
				   "policy scope may not be negative");
	return r;
}

int ct_store_policy_set(struct ct_store *s, const char *node,
			const char *value, int64_t group_id,
			struct ct_errinfo *ei)
{
	int r = check_policy_key(node, group_id, ei);

	/* An empty value is a value ("" is not "unset"). */
	if (r == 0)
		r = check_text(value, "policy value", CT_STORE_MAX_TEXT,
			       TXT_OPTIONAL | TXT_MULTILINE, ei);
	if (r == 0 && value == NULL)
		r = ct_errinfo_set(ei, CT_ERR_INVALID_ARG,
				   "policy value is missing");
	return r < 0 ? r
		     : wr(s, s->vt->policy_set(s->b, node, value, group_id,
					       ei));
}

int ct_store_policy_get(struct ct_store *s, struct ct_arena *a,
			const char *node, int64_t group_id,
			const char **value_out, struct ct_errinfo *ei)
{
	int r = check_policy_key(node, group_id, ei);

	return r < 0 ? r
		     : s->vt->policy_get(s->b, a, node, group_id, value_out,
					 ei);
}

int ct_store_policy_list(struct ct_store *s, struct ct_arena *a,
			 struct ct_store_policy **out, size_t *nout,
			 struct ct_errinfo *ei)
{
	return s->vt->policy_list(s->b, a, out, nout, ei);
}

int ct_store_policy_remove(struct ct_store *s, const char *node,
			   int64_t group_id, struct ct_errinfo *ei)
{
	int r = check_policy_key(node, group_id, ei);

	return r < 0 ? r
		     : wr(s, s->vt->policy_remove(s->b, node, group_id, ei));
}

int ct_store_policy_effective_for_user(struct ct_store *s, struct ct_arena *a,
				       int64_t user_id,
				       struct ct_store_policy **out,
				       size_t *nout, struct ct_errinfo *ei)
{
	int r = check_id(user_id, "user id", ei);

	return r < 0 ? r
		     : s->vt->policy_effective_for_user(s->b, a, user_id, out,
							nout, ei);
}

/* ---- Nonces ---- */

static int check_hash(const uint8_t *hash, struct ct_errinfo *ei)
{
	return hash != NULL ? 0
			    : ct_errinfo_set(ei, CT_ERR_INVALID_ARG,
					     "nonce hash is missing");
}

int ct_store_nonce_put(struct ct_store *s,
		       const uint8_t hash[CT_STORE_NONCE_HASH_LEN],
		       int64_t expires, struct ct_errinfo *ei)
{
	int r = check_hash(hash, ei);

	return r < 0 ? r : wr(s, s->vt->nonce_put(s->b, hash, expires, ei));
}

int ct_store_nonce_consume(struct ct_store *s,
			   const uint8_t hash[CT_STORE_NONCE_HASH_LEN],
			   int64_t now, struct ct_errinfo *ei)
{
	int r = check_hash(hash, ei);

	return r < 0 ? r : wr(s, s->vt->nonce_consume(s->b, hash, now, ei));
}

int ct_store_nonce_purge(struct ct_store *s, int64_t now, size_t *npurged,
			 struct ct_errinfo *ei)
{
	if (!HAS_OPTIONAL(s, 0, nonce_purge))
		return wr(s, ct_errinfo_set(ei, CT_ERR_NOT_SUPPORTED,
					    "the %s backend expires nonces itself",
					    s->vt->scheme));
	return wr(s, s->vt->nonce_purge(s->b, now, npurged, ei));
}

/* ---- Authentication failures ---- */

static int check_failure_key(const char *key, struct ct_errinfo *ei)
{
	return check_text(key, "failure key", CT_STORE_MAX_FAILURE_KEY, 0, ei);
}

int ct_store_failure_record(struct ct_store *s, const char *key, int64_t at,
			    struct ct_errinfo *ei)
{
	int r = check_failure_key(key, ei);

	return r < 0 ? r : wr(s, s->vt->failure_record(s->b, key, at, ei));
}

int ct_store_failure_count(struct ct_store *s, const char *key, int64_t since,
			   uint64_t *count, struct ct_errinfo *ei)
{
	int r = check_failure_key(key, ei);

	return r < 0 ? r : s->vt->failure_count(s->b, key, since, count, ei);
}

int ct_store_failure_clear(struct ct_store *s, const char *key,
			   struct ct_errinfo *ei)
{
	int r = check_failure_key(key, ei);

	return r < 0 ? r : wr(s, s->vt->failure_clear(s->b, key, ei));
}

int ct_store_failure_purge(struct ct_store *s, int64_t before, size_t *npurged,
			   struct ct_errinfo *ei)
{
	if (!HAS_OPTIONAL(s, 0, failure_purge))
		return wr(s, ct_errinfo_set(ei, CT_ERR_NOT_SUPPORTED,
					    "the %s backend expires failures itself",
					    s->vt->scheme));
	return wr(s, s->vt->failure_purge(s->b, before, npurged, ei));
}

/* ---- Audit ---- */

static const char *const outcomes[] = {"grant", "deny", "change", "error"};

int ct_store_audit_append(struct ct_store *s, const struct ct_store_audit *ev,
			  int64_t *id_out, struct ct_errinfo *ei)
{
	size_t i;
	int r;

	r = check_text(ev->actor, "actor", CT_STORE_MAX_UPN, 0, ei);
	if (r == 0)
		r = check_text(ev->device_id, "device id", CT_STORE_MAX_ID,
			       TXT_OPTIONAL, ei);
	if (r == 0)
		r = check_text(ev->action, "action", CT_STORE_MAX_NAME, 0, ei);
	if (r == 0)
		r = check_text(ev->reason, "reason", CT_STORE_MAX_NAME,
			       TXT_OPTIONAL, ei);
	if (r == 0)
		r = check_text(ev->source, "source", CT_STORE_MAX_NAME,
			       TXT_OPTIONAL, ei);
	if (r == 0)
		r = check_text(ev->detail, "detail", CT_STORE_MAX_TEXT,
			       TXT_OPTIONAL | TXT_MULTILINE, ei);
	if (r < 0)
		return r;
	for (i = 0; i < sizeof(outcomes) / sizeof(outcomes[0]); i++)
		if (ev->outcome != NULL && strcmp(ev->outcome, outcomes[i]) == 0)
			return wr(s, s->vt->audit_append(s->b, ev, id_out, ei));
	return ct_errinfo_set(ei, CT_ERR_INVALID_ARG,
			      "outcome must be grant, deny, change or error");
}

int ct_store_audit_list(struct ct_store *s, struct ct_arena *a,
			const struct ct_store_audit_filter *filter,
			size_t limit, size_t offset,
			struct ct_store_audit **out, size_t *nout,
			struct ct_errinfo *ei)
{
	static const struct ct_store_audit_filter none;
	int r = check_page(limit, offset, ei);

	if (filter == NULL)
		filter = &none;
	if (r == 0)
		r = check_text(filter->actor, "actor filter", CT_STORE_MAX_UPN,
			       TXT_OPTIONAL, ei);
	if (r == 0)
		r = check_text(filter->action, "action filter",
			       CT_STORE_MAX_NAME, TXT_OPTIONAL, ei);
	return r < 0 ? r
		     : s->vt->audit_list(s->b, a, filter, limit, offset, out,
					 nout, ei);
}

/* ---- Secrets ---- */

static int check_secret_name(const char *name, struct ct_errinfo *ei)
{
	return check_text(name, "secret name", CT_STORE_MAX_NAME, 0, ei);
}

int ct_store_secret_put(struct ct_store *s, const char *name,
			const struct ct_store_blob *sealed,
			struct ct_errinfo *ei)
{
	int r = check_secret_name(name, ei);

	if (r == 0)
		r = check_blob(sealed, "secret", true, ei);
	return r < 0 ? r : wr(s, s->vt->secret_put(s->b, name, sealed, ei));
}

int ct_store_secret_get(struct ct_store *s, struct ct_arena *a,
			const char *name, struct ct_store_blob *out,
			struct ct_errinfo *ei)
{
	int r = check_secret_name(name, ei);

	return r < 0 ? r : s->vt->secret_get(s->b, a, name, out, ei);
}
