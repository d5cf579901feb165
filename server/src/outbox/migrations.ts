/**
 * Outbox schema, versioned through `PRAGMA user_version`: migration i (0-based) brings the database
 * from version i to i + 1. Append only — never edit a migration that has shipped.
 */
import type Database from 'better-sqlite3';
import { EgwError } from '../core/errors.ts';

/** SQL of each schema version, oldest first. */
export const MIGRATIONS: readonly string[] = [
  // v1: signed batches, per-uplink acknowledgements, counters, persisted settings.
  `CREATE TABLE batches (
     seq INTEGER PRIMARY KEY,
     created_at INTEGER NOT NULL,
     bytes INTEGER NOT NULL,
     delivered_at INTEGER,
     -- the large columns last: reading the small ones then never walks a row's overflow pages
     header TEXT NOT NULL,
     payload TEXT NOT NULL,
     jwt TEXT NOT NULL
   );
   CREATE INDEX batches_undelivered ON batches (seq) WHERE delivered_at IS NULL;
   CREATE INDEX batches_delivered ON batches (seq) WHERE delivered_at IS NOT NULL;
   CREATE TABLE acks (
     seq INTEGER NOT NULL,
     uplink TEXT NOT NULL,
     acked_at INTEGER NOT NULL,
     PRIMARY KEY (seq, uplink)
   ) WITHOUT ROWID;
   CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
   INSERT INTO meta (key, value) VALUES ('last_seq', 0), ('dropped', 0);
   CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;`,
  // v2: stats() (depth, bytes, oldest) from the index alone — reading 100 000 rows took ~0.5 s.
  `DROP INDEX batches_undelivered;
   CREATE INDEX batches_undelivered ON batches (seq, created_at, bytes) WHERE delivered_at IS NULL;`,
  // v3: the JWT alone; header and payload were stored again beside it as JSON (43 % of every row).
  // DROP COLUMN rewrites every row, so the space is free for new batches at once.
  `ALTER TABLE batches DROP COLUMN header;
   ALTER TABLE batches DROP COLUMN payload;`,
  // v4: ids of control requests already run (cloud control channel), kept until they expire.
  `CREATE TABLE control_jti (jti TEXT PRIMARY KEY, expires_at INTEGER NOT NULL) WITHOUT ROWID;`,
];

/** Applies the missing migrations, each in its own transaction; returns the resulting version. */
export function migrate(db: Database.Database, migrations: readonly string[] = MIGRATIONS): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > migrations.length) {
    throw new EgwError(
      'outbox_schema_newer',
      `outbox schema version ${current} is newer than this program knows (${migrations.length}); refusing to touch it`,
    );
  }
  for (let version = current; version < migrations.length; version++) {
    db.transaction(() => {
      db.exec(migrations[version]!);
      // user_version cannot be bound as a parameter; `version` is an integer we control.
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
  return migrations.length;
}
