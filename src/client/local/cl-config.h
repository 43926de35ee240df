/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The client config file, /etc/cloudtrust/client.conf: "key = value" lines,
 * '#' starts a comment line, no sections (the same grammar as
 * cloudtrustd.conf).  Strict: unknown keys, repeated keys, malformed values
 * and values out of range are refused with "file:line: ...".
 *
 * Every key is a row of the schema table in cl-config.c; adding a key is a
 * field below plus a row there.  docs/CLIENT.md and docs/man/cloudtrust.conf.5
 * list the keys.
 */
#ifndef CT_CL_CONFIG_H
#define CT_CL_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "ct-error.h"

#define CT_CLIENT_CONF_DEFAULT "/etc/cloudtrust/client.conf"
/* Names another config file when no explicit path is given. */
#define CT_CLIENT_CONF_ENV "CLOUDTRUST_CLIENT_CONF"

/* The keystore key: "auto" picks the TPM when one answers, else soft. */
enum ct_client_keystore {
	CT_CLIENT_KS_AUTO = 0,
	CT_CLIENT_KS_TPM,
	CT_CLIENT_KS_SOFT,
};

struct ct_client_config {
	char *path;            /* the file read; NULL when only defaults apply */
	char *server_url;      /* NULL: the URL saved in the device state */
	char *state_dir;       /* absolute; default /var/lib/cloudtrust-client */
	char *policy_file;     /* absolute; default /etc/cloudtrust/policy.json */
	enum ct_client_keystore keystore;
	char *tcti;            /* NULL: the tpm2-tss default */
	unsigned pin_max_attempts;              /* 1..32, default 5 */
	uint32_t argon2_t, argon2_m_kib, argon2_p; /* soft keystore cost */
	char *kdc;             /* "host[:port]"; NULL: krb5.conf / DNS SRV */
	char *ccache;          /* template, "%{uid}" expands; default
	                        * "FILE:/tmp/krb5cc_%{uid}" */
	char *ca_file;         /* NULL: <state_dir>/server-ca.pem saved at join */
	bool offline_logon;    /* PIN-only logon when the server is unreachable */
	unsigned timeout;      /* seconds per network operation, 1..300 */
};

/*
 * Loads the config into cfg (which this fills completely: no init needed;
 * on error cfg is left empty).  path NULL means $CLOUDTRUST_CLIENT_CONF when
 * set and not empty, else CT_CLIENT_CONF_DEFAULT.  A missing default file
 * gives the defaults; a missing explicit or $CLOUDTRUST_CLIENT_CONF file is
 * an error.  Returns 0, CT_ERR_IO (missing or unreadable file),
 * CT_ERR_BAD_VALUE (syntax, unknown or repeated key, bad value: "file:line:
 * ..." in ei), CT_ERR_TOO_LARGE, CT_ERR_NOMEM.  Free with
 * ct_client_config_free.
 */
int ct_client_config_load(const char *path, struct ct_client_config *cfg,
			  struct ct_errinfo *ei);

/*
 * Parses len bytes of config text (origin prefixes messages, as
 * "origin:LINE: ...") over the defaults; for tests and the fuzzer.  Same
 * errors and ownership as ct_client_config_load; cfg->path stays NULL.
 */
int ct_client_config_parse(const char *text, size_t len, const char *origin,
			   struct ct_client_config *cfg, struct ct_errinfo *ei);

/* Frees every string in cfg and empties it; an emptied cfg is a no-op. */
void ct_client_config_free(struct ct_client_config *cfg);

/*
 * Expands the ccache template for uid into out ("FILE:/tmp/krb5cc_1001").
 * Returns 0, or CT_ERR_TOO_LARGE when out is too small (out is then "").
 */
int ct_client_ccache_name(const struct ct_client_config *cfg, uid_t uid,
			  char *out, size_t outlen);

/* "auto", "tpm", "soft". */
const char *ct_client_keystore_name(enum ct_client_keystore ks);

/* Writes the effective config as a config file (no key holds a secret). */
void ct_client_config_print(const struct ct_client_config *cfg, FILE *f);

#endif
