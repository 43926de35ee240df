/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cloudtrust-admin without a server: the command line, the command tables,
 * request paths, policy node names, exit statuses, and what adm_main
 * refuses before it would contact anything.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adm-api.h"
#include "adm-args.h"
#include "adm.h"
#include "cmd-policy.h"
#include "ct-error.h"
#include "tap.h"

#define ARGC(v) ((int)(sizeof(v) / sizeof((v)[0])))

static struct adm_global defaults(void)
{
	struct adm_global g = {
		.server = "https://default:8443",
		.token_file = "/default/token",
		.cacert = "/default/ca.pem",
		.timeout_s = 30,
	};

	return g;
}

/* Parses argv (without argv[0]); returns the result code. */
static int parse(int argc, char **argv, struct adm_global *g, struct adm_args *a,
		 struct ct_errinfo *ei)
{
	*g = defaults();
	memset(ei, 0, sizeof(*ei));
	return adm_args_parse(argc, argv, adm_command_groups, g, a, ei);
}

static void test_commands(void)
{
	struct adm_global g;
	struct adm_args a;
	struct ct_errinfo ei;
	char *show[] = {"x", "user", "show", "alice@corp.example.test"};
	char *member[] = {"x", "group", "member", "add", "staff", "bob@corp.example.test"};
	char *add[] = {"x", "group", "add", "staff"};
	char *mfa[] = {"x", "user", "mfa", "enroll", "a@b"};

	CHECK_ERR(parse(ARGC(show), show, &g, &a, &ei), 0);
	CHECK_STR(a.cmd->words, "user show");
	CHECK_STR(a.pos[0], "alice@corp.example.test");
	CHECK(!g.json);
	CHECK_STR(g.server, "https://default:8443");
	CHECK_STR(g.token_file, "/default/token");
	CHECK_INT(g.timeout_s, 30);

	/* The longest command wins: "group member add", not "group add". */
	CHECK_ERR(parse(ARGC(member), member, &g, &a, &ei), 0);
	CHECK_STR(a.cmd->words, "group member add");
	CHECK_STR(a.pos[0], "staff");
	CHECK_STR(a.pos[1], "bob@corp.example.test");
	CHECK_ERR(parse(ARGC(add), add, &g, &a, &ei), 0);
	CHECK_STR(a.cmd->words, "group add");
	CHECK_ERR(parse(ARGC(mfa), mfa, &g, &a, &ei), 0);
	CHECK_STR(a.cmd->words, "user mfa enroll");
}

static void test_global_options(void)
{
	struct adm_global g;
	struct adm_args a;
	struct ct_errinfo ei;
	char *before[] = {"x", "--json", "--server", "http://127.0.0.1:1", "--timeout=5",
			  "user", "list"};
	char *after[] = {"x", "user", "list", "--token-file", "/t", "--json", "--cacert=/c"};
	char *mixed[] = {"x", "--timeout", "7", "device", "remove", "--yes", "ID-1", "--json"};

	CHECK_ERR(parse(ARGC(before), before, &g, &a, &ei), 0);
	CHECK(g.json);
	CHECK_STR(g.server, "http://127.0.0.1:1");
	CHECK_INT(g.timeout_s, 5);
	CHECK_STR(g.cacert, "/default/ca.pem");
	CHECK_STR(a.cmd->words, "user list");

	CHECK_ERR(parse(ARGC(after), after, &g, &a, &ei), 0);
	CHECK(g.json);
	CHECK_STR(g.token_file, "/t");
	CHECK_STR(g.cacert, "/c");

	CHECK_ERR(parse(ARGC(mixed), mixed, &g, &a, &ei), 0);
	CHECK_STR(a.cmd->words, "device remove");
	CHECK_STR(a.pos[0], "ID-1");
	CHECK(adm_arg_flag(&a, "yes"));
	CHECK(g.json);
	CHECK_INT(g.timeout_s, 7);
}

