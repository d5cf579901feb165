import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { nextSlot, slotDueMs } from '../../../server/src/engine/fixed-rate.ts';

describe('nextSlot', () => {
  it('takes the following slot when the run ended within its own slot', () => {
    assert.deepEqual(nextSlot(0, 100, 3, 300, 340), { slot: 4, skipped: 0 });
  });

  it('runs the next slot when the run ended exactly on it', () => {
    assert.deepEqual(nextSlot(0, 100, 0, 0, 100), { slot: 1, skipped: 0 });
  });

  it('skips the slots a long run outlasted', () => {
    assert.deepEqual(nextSlot(0, 100, 0, 0, 250), { slot: 3, skipped: 2 });
  });

  it('skips the slots that had passed before a late start', () => {
    assert.deepEqual(nextSlot(0, 100, 2, 500, 500), { slot: 6, skipped: 3 });
  });

  it('stays on the grid of a non-integer period and offset start', () => {
    const { slot } = nextSlot(7, 1000 / 3, 10, slotDueMs(7, 1000 / 3, 10), slotDueMs(7, 1000 / 3, 10) + 1);
    assert.equal(slot, 11);
    assert.equal(slotDueMs(7, 1000 / 3, 11), 7 + 11 * (1000 / 3));
  });
});
