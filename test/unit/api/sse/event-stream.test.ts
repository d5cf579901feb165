import { it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../../server/src/core/clock.ts';
import { EventBus } from '../../../../server/src/core/event-bus.ts';
import { silentLogger } from '../../../../server/src/core/logger.ts';
import { EventStream } from '../../../../server/src/api/sse/event-stream.ts';
import type { SseSink } from '../../../../server/src/api/sse/sse-client.ts';

/** A sink whose socket took everything (reading) or nothing (not reading). */
function sink(reading: boolean): SseSink & { ended: boolean } {
  let queued = 0;
  return {
    ended: false,
    get writableLength() {
      return reading ? 0 : queued;
    },
    write(chunk: string) {
      queued += chunk.length;
      return reading;
    },
    destroy() {},
    end() {
      this.ended = true;
    },
  };
}

it('when every slot is taken, ends the oldest client that is not reading to admit a new one', () => {
  const stream = new EventStream({
    bus: new EventBus(),
    clock: new ManualClock(),
    logger: silentLogger(),
    maxClients: 3,
  });
  const reader = sink(true);
  const stuckOld = sink(false);
  const stuckNew = sink(false);
  for (const s of [reader, stuckOld, stuckNew]) stream.add(s, 10).client.send('reading', { x: 1 });
  assert.equal(stream.admit(), true, 'room is made');
  assert.equal(stuckOld.ended, true, 'the oldest one not reading goes');
  assert.equal(stuckNew.ended, false);
  assert.equal(reader.ended, false);
  assert.equal(stream.clientCount, 2);
  const keepers = new EventStream({
    bus: new EventBus(),
    clock: new ManualClock(),
    logger: silentLogger(),
    maxClients: 1,
  });
  keepers.add(sink(true), 10);
  assert.equal(keepers.admit(), false, 'clients that keep up are never evicted');
});
