/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The client's state files (cl-state) and the rules of the state directory
 * (cl-safefile): round trips, the strict decoders refusing every kind of
 * bad member, atomic 0600 writes, lookups by local user and UPN, and
 * directories and files another user could change.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cl-safefile.h"
#include "cl-state.h"
#include "ct-error.h"
#include "ct-secret.h"
#include "tap.h"

static char root[256];

static void device_example(struct cl_device_state *d)
{
	memset(d, 0, sizeof(*d));
	snprintf(d->server_url, sizeof(d->server_url), "https://cloud.example.test:8443");
	snprintf(d->tenant_id, sizeof(d->tenant_id), "0b9f1d0c-1111-4a4a-9c9c-0123456789ab");
	snprintf(d->device_id, sizeof(d->device_id), "5d0c7c2e-2222-4b4b-8d8d-abcdefabcdef");
	snprintf(d->thumbprint, sizeof(d->thumbprint),
		 "0396DF7E12555CBBCD55910BC7848DE6F06510C7");
	snprintf(d->joined_by, sizeof(d->joined_by), "alice@corp.example.test");
	snprintf(d->display_name, sizeof(d->display_name), "laptop \xc3\xa9");
	snprintf(d->keystore, sizeof(d->keystore), "soft");
	d->join_time = 1764020000;
}

static void user_example(struct cl_user_state *u, const char *user, const char *upn)
{
	size_t i;

	memset(u, 0, sizeof(*u));
	snprintf(u->user, sizeof(u->user), "%s", user);
	u->uid = 1001;
	snprintf(u->upn, sizeof(u->upn), "%s", upn);
	snprintf(u->kid, sizeof(u->kid), "raIM0SqSlRqEPnNkmPkQp9lPHcwkIagbK/laBaeKyu8=");
	snprintf(u->key_label, sizeof(u->key_label), "%s#1764020000", upn);
	for (i = 0; u->key_label[i] != '\0'; i++)
		if (u->key_label[i] >= 'A' && u->key_label[i] <= 'Z')
			u->key_label[i] = (char)(u->key_label[i] + 32);
	snprintf(u->keystore, sizeof(u->keystore), "tpm");
	u->enrolled = 1764020000;
	u->pin_set = 1764020100;
	u->has_prt = true;
	snprintf(u->prt, sizeof(u->prt), "AQAB.sealed-prt_value~x");
	for (i = 0; i < sizeof(u->session_key); i++)
		u->session_key[i] = (uint8_t)(i * 7 + 1);
	u->prt_issued = 1764020200;
	u->prt_expiry = 1764020200 + 1209600;
}

static void test_device_round_trip(void)
{
	struct cl_device_state d, back;
	struct ct_errinfo ei = {0};
	char *text = NULL;

	device_example(&d);
	CHECK_ERR(cl_device_state_format(&d, &text, &ei), 0);
	CHECK(text != NULL && strstr(text, "\"version\": 1") != NULL);
	CHECK(text != NULL && strstr(text, "tcti") == NULL);
	CHECK_ERR(cl_device_state_parse(text, strlen(text), &back, &ei), 0);
	CHECK_STR(back.device_id, d.device_id);
	CHECK_STR(back.display_name, d.display_name);
	CHECK_INT(back.join_time, d.join_time);
	free(text);

	/* What the decoder would refuse is never written. */
	snprintf(d.keystore, sizeof(d.keystore), "usb");
	CHECK_ERR(cl_device_state_format(&d, &text, &ei), CT_ERR_BAD_VALUE);
	CHECK(text == NULL);
}

static void test_user_round_trip(void)
{
	struct cl_user_state u, back;
	struct ct_errinfo ei = {0};
	char *text = NULL;

	user_example(&u, "alice", "Alice@Corp.Example.Test");
	CHECK_ERR(cl_user_state_format(&u, &text, &ei), 0);
	CHECK_ERR(cl_user_state_parse(text, strlen(text), &back, &ei), 0);
	CHECK(back.has_prt);
	CHECK_STR(back.prt, u.prt);
	CHECK_MEM(back.session_key, sizeof(back.session_key), u.session_key,
		  sizeof(u.session_key));
	CHECK_INT(back.uid, 1001);
	CHECK_INT(back.prt_expiry, u.prt_expiry);
	ct_erase_free_str(text);

	/* Without a PRT, none of its members is written. */
	u.has_prt = false;
	CHECK_ERR(cl_user_state_format(&u, &text, &ei), 0);
	CHECK(text != NULL && strstr(text, "session_key") == NULL && strstr(text, "prt") == NULL);
	CHECK_ERR(cl_user_state_parse(text, strlen(text), &back, &ei), 0);
	CHECK(!back.has_prt);
	ct_erase_free_str(text);
}