static void test_command_options(void)
{
	struct adm_global g;
	struct adm_args a;
	struct ct_errinfo ei;
	char *onprem[] = {"x", "user", "set-onprem", "--sam", "alice", "a@b", "--domain=corp.test",
			  "--sid", "S-1-5-21-1-2-3-1103"};
	char *empty[] = {"x", "user", "add", "a@b", "--display-name=", "--password-stdin"};
	char *dashdash[] = {"x", "policy", "set", "--", "--odd", "-1"};
	char *valdash[] = {"x", "user", "add", "a@b", "--display-name", "--x--", "--password-stdin"};

	CHECK_ERR(parse(ARGC(onprem), onprem, &g, &a, &ei), 0);
	CHECK_STR(a.pos[0], "a@b");
	CHECK_STR(adm_arg(&a, "sam"), "alice");
	CHECK_STR(adm_arg(&a, "domain"), "corp.test");
	CHECK_STR(adm_arg(&a, "sid"), "S-1-5-21-1-2-3-1103");
	CHECK(adm_arg(&a, "onprem-upn") == NULL);

	CHECK_ERR(parse(ARGC(empty), empty, &g, &a, &ei), 0);
	CHECK_STR(adm_arg(&a, "display-name"), "");
	CHECK(adm_arg_flag(&a, "password-stdin"));
	CHECK(!adm_arg_flag(&a, "password-file"));

	/* After "--" everything is an argument. */
	CHECK_ERR(parse(ARGC(dashdash), dashdash, &g, &a, &ei), 0);
	CHECK_STR(a.pos[0], "--odd");
	CHECK_STR(a.pos[1], "-1");

	/* A value that looks like an option is still the value. */
	CHECK_ERR(parse(ARGC(valdash), valdash, &g, &a, &ei), 0);
	CHECK_STR(adm_arg(&a, "display-name"), "--x--");
}

static void test_usage_errors(void)
{
	struct adm_global g;
	struct adm_args a;
	struct ct_errinfo ei;
	char *none[] = {"x"};
	char *unknown[] = {"x", "user", "frobnicate"};
	char *group_only[] = {"x", "device"};
	char *missing[] = {"x", "user", "show"};
	char *extra[] = {"x", "user", "show", "a", "b"};
	char *badopt[] = {"x", "user", "list", "--bogus"};
	char *other_cmd_opt[] = {"x", "user", "list", "--yes"};
	char *twice[] = {"x", "policy", "set", "n", "v", "--group", "a", "--group", "b"};
	char *flagval[] = {"x", "device", "remove", "ID", "--yes=1"};
	char *novalue[] = {"x", "user", "list", "--server"};
	char *short_opt[] = {"x", "user", "list", "-j"};
	char *timeout0[] = {"x", "--timeout", "0", "user", "list"};
	char *timeout_big[] = {"x", "--timeout", "3601", "user", "list"};
	char *timeout_unit[] = {"x", "--timeout", "10s", "user", "list"};
	char *cmdopt_first[] = {"x", "--yes", "device", "remove", "ID"};

	CHECK_ERR(parse(ARGC(none), none, &g, &a, &ei), CT_ERR_USAGE);
	CHECK(strstr(ei.msg, "no command") != NULL);
	CHECK_ERR(parse(ARGC(unknown), unknown, &g, &a, &ei), CT_ERR_USAGE);
	CHECK(strstr(ei.msg, "user frobnicate") != NULL);
	CHECK_STR(a.group, "user");
	CHECK_ERR(parse(ARGC(group_only), group_only, &g, &a, &ei), CT_ERR_USAGE);
	CHECK_STR(a.group, "device");
	CHECK_ERR(parse(ARGC(missing), missing, &g, &a, &ei), CT_ERR_USAGE);
	CHECK(a.cmd != NULL && strcmp(a.cmd->words, "user show") == 0);
	CHECK_ERR(parse(ARGC(extra), extra, &g, &a, &ei), CT_ERR_USAGE);
	CHECK(strstr(ei.msg, "\"b\"") != NULL);
	CHECK_ERR(parse(ARGC(badopt), badopt, &g, &a, &ei), CT_ERR_USAGE);
	CHECK(strstr(ei.msg, "--bogus") != NULL);
	CHECK_ERR(parse(ARGC(other_cmd_opt), other_cmd_opt, &g, &a, &ei), CT_ERR_USAGE);
	CHECK_ERR(parse(ARGC(twice), twice, &g, &a, &ei), CT_ERR_USAGE);
	CHECK(strstr(ei.msg, "twice") != NULL);
	CHECK_ERR(parse(ARGC(flagval), flagval, &g, &a, &ei), CT_ERR_USAGE);
	CHECK_ERR(parse(ARGC(novalue), novalue, &g, &a, &ei), CT_ERR_USAGE);
	CHECK_ERR(parse(ARGC(short_opt), short_opt, &g, &a, &ei), CT_ERR_USAGE);
	CHECK_ERR(parse(ARGC(timeout0), timeout0, &g, &a, &ei), CT_ERR_USAGE);
	CHECK_ERR(parse(ARGC(timeout_big), timeout_big, &g, &a, &ei), CT_ERR_USAGE);
	CHECK_ERR(parse(ARGC(timeout_unit), timeout_unit, &g, &a, &ei), CT_ERR_USAGE);
	/* Command options belong after the command words. */
	CHECK_ERR(parse(ARGC(cmdopt_first), cmdopt_first, &g, &a, &ei), CT_ERR_USAGE);
}

