/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Size limits of the client library on what it reads from disk and from the
 * server.  They sit beside the project-wide ones in ct-limits.h, which this
 * header includes, so a reader finds every client cap in one place.
 */
#ifndef CT_CL_LIMITS_H
#define CT_CL_LIMITS_H

#include "ct-limits.h"

/* A state file (device.json, users/<upn>.json, policy-cache.json). */
#define CT_CL_MAX_STATE_FILE (64 * 1024)
/* PEM files of the state directory (keys, certificates, the server CA). */
#define CT_CL_MAX_PEM_FILE (64 * 1024)
/* Server URL, tenant and device ids (GUIDs), thumbprints. */
#define CT_CL_MAX_URL 2048
#define CT_CL_MAX_ID 64
/* A UPN (AD allows 1024; a state file name is the lower-cased UPN plus
 * ".json", so the file system's 255-byte names bound it further). */
#define CT_CL_MAX_UPN 240
/* A Hello key's label in the keystore: the lower-cased UPN, '#', a number. */
#define CT_CL_MAX_LABEL (CT_CL_MAX_UPN + 24)
/* A local user name (useradd allows 32; systemd 256). */
#define CT_CL_MAX_USER 256
/* Device display name and OS version sent at join. */
#define CT_CL_MAX_NAME 256
/* A TPM TCTI string. */
#define CT_CL_MAX_TCTI 512
/* The PRT (opaque to the client; cloudtrustd's sealed form is ~300 bytes). */
#define CT_CL_MAX_PRT 8192
/* The PRT session key (MS-OAPXBC: 32 bytes). */
#define CT_CL_SESSION_KEY_LEN 32
/* An access token (a JWS) and a nonce. */
#define CT_CL_MAX_TOKEN 8192
#define CT_CL_MAX_NONCE 256
/* A reply body from cloudtrustd (the largest is a PRT reply with tgt_ad). */
#define CT_CL_MAX_REPLY (64 * 1024)
/* An OAuth error's description as kept for messages, and a trace id. */
#define CT_CL_MAX_ERROR_TEXT 256
#define CT_CL_MAX_TRACE_ID 128
/* Users with state on one device (a listing reads at most this many). */
#define CT_CL_MAX_USERS 1024
/* Seconds one HTTP request may take, connection included. */
#define CT_CL_HTTP_TIMEOUT_MS 15000

#endif
