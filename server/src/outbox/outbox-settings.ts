/**
 * Key/value settings persisted in the outbox database (JSON values), the storage behind the API's
 * SettingsStore: settings changed at run time outrank the config file and survive restarts.
 */
import type Database from 'better-sqlite3';

/** JSON settings by key, in the `settings` table. */
export class OutboxSettings {
  private readonly getStmt;
  private readonly putStmt;
  private readonly deleteStmt;
  private readonly db: Database.Database;
  private readonly allStmt;
  private readonly refuseWrite: (() => Error) | undefined;

  /**
   * @param refuseWrite when set, put() and delete() throw its error: the table is an in-memory stand-in
   *   while the database file cannot be opened (a change stored there would be lost)
   */
  constructor(db: Database.Database, refuseWrite?: () => Error) {
    this.db = db;
    this.refuseWrite = refuseWrite;
    this.getStmt = db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?');
    this.putStmt = db.prepare<[string, string]>(
      'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    );
    this.deleteStmt = db.prepare<[string]>('DELETE FROM settings WHERE key = ?');
    this.allStmt = db.prepare<[], { key: string; value: string }>(
      'SELECT key, value FROM settings ORDER BY key',
    );
  }

  /** The stored value, or undefined. The caller validates it (it was valid when written, schemas may have changed). */
  get(key: string): unknown {
    const row = this.getStmt.get(key);
    return row === undefined ? undefined : (JSON.parse(row.value) as unknown);
  }

  /** Stores a JSON-serializable value durably (synchronous=FULL is the connection default for writes). */
  put(key: string, value: unknown): void {
    if (this.refuseWrite) throw this.refuseWrite();
    this.db.pragma('synchronous = FULL');
    this.putStmt.run(key, JSON.stringify(value));
  }

  /** Removes a key; returns whether it existed. */
  delete(key: string): boolean {
    if (this.refuseWrite) throw this.refuseWrite();
    return this.deleteStmt.run(key).changes > 0;
  }

  /** Every stored setting. */
  all(): Record<string, unknown> {
    return Object.fromEntries(this.allStmt.all().map((r) => [r.key, JSON.parse(r.value) as unknown]));
  }
}
