/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cloudtrustd's configuration: a file of "key = value" lines ('#' starts a
 * comment line; no sections), then command-line overrides (--set key=value
 * or --key value), then defaults for what is still unset.
 *
 * Every key is a row of one schema table in config.c (name, type, field,
 * range, default, help); adding a key is adding a field below and a row
 * there.  Unknown keys, repeated keys, malformed values and values out of
 * range are refused with the file name and line number.
 */
#ifndef CT_CONFIG_H
#define CT_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "ct-error.h"

#define CT_CONFIG_DEFAULT_PATH "/etc/cloudtrust/cloudtrustd.conf"
/* Upper bound on schema rows (the size of the bookkeeping arrays). */
#define CT_CONFIG_MAX_KEYS 64

struct ct_config {
	char *listen;          /* "ADDRESS:PORT", numeric (see ct_http_listen_parse) */
	char *state_dir;       /* absolute path */
	char *database;        /* "sqlite:/ABSOLUTE/PATH" */
	char *master_key_file;
	char *tls_cert;        /* PEM chain */
	char *tls_key;         /* PEM private key */
	bool insecure_http;    /* serve plain HTTP (tests only) */
	int threads;           /* 0: twice the online CPUs */
	int max_connections;
	int max_connections_per_ip;
	int connection_timeout; /* seconds */
	int log_level;         /* enum ct_log_level */
	char *issuer_url;      /* public base URL, no trailing '/'; NULL: unset */
	char *tenant_id;       /* NULL: unset */
	char *pidfile;         /* NULL: none */
	/* private: which keys hold a value (schema order) */
	bool set_[CT_CONFIG_MAX_KEYS];
};

enum ct_config_type {
	CT_CONFIG_STRING,   /* char *: printable text */
	CT_CONFIG_NAME,     /* char *: [A-Za-z0-9._-], at most CT_HTTP_MAX_SEGMENT */
	CT_CONFIG_PATH,     /* char *: absolute path */
	CT_CONFIG_LISTEN,   /* char *: numeric ADDRESS:PORT */
	CT_CONFIG_URL,      /* char *: https:// (or http://) URL without query */
	CT_CONFIG_DATABASE, /* char *: sqlite:/PATH */
	CT_CONFIG_INT,      /* int, in [min, max] */
	CT_CONFIG_BOOL,     /* bool: true/false, yes/no, on/off, 1/0 */
	CT_CONFIG_LOG_LEVEL, /* int: error, warning, notice, info, debug */
};

struct ct_config_key {
	const char *name;
	enum ct_config_type type;
	size_t offset;   /* of the field in struct ct_config */
	long min, max;   /* CT_CONFIG_INT only */
	const char *def; /* default as text, "{state_dir}" expands; NULL: unset */
	const char *help;
};

/* Returns the schema (static) and its length in *n. */
const struct ct_config_key *ct_config_keys(size_t *n);
/* Returns the schema row of name, or NULL. */
const struct ct_config_key *ct_config_key_find(const char *name);

/* Empties c (no key set). */
void ct_config_init(struct ct_config *c);
/* Frees every string in c and empties it. */
void ct_config_free(struct ct_config *c);

/*
 * Parses len bytes of config text; origin (a file name) prefixes error
 * messages as "origin:LINE: ...".  Keys may appear once per text.
 * Returns 0, CT_ERR_BAD_VALUE (syntax, unknown or repeated key, bad value),
 * CT_ERR_TOO_LARGE (file or line too long), CT_ERR_NOMEM.  On error, keys
 * before the bad line stay set.
 */
int ct_config_parse(struct ct_config *c, const char *text, size_t len,
		    const char *origin, struct ct_errinfo *ei);
/* Reads the file at path (at most CT_CONFIG_MAX_FILE) and parses it; adds CT_ERR_IO. */
int ct_config_load(struct ct_config *c, const char *path, struct ct_errinfo *ei);
/*
 * Sets one key, replacing any value (this is how the command line
 * overrides the file).  Returns 0, CT_ERR_BAD_VALUE (unknown key, bad
 * value; ei names origin), CT_ERR_NOMEM.
 */
int ct_config_set(struct ct_config *c, const char *key, const char *value,
		  const char *origin, struct ct_errinfo *ei);
/* ct_config_set from "key=value" (the argument of --set). */
int ct_config_set_arg(struct ct_config *c, const char *arg, struct ct_errinfo *ei);
/*
 * Fills unset keys from their defaults and checks the keys against each
 * other (an http:// issuer_url needs insecure_http).  Returns 0,
 * CT_ERR_BAD_VALUE, CT_ERR_NOMEM.
 */
int ct_config_finish(struct ct_config *c, struct ct_errinfo *ei);

/* Writes the effective configuration as a config file (keys hold no secrets). */
void ct_config_print(const struct ct_config *c, FILE *f);
/* Writes one line per key: name, default and help (for --help). */
void ct_config_print_help(FILE *f);

/*
 * Reads a whole regular file of at most cap bytes into a new NUL-terminated
 * buffer owned by the caller (free with ct_erase_free(p, *outlen + 1): it
 * may hold a key).  Returns 0, CT_ERR_IO (with errno text in ei),
 * CT_ERR_TOO_LARGE, CT_ERR_NOMEM.
 */
int ct_config_read_file(const char *path, size_t cap, char **out, size_t *outlen,
			struct ct_errinfo *ei);

#endif
