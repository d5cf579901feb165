import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FrequencyWindow, toReadingFields } from '../../../server/src/harvest/frequency-window.ts';

test('computes min, max, mean and count of a window and resets on take', () => {
  const window = new FrequencyWindow();
  for (const hz of [49.98, 50.02, 50.0]) window.add(hz);
  assert.deepEqual(window.take(), { count: 3, minHz: 49.98, maxHz: 50.02, meanHz: 50 });
  assert.deepEqual(window.take(), { count: 0 });
});

test('ignores non-finite samples', () => {
  assert.deepEqual(FrequencyWindow.of([50, NaN, Infinity]), { count: 1, minHz: 50, maxHz: 50, meanHz: 50 });
});

test('reading fields omit min/max/mean when there were no samples, but keep the count', () => {
  assert.deepEqual(toReadingFields({ count: 0 }), { grid_frequency_samples: 0 });
  assert.deepEqual(toReadingFields({ count: 2, minHz: 49.9, maxHz: 50.1, meanHz: 50 }), {
    grid_frequency_samples: 2,
    grid_frequency_min_hz: 49.9,
    grid_frequency_max_hz: 50.1,
    grid_frequency_mean_hz: 50,
  });
});
