/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The soft keystore against its promises: signatures OpenSSL verifies, the
 * failure counter (on disk before the PIN is tried, reset by a right PIN,
 * wiping at the limit, surviving a killed process), PIN change, delete,
 * independent labels, and refusal of tampered, truncated and hostile files
 * and of labels that look like paths.
 *
 * With KS_WRITE_CORPUS=dir it also leaves real key files there as seeds for
 * fuzz/corpus/keystore-file.
 */
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ct-buf.h"
#include "ct-error.h"
#include "keystore.h"
#include "ks-internal.h"
#include "ks-soft-file.h"
#include "ks-test.h"
#include "tap.h"

static char *dir;
static const char *corpus_out;

static const uint8_t msg[] = "header.payload";

static struct ct_keystore *open_soft(unsigned max_attempts)
{
	struct ct_ks_options opt = {
		.kind = CT_KS_SOFT,
		.dir = dir,
		.max_attempts = max_attempts,
		.argon2_t = 1,
		.argon2_m_kib = 64,
		.argon2_p = 1,
	};
	struct ct_errinfo ei = {0};
	struct ct_keystore *ks = NULL;

	CHECK_ERR(ct_ks_open(&opt, &ks, &ei), 0);
	if (ks == NULL)
		tap_diag("open: %s", ei.msg);
	return ks;
}

static const char *soft_path(const char *label)
{
	return ks_test_key_path(dir, label, ".soft");
}

static const char *mark_path(const char *label)
{
	return ks_test_key_path(dir, label, ".soft-locked");
}

/* Signs msg; returns the error, and on success checks the signature. */
static int sign_check(struct ct_keystore *ks, const char *label, const char *pin,
		      EVP_PKEY *pub)
{
	struct ct_errinfo ei = {0};
	struct ct_buf sig;
	int r;

	ct_buf_init(&sig, 1024);
	r = ct_ks_sign(ks, label, pin, msg, sizeof(msg) - 1, &sig, &ei);
	if (r == 0 && pub != NULL)
		CHECK(ks_test_verify(pub, msg, sizeof(msg) - 1, sig.data, sig.len));
	if (r != 0)
		CHECK_INT(sig.len, 0);
	ct_buf_free(&sig);
	return r;
}

static unsigned tries_left(struct ct_keystore *ks, const char *label)
{
	struct ct_ks_status st;

	if (ct_ks_status(ks, label, &st, NULL) != 0)
		return 999;
	return st.tries_left;
}

/* The failure counter as the file on disk holds it (999 if unreadable). */
static unsigned disk_failures(const char *label)
{
	struct ks_soft_file f;
	size_t n;
	uint8_t *p = ks_test_read(soft_path(label), &n);
	unsigned v = 999;

	if (p != NULL && ks_soft_file_decode(p, n, &f) == 0)
		v = f.failures;
	free(p);
	return v;
}

static void save_corpus(const char *label, const char *name)
{
	char path[4096];
	size_t n;
	uint8_t *p;

	if (corpus_out == NULL)
		return;
	p = ks_test_read(soft_path(label), &n);
	snprintf(path, sizeof(path), "%s/%s", corpus_out, name);
	if (p != NULL)
		ks_test_write(path, p, n);
	free(p);
}

static void test_names(void)
{
	CHECK_STR(ct_ks_kind_name(CT_KS_SOFT), "soft");
	CHECK_STR(ct_ks_kind_name(CT_KS_TPM), "tpm");
	CHECK_INT(ct_ks_kind_from_name("soft"), CT_KS_SOFT);
	CHECK_INT(ct_ks_kind_from_name("tpm"), CT_KS_TPM);
	CHECK_INT(ct_ks_kind_from_name("auto"), 0);
	CHECK_INT(ct_ks_kind_from_name(NULL), 0);
}

