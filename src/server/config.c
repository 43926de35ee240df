/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cloudtrustd.conf: the schema table, typed setters, defaults (see
 * config.h); the line grammar is ct-kvconf's, shared with the client.
 */
#include "config.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ct-file.h"
#include "ct-kvconf.h"
#include "ct-limits.h"
#include "http.h"
#include "log.h"

#define STR_(x) #x
#define STR(x) STR_(x)
#define FIELD(f) offsetof(struct ct_config, f)

/* Kept in dependency order: state_dir comes before the defaults that use it. */
static const struct ct_config_key keys[] = {
	{"listen", CT_CONFIG_LISTEN, FIELD(listen), 0, 0, "127.0.0.1:8443",
	 "address and port to serve on (numeric; [v6]:port)"},
	{"state_dir", CT_CONFIG_PATH, FIELD(state_dir), 0, 0, "/var/lib/cloudtrust",
	 "directory for the database and keys"},
	{"database", CT_CONFIG_DATABASE, FIELD(database), 0, 0,
	 "sqlite:{state_dir}/cloudtrust.db", "storage (sqlite:PATH)"},
	{"master_key_file", CT_CONFIG_PATH, FIELD(master_key_file), 0, 0,
	 "{state_dir}/master.key", "key that seals secrets at rest"},
	{"tls_cert", CT_CONFIG_PATH, FIELD(tls_cert), 0, 0, "{state_dir}/tls/server.pem",
	 "TLS certificate chain (PEM)"},
	{"tls_key", CT_CONFIG_PATH, FIELD(tls_key), 0, 0, "{state_dir}/tls/server.key",
	 "TLS private key (PEM)"},
	{"insecure_http", CT_CONFIG_BOOL, FIELD(insecure_http), 0, 0, "false",
	 "serve plain HTTP without TLS (INSECURE: tests only)"},
	{"threads", CT_CONFIG_INT, FIELD(threads), 0, 256, "0",
	 "worker threads (0: twice the CPUs)"},
	{"max_connections", CT_CONFIG_INT, FIELD(max_connections), 1, 65536,
	 STR(CT_HTTP_DEFAULT_CONNECTIONS), "open connections in total"},
	{"max_connections_per_ip", CT_CONFIG_INT, FIELD(max_connections_per_ip), 0, 65536,
	 STR(CT_HTTP_DEFAULT_CONNECTIONS_PER_IP), "open connections per client address (0: no limit)"},
	{"connection_timeout", CT_CONFIG_INT, FIELD(connection_timeout), 1, 3600,
	 STR(CT_HTTP_DEFAULT_TIMEOUT_S), "seconds an idle connection is kept"},
	{"log_level", CT_CONFIG_LOG_LEVEL, FIELD(log_level), 0, 0, "info",
	 "error, warning, notice, info or debug"},
	{"issuer_url", CT_CONFIG_URL, FIELD(issuer_url), 0, 0, NULL,
	 "public base URL of this service (https://HOST[:PORT][/PATH])"},
	{"tenant_id", CT_CONFIG_NAME, FIELD(tenant_id), 0, 0, NULL,
	 "the tenant this service serves"},
	{"pidfile", CT_CONFIG_PATH, FIELD(pidfile), 0, 0, NULL,
	 "write the daemon's pid here (created exclusively)"},
};

#define NKEYS (sizeof(keys) / sizeof(keys[0]))
_Static_assert(NKEYS <= CT_CONFIG_MAX_KEYS, "raise CT_CONFIG_MAX_KEYS");
_Static_assert(NKEYS <= CT_KVCONF_MAX_KEYS, "raise CT_KVCONF_MAX_KEYS");

const struct ct_config_key *ct_config_keys(size_t *n)
{
	*n = NKEYS;
	return keys;
}

const struct ct_config_key *ct_config_key_find(const char *name)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].name, name) == 0)
			return &keys[i];
	return NULL;
}

static bool is_string_type(enum ct_config_type t)
{
	return t != CT_CONFIG_INT && t != CT_CONFIG_BOOL && t != CT_CONFIG_LOG_LEVEL;
}

