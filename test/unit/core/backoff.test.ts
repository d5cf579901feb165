import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Backoff } from '../../../server/src/core/backoff.ts';

describe('Backoff', () => {
  it('doubles from initialMs up to maxMs without jitter', () => {
    const backoff = new Backoff({ initialMs: 1000, maxMs: 300_000, jitter: 0 });
    const delays = Array.from({ length: 12 }, () => backoff.next());
    assert.deepEqual(
      delays,
      [1000, 2000, 4000, 8000, 16_000, 32_000, 64_000, 128_000, 256_000, 300_000, 300_000, 300_000],
    );
    assert.equal(backoff.attempts, 12);
  });

  it('keeps jittered delays within [base·(1 − jitter), base]', () => {
    let r = 0;
    const randoms = [0, 0.5, 0.999999];
    const backoff = new Backoff({
      initialMs: 100,
      maxMs: 1000,
      factor: 3,
      jitter: 0.5,
      random: () => randoms[r++ % 3]!,
    });
    const bases = [100, 300, 900, 1000, 1000, 1000];
    for (const base of bases) {
      const delay = backoff.next();
      assert.ok(delay >= base * 0.5 && delay <= base, `${delay} within [${base * 0.5}, ${base}]`);
    }
  });

  it('stays bounded after very many attempts', () => {
    const backoff = new Backoff({ initialMs: 1, maxMs: 5000, random: () => 0 });
    for (let i = 0; i < 5000; i++) backoff.next();
    assert.equal(backoff.next(), 5000);
  });

  it('starts over after reset()', () => {
    const backoff = new Backoff({ initialMs: 50, maxMs: 800, jitter: 0 });
    backoff.next();
    backoff.next();
    backoff.reset();
    assert.equal(backoff.attempts, 0);
    assert.equal(backoff.next(), 50);
  });

  it('rejects nonsense options', () => {
    assert.throws(() => new Backoff({ initialMs: 0, maxMs: 10 }), /initialMs 0/);
    assert.throws(() => new Backoff({ initialMs: 10, maxMs: 5 }), /maxMs 5/);
    assert.throws(() => new Backoff({ initialMs: 10, maxMs: 50, jitter: 2 }), /jitter 2/);
  });
});