/* A user state with one member replaced (or removed with value NULL). */
static int user_variant(const char *member, const char *value)
{
	struct cl_user_state u;
	struct ct_errinfo ei = {0};
	char *text = NULL, *p, *start, *end, buf[8192];
	int r;

	user_example(&u, "alice", "alice@corp.example.test");
	if (cl_user_state_format(&u, &text, &ei) != 0)
		return -1;
	snprintf(buf, sizeof(buf), "\"%s\":", member);
	start = strstr(text, buf);
	if (start == NULL) {
		ct_erase_free_str(text);
		return -1;
	}
	end = strchr(start, '\n');
	p = buf;
	p += snprintf(p, sizeof(buf), "%.*s", (int)(start - text), text);
	/* The last member has no comma after it; keep the shape. */
	if (value != NULL)
		p += snprintf(p, sizeof(buf) - (size_t)(p - buf), "\"%s\": %s%s", member, value,
			      end[-1] == ',' ? "," : "");
	snprintf(p, sizeof(buf) - (size_t)(p - buf), "%s", end);
	ct_erase_free_str(text);
	r = cl_user_state_parse(buf, strlen(buf), &u, &ei);
	return r;
}

static void test_user_strict(void)
{
	CHECK_ERR(user_variant("uid", "-1"), CT_ERR_BAD_VALUE);
	CHECK_ERR(user_variant("uid", "4294967295"), CT_ERR_BAD_VALUE);
	CHECK_ERR(user_variant("uid", "\"1001\""), CT_ERR_JSON_TYPE);
	CHECK_ERR(user_variant("uid", "1001.0"), CT_ERR_JSON_TYPE);
	CHECK_ERR(user_variant("user", "\"-rf\""), CT_ERR_BAD_VALUE);
	CHECK_ERR(user_variant("user", "\"a/b\""), CT_ERR_BAD_VALUE);
	CHECK_ERR(user_variant("upn", "\"no-at-sign\""), CT_ERR_BAD_VALUE);
	CHECK_ERR(user_variant("upn", "\"../x@y\""), CT_ERR_BAD_VALUE);
	CHECK_ERR(user_variant("upn", "\"a@b@c\""), CT_ERR_BAD_VALUE);
	CHECK_ERR(user_variant("kid", "\"short=\""), CT_ERR_BAD_VALUE);
	CHECK_ERR(user_variant("key_label", "\"Alice@corp.example.test\""), CT_ERR_BAD_VALUE);
	CHECK_ERR(user_variant("key_label", "\"alice@corp.example.test#12a\""), CT_ERR_BAD_VALUE);
	CHECK_ERR(user_variant("key_label", "\"alice@corp.example.test#\""), CT_ERR_BAD_VALUE);
	CHECK_ERR(user_variant("keystore", "\"hsm\""), CT_ERR_BAD_VALUE);
	CHECK_ERR(user_variant("enrolled", "12"), CT_ERR_BAD_VALUE);
	CHECK_ERR(user_variant("prt", "\"has space\""), CT_ERR_BAD_VALUE);
	CHECK_ERR(user_variant("prt", "\"\""), CT_ERR_BAD_VALUE);
	CHECK_ERR(user_variant("session_key", "\"AAAA\""), CT_ERR_BAD_VALUE);
	CHECK_ERR(user_variant("session_key", "\"not base64!\""), CT_ERR_BAD_VALUE);
	/* The PRT's members come together. */
	CHECK_ERR(user_variant("session_key", NULL), CT_ERR_MISSING_FIELD);
	CHECK_ERR(user_variant("prt_issued", NULL), CT_ERR_MISSING_FIELD);
	CHECK_ERR(user_variant("prt_expiry", "1764020000"), CT_ERR_BAD_VALUE);
	CHECK_ERR(user_variant("kid", NULL), CT_ERR_MISSING_FIELD);
	CHECK_ERR(user_variant("version", "2"), CT_ERR_BAD_VALUE);
	CHECK_ERR(user_variant("version", NULL), CT_ERR_MISSING_FIELD);
	/* Unknown members are refused (a file we did not write). */
	CHECK_ERR(user_variant("pin_set", "1764020100, \"extra\": 1"), CT_ERR_BAD_VALUE);
	CHECK_ERR(user_variant("prt_expiry", "1765229800, \"zzz\": true"), CT_ERR_BAD_VALUE);
	/* Duplicates are refused by the JSON layer. */
	CHECK_ERR(user_variant("pin_set", "1764020100, \"pin_set\": 1764020101"), CT_ERR_BAD_JSON);
	/* The unchanged file still decodes (the variants above are not vacuous). */
	CHECK_ERR(user_variant("pin_set", "1764020100"), 0);
}

