/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Daemon logging: stderr or syslog, per call site rate limits, audit lines
 * (see log.h).  One mutex serialises all output, so lines never interleave
 * and the rate-limit state needs no atomics of its own.
 */
#include "log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "ct-error.h"
#include "ct-file.h"
#include "ct-limits.h"

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static enum ct_log_target log_target = CT_LOG_TO_STDERR;
static int log_level = CT_LOG_INFO; /* read without the lock: atomics */
static bool log_journal;
static char log_ident[32] = "cloudtrustd";

static const char *const level_names[] = {
	[CT_LOG_ERR] = "error",
	[CT_LOG_WARNING] = "warning",
	[CT_LOG_NOTICE] = "notice",
	[CT_LOG_INFO] = "info",
	[CT_LOG_DEBUG] = "debug",
};

/* A line being built; output past CT_LOG_MAX_LINE is cut, never split mid-escape. */
struct line {
	char buf[CT_LOG_MAX_LINE];
	size_t len;
	bool cut;
};

static void line_put(struct line *l, const char *s, size_t n)
{
	if (l->cut || n >= sizeof(l->buf) - l->len) {
		l->cut = true;
		return;
	}
	memcpy(l->buf + l->len, s, n);
	l->len += n;
	l->buf[l->len] = '\0';
}

static void line_puts(struct line *l, const char *s)
{
	line_put(l, s, strlen(s));
}

/*
 * Appends n bytes of s, escaping control characters as \xNN; for audit
 * values also '"', '\' and every byte outside ASCII, so a quoted value has
 * exactly one reading.
 */
static void line_put_escaped(struct line *l, const char *s, size_t n, bool audit)
{
	unsigned char c;
	char esc[5];
	size_t i;

	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (audit && (c == '"' || c == '\\')) {
			esc[0] = '\\';
			esc[1] = (char)c;
			line_put(l, esc, 2);
		} else if (c < 0x20 || c == 0x7f || (audit && c >= 0x80)) {
			snprintf(esc, sizeof(esc), "\\x%02x", c);
			line_put(l, esc, 4);
		} else {
			line_put(l, (const char *)&c, 1);
		}
	}
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* JOURNAL_STREAM is "DEV:INODE" of the journal's stream; it only counts if fd 2 is it. */
static bool stderr_is_journal(void)
{
	const char *env = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat sb;

	if (env == NULL || sscanf(env, "%llu:%llu", &dev, &ino) != 2)
		return false;
	if (fstat(STDERR_FILENO, &sb) != 0)
		return false;
	return (unsigned long long)sb.st_dev == dev && (unsigned long long)sb.st_ino == ino;
}

/* Writes one finished line; the caller holds log_lock. */
static void emit(int level, bool audit, const char *text)
{
	char out[CT_LOG_MAX_LINE + 128], ts[32];
	const char *prefix = "";
	struct tm tm;
	time_t now;
	int n;

	if (log_target == CT_LOG_TO_SYSLOG) {
		syslog(audit ? (LOG_AUTHPRIV | LOG_NOTICE) : level, "%s", text);
		return;
	}
	if (!audit && (level <= CT_LOG_WARNING || level == CT_LOG_DEBUG))
		prefix = level == CT_LOG_ERR ? "error: " :
			 level == CT_LOG_WARNING ? "warning: " : "debug: ";
	if (log_journal) {
		n = snprintf(out, sizeof(out), "<%d>%s%s\n", level, prefix, text);
	} else {
		now = time(NULL);
		gmtime_r(&now, &tm);
		strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
		n = snprintf(out, sizeof(out), "%s %s[%ld]: %s%s\n", ts, log_ident,
			     (long)getpid(), prefix, text);
	}
	/* A failed write has nowhere left to be reported. */
	if (n > 0)
		(void)ct_write_all(STDERR_FILENO, out,
				   (size_t)n < sizeof(out) ? (size_t)n : sizeof(out) - 1);
}

