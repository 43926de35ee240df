/* SPDX-License-Identifier: Apache-2.0 */
/*
 * src/basic's "key = value" machinery (ct-kvconf) and small-file helpers
 * (ct-file), through a schema of the test's own: the line grammar, the
 * "origin:LINE: ..." messages, the limits at their edges, the value checks.
 * The two real schemas are tested in test-config and test-client-config.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ct-file.h"
#include "ct-kvconf.h"
#include "ct-limits.h"
#include "ct-secret.h"
#include "tap.h"

/* The test schema: "name" (any text), "count" (0..9), "stop" (refused). */
struct conf {
	char *name;
	long count;
	unsigned calls;
};

static const char *const names[] = {"name", "count", "stop"};

static int find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(names[i], name) == 0)
			return (int)i;
	return -1;
}

static int set(void *obj, size_t index, const char *value, const char *what,
	       struct ct_errinfo *ei)
{
	struct conf *c = obj;

	c->calls++;
	switch (index) {
	case 0:
		return ct_kvconf_set_str(&c->name, value, false, ei);
	case 1:
		if (ct_kvconf_long(value, 0, 9, &c->count) != 0)
			return ct_errinfo_set(ei, CT_ERR_BAD_VALUE, "%s: bad count", what);
		return 0;
	default:
		return ct_errinfo_set(ei, CT_ERR_DENIED, "%s: stop", what);
	}
}

static const struct ct_kvconf_schema schema = {3, find, set};

static int parse(struct conf *c, const char *text, struct ct_errinfo *ei)
{
	memset(c, 0, sizeof(*c));
	memset(ei, 0, sizeof(*ei));
	return ct_kvconf_parse(&schema, c, text, strlen(text), "t.conf", ei);
}

static void test_grammar(void)
{
	struct ct_errinfo ei;
	struct conf c;

	CHECK_ERR(parse(&c, "# comment\n\n  \t\n   # indented\r\n"
			 "\tname =  a = b  \r\n"
			 "count=7", &ei), 0);
	CHECK_STR(c.name, "a = b");  /* the first '=' splits; the value keeps the rest */
	CHECK_INT(c.count, 7);
	CHECK_INT(c.calls, 2);
	free(c.name);

	CHECK_ERR(parse(&c, "name =\n", &ei), 0);
	CHECK_STR(c.name, "");
	free(c.name);
	CHECK_ERR(parse(&c, "", &ei), 0);
	CHECK_INT(c.calls, 0);
}

struct bad {
	const char *text;
	int err;
	const char *msg;
	unsigned calls; /* set calls before the refusal */
};

static void test_refusals(void)
{
	static const struct bad cases[] = {
		{"count = 1\nbogus = 2\n", CT_ERR_BAD_VALUE, "t.conf:2: unknown key \"bogus\"", 1},
		{"= 2\n", CT_ERR_BAD_VALUE, "t.conf:1: unknown key \"\"", 0},
		{"Count = 2\n", CT_ERR_BAD_VALUE, "t.conf:1: unknown key \"Count\"", 0},
		{"\ncount = 1\n#\n\ncount = 2\n", CT_ERR_BAD_VALUE,
		 "t.conf:5: count is already set on line 2", 1},
		{"name\n", CT_ERR_BAD_VALUE, "t.conf:1: expected \"key = value\"", 0},
		{"[section]\n", CT_ERR_BAD_VALUE, "t.conf:1: expected \"key = value\"", 0},
		{"count = 10\n", CT_ERR_BAD_VALUE, "t.conf:1: bad count", 1},
		{"name = x\r\r\nstop = 1\nname = y\n", CT_ERR_DENIED, "t.conf:2: stop", 2},
	};
	struct ct_errinfo ei;
	struct conf c;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CHECK_ERR(parse(&c, cases[i].text, &ei), cases[i].err);
		CHECK_STR(ei.msg, cases[i].msg);
		CHECK_INT(c.calls, cases[i].calls);
		free(c.name);
	}
	/* Only one CR is taken off a line: "x\r" is the value above. */
	CHECK_ERR(parse(&c, "name = x\r\r\n", &ei), 0);
	CHECK_STR(c.name, "x\r");
	free(c.name);
}

