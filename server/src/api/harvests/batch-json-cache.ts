/**
 * The JSON of one batch as GET /api/harvests answers it, built straight from the stored JWT and kept
 * for the next request. The JWT's header and payload segments are base64url of exactly the JSON the
 * signer wrote (JSON.stringify), so decoding them gives the answer's `header` and `payload` bytes
 * without parsing ~6 KB of readings into objects and serialising them again — that round trip was most
 * of the event-loop time a flood of large answers took. A batch never changes once stored except for
 * the uplinks that acknowledged it, which is part of the cache key. Bounded by bytes; the oldest
 * entries go first (concurrent clients ask for the same newest batches, so a small cache serves them).
 */

/** What a stored batch carries (the outbox's BatchRecord has these and getters for the decoded parts). */
export interface StoredBatch {
  seq: number;
  createdAt: number;
  jwt: string;
  ackedBy: string[];
}

/** Default bound of the cache, bytes (~2 answers of 1 MiB). */
export const BATCH_JSON_CACHE_BYTES = 2 * 1024 * 1024;

/**
 * `{"seq":…,"createdAt":…,"header":{…},"payload":{…},"jwt":"…","ackedBy":[…]}` — byte for byte what
 * JSON.stringify gives for the outbox's record (field order included).
 */
export function batchJson(batch: StoredBatch): Buffer {
  const [header = '', payload = ''] = batch.jwt.split('.', 2);
  return Buffer.concat([
    Buffer.from(`{"seq":${batch.seq},"createdAt":${batch.createdAt},"header":`),
    Buffer.from(header, 'base64url'),
    Buffer.from(',"payload":'),
    Buffer.from(payload, 'base64url'),
    // A compact JWT is base64url and dots only: nothing to escape.
    Buffer.from(`,"jwt":"${batch.jwt}","ackedBy":${JSON.stringify(batch.ackedBy)}}`),
  ]);
}

/** Byte-bounded cache of batchJson by seq. */
export class BatchJsonCache {
  private readonly entries = new Map<number, { key: string; json: Buffer }>();
  private bytes = 0;
  private readonly maxBytes: number;

  constructor(maxBytes = BATCH_JSON_CACHE_BYTES) {
    this.maxBytes = maxBytes;
  }

  /** The batch's JSON, from the cache when the same batch (and acknowledgements) was asked for before. */
  json(batch: StoredBatch): Buffer {
    const key = `${batch.createdAt}|${batch.ackedBy.join(',')}`;
    const hit = this.entries.get(batch.seq);
    if (hit?.key === key) return hit.json;
    if (hit) this.remove(batch.seq, hit.json.length);
    const json = batchJson(batch);
    if (json.length > this.maxBytes) return json;
    this.entries.set(batch.seq, { key, json });
    this.bytes += json.length;
    for (const [seq, entry] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.remove(seq, entry.json.length);
    }
    return json;
  }

  /** Bytes held. */
  get size(): number {
    return this.bytes;
  }

  private remove(seq: number, length: number): void {
    this.entries.delete(seq);
    this.bytes -= length;
  }
}
