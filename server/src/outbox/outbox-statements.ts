/**
 * The outbox's SQL, prepared once per connection. Kept apart from outbox.ts so the class reads as
 * behaviour; every statement's meaning is in its name.
 */
import type Database from 'better-sqlite3';

/** A batch row with its acknowledging uplinks (unit-separator joined). */
export interface BatchRow {
  seq: number;
  created_at: number;
  jwt: string;
  acked_by: string | null;
}

const SELECT = `SELECT b.seq, b.created_at, b.jwt,
  (SELECT group_concat(a.uplink, char(31)) FROM acks a WHERE a.seq = b.seq) AS acked_by FROM batches b`;

/** Prepares every statement the outbox runs. */
export function prepareStatements(db: Database.Database) {
  return {
    meta: db.prepare<[string], { value: number }>('SELECT value FROM meta WHERE key = ?'),
    setMeta: db.prepare<[number, string]>('UPDATE meta SET value = ? WHERE key = ?'),
    insert: db.prepare<[number, number, string, number]>(
      'INSERT INTO batches (seq, created_at, jwt, bytes) VALUES (?, ?, ?, ?)',
    ),
    undelivered: db.prepare<[], { n: number }>(
      'SELECT count(*) AS n FROM batches WHERE delivered_at IS NULL',
    ),
    dropOldest: db.prepare<[number], { first: number; last: number; n: number }>(
      `SELECT min(seq) AS first, max(seq) AS last, count(*) AS n FROM
           (SELECT seq FROM batches WHERE delivered_at IS NULL ORDER BY seq LIMIT ?)`,
    ),
    deleteRange: db.prepare<[number, number]>(
      'DELETE FROM batches WHERE delivered_at IS NULL AND seq BETWEEN ? AND ?',
    ),
    deleteAcksUpTo: db.prepare<[number]>(
      'DELETE FROM acks WHERE seq <= ? AND NOT EXISTS (SELECT 1 FROM batches b WHERE b.seq = acks.seq)',
    ),
    pending: db.prepare<[number, string, number], BatchRow>(
      `${SELECT} WHERE b.delivered_at IS NULL AND b.seq > ?
           AND NOT EXISTS (SELECT 1 FROM acks x WHERE x.seq = b.seq AND x.uplink = ?) ORDER BY b.seq LIMIT ?`,
    ),
    recent: db.prepare<[number, number], BatchRow>(`${SELECT} WHERE b.seq < ? ORDER BY b.seq DESC LIMIT ?`),
    ack: db.prepare<[string, number, number]>(
      'INSERT OR IGNORE INTO acks (seq, uplink, acked_at) SELECT seq, ?, ? FROM batches WHERE seq = ? AND delivered_at IS NULL',
    ),
    markDelivered: db.prepare<[number, number, number, string, number]>(
      `UPDATE batches SET delivered_at = ? WHERE delivered_at IS NULL AND seq BETWEEN ? AND ?
           AND (SELECT count(*) FROM acks a WHERE a.seq = batches.seq AND a.uplink IN (SELECT value FROM json_each(?))) = ?`,
    ),
    deliverSeqs: db.prepare<[number, string]>(
      'UPDATE batches SET delivered_at = ? WHERE delivered_at IS NULL AND seq IN (SELECT value FROM json_each(?))',
    ),
    markAllDelivered: db.prepare<[number, string, number]>(
      `UPDATE batches SET delivered_at = ? WHERE delivered_at IS NULL
           AND (SELECT count(*) FROM acks a WHERE a.seq = batches.seq AND a.uplink IN (SELECT value FROM json_each(?))) = ?`,
    ),
    pruneDelivered: db.prepare<[number]>(
      `DELETE FROM batches WHERE delivered_at IS NOT NULL AND seq NOT IN
           (SELECT seq FROM batches WHERE delivered_at IS NOT NULL ORDER BY seq DESC LIMIT ?)`,
    ),
    pruneAcks: db.prepare(
      'DELETE FROM acks WHERE NOT EXISTS (SELECT 1 FROM batches b WHERE b.seq = acks.seq)',
    ),
    stats: db.prepare<[], { depth: number; bytes: number; oldest: number | null }>(
      `SELECT count(*) AS depth, coalesce(sum(bytes), 0) AS bytes, min(created_at) AS oldest
           FROM batches WHERE delivered_at IS NULL`,
    ),
    delivered: db.prepare<[], { n: number }>(
      'SELECT count(*) AS n FROM batches WHERE delivered_at IS NOT NULL',
    ),
  };
}

/** The prepared statements of one outbox connection. */
export type OutboxStatements = ReturnType<typeof prepareStatements>;
