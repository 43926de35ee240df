/* SPDX-License-Identifier: Apache-2.0 */
#include "cl-safefile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ct-secret.h"

/* Root or we may own what we trust. */
static bool trusted_owner(uid_t uid)
{
	return uid == 0 || uid == geteuid();
}

/* One directory on the way: owned by root or us, and nobody else can
 * replace its entries (sticky directories only let owners rename theirs). */
static int check_one_dir(const char *path, const struct stat *st, bool leaf,
			 struct ct_errinfo *ei)
{
	if (!S_ISDIR(st->st_mode))
		return ct_errinfo_set(ei, CT_ERR_UNSAFE_PATH, "%s is not a directory",
				      path);
	if (!trusted_owner(st->st_uid))
		return ct_errinfo_set(ei, CT_ERR_UNSAFE_PATH,
				      "%s is owned by uid %u, not by root", path,
				      (unsigned)st->st_uid);
	if ((st->st_mode & 022) != 0 && (leaf || (st->st_mode & S_ISVTX) == 0))
		return ct_errinfo_set(ei, CT_ERR_UNSAFE_PATH,
				      "%s can be written by other users (mode %04o)", path,
				      (unsigned)(st->st_mode & 07777));
	return 0;
}

int cl_dir_check(const char *path, struct ct_errinfo *ei)
{
	char real[PATH_MAX], *slash;
	struct stat st;
	int r;

	if (lstat(path, &st) != 0) {
		if (errno == ENOENT)
			return ct_errinfo_set(ei, CT_ERR_NOT_FOUND, "%s does not exist",
					      path);
		return ct_errinfo_set(ei, CT_ERR_IO, "cannot stat %s: %s", path,
				      strerror(errno));
	}
	if (S_ISLNK(st.st_mode))
		return ct_errinfo_set(ei, CT_ERR_UNSAFE_PATH,
				      "%s is a symbolic link; give the real directory", path);
	r = check_one_dir(path, &st, true, ei);
	if (r != 0)
		return r;
	if (realpath(path, real) == NULL)
		return ct_errinfo_set(ei, CT_ERR_IO, "cannot resolve %s: %s", path,
				      strerror(errno));
	/* Every ancestor of the resolved path, up to "/". */
	while ((slash = strrchr(real, '/')) != NULL) {
		if (slash == real)
			slash[1] = '\0';
		else
			*slash = '\0';
		if (lstat(real, &st) != 0)
			return ct_errinfo_set(ei, CT_ERR_IO, "cannot stat %s: %s", real,
					      strerror(errno));
		r = check_one_dir(real, &st, false, ei);
		if (r != 0)
			return r;
		if (strcmp(real, "/") == 0)
			break;
	}
	return 0;
}

int cl_dir_ensure(const char *path, mode_t mode, struct ct_errinfo *ei)
{
	struct stat st;
	int r;

	if (mkdir(path, mode) != 0 && errno != EEXIST)
		return ct_errinfo_set(ei, errno == EACCES ? CT_ERR_PERMISSION : CT_ERR_IO,
				      "cannot create %s: %s", path, strerror(errno));
	r = cl_dir_check(path, ei);
	if (r != 0)
		return r;
	if (lstat(path, &st) != 0)
		return ct_errinfo_set(ei, CT_ERR_IO, "cannot stat %s", path);
	if ((st.st_mode & 077 & ~mode) != 0)
		return ct_errinfo_set(ei, CT_ERR_UNSAFE_PATH,
				      "%s has mode %04o; it must be %04o", path,
				      (unsigned)(st.st_mode & 07777), (unsigned)mode);
	return 0;
}

int cl_file_read(const char *path, size_t max, struct ct_buf *out,
		 struct ct_errinfo *ei)
{
	uint8_t chunk[4096];
	struct stat st;
	ssize_t n;
	int fd, r = 0;

