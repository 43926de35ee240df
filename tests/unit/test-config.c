/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cloudtrustd.conf: defaults, good files, command-line overrides, and bad
 * files refused with the right line number.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "ct-limits.h"
#include "ct-secret.h"
#include "log.h"
#include "tap.h"

static int parse_text(struct ct_config *c, const char *text, struct ct_errinfo *ei)
{
	memset(ei, 0, sizeof(*ei));
	return ct_config_parse(c, text, strlen(text), "test.conf", ei);
}

static void test_defaults(void)
{
	struct ct_errinfo ei = {0};
	struct ct_config c;

	ct_config_init(&c);
	CHECK_ERR(ct_config_finish(&c, &ei), 0);
	CHECK_STR(c.listen, "127.0.0.1:8443");
	CHECK_STR(c.state_dir, "/var/lib/cloudtrust");
	CHECK_STR(c.database, "sqlite:/var/lib/cloudtrust/cloudtrust.db");
	CHECK_STR(c.master_key_file, "/var/lib/cloudtrust/master.key");
	CHECK_STR(c.tls_cert, "/var/lib/cloudtrust/tls/server.pem");
	CHECK_STR(c.tls_key, "/var/lib/cloudtrust/tls/server.key");
	CHECK(!c.insecure_http);
	CHECK_INT(c.threads, 0);
	CHECK_INT(c.max_connections, CT_HTTP_DEFAULT_CONNECTIONS);
	CHECK_INT(c.max_connections_per_ip, CT_HTTP_DEFAULT_CONNECTIONS_PER_IP);
	CHECK_INT(c.connection_timeout, CT_HTTP_DEFAULT_TIMEOUT_S);
	CHECK_INT(c.log_level, CT_LOG_INFO);
	CHECK(c.issuer_url == NULL);
	CHECK(c.tenant_id == NULL);
	CHECK(c.pidfile == NULL);
	ct_config_free(&c);
	CHECK(c.listen == NULL);
}

static void test_good_file(void)
{
	static const char text[] =
		"# cloudtrustd test configuration\n"
		"\n"
		"listen = [::1]:9443\r\n"
		"\tstate_dir=/srv/ct   \n"
		"   # an indented comment\n"
		"insecure_http = yes\n"
		"threads = 8\n"
		"log_level = DEBUG\n"
		"issuer_url = http://ct.example.test:8080/base//\n"
		"tenant_id = 72f988bf-86f1-41af-91ab-2d7cd011db47\n"
		"master_key_file = /etc/cloudtrust/master.key"; /* no final newline */
	struct ct_errinfo ei;
	struct ct_config c;

	ct_config_init(&c);
	CHECK_ERR(parse_text(&c, text, &ei), 0);
	CHECK_ERR(ct_config_finish(&c, &ei), 0);
	CHECK_STR(c.listen, "[::1]:9443");
	CHECK_STR(c.state_dir, "/srv/ct");
	/* Defaults follow state_dir; explicit values do not. */
	CHECK_STR(c.database, "sqlite:/srv/ct/cloudtrust.db");
	CHECK_STR(c.tls_key, "/srv/ct/tls/server.key");
	CHECK_STR(c.master_key_file, "/etc/cloudtrust/master.key");
	CHECK(c.insecure_http);
	CHECK_INT(c.threads, 8);
	CHECK_INT(c.log_level, CT_LOG_DEBUG);
	CHECK_STR(c.issuer_url, "http://ct.example.test:8080/base");
	CHECK_STR(c.tenant_id, "72f988bf-86f1-41af-91ab-2d7cd011db47");
	ct_config_free(&c);
}

