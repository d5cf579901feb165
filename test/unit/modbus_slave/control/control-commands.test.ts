import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../../server/src/core/clock.ts';
import { parseFaultWords, runCommand } from '../../../../modbus_slave/src/control/control-commands.ts';
import { FaultController } from '../../../../modbus_slave/src/faults/fault-controller.ts';
import type { RunningSimulator } from '../../../../modbus_slave/src/simulator.ts';

function fakeSimulator(): RunningSimulator {
  const clock = new ManualClock();
  const controllers = new Map(['a', 'b'].map((id) => [id, new FaultController(id, clock)]));
  const faults = (id: string): FaultController => {
    const controller = controllers.get(id);
    if (!controller) throw new Error(`no device "${id}"`);
    return controller;
  };
  return {
    devices: ['a', 'b'].map((id) => ({ id, profile: 'huawei', host: '127.0.0.1', port: 1, unit: 1 })),
    faults,
    values: () => ({ ac_power_w: 1 }),
    stats: () => ({
      simTimeMs: 0,
      speed: 1,
      devices: ['a', 'b'].map((id) => ({
        id,
        profile: 'huawei',
        host: '127.0.0.1',
        port: 1,
        unit: 1,
        server: {} as never,
        faults: faults(id).counts(),
        faultsTotal: faults(id).total(),
        activeFaults: faults(id).spec(),
      })),
    }),
    stop: async () => {},
  };
}

describe('control commands', () => {
  it('parses key=value fault words: rates, booleans, latency ranges, hex exception codes', () => {
    assert.deepEqual(
      parseFaultWords(['exceptionRate=0.5', 'exceptionCodes=06,0b', 'latencyMs=10-20', 'silent=true']),
      {
        exceptionRate: 0.5,
        exceptionCodes: [6, 11],
        latencyMs: [10, 20],
        silent: true,
      },
    );
    assert.throws(() => parseFaultWords(['dropRate']), /key=value/);
    assert.throws(() => parseFaultWords(['colour=1']), /colour/);
  });

  it('sets faults on one device or all, clears them, reboots and reports', () => {
    const sim = fakeSimulator();
    runCommand(sim, 'fault * dropRate=0.25');
    assert.deepEqual(sim.faults('b').spec(), { dropRate: 0.25 });
    runCommand(sim, 'clear a');
    assert.deepEqual(sim.faults('a').spec(), {});
    assert.deepEqual(sim.faults('b').spec(), { dropRate: 0.25 });
    runCommand(sim, 'reboot a 100');
    const report = runCommand(sim, 'faults') as Record<string, { counts: { reboot: number } }>;
    assert.equal(report.a?.counts.reboot, 1);
    assert.throws(() => runCommand(sim, 'explode a'), /unknown command "explode"/);
    assert.throws(() => runCommand(sim, 'fault'), /device id/);
    assert.equal(runCommand(sim, ''), undefined);
  });
});
