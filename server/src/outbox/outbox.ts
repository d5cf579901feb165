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
import type Database from 'better-sqlite3';
import { SystemClock, type Clock } from '../core/clock.ts';
import { describeError, EgwError } from '../core/errors.ts';
import { silentLogger, type Logger } from '../core/logger.ts';
import type { BatchRecord, OutboxStats } from './batch-record.ts';
import type { BatchInput, SignedBatch } from '../identity/batch-jwt.ts';
import { decodeJwt, type DecodedJwt } from '../identity/jwt.ts';
import { OutboxHeld } from './outbox-held.ts';
import { OutboxSettings } from './outbox-settings.ts';
import { ControlJtiStore } from './control-jti-store.ts';
import { prepareStatements, type BatchRow, type OutboxStatements } from './outbox-statements.ts';
import { isStorageError, openMemoryDatabase, openOutboxDatabase } from './open-outbox-database.ts';

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
  /**
   * Called once the database file is open — in open(), or later when it could not be opened at start
   * (full disk) — before any batch is signed in it: the seq ledger reconciles here. A storage error
   * thrown here counts as the file not opening (retried); any other error is thrown by open().
   */
  onDatabaseOpen?: (outbox: Outbox) => void;
}

/** OutboxStats plus the storage-failure counters. */
export interface OutboxDetailedStats extends OutboxStats {
  /** Appends that failed for lack of space or an I/O error. */
  storageErrors: number;
  /** Batches waiting in memory for the disk. */
  held: number;
  /** Delivered batches still kept for recent(). */
  delivered: number;
  /** Set while the database file cannot be opened (full disk): why; batches are held meanwhile. */
  databaseUnavailable?: string;
}

const SEP = '\u001f';
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

/** The outbox's database file could not be opened (full disk); kept until a retry opens it. */
interface Unavailable {
  path: string;
  reason: string;
  sinceMs: number;
  /** Monotonic ms of the next attempt by retryOpen(). */
  nextAttemptMs: number;
}

/** How often retryOpen() tries a database file that could not be opened, ms. */
export const OPEN_RETRY_MS = 5000;

/**
 * The SQLite outbox. Open with Outbox.open(); all methods are synchronous (better-sqlite3).
 *
 * When the file cannot be opened at start because the disk is full (or fails), the outbox starts on
 * an in-memory database (settings and control ids work, settings cannot be changed) and holds every
 * batch unsigned in memory, as it does when the disk fills while running; retryOpen() (called on the
 * clock by the delivery module, and before each append) opens the file once it can, runs
 * onDatabaseOpen and stores the held batches in order. Nothing is signed before the file is open, so
 * no seq is assigned that the file and the seq ledger do not know of.
 */
export class Outbox {
  /** Set when open() found the database corrupt and started a new one. */
  recovered?: { movedTo: string; reason: string };
  private readonly reserveSeq: ((seq: number) => void) | undefined;
  private readonly onDatabaseOpen: ((outbox: Outbox) => void) | undefined;
  private readonly sign: BatchSigner;
  private readonly maxBatches: number;
  private readonly keepDelivered: number;
  private readonly maxDbBytes: number | undefined;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly held: OutboxHeld;
  private readonly listeners = new Set<(record: BatchRecord) => void>();
  private enabled: string[] = [];
  private storageErrors = 0;
  private closed = false;
  private unavailable: Unavailable | undefined;
  private db: Database.Database;
  private st: OutboxStatements;
  private settingsTable: OutboxSettings;
  private jtiStore: ControlJtiStore;

  private constructor(db: Database.Database, options: OutboxOptions, unavailable?: Unavailable) {
    this.db = db;
    this.unavailable = unavailable;
    this.sign = options.sign;
    this.maxBatches = options.maxBatches ?? 100_000;
    this.keepDelivered = options.keepDelivered ?? 100;
    this.maxDbBytes = options.maxDbBytes;
    this.clock = options.clock ?? new SystemClock();
    this.logger = options.logger ?? silentLogger();
    this.held = new OutboxHeld(options.maxHeld ?? 1000);
    this.settingsTable = new OutboxSettings(db, unavailable && refusedWrite(unavailable));
    this.jtiStore = new ControlJtiStore(db);
    this.reserveSeq = options.reserveSeq;
    this.onDatabaseOpen = options.onDatabaseOpen;
    this.st = prepareStatements(db);
  }

  /** Settings persisted next to the batches (SettingsStore backing). */
  get settings(): OutboxSettings {
    return this.settingsTable;
  }

  /** Ids of cloud control requests already run (replay protection, kept across restarts). */
  get controlJti(): ControlJtiStore {
    return this.jtiStore;
  }

  /**
   * Opens (creating and migrating) the outbox database at `path`, e.g. `<dataDir>/egw.db`; a corrupt
   * one is moved aside and a new one started (`recovered` says so; open-outbox-database.ts). When the
   * disk refuses (full, I/O error), the outbox starts without its file instead: one error line names
   * the path, batches are held in memory and retryOpen() opens the file later (see the class comment).
   */
  static open(path: string, options: OutboxOptions): Outbox {
    const clock = options.clock ?? new SystemClock();
    const logger = options.logger ?? silentLogger();
    let opened;
    try {
      opened = openOutboxDatabase(path, { maxDbBytes: options.maxDbBytes, clock, logger });
    } catch (error) {
      if (!isStorageError(error)) throw error;
      return Outbox.withoutFile(path, options, error);
    }
    const outbox = new Outbox(opened.db, options);
    if (opened.recovered) outbox.recovered = opened.recovered;
    try {
      options.onDatabaseOpen?.(outbox);
    } catch (error) {
      opened.db.close();
      if (!isStorageError(error)) throw error;
      return Outbox.withoutFile(path, options, error);
    }
    return outbox;
  }