static void test_overrides(void)
{
	struct ct_errinfo ei;
	struct ct_config c;

	ct_config_init(&c);
	CHECK_ERR(parse_text(&c, "threads = 2\nlisten = 127.0.0.1:1\n", &ei), 0);
	/* The command line comes after the file and wins. */
	CHECK_ERR(ct_config_set_arg(&c, "threads=16", &ei), 0);
	CHECK_ERR(ct_config_set(&c, "listen", "0.0.0.0:443", "command line", &ei), 0);
	CHECK_ERR(ct_config_set_arg(&c, "tenant_id=contoso.example", &ei), 0);
	CHECK_ERR(ct_config_set_arg(&c, "pidfile=/run/cloudtrustd.pid", &ei), 0);
	CHECK_ERR(ct_config_finish(&c, &ei), 0);
	CHECK_INT(c.threads, 16);
	CHECK_STR(c.listen, "0.0.0.0:443");
	CHECK_STR(c.tenant_id, "contoso.example");
	CHECK_STR(c.pidfile, "/run/cloudtrustd.pid");

	CHECK_ERR(ct_config_set_arg(&c, "threads", &ei), CT_ERR_BAD_VALUE);
	CHECK(strstr(ei.msg, "KEY=VALUE") != NULL);
	CHECK_ERR(ct_config_set_arg(&c, "=3", &ei), CT_ERR_BAD_VALUE);
	CHECK_ERR(ct_config_set_arg(&c, "bogus=3", &ei), CT_ERR_BAD_VALUE);
	CHECK_STR(ei.msg, "--set: unknown key \"bogus\"");
	CHECK_ERR(ct_config_set_arg(&c, "threads=many", &ei), CT_ERR_BAD_VALUE);
	CHECK(strstr(ei.msg, "--set: threads must be an integer in 0..256") != NULL);
	CHECK_INT(c.threads, 16); /* a refused value leaves the old one */
	ct_config_free(&c);
}

struct bad {
	const char *text;
	int err;
	const char *msg; /* a prefix of the message */
};

static void test_bad_files(void)
{
	static const struct bad cases[] = {
		{"# ok\nthreads = 1\nbogus = 1\n", CT_ERR_BAD_VALUE,
		 "test.conf:3: unknown key \"bogus\""},
		{"\nthreads = 1\n\n\nthreads = 2\n", CT_ERR_BAD_VALUE,
		 "test.conf:5: threads is already set on line 2"},
		{"listen\n", CT_ERR_BAD_VALUE, "test.conf:1: expected \"key = value\""},
		{"= 3\n", CT_ERR_BAD_VALUE, "test.conf:1: unknown key \"\""},
		{"[section]\n", CT_ERR_BAD_VALUE, "test.conf:1: expected"},
		{"threads = abc\n", CT_ERR_BAD_VALUE, "test.conf:1: threads must be an integer"},
		{"threads = 257\n", CT_ERR_BAD_VALUE, "test.conf:1: threads must be an integer in 0..256"},
		{"threads = -1\n", CT_ERR_BAD_VALUE, "test.conf:1: threads must be"},
		{"threads = 4 # four\n", CT_ERR_BAD_VALUE, "test.conf:1: threads must be"},
		{"threads =\n", CT_ERR_BAD_VALUE, "test.conf:1: threads must be"},
		{"threads = 99999999999999999999\n", CT_ERR_BAD_VALUE, "test.conf:1: threads must be"},
		{"max_connections = 0\n", CT_ERR_BAD_VALUE, "test.conf:1: max_connections must be"},
		{"insecure_http = maybe\n", CT_ERR_BAD_VALUE,
		 "test.conf:1: insecure_http must be true or false"},
		{"log_level = loud\n", CT_ERR_BAD_VALUE, "test.conf:1: log_level must be error"},
		{"state_dir = var/lib\n", CT_ERR_BAD_VALUE, "test.conf:1: invalid state_dir"},
		{"state_dir =\n", CT_ERR_BAD_VALUE, "test.conf:1: invalid state_dir"},
		{"listen = localhost:8443\n", CT_ERR_BAD_VALUE, "test.conf:1: invalid listen"},
		{"listen = 127.0.0.1\n", CT_ERR_BAD_VALUE, "test.conf:1: invalid listen"},
		{"listen = 127.0.0.1:65536\n", CT_ERR_BAD_VALUE, "test.conf:1: invalid listen"},
		{"listen = 127.0.0.1:-1\n", CT_ERR_BAD_VALUE, "test.conf:1: invalid listen"},
		{"listen = 127.0.0.1:\n", CT_ERR_BAD_VALUE, "test.conf:1: invalid listen"},
		{"listen = ::1:8443\n", CT_ERR_BAD_VALUE, "test.conf:1: invalid listen"},
		{"listen = [::1]8443\n", CT_ERR_BAD_VALUE, "test.conf:1: invalid listen"},
		{"listen = [127.0.0.1]:8443\n", CT_ERR_BAD_VALUE, "test.conf:1: invalid listen"},
		{"issuer_url = ftp://x\n", CT_ERR_BAD_VALUE, "test.conf:1: invalid issuer_url"},
		{"issuer_url = https://\n", CT_ERR_BAD_VALUE, "test.conf:1: invalid issuer_url"},
		{"issuer_url = https://x/?q=1\n", CT_ERR_BAD_VALUE, "test.conf:1: invalid issuer_url"},
		{"issuer_url = https://u@x/\n", CT_ERR_BAD_VALUE, "test.conf:1: invalid issuer_url"},
		{"database = postgres://db\n", CT_ERR_BAD_VALUE, "test.conf:1: invalid database"},
		{"database = sqlite:rel.db\n", CT_ERR_BAD_VALUE, "test.conf:1: invalid database"},
		{"tenant_id = a/b\n", CT_ERR_BAD_VALUE, "test.conf:1: invalid tenant_id"},
		{"tls_key = /a\x01b\n", CT_ERR_BAD_VALUE, "test.conf:1: tls_key: control character"},
		{"threads = 1\n\x01\n", CT_ERR_BAD_VALUE, "test.conf:2: expected"},
	};
	struct ct_errinfo ei;
	struct ct_config c;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ct_config_init(&c);
		CHECK_ERR(parse_text(&c, cases[i].text, &ei), cases[i].err);
		if (strncmp(ei.msg, cases[i].msg, strlen(cases[i].msg)) != 0)
			tap_diag("case %zu: got \"%s\"", i, ei.msg);
		CHECK(strncmp(ei.msg, cases[i].msg, strlen(cases[i].msg)) == 0);
		ct_config_free(&c);
	}
}