static void test_limits(void)
{
	static const char nul[] = "count = 1\nname = a\0b\n";
	struct ct_kvconf_schema huge = schema;
	struct ct_errinfo ei = {0};
	struct conf c = {0};
	char *big;
	size_t n;

	CHECK_ERR(ct_kvconf_parse(&schema, &c, nul, sizeof(nul) - 1, "n.conf", &ei),
		  CT_ERR_BAD_VALUE);
	CHECK_STR(ei.msg, "n.conf:2: NUL byte");
	CHECK_INT(c.count, 1);  /* what came before the bad line stays */

	/* A line of CT_CONFIG_MAX_LINE bytes is read, one more is refused. */
	n = CT_CONFIG_MAX_LINE + 1;
	big = malloc(n + 1);
	if (big == NULL)
		abort();
	memset(big, '#', n);
	big[n] = '\n';
	CHECK_ERR(ct_kvconf_parse(&schema, &c, big + 1, n, "b.conf", &ei), 0);
	CHECK_ERR(ct_kvconf_parse(&schema, &c, big, n + 1, "b.conf", &ei), CT_ERR_TOO_LARGE);
	CHECK_STR(ei.msg, "b.conf:1: line longer than 4096 bytes");
	free(big);

	big = malloc(CT_CONFIG_MAX_FILE + 1);
	if (big == NULL)
		abort();
	memset(big, '\n', CT_CONFIG_MAX_FILE + 1);
	CHECK_ERR(ct_kvconf_parse(&schema, &c, big, CT_CONFIG_MAX_FILE, "b.conf", &ei), 0);
	CHECK_ERR(ct_kvconf_parse(&schema, &c, big, CT_CONFIG_MAX_FILE + 1, "b.conf", &ei),
		  CT_ERR_TOO_LARGE);
	CHECK_STR(ei.msg, "b.conf: larger than 65536 bytes");
	free(big);

	huge.nkeys = CT_KVCONF_MAX_KEYS + 1;
	CHECK_ERR(ct_kvconf_parse(&huge, &c, "", 0, "h.conf", &ei), CT_ERR_INVALID_ARG);
	/* An index the schema does not have is an unknown key, not a write past seen[]. */
	huge.nkeys = 1;
	CHECK_ERR(ct_kvconf_parse(&huge, &c, "count = 1", 9, "h.conf", &ei), CT_ERR_BAD_VALUE);
	CHECK_STR(ei.msg, "h.conf:1: unknown key \"count\"");
	/* No errinfo: the code alone. */
	CHECK_ERR(ct_kvconf_parse(&schema, &c, "x", 1, "h.conf", NULL), CT_ERR_BAD_VALUE);
}

static void test_values(void)
{
	static const char *const yes[] = {"true", "YES", "On", "1"};
	static const char *const no[] = {"false", "No", "OFF", "0"};
	char path[PATH_MAX + 1], url[64];
	bool b;
	long n;
	size_t i;

	for (i = 0; i < 4; i++) {
		b = false;
		CHECK_ERR(ct_kvconf_bool(yes[i], &b), 0);
		CHECK(b);
		CHECK_ERR(ct_kvconf_bool(no[i], &b), 0);
		CHECK(!b);
	}
	CHECK_ERR(ct_kvconf_bool("", &b), CT_ERR_BAD_VALUE);
	CHECK_ERR(ct_kvconf_bool("truee", &b), CT_ERR_BAD_VALUE);
	CHECK_ERR(ct_kvconf_bool("2", &b), CT_ERR_BAD_VALUE);

	CHECK_ERR(ct_kvconf_long("-5", -5, 5, &n), 0);
	CHECK_INT(n, -5);
	CHECK_ERR(ct_kvconf_long("+5", -5, 5, &n), 0);
	CHECK_INT(n, 5);
	CHECK_ERR(ct_kvconf_long("6", -5, 5, &n), CT_ERR_BAD_VALUE);
	CHECK_ERR(ct_kvconf_long("-6", -5, 5, &n), CT_ERR_BAD_VALUE);
	CHECK_INT(n, 5);  /* untouched on error */
	CHECK_ERR(ct_kvconf_long("", 0, 5, &n), CT_ERR_BAD_VALUE);
	CHECK_ERR(ct_kvconf_long("1x", 0, 5, &n), CT_ERR_BAD_VALUE);
	CHECK_ERR(ct_kvconf_long("0x1", 0, 5, &n), CT_ERR_BAD_VALUE);
	CHECK_ERR(ct_kvconf_long("99999999999999999999", 0, LONG_MAX, &n), CT_ERR_BAD_VALUE);
	CHECK_ERR(ct_kvconf_long("9223372036854775807", 0, LONG_MAX, &n), 0);
	CHECK(n == LONG_MAX);

	CHECK(ct_kvconf_abs_path("/"));
	CHECK(!ct_kvconf_abs_path(""));
	CHECK(!ct_kvconf_abs_path("etc/x"));
	memset(path, 'a', sizeof(path));
	path[0] = '/';
	path[PATH_MAX - 1] = '\0';
	CHECK(ct_kvconf_abs_path(path));  /* PATH_MAX - 1 bytes */
	path[PATH_MAX - 1] = 'a';
	path[PATH_MAX] = '\0';
	CHECK(!ct_kvconf_abs_path(path));

	CHECK(ct_kvconf_url("https://h", SIZE_MAX));
	CHECK(ct_kvconf_url("http://h:80/p/", SIZE_MAX));
	CHECK(!ct_kvconf_url("https://", SIZE_MAX));
	CHECK(!ct_kvconf_url("https:///p", SIZE_MAX));
	CHECK(!ct_kvconf_url("https://:80", SIZE_MAX));
	CHECK(!ct_kvconf_url("ftp://h", SIZE_MAX));
	CHECK(!ct_kvconf_url("HTTPS://h", SIZE_MAX));
	CHECK(!ct_kvconf_url("https://u@h", SIZE_MAX));
	CHECK(!ct_kvconf_url("https://h/?q", SIZE_MAX));
	CHECK(!ct_kvconf_url("https://h/#f", SIZE_MAX));
	CHECK(!ct_kvconf_url("https://h/a b", SIZE_MAX));
	CHECK(!ct_kvconf_url("https://h\\p", SIZE_MAX));
	snprintf(url, sizeof(url), "https://h/%s", "abcdef");
	CHECK(ct_kvconf_url(url, strlen(url)));
	CHECK(!ct_kvconf_url(url, strlen(url) - 1));
}

