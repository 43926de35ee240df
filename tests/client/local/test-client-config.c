/* SPDX-License-Identifier: Apache-2.0 */
/*
 * client.conf: defaults, a full good file, bad files refused with the right
 * line number, ranges at their edges, the path override order, and the
 * ccache template.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cl-config.h"
#include "tap.h"

static char tmpdir[] = "/tmp/ct-client-config-XXXXXX";

static int parse_text(const char *text, struct ct_client_config *c, struct ct_errinfo *ei)
{
	memset(ei, 0, sizeof(*ei));
	return ct_client_config_parse(text, strlen(text), "client.conf", c, ei);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		abort();
	fputs(text, f);
	fclose(f);
}

static void check_defaults(const struct ct_client_config *c)
{
	CHECK(c->server_url == NULL);
	CHECK_STR(c->state_dir, "/var/lib/cloudtrust-client");
	CHECK_STR(c->policy_file, "/etc/cloudtrust/policy.json");
	CHECK_INT(c->keystore, CT_CLIENT_KS_AUTO);
	CHECK(c->tcti == NULL);
	CHECK_INT(c->pin_max_attempts, 5);
	CHECK_INT(c->argon2_t, 3);
	CHECK_INT(c->argon2_m_kib, 65536);
	CHECK_INT(c->argon2_p, 1);
	CHECK(c->kdc == NULL);
	CHECK_STR(c->ccache, "FILE:/tmp/krb5cc_%{uid}");
	CHECK(c->ca_file == NULL);
	CHECK(c->offline_logon);
	CHECK_INT(c->timeout, 10);
}

static void test_defaults(void)
{
	struct ct_client_config c;
	struct ct_errinfo ei;

	CHECK_ERR(parse_text("", &c, &ei), 0);
	check_defaults(&c);
	CHECK(c.path == NULL);
	ct_client_config_free(&c);
	CHECK(c.state_dir == NULL);
	ct_client_config_free(&c);  /* twice is a no-op */
	CHECK(c.ccache == NULL);
}

static void test_good_file(void)
{
	static const char text[] =
		"# the client's config\n"
		"\n"
		"server_url = https://ct.example.test:8443/base//\r\n"
		"\tstate_dir=/srv/ct-client   \n"
		"   # indented comment\n"
		"policy_file = /srv/policy.json\n"
		"keystore = soft\n"
		"tcti = swtpm:host=127.0.0.1,port=2321\n"
		"pin_max_attempts = 32\n"
		"argon2_t = 1\n"
		"argon2_m_kib = 8\n"
		"argon2_p = 1\n"
		"kdc = dc1.lab.test:88\n"
		"ccache = /run/user/%{uid}/krb5cc\n"
		"ca_file = /srv/ca.pem\n"
		"offline_logon = no\n"
		"timeout = 300";
	struct ct_client_config c;
	struct ct_errinfo ei;

	CHECK_ERR(parse_text(text, &c, &ei), 0);
	CHECK_STR(c.server_url, "https://ct.example.test:8443/base");
	CHECK_STR(c.state_dir, "/srv/ct-client");
	CHECK_STR(c.policy_file, "/srv/policy.json");
	CHECK_INT(c.keystore, CT_CLIENT_KS_SOFT);
	CHECK_STR(c.tcti, "swtpm:host=127.0.0.1,port=2321");
	CHECK_INT(c.pin_max_attempts, 32);
	CHECK_INT(c.argon2_t, 1);
	CHECK_INT(c.argon2_m_kib, 8);
	CHECK_INT(c.argon2_p, 1);
	CHECK_STR(c.kdc, "dc1.lab.test:88");
	CHECK_STR(c.ccache, "/run/user/%{uid}/krb5cc");
	CHECK_STR(c.ca_file, "/srv/ca.pem");
	CHECK(!c.offline_logon);
	CHECK_INT(c.timeout, 300);
	ct_client_config_free(&c);

	CHECK_ERR(parse_text("keystore = tpm\nkdc = [fd00::2]\n", &c, &ei), 0);
	CHECK_INT(c.keystore, CT_CLIENT_KS_TPM);
	CHECK_STR(c.kdc, "[fd00::2]");
	CHECK_STR(ct_client_keystore_name(c.keystore), "tpm");
	ct_client_config_free(&c);
}

