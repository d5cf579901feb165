/**
 * Opens the outbox's SQLite file: created 0600, WAL with size-bounded checkpoints, checked for
 * corruption (a corrupt one is moved aside and a new one started), migrated. Kept apart from
 * outbox.ts, which is about batches; what may go wrong opening a file on a real box is here.
 */
import Database from 'better-sqlite3';
import { chmodSync, closeSync, mkdirSync, openSync, renameSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import { migrate } from './migrations.ts';

/** WAL pages after which SQLite checkpoints (~1 MiB at 4 KiB pages; its default is 1000). */
const WAL_AUTOCHECKPOINT_PAGES = 256;
/** The WAL file is truncated to this after a checkpoint, bytes. */
const WAL_SIZE_LIMIT_BYTES = 1_048_576;

const STORAGE_CODES = /^(SQLITE_(FULL|IOERR|CANTOPEN|READONLY|BUSY|LOCKED)|ENOSPC|EIO|EDQUOT|EROFS)/;

/** Whether `error` is the disk's fault (full, I/O error, read-only), not the data's or the code's. */
export function isStorageError(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && STORAGE_CODES.test(code);
}

/** A database SQLite opens but whose integrity check fails. */
class CorruptDatabase extends Error {}

/** An opened outbox database, and whether a corrupt one was moved aside to get it. */
export interface OpenedDatabase {
  db: Database.Database;
  recovered?: { movedTo: string; reason: string };
}

/**
 * Opens (creating and migrating) the database at `path`. A database that fails SQLite's quick
 * integrity check (or cannot be read as one) is moved aside as `<path>.corrupt-<time>` with its WAL
 * files and a new one is started: otherwise every commit would fail, one error per harvest, forever.
 * Storage errors (full disk: SQLITE_FULL, SQLITE_IOERR_SHMSIZE, ENOSPC) are thrown as they are.
 */
export function openOutboxDatabase(
  path: string,
  options: { maxDbBytes?: number; clock: Clock; logger: Logger },
): OpenedDatabase {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  let reason: string | undefined;
  try {
    return { db: openChecked(path, options.maxDbBytes) };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (!(error instanceof CorruptDatabase) && code !== 'SQLITE_CORRUPT' && code !== 'SQLITE_NOTADB')
      throw error;
    reason = error instanceof Error ? error.message : String(error);
  }
  const movedTo = `${path}.corrupt-${new Date(options.clock.nowMs()).toISOString().replace(/[:.]/g, '-')}`;
  for (const suffix of ['', '-wal', '-shm']) {
    try {
      renameSync(`${path}${suffix}`, `${movedTo}${suffix}`);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  options.logger.error(
    { path, movedTo, reason },
    'outbox database is corrupt: moved it aside and started a new one',
  );
  return { db: openChecked(path, options.maxDbBytes), recovered: { movedTo, reason } };
}

/** An in-memory database with the outbox's schema: where the outbox lives until the file opens. */
export function openMemoryDatabase(): Database.Database {
  const db = new Database(':memory:');
  migrate(db);
  return db;
}

function openChecked(path: string, maxDbBytes: number | undefined): Database.Database {
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
    if (maxDbBytes !== undefined) {
      const pageSize = db.pragma('page_size', { simple: true }) as number;
      db.pragma(`max_page_count = ${Math.max(16, Math.floor(maxDbBytes / pageSize))}`);
    }
    migrate(db);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
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
