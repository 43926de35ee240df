/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Text output: `status` in the shape of dsregcmd /status (boxed section
 * titles, "Name : value" lines), event lines and doctor lines.  Strings
 * that came from files or the server are printed without control
 * characters.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"

#define KEY_WIDTH 30

void cli_time(time_t t, char *out, size_t outlen)
{
	struct tm tm;

	if (t <= 0 || gmtime_r(&t, &tm) == NULL ||
	    strftime(out, outlen, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, outlen, "-");
}

/* Prints s without control characters. */
static void put_safe(FILE *f, const char *s)
{
	for (; *s != '\0'; s++)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, f);
}

static void section(FILE *f, const char *title)
{
	static const char rule[] =
		"+----------------------------------------------------------------------+";

	fprintf(f, "%s\n| %-68s |\n%s\n\n", rule, title, rule);
}

static void line(FILE *f, const char *key, const char *value)
{
	fprintf(f, "%*s : ", KEY_WIDTH, key);
	put_safe(f, value);
	fputc('\n', f);
}

static const char *str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "-";
}

/* YES / NO / UNKNOWN for a boolean member that may be null. */
static const char *yes_no(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	if (json_is_true(v))
		return "YES";
	if (json_is_false(v))
		return "NO";
	return "UNKNOWN";
}

static void time_line(FILE *f, const json_t *o, const char *member, const char *key)
{
	const json_t *v = json_object_get(o, member);
	char t[32];

	if (json_is_integer(v)) {
		cli_time((time_t)json_integer_value(v), t, sizeof(t));
		line(f, key, t);
	}
}

static void device(FILE *f, const json_t *d)
{
	char ks[128];

	section(f, "Device State");
	line(f, "CloudJoined", yes_no(d, "joined"));
	if (json_is_true(json_object_get(d, "joined"))) {
		line(f, "DeviceId", str(d, "device_id"));
		line(f, "Thumbprint", str(d, "thumbprint"));
		line(f, "DeviceDisplayName", str(d, "display_name"));
		snprintf(ks, sizeof(ks), "%s (%s)", str(d, "keystore"), str(d, "keystore_note"));
		line(f, "KeystoreKind", ks);
		time_line(f, d, "join_time", "JoinTime");
	}
	fputc('\n', f);
}

static void tenant(FILE *f, const json_t *t)
{
	section(f, "Tenant Details");
	if (json_object_size(t) == 0) {
		line(f, "TenantId", "-");
	} else {
		line(f, "TenantId", str(t, "tenant_id"));
		line(f, "ServerUrl", str(t, "server_url"));
		line(f, "JoinUserUpn", str(t, "joined_by"));
	}
	fputc('\n', f);
}

static void sso(FILE *f, const json_t *s)
{
	section(f, "SSO State");
	if (json_object_get(s, "user") == NULL) {
		line(f, "User", "- (give --user)");
		fputc('\n', f);
		return;
	}
	line(f, "User", str(s, "user"));
	if (json_object_get(s, "upn") != NULL)
		line(f, "Upn", str(s, "upn"));
	line(f, "AzureAdPrt", yes_no(s, "prt"));
	time_line(f, s, "prt_issued", "AzureAdPrtUpdateTime");
	time_line(f, s, "prt_expiry", "AzureAdPrtExpiryTime");
	line(f, "OnPremTgt", yes_no(s, "onprem_tgt"));
	time_line(f, s, "tgt_expiry", "OnPremTgtExpiryTime");
	line(f, "CloudTgt", yes_no(s, "cloud_tgt"));
	line(f, "CredentialCache", str(s, "ccache"));
	fputc('\n', f);
}

static void hello(FILE *f, const json_t *h)
{
	char n[32];

	section(f, "Hello (Ngc) State");
	line(f, "NgcSet", yes_no(h, "enrolled"));
	if (json_is_true(json_object_get(h, "enrolled"))) {
		line(f, "NgcKeyId", str(h, "kid"));
		line(f, "NgcUpn", str(h, "upn"));
		line(f, "KeystoreKind", str(h, "keystore"));
		time_line(f, h, "enrolled_time", "EnrollTime");
		time_line(f, h, "pin_set", "PinSetTime");
		line(f, "KeyPresent", yes_no(h, "key_present"));
		if (json_object_get(h, "locked") != NULL) {
			line(f, "KeyLocked", yes_no(h, "locked"));
			snprintf(n, sizeof(n), "%lld of %lld",
				 (long long)json_integer_value(json_object_get(h, "tries_left")),
				 (long long)json_integer_value(json_object_get(h, "max_attempts")));
			line(f, "PinTriesLeft", n);
		}
	}
	if (json_object_get(h, "note") != NULL)
		line(f, "Note", str(h, "note"));
	fputc('\n', f);
}

static void policy(FILE *f, const json_t *p)
{
	const char *name;
	json_t *node;
	char v[128];

	section(f, "Policy (effective)");
	if (json_object_get(p, "error") != NULL) {
		line(f, "Error", str(p, "error"));
		fputc('\n', f);
		return;
	}
	json_object_foreach((json_t *)p, name, node) {
		const json_t *val = json_object_get(node, "value");

		if (json_is_boolean(val))
			snprintf(v, sizeof(v), "%s (%s)", json_is_true(val) ? "true" : "false",
				 str(node, "source"));
		else
			snprintf(v, sizeof(v), "%lld (%s)", (long long)json_integer_value(val),
				 str(node, "source"));
		line(f, name, v);
	}
	fputc('\n', f);
}

void cli_print_status(FILE *f, const json_t *st)
{
	device(f, json_object_get(st, "device"));
	tenant(f, json_object_get(st, "tenant"));
	sso(f, json_object_get(st, "sso"));
	hello(f, json_object_get(st, "hello"));
	policy(f, json_object_get(st, "policy"));
}

void cli_print_event(FILE *f, const struct ct_event *ev)
{
	char t[32];
	const char *name = ct_event_name(ev->kind);

	cli_time((time_t)(ev->time_us / 1000000), t, sizeof(t));
	fprintf(f, "%s %-15s %-12s %-12s ", t, name != NULL ? name : "?",
		ev->user[0] ? ev->user : "-", ev->result == 0 ? "OK" : ct_errname(ev->result));
	put_safe(f, ev->message);
	fputc('\n', f);
}

void cli_print_check(FILE *f, const struct ct_doctor_check *chk)
{
	fprintf(f, "[%s] %s: ", chk->ok ? " OK " : "FAIL", chk->name);
	put_safe(f, chk->detail);
	fputc('\n', f);
	if (!chk->ok && chk->hint[0] != '\0') {
		fputs("       what to do: ", f);
		put_safe(f, chk->hint);
		fputc('\n', f);
	}
}
