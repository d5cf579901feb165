import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { ManualClock } from '../../../server/src/core/clock.ts';
import { LogLevels } from '../../../server/src/core/log-levels.ts';

test('a part logs at its run-time level until it reverts on the clock; other parts keep theirs', async () => {
  const clock = new ManualClock();
  const lines: { msg: string; area?: string; device?: string }[] = [];
  const root = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  const levels = new LogLevels(root, clock);
  const modbus = root.child({ area: 'modbus' });
  const inv1 = modbus.child({ device: 'inv1' });
  const inv2 = modbus.child({ device: 'inv2' });
  const api = root.child({ area: 'api' });

  const override = levels.set({ device: 'inv1' }, 'debug', 60_000);
  assert.equal(override.until, clock.nowMs() + 60_000);
  const harvestInv1 = root.child({ area: 'harvest', device: 'inv1' }); // made after the change
  inv1.debug('inv1 modbus');
  harvestInv1.debug('inv1 harvest');
  inv2.debug('inv2 modbus');
  api.debug('api');
  assert.deepEqual(
    lines.map((l) => l.msg),
    ['inv1 modbus', 'inv1 harvest'],
  );

  levels.set({ area: 'api' }, 'warn', 120_000);
  api.info('api info');
  assert.equal(lines.length, 2, 'api at warn drops info');
  assert.deepEqual(
    levels.list().map((o) => [o.area, o.device, o.level]),
    [
      [undefined, 'inv1', 'debug'],
      ['api', undefined, 'warn'],
    ],
  );

  await clock.advance(60_000);
  inv1.debug('inv1 after revert');
  api.info('api still warn');
  assert.equal(lines.length, 2);
  await clock.advance(60_000);
  api.info('api back to info');
  assert.equal(lines.at(-1)?.msg, 'api back to info');
  assert.deepEqual(levels.list(), []);
  assert.equal(levels.levelFor({ area: 'modbus', device: 'inv1' }), 'info');
});

test('the most verbose matching override wins; reset reverts at once', () => {
  const clock = new ManualClock();
  const root = pino({ level: 'info' }, { write: () => {} });
  const levels = new LogLevels(root, clock);
  const child = root.child({ area: 'modbus', device: 'inv1' });
  levels.set({ area: 'modbus' }, 'warn', 60_000);
  levels.set({ device: 'inv1' }, 'trace', 60_000);
  assert.equal(child.level, 'trace');
  assert.equal(levels.reset({ device: 'inv1' }), true);
  assert.equal(child.level, 'warn');
  assert.equal(levels.reset({ device: 'inv1' }), false);
  levels.reset({ area: 'modbus' });
  assert.equal(child.level, 'info');
  assert.deepEqual(clock.pendingTimers(), []);
});
