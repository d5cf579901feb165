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
export type RecentBatches = (limit: number, beforeSeq?: number) => { seq: number }[];

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
}

/** Default bound of one /api/harvests answer, bytes: ~170 batches of 10 full readings. */
export const MAX_HARVESTS_BODY_BYTES = 1_048_576;
/** Default batches per event-loop turn (~50 KB of JSON). */
export const PAGE_BATCHES = 8;

/** A readable JSON body `{"batches":[…]}` (plus `"nextBeforeSeq"` when cut by maxBytes). */
export function batchesBody(recent: RecentBatches, options: BatchesBodyOptions): Readable {
  const maxBytes = options.maxBytes ?? MAX_HARVESTS_BODY_BYTES;
  const pageBatches = options.pageBatches ?? PAGE_BATCHES;
  let remaining = options.limit;
  let beforeSeq = options.beforeSeq;
  let bytes = 0;
  let count = 0;
  let opened = false;
  let producing = false;
  let finished = false;

  /** Serialises the next page; returns the text to push, and whether the body is complete. */
  const nextPage = (): { text: string; done: boolean } => {
    let text = opened ? '' : '{"batches":[';
    opened = true;
    const page = recent(Math.min(pageBatches, remaining), beforeSeq);
    for (const batch of page) {
      const json = JSON.stringify(batch);
      text += count === 0 ? json : `,${json}`;
      count += 1;
      remaining -= 1;
      bytes += Buffer.byteLength(json) + 1;
      beforeSeq = batch.seq;
      if (bytes >= maxBytes && remaining > 0) {
        return { text: `${text}],"nextBeforeSeq":${batch.seq}}`, done: true };
      }
    }
    if (page.length === 0 || remaining <= 0) return { text: `${text}]}`, done: true };
    return { text, done: false };
  };

  const stream = new Readable({
    read() {
      if (producing || finished) return;
      producing = true;
      // One page per event-loop turn: the pipe to the socket would otherwise pull synchronously.
      void flushAsync().then(() => {
        producing = false;
        if (stream.destroyed) return;
        try {
          const { text, done } = nextPage();
          stream.push(text);
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
