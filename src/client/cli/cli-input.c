/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"
#include "ct-buf.h"
#include "ct-secret.h"

bool cli_interactive(void)
{
	return isatty(STDIN_FILENO) == 1;
}

/* The first line of a file that only its owner can read. */
static int secret_from_file(const char *file, char **out, struct ct_errinfo *ei)
{
	struct ct_buf b;
	struct stat st;
	uint8_t chunk[512], *p = NULL;
	size_t n = 0, i;
	ssize_t got;
	int fd, r = 0;

	ct_buf_init(&b, CLI_MAX_SECRET + 2);
	fd = open(file, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return ct_errinfo_set(ei, CT_ERR_IO, "cannot open %s: %s", file, strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (st.st_mode & 077) != 0) {
		close(fd);
		return ct_errinfo_set(ei, CT_ERR_UNSAFE_PATH,
				      "%s must be a regular file only its owner can read "
				      "(chmod 600)", file);
	}
	while ((got = read(fd, chunk, sizeof(chunk))) > 0)
		ct_buf_put(&b, chunk, (size_t)got);
	close(fd);
	ct_zap(chunk, sizeof(chunk));
	if (got < 0 || b.err != 0) {
		r = ct_errinfo_set(ei, b.err ? CT_ERR_TOO_LARGE : CT_ERR_IO,
				   "cannot read %s (at most %d bytes)", file, CLI_MAX_SECRET);
		goto out;
	}
	for (i = 0; i < b.len && b.data[i] != '\n'; i++)
		;
	if (i > 0 && b.data[i - 1] == '\r')
		i--;
	if (i == 0) {
		r = ct_errinfo_set(ei, CT_ERR_BAD_VALUE, "%s is empty", file);
		goto out;
	}
	b.len = i;
	ct_buf_put_u8(&b, 0);
	r = ct_buf_steal(&b, &p, &n);
	if (r == 0)
		*out = (char *)p;
out:
	ct_buf_free(&b);
	return r;
}

int cli_secret(const char *file, const char *prompt, bool hide,
	       const char *option, char **out, struct ct_errinfo *ei)
{
	struct termios saved, t;
	struct ct_buf b;
	bool restore = false;
	uint8_t *p = NULL;
	size_t n = 0;
	int ch, r;

	*out = NULL;
	if (file != NULL)
		return secret_from_file(file, out, ei);
	if (!cli_interactive())
		return ct_errinfo_set(ei, CT_ERR_USAGE,
				      "standard input is not a terminal: give %s", option);
	fputs(prompt, stderr);
	fflush(stderr);
	if (hide && tcgetattr(STDIN_FILENO, &saved) == 0) {
		t = saved;
		t.c_lflag &= ~(tcflag_t)ECHO;
		t.c_lflag |= ECHONL;
		restore = tcsetattr(STDIN_FILENO, TCSAFLUSH, &t) == 0;
	}
	ct_buf_init(&b, CLI_MAX_SECRET + 1);
	while ((ch = getchar()) != EOF && ch != '\n')
		ct_buf_put_u8(&b, (uint8_t)ch);
	if (restore)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
	if (b.err != 0) {
		r = ct_errinfo_set(ei, CT_ERR_TOO_LARGE, "input longer than %d bytes",
				   CLI_MAX_SECRET);
	} else if (b.len == 0) {
		r = ct_errinfo_set(ei, CT_ERR_CANCELLED, "nothing entered");
	} else {
		ct_buf_put_u8(&b, 0);
		r = ct_buf_steal(&b, &p, &n);
		if (r == 0)
			*out = (char *)p;
	}
	ct_buf_free(&b);
	return r;
}
