import { it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../../server/src/core/clock.ts';
import { PinSessions, pinProof } from '../../../../bluetooth/src/provisioning/pin-session.ts';

const PIN = '123456';

it('counts every attempt before the PIN is read: 50 parallel attempts check at most the free ones', async () => {
  const clock = new ManualClock();
  // The PIN comes from a file: the read takes a turn of the event loop, as readFile does.
  const sessions = new PinSessions(() => new Promise((resolve) => setImmediate(() => resolve(PIN))), clock);
  const clientNonce = '00112233445566778899aabbccddeeff';
  const attempts = Array.from({ length: 50 }, (_, i) => {
    const connection = `c${i}`;
    const serverNonce = sessions.challenge(connection);
    const guess = i === 49 ? PIN : String(100000 + i);
    return sessions.prove(connection, clientNonce, pinProof(guess, 'client', serverNonce, clientNonce));
  });
  const results = await Promise.all(attempts);
  const statuses = results.map((r) => (r.ok ? 200 : r.status));
  assert.equal(statuses.filter((s) => s === 401).length, 5, statuses.join(','));
  assert.equal(statuses.filter((s) => s === 429).length, 45);
  assert.equal(statuses[49], 429, 'the right PIN after 49 wrong ones in parallel is locked out too');
});

it('the right PIN among the free attempts still passes and clears the count', async () => {
  const clock = new ManualClock();
  const sessions = new PinSessions(async () => PIN, clock);
  const clientNonce = '00112233445566778899aabbccddeeff';
  const prove = (connection: string, guess: string) => {
    const serverNonce = sessions.challenge(connection);
    return sessions.prove(connection, clientNonce, pinProof(guess, 'client', serverNonce, clientNonce));
  };
  for (let i = 0; i < 4; i++) assert.equal((await prove(`w${i}`, '000000')).ok, false);
  assert.equal((await prove('right', PIN)).ok, true);
  for (let i = 0; i < 4; i++) assert.equal((await prove(`x${i}`, '000000')).ok, false, 'four free again');
  const fifth = await prove('x4', '000000');
  assert.equal(fifth.ok ? 200 : fifth.status, 401);
  const locked = await prove('x5', PIN);
  assert.equal(locked.ok ? 200 : locked.status, 429);
});
