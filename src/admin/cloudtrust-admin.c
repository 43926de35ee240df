/* SPDX-License-Identifier: Apache-2.0 */
/* cloudtrust-admin: the administrator's command (see cloudtrust-admin(8)). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "adm-mem.h"
#include "adm.h"

static const char *env(const char *name)
{
	return getenv(name);
}

int main(int argc, char **argv)
{
	const char *term = getenv("TERM"), *no_color = getenv("NO_COLOR");
	struct adm_io io = {
		.out = stdout,
		.err = stderr,
		.in = stdin,
		.in_tty = isatty(STDIN_FILENO) == 1,
		.color = isatty(STDOUT_FILENO) == 1 &&
			 (no_color == NULL || no_color[0] == '\0') &&
			 term != NULL && strcmp(term, "dumb") != 0,
		.getenv = env,
	};

	/* No stdio buffer may keep a copy of a password read from stdin. */
	setvbuf(stdin, NULL, _IONBF, 0);
	if (adm_mem_install() != 0) {
		fputs("cloudtrust-admin: cannot initialise libcurl\n", stderr);
		return ADM_EXIT_ERROR;
	}
	return adm_main(argc, argv, &io);
}
