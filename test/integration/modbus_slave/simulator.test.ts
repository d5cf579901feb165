import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../server/src/core/clock.ts';
import { startSimulator } from '../../../modbus_slave/src/simulator.ts';
import modbusSerial from 'modbus-serial';

// modbus-serial is CommonJS with its class typed as `default` (module.exports.default = module.exports).
const ModbusRTU = modbusSerial.default;

const JUNE_NOON = Date.UTC(2026, 5, 21, 12);

describe('startSimulator', () => {
  it('follows the injected clock and speed: the same seed and clock give the same values', async () => {
    const run = async (seed: number) => {
      const clock = new ManualClock(JUNE_NOON);
      const sim = await startSimulator({
        devices: [{ profile: 'huawei' }, { profile: 'sdm630', unit: 2 }],
        seed,
        speed: 60,
        startTime: JUNE_NOON,
        clock,
      });
      try {
        const before = sim.values('huawei');
        await clock.advance(10_000, false);
        const after = sim.values('huawei');
        assert.ok(after.energy_total_wh! > before.energy_total_wh!, 'energy grows with simulated time');
        assert.equal(sim.stats().simTimeMs, JUNE_NOON + 600_000, '10 s at speed 60 is 10 simulated minutes');
        return JSON.stringify([after, sim.values('sdm630')]);
      } finally {
        await sim.stop();
      }
    };
    assert.equal(await run(4), await run(4));
    assert.notEqual(await run(4), await run(5));
  });

  it('keeps writes to setting registers until a reboot, refuses writes to measurements; names unknown profiles and duplicate ids', async () => {
    const sim = await startSimulator({ devices: [{ profile: 'huawei', id: 'inv' }] });
    const client = new ModbusRTU();
    try {
      await client.connectTCP('127.0.0.1', { port: sim.devices[0]!.port });
      client.setID(sim.devices[0]!.unit);
      client.setTimeout(1000);
      // Active power (32064) is a measurement: the device refuses the write with exception 02.
      await assert.rejects(
        client.writeRegister(32064, 1234),
        (e: { modbusCode?: number }) => e.modbusCode === 2,
      );
      assert.notEqual((await client.readHoldingRegisters(32064, 1)).data[0], 1234);
      // The maximum feed-in power (47416) is a setting: kept until a reboot.
      const address = 47416;
      await client.writeRegister(address, 1234);
      assert.equal((await client.readHoldingRegisters(address, 1)).data[0], 1234);
      sim.faults('inv').reboot(0);
      await new Promise((resolve) => setTimeout(resolve, 20));
      await client.connectTCP('127.0.0.1', { port: sim.devices[0]!.port });
      assert.notEqual((await client.readHoldingRegisters(address, 1)).data[0], 1234);
    } finally {
      await new Promise<void>((resolve) => (client.isOpen ? client.close(() => resolve()) : resolve()));
      await sim.stop();
    }
    await assert.rejects(startSimulator({ devices: [{ profile: 'nope' }] }), /unknown profile "nope"/);
    await assert.rejects(
      startSimulator({
        devices: [
          { profile: 'huawei', id: 'a' },
          { profile: 'sdm630', id: 'a' },
        ],
      }),
      /"a" is used twice/,
    );
  });
});
