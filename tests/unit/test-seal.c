/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ct-buf.h"
#include "ct-error.h"
#include "ct-limits.h"
#include "seal.h"
#include "tap.h"

static char dir[64];

static const char *path_in(const char *name)
{
	static char p[2][128];
	static int which;

	which ^= 1;
	snprintf(p[which], sizeof(p[which]), "%s/%s", dir, name);
	return p[which];
}

static int read_file(const char *path, uint8_t *buf, size_t cap, size_t *len)
{
	FILE *f = fopen(path, "rb");

	if (f == NULL)
		return -1;
	*len = fread(buf, 1, cap, f);
	fclose(f);
	return 0;
}

static int write_file(const char *path, const void *p, size_t n, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	ssize_t w;

	if (fd < 0)
		return -1;
	w = write(fd, p, n);
	if (fchmod(fd, mode) != 0)
		w = -1;
	close(fd);
	return w == (ssize_t)n ? 0 : -1;
}

static struct ct_seal *load_ok(const char *path)
{
	struct ct_errinfo ei = {0};
	struct ct_seal *s = NULL;

	CHECK_ERR(ct_seal_keyfile_load(path, &s, &ei), 0);
	if (ei.msg[0] != '\0')
		tap_diag("%s", ei.msg);
	return s;
}

static void test_keyfile_create(void)
{
	struct ct_errinfo ei = {0};
	uint8_t buf[128];
	struct stat st;
	size_t len = 0;
	struct ct_seal *s;
	char fp[CT_SEAL_FINGERPRINT_LEN + 1], fp2[CT_SEAL_FINGERPRINT_LEN + 1];

	/* A permissive umask must not leak into the key file's mode. */
	umask(0);
	CHECK_ERR(ct_seal_keyfile_create(path_in("master.key"), &ei), 0);
	umask(022);
	CHECK_INT(lstat(path_in("master.key"), &st), 0);
	CHECK(S_ISREG(st.st_mode));
	CHECK_INT(st.st_mode & 07777, 0600);
	CHECK_INT(st.st_size, CT_SEAL_KEYFILE_LEN);
	CHECK_INT(read_file(path_in("master.key"), buf, sizeof(buf), &len), 0);
	CHECK_INT(len, CT_SEAL_KEYFILE_LEN);
	CHECK_MEM(buf, 5, "CTMK\x01", 5);

	/* Never over an existing key. */
	CHECK_ERR(ct_seal_keyfile_create(path_in("master.key"), &ei), CT_ERR_UNSAFE_PATH);
	CHECK(strstr(ei.msg, "already exists") != NULL);
	/* Nor through a symlink, dangling or not: the target stays uncreated. */
	CHECK_INT(symlink(path_in("target.key"), path_in("link.key")), 0);
	CHECK_ERR(ct_seal_keyfile_create(path_in("link.key"), &ei), CT_ERR_UNSAFE_PATH);
	CHECK(access(path_in("target.key"), F_OK) != 0);
	/* A missing directory is reported as such. */
	CHECK_ERR(ct_seal_keyfile_create(path_in("nodir/x.key"), &ei), CT_ERR_NOT_FOUND);

	s = load_ok(path_in("master.key"));
	if (s == NULL)
		return;
	CHECK_INT(ct_seal_key_id(s), (uint32_t)buf[5] << 24 | (uint32_t)buf[6] << 16 |
				      (uint32_t)buf[7] << 8 | buf[8]);
	/* The master key fingerprint is the fingerprint of the key bytes. */
	CHECK_ERR(ct_seal_master_fingerprint(s, fp), 0);
	CHECK_ERR(ct_seal_fingerprint(buf + 9, CT_SEAL_KEY_LEN, fp2), 0);
	CHECK_STR(fp, fp2);
	ct_seal_free(s);
}

