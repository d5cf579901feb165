import { it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../../server/src/core/clock.ts';
import { SseClient, type SseSink } from '../../../../server/src/api/sse/sse-client.ts';

/** A sink that never drains: what a client that stopped reading looks like. */
class StuckSink implements SseSink {
  chunks: string[] = [];
  destroyed = false;
  ended = false;
  get writableLength(): number {
    return this.chunks.reduce((n, c) => n + c.length, 0);
  }
  write(chunk: string): boolean {
    this.chunks.push(chunk);
    return false;
  }
  destroy(): void {
    this.destroyed = true;
  }
  end(): void {
    this.ended = true;
  }
}

it('formats events as SSE frames with one-line JSON data', () => {
  const sink = new StuckSink();
  new SseClient(sink, { clock: new ManualClock(), frequencyPerS: 10 }).send('reading', { a: 'x\ny' });
  assert.deepEqual(sink.chunks, ['event: reading\ndata: {"a":"x\\ny"}\n\n']);
});

it('drops a client whose unsent bytes pass the bound instead of buffering without end', () => {
  const sink = new StuckSink();
  let drops = 0;
  const client = new SseClient(sink, {
    clock: new ManualClock(),
    frequencyPerS: 10,
    maxBufferedBytes: 1000,
    onDrop: () => drops++,
  });
  for (let i = 0; i < 100; i++) client.send('reading', { i, pad: 'x'.repeat(50) });
  assert.ok(client.closed);
  assert.ok(sink.destroyed);
  assert.equal(drops, 1);
  assert.ok(sink.writableLength < 1200, `bounded: ${sink.writableLength}`);
});

it('throttles frequency samples per device to the requested rate', async () => {
  const clock = new ManualClock();
  const sink = new StuckSink();
  const client = new SseClient(sink, { clock, frequencyPerS: 2, maxBufferedBytes: 1e9 });
  for (let i = 0; i < 20; i++) {
    client.sendFrequency({ device: 'a', ts: i, hz: 50 });
    client.sendFrequency({ device: 'b', ts: i, hz: 50 });
    await clock.advance(100);
  }
  // 2 s at 2/s per device → 4 each.
  assert.equal(sink.chunks.filter((c) => c.includes('"device":"a"')).length, 4);
  assert.equal(sink.chunks.filter((c) => c.includes('"device":"b"')).length, 4);
  assert.equal(client.throttled, 32);
});

it('frequencyPerS 0 mutes samples', () => {
  const sink = new StuckSink();
  const client = new SseClient(sink, { clock: new ManualClock(), frequencyPerS: 0 });
  client.sendFrequency({ device: 'a', ts: 0, hz: 50 });
  assert.equal(sink.chunks.length, 0);
});
