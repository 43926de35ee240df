/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The storage interface on real SQLite files: every method, uniqueness
 * conflicts, all-or-nothing transactions, migrations and refusals, file
 * modes, nonce and TOTP races between processes and threads, and injected
 * allocation failures.  SQLite is used directly only to inspect or tamper
 * with a database from outside, as another program would.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ct-limits.h"
#include "store-backend.h"
#include "store.h"
#include "tap.h"

static char tmpdir[64];
static struct ct_errinfo ei;

static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	return remove(path);
}

static void cleanup(void)
{
	if (tmpdir[0] != '\0')
		nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* A path inside the test's directory (static buffer per slot). */
static const char *tpath(int slot, const char *name)
{
	static char buf[8][256];

	snprintf(buf[slot], sizeof(buf[slot]), "%s/%s", tmpdir, name);
	return buf[slot];
}

static struct ct_store *open_ok(const char *url)
{
	struct ct_store *s = NULL;
	int r = ct_store_open(url, &s, &ei);

	CHECK_ERR(r, 0);
	if (r < 0)
		tap_diag("open %s: %s", url, ei.msg);
	return s;
}

static const uint8_t blob1[] = {1, 2, 3, 0, 5};
static const uint8_t blob2[] = {9, 8, 7};
static const uint8_t blob3[] = {0x42};

static int64_t add_user(struct ct_store *s, const char *upn)
{
	struct ct_store_user u = {
		.upn = upn, .display_name = "A User", .enabled = true,
	};
	int64_t id = 0;

	CHECK_ERR(ct_store_user_add(s, &u, &id, &ei), 0);
	return id;
}

static int64_t user_id(struct ct_store *s, struct ct_arena *a,
		       const char *upn)
{
	struct ct_store_user u = {0};

	CHECK_ERR(ct_store_user_get_by_upn(s, a, upn, &u, &ei), 0);
	return u.id;
}

static int64_t add_group(struct ct_store *s, const char *name)
{
	int64_t id = 0;

	CHECK_ERR(ct_store_group_add(s, name, &id, &ei), 0);
	return id;
}

static struct ct_store_device device_template(const char *id, const char *tp,
					      int64_t owner)
{
	struct ct_store_device d = {
		.id = id,
		.display_name = "laptop",
		.os_version = "Debian 12",
		.device_type = "Linux",
		.join_type = 0,
		.owner_user_id = owner,
		.cert_thumbprint = tp,
		.cert_der = {blob1, sizeof(blob1)},
		.transport_key = {blob2, sizeof(blob2)},
		.device_key = {blob3, sizeof(blob3)},
		.enabled = true,
	};

	return d;
}

static void add_tenant(struct ct_store *s)
{
	struct ct_store_tenant t = {
		.id = "3e6b2f43-6f4b-4b8e-9a3e-0d4b6c1f2a10", .name = "Example",
	};

	CHECK_ERR(ct_store_tenant_add(s, &t, &ei), 0);
}

static uint8_t *hash_of(uint8_t h[CT_STORE_NONCE_HASH_LEN], int n)
{
	memset(h, 0, CT_STORE_NONCE_HASH_LEN);
	memcpy(h, &n, sizeof(n));
	h[31] = 0xa5;
	return h;
}

/* ---- URLs ---- */

static void test_urls(void)
{
	struct ct_store *s = NULL;
	char url[300];

	CHECK_ERR(ct_store_open("postgresql://db/ct", &s, &ei),
		  CT_ERR_NOT_SUPPORTED);
	CHECK_ERR(ct_store_open("mysql:x", &s, &ei), CT_ERR_INVALID_ARG);
	CHECK_ERR(ct_store_open("sqlite:", &s, &ei), CT_ERR_INVALID_ARG);
	CHECK_ERR(ct_store_open("", &s, &ei), CT_ERR_INVALID_ARG);
	CHECK(s == NULL);
	snprintf(url, sizeof(url), "sqlite://%s", tpath(0, "url.db"));
	s = open_ok(url);
	CHECK_STR(ct_store_backend_name(s), "sqlite");
	ct_store_close(s);
	/* A bare path names the same database. */
	s = open_ok(tpath(0, "url.db"));
	ct_store_close(s);
	ct_store_close(NULL);
}

/* ---- Tenant ---- */

static void test_tenant(struct ct_store *s, struct ct_arena *a)
{
	struct ct_store_tenant t = {.id = "other", .name = "Other"}, got;
	struct ct_store_user u = {.upn = "x@y", .display_name = "X"};
	int64_t id = 0;

	CHECK_ERR(ct_store_tenant_get(s, a, &got, &ei), CT_ERR_NOT_FOUND);
	CHECK_ERR(ct_store_user_add(s, &u, &id, &ei), CT_ERR_NOT_FOUND);
	CHECK_ERR(ct_store_tenant_domain_add(s, "example.com", &ei),
		  CT_ERR_NOT_FOUND);
	add_tenant(s);
	CHECK_ERR(ct_store_tenant_add(s, &t, &ei), CT_ERR_CONFLICT);
	CHECK_ERR(ct_store_tenant_domain_add(s, "Example.COM", &ei), 0);
	CHECK_ERR(ct_store_tenant_domain_add(s, "corp.example.com", &ei), 0);
	CHECK_ERR(ct_store_tenant_domain_add(s, "example.com", &ei),
		  CT_ERR_CONFLICT);
	CHECK_ERR(ct_store_tenant_domain_add(s, "bad_name.com", &ei),
		  CT_ERR_INVALID_ARG);
	CHECK_ERR(ct_store_tenant_domain_add(s, "a..b", &ei),
		  CT_ERR_INVALID_ARG);
	CHECK_ERR(ct_store_tenant_domain_add(s, "trailing.", &ei),
		  CT_ERR_INVALID_ARG);
	CHECK_ERR(ct_store_tenant_domain_add(s, "x.tmp", &ei), 0);
	CHECK_ERR(ct_store_tenant_domain_remove(s, "X.TMP", &ei), 0);
	CHECK_ERR(ct_store_tenant_domain_remove(s, "x.tmp", &ei),
		  CT_ERR_NOT_FOUND);
	CHECK_ERR(ct_store_tenant_get(s, a, &got, &ei), 0);
	CHECK_STR(got.id, "3e6b2f43-6f4b-4b8e-9a3e-0d4b6c1f2a10");
	CHECK_STR(got.name, "Example");
	CHECK(got.created > 1600000000);
	CHECK_INT(got.ndomains, 2);
	if (got.ndomains == 2) {
		CHECK_STR(got.domains[0], "corp.example.com");
		CHECK_STR(got.domains[1], "example.com");
	}
}

/* ---- Users ---- */

static void test_user_validation(struct ct_store *s)
{
	char longupn[CT_STORE_MAX_UPN + 2];
	struct ct_store_user u = {.upn = "v@example.com", .display_name = "V"};
	int64_t id = 0;

	memset(longupn, 'a', sizeof(longupn) - 1);
	longupn[sizeof(longupn) - 1] = '\0';
	u.upn = longupn;
	CHECK_ERR(ct_store_user_add(s, &u, &id, &ei), CT_ERR_INVALID_ARG);
	longupn[CT_STORE_MAX_UPN] = '\0'; /* exactly at the cap: fine */
	CHECK_ERR(ct_store_user_add(s, &u, &id, &ei), 0);
	u.upn = "tab\there@example.com";
	CHECK_ERR(ct_store_user_add(s, &u, &id, &ei), CT_ERR_INVALID_ARG);
	u.upn = "bad\xff@example.com";
	CHECK_ERR(ct_store_user_add(s, &u, &id, &ei), CT_ERR_INVALID_ARG);
	u.upn = "overlong\xc0\xaf@example.com";
	CHECK_ERR(ct_store_user_add(s, &u, &id, &ei), CT_ERR_INVALID_ARG);
	u.upn = "surrogate\xed\xa0\x80@example.com";
	CHECK_ERR(ct_store_user_add(s, &u, &id, &ei), CT_ERR_INVALID_ARG);
	u.upn = "cut\xe2\x82@example.com";
	CHECK_ERR(ct_store_user_add(s, &u, &id, &ei), CT_ERR_INVALID_ARG);
	u.upn = "";
	CHECK_ERR(ct_store_user_add(s, &u, &id, &ei), CT_ERR_INVALID_ARG);
	u.upn = NULL;
	CHECK_ERR(ct_store_user_add(s, &u, &id, &ei), CT_ERR_INVALID_ARG);
	u.upn = "v@example.com";
	u.display_name = "";
	CHECK_ERR(ct_store_user_add(s, &u, &id, &ei), CT_ERR_INVALID_ARG);
	u.display_name = "V";
	u.totp_secret.len = 3; /* a length without data */
	CHECK_ERR(ct_store_user_add(s, &u, &id, &ei), CT_ERR_INVALID_ARG);
	CHECK(strstr(ei.msg, "TOTP") != NULL);
	CHECK_ERR(ct_store_user_get(s, NULL, 0, NULL, &ei), CT_ERR_INVALID_ARG);
}

static void test_users(struct ct_store *s, struct ct_arena *a)
{
	struct ct_store_user u = {
		.upn = "alice@example.com",
		.display_name = "Alice \xc3\x84ngstr\xc3\xb6m",
		.enabled = true,
		.password_hash = "$argon2id$v=19$m=65536,t=3,p=1$c2FsdA$aGFzaA",
		.totp_secret = {blob1, sizeof(blob1)},
		.onprem = {.sam_account_name = "alice",
			   .domain_name = "CORP",
			   .sid = "S-1-5-21-1-2-3-1104"},
	}, got, *list = NULL;
	struct ct_store_onprem op = {.upn = "alice@corp.example.com"};
	struct ct_store_blob b2 = {blob2, sizeof(blob2)}, none = {NULL, 0};
	int64_t id = 0, bob;
	size_t n = 99;

	CHECK_ERR(ct_store_user_add(s, &u, &id, &ei), 0);
	CHECK(id > 0);
	u.upn = "ALICE@Example.Com";
	CHECK_ERR(ct_store_user_add(s, &u, &bob, &ei), CT_ERR_CONFLICT);
	CHECK_ERR(ct_store_user_get(s, a, id, &got, &ei), 0);
	CHECK_INT(got.id, id);
	CHECK_STR(got.upn, "alice@example.com");
	CHECK_STR(got.display_name, "Alice \xc3\x84ngstr\xc3\xb6m");
	CHECK(got.enabled);
	CHECK_STR(got.password_hash,
		  "$argon2id$v=19$m=65536,t=3,p=1$c2FsdA$aGFzaA");
	CHECK_MEM(got.totp_secret.data, got.totp_secret.len, blob1,
		  sizeof(blob1));
	CHECK_INT(got.totp_last_step, 0);
	CHECK_STR(got.onprem.sam_account_name, "alice");
	CHECK_STR(got.onprem.sid, "S-1-5-21-1-2-3-1104");
	CHECK(got.onprem.upn == NULL);
	CHECK(got.created > 1600000000 && got.updated >= got.created);
	memset(&got, 0, sizeof(got));
	CHECK_ERR(ct_store_user_get_by_upn(s, a, "Alice@EXAMPLE.com", &got,
					   &ei), 0);
	CHECK_INT(got.id, id);
	CHECK_ERR(ct_store_user_get_by_upn(s, a, "nobody@example.com", &got,
					   &ei), CT_ERR_NOT_FOUND);
	CHECK_ERR(ct_store_user_get(s, a, 999999, &got, &ei), CT_ERR_NOT_FOUND);

	CHECK_ERR(ct_store_user_set_enabled(s, id, false, &ei), 0);
	CHECK_ERR(ct_store_user_set_password_hash(s, id, NULL, &ei), 0);
	CHECK_ERR(ct_store_user_set_totp_secret(s, id, &b2, &ei), 0);
	CHECK_ERR(ct_store_user_set_onprem(s, id, &op, &ei), 0);
	CHECK_ERR(ct_store_user_get(s, a, id, &got, &ei), 0);
	CHECK(!got.enabled);
	CHECK(got.password_hash == NULL);
	CHECK_MEM(got.totp_secret.data, got.totp_secret.len, blob2,
		  sizeof(blob2));
	CHECK(got.onprem.sam_account_name == NULL);
	CHECK_STR(got.onprem.upn, "alice@corp.example.com");
	CHECK_ERR(ct_store_user_set_totp_secret(s, id, &none, &ei), 0);
	CHECK_ERR(ct_store_user_get(s, a, id, &got, &ei), 0);
	CHECK(got.totp_secret.len == 0 && got.totp_secret.data == NULL);
	CHECK_ERR(ct_store_user_set_enabled(s, 999999, true, &ei),
		  CT_ERR_NOT_FOUND);
	CHECK_ERR(ct_store_user_set_password_hash(s, 999999, "x", &ei),
		  CT_ERR_NOT_FOUND);
	CHECK_ERR(ct_store_user_set_totp_secret(s, 999999, &b2, &ei),
		  CT_ERR_NOT_FOUND);
	CHECK_ERR(ct_store_user_set_onprem(s, 999999, &op, &ei),
		  CT_ERR_NOT_FOUND);
	CHECK_ERR(ct_store_user_set_enabled(s, id, true, &ei), 0);

	/* TOTP compare-and-set. */
	CHECK_ERR(ct_store_user_totp_advance(s, id, 100, &ei), 0);
	CHECK_ERR(ct_store_user_totp_advance(s, id, 100, &ei), CT_ERR_REPLAY);
	CHECK_ERR(ct_store_user_totp_advance(s, id, 99, &ei), CT_ERR_REPLAY);
	CHECK_ERR(ct_store_user_totp_advance(s, id, 101, &ei), 0);
	CHECK_ERR(ct_store_user_totp_advance(s, id, -1, &ei),
		  CT_ERR_INVALID_ARG);
	CHECK_ERR(ct_store_user_totp_advance(s, 999999, 5, &ei),
		  CT_ERR_NOT_FOUND);
	CHECK_ERR(ct_store_user_get(s, a, id, &got, &ei), 0);
	CHECK_INT(got.totp_last_step, 101);
	/* A new secret keeps the replay guard. */
	CHECK_ERR(ct_store_user_set_totp_secret(s, id, &b2, &ei), 0);
	CHECK_ERR(ct_store_user_totp_advance(s, id, 101, &ei), CT_ERR_REPLAY);

	bob = add_user(s, "bob@example.com");
	CHECK(bob > id);
	CHECK_ERR(ct_store_user_list(s, a, 10, 0, &list, &n, &ei), 0);
	CHECK_INT(n, 3); /* with the one from the validation test */
	if (n == 3) {
		CHECK_INT(list[1].id, id);
		CHECK_INT(list[2].id, bob);
		CHECK_STR(list[2].upn, "bob@example.com");
	}
	CHECK_ERR(ct_store_user_list(s, a, 1, 2, &list, &n, &ei), 0);
	CHECK_INT(n, 1);
	CHECK_INT(list[0].id, bob);
	CHECK_ERR(ct_store_user_list(s, a, 5, 10, &list, &n, &ei), 0);
	CHECK_INT(n, 0);
	CHECK_ERR(ct_store_user_list(s, a, 0, 0, &list, &n, &ei),
		  CT_ERR_INVALID_ARG);
	CHECK_ERR(ct_store_user_list(s, a, CT_STORE_MAX_LIST + 1, 0, &list, &n,
				     &ei), CT_ERR_INVALID_ARG);
}

/* ---- Groups ---- */

static void test_groups(struct ct_store *s, struct ct_arena *a)
{
	int64_t alice = user_id(s, a, "alice@example.com"),
		bob = user_id(s, a, "bob@example.com"), g1, g2, dummy,
		*members = NULL;
	struct ct_store_group g, *gl = NULL;
	size_t n = 0;

	g1 = add_group(s, "Hello Users");
	g2 = add_group(s, "Admins");
	CHECK_ERR(ct_store_group_add(s, "hello users", &dummy, &ei),
		  CT_ERR_CONFLICT);
	CHECK_ERR(ct_store_group_get(s, a, g1, &g, &ei), 0);
	CHECK_STR(g.name, "Hello Users");
	CHECK_ERR(ct_store_group_get_by_name(s, a, "ADMINS", &g, &ei), 0);
	CHECK_INT(g.id, g2);
	CHECK_ERR(ct_store_group_get(s, a, 424242, &g, &ei), CT_ERR_NOT_FOUND);
	CHECK_ERR(ct_store_group_list(s, a, 10, 0, &gl, &n, &ei), 0);
	CHECK_INT(n, 2);
	CHECK_INT(gl[0].id, g1);

	CHECK_ERR(ct_store_group_member_add(s, g1, alice, &ei), 0);
	CHECK_ERR(ct_store_group_member_add(s, g1, bob, &ei), 0);
	CHECK_ERR(ct_store_group_member_add(s, g2, alice, &ei), 0);
	CHECK_ERR(ct_store_group_member_add(s, g1, alice, &ei),
		  CT_ERR_CONFLICT);
	CHECK_ERR(ct_store_group_member_add(s, g1, 999999, &ei),
		  CT_ERR_NOT_FOUND);
	CHECK_ERR(ct_store_group_member_add(s, 999999, alice, &ei),
		  CT_ERR_NOT_FOUND);
	CHECK_ERR(ct_store_group_members(s, a, g1, 10, 0, &members, &n, &ei),
		  0);
	CHECK_INT(n, 2);
	CHECK_INT(members[0], alice);
	CHECK_INT(members[1], bob);
	CHECK_ERR(ct_store_group_members(s, a, g1, 1, 1, &members, &n, &ei),
		  0);
	CHECK_INT(n, 1);
	CHECK_INT(members[0], bob);
	CHECK_ERR(ct_store_user_groups(s, a, alice, &gl, &n, &ei), 0);
	CHECK_INT(n, 2);
	CHECK_INT(gl[0].id, g1);
	CHECK_INT(gl[1].id, g2);
	CHECK_ERR(ct_store_group_member_remove(s, g2, alice, &ei), 0);
	CHECK_ERR(ct_store_group_member_remove(s, g2, alice, &ei),
		  CT_ERR_NOT_FOUND);
	CHECK_ERR(ct_store_user_groups(s, a, alice, &gl, &n, &ei), 0);
	CHECK_INT(n, 1);

	/* Removing a group takes its memberships along. */
	dummy = add_group(s, "Temporary");
	CHECK_ERR(ct_store_group_member_add(s, dummy, bob, &ei), 0);
	CHECK_ERR(ct_store_group_remove(s, dummy, &ei), 0);
	CHECK_ERR(ct_store_group_remove(s, dummy, &ei), CT_ERR_NOT_FOUND);
	CHECK_ERR(ct_store_user_groups(s, a, bob, &gl, &n, &ei), 0);
	CHECK_INT(n, 1);
	CHECK_INT(gl[0].id, g1);
}

/* ---- Devices and Hello keys ---- */

static void test_devices(struct ct_store *s, struct ct_arena *a)
{
	struct ct_store_device d, got, *dl = NULL;
	struct ct_store_hello_key k = {
		.kid = "Zm9vYmFyYmF6cXV4cXV1eGZvb2JhcmJhenF1eHF1dXg=",
		.device_id = "dev-1",
		.public_key = {blob2, sizeof(blob2)},
		.key_type = "rsa",
	}, kg, *kl = NULL;
	int64_t alice = user_id(s, a, "alice@example.com");
	size_t n = 0;

	d = device_template("dev-1", "AABBCC", alice);
	CHECK_ERR(ct_store_device_add(s, &d, &ei), 0);
	d.cert_thumbprint = "DDEEFF";
	CHECK_ERR(ct_store_device_add(s, &d, &ei), CT_ERR_CONFLICT);
	d = device_template("dev-2", "aabbcc", alice);
	CHECK_ERR(ct_store_device_add(s, &d, &ei), CT_ERR_CONFLICT);
	d = device_template("dev-2", "112233", 999999);
	CHECK_ERR(ct_store_device_add(s, &d, &ei), CT_ERR_NOT_FOUND);
	d = device_template("dev-2", "112233", 0);
	d.cert_der.len = 0;
	CHECK_ERR(ct_store_device_add(s, &d, &ei), CT_ERR_INVALID_ARG);
	d = device_template("dev-2", "112233", 0);
	d.join_type = 2;
	CHECK_ERR(ct_store_device_add(s, &d, &ei), 0);

	CHECK_ERR(ct_store_device_get(s, a, "dev-1", &got, &ei), 0);
	CHECK_STR(got.display_name, "laptop");
	CHECK_STR(got.os_version, "Debian 12");
	CHECK_STR(got.device_type, "Linux");
	CHECK_INT(got.owner_user_id, alice);
	CHECK_MEM(got.cert_der.data, got.cert_der.len, blob1, sizeof(blob1));
	CHECK_MEM(got.transport_key.data, got.transport_key.len, blob2,
		  sizeof(blob2));
	CHECK_MEM(got.device_key.data, got.device_key.len, blob3,
		  sizeof(blob3));
	CHECK(got.enabled);
	CHECK_INT(got.last_seen, 0);
	CHECK_ERR(ct_store_device_get_by_thumbprint(s, a, "aaBBcc", &got, &ei),
		  0);
	CHECK_STR(got.id, "dev-1");
	CHECK_ERR(ct_store_device_get(s, a, "dev-9", &got, &ei),
		  CT_ERR_NOT_FOUND);
	CHECK_ERR(ct_store_device_set_enabled(s, "dev-1", false, &ei), 0);
	CHECK_ERR(ct_store_device_touch(s, "dev-1", &ei), 0);
	CHECK_ERR(ct_store_device_get(s, a, "dev-1", &got, &ei), 0);
	CHECK(!got.enabled);
	CHECK(got.last_seen > 1600000000);
	CHECK_ERR(ct_store_device_set_enabled(s, "dev-9", true, &ei),
		  CT_ERR_NOT_FOUND);
	CHECK_ERR(ct_store_device_touch(s, "dev-9", &ei), CT_ERR_NOT_FOUND);
	CHECK_ERR(ct_store_device_list(s, a, 10, 0, &dl, &n, &ei), 0);
	CHECK_INT(n, 2);
	CHECK_STR(dl[0].id, "dev-1");
	CHECK_STR(dl[1].id, "dev-2");
	CHECK_INT(dl[1].join_type, 2);
	CHECK_INT(dl[1].owner_user_id, 0);

	k.user_id = alice;
	CHECK_ERR(ct_store_hello_key_add(s, &k, &ei), 0);
	CHECK_ERR(ct_store_hello_key_add(s, &k, &ei), CT_ERR_CONFLICT);
	k.kid = "second";
	k.key_type = "dsa";
	CHECK_ERR(ct_store_hello_key_add(s, &k, &ei), CT_ERR_INVALID_ARG);
	k.key_type = "ec";
	k.device_id = "dev-9";
	CHECK_ERR(ct_store_hello_key_add(s, &k, &ei), CT_ERR_NOT_FOUND);
	k.device_id = "dev-2";
	k.user_id = 999999;
	CHECK_ERR(ct_store_hello_key_add(s, &k, &ei), CT_ERR_NOT_FOUND);
	k.user_id = alice;
	CHECK_ERR(ct_store_hello_key_add(s, &k, &ei), 0);
	k.kid = "third";
	CHECK_ERR(ct_store_hello_key_add(s, &k, &ei), 0);
	/* kids are base64: case matters. */
	CHECK_ERR(ct_store_hello_key_get(s, a, "THIRD", &kg, &ei),
		  CT_ERR_NOT_FOUND);
	CHECK_ERR(ct_store_hello_key_get(s, a,
					 "Zm9vYmFyYmF6cXV4cXV1eGZvb2JhcmJhenF1eHF1dXg=",
					 &kg, &ei), 0);
	CHECK_INT(kg.user_id, alice);
	CHECK_STR(kg.device_id, "dev-1");
	CHECK_STR(kg.key_type, "rsa");
	CHECK_MEM(kg.public_key.data, kg.public_key.len, blob2, sizeof(blob2));
	CHECK_ERR(ct_store_hello_key_list_by_user(s, a, alice, &kl, &n, &ei), 0);
	CHECK_INT(n, 3);
	CHECK_STR(kl[1].kid, "second");
	CHECK_STR(kl[2].kid, "third");
	CHECK_ERR(ct_store_hello_key_remove(s, "third", &ei), 0);
	CHECK_ERR(ct_store_hello_key_remove(s, "third", &ei), CT_ERR_NOT_FOUND);

	/* Removing a device takes its keys along, and only its keys. */
	CHECK_ERR(ct_store_device_remove(s, "dev-2", &ei), 0);
	CHECK_ERR(ct_store_device_remove(s, "dev-2", &ei), CT_ERR_NOT_FOUND);
	CHECK_ERR(ct_store_hello_key_get(s, a, "second", &kg, &ei),
		  CT_ERR_NOT_FOUND);
	CHECK_ERR(ct_store_hello_key_list_by_user(s, a, alice, &kl, &n, &ei), 0);
	CHECK_INT(n, 1);
}

/* ---- Kerberos server objects ---- */

static void test_krb_servers(struct ct_store *s, struct ct_arena *a)
{
	struct ct_store_krb_server ks = {
		.domain = "Corp.Example.COM",
		.realm = "CORP.EXAMPLE.COM",
		.rodc_number = 40000,
		.display_name = "AzureADKerberos",
		.primary = {{blob1, sizeof(blob1)}, 18, 1},
		.key_updated_on = 1700000000,
		.key_updated_from = "dc1.corp.example.com",
	}, got, *l = NULL;
	struct ct_store_krb_key k2 = {{blob2, sizeof(blob2)}, 18, 2};
	struct ct_store_krb_key k3 = {{blob3, sizeof(blob3)}, 17, 3};
	int64_t created;
	size_t n = 0;

	CHECK_ERR(ct_store_krb_server_put(s, &ks, &ei), 0);
	CHECK_ERR(ct_store_krb_server_get(s, a, "corp.example.com", &got, &ei),
		  0);
	CHECK_STR(got.domain, "corp.example.com");
	CHECK_STR(got.realm, "CORP.EXAMPLE.COM");
	CHECK_INT(got.rodc_number, 40000);
	CHECK_MEM(got.primary.sealed.data, got.primary.sealed.len, blob1,
		  sizeof(blob1));
	CHECK_INT(got.primary.enctype, 18);
	CHECK_INT(got.primary.key_version, 1);
	CHECK(!got.has_secondary);
	CHECK_INT(got.key_updated_on, 1700000000);
	created = got.created;

	CHECK_ERR(ct_store_krb_server_rotate(s, "CORP.example.com", &k2,
					     1700000100, "admin@host", &ei), 0);
	CHECK_ERR(ct_store_krb_server_get(s, a, "corp.example.com", &got, &ei),
		  0);
	CHECK_MEM(got.primary.sealed.data, got.primary.sealed.len, blob2,
		  sizeof(blob2));
	CHECK_INT(got.primary.key_version, 2);
	CHECK(got.has_secondary);
	CHECK_MEM(got.secondary.sealed.data, got.secondary.sealed.len, blob1,
		  sizeof(blob1));
	CHECK_INT(got.secondary.key_version, 1);
	CHECK_INT(got.secondary.enctype, 18);
	CHECK_INT(got.key_updated_on, 1700000100);
	CHECK_STR(got.key_updated_from, "admin@host");
	CHECK_ERR(ct_store_krb_server_rotate(s, "corp.example.com", &k3,
					     1700000200, "admin@host", &ei), 0);
	CHECK_ERR(ct_store_krb_server_get(s, a, "corp.example.com", &got, &ei),
		  0);
	CHECK_INT(got.primary.key_version, 3);
	CHECK_INT(got.primary.enctype, 17);
	CHECK_INT(got.secondary.key_version, 2);
	CHECK_MEM(got.secondary.sealed.data, got.secondary.sealed.len, blob2,
		  sizeof(blob2));
	CHECK_ERR(ct_store_krb_server_rotate(s, "other.example.com", &k3, 1,
					     "x", &ei), CT_ERR_NOT_FOUND);

	/* Replacing keeps created and can drop the secondary. */
	ks.display_name = "Renamed";
	CHECK_ERR(ct_store_krb_server_put(s, &ks, &ei), 0);
	CHECK_ERR(ct_store_krb_server_get(s, a, "corp.example.com", &got, &ei),
		  0);
	CHECK_STR(got.display_name, "Renamed");
	CHECK(!got.has_secondary);
	CHECK_INT(got.created, created);

	ks.domain = "b.example.com";
	ks.has_secondary = true;
	ks.secondary = k2;
	ks.secondary.key_version = 0; /* a version 0 is a version */
	CHECK_ERR(ct_store_krb_server_put(s, &ks, &ei), 0);
	CHECK_ERR(ct_store_krb_server_list(s, a, &l, &n, &ei), 0);
	CHECK_INT(n, 2);
	CHECK_STR(l[0].domain, "b.example.com");
	CHECK(l[0].has_secondary);
	CHECK_INT(l[0].secondary.key_version, 0);
	CHECK_STR(l[1].domain, "corp.example.com");
	CHECK_ERR(ct_store_krb_server_remove(s, "B.example.com", &ei), 0);
	CHECK_ERR(ct_store_krb_server_remove(s, "b.example.com", &ei),
		  CT_ERR_NOT_FOUND);

	ks.rodc_number = 0;
	CHECK_ERR(ct_store_krb_server_put(s, &ks, &ei), CT_ERR_INVALID_ARG);
	ks.rodc_number = 65536;
	CHECK_ERR(ct_store_krb_server_put(s, &ks, &ei), CT_ERR_INVALID_ARG);
	ks.rodc_number = 65535;
	ks.primary.key_version = 65536;
	CHECK_ERR(ct_store_krb_server_put(s, &ks, &ei), CT_ERR_INVALID_ARG);
	ks.primary.key_version = 1;
	ks.primary.enctype = 0;
	CHECK_ERR(ct_store_krb_server_put(s, &ks, &ei), CT_ERR_INVALID_ARG);
	ks.primary.enctype = 18;
	ks.domain = "not a domain";
	CHECK_ERR(ct_store_krb_server_put(s, &ks, &ei), CT_ERR_INVALID_ARG);
}

/* ---- Policy ---- */

#define NODE_CT "./Device/Vendor/MSFT/PassportForWork/T/Policies/UseCloudTrustForOnPremAuth"
#define NODE_HELLO "./Device/Vendor/MSFT/PassportForWork/T/Policies/UsePassportForWork"
#define NODE_PIN "./Device/Vendor/MSFT/PassportForWork/T/Policies/PINComplexity/MinimumPINLength"

static const char *effective(struct ct_store_policy *p, size_t n,
			     const char *node, int64_t *gid)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(p[i].node, node) == 0) {
			*gid = p[i].group_id;
			return p[i].value;
		}
	return NULL;
}

