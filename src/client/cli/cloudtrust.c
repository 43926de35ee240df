/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cloudtrust: the device side of cloud Kerberos trust (docs/CLIENT.md) as a
 * command: join, leave, enroll, pin change/reset, logon, refresh, status,
 * doctor, events.  A thin shell over the client library: it reads options
 * and secrets, calls one flow, prints the outcome, and maps the error to an
 * exit status (cli.h, docs/man/cloudtrust.1).
 */
#include <getopt.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cl-events.h"
#include "cl-pin.h"
#include "cli.h"
#include "client.h"
#include "ct-secret.h"

static const char *prog = "cloudtrust";

/* How many times an interactive enrollment asks for a PIN that fails. */
#define PIN_ASKS 3

struct opts {
	const char *config;
	const char *server, *tenant, *ca, *upn, *user, *display_name, *keystore;
	const char *password_file, *otp, *pin_file, *old_pin_file;
	unsigned limit;
	bool json, yes;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: %s [--config FILE] COMMAND [OPTIONS]\n"
		"\n"
		"commands:\n"
		"  join --server URL --tenant ID --user UPN [--ca FILE] [--keystore tpm|soft|auto]\n"
		"       [--display-name NAME] [--password-file F] [--otp CODE]\n"
		"  leave [--yes]\n"
		"  enroll --user LOCALUSER --upn UPN [--password-file F] [--otp CODE] [--pin-file F]\n"
		"  pin change [--user LOCALUSER] [--old-pin-file F] [--pin-file F]\n"
		"  pin reset [--user LOCALUSER] [--password-file F] [--otp CODE] [--pin-file F]\n"
		"  logon [--user LOCALUSER] [--pin-file F]\n"
		"  refresh [--user LOCALUSER]\n"
		"  status [--user LOCALUSER] [--json]\n"
		"  doctor [--user LOCALUSER]\n"
		"  events [--limit N] [--json]\n"
		"\n"
		"exit status: 0 ok, 1 failure, 2 usage, 3 wrong PIN, 4 key locked, 5 not joined\n"
		"or not enrolled, 6 server unreachable, 7 the domain controller refused, 8 the\n"
		"server refused, 9 the policy forbids it, 10 a doctor check failed\n",
		prog);
}

int cli_exit_status(int err)
{
	switch (err) {
	case 0:
		return CLI_EXIT_OK;
	case CT_ERR_USAGE:
		return CLI_EXIT_USAGE;
	case CT_ERR_PIN_WRONG:
		return CLI_EXIT_PIN_WRONG;
	case CT_ERR_PIN_LOCKED:
		return CLI_EXIT_PIN_LOCKED;
	case CT_ERR_NOT_JOINED:
	case CT_ERR_NOT_ENROLLED:
		return CLI_EXIT_NOT_JOINED;
	case CT_ERR_NETWORK:
	case CT_ERR_TIMEOUT:
	case CT_ERR_CERT_UNTRUSTED:
		return CLI_EXIT_UNREACHABLE;
	case CT_ERR_KDC_ERROR:
		return CLI_EXIT_DC_REFUSED;
	case CT_ERR_REFUSED:
		return CLI_EXIT_REFUSED;
	case CT_ERR_DENIED:
	case CT_ERR_PIN_POLICY:
		return CLI_EXIT_POLICY;
	default:
		return CLI_EXIT_FAILURE;
	}
}

static int fail(int r, const struct ct_errinfo *ei)
{
	fprintf(stderr, "%s: %s\n", prog, ei->msg[0] ? ei->msg : ct_strerror(r));
	return cli_exit_status(r);
}

static int die_usage(const char *msg)
{
	fprintf(stderr, "%s: %s\n", prog, msg);
	usage(stderr);
	return CLI_EXIT_USAGE;
}

/* The local user a command is about: --user, else the sudo caller, else us. */
static int resolve_user(const char *name, struct passwd *pw_out, char *buf, size_t buflen,
			struct ct_errinfo *ei)
{
	struct passwd *res = NULL;
	const char *sudo = getenv("SUDO_USER");

