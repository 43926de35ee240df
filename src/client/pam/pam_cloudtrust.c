/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pam_cloudtrust: PIN sign-in with cloud Kerberos trust.
 *
 *   auth     asks for the PIN and runs ct_client_logon: Hello key, PRT,
 *            partial TGT, exchange at the DC, full TGT in the user's cache.
 *   session  exports KRB5CCNAME for the cache auth wrote.
 *
 * Options: config=PATH (the client config), debug (syslog the outcome, never
 * a secret).  Return codes (pam_sm_authenticate):
 *   PAM_SUCCESS           signed in (also: offline by the documented rule,
 *                         or the DC refused the on-prem ticket after the
 *                         cloud accepted the PIN: the user is told)
 *   PAM_AUTH_ERR          wrong PIN; user or device disabled or refused
 *   PAM_MAXTRIES          the Hello key is locked (too many wrong PINs)
 *   PAM_USER_UNKNOWN      no Hello key enrolled for this user: the stack
 *                         falls through to the next module
 *   PAM_AUTHINFO_UNAVAIL  device not joined, server unreachable and no
 *                         offline sign-in allowed, key store unavailable
 *   PAM_SERVICE_ERR       anything else
 * Links only the client library and the layers below it.
 */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#define PAM_SM_AUTH
#define PAM_SM_SESSION
#include <security/pam_ext.h>
#include <security/pam_modules.h>

#include "client.h"
#include "ct-secret.h"

#define CCACHE_DATA "cloudtrust_ccache"

struct pam_opts {
	const char *config;
	bool debug;
};

static void parse_opts(pam_handle_t *pamh, int argc, const char **argv, struct pam_opts *o)
{
	int i;

	memset(o, 0, sizeof(*o));
	for (i = 0; i < argc; i++) {
		if (strncmp(argv[i], "config=", 7) == 0)
			o->config = argv[i] + 7;
		else if (strcmp(argv[i], "debug") == 0)
			o->debug = true;
		else
			pam_syslog(pamh, LOG_ERR, "unknown option %s", argv[i]);
	}
}

static void free_data(pam_handle_t *pamh, void *data, int status)
{
	(void)pamh;
	(void)status;
	free(data);
}

/* The PAM code for a logon error, and whether the user should be told. */
static int pam_code(int r)
{
	switch (r) {
	case 0:
		return PAM_SUCCESS;
	case CT_ERR_PIN_WRONG:
	case CT_ERR_REFUSED:
	case CT_ERR_DENIED:
	case CT_ERR_UNAUTHORIZED:
		return PAM_AUTH_ERR;
	case CT_ERR_PIN_LOCKED:
		return PAM_MAXTRIES;
	case CT_ERR_NOT_ENROLLED:
		return PAM_USER_UNKNOWN;
	case CT_ERR_NOT_JOINED:
	case CT_ERR_NETWORK:
	case CT_ERR_TIMEOUT:
	case CT_ERR_KEYSTORE:
	case CT_ERR_CERT_UNTRUSTED:
		return PAM_AUTHINFO_UNAVAIL;
	default:
		return PAM_SERVICE_ERR;
	}
}

PAM_EXTERN int pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct ct_logon_result res;
	struct ct_errinfo ei = {0};
	struct ct_client *c = NULL;
	struct pam_opts o;
	struct passwd pw, *pwp = NULL;
	const char *user = NULL, *pin = NULL;
	char pwbuf[4096], *cc;
	int r, code;

	(void)flags;
	parse_opts(pamh, argc, argv, &o);
	if (pam_get_user(pamh, &user, NULL) != PAM_SUCCESS || user == NULL)
		return PAM_USER_UNKNOWN;
	if (getpwnam_r(user, &pw, pwbuf, sizeof(pwbuf), &pwp) != 0 || pwp == NULL)
		return PAM_USER_UNKNOWN;
	r = ct_client_open(o.config, &c, &ei);
	if (r != 0) {
		pam_syslog(pamh, LOG_ERR, "%s", ei.msg);
		return PAM_AUTHINFO_UNAVAIL;
	}
	if (!ct_client_joined(c)) {
		ct_client_close(c);
		return PAM_AUTHINFO_UNAVAIL;
	}
	if (pam_get_authtok(pamh, PAM_AUTHTOK, &pin, "PIN: ") != PAM_SUCCESS || pin == NULL) {
		ct_client_close(c);
		return PAM_AUTH_ERR;
	}
	memset(&res, 0, sizeof(res));
	r = ct_client_logon(c, user, pin, pw.pw_uid, pw.pw_gid, &res, &ei);
	ct_client_close(c);
	code = pam_code(r);
	if (r == CT_ERR_KDC_ERROR && res.prt) {
		/* The cloud accepted the PIN; only the on-prem ticket is missing. */
		pam_info(pamh, "Signed in, but the domain controller refused the on-premises "
			 "ticket: %s", ei.msg);
		code = PAM_SUCCESS;
	} else if (r == CT_ERR_PIN_WRONG || r == CT_ERR_PIN_LOCKED || r == CT_ERR_PIN_POLICY ||
		   code == PAM_AUTHINFO_UNAVAIL || code == PAM_AUTH_ERR) {
		pam_error(pamh, "%s", ei.msg[0] != '\0' ? ei.msg : ct_strerror(r));
	} else if (r == 0 && res.offline) {
		pam_info(pamh, "Signed in offline: the server cannot be reached; no new tickets");
	} else if (r == 0 && !res.full_tgt && res.tgt_note[0] != '\0') {
		pam_info(pamh, "Signed in; no on-premises ticket: %s", res.tgt_note);
	}
	if (o.debug)
		pam_syslog(pamh, LOG_INFO, "user %s: %s%s", user,
			   r == 0 ? "signed in" : ct_errname(r), res.full_tgt ? " (full TGT)" : "");
	if (code == PAM_SUCCESS && res.full_tgt && res.ccache[0] != '\0') {
		cc = strdup(res.ccache);
		if (cc != NULL && pam_set_data(pamh, CCACHE_DATA, cc, free_data) != PAM_SUCCESS)
			free(cc);
	}
	ct_zap(&res, sizeof(res));
	return code;
}

PAM_EXTERN int pam_sm_setcred(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	(void)pamh;
	(void)flags;
	(void)argc;
	(void)argv;
	return PAM_SUCCESS;
}

PAM_EXTERN int pam_sm_open_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	const void *cc = NULL;
	char env[4200];

	(void)flags;
	(void)argc;
	(void)argv;
	if (pam_get_data(pamh, CCACHE_DATA, &cc) != PAM_SUCCESS || cc == NULL)
		return PAM_IGNORE;
	if (snprintf(env, sizeof(env), "KRB5CCNAME=%s", (const char *)cc) >= (int)sizeof(env))
		return PAM_SESSION_ERR;
	return pam_putenv(pamh, env) == PAM_SUCCESS ? PAM_SUCCESS : PAM_SESSION_ERR;
}

PAM_EXTERN int pam_sm_close_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	(void)pamh;
	(void)flags;
	(void)argc;
	(void)argv;
	return PAM_SUCCESS;
}