static void test_policy(struct ct_store *s, struct ct_arena *a)
{
	struct ct_store_policy *p = NULL;
	int64_t alice = user_id(s, a, "alice@example.com"),
		bob = user_id(s, a, "bob@example.com"),
		carol = add_user(s, "carol@example.com"), g1, g2, gid = -1;
	const char *v = NULL;
	size_t n = 0;

	g1 = add_group(s, "Policy One");
	g2 = add_group(s, "Policy Two");
	CHECK_ERR(ct_store_group_member_add(s, g1, alice, &ei), 0);
	CHECK_ERR(ct_store_group_member_add(s, g2, alice, &ei), 0);
	CHECK_ERR(ct_store_group_member_add(s, g2, bob, &ei), 0);

	CHECK_ERR(ct_store_policy_set(s, NODE_CT, "false", CT_STORE_SCOPE_ALL,
				      &ei), 0);
	CHECK_ERR(ct_store_policy_set(s, NODE_CT, "true", g2, &ei), 0);
	CHECK_ERR(ct_store_policy_set(s, NODE_CT, "one", g1, &ei), 0);
	CHECK_ERR(ct_store_policy_set(s, NODE_HELLO, "true",
				      CT_STORE_SCOPE_ALL, &ei), 0);
	CHECK_ERR(ct_store_policy_set(s, NODE_PIN, "4", g2, &ei), 0);
	/* Upsert: a second set replaces the value at the same scope. */
	CHECK_ERR(ct_store_policy_set(s, NODE_PIN, "6", g2, &ei), 0);
	CHECK_ERR(ct_store_policy_set(s, NODE_PIN, "", 999999, &ei),
		  CT_ERR_NOT_FOUND);
	CHECK_ERR(ct_store_policy_set(s, NODE_PIN, NULL, g2, &ei),
		  CT_ERR_INVALID_ARG);
	CHECK_ERR(ct_store_policy_set(s, NODE_PIN, "6", -1, &ei),
		  CT_ERR_INVALID_ARG);
	CHECK_ERR(ct_store_policy_get(s, a, NODE_PIN, g2, &v, &ei), 0);
	CHECK_STR(v, "6");
	CHECK_ERR(ct_store_policy_get(s, a, NODE_PIN, CT_STORE_SCOPE_ALL, &v,
				      &ei), CT_ERR_NOT_FOUND);
	CHECK_ERR(ct_store_policy_list(s, a, &p, &n, &ei), 0);
	CHECK_INT(n, 5);
	CHECK_STR(p[0].node, NODE_PIN);
	CHECK_INT(p[1].group_id, CT_STORE_SCOPE_ALL); /* NODE_CT, all devices first */
	CHECK_STR(p[1].value, "false");

	/* alice: both groups; the lower group id (g1) wins over g2 and all. */
	CHECK_ERR(ct_store_policy_effective_for_user(s, a, alice, &p, &n, &ei),
		  0);
	CHECK_INT(n, 3);
	CHECK_STR(effective(p, n, NODE_CT, &gid), "one");
	CHECK_INT(gid, g1);
	CHECK_STR(effective(p, n, NODE_HELLO, &gid), "true");
	CHECK_INT(gid, CT_STORE_SCOPE_ALL);
	CHECK_STR(effective(p, n, NODE_PIN, &gid), "6");
	/* bob: g2 only. */
	CHECK_ERR(ct_store_policy_effective_for_user(s, a, bob, &p, &n, &ei), 0);
	CHECK_STR(effective(p, n, NODE_CT, &gid), "true");
	CHECK_INT(gid, g2);
	/* carol: no group, only all-devices values. */
	CHECK_ERR(ct_store_policy_effective_for_user(s, a, carol, &p, &n, &ei),
		  0);
	CHECK_INT(n, 2);
	CHECK_STR(effective(p, n, NODE_CT, &gid), "false");
	CHECK_INT(gid, CT_STORE_SCOPE_ALL);
	CHECK(effective(p, n, NODE_PIN, &gid) == NULL);

	CHECK_ERR(ct_store_policy_remove(s, NODE_CT, g1, &ei), 0);
	CHECK_ERR(ct_store_policy_remove(s, NODE_CT, g1, &ei), CT_ERR_NOT_FOUND);
	CHECK_ERR(ct_store_policy_effective_for_user(s, a, alice, &p, &n, &ei),
		  0);
	CHECK_STR(effective(p, n, NODE_CT, &gid), "true");
	/* A removed group's values go with it. */
	CHECK_ERR(ct_store_group_remove(s, g2, &ei), 0);
	CHECK_ERR(ct_store_policy_effective_for_user(s, a, alice, &p, &n, &ei),
		  0);
	CHECK_STR(effective(p, n, NODE_CT, &gid), "false");
	CHECK(effective(p, n, NODE_PIN, &gid) == NULL);
	CHECK_ERR(ct_store_policy_set(s, NODE_PIN, "line1\nline2", g1, &ei), 0);
	CHECK_ERR(ct_store_policy_set(s, "bad\nnode", "x", g1, &ei),
		  CT_ERR_INVALID_ARG);
}