	if (name == NULL && geteuid() == 0 && sudo != NULL && sudo[0] != '\0')
		name = sudo;
	if (name == NULL) {
		if (getpwuid_r(getuid(), pw_out, buf, buflen, &res) != 0 || res == NULL)
			return ct_errinfo_set(ei, CT_ERR_NOT_FOUND, "who are you? give --user");
		return 0;
	}
	if (getpwnam_r(name, pw_out, buf, buflen, &res) != 0 || res == NULL)
		return ct_errinfo_set(ei, CT_ERR_NOT_FOUND, "no local user %s", name);
	return 0;
}

static int need_root(const char *what, struct ct_errinfo *ei)
{
	if (geteuid() != 0)
		return ct_errinfo_set(ei, CT_ERR_PERMISSION,
				      "%s needs root: the device keys and Hello keys are root's",
				      what);
	return 0;
}

/* ---- join, leave ---- */

static int cmd_join(struct ct_client *c, const struct opts *o)
{
	struct ct_join_opts jo;
	struct ct_join_result res;
	struct ct_errinfo ei = {0};
	char *password = NULL, *otp = NULL;
	/* join's --user is the UPN of the user who joins (--upn works too). */
	const char *upn = o->upn != NULL ? o->upn : o->user;
	int r;

	if (o->tenant == NULL || upn == NULL)
		return die_usage("join needs --tenant and --user UPN (and --server unless "
				 "server_url is set)");
	r = need_root("join", &ei);
	if (r == 0)
		r = cli_secret(o->password_file, "Password: ", true, "--password-file", &password,
			       &ei);
	if (r == 0 && o->otp == NULL)
		r = cli_secret(NULL, "Verification code: ", false, "--otp", &otp, &ei);
	if (r != 0)
		goto out;
	memset(&jo, 0, sizeof(jo));
	jo.server_url = o->server;
	jo.tenant_id = o->tenant;
	jo.ca_file = o->ca;
	jo.upn = upn;
	jo.password = password;
	jo.otp = o->otp != NULL ? o->otp : otp;
	jo.display_name = o->display_name;
	jo.keystore = o->keystore;
	r = ct_client_join(c, &jo, &res, &ei);
	if (r == 0) {
		printf("joined: device %s, certificate %s, Hello keys in the %s keystore%s\n",
		       res.device_id, res.thumbprint, res.keystore,
		       strcmp(res.keystore, "soft") == 0 ? " (software key: weaker than a TPM)"
							 : "");
		if (!res.policy_fetched)
			fprintf(stderr, "%s: warning: %s\n", prog, res.note);
	}
out:
	ct_erase_free_str(password);
	ct_erase_free_str(otp);
	return r != 0 ? fail(r, &ei) : 0;
}

static int cmd_leave(struct ct_client *c, const struct opts *o)
{
	struct ct_leave_result res;
	struct ct_errinfo ei = {0};
	int r;

	r = need_root("leave", &ei);
	if (r == 0 && !o->yes && !cli_interactive())
		r = ct_errinfo_set(&ei, CT_ERR_USAGE, "leave removes every key: give --yes");
	if (r == 0 && !o->yes) {
		char *answer = NULL;

		r = cli_secret(NULL, "Remove this device's keys and every Hello key? [y/N] ",
			       false, "--yes", &answer, &ei);
		if (r == 0 && strcmp(answer, "y") != 0 && strcmp(answer, "yes") != 0)
			r = ct_errinfo_set(&ei, CT_ERR_CANCELLED, "not confirmed; nothing changed");
		ct_erase_free_str(answer);
	}
	if (r == 0)
		r = ct_client_leave(c, &res, &ei);
	if (r != 0)
		return fail(r, &ei);
	printf("left: the device keys and %u Hello key(s) are removed from this device\n",
	       res.users_removed);
	printf("note: %s\n", res.note);
	return 0;
}

/* ---- PINs ---- */

/*
 * Asks for a new PIN twice (or reads --pin-file once) and checks it against
 * the policy, printing the rule that failed; an interactive user gets
 * PIN_ASKS tries.
 */
