import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../../server/src/core/clock.ts';
import { DeviceAvailability } from '../../../../server/src/uplink/mqtt/device-availability.ts';

function setup(): { clock: ManualClock; availability: DeviceAvailability; published: string[] } {
  const clock = new ManualClock();
  const published: string[] = [];
  const availability = new DeviceAvailability({
    clock,
    staleAfterMs: 3000,
    publish: (device, state) => published.push(`${device}=${state}`),
  });
  return { clock, availability, published };
}

describe('DeviceAvailability', () => {
  it('publishes online on the first reading and only changes after that', () => {
    const { availability, published } = setup();
    availability.reading('inv');
    availability.reading('inv');
    assert.deepEqual(published, ['inv=online']);
  });

  it('goes offline when no reading arrives for staleAfterMs, online again with the next one', async () => {
    const { clock, availability, published } = setup();
    availability.reading('inv');
    await clock.advance(2999);
    assert.deepEqual(published, ['inv=online']);
    await clock.advance(1);
    assert.deepEqual(published, ['inv=online', 'inv=offline']);
    availability.reading('inv');
    assert.deepEqual(published, ['inv=online', 'inv=offline', 'inv=online']);
  });

  it('a reading within the window re-arms the stale timer', async () => {
    const { clock, availability, published } = setup();
    availability.reading('inv');
    await clock.advance(2000);
    availability.reading('inv');
    await clock.advance(2000);
    assert.deepEqual(published, ['inv=online']);
  });

  it('goes offline at once when the device fails', () => {
    const { availability, published } = setup();
    availability.reading('inv');
    availability.failed('inv');
    assert.equal(availability.get('inv'), 'offline');
    assert.deepEqual(published, ['inv=online', 'inv=offline']);
  });

  it('forgets a removed device and republishes the others', async () => {
    const { clock, availability, published } = setup();
    availability.reading('a');
    availability.reading('b');
    availability.remove('a');
    await clock.advance(5000);
    assert.deepEqual(published, ['a=online', 'b=online', 'b=offline']);
    availability.republish();
    assert.deepEqual(published.at(-1), 'b=offline');
    assert.equal(clock.pendingTimers().length, 0);
  });
});
