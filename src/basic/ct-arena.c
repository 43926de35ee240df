/* SPDX-License-Identifier: Apache-2.0 */
#include "ct-arena.h"

#include <stdlib.h>
#include <string.h>

#include "ct-limits.h"
#include "ct-secret.h"

#define CHUNK_MIN 4096

struct chunk {
	struct chunk *next;
	size_t size;
	size_t used;
	/* Keeps data 16-aligned on every ABI we build for. */
	_Alignas(16) uint8_t data[];
};

struct ct_arena {
	struct chunk *head;
	size_t total;
};

struct ct_arena *ct_arena_new(void)
{
	return calloc(1, sizeof(struct ct_arena));
}

void ct_arena_free(struct ct_arena *a)
{
	struct chunk *c, *next;

	if (a == NULL)
		return;
	for (c = a->head; c != NULL; c = next) {
		next = c->next;
		ct_erase_free(c, sizeof(*c) + c->size);
	}
	free(a);
}

void *ct_arena_alloc(struct ct_arena *a, size_t n)
{
	struct chunk *c = a->head;
	size_t need, size;
	void *p;

	if (n > CT_ARENA_MAX)
		return NULL;
	need = n == 0 ? 8 : (n + 7) & ~(size_t)7;
	if (c == NULL || c->size - c->used < need) {
		size = need > CHUNK_MIN ? need : CHUNK_MIN;
		if (a->total + size > CT_ARENA_MAX)
			return NULL;
		c = calloc(1, sizeof(*c) + size);
		if (c == NULL)
			return NULL;
		c->size = size;
		c->next = a->head;
		a->head = c;
		a->total += size;
	}
	p = c->data + c->used;
	c->used += need;
	return p;
}

void *ct_arena_memdup(struct ct_arena *a, const void *p, size_t n, int nul)
{
	uint8_t *q = ct_arena_alloc(a, n + (nul ? 1 : 0));

	if (q != NULL && n > 0)
		memcpy(q, p, n);
	return q;
}

char *ct_arena_strdup(struct ct_arena *a, const char *s)
{
	return ct_arena_memdup(a, s, strlen(s), 1);
}