static void test_device_strict(void)
{
	static const char *const bad[] = {
		"",
		"[]",
		"{\"version\": 1}",
		"{\"version\": 1, \"server_url\": \"ftp://x\", \"tenant_id\": "
		"\"0b9f1d0c-1111-4a4a-9c9c-0123456789ab\", \"device_id\": "
		"\"5d0c7c2e-2222-4b4b-8d8d-abcdefabcdef\", \"thumbprint\": "
		"\"0396DF7E12555CBBCD55910BC7848DE6F06510C7\", \"joined_by\": \"a@b\", "
		"\"display_name\": \"x\", \"keystore\": \"soft\", \"join_time\": 1764020000}",
		"{\"version\": 1, \"server_url\": \"https://x\", \"tenant_id\": "
		"\"0b9f1d0c-1111-4a4a-9c9c-0123456789ab\", \"device_id\": "
		"\"5d0c7c2e-2222-4b4b-8d8d-abcdefabcdef\", \"thumbprint\": "
		"\"0396df7e12555cbbcd55910bc7848de6f06510c7\", \"joined_by\": \"a@b\", "
		"\"display_name\": \"x\", \"keystore\": \"soft\", \"join_time\": 1764020000}",
		"{\"version\": 1, \"server_url\": \"https://x\", \"tenant_id\": "
		"\"0b9f1d0c-1111-4a4a-9c9c-0123456789ab\", \"device_id\": "
		"\"5d0c7c2e-2222-4b4b-8d8d-abcdefabcdef\", \"thumbprint\": "
		"\"0396DF7E12555CBBCD55910BC7848DE6F06510C7\", \"joined_by\": \"a@b\", "
		"\"display_name\": \"x\\u0007\", \"keystore\": \"soft\", \"join_time\": 1764020000}",
	};
	static const char good[] =
		"{\"version\": 1, \"server_url\": \"https://x\", \"tenant_id\": "
		"\"0b9f1d0c-1111-4a4a-9c9c-0123456789ab\", \"device_id\": "
		"\"5d0c7c2e-2222-4b4b-8d8d-abcdefabcdef\", \"thumbprint\": "
		"\"0396DF7E12555CBBCD55910BC7848DE6F06510C7\", \"joined_by\": \"a@b\", "
		"\"display_name\": \"x\", \"keystore\": \"soft\", \"join_time\": 1764020000}";
	struct cl_device_state d;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(cl_device_state_parse(bad[i], strlen(bad[i]), &d, NULL) != 0);
	CHECK_ERR(cl_device_state_parse(good, strlen(good), &d, NULL), 0);
	CHECK_STR(d.joined_by, "a@b");
}