static void test_help(void)
{
	struct adm_global g;
	struct adm_args a;
	struct ct_errinfo ei;
	char *all[] = {"x", "--help"};
	char *group[] = {"x", "user", "-h"};
	char *cmd[] = {"x", "user", "add", "--help"};
	char *version[] = {"x", "--version"};

	CHECK_ERR(parse(ARGC(all), all, &g, &a, &ei), 0);
	CHECK(g.help);
	CHECK(a.cmd == NULL && a.group == NULL);
	CHECK_ERR(parse(ARGC(group), group, &g, &a, &ei), 0);
	CHECK(g.help);
	CHECK_STR(a.group, "user");
	/* --help needs no arguments of the command. */
	CHECK_ERR(parse(ARGC(cmd), cmd, &g, &a, &ei), 0);
	CHECK_STR(a.cmd->words, "user add");
	CHECK_ERR(parse(ARGC(version), version, &g, &a, &ei), 0);
	CHECK(g.version);
}

static void test_numbers(void)
{
	unsigned long v = 99;

	CHECK_ERR(adm_parse_ulong("18", 1, 65535, &v), 0);
	CHECK_INT(v, 18);
	CHECK_ERR(adm_parse_ulong("65535", 1, 65535, &v), 0);
	CHECK_INT(v, 65535);
	v = 7;
	CHECK_ERR(adm_parse_ulong("65536", 1, 65535, &v), CT_ERR_BAD_VALUE);
	CHECK_ERR(adm_parse_ulong("0", 1, 65535, &v), CT_ERR_BAD_VALUE);
	CHECK_ERR(adm_parse_ulong("", 0, 10, &v), CT_ERR_BAD_VALUE);
	CHECK_ERR(adm_parse_ulong("-1", 0, 10, &v), CT_ERR_BAD_VALUE);
	CHECK_ERR(adm_parse_ulong("+1", 0, 10, &v), CT_ERR_BAD_VALUE);
	CHECK_ERR(adm_parse_ulong(" 1", 0, 10, &v), CT_ERR_BAD_VALUE);
	CHECK_ERR(adm_parse_ulong("1 ", 0, 10, &v), CT_ERR_BAD_VALUE);
	CHECK_ERR(adm_parse_ulong("0x10", 0, 100, &v), CT_ERR_BAD_VALUE);
	CHECK_ERR(adm_parse_ulong("99999999999999999999999", 0, ~0UL, &v), CT_ERR_BAD_VALUE);
	CHECK_ERR(adm_parse_ulong(NULL, 0, 10, &v), CT_ERR_BAD_VALUE);
	CHECK_INT(v, 7); /* untouched on failure */
}

