/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cloudtrust-admin's secrets: the token file and its refusals, password
 * files and standard input, key files ("[ENCTYPE:]HEX"), and the
 * confirmation that guards remove commands.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "adm-prompt.h"
#include "adm-secret.h"
#include "ct-error.h"
#include "ct-limits.h"
#include "ct-secret.h"
#include "tap.h"

static char dir[] = "/tmp/ct-admin-test-XXXXXX";

/* Writes n bytes to dir/name with mode; returns the path (static buffer). */
static const char *put(const char *name, const void *p, size_t n, mode_t mode)
{
	static char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, p, n) != (ssize_t)n || fchmod(fd, mode) != 0)
		tap_diag("cannot write %s", path);
	close(fd);
	return path;
}

static const char *put_str(const char *name, const char *s, mode_t mode)
{
	return put(name, s, strlen(s), mode);
}

static int token(const char *path, char **out)
{
	struct ct_errinfo ei = {0};
	int r;

	*out = NULL;
	r = adm_token_read(path, out, &ei);
	if (r != 0 && ei.msg[0] == '\0')
		tap_diag("no message for %s", ct_errname(r));
	return r;
}

static void test_token(void)
{
	char *t = NULL, path[300], big[CT_ADMIN_MAX_TOKEN + 2];
	struct ct_errinfo ei = {0};

	CHECK_ERR(token(put_str("tok", "q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJ-_A\n", 0600), &t), 0);
	CHECK_STR(t, "q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJ-_A");
	ct_erase_free_str(t);
	CHECK_ERR(token(put_str("tok", "  abc=\r\n", 0400), &t), 0);
	CHECK_STR(t, "abc=");
	ct_erase_free_str(t);

	/* Readable (or writable) by group or others: refused, and the message says so. */
	CHECK_ERR(adm_token_read(put_str("tok", "abc\n", 0640), &t, &ei), CT_ERR_UNSAFE_PATH);
	CHECK(strstr(ei.msg, "mode 0640") != NULL && strstr(ei.msg, "chmod 600") != NULL);
	CHECK(t == NULL);
	CHECK_ERR(token(put_str("tok", "abc\n", 0604), &t), CT_ERR_UNSAFE_PATH);
	CHECK_ERR(token(put_str("tok", "abc\n", 0620), &t), CT_ERR_UNSAFE_PATH);
	CHECK_ERR(token(put_str("tok", "abc\n", 0601), &t), CT_ERR_UNSAFE_PATH);

	/* Not a regular file: a directory, a FIFO (without hanging on it). */
	CHECK_ERR(token(dir, &t), CT_ERR_UNSAFE_PATH);
	snprintf(path, sizeof(path), "%s/fifo", dir);
	CHECK(mkfifo(path, 0600) == 0);
	CHECK_ERR(token(path, &t), CT_ERR_UNSAFE_PATH);
	/* A symbolic link is judged by the file it names. */
	snprintf(path, sizeof(path), "%s/link", dir);
	put_str("tok", "abc\n", 0600);
	CHECK(symlink("tok", path) == 0);
	CHECK_ERR(token(path, &t), 0);
	CHECK_STR(t, "abc");
	ct_erase_free_str(t);
	put_str("tok", "abc\n", 0644);
	CHECK_ERR(token(path, &t), CT_ERR_UNSAFE_PATH);

	CHECK_ERR(token("/nonexistent/admin.token", &t), CT_ERR_IO);
	CHECK_ERR(token(put_str("tok", "", 0600), &t), CT_ERR_BAD_VALUE);
	CHECK_ERR(token(put_str("tok", "\n\n", 0600), &t), CT_ERR_BAD_VALUE);
	/* What could split a header or smuggle another one is not a token. */
	CHECK_ERR(token(put_str("tok", "abc\r\nX-Evil: 1\n", 0600), &t), CT_ERR_BAD_VALUE);
	CHECK_ERR(token(put_str("tok", "ab c\n", 0600), &t), CT_ERR_BAD_VALUE);
	CHECK_ERR(token(put("tok", "ab\0c", 4, 0600), &t), CT_ERR_BAD_VALUE);
	CHECK_ERR(token(put_str("tok", "ab+/\n", 0600), &t), CT_ERR_BAD_VALUE);
	memset(big, 'A', sizeof(big));
	CHECK_ERR(token(put("tok", big, CT_ADMIN_MAX_TOKEN, 0600), &t), 0);
	CHECK_INT(strlen(t), CT_ADMIN_MAX_TOKEN);
	ct_erase_free_str(t);
	CHECK_ERR(token(put("tok", big, CT_ADMIN_MAX_TOKEN + 1, 0600), &t), CT_ERR_BAD_VALUE);
	{
		char huge[4096];

		memset(huge, 'A', sizeof(huge));
		CHECK_ERR(token(put("tok", huge, sizeof(huge), 0600), &t), CT_ERR_TOO_LARGE);
	}
	CHECK(t == NULL);
}