static void test_open_refusals(void)
{
	struct ct_ks_options opt = {.kind = CT_KS_SOFT, .dir = dir};
	struct ct_keystore *ks = (struct ct_keystore *)&opt;
	struct ct_errinfo ei = {0};
	char *open_dir = ks_test_mkdtemp();

	opt.dir = "/nonexistent/ct-ks";
	CHECK_ERR(ct_ks_open(&opt, &ks, &ei), CT_ERR_NOT_FOUND);
	CHECK(ks == NULL);
	chmod(open_dir, 0770);
	opt.dir = open_dir;
	CHECK_ERR(ct_ks_open(&opt, &ks, &ei), CT_ERR_UNSAFE_PATH);
	opt.dir = dir;
	opt.max_attempts = CT_KS_MAX_ATTEMPTS + 1;
	CHECK_ERR(ct_ks_open(&opt, &ks, &ei), CT_ERR_INVALID_ARG);
	opt.max_attempts = 0;
	opt.argon2_m_kib = CT_KS_SOFT_MAX_M_KIB + 1;
	CHECK_ERR(ct_ks_open(&opt, &ks, &ei), CT_ERR_INVALID_ARG);
	opt.argon2_m_kib = 64;
	opt.argon2_p = 16;     /* 64 KiB cannot feed 16 lanes, and p is capped */
	CHECK_ERR(ct_ks_open(&opt, &ks, &ei), CT_ERR_INVALID_ARG);
	opt.argon2_p = 0;
	opt.kind = 7;
	CHECK_ERR(ct_ks_open(&opt, &ks, &ei), CT_ERR_INVALID_ARG);
	ks_test_rmdir(open_dir);
	free(open_dir);
}

static void test_create_sign(void)
{
	struct ct_keystore *ks = open_soft(3);
	struct ct_errinfo ei = {0};
	struct ct_ks_status st;
	EVP_PKEY *pub = NULL, *pub2 = NULL;
	struct ct_buf sig;
	struct stat sb;
	mode_t old;

	CHECK_ERR(ct_ks_status(ks, "alice@example.com", &st, &ei), 0);
	CHECK(!st.present);
	CHECK(!st.locked);
	CHECK_INT(st.kind, CT_KS_SOFT);
	CHECK_ERR(ct_ks_public(ks, "alice@example.com", &pub, &ei), CT_ERR_NOT_ENROLLED);
	CHECK_ERR(sign_check(ks, "alice@example.com", "1234", NULL), CT_ERR_NOT_ENROLLED);

	/* A permissive umask must not reach the key file. */
	old = umask(0);
	CHECK_ERR(ct_ks_create(ks, "alice@example.com", "1234", &pub, &ei), 0);
	umask(old);
	CHECK(pub != NULL && EVP_PKEY_get_base_id(pub) == EVP_PKEY_EC &&
	      EVP_PKEY_get_bits(pub) == 256);
	CHECK_INT(lstat(soft_path("alice@example.com"), &sb), 0);
	CHECK_INT(sb.st_mode & 07777, 0600);
	CHECK(S_ISREG(sb.st_mode));
	save_corpus("alice@example.com", "fresh");

	CHECK_ERR(ct_ks_public(ks, "alice@example.com", &pub2, &ei), 0);
	CHECK(pub2 != NULL && EVP_PKEY_eq(pub, pub2) == 1);
	CHECK_ERR(sign_check(ks, "alice@example.com", "1234", pub), 0);

	/* The signature covers the data: another message does not verify. */
	ct_buf_init(&sig, 1024);
	CHECK_ERR(ct_ks_sign(ks, "alice@example.com", "1234", msg, sizeof(msg) - 1,
			     &sig, &ei), 0);
	CHECK_INT(sig.len, 64);
	CHECK(!ks_test_verify(pub, (const uint8_t *)"other", 5, sig.data, sig.len));
	ct_buf_free(&sig);

	CHECK_ERR(ct_ks_status(ks, "alice@example.com", &st, &ei), 0);
	CHECK(st.present);
	CHECK(!st.locked);
	CHECK_INT(st.tries_left, 3);
	CHECK_INT(st.max_attempts, 3);
	/* No temporary files are left behind. */
	CHECK(!ks_test_exists(ks_test_key_path(dir, "alice@example.com", ".soft.tmp")));

	/* Creating again replaces the key. */
	EVP_PKEY_free(pub2);
	pub2 = NULL;
	CHECK_ERR(ct_ks_create(ks, "alice@example.com", "5678", &pub2, &ei), 0);
	CHECK(pub2 != NULL && EVP_PKEY_eq(pub, pub2) != 1);
	CHECK_ERR(sign_check(ks, "alice@example.com", "5678", pub2), 0);
	CHECK_ERR(sign_check(ks, "alice@example.com", "1234", NULL), CT_ERR_PIN_WRONG);
	CHECK_ERR(ct_ks_delete(ks, "alice@example.com", &ei), 0);
	EVP_PKEY_free(pub);
	EVP_PKEY_free(pub2);
	ct_ks_close(ks);
}

