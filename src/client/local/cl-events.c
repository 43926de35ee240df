/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Structured client events (see cl-events.h): the kind table, the system log
 * (journal or syslog), the bounded events.jsonl file and its strict reader.
 */
#include "cl-events.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#ifdef CT_HAVE_SD_JOURNAL
#define SD_JOURNAL_SUPPRESS_LOCATION
#include <systemd/sd-journal.h>
#endif

#include "ct-file.h"
#include "ct-utf8.h"
#include "strict-json.h"

/* The MESSAGE_IDs are stable, like the numeric ids: never change one. */
static const struct kind_info {
	enum ct_event_kind kind;
	const char *name;
	const char *message_id;
	int priority;
} kinds[] = {
	{CT_EVENT_JOIN, "join", "128f4c51547ae8c9ef5f2278f2782a29", LOG_NOTICE},
	{CT_EVENT_LEAVE, "leave", "cf2a3637503639d027ef0ba780270911", LOG_NOTICE},
	{CT_EVENT_POLICY_FETCHED, "policy_fetched", "56cd3a067391426eb562ebd28ce57adf",
	 LOG_INFO},
	{CT_EVENT_ENROLL, "enroll", "5e4dea39b130e503620853413ad2fcbd", LOG_NOTICE},
	{CT_EVENT_ENROLL_FAILED, "enroll_failed", "9488a5d663242949e7419b1da74a266a",
	 LOG_WARNING},
	{CT_EVENT_PIN_CHANGE, "pin_change", "2457b44d4abe4554a274666441e4266d", LOG_NOTICE},
	{CT_EVENT_PIN_RESET, "pin_reset", "5765c791faed9244eebc7170d5759c8f", LOG_NOTICE},
	{CT_EVENT_KEY_LOCKED, "key_locked", "528804b62736374b64bd009675eb6dda", LOG_WARNING},
	{CT_EVENT_LOGON, "logon", "5bb81dca7c85fcfe8378d276f9ed34d5", LOG_NOTICE},
	{CT_EVENT_LOGON_FAILED, "logon_failed", "e4f358b57c1b2c7c6c5e5f7b1e987751",
	 LOG_WARNING},
	{CT_EVENT_OFFLINE_LOGON, "offline_logon", "afdef0cdc92bdbb557d2a8d465ef9406",
	 LOG_NOTICE},
	{CT_EVENT_PRT_RENEWED, "prt_renewed", "40c210a867c8bf7d660e13bcfad6a9f2", LOG_INFO},
	{CT_EVENT_EXCHANGE, "exchange", "3260bb536ae89b8f044f4d7da6b3bb1c", LOG_NOTICE},
	{CT_EVENT_EXCHANGE_FAILED, "exchange_failed", "9a21a8d5875e48eb7cc51d556f50f1ee",
	 LOG_WARNING},
	{CT_EVENT_ERROR, "error", "4fc616479c52dfb0c35633f994eed08e", LOG_ERR},
};

#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

static enum ct_events_syslog syslog_mode = CT_EVENTS_SYSLOG_AUTO;

static const struct kind_info *kind_find(enum ct_event_kind kind)
{
	size_t i;

	for (i = 0; i < NKINDS; i++)
		if (kinds[i].kind == kind)
			return &kinds[i];
	return NULL;
}

const char *ct_event_name(enum ct_event_kind kind)
{
	const struct kind_info *k = kind_find(kind);

	return k != NULL ? k->name : NULL;
}

const char *ct_event_message_id(enum ct_event_kind kind)
{
	const struct kind_info *k = kind_find(kind);

	return k != NULL ? k->message_id : NULL;
}

int ct_event_priority(enum ct_event_kind kind)
{
	const struct kind_info *k = kind_find(kind);

	return k != NULL ? k->priority : LOG_ERR;
}

enum ct_event_kind ct_event_kind_from_name(const char *name)
{
	char *end;
	long id;
	size_t i;

	for (i = 0; i < NKINDS; i++)
		if (strcmp(kinds[i].name, name) == 0)
			return kinds[i].kind;
	if (name[0] < '0' || name[0] > '9')
		return 0;
	id = strtol(name, &end, 10);
	if (*end != '\0' || id > INT_MAX || kind_find((enum ct_event_kind)id) == NULL)
		return 0;
	return (enum ct_event_kind)id;
}

