/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Credential caches through MIT's public ccache API, with the file handling
 * done here: MIT writes into a fresh file we created, and we move it into
 * place only after checking who owns what.
 */
#include <errno.h>
#include <fcntl.h>
#include <krb5/krb5.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "creds.h"
#include "ct-limits.h"
#include "ct-secret.h"

static const char *strip_file_prefix(const char *path)
{
	return strncmp(path, "FILE:", 5) == 0 ? path + 5 : path;
}

/* The directory must not let anyone but root and the owner swap files in it. */
static int check_dir(const char *dir, uid_t uid, struct ct_errinfo *ei)
{
	struct stat st;

	if (lstat(dir, &st) != 0)
		return ct_errinfo_set(ei, CT_ERR_IO, "cannot stat %s: %s", dir,
				      strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return ct_errinfo_set(ei, CT_ERR_UNSAFE_PATH,
				      "%s is not a directory (or is a symlink)",
				      dir);
	if (st.st_uid != 0 && st.st_uid != uid)
		return ct_errinfo_set(ei, CT_ERR_UNSAFE_PATH,
				      "%s belongs to uid %u, not to root or uid %u",
				      dir, (unsigned)st.st_uid, (unsigned)uid);
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_mode & S_ISVTX))
		return ct_errinfo_set(ei, CT_ERR_UNSAFE_PATH,
				      "%s is writable by others and not sticky",
				      dir);
	return 0;
}

/* An existing cache may only be replaced if it is the user's own regular file. */
static int check_existing(const char *path, uid_t uid, struct ct_errinfo *ei)
{
	struct stat st;

	if (lstat(path, &st) != 0)
		return errno == ENOENT ? 0
				       : ct_errinfo_set(ei, CT_ERR_IO,
							"cannot stat %s: %s",
							path, strerror(errno));
	if (!S_ISREG(st.st_mode) || st.st_uid != uid)
		return ct_errinfo_set(ei, CT_ERR_UNSAFE_PATH,
				      "%s exists and is not a regular file owned by uid %u",
				      path, (unsigned)uid);
	return 0;
}

static bool data_is(const krb5_data *d, const char *s)
{
	return d->length == strlen(s) && memcmp(d->data, s, d->length) == 0;
}

static krb5_error_code make_principal(krb5_context ctx, const char *realm,
				      const struct ct_krb_principal *p,
				      krb5_principal *out)
{
	unsigned int rl = (unsigned int)strlen(realm);
	krb5_error_code kr;

	/* Length-and-bytes form: no re-parsing of names as text. */
	switch (p->ncomp) {
	case 1:
		kr = krb5_build_principal_ext(ctx, out, rl, realm,
					      (unsigned int)strlen(p->comp[0]),
					      p->comp[0], 0);
		break;
	case 2:
		kr = krb5_build_principal_ext(ctx, out, rl, realm,
					      (unsigned int)strlen(p->comp[0]),
					      p->comp[0],
					      (unsigned int)strlen(p->comp[1]),
					      p->comp[1], 0);
		break;
	default:
		return EINVAL;
	}
	if (kr == 0)
		(*out)->type = p->type;
	return kr;
}

/* Fills an MIT krb5_creds (borrowing our memory for the key and ticket). */
static krb5_error_code fill_mit_creds(krb5_context ctx,
				      const struct ct_krb_creds *c,
				      krb5_creds *mc)
{
	krb5_error_code kr;

	memset(mc, 0, sizeof(*mc));
	kr = make_principal(ctx, c->client_realm, &c->client, &mc->client);
	if (kr == 0)
		kr = make_principal(ctx, c->server_realm, &c->server,
				    &mc->server);
	if (kr != 0)
		return kr;
	mc->keyblock.magic = KV5M_KEYBLOCK;
	mc->keyblock.enctype = c->session_key.enctype;
	mc->keyblock.length = (unsigned int)c->session_key.value.len;
	mc->keyblock.contents = c->session_key.value.data;
	mc->times.authtime = (krb5_timestamp)c->authtime;
	mc->times.starttime = (krb5_timestamp)c->starttime;
	mc->times.endtime = (krb5_timestamp)c->endtime;
	mc->times.renew_till = (krb5_timestamp)c->renew_till;
	mc->ticket_flags = (krb5_flags)c->flags;
	mc->ticket.magic = KV5M_DATA;
	mc->ticket.length = (unsigned int)c->ticket.len;
	mc->ticket.data = (char *)c->ticket.data;
	return 0;
}

/* Writes creds into the (new, empty, ours) file tmp through MIT's FILE ccache. */
static int mit_write(const char *tmp, const struct ct_krb_creds *c,
		     struct ct_errinfo *ei)
{
	krb5_context ctx = NULL;
	krb5_ccache cc = NULL;
	krb5_creds mc;
	char name[4200];
	krb5_error_code kr;
	int r = 0;