static void test_wrong_pin(void)
{
	struct ct_keystore *ks = open_soft(3);
	struct ct_errinfo ei = {0};
	EVP_PKEY *pub = NULL;

	CHECK_ERR(ct_ks_create(ks, "bob", "2468", &pub, &ei), 0);
	CHECK_INT(tries_left(ks, "bob"), 3);
	CHECK_INT(disk_failures("bob"), 0);
	CHECK_ERR(ct_ks_sign(ks, "bob", "0000", msg, 3, &(struct ct_buf){0}, &ei),
		  CT_ERR_PIN_WRONG);
	CHECK(strstr(ei.msg, "2 tries left") != NULL);
	/* The wrong try is on disk, not just in memory. */
	CHECK_INT(disk_failures("bob"), 1);
	CHECK_INT(tries_left(ks, "bob"), 2);
	save_corpus("bob", "one-failure");
	CHECK_ERR(sign_check(ks, "bob", "1111", NULL), CT_ERR_PIN_WRONG);
	CHECK_INT(tries_left(ks, "bob"), 1);
	CHECK_INT(disk_failures("bob"), 2);
	/* A right PIN resets the count. */
	CHECK_ERR(sign_check(ks, "bob", "2468", pub), 0);
	CHECK_INT(tries_left(ks, "bob"), 3);
	CHECK_INT(disk_failures("bob"), 0);
	CHECK_ERR(ct_ks_delete(ks, "bob", &ei), 0);
	EVP_PKEY_free(pub);
	ct_ks_close(ks);
}

static void test_lockout(void)
{
	struct ct_keystore *ks = open_soft(3);
	struct ct_errinfo ei = {0};
	struct ct_ks_status st;
	EVP_PKEY *pub = NULL;

	CHECK_ERR(ct_ks_create(ks, "carol", "1357", &pub, &ei), 0);
	CHECK_ERR(sign_check(ks, "carol", "0001", NULL), CT_ERR_PIN_WRONG);
	CHECK_ERR(sign_check(ks, "carol", "0002", NULL), CT_ERR_PIN_WRONG);
	CHECK(ks_test_exists(soft_path("carol")));
	CHECK_ERR(sign_check(ks, "carol", "0003", NULL), CT_ERR_PIN_LOCKED);
	/* The key is gone from disk; a marker says why. */
	CHECK(!ks_test_exists(soft_path("carol")));
	CHECK(ks_test_exists(mark_path("carol")));
	CHECK_ERR(ct_ks_status(ks, "carol", &st, &ei), 0);
	CHECK(!st.present);
	CHECK(st.locked);
	CHECK_INT(st.tries_left, 0);
	/* Even the right PIN cannot bring it back. */
	CHECK_ERR(sign_check(ks, "carol", "1357", NULL), CT_ERR_PIN_LOCKED);
	CHECK_ERR(ct_ks_change_pin(ks, "carol", "1357", "9999", &ei), CT_ERR_PIN_LOCKED);
	EVP_PKEY_free(pub);
	pub = NULL;
	CHECK_ERR(ct_ks_public(ks, "carol", &pub, &ei), CT_ERR_PIN_LOCKED);
	CHECK(pub == NULL);
	/* A new key (pin reset) clears the lock. */
	CHECK_ERR(ct_ks_create(ks, "carol", "8642", &pub, &ei), 0);
	CHECK(!ks_test_exists(mark_path("carol")));
	CHECK_ERR(ct_ks_status(ks, "carol", &st, &ei), 0);
	CHECK(st.present);
	CHECK(!st.locked);
	CHECK_INT(st.tries_left, 3);
	CHECK_ERR(sign_check(ks, "carol", "8642", pub), 0);
	/* Delete clears a lock too. */
	CHECK_ERR(sign_check(ks, "carol", "0", NULL), CT_ERR_PIN_WRONG);
	CHECK_ERR(sign_check(ks, "carol", "0", NULL), CT_ERR_PIN_WRONG);
	CHECK_ERR(sign_check(ks, "carol", "0", NULL), CT_ERR_PIN_LOCKED);
	CHECK_ERR(ct_ks_delete(ks, "carol", &ei), 0);
	CHECK(!ks_test_exists(mark_path("carol")));
	CHECK_ERR(ct_ks_status(ks, "carol", &st, &ei), 0);
	CHECK(!st.present);
	CHECK(!st.locked);
	EVP_PKEY_free(pub);
	ct_ks_close(ks);
}