static int new_pin(const struct ct_policy *pol, const char *file, char **out,
		   struct ct_errinfo *ei)
{
	char *a = NULL, *b = NULL, why[256];
	int tries, r = 0;

	*out = NULL;
	for (tries = 0; tries < (file != NULL ? 1 : PIN_ASKS); tries++) {
		ct_erase_free_str(a);
		ct_erase_free_str(b);
		a = b = NULL;
		r = cli_secret(file, "New PIN: ", true, "--pin-file", &a, ei);
		if (r != 0)
			break;
		if (ct_pin_check(pol, a, why, sizeof(why)) != 0) {
			r = ct_errinfo_set(ei, CT_ERR_PIN_POLICY,
					   "the PIN does not meet the policy: %s", why);
			if (file == NULL)
				fprintf(stderr, "%s\n", ei->msg);
			continue;
		}
		if (file != NULL)
			break;
		r = cli_secret(NULL, "Confirm PIN: ", true, "--pin-file", &b, ei);
		if (r != 0)
			break;
		if (strcmp(a, b) == 0)
			break;
		r = ct_errinfo_set(ei, CT_ERR_PIN_POLICY, "the two PINs differ");
		fprintf(stderr, "%s\n", ei->msg);
	}
	ct_erase_free_str(b);
	if (r != 0) {
		ct_erase_free_str(a);
		return r;
	}
	*out = a;
	return 0;
}

/* Prints the PIN rules a user must meet before asking for a PIN. */
static void print_pin_rules(const struct ct_policy *p)
{
	static const char *const what[] = {"may", "must", "must not"};

	if (!cli_interactive())
		return;
	fprintf(stderr,
		"PIN rules: %d to %d characters; it %s contain digits, %s contain upper-case "
		"letters, %s contain lower-case letters, %s contain special characters\n",
		p->min_pin_length, p->max_pin_length, what[p->digits], what[p->uppercase_letters],
		what[p->lowercase_letters], what[p->special_characters]);
}

static int cmd_enroll(struct ct_client *c, const struct opts *o)
{
	struct ct_enroll_opts eo;
	struct ct_enroll_result res;
	struct ct_errinfo ei = {0};
	struct ct_policy pol;
	struct passwd pw;
	char pwbuf[4096], *password = NULL, *otp = NULL, *pin = NULL;
	int r;

	if (o->user == NULL || o->upn == NULL)
		return die_usage("enroll needs --user LOCALUSER and --upn UPN");
	r = need_root("enroll", &ei);
	if (r == 0)
		r = resolve_user(o->user, &pw, pwbuf, sizeof(pwbuf), &ei);
	/* The policy first: no point asking for secrets Hello will not take. */
	if (r == 0)
		r = ct_client_policy(c, o->upn, true, &pol, &ei);
	if (r == 0 && !pol.use_passport_for_work)
		r = ct_errinfo_set(&ei, CT_ERR_DENIED,
				   "Windows Hello for Business is off for this device "
				   "(UsePassportForWork = false, from the %s policy)",
				   ct_policy_source_name(pol.source[CT_POL_USE_PASSPORT_FOR_WORK]));
	if (r == 0)
		r = cli_secret(o->password_file, "Password: ", true, "--password-file", &password,
			       &ei);
	if (r == 0 && o->otp == NULL)
		r = cli_secret(NULL, "Verification code: ", false, "--otp", &otp, &ei);
	if (r == 0) {
		print_pin_rules(&pol);
		r = new_pin(&pol, o->pin_file, &pin, &ei);
	}
	if (r == 0) {
		memset(&eo, 0, sizeof(eo));
		eo.user = pw.pw_name;
		eo.uid = pw.pw_uid;
		eo.upn = o->upn;
		eo.password = password;
		eo.otp = o->otp != NULL ? o->otp : otp;
		eo.pin = pin;
		r = ct_client_enroll(c, &eo, &res, &ei);
	}
	if (r == 0)
		printf("enrolled: %s (local user %s), Hello key %s in the %s keystore\n", o->upn,
		       pw.pw_name, res.kid, res.keystore);
	ct_erase_free_str(password);
	ct_erase_free_str(otp);
	ct_erase_free_str(pin);
	return r != 0 ? fail(r, &ei) : 0;
}

