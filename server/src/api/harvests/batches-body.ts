/**
 * The body of GET /api/harvests as a stream: the batches are read from the outbox a few at a time and
 * each page is serialised in its own event-loop turn (after flushAsync), so one request for 1000
 * batches (~6 MB) never holds the loop for more than one small page and the 10 Hz sampling timers run
 * in between. The whole answer is also bounded by bytes: once maxBytes are written, the array is
 * closed with `nextBeforeSeq`, the cursor a client passes back as `beforeSeq` for the next page.
 */
import { Readable } from 'node:stream';
import { flushAsync } from '../../core/clock.ts';

/** The outbox read the stream pages through: newest first, seq < beforeSeq. */
export type RecentBatches<B extends { seq: number } = { seq: number }> = (
  limit: number,
  beforeSeq?: number,
) => B[];

/** Bounds of one answer. */
export interface BatchesBodyOptions {
  /** Batches asked for (the `limit` query). */
  limit: number;
  /** Only batches with a smaller seq (the `beforeSeq` query), for paging. */
  beforeSeq?: number;
  /** Body bytes after which the answer ends with a cursor (default MAX_HARVESTS_BODY_BYTES). */
  maxBytes?: number;
  /** Batches read and serialised per event-loop turn (default PAGE_BATCHES). */
  pageBatches?: number;
  /**
   * Waits before each page (default: one event-loop turn, flushAsync). The route waits longer on the
   * clock while sampling is behind, so answers already streaming yield to it too, not only new ones.
   */
  beforePage?: () => Promise<void>;
}

/** How one batch becomes JSON (default JSON.stringify; the route uses BatchJsonCache). */
export type BatchSerializer<B> = (batch: B) => Buffer | string;

/** Default bound of one /api/harvests answer, bytes: ~170 batches of 10 full readings. */
export const MAX_HARVESTS_BODY_BYTES = 1_048_576;
/** Default batches per event-loop turn (~50 KB of JSON). */
export const PAGE_BATCHES = 8;
const COMMA = Buffer.from(',');

/** A readable JSON body `{"batches":[…]}` (plus `"nextBeforeSeq"` when cut by maxBytes). */
export function batchesBody<B extends { seq: number }>(
  recent: RecentBatches<B>,
  options: BatchesBodyOptions,
  serialize: BatchSerializer<B> = (batch) => JSON.stringify(batch),
): Readable {
  const maxBytes = options.maxBytes ?? MAX_HARVESTS_BODY_BYTES;
  const pageBatches = options.pageBatches ?? PAGE_BATCHES;
  let remaining = options.limit;
  let beforeSeq = options.beforeSeq;
  let bytes = 0;
  let count = 0;
  let opened = false;
  let producing = false;
  let finished = false;

  /** Serialises the next page; returns the bytes to push, and whether the body is complete. */
  const nextPage = (): { chunk: Buffer; done: boolean } => {
    const parts: Buffer[] = [];
    if (!opened) parts.push(Buffer.from('{"batches":['));
    opened = true;
    const page = recent(Math.min(pageBatches, remaining), beforeSeq);
    for (const batch of page) {
      const json = serialize(batch);
      const bytesOf = typeof json === 'string' ? Buffer.from(json) : json;
      if (count > 0) parts.push(COMMA);
      parts.push(bytesOf);
      count += 1;
      remaining -= 1;
      bytes += bytesOf.length + 1;
      beforeSeq = batch.seq;
      if (bytes >= maxBytes && remaining > 0) {
        parts.push(Buffer.from(`],"nextBeforeSeq":${batch.seq}}`));
        return { chunk: Buffer.concat(parts), done: true };
      }
    }
    if (page.length === 0 || remaining <= 0) {
      parts.push(Buffer.from(']}'));
      return { chunk: Buffer.concat(parts), done: true };
    }
    return { chunk: Buffer.concat(parts), done: false };
  };

  const stream = new Readable({
    read() {
      if (producing || finished) return;
      producing = true;
      // One page per event-loop turn: the pipe to the socket would otherwise pull synchronously.
      void (options.beforePage ?? flushAsync)().then(() => {
        producing = false;
        if (stream.destroyed) return;
        try {
          const { chunk, done } = nextPage();
          stream.push(chunk);
          if (done) {
            finished = true;
            stream.push(null);
          }
        } catch (error) {
          stream.destroy(error as Error);
        }
      });
    },
  });
  return stream;
}
