/* SPDX-License-Identifier: Apache-2.0 */
/*
 * client.conf: the schema table and typed setters (see cl-config.h); the
 * line grammar is ct-kvconf's, shared with cloudtrustd.conf.
 */
#include "cl-config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "ct-file.h"
#include "ct-kvconf.h"
#include "ct-limits.h"

#define FIELD(f) offsetof(struct ct_client_config, f)

/* The ccache template's one token. */
#define UID_TOKEN "%{uid}"

enum key_type {
	KEY_STRING,   /* char *: printable text without blanks */
	KEY_PATH,     /* char *: absolute path */
	KEY_URL,      /* char *: https:// (or http://, tests) URL */
	KEY_HOSTPORT, /* char *: host[:port] */
	KEY_CCACHE,   /* char *: [FILE:]/absolute/path with %{uid} tokens */
	KEY_KEYSTORE, /* enum ct_client_keystore */
	KEY_UINT,     /* unsigned, in [min, max] */
	KEY_U32,      /* uint32_t, in [min, max] */
	KEY_BOOL,     /* bool: true/false, yes/no, on/off, 1/0 */
};

struct key {
	const char *name;
	enum key_type type;
	size_t offset;
	long min, max;
	const char *def;   /* NULL: unset */
	const char *help;
};

static const struct key keys[] = {
	{"server_url", KEY_URL, FIELD(server_url), 0, 0, NULL,
	 "cloudtrustd base URL (default: the one saved at join)"},
	{"state_dir", KEY_PATH, FIELD(state_dir), 0, 0, "/var/lib/cloudtrust-client",
	 "device and user state (root, 0700)"},
	{"policy_file", KEY_PATH, FIELD(policy_file), 0, 0, "/etc/cloudtrust/policy.json",
	 "local policy file, overrides the cloud policy node by node"},
	{"keystore", KEY_KEYSTORE, FIELD(keystore), 0, 0, "auto",
	 "auto, tpm or soft"},
	{"tcti", KEY_STRING, FIELD(tcti), 0, 0, NULL,
	 "TPM connection, e.g. device:/dev/tpmrm0 (default: tpm2-tss's)"},
	{"pin_max_attempts", KEY_UINT, FIELD(pin_max_attempts), 1, 32, "5",
	 "wrong PINs before the Hello key locks"},
	{"argon2_t", KEY_U32, FIELD(argon2_t), 1, CT_PASSWORD_MAX_T, "3",
	 "soft keystore: Argon2id passes"},
	{"argon2_m_kib", KEY_U32, FIELD(argon2_m_kib), 8, CT_PASSWORD_MAX_M_KIB, "65536",
	 "soft keystore: Argon2id memory in KiB"},
	{"argon2_p", KEY_U32, FIELD(argon2_p), 1, CT_PASSWORD_MAX_P, "1",
	 "soft keystore: Argon2id lanes"},
	{"kdc", KEY_HOSTPORT, FIELD(kdc), 0, 0, NULL,
	 "writable DC as host[:port] (default: krb5.conf or DNS SRV)"},
	{"ccache", KEY_CCACHE, FIELD(ccache), 0, 0, "FILE:/tmp/krb5cc_" UID_TOKEN,
	 "credential cache template; " UID_TOKEN " is the user's uid"},
	{"ca_file", KEY_PATH, FIELD(ca_file), 0, 0, NULL,
	 "CA for the server's TLS (default: server-ca.pem saved at join)"},
	{"offline_logon", KEY_BOOL, FIELD(offline_logon), 0, 0, "true",
	 "allow PIN logon when the server cannot be reached"},
	{"timeout", KEY_UINT, FIELD(timeout), 1, 300, "10",
	 "seconds per network operation"},
};

#define NKEYS (sizeof(keys) / sizeof(keys[0]))
_Static_assert(NKEYS <= CT_KVCONF_MAX_KEYS, "raise CT_KVCONF_MAX_KEYS");

static int key_find(const char *name)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].name, name) == 0)
			return (int)i;
	return -1;
}

static bool is_string_type(enum key_type t)
{
	return t != KEY_KEYSTORE && t != KEY_UINT && t != KEY_U32 && t != KEY_BOOL;
}

static char **str_field(struct ct_client_config *c, const struct key *k)
{
	return (char **)(void *)((char *)c + k->offset);
}

const char *ct_client_keystore_name(enum ct_client_keystore ks)
{
	switch (ks) {
	case CT_CLIENT_KS_TPM:
		return "tpm";
	case CT_CLIENT_KS_SOFT:
		return "soft";
	default:
		return "auto";
	}
}

void ct_client_config_free(struct ct_client_config *cfg)
{
	size_t i;

	if (cfg == NULL)
		return;
	for (i = 0; i < NKEYS; i++)
		if (is_string_type(keys[i].type))
			free(*str_field(cfg, &keys[i]));
	free(cfg->path);
	memset(cfg, 0, sizeof(*cfg));
}

