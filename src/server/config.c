/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cloudtrustd.conf: the schema table, the line parser, typed setters,
 * defaults (see config.h).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ct-limits.h"
#include "ct-secret.h"
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

static int parse_bool(const char *v, bool *out)
{
	static const char *const yes[] = {"true", "yes", "on", "1"};
	static const char *const no[] = {"false", "no", "off", "0"};
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(v, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(v, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return CT_ERR_BAD_VALUE;
}

static bool valid_name(const char *v)
{
	size_t n = strlen(v);

	if (n == 0 || n > CT_HTTP_MAX_SEGMENT)
		return false;
	return strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		      "0123456789._-") == n;
}

static bool valid_path(const char *v)
{
	return v[0] == '/' && strlen(v) < PATH_MAX;
}

/* https://HOST[:PORT][/PATH]: no userinfo, query, fragment or spaces. */
static bool valid_url(const char *v)
{
	const char *host;

	if (strncmp(v, "https://", 8) == 0)
		host = v + 8;
	else if (strncmp(v, "http://", 7) == 0)
		host = v + 7;
	else
		return false;
	if (*host == '\0' || *host == '/' || *host == ':')
		return false;
	return strpbrk(v, " ?#@\\") == NULL;
}

/* Checks and stores one value; what (e.g. "file:3") prefixes messages. */
static int set_value(struct ct_config *c, const struct ct_config_key *k,
		     const char *v, const char *what, struct ct_errinfo *ei)
{
	void *field = (char *)c + k->offset;
	struct sockaddr_storage ss;
	socklen_t sslen;
	char *copy, *e;
	long n;
	bool ok;

	if (!printable(v))
		return ct_errinfo_set(ei, CT_ERR_BAD_VALUE, "%s: %s: control character in value",
				      what, k->name);
	switch (k->type) {
	case CT_CONFIG_INT:
		errno = 0;
		n = strtol(v, &e, 10);
		if (v[0] == '\0' || *e != '\0' || errno != 0 || n < k->min || n > k->max)
			return ct_errinfo_set(ei, CT_ERR_BAD_VALUE,
					      "%s: %s must be an integer in %ld..%ld, not \"%.64s\"",
					      what, k->name, k->min, k->max, v);
		*(int *)field = (int)n;
		goto out;
	case CT_CONFIG_BOOL:
		if (parse_bool(v, field) != 0)
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
		ok = valid_path(v);
		break;
	case CT_CONFIG_LISTEN:
		ok = ct_http_listen_parse(v, &ss, &sslen, NULL) == 0;
		break;
	case CT_CONFIG_URL:
		ok = valid_url(v);
		break;
	case CT_CONFIG_DATABASE:
		ok = strncmp(v, "sqlite:", 7) == 0 && valid_path(v + 7);
		break;
	default:
		ok = false;
		break;
	}
	if (!ok)
		return ct_errinfo_set(ei, CT_ERR_BAD_VALUE, "%s: invalid %s \"%.64s\" (%s)",
				      what, k->name, v, k->help);
	copy = strdup(v);
	if (copy == NULL)
		return ct_errinfo_set(ei, CT_ERR_NOMEM, "out of memory");
	free(*str_field(c, k));
	*str_field(c, k) = copy;
	/* A URL is stored without its trailing slashes, so paths append cleanly. */
	if (k->type == CT_CONFIG_URL)
		for (n = (long)strlen(copy); n > 0 && copy[n - 1] == '/'; n--)
			copy[n - 1] = '\0';
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

/* Trims blanks around [s, *end); writes the terminator at the new *end. */
static char *trim(char *s, char **end)
{
	while (*s == ' ' || *s == '\t')
		s++;
	while (*end > s && ((*end)[-1] == ' ' || (*end)[-1] == '\t'))
		(*end)--;
	**end = '\0';
	return s;
}

int ct_config_parse(struct ct_config *c, const char *text, size_t len,
		    const char *origin, struct ct_errinfo *ei)
{
	unsigned seen[CT_CONFIG_MAX_KEYS] = {0}, lineno = 0;
	const struct ct_config_key *k;
	const char *p = text, *nl, *next;
	char line[CT_CONFIG_MAX_LINE + 1], what[256], *key, *value, *eq, *end;
	size_t n;
	int r;

	if (len > CT_CONFIG_MAX_FILE)
		return ct_errinfo_set(ei, CT_ERR_TOO_LARGE, "%s: larger than %d bytes",
				      origin, CT_CONFIG_MAX_FILE);
	while (p < text + len) {
		lineno++;
		snprintf(what, sizeof(what), "%s:%u", origin, lineno);
		nl = memchr(p, '\n', (size_t)(text + len - p));
		n = (size_t)((nl != NULL ? nl : text + len) - p);
		next = nl != NULL ? nl + 1 : text + len;
		if (n > CT_CONFIG_MAX_LINE)
			return ct_errinfo_set(ei, CT_ERR_TOO_LARGE, "%s: line longer than %d bytes",
					      what, CT_CONFIG_MAX_LINE);
		if (memchr(p, '\0', n) != NULL)
			return ct_errinfo_set(ei, CT_ERR_BAD_VALUE, "%s: NUL byte", what);
		memcpy(line, p, n);
		/* CRLF files are common enough to accept. */
		if (n > 0 && line[n - 1] == '\r')
			n--;
		line[n] = '\0';
		p = next;
		end = line + n;
		key = trim(line, &end);
		if (*key == '\0' || *key == '#')
			continue;
		eq = strchr(key, '=');
		if (eq == NULL)
			return ct_errinfo_set(ei, CT_ERR_BAD_VALUE, "%s: expected \"key = value\"",
					      what);
		value = trim(eq + 1, &end);
		*eq = '\0';
		end = eq;
		key = trim(key, &end);
		k = ct_config_key_find(key);
		if (k == NULL)
			return ct_errinfo_set(ei, CT_ERR_BAD_VALUE, "%s: unknown key \"%.64s\"",
					      what, key);
		if (seen[k - keys] != 0)
			return ct_errinfo_set(ei, CT_ERR_BAD_VALUE,
					      "%s: %s is already set on line %u", what, k->name,
					      seen[k - keys]);
		seen[k - keys] = lineno;
		r = set_value(c, k, value, what, ei);
		if (r != 0)
			return r;
	}
	return 0;
}

int ct_config_read_file(const char *path, size_t cap, char **out, size_t *outlen,
			struct ct_errinfo *ei)
{
	struct stat sb;
	char *buf = NULL;
	size_t got = 0;
	ssize_t n;
	int fd, r;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return ct_errinfo_set(ei, CT_ERR_IO, "cannot open %s: %s", path, strerror(errno));
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		r = ct_errinfo_set(ei, CT_ERR_IO, "%s is not a regular file", path);
		goto out;
	}
	if ((unsigned long long)sb.st_size > cap) {
		r = ct_errinfo_set(ei, CT_ERR_TOO_LARGE, "%s is larger than %zu bytes", path, cap);
		goto out;
	}
	buf = malloc((size_t)sb.st_size + 1);
	if (buf == NULL) {
		r = ct_errinfo_set(ei, CT_ERR_NOMEM, "out of memory");
		goto out;
	}
	/* Read only what fstat promised: a file that grows meanwhile is cut there. */
	while (got < (size_t)sb.st_size) {
		n = read(fd, buf + got, (size_t)sb.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = ct_errinfo_set(ei, CT_ERR_IO, "cannot read %s: %s", path,
					   strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	*out = buf;
	*outlen = got;
	buf = NULL;
	r = 0;
out:
	if (buf != NULL)
		ct_erase_free(buf, (size_t)sb.st_size + 1);
	close(fd);
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
			fprintf(f, "%s = %s\n", keys[i].name,
				*(const bool *)field ? "true" : "false");
			break;
		case CT_CONFIG_LOG_LEVEL:
			fprintf(f, "%s = %s\n", keys[i].name,
				ct_log_level_name(*(const int *)field));
			break;
		default:
			if (*(char *const *)field != NULL)
				fprintf(f, "%s = %s\n", keys[i].name, *(char *const *)field);
			else
				fprintf(f, "# %s is not set\n", keys[i].name);
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