  private static withoutFile(path: string, options: OutboxOptions, error: unknown): Outbox {
    const clock = options.clock ?? new SystemClock();
    const reason = `${String((error as { code?: unknown }).code)}: ${error instanceof Error ? error.message : String(error)}`;
    const outbox = new Outbox(openMemoryDatabase(), options, {
      path,
      reason,
      sinceMs: clock.monotonicMs(),
      nextAttemptMs: clock.monotonicMs() + OPEN_RETRY_MS,
    });
    outbox.storageErrors++;
    outbox.logger.error(
      { path, reason, maxHeld: options.maxHeld ?? 1000, retryMs: OPEN_RETRY_MS },
      `outbox database ${path} cannot be opened (${reason}): sampling goes on, batches are held in memory ` +
        `until the disk accepts the database again`,
    );
    return outbox;
  }

  /**
   * While the database file could not be opened: tries again (at most every OPEN_RETRY_MS unless
   * `force`); once it opens, runs onDatabaseOpen and stores the held batches. Returns whether the file
   * is open now.
   */
  retryOpen(force = false): boolean {
    const waiting = this.unavailable;
    if (!waiting) return true;
    if (this.closed) return false;
    const now = this.clock.monotonicMs();
    if (!force && now < waiting.nextAttemptMs) return false;
    waiting.nextAttemptMs = now + OPEN_RETRY_MS;
    let opened;
    try {
      opened = openOutboxDatabase(waiting.path, {
        maxDbBytes: this.maxDbBytes,
        clock: this.clock,
        logger: this.logger,
      });
    } catch (error) {
      return this.stillUnavailable(error);
    }
    const memory = { db: this.db, st: this.st, settings: this.settingsTable, jti: this.jtiStore };
    this.adopt(opened.db);
    // Set before the hook, which raises the notification for it.
    if (opened.recovered) this.recovered = opened.recovered;
    try {
      this.onDatabaseOpen?.(this);
    } catch (error) {
      opened.db.close();
      this.db = memory.db;
      this.st = memory.st;
      this.settingsTable = memory.settings;
      this.jtiStore = memory.jti;
      return this.stillUnavailable(error);
    }
    this.unavailable = undefined;
    this.copyControlJti(memory.db);
    memory.db.close();
    try {
      if (this.enabled.length > 0) this.setUplinks(this.enabled);
    } catch (error) {
      // Marking what the uplinks already acknowledged can wait for their next acknowledgement.
      if (!isStorageError(error)) throw error;
    }
    this.logger.warn(
      { path: waiting.path, afterMs: Math.round(now - waiting.sinceMs), held: this.held.size },
      `outbox database ${waiting.path} opened; storing the batches held in memory`,
    );
    this.retryHeld();
    return true;
  }

  private stillUnavailable(error: unknown): false {
    if (!isStorageError(error)) {
      this.logger.error({ err: describeError(error) }, 'outbox: the database opened but cannot be used');
    }
    this.storageErrors++;
    this.logger.debug({ err: describeError(error) }, 'outbox database still cannot be opened');
    return false;
  }

  private adopt(db: Database.Database): void {
    this.db = db;
    this.st = prepareStatements(db);
    this.settingsTable = new OutboxSettings(db);
    this.jtiStore = new ControlJtiStore(db);
  }

  /** Control-request ids accepted while the file was not open stay refused as replays. */
  private copyControlJti(from: Database.Database): void {
    const rows = from.prepare<[], { jti: string; expires_at: number }>('SELECT * FROM control_jti').all();
    for (const row of rows) {
      try {
        this.jtiStore.claim(row.jti, row.expires_at, this.clock.nowMs());
      } catch (error) {
        if (!isStorageError(error)) throw error;
      }
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
    if (this.unavailable && !this.retryOpen()) {
      this.held.push(input);
      return null;
    }
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
    if (this.unavailable) throw unavailableError(this.unavailable);
    this.synchronous('FULL');
    const records = this.db.transaction(() => inputs.map((input) => this.appendTx(input))).immediate();
    for (const record of records) for (const listener of this.listeners) listener(record);
    return records;
  }

  /** Stores the held batches that now fit; returns how many were stored. */
  retryHeld(): number {
    if (this.unavailable) return 0;
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
      if (!isStorageError(error)) throw error;
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
      if (!isStorageError(error)) throw error;
      this.storageErrors++;
      this.logger.error(
        { uplink, count: seqs.length, err: describeError(error) },
        'outbox: cannot record acknowledgements',
      );
      return false;
    }
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
      ...(this.unavailable
        ? { databaseUnavailable: `${this.unavailable.path}: ${this.unavailable.reason}` }
        : {}),
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
    if (this.held.size > 0) {
      this.retryOpen(true);
      this.retryHeld();
    }
    this.closed = true;
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

/** What a write that needs the database file meets while it cannot be opened. */
function unavailableError(waiting: Unavailable): EgwError {
  return new EgwError(
    'storage_unavailable',
    `the outbox database ${waiting.path} cannot be opened (${waiting.reason}); retried every ${OPEN_RETRY_MS / 1000} s`,
    { status: 503, expose: true, where: { file: waiting.path } },
  );
}

/** The settings table refuses changes while they could only be kept in memory. */
function refusedWrite(waiting: Unavailable): () => EgwError {
  return () => unavailableError(waiting);
}
