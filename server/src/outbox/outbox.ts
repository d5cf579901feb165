/**
 * The durable outbox: signed batches in SQLite (better-sqlite3, WAL) in the data directory. A batch is
 * committed — seq assigned, JWT signed and row written in ONE transaction — before anyone hears of it,
 * and leaves only when every enabled uplink acknowledged it (then it is kept a little longer, marked
 * delivered, so the API can still show recent batches). Bounded: the oldest undelivered batches are
 * dropped beyond `maxBatches`, counted and logged. See README "Harvests, signing and uplinks".
 *
 * Durability: appends commit with synchronous=FULL (the WAL is fsynced before the commit returns), so a
 * batch that anyone saw survives kill -9 and power loss and its seq is never reused. Acks commit with
 * synchronous=NORMAL (no fsync; still atomic and safe against kill -9): losing the last acks on power
 * loss only means a redelivery, which the receiver's idempotency key absorbs — and the event loop is
 * not blocked by an fsync per acknowledgement while a backlog drains.
 */
import Database from 'better-sqlite3';
import { chmodSync, closeSync, mkdirSync, openSync, renameSync } from 'node:fs';
import { dirname } from 'node:path';
import { SystemClock, type Clock } from '../core/clock.ts';
import { describeError } from '../core/errors.ts';
import { silentLogger, type Logger } from '../core/logger.ts';
import type { BatchRecord, OutboxStats } from './batch-record.ts';
import type { BatchInput, SignedBatch } from '../identity/batch-jwt.ts';
import { decodeJwt, type DecodedJwt } from '../identity/jwt.ts';
import { migrate } from './migrations.ts';
import { OutboxHeld } from './outbox-held.ts';
import { OutboxSettings } from './outbox-settings.ts';
import { ControlJtiStore } from './control-jti-store.ts';
import { prepareStatements, type BatchRow, type OutboxStatements } from './outbox-statements.ts';

/** Signs one batch for the seq the outbox assigned (e.g. `(input, seq) => createBatch(identity, input, seq)`). */
export type BatchSigner = (input: BatchInput, seq: number) => SignedBatch;

export interface OutboxOptions {
  /** Signs each batch inside the insert transaction. */
  sign: BatchSigner;
  /** Bound on undelivered batches; beyond it the oldest are dropped and counted (default 100 000). */
  maxBatches?: number;
  /** Delivered batches kept for `recent()` (default 100). */
  keepDelivered?: number;
  /** Cap on the database file, bytes (SQLite max_page_count); reaching it behaves like a full disk. */
  maxDbBytes?: number;
  /** Batches held in memory while the disk refuses writes (default 1000). */
  maxHeld?: number;
  clock?: Clock;
  logger?: Logger;
  /**
   * Called in the append transaction before `seq` is signed (the seq ledger beside the device key
   * reserves it, see seq-guard.ts); a throw aborts the append like a storage error.
   */
  reserveSeq?: (seq: number) => void;
}

/** OutboxStats plus the storage-failure counters. */
export interface OutboxDetailedStats extends OutboxStats {
  /** Appends that failed for lack of space or an I/O error. */
  storageErrors: number;
  /** Batches waiting in memory for the disk. */
  held: number;
  /** Delivered batches still kept for recent(). */
  delivered: number;
}

const SEP = '\u001f';
const STORAGE_CODES = /^(SQLITE_(FULL|IOERR|CANTOPEN|READONLY|BUSY|LOCKED)|ENOSPC|EIO|EDQUOT|EROFS)/;
/** Settings-table key of the database's id (see seq-guard.ts). */
const DATABASE_ID_KEY = 'outbox.id';

/**
 * A row as a record. Header and payload are decoded from the JWT on first use (the row holds the JWT
 * only): delivering a backlog needs only the JWT, and payloads are the bulk.
 */
function toRecord(row: BatchRow): BatchRecord {
  let decoded: DecodedJwt | undefined;
  const decode = (): DecodedJwt => (decoded ??= decodeJwt(row.jwt));
  return {
    seq: row.seq,
    createdAt: row.created_at,
    get header(): Record<string, unknown> {
      return decode().header;
    },
    get payload(): Record<string, unknown> {
      return decode().payload as Record<string, unknown>;
    },
    jwt: row.jwt,
    ackedBy: row.acked_by ? row.acked_by.split(SEP) : [],
  };
}

/**
 * Creates the database file 0600 before SQLite does (SQLite gives its WAL and shared-memory files the
 * database file's mode), and tightens an existing one and its WAL files: settings stored through the
 * API hold uplink credentials.
 */