struct bad_case {
	const char *text;
	const char *msg;  /* the whole of ei.msg */
};

static void test_bad_files(void)
{
	static const struct bad_case cases[] = {
		{"timeout = 5\nnonsense = 1\n", "client.conf:2: unknown key \"nonsense\""},
		{"# c\nkeystore = auto\n\nkeystore = soft\n",
		 "client.conf:4: keystore is already set on line 2"},
		{"state_dir\n", "client.conf:1: expected \"key = value\""},
		{"\n\nstate_dir = relative/path\n",
		 "client.conf:3: invalid state_dir \"relative/path\" (device and user state "
		 "(root, 0700))"},
		{"keystore = TPM\n",
		 "client.conf:1: keystore must be auto, tpm or soft, not \"TPM\""},
		{"pin_max_attempts = 0\n",
		 "client.conf:1: pin_max_attempts must be an integer in 1..32, not \"0\""},
		{"pin_max_attempts = 33\n",
		 "client.conf:1: pin_max_attempts must be an integer in 1..32, not \"33\""},
		{"pin_max_attempts = -1\n",
		 "client.conf:1: pin_max_attempts must be an integer in 1..32, not \"-1\""},
		{"timeout = 0\n", "client.conf:1: timeout must be an integer in 1..300, not \"0\""},
		{"timeout = 10s\n",
		 "client.conf:1: timeout must be an integer in 1..300, not \"10s\""},
		{"argon2_t = 17\n",
		 "client.conf:1: argon2_t must be an integer in 1..16, not \"17\""},
		{"argon2_m_kib = 7\n",
		 "client.conf:1: argon2_m_kib must be an integer in 8..1048576, not \"7\""},
		{"argon2_m_kib = 1048577\n",
		 "client.conf:1: argon2_m_kib must be an integer in 8..1048576, not \"1048577\""},
		{"argon2_p = 0\n", "client.conf:1: argon2_p must be an integer in 1..16, not \"0\""},
		{"argon2_m_kib = 16\nargon2_p = 4\n",
		 "client.conf: argon2_m_kib must be at least 8 x argon2_p (32)"},
		{"offline_logon = maybe\n",
		 "client.conf:1: offline_logon must be true or false, not \"maybe\""},
		{"server_url = ftp://x\n",
		 "client.conf:1: invalid server_url \"ftp://x\" (cloudtrustd base URL (default: "
		 "the one saved at join))"},
		{"server_url = https://user@x/\n",
		 "client.conf:1: invalid server_url \"https://user@x/\" (cloudtrustd base URL "
		 "(default: the one saved at join))"},
		{"kdc = dc1:0\n",
		 "client.conf:1: invalid kdc \"dc1:0\" (writable DC as host[:port] (default: "
		 "krb5.conf or DNS SRV))"},
		{"kdc = dc1:88:88\n",
		 "client.conf:1: invalid kdc \"dc1:88:88\" (writable DC as host[:port] (default: "
		 "krb5.conf or DNS SRV))"},
		{"ccache = KEYRING:persistent:%{uid}\n",
		 "client.conf:1: invalid ccache \"KEYRING:persistent:%{uid}\" (credential cache "
		 "template; %{uid} is the user's uid)"},
		{"ccache = /tmp/krb5cc_%{user}\n",
		 "client.conf:1: invalid ccache \"/tmp/krb5cc_%{user}\" (credential cache "
		 "template; %{uid} is the user's uid)"},
		{"ccache = /tmp/krb5cc_%\n",
		 "client.conf:1: invalid ccache \"/tmp/krb5cc_%\" (credential cache template; "
		 "%{uid} is the user's uid)"},
		{"tcti = a b\n", "client.conf:1: tcti: blank or control character in value"},
		{"tcti =\n", "client.conf:1: invalid tcti \"\" (TPM connection, e.g. "
			     "device:/dev/tpmrm0 (default: tpm2-tss's))"},
	};
	struct ct_client_config c;
	struct ct_errinfo ei;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CHECK_ERR(parse_text(cases[i].text, &c, &ei), CT_ERR_BAD_VALUE);
		CHECK_STR(ei.msg, cases[i].msg);
		/* On error the struct is left empty. */
		CHECK(c.state_dir == NULL && c.ccache == NULL);
	}
}

