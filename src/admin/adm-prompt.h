/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Questions to the person at the terminal: a line (optionally without
 * echo, for passwords) and the confirmation that guards remove commands.
 */
#ifndef CT_ADM_PROMPT_H
#define CT_ADM_PROMPT_H

#include <stdbool.h>
#include <stddef.h>

#include "adm.h"

/*
 * Prints prompt to io->err (when io->in is a terminal) and reads one line
 * of at most max bytes from io->in, without its newline, into a new string
 * the caller frees with ct_erase_free_str (it may be a secret).  With hide
 * and a terminal, echo is off while reading.  Returns 0, CT_ERR_IO (end of
 * input before a newline with nothing read, read error), CT_ERR_TOO_LARGE
 * or CT_ERR_NOMEM.
 */
int adm_prompt_line(const struct adm_io *io, const char *prompt, bool hide,
		    size_t max, char **out, struct ct_errinfo *ei);

/*
 * Asks "question [y/N] " before a destructive command.  yes (--yes) skips
 * the question.  Returns 0 to go ahead; CT_ERR_USAGE when io->in is not a
 * terminal (scripts must say --yes); CT_ERR_CANCELLED unless the answer is
 * "y" or "yes".
 */
int adm_confirm(const struct adm_io *io, bool yes, const char *question,
		struct ct_errinfo *ei);

#endif