	ct_buf_free(out);
	out->cap = max;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		if (errno == ENOENT)
			return ct_errinfo_set(ei, CT_ERR_NOT_FOUND, "%s does not exist", path);
		if (errno == ELOOP)
			return ct_errinfo_set(ei, CT_ERR_UNSAFE_PATH,
					      "%s is a symbolic link", path);
		return ct_errinfo_set(ei, errno == EACCES ? CT_ERR_PERMISSION : CT_ERR_IO,
				      "cannot open %s: %s", path, strerror(errno));
	}
	if (fstat(fd, &st) != 0) {
		r = ct_errinfo_set(ei, CT_ERR_IO, "cannot stat %s", path);
		goto out;
	}
	if (!S_ISREG(st.st_mode) || !trusted_owner(st.st_uid) || (st.st_mode & 022) != 0) {
		r = ct_errinfo_set(ei, CT_ERR_UNSAFE_PATH,
				   "%s is not a regular file that only root can change",
				   path);
		goto out;
	}
	if ((uintmax_t)st.st_size > max) {
		r = ct_errinfo_set(ei, CT_ERR_TOO_LARGE, "%s is larger than %zu bytes",
				   path, max);
		goto out;
	}
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		ct_buf_put(out, chunk, (size_t)n);
	if (n < 0)
		r = ct_errinfo_set(ei, CT_ERR_IO, "cannot read %s: %s", path,
				   strerror(errno));
	else if (out->err != 0)
		r = ct_errinfo_set(ei, out->err == CT_ERR_TOO_LARGE ? CT_ERR_TOO_LARGE
								    : out->err,
				   "%s: %s", path, ct_strerror(out->err));
out:
	ct_zap(chunk, sizeof(chunk));
	close(fd);
	if (r != 0)
		ct_buf_free(out);
	return r;
}

/* fsync of the directory holding path, so a rename survives a crash. */
static int sync_parent(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	int fd, r;

	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else if ((size_t)(slash - path) < sizeof(dir))
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	else
		return -1;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	r = fsync(fd);
	close(fd);
	return r;
}

int cl_file_write(const char *path, const void *p, size_t n, mode_t mode,
		  struct ct_errinfo *ei)
{
	char tmp[PATH_MAX];
	const uint8_t *q = p;
	size_t done = 0;
	ssize_t w;
	int fd, len, saved;

	len = snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
	if (len < 0 || (size_t)len >= sizeof(tmp))
		return ct_errinfo_set(ei, CT_ERR_TOO_LARGE, "path too long: %s", path);
	/* A stale temporary file of an earlier run of this pid goes first. */
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0)
		return ct_errinfo_set(ei, errno == EACCES ? CT_ERR_PERMISSION : CT_ERR_IO,
				      "cannot create %s: %s", tmp, strerror(errno));
	if (fchmod(fd, mode) != 0)
		goto fail;
	while (done < n) {
		w = write(fd, q + done, n - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			goto fail;
		done += (size_t)w;
	}
	if (fsync(fd) != 0)
		goto fail;
	if (close(fd) != 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) != 0)
		goto fail;
	if (sync_parent(path) != 0)
		return ct_errinfo_set(ei, CT_ERR_IO, "cannot sync the directory of %s",
				      path);
	return 0;
fail:
	saved = errno;
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return ct_errinfo_set(ei, CT_ERR_IO, "cannot write %s: %s", path,
			      strerror(saved));
}

int cl_file_remove(const char *path, bool wipe, struct ct_errinfo *ei)
{
	static const uint8_t zeros[4096];
	struct stat st;
	off_t left;
	ssize_t w;
	int fd;

	if (wipe) {
		fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
		if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
			for (left = st.st_size; left > 0; left -= w) {
				w = write(fd, zeros, left < (off_t)sizeof(zeros)
							     ? (size_t)left : sizeof(zeros));
				if (w <= 0)
					break;
			}
			(void)fsync(fd);
		}
		if (fd >= 0)
			close(fd);
	}
	if (unlink(path) != 0 && errno != ENOENT)
		return ct_errinfo_set(ei, CT_ERR_IO, "cannot remove %s: %s", path,
				      strerror(errno));
	return 0;
}

bool cl_file_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

int cl_path_join(char *out, size_t outlen, const char *dir, const char *name)
{
	size_t dl = strlen(dir);
	int n;

	while (dl > 1 && dir[dl - 1] == '/')
		dl--;
	n = snprintf(out, outlen, "%.*s/%s", (int)dl, dir, name);
	if (n < 0 || (size_t)n >= outlen)
		return CT_ERR_TOO_LARGE;
	return 0;
}
