import { it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../../server/src/core/clock.ts';
import { PagePacer } from '../../../../server/src/api/harvests/page-pacer.ts';

it('spaces the pages of all answers together: at most perSecond a second', async () => {
  const clock = new ManualClock();
  const pacer = new PagePacer(clock, 100);
  const at: number[] = [];
  const waits = Array.from({ length: 5 }, () => pacer.wait().then(() => at.push(clock.monotonicMs())));
  await clock.advance(100);
  await Promise.all(waits);
  assert.deepEqual(at, [0, 10, 20, 30, 40]);
  await clock.advance(1000);
  await pacer.wait();
  assert.equal(clock.pendingTimers().length, 0, 'an idle pacer lets the next page go at once');
});