static void test_tables(void)
{
	static const char *const globals[] = {"server", "token-file", "cacert", "json",
					      "timeout", "help", "version"};
	const struct adm_command *c, *d;
	size_t gi, k, n = 0, i;
	bool ok = true;

	for (gi = 0; adm_command_groups[gi] != NULL; gi++)
		for (c = adm_command_groups[gi]; c->words != NULL; c++, n++) {
			if (c->run == NULL || c->synopsis == NULL || c->summary == NULL ||
			    c->npos > ADM_MAX_POS) {
				tap_diag("bad command entry %s", c->words);
				ok = false;
			}
			for (k = 0; c->opts != NULL && c->opts[k].name != NULL; k++)
				for (i = 0; i < sizeof(globals) / sizeof(globals[0]); i++)
					if (strcmp(c->opts[k].name, globals[i]) == 0) {
						tap_diag("%s: --%s shadows a global option",
							 c->words, globals[i]);
						ok = false;
					}
			if (k > ADM_MAX_OPTS)
				ok = false;
			for (d = c + 1; d->words != NULL; d++)
				if (strcmp(c->words, d->words) == 0)
					ok = false;
		}
	CHECK(ok);
	CHECK_INT(n, 33); /* the brief's 30, tenant init, kerberos-server set, rotate */
}

static void test_usage_lists_everything(void)
{
	const struct adm_command *c;
	char *text = NULL;
	size_t len = 0, gi;
	bool all = true;
	FILE *f = open_memstream(&text, &len);

	adm_usage(f, adm_command_groups, NULL, NULL);
	fclose(f);
	for (gi = 0; adm_command_groups[gi] != NULL; gi++)
		for (c = adm_command_groups[gi]; c->words != NULL; c++)
			if (strstr(text, c->words) == NULL)
				all = false;
	CHECK(all);
	CHECK(strstr(text, "5 unauthorized") != NULL);
	free(text);

	text = NULL;
	f = open_memstream(&text, &len);
	adm_usage(f, adm_command_groups, NULL, "device");
	fclose(f);
	CHECK(strstr(text, "device remove ID [--yes]") != NULL);
	CHECK(strstr(text, "user list") == NULL);
	free(text);
}

static void test_paths(void)
{
	char out[64];
	struct ct_errinfo ei = {0};
	const char *args[] = {"a b/c?d#e%f&g=h", "x"};

	CHECK_ERR(adm_path(out, sizeof(out), &ei, "/admin/v1/users/%s/disable",
			   "alice@corp.example.test"), 0);
	CHECK_STR(out, "/admin/v1/users/alice@corp.example.test/disable");
	CHECK_ERR(adm_path_args(out, sizeof(out), &ei, "/u/%s?q=%s", args, 2), 0);
	CHECK_STR(out, "/u/a%20b%2Fc%3Fd%23e%25f%26g%3Dh?q=x");
	CHECK_ERR(adm_path(out, sizeof(out), &ei, "/u/%s", "Zo\xc3\xab~-._"), 0);
	CHECK_STR(out, "/u/Zo%C3%AB~-._");
	/* Names a URL would read as steps are refused, not sent. */
	CHECK_ERR(adm_path(out, sizeof(out), &ei, "/u/%s", ".."), CT_ERR_USAGE);
	CHECK_ERR(adm_path(out, sizeof(out), &ei, "/u/%s", "."), CT_ERR_USAGE);
	CHECK_ERR(adm_path(out, sizeof(out), &ei, "/u/%s", ""), CT_ERR_USAGE);
	CHECK_ERR(adm_path_args(out, sizeof(out), &ei, "/u/%s/%s", args, 1), CT_ERR_USAGE);
	CHECK_ERR(adm_path(out, 16, &ei, "/admin/v1/users/%s", "a"), CT_ERR_TOO_LARGE);
	/* The NUL must fit too. */
	CHECK_ERR(adm_path(out, 5, &ei, "/u/%s", "ab"), CT_ERR_TOO_LARGE);
	CHECK_ERR(adm_path(out, 6, &ei, "/u/%s", "ab"), 0);
	CHECK_STR(out, "/u/ab");
}

