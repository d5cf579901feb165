import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock, flushAsync } from '../../../server/src/core/clock.ts';
import { EventBus } from '../../../server/src/core/event-bus.ts';
import type { BatchRecord } from '../../../server/src/outbox/batch-record.ts';
import type { Uplink, UplinkLink } from '../../../server/src/uplink/uplink.ts';
import { OutboxDispatcher, type DispatchSource } from '../../../server/src/uplink/outbox-dispatcher.ts';

/** In-memory outbox with the dispatcher's view of it. */
class FakeOutbox implements DispatchSource {
  batches: BatchRecord[] = [];
  acked = new Map<string, number[]>();
  private listeners = new Set<(r: BatchRecord) => void>();
  private seq = 0;
  add(n = 1): void {
    for (let i = 0; i < n; i++) {
      const r: BatchRecord = {
        seq: ++this.seq,
        createdAt: 0,
        header: {},
        payload: {},
        jwt: `jwt${this.seq}`,
        ackedBy: [],
      };
      this.batches.push(r);
      for (const l of this.listeners) l(r);
    }
  }
  pending(uplink: string, limit: number, afterSeq = 0): BatchRecord[] {
    const acked = this.acked.get(uplink) ?? [];
    return this.batches.filter((b) => b.seq > afterSeq && !acked.includes(b.seq)).slice(0, limit);
  }
  ackMany(seqs: number[], uplink: string): boolean {
    this.acked.set(uplink, [...(this.acked.get(uplink) ?? []), ...seqs]);
    return true;
  }
  setUplinks(): void {}
  onAppend(listener: (r: BatchRecord) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

type Mode = 'ok' | 'fail' | 'hang';

/** An uplink whose answers the test decides; records every attempt with its monotonic time. */
class FakeUplink implements Uplink {
  mode: Mode = 'ok';
  attempts: { seq: number; atMs: number }[] = [];
  readonly name: string;
  private readonly clock: ManualClock;
  hanging: { seq: number; resolve: () => void; reject: (e: Error) => void }[] = [];
  constructor(name: string, clock: ManualClock) {
    this.name = name;
    this.clock = clock;
  }
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  deliver(batch: BatchRecord, signal?: AbortSignal): Promise<void> {
    this.attempts.push({ seq: batch.seq, atMs: this.clock.monotonicMs() });
    if (this.mode === 'ok') return Promise.resolve();
    if (this.mode === 'fail') return Promise.reject(new Error('HTTP 500'));
    return new Promise((resolve, reject) => {
      this.hanging.push({ seq: batch.seq, resolve, reject });
      signal?.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
    });
  }
}

/** An uplink with a lasting connection (like MQTT) whose link the test moves. */
class FakeConnectedUplink extends FakeUplink {
  private current: UplinkLink = { state: 'connecting' };
  private readonly listeners = new Set<(link: UplinkLink) => void>();
  link(): UplinkLink {
    return { ...this.current };
  }
  onLinkChange(listener: (link: UplinkLink) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  move(link: UplinkLink): void {
    this.current = link;
    for (const listener of this.listeners) listener(this.link());
  }
}

async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await flushAsync();
}

function setup(window = 8, random = () => 0.5) {
  const clock = new ManualClock();
  const outbox = new FakeOutbox();
  const uplink = new FakeUplink('http', clock);
  const bus = new EventBus();
  const events: string[] = [];
  bus.on('uplink-state', (e) => events.push(e.state));
  const dispatcher = new OutboxDispatcher({
    outbox,
    uplinks: [uplink],
    clock,
    bus,
    window,
    backoff: { random },
  });
  return { clock, outbox, uplink, dispatcher, events };
}

describe('outbox dispatcher', () => {
  it('delivers a backlog oldest first and acknowledges each batch', async () => {
    const { outbox, uplink, dispatcher } = setup();
    outbox.add(30);
    await dispatcher.start();
    await settle();
    assert.deepEqual(
      uplink.attempts.map((a) => a.seq),
      Array.from({ length: 30 }, (_, i) => i + 1),
    );
    assert.deepEqual(
      outbox.acked.get('http'),
      Array.from({ length: 30 }, (_, i) => i + 1),
    );
    assert.equal(dispatcher.states()[0]?.acked, 30);
    await dispatcher.stop();
  });

  it('keeps at most `window` deliveries in flight and never starts one twice', async () => {
    const { outbox, uplink, dispatcher } = setup(4);
    uplink.mode = 'hang';
    outbox.add(10);
    await dispatcher.start();
    await settle();
    for (let i = 0; i < 5; i++) {
      dispatcher.wake();
      outbox.add(1);
      await settle();
    }
    assert.deepEqual(
      uplink.attempts.map((a) => a.seq),
      [1, 2, 3, 4],
    );
    uplink.hanging.shift()!.resolve();
    await settle();
    assert.deepEqual(
      uplink.attempts.map((a) => a.seq),
      [1, 2, 3, 4, 5],
    );
    assert.deepEqual(
      dispatcher.inFlight('http').sort((a, b) => a - b),
      [2, 3, 4, 5],
    );
    await dispatcher.stop();
  });

  it('wakes up when a batch is appended', async () => {
    const { outbox, uplink, dispatcher } = setup();
    await dispatcher.start();
    await settle();
    assert.equal(uplink.attempts.length, 0);
    outbox.add(1);
    await settle();
    assert.deepEqual(
      uplink.attempts.map((a) => a.seq),
      [1],
    );
    await dispatcher.stop();
  });

  it('backs off 1 s, 2 s, 4 s … up to 5 min, within the jitter bounds', async () => {
    for (const random of [() => 0, () => 0.999999]) {
      const { clock, outbox, uplink, dispatcher } = setup(8, random);
      uplink.mode = 'fail';
      outbox.add(1);
      await dispatcher.start();
      await settle();
      await clock.advance(2_000_000);
      const gaps = uplink.attempts.slice(1).map((a, i) => a.atMs - uplink.attempts[i]!.atMs);
      const bases = [1000, 2000, 4000, 8000, 16000, 32000, 64000, 128000, 256000, 300000, 300000];
      bases.forEach((base, i) => {
        const gap = gaps[i]!;
        assert.ok(gap >= base * 0.8 - 1e-6 && gap <= base + 1e-6, `retry ${i}: ${gap} ms for base ${base}`);
      });
      assert.ok(
        uplink.attempts.every((a) => a.seq === 1),
        'always the oldest batch first',
      );
      await dispatcher.stop();
    }
  });

  it('reports retrying since the first failure with the last error, then ok again', async () => {
    const { clock, outbox, uplink, dispatcher, events } = setup();
    uplink.mode = 'fail';
    outbox.add(3);
    await dispatcher.start();
    await settle();
    const state = dispatcher.states()[0]!;
    assert.equal(state.state, 'retrying');
    assert.equal(state.since, clock.nowMs());
    assert.match(state.lastError ?? '', /HTTP 500/);
    await clock.advance(10_000);
    assert.equal(dispatcher.states()[0]!.since, state.since, 'since stays at the start of the outage');
    uplink.mode = 'ok';
    await clock.advance(20_000);
    await settle();
    assert.equal(dispatcher.states()[0]!.state, 'ok');
    assert.deepEqual(outbox.acked.get('http'), [1, 2, 3]);
    assert.deepEqual(events, ['retrying', 'ok']);
    await dispatcher.stop();
  });

  it('owns the state of a connected uplink: its link changes become one uplink-state event each', async () => {
    const clock = new ManualClock();
    const outbox = new FakeOutbox();
    const uplink = new FakeConnectedUplink('mqtt', clock);
    const bus = new EventBus();
    const events: string[] = [];
    bus.on('uplink-state', (e) => events.push(`${e.state}${e.lastError ? `: ${e.lastError}` : ''}`));
    const dispatcher = new OutboxDispatcher({
      outbox,
      uplinks: [uplink],
      clock,
      bus,
      backoff: { random: () => 0.5 },
    });
    assert.equal(dispatcher.states()[0]!.state, 'connecting');
    await dispatcher.start();
    uplink.move({ state: 'up' });
    outbox.add(2);
    await settle();
    assert.deepEqual(dispatcher.states()[0], {
      name: 'mqtt',
      state: 'ok',
      since: clock.nowMs(),
      acked: 2,
      retries: 0,
    });
    await clock.advance(1000);
    uplink.move({ state: 'down', lastError: 'connection refused' });
    const down = dispatcher.states()[0]!;
    assert.equal(down.state, 'retrying');
    assert.equal(down.since, clock.nowMs());
    assert.equal(down.retries, 0, 'retries count failed deliveries only');
    uplink.move({ state: 'up' });
    await dispatcher.stop();
    assert.deepEqual(events, ['ok', 'retrying: connection refused', 'ok', 'disabled']);
    assert.equal(dispatcher.states()[0]!.acked, 2);
  });

  it('after a failure inside the window, resumes from the oldest unacknowledged batch', async () => {
    const { clock, outbox, uplink, dispatcher } = setup(4);
    uplink.mode = 'hang';
    outbox.add(6);
    await dispatcher.start();
    await settle();
    const [h1, h2, h3, h4] = uplink.hanging.splice(0);
    h1!.resolve();
    h2!.reject(new Error('reset'));
    h3!.resolve();
    await settle();
    assert.equal(uplink.attempts.length, 4, 'no new batch while blocked');
    h4!.reject(new Error('reset'));
    await settle();
    uplink.mode = 'ok';
    await clock.advance(1000);
    await settle();
    assert.deepEqual(
      uplink.attempts.slice(4).map((a) => a.seq),
      [2, 4, 5, 6],
    );
    assert.deepEqual(
      [...outbox.acked.get('http')!].sort((a, b) => a - b),
      [1, 2, 3, 4, 5, 6],
    );
    await dispatcher.stop();
  });

  it('aborts deliveries in flight on stop', async () => {
    const { outbox, uplink, dispatcher } = setup();
    uplink.mode = 'hang';
    outbox.add(2);
    await dispatcher.start();
    await settle();
    await dispatcher.stop();
    assert.equal(outbox.acked.get('http'), undefined);
    outbox.add(1);
    await settle();
    assert.equal(uplink.attempts.length, 2, 'no delivery after stop');
  });
});
