/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The daemon log: levels, stderr line shapes (plain and journal), escaping
 * of control characters, per call site rate limits, and audit lines whose
 * values cannot break out of their key.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ct-error.h"
#include "ct-limits.h"
#include "log.h"
#include "tap.h"

static int cap_fd = -1;
static char cap_buf[256 * 1024];

/* Sends stderr to a fresh temporary file. */
static void capture_start(void)
{
	char path[] = "/tmp/ct-log-XXXXXX";

	cap_fd = mkstemp(path);
	unlink(path);
	fflush(stderr);
	dup2(cap_fd, STDERR_FILENO);
}

/* Returns what was logged since the last call, NUL-terminated. */
static const char *captured(void)
{
	ssize_t n;

	lseek(cap_fd, 0, SEEK_SET);
	n = read(cap_fd, cap_buf, sizeof(cap_buf) - 1);
	cap_buf[n > 0 ? n : 0] = '\0';
	if (ftruncate(cap_fd, 0) != 0)
		cap_buf[0] = '\0';
	lseek(cap_fd, 0, SEEK_SET);
	return cap_buf;
}

static int count_lines(const char *s, const char *needle)
{
	int n = 0;

	for (; (s = strstr(s, needle)) != NULL; s++)
		n++;
	return n;
}

static void test_levels(void)
{
	int level = -1;

	CHECK_ERR(ct_log_level_parse("debug", &level), 0);
	CHECK_INT(level, CT_LOG_DEBUG);
	CHECK_ERR(ct_log_level_parse("Warning", &level), 0);
	CHECK_INT(level, CT_LOG_WARNING);
	CHECK_ERR(ct_log_level_parse("err", &level), 0);
	CHECK_INT(level, CT_LOG_ERR);
	CHECK_ERR(ct_log_level_parse("warn", &level), 0);
	CHECK_INT(level, CT_LOG_WARNING);
	CHECK_ERR(ct_log_level_parse("loud", &level), CT_ERR_BAD_VALUE);
	CHECK_ERR(ct_log_level_parse("", &level), CT_ERR_BAD_VALUE);
	CHECK_STR(ct_log_level_name(CT_LOG_NOTICE), "notice");
	CHECK_STR(ct_log_level_name(99), "?");
	CHECK_STR(ct_log_level_name(0), "?");
}

static void test_stderr_lines(void)
{
	char want[64];
	const char *out;

	unsetenv("JOURNAL_STREAM");
	ct_log_open(CT_LOG_TO_STDERR, CT_LOG_INFO, "ct-test");
	CHECK(!ct_log_is_journal());
	ct_log(CT_LOG_INFO, "hello %d", 5);
	ct_log(CT_LOG_DEBUG, "not shown");
	ct_log(CT_LOG_WARNING, "careful");
	ct_log(CT_LOG_ERR, "broken");
	out = captured();
	snprintf(want, sizeof(want), "Z ct-test[%ld]: hello 5\n", (long)getpid());
	CHECK(strstr(out, want) != NULL);
	/* "2025-01-02T03:04:05Z " */
	CHECK(strlen(out) > 21 && out[4] == '-' && out[10] == 'T' && out[19] == 'Z');
	CHECK(strstr(out, "not shown") == NULL);
	CHECK(strstr(out, "]: warning: careful\n") != NULL);
	CHECK(strstr(out, "]: error: broken\n") != NULL);
	CHECK_INT(count_lines(out, "\n"), 3);

	ct_log_set_level(CT_LOG_DEBUG);
	CHECK_INT(ct_log_get_level(), CT_LOG_DEBUG);
	ct_log(CT_LOG_DEBUG, "now shown");
	CHECK(strstr(captured(), "]: debug: now shown\n") != NULL);
	ct_log_set_level(CT_LOG_INFO);

	/* A client's bytes cannot start a forged line. */
	ct_log(CT_LOG_INFO, "path %s", "/x\nct-test[1]: admin logged in\r\x1b[2J");
	out = captured();
	CHECK_INT(count_lines(out, "\n"), 1);
	CHECK(strstr(out, "path /x\\x0act-test[1]: admin logged in\\x0d\\x1b[2J\n") != NULL);

	/* Over-long messages are cut to one bounded line. */
	{
		char *big = malloc(3 * CT_LOG_MAX_LINE);

		memset(big, 'x', 3 * CT_LOG_MAX_LINE - 1);
		big[3 * CT_LOG_MAX_LINE - 1] = '\0';
		ct_log(CT_LOG_INFO, "%s", big);
		out = captured();
		CHECK_INT(count_lines(out, "\n"), 1);
		CHECK(strlen(out) < CT_LOG_MAX_LINE + 128);
		free(big);
	}
}

static void test_journal(void)
{
	struct stat sb;
	char env[64];

	fstat(STDERR_FILENO, &sb);
	snprintf(env, sizeof(env), "%llu:%llu", (unsigned long long)sb.st_dev,
		 (unsigned long long)sb.st_ino);
	setenv("JOURNAL_STREAM", env, 1);
	ct_log_reopen();
	CHECK(ct_log_is_journal());
	ct_log(CT_LOG_NOTICE, "to the journal");
	ct_log(CT_LOG_WARNING, "with level");
	CHECK_STR(captured(), "<5>to the journal\n<4>warning: with level\n");
	/* Another stream's JOURNAL_STREAM (inherited by a child) does not count. */
	setenv("JOURNAL_STREAM", "1:1", 1);
	ct_log_reopen();
	CHECK(!ct_log_is_journal());
	unsetenv("JOURNAL_STREAM");
	ct_log_reopen();
	captured();
}