static int cmd_pin(struct ct_client *c, const struct opts *o, const char *sub)
{
	struct ct_errinfo ei = {0};
	struct ct_policy pol;
	struct passwd pw;
	char pwbuf[4096], *old = NULL, *password = NULL, *otp = NULL, *pin = NULL;
	bool reset;
	int r;

	if (sub == NULL || (strcmp(sub, "change") != 0 && strcmp(sub, "reset") != 0))
		return die_usage("pin needs change or reset");
	reset = strcmp(sub, "reset") == 0;
	r = need_root(reset ? "pin reset" : "pin change", &ei);
	if (r == 0)
		r = resolve_user(o->user, &pw, pwbuf, sizeof(pwbuf), &ei);
	if (r == 0)
		r = ct_client_policy(c, NULL, false, &pol, &ei);
	if (r == 0 && !reset)
		r = cli_secret(o->old_pin_file, "Current PIN: ", true, "--old-pin-file", &old, &ei);
	if (r == 0 && reset)
		r = cli_secret(o->password_file, "Password: ", true, "--password-file", &password,
			       &ei);
	if (r == 0 && reset && o->otp == NULL)
		r = cli_secret(NULL, "Verification code: ", false, "--otp", &otp, &ei);
	if (r == 0) {
		print_pin_rules(&pol);
		r = new_pin(&pol, o->pin_file, &pin, &ei);
	}
	if (r == 0 && reset)
		r = ct_client_pin_reset(c, pw.pw_name, password, o->otp != NULL ? o->otp : otp,
					pin, &ei);
	else if (r == 0)
		r = ct_client_pin_change(c, pw.pw_name, old, pin, &ei);
	if (r == 0)
		printf("%s: the PIN of %s is %s\n", reset ? "pin reset" : "pin change", pw.pw_name,
		       reset ? "set on a new Hello key" : "changed");
	ct_erase_free_str(old);
	ct_erase_free_str(password);
	ct_erase_free_str(otp);
	ct_erase_free_str(pin);
	return r != 0 ? fail(r, &ei) : 0;
}

/* ---- logon, refresh ---- */

static void print_logon(const struct ct_logon_result *res, const char *what)
{
	char t[32];

	if (res->offline) {
		printf("%s: offline: %s\n", what, res->tgt_note);
		return;
	}
	cli_time(res->prt_expiry, t, sizeof(t));
	printf("%s: %s: PRT until %s\n", what, res->upn, t);
	if (res->full_tgt) {
		cli_time(res->tgt_expiry, t, sizeof(t));
		printf("full TGT in %s until %s\n", res->ccache, t);
	} else {
		printf("no full TGT: %s\n", res->tgt_note[0] ? res->tgt_note : "-");
	}
}

static int cmd_logon(struct ct_client *c, const struct opts *o, bool refresh)
{
	struct ct_logon_result res;
	struct ct_errinfo ei = {0};
	struct passwd pw;
	char pwbuf[4096], *pin = NULL;
	int r;

	r = need_root(refresh ? "refresh" : "logon", &ei);
	if (r == 0)
		r = resolve_user(o->user, &pw, pwbuf, sizeof(pwbuf), &ei);
	if (r == 0 && !refresh)
		r = cli_secret(o->pin_file, "PIN: ", true, "--pin-file", &pin, &ei);
	if (r == 0)
		r = refresh ? ct_client_refresh(c, pw.pw_name, pw.pw_uid, pw.pw_gid, &res, &ei)
			    : ct_client_logon(c, pw.pw_name, pin, pw.pw_uid, pw.pw_gid, &res, &ei);
	ct_erase_free_str(pin);
	if (r != 0)
		return fail(r, &ei);
	print_logon(&res, refresh ? "refreshed" : "signed in");
	return 0;
}

/* ---- status, doctor, events ---- */

