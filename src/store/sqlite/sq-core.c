/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SQLite backend's core: opening a database safely, migrations, the
 * statement cache, binding and reading, and the error mapping.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ct-limits.h"
#include "sq.h"

/* ---- Errors: the one place SQLite result codes become CT_ERR_* ---- */

static int map_rc(int rc)
{
	switch (rc) {
	case SQLITE_CONSTRAINT_UNIQUE:
	case SQLITE_CONSTRAINT_PRIMARYKEY:
		return CT_ERR_CONFLICT;
	case SQLITE_CONSTRAINT_FOREIGNKEY:
		return CT_ERR_NOT_FOUND; /* a referenced row does not exist */
	case SQLITE_CONSTRAINT_TRIGGER:
		return CT_ERR_PERMISSION; /* the audit log is append-only */
	}
	switch (rc & 0xff) {
	case SQLITE_CONSTRAINT:
		return CT_ERR_INVALID_ARG; /* NOT NULL, CHECK */
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return CT_ERR_BUSY;
	case SQLITE_NOMEM:
		return CT_ERR_NOMEM;
	case SQLITE_READONLY:
	case SQLITE_PERM:
	case SQLITE_AUTH:
		return CT_ERR_PERMISSION;
	case SQLITE_IOERR:
	case SQLITE_FULL:
	case SQLITE_CANTOPEN:
		return CT_ERR_IO;
	case SQLITE_TOOBIG:
		return CT_ERR_TOO_LARGE;
	case SQLITE_MISUSE:
	case SQLITE_RANGE:
		return CT_ERR_INTERNAL;
	default:
		return CT_ERR_STORE; /* CORRUPT, NOTADB, SCHEMA, ERROR, ... */
	}
}

int sq_fail(struct sq *q, int rc, const char *what, struct ct_errinfo *ei)
{
	/* SQLite's messages name tables and columns, never bound values. */
	return ct_errinfo_set(ei, map_rc(rc), "%s: %s", what,
			      q->db != NULL ? sqlite3_errmsg(q->db)
					    : sqlite3_errstr(rc));
}

int64_t sq_now(void)
{
	return (int64_t)time(NULL);
}

/* ---- Statements ---- */

/* A cached statement for sql (a string literal: its address is its key). */
static int stmt(struct sq *q, const char *sql, sqlite3_stmt **out,
		struct ct_errinfo *ei)
{
	size_t h = ((uintptr_t)sql >> 3) % SQ_CACHE_SLOTS, i;
	int rc;

	for (i = 0; i < SQ_CACHE_SLOTS; i++, h = (h + 1) % SQ_CACHE_SLOTS) {
		if (q->cache[h].sql == sql) {
			*out = q->cache[h].st;
			return 0;
		}
		if (q->cache[h].sql == NULL)
			break;
	}
	if (i == SQ_CACHE_SLOTS)
		return ct_errinfo_set(ei, CT_ERR_INTERNAL,
				      "statement cache is full");
	rc = sqlite3_prepare_v3(q->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
				&q->cache[h].st, NULL);
	if (rc != SQLITE_OK)
		return sq_fail(q, rc, "preparing a statement", ei);
	q->cache[h].sql = sql;
	*out = q->cache[h].st;
	return 0;
}