static void test_keyfile_refusals(void)
{
	struct ct_errinfo ei = {0};
	struct ct_seal *s = NULL;
	uint8_t buf[128];
	size_t len = 0;

	CHECK_INT(read_file(path_in("master.key"), buf, sizeof(buf), &len), 0);

	CHECK_INT(write_file(path_in("group.key"), buf, len, 0640), 0);
	CHECK_ERR(ct_seal_keyfile_load(path_in("group.key"), &s, &ei), CT_ERR_PERMISSION);
	CHECK(strstr(ei.msg, "mode 0640") != NULL);
	CHECK_INT(write_file(path_in("other.key"), buf, len, 0604), 0);
	CHECK_ERR(ct_seal_keyfile_load(path_in("other.key"), &s, &ei), CT_ERR_PERMISSION);
	CHECK_INT(write_file(path_in("gexec.key"), buf, len, 0610), 0);
	CHECK_ERR(ct_seal_keyfile_load(path_in("gexec.key"), &s, &ei), CT_ERR_PERMISSION);

	CHECK_INT(symlink(path_in("master.key"), path_in("sym.key")), 0);
	CHECK_ERR(ct_seal_keyfile_load(path_in("sym.key"), &s, &ei), CT_ERR_UNSAFE_PATH);
	CHECK(strstr(ei.msg, "symbolic link") != NULL);

	CHECK_INT(mkdir(path_in("dir.key"), 0700), 0);
	CHECK_ERR(ct_seal_keyfile_load(path_in("dir.key"), &s, &ei), CT_ERR_UNSAFE_PATH);
	/* A FIFO must be refused, not block the daemon. */
	CHECK_INT(mkfifo(path_in("fifo.key"), 0600), 0);
	CHECK_ERR(ct_seal_keyfile_load(path_in("fifo.key"), &s, &ei), CT_ERR_UNSAFE_PATH);
	CHECK(strstr(ei.msg, "not a regular file") != NULL);

	CHECK_ERR(ct_seal_keyfile_load(path_in("missing.key"), &s, &ei), CT_ERR_NOT_FOUND);

	CHECK_INT(write_file(path_in("short.key"), buf, len - 1, 0600), 0);
	CHECK_ERR(ct_seal_keyfile_load(path_in("short.key"), &s, &ei), CT_ERR_BAD_VALUE);
	buf[0] = 'X';
	CHECK_INT(write_file(path_in("magic.key"), buf, len, 0600), 0);
	CHECK_ERR(ct_seal_keyfile_load(path_in("magic.key"), &s, &ei), CT_ERR_BAD_VALUE);
	buf[0] = 'C';
	buf[4] = 2;
	CHECK_INT(write_file(path_in("version.key"), buf, len, 0600), 0);
	CHECK_ERR(ct_seal_keyfile_load(path_in("version.key"), &s, &ei), CT_ERR_BAD_VALUE);
	buf[4] = 1;

	/* Owned by someone else (the tests run as root here, so chown works;
	 * as another user, a file owned by root must still load). */
	CHECK_INT(write_file(path_in("owner.key"), buf, len, 0600), 0);
	if (geteuid() == 0) {
		CHECK_INT(chown(path_in("owner.key"), 65534, 65534), 0);
		CHECK_ERR(ct_seal_keyfile_load(path_in("owner.key"), &s, &ei), CT_ERR_UNSAFE_PATH);
		CHECK(strstr(ei.msg, "belongs to uid 65534") != NULL);
	} else {
		CHECK_ERR(ct_seal_keyfile_load(path_in("owner.key"), &s, &ei), 0);
		ct_seal_free(s);
	}
}

/* Opens a blob independently with OpenSSL, from the format in seal.h. */
static int independent_open(const uint8_t key[CT_SEAL_KEY_LEN], const char *purpose,
			    const uint8_t *blob, size_t len, uint8_t *out)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	size_t plen = len - CT_SEAL_OVERHEAD;
	int n, ok;

	ok = EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), NULL, key, blob + 5) == 1 &&
	     EVP_DecryptUpdate(c, NULL, &n, blob, 5) == 1 &&
	     EVP_DecryptUpdate(c, NULL, &n, (const uint8_t *)purpose, (int)strlen(purpose)) == 1 &&
	     EVP_DecryptUpdate(c, out, &n, blob + 17, (int)plen) == 1 &&
	     EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, 16,
				 (void *)(blob + len - 16)) == 1 &&
	     EVP_DecryptFinal_ex(c, out + plen, &n) == 1;
	EVP_CIPHER_CTX_free(c);
	return ok ? 0 : -1;
}

