/* SPDX-License-Identifier: Apache-2.0 */
#include "adm-secret.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "adm-args.h"
#include "adm-prompt.h"
#include "ct-buf.h"
#include "ct-hex.h"
#include "ct-limits.h"
#include "ct-secret.h"
#include "kcrypto.h"

#define DEFAULT_ENCTYPE 18 /* aes256-cts-hmac-sha1-96, what AD uses for krbtgt */

enum { FILE_PRIVATE = 1 };

/*
 * Reads path (at most cap bytes) into b, which the caller frees.  With
 * FILE_PRIVATE the file must be regular and closed to group and others.
 */
static int read_file(const char *path, size_t cap, unsigned flags,
		     struct ct_buf *b, struct ct_errinfo *ei)
{
	uint8_t chunk[512];
	struct stat st;
	ssize_t n = 0;
	int fd, r = 0;

	ct_buf_init(b, cap);
	/* Non-blocking, so a FIFO given as the token file cannot hang the open. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return ct_errinfo_set(ei, CT_ERR_IO, "cannot open %s: %s", path,
				      strerror(errno));
	if (fstat(fd, &st) != 0) {
		r = ct_errinfo_set(ei, CT_ERR_IO, "cannot stat %s: %s", path,
				   strerror(errno));
		goto out;
	}
	if ((flags & FILE_PRIVATE) && !S_ISREG(st.st_mode)) {
		r = ct_errinfo_set(ei, CT_ERR_UNSAFE_PATH, "%s is not a regular file",
				   path);
		goto out;
	}
	if ((flags & FILE_PRIVATE) && (st.st_mode & 077) != 0) {
		r = ct_errinfo_set(ei, CT_ERR_UNSAFE_PATH,
				   "%s is open to group or others (mode %04o); "
				   "refusing it: chmod 600 %s",
				   path, (unsigned)(st.st_mode & 07777), path);
		goto out;
	}
	if (!S_ISREG(st.st_mode))
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		ct_buf_put(b, chunk, (size_t)n);
	}
	if (n < 0)
		r = ct_errinfo_set(ei, CT_ERR_IO, "cannot read %s: %s", path,
				   strerror(errno));
	else if (b->err != 0)
		r = ct_errinfo_set(ei, CT_ERR_TOO_LARGE, "%s is larger than %zu bytes",
				   path, cap);
out:
	ct_zap(chunk, sizeof(chunk));
	close(fd);
	if (r != 0)
		ct_buf_free(b);
	return r;
}

/* A new NUL-terminated copy of p[0..n). */
static int dup_text(const uint8_t *p, size_t n, char **out)
{
	char *s = malloc(n + 1);

	if (s == NULL)
		return CT_ERR_NOMEM;
	if (n > 0)
		memcpy(s, p, n);
	s[n] = '\0';
	*out = s;
	return 0;
}

static bool is_space(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Trims white space at both ends of p[0..*n); returns the new start. */
static const uint8_t *trim(const uint8_t *p, size_t *n)
{
	while (*n > 0 && is_space(p[*n - 1]))
		(*n)--;
	while (*n > 0 && is_space(*p)) {
		p++;
		(*n)--;
	}
	return p;
}

int adm_token_read(const char *path, char **out, struct ct_errinfo *ei)
{
	static const char b64url[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=";
	struct ct_buf b;
	const uint8_t *p;
	size_t n, i;
	int r;

	*out = NULL;
	/* Room for the token and a line ending or some blanks around it. */
	r = read_file(path, CT_ADMIN_MAX_TOKEN + 16, FILE_PRIVATE, &b, ei);
	if (r != 0)
		return r;
	n = b.len;
	p = trim(b.data, &n);
	for (i = 0; i < n && p[i] != '\0' && strchr(b64url, p[i]) != NULL; i++)
		;
	if (n == 0 || i != n || n > CT_ADMIN_MAX_TOKEN)
		r = ct_errinfo_set(ei, CT_ERR_BAD_VALUE,
				   "%s does not hold an admin token (base64url text)",
				   path);
	else
		r = dup_text(p, n, out);
	ct_buf_free(&b);
	return r;
}

/* Checks a password read as p[0..n) less one final newline, and copies it. */
static int finish_password(const char *from, const uint8_t *p, size_t n,
			   char **out, struct ct_errinfo *ei)
{
	if (n > 0 && p[n - 1] == '\n')
		n--;
	if (n > 0 && p[n - 1] == '\r')
		n--;
	if (n == 0)
		return ct_errinfo_set(ei, CT_ERR_BAD_VALUE, "%s: the password is empty",
				      from);
	if (n > CT_PASSWORD_MAX)
		return ct_errinfo_set(ei, CT_ERR_TOO_LARGE,
				      "%s: the password is longer than %d bytes", from,
				      CT_PASSWORD_MAX);
	if (memchr(p, 0, n) != NULL)
		return ct_errinfo_set(ei, CT_ERR_BAD_VALUE,
				      "%s: the password holds a NUL byte", from);
	return dup_text(p, n, out);
}

int adm_password_read_file(const char *path, char **out, struct ct_errinfo *ei)
{
	struct ct_buf b;
	int r;

	*out = NULL;
	r = read_file(path, CT_PASSWORD_MAX + 2, 0, &b, ei);
	if (r != 0)
		return r;
	r = finish_password(path, b.data, b.len, out, ei);
	ct_buf_free(&b);
	return r;
}

/* Asks twice on the terminal; the entries must agree. */
static int password_from_tty(const struct adm_io *io, const char *who,
			     char **out, struct ct_errinfo *ei)
{
	char prompt[CT_STORE_MAX_UPN + 32], *first = NULL, *second = NULL;
	int r;

	snprintf(prompt, sizeof(prompt), "Password for %s: ", who);
	r = adm_prompt_line(io, prompt, true, CT_PASSWORD_MAX, &first, ei);
	if (r == 0)
		r = adm_prompt_line(io, "Again: ", true, CT_PASSWORD_MAX, &second, ei);
	if (r == 0 && (strlen(first) != strlen(second) ||
		       !ct_memeq_secret(first, second, strlen(first))))
		r = ct_errinfo_set(ei, CT_ERR_BAD_VALUE, "the passwords differ");
	if (r == 0)
		r = finish_password("standard input", (const uint8_t *)first,
				    strlen(first), out, ei);
	ct_erase_free_str(first);
	ct_erase_free_str(second);
	return r;
}

int adm_password_read_stream(const struct adm_io *io, const char *who,
			     char **out, struct ct_errinfo *ei)
{
	uint8_t chunk[512];
	struct ct_buf b;
	size_t n;
	int r;

	*out = NULL;
	if (io->in_tty)
		return password_from_tty(io, who, out, ei);
	ct_buf_init(&b, CT_PASSWORD_MAX + 2);
	while ((n = fread(chunk, 1, sizeof(chunk), io->in)) > 0)
		ct_buf_put(&b, chunk, n);
	ct_zap(chunk, sizeof(chunk));
	if (ferror(io->in))
		r = ct_errinfo_set(ei, CT_ERR_IO, "cannot read standard input");
	else if (b.err != 0)
		r = ct_errinfo_set(ei, CT_ERR_TOO_LARGE,
				   "standard input: the password is longer than %d bytes",
				   CT_PASSWORD_MAX);
	else
		r = finish_password("standard input", b.data, b.len, out, ei);
	ct_buf_free(&b);
	return r;
}

void adm_key_clear(struct adm_key *k)
{
	ct_erase_free_str(k->hex);
	k->hex = NULL;
	k->enctype = 0;
}

/* Parses "[ENCTYPE:]HEX" in text (NUL-terminated, trimmed) into out. */
static int parse_key(const char *path, char *text, int32_t enctype,
		     struct adm_key *out, struct ct_errinfo *ei)
{
	char *colon = strchr(text, ':'), *hex = text;
	unsigned long prefix;
	uint8_t *raw = NULL;
	size_t rawlen = 0;
	int r;

	if (colon != NULL) {
		*colon = '\0';
		hex = colon + 1;
		if (adm_parse_ulong(text, 1, INT32_MAX, &prefix) != 0)
			return ct_errinfo_set(ei, CT_ERR_BAD_VALUE,
					      "%s: the part before ':' is not an enctype",
					      path);
		if (enctype != 0 && (int32_t)prefix != enctype)
			return ct_errinfo_set(ei, CT_ERR_BAD_VALUE,
					      "%s holds an enctype %lu key, not "
					      "--enctype %d", path, prefix,
					      (int)enctype);
		enctype = (int32_t)prefix;
	}
	if (enctype == 0)
		enctype = DEFAULT_ENCTYPE;
	if (!ct_enctype_supported(enctype))
		return ct_errinfo_set(ei, CT_ERR_UNSUPPORTED_ENCTYPE,
				      "enctype %d is not supported (17, 18, 19 or 20)",
				      (int)enctype);
	r = ct_hex_decode(hex, &raw, &rawlen);
	if (r != 0 || rawlen != ct_enctype_keylen(enctype)) {
		r = ct_errinfo_set(ei, CT_ERR_BAD_VALUE,
				   "%s does not hold a %s key (%zu bytes of hex)", path,
				   ct_enctype_name(enctype), ct_enctype_keylen(enctype));
		goto out;
	}
	out->hex = malloc(2 * rawlen + 1);
	if (out->hex == NULL) {
		r = CT_ERR_NOMEM;
		goto out;
	}
	ct_hex_encode(raw, rawlen, out->hex);
	out->enctype = enctype;
out:
	ct_erase_free(raw, rawlen);
	return r;
}

int adm_key_read(const char *path, int32_t enctype, struct adm_key *out,
		 struct ct_errinfo *ei)
{
	struct adm_key k = {0};
	struct ct_buf b;
	const uint8_t *p;
	char *text = NULL;
	size_t n;
	int r;

	r = read_file(path, CT_ADMIN_MAX_KEY_FILE, FILE_PRIVATE, &b, ei);
	if (r != 0)
		return r;
	n = b.len;
	p = trim(b.data, &n);
	if (n > 0 && memchr(p, 0, n) != NULL)
		r = ct_errinfo_set(ei, CT_ERR_BAD_VALUE, "%s holds a NUL byte", path);
	else
		r = dup_text(p, n, &text);
	ct_buf_free(&b);
	if (r == 0)
		r = parse_key(path, text, enctype, &k, ei);
	/* By length: parse_key cut the text at the ':'. */
	ct_erase_free(text, text != NULL ? n + 1 : 0);
	if (r == 0)
		*out = k;
	return r;
}
