import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import modbusSerial from 'modbus-serial';
import { ManualClock } from '../../../server/src/core/clock.ts';
import { startSimulator, type RunningSimulator } from '../../../modbus_slave/src/simulator.ts';

// modbus-serial is CommonJS with its class typed as `default` (module.exports.default = module.exports).
const ModbusRTU = modbusSerial.default;

/** The SunSpec Alliance's model files, next to the checkout (../shared/sunspec). */
const MODELS_DIR = fileURLToPath(new URL('../../../../shared/sunspec/', import.meta.url));

interface JsonPoint {
  name: string;
  size: number;
}
interface JsonGroup {
  points: JsonPoint[];
  groups?: JsonGroup[];
}

/** Declared length L of a model per its JSON file: fixed points after ID and L, plus n repeating groups. */
function declaredLength(id: number, repeats: number): number | undefined {
  const file = `${MODELS_DIR}model_${id}.json`;
  if (!existsSync(file)) return undefined;
  const group = (JSON.parse(readFileSync(file, 'utf8')) as { group: JsonGroup }).group;
  const size = (points: JsonPoint[]): number => points.reduce((sum, p) => sum + p.size, 0);
  const repeating = group.groups?.[0];
  return size(group.points) - 2 + (repeating ? repeats * size(repeating.points) : 0);
}

/** Offset of a named point within a model (ID at 0), per its JSON file. */
function offsetOf(id: number, name: string): number {
  const group = (JSON.parse(readFileSync(`${MODELS_DIR}model_${id}.json`, 'utf8')) as { group: JsonGroup })
    .group;
  let offset = 0;
  for (const point of group.points) {
    if (point.name === name) return offset;
    offset += point.size;
  }
  throw new Error(`model ${id} has no point ${name}`);
}

describe('SunSpec chain read by an independent client (modbus-serial, not the gateway)', () => {
  let sim: RunningSimulator;
  const client = new ModbusRTU();
  const haveModels = existsSync(MODELS_DIR);

  before(async () => {
    sim = await startSimulator({
      devices: [
        { profile: 'sunspec', id: 'int', unit: 126 },
        { profile: 'sunspec', id: 'float', sunspecInverterModel: 113 },
      ],
      startTime: Date.UTC(2026, 5, 21, 11),
    });
  });
  after(async () => {
    await new Promise<void>((resolve) => (client.isOpen ? client.close(() => resolve()) : resolve()));
    await sim?.stop();
  });

  const walk = async (
    port: number,
    unit: number,
  ): Promise<{ id: number; length: number; start: number }[]> => {
    if (client.isOpen) await new Promise<void>((resolve) => client.close(() => resolve()));
    await client.connectTCP('127.0.0.1', { port });
    client.setID(unit);
    client.setTimeout(2000);
    const marker = await client.readHoldingRegisters(40000, 2);
    assert.equal(Buffer.from(marker.buffer).toString('latin1'), 'SunS');
    const models: { id: number; length: number; start: number }[] = [];
    let address = 40002;
    for (;;) {
      const [id, length] = (await client.readHoldingRegisters(address, 2)).data as [number, number];
      if (id === 0xffff) {
        assert.equal(length, 0, 'end marker length');
        break;
      }
      models.push({ id, length, start: address });
      address += 2 + length;
      assert.ok(models.length < 20, 'chain ends');
    }
    return models;
  };

  it('serves SunS, models 1, 120, 103, 160 and the end marker, each as long as the SunSpec files say', async (t) => {
    const device = sim.devices.find((d) => d.id === 'int')!;
    const models = await walk(device.port, device.unit);
    assert.deepEqual(
      models.map((m) => m.id),
      [1, 120, 103, 160],
    );
    if (!haveModels) {
      t.skip(`SunSpec model files not found at ${MODELS_DIR}: lengths not checked`);
      return;
    }
    for (const model of models) {
      let repeats = 0;
      if (model.id === 160) {
        repeats = (await client.readHoldingRegisters(model.start + offsetOf(160, 'N'), 1)).data[0]!;
        assert.ok(repeats >= 1, 'model 160 has at least one module');
      }
      assert.equal(model.length, declaredLength(model.id, repeats), `model ${model.id} length`);
    }
    const inverter = models.find((m) => m.id === 103)!;
    const [w] = (await client.readHoldingRegisters(inverter.start + offsetOf(103, 'W'), 2)).data;
    const sf = (await client.readHoldingRegisters(inverter.start + offsetOf(103, 'W_SF'), 1)).data[0]!;
    const watts = w! * 10 ** ((sf << 16) >> 16);
    assert.ok(watts > 0 && watts <= 10_000, `W = ${watts}`);
  });

  it('serves the float inverter model 113 when configured', async (t) => {
    const device = sim.devices.find((d) => d.id === 'float')!;
    const models = await walk(device.port, device.unit);
    assert.deepEqual(
      models.map((m) => m.id),
      [1, 120, 113, 160],
    );
    if (!haveModels) return t.skip(`SunSpec model files not found at ${MODELS_DIR}`);
    const inverter = models.find((m) => m.id === 113)!;
    assert.equal(inverter.length, declaredLength(113, 0));
    const hz = (
      await client.readHoldingRegisters(inverter.start + offsetOf(113, 'Hz'), 2)
    ).buffer.readFloatBE(0);
    assert.ok(hz > 49.5 && hz < 50.5, `Hz = ${hz}`);
  });
  it('changes the power scale factor with power, as real inverters do', async () => {
    const clock = new ManualClock(Date.UTC(2026, 5, 21, 4, 30));
    const early = await startSimulator({
      devices: [{ profile: 'sunspec', id: 'sf' }],
      startTime: Date.UTC(2026, 5, 21, 4, 30),
      clock,
    });
    try {
      const device = early.devices[0]!;
      const models = await walk(device.port, device.unit);
      const inverter = models.find((m) => m.id === 103)!;
      const readSf = async (): Promise<number> => {
        // W_SF sits at offset 15 of model 103 (ID, L, A…A_SF, PPV…V_SF, W).
        const raw = (await client.readHoldingRegisters(inverter.start + 15, 1)).data[0]!;
        return (raw << 16) >> 16;
      };
      await clock.advance(1000, false);
      const dawn = await readSf();
      await clock.advance(7 * 3_600_000, false);
      const noon = await readSf();
      assert.ok(noon > dawn, `W_SF at dawn ${dawn}, at noon ${noon}`);
    } finally {
      await new Promise<void>((resolve) => (client.isOpen ? client.close(() => resolve()) : resolve()));
      await early.stop();
    }
  });
});