static void test_limits(void)
{
	struct ct_client_config c;
	struct ct_errinfo ei;
	char *big;
	size_t n;

	n = 5000;
	big = malloc(n + 32);
	memcpy(big, "tcti = ", 7);
	memset(big + 7, 'x', n);
	big[n + 7] = '\0';
	CHECK_ERR(parse_text(big, &c, &ei), CT_ERR_TOO_LARGE);
	CHECK_STR(ei.msg, "client.conf:1: line longer than 4096 bytes");
	free(big);

	n = 70000;
	big = calloc(1, n + 1);
	memset(big, '\n', n);
	CHECK_ERR(parse_text(big, &c, &ei), CT_ERR_TOO_LARGE);
	free(big);

	{
		static const char nul[] = "timeout = 1\nkdc = a\0b\n";

		memset(&ei, 0, sizeof(ei));
		CHECK_ERR(ct_client_config_parse(nul, sizeof(nul) - 1, "client.conf", &c, &ei),
			  CT_ERR_BAD_VALUE);
		CHECK_STR(ei.msg, "client.conf:2: NUL byte");
	}
}

static void test_load_paths(void)
{
	char path[PATH_MAX], other[PATH_MAX];
	struct ct_client_config c;
	struct ct_errinfo ei = {0};

	snprintf(path, sizeof(path), "%s/client.conf", tmpdir);
	snprintf(other, sizeof(other), "%s/env.conf", tmpdir);
	write_file(path, "timeout = 7\n");
	write_file(other, "timeout = 8\n# two\nbogus = 1\n");

	unsetenv(CT_CLIENT_CONF_ENV);
	CHECK_ERR(ct_client_config_load(path, &c, &ei), 0);
	CHECK_INT(c.timeout, 7);
	CHECK_STR(c.path, path);
	ct_client_config_free(&c);

	/* The environment names a file when no explicit path is given... */
	setenv(CT_CLIENT_CONF_ENV, other, 1);
	CHECK_ERR(ct_client_config_load(NULL, &c, &ei), CT_ERR_BAD_VALUE);
	CHECK(strstr(ei.msg, "env.conf:3: unknown key \"bogus\"") != NULL);
	/* ...and an explicit path wins over it. */
	CHECK_ERR(ct_client_config_load(path, &c, &ei), 0);
	CHECK_INT(c.timeout, 7);
	ct_client_config_free(&c);

	/* A missing explicit (or environment) file is an error. */
	snprintf(other, sizeof(other), "%s/missing.conf", tmpdir);
	CHECK_ERR(ct_client_config_load(other, &c, &ei), CT_ERR_IO);
	CHECK(strstr(ei.msg, "missing.conf") != NULL);
	setenv(CT_CLIENT_CONF_ENV, other, 1);
	CHECK_ERR(ct_client_config_load(NULL, &c, &ei), CT_ERR_IO);
	unsetenv(CT_CLIENT_CONF_ENV);

	/* A directory is not a config file. */
	CHECK_ERR(ct_client_config_load(tmpdir, &c, &ei), CT_ERR_IO);

	/* The default path: a missing file gives the defaults, a present one is read. */
	if (access(CT_CLIENT_CONF_DEFAULT, F_OK) != 0) {
		memset(&ei, 0, sizeof(ei));
		CHECK_ERR(ct_client_config_load(NULL, &c, &ei), 0);
		check_defaults(&c);
		CHECK(c.path == NULL);
		CHECK_INT(ei.code, 0);
		ct_client_config_free(&c);
	} else {
		tap_diag("%s exists: the missing-default case is checked through parse",
			 CT_CLIENT_CONF_DEFAULT);
		CHECK_ERR(parse_text("", &c, &ei), 0);
		check_defaults(&c);
		ct_client_config_free(&c);
	}
	unlink(path);
	unlink(other);
	snprintf(other, sizeof(other), "%s/env.conf", tmpdir);
	unlink(other);
}