static int cmd_status(struct ct_client *c, const struct opts *o)
{
	struct ct_errinfo ei = {0};
	struct passwd pw;
	char pwbuf[4096];
	const char *user = NULL;
	uid_t uid = 0;
	json_t *st = NULL;
	int r;

	if (o->user != NULL || geteuid() != 0 || getenv("SUDO_USER") != NULL) {
		r = resolve_user(o->user, &pw, pwbuf, sizeof(pwbuf), &ei);
		if (r != 0)
			return fail(r, &ei);
		user = pw.pw_name;
		uid = pw.pw_uid;
	}
	r = ct_client_status(c, user, uid, &st, &ei);
	if (r != 0)
		return fail(r, &ei);
	if (o->json) {
		json_dumpf(st, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
	} else {
		cli_print_status(stdout, st);
	}
	json_decref(st);
	return 0;
}

static void on_check(const struct ct_doctor_check *chk, void *arg)
{
	(void)arg;
	cli_print_check(stdout, chk);
	fflush(stdout);
}

static int cmd_doctor(struct ct_client *c, const struct opts *o)
{
	struct ct_errinfo ei = {0};
	struct passwd pw;
	char pwbuf[4096];
	const char *user = NULL;
	int r;

	if (o->user != NULL || getenv("SUDO_USER") != NULL) {
		r = resolve_user(o->user, &pw, pwbuf, sizeof(pwbuf), &ei);
		if (r != 0)
			return fail(r, &ei);
		user = pw.pw_name;
	}
	r = ct_client_doctor(c, user, on_check, NULL, &ei);
	if (r == CT_ERR_DENIED) {
		fprintf(stderr, "%s: %s\n", prog, ei.msg);
		return CLI_EXIT_DOCTOR;
	}
	if (r != 0)
		return fail(r, &ei);
	printf("all checks passed%s\n", user == NULL ? " (device only: give --user for the "
						       "user checks)" : "");
	return 0;
}

struct events_out {
	bool json;
};

static int on_event(const struct ct_event *ev, void *arg)
{
	const struct events_out *eo = arg;
	char line[CT_EVENTS_MAX_LINE + 2];

	if (eo->json) {
		if (ct_event_format_line(ev, line, sizeof(line)) == 0)
			fputs(line, stdout);
	} else {
		cli_print_event(stdout, ev);
	}
	return 0;
}

static int cmd_events(struct ct_client *c, const struct opts *o)
{
	struct events_out eo = {o->json};
	struct ct_errinfo ei = {0};
	size_t skipped = 0;
	int r;

	r = ct_events_read(ct_client_state_dir(c), o->limit, on_event, &eo, &skipped, &ei);
	if (r != 0)
		return fail(r, &ei);
	if (skipped > 0)
		fprintf(stderr, "%s: %zu malformed event line(s) skipped\n", prog, skipped);
	return 0;
}

/* ---- options ---- */

enum {
	OPT_SERVER = 256, OPT_TENANT, OPT_CA, OPT_UPN, OPT_USER, OPT_DISPLAY_NAME,
	OPT_KEYSTORE, OPT_PASSWORD_FILE, OPT_OTP, OPT_PIN_FILE, OPT_OLD_PIN_FILE,
	OPT_LIMIT, OPT_JSON, OPT_YES, OPT_HELP,
};

static const struct option cmd_options[] = {
	{"server", required_argument, NULL, OPT_SERVER},
	{"tenant", required_argument, NULL, OPT_TENANT},
	{"ca", required_argument, NULL, OPT_CA},
	{"upn", required_argument, NULL, OPT_UPN},
	{"user", required_argument, NULL, OPT_USER},
	{"display-name", required_argument, NULL, OPT_DISPLAY_NAME},
	{"keystore", required_argument, NULL, OPT_KEYSTORE},
	{"password-file", required_argument, NULL, OPT_PASSWORD_FILE},
	{"otp", required_argument, NULL, OPT_OTP},
	{"pin-file", required_argument, NULL, OPT_PIN_FILE},
	{"old-pin-file", required_argument, NULL, OPT_OLD_PIN_FILE},
	{"limit", required_argument, NULL, OPT_LIMIT},
	{"json", no_argument, NULL, OPT_JSON},
	{"yes", no_argument, NULL, OPT_YES},
	{"help", no_argument, NULL, OPT_HELP},
	{NULL, 0, NULL, 0},
};

/* Parses the command's options; returns -1 to go on, else an exit status. */
static int parse_cmd_opts(int argc, char **argv, struct opts *o)
{
	char *end;
	int ch;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "", cmd_options, NULL)) != -1) {
		switch (ch) {
		case OPT_SERVER: o->server = optarg; break;
		case OPT_TENANT: o->tenant = optarg; break;
		case OPT_CA: o->ca = optarg; break;
		case OPT_UPN: o->upn = optarg; break;
		case OPT_USER: o->user = optarg; break;
		case OPT_DISPLAY_NAME: o->display_name = optarg; break;
		case OPT_KEYSTORE: o->keystore = optarg; break;
		case OPT_PASSWORD_FILE: o->password_file = optarg; break;
		case OPT_OTP: o->otp = optarg; break;
		case OPT_PIN_FILE: o->pin_file = optarg; break;
		case OPT_OLD_PIN_FILE: o->old_pin_file = optarg; break;
		case OPT_LIMIT:
			o->limit = (unsigned)strtoul(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || o->limit > 100000)
				return die_usage("--limit takes a number up to 100000");
			break;
		case OPT_JSON: o->json = true; break;
		case OPT_YES: o->yes = true; break;
		case OPT_HELP:
			usage(stdout);
			return 0;
		default:
			return die_usage(optopt != 0 && optopt < 256 ? "unknown option"
				       : "unknown option or missing value");
		}
	}
	return -1;
}