/* ---- Nonces, failures, audit, secrets ---- */

static void test_nonces(struct ct_store *s)
{
	uint8_t h1[32], h2[32], h3[32];
	size_t n = 0;

	hash_of(h1, 1);
	hash_of(h2, 2);
	hash_of(h3, 3);
	CHECK_ERR(ct_store_nonce_put(s, h1, 1000, &ei), 0);
	CHECK_ERR(ct_store_nonce_put(s, h1, 2000, &ei), CT_ERR_CONFLICT);
	CHECK_ERR(ct_store_nonce_put(s, h2, 1000, &ei), 0);
	CHECK_ERR(ct_store_nonce_put(s, h3, 5000, &ei), 0);
	CHECK_ERR(ct_store_nonce_consume(s, h1, 1001, &ei), CT_ERR_NOT_FOUND);
	CHECK_ERR(ct_store_nonce_consume(s, h2, 1000, &ei), 0); /* inclusive */
	CHECK_ERR(ct_store_nonce_consume(s, h2, 1000, &ei), CT_ERR_NOT_FOUND);
	CHECK_ERR(ct_store_nonce_consume(s, NULL, 1000, &ei),
		  CT_ERR_INVALID_ARG);
	CHECK_ERR(ct_store_nonce_purge(s, 1001, &n, &ei), 0);
	CHECK_INT(n, 1); /* h1: expired, never consumed */
	CHECK_ERR(ct_store_nonce_purge(s, 1001, NULL, &ei), 0);
	CHECK_ERR(ct_store_nonce_consume(s, h3, 4000, &ei), 0);
}