static void test_change_pin(void)
{
	struct ct_keystore *ks = open_soft(4);
	struct ct_errinfo ei = {0};
	EVP_PKEY *pub = NULL, *pub2 = NULL;
	uint8_t *before, *after;
	size_t nbefore, nafter;
	uint8_t zeros[64] = {0}, old_bytes[64];
	int oldfd;

	CHECK_ERR(ct_ks_create(ks, "dave", "112233", &pub, &ei), 0);
	CHECK_ERR(ct_ks_change_pin(ks, "dave", "000000", "445566", &ei), CT_ERR_PIN_WRONG);
	CHECK_INT(tries_left(ks, "dave"), 3);
	before = ks_test_read(soft_path("dave"), &nbefore);
	/* Hold the old file open: once replaced it must have been zeroed. */
	oldfd = open(soft_path("dave"), O_RDONLY);
	CHECK(oldfd >= 0);
	CHECK_ERR(ct_ks_change_pin(ks, "dave", "112233", "445566", &ei), 0);
	CHECK_INT(pread(oldfd, old_bytes, sizeof(old_bytes), 0), sizeof(old_bytes));
	CHECK_MEM(old_bytes, sizeof(old_bytes), zeros, sizeof(zeros));
	close(oldfd);
	after = ks_test_read(soft_path("dave"), &nafter);
	CHECK(before != NULL && after != NULL &&
	      (nbefore != nafter || memcmp(before, after, nafter) != 0));
	free(before);
	free(after);
	CHECK_INT(tries_left(ks, "dave"), 4);
	CHECK_ERR(sign_check(ks, "dave", "112233", NULL), CT_ERR_PIN_WRONG);
	CHECK_ERR(sign_check(ks, "dave", "445566", pub), 0);
	CHECK_ERR(ct_ks_public(ks, "dave", &pub2, &ei), 0);
	CHECK(pub2 != NULL && EVP_PKEY_eq(pub, pub2) == 1);
	CHECK_ERR(ct_ks_change_pin(ks, "dave", "445566", "", &ei), CT_ERR_INVALID_ARG);
	CHECK_ERR(ct_ks_change_pin(ks, "nobody", "1", "2", &ei), CT_ERR_NOT_ENROLLED);
	CHECK_ERR(ct_ks_delete(ks, "dave", &ei), 0);
	EVP_PKEY_free(pub);
	EVP_PKEY_free(pub2);
	ct_ks_close(ks);
}

static void test_delete(void)
{
	struct ct_keystore *ks = open_soft(3);
	struct ct_errinfo ei = {0};
	struct ct_ks_status st;
	EVP_PKEY *pub = NULL;

	CHECK_ERR(ct_ks_create(ks, "erin", "7777", NULL, &ei), 0);
	CHECK(ks_test_exists(soft_path("erin")));
	CHECK_ERR(ct_ks_delete(ks, "erin", &ei), 0);
	CHECK(!ks_test_exists(soft_path("erin")));
	CHECK_ERR(sign_check(ks, "erin", "7777", NULL), CT_ERR_NOT_ENROLLED);
	CHECK_ERR(ct_ks_public(ks, "erin", &pub, &ei), CT_ERR_NOT_ENROLLED);
	CHECK_ERR(ct_ks_status(ks, "erin", &st, &ei), 0);
	CHECK(!st.present);
	/* Deleting what is not there is not an error. */
	CHECK_ERR(ct_ks_delete(ks, "erin", &ei), 0);
	ct_ks_close(ks);
}

static void test_two_labels(void)
{
	struct ct_keystore *ks = open_soft(3);
	struct ct_errinfo ei = {0};
	EVP_PKEY *pa = NULL, *pb = NULL;

	CHECK_ERR(ct_ks_create(ks, "frank", "1212", &pa, &ei), 0);
	CHECK_ERR(ct_ks_create(ks, "grace", "1212", &pb, &ei), 0);
	CHECK(pa != NULL && pb != NULL && EVP_PKEY_eq(pa, pb) != 1);
	CHECK(strcmp(soft_path("frank"), soft_path("grace")) != 0);
	CHECK_ERR(sign_check(ks, "frank", "0", NULL), CT_ERR_PIN_WRONG);
	CHECK_ERR(sign_check(ks, "frank", "0", NULL), CT_ERR_PIN_WRONG);
	CHECK_INT(tries_left(ks, "frank"), 1);
	CHECK_INT(tries_left(ks, "grace"), 3);
	CHECK_ERR(sign_check(ks, "frank", "0", NULL), CT_ERR_PIN_LOCKED);
	CHECK_ERR(sign_check(ks, "grace", "1212", pb), 0);
	CHECK_INT(tries_left(ks, "grace"), 3);
	/* Each key answers only to its own label. */
	CHECK_ERR(ct_ks_delete(ks, "grace", &ei), 0);
	CHECK_ERR(ct_ks_delete(ks, "frank", &ei), 0);
	EVP_PKEY_free(pa);
	EVP_PKEY_free(pb);
	ct_ks_close(ks);
}

