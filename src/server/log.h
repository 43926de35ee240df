/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The daemon's one logging module.  Libraries never log: they return a code
 * and a struct ct_errinfo, and the daemon code that handles the error logs it
 * here, once.
 *
 * Two streams:
 * - ct_log(): operational messages with a syslog level, to stderr (in the
 *   foreground; with a "<N>" level prefix and no timestamp when stderr is the
 *   journal, i.e. JOURNAL_STREAM names it) or to syslog (LOG_DAEMON).  Each
 *   call site has its own token bucket (CT_LOG_BURST lines, refilled at
 *   CT_LOG_RATE per second); what it drops is counted and reported as
 *   "suppressed N messages" before its next line.  Control characters in
 *   messages are escaped, so a client cannot forge a log line.
 * - ct_log_audit(): stable "audit: key=value ..." lines for every decision
 *   that grants or refuses access; never rate-limited, syslog facility
 *   LOG_AUTHPRIV.
 *
 * NEVER pass a secret to either (keys, passwords, PINs, TOTP codes, tokens,
 * session keys, nonces still valid): log a short fingerprint or an id.
 * All functions are thread-safe.
 */
#ifndef CT_LOG_H
#define CT_LOG_H

#include <stdbool.h>

/* The syslog(3) priorities, so they pass straight through. */
enum ct_log_level {
	CT_LOG_ERR = 3,
	CT_LOG_WARNING = 4,
	CT_LOG_NOTICE = 5,
	CT_LOG_INFO = 6,
	CT_LOG_DEBUG = 7,
};

enum ct_log_target {
	CT_LOG_TO_STDERR,
	CT_LOG_TO_SYSLOG,
};

/* Per call site token bucket: burst, and lines per second after it. */
#define CT_LOG_BURST 20
#define CT_LOG_RATE 10

/* State of one call site; ct_log() declares one static per call. */
struct ct_log_site {
	const char *file;
	int line;
	bool primed;
	long long tokens_milli;
	long long last_ms;
	unsigned long suppressed;
};

/*
 * Starts logging to target at level (lines above it are dropped); ident
 * (copied, truncated to 31 bytes) names the program in syslog and plain
 * stderr lines.  Before any call, logging goes to stderr at CT_LOG_INFO.
 */
void ct_log_open(enum ct_log_target target, int level, const char *ident);
/* Reconnects to syslog (for SIGHUP, after a syslog restart); call from normal context. */
void ct_log_reopen(void);
/* Closes syslog; later lines go to stderr. */
void ct_log_close(void);
void ct_log_set_level(int level);
int ct_log_get_level(void);
/* True when stderr lines are read by the journal (JOURNAL_STREAM matches fd 2). */
bool ct_log_is_journal(void);

/*
 * Parses "error", "warning", "notice", "info" or "debug" (or "err", "warn")
 * into *level.  Returns 0 or CT_ERR_BAD_VALUE.
 */
int ct_log_level_parse(const char *name, int *level);
/* Returns the name of a level ("warning"), or "?" for others. */
const char *ct_log_level_name(int level);

/* Logs one line from a call site (use ct_log()). */
void ct_log_at(struct ct_log_site *site, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define ct_log(level, ...)                                                   \
	do {                                                                 \
		static struct ct_log_site ct_log_site_ = {__FILE__, __LINE__,  \
							  false, 0, 0, 0};   \
		ct_log_at(&ct_log_site_, (level), __VA_ARGS__);              \
	} while (0)

/*
 * Writes one audit line.  kv_fmt is a space-separated list of key=VALUE
 * tokens: key is [a-z0-9_.]+, VALUE is literal text or exactly one
 * conversion: %s, or %d %i %u %x with an optional l, ll, z or j modifier.  Each value is emitted bare when it is only [A-Za-z0-9._:/@+,-]
 * (and not "-"), else double-quoted with \" \\ and \xNN escapes; a NULL %s
 * is written as -; values longer than CT_LOG_MAX_AUDIT_VALUE end in "...".
 * Example: ct_log_audit("event=prt_issued user=%s device=%s result=ok",
 * upn, device_id).  A malformed kv_fmt writes audit_format_error=... instead.
 */
void ct_log_audit(const char *kv_fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
