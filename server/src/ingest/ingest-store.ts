/**
 * What the ingest receiver keeps: batches keyed on their idempotency key (a repeat is counted, never
 * stored twice), optionally appended to a JSON-lines file that is read back on start so a restarted
 * receiver still recognises repeats, and per-gateway sequence bookkeeping (gaps, duplicates).
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';

/** One stored batch, also one line of the JSON-lines file. */
export interface IngestRecord {
  key: string;
  serial: string;
  seq: number;
  /** Wall-clock ms when it was stored. */
  receivedAt: number;
  header: Record<string, unknown>;
  payload: unknown;
  jwt: string;
}

/** Per-gateway summary. */
export interface SerialStats {
  stored: number;
  firstSeq: number;
  lastSeq: number;
  duplicates: number;
  /** Stored after a higher seq of the same gateway (pipelined or retried deliveries). */
  outOfOrder: number;
  /** Missing seq ranges between firstSeq and lastSeq (at most 100 listed). */
  gaps: { from: number; to: number }[];
}

/** Whole-receiver summary served as GET /stats. */
export interface IngestStats {
  received: number;
  stored: number;
  duplicates: number;
  rejected: number;
  serials: Record<string, SerialStats>;
}

interface SerialState {
  seqs: Set<number>;
  firstSeq: number;
  lastSeq: number;
  duplicates: number;
  outOfOrder: number;
}

/** Idempotent batch storage; share one instance across server restarts in tests. */
export class IngestStore {
  private readonly keys = new Set<string>();
  private readonly serials = new Map<string, SerialState>();
  private readonly kept: IngestRecord[] = [];
  received = 0;
  rejected = 0;
  duplicates = 0;

  private readonly outFile?: string;
  /** @param outFile JSON-lines file to append to (and to read back on construction); memory only when absent. */
  constructor(outFile?: string) {
    this.outFile = outFile;
    if (outFile && existsSync(outFile)) {
      for (const line of readFileSync(outFile, 'utf8').split('\n')) {
        if (line.trim() === '') continue;
        try {
          this.remember(JSON.parse(line) as IngestRecord);
        } catch {
          // A torn last line (the receiver was killed mid-write) is skipped; the sender will repeat it.
        }
      }
    }
  }

  /** Whether this idempotency key was stored already. */
  has(key: string): boolean {
    return this.keys.has(key);
  }

  /** Stores a new batch (appending to the file first); returns false and counts a duplicate for a known key. */
  store(record: IngestRecord): boolean {
    if (this.keys.has(record.key)) {
      this.duplicates++;
      const state = this.serials.get(record.serial);
      if (state) state.duplicates++;
      return false;
    }
    if (this.outFile) appendFileSync(this.outFile, `${JSON.stringify(record)}\n`);
    this.remember(record);
    return true;
  }

  private remember(record: IngestRecord): void {
    this.keys.add(record.key);
    if (!this.outFile) this.kept.push(record);
    let state = this.serials.get(record.serial);
    if (!state) {
      state = { seqs: new Set(), firstSeq: record.seq, lastSeq: record.seq, duplicates: 0, outOfOrder: 0 };
      this.serials.set(record.serial, state);
    }
    if (record.seq < state.lastSeq) state.outOfOrder++;
    state.seqs.add(record.seq);
    state.firstSeq = Math.min(state.firstSeq, record.seq);
    state.lastSeq = Math.max(state.lastSeq, record.seq);
  }

  /** Stored batches in arrival order (memory-only stores; read the file otherwise). */
  records(): IngestRecord[] {
    return this.outFile ? this.readFile() : [...this.kept];
  }

  private readFile(): IngestRecord[] {
    if (!this.outFile || !existsSync(this.outFile)) return [];
    return readFileSync(this.outFile, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as IngestRecord);
  }

  /** Counters, last seq and gaps per gateway serial. */
  stats(): IngestStats {
    const serials: Record<string, SerialStats> = {};
    let stored = 0;
    for (const [serial, s] of this.serials) {
      stored += s.seqs.size;
      const gaps: { from: number; to: number }[] = [];
      for (let seq = s.firstSeq; seq <= s.lastSeq && gaps.length < 100; seq++) {
        if (s.seqs.has(seq)) continue;
        let to = seq;
        while (to + 1 <= s.lastSeq && !s.seqs.has(to + 1)) to++;
        gaps.push({ from: seq, to });
        seq = to;
      }
      serials[serial] = {
        stored: s.seqs.size,
        firstSeq: s.firstSeq,
        lastSeq: s.lastSeq,
        duplicates: s.duplicates,
        outOfOrder: s.outOfOrder,
        gaps,
      };
    }
    return { received: this.received, stored, duplicates: this.duplicates, rejected: this.rejected, serials };
  }
}