/* Resets st for its next use and drops the borrowed bindings. */
static void stmt_done(sqlite3_stmt *st)
{
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

static int bind(struct sq *q, sqlite3_stmt *st, const struct sq_arg *args,
		size_t nargs, struct ct_errinfo *ei)
{
	size_t i;
	int rc = SQLITE_OK, col;

	for (i = 0; i < nargs && rc == SQLITE_OK; i++) {
		col = (int)i + 1;
		switch (args[i].type) {
		case 'i':
			rc = sqlite3_bind_int64(st, col, args[i].i);
			break;
		case 'n':
			rc = sqlite3_bind_null(st, col);
			break;
		case 't':
			rc = args[i].t == NULL
				     ? sqlite3_bind_null(st, col)
				     : sqlite3_bind_text(st, col, args[i].t, -1,
							 SQLITE_STATIC);
			break;
		case 'b':
			rc = args[i].len == 0
				     ? sqlite3_bind_null(st, col)
				     : sqlite3_bind_blob64(st, col, args[i].p,
							   args[i].len,
							   SQLITE_STATIC);
			break;
		default:
			rc = SQLITE_MISUSE;
		}
	}
	return rc == SQLITE_OK ? 0 : sq_fail(q, rc, "binding", ei);
}

/*
 * Keeps SQLite's idea of the transaction equal to ours.  After some errors
 * (no memory, full disk, I/O) SQLite rolls back the whole transaction by
 * itself: a statement run after that would be committed on its own, so
 * nothing runs until the caller ends the transaction.  The other way round,
 * a ROLLBACK that failed leaves one open that a statement would silently
 * join; it is rolled back first.
 */
static int txn_alive(struct sq *q, struct ct_errinfo *ei)
{
	bool autocommit = sqlite3_get_autocommit(q->db) != 0;

	if (q->in_txn && autocommit)
		return ct_errinfo_set(ei, CT_ERR_STORE,
				      "the database rolled the transaction back after an error");
	if (!q->in_txn && !autocommit &&
	    sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL) != SQLITE_OK)
		return sq_fail(q, sqlite3_extended_errcode(q->db),
			       "rolling back a stray transaction", ei);
	return 0;
}

/* A cached statement with args bound, ready to step. */
static int prepare(struct sq *q, const char *sql, const struct sq_arg *args,
		   size_t nargs, sqlite3_stmt **out, struct ct_errinfo *ei)
{
	sqlite3_stmt *st = NULL;
	int r;

	r = txn_alive(q, ei);
	if (r == 0)
		r = stmt(q, sql, &st, ei);
	if (r == 0)
		r = bind(q, st, args, nargs, ei);
	if (r < 0) {
		if (st != NULL)
			stmt_done(st);
		return r;
	}
	*out = st;
	return 0;
}

int sq_run(struct sq *q, const char *sql, const struct sq_arg *args,
	   size_t nargs, int64_t *changes, struct ct_errinfo *ei)
{
	sqlite3_stmt *st;
	int r, rc;

	r = prepare(q, sql, args, nargs, &st, ei);
	if (r < 0)
		return r;
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE || rc == SQLITE_ROW) {
		if (changes != NULL)
			*changes = sqlite3_changes64(q->db);
	} else {
		r = sq_fail(q, rc, "writing", ei);
	}
	stmt_done(st);
	return r;
}

int sq_change(struct sq *q, const char *what, const char *sql,
	      const struct sq_arg *args, size_t nargs, struct ct_errinfo *ei)
{
	int64_t n = 0;
	int r = sq_run(q, sql, args, nargs, &n, ei);

	if (r == 0 && n == 0)
		r = ct_errinfo_set(ei, CT_ERR_NOT_FOUND, "%s not found", what);
	return r;
}

/* ---- Rows ---- */

static bool next_col(struct sq_row *r, int *col)
{
	*col = r->col++;
	return r->err == 0;
}

int64_t sq_int(struct sq_row *r)
{
	int col;

	return next_col(r, &col) ? sqlite3_column_int64(r->st, col) : 0;
}

const char *sq_text(struct sq_row *r)
{
	const unsigned char *t;
	char *copy;
	int col;

	if (!next_col(r, &col) ||
	    sqlite3_column_type(r->st, col) == SQLITE_NULL)
		return NULL;
	t = sqlite3_column_text(r->st, col);
	copy = t == NULL ? NULL
			 : ct_arena_memdup(r->a, t,
					   (size_t)sqlite3_column_bytes(r->st, col),
					   1);
	if (copy == NULL)
		r->err = CT_ERR_NOMEM;
	return copy;
}

struct ct_store_blob sq_blob(struct sq_row *r)
{
	struct ct_store_blob b = {NULL, 0};
	const void *p;
	size_t n;
	int col;

	if (!next_col(r, &col) ||
	    sqlite3_column_type(r->st, col) == SQLITE_NULL)
		return b;
	p = sqlite3_column_blob(r->st, col);
	n = (size_t)sqlite3_column_bytes(r->st, col);
	if (n == 0)
		return b;
	b.data = p == NULL ? NULL : ct_arena_memdup(r->a, p, n, 0);
	if (b.data == NULL)
		r->err = CT_ERR_NOMEM;
	else
		b.len = n;
	return b;
}