static void test_bad_bytes(void)
{
	static const char nul[] = "threads = 1\nlisten = 1\0.0.0.1:1\n";
	struct ct_errinfo ei = {0};
	struct ct_config c;
	char *big;
	size_t n;

	ct_config_init(&c);
	CHECK_ERR(ct_config_parse(&c, nul, sizeof(nul) - 1, "nul.conf", &ei), CT_ERR_BAD_VALUE);
	CHECK_STR(ei.msg, "nul.conf:2: NUL byte");
	CHECK_INT(c.threads, 1); /* keys before the bad line stay */
	ct_config_free(&c);

	/* A line of CT_CONFIG_MAX_LINE passes the length check, one more does not. */
	n = CT_CONFIG_MAX_LINE + 1;
	big = malloc(n + 2);
	memset(big, '#', n);
	big[n] = '\n';
	big[n + 1] = '\0';
	ct_config_init(&c);
	CHECK_ERR(ct_config_parse(&c, big + 1, n, "big.conf", &ei), 0);
	CHECK_ERR(ct_config_parse(&c, big, n + 1, "big.conf", &ei), CT_ERR_TOO_LARGE);
	CHECK_STR(ei.msg, "big.conf:1: line longer than 4096 bytes");
	ct_config_free(&c);
	free(big);

	big = malloc(CT_CONFIG_MAX_FILE + 1);
	memset(big, '\n', CT_CONFIG_MAX_FILE + 1);
	ct_config_init(&c);
	CHECK_ERR(ct_config_parse(&c, big, CT_CONFIG_MAX_FILE, "big.conf", &ei), 0);
	CHECK_ERR(ct_config_parse(&c, big, CT_CONFIG_MAX_FILE + 1, "big.conf", &ei),
		  CT_ERR_TOO_LARGE);
	ct_config_free(&c);
	free(big);
}

static void test_cross_checks(void)
{
	struct ct_errinfo ei = {0};
	struct ct_config c;

	ct_config_init(&c);
	CHECK_ERR(parse_text(&c, "issuer_url = http://ct.example.test\n", &ei), 0);
	CHECK_ERR(ct_config_finish(&c, &ei), CT_ERR_BAD_VALUE);
	CHECK(strstr(ei.msg, "issuer_url must be https://") != NULL);
	ct_config_free(&c);

	ct_config_init(&c);
	CHECK_ERR(parse_text(&c, "issuer_url = https://ct.example.test/\n", &ei), 0);
	CHECK_ERR(ct_config_finish(&c, &ei), 0);
	CHECK_STR(c.issuer_url, "https://ct.example.test");
	ct_config_free(&c);
}