static void test_round_trip(void)
{
	static const uint8_t msg[] = "krbtgt_4711 AES-256 key bytes..";
	uint8_t key[CT_SEAL_KEY_LEN], plain[sizeof(msg)];
	struct ct_errinfo ei = {0};
	struct ct_buf blob, blob2, out;
	struct ct_seal *s;

	memset(key, 0x5a, sizeof(key));
	CHECK_ERR(ct_seal_from_key(key, 0x01020304, &s), 0);
	ct_buf_init(&blob, 4096);
	ct_buf_init(&blob2, 4096);
	ct_buf_init(&out, 4096);
	CHECK_ERR(ct_seal(s, "krb-server-key", msg, sizeof(msg), &blob), 0);
	CHECK_INT(blob.len, sizeof(msg) + CT_SEAL_OVERHEAD);
	CHECK_MEM(blob.data, 5, "\x01\x01\x02\x03\x04", 5);
	CHECK_ERR(ct_unseal(s, "krb-server-key", blob.data, blob.len, &out, &ei), 0);
	CHECK_MEM(out.data, out.len, msg, sizeof(msg));
	/* The documented format, opened by an independent implementation. */
	CHECK_INT(independent_open(key, "krb-server-key", blob.data, blob.len, plain), 0);
	CHECK_MEM(plain, sizeof(plain), msg, sizeof(msg));
	/* A fresh IV each time. */
	CHECK_ERR(ct_seal(s, "krb-server-key", msg, sizeof(msg), &blob2), 0);
	CHECK(blob.len == blob2.len && memcmp(blob.data, blob2.data, blob.len) != 0);

	/* Appends: the second plaintext follows the first. */
	CHECK_ERR(ct_unseal(s, "krb-server-key", blob2.data, blob2.len, &out, &ei), 0);
	CHECK_INT(out.len, 2 * sizeof(msg));

	/* Another purpose cannot open it, and out is left alone. */
	ct_buf_free(&out);
	CHECK_ERR(ct_unseal(s, "totp", blob.data, blob.len, &out, &ei), CT_ERR_INTEGRITY);
	CHECK(strstr(ei.msg, "another purpose") != NULL);
	CHECK_INT(out.len, 0);
	CHECK_ERR(ct_unseal(s, "krb-server-ke", blob.data, blob.len, &out, &ei), CT_ERR_INTEGRITY);

	/* Empty plaintexts seal too. */
	ct_buf_free(&blob);
	CHECK_ERR(ct_seal(s, "ca-key", (const uint8_t *)"", 0, &blob), 0);
	CHECK_INT(blob.len, CT_SEAL_OVERHEAD);
	CHECK_ERR(ct_unseal(s, "ca-key", blob.data, blob.len, &out, &ei), 0);
	CHECK_INT(out.len, 0);

	/* Purpose labels: printable, no spaces, bounded. */
	CHECK_ERR(ct_seal(s, "", msg, 1, &blob2), CT_ERR_INVALID_ARG);
	CHECK_ERR(ct_seal(s, "ca key", msg, 1, &blob2), CT_ERR_INVALID_ARG);
	CHECK_ERR(ct_seal(s, NULL, msg, 1, &blob2), CT_ERR_INVALID_ARG);
	CHECK_ERR(ct_seal(s, "x\n", msg, 1, &blob2), CT_ERR_INVALID_ARG);
	CHECK_ERR(ct_unseal(s, "", blob.data, blob.len, &out, &ei), CT_ERR_INVALID_ARG);
	{
		char longp[CT_SEAL_MAX_PURPOSE + 2];

		memset(longp, 'p', sizeof(longp) - 1);
		longp[sizeof(longp) - 1] = '\0';
		CHECK_ERR(ct_seal(s, longp, msg, 1, &blob2), CT_ERR_INVALID_ARG);
		longp[CT_SEAL_MAX_PURPOSE] = '\0';
		ct_buf_free(&blob2);
		CHECK_ERR(ct_seal(s, longp, msg, 1, &blob2), 0);
	}
	ct_buf_free(&blob);
	ct_buf_free(&blob2);
	ct_buf_free(&out);
	ct_seal_free(s);
}

static void test_limits(void)
{
	uint8_t key[CT_SEAL_KEY_LEN] = {1};
	struct ct_errinfo ei = {0};
	struct ct_buf blob, out, small;
	struct ct_seal *s;
	uint8_t *big = calloc(1, CT_SEAL_MAX_PLAIN + 1);

	CHECK_ERR(ct_seal_from_key(key, 7, &s), 0);
	ct_buf_init(&blob, 2 * CT_SEAL_MAX_PLAIN);
	ct_buf_init(&out, 2 * CT_SEAL_MAX_PLAIN);
	CHECK_ERR(ct_seal(s, "big", big, CT_SEAL_MAX_PLAIN + 1, &blob), CT_ERR_TOO_LARGE);
	CHECK_INT(blob.len, 0);
	CHECK_ERR(ct_seal(s, "big", big, CT_SEAL_MAX_PLAIN, &blob), 0);
	CHECK_ERR(ct_unseal(s, "big", blob.data, blob.len, &out, &ei), 0);
	CHECK_INT(out.len, CT_SEAL_MAX_PLAIN);
	/* A blob that claims more plaintext than any we make. */
	ct_buf_put_u8(&blob, 0);
	CHECK_ERR(ct_unseal(s, "big", blob.data, blob.len, &out, &ei), CT_ERR_TOO_LARGE);
	/* An output buffer whose cap is too small refuses cleanly. */
	ct_buf_init(&small, 16);
	CHECK_ERR(ct_seal(s, "big", big, 1, &small), CT_ERR_TOO_LARGE);
	CHECK_INT(small.len, 0);
	ct_buf_free(&small);
	ct_buf_free(&blob);
	ct_buf_free(&out);
	free(big);
	ct_seal_free(s);
}