int sq_fetch(struct sq *q, struct ct_arena *a, const char *sql,
	     const struct sq_arg *args, size_t nargs, sq_read_fn read,
	     size_t elem, size_t max, void *arrp, size_t *nout,
	     struct ct_errinfo *ei)
{
	struct sq_row row = {.a = a};
	size_t n = 0, cap = 0;
	void *arr = NULL, *e;
	int r, rc;

	r = prepare(q, sql, args, nargs, &row.st, ei);
	if (r < 0)
		return r;
	while ((rc = sqlite3_step(row.st)) == SQLITE_ROW) {
		if (n == max) {
			r = ct_errinfo_set(ei, CT_ERR_TOO_LARGE,
					   "more than %zu rows", max);
			goto out;
		}
		e = ct_store_array_push(a, &arr, &n, &cap, elem);
		if (e == NULL) {
			r = ct_errinfo_set(ei, CT_ERR_NOMEM,
					   "out of memory reading rows");
			goto out;
		}
		row.col = 0;
		read(&row, e);
		if (row.err < 0) {
			r = ct_errinfo_set(ei, row.err,
					   "out of memory reading a row");
			goto out;
		}
	}
	if (rc != SQLITE_DONE) {
		r = sq_fail(q, rc, "reading", ei);
		goto out;
	}
	memcpy(arrp, &arr, sizeof(arr));
	*nout = n;
out:
	stmt_done(row.st);
	return r;
}

int sq_scalar(struct sq *q, const char *sql, const struct sq_arg *args,
	      size_t nargs, int64_t *out, struct ct_errinfo *ei)
{
	sqlite3_stmt *st;
	int64_t v = 0;
	int r, rc;

	r = prepare(q, sql, args, nargs, &st, ei);
	if (r < 0)
		return r;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	else if (rc != SQLITE_DONE)
		r = sq_fail(q, rc, "reading", ei);
	stmt_done(st);
	if (r == 0)
		*out = v;
	return r;
}

int sq_fetch_one(struct sq *q, struct ct_arena *a, const char *what,
		 const char *sql, const struct sq_arg *args, size_t nargs,
		 sq_read_fn read, size_t elem, void *out,
		 struct ct_errinfo *ei)
{
	uint8_t *arr;
	size_t n;
	int r;

	r = sq_fetch(q, a, sql, args, nargs, read, elem, 1, &arr, &n, ei);
	if (r < 0)
		return r;
	if (n == 0)
		return ct_errinfo_set(ei, CT_ERR_NOT_FOUND, "%s not found",
				      what);
	memcpy(out, arr, elem);
	return 0;
}

/* ---- Transactions ---- */

