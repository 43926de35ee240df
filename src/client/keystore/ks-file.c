/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Key files on disk: naming, locking, bounded reads, atomic writes, wipes.
 */
#define _GNU_SOURCE  /* mkostemp */
#include "ks-file.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ct-file.h"
#include "ct-hex.h"
#include "ct-utf8.h"
#include "ks-internal.h"

static const uint8_t header_magic[4] = {'C', 'T', 'H', 'K'};

int ks_file_path(const char *dir, const char *label, const char *suffix,
		 char **out, struct ct_errinfo *ei)
{
	uint8_t md[32];
	char hex[2 * sizeof(md) + 1];
	unsigned int mdlen = 0;
	size_t n;
	char *p;

	if (EVP_Digest(label, strlen(label), md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen != sizeof(md))
		return ct_errinfo_set(ei, CT_ERR_CRYPTO, "cannot hash the key label");
	ct_hex_encode(md, sizeof(md), hex);
	n = strlen(dir) + 1 + strlen(hex) + strlen(suffix) + 1;
	p = malloc(n);
	if (p == NULL)
		return ct_errinfo_set(ei, CT_ERR_NOMEM, "out of memory");
	snprintf(p, n, "%s/%s%s", dir, hex, suffix);
	*out = p;
	return 0;
}

/* The directory part of path, for fsync after a rename or unlink. */
static int sync_dir_of(const char *path, struct ct_errinfo *ei)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	int fd, r = 0;

	dir = slash == NULL ? strdup(".") : strndup(path, (size_t)(slash - path));
	if (dir == NULL)
		return ct_errinfo_set(ei, CT_ERR_NOMEM, "out of memory");
	fd = open(dir[0] == '\0' ? "/" : dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) != 0)
		r = ct_errinfo_set(ei, CT_ERR_IO, "cannot sync the key store directory %s: %s",
				   dir, strerror(errno));
	if (fd >= 0)
		close(fd);
	free(dir);
	return r;
}

int ks_lock(const char *dir, int *fd_out, struct ct_errinfo *ei)
{
	size_t n = strlen(dir) + sizeof("/keystore.lock");
	char *path = malloc(n);
	int fd;

	*fd_out = -1;
	if (path == NULL)
		return ct_errinfo_set(ei, CT_ERR_NOMEM, "out of memory");
	snprintf(path, n, "%s/keystore.lock", dir);
	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, S_IRUSR | S_IWUSR);
	if (fd < 0) {
		int e = errno;

		ct_errinfo_set(ei, CT_ERR_IO, "cannot open the key store lock %s: %s",
			       path, strerror(e));
		free(path);
		return CT_ERR_IO;
	}
	while (flock(fd, LOCK_EX) != 0) {
		if (errno == EINTR)
			continue;
		ct_errinfo_set(ei, CT_ERR_IO, "cannot lock %s: %s", path,
			       strerror(errno));
		close(fd);
		free(path);
		return CT_ERR_IO;
	}
	free(path);
	*fd_out = fd;
	return 0;
}

void ks_unlock(int fd)
{
	if (fd >= 0)
		close(fd);   /* closing drops the flock */
}

bool ks_file_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

int ks_file_read(const char *path, struct ct_buf *out, struct ct_errinfo *ei)
{
	uint8_t chunk[1024];
	struct stat st;
	ssize_t got;
	int fd, r = 0;

	ct_buf_init(out, CT_KS_MAX_FILE);
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;

		if (e == ENOENT)
			return ct_errinfo_set(ei, CT_ERR_NOT_FOUND, "%s does not exist", path);
		if (e == ELOOP)
			return ct_errinfo_set(ei, CT_ERR_BAD_VALUE,
					      "%s is a symbolic link, not a key file", path);
		return ct_errinfo_set(ei, CT_ERR_IO, "cannot open %s: %s", path,
				      strerror(e));
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		r = ct_errinfo_set(ei, CT_ERR_BAD_VALUE, "%s is not a regular file", path);
		goto out;
	}
	for (;;) {
		got = read(fd, chunk, sizeof(chunk));
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			r = ct_errinfo_set(ei, CT_ERR_IO, "cannot read %s: %s", path,
					   strerror(errno));
			goto out;
		}
		if (got == 0)
			break;
		ct_buf_put(out, chunk, (size_t)got);
		if (out->err != 0) {
			r = ct_errinfo_set(ei, CT_ERR_BAD_VALUE,
					   "%s is larger than a key file can be", path);
			goto out;
		}
	}
out:
	close(fd);
	if (r != 0)
		ct_buf_free(out);
	return r;
}

/* Overwrites an open file's contents with zeros and syncs them. */
static int zero_fd(int fd)
{
	static const uint8_t zeros[512];
	struct stat st;
	off_t left;

	if (fstat(fd, &st) != 0 || lseek(fd, 0, SEEK_SET) != 0)
		return -1;
	for (left = st.st_size; left > 0;) {
		size_t n = left > (off_t)sizeof(zeros) ? sizeof(zeros) : (size_t)left;

		if (ct_write_all(fd, zeros, n) != 0)
			return -1;
		left -= (off_t)n;
	}
	return fdatasync(fd);
}

