/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The command line: global options (accepted before and after the command
 * words), the command words, then the command's positional arguments and
 * options in any order.  Options are long only ("--name VALUE" or
 * "--name=VALUE"; "-h" is "--help"); "--" ends the options.  No I/O here.
 */
#ifndef CT_ADM_ARGS_H
#define CT_ADM_ARGS_H

#include <stdbool.h>
#include <stdio.h>

#include "adm.h"

#define ADM_MAX_POS 4
#define ADM_MAX_OPTS 16

struct adm_args {
	const struct adm_command *cmd; /* NULL only with --help and no command */
	const char *pos[ADM_MAX_POS];
	const char *val[ADM_MAX_OPTS]; /* by index in cmd->opts; "" for a set flag */
	const char *group;             /* with --help: a group word given alone */
};

/*
 * Parses argv[1..argc) against the NULL-terminated command groups.  g holds
 * the defaults on entry; the global options given override them.  Strings
 * in g and a borrow from argv.  Returns 0, or CT_ERR_USAGE with the reason
 * in ei (unknown command or option, missing value, an option given twice,
 * the wrong number of arguments, a bad --timeout).  With --help, a missing
 * or partial command is not an error.  On error *g and *a are unspecified.
 */
int adm_args_parse(int argc, char *const *argv,
		   const struct adm_command *const *groups,
		   struct adm_global *g, struct adm_args *a,
		   struct ct_errinfo *ei);

/* The value of the command option name, or NULL when it was not given. */
const char *adm_arg(const struct adm_args *a, const char *name);

/* Whether the command flag name was given. */
bool adm_arg_flag(const struct adm_args *a, const char *name);

/*
 * Parses a decimal number in [min, max] (digits only: no sign, spaces or
 * base prefix).  Returns 0 or CT_ERR_BAD_VALUE; *out is set only on success.
 */
int adm_parse_ulong(const char *s, unsigned long min, unsigned long max,
		    unsigned long *out);

/*
 * Like adm_parse_ulong for the value of option name, which must be set;
 * gives CT_ERR_USAGE naming the option and the range otherwise.
 */
int adm_arg_ulong(const struct adm_args *a, const char *name,
		  unsigned long min, unsigned long max, unsigned long *out,
		  struct ct_errinfo *ei);

/*
 * Prints usage to f: of one command when cmd is set, of the commands whose
 * first word is group when that is set, else of everything.
 */
void adm_usage(FILE *f, const struct adm_command *const *groups,
	       const struct adm_command *cmd, const char *group);

#endif