static int password_file(const char *content, size_t n, char **out)
{
	struct ct_errinfo ei = {0};

	*out = NULL;
	return adm_password_read_file(put("pw", content, n, 0644), out, &ei);
}

static void test_password_file(void)
{
	char *p = NULL, *big = malloc(CT_PASSWORD_MAX + 2);

	CHECK_ERR(password_file("s3cret pass\n", 12, &p), 0);
	CHECK_STR(p, "s3cret pass");
	ct_erase_free_str(p);
	CHECK_ERR(password_file("s3cret\r\n", 8, &p), 0);
	CHECK_STR(p, "s3cret");
	ct_erase_free_str(p);
	/* Only one final newline goes; the rest is the password. */
	CHECK_ERR(password_file(" two\n\n", 6, &p), 0);
	CHECK_STR(p, " two\n");
	ct_erase_free_str(p);
	CHECK_ERR(password_file("no-newline", 10, &p), 0);
	CHECK_STR(p, "no-newline");
	ct_erase_free_str(p);
	CHECK_ERR(password_file("\n", 1, &p), CT_ERR_BAD_VALUE);
	CHECK_ERR(password_file("", 0, &p), CT_ERR_BAD_VALUE);
	CHECK_ERR(password_file("a\0b\n", 4, &p), CT_ERR_BAD_VALUE);
	memset(big, 'x', CT_PASSWORD_MAX + 2);
	big[CT_PASSWORD_MAX] = '\n';
	CHECK_ERR(password_file(big, CT_PASSWORD_MAX + 1, &p), 0);
	CHECK_INT(strlen(p), CT_PASSWORD_MAX);
	ct_erase_free_str(p);
	memset(big, 'x', CT_PASSWORD_MAX + 2);
	CHECK_ERR(password_file(big, CT_PASSWORD_MAX + 1, &p), CT_ERR_TOO_LARGE);
	CHECK_ERR(password_file(big, CT_PASSWORD_MAX + 2, &p), CT_ERR_TOO_LARGE);
	free(big);
	CHECK_ERR(adm_password_read_file("/nonexistent/pw", &p, NULL), CT_ERR_IO);
	CHECK(p == NULL);
}

/* adm_password_read_stream on the given input, as a terminal or not. */
static int password_stream(const char *input, bool tty, char **out, char **prompts)
{
	struct ct_errinfo ei = {0};
	size_t len;
	FILE *in = fmemopen((void *)input, strlen(input), "r");
	struct adm_io io = {.in = in, .in_tty = tty};
	int r;

	io.err = open_memstream(prompts, &len);
	r = adm_password_read_stream(&io, "alice@corp.example.test", out, &ei);
	fclose(io.err);
	fclose(in);
	return r;
}

static void test_password_stream(void)
{
	char *p = NULL, *prompts = NULL;

	CHECK_ERR(password_stream("pw from a pipe\n", false, &p, &prompts), 0);
	CHECK_STR(p, "pw from a pipe");
	CHECK_STR(prompts, "");
	ct_erase_free_str(p);
	free(prompts);
	CHECK_ERR(password_stream("", false, &p, &prompts), CT_ERR_BAD_VALUE);
	free(prompts);

	/* On a terminal: asked twice, the entries must agree. */
	CHECK_ERR(password_stream("same\nsame\n", true, &p, &prompts), 0);
	CHECK_STR(p, "same");
	CHECK_STR(prompts, "Password for alice@corp.example.test: Again: ");
	ct_erase_free_str(p);
	free(prompts);
	CHECK_ERR(password_stream("one\ntwo\n", true, &p, &prompts), CT_ERR_BAD_VALUE);
	CHECK(p == NULL);
	free(prompts);
	CHECK_ERR(password_stream("one\n", true, &p, &prompts), CT_ERR_IO);
	free(prompts);
}

static const char key32[] = "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F";
static const char key32_lower[] = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

static int key(const char *content, mode_t mode, int32_t enctype, struct adm_key *k,
	       struct ct_errinfo *ei)
{
	memset(ei, 0, sizeof(*ei));
	memset(k, 0, sizeof(*k));
	return adm_key_read(put_str("key", content, mode), enctype, k, ei);
}

