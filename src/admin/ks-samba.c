/* SPDX-License-Identifier: Apache-2.0 */
/* The Samba key source: samba-tool user getpassword on the DC (root). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "ct-buf.h"
#include "ct-limits.h"
#include "ct-secret.h"
#include "ks-keysource.h"

static const char attr_kvno[] = "msDS-KeyVersionNumber: ";
static const char attr_creds[] = "supplementalCredentials:: ";

/* Unfolds LDIF (a line starting with one space continues the previous one)
 * into a NUL-terminated copy; the caller frees it with ct_erase_free_str. */
static char *ldif_unfold(const char *text, size_t len)
{
	char *out = malloc(len + 1), *o = out;
	size_t i;

	if (out == NULL)
		return NULL;
	for (i = 0; i < len; i++) {
		if (text[i] == '\n' && i + 1 < len && text[i + 1] == ' ') {
			i++;
			continue;
		}
		*o++ = text[i] == '\0' ? '\n' : text[i];
	}
	*o = '\0';
	return out;
}

/* The value of attribute line name (with its separator) in unfolded text:
 * a pointer to it and its length up to the end of the line, or NULL. */
static const char *ldif_value(const char *text, const char *name, size_t *vlen)
{
	const char *p = text;
	size_t n = strlen(name);

	while (p != NULL && *p != '\0') {
		const char *eol = strchr(p, '\n');

		if (strncmp(p, name, n) == 0) {
			*vlen = (eol != NULL ? (size_t)(eol - p) : strlen(p)) - n;
			return p + n;
		}
		p = eol != NULL ? eol + 1 : NULL;
	}
	return NULL;
}

/* Strict base64 (RFC 4648 alphabet, padded) to bytes; *out is freed by the
 * caller with ct_erase_free(*out, *out_len). */