static int exec(struct sq *q, const char *sql, const char *what,
		struct ct_errinfo *ei)
{
	int rc = sqlite3_exec(q->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : sq_fail(q, rc, what, ei);
}

int sq_begin(void *b, struct ct_errinfo *ei)
{
	struct sq *q = b;
	int r;

	/* IMMEDIATE takes the write lock now, so later writes cannot hit
	 * SQLITE_BUSY half-way or see a stale snapshot. */
	r = txn_alive(q, ei);
	if (r == 0)
		r = exec(q, "BEGIN IMMEDIATE", "starting a transaction", ei);
	if (r == 0)
		q->in_txn = true;
	return r;
}

int sq_commit(void *b, struct ct_errinfo *ei)
{
	struct sq *q = b;
	int r = txn_alive(q, ei);

	if (r == 0)
		r = exec(q, "COMMIT", "committing", ei);
	/* A failed COMMIT leaves the transaction open for the rollback. */
	if (r == 0 || sqlite3_get_autocommit(q->db))
		q->in_txn = false;
	return r;
}

int sq_rollback(void *b, struct ct_errinfo *ei)
{
	struct sq *q = b;

	q->in_txn = false;
	/* Nothing to do if SQLite already rolled back by itself. */
	if (sqlite3_get_autocommit(q->db))
		return 0;
	return exec(q, "ROLLBACK", "rolling back", ei);
}

/* ---- Opening ---- */

/*
 * Creates the database file 0600 ourselves (SQLite would use 0644), or
 * checks an existing one: a regular file, not a symlink, ours (or we are
 * root), no group or other bits.  SQLite gives its -wal and -shm files the
 * database file's mode.
 */
static int prepare_file(const char *path, struct ct_errinfo *ei)
{
	struct stat st;
	int fd;

	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	if (fd >= 0) {
		/* The umask may have taken bits away; put back exactly 0600. */
		if (fchmod(fd, 0600) != 0) {
			int e = errno;

			close(fd);
			return ct_errinfo_set(ei, CT_ERR_IO, "chmod %s: %s",
					      path, strerror(e));
		}
		close(fd);
		return 0;
	}
	if (errno != EEXIST)
		return ct_errinfo_set(ei,
				      errno == EACCES ? CT_ERR_PERMISSION
						      : CT_ERR_IO,
				      "cannot create %s: %s", path,
				      strerror(errno));
	if (lstat(path, &st) != 0)
		return ct_errinfo_set(ei, CT_ERR_IO, "cannot stat %s: %s", path,
				      strerror(errno));
	if (!S_ISREG(st.st_mode))
		return ct_errinfo_set(ei, CT_ERR_UNSAFE_PATH,
				      "%s is not a regular file (or is a symlink)",
				      path);
	if (st.st_uid != geteuid() && geteuid() != 0)
		return ct_errinfo_set(ei, CT_ERR_UNSAFE_PATH,
				      "%s belongs to uid %u, not to us",
				      path, (unsigned)st.st_uid);
	if (st.st_mode & 077)
		return ct_errinfo_set(ei, CT_ERR_UNSAFE_PATH,
				      "%s has mode %04o: others may read or write it (chmod 600)",
				      path, (unsigned)(st.st_mode & 07777));
	return 0;
}

static int version_check(struct sq *q, int64_t v, struct ct_errinfo *ei)
{
	if (v < 0 || (uint64_t)v > sq_nmigrations)
		return ct_errinfo_set(ei, CT_ERR_SCHEMA,
				      "database schema version %lld is newer than this program's %zu; upgrade cloudtrust",
				      (long long)v, sq_nmigrations);
	return 0;
}

/* Applies the step after the current version, if any; *done when current. */
static int migrate_step(struct sq *q, bool *done, struct ct_errinfo *ei)
{
	const struct sq_migration *m;
	const char *const *sql;
	int64_t v = 0;
	int r;

	r = sq_begin(q, ei);
	if (r < 0)
		return r;
	/* Re-read under the lock: another process may have migrated. */
	r = exec(q,
		 "CREATE TABLE IF NOT EXISTS schema_version (\n"
		 "  version INTEGER PRIMARY KEY,\n"
		 "  applied INTEGER NOT NULL,\n"
		 "  description TEXT NOT NULL)",
		 "creating schema_version", ei);
	if (r == 0)
		r = sq_scalar(q, "SELECT ifnull(max(version), 0) FROM schema_version",
			      SQ_NOARGS, &v, ei);
	if (r == 0)
		r = version_check(q, v, ei);
	if (r < 0 || (uint64_t)v == sq_nmigrations)
		goto out;
	m = &sq_migrations[v];
	for (sql = m->sql; r == 0 && *sql != NULL; sql++)
		r = exec(q, *sql, m->what, ei);
	if (r == 0)
		r = sq_run(q, "INSERT INTO schema_version VALUES (?1, ?2, ?3)",
			   SQ_ARGS(SQ_I(v + 1), SQ_I(sq_now()), SQ_T(m->what)),
			   NULL, ei);
out:
	if (r == 0)
		r = sq_commit(q, ei);
	if (r < 0)
		sq_rollback(q, NULL);
	else
		*done = (uint64_t)v == sq_nmigrations;
	return r;
}

static int migrate(struct sq *q, struct ct_errinfo *ei)
{
	bool done = false;
	int64_t v = -1;
	int r;

	/* The common case needs no write lock: already current. */
	if (sq_scalar(q, "SELECT max(version) FROM schema_version", SQ_NOARGS,
		      &v, NULL) == 0 &&
	    (uint64_t)v == sq_nmigrations)
		return 0;
	do
		r = migrate_step(q, &done, ei);
	while (r == 0 && !done);
	return r;
}

/*
 * Refuses a database another program made: ours carry SQ_APPLICATION_ID
 * from the first migration on; before it (fresh_ok) only an empty one is
 * accepted.
 */
static int check_application_id(struct sq *q, bool fresh_ok,
				struct ct_errinfo *ei)
{
	int64_t id = 0, tables = 0;
	int r = sq_scalar(q, "PRAGMA application_id", SQ_NOARGS, &id, ei);