const enum ct_event_kind *ct_event_kinds(size_t *n)
{
	static const enum ct_event_kind list[] = {
		CT_EVENT_JOIN, CT_EVENT_LEAVE, CT_EVENT_POLICY_FETCHED, CT_EVENT_ENROLL,
		CT_EVENT_ENROLL_FAILED, CT_EVENT_PIN_CHANGE, CT_EVENT_PIN_RESET,
		CT_EVENT_KEY_LOCKED, CT_EVENT_LOGON, CT_EVENT_LOGON_FAILED,
		CT_EVENT_OFFLINE_LOGON, CT_EVENT_PRT_RENEWED, CT_EVENT_EXCHANGE,
		CT_EVENT_EXCHANGE_FAILED, CT_EVENT_ERROR,
	};
	_Static_assert(sizeof(list) / sizeof(list[0]) == NKINDS, "list every kind");

	*n = NKINDS;
	return list;
}

void ct_events_set_syslog(enum ct_events_syslog mode)
{
	syslog_mode = mode;
}

/* The CT_ERR_* code of a name from ct_errname ("OK" is 0); 1 when unknown. */
static int result_from_name(const char *name)
{
	int c;

	if (strcmp(name, "OK") == 0)
		return 0;
	for (c = CT_ERR_BASE_ + 1; c < CT_ERR_END_; c++)
		if (strcmp(ct_errname(c), name) == 0)
			return c;
	return 1;
}

/*
 * Copies src into dst (cap bytes, NUL included), replacing control
 * characters and bytes that are not UTF-8 by '?', and cutting at a
 * character boundary.
 */
static void sanitize(char *dst, size_t cap, const char *src)
{
	const unsigned char *s = (const unsigned char *)(src != NULL ? src : "");
	size_t used = 0, n;

	while (*s != '\0') {
		n = ct_utf8_seq_len(s);
		if (n == 0 || *s < 0x20 || *s == 0x7f ||
		    (n == 2 && s[0] == 0xc2 && s[1] < 0xa0)) {
			if (used + 1 >= cap)
				break;
			dst[used++] = '?';
			s += n == 0 ? 1 : n;
			continue;
		}
		if (used + n >= cap)
			break;
		memcpy(dst + used, s, n);
		used += n;
		s += n;
	}
	dst[used] = '\0';
}

/* True when s is as sanitize() leaves it. */
static bool clean_text(const char *s, size_t max)
{
	char copy[CT_EVENTS_MAX_MESSAGE + 1];
	size_t n = strlen(s);

	if (n > max)
		return false;
	sanitize(copy, sizeof(copy), s);
	return strcmp(copy, s) == 0;
}

int ct_event_format_line(const struct ct_event *ev, char *out, size_t outlen)
{
	const char *name = ct_event_name(ev->kind);
	json_t *o;
	size_t n;

	if (name == NULL)
		return CT_ERR_BAD_VALUE;
	o = json_pack("{s:I, s:i, s:s, s:s, s:s, s:s}", "time_us", (json_int_t)ev->time_us,
		      "id", (int)ev->kind, "event", name, "user", ev->user, "result",
		      ct_errname(ev->result), "message", ev->message);
	if (o == NULL)
		return CT_ERR_BAD_VALUE;
	n = json_dumpb(o, out, outlen, JSON_COMPACT);
	json_decref(o);
	if (n == 0 || n + 2 > outlen)
		return CT_ERR_TOO_LARGE;
	out[n] = '\n';
	out[n + 1] = '\0';
	return 0;
}

int ct_event_format_syslog(const struct ct_event *ev, char *out, size_t outlen)
{
	const char *name = ct_event_name(ev->kind);
	int n;

	n = snprintf(out, outlen, "cloudtrust[%d]: %s user=%s result=%s: %s", (int)ev->kind,
		     name != NULL ? name : "unknown", ev->user[0] != '\0' ? ev->user : "-",
		     ct_errname(ev->result), ev->message);
	return n < 0 || (size_t)n >= outlen ? CT_ERR_TOO_LARGE : 0;
}