static bool printable_noblank(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= 0x20 || *s == 0x7f)
			return false;
	return true;
}

static bool valid_port(const char *s)
{
	char *e;
	long n;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	n = strtol(s, &e, 10);
	return *e == '\0' && errno == 0 && n >= 1 && n <= 65535;
}

/* host[:port] or [v6][:port]; host in DNS-name characters. */
static bool valid_hostport(const char *v)
{
	const char *end, *colon;
	size_t hl;

	if (v[0] == '[') {
		end = strchr(v, ']');
		if (end == NULL || end == v + 1 ||
		    strspn(v + 1, "0123456789abcdefABCDEF:.") != (size_t)(end - v - 1))
			return false;
		end++;
		return *end == '\0' || (*end == ':' && valid_port(end + 1));
	}
	colon = strchr(v, ':');
	hl = colon != NULL ? (size_t)(colon - v) : strlen(v);
	if (hl == 0 || hl > CT_STORE_MAX_DOMAIN ||
	    strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		   "0123456789.-_") != hl)
		return false;
	return colon == NULL || valid_port(colon + 1);
}

/* [FILE:]/absolute/path, where every '%' starts a %{uid} token. */
static bool valid_ccache(const char *v)
{
	const char *p = v;

	if (strncmp(p, "FILE:", 5) == 0)
		p += 5;
	if (*p != '/' || strlen(v) >= PATH_MAX - 16)
		return false;
	for (; (p = strchr(p, '%')) != NULL; p += strlen(UID_TOKEN))
		if (strncmp(p, UID_TOKEN, strlen(UID_TOKEN)) != 0)
			return false;
	return true;
}

static int parse_keystore(const char *v, enum ct_client_keystore *out)
{
	if (strcmp(v, "auto") == 0)
		*out = CT_CLIENT_KS_AUTO;
	else if (strcmp(v, "tpm") == 0)
		*out = CT_CLIENT_KS_TPM;
	else if (strcmp(v, "soft") == 0)
		*out = CT_CLIENT_KS_SOFT;
	else
		return CT_ERR_BAD_VALUE;
	return 0;
}

/* Checks and stores one value; what ("file:3", "default") prefixes messages. */
static int set_value(struct ct_client_config *c, const struct key *k, const char *v,
		     const char *what, struct ct_errinfo *ei)
{
	void *field = (char *)c + k->offset;
	long n;
	bool ok;

	if (!printable_noblank(v))
		return ct_errinfo_set(ei, CT_ERR_BAD_VALUE,
				      "%s: %s: blank or control character in value", what,
				      k->name);
	switch (k->type) {
	case KEY_UINT:
	case KEY_U32:
		/* Counts and sizes: digits only, no sign. */
		if (v[0] < '0' || v[0] > '9' || ct_kvconf_long(v, k->min, k->max, &n) != 0)
			return ct_errinfo_set(ei, CT_ERR_BAD_VALUE,
					      "%s: %s must be an integer in %ld..%ld, not \"%.64s\"",
					      what, k->name, k->min, k->max, v);
		if (k->type == KEY_UINT)
			*(unsigned *)field = (unsigned)n;
		else
			*(uint32_t *)field = (uint32_t)n;
		return 0;
	case KEY_BOOL:
		if (ct_kvconf_bool(v, field) != 0)
			return ct_errinfo_set(ei, CT_ERR_BAD_VALUE,
					      "%s: %s must be true or false, not \"%.64s\"",
					      what, k->name, v);
		return 0;
	case KEY_KEYSTORE:
		if (parse_keystore(v, field) != 0)
			return ct_errinfo_set(ei, CT_ERR_BAD_VALUE,
					      "%s: %s must be auto, tpm or soft, not \"%.64s\"",
					      what, k->name, v);
		return 0;
	case KEY_STRING:
		ok = v[0] != '\0' && strlen(v) <= CT_CONFIG_MAX_LINE;
		break;
	case KEY_PATH:
		ok = ct_kvconf_abs_path(v);
		break;
	case KEY_URL:
		ok = ct_kvconf_url(v, CT_STORE_MAX_URL);
		break;
	case KEY_HOSTPORT:
		ok = valid_hostport(v);
		break;
	case KEY_CCACHE:
		ok = valid_ccache(v);
		break;
	default:
		ok = false;
		break;
	}
	if (!ok)
		return ct_errinfo_set(ei, CT_ERR_BAD_VALUE, "%s: invalid %s \"%.64s\" (%s)",
				      what, k->name, v, k->help);
	return ct_kvconf_set_str(str_field(c, k), v, k->type == KEY_URL, ei);
}

static int set_defaults(struct ct_client_config *c, struct ct_errinfo *ei)
{
	size_t i;
	int r;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < NKEYS; i++) {
		if (keys[i].def == NULL)
			continue;
		r = set_value(c, &keys[i], keys[i].def, "default", ei);
		if (r != 0)
			return r;
	}
	return 0;
}

