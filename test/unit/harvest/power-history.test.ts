import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Reading } from '../../../server/src/core/reading.ts';
import { PowerHistory } from '../../../server/src/harvest/power-history.ts';

const reading = (ts: number, fields: Partial<Reading>): Reading =>
  ({ device: 'd', profile: 'p', ts, ...fields }) as Reading;

test('keeps AC power, else grid power, of the newest harvests, oldest first', () => {
  const history = new PowerHistory('d', 3);
  history.add(reading(1000, { ac_power_w: 100 }));
  history.add(reading(2000, { grid_power_w: -50 }));
  history.add(reading(3000, {}));
  history.add(reading(4000, { ac_power_w: 300, grid_power_w: 7 }));
  history.add(reading(5000, { ac_power_w: 400 }));
  assert.deepEqual(history.snapshot(), {
    device: 'd',
    samples: [
      { ts: 2000, w: -50 },
      { ts: 4000, w: 300 },
      { ts: 5000, w: 400 },
    ],
  });
});