int ks_file_write(const char *path, const uint8_t *p, size_t n,
		  struct ct_errinfo *ei)
{
	size_t tlen = strlen(path) + sizeof(".tmp-XXXXXX");
	char *tmp = malloc(tlen);
	int fd = -1, old = -1, r = 0;
	bool made = false;

	if (tmp == NULL)
		return ct_errinfo_set(ei, CT_ERR_NOMEM, "out of memory");
	snprintf(tmp, tlen, "%s.tmp-XXXXXX", path);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		r = ct_errinfo_set(ei, CT_ERR_IO, "cannot create %s: %s", tmp,
				   strerror(errno));
		goto out;
	}
	made = true;
	if (fchmod(fd, S_IRUSR | S_IWUSR) != 0 || ct_write_all(fd, p, n) != 0 ||
	    fsync(fd) != 0) {
		r = ct_errinfo_set(ei, CT_ERR_IO, "cannot write %s: %s", tmp,
				   strerror(errno));
		goto out;
	}
	/* Keep the old inode reachable so it can be wiped once replaced
	 * (O_NONBLOCK: a FIFO planted here must not hang us). */
	old = open(path, O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (rename(tmp, path) != 0) {
		r = ct_errinfo_set(ei, CT_ERR_IO, "cannot install %s: %s", path,
				   strerror(errno));
		goto out;
	}
	made = false;
	r = sync_dir_of(path, ei);
	if (r == 0 && old >= 0) {
		struct stat st;

		/* Only wipe a regular file that is no longer linked anywhere. */
		if (fstat(old, &st) == 0 && S_ISREG(st.st_mode) && st.st_nlink == 0)
			zero_fd(old);
	}
out:
	if (old >= 0)
		close(old);
	if (fd >= 0)
		close(fd);
	if (made)
		unlink(tmp);
	free(tmp);
	return r;
}

int ks_file_wipe(const char *path, struct ct_errinfo *ei)
{
	struct stat st;
	int fd;

	/* O_NONBLOCK: a FIFO planted here must not hang us. */
	fd = open(path, O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd >= 0) {
		if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
			zero_fd(fd);
		close(fd);
	}
	/* Remove it even when it could not be opened (e.g. a symlink). */
	if (unlink(path) != 0 && errno != ENOENT)
		return ct_errinfo_set(ei, CT_ERR_IO, "cannot remove %s: %s", path,
				      strerror(errno));
	return sync_dir_of(path, ei);
}

int ks_file_mark(const char *path, struct ct_errinfo *ei)
{
	return ks_file_write(path, (const uint8_t *)"", 0, ei);
}

void ks_header_put(struct ct_buf *b, enum ct_ks_kind kind,
		   const uint8_t *label, size_t label_len)
{
	if (label_len == 0 || label_len > CT_KS_MAX_LABEL) {
		b->err = b->err != 0 ? b->err : CT_ERR_INVALID_ARG;
		return;
	}
	ct_buf_put(b, header_magic, sizeof(header_magic));
	ct_buf_put_u8(b, CT_KS_FILE_VERSION);
	ct_buf_put_u8(b, (uint8_t)kind);
	ct_buf_put_le16(b, (uint16_t)label_len);
	ct_buf_put(b, label, label_len);
}

/* ct_utf8_valid may look up to three bytes past a sequence that starts
 * near the end, so it gets a NUL-terminated copy (found by fuzzing). */
static bool label_utf8_ok(const uint8_t *l, size_t n)
{
	char copy[CT_KS_MAX_LABEL + 4];

	if (n > CT_KS_MAX_LABEL)
		return false;
	memcpy(copy, l, n);
	memset(copy + n, 0, sizeof(copy) - n);
	return ct_utf8_valid(copy, n);
}

int ks_header_get(struct ct_cursor *c, enum ct_ks_kind kind,
		  const uint8_t **label, size_t *label_len)
{
	const uint8_t *magic, *l;
	uint8_t version, k;
	uint16_t n;

	magic = ct_cursor_get(c, sizeof(header_magic));
	version = ct_cursor_get_u8(c);
	k = ct_cursor_get_u8(c);
	n = ct_cursor_get_le16(c);
	if (c->err != 0)
		return c->err;
	if (memcmp(magic, header_magic, sizeof(header_magic)) != 0 ||
	    version != CT_KS_FILE_VERSION || k != (uint8_t)kind || n == 0 ||
	    n > CT_KS_MAX_LABEL)
		return ct_cursor_fail(c, CT_ERR_BAD_VALUE);
	l = ct_cursor_get(c, n);
	if (c->err != 0)
		return c->err;
	if (!label_utf8_ok(l, n))
		return ct_cursor_fail(c, CT_ERR_BAD_VALUE);
	*label = l;
	*label_len = n;
	return 0;
}

bool ks_label_is(const uint8_t *got, size_t got_len, const char *want)
{
	return strlen(want) == got_len && memcmp(got, want, got_len) == 0;
}
