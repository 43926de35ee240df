/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Structured client events, the analogue of Windows' "User Device
 * Registration" event log: every join, enrollment, sign-in, exchange and
 * failure is one event of a kind with a stable numeric id and a stable
 * 128-bit MESSAGE_ID (as in systemd's catalog), so logs can be searched and
 * alerted on by id.
 *
 * An event goes to two places:
 *   - the system log: the journal when libsystemd is built in and journald
 *     answers (fields MESSAGE, MESSAGE_ID, PRIORITY, SYSLOG_IDENTIFIER=
 *     cloudtrust, CLOUDTRUST_EVENT=<id>, CLOUDTRUST_EVENT_NAME,
 *     CLOUDTRUST_USER, CLOUDTRUST_RESULT=<CT_ERR name>), else syslog(3) as
 *     "cloudtrust[<id>]: <name> user=<user> result=<RESULT>: <message>";
 *   - <state_dir>/events.jsonl, one JSON object per line (root, 0600),
 *     kept under CT_EVENTS_MAX_FILE bytes: past it, the newest half is kept
 *     by an atomic rewrite.  `cloudtrust events` reads it back.
 *
 * The API takes only a kind, a user name, a result code and a message the
 * caller formats: no PIN, key or token has a field to go into.  Control
 * characters in the user and message are replaced by '?'.
 */
#ifndef CT_CL_EVENTS_H
#define CT_CL_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "ct-error.h"

/* The events file's bound, its name, and the longest line the reader takes. */
#define CT_EVENTS_MAX_FILE (256 * 1024)
#define CT_EVENTS_FILE "events.jsonl"
#define CT_EVENTS_MAX_LINE 4096
/* Longest user name and message kept in an event (longer ones are cut). */
#define CT_EVENTS_MAX_USER 256
#define CT_EVENTS_MAX_MESSAGE 1024

/* The numeric ids are stable: never renumber, only add. */
enum ct_event_kind {
	CT_EVENT_JOIN = 101,
	CT_EVENT_LEAVE = 102,
	CT_EVENT_POLICY_FETCHED = 103,
	CT_EVENT_ENROLL = 201,
	CT_EVENT_ENROLL_FAILED = 202,
	CT_EVENT_PIN_CHANGE = 203,
	CT_EVENT_PIN_RESET = 204,
	CT_EVENT_KEY_LOCKED = 205,
	CT_EVENT_LOGON = 301,
	CT_EVENT_LOGON_FAILED = 302,
	CT_EVENT_OFFLINE_LOGON = 303,
	CT_EVENT_PRT_RENEWED = 304,
	CT_EVENT_EXCHANGE = 311,
	CT_EVENT_EXCHANGE_FAILED = 312,
	CT_EVENT_ERROR = 900,
};

/* "join", "logon_failed", ...; NULL for an unknown kind. */
const char *ct_event_name(enum ct_event_kind kind);
/* The 32-hex-digit MESSAGE_ID of a kind; NULL for an unknown kind. */
const char *ct_event_message_id(enum ct_event_kind kind);
/* syslog priority (LOG_NOTICE, LOG_WARNING, LOG_ERR) of a kind. */
int ct_event_priority(enum ct_event_kind kind);
/* Kind from its name or decimal id ("join", "101"); 0 when unknown. */
enum ct_event_kind ct_event_kind_from_name(const char *name);
/* Every kind in id order; *n gets the count. */
const enum ct_event_kind *ct_event_kinds(size_t *n);

/* Where events go besides the file. */
enum ct_events_syslog {
	CT_EVENTS_SYSLOG_AUTO = 0, /* the journal if it answers, else syslog */
	CT_EVENTS_SYSLOG_JOURNAL,  /* the journal only */
	CT_EVENTS_SYSLOG_SYSLOG,   /* syslog(3) only */
	CT_EVENTS_SYSLOG_NONE,     /* the file only (tests) */
};
/* Process-wide; default AUTO.  Not thread-safe: set it once at start. */
void ct_events_set_syslog(enum ct_events_syslog mode);

/*
 * Emits one event.  user may be NULL (device events); result_code is 0 or a
 * CT_ERR_* code (stored as its name).  state_dir NULL writes the system log
 * only; otherwise <state_dir> must exist (the file is created 0600, and
 * refused when it is a symlink or not owned by the caller).  Returns 0,
 * CT_ERR_INVALID_ARG for an unknown kind (nothing is written), or
 * CT_ERR_IO / CT_ERR_UNSAFE_PATH / CT_ERR_NOMEM when the file could not be
 * written (the system log still got the event).  Callers usually ignore
 * the result: a failed event must not fail a logon.  Thread-safe, and safe
 * across processes (appends and the rotation hold an flock).
 */
int ct_event_emit(const char *state_dir, enum ct_event_kind kind,
		  const char *user, int result_code, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* One event as read back. */
struct ct_event {
	int64_t time_us;          /* Unix microseconds */
	enum ct_event_kind kind;
	int result;               /* 0 or a CT_ERR_* code */
	char user[CT_EVENTS_MAX_USER + 1];  /* "" for device events */
	char message[CT_EVENTS_MAX_MESSAGE + 1];
};

/*
 * Parses one line of events.jsonl (without its newline).  Strict: an object
 * with exactly the members the writer writes, of the right types, a known
 * event id and result name, no control characters.  Returns 0,
 * CT_ERR_BAD_JSON, CT_ERR_BAD_VALUE, CT_ERR_TOO_LARGE.
 */
int ct_event_parse_line(const char *line, size_t len, struct ct_event *ev);

/* Formats one event as a line of events.jsonl (with '\n'); 0 or CT_ERR_TOO_LARGE. */
int ct_event_format_line(const struct ct_event *ev, char *out, size_t outlen);

/* Formats the syslog(3) text of an event (see above); 0 or CT_ERR_TOO_LARGE. */
int ct_event_format_syslog(const struct ct_event *ev, char *out, size_t outlen);

/* Called for each event read, oldest first; a nonzero return stops the walk
 * and becomes ct_events_read's result. */
typedef int (*ct_event_cb)(const struct ct_event *ev, void *ctx);

/*
 * Reads the newest `max` events (0: all) of <state_dir>/events.jsonl and
 * hands them to cb, oldest first.  Malformed lines are skipped and counted
 * in *skipped (may be NULL), never fatal.  A missing file is no events.
 * Returns 0, the callback's nonzero value, CT_ERR_IO, CT_ERR_PERMISSION
 * (not readable by the caller: the file is root's), CT_ERR_NOMEM.
 */
int ct_events_read(const char *state_dir, size_t max, ct_event_cb cb,
		   void *ctx, size_t *skipped, struct ct_errinfo *ei);

/* ct_events_read over bytes in memory (for the fuzzer and tests). */
int ct_events_read_buf(const char *text, size_t len, size_t max,
		       ct_event_cb cb, void *ctx, size_t *skipped);

#endif
