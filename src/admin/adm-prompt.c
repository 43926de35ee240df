/* SPDX-License-Identifier: Apache-2.0 */
#include "adm-prompt.h"

#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <termios.h>

#include "ct-buf.h"
#include "ct-secret.h"

/* Turns echo off on in's terminal; returns whether it must be restored. */
static bool echo_off(FILE *in, struct termios *saved)
{
	struct termios t;
	int fd = fileno(in);

	if (fd < 0 || tcgetattr(fd, saved) != 0)
		return false;
	t = *saved;
	t.c_lflag &= ~(tcflag_t)ECHO;
	t.c_lflag |= ECHONL;
	return tcsetattr(fd, TCSAFLUSH, &t) == 0;
}

int adm_prompt_line(const struct adm_io *io, const char *prompt, bool hide,
		    size_t max, char **out, struct ct_errinfo *ei)
{
	struct termios saved;
	struct ct_buf b;
	bool restore = false;
	uint8_t *p = NULL;
	size_t n = 0;
	int ch, r;

	*out = NULL;
	ct_buf_init(&b, max + 1);
	if (io->in_tty) {
		fputs(prompt, io->err);
		fflush(io->err);
		restore = hide && echo_off(io->in, &saved);
	}
	while ((ch = getc(io->in)) != EOF && ch != '\n')
		ct_buf_put_u8(&b, (uint8_t)ch);
	if (restore)
		tcsetattr(fileno(io->in), TCSAFLUSH, &saved);
	if (b.err != 0) {
		r = ct_errinfo_set(ei, CT_ERR_TOO_LARGE, "input longer than %zu bytes",
				   max);
		goto out;
	}
	if (ch == EOF && (b.len == 0 || ferror(io->in))) {
		r = ct_errinfo_set(ei, CT_ERR_IO, "no input");
		goto out;
	}
	ct_buf_put_u8(&b, 0);
	r = ct_buf_steal(&b, &p, &n);
	if (r == 0)
		*out = (char *)p;
out:
	ct_buf_free(&b);
	return r;
}

int adm_confirm(const struct adm_io *io, bool yes, const char *question,
		struct ct_errinfo *ei)
{
	char prompt[512], *answer = NULL;
	bool ok;
	int r;

	if (yes)
		return 0;
	if (!io->in_tty)
		return ct_errinfo_set(ei, CT_ERR_USAGE,
				      "input is not a terminal, so \"%s\" cannot be asked: "
				      "give --yes", question);
	snprintf(prompt, sizeof(prompt), "%s [y/N] ", question);
	r = adm_prompt_line(io, prompt, false, 64, &answer, ei);
	ok = r == 0 && (strcasecmp(answer, "y") == 0 || strcasecmp(answer, "yes") == 0);
	ct_erase_free_str(answer);
	if (!ok)
		return ct_errinfo_set(ei, CT_ERR_CANCELLED,
				      "not confirmed; nothing changed");
	return 0;
}
