/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The AD side of one Kerberos server object while a kerberos-server command
 * works on it: the LDAPS session, the names of its two objects, and what has
 * been learnt so far.  Shared by set/get/remove (cmd-ks-ad.c) and rotate
 * (cmd-ks-rotate.c).
 */
#ifndef CT_KS_STATE_H
#define CT_KS_STATE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "ad-ldap.h"
#include "adm.h"
#include "ks-keysource.h"
#include "sid.h"

#define KS_DEFAULT_NAME "AzureADKerberos"
/* A computer's sAMAccountName is at most 15 characters before the '$'. */
#define KS_MAX_NAME 15
#define KS_MAX_DN 1024

struct ks_state {
	struct adm_ctx *c;
	struct ad_ldap *ldap;
	FILE *say; /* one line per change */
	char base[KS_MAX_DN / 2];
	char comp_dn[KS_MAX_DN];
	char krbtgt_dn[KS_MAX_DN];
	char sid[CT_SID_STRING_MAX];
	const char *domain;
	const char *name; /* --name */
	char *account;    /* krbtgt_N */
	unsigned long rodc;
	bool changed;
};

/* Names the objects of domain's server object (--name) and binds to the DC
 * with --dc, --dc-cacert, --bind-dn and the password option. */
int ks_open(struct ks_state *s, const struct adm_args *a, const char *domain,
	    struct ct_errinfo *ei);
void ks_close(struct ks_state *s);

/* One line per change ("VERB WHAT (DETAIL)"); marks s changed. */
void ks_say(struct ks_state *s, const char *verb, const char *what, const char *detail);

/* Reads sAMAccountName and msDS-SecondaryKrbTgtNumber of s->krbtgt_dn. */
int ks_read_krbtgt(struct ks_state *s, struct ct_errinfo *ei);

/* "corp.example.test" -> "CORP.EXAMPLE.TEST" (cut to n - 1 bytes). */
void ks_realm(const char *domain, char *out, size_t n);

/* msDS-KeyVersionNumber (low 16 bits) and pwdLastSet (Unix time, 0 when
 * unset) of s->krbtgt_dn. */
int ks_ad_key(struct ks_state *s, uint32_t *kv, time_t *set_on, struct ct_errinfo *ei);

/* The cloud object's N, primary key version and key time; CT_ERR_NOT_FOUND
 * when cloudtrustd has none. */
int ks_cloud_key(struct ks_state *s, unsigned long *n, uint32_t *kv, time_t *on,
		 struct ct_errinfo *ei);

/* Publishes key k to cloudtrustd unless it already has this N and key
 * version. */
int ks_ensure_cloud(struct ks_state *s, const struct ks_key_result *k, struct ct_errinfo *ei);

/* ks_rotate flags: skip the 24-hour guard; the cloud does not have AD's
 * current key (set with the windows source: rotate to learn a key). */
#define KS_ROTATE_FORCE 1u
#define KS_ROTATE_UNPUBLISHED 2u

/* kerberos-server rotate, and the rotation step of set (on a state that
 * ks_open and ks_read_krbtgt filled). */
int ks_rotate(struct ks_state *s, const struct ks_keysource *src, const char *samba_conf,
	      unsigned flags, struct ct_errinfo *ei);

/* kerberos-server rotate: the run member of its struct adm_command. */
int ks_run_rotate(struct adm_ctx *c, const struct adm_args *a, struct ct_errinfo *ei);

#endif