static char **str_field(struct ct_config *c, const struct ct_config_key *k)
{
	return (char **)(void *)((char *)c + k->offset);
}

void ct_config_init(struct ct_config *c)
{
	memset(c, 0, sizeof(*c));
}

void ct_config_free(struct ct_config *c)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (is_string_type(keys[i].type))
			free(*str_field(c, &keys[i]));
	ct_config_init(c);
}

static bool printable(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

static bool valid_name(const char *v)
{
	size_t n = strlen(v);

	if (n == 0 || n > CT_HTTP_MAX_SEGMENT)
		return false;
	return strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		      "0123456789._-") == n;
}

/* Checks and stores one value; what (e.g. "file:3") prefixes messages. */
static int set_value(struct ct_config *c, const struct ct_config_key *k,
		     const char *v, const char *what, struct ct_errinfo *ei)
{
	void *field = (char *)c + k->offset;
	struct sockaddr_storage ss;
	socklen_t sslen;
	long n;
	bool ok;
	int r;

	if (!printable(v))
		return ct_errinfo_set(ei, CT_ERR_BAD_VALUE, "%s: %s: control character in value",
				      what, k->name);
	switch (k->type) {
	case CT_CONFIG_INT:
		if (ct_kvconf_long(v, k->min, k->max, &n) != 0)
			return ct_errinfo_set(ei, CT_ERR_BAD_VALUE,
					      "%s: %s must be an integer in %ld..%ld, not \"%.64s\"",
					      what, k->name, k->min, k->max, v);
		*(int *)field = (int)n;
		goto out;
	case CT_CONFIG_BOOL:
		if (ct_kvconf_bool(v, field) != 0)
			return ct_errinfo_set(ei, CT_ERR_BAD_VALUE,
					      "%s: %s must be true or false, not \"%.64s\"",
					      what, k->name, v);
		goto out;
	case CT_CONFIG_LOG_LEVEL:
		if (ct_log_level_parse(v, field) != 0)
			return ct_errinfo_set(ei, CT_ERR_BAD_VALUE,
					      "%s: %s must be error, warning, notice, info or "
					      "debug, not \"%.64s\"", what, k->name, v);
		goto out;
	case CT_CONFIG_STRING:
		ok = v[0] != '\0';
		break;
	case CT_CONFIG_NAME:
		ok = valid_name(v);
		break;
	case CT_CONFIG_PATH:
		ok = ct_kvconf_abs_path(v);
		break;
	case CT_CONFIG_LISTEN:
		ok = ct_http_listen_parse(v, &ss, &sslen, NULL) == 0;
		break;
	case CT_CONFIG_URL:
		ok = ct_kvconf_url(v, SIZE_MAX);
		break;
	case CT_CONFIG_DATABASE:
		ok = strncmp(v, "sqlite:", 7) == 0 && ct_kvconf_abs_path(v + 7);
		break;
	default:
		ok = false;
		break;
	}
	if (!ok)
		return ct_errinfo_set(ei, CT_ERR_BAD_VALUE, "%s: invalid %s \"%.64s\" (%s)",
				      what, k->name, v, k->help);
	r = ct_kvconf_set_str(str_field(c, k), v, k->type == CT_CONFIG_URL, ei);
	if (r != 0)
		return r;
out:
	c->set_[k - keys] = true;
	return 0;
}

int ct_config_set(struct ct_config *c, const char *key, const char *value,
		  const char *origin, struct ct_errinfo *ei)
{
	const struct ct_config_key *k = ct_config_key_find(key);

	if (k == NULL)
		return ct_errinfo_set(ei, CT_ERR_BAD_VALUE, "%s: unknown key \"%.64s\"",
				      origin, key);
	return set_value(c, k, value, origin, ei);
}

int ct_config_set_arg(struct ct_config *c, const char *arg, struct ct_errinfo *ei)
{
	const char *eq = strchr(arg, '=');
	char key[64];

	if (eq == NULL || eq == arg || (size_t)(eq - arg) >= sizeof(key))
		return ct_errinfo_set(ei, CT_ERR_BAD_VALUE,
				      "--set %.64s: expected KEY=VALUE", arg);
	memcpy(key, arg, (size_t)(eq - arg));
	key[eq - arg] = '\0';
	return ct_config_set(c, key, eq + 1, "--set", ei);
}