	if (r == 0 && id == 0 && fresh_ok)
		r = sq_scalar(q,
			      "SELECT count(*) FROM sqlite_schema"
			      " WHERE name != 'schema_version'",
			      SQ_NOARGS, &tables, ei);
	if (r < 0 || id == SQ_APPLICATION_ID || (id == 0 && tables == 0 && fresh_ok))
		return r;
	return ct_errinfo_set(ei, CT_ERR_STORE,
			      "not a cloudtrust database (application_id %#llx)",
			      (unsigned long long)id);
}

/* Connection settings; WAL only for files (a memory database has no journal file). */
static int configure(struct sq *q, bool mem, struct ct_errinfo *ei)
{
	sqlite3_stmt *st = NULL;
	const unsigned char *mode;
	int rc, r;

	sqlite3_extended_result_codes(q->db, 1);
	sqlite3_busy_timeout(q->db, CT_STORE_BUSY_TIMEOUT_MS);
	/* No writable_schema tricks and no SQL functions run from the schema. */
	sqlite3_db_config(q->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	sqlite3_db_config(q->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
	if (sqlite3_db_readonly(q->db, "main") == 1)
		return ct_errinfo_set(ei, CT_ERR_PERMISSION,
				      "the database is read-only");
	r = exec(q,
		 "PRAGMA foreign_keys = ON;"
		 "PRAGMA secure_delete = ON;"
		 "PRAGMA synchronous = NORMAL;",
		 "configuring the connection", ei);
	if (r < 0 || mem)
		return r;
	rc = sqlite3_prepare_v2(q->db, "PRAGMA journal_mode = WAL", -1, &st,
				NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		mode = sqlite3_column_text(st, 0);
		if (mode == NULL || strcmp((const char *)mode, "wal") != 0)
			r = ct_errinfo_set(ei, CT_ERR_STORE,
					   "cannot switch the database to WAL mode");
	} else {
		r = sq_fail(q, rc, "switching to WAL mode", ei);
	}
	sqlite3_finalize(st);
	return r;
}

int sq_open(const char *location, void **out, struct ct_errinfo *ei)
{
	struct sq *q = NULL;
	const char *path = location;
	bool mem;
	int r, rc, flags;

	/* "sqlite:///abs/path": an empty URL authority. */
	if (strncmp(path, "//", 2) == 0)
		path += 2;
	if (*path == '\0')
		return ct_errinfo_set(ei, CT_ERR_INVALID_ARG,
				      "the store URL has no database path");
	mem = strcmp(path, ":memory:") == 0;
	if (!mem) {
		r = prepare_file(path, ei);
		if (r < 0)
			return r;
	}
	q = calloc(1, sizeof(*q));
	if (q == NULL)
		return ct_errinfo_set(ei, CT_ERR_NOMEM, "out of memory");
	/* One handle per thread: no SQLite mutex on it; the file exists. */
	flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX |
		SQLITE_OPEN_PRIVATECACHE |
		(mem ? SQLITE_OPEN_CREATE | SQLITE_OPEN_MEMORY
		     : SQLITE_OPEN_NOFOLLOW);
	rc = sqlite3_open_v2(path, &q->db, flags, NULL);
	if (rc != SQLITE_OK) {
		r = q->db == NULL ? ct_errinfo_set(ei, CT_ERR_NOMEM,
						   "out of memory")
				  : sq_fail(q, rc, "opening the database", ei);
		goto out;
	}
	r = configure(q, mem, ei);
	if (r == 0)
		r = check_application_id(q, true, ei);
	if (r == 0)
		r = migrate(q, ei);
	if (r == 0)
		r = check_application_id(q, false, ei);
	if (r < 0)
		goto out;
	*out = q;
	q = NULL;
out:
	sq_close(q);
	return r;
}

void sq_close(void *b)
{
	struct sq *q = b;
	size_t i;

	if (q == NULL)
		return;
	for (i = 0; i < SQ_CACHE_SLOTS; i++)
		sqlite3_finalize(q->cache[i].st);
	sqlite3_close(q->db);
	free(q);
}
