/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The schema, as an ordered list of migrations.  Step i brings a database
 * from version i to i + 1 and runs in its own transaction together with the
 * row in schema_version that records it.  Steps are never edited once
 * released: a change is a new step appended at the end.
 *
 * Conventions: times are unix seconds (audit: microseconds); booleans are
 * 0/1 with a CHECK; blobs and optional text are NULL when absent; every
 * tenant-owned row carries tenant_id (one tenant per database for now).
 */
#include "sq.h"

static const char *const v1_initial[] = {
	"PRAGMA application_id = 1129608052", /* SQ_APPLICATION_ID */
	"CREATE TABLE tenants (\n"
	"  id TEXT PRIMARY KEY,\n"
	"  name TEXT NOT NULL,\n"
	"  created INTEGER NOT NULL\n"
	")",
	"CREATE TABLE tenant_domains (\n"
	"  domain TEXT PRIMARY KEY,\n"
	"  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,\n"
	"  created INTEGER NOT NULL\n"
	")",
	"CREATE TABLE users (\n"
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
	"  tenant_id TEXT NOT NULL REFERENCES tenants(id),\n"
	"  upn TEXT NOT NULL UNIQUE COLLATE NOCASE,\n"
	"  display_name TEXT NOT NULL,\n"
	"  enabled INTEGER NOT NULL CHECK (enabled IN (0, 1)),\n"
	"  password_hash TEXT,\n"
	"  totp_secret BLOB,\n"
	"  totp_last_step INTEGER NOT NULL DEFAULT 0,\n"
	"  onprem_sam_account_name TEXT,\n"
	"  onprem_domain_name TEXT,\n"
	"  onprem_sid TEXT,\n"
	"  onprem_upn TEXT,\n"
	"  created INTEGER NOT NULL,\n"
	"  updated INTEGER NOT NULL\n"
	")",
	"CREATE TABLE groups (\n"
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
	"  tenant_id TEXT NOT NULL REFERENCES tenants(id),\n"
	"  name TEXT NOT NULL UNIQUE COLLATE NOCASE,\n"
	"  created INTEGER NOT NULL\n"
	")",
	"CREATE TABLE group_members (\n"
	"  group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,\n"
	"  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,\n"
	"  PRIMARY KEY (group_id, user_id)\n"
	") WITHOUT ROWID",
	"CREATE INDEX group_members_user ON group_members(user_id)",
	"CREATE TABLE devices (\n"
	"  id TEXT PRIMARY KEY,\n"
	"  tenant_id TEXT NOT NULL REFERENCES tenants(id),\n"
	"  display_name TEXT NOT NULL,\n"
	"  os_version TEXT NOT NULL,\n"
	"  device_type TEXT NOT NULL,\n"
	"  join_type INTEGER NOT NULL,\n"
	"  owner_user_id INTEGER REFERENCES users(id),\n"
	"  cert_thumbprint TEXT NOT NULL UNIQUE COLLATE NOCASE,\n"
	"  cert_der BLOB NOT NULL,\n"
	"  transport_key BLOB NOT NULL,\n"
	"  device_key BLOB NOT NULL,\n"
	"  enabled INTEGER NOT NULL CHECK (enabled IN (0, 1)),\n"
	"  created INTEGER NOT NULL,\n"
	"  last_seen INTEGER\n"
	")",
	"CREATE INDEX devices_owner ON devices(owner_user_id)",
	"CREATE TABLE hello_keys (\n"
	"  kid TEXT PRIMARY KEY,\n"
	"  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,\n"
	"  device_id TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,\n"
	"  public_key BLOB NOT NULL,\n"
	"  key_type TEXT NOT NULL CHECK (key_type IN ('rsa', 'ec')),\n"
	"  created INTEGER NOT NULL\n"
	")",
	"CREATE INDEX hello_keys_user ON hello_keys(user_id)",
	"CREATE INDEX hello_keys_device ON hello_keys(device_id)",
	"CREATE TABLE kerberos_servers (\n"
	"  domain TEXT PRIMARY KEY,\n"
	"  tenant_id TEXT NOT NULL REFERENCES tenants(id),\n"
	"  realm TEXT NOT NULL,\n"
	"  rodc_number INTEGER NOT NULL CHECK (rodc_number BETWEEN 1 AND 65535),\n"
	"  display_name TEXT NOT NULL,\n"
	"  primary_key BLOB NOT NULL,\n"
	"  primary_enctype INTEGER NOT NULL,\n"
	"  primary_version INTEGER NOT NULL,\n"
	"  secondary_key BLOB,\n"
	"  secondary_enctype INTEGER,\n"
	"  secondary_version INTEGER,\n"
	"  key_updated_on INTEGER NOT NULL,\n"
	"  key_updated_from TEXT NOT NULL,\n"
	"  created INTEGER NOT NULL\n"
	")",
	/* The all-devices scope is NULL; ifnull makes it one unique key. */
	"CREATE TABLE policies (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  tenant_id TEXT NOT NULL REFERENCES tenants(id),\n"
	"  node TEXT NOT NULL,\n"
	"  value TEXT NOT NULL,\n"
	"  group_id INTEGER REFERENCES groups(id) ON DELETE CASCADE,\n"
	"  updated INTEGER NOT NULL\n"
	")",
	"CREATE UNIQUE INDEX policies_scope ON policies(node, ifnull(group_id, 0))",
	"CREATE INDEX policies_group ON policies(group_id)",
	"CREATE TABLE nonces (\n"
	"  hash BLOB PRIMARY KEY CHECK (length(hash) = 32),\n"
	"  expires INTEGER NOT NULL\n"
	") WITHOUT ROWID",
	"CREATE INDEX nonces_expires ON nonces(expires)",
	"CREATE TABLE auth_failures (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  key TEXT NOT NULL,\n"
	"  at INTEGER NOT NULL\n"
	")",
	"CREATE INDEX auth_failures_key ON auth_failures(key, at)",
	"CREATE INDEX auth_failures_at ON auth_failures(at)",
	"CREATE TABLE audit_events (\n"
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
	"  tenant_id TEXT,\n"
	"  at_us INTEGER NOT NULL,\n"
	"  actor TEXT NOT NULL,\n"
	"  device_id TEXT,\n"
	"  action TEXT NOT NULL,\n"
	"  outcome TEXT NOT NULL\n"
	"    CHECK (outcome IN ('grant', 'deny', 'change', 'error')),\n"
	"  reason TEXT,\n"
	"  source TEXT,\n"
	"  detail TEXT\n"
	")",
	"CREATE INDEX audit_events_at ON audit_events(at_us, id)",
	"CREATE INDEX audit_events_actor ON audit_events(actor, at_us, id)",
	"CREATE INDEX audit_events_action ON audit_events(action, at_us, id)",
	/* Append-only also for anyone writing SQL by hand. */
	"CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events\n"
	"  BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END",
	"CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events\n"
	"  BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END",
	"CREATE TABLE secrets (\n"
	"  name TEXT PRIMARY KEY,\n"
	"  blob BLOB NOT NULL,\n"
	"  updated INTEGER NOT NULL\n"
	")",
	NULL,
};

const struct sq_migration sq_migrations[] = {
	{"initial schema", v1_initial},
};

const size_t sq_nmigrations = sizeof(sq_migrations) / sizeof(sq_migrations[0]);