static void test_labels(void)
{
	static const char *bad[] = {
		"", "..", ".", "../escape", "a/b", "/etc/passwd", "a\\b",
		"new\nline", "tab\there", "\xff\xfe", "caf\xc3", "del\x7f",
	};
	struct ct_keystore *ks = open_soft(3);
	struct ct_errinfo ei = {0};
	EVP_PKEY *pub = NULL;
	char *parent, *slash, longlabel[CT_KS_MAX_LABEL + 2];
	size_t i;
	int refused = 0;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (ct_ks_create(ks, bad[i], "1234", NULL, &ei) == CT_ERR_INVALID_ARG &&
		    ct_ks_sign(ks, bad[i], "1234", msg, 1, &(struct ct_buf){0}, &ei) ==
			    CT_ERR_INVALID_ARG &&
		    ct_ks_delete(ks, bad[i], &ei) == CT_ERR_INVALID_ARG)
			refused++;
		else
			tap_diag("label %zu was not refused", i);
	}
	CHECK_INT(refused, sizeof(bad) / sizeof(bad[0]));
	CHECK_ERR(ct_ks_create(ks, NULL, "1234", NULL, &ei), CT_ERR_INVALID_ARG);
	memset(longlabel, 'a', sizeof(longlabel) - 1);
	longlabel[sizeof(longlabel) - 1] = '\0';
	CHECK_ERR(ct_ks_create(ks, longlabel, "1234", NULL, &ei), CT_ERR_INVALID_ARG);
	longlabel[CT_KS_MAX_LABEL] = '\0';
	CHECK_ERR(ct_ks_create(ks, longlabel, "1234", NULL, &ei), 0);
	CHECK_ERR(sign_check(ks, longlabel, "1234", NULL), 0);
	CHECK_ERR(ct_ks_delete(ks, longlabel, &ei), 0);
	/* Nothing landed next to the store. */
	parent = strdup(dir);
	slash = strrchr(parent, '/');
	*slash = '\0';
	{
		char p[4096];

		snprintf(p, sizeof(p), "%s/escape.soft", parent);
		CHECK(!ks_test_exists(p));
	}
	free(parent);
	/* Any UTF-8 UPN is a fine label; its file name is a hash. */
	CHECK_ERR(ct_ks_create(ks, "J\xc3\xbcrgen.O'Brien+x@example.com", "1234", &pub, &ei), 0);
	CHECK(ks_test_exists(soft_path("J\xc3\xbcrgen.O'Brien+x@example.com")));
	CHECK_ERR(sign_check(ks, "J\xc3\xbcrgen.O'Brien+x@example.com", "1234", pub), 0);
	CHECK_ERR(ct_ks_delete(ks, "J\xc3\xbcrgen.O'Brien+x@example.com", &ei), 0);
	/* PIN checks. */
	CHECK_ERR(ct_ks_create(ks, "x", "", NULL, &ei), CT_ERR_INVALID_ARG);
	CHECK_ERR(ct_ks_create(ks, "x", NULL, NULL, &ei), CT_ERR_INVALID_ARG);
	CHECK_ERR(ct_ks_create(ks, "x", "\xc3", NULL, &ei), CT_ERR_INVALID_ARG);
	CHECK(!ks_test_exists(soft_path("x")));
	EVP_PKEY_free(pub);
	ct_ks_close(ks);
}

/* One region of the key file: bytes [off, off+len). */
struct region {
	const char *name;
	size_t off, len;
};