static void test_set_str(void)
{
	struct ct_errinfo ei = {0};
	char *s = NULL;

	CHECK_ERR(ct_kvconf_set_str(&s, "https://h/p//", false, &ei), 0);
	CHECK_STR(s, "https://h/p//");
	CHECK_ERR(ct_kvconf_set_str(&s, "https://h/p//", true, &ei), 0);
	CHECK_STR(s, "https://h/p");
	CHECK_ERR(ct_kvconf_set_str(&s, "///", true, &ei), 0);
	CHECK_STR(s, "");
	free(s);
}

static void test_print(void)
{
	struct ct_errinfo ei = {0};
	char *out = NULL;
	size_t outlen = 0;
	struct conf c;
	FILE *f;

	f = open_memstream(&out, &outlen);
	if (f == NULL)
		abort();
	ct_kvconf_print(f, "name", "x = y");
	ct_kvconf_print(f, "count", NULL);
	fclose(f);
	CHECK_STR(out, "name = x = y\n# count is not set\n");
	/* What it writes parses back. */
	memset(&c, 0, sizeof(c));
	CHECK_ERR(ct_kvconf_parse(&schema, &c, out, outlen, "p.conf", &ei), 0);
	CHECK_STR(c.name, "x = y");
	CHECK_INT(c.calls, 1);
	free(c.name);
	free(out);
}

static void test_file(void)
{
	char dir[] = "/tmp/ct-kvconf-XXXXXX", path[128], *text = NULL;
	struct ct_errinfo ei = {0};
	size_t len = 0;
	int fd;

	if (mkdtemp(dir) == NULL) {
		CHECK(!"mkdtemp");
		return;
	}
	snprintf(path, sizeof(path), "%s/f", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	CHECK(fd >= 0);
	CHECK_ERR(ct_write_all(fd, "count = 3\n", 10), 0);
	CHECK_ERR(ct_write_all(fd, "", 0), 0);
	close(fd);
	CHECK_ERR(ct_write_all(-1, "x", 1), CT_ERR_IO);

	CHECK_ERR(ct_file_read(path, 10, &text, &len, &ei), 0);
	CHECK_STR(text, "count = 3\n");
	CHECK_INT(len, 10);
	ct_erase_free(text, len + 1);
	text = NULL;
	CHECK_ERR(ct_file_read(path, 9, &text, &len, &ei), CT_ERR_TOO_LARGE);
	CHECK(text == NULL);
	CHECK(strstr(ei.msg, "is larger than 9 bytes") != NULL);
	CHECK_ERR(ct_file_read(dir, 100, &text, &len, &ei), CT_ERR_IO);
	CHECK(strstr(ei.msg, "not a regular file") != NULL);
	unlink(path);
	CHECK_ERR(ct_file_read(path, 100, &text, &len, &ei), CT_ERR_NOT_FOUND);
	CHECK(strstr(ei.msg, "No such file") != NULL);
	CHECK(text == NULL);
	rmdir(dir);
}

int main(void)
{
	test_grammar();
	test_refusals();
	test_limits();
	test_values();
	test_set_str();
	test_print();
	test_file();
	return tap_done();
}