int ct_event_parse_line(const char *line, size_t len, struct ct_event *ev)
{
	const char *event, *user, *result, *message;
	int64_t time_us, id;
	json_t *o = NULL;
	int r;

	memset(ev, 0, sizeof(*ev));
	if (len > CT_EVENTS_MAX_LINE)
		return CT_ERR_TOO_LARGE;
	r = ct_json_parse(line, len, &o, NULL);
	if (r != 0)
		return CT_ERR_BAD_JSON;
	r = CT_ERR_BAD_VALUE;
	if (json_object_size(o) != 6 || ct_json_get_int(o, "time_us", &time_us) != 0 ||
	    ct_json_get_int(o, "id", &id) != 0 ||
	    ct_json_get_str(o, "event", &event, NULL) != 0 ||
	    ct_json_get_str(o, "user", &user, NULL) != 0 ||
	    ct_json_get_str(o, "result", &result, NULL) != 0 ||
	    ct_json_get_str(o, "message", &message, NULL) != 0)
		goto out;
	if (time_us < 0 || id <= 0 || id > INT_MAX ||
	    ct_event_name((enum ct_event_kind)id) == NULL ||
	    strcmp(ct_event_name((enum ct_event_kind)id), event) != 0 ||
	    result_from_name(result) > 0 || !clean_text(user, CT_EVENTS_MAX_USER) ||
	    !clean_text(message, CT_EVENTS_MAX_MESSAGE))
		goto out;
	ev->time_us = time_us;
	ev->kind = (enum ct_event_kind)id;
	ev->result = result_from_name(result);
	memcpy(ev->user, user, strlen(user) + 1);
	memcpy(ev->message, message, strlen(message) + 1);
	r = 0;
out:
	json_decref(o);
	if (r != 0)
		memset(ev, 0, sizeof(*ev));
	return r;
}

/* Sends ev to the journal; false when the journal did not take it. */
static bool send_journal(const struct ct_event *ev, const char *text)
{
#ifdef CT_HAVE_SD_JOURNAL
	return sd_journal_send("MESSAGE=%s", text,
			       "MESSAGE_ID=%s", ct_event_message_id(ev->kind),
			       "PRIORITY=%d", ct_event_priority(ev->kind),
			       "SYSLOG_IDENTIFIER=cloudtrust",
			       "CLOUDTRUST_EVENT=%d", (int)ev->kind,
			       "CLOUDTRUST_EVENT_NAME=%s", ct_event_name(ev->kind),
			       "CLOUDTRUST_USER=%s", ev->user,
			       "CLOUDTRUST_RESULT=%s", ct_errname(ev->result),
			       NULL) >= 0;
#else
	(void)ev;
	(void)text;
	return false;
#endif
}

static void send_system_log(const struct ct_event *ev)
{
	char text[CT_EVENTS_MAX_LINE];

	if (syslog_mode == CT_EVENTS_SYSLOG_NONE)
		return;
	if (ct_event_format_syslog(ev, text, sizeof(text)) != 0)
		return;
	if (syslog_mode != CT_EVENTS_SYSLOG_SYSLOG &&
	    send_journal(ev, text + strcspn(text, " ") + 1))
		return;
	if (syslog_mode == CT_EVENTS_SYSLOG_JOURNAL)
		return;
	/* No openlog(): inside a login process the ident is not ours to set. */
	syslog(LOG_AUTHPRIV | ct_event_priority(ev->kind), "%s", text);
}

/*
 * Keeps the newest half of the file open on fd (locked by the caller):
 * written to a temporary file beside it and renamed over it, so a reader
 * sees the old file or the new one.
 */
