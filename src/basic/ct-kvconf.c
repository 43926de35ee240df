/* SPDX-License-Identifier: Apache-2.0 */
#include "ct-kvconf.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ct-limits.h"

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

/* One "key = value" line (NUL-terminated, in a buffer of its own). */
static int parse_line(const struct ct_kvconf_schema *schema, void *obj, char *line,
		      size_t n, unsigned lineno, unsigned *seen, const char *what,
		      struct ct_errinfo *ei)
{
	char *key, *value, *eq, *end = line + n;
	int i;

	key = trim(line, &end);
	if (*key == '\0' || *key == '#')
		return 0;
	eq = strchr(key, '=');
	if (eq == NULL)
		return ct_errinfo_set(ei, CT_ERR_BAD_VALUE, "%s: expected \"key = value\"", what);
	value = trim(eq + 1, &end);
	*eq = '\0';
	end = eq;
	key = trim(key, &end);
	i = schema->find(key);
	if (i < 0 || (size_t)i >= schema->nkeys)
		return ct_errinfo_set(ei, CT_ERR_BAD_VALUE, "%s: unknown key \"%.64s\"", what,
				      key);
	if (seen[i] != 0)
		return ct_errinfo_set(ei, CT_ERR_BAD_VALUE, "%s: %s is already set on line %u",
				      what, key, seen[i]);
	seen[i] = lineno;
	return schema->set(obj, (size_t)i, value, what, ei);
}

int ct_kvconf_parse(const struct ct_kvconf_schema *schema, void *obj,
		    const char *text, size_t len, const char *origin,
		    struct ct_errinfo *ei)
{
	unsigned seen[CT_KVCONF_MAX_KEYS] = {0}, lineno = 0;
	char line[CT_CONFIG_MAX_LINE + 1], what[PATH_MAX + 16];
	const char *p = text, *nl;
	size_t n;
	int r;

	if (schema->nkeys > CT_KVCONF_MAX_KEYS)
		return ct_errinfo_set(ei, CT_ERR_INVALID_ARG, "%s: schema of %zu keys is too large",
				      origin, schema->nkeys);
	if (len > CT_CONFIG_MAX_FILE)
		return ct_errinfo_set(ei, CT_ERR_TOO_LARGE, "%s: larger than %d bytes",
				      origin, CT_CONFIG_MAX_FILE);
	while (p < text + len) {
		lineno++;
		snprintf(what, sizeof(what), "%s:%u", origin, lineno);
		nl = memchr(p, '\n', (size_t)(text + len - p));
		n = (size_t)((nl != NULL ? nl : text + len) - p);
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
		p = nl != NULL ? nl + 1 : text + len;
		r = parse_line(schema, obj, line, n, lineno, seen, what, ei);
		if (r != 0)
			return r;
	}
	return 0;
}

int ct_kvconf_bool(const char *v, bool *out)
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

int ct_kvconf_long(const char *v, long min, long max, long *out)
{
	char *e;
	long n;

	errno = 0;
	n = strtol(v, &e, 10);
	if (v[0] == '\0' || *e != '\0' || errno != 0 || n < min || n > max)
		return CT_ERR_BAD_VALUE;
	*out = n;
	return 0;
}

bool ct_kvconf_abs_path(const char *v)
{
	return v[0] == '/' && strlen(v) < PATH_MAX;
}

bool ct_kvconf_url(const char *v, size_t maxlen)
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
	return strlen(v) <= maxlen && strpbrk(v, " ?#@\\") == NULL;
}

int ct_kvconf_set_str(char **field, const char *v, bool url, struct ct_errinfo *ei)
{
	char *copy = strdup(v);
	size_t n;

	if (copy == NULL)
		return ct_errinfo_set(ei, CT_ERR_NOMEM, "out of memory");
	if (url)
		for (n = strlen(copy); n > 0 && copy[n - 1] == '/'; n--)
			copy[n - 1] = '\0';
	free(*field);
	*field = copy;
	return 0;
}

void ct_kvconf_print(FILE *f, const char *name, const char *value)
{
	if (value != NULL)
		fprintf(f, "%s = %s\n", name, value);
	else
		fprintf(f, "# %s is not set\n", name);
}