static void test_files(void)
{
	char dir[] = "/tmp/ct-config-XXXXXX", path[128], *text = NULL;
	struct ct_errinfo ei = {0};
	struct ct_config c;
	size_t len = 0;
	FILE *f;

	if (mkdtemp(dir) == NULL) {
		CHECK(!"mkdtemp");
		return;
	}
	snprintf(path, sizeof(path), "%s/cloudtrustd.conf", dir);
	f = fopen(path, "w");
	fputs("threads = 3\nbogus = 1\n", f);
	fclose(f);
	ct_config_init(&c);
	CHECK_ERR(ct_config_load(&c, path, &ei), CT_ERR_BAD_VALUE);
	CHECK(strstr(ei.msg, "cloudtrustd.conf:2: unknown key \"bogus\"") != NULL);
	CHECK_INT(c.threads, 3);
	ct_config_free(&c);

	f = fopen(path, "w");
	fputs("threads = 3\n", f);
	fclose(f);
	ct_config_init(&c);
	CHECK_ERR(ct_config_load(&c, path, &ei), 0);
	CHECK_INT(c.threads, 3);
	ct_config_free(&c);

	CHECK_ERR(ct_config_read_file(path, 12, &text, &len, &ei), 0);
	CHECK_STR(text, "threads = 3\n");
	CHECK_INT(len, 12);
	ct_erase_free(text, len + 1);
	text = NULL;
	CHECK_ERR(ct_config_read_file(path, 11, &text, &len, &ei), CT_ERR_TOO_LARGE);
	CHECK(text == NULL);
	CHECK_ERR(ct_config_read_file(dir, 100, &text, &len, &ei), CT_ERR_IO);
	CHECK(strstr(ei.msg, "not a regular file") != NULL);
	unlink(path);
	CHECK_ERR(ct_config_load(&c, path, &ei), CT_ERR_IO);
	CHECK(strstr(ei.msg, "No such file") != NULL);
	rmdir(dir);
}

static void test_schema_and_print(void)
{
	const struct ct_config_key *keys;
	struct ct_errinfo ei = {0};
	struct ct_config c;
	char *out = NULL;
	size_t n, i, outlen = 0;
	FILE *f;
	bool all_help = true;

	keys = ct_config_keys(&n);
	CHECK(n >= 11 && n <= CT_CONFIG_MAX_KEYS);
	for (i = 0; i < n; i++)
		all_help = all_help && keys[i].help != NULL && keys[i].help[0] != '\0';
	CHECK(all_help);
	CHECK(ct_config_key_find("tls_cert") != NULL);
	CHECK(ct_config_key_find("tls-cert") == NULL);

	ct_config_init(&c);
	CHECK_ERR(ct_config_set_arg(&c, "threads=5", &ei), 0);
	CHECK_ERR(ct_config_finish(&c, &ei), 0);
	f = open_memstream(&out, &outlen);
	ct_config_print(&c, f);
	fclose(f);
	CHECK(strstr(out, "threads = 5\n") != NULL);
	CHECK(strstr(out, "log_level = info\n") != NULL);
	CHECK(strstr(out, "insecure_http = false\n") != NULL);
	CHECK(strstr(out, "# issuer_url is not set\n") != NULL);
	/* What print writes parses back to the same configuration. */
	{
		struct ct_config again;
		struct ct_errinfo ei2 = {0};

		ct_config_init(&again);
		CHECK_ERR(ct_config_parse(&again, out, outlen, "printed", &ei2), 0);
		CHECK_ERR(ct_config_finish(&again, &ei2), 0);
		CHECK_INT(again.threads, 5);
		CHECK_STR(again.database, c.database);
		ct_config_free(&again);
	}
	free(out);
	ct_config_free(&c);
}

int main(void)
{
	test_defaults();
	test_good_file();
	test_overrides();
	test_bad_files();
	test_bad_bytes();
	test_cross_checks();
	test_files();
	test_schema_and_print();
	return tap_done();
}
