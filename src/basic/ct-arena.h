/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A bump allocator that owns everything a decoder produces for one message.
 * One ct_arena_free() releases it all and wipes it first, so decoded keys
 * need no separate bookkeeping.  The total size is capped (CT_ARENA_MAX) so
 * hostile input cannot make a decoder allocate without bound.
 */
#ifndef CT_ARENA_H
#define CT_ARENA_H

#include <stddef.h>
#include <stdint.h>

struct ct_arena;

/* Returns a new empty arena, or NULL when out of memory. */
struct ct_arena *ct_arena_new(void);
/* Wipes and frees the arena and everything allocated from it; NULL is a no-op. */
void ct_arena_free(struct ct_arena *a);
/* Returns n zeroed bytes (8-aligned) owned by the arena, or NULL (no memory or over the cap). */
void *ct_arena_alloc(struct ct_arena *a, size_t n);
/* Copies n bytes into the arena; with a NUL appended when nul is set. NULL on failure. */
void *ct_arena_memdup(struct ct_arena *a, const void *p, size_t n, int nul);
/* Copies a NUL-terminated string into the arena. */
char *ct_arena_strdup(struct ct_arena *a, const char *s);

#endif