static void test_tamper(void)
{
	struct ct_keystore *ks = open_soft(100);
	struct ct_errinfo ei = {0};
	struct ks_soft_file f;
	struct region regions[12];
	EVP_PKEY *pub = NULL;
	uint8_t *orig, *copy;
	size_t n, i, j, nreg = 0, fail_off;
	char path[4096];

	CHECK_ERR(ct_ks_create(ks, "heidi", "424242", &pub, &ei), 0);
	snprintf(path, sizeof(path), "%s", soft_path("heidi"));
	orig = ks_test_read(path, &n);
	CHECK(orig != NULL && ks_soft_file_decode(orig, n, &f) == 0);
	if (orig == NULL) {
		EVP_PKEY_free(pub);
		ct_ks_close(ks);
		return;
	}
	/* The layout as documented in ks-soft-file.h. */
	{
		size_t o = 0, lab = f.label_len;
		const struct region r[] = {
			{"magic", o, 4}, {"version+kind", o + 4, 2},
			{"label length", o + 6, 2}, {"label", o + 8, lab},
			{"argon2 costs", o + 8 + lab, 12},
			{"salt", o + 20 + lab, 16},
			{"max_attempts", o + 36 + lab, 4},
			{"nonce", o + 44 + lab, 12},
			{"public key", o + 56 + lab, 2 + f.pub_len},
			{"sealed key", o + 58 + lab + f.pub_len, 2 + f.sealed_len},
			{"tag", o + 60 + lab + f.pub_len + f.sealed_len, 16},
		};

		nreg = sizeof(r) / sizeof(r[0]);
		memcpy(regions, r, sizeof(r));
		fail_off = 40 + lab;
		CHECK_INT(regions[nreg - 1].off + 16, n);
	}
	copy = malloc(n);
	for (i = 0; i < nreg; i++) {
		unsigned accepted = 0, other = 0;

		for (j = regions[i].off; j < regions[i].off + regions[i].len; j++) {
			int r;

			memcpy(copy, orig, n);
			copy[j] ^= 0x01;
			ks_test_write(path, copy, n);
			r = sign_check(ks, "heidi", "424242", NULL);
			if (r == 0)
				accepted++;
			else if (r != CT_ERR_BAD_VALUE && r != CT_ERR_PIN_WRONG)
				other++;
		}
		if (accepted != 0 || other != 0)
			tap_diag("region %s: %u accepted, %u odd errors", regions[i].name,
				 accepted, other);
		CHECK(accepted == 0 && other == 0);
	}
	/* Only the counter may change without the PIN: a lower count is
	 * accepted, one past the limit is not. */
	memcpy(copy, orig, n);
	copy[fail_off] = 5;
	ks_test_write(path, copy, n);
	CHECK_INT(tries_left(ks, "heidi"), 95);
	CHECK_ERR(sign_check(ks, "heidi", "424242", pub), 0);
	CHECK_INT(disk_failures("heidi"), 0);
	copy[fail_off] = 101;
	ks_test_write(path, copy, n);
	CHECK_ERR(sign_check(ks, "heidi", "424242", NULL), CT_ERR_BAD_VALUE);
	/* The original still works. */
	ks_test_write(path, orig, n);
	CHECK_ERR(sign_check(ks, "heidi", "424242", pub), 0);
	/* Another label's file under this label's name is refused. */
	CHECK_ERR(ct_ks_create(ks, "ivan", "424242", NULL, &ei), 0);
	free(orig);
	orig = ks_test_read(soft_path("ivan"), &n);
	ks_test_write(path, orig, n);
	CHECK_ERR(ct_ks_sign(ks, "heidi", "424242", msg, 3, &(struct ct_buf){0}, &ei),
		  CT_ERR_BAD_VALUE);
	CHECK(strstr(ei.msg, "another label") != NULL);
	/* A symlink is not followed. */
	unlink(path);
	CHECK_INT(symlink(soft_path("ivan"), path), 0);
	CHECK_ERR(sign_check(ks, "heidi", "424242", NULL), CT_ERR_BAD_VALUE);
	/* Nor is a FIFO opened in a way that could hang. */
	unlink(path);
	CHECK_INT(mkfifo(path, 0600), 0);
	CHECK_ERR(sign_check(ks, "heidi", "424242", NULL), CT_ERR_BAD_VALUE);
	CHECK_ERR(ct_ks_create(ks, "heidi", "424242", NULL, &ei), 0);
	CHECK_ERR(sign_check(ks, "heidi", "424242", NULL), 0);
	unlink(path);
	CHECK_INT(mkfifo(path, 0600), 0);
	CHECK_ERR(ct_ks_delete(ks, "heidi", &ei), 0);
	CHECK(!ks_test_exists(path));
	CHECK(ks_test_exists(soft_path("ivan")));
	CHECK_ERR(ct_ks_delete(ks, "ivan", &ei), 0);
	free(copy);
	free(orig);
	EVP_PKEY_free(pub);
	ct_ks_close(ks);
}

