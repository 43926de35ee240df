/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Wiping allocators for libcurl and jansson.  Passwords, the admin token,
 * keys and TOTP secrets pass through both libraries' heap memory (JSON
 * strings, header lists, receive buffers); with these hooks installed,
 * everything either library frees is wiped first.  Process-wide: only the
 * program's main calls it, before any other use of either library.
 */
#ifndef CT_ADM_MEM_H
#define CT_ADM_MEM_H

/* Installs the hooks and initialises libcurl; returns 0 or CT_ERR_INTERNAL. */
int adm_mem_install(void);

#endif