function restrictToOwner(path: string): void {
  try {
    closeSync(openSync(path, 'wx', 0o600));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    try {
      chmodSync(file, 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
}

/** WAL pages after which SQLite checkpoints (~1 MiB at 4 KiB pages; its default is 1000). */
export const WAL_AUTOCHECKPOINT_PAGES = 256;
/** The WAL file is truncated to this after a checkpoint, bytes. */
export const WAL_SIZE_LIMIT_BYTES = 1_048_576;

/** A database SQLite opens but whose integrity check fails. */
class CorruptDatabase extends Error {}

/** The SQLite outbox. Open with Outbox.open(); all methods are synchronous (better-sqlite3). */
export class Outbox {
  /** Settings persisted next to the batches (SettingsStore backing). */
  readonly settings: OutboxSettings;
  /** Ids of cloud control requests already run (replay protection, kept across restarts). */
  readonly controlJti: ControlJtiStore;
  /** Set when open() found the database corrupt and started a new one. */
  recovered?: { movedTo: string; reason: string };
  private readonly reserveSeq: ((seq: number) => void) | undefined;
  private readonly sign: BatchSigner;
  private readonly maxBatches: number;
  private readonly keepDelivered: number;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly held: OutboxHeld;
  private readonly listeners = new Set<(record: BatchRecord) => void>();
  private enabled: string[] = [];
  private storageErrors = 0;
  private closed = false;
  private readonly db: Database.Database;
  private readonly st: OutboxStatements;

  private constructor(db: Database.Database, options: OutboxOptions) {
    this.db = db;
    this.sign = options.sign;
    this.maxBatches = options.maxBatches ?? 100_000;
    this.keepDelivered = options.keepDelivered ?? 100;
    this.clock = options.clock ?? new SystemClock();
    this.logger = options.logger ?? silentLogger();
    this.held = new OutboxHeld(options.maxHeld ?? 1000);
    this.settings = new OutboxSettings(db);
    this.controlJti = new ControlJtiStore(db);
    this.reserveSeq = options.reserveSeq;
    this.st = prepareStatements(db);
  }

  /**
   * Opens (creating and migrating) the outbox database at `path`, e.g. `<dataDir>/egw.db`. A database
   * that fails SQLite's quick integrity check (or cannot be read as one) is moved aside as
   * `<path>.corrupt-<time>` with its WAL files and a new one is started: otherwise every commit would
   * fail, one error per harvest, forever. `recovered` then says so (the caller raises a notification).
   */
  static open(path: string, options: OutboxOptions): Outbox {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    let reason: string | undefined;
    try {
      return Outbox.openChecked(path, options);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (!(error instanceof CorruptDatabase) && code !== 'SQLITE_CORRUPT' && code !== 'SQLITE_NOTADB')
        throw error;
      reason = error instanceof Error ? error.message : String(error);
    }
    const clock = options.clock ?? new SystemClock();
    const movedTo = `${path}.corrupt-${new Date(clock.nowMs()).toISOString().replace(/[:.]/g, '-')}`;
    for (const suffix of ['', '-wal', '-shm']) {
      try {
        renameSync(`${path}${suffix}`, `${movedTo}${suffix}`);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
    (options.logger ?? silentLogger()).error(
      { path, movedTo, reason },
      'outbox database is corrupt: moved it aside and started a new one',
    );
    const outbox = Outbox.openChecked(path, options);
    outbox.recovered = { movedTo, reason };
    return outbox;
  }

  private static openChecked(path: string, options: OutboxOptions): Outbox {
    restrictToOwner(path);
    const db = new Database(path);
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.pragma('busy_timeout = 5000');
      // Checkpoint by size: SQLite's default (1000 pages, ~4 MB of WAL) needs more headroom than a
      // small disk has; the WAL file is cut back to 1 MiB after each checkpoint.
      db.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
      db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
      const check = db.pragma('quick_check', { simple: true });
      if (check !== 'ok') throw new CorruptDatabase(`quick_check: ${String(check)}`);
      if (options.maxDbBytes !== undefined) {
        const pageSize = db.pragma('page_size', { simple: true }) as number;
        db.pragma(`max_page_count = ${Math.max(16, Math.floor(options.maxDbBytes / pageSize))}`);
      }
      migrate(db);
      return new Outbox(db, options);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  /** Per-transaction durability (see the file comment); cheap, so set every time rather than cached. */
  private synchronous(mode: 'FULL' | 'NORMAL'): void {
    this.db.pragma(`synchronous = ${mode}`);
  }

  private meta(key: 'last_seq' | 'dropped'): number {
    return this.st.meta.get(key)?.value ?? 0;
  }

  private readonly appendTx = (input: BatchInput): BatchRecord => {
    const seq = this.meta('last_seq') + 1;
    this.reserveSeq?.(seq);
    const signed = this.sign(input, seq);
    const createdAt = this.clock.nowMs();
    this.st.insert.run(seq, createdAt, signed.jwt, Buffer.byteLength(signed.jwt));
    this.st.setMeta.run(seq, 'last_seq');
    const excess = (this.st.undelivered.get()?.n ?? 0) - this.maxBatches;
    if (excess > 0) this.dropOldest(excess);
    return { seq, createdAt, header: signed.header, payload: signed.payload, jwt: signed.jwt, ackedBy: [] };
  };

  private dropOldest(count: number): void {
    const range = this.st.dropOldest.get(count);
    if (!range || range.n === 0) return;
    this.st.deleteRange.run(range.first, range.last);
    this.st.deleteAcksUpTo.run(range.last);
    this.st.setMeta.run(this.meta('dropped') + range.n, 'dropped');
    this.logger.warn(
      { dropped: range.n, fromSeq: range.first, toSeq: range.last, maxBatches: this.maxBatches },
      'outbox full: dropped the oldest undelivered batches',
    );
  }

  /**
   * Assigns the next seq, signs and commits one batch, then tells the listeners. Returns null when the
   * disk refused the write (full, I/O error): the input is then held in memory and retried, in order,
   * before the next append or on retryHeld(). Errors of the input itself (e.g. ValidationError) throw.
   */
  append(input: BatchInput): BatchRecord | null {
    this.retryHeld();
    if (this.held.size > 0) {
      this.held.push(input);
      return null;
    }
    return this.tryAppend(input) ?? (this.held.push(input), null);
  }

  /**
   * Appends several batches in ONE transaction (one fsync; consecutive seqs in input order), e.g. to
   * import a backlog. All or nothing: a storage error throws and nothing is kept in memory.
   */
  appendMany(inputs: BatchInput[]): BatchRecord[] {
    this.synchronous('FULL');
    const records = this.db.transaction(() => inputs.map((input) => this.appendTx(input))).immediate();
    for (const record of records) for (const listener of this.listeners) listener(record);
    return records;
  }

  /** Stores the held batches that now fit; returns how many were stored. */
  retryHeld(): number {
    let stored = 0;
    for (let input = this.held.peek(); input; input = this.held.peek()) {
      if (!this.tryAppend(input)) break;
      this.held.shift();
      stored++;
    }
    return stored;
  }

  private tryAppend(input: BatchInput): BatchRecord | undefined {
    this.synchronous('FULL');
    let record: BatchRecord;
    try {
      record = this.db.transaction(this.appendTx).immediate(input);
    } catch (error) {
      if (!this.isStorageError(error)) throw error;
      this.storageErrors++;
      this.logger.error(
        { code: (error as { code?: unknown }).code, held: this.held.size + 1, err: describeError(error) },
        'outbox: cannot store a batch; keeping it in memory',
      );
      this.checkpoint();
      return undefined;
    }
    for (const listener of this.listeners) listener(record);
    return record;
  }

  /** Calls `listener` after each committed append; returns the unsubscribe function. */
  onAppend(listener: (record: BatchRecord) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Sets the uplinks whose acknowledgements a batch needs before it counts as delivered. With none,
   * batches stay (up to the bound) — a local outbox. Batches the new set already acknowledged are
   * marked delivered now.
   */
  setUplinks(names: string[]): void {
    this.enabled = [...new Set(names)].sort();
    if (this.enabled.length === 0) return;
    this.synchronous('NORMAL');
    this.db.transaction(() => {
      this.st.markAllDelivered.run(this.clock.nowMs(), JSON.stringify(this.enabled), this.enabled.length);
      this.prune();
    })();
  }

  /** Uplinks currently required for delivery. */
  uplinks(): string[] {
    return [...this.enabled];
  }

  /** Undelivered batches `uplink` has not acknowledged, oldest first, with seq > afterSeq. */
  pending(uplink: string, limit: number, afterSeq = 0): BatchRecord[] {
    return this.st.pending.all(afterSeq, uplink, limit).map(toRecord);
  }

  /** Records that `uplink` acknowledged `seq`; see ackMany. */
  ack(seq: number, uplink: string): boolean {
    return this.ackMany([seq], uplink);
  }

  /**
   * Records acknowledgements in one transaction; a batch acknowledged by every enabled uplink becomes
   * delivered. Returns false when the disk refused the write (logged and counted): the batches then
   * stay pending and are delivered again, which the idempotency key absorbs.
   */
  ackMany(seqs: number[], uplink: string): boolean {
    if (seqs.length === 0) return true;
    this.synchronous('NORMAL');
    const now = this.clock.nowMs();
    try {
      this.db.transaction(() => {
        if (this.enabled.length === 1 && this.enabled[0] === uplink) {
          // The only uplink: mark delivered in place (no ack rows, no new pages — works on a full disk too).
          if (this.st.deliverSeqs.run(now, JSON.stringify(seqs)).changes > 0) this.prune();
          return;
        }
        for (const seq of seqs) this.st.ack.run(uplink, now, seq);
        if (!this.enabled.includes(uplink)) return;
        const first = Math.min(...seqs);
        const last = Math.max(...seqs);
        const done = this.st.markDelivered.run(
          now,
          first,
          last,
          JSON.stringify(this.enabled),
          this.enabled.length,
        );
        if (done.changes > 0) this.prune();
      })();
      return true;
    } catch (error) {
      if (!this.isStorageError(error)) throw error;
      this.storageErrors++;
      this.logger.error(
        { uplink, count: seqs.length, err: describeError(error) },
        'outbox: cannot record acknowledgements',
      );
      return false;
    }
  }

  private isStorageError(error: unknown): boolean {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' && STORAGE_CODES.test(code);
  }

  private prune(): void {
    this.st.pruneDelivered.run(this.keepDelivered);
    this.st.pruneAcks.run();
  }

  /** Depth, bytes and age of the undelivered batches, counters. */
  stats(): OutboxDetailedStats {
    const row = this.st.stats.get() ?? { depth: 0, bytes: 0, oldest: null };
    return {
      depth: row.depth,
      bytes: row.bytes,
      ...(row.oldest === null ? {} : { oldestAgeMs: Math.max(0, this.clock.nowMs() - row.oldest) }),
      dropped: this.meta('dropped') + this.held.dropped,
      lastSeq: this.meta('last_seq'),
      storageErrors: this.storageErrors,
      held: this.held.size,
      delivered: this.st.delivered.get()?.n ?? 0,
    };
  }

  /** The newest batches (delivered or not) with seq < beforeSeq (default: all), newest first. */
  recent(limit: number, beforeSeq = Number.MAX_SAFE_INTEGER): BatchRecord[] {
    return this.st.recent.all(beforeSeq, Math.max(0, Math.floor(limit))).map(toRecord);
  }

  /** The id this database was given when the seq ledger first saw it (undefined before). */
  id(): string | undefined {
    const id = this.settings.get(DATABASE_ID_KEY);
    return typeof id === 'string' ? id : undefined;
  }

  /** Records the database's id (fsynced). */
  setId(id: string): void {
    this.settings.put(DATABASE_ID_KEY, id);
  }

  /** Highest seq assigned so far. */
  lastSeq(): number {
    return this.meta('last_seq');
  }

  /** Makes the next seq > floor (a new epoch after the database was lost); never lowers it. */
  raiseLastSeq(floor: number): void {
    if (floor <= this.meta('last_seq')) return;
    this.synchronous('FULL');
    this.st.setMeta.run(floor, 'last_seq');
  }

  /** A persisted setting (JSON), or undefined; same as `settings.get`. */
  getSetting(key: string): unknown {
    return this.settings.get(key);
  }

  /** Persists a setting (JSON, fsynced); same as `settings.put`. */
  putSetting(key: string, value: unknown): void {
    this.settings.put(key, value);
  }

  /**
   * Writes the WAL back into the database and truncates it: after a storage error this frees the
   * space the next attempt needs. Failing is fine (the disk may still be full).
   */
  private checkpoint(): void {
    try {
      this.db.pragma('wal_checkpoint(TRUNCATE)');
    } catch {
      // Still no space: the held batches are retried on the next append.
    }
  }

  /**
   * Closes the database (idempotent). Batches still held in memory (the disk refused them) are tried
   * once more; those that still do not fit are lost: logged as an error and returned as a count.
   */
  close(): number {
    if (this.closed) return 0;
    this.closed = true;
    if (this.held.size > 0) this.retryHeld();
    const discarded = this.held.size;
    if (discarded > 0) {
      this.logger.error(
        { discarded, storageErrors: this.storageErrors },
        'outbox: closing with batches the disk refused; they are lost',
      );
    }
    this.listeners.clear();
    this.db.close();
    return discarded;
  }
}
