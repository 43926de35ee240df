/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Client events: the kind table, emit and read back, sanitising, the
 * newest-N window, malformed lines skipped and counted, the size bound and
 * its rotation (also under concurrent writers), unsafe files refused.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "cl-events.h"
#include "tap.h"

static char tmpdir[] = "/tmp/ct-client-events-XXXXXX";

#define MAX_COLLECT 20000

struct collected {
	size_t n;
	struct ct_event *ev;
};

static int collect(const struct ct_event *ev, void *ctx)
{
	struct collected *c = ctx;

	if (c->n < MAX_COLLECT)
		c->ev[c->n] = *ev;
	c->n++;
	return 0;
}

static int read_all(const char *dir, size_t max, struct collected *c, size_t *skipped)
{
	struct ct_errinfo ei = {0};
	int r;

	c->n = 0;
	r = ct_events_read(dir, max, collect, c, skipped, &ei);
	if (r != 0)
		tap_diag("ct_events_read: %s", ei.msg);
	return r;
}

static void make_dir(char *out, size_t len, const char *name)
{
	snprintf(out, len, "%s/%s", tmpdir, name);
	mkdir(out, 0700);
}

static off_t file_size(const char *dir)
{
	char path[PATH_MAX];
	struct stat sb;

	snprintf(path, sizeof(path), "%s/%s", dir, CT_EVENTS_FILE);
	return stat(path, &sb) == 0 ? sb.st_size : -1;
}

static void append_raw(const char *dir, const char *text)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, CT_EVENTS_FILE);
	f = fopen(path, "a");
	if (f == NULL)
		abort();
	fputs(text, f);
	fclose(f);
}

static void test_kinds(void)
{
	const enum ct_event_kind *k;
	size_t n, i, j;
	char num[16];

	k = ct_event_kinds(&n);
	CHECK_INT(n, 15);
	for (i = 0; i < n; i++) {
		const char *id = ct_event_message_id(k[i]);

		CHECK(ct_event_name(k[i]) != NULL);
		CHECK(id != NULL && strlen(id) == 32 && strspn(id, "0123456789abcdef") == 32);
		CHECK_INT(ct_event_kind_from_name(ct_event_name(k[i])), k[i]);
		snprintf(num, sizeof(num), "%d", (int)k[i]);
		CHECK_INT(ct_event_kind_from_name(num), k[i]);
		for (j = 0; j < i; j++) {
			if (strcmp(ct_event_message_id(k[i]), ct_event_message_id(k[j])) == 0 ||
			    strcmp(ct_event_name(k[i]), ct_event_name(k[j])) == 0 || k[i] <= k[j]) {
				tap_diag("kinds %d and %d clash or are out of order", k[i], k[j]);
				CHECK(false);
			}
		}
	}
	/* The stable ids, spelled out: changing one must fail here. */
	CHECK_INT(CT_EVENT_JOIN, 101);
	CHECK_INT(CT_EVENT_LOGON_FAILED, 302);
	CHECK_INT(CT_EVENT_ERROR, 900);
	CHECK_STR(ct_event_message_id(CT_EVENT_LOGON), "5bb81dca7c85fcfe8378d276f9ed34d5");
	CHECK_STR(ct_event_name(CT_EVENT_EXCHANGE_FAILED), "exchange_failed");
	CHECK_INT(ct_event_priority(CT_EVENT_LOGON_FAILED), LOG_WARNING);
	CHECK_INT(ct_event_priority(CT_EVENT_ERROR), LOG_ERR);
	CHECK_INT(ct_event_kind_from_name("nope"), 0);
	CHECK_INT(ct_event_kind_from_name("100"), 0);
	CHECK_INT(ct_event_kind_from_name("101x"), 0);
	CHECK(ct_event_name((enum ct_event_kind)5) == NULL);
}

