/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The cloudtrust command: shared declarations of its modules.
 *
 *   cloudtrust.c   options, dispatch, the commands
 *   cli-input.c    questions at the terminal and secrets from files
 *   cli-print.c    status (dsregcmd-like text), events, doctor lines
 */
#ifndef CT_CLI_H
#define CT_CLI_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "cl-events.h"
#include "client.h"
#include "ct-error.h"

/* Exit statuses (docs/man/cloudtrust.1, EXIT STATUS). */
enum {
	CLI_EXIT_OK = 0,
	CLI_EXIT_FAILURE = 1,
	CLI_EXIT_USAGE = 2,
	CLI_EXIT_PIN_WRONG = 3,
	CLI_EXIT_PIN_LOCKED = 4,
	CLI_EXIT_NOT_JOINED = 5,     /* also: the user is not enrolled */
	CLI_EXIT_UNREACHABLE = 6,    /* the server cannot be reached or verified */
	CLI_EXIT_DC_REFUSED = 7,
	CLI_EXIT_REFUSED = 8,        /* the server refused */
	CLI_EXIT_POLICY = 9,         /* the policy forbids it (incl. PIN rules) */
	CLI_EXIT_DOCTOR = 10,        /* a doctor check failed */
};

/* The exit status for a CT_ERR_* code. */
int cli_exit_status(int err);

/* Longest password, code and PIN line read. */
#define CLI_MAX_SECRET 1024

/*
 * A secret: the first line of file when given (the file must not be
 * readable by group or others), else asked at the terminal with echo off
 * (hide) or on.  Without a terminal and without a file: CT_ERR_USAGE
 * naming the option to give.  *out is freed with ct_erase_free_str.
 */
int cli_secret(const char *file, const char *prompt, bool hide,
	       const char *option, char **out, struct ct_errinfo *ei);

/* True when standard input is a terminal. */
bool cli_interactive(void);

/* Status as text, sections like dsregcmd /status. */
void cli_print_status(FILE *f, const json_t *st);

/* One event line ("2025-11-25T10:00:00Z join alice OK: ..."). */
void cli_print_event(FILE *f, const struct ct_event *ev);

/* One doctor line ("[ OK ] server reachable: ..."). */
void cli_print_check(FILE *f, const struct ct_doctor_check *chk);

/* "2025-11-25T10:00:00Z" (UTC). */
void cli_time(time_t t, char *out, size_t outlen);

#endif
