import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { Feature } from '../../../server/src/core/feature.ts';
import { silentLogger } from '../../../server/src/core/logger.ts';
import { Gateway } from '../../../server/src/gateway/gateway.ts';

/** A module that records its start and stop in `log` and fails where told to. */
function feature(name: string, log: string[], fail: { start?: boolean; stop?: boolean } = {}): Feature {
  return {
    name,
    start: async () => {
      log.push(`start ${name}`);
      if (fail.start) throw new Error(`${name} cannot start`);
    },
    stop: () => {
      log.push(`stop ${name}`);
      if (fail.stop) throw new Error(`${name} cannot stop`);
    },
  };
}

describe('Gateway', () => {
  it('starts the modules in list order and stops them in reverse, once', async () => {
    const log: string[] = [];
    const gateway = new Gateway(
      ['a', 'b', 'c'].map((n) => feature(n, log)),
      silentLogger(),
    );
    await gateway.start();
    await Promise.all([gateway.stop(), gateway.stop()]);
    await gateway.stop();
    assert.deepEqual(log, ['start a', 'start b', 'start c', 'stop c', 'stop b', 'stop a']);
  });

  it('on a failed start stops the failing module and those before it, in reverse, and rethrows', async () => {
    const log: string[] = [];
    const gateway = new Gateway(
      [feature('a', log), feature('b', log, { start: true }), feature('c', log)],
      silentLogger(),
    );
    await assert.rejects(gateway.start(), /b cannot start/);
    assert.deepEqual(log, ['start a', 'start b', 'stop b', 'stop a']);
  });

  it('keeps stopping the others when one module fails to stop', async () => {
    const log: string[] = [];
    const gateway = new Gateway([feature('a', log), feature('b', log, { stop: true })], silentLogger());
    await gateway.start();
    await gateway.stop();
    assert.deepEqual(log, ['start a', 'start b', 'stop b', 'stop a']);
  });
});
