/* SPDX-License-Identifier: Apache-2.0 */
#include "ct-file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ct-secret.h"

int ct_file_read(const char *path, size_t cap, char **out, size_t *outlen,
		 struct ct_errinfo *ei)
{
	struct stat sb;
	char *buf = NULL;
	size_t got = 0;
	ssize_t n;
	int fd, r, e;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		e = errno;
		r = e == ENOENT ? CT_ERR_NOT_FOUND
		    : e == EACCES || e == EPERM ? CT_ERR_PERMISSION : CT_ERR_IO;
		return ct_errinfo_set(ei, r, "cannot open %s: %s", path, strerror(e));
	}
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		r = ct_errinfo_set(ei, CT_ERR_IO, "%s is not a regular file", path);
		goto out;
	}
	if ((unsigned long long)sb.st_size > cap) {
		r = ct_errinfo_set(ei, CT_ERR_TOO_LARGE, "%s is larger than %zu bytes", path, cap);
		goto out;
	}
	buf = malloc((size_t)sb.st_size + 1);
	if (buf == NULL) {
		r = ct_errinfo_set(ei, CT_ERR_NOMEM, "out of memory");
		goto out;
	}
	/* Read only what fstat promised: a file that grows meanwhile is cut there. */
	while (got < (size_t)sb.st_size) {
		n = read(fd, buf + got, (size_t)sb.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = ct_errinfo_set(ei, CT_ERR_IO, "cannot read %s: %s", path,
					   strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	*out = buf;
	*outlen = got;
	buf = NULL;
	r = 0;
out:
	/* A partial read may hold part of a key. */
	if (buf != NULL)
		ct_erase_free(buf, (size_t)sb.st_size + 1);
	close(fd);
	return r;
}

int ct_write_all(int fd, const void *p, size_t n)
{
	const char *q = p;
	ssize_t w;

	while (n > 0) {
		w = write(fd, q, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return CT_ERR_IO;
		q += w;
		n -= (size_t)w;
	}
	return 0;
}