static void test_truncated(void)
{
	struct ct_keystore *ks = open_soft(3);
	struct ct_errinfo ei = {0};
	struct ct_ks_status st;
	uint8_t *orig, *longer;
	size_t n, i;
	unsigned refused = 0;
	char path[4096];

	CHECK_ERR(ct_ks_create(ks, "judy", "9090", NULL, &ei), 0);
	snprintf(path, sizeof(path), "%s", soft_path("judy"));
	orig = ks_test_read(path, &n);
	CHECK(orig != NULL && n > 100);
	for (i = 0; orig != NULL && i < n; i++) {
		ks_test_write(path, orig, i);
		if (sign_check(ks, "judy", "9090", NULL) == CT_ERR_BAD_VALUE &&
		    ct_ks_status(ks, "judy", &st, &ei) == CT_ERR_BAD_VALUE)
			refused++;
	}
	CHECK_INT(refused, n);
	/* A byte too many. */
	longer = malloc(n + 1);
	memcpy(longer, orig, n);
	longer[n] = 0;
	ks_test_write(path, longer, n + 1);
	CHECK_ERR(sign_check(ks, "judy", "9090", NULL), CT_ERR_BAD_VALUE);
	/* A file far larger than any key file. */
	{
		uint8_t *big = calloc(1, CT_KS_MAX_FILE + 10);

		memcpy(big, orig, n);
		ks_test_write(path, big, CT_KS_MAX_FILE + 10);
		CHECK_ERR(sign_check(ks, "judy", "9090", NULL), CT_ERR_BAD_VALUE);
		free(big);
	}
	ks_test_write(path, orig, n);
	CHECK_ERR(sign_check(ks, "judy", "9090", NULL), 0);
	CHECK_ERR(ct_ks_delete(ks, "judy", &ei), 0);
	free(longer);
	free(orig);
	ct_ks_close(ks);
}

/* Rewrites judy's file with other costs (the GCM tag then no longer fits). */
static int sign_with_costs(struct ct_keystore *ks, const uint8_t *orig, size_t n,
			   uint32_t t, uint32_t m, uint32_t p)
{
	struct ks_soft_file f;
	struct ct_buf b;
	struct timespec t0, t1;
	int r;

	if (ks_soft_file_decode(orig, n, &f) != 0)
		return 12345;
	f.t = t;
	f.m_kib = m;
	f.p = p;
	ct_buf_init(&b, 1 << 16);
	ks_soft_file_encode(&f, false, &b);
	ks_test_write(soft_path("kim"), b.data, b.len);
	ct_buf_free(&b);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	r = sign_check(ks, "kim", "1234", NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	/* Refusals must come before any Argon2 work. */
	if (r == CT_ERR_BAD_VALUE && t1.tv_sec - t0.tv_sec > 1)
		return 54321;
	return r;
}

static void test_hostile_costs(void)
{
	struct ct_keystore *ks = open_soft(100);
	struct ct_errinfo ei = {0};
	uint8_t *orig;
	size_t n;

	CHECK_ERR(ct_ks_create(ks, "kim", "1234", NULL, &ei), 0);
	orig = ks_test_read(soft_path("kim"), &n);
	CHECK_ERR(sign_with_costs(ks, orig, n, 1, 0xffffffffu, 1), CT_ERR_BAD_VALUE);
	CHECK_ERR(sign_with_costs(ks, orig, n, 1, CT_KS_SOFT_MAX_M_KIB + 1, 1), CT_ERR_BAD_VALUE);
	CHECK_ERR(sign_with_costs(ks, orig, n, 0xffffffffu, 64, 1), CT_ERR_BAD_VALUE);
	CHECK_ERR(sign_with_costs(ks, orig, n, CT_KS_SOFT_MAX_T + 1, 64, 1), CT_ERR_BAD_VALUE);
	CHECK_ERR(sign_with_costs(ks, orig, n, 0, 64, 1), CT_ERR_BAD_VALUE);
	CHECK_ERR(sign_with_costs(ks, orig, n, 1, 64, 0), CT_ERR_BAD_VALUE);
	CHECK_ERR(sign_with_costs(ks, orig, n, 1, 64, 0xffffffffu), CT_ERR_BAD_VALUE);
	CHECK_ERR(sign_with_costs(ks, orig, n, 1, 64, 9), CT_ERR_BAD_VALUE);
	CHECK_ERR(sign_with_costs(ks, orig, n, 1, 8, 2), CT_ERR_BAD_VALUE);
	/* Costs in range but not the ones sealed with: the tag refuses them. */
	CHECK_ERR(sign_with_costs(ks, orig, n, 2, 64, 1), CT_ERR_PIN_WRONG);
	CHECK_ERR(sign_with_costs(ks, orig, n, 1, 64, 1), 0);
	CHECK_ERR(ct_ks_delete(ks, "kim", &ei), 0);
	free(orig);
	ct_ks_close(ks);
}

/*
 * A process killed while Argon2 runs has already paid for its try: the
 * child signs with the right PIN under expensive costs, the parent kills
 * it as soon as the counter shows on disk, and the try stays spent.
 */
static void test_killed_mid_try(void)
{
	struct ct_ks_options opt = {
		.kind = CT_KS_SOFT, .dir = dir, .max_attempts = 3,
		.argon2_t = 16, .argon2_m_kib = 64 * 1024, .argon2_p = 1,
	};
	struct ct_keystore *slow = NULL, *ks = open_soft(3);
	struct ct_errinfo ei = {0};
	EVP_PKEY *pub = NULL;
	bool seen = false;
	int i, status = 0;
	pid_t pid;

	CHECK_ERR(ct_ks_open(&opt, &slow, &ei), 0);
	CHECK_ERR(ct_ks_create(ks, "liam", "5555", &pub, &ei), 0);
	CHECK_ERR(ct_ks_change_pin(slow, "liam", "5555", "6666", &ei), 0);
	CHECK_INT(disk_failures("liam"), 0);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct ct_buf sig;

		ct_buf_init(&sig, 128);
		_exit(ct_ks_sign(slow, "liam", "6666", msg, 3, &sig, NULL) == 0 ? 0 : 1);
	}
	CHECK(pid > 0);
	for (i = 0; pid > 0 && i < 20000 && !seen; i++) {
		seen = disk_failures("liam") == 1;
		if (!seen)
			usleep(500);
	}
	CHECK(seen);
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	CHECK_INT(disk_failures("liam"), 1);
	CHECK_INT(tries_left(ks, "liam"), 2);

	/* Killed at the last try: the key is wiped on the next read. */
	{
		struct ks_soft_file f;
		struct ct_buf b;
		size_t n;
		uint8_t *p = ks_test_read(soft_path("liam"), &n);

		CHECK(p != NULL && ks_soft_file_decode(p, n, &f) == 0);
		f.failures = f.max_attempts;
		ct_buf_init(&b, 1 << 16);
		ks_soft_file_encode(&f, false, &b);
		ks_test_write(soft_path("liam"), b.data, b.len);
		ct_buf_free(&b);
		free(p);
	}
	{
		struct ct_ks_status st;

		CHECK_ERR(ct_ks_status(ks, "liam", &st, &ei), 0);
		CHECK(st.present && st.locked);
		CHECK_INT(st.tries_left, 0);
	}
	CHECK_ERR(ct_ks_sign(slow, "liam", "6666", msg, 3, &(struct ct_buf){0}, &ei),
		  CT_ERR_PIN_LOCKED);
	CHECK(!ks_test_exists(soft_path("liam")));
	CHECK_ERR(ct_ks_delete(ks, "liam", &ei), 0);
	EVP_PKEY_free(pub);
	ct_ks_close(slow);
	ct_ks_close(ks);
}