static void test_formats(void)
{
	struct ct_event ev = {0}, back;
	char line[CT_EVENTS_MAX_LINE + 2], text[256];

	ev.time_us = 1700000000123456;
	ev.kind = CT_EVENT_LOGON_FAILED;
	ev.result = CT_ERR_PIN_WRONG;
	strcpy(ev.user, "alice@lab.test");
	strcpy(ev.message, "wrong PIN \"x\", 4 tries left \\ ok");
	CHECK_ERR(ct_event_format_line(&ev, line, sizeof(line)), 0);
	CHECK_STR(line, "{\"time_us\":1700000000123456,\"id\":302,\"event\":\"logon_failed\","
		  "\"user\":\"alice@lab.test\",\"result\":\"PIN_WRONG\",\"message\":"
		  "\"wrong PIN \\\"x\\\", 4 tries left \\\\ ok\"}\n");
	CHECK_ERR(ct_event_parse_line(line, strlen(line) - 1, &back), 0);
	CHECK(memcmp(&ev, &back, sizeof(ev)) == 0);
	CHECK_ERR(ct_event_format_line(&ev, line, 40), CT_ERR_TOO_LARGE);

	CHECK_ERR(ct_event_format_syslog(&ev, text, sizeof(text)), 0);
	CHECK_STR(text, "cloudtrust[302]: logon_failed user=alice@lab.test result=PIN_WRONG: "
		  "wrong PIN \"x\", 4 tries left \\ ok");
	ev.kind = CT_EVENT_JOIN;
	ev.result = 0;
	ev.user[0] = '\0';
	strcpy(ev.message, "joined");
	CHECK_ERR(ct_event_format_syslog(&ev, text, sizeof(text)), 0);
	CHECK_STR(text, "cloudtrust[101]: join user=- result=OK: joined");
	CHECK_ERR(ct_event_format_syslog(&ev, text, 10), CT_ERR_TOO_LARGE);
}

static void test_roundtrip(void)
{
	struct ct_event evs[8];
	struct collected c = {0, evs};
	char dir[256], path[PATH_MAX];
	struct stat sb;
	size_t skipped = 99;
	time_t now = time(NULL);

	make_dir(dir, sizeof(dir), "rt");
	CHECK_INT(read_all(dir, 0, &c, &skipped), 0);  /* no file yet */
	CHECK_INT(c.n, 0);
	CHECK_INT(skipped, 0);

	CHECK_ERR(ct_event_emit(dir, CT_EVENT_JOIN, NULL, 0, "joined tenant %s", "t1"), 0);
	CHECK_ERR(ct_event_emit(dir, CT_EVENT_LOGON_FAILED, "alice@lab.test", CT_ERR_PIN_WRONG,
				"wrong PIN, %d tries left", 4), 0);
	CHECK_ERR(ct_event_emit(dir, CT_EVENT_ERROR, "bob", -5, "odd code"), 0);
	CHECK_ERR(ct_event_emit(dir, (enum ct_event_kind)7, "bob", 0, "no such kind"),
		  CT_ERR_INVALID_ARG);

	snprintf(path, sizeof(path), "%s/%s", dir, CT_EVENTS_FILE);
	CHECK(stat(path, &sb) == 0);
	CHECK_INT(sb.st_mode & 07777, 0600);
	CHECK_INT(sb.st_uid, geteuid());

	CHECK_INT(read_all(dir, 0, &c, &skipped), 0);
	CHECK_INT(c.n, 3);
	CHECK_INT(skipped, 0);
	CHECK_INT(evs[0].kind, CT_EVENT_JOIN);
	CHECK_STR(evs[0].user, "");
	CHECK_INT(evs[0].result, 0);
	CHECK_STR(evs[0].message, "joined tenant t1");
	CHECK(evs[0].time_us / 1000000 >= now - 5 && evs[0].time_us / 1000000 <= now + 5);
	CHECK_INT(evs[1].kind, CT_EVENT_LOGON_FAILED);
	CHECK_STR(evs[1].user, "alice@lab.test");
	CHECK_INT(evs[1].result, CT_ERR_PIN_WRONG);
	CHECK_STR(evs[1].message, "wrong PIN, 4 tries left");
	CHECK(evs[1].time_us >= evs[0].time_us);
	/* A code outside the table is recorded as INTERNAL. */
	CHECK_INT(evs[2].result, CT_ERR_INTERNAL);

	/* A file the caller would widen is narrowed again. */
	chmod(path, 0644);
	CHECK_ERR(ct_event_emit(dir, CT_EVENT_LEAVE, NULL, 0, "left"), 0);
	CHECK(stat(path, &sb) == 0);
	CHECK_INT(sb.st_mode & 07777, 0600);

	/* The system log alone (state_dir NULL) is fine too. */
	ct_events_set_syslog(CT_EVENTS_SYSLOG_SYSLOG);
	CHECK_ERR(ct_event_emit(NULL, CT_EVENT_POLICY_FETCHED, NULL, 0, "to syslog only"), 0);
	ct_events_set_syslog(CT_EVENTS_SYSLOG_NONE);
}