static void emit_many(int n)
{
	int i;

	for (i = 0; i < n; i++)
		ct_log(CT_LOG_INFO, "flood %d", i);
}

static void test_rate_limit(void)
{
	const char *out, *note;
	unsigned long suppressed = 0;
	int shown;

	emit_many(100);
	out = captured();
	shown = count_lines(out, "flood ");
	/* The burst, plus at most one token refilled while looping. */
	CHECK(shown >= CT_LOG_BURST && shown <= CT_LOG_BURST + 1);
	/* Another call site has its own bucket. */
	ct_log(CT_LOG_INFO, "other site");
	CHECK(strstr(captured(), "other site") != NULL);

	usleep(1000000 / CT_LOG_RATE * 3);
	emit_many(1);
	out = captured();
	note = strstr(out, "warning: suppressed ");
	CHECK(note != NULL);
	if (note != NULL)
		sscanf(note, "warning: suppressed %lu", &suppressed);
	CHECK(suppressed + (unsigned long)shown == 100);
	CHECK(strstr(out, "messages from ") != NULL && strstr(out, "test-log.c:") != NULL);
	CHECK_INT(count_lines(out, "flood 0"), 1);
}

static void test_audit(void)
{
	const char *out;
	char *big;
	int i;

	ct_log_audit("event=prt_issued user=%s device=%s n=%d big=%llu z=%zu x=%x l=%ld j=%jd "
		     "result=ok", "alice@contoso.example", "6b1c0a1e-35c5-4c38-9b7f-0c2b1f1d8e4a",
		     -5, 18446744073709551615ULL, (size_t)42, 255u, -7L, (intmax_t)-9);
	out = captured();
	CHECK(strstr(out, "]: audit: event=prt_issued user=alice@contoso.example "
			  "device=6b1c0a1e-35c5-4c38-9b7f-0c2b1f1d8e4a n=-5 "
			  "big=18446744073709551615 z=42 x=ff l=-7 j=-9 result=ok\n") != NULL);

	/* Values that are not plain get quoted, with every dangerous byte escaped. */
	ct_log_audit("a=%s b=%s c=%s d=%s e=%s f=%s g=%s", "two words",
		     "quote\" back\\", "line\nbreak audit: forged=1", "", "-",
		     getenv("CT_TEST_SURELY_UNSET"), /* NULL, hidden from -Wformat */
		     "j\xc3\xbcrgen");
	out = captured();
	CHECK(strstr(out, "audit: a=\"two words\" b=\"quote\\\" back\\\\\" "
			  "c=\"line\\x0abreak audit: forged=1\" d=\"\" e=\"-\" f=- "
			  "g=\"j\\xc3\\xbcrgen\"\n") != NULL);
	CHECK_INT(count_lines(out, "\n"), 1);

	/* A long value is cut and marked. */
	big = malloc(CT_LOG_MAX_AUDIT_VALUE + 10);
	memset(big, 'q', CT_LOG_MAX_AUDIT_VALUE + 9);
	big[CT_LOG_MAX_AUDIT_VALUE + 9] = '\0';
	ct_log_audit("event=x value=%s end=1", big);
	out = captured();
	CHECK(strstr(out, " value=\"qqq") != NULL && strstr(out, "q...\" end=1\n") != NULL);
	CHECK_INT(count_lines(out, "q"), CT_LOG_MAX_AUDIT_VALUE);
	free(big);

	/* Too many tokens for one line: whole tokens, then truncated=yes. */
	big = malloc(CT_LOG_MAX_AUDIT_VALUE + 1);
	memset(big, 'w', CT_LOG_MAX_AUDIT_VALUE);
	big[CT_LOG_MAX_AUDIT_VALUE] = '\0';
	ct_log_audit("a=%s b=%s c=%s d=%s e=%s f=%s g=%s h=%s i=%s j=%s k=%d", big, big, big,
		     big, big, big, big, big, big, big, 1);
	out = captured();
	CHECK(strstr(out, " truncated=yes\n") != NULL);
	CHECK(strstr(out, "k=1") == NULL);
	CHECK(strlen(out) < CT_LOG_MAX_LINE + 128);
	free(big);

	/* Programmer errors in the format are reported, not half-printed. */
	ct_log_audit("event");
	ct_log_audit("Event=1");
	ct_log_audit("k=x%s", "v");
	ct_log_audit("k=%5d", 1);
	ct_log_audit("k=%p", (void *)&i);
	out = captured();
	CHECK_INT(count_lines(out, "audit: audit_format_error="), 5);
	CHECK(strstr(out, "audit_format_error=\"k=%5d\"") != NULL);
	CHECK(strstr(out, "audit_format_error=Event=1") == NULL);

	/* Audit lines are never rate-limited. */
	for (i = 0; i < 100; i++)
		ct_log_audit("event=flood i=%d", i);
	CHECK_INT(count_lines(captured(), "event=flood"), 100);
}

int main(void)
{
	capture_start();
	test_levels();
	test_stderr_lines();
	test_journal();
	test_rate_limit();
	test_audit();
	ct_log_close();
	return tap_done();
}