static int schema_find(const char *name)
{
	const struct ct_config_key *k = ct_config_key_find(name);

	return k != NULL ? (int)(k - keys) : -1;
}

static int schema_set(void *c, size_t index, const char *value, const char *what,
		      struct ct_errinfo *ei)
{
	return set_value(c, &keys[index], value, what, ei);
}

static const struct ct_kvconf_schema schema = {NKEYS, schema_find, schema_set};

int ct_config_parse(struct ct_config *c, const char *text, size_t len,
		    const char *origin, struct ct_errinfo *ei)
{
	return ct_kvconf_parse(&schema, c, text, len, origin, ei);
}

int ct_config_read_file(const char *path, size_t cap, char **out, size_t *outlen,
			struct ct_errinfo *ei)
{
	int r = ct_file_read(path, cap, out, outlen, ei);

	/* config.h promises one CT_ERR_IO for every file that cannot be read. */
	if (r == CT_ERR_NOT_FOUND || r == CT_ERR_PERMISSION) {
		r = CT_ERR_IO;
		if (ei != NULL)
			ei->code = r;
	}
	return r;
}

int ct_config_load(struct ct_config *c, const char *path, struct ct_errinfo *ei)
{
	char *text;
	size_t len;
	int r;

	r = ct_config_read_file(path, CT_CONFIG_MAX_FILE, &text, &len, ei);
	if (r != 0)
		return r;
	r = ct_config_parse(c, text, len, path, ei);
	free(text);
	return r;
}

/* Expands "{state_dir}" in a default. */
static int expand_default(const struct ct_config *c, const char *def, char *out,
			  size_t outlen)
{
	static const char token[] = "{state_dir}";
	const char *at = strstr(def, token);
	int n;

	if (at == NULL)
		n = snprintf(out, outlen, "%s", def);
	else
		n = snprintf(out, outlen, "%.*s%s%s", (int)(at - def), def,
			     c->state_dir != NULL ? c->state_dir : "", at + sizeof(token) - 1);
	return n < 0 || (size_t)n >= outlen ? CT_ERR_TOO_LARGE : 0;
}

int ct_config_finish(struct ct_config *c, struct ct_errinfo *ei)
{
	char value[PATH_MAX + 64];
	size_t i;
	int r;

	for (i = 0; i < NKEYS; i++) {
		if (c->set_[i] || keys[i].def == NULL)
			continue;
		if (expand_default(c, keys[i].def, value, sizeof(value)) != 0)
			return ct_errinfo_set(ei, CT_ERR_BAD_VALUE,
					      "default of %s is too long", keys[i].name);
		r = set_value(c, &keys[i], value, "default", ei);
		if (r != 0)
			return r;
	}
	if (c->issuer_url != NULL && strncmp(c->issuer_url, "http://", 7) == 0 &&
	    !c->insecure_http)
		return ct_errinfo_set(ei, CT_ERR_BAD_VALUE,
				      "issuer_url must be https:// unless insecure_http is set");
	return 0;
}

void ct_config_print(const struct ct_config *c, FILE *f)
{
	const void *field;
	size_t i;

	for (i = 0; i < NKEYS; i++) {
		field = (const char *)c + keys[i].offset;
		switch (keys[i].type) {
		case CT_CONFIG_INT:
			fprintf(f, "%s = %d\n", keys[i].name, *(const int *)field);
			break;
		case CT_CONFIG_BOOL:
			ct_kvconf_print(f, keys[i].name, *(const bool *)field ? "true" : "false");
			break;
		case CT_CONFIG_LOG_LEVEL:
			ct_kvconf_print(f, keys[i].name, ct_log_level_name(*(const int *)field));
			break;
		default:
			ct_kvconf_print(f, keys[i].name, *(char *const *)field);
			break;
		}
	}
}

void ct_config_print_help(FILE *f)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		fprintf(f, "  %-24s %s (default: %s)\n", keys[i].name, keys[i].help,
			keys[i].def != NULL ? keys[i].def : "unset");
}
