import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../../server/src/core/clock.ts';
import { FaultController } from '../../../../modbus_slave/src/faults/fault-controller.ts';
import { parseLatency } from '../../../../modbus_slave/src/faults/fault-spec.ts';
import { Prng } from '../../../../modbus_slave/src/physics/prng.ts';

function controller(clock = new ManualClock()) {
  return new FaultController('inv1', clock, new Prng(42));
}

describe('FaultController', () => {
  it('answers normally with no faults and counts nothing', () => {
    const faults = controller();
    for (let i = 0; i < 100; i++)
      assert.deepEqual(faults.decideRequest(), { delayMs: 0, action: { kind: 'answer' } });
    assert.equal(faults.total(), 0);
  });

  it('answers with exceptions at about the configured rate and counts them by code', () => {
    const faults = controller();
    faults.set({ exceptionRate: 0.5, exceptionCodes: [2, 11] });
    const kinds = Array.from({ length: 1000 }, () => faults.decideRequest().action);
    const exceptions = kinds.filter((a) => a.kind === 'exception');
    assert.ok(exceptions.length > 400 && exceptions.length < 600, `${exceptions.length} of 1000`);
    const counts = faults.counts().exception;
    assert.equal((counts['02'] ?? 0) + (counts['0b'] ?? 0), exceptions.length);
    assert.ok((counts['02'] ?? 0) > 0 && (counts['0b'] ?? 0) > 0);
  });

  it('stays silent before anything else when silent, and draws latency within its range', () => {
    const faults = controller();
    faults.set({ silent: true, dropRate: 1 });
    assert.equal(faults.decideRequest().action.kind, 'silent');
    faults.clear();
    faults.set({ latencyMs: [100, 200] });
    for (let i = 0; i < 50; i++) {
      const { delayMs } = faults.decideRequest();
      assert.ok(delayMs >= 100 && delayMs <= 200);
    }
    assert.equal(faults.counts().latency, 50);
    assert.equal(faults.counts().silent, 1);
  });

  it('refuses a second client in single-client mode and counts the refusal', () => {
    const faults = controller();
    faults.set({ singleClient: true });
    assert.equal(faults.acceptConnection(0), true);
    assert.equal(faults.acceptConnection(1), false);
    faults.set({ singleClient: false });
    assert.equal(faults.acceptConnection(1), true);
    assert.equal(faults.counts().refused, 1);
  });

  it('reboots: tells listeners, refuses connections while down, accepts again after downMs', async () => {
    const clock = new ManualClock();
    const faults = controller(clock);
    const events: string[] = [];
    faults.subscribe({ dropConnections: () => events.push('drop'), rebooted: () => events.push('rebooted') });
    faults.reboot(500);
    assert.deepEqual(events, ['drop', 'rebooted']);
    assert.equal(faults.acceptConnection(0), false);
    await clock.advance(500);
    assert.equal(faults.acceptConnection(0), true);
    assert.equal(faults.counts().reboot, 1);
  });

  it('rejects an unknown fault key or a rate above 1', () => {
    const faults = controller();
    assert.throws(() => faults.set({ dropRat: 1 } as never));
    assert.throws(() => faults.set({ dropRate: 2 }));
  });

  it('repeats the same decisions for the same seed', () => {
    const run = () => {
      const faults = controller();
      faults.set({ dropRate: 0.2, malformedRate: 0.2, txidMismatchRate: 0.2 });
      return Array.from({ length: 200 }, () => faults.decideRequest().action.kind).join();
    };
    assert.equal(run(), run());
  });
});

describe('parseLatency', () => {
  it('reads a fixed delay or a range', () => {
    assert.equal(parseLatency('200'), 200);
    assert.deepEqual(parseLatency('100-500'), [100, 500]);
    assert.throws(() => parseLatency('500-100'), /below min/);
    assert.throws(() => parseLatency('soon'), /must be ms/);
  });
});
