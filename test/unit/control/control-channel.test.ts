/**
 * The control channel in process (no broker): the 503 while the clock is not synchronised, the
 * allow-list's bounds, and 1 000 fuzzed requests — every one answered with a signed JWT, none run,
 * none crashing.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey, randomBytes } from 'node:crypto';
import { ManualClock } from '../../../server/src/core/clock.ts';
import { silentLogger } from '../../../server/src/core/logger.ts';
import { ConfigError } from '../../../server/src/core/errors.ts';
import { NotificationCenter } from '../../../server/src/notifications/notification-center.ts';
import { ControlAllowList } from '../../../server/src/control/control-allow-list.ts';
import { ControlChannel } from '../../../server/src/control/control-channel.ts';
import {
  backendPublicKeyHex,
  signControlRequest,
  verifyControlAnswer,
} from '../../../server/src/control/control-backend.ts';
import { DeviceKey } from '../../../server/src/identity/device-key.ts';
import { fakeIdentity } from '../../fakes/gateway-services.ts';

const ROUTES = [
  { method: 'GET', path: '/api/version' },
  { method: 'GET', path: '/api/devices/:id' },
  { method: 'GET', path: '/api/events' },
  { method: 'GET', path: '/api/wifi' },
  { method: 'POST', path: '/api/settings' },
  { method: 'POST', path: '/api/initialize' },
  { method: 'POST', path: '/api/wifi' },
  { method: 'DELETE', path: '/api/devices/:id' },
];

function setup(clockProblem?: string) {
  const clock = new ManualClock();
  const identity = fakeIdentity();
  const backend = randomBytes(32);
  const notifications = new NotificationCenter({ clock });
  const seen = new Map<string, number>();
  const runs: string[] = [];
  const channel = new ControlChannel({
    identity,
    publicKeys: [backendPublicKeyHex(backend)],
    allow: new ControlAllowList(ROUTES),
    dispatch: (request) => {
      runs.push(`${request.method} ${request.path}`);
      return Promise.resolve({ status: 200, body: { ok: true } });
    },
    claimJti: (jti, expiresAtMs) => {
      if (seen.has(jti)) return false;
      seen.set(jti, expiresAtMs);
      return true;
    },
    clockProblem: () => Promise.resolve(clockProblem),
    notifications,
    clock,
    logger: silentLogger(),
  });
  const key = createPublicKey(identity.publicKeyPem);
  const open = (jwt: string) => verifyControlAnswer(jwt, key, identity.serial);
  const sign = (path = '/api/settings', extra: Record<string, unknown> = {}) =>
    signControlRequest(backend, {
      serial: identity.serial,
      method: 'POST',
      path,
      body: { harvest: { batchSize: 2 } },
      nowMs: clock.nowMs(),
      ...extra,
    });
  return { clock, identity, backend, channel, notifications, runs, open, sign };
}

describe('ControlChannel', () => {
  it('runs an allowed request and signs the answer with opr "control"', async () => {
    const { channel, open, sign, runs } = setup();
    const request = sign();
    const answer = open(await channel.handle(request.jwt));
    assert.deepEqual([answer.jti, answer.status, answer.body], [request.jti, 200, { ok: true }]);
    assert.deepEqual(runs, ['POST /api/settings']);
  });

  it('answers 503 and raises clock_unsynchronised while the clock is not synchronised', async () => {
    const { channel, open, sign, runs, notifications } = setup('no NTP synchronisation yet');
    const answer = open(await channel.handle(sign().jwt));
    assert.equal(answer.status, 503);
    assert.deepEqual(runs, []);
    assert.ok(notifications.isActive('clock_unsynchronised'));
  });

  it('refuses odd paths that a pattern would otherwise match', async () => {
    const { channel, open, sign, runs } = setup();
    for (const path of ['/api/devices/../settings', '/api/devices/a%2Fb', '/api/devices//x']) {
      const answer = open(await channel.handle(sign(path, { method: 'GET', body: undefined }).jwt));
      assert.equal(answer.status, 403, path);
    }
    assert.deepEqual(runs, []);
  });

  it('answers 1 000 fuzzed requests with signed refusals, running none and never throwing', async () => {
    const { channel, open, sign, backend, identity, runs } = setup();
    const valid = sign().jwt;
    const signer = new DeviceKey(backend);
    let seed = 42;
    const random = (n: number): number => {
      // Deterministic (xorshift) so a failure reproduces.
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) % n;
    };
    const junk = [null, 1, 'x', [], {}, true, -1, 1e308, '💥'.repeat(50), { a: { b: [1] } }];
    const statuses = new Map<number, number>();
    for (let i = 0; i < 1000; i++) {
      let raw: string;
      const kind = i % 4;
      if (kind === 0) {
        // Bytes of a valid request flipped, cut or extended.
        const chars = [...valid];
        for (let k = 0; k <= random(4); k++)
          chars[random(chars.length)] = String.fromCharCode(32 + random(95));
        raw = chars.join('').slice(0, random(3) === 0 ? random(chars.length) : undefined);
      } else if (kind === 1) {
        // Random bytes in JWT shape.
        raw = [0, 1, 2].map(() => randomBytes(random(60)).toString('base64url')).join('.');
      } else {
        // Signed by the trusted backend key, one field replaced by a value of any type (some stay valid).
        const payload: Record<string, unknown> = {
          sub: identity.serial,
          jti: `f${i}`,
          iat: 1_767_225_600,
          exp: 1_767_225_660,
          method: 'POST',
          path: '/api/settings',
        };
        const field = ['sub', 'jti', 'iat', 'exp', 'method', 'path', 'body'][random(7)]!;
        payload[field] = junk[random(junk.length)];
        if (kind === 3)
          payload.path = ['/api/initialize', '/api/wifi', '/api/events', '/etc/passwd'][random(4)];
        raw = signer.signJwt({ alg: random(5) === 0 ? 'none' : 'ES256K', typ: 'JWT' }, payload);
      }
      const answer = open(await channel.handle(raw));
      statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
    }
    const total = [...statuses.values()].reduce((a, b) => a + b, 0);
    assert.equal(total, 1000, 'every request answered with a verifiable JWT');
    assert.ok(
      [...statuses.keys()].every((s) => [200, 400, 401, 403, 409, 410].includes(s)),
      JSON.stringify([...statuses]),
    );
    assert.ok(
      runs.every((r) => r === 'POST /api/settings'),
      'only the allowed route ever ran',
    );
  });
});

describe('ControlAllowList', () => {
  it('allows reads and the listed writes by default, never initialize, wifi or events', () => {
    const allow = new ControlAllowList(ROUTES);
    assert.ok(allow.allows('GET', '/api/devices/inv-1'));
    assert.ok(allow.allows('DELETE', '/api/devices/inv-1'));
    assert.ok(allow.allows('POST', '/api/settings'));
    for (const [m, p] of [
      ['GET', '/api/events'],
      ['GET', '/api/wifi'],
      ['POST', '/api/wifi'],
      ['POST', '/api/initialize'],
    ]) {
      assert.equal(allow.allows(m!, p!), false, `${m} ${p}`);
    }
  });

  it('refuses a configured entry wider than the local API or on the never list', () => {
    assert.throws(() => new ControlAllowList(ROUTES, ['POST /api/nothing']), ConfigError);
    assert.throws(() => new ControlAllowList(ROUTES, ['POST /api/wifi']), ConfigError);
    const narrow = new ControlAllowList(ROUTES, ['GET /api/version']);
    assert.equal(narrow.allows('POST', '/api/settings'), false);
  });
});