static int rotate(int fd, const char *path, off_t size, struct ct_errinfo *ei)
{
	char tmp[PATH_MAX], *buf = NULL;
	size_t keep, start = 0;
	ssize_t got;
	int tfd = -1, r;

	keep = CT_EVENTS_MAX_FILE / 2;
	if (size < (off_t)keep)
		keep = (size_t)size;
	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp))
		return ct_errinfo_set(ei, CT_ERR_IO, "%s: path too long", path);
	buf = malloc(keep + 1);
	if (buf == NULL)
		return ct_errinfo_set(ei, CT_ERR_NOMEM, "out of memory");
	got = pread(fd, buf, keep, size - (off_t)keep);
	if (got != (ssize_t)keep) {
		r = ct_errinfo_set(ei, CT_ERR_IO, "cannot read %s: %s", path,
				   got < 0 ? strerror(errno) : "short read");
		goto out;
	}
	/* Start after the first newline, so no line is kept cut. */
	if (keep > 0 && size > (off_t)keep) {
		char *nl = memchr(buf, '\n', keep);

		start = nl != NULL ? (size_t)(nl - buf) + 1 : keep;
	}
	tfd = mkstemp(tmp);
	if (tfd < 0) {
		r = ct_errinfo_set(ei, CT_ERR_IO, "cannot create %s: %s", tmp, strerror(errno));
		goto out;
	}
	if (ct_write_all(tfd, buf + start, keep - start) != 0 || fsync(tfd) != 0 ||
	    rename(tmp, path) != 0) {
		r = ct_errinfo_set(ei, CT_ERR_IO, "cannot rewrite %s: %s", path, strerror(errno));
		unlink(tmp);
		goto out;
	}
	r = 0;
out:
	if (tfd >= 0)
		close(tfd);
	free(buf);
	return r;
}

/*
 * Opens the events file for appending and locks it, making sure the locked
 * file is still the one at path (a rotation may have replaced it between
 * open and lock).
 */
static int open_locked(const char *path, int *out, struct ct_errinfo *ei)
{
	struct stat fsb, psb;
	int fd, tries;

	for (tries = 0; tries < 8; tries++) {
		fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC |
			  O_NOCTTY, 0600);
		if (fd < 0)
			return ct_errinfo_set(ei, errno == ELOOP ? CT_ERR_UNSAFE_PATH : CT_ERR_IO,
					      "cannot open %s: %s", path, strerror(errno));
		if (fstat(fd, &fsb) != 0 || !S_ISREG(fsb.st_mode) || fsb.st_uid != geteuid()) {
			close(fd);
			return ct_errinfo_set(ei, CT_ERR_UNSAFE_PATH,
					      "%s is not a regular file of uid %lu", path,
					      (unsigned long)geteuid());
		}
		if (flock(fd, LOCK_EX) != 0) {
			close(fd);
			return ct_errinfo_set(ei, CT_ERR_IO, "cannot lock %s: %s", path,
					      strerror(errno));
		}
		if (lstat(path, &psb) == 0 && psb.st_ino == fsb.st_ino &&
		    psb.st_dev == fsb.st_dev) {
			/* Events may name users: nobody else reads them. */
			if ((fsb.st_mode & 077) != 0)
				(void)fchmod(fd, 0600);
			*out = fd;
			return 0;
		}
		close(fd);
	}
	return ct_errinfo_set(ei, CT_ERR_IO, "%s keeps being replaced", path);
}

static int append_line(const char *state_dir, const char *line, struct ct_errinfo *ei)
{
	char path[PATH_MAX];
	struct stat sb;
	int fd = -1, r;

	if (snprintf(path, sizeof(path), "%s/%s", state_dir, CT_EVENTS_FILE) >=
	    (int)sizeof(path))
		return ct_errinfo_set(ei, CT_ERR_IO, "state directory path too long");
	r = open_locked(path, &fd, ei);
	if (r != 0)
		return r;
	if (ct_write_all(fd, line, strlen(line)) != 0) {
		r = ct_errinfo_set(ei, CT_ERR_IO, "cannot write %s: %s", path, strerror(errno));
		goto out;
	}
	if (fstat(fd, &sb) == 0 && sb.st_size > CT_EVENTS_MAX_FILE)
		r = rotate(fd, path, sb.st_size, ei);
out:
	close(fd);  /* drops the lock */
	return r;
}