static void test_tampering(void)
{
	static const uint8_t msg[] = "JBSWY3DPEHPK3PXP-totp-secret";
	uint8_t key[CT_SEAL_KEY_LEN], other[CT_SEAL_KEY_LEN];
	struct ct_errinfo ei = {0};
	struct ct_seal *s, *same_id, *s2;
	struct ct_buf blob, out;
	unsigned flips_opened = 0, prefixes_opened = 0, wrong_code = 0;
	size_t i;
	int r;

	memset(key, 0x11, sizeof(key));
	memset(other, 0x22, sizeof(other));
	CHECK_ERR(ct_seal_from_key(key, 42, &s), 0);
	CHECK_ERR(ct_seal_from_key(other, 42, &same_id), 0);
	ct_buf_init(&blob, 4096);
	ct_buf_init(&out, 4096);
	CHECK_ERR(ct_seal(s, "totp", msg, sizeof(msg), &blob), 0);

	/* Every single bit flip, anywhere in the blob, is refused. */
	for (i = 0; i < blob.len * 8; i++) {
		blob.data[i / 8] ^= (uint8_t)(1u << (i % 8));
		r = ct_unseal(s, "totp", blob.data, blob.len, &out, &ei);
		blob.data[i / 8] ^= (uint8_t)(1u << (i % 8));
		if (r == 0)
			flips_opened++;
		else if (r != CT_ERR_INTEGRITY)
			wrong_code++;
	}
	CHECK_INT(flips_opened, 0);
	CHECK_INT(wrong_code, 0);
	CHECK_INT(out.len, 0);
	/* Every truncation too. */
	for (i = 0; i < blob.len; i++) {
		r = ct_unseal(s, "totp", blob.data, i, &out, &ei);
		if (r == 0)
			prefixes_opened++;
		else if (r != CT_ERR_INTEGRITY)
			wrong_code++;
	}
	CHECK_INT(prefixes_opened, 0);
	CHECK_INT(wrong_code, 0);
	CHECK_ERR(ct_unseal(s, "totp", blob.data, 3, &out, &ei), CT_ERR_INTEGRITY);
	CHECK(strstr(ei.msg, "truncated") != NULL);
	/* Unknown version. */
	blob.data[0] = 2;
	CHECK_ERR(ct_unseal(s, "totp", blob.data, blob.len, &out, &ei), CT_ERR_INTEGRITY);
	CHECK(strstr(ei.msg, "version 2") != NULL);
	blob.data[0] = 1;

	/* A different key under the same id fails the tag. */
	CHECK_ERR(ct_unseal(same_id, "totp", blob.data, blob.len, &out, &ei), CT_ERR_INTEGRITY);
	/* A different master key file is refused by its id, and says so. */
	s2 = load_ok(path_in("master.key"));
	if (s2 != NULL) {
		CHECK_ERR(ct_unseal(s2, "totp", blob.data, blob.len, &out, &ei), CT_ERR_INTEGRITY);
		CHECK(strstr(ei.msg, "sealed under master key 0000002a") != NULL);
	}
	CHECK_INT(out.len, 0);
	CHECK_ERR(ct_unseal(s, "totp", blob.data, blob.len, &out, &ei), 0);
	CHECK_MEM(out.data, out.len, msg, sizeof(msg));
	ct_buf_free(&blob);
	ct_buf_free(&out);
	ct_seal_free(s);
	ct_seal_free(same_id);
	ct_seal_free(s2);
}

static void test_fingerprint(void)
{
	char fp[CT_SEAL_FINGERPRINT_LEN + 1];

	/* SHA-256("abc") = ba7816bf8f01cfea414140de5dae2223... (FIPS 180-2). */
	CHECK_ERR(ct_seal_fingerprint((const uint8_t *)"abc", 3, fp), 0);
	CHECK_STR(fp, "ba7816bf8f01cfea");
}

int main(void)
{
	char cmd[128];

	snprintf(dir, sizeof(dir), "%s", "/tmp/ct-test-seal-XXXXXX");
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	test_keyfile_create();
	test_keyfile_refusals();
	test_round_trip();
	test_limits();
	test_tampering();
	test_fingerprint();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		tap_diag("could not remove %s", dir);
	return tap_done();
}
