/* SPDX-License-Identifier: Apache-2.0 */
/* kerberos-server: what cmd-kerberos.c (cloud side) and cmd-ks-ad.c (AD side) share. */
#ifndef CT_KS_AD_H
#define CT_KS_AD_H

#include <stdint.h>

#include "adm.h"

/* One Kerberos server object and its current key, as published. */
struct ks_pub {
	const char *domain;
	const char *realm;
	unsigned long rodc;        /* N of krbtgt_N */
	unsigned long key_version; /* low 16 bits of the kvno */
	int32_t enctype;
	const char *key_hex;       /* secret */
	const char *display_name;  /* NULL: none */
	const char *updated_from;  /* NULL: this host's name */
};

/*
 * PUT /admin/v1/kerberos-servers/{domain} and prints the reply (table or
 * --json).  Returns 0 or adm_call's errors.
 */
int ks_publish(struct adm_ctx *c, const struct ks_pub *p, struct ct_errinfo *ei);

/* kerberos-server set: the run member of its struct adm_command. */
int ks_run_set(struct adm_ctx *c, const struct adm_args *a, struct ct_errinfo *ei);

/* kerberos-server remove: the cloud object, and with --dc the AD objects
 * (computer, then krbtgt account); its data is a struct adm_remove. */
int ks_run_remove(struct adm_ctx *c, const struct adm_args *a, struct ct_errinfo *ei);

/* kerberos-server get: the cloud object, and with --dc the AD side next to
 * it and whether they agree; its data is a struct adm_simple. */
int ks_run_get(struct adm_ctx *c, const struct adm_args *a, struct ct_errinfo *ei);

#endif