static void test_ccache(void)
{
	struct ct_client_config c;
	struct ct_errinfo ei;
	char out[64];

	CHECK_ERR(parse_text("", &c, &ei), 0);
	CHECK_ERR(ct_client_ccache_name(&c, 1001, out, sizeof(out)), 0);
	CHECK_STR(out, "FILE:/tmp/krb5cc_1001");
	CHECK_ERR(ct_client_ccache_name(&c, 0, out, sizeof(out)), 0);
	CHECK_STR(out, "FILE:/tmp/krb5cc_0");
	CHECK_ERR(ct_client_ccache_name(&c, 4294967294u, out, sizeof(out)), 0);
	CHECK_STR(out, "FILE:/tmp/krb5cc_4294967294");
	/* Exactly fitting, and one byte short. */
	CHECK_ERR(ct_client_ccache_name(&c, 1001, out, strlen("FILE:/tmp/krb5cc_1001") + 1), 0);
	CHECK_ERR(ct_client_ccache_name(&c, 1001, out, strlen("FILE:/tmp/krb5cc_1001")),
		  CT_ERR_TOO_LARGE);
	CHECK_STR(out, "");
	ct_client_config_free(&c);

	CHECK_ERR(parse_text("ccache = /run/%{uid}/cc-%{uid}\n", &c, &ei), 0);
	CHECK_ERR(ct_client_ccache_name(&c, 42, out, sizeof(out)), 0);
	CHECK_STR(out, "/run/42/cc-42");
	ct_client_config_free(&c);

	CHECK_ERR(parse_text("ccache = FILE:/var/cc/fixed\n", &c, &ei), 0);
	CHECK_ERR(ct_client_ccache_name(&c, 42, out, sizeof(out)), 0);
	CHECK_STR(out, "FILE:/var/cc/fixed");
	ct_client_config_free(&c);
}

static void test_print_roundtrip(void)
{
	struct ct_client_config c, again;
	struct ct_errinfo ei;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	CHECK_ERR(parse_text("keystore = soft\nkdc = dc:88\noffline_logon = off\n", &c, &ei), 0);
	f = open_memstream(&text, &len);
	ct_client_config_print(&c, f);
	fclose(f);
	CHECK(strstr(text, "keystore = soft\n") != NULL);
	CHECK(strstr(text, "# server_url is not set\n") != NULL);
	CHECK_ERR(ct_client_config_parse(text, len, "printed", &again, &ei), 0);
	CHECK_INT(again.keystore, CT_CLIENT_KS_SOFT);
	CHECK_STR(again.kdc, "dc:88");
	CHECK(!again.offline_logon);
	free(text);
	ct_client_config_free(&again);
	ct_client_config_free(&c);
}

int main(void)
{
	if (mkdtemp(tmpdir) == NULL)
		return 1;
	test_defaults();
	test_good_file();
	test_bad_files();
	test_limits();
	test_load_paths();
	test_ccache();
	test_print_roundtrip();
	rmdir(tmpdir);
	return tap_done();
}
