/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internals of the SQLite backend, shared by its files: the handle, a
 * prepared-statement cache, typed argument binding, a latched row reader,
 * and the one place SQLite errors become CT_ERR_* codes.
 */
#ifndef CT_SQ_H
#define CT_SQ_H

#include <sqlite3.h>

#include "store-backend.h"

/* More slots than the backend has statements; the cache never evicts. */
#define SQ_CACHE_SLOTS 256

struct sq {
	sqlite3 *db;
	bool in_txn; /* between sq_begin and sq_commit/sq_rollback */
	struct {
		const char *sql; /* identity of the statement: its text's address */
		sqlite3_stmt *st;
	} cache[SQ_CACHE_SLOTS];
};

/*
 * One bound parameter.  Text NULL and blobs of length 0 bind SQL NULL.
 * Bound with SQLITE_STATIC: valid for the one call that binds them.
 */
struct sq_arg {
	char type; /* 'i' integer, 't' text, 'b' blob, 'n' NULL */
	int64_t i;
	const char *t;
	const uint8_t *p;
	size_t len;
};

#define SQ_I(x) {.type = 'i', .i = (x)}
#define SQ_T(x) {.type = 't', .t = (x)}
#define SQ_B(blob) {.type = 'b', .p = (blob).data, .len = (blob).len}
#define SQ_RAW(ptr, n) {.type = 'b', .p = (ptr), .len = (n)}
#define SQ_NULL {.type = 'n'}

/* An integer that is NULL in the database when absent. */
static inline struct sq_arg sq_opt_int(bool present, int64_t v)
{
	struct sq_arg a = {.type = present ? 'i' : 'n', .i = v};

	return a;
}
/* Expands to "array, count" for the functions below. */
#define SQ_ARGS(...)                                                          \
	(const struct sq_arg[]){__VA_ARGS__},                                 \
		sizeof((const struct sq_arg[]){__VA_ARGS__}) / sizeof(struct sq_arg)
#define SQ_NOARGS NULL, 0

/* Reads the columns of one row in order; the first failure latches in err. */
struct sq_row {
	sqlite3_stmt *st;
	struct ct_arena *a;
	int col;
	int err;
};

/* The next column as an integer; 0 for SQL NULL or after a failure. */
int64_t sq_int(struct sq_row *r);
/* Text into the arena; NULL for SQL NULL. */
const char *sq_text(struct sq_row *r);
/* Blob into the arena; {NULL, 0} for SQL NULL. */
struct ct_store_blob sq_blob(struct sq_row *r);

/* Fills one output element from the current row. */
typedef void (*sq_read_fn)(struct sq_row *r, void *elem);

/* Maps a SQLite result code to CT_ERR_* with what failed in ei. */
int sq_fail(struct sq *q, int rc, const char *what, struct ct_errinfo *ei);

/*
 * Runs a statement that returns no rows; the number of changed rows in
 * *changes (may be NULL).
 */
int sq_run(struct sq *q, const char *sql, const struct sq_arg *args,
	   size_t nargs, int64_t *changes, struct ct_errinfo *ei);

/* Like sq_run, but no changed row is CT_ERR_NOT_FOUND ("<what> not found"). */
int sq_change(struct sq *q, const char *what, const char *sql,
	      const struct sq_arg *args, size_t nargs, struct ct_errinfo *ei);

/*
 * Runs a query and reads each row with read into an arena array of elements
 * of size elem.  More than max rows is CT_ERR_TOO_LARGE.  arrp is the
 * address of the caller's array pointer (a T ** for elements of type T);
 * it and *nout are assigned only on success.
 */
int sq_fetch(struct sq *q, struct ct_arena *a, const char *sql,
	     const struct sq_arg *args, size_t nargs, sq_read_fn read,
	     size_t elem, size_t max, void *arrp, size_t *nout,
	     struct ct_errinfo *ei);

/* The first column of the first row in *out (0 when there is no row). */
int sq_scalar(struct sq *q, const char *sql, const struct sq_arg *args,
	      size_t nargs, int64_t *out, struct ct_errinfo *ei);

/* One row into *out (elem bytes); none is CT_ERR_NOT_FOUND ("<what> not found"). */
int sq_fetch_one(struct sq *q, struct ct_arena *a, const char *what,
		 const char *sql, const struct sq_arg *args, size_t nargs,
		 sq_read_fn read, size_t elem, void *out,
		 struct ct_errinfo *ei);

/* The system clock, for created/updated stamps. */
int64_t sq_now(void);

/* The ordered schema migrations (sq-schema.c). */
struct sq_migration {
	const char *what;
	const char *const *sql; /* statements, NULL-terminated */
};
extern const struct sq_migration sq_migrations[];
extern const size_t sq_nmigrations;
/* PRAGMA application_id of a cloudtrust database: "CTst". */
#define SQ_APPLICATION_ID 0x43547374

/* Lifecycle and transactions (sq-core.c); the entity methods are in sq-methods.c. */
int sq_open(const char *location, void **out, struct ct_errinfo *ei);
void sq_close(void *b);
int sq_begin(void *b, struct ct_errinfo *ei);
int sq_commit(void *b, struct ct_errinfo *ei);
int sq_rollback(void *b, struct ct_errinfo *ei);

#endif