static void test_policy_nodes(void)
{
	static const char full[] =
		"./Device/Vendor/MSFT/PassportForWork/{TenantId}/Policies/UseCloudTrustForOnPremAuth";
	static const char tid[] =
		"./Device/Vendor/MSFT/PassportForWork/3f2a-11/Policies/PINComplexity/MinimumPINLength";

	CHECK_STR(adm_policy_node_relative(full), "UseCloudTrustForOnPremAuth");
	CHECK_STR(adm_policy_node_relative(tid), "PINComplexity/MinimumPINLength");
	CHECK_STR(adm_policy_node_relative(full + 2), "UseCloudTrustForOnPremAuth");
	CHECK_STR(adm_policy_node_relative("./device/vendor/msft/passportforwork/T/policies/X"), "X");
	CHECK_STR(adm_policy_node_relative("UsePassportForWork"), "UsePassportForWork");
	CHECK_STR(adm_policy_node_relative("PINComplexity/Digits"), "PINComplexity/Digits");
	/* Not the full form: left alone for the server to judge. */
	CHECK_STR(adm_policy_node_relative("./Device/Vendor/MSFT/PassportForWork//Policies/X"),
		  "./Device/Vendor/MSFT/PassportForWork//Policies/X");
	CHECK_STR(adm_policy_node_relative("./Device/Vendor/MSFT/PassportForWork/T/Policies/"),
		  "./Device/Vendor/MSFT/PassportForWork/T/Policies/");
	CHECK_STR(adm_policy_node_relative("./Device/Vendor/MSFT/PassportForWork/T/Other/X"),
		  "./Device/Vendor/MSFT/PassportForWork/T/Other/X");
}

static void test_exit_status(void)
{
	CHECK_INT(adm_exit_status(0), 0);
	CHECK_INT(adm_exit_status(CT_ERR_REFUSED), 1);
	CHECK_INT(adm_exit_status(CT_ERR_NETWORK), 1);
	CHECK_INT(adm_exit_status(CT_ERR_CANCELLED), 1);
	CHECK_INT(adm_exit_status(CT_ERR_USAGE), 2);
	CHECK_INT(adm_exit_status(CT_ERR_NOT_FOUND), 3);
	CHECK_INT(adm_exit_status(CT_ERR_CONFLICT), 4);
	CHECK_INT(adm_exit_status(CT_ERR_UNAUTHORIZED), 5);
}

struct run {
	char *out, *err;
	int status;
};

static const char *no_env(const char *name)
{
	(void)name;
	return NULL;
}

/* Runs adm_main with empty input that is not a terminal. */
static void run(int argc, char **argv, struct run *r)
{
	size_t olen, elen;
	FILE *in = fmemopen((void *)"", 1, "r");
	struct adm_io io = {.in = in, .getenv = no_env};

	io.out = open_memstream(&r->out, &olen);
	io.err = open_memstream(&r->err, &elen);
	r->status = adm_main(argc, argv, &io);
	fclose(io.out);
	fclose(io.err);
	fclose(in);
}

static void run_free(struct run *r)
{
	free(r->out);
	free(r->err);
}