static void test_files(void)
{
	struct cl_device_state d, back;
	struct cl_user_state u, got;
	struct ct_errinfo ei = {0};
	char path[512];
	struct stat st;
	int fd;

	device_example(&d);
	CHECK_ERR(cl_device_state_load(root, &back, &ei), CT_ERR_NOT_JOINED);
	CHECK_ERR(cl_device_state_save(root, &d, &ei), 0);
	CHECK_ERR(cl_device_state_load(root, &back, &ei), 0);
	CHECK_STR(back.tenant_id, d.tenant_id);
	snprintf(path, sizeof(path), "%s/device.json", root);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0644);

	user_example(&u, "alice", "Alice@Corp.Example.Test");
	CHECK_ERR(cl_user_state_save(root, &u, &ei), 0);
	snprintf(path, sizeof(path), "%s/users/alice@corp.example.test.json", root);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
	snprintf(path, sizeof(path), "%s/users", root);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0700);
	user_example(&u, "bob", "bob@corp.example.test");
	u.has_prt = false;
	CHECK_ERR(cl_user_state_save(root, &u, &ei), 0);

	CHECK_ERR(cl_user_state_load_user(root, "alice", &got, &ei), 0);
	CHECK_STR(got.upn, "Alice@Corp.Example.Test");
	CHECK(got.has_prt);
	CHECK_ERR(cl_user_state_load_upn(root, "ALICE@corp.example.test", &got, &ei), 0);
	CHECK_STR(got.user, "alice");
	CHECK_ERR(cl_user_state_load_user(root, "bob", &got, &ei), 0);
	CHECK(!got.has_prt);
	CHECK_ERR(cl_user_state_load_user(root, "carol", &got, &ei), CT_ERR_NOT_ENROLLED);
	CHECK_ERR(cl_user_state_load_upn(root, "carol@corp.example.test", &got, &ei),
		  CT_ERR_NOT_ENROLLED);
	CHECK_ERR(cl_user_state_load_upn(root, "../../etc/passwd", &got, &ei), CT_ERR_INVALID_ARG);
	CHECK_ERR(cl_user_state_load_user(root, "../alice", &got, &ei), CT_ERR_INVALID_ARG);

	/* One local user under two UPNs is a conflict, not a guess. */
	user_example(&u, "alice", "alice2@corp.example.test");
	CHECK_ERR(cl_user_state_save(root, &u, &ei), 0);
	CHECK_ERR(cl_user_state_load_user(root, "alice", &got, &ei), CT_ERR_CONFLICT);
	CHECK_ERR(cl_user_state_remove(root, "alice2@corp.example.test", &ei), 0);
	CHECK_ERR(cl_user_state_load_user(root, "alice", &got, &ei), 0);

	/* A file that does not decode is skipped by listings and refused by loads. */
	snprintf(path, sizeof(path), "%s/users/mallory@corp.example.test.json", root);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0 && write(fd, "{\"version\": 1}", 14) == 14);
	close(fd);
	CHECK_ERR(cl_user_state_load_upn(root, "mallory@corp.example.test", &got, &ei),
		  CT_ERR_MISSING_FIELD);
	CHECK(strstr(ei.msg, "mallory@corp.example.test.json") != NULL);
	CHECK_ERR(cl_user_state_load_user(root, "bob", &got, &ei), 0);

	/* A file others can write is refused, and so is a symlink. */
	CHECK(chmod(path, 0666) == 0);
	CHECK_ERR(cl_user_state_load_upn(root, "mallory@corp.example.test", &got, &ei),
		  CT_ERR_UNSAFE_PATH);
	unlink(path);
	snprintf(path, sizeof(path), "%s/users/link@corp.example.test.json", root);
	{
		char target[512];

		snprintf(target, sizeof(target), "%s/users/bob@corp.example.test.json", root);
		CHECK(symlink(target, path) == 0);
	}
	CHECK_ERR(cl_user_state_load_upn(root, "link@corp.example.test", &got, &ei),
		  CT_ERR_UNSAFE_PATH);
	unlink(path);
	cl_user_state_clear(&got);
	CHECK(got.has_prt == false && got.session_key[0] == 0);
}

static int count_users(const struct cl_user_state *s, void *arg)
{
	(*(unsigned *)arg)++;
	(void)s;
	return 0;
}

static void test_foreach(void)
{
	struct ct_errinfo ei = {0};
	unsigned n = 0, bad = 0;
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/users/zed@corp.example.test.json", root);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0 && write(fd, "not json", 8) == 8);
	close(fd);
	CHECK_ERR(cl_user_state_foreach(root, count_users, &n, &bad, &ei), 0);
	CHECK_INT(n, 2);
	CHECK_INT(bad, 1);
	unlink(path);
}

