import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../../server/src/core/clock.ts';
import type { EgwttpRequest } from '../../../../bluetooth/src/egwttp/egwttp-message.ts';
import { PinSessions, pinProof } from '../../../../bluetooth/src/provisioning/pin-session.ts';
import { createProvisioningHandler } from '../../../../bluetooth/src/provisioning/provisioning-handler.ts';
import { ProvisioningWindow } from '../../../../bluetooth/src/provisioning/provisioning-window.ts';
import { routeAccess } from '../../../../bluetooth/src/provisioning/route-policy.ts';

const req = (method: string, path: string, body: unknown = undefined): EgwttpRequest => ({
  method,
  path,
  version: 'EGWTTP/1.1',
  headers: {},
  body: body === undefined ? new Uint8Array() : Buffer.from(JSON.stringify(body)),
});

function setup(options: { bootWindowMs?: number; unprovisioned?: boolean } = {}) {
  const clock = new ManualClock();
  const forwarded: string[] = [];
  const window = new ProvisioningWindow({
    clock,
    bootWindowMs: options.bootWindowMs ?? 600_000,
    isUnprovisioned: options.unprovisioned === undefined ? undefined : async () => options.unprovisioned!,
  });
  const sessions = new PinSessions(async () => '123456', clock);
  const handler = createProvisioningHandler({
    forwarder: {
      forward: async (r) => {
        forwarded.push(`${r.method} ${r.path}`);
        return { status: 200, body: Buffer.from('{}') };
      },
    },
    sessions,
    window,
    bleState: () => 'unsupported',
    openWindowMinutes: 10,
  });
  const json = async (request: EgwttpRequest, id = 'c1') => {
    const response = await handler(request, id);
    return { status: response.status, body: JSON.parse(Buffer.from(response.body).toString() || 'null') };
  };
  const login = async (id = 'c1', pin = '123456') => {
    const { body } = await json(req('GET', '/ble/challenge'), id);
    const clientNonce = 'ab'.repeat(16);
    return json(
      req('POST', '/ble/session', { clientNonce, proof: pinProof(pin, 'client', body.nonce, clientNonce) }),
      id,
    );
  };
  return { clock, window, forwarded, json, login };
}

describe('BLE provisioning rules', () => {
  it('serves identity calls before the PIN and refuses other API calls with 401', async () => {
    const { json, forwarded } = setup();
    assert.equal((await json(req('GET', '/api/crypto'))).status, 200);
    const denied = await json(req('POST', '/api/inverter', { ip: '10.0.0.2' }));
    assert.equal(denied.status, 401);
    assert.match(denied.body.error.message, /\/ble\/challenge/);
    assert.equal((await json(req('GET', '/api/devices'))).status, 401);
    assert.deepEqual(forwarded, ['GET /api/crypto']);
  });

  it('accepts a correct PIN proof once per connection and returns a server proof', async () => {
    const { json, login, forwarded } = setup();
    const ok = await login();
    assert.equal(ok.status, 200);
    assert.equal(typeof ok.body.serverProof, 'string');
    assert.equal((await json(req('POST', '/api/inverter', {}))).status, 200);
    assert.equal((await json(req('POST', '/api/inverter', {}), 'other-connection')).status, 401);
    assert.deepEqual(forwarded, ['POST /api/inverter']);
  });

  it('locks out after repeated wrong PINs, across connections', async () => {
    const { login, clock } = setup();
    for (let i = 0; i < 5; i++) assert.equal((await login(`c${i}`, '000000')).status, 401);
    assert.equal((await login('c9')).status, 429);
    await clock.advance(31_000);
    assert.equal((await login('c9')).status, 200);
  });

  it('refuses a proof without a challenge and reuses no nonce', async () => {
    const { json } = setup();
    const proof = { clientNonce: 'ab'.repeat(16), proof: '0'.repeat(64) };
    assert.equal((await json(req('POST', '/ble/session', proof))).status, 400);
  });

  it('answers 403 with how to open the window once it has closed, and 200 after open-window', async () => {
    const { json, login, clock, window } = setup();
    await login();
    await clock.advance(600_001);
    const closed = await json(req('POST', '/api/wifi', { ssid: 'x' }));
    assert.equal(closed.status, 403);
    assert.match(closed.body.error.message, /egw-ble open-window/);
    assert.equal((await json(req('GET', '/api/wifi'))).status, 200, 'reads stay allowed');
    window.open('local-command');
    assert.equal((await json(req('POST', '/api/wifi', { ssid: 'x' }))).status, 200);
  });

  it('keeps the window open while the gateway is unprovisioned', async () => {
    const { window } = setup({ bootWindowMs: 0, unprovisioned: true });
    await window.start();
    assert.deepEqual(window.state(), { open: true, reason: 'unprovisioned' });
    window.stop();
    const closed = setup({ bootWindowMs: 0, unprovisioned: false });
    await closed.window.start();
    assert.equal(closed.window.isOpen(), false);
    closed.window.stop();
  });

  it('notifies listeners when the window closes', async () => {
    const { window, clock } = setup({ bootWindowMs: 1000 });
    const seen: boolean[] = [];
    window.onChange((s) => seen.push(s.open));
    await clock.advance(1000);
    assert.deepEqual(seen, [false]);
  });

  it('allows only the listed routes over BLE', () => {
    assert.equal(routeAccess('GET', '/api/hello'), 'identity');
    assert.equal(routeAccess('GET', '/api/devices/inv1/reading'), 'read');
    assert.equal(routeAccess('DELETE', '/api/devices/inv1'), 'mutate');
    assert.equal(routeAccess('GET', '/api/events'), undefined);
    assert.equal(routeAccess('GET', '/metrics'), undefined);
    assert.equal(routeAccess('POST', '/api/hello'), undefined);
  });
});