static void test_main_offline(void)
{
	struct run r;
	char *version[] = {"cloudtrust-admin", "--version"};
	char *help[] = {"cloudtrust-admin", "kerberos-server", "--help"};
	char *bad_url[] = {"cloudtrust-admin", "--server", "ftp://x", "user", "list"};
	char *userinfo[] = {"cloudtrust-admin", "--server", "https://u:p@x", "user", "list"};
	char *remove[] = {"cloudtrust-admin", "--server", "http://127.0.0.1:1",
			  "device", "remove", "ID-1"};
	char *pw_both[] = {"cloudtrust-admin", "user", "add", "a@b", "--password-stdin",
			   "--password-file", "/x"};
	char *pw_none[] = {"cloudtrust-admin", "user", "password", "a@b"};
	char *assign[] = {"cloudtrust-admin", "policy", "assign", "N", "V"};
	char *publish[] = {"cloudtrust-admin", "kerberos-server", "publish", "--domain", "d",
			   "--realm", "R", "--rodc", "70000", "--key-file", "/k",
			   "--key-version", "1"};
	char *limit[] = {"cloudtrust-admin", "audit", "show", "--limit", "0"};
	char *notoken[] = {"cloudtrust-admin", "--server", "http://127.0.0.1:1",
			   "--token-file", "/nonexistent/token", "user", "list"};

	run(ARGC(version), version, &r);
	CHECK_INT(r.status, 0);
	CHECK_STR(r.out, "cloudtrust-admin 0.1.0\n");
	run_free(&r);

	run(ARGC(help), help, &r);
	CHECK_INT(r.status, 0);
	CHECK(strstr(r.out, "kerberos-server publish --domain DNS") != NULL);
	CHECK(strstr(r.out, "user add") == NULL);
	run_free(&r);

	run(ARGC(bad_url), bad_url, &r);
	CHECK_INT(r.status, ADM_EXIT_USAGE);
	CHECK(strstr(r.err, "https://") != NULL);
	run_free(&r);
	run(ARGC(userinfo), userinfo, &r);
	CHECK_INT(r.status, ADM_EXIT_USAGE);
	run_free(&r);

	/* Not a terminal and no --yes: refused before anything is read or sent. */
	run(ARGC(remove), remove, &r);
	CHECK_INT(r.status, ADM_EXIT_USAGE);
	CHECK(strstr(r.err, "--yes") != NULL);
	CHECK(strstr(r.err, "warning: http://127.0.0.1:1 is plain HTTP") != NULL);
	run_free(&r);

	run(ARGC(pw_both), pw_both, &r);
	CHECK_INT(r.status, ADM_EXIT_USAGE);
	run_free(&r);
	run(ARGC(pw_none), pw_none, &r);
	CHECK_INT(r.status, ADM_EXIT_USAGE);
	CHECK(strstr(r.err, "--password-stdin") != NULL);
	run_free(&r);
	run(ARGC(assign), assign, &r);
	CHECK_INT(r.status, ADM_EXIT_USAGE);
	CHECK(strstr(r.err, "--group") != NULL);
	run_free(&r);
	run(ARGC(publish), publish, &r);
	CHECK_INT(r.status, ADM_EXIT_USAGE);
	CHECK(strstr(r.err, "--rodc") != NULL);
	run_free(&r);
	run(ARGC(limit), limit, &r);
	CHECK_INT(r.status, ADM_EXIT_USAGE);
	run_free(&r);

	/* A missing token file is an error (1), reported with its path. */
	run(ARGC(notoken), notoken, &r);
	CHECK_INT(r.status, ADM_EXIT_ERROR);
	CHECK(strstr(r.err, "/nonexistent/token") != NULL);
	run_free(&r);
}

int main(void)
{
	test_commands();
	test_global_options();
	test_command_options();
	test_usage_errors();
	test_help();
	test_numbers();
	test_tables();
	test_usage_lists_everything();
	test_paths();
	test_policy_nodes();
	test_exit_status();
	test_main_offline();
	return tap_done();
}