int main(int argc, char **argv)
{
	struct opts o;
	struct ct_client *c = NULL;
	struct ct_errinfo ei = {0};
	const char *cmd, *sub = NULL;
	int i = 1, r, status;

	memset(&o, 0, sizeof(o));
	while (i < argc && argv[i][0] == '-') {
		if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
			o.config = argv[i + 1];
			i += 2;
		} else if (strncmp(argv[i], "--config=", 9) == 0) {
			o.config = argv[i] + 9;
			i++;
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 0;
		} else {
			return die_usage("unknown global option");
		}
	}
	if (i >= argc)
		return die_usage("no command");
	cmd = argv[i++];
	if (strcmp(cmd, "pin") == 0) {
		if (i >= argc)
			return die_usage("pin needs change or reset");
		sub = argv[i++];
	}
	/* getopt_long sees the command's own arguments, argv[0] being the command. */
	status = parse_cmd_opts(argc - i + 1, argv + i - 1, &o);
	if (status >= 0)
		return status;
	if (optind != argc - i + 1)
		return die_usage("unexpected argument");
	if (strcmp(cmd, "join") != 0 && strcmp(cmd, "leave") != 0 &&
	    strcmp(cmd, "enroll") != 0 && strcmp(cmd, "pin") != 0 &&
	    strcmp(cmd, "logon") != 0 && strcmp(cmd, "refresh") != 0 &&
	    strcmp(cmd, "status") != 0 && strcmp(cmd, "doctor") != 0 &&
	    strcmp(cmd, "events") != 0)
		return die_usage("unknown command");
	r = ct_client_open(o.config, &c, &ei);
	if (r != 0)
		return fail(r, &ei);
	if (strcmp(cmd, "join") == 0)
		status = cmd_join(c, &o);
	else if (strcmp(cmd, "leave") == 0)
		status = cmd_leave(c, &o);
	else if (strcmp(cmd, "enroll") == 0)
		status = cmd_enroll(c, &o);
	else if (strcmp(cmd, "pin") == 0)
		status = cmd_pin(c, &o, sub);
	else if (strcmp(cmd, "logon") == 0)
		status = cmd_logon(c, &o, false);
	else if (strcmp(cmd, "refresh") == 0)
		status = cmd_logon(c, &o, true);
	else if (strcmp(cmd, "status") == 0)
		status = cmd_status(c, &o);
	else if (strcmp(cmd, "doctor") == 0)
		status = cmd_doctor(c, &o);
	else
		status = cmd_events(c, &o);
	ct_client_close(c);
	return status;
}