static void test_sanitize(void)
{
	struct ct_event evs[4];
	struct collected c = {0, evs};
	char dir[256], big[3000];
	size_t skipped;

	make_dir(dir, sizeof(dir), "sanitize");
	CHECK_ERR(ct_event_emit(dir, CT_EVENT_LOGON, "ev\nil\x1b[31m", 0,
				"line1\nline2\tx\xff\xc2\x85y \xc3\xa4"), 0);
	memset(big, 'm', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	/* A multi-byte character straddling the cut is dropped whole. */
	memcpy(big + CT_EVENTS_MAX_MESSAGE - 1, "\xe2\x82\xac", 3);
	CHECK_ERR(ct_event_emit(dir, CT_EVENT_LOGON, big, 0, "%s", big), 0);
	CHECK_INT(read_all(dir, 0, &c, &skipped), 0);
	CHECK_INT(c.n, 2);
	CHECK_INT(skipped, 0);
	CHECK_STR(evs[0].user, "ev?il?[31m");
	CHECK_STR(evs[0].message, "line1?line2?x??y \xc3\xa4");
	CHECK_INT(strlen(evs[1].user), CT_EVENTS_MAX_USER);
	CHECK_INT(strlen(evs[1].message), CT_EVENTS_MAX_MESSAGE - 1);
}

static void test_window_and_stop(void)
{
	struct ct_event evs[16];
	struct collected c = {0, evs};
	char dir[256];
	size_t skipped;
	int i;

	make_dir(dir, sizeof(dir), "window");
	for (i = 0; i < 10; i++)
		CHECK_ERR(ct_event_emit(dir, CT_EVENT_PRT_RENEWED, "u", 0, "n=%d", i), 0);
	CHECK_INT(read_all(dir, 3, &c, &skipped), 0);
	CHECK_INT(c.n, 3);
	CHECK_STR(evs[0].message, "n=7");
	CHECK_STR(evs[2].message, "n=9");
	CHECK_INT(read_all(dir, 10, &c, &skipped), 0);
	CHECK_INT(c.n, 10);
	CHECK_INT(read_all(dir, 50, &c, &skipped), 0);
	CHECK_INT(c.n, 10);
	CHECK_STR(evs[0].message, "n=0");
}

static int stop_at_two(const struct ct_event *ev, void *ctx)
{
	int *n = ctx;

	(void)ev;
	return ++*n == 2 ? 7 : 0;
}

static void test_stop(void)
{
	char dir[256];
	int n = 0;

	make_dir(dir, sizeof(dir), "window");
	CHECK_INT(ct_events_read(dir, 0, stop_at_two, &n, NULL, NULL), 7);
	CHECK_INT(n, 2);
}

static void test_malformed(void)
{
	static const char *const bad[] = {
		"not json\n",
		"{\"time_us\":1}\n",
		"[]\n",
		/* an extra member */
		"{\"time_us\":1,\"id\":101,\"event\":\"join\",\"user\":\"\",\"result\":\"OK\","
		"\"message\":\"m\",\"x\":1}\n",
		/* unknown id */
		"{\"time_us\":1,\"id\":100,\"event\":\"join\",\"user\":\"\",\"result\":\"OK\","
		"\"message\":\"m\"}\n",
		/* id and name disagree */
		"{\"time_us\":1,\"id\":101,\"event\":\"leave\",\"user\":\"\",\"result\":\"OK\","
		"\"message\":\"m\"}\n",
		/* unknown result */
		"{\"time_us\":1,\"id\":101,\"event\":\"join\",\"user\":\"\",\"result\":\"NOPE\","
		"\"message\":\"m\"}\n",
		/* negative time, string time */
		"{\"time_us\":-1,\"id\":101,\"event\":\"join\",\"user\":\"\",\"result\":\"OK\","
		"\"message\":\"m\"}\n",
		"{\"time_us\":\"1\",\"id\":101,\"event\":\"join\",\"user\":\"\",\"result\":\"OK\","
		"\"message\":\"m\"}\n",
		/* duplicate member */
		"{\"time_us\":1,\"id\":101,\"event\":\"join\",\"user\":\"\",\"result\":\"OK\","
		"\"message\":\"m\",\"message\":\"n\"}\n",
		/* a control character in the message (escaped in JSON) */
		"{\"time_us\":1,\"id\":101,\"event\":\"join\",\"user\":\"\",\"result\":\"OK\","
		"\"message\":\"a\\nb\"}\n",
		/* a NUL */
		"{\"time_us\":1,\"id\":101,\"event\":\"join\",\"user\":\"\",\"result\":\"OK\","
		"\"message\":\"a\\u0000b\"}\n",
		/* trailing bytes */
		"{\"time_us\":1,\"id\":101,\"event\":\"join\",\"user\":\"\",\"result\":\"OK\","
		"\"message\":\"m\"} x\n",
	};
	struct ct_event evs[8];
	struct collected c = {0, evs};
	char dir[256], *longline;
	size_t i, skipped;

	make_dir(dir, sizeof(dir), "malformed");
	CHECK_ERR(ct_event_emit(dir, CT_EVENT_JOIN, NULL, 0, "first"), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		append_raw(dir, bad[i]);
	/* An over-long line, otherwise valid. */
	longline = malloc(CT_EVENTS_MAX_LINE + 200);
	snprintf(longline, CT_EVENTS_MAX_LINE + 200,
		 "{\"time_us\":1,\"id\":101,\"event\":\"join\",\"user\":\"\",\"result\":\"OK\","
		 "\"message\":\"%0*d\"}\n", CT_EVENTS_MAX_LINE, 0);
	append_raw(dir, longline);
	free(longline);
	append_raw(dir, "\n\n");  /* blank lines are not events and not errors */
	/* A valid line written by hand is read like the writer's own. */
	append_raw(dir, "{\"time_us\":5,\"id\":201,\"event\":\"enroll\",\"user\":\"carol\","
		   "\"result\":\"OK\",\"message\":\"by hand\"}\n");
	CHECK_ERR(ct_event_emit(dir, CT_EVENT_LEAVE, NULL, 0, "last"), 0);
	/* A half-written final line (a crash mid-append). */
	append_raw(dir, "{\"time_us\":1,\"id\":101,\"ev");

	CHECK_INT(read_all(dir, 0, &c, &skipped), 0);
	CHECK_INT(c.n, 3);
	CHECK_INT(skipped, sizeof(bad) / sizeof(bad[0]) + 2);
	CHECK_STR(evs[0].message, "first");
	CHECK_STR(evs[1].message, "by hand");
	CHECK_INT(evs[1].kind, CT_EVENT_ENROLL);
	CHECK_STR(evs[2].message, "last");
	/* The window counts good events only. */
	CHECK_INT(read_all(dir, 2, &c, &skipped), 0);
	CHECK_INT(c.n, 2);
	CHECK_STR(evs[0].message, "by hand");
}

static void test_rotation(void)
{
	struct ct_event *evs = calloc(MAX_COLLECT, sizeof(*evs));
	struct collected c = {0, evs};
	char dir[256], msg[200];
	off_t size, max_seen = 0;
	bool shrank = false;
	size_t skipped, i;
	long first;
	int n;

	make_dir(dir, sizeof(dir), "rotate");
	memset(msg, 'r', 150);
	msg[150] = '\0';
	for (n = 0; n < 4000; n++) {
		if (ct_event_emit(dir, CT_EVENT_PRT_RENEWED, "user@lab.test", 0, "%06d %s", n,
				  msg) != 0)
			break;
		size = file_size(dir);
		if (size < max_seen)
			shrank = true;
		if (size > max_seen)
			max_seen = size;
	}
	CHECK_INT(n, 4000);
	CHECK(shrank);
	/* Never past the bound by more than the line that triggers the cut. */
	CHECK(max_seen <= CT_EVENTS_MAX_FILE + CT_EVENTS_MAX_LINE);
	size = file_size(dir);
	CHECK(size <= CT_EVENTS_MAX_FILE);
	CHECK_INT(read_all(dir, 0, &c, &skipped), 0);
	CHECK_INT(skipped, 0);
	CHECK(c.n > 100 && c.n < 4000);
	/* The newest are kept, contiguous up to the last one. */
	first = strtol(evs[0].message, NULL, 10);
	for (i = 0; i < c.n && i < MAX_COLLECT; i++)
		if (strtol(evs[i].message, NULL, 10) != first + (long)i)
			break;
	CHECK_INT(i, c.n);
	CHECK_INT(strtol(evs[c.n - 1].message, NULL, 10), 3999);
	free(evs);
}

/*
 * Runs 4 writer processes of n events each; returns how many succeeded.
 * Messages are "<writer> <seq> padding...".
 */
static int run_writers(const char *dir, int n)
{
	pid_t pids[4];
	int w, status, ok = 0;

	for (w = 0; w < 4; w++) {
		pids[w] = fork();
		if (pids[w] == 0) {
			int i, fails = 0;

			for (i = 0; i < n; i++)
				fails += ct_event_emit(dir, CT_EVENT_LOGON, "w", 0,
						       "%d %06d padding-padding-padding-"
						       "padding-padding-padding-padding", w, i) != 0;
			_exit(fails == 0 ? 0 : 1);
		}
	}
	for (w = 0; w < 4; w++)
		if (pids[w] > 0 && waitpid(pids[w], &status, 0) == pids[w] &&
		    WIFEXITED(status) && WEXITSTATUS(status) == 0)
			ok++;
	return ok;
}

/* Each writer's events appear in its order; *last gets each one's last seq. */
static bool writers_ordered(const struct collected *c, long last[4])
{
	size_t i;
	int w;

	for (w = 0; w < 4; w++)
		last[w] = -1;
	for (i = 0; i < c->n && i < MAX_COLLECT; i++) {
		int who = c->ev[i].message[0] - '0';
		long seq = strtol(c->ev[i].message + 2, NULL, 10);

		if (who < 0 || who > 3 || seq <= last[who])
			return false;
		last[who] = seq;
	}
	return true;
}

/* Writers in several processes: every line intact, none lost, each in order. */
static void test_concurrent(void)
{
	struct ct_event *evs = calloc(MAX_COLLECT, sizeof(*evs));
	struct collected c = {0, evs};
	char dir[256];
	size_t skipped;
	long last[4];
	int w;

	/* Under the bound: all 4 x 400 events are there. */
	make_dir(dir, sizeof(dir), "concurrent");
	CHECK_INT(run_writers(dir, 400), 4);
	CHECK_INT(read_all(dir, 0, &c, &skipped), 0);
	CHECK_INT(skipped, 0);
	CHECK_INT(c.n, 1600);
	CHECK(writers_ordered(&c, last));
	for (w = 0; w < 4; w++)
		CHECK_INT(last[w], 399);

	/* Past the bound, rotating while others append: still no broken line. */
	make_dir(dir, sizeof(dir), "concurrent-rotate");
	CHECK_INT(run_writers(dir, 2000), 4);
	CHECK(file_size(dir) <= CT_EVENTS_MAX_FILE);
	CHECK_INT(read_all(dir, 0, &c, &skipped), 0);
	CHECK_INT(skipped, 0);
	CHECK(c.n > 500);
	CHECK(writers_ordered(&c, last));
	free(evs);
}

static void test_oversized_file(void)
{
	struct ct_event *evs = calloc(MAX_COLLECT, sizeof(*evs));
	struct collected c = {0, evs};
	char dir[256], line[256];
	size_t skipped;
	FILE *f;
	char path[PATH_MAX];
	int n;

	/* A file grown past the bound by hand: only its end is read. */
	make_dir(dir, sizeof(dir), "oversized");
	snprintf(path, sizeof(path), "%s/%s", dir, CT_EVENTS_FILE);
	f = fopen(path, "w");
	for (n = 0; n < 8000; n++) {
		snprintf(line, sizeof(line),
			 "{\"time_us\":%d,\"id\":301,\"event\":\"logon\",\"user\":\"u\","
			 "\"result\":\"OK\",\"message\":\"%06d\"}\n", n, n);
		fputs(line, f);
	}
	fclose(f);
	CHECK(file_size(dir) > 2 * CT_EVENTS_MAX_FILE);
	CHECK_INT(read_all(dir, 0, &c, &skipped), 0);
	CHECK_INT(skipped, 0);
	CHECK(c.n > 1000 && c.n < 8000);
	CHECK_STR(evs[c.n - 1].message, "007999");
	/* The next emit brings it back under the bound. */
	CHECK_ERR(ct_event_emit(dir, CT_EVENT_LOGON, "u", 0, "after"), 0);
	CHECK(file_size(dir) <= CT_EVENTS_MAX_FILE);
	CHECK_INT(read_all(dir, 1, &c, &skipped), 0);
	CHECK_STR(evs[0].message, "after");
	free(evs);
}

static void test_unsafe(void)
{
	char dir[256], path[PATH_MAX], target[PATH_MAX];
	struct ct_event ev;
	struct stat sb;
	int fd;

	make_dir(dir, sizeof(dir), "unsafe");
	snprintf(path, sizeof(path), "%s/%s", dir, CT_EVENTS_FILE);
	snprintf(target, sizeof(target), "%s/target", dir);
	fd = open(target, O_CREAT | O_WRONLY, 0600);
	close(fd);
	CHECK(symlink(target, path) == 0);
	CHECK_ERR(ct_event_emit(dir, CT_EVENT_JOIN, NULL, 0, "via symlink"), CT_ERR_UNSAFE_PATH);
	CHECK(stat(target, &sb) == 0 && sb.st_size == 0);
	CHECK(ct_events_read(dir, 0, collect, NULL, NULL, NULL) == CT_ERR_IO);
	unlink(path);
	unlink(target);

	/* A directory where the file should be. */
	CHECK(mkdir(path, 0700) == 0);
	CHECK(ct_event_emit(dir, CT_EVENT_JOIN, NULL, 0, "dir") != 0);
	rmdir(path);

	/* A state directory that does not exist. */
	snprintf(path, sizeof(path), "%s/no-such-dir", tmpdir);
	CHECK_ERR(ct_event_emit(path, CT_EVENT_JOIN, NULL, 0, "x"), CT_ERR_IO);
	CHECK_ERR(ct_events_read(path, 0, collect, NULL, NULL, NULL), 0);

	/* Parsing never reads past len. */
	CHECK_ERR(ct_event_parse_line("{}", 1, &ev), CT_ERR_BAD_JSON);
}

static void cleanup(void)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		tap_diag("could not remove %s", tmpdir);
}

int main(void)
{
	if (mkdtemp(tmpdir) == NULL)
		return 1;
	ct_events_set_syslog(CT_EVENTS_SYSLOG_NONE);
	test_kinds();
	test_formats();
	test_roundtrip();
	test_sanitize();
	test_window_and_stop();
	test_stop();
	test_malformed();
	test_rotation();
	test_concurrent();
	test_oversized_file();
	test_unsafe();
	cleanup();
	return tap_done();
}