static void test_failures(struct ct_store *s)
{
	uint64_t c = 99;
	size_t n = 0;

	CHECK_ERR(ct_store_failure_record(s, "upn:alice", 10, &ei), 0);
	CHECK_ERR(ct_store_failure_record(s, "upn:alice", 20, &ei), 0);
	CHECK_ERR(ct_store_failure_record(s, "upn:alice", 30, &ei), 0);
	CHECK_ERR(ct_store_failure_record(s, "ip:192.0.2.1", 30, &ei), 0);
	CHECK_ERR(ct_store_failure_count(s, "upn:alice", 15, &c, &ei), 0);
	CHECK_INT(c, 2);
	CHECK_ERR(ct_store_failure_count(s, "upn:alice", 0, &c, &ei), 0);
	CHECK_INT(c, 3);
	CHECK_ERR(ct_store_failure_count(s, "upn:bob", 0, &c, &ei), 0);
	CHECK_INT(c, 0);
	CHECK_ERR(ct_store_failure_purge(s, 25, &n, &ei), 0);
	CHECK_INT(n, 2);
	CHECK_ERR(ct_store_failure_count(s, "upn:alice", 0, &c, &ei), 0);
	CHECK_INT(c, 1);
	CHECK_ERR(ct_store_failure_clear(s, "upn:alice", &ei), 0);
	CHECK_ERR(ct_store_failure_count(s, "upn:alice", 0, &c, &ei), 0);
	CHECK_INT(c, 0);
	CHECK_ERR(ct_store_failure_count(s, "ip:192.0.2.1", 0, &c, &ei), 0);
	CHECK_INT(c, 1);
	CHECK_ERR(ct_store_failure_clear(s, "never", &ei), 0);
	CHECK_ERR(ct_store_failure_record(s, "", 1, &ei), CT_ERR_INVALID_ARG);
}