	memset(&mc, 0, sizeof(mc));
	if (krb5_init_secure_context(&ctx) != 0)
		return ct_errinfo_set(ei, CT_ERR_CCACHE, "cannot init krb5");
	snprintf(name, sizeof(name), "FILE:%s", tmp);
	kr = krb5_cc_resolve(ctx, name, &cc);
	if (kr == 0)
		kr = fill_mit_creds(ctx, c, &mc);
	if (kr == 0)
		kr = krb5_cc_initialize(ctx, cc, mc.client);
	if (kr == 0)
		kr = krb5_cc_store_cred(ctx, cc, &mc);
	if (kr != 0) {
		const char *m = krb5_get_error_message(ctx, kr);

		r = ct_errinfo_set(ei, CT_ERR_CCACHE,
				   "writing the credential cache failed: %s", m);
		krb5_free_error_message(ctx, m);
	}
	if (cc != NULL)
		krb5_cc_close(ctx, cc);
	krb5_free_principal(ctx, mc.client);
	krb5_free_principal(ctx, mc.server);
	krb5_free_context(ctx);
	return r;
}

/* Switches effective ids to the target user (root writing for a user). */
struct id_switch {
	bool active;
	uid_t euid;
	gid_t egid;
};

static int become(const struct ct_ccache_target *t, struct id_switch *sw,
		  struct ct_errinfo *ei)
{
	sw->active = false;
	sw->euid = geteuid();
	sw->egid = getegid();
	if (sw->euid == t->uid)
		return 0;
	if (sw->euid != 0)
		return ct_errinfo_set(ei, CT_ERR_PERMISSION,
				      "only root may write a cache for uid %u",
				      (unsigned)t->uid);
	if (setegid(t->gid) != 0 || seteuid(t->uid) != 0) {
		int e = errno;

		if (setegid(sw->egid) != 0)
			abort();
		return ct_errinfo_set(ei, CT_ERR_PERMISSION,
				      "cannot switch to uid %u: %s",
				      (unsigned)t->uid, strerror(e));
	}
	sw->active = true;
	return 0;
}

static void unbecome(struct id_switch *sw)
{
	if (!sw->active)
		return;
	/* Failing to regain root leaves the process in an unknown state: stop. */
	if (seteuid(sw->euid) != 0 || setegid(sw->egid) != 0)
		abort();
	sw->active = false;
}

int ct_ccache_write(const struct ct_ccache_target *target,
		    const struct ct_krb_creds *creds, struct ct_errinfo *ei)
{
	const char *path = strip_file_prefix(target->path);
	char *dcopy = NULL, *dir, tmp[4096];
	struct id_switch sw = {0};
	struct stat st;
	int fd = -1, r;
	bool made_tmp = false;

	if (strlen(path) == 0 || strlen(path) > 4000)
		return ct_errinfo_set(ei, CT_ERR_INVALID_ARG,
				      "invalid credential cache path");
	if (strncmp(target->path, "FILE:", 5) != 0 && strchr(path, ':') != NULL &&
	    path[0] != '/')
		return ct_errinfo_set(ei, CT_ERR_INVALID_ARG,
				      "only FILE: credential caches are supported: %s",
				      target->path);
	dcopy = strdup(path);
	if (dcopy == NULL)
		return CT_ERR_NOMEM;
	dir = dirname(dcopy);
	r = become(target, &sw, ei);
	if (r != 0)
		goto out;
	r = check_dir(dir, target->uid, ei);
	if (r == 0)
		r = check_existing(path, target->uid, ei);
	if (r != 0)
		goto out;
	snprintf(tmp, sizeof(tmp), "%s.ct-XXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0) {
		r = ct_errinfo_set(ei, CT_ERR_IO, "cannot create %s: %s", tmp,
				   strerror(errno));
		goto out;
	}
	made_tmp = true;
	close(fd);
	fd = -1;
	r = mit_write(tmp, creds, ei);
	if (r != 0)
		goto out;
	/* MIT re-created the file: make sure what we move is what we expect. */
	fd = open(tmp, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    st.st_uid != target->uid || st.st_nlink != 1) {
		r = ct_errinfo_set(ei, CT_ERR_UNSAFE_PATH,
				   "the new cache file %s changed under us", tmp);
		goto out;
	}
	if ((st.st_mode & 07777) != 0600 && fchmod(fd, 0600) != 0) {
		r = ct_errinfo_set(ei, CT_ERR_IO, "cannot chmod %s: %s", tmp,
				   strerror(errno));
		goto out;
	}
	if (fsync(fd) != 0 || rename(tmp, path) != 0) {
		r = ct_errinfo_set(ei, CT_ERR_IO, "cannot install %s: %s", path,
				   strerror(errno));
		goto out;
	}
	made_tmp = false;
out:
	if (fd >= 0)
		close(fd);
	if (made_tmp)
		unlink(tmp);
	unbecome(&sw);
	free(dcopy);
	return r;
}

