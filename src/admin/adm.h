/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cloudtrust-admin: what every module of the command shares.  The program
 * is a static library (so the unit tests drive it) plus a two-line main.
 *
 * Commands return 0 or a negative CT_ERR_* code with the detail in a
 * struct ct_errinfo; adm_main() prints it once and maps the code to the
 * exit status (adm_exit_status).
 */
#ifndef CT_ADM_H
#define CT_ADM_H

#include <stdbool.h>
#include <stdio.h>

#include "ct-error.h"

/* Exit statuses, documented in cloudtrust-admin(8). */
enum {
	ADM_EXIT_OK = 0,
	ADM_EXIT_ERROR = 1,        /* the server refused, or could not be reached */
	ADM_EXIT_USAGE = 2,
	ADM_EXIT_NOT_FOUND = 3,    /* HTTP 404 */
	ADM_EXIT_CONFLICT = 4,     /* HTTP 409 */
	ADM_EXIT_UNAUTHORIZED = 5, /* HTTP 401 */
};

/* Where the program reads and writes; the unit tests substitute files. */
struct adm_io {
	FILE *out;   /* results: tables or JSON */
	FILE *err;   /* errors, warnings, prompts */
	FILE *in;    /* --password-stdin and confirmations */
	bool in_tty; /* in is a terminal: prompt, and turn echo off */
	bool color;  /* out may carry ANSI attributes (a terminal, NO_COLOR unset) */
	const char *(*getenv)(const char *name);
};

/* The global options, with the environment and built-in defaults applied. */
struct adm_global {
	const char *server;
	const char *token_file;
	const char *cacert;
	long timeout_s;
	bool json;
	bool help;
	bool version;
};

struct adm_http;

struct adm_ctx {
	const struct adm_io *io;
	struct adm_global g;
	struct adm_http *http; /* made at the first request (it reads the token) */
};

struct adm_args;

/* An option of one command: a flag when metavar is NULL. */
struct adm_opt {
	const char *name; /* without the leading "--" */
	const char *metavar;
};

/*
 * One command: the words that name it ("user mfa enroll"), the number of
 * positional arguments it takes, its options (terminated by a NULL name)
 * and the function that runs it.
 */
struct adm_command {
	const char *words;
	unsigned npos;
	const struct adm_opt *opts;
	const char *synopsis; /* what follows the words in the usage line */
	const char *summary;
	int (*run)(struct adm_ctx *c, const struct adm_args *a, struct ct_errinfo *ei);
	const void *data; /* for run: what a table-driven command does */
};

/* The command groups; each table ends with an entry whose words are NULL. */
extern const struct adm_command adm_cmds_tenant[];
extern const struct adm_command adm_cmds_user[];
extern const struct adm_command adm_cmds_group[];
extern const struct adm_command adm_cmds_device[];
extern const struct adm_command adm_cmds_policy[];
extern const struct adm_command adm_cmds_kerberos[];
extern const struct adm_command adm_cmds_audit[];

/* All groups, NULL-terminated, in the order usage lists them. */
extern const struct adm_command *const adm_command_groups[];

/* Maps 0 or a CT_ERR_* code to the exit status. */
int adm_exit_status(int err);

/*
 * Runs the command line argv (argv[0] is the program name) with the given
 * streams; returns the exit status.  Errors are printed to io->err.
 */
int adm_main(int argc, char **argv, const struct adm_io *io);

#endif