static void audit(struct ct_store *s, int64_t at, const char *actor,
		  const char *action, const char *outcome)
{
	struct ct_store_audit ev = {
		.at_us = at, .actor = actor, .action = action,
		.outcome = outcome, .source = "192.0.2.7",
		.detail = "kid=abc\nline two",
	};
	int64_t id = 0;

	CHECK_ERR(ct_store_audit_append(s, &ev, &id, &ei), 0);
	CHECK(id > 0);
}

static void test_audit(struct ct_store *s, struct ct_arena *a)
{
	struct ct_store_audit_filter f = {0};
	struct ct_store_audit *ev = NULL, bad = {
		.at_us = 1, .actor = "x", .action = "y", .outcome = "maybe",
	};
	size_t n = 0;

	audit(s, 1000001, "alice@example.com", "prt.issue", "grant");
	audit(s, 3000003, "bob@example.com", "prt.issue", "deny");
	audit(s, 2000002, "alice@example.com", "key.register", "change");
	audit(s, 3000003, "admin", "krb.rotate", "change");
	CHECK_ERR(ct_store_audit_append(s, &bad, NULL, &ei), CT_ERR_INVALID_ARG);
	bad.outcome = "error";
	bad.actor = "new\nline";
	CHECK_ERR(ct_store_audit_append(s, &bad, NULL, &ei), CT_ERR_INVALID_ARG);
	bad.actor = "x";
	CHECK_ERR(ct_store_audit_append(s, &bad, NULL, &ei), 0);

	CHECK_ERR(ct_store_audit_list(s, a, NULL, 10, 0, &ev, &n, &ei), 0);
	CHECK_INT(n, 5);
	if (n == 5) {
		/* Newest first; equal times newest-appended first. */
		CHECK_STR(ev[0].actor, "admin");
		CHECK_STR(ev[1].actor, "bob@example.com");
		CHECK_INT(ev[2].at_us, 2000002);
		CHECK_INT(ev[3].at_us, 1000001);
		CHECK_STR(ev[4].actor, "x");
		CHECK_STR(ev[3].outcome, "grant");
		CHECK_STR(ev[3].source, "192.0.2.7");
		CHECK_STR(ev[3].detail, "kid=abc\nline two");
		CHECK(ev[3].device_id == NULL && ev[3].reason == NULL);
	}
	f.actor = "alice@example.com";
	CHECK_ERR(ct_store_audit_list(s, a, &f, 10, 0, &ev, &n, &ei), 0);
	CHECK_INT(n, 2);
	CHECK_STR(ev[0].action, "key.register");
	f.action = "prt.issue";
	CHECK_ERR(ct_store_audit_list(s, a, &f, 10, 0, &ev, &n, &ei), 0);
	CHECK_INT(n, 1);
	CHECK_INT(ev[0].at_us, 1000001);
	f.actor = NULL;
	CHECK_ERR(ct_store_audit_list(s, a, &f, 10, 0, &ev, &n, &ei), 0);
	CHECK_INT(n, 2);
	CHECK_ERR(ct_store_audit_list(s, a, &f, 1, 1, &ev, &n, &ei), 0);
	CHECK_INT(n, 1);
	CHECK_STR(ev[0].actor, "alice@example.com");
}

static void test_secrets(struct ct_store *s, struct ct_arena *a)
{
	struct ct_store_blob b1 = {blob1, sizeof(blob1)},
			     b2 = {blob2, sizeof(blob2)}, got, empty = {0};

	CHECK_ERR(ct_store_secret_get(s, a, "device-ca-key", &got, &ei),
		  CT_ERR_NOT_FOUND);
	CHECK_ERR(ct_store_secret_put(s, "device-ca-key", &b1, &ei), 0);
	CHECK_ERR(ct_store_secret_get(s, a, "device-ca-key", &got, &ei), 0);
	CHECK_MEM(got.data, got.len, blob1, sizeof(blob1));
	CHECK_ERR(ct_store_secret_put(s, "device-ca-key", &b2, &ei), 0);
	CHECK_ERR(ct_store_secret_get(s, a, "device-ca-key", &got, &ei), 0);
	CHECK_MEM(got.data, got.len, blob2, sizeof(blob2));
	CHECK_ERR(ct_store_secret_put(s, "empty", &empty, &ei),
		  CT_ERR_INVALID_ARG);
}

/* ---- Transactions ---- */