/* Copies an MIT principal into our arena form. */
static int copy_principal(struct ct_arena *a, krb5_context ctx,
			  krb5_const_principal p, char **realm,
			  struct ct_krb_principal *out)
{
	int i, n = krb5_princ_size(ctx, p);

	if (n <= 0 || n > CT_KRB_MAX_NAME_COMPONENTS)
		return CT_ERR_BAD_VALUE;
	out->type = krb5_princ_type(ctx, p);
	out->ncomp = (size_t)n;
	for (i = 0; i < n; i++) {
		const krb5_data *d = krb5_princ_component(ctx, p, i);

		if (d->length > CT_KRB_MAX_STRING || memchr(d->data, 0, d->length))
			return CT_ERR_BAD_VALUE;
		out->comp[i] = ct_arena_memdup(a, d->data, d->length, 1);
		if (out->comp[i] == NULL)
			return CT_ERR_NOMEM;
	}
	*realm = ct_arena_memdup(a, krb5_princ_realm(ctx, p)->data,
				 krb5_princ_realm(ctx, p)->length, 1);
	return *realm == NULL ? CT_ERR_NOMEM : 0;
}

static int copy_mit_creds(struct ct_arena *a, krb5_context ctx,
			  const krb5_creds *mc, struct ct_krb_creds *out)
{
	int r;

	memset(out, 0, sizeof(*out));
	r = copy_principal(a, ctx, mc->client, &out->client_realm, &out->client);
	if (r == 0)
		r = copy_principal(a, ctx, mc->server, &out->server_realm,
				   &out->server);
	if (r != 0)
		return r;
	out->session_key.enctype = mc->keyblock.enctype;
	out->session_key.value.len = mc->keyblock.length;
	out->session_key.value.data = ct_arena_memdup(a, mc->keyblock.contents,
						      mc->keyblock.length, 0);
	out->ticket.len = mc->ticket.length;
	out->ticket.data = ct_arena_memdup(a, mc->ticket.data, mc->ticket.length, 0);
	if (out->session_key.value.data == NULL || out->ticket.data == NULL)
		return CT_ERR_NOMEM;
	out->flags = (uint32_t)mc->ticket_flags;
	out->authtime = mc->times.authtime;
	out->starttime = mc->times.starttime ? mc->times.starttime : mc->times.authtime;
	out->endtime = mc->times.endtime;
	out->renew_till = mc->times.renew_till;
	return 0;
}

int ct_ccache_read_tgt(struct ct_arena *a, const char *path,
		       struct ct_krb_creds *out, struct ct_errinfo *ei)
{
	krb5_context ctx = NULL;
	krb5_ccache cc = NULL;
	krb5_principal client = NULL;
	krb5_cc_cursor cur;
	krb5_creds mc;
	char name[4200];
	bool seq = false, found = false;
	int r = 0;

	if (krb5_init_secure_context(&ctx) != 0)
		return ct_errinfo_set(ei, CT_ERR_CCACHE, "cannot init krb5");
	snprintf(name, sizeof(name), "FILE:%s", strip_file_prefix(path));
	if (krb5_cc_resolve(ctx, name, &cc) != 0 ||
	    krb5_cc_get_principal(ctx, cc, &client) != 0) {
		r = ct_errinfo_set(ei, CT_ERR_NOT_FOUND,
				   "no credential cache at %s", path);
		goto out;
	}
	if (krb5_cc_start_seq_get(ctx, cc, &cur) != 0) {
		r = ct_errinfo_set(ei, CT_ERR_CCACHE, "cannot read %s", path);
		goto out;
	}
	seq = true;
	while (!found && krb5_cc_next_cred(ctx, cc, &cur, &mc) == 0) {
		const krb5_data *realm = krb5_princ_realm(ctx, client);

		if (krb5_princ_size(ctx, mc.server) == 2 &&
		    krb5_realm_compare(ctx, mc.server, client) &&
		    data_is(krb5_princ_component(ctx, mc.server, 0), "krbtgt") &&
		    krb5_princ_component(ctx, mc.server, 1)->length == realm->length &&
		    memcmp(krb5_princ_component(ctx, mc.server, 1)->data,
			   realm->data, realm->length) == 0) {
			r = copy_mit_creds(a, ctx, &mc, out);
			found = true;
		}
		krb5_free_cred_contents(ctx, &mc);
	}
	if (!found)
		r = ct_errinfo_set(ei, CT_ERR_NOT_FOUND,
				   "%s holds no TGT for its principal's realm", path);
	else if (r != 0)
		ct_errinfo_set(ei, r, "cannot use the TGT in %s: %s", path,
			       ct_strerror(r));
out:
	if (seq)
		krb5_cc_end_seq_get(ctx, cc, &cur);
	if (cc != NULL)
		krb5_cc_close(ctx, cc);
	krb5_free_principal(ctx, client);
	krb5_free_context(ctx);
	return r;
}
