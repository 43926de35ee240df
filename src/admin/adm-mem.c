/* SPDX-License-Identifier: Apache-2.0 */
#include "adm-mem.h"

#include <curl/curl.h>
#include <jansson.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include "ct-error.h"
#include "ct-secret.h"

static void wipe_free(void *p)
{
	if (p != NULL)
		ct_zap(p, malloc_usable_size(p));
	free(p);
}

/* realloc would free the old block unwiped: move by hand. */
static void *wipe_realloc(void *p, size_t n)
{
	size_t old;
	void *q;

	if (p == NULL)
		return malloc(n);
	if (n == 0) {
		wipe_free(p);
		return NULL;
	}
	q = malloc(n);
	if (q == NULL)
		return NULL;
	old = malloc_usable_size(p);
	memcpy(q, p, old < n ? old : n);
	wipe_free(p);
	return q;
}

int adm_mem_install(void)
{
	json_set_alloc_funcs(malloc, wipe_free);
	if (curl_global_init_mem(CURL_GLOBAL_DEFAULT, malloc, wipe_free, wipe_realloc,
				 strdup, calloc) != CURLE_OK)
		return CT_ERR_INTERNAL;
	return 0;
}