static void test_dirs(void)
{
	struct ct_errinfo ei = {0};
	char sub[512], inner[600];

	CHECK_ERR(cl_dir_check(root, &ei), 0);
	snprintf(sub, sizeof(sub), "%s/open", root);
	CHECK(mkdir(sub, 0777) == 0 && chmod(sub, 0777) == 0);
	CHECK_ERR(cl_dir_check(sub, &ei), CT_ERR_UNSAFE_PATH);
	CHECK(strstr(ei.msg, "can be written by other users") != NULL);
	/* Below a directory others can write (without the sticky bit). */
	snprintf(inner, sizeof(inner), "%s/state", sub);
	CHECK(mkdir(inner, 0700) == 0);
	CHECK_ERR(cl_dir_check(inner, &ei), CT_ERR_UNSAFE_PATH);
	/* With the sticky bit (like /tmp) the parent is fine; the leaf never is. */
	CHECK(chmod(sub, 01777) == 0);
	CHECK_ERR(cl_dir_check(inner, &ei), 0);
	CHECK_ERR(cl_dir_check(sub, &ei), CT_ERR_UNSAFE_PATH);
	/* A symlink to a good directory is refused as the state directory. */
	snprintf(inner, sizeof(inner), "%s/link", root);
	CHECK(symlink(root, inner) == 0);
	CHECK_ERR(cl_dir_check(inner, &ei), CT_ERR_UNSAFE_PATH);
	CHECK_ERR(cl_dir_ensure(inner, 0700, &ei), CT_ERR_UNSAFE_PATH);
	unlink(inner);
	/* ensure creates with the mode, and refuses wider modes. */
	snprintf(inner, sizeof(inner), "%s/made", root);
	CHECK_ERR(cl_dir_ensure(inner, 0700, &ei), 0);
	CHECK(chmod(inner, 0750) == 0);
	CHECK_ERR(cl_dir_ensure(inner, 0700, &ei), CT_ERR_UNSAFE_PATH);
	snprintf(inner, sizeof(inner), "%s/missing/deeper", root);
	CHECK_ERR(cl_dir_check(inner, &ei), CT_ERR_NOT_FOUND);
}

static void test_write_atomic(void)
{
	struct ct_errinfo ei = {0};
	struct ct_buf b;
	char path[512];
	struct stat st;

	snprintf(path, sizeof(path), "%s/file", root);
	CHECK_ERR(cl_file_write(path, "one", 3, 0600, &ei), 0);
	CHECK_ERR(cl_file_write(path, "second", 6, 0600, &ei), 0);
	ct_buf_init(&b, 64);
	CHECK_ERR(cl_file_read(path, 64, &b, &ei), 0);
	CHECK_MEM(b.data, b.len, "second", 6);
	CHECK_ERR(cl_file_read(path, 3, &b, &ei), CT_ERR_TOO_LARGE);
	CHECK(b.len == 0);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
	CHECK_ERR(cl_file_remove(path, true, &ei), 0);
	CHECK(!cl_file_exists(path));
	CHECK_ERR(cl_file_remove(path, true, &ei), 0);
	CHECK_ERR(cl_file_read(path, 64, &b, &ei), CT_ERR_NOT_FOUND);
	ct_buf_free(&b);
}

static void test_names(void)
{
	CHECK(cl_upn_ok("a@b"));
	CHECK(!cl_upn_ok("@b"));
	CHECK(!cl_upn_ok("a@"));
	CHECK(!cl_upn_ok(".a@b"));
	CHECK(!cl_upn_ok("a b@c"));
	CHECK(!cl_upn_ok("a\\b@c"));
	CHECK(cl_user_name_ok("alice"));
	CHECK(cl_user_name_ok("host$"));
	CHECK(!cl_user_name_ok(""));
	CHECK(!cl_user_name_ok("-x"));
	CHECK(!cl_user_name_ok(".x"));
	CHECK(!cl_user_name_ok("a b"));
}

int main(void)
{
	char cmd[300];

	snprintf(root, sizeof(root), "/tmp/ct-test-state.XXXXXX");
	if (mkdtemp(root) == NULL) {
		tap_diag("mkdtemp: %s", strerror(errno));
		return 1;
	}
	test_names();
	test_device_round_trip();
	test_user_round_trip();
	test_user_strict();
	test_device_strict();
	test_files();
	test_foreach();
	test_dirs();
	test_write_atomic();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd) != 0)
		tap_diag("could not remove %s", root);
	return tap_done();
}