void ct_log_open(enum ct_log_target target, int level, const char *ident)
{
	pthread_mutex_lock(&log_lock);
	if (ident != NULL)
		snprintf(log_ident, sizeof(log_ident), "%s", ident);
	log_journal = stderr_is_journal();
	if (log_target == CT_LOG_TO_SYSLOG)
		closelog();
	log_target = target;
	if (target == CT_LOG_TO_SYSLOG)
		openlog(log_ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	__atomic_store_n(&log_level, level, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&log_lock);
}

void ct_log_reopen(void)
{
	pthread_mutex_lock(&log_lock);
	log_journal = stderr_is_journal();
	if (log_target == CT_LOG_TO_SYSLOG) {
		closelog();
		openlog(log_ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	}
	pthread_mutex_unlock(&log_lock);
}

void ct_log_close(void)
{
	pthread_mutex_lock(&log_lock);
	if (log_target == CT_LOG_TO_SYSLOG)
		closelog();
	log_target = CT_LOG_TO_STDERR;
	pthread_mutex_unlock(&log_lock);
}

void ct_log_set_level(int level)
{
	__atomic_store_n(&log_level, level, __ATOMIC_RELAXED);
}

int ct_log_get_level(void)
{
	return __atomic_load_n(&log_level, __ATOMIC_RELAXED);
}

bool ct_log_is_journal(void)
{
	bool j;

	pthread_mutex_lock(&log_lock);
	j = log_journal;
	pthread_mutex_unlock(&log_lock);
	return j;
}

int ct_log_level_parse(const char *name, int *level)
{
	static const struct {
		const char *name;
		int level;
	} aliases[] = {{"err", CT_LOG_ERR}, {"warn", CT_LOG_WARNING}};
	size_t i;

	for (i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
		if (level_names[i] != NULL && strcasecmp(name, level_names[i]) == 0) {
			*level = (int)i;
			return 0;
		}
	}
	for (i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++) {
		if (strcasecmp(name, aliases[i].name) == 0) {
			*level = aliases[i].level;
			return 0;
		}
	}
	return CT_ERR_BAD_VALUE;
}

const char *ct_log_level_name(int level)
{
	if (level < 0 || (size_t)level >= sizeof(level_names) / sizeof(level_names[0]) ||
	    level_names[level] == NULL)
		return "?";
	return level_names[level];
}

/* Takes a token from the site's bucket; false when the site is over its rate. */
static bool site_allow(struct ct_log_site *site)
{
	const long long full = CT_LOG_BURST * 1000LL;
	long long now = now_ms();

	if (!site->primed) {
		site->primed = true;
		site->tokens_milli = full;
		site->last_ms = now;
	}
	/* CT_LOG_RATE tokens per second is CT_LOG_RATE milli-tokens per ms. */
	site->tokens_milli += (now - site->last_ms) * CT_LOG_RATE;
	if (site->tokens_milli > full)
		site->tokens_milli = full;
	site->last_ms = now;
	if (site->tokens_milli < 1000) {
		site->suppressed++;
		return false;
	}
	site->tokens_milli -= 1000;
	return true;
}

void ct_log_at(struct ct_log_site *site, int level, const char *fmt, ...)
{
	char raw[CT_LOG_MAX_LINE];
	struct line l = {.len = 0};
	va_list ap;
	int n;

	if (level > ct_log_get_level())
		return;
	va_start(ap, fmt);
	n = vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	line_put_escaped(&l, raw, strnlen(raw, sizeof(raw)), false);
	pthread_mutex_lock(&log_lock);
	if (site_allow(site)) {
		if (site->suppressed > 0) {
			char note[96];

			snprintf(note, sizeof(note), "suppressed %lu messages from %s:%d",
				 site->suppressed, site->file, site->line);
			emit(CT_LOG_WARNING, false, note);
			site->suppressed = 0;
		}
		emit(level, false, l.buf);
	}
	pthread_mutex_unlock(&log_lock);
}

static void audit_value(struct line *l, const char *s, size_t n)
{
	static const char bare[] = "._:/@+,-";
	bool quote = n == 0 || (n == 1 && s[0] == '-') || n > CT_LOG_MAX_AUDIT_VALUE;
	size_t i;

	for (i = 0; i < n && !quote; i++) {
		unsigned char c = (unsigned char)s[i];

		quote = !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || (c != 0 && strchr(bare, c) != NULL));
	}
	if (!quote) {
		line_put(l, s, n);
		return;
	}
	line_put(l, "\"", 1);
	line_put_escaped(l, s, n > CT_LOG_MAX_AUDIT_VALUE ? CT_LOG_MAX_AUDIT_VALUE : n, true);
	if (n > CT_LOG_MAX_AUDIT_VALUE)
		line_put(l, "...", 3);
	line_put(l, "\"", 1);
}

/*
 * Formats one conversion (spec, n bytes, starting with '%') from ap into l.
 * Returns 0, or CT_ERR_BAD_VALUE for a conversion audit lines do not take.
 */
static int audit_conversion(struct line *l, const char *spec, size_t n, va_list *ap)
{
	char mod[3] = "", num[32];
	size_t mlen;
	char conv;
	const char *s;
	bool sgn;

	if (n < 2 || n > 4)
		return CT_ERR_BAD_VALUE;
	mlen = n - 2;
	conv = spec[n - 1];
	memcpy(mod, spec + 1, mlen);
	if (strcmp(mod, "") != 0 && strcmp(mod, "l") != 0 && strcmp(mod, "ll") != 0 &&
	    strcmp(mod, "z") != 0 && strcmp(mod, "j") != 0)
		return CT_ERR_BAD_VALUE;
	if (conv == 's') {
		if (mlen != 0)
			return CT_ERR_BAD_VALUE;
		s = va_arg(*ap, const char *);
		if (s == NULL)
			line_put(l, "-", 1);
		else
			audit_value(l, s, strlen(s));
		return 0;
	}
	if (conv == '\0' || strchr("diux", conv) == NULL)
		return CT_ERR_BAD_VALUE;
	sgn = conv == 'd' || conv == 'i';
	/* Read the argument at its promoted type, then print it widened. */
	if (mlen == 0) {
		if (sgn)
			snprintf(num, sizeof(num), "%d", va_arg(*ap, int));
		else
			snprintf(num, sizeof(num), conv == 'x' ? "%x" : "%u", va_arg(*ap, unsigned));
	} else if (mod[0] == 'l' && mlen == 1) {
		if (sgn)
			snprintf(num, sizeof(num), "%ld", va_arg(*ap, long));
		else
			snprintf(num, sizeof(num), conv == 'x' ? "%lx" : "%lu",
				 va_arg(*ap, unsigned long));
	} else if (mod[0] == 'l') {
		if (sgn)
			snprintf(num, sizeof(num), "%lld", va_arg(*ap, long long));
		else
			snprintf(num, sizeof(num), conv == 'x' ? "%llx" : "%llu",
				 va_arg(*ap, unsigned long long));
	} else if (mod[0] == 'z') {
		if (sgn)
			snprintf(num, sizeof(num), "%zd", va_arg(*ap, ssize_t));
		else
			snprintf(num, sizeof(num), conv == 'x' ? "%zx" : "%zu", va_arg(*ap, size_t));
	} else {
		if (sgn)
			snprintf(num, sizeof(num), "%jd", va_arg(*ap, intmax_t));
		else
			snprintf(num, sizeof(num), conv == 'x' ? "%jx" : "%ju",
				 va_arg(*ap, uintmax_t));
	}
	line_puts(l, num);
	return 0;
}

/* Appends " key=VALUE" for one token of an audit format; CT_ERR_BAD_VALUE if malformed. */
static int audit_token(struct line *l, const char *tok, size_t n, va_list *ap)
{
	const char *eq = memchr(tok, '=', n), *val, *pct;
	size_t klen, vlen, i;

	if (eq == NULL || eq == tok)
		return CT_ERR_BAD_VALUE;
	klen = (size_t)(eq - tok);
	for (i = 0; i < klen; i++) {
		char c = tok[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.'))
			return CT_ERR_BAD_VALUE;
	}
	val = eq + 1;
	vlen = n - klen - 1;
	line_put(l, " ", 1);
	line_put(l, tok, klen + 1);
	pct = memchr(val, '%', vlen);
	if (pct == NULL) {
		audit_value(l, val, vlen);
		return 0;
	}
	if (pct != val)
		return CT_ERR_BAD_VALUE;
	return audit_conversion(l, val, vlen, ap);
}

void ct_log_audit(const char *kv_fmt, ...)
{
	/* Room kept for the marker of a cut line; whole tokens or nothing. */
	static const char cut_mark[] = " truncated=yes";
	struct line l = {.len = 0}, tok;
	const char *p = kv_fmt, *end;
	va_list ap;
	int r = 0;

	line_puts(&l, "audit:");
	va_start(ap, kv_fmt);
	while (*p != '\0' && r == 0) {
		if (*p == ' ') {
			p++;
			continue;
		}
		end = strchr(p, ' ');
		if (end == NULL)
			end = p + strlen(p);
		tok.len = 0;
		tok.cut = false;
		r = audit_token(&tok, p, (size_t)(end - p), &ap);
		p = end;
		if (r == 0 && !l.cut && tok.len + sizeof(cut_mark) < sizeof(l.buf) - l.len)
			line_put(&l, tok.buf, tok.len);
		else
			l.cut = true; /* later tokens still consume their arguments */
	}
	va_end(ap);
	if (r != 0) {
		l.len = 0;
		l.cut = false;
		line_puts(&l, "audit: audit_format_error=");
		audit_value(&l, kv_fmt, strlen(kv_fmt));
	}
	if (l.cut) {
		l.cut = false;
		line_puts(&l, cut_mark);
	}
	pthread_mutex_lock(&log_lock);
	emit(CT_LOG_NOTICE, true, l.buf);
	pthread_mutex_unlock(&log_lock);
}
