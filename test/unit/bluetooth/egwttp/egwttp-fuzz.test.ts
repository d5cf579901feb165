import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../../server/src/core/clock.ts';
import { EgwttpConnection } from '../../../../bluetooth/src/egwttp/egwttp-connection.ts';
import { DEFAULT_ASSEMBLER_LIMITS } from '../../../../bluetooth/src/egwttp/request-assembler.ts';
import { parseResponseFrame, requestFrame } from '../../../../client/src/egwttp.js';

/** Small deterministic PRNG (mulberry32) so a failure replays with the same seed. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEEDS = [
  requestFrame('GET', '/api/hello'),
  requestFrame('POST', '/api/inverter', '{"ip":"192.168.1.50","port":502,"type":"sunspec","address":1}'),
  Buffer.from('GET /api/crypto EGWTP/1.1\r\nOffset: 120\r\n\r\n'),
  Buffer.from('POST /api/wifi EGWTTP/1.1\r\nContent-Length: 20\r\n\r\n{"ssid":"a","pass":1}'),
];

function mutate(random: () => number, input: Uint8Array): Buffer {
  const bytes = Buffer.from(input);
  const kind = Math.floor(random() * 6);
  const at = Math.floor(random() * bytes.length);
  switch (kind) {
    case 0: // flip bytes
      for (let i = 0; i < 1 + random() * 4; i++)
        bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
      return bytes;
    case 1: // truncate
      return bytes.subarray(0, at);
    case 2: // duplicate a slice
      return Buffer.concat([
        bytes.subarray(0, at),
        bytes.subarray(at - 10 < 0 ? 0 : at - 10),
        bytes.subarray(at),
      ]);
    case 3: // huge Content-Length or Offset
      return Buffer.from(
        bytes.toString('latin1').replace(/\d+/, String(Math.floor(random() * 1e9))),
        'latin1',
      );
    case 4: // random bytes
      return Buffer.from(
        Array.from({ length: Math.floor(random() * 600) }, () => Math.floor(random() * 256)),
      );
    default: // line-ending games
      return Buffer.from(
        bytes.toString('latin1').replaceAll('\r\n', random() < 0.5 ? '\n' : '\r\n\r\n'),
        'latin1',
      );
  }
}

describe('EGWTTP fuzzing', () => {
  it('survives 12 000 random and mutated frames with capped buffers and a well-formed answer to each', async () => {
    const random = prng(0xe6e77);
    const clock = new ManualClock();
    const frames: Buffer[] = [];
    const cap = DEFAULT_ASSEMBLER_LIMITS.maxHeadBytes + DEFAULT_ASSEMBLER_LIMITS.maxBodyBytes + 600;
    let maxBuffered = 0;
    const connection = new EgwttpConnection({
      id: 'fuzz',
      clock,
      frameSizeBytes: 64 + Math.floor(random() * 448),
      send: (frame) => frames.push(frame),
      handler: async (request) => ({ status: 200, body: Buffer.from(request.body).subarray(0, 300) }),
    });
    for (let i = 0; i < 12_000; i++) {
      const seed = SEEDS[i % SEEDS.length]!;
      const frame = random() < 0.1 ? seed : mutate(random, seed);
      // Deliver in random pieces, as BLE writes would.
      for (let at = 0; at < frame.length;) {
        const size = 1 + Math.floor(random() * 200);
        await connection.write(frame.subarray(at, at + size));
        at += size;
        maxBuffered = Math.max(maxBuffered, connection.bufferedBytes());
      }
      if (i % 500 === 0) await clock.advance(31_000); // let incomplete requests time out now and then
    }
    assert.ok(maxBuffered <= cap, `buffered ${maxBuffered} bytes, cap ${cap}`);
    assert.ok(frames.length > 1000, `only ${frames.length} answers`);
    const statuses = new Set<number>();
    for (const frame of frames) statuses.add(parseResponseFrame(frame).status);
    assert.ok(statuses.has(200) && statuses.has(400), `statuses seen: ${[...statuses].join(', ')}`);
    const heapMb = process.memoryUsage().heapUsed / 1e6;
    assert.ok(heapMb < 512, `heap ${heapMb} MB`);
  });
});
