/**
 * Ids (`jti`) of cloud control requests the gateway has accepted, in the outbox database so a replay
 * is refused after a restart too. Each is kept until it expires (its `exp` plus the allowed clock
 * skew); after that the request itself is refused as expired, so forgetting it is safe.
 */
import type Database from 'better-sqlite3';

/** The `control_jti` table. */
export class ControlJtiStore {
  private readonly insertStmt;
  private readonly pruneStmt;
  private readonly countStmt;

  constructor(db: Database.Database) {
    this.insertStmt = db.prepare<[string, number]>(
      'INSERT INTO control_jti (jti, expires_at) VALUES (?, ?) ON CONFLICT (jti) DO NOTHING',
    );
    this.pruneStmt = db.prepare<[number]>('DELETE FROM control_jti WHERE expires_at <= ?');
    this.countStmt = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM control_jti');
  }

  /**
   * Records `jti` until `expiresAtMs` (wall clock) and forgets the expired ones; returns false when it
   * was already recorded (a replay).
   */
  claim(jti: string, expiresAtMs: number, nowMs: number): boolean {
    this.pruneStmt.run(nowMs);
    return this.insertStmt.run(jti, expiresAtMs).changes > 0;
  }

  /** How many ids are kept. */
  size(): number {
    return this.countStmt.get()?.n ?? 0;
  }
}