int ct_event_emit(const char *state_dir, enum ct_event_kind kind, const char *user,
		  int result_code, const char *fmt, ...)
{
	char raw[CT_EVENTS_MAX_MESSAGE * 2], line[CT_EVENTS_MAX_LINE + 2];
	struct ct_event ev;
	struct timespec ts;
	va_list ap;
	int r;

	if (kind_find(kind) == NULL)
		return CT_ERR_INVALID_ARG;
	memset(&ev, 0, sizeof(ev));
	clock_gettime(CLOCK_REALTIME, &ts);
	ev.time_us = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
	ev.kind = kind;
	/* A code outside the table is recorded as the generic failure it is. */
	ev.result = result_code == 0 || strcmp(ct_errname(result_code), "UNKNOWN") != 0
			    ? result_code
			    : CT_ERR_INTERNAL;
	sanitize(ev.user, sizeof(ev.user), user);
	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	sanitize(ev.message, sizeof(ev.message), raw);
	send_system_log(&ev);
	if (state_dir == NULL)
		return 0;
	r = ct_event_format_line(&ev, line, sizeof(line));
	if (r != 0)
		return r;
	return append_line(state_dir, line, NULL);
}

int ct_events_read_buf(const char *text, size_t len, size_t max, ct_event_cb cb,
		       void *ctx, size_t *skipped)
{
	const char *p, *nl, *end = text + len;
	struct ct_event ev;
	size_t good = 0, bad = 0, skip, seen = 0, n;
	int pass, r;

	for (pass = 0; pass < 2; pass++) {
		/* Pass 0 counts; pass 1 hands out the newest max. */
		skip = max != 0 && good > max ? good - max : 0;
		for (p = text; p < end; p = nl + 1) {
			nl = memchr(p, '\n', (size_t)(end - p));
			if (nl == NULL)
				nl = end;
			n = (size_t)(nl - p);
			if (n == 0)
				continue;
			if (ct_event_parse_line(p, n, &ev) != 0) {
				bad += pass == 0;
				continue;
			}
			if (pass == 0) {
				good++;
				continue;
			}
			if (seen++ < skip)
				continue;
			r = cb(&ev, ctx);
			if (r != 0)
				return r;
		}
	}
	if (skipped != NULL)
		*skipped = bad;
	return 0;
}

int ct_events_read(const char *state_dir, size_t max, ct_event_cb cb, void *ctx,
		   size_t *skipped, struct ct_errinfo *ei)
{
	char path[PATH_MAX], *buf = NULL, *start;
	size_t cap = 2 * CT_EVENTS_MAX_FILE, n;
	struct stat sb;
	off_t off = 0;
	ssize_t got;
	int fd, r;

	if (skipped != NULL)
		*skipped = 0;
	if (snprintf(path, sizeof(path), "%s/%s", state_dir, CT_EVENTS_FILE) >=
	    (int)sizeof(path))
		return ct_errinfo_set(ei, CT_ERR_IO, "state directory path too long");
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0)
		return ct_errinfo_set(ei, errno == EACCES ? CT_ERR_PERMISSION : CT_ERR_IO,
				      "cannot open %s: %s", path, strerror(errno));
	/* A shared lock: no half-written line from a concurrent append. */
	if (flock(fd, LOCK_SH) != 0 || fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		r = ct_errinfo_set(ei, CT_ERR_IO, "cannot read %s", path);
		goto out;
	}
	n = (size_t)sb.st_size;
	if (n > cap) {
		/* Longer than the writer lets it grow: read only its end. */
		off = sb.st_size - (off_t)cap;
		n = cap;
	}
	buf = malloc(n + 1);
	if (buf == NULL) {
		r = ct_errinfo_set(ei, CT_ERR_NOMEM, "out of memory");
		goto out;
	}
	got = pread(fd, buf, n, off);
	if (got < 0) {
		r = ct_errinfo_set(ei, CT_ERR_IO, "cannot read %s: %s", path, strerror(errno));
		goto out;
	}
	n = (size_t)got;
	buf[n] = '\0';
	start = buf;
	if (off > 0) {
		char *nl = memchr(buf, '\n', n);

		start = nl != NULL ? nl + 1 : buf + n;
	}
	close(fd);
	fd = -1;
	r = ct_events_read_buf(start, n - (size_t)(start - buf), max, cb, ctx, skipped);
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	return r;
}