static void test_transactions(struct ct_store *s, struct ct_arena *a)
{
	struct ct_store_user u;
	struct ct_store_group g;
	int64_t id = 0;

	CHECK_ERR(ct_store_commit(s, &ei), CT_ERR_INVALID_ARG);
	CHECK_ERR(ct_store_rollback(s, &ei), CT_ERR_INVALID_ARG);

	/* An explicit rollback undoes every step. */
	CHECK_ERR(ct_store_begin(s, &ei), 0);
	CHECK_ERR(ct_store_begin(s, &ei), CT_ERR_INVALID_ARG);
	id = add_user(s, "tx1@example.com");
	add_group(s, "tx1 group");
	CHECK_ERR(ct_store_group_member_add(s, 1, id, &ei), 0);
	CHECK_ERR(ct_store_rollback(s, &ei), 0);
	CHECK_ERR(ct_store_user_get_by_upn(s, a, "tx1@example.com", &u, &ei),
		  CT_ERR_NOT_FOUND);
	CHECK_ERR(ct_store_group_get_by_name(s, a, "tx1 group", &g, &ei),
		  CT_ERR_NOT_FOUND);

	/* A failed write poisons the transaction: commit rolls back. */
	CHECK_ERR(ct_store_begin(s, &ei), 0);
	add_user(s, "tx2@example.com");
	add_group(s, "tx2 group");
	CHECK_ERR(ct_store_user_set_enabled(s, 999999, true, &ei),
		  CT_ERR_NOT_FOUND);
	CHECK_ERR(ct_store_commit(s, &ei), CT_ERR_NOT_FOUND);
	CHECK(strstr(ei.msg, "rolled back") != NULL);
	CHECK_ERR(ct_store_user_get_by_upn(s, a, "tx2@example.com", &u, &ei),
		  CT_ERR_NOT_FOUND);
	CHECK_ERR(ct_store_group_get_by_name(s, a, "tx2 group", &g, &ei),
		  CT_ERR_NOT_FOUND);

	/* A uniqueness conflict half-way does the same. */
	CHECK_ERR(ct_store_begin(s, &ei), 0);
	add_user(s, "tx3@example.com");
	CHECK_ERR(ct_store_group_add(s, "Admins", &id, &ei), CT_ERR_CONFLICT);
	CHECK_ERR(ct_store_commit(s, &ei), CT_ERR_CONFLICT);
	CHECK_ERR(ct_store_user_get_by_upn(s, a, "tx3@example.com", &u, &ei),
		  CT_ERR_NOT_FOUND);

	/* Reads that find nothing do not poison it; a good one commits. */
	CHECK_ERR(ct_store_begin(s, &ei), 0);
	CHECK_ERR(ct_store_user_get(s, a, 999999, &u, &ei), CT_ERR_NOT_FOUND);
	add_user(s, "tx4@example.com");
	CHECK_ERR(ct_store_commit(s, &ei), 0);
	CHECK_ERR(ct_store_user_get_by_upn(s, a, "tx4@example.com", &u, &ei), 0);

	/* Closing with a transaction open rolls it back (checked after reopen). */
	CHECK_ERR(ct_store_begin(s, &ei), 0);
	add_user(s, "tx5@example.com");
}

/* The arena's cap bounds a listing: big rows give a clean CT_ERR_NOMEM. */
static void test_arena_cap(struct ct_store *s)
{
	static uint8_t big[CT_STORE_MAX_BLOB];
	struct ct_store_device d, *dl = NULL;
	struct ct_arena *a = ct_arena_new();
	char id[32], tp[32];
	size_t n = 0, i;
	int r = 0;

	memset(big, 0x5a, sizeof(big));
	CHECK_ERR(ct_store_begin(s, &ei), 0);
	for (i = 0; i < 80 && r == 0; i++) {
		snprintf(id, sizeof(id), "big-%zu", i);
		snprintf(tp, sizeof(tp), "BIG%zu", i);
		d = device_template(id, tp, 0);
		d.cert_der.data = big;
		d.cert_der.len = sizeof(big);
		r = ct_store_device_add(s, &d, &ei);
	}
	CHECK_ERR(r, 0);
	CHECK_ERR(ct_store_device_list(s, a, 100, 0, &dl, &n, &ei),
		  CT_ERR_NOMEM);
	CHECK_ERR(ct_store_rollback(s, &ei), 0);
	d.cert_der.len = sizeof(big) + 1;
	CHECK_ERR(ct_store_device_add(s, &d, &ei), CT_ERR_INVALID_ARG);
	ct_arena_free(a);
}

/* Every method through the interface only: a new backend runs this too. */
static void test_api(const char *url)
{
	struct ct_arena *a = ct_arena_new();
	struct ct_store_user u;
	struct ct_store *s;

	s = open_ok(url);
	if (s == NULL) {
		ct_arena_free(a);
		return;
	}
	test_tenant(s, a);
	test_user_validation(s);
	test_users(s, a);
	test_groups(s, a);
	test_devices(s, a);
	test_krb_servers(s, a);
	test_policy(s, a);
	test_nonces(s);
	test_failures(s);
	test_audit(s, a);
	test_secrets(s, a);
	test_arena_cap(s);
	test_transactions(s, a);
	ct_store_close(s);

	/* Reopening finds everything committed and nothing else. */
	s = open_ok(url);
	CHECK_ERR(ct_store_user_get_by_upn(s, a, "tx4@example.com", &u, &ei), 0);
	CHECK_ERR(ct_store_user_get_by_upn(s, a, "tx5@example.com", &u, &ei),
		  CT_ERR_NOT_FOUND);
	CHECK_ERR(ct_store_user_get_by_upn(s, a, "alice@example.com", &u, &ei),
		  0);
	CHECK_INT(u.totp_last_step, 101);
	ct_store_close(s);
	ct_arena_free(a);
}

/* ---- The vtable layer ---- */

static void test_vtable(void)
{
	struct ct_store_vtable vt = ct_store_sqlite_vtable;
	struct ct_store_krb_server ks = {
		.domain = "fallback.example.com", .realm = "FALLBACK",
		.rodc_number = 7, .display_name = "k",
		.primary = {{blob1, sizeof(blob1)}, 18, 1},
		.key_updated_from = "dc",
	}, got;
	struct ct_store_krb_key k2 = {{blob2, sizeof(blob2)}, 18, 2};
	struct ct_store_krb_key k3 = {{blob3, sizeof(blob3)}, 18, 3};
	struct ct_arena *a = ct_arena_new();
	struct ct_store *s = NULL;
	size_t n = 0;

	vt.maj_ver = CT_STORE_VTABLE_MAJOR + 1;
	CHECK_ERR(ct_store_open_backend(&vt, tpath(0, "vt.db"), &s, &ei),
		  CT_ERR_INTERNAL);
	vt = ct_store_sqlite_vtable;
	vt.user_totp_advance = NULL;
	CHECK_ERR(ct_store_open_backend(&vt, tpath(0, "vt.db"), &s, &ei),
		  CT_ERR_INTERNAL);
	CHECK(strstr(ei.msg, "user_totp_advance") != NULL);
	CHECK(s == NULL);

	/* Without the optional methods: fallbacks and NOT_SUPPORTED. */
	vt = ct_store_sqlite_vtable;
	vt.krb_server_rotate = NULL;
	vt.nonce_purge = NULL;
	vt.failure_purge = NULL;
	CHECK_ERR(ct_store_open_backend(&vt, tpath(0, "vt.db"), &s, &ei), 0);
	if (s == NULL) {
		ct_arena_free(a);
		return;
	}
	add_tenant(s);
	CHECK_ERR(ct_store_krb_server_put(s, &ks, &ei), 0);
	CHECK_ERR(ct_store_krb_server_rotate(s, ks.domain, &k2, 5, "admin",
					     &ei), 0);
	CHECK_ERR(ct_store_krb_server_get(s, a, ks.domain, &got, &ei), 0);
	CHECK_INT(got.primary.key_version, 2);
	CHECK(got.has_secondary);
	CHECK_INT(got.secondary.key_version, 1);
	CHECK_MEM(got.secondary.sealed.data, got.secondary.sealed.len, blob1,
		  sizeof(blob1));
	CHECK_INT(got.key_updated_on, 5);
	CHECK_ERR(ct_store_krb_server_rotate(s, "none.example.com", &k2, 5,
					     "admin", &ei), CT_ERR_NOT_FOUND);
	/* Inside a caller's transaction the fallback joins it. */
	CHECK_ERR(ct_store_begin(s, &ei), 0);
	CHECK_ERR(ct_store_krb_server_rotate(s, ks.domain, &k3, 6, "admin",
					     &ei), 0);
	CHECK_ERR(ct_store_rollback(s, &ei), 0);
	CHECK_ERR(ct_store_krb_server_get(s, a, ks.domain, &got, &ei), 0);
	CHECK_INT(got.primary.key_version, 2);
	CHECK_ERR(ct_store_nonce_purge(s, 1, &n, &ei), CT_ERR_NOT_SUPPORTED);
	CHECK_ERR(ct_store_failure_purge(s, 1, &n, &ei), CT_ERR_NOT_SUPPORTED);
	ct_store_close(s);
	ct_arena_free(a);
}

/* ---- SQLite specifics, seen from outside ---- */

static int64_t sql_int(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int64_t v = -1;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) ==
		    SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