/* Several processes guessing at once cannot share a counted try. */
static void test_concurrent_guesses(void)
{
	struct ct_keystore *ks = open_soft(10);
	struct ct_errinfo ei = {0};
	pid_t pids[6];
	int i, st;
	unsigned wrong = 0;

	CHECK_ERR(ct_ks_create(ks, "mia", "3141", NULL, &ei), 0);
	fflush(stdout);
	for (i = 0; i < 6; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			struct ct_buf sig;

			ct_buf_init(&sig, 128);
			_exit(ct_ks_sign(ks, "mia", "0000", msg, 3, &sig, NULL) ==
			      CT_ERR_PIN_WRONG ? 0 : 1);
		}
	}
	for (i = 0; i < 6; i++)
		if (pids[i] > 0 && waitpid(pids[i], &st, 0) == pids[i] &&
		    WIFEXITED(st) && WEXITSTATUS(st) == 0)
			wrong++;
	CHECK_INT(wrong, 6);
	CHECK_INT(disk_failures("mia"), 6);
	CHECK_INT(tries_left(ks, "mia"), 4);
	CHECK_ERR(ct_ks_delete(ks, "mia", &ei), 0);
	ct_ks_close(ks);
}

int main(void)
{
	corpus_out = getenv("KS_WRITE_CORPUS");
	dir = ks_test_mkdtemp();
	if (dir == NULL) {
		CHECK(dir != NULL);
		return tap_done();
	}
	test_names();
	test_open_refusals();
	test_create_sign();
	test_wrong_pin();
	test_lockout();
	test_change_pin();
	test_delete();
	test_two_labels();
	test_labels();
	test_tamper();
	test_truncated();
	test_hostile_costs();
	test_killed_mid_try();
	test_concurrent_guesses();
	ks_test_rmdir(dir);
	free(dir);
	return tap_done();
}