static void test_key(void)
{
	struct ct_errinfo ei;
	struct adm_key k;
	char text[200];

	snprintf(text, sizeof(text), "18:%s\n", key32);
	CHECK_ERR(key(text, 0600, 0, &k, &ei), 0);
	CHECK_INT(k.enctype, 18);
	CHECK_STR(k.hex, key32_lower);
	adm_key_clear(&k);
	CHECK(k.hex == NULL);
	CHECK_ERR(key(text, 0600, 18, &k, &ei), 0);
	adm_key_clear(&k);
	/* No prefix: --enctype, else 18. */
	CHECK_ERR(key(key32, 0600, 0, &k, &ei), 0);
	CHECK_INT(k.enctype, 18);
	adm_key_clear(&k);
	CHECK_ERR(key(key32, 0600, 20, &k, &ei), 0);
	CHECK_INT(k.enctype, 20);
	adm_key_clear(&k);
	CHECK_ERR(key("000102030405060708090a0b0c0d0e0f", 0400, 17, &k, &ei), 0);
	CHECK_INT(k.enctype, 17);
	CHECK_STR(k.hex, "000102030405060708090a0b0c0d0e0f");
	adm_key_clear(&k);
	CHECK_ERR(key("19:000102030405060708090a0b0c0d0e0f\n", 0600, 0, &k, &ei), 0);
	CHECK_INT(k.enctype, 19);
	adm_key_clear(&k);

	/* Refusals. */
	CHECK_ERR(key(text, 0600, 17, &k, &ei), CT_ERR_BAD_VALUE);
	CHECK(strstr(ei.msg, "--enctype 17") != NULL);
	CHECK_ERR(key(text, 0640, 0, &k, &ei), CT_ERR_UNSAFE_PATH);
	CHECK_ERR(key(text, 0644, 0, &k, &ei), CT_ERR_UNSAFE_PATH);
	CHECK_ERR(key("000102030405060708090a0b0c0d0e0f", 0600, 0, &k, &ei), CT_ERR_BAD_VALUE);
	CHECK(strstr(ei.msg, "aes256") != NULL);
	CHECK_ERR(key("17:000102", 0600, 0, &k, &ei), CT_ERR_BAD_VALUE);
	CHECK_ERR(key("23:000102030405060708090a0b0c0d0e0f", 0600, 0, &k, &ei),
		  CT_ERR_UNSUPPORTED_ENCTYPE);
	CHECK_ERR(key("x:000102030405060708090a0b0c0d0e0f", 0600, 0, &k, &ei), CT_ERR_BAD_VALUE);
	CHECK_ERR(key(":000102030405060708090a0b0c0d0e0f", 0600, 0, &k, &ei), CT_ERR_BAD_VALUE);
	snprintf(text, sizeof(text), "18:%.62sZZ", key32);
	CHECK_ERR(key(text, 0600, 0, &k, &ei), CT_ERR_BAD_VALUE);
	snprintf(text, sizeof(text), "18:%.63s", key32);
	CHECK_ERR(key(text, 0600, 0, &k, &ei), CT_ERR_BAD_VALUE);
	snprintf(text, sizeof(text), "18:%s00", key32);
	CHECK_ERR(key(text, 0600, 0, &k, &ei), CT_ERR_BAD_VALUE);
	CHECK_ERR(key("", 0600, 0, &k, &ei), CT_ERR_BAD_VALUE);
	CHECK(k.hex == NULL);
	/* The key never appears in a message. */
	snprintf(text, sizeof(text), "17:%s", key32);
	CHECK_ERR(key(text, 0600, 0, &k, &ei), CT_ERR_BAD_VALUE);
	CHECK(strstr(ei.msg, "0A0B0C") == NULL && strstr(ei.msg, "0a0b0c") == NULL);
}

static int confirm(const char *input, bool tty, bool yes, char **prompt)
{
	struct ct_errinfo ei = {0};
	size_t len;
	FILE *in = fmemopen((void *)input, strlen(input) + 1, "r");
	struct adm_io io = {.in = in, .in_tty = tty};
	int r;

	io.err = open_memstream(prompt, &len);
	r = adm_confirm(&io, yes, "Remove device D-1?", &ei);
	fclose(io.err);
	fclose(in);
	return r;
}

static void test_confirm(void)
{
	char *prompt = NULL;

	CHECK_ERR(confirm("", false, true, &prompt), 0);
	CHECK_STR(prompt, "");
	free(prompt);
	CHECK_ERR(confirm("y\n", false, false, &prompt), CT_ERR_USAGE);
	CHECK_STR(prompt, "");
	free(prompt);
	CHECK_ERR(confirm("y\n", true, false, &prompt), 0);
	CHECK_STR(prompt, "Remove device D-1? [y/N] ");
	free(prompt);
	CHECK_ERR(confirm("YES\n", true, false, &prompt), 0);
	free(prompt);
	CHECK_ERR(confirm("n\n", true, false, &prompt), CT_ERR_CANCELLED);
	free(prompt);
	CHECK_ERR(confirm("\n", true, false, &prompt), CT_ERR_CANCELLED);
	free(prompt);
	CHECK_ERR(confirm("yess\n", true, false, &prompt), CT_ERR_CANCELLED);
	free(prompt);
	CHECK_ERR(confirm("", true, false, &prompt), CT_ERR_CANCELLED);
	free(prompt);
}

int main(void)
{
	char cmd[300];

	if (mkdtemp(dir) == NULL)
		return 1;
	test_token();
	test_password_file();
	test_password_stream();
	test_key();
	test_confirm();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		tap_diag("cannot remove %s", dir);
	return tap_done();
}