static int b64_decode(const char *s, size_t n, uint8_t **out, size_t *out_len)
{
	static const char alphabet[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i, pad = 0, cap;
	uint8_t *b;

	if (n == 0 || n % 4 != 0 || n / 4 * 3 > CT_KS_MAX_SUPCREDS)
		return n / 4 * 3 > CT_KS_MAX_SUPCREDS ? CT_ERR_TOO_LARGE : CT_ERR_BAD_BASE64;
	for (i = 0; i < n; i++) {
		if (s[i] == '=' && i >= n - 2 && (i == n - 1 || s[n - 1] == '='))
			pad++;
		else if (s[i] == '\0' || strchr(alphabet, s[i]) == NULL)
			return CT_ERR_BAD_BASE64;
	}
	cap = n / 4 * 3;
	b = malloc(cap);
	if (b == NULL)
		return CT_ERR_NOMEM;
	if (EVP_DecodeBlock(b, (const unsigned char *)s, (int)n) != (int)cap) {
		ct_erase_free(b, cap);
		return CT_ERR_BAD_BASE64;
	}
	*out = b;
	*out_len = cap - pad;
	return 0;
}

int ks_samba_parse(const char *text, size_t len, int32_t enctype, struct ks_key_result *out,
		   struct ct_errinfo *ei)
{
	struct ks_key_result res = {0};
	const char *kv, *cr;
	size_t kv_len = 0, cr_len = 0, blob_len = 0;
	uint8_t *blob = NULL;
	unsigned long kvno = 0;
	char *flat = NULL, *end;
	int r;

	if (len > CT_KS_MAX_TOOL_OUTPUT)
		return ct_errinfo_set(ei, CT_ERR_TOO_LARGE, "samba-tool printed more than %d bytes",
				      CT_KS_MAX_TOOL_OUTPUT);
	flat = ldif_unfold(text, len);
	if (flat == NULL)
		return ct_errinfo_set(ei, CT_ERR_NOMEM, "out of memory");
	kv = ldif_value(flat, attr_kvno, &kv_len);
	cr = ldif_value(flat, attr_creds, &cr_len);
	if (kv == NULL || cr == NULL) {
		r = ct_errinfo_set(ei, CT_ERR_MISSING_FIELD,
				   "samba-tool did not show %s (no password set, or not readable)",
				   kv == NULL ? "msDS-KeyVersionNumber" : "supplementalCredentials");
		goto out;
	}
	errno = 0;
	kvno = strtoul(kv, &end, 10);
	if (errno != 0 || end == kv || (size_t)(end - kv) != kv_len || kv[0] == '-' ||
	    kvno > UINT32_MAX) {
		r = ct_errinfo_set(ei, CT_ERR_BAD_VALUE, "msDS-KeyVersionNumber is not a number");
		goto out;
	}
	r = b64_decode(cr, cr_len, &blob, &blob_len);
	if (r != 0) {
		ct_errinfo_set(ei, r, "supplementalCredentials: %s", ct_strerror(r));
		goto out;
	}
	r = ks_supcreds_decode(blob, blob_len, enctype, &res.keys, ei);
	if (r != 0)
		goto out;
	res.key_version = (uint32_t)(kvno & 0xFFFF);
	*out = res;
out:
	ct_zap(&res, sizeof(res));
	ct_erase_free(blob, blob_len);
	ct_erase_free_str(flat);
	return r;
}

/* Runs argv with stdout and stderr into *buf (at most CT_KS_MAX_TOOL_OUTPUT
 * bytes); returns 0 when it exited 0. */
static int run_tool(char *const argv[], struct ct_buf *buf, struct ct_errinfo *ei)
{
	int fds[2], status = 0, r = 0;
	uint8_t chunk[4096];
	ssize_t n;
	pid_t pid;

	if (pipe(fds) != 0)
		return ct_errinfo_set(ei, CT_ERR_IO, "pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return ct_errinfo_set(ei, CT_ERR_IO, "fork: %s", strerror(errno));
	}
	if (pid == 0) {
		dup2(fds[1], STDOUT_FILENO);
		dup2(fds[1], STDERR_FILENO);
		close(fds[0]);
		close(fds[1]);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(fds[1]);
	while ((n = read(fds[0], chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || buf->len + (size_t)n > CT_KS_MAX_TOOL_OUTPUT) {
			r = ct_errinfo_set(ei, n < 0 ? CT_ERR_IO : CT_ERR_TOO_LARGE,
					   "reading from %s failed or it printed too much", argv[0]);
			kill(pid, SIGTERM);
			break;
		}
		ct_buf_put(buf, chunk, (size_t)n);
	}
	close(fds[0]);
	ct_zap(chunk, sizeof(chunk));
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (r == 0 && buf->err != 0)
		r = ct_errinfo_set(ei, buf->err, "out of memory");
	if (r == 0 && (!WIFEXITED(status) || WEXITSTATUS(status) != 0))
		r = ct_errinfo_set(ei, CT_ERR_IO, "%s user getpassword failed (exit %d%s)",
				   argv[0], WIFEXITED(status) ? WEXITSTATUS(status) : -1,
				   WIFEXITED(status) && WEXITSTATUS(status) == 127
					   ? ": samba-tool not found" : "; run as root on the DC");
	return r;
}

static int samba_read_key(const struct ks_key_request *req, struct ks_key_result *out,
			  struct ct_errinfo *ei)
{
	char *argv[] = {"samba-tool", "user", "getpassword", (char *)req->account,
			"--attributes=msDS-KeyVersionNumber,supplementalCredentials",
			req->samba_conf != NULL ? "-s" : NULL, (char *)req->samba_conf, NULL};
	struct ct_buf buf;
	int r;

	ct_buf_init(&buf, CT_KS_MAX_TOOL_OUTPUT);
	r = run_tool(argv, &buf, ei);
	if (r == 0)
		r = ks_samba_parse((const char *)buf.data, buf.len, req->enctype, out, ei);
	ct_buf_free(&buf); /* wipes */
	return r;
}

/* Samba ignores the password set on a krbtgt account and makes a random
 * one: the only way to learn the new key is to read it. */
static int samba_new_key(const struct ks_key_request *req, const char *password,
			 struct ks_key_result *out, struct ct_errinfo *ei)
{
	(void)password;
	return samba_read_key(req, out, ei);
}

const struct ks_keysource ks_keysource_samba = {"samba", samba_read_key, samba_new_key};
