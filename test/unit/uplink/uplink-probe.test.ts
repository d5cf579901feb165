import { it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock, flushAsync } from '../../../server/src/core/clock.ts';
import { EventBus } from '../../../server/src/core/event-bus.ts';
import type { BatchRecord } from '../../../server/src/outbox/batch-record.ts';
import type { Uplink } from '../../../server/src/uplink/uplink.ts';
import { OutboxDispatcher, PROBE_INTERVAL_MS } from '../../../server/src/uplink/outbox-dispatcher.ts';

/** A receiver that is down until `up` is set; probes and deliveries see the same state. */
class FlakyUplink implements Uplink {
  readonly name = 'http';
  up = false;
  delivered: number[] = [];
  probes = 0;
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  async deliver(batch: BatchRecord): Promise<void> {
    if (!this.up) throw new Error('HTTP 503');
    this.delivered.push(batch.seq);
  }
  async probe(): Promise<boolean> {
    this.probes++;
    return this.up;
  }
}

const settle = async (): Promise<void> => {
  for (let i = 0; i < 20; i++) await flushAsync();
};

it('delivers within a probe interval of the receiver answering again, not at the end of a 5-minute backoff', async () => {
  const clock = new ManualClock();
  const uplink = new FlakyUplink();
  const batch: BatchRecord = { seq: 1, createdAt: 0, header: {}, payload: {}, jwt: 'j', ackedBy: [] };
  const acked: number[] = [];
  const dispatcher = new OutboxDispatcher({
    outbox: {
      pending: (_u, _l, after = 0) => (acked.includes(1) || after >= 1 ? [] : [batch]),
      ackMany: (seqs) => (acked.push(...seqs), true),
      setUplinks: () => {},
      onAppend: () => () => {},
    },
    uplinks: [uplink],
    clock,
    bus: new EventBus(),
    backoff: { random: () => 0.5 },
  });
  await dispatcher.start();
  await settle();
  // An outage of 10 minutes: the backoff reaches its 5-minute cap.
  for (let t = 0; t < 600; t += 10) {
    await clock.advance(10_000);
    await settle();
  }
  assert.deepEqual(uplink.delivered, []);
  uplink.up = true;
  await clock.advance(PROBE_INTERVAL_MS);
  await settle();
  assert.deepEqual(uplink.delivered, [1], 'delivered within one probe interval');
  assert.ok(uplink.probes > 0);
  await dispatcher.stop();
});