static int schema_set(void *c, size_t index, const char *value, const char *what,
		      struct ct_errinfo *ei)
{
	return set_value(c, &keys[index], value, what, ei);
}

static const struct ct_kvconf_schema schema = {NKEYS, key_find, schema_set};

static int parse_lines(struct ct_client_config *c, const char *text, size_t len,
		       const char *origin, struct ct_errinfo *ei)
{
	int r = ct_kvconf_parse(&schema, c, text, len, origin, ei);

	if (r != 0)
		return r;
	/* Argon2 needs 8 KiB of memory per lane. */
	if ((uint64_t)c->argon2_m_kib < 8 * (uint64_t)c->argon2_p)
		return ct_errinfo_set(ei, CT_ERR_BAD_VALUE,
				      "%s: argon2_m_kib must be at least 8 x argon2_p (%u)",
				      origin, 8 * c->argon2_p);
	return 0;
}

int ct_client_config_parse(const char *text, size_t len, const char *origin,
			   struct ct_client_config *cfg, struct ct_errinfo *ei)
{
	struct ct_client_config c;
	int r;

	memset(cfg, 0, sizeof(*cfg));
	r = set_defaults(&c, ei);
	if (r == 0)
		r = parse_lines(&c, text, len, origin, ei);
	if (r != 0) {
		ct_client_config_free(&c);
		return r;
	}
	*cfg = c;
	return 0;
}

int ct_client_config_load(const char *path, struct ct_client_config *cfg,
			  struct ct_errinfo *ei)
{
	const char *env = getenv(CT_CLIENT_CONF_ENV);
	bool explicit = true;
	char *text = NULL;
	size_t len = 0;
	int r;

	memset(cfg, 0, sizeof(*cfg));
	if (path == NULL && env != NULL && env[0] != '\0')
		path = env;
	if (path == NULL) {
		path = CT_CLIENT_CONF_DEFAULT;
		explicit = false;
	}
	r = ct_file_read(path, CT_CONFIG_MAX_FILE, &text, &len, ei);
	if (r == CT_ERR_NOT_FOUND && !explicit) {
		/* No config file at the default place: all defaults. */
		if (ei != NULL)
			memset(ei, 0, sizeof(*ei));
		return ct_client_config_parse("", 0, path, cfg, ei);
	}
	if (r == CT_ERR_NOT_FOUND || r == CT_ERR_PERMISSION) {
		r = CT_ERR_IO;
		if (ei != NULL)
			ei->code = r;
	}
	if (r != 0)
		return r;
	r = ct_client_config_parse(text, len, path, cfg, ei);
	free(text);
	if (r != 0)
		return r;
	cfg->path = strdup(path);
	if (cfg->path == NULL) {
		ct_client_config_free(cfg);
		return ct_errinfo_set(ei, CT_ERR_NOMEM, "out of memory");
	}
	return 0;
}

int ct_client_ccache_name(const struct ct_client_config *cfg, uid_t uid, char *out,
			  size_t outlen)
{
	const char *tpl = cfg->ccache != NULL ? cfg->ccache : "FILE:/tmp/krb5cc_" UID_TOKEN;
	const char *p = tpl, *at;
	char num[24];
	size_t used = 0, n;

	if (outlen == 0)
		return CT_ERR_TOO_LARGE;
	snprintf(num, sizeof(num), "%lu", (unsigned long)uid);
	while (*p != '\0') {
		at = strstr(p, UID_TOKEN);
		n = at != NULL ? (size_t)(at - p) : strlen(p);
		if (used + n >= outlen)
			goto too_large;
		memcpy(out + used, p, n);
		used += n;
		if (at == NULL)
			break;
		if (used + strlen(num) >= outlen)
			goto too_large;
		memcpy(out + used, num, strlen(num));
		used += strlen(num);
		p = at + strlen(UID_TOKEN);
	}
	out[used] = '\0';
	return 0;
too_large:
	out[0] = '\0';
	return CT_ERR_TOO_LARGE;
}

void ct_client_config_print(const struct ct_client_config *cfg, FILE *f)
{
	const void *field;
	size_t i;

	for (i = 0; i < NKEYS; i++) {
		field = (const char *)cfg + keys[i].offset;
		switch (keys[i].type) {
		case KEY_UINT:
			fprintf(f, "%s = %u\n", keys[i].name, *(const unsigned *)field);
			break;
		case KEY_U32:
			fprintf(f, "%s = %lu\n", keys[i].name,
				(unsigned long)*(const uint32_t *)field);
			break;
		case KEY_BOOL:
			ct_kvconf_print(f, keys[i].name, *(const bool *)field ? "true" : "false");
			break;
		case KEY_KEYSTORE:
			ct_kvconf_print(f, keys[i].name,
					ct_client_keystore_name(*(const enum ct_client_keystore *)field));
			break;
		default:
			ct_kvconf_print(f, keys[i].name, *(char *const *)field);
			break;
		}
	}
}