/* The first column of the first row as text ("" when none). */
static const char *sql_text(const char *path, const char *sql)
{
	static char buf[256];
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;

	buf[0] = '\0';
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) ==
		    SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_text(st, 0) != NULL)
		snprintf(buf, sizeof(buf), "%s",
			 (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(db);
	return buf;
}

static int sql_exec(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	int rc;

	rc = sqlite3_open(path, &db);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	sqlite3_close(db);
	return rc;
}

static unsigned file_mode(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (unsigned)(st.st_mode & 07777) : 0xffff;
}

static void test_sqlite_file(void)
{
	const char *db = tpath(2, "file.db");
	char wal[300];
	struct ct_store *s;
	mode_t old;

	/* A permissive umask must not loosen the mode. */
	old = umask(0);
	s = open_ok(db);
	umask(old);
	add_tenant(s);
	CHECK_INT(file_mode(db), 0600);
	snprintf(wal, sizeof(wal), "%s-wal", db);
	CHECK_INT(file_mode(wal), 0600);
	ct_store_close(s);

	CHECK_STR(sql_text(db, "PRAGMA journal_mode"), "wal");
	CHECK_STR(sql_text(db, "PRAGMA foreign_key_check"), "");
	CHECK_INT(sql_int(db, "SELECT count(*) FROM schema_version"), 1);
	CHECK_INT(sql_int(db, "SELECT max(version) FROM schema_version"), 1);
	CHECK_INT(sql_int(db, "PRAGMA application_id"), 0x43547374);
	/* Reopening applies nothing twice. */
	s = open_ok(db);
	ct_store_close(s);
	CHECK_INT(sql_int(db, "SELECT count(*) FROM schema_version"), 1);
	CHECK_INT(sql_int(db, "SELECT count(*) FROM tenants"), 1);

	/* A schema newer than the code is refused, and left alone. */
	CHECK_INT(sql_exec(db, "INSERT INTO schema_version VALUES (99, 0, 'future')"),
		  SQLITE_OK);
	s = NULL;
	CHECK_ERR(ct_store_open(db, &s, &ei), CT_ERR_SCHEMA);
	CHECK(s == NULL);
	CHECK(strstr(ei.msg, "99") != NULL);
	CHECK_INT(sql_int(db, "SELECT max(version) FROM schema_version"), 99);

	/* The audit log resists SQL written by hand too. */
	CHECK_INT(sql_exec(db, "DELETE FROM schema_version WHERE version = 99"),
		  SQLITE_OK);
	s = open_ok(db);
	{
		struct ct_store_audit ev = {.at_us = 1, .actor = "a",
					    .action = "b", .outcome = "grant"};

		CHECK_ERR(ct_store_audit_append(s, &ev, NULL, &ei), 0);
	}
	ct_store_close(s);
	CHECK(sql_exec(db, "DELETE FROM audit_events") != SQLITE_OK);
	CHECK(sql_exec(db, "UPDATE audit_events SET actor = 'b'") != SQLITE_OK);
	CHECK_INT(sql_int(db, "SELECT count(*) FROM audit_events WHERE actor = 'a'"), 1);
}

/* secure_delete: a replaced secret leaves no old bytes in the file. */
static void test_sqlite_secure_delete(void)
{
	static const char old[] = "OLD-SEALED-SECRET-OLD-SEALED-SECRET-0123456789";
	struct ct_store_blob b1 = {(const uint8_t *)old, sizeof(old)},
			     b2 = {blob2, sizeof(blob2)};
	const char *db = tpath(2, "sd.db");
	static uint8_t file[256 * 1024];
	struct ct_store *s;
	ssize_t n = -1;
	int fd;

	s = open_ok(db);
	CHECK_ERR(ct_store_secret_put(s, "k", &b1, &ei), 0);
	ct_store_close(s);
	s = open_ok(db);
	CHECK_ERR(ct_store_secret_put(s, "k", &b2, &ei), 0);
	ct_store_close(s);
	fd = open(db, O_RDONLY);
	if (fd >= 0)
		n = read(fd, file, sizeof(file));
	close(fd);
	CHECK(n > 0 && (size_t)n < sizeof(file));
	CHECK(n > 0 && memmem(file, (size_t)n, blob2, sizeof(blob2)) != NULL);
	CHECK(n > 0 && memmem(file, (size_t)n, old, sizeof(old) - 1) == NULL);
}

static void test_sqlite_refusals(void)
{
	const char *loose = tpath(2, "loose.db"), *link = tpath(3, "link.db");
	const char *other = tpath(4, "other.db"), *dir = tpath(5, "dir.db");
	struct ct_store *s = NULL;
	int fd;

	fd = open(loose, O_CREAT | O_WRONLY, 0600);
	CHECK(fd >= 0 && fchmod(fd, 0644) == 0);
	close(fd);
	CHECK_ERR(ct_store_open(loose, &s, &ei), CT_ERR_UNSAFE_PATH);
	CHECK(strstr(ei.msg, "0644") != NULL);
	CHECK(chmod(loose, 0600) == 0);
	s = open_ok(loose);
	ct_store_close(s);
	s = NULL;

	CHECK(symlink(loose, link) == 0);
	CHECK_ERR(ct_store_open(link, &s, &ei), CT_ERR_UNSAFE_PATH);
	CHECK(mkdir(dir, 0700) == 0);
	CHECK_ERR(ct_store_open(dir, &s, &ei), CT_ERR_UNSAFE_PATH);
	CHECK_ERR(ct_store_open(tpath(6, "missing/dir/x.db"), &s, &ei),
		  CT_ERR_IO);

	/* Another program's database is not ours to migrate. */
	CHECK_INT(sql_exec(other, "CREATE TABLE t (x)"), SQLITE_OK);
	CHECK(chmod(other, 0600) == 0);
	CHECK_ERR(ct_store_open(other, &s, &ei), CT_ERR_STORE);
	CHECK_INT(sql_int(other, "SELECT count(*) FROM sqlite_schema"), 1);
	/* Nor is a file that is not a database. */
	fd = open(tpath(7, "junk.db"), O_CREAT | O_WRONLY, 0600);
	{
		static const char junk[] = "this is not a database, only text"
					   " long enough to fill a header";

		CHECK(fd >= 0 && write(fd, junk, sizeof(junk)) ==
					 (ssize_t)sizeof(junk));
	}
	close(fd);
	CHECK_ERR(ct_store_open(tpath(7, "junk.db"), &s, &ei), CT_ERR_STORE);
	CHECK(s == NULL);
}

/*
 * A read-only database gives a clean CT_ERR_PERMISSION.  As root, file
 * modes do not bind, so a child drops to nobody first.
 */
static void test_sqlite_readonly(void)
{
	const char *sub = tpath(2, "ro"), *db = tpath(3, "ro/ro.db");
	struct ct_store *s;
	pid_t pid;
	int st = -1, r;

	CHECK(mkdir(sub, 0755) == 0);
	s = open_ok(db);
	ct_store_close(s);
	CHECK(chmod(db, 0400) == 0);
	pid = fork();
	if (pid == 0) {
		/* nobody must be able to reach the file, and own it. */
		if (geteuid() == 0 &&
		    (chmod(tmpdir, 0711) != 0 || chown(sub, 65534, 65534) != 0 ||
		     chown(db, 65534, 65534) != 0 || setgid(65534) != 0 ||
		     setuid(65534) != 0))
			_exit(10);
		s = NULL;
		r = ct_store_open(db, &s, &ei);
		_exit(r == CT_ERR_PERMISSION && s == NULL ? 0 : 12);
	}
	CHECK(pid > 0 && waitpid(pid, &st, 0) == pid);
	CHECK(WIFEXITED(st));
	CHECK_INT(WEXITSTATUS(st), 0);
}

/* Two handles: one holds the write lock, the other waits, then gives up. */
static void test_sqlite_busy(void)
{
	const char *db = tpath(2, "busy.db");
	struct ct_store *s1 = open_ok(db), *s2 = open_ok(db);
	uint8_t h[32];

	CHECK_ERR(ct_store_begin(s1, &ei), 0);
	CHECK_ERR(ct_store_nonce_put(s2, hash_of(h, 7), 10, &ei), CT_ERR_BUSY);
	CHECK_ERR(ct_store_rollback(s1, &ei), 0);
	CHECK_ERR(ct_store_nonce_put(s2, h, 10, &ei), 0);
	ct_store_close(s1);
	ct_store_close(s2);
}

/* ---- Races between processes and threads ---- */

#define RACERS 6
#define ROUNDS 15

/*
 * RACERS processes, each with its own handle, wait at a barrier (a pipe)
 * and then all try op on round i; returns how many succeeded per round in
 * wins (and counts children that saw an unexpected error).
 */
static int race(const char *db, int (*op)(struct ct_store *, int round),
		int wins[ROUNDS])
{
	int go[2], done[2], bad = 0, i, k, st;
	pid_t pids[RACERS];
	char c;

	memset(wins, 0, ROUNDS * sizeof(int));
	if (pipe(go) != 0 || pipe(done) != 0)
		return -1;
	for (k = 0; k < RACERS; k++) {
		pids[k] = fork();
		if (pids[k] == 0) {
			struct ct_store *s = NULL;
			uint8_t res[ROUNDS];

			close(go[1]);
			close(done[0]);
			if (ct_store_open(db, &s, NULL) < 0)
				_exit(20);
			for (i = 0; i < ROUNDS; i++) {
				if (read(go[0], &c, 1) != 1)
					_exit(21);
				res[i] = (uint8_t)(op(s, i) == 0 ? 1 : 0);
			}
			ct_store_close(s);
			_exit(write(done[1], res, ROUNDS) == ROUNDS ? 0 : 22);
		}
	}
	close(go[0]);
	close(done[1]);
	/* Releasing one round at a time makes every child race for it. */
	for (i = 0; i < ROUNDS; i++) {
		for (k = 0; k < RACERS; k++)
			if (write(go[1], "g", 1) != 1)
				bad++;
		usleep(20000);
	}
	close(go[1]);
	for (k = 0; k < RACERS; k++) {
		uint8_t res[ROUNDS];

		if (read(done[0], res, ROUNDS) == ROUNDS)
			for (i = 0; i < ROUNDS; i++)
				wins[i] += res[i];
		else
			bad++;
	}
	close(done[0]);
	for (k = 0; k < RACERS; k++)
		if (waitpid(pids[k], &st, 0) != pids[k] || !WIFEXITED(st) ||
		    WEXITSTATUS(st) != 0)
			bad++;
	return bad;
}

static int consume_op(struct ct_store *s, int round)
{
	uint8_t h[32];

	return ct_store_nonce_consume(s, hash_of(h, 1000 + round), 50, NULL);
}

static int advance_op(struct ct_store *s, int round)
{
	return ct_store_user_totp_advance(s, 1, 1000 + round, NULL);
}

static void test_process_races(void)
{
	const char *db = tpath(2, "race.db");
	struct ct_store *s = open_ok(db);
	int wins[ROUNDS], i, once = 0;
	uint8_t h[32];

	add_tenant(s);
	CHECK_INT(add_user(s, "racer@example.com"), 1);
	for (i = 0; i < ROUNDS; i++)
		CHECK_ERR(ct_store_nonce_put(s, hash_of(h, 1000 + i), 100, &ei),
			  0);
	CHECK_INT(race(db, consume_op, wins), 0);
	for (i = 0; i < ROUNDS; i++)
		once += wins[i] == 1;
	CHECK_INT(once, ROUNDS); /* every nonce consumed exactly once */
	CHECK_INT(race(db, advance_op, wins), 0);
	once = 0;
	for (i = 0; i < ROUNDS; i++)
		once += wins[i] == 1;
	CHECK_INT(once, ROUNDS); /* every TOTP step accepted exactly once */
	ct_store_close(s);
}

/* Processes creating and migrating one fresh database at once all succeed. */
static void test_concurrent_create(void)
{
	const char *db = tpath(2, "fresh.db");
	pid_t pids[RACERS];
	int k, st, ok = 0;

	for (k = 0; k < RACERS; k++) {
		pids[k] = fork();
		if (pids[k] == 0) {
			struct ct_store *s = NULL;
			uint8_t h[32];
			int r = ct_store_open(db, &s, NULL);

			if (r == 0)
				r = ct_store_nonce_put(s, hash_of(h, k), 1, NULL);
			ct_store_close(s);
			_exit(r == 0 ? 0 : 1);
		}
	}
	for (k = 0; k < RACERS; k++)
		ok += pids[k] > 0 && waitpid(pids[k], &st, 0) == pids[k] &&
		      WIFEXITED(st) && WEXITSTATUS(st) == 0;
	CHECK_INT(ok, RACERS);
	CHECK_INT(sql_int(db, "SELECT count(*) FROM schema_version"), 1);
	CHECK_INT(sql_int(db, "SELECT count(*) FROM nonces"), RACERS);
	CHECK_INT(file_mode(db), 0600);
}

struct thread_arg {
	const char *db;
	int *accepted; /* per step, updated atomically */
	int err;
};

#define THREAD_STEPS 200

static void *advance_thread(void *p)
{
	struct thread_arg *t = p;
	struct ct_store *s = NULL;
	int step, r;

	/* One handle per thread, as documented. */
	t->err = ct_store_open(t->db, &s, NULL);
	for (step = 1; step <= THREAD_STEPS && t->err == 0; step++) {
		r = ct_store_user_totp_advance(s, 1, step, NULL);
		if (r == 0)
			__atomic_add_fetch(&t->accepted[step], 1,
					   __ATOMIC_SEQ_CST);
		else if (r != CT_ERR_REPLAY)
			t->err = r;
	}
	ct_store_close(s);
	return NULL;
}

static void test_thread_races(void)
{
	static int accepted[THREAD_STEPS + 1];
	struct thread_arg args[4];
	pthread_t th[4];
	struct ct_arena *a = ct_arena_new();
	struct ct_store *s = open_ok(tpath(2, "threads.db"));
	struct ct_store_user u;
	int i, twice = 0, errs = 0;

	add_tenant(s);
	add_user(s, "threads@example.com");
	for (i = 0; i < 4; i++) {
		args[i] = (struct thread_arg){tpath(2, "threads.db"), accepted, 0};
		CHECK(pthread_create(&th[i], NULL, advance_thread, &args[i]) == 0);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		errs += args[i].err != 0;
	}
	for (i = 1; i <= THREAD_STEPS; i++)
		twice += accepted[i] > 1;
	CHECK_INT(errs, 0);
	CHECK_INT(twice, 0);
	CHECK_INT(accepted[THREAD_STEPS], 1);
	CHECK_ERR(ct_store_user_get(s, a, 1, &u, &ei), 0);
	CHECK_INT(u.totp_last_step, THREAD_STEPS);
	ct_store_close(s);
	ct_arena_free(a);
}

/* ---- Injected allocation failures inside SQLite ---- */

static sqlite3_mem_methods real_mem;
static long fail_at = -1; /* the allocation number to fail, or -1 */
static long alloc_no;

static void *fault_malloc(int n)
{
	if (alloc_no++ == fail_at)
		return NULL;
	return real_mem.xMalloc(n);
}

static void *fault_realloc(void *p, int n)
{
	if (alloc_no++ == fail_at)
		return NULL;
	return real_mem.xRealloc(p, n);
}

/* A fixed workload: open, a two-step transaction, reads; any step may fail. */
static int workload(const char *db, struct ct_arena *a)
{
	struct ct_store_user u;
	struct ct_store *s = NULL;
	uint8_t h[32];
	int64_t id;
	int r;

	r = ct_store_open(db, &s, &ei);
	if (r == 0)
		r = ct_store_begin(s, &ei);
	if (r == 0) {
		struct ct_store_user nu = {.upn = "fault@example.com",
					   .display_name = "F"};

		ct_store_user_add(s, &nu, &id, &ei);
		ct_store_nonce_put(s, hash_of(h, 77), 10, &ei);
		r = ct_store_commit(s, &ei);
	}
	if (r == 0)
		r = ct_store_user_get_by_upn(s, a, "fault@example.com", &u, &ei);
	ct_store_close(s);
	return r;
}

static void test_faults(void)
{
	sqlite3_mem_methods m;
	struct ct_arena *a = ct_arena_new();
	char db[300];
	long n, total, step;
	int r, unclean = 0, failures = 0, partial = 0;
	struct ct_store *s;

	sqlite3_shutdown();
	CHECK_INT(sqlite3_config(SQLITE_CONFIG_GETMALLOC, &real_mem), SQLITE_OK);
	m = real_mem;
	m.xMalloc = fault_malloc;
	m.xRealloc = fault_realloc;
	CHECK_INT(sqlite3_config(SQLITE_CONFIG_MALLOC, &m), SQLITE_OK);
	CHECK_INT(sqlite3_initialize(), SQLITE_OK);

	snprintf(db, sizeof(db), "%s", tpath(2, "fault.db"));
	s = open_ok(db);
	add_tenant(s);
	ct_store_close(s);
	/* Count the allocations of one clean run, then fail each in turn. */
	alloc_no = 0;
	CHECK_ERR(workload(db, a), 0);
	total = alloc_no;
	sql_exec(db, "DELETE FROM users; DELETE FROM nonces");
	step = total / 150 + 1;
	for (n = 0; n < total; n += step) {
		fail_at = n;
		alloc_no = 0;
		memset(&ei, 0, sizeof(ei));
		r = workload(db, a);
		fail_at = -1;
		if (r < 0) {
			failures++;
			/* A clean error: a known code with a message. */
			if (strcmp(ct_errname(r), "UNKNOWN") == 0 ||
			    ei.msg[0] == '\0')
				unclean++;
		}
		/* All or nothing: the user and the nonce appear together. */
		if (sql_int(db, "SELECT count(*) FROM users") !=
		    sql_int(db, "SELECT count(*) FROM nonces")) {
			partial++;
			tap_diag("allocation %ld: %s (%s): users %lld nonces %lld", n, ct_errname(r), ei.msg,
				 (long long)sql_int(db, "SELECT count(*) FROM users"),
				 (long long)sql_int(db, "SELECT count(*) FROM nonces"));
		}
		sql_exec(db, "DELETE FROM users; DELETE FROM nonces");
	}
	tap_diag("fault injection: %ld allocations, %d runs failed cleanly",
		 total, failures);
	CHECK(failures > 10); /* the injection did hit */
	CHECK_INT(unclean, 0);
	CHECK_INT(partial, 0);
	CHECK_STR(sql_text(db, "PRAGMA integrity_check"), "ok");
	ct_arena_free(a);
}

int main(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/ct-store-XXXXXX");
	if (mkdtemp(tmpdir) == NULL) {
		CHECK(false);
		return tap_done();
	}
	test_urls();
	{
		char url[300];

		snprintf(url, sizeof(url), "sqlite:%s", tpath(1, "api.db"));
		test_api(url);
	}
	test_vtable();
	test_sqlite_file();
	test_sqlite_secure_delete();
	test_sqlite_refusals();
	test_sqlite_readonly();
	test_sqlite_busy();
	test_process_races();
	test_concurrent_create();
	test_thread_races();
	test_faults();
	cleanup();
	return tap_done();
}
