/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Bounded output buffer and sticky-status input cursor: the only ways the
 * project writes or reads raw bytes.
 *
 * ct_buf grows up to a cap fixed at creation; the first failure latches in
 * buf->err and later puts do nothing, so a sequence of puts is checked once.
 * Freeing wipes the contents, so a buffer may hold secrets.
 *
 * ct_cursor reads from borrowed memory; the first failure latches in cur->err
 * and later gets return zeros, so a decoder checks the status once.
 */
#ifndef CT_BUF_H
#define CT_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ct_buf {
	uint8_t *data;
	size_t len;
	size_t alloc;
	size_t cap;
	int err;
};

/* Initialises an empty buffer that will refuse to grow beyond cap bytes. */
void ct_buf_init(struct ct_buf *b, size_t cap);
/* Wipes and frees the contents; the buffer is left empty and reusable. */
void ct_buf_free(struct ct_buf *b);
/* Makes room for n more bytes; returns 0 or the latched error. */
int ct_buf_reserve(struct ct_buf *b, size_t n);
void ct_buf_put(struct ct_buf *b, const void *p, size_t n);
void ct_buf_put_u8(struct ct_buf *b, uint8_t v);
void ct_buf_put_le16(struct ct_buf *b, uint16_t v);
void ct_buf_put_le32(struct ct_buf *b, uint32_t v);
void ct_buf_put_le64(struct ct_buf *b, uint64_t v);
void ct_buf_put_be32(struct ct_buf *b, uint32_t v);
void ct_buf_put_zeros(struct ct_buf *b, size_t n);
/* Inserts n bytes at offset off, moving the tail; used to back-patch lengths. */
void ct_buf_insert(struct ct_buf *b, size_t off, const void *p, size_t n);
/* Hands the contents to the caller (who must free them); the buffer is emptied. */
int ct_buf_steal(struct ct_buf *b, uint8_t **out, size_t *outlen);

struct ct_cursor {
	const uint8_t *p;
	size_t len;
	int err;
	unsigned depth;
};

void ct_cursor_init(struct ct_cursor *c, const void *p, size_t len);
/* Latches err (if none yet) and empties the cursor; returns the latched error. */
int ct_cursor_fail(struct ct_cursor *c, int err);
bool ct_cursor_empty(const struct ct_cursor *c);
/* Returns a pointer to the next n bytes and advances, or NULL (and latches). */
const uint8_t *ct_cursor_get(struct ct_cursor *c, size_t n);
/* Splits off the next n bytes as a sub-cursor one level deeper. */
void ct_cursor_sub(struct ct_cursor *c, size_t n, struct ct_cursor *sub);
uint8_t ct_cursor_get_u8(struct ct_cursor *c);
uint16_t ct_cursor_get_le16(struct ct_cursor *c);
uint32_t ct_cursor_get_le32(struct ct_cursor *c);
uint64_t ct_cursor_get_le64(struct ct_cursor *c);
uint32_t ct_cursor_get_be32(struct ct_cursor *c);

#endif
