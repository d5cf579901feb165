/**
 * The cloud control channel against a real mosquitto and the wired gateway: a signed allowed request
 * changes a setting and gets an answer the gateway key verifies; wrong key, wrong serial, expired,
 * replayed (also after a restart), not allowed and malformed requests are each answered with their
 * status and change nothing.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { createPublicKey, randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { startLocalGateway, type LocalGateway } from '../../../server/src/demo/start-local-gateway.ts';
import {
  backendPublicKeyHex,
  signControlRequest,
  verifyControlAnswer,
  type ControlRequestInput,
} from '../../../server/src/control/control-backend.ts';
import type { ControlAnswer } from '../../../server/src/control/control-channel.ts';
import { skipReason, startBroker, type Broker } from '../uplink/mosquitto-broker.ts';
import { assertDocumentedResponse } from '../openapi-responses.ts';

const backendSecret = randomBytes(32);
const strangerSecret = randomBytes(32);
const dir = mkdtempSync(join(tmpdir(), 'egw-control-'));
let broker: Broker | undefined;
let local: LocalGateway | undefined;
let client: MqttClient | undefined;
const answers: string[] = [];
const waiters: (() => void)[] = [];

async function startGw(): Promise<LocalGateway> {
  return startLocalGateway({
    // No devices: the channel needs none, and a simulator would only cost time.
    simulator: { devices: [], stop: async () => {} },
    config: {
      dataDir: join(dir, 'data'),
      mqtt: { url: broker!.url },
      control: { publicKeys: [backendPublicKeyHex(backendSecret)] },
    },
  });
}

before(async () => {
  if (skipReason) return;
  broker = await startBroker();
  local = await startGw();
  client = await mqtt.connectAsync(broker.url);
  client.on('message', (_topic, payload) => {
    answers.push(payload.toString('utf8'));
    waiters.splice(0).forEach((wake) => wake());
  });
  await client.subscribeAsync(`egw/${local.gateway.serial}/control/response`, { qos: 1 });
});

after(async () => {
  await client?.endAsync();
  await local?.stop();
  await broker?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** The jti an answer carries (unverified; send() verifies the one it returns). */
function answerJti(jwt: string): unknown {
  return (JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString()) as { jti?: unknown }).jti;
}

/**
 * Publishes a raw request and resolves its answer (matched by jti; null for an unreadable request),
 * verified with the gateway's key. Published again each second while none came: right after a start
 * the gateway subscribes in the background, and QoS 1 does not keep messages for a new session.
 */
async function send(raw: string, jti: string | null): Promise<ControlAnswer> {
  const gw = local!.gateway;
  const from = answers.length;
  const mine = (): string | undefined => answers.slice(from).find((a) => answerJti(a) === jti);
  for (let i = 0; i < 100 && mine() === undefined; i++) {
    if (i % 10 === 0) await client!.publishAsync(`egw/${gw.serial}/control/request`, raw, { qos: 1 });
    await Promise.race([
      new Promise<void>((resolve) => waiters.push(resolve)),
      new Promise((resolve) => setTimeout(resolve, 100)),
    ]);
  }
  const jwt = mine();
  assert.ok(jwt, `an answer arrives for ${String(jti)}: ${answers.slice(from).map(answerJti).join()}`);
  return verifyControlAnswer(jwt, createPublicKey(gw.services.identity.publicKeyPem), gw.serial);
}

function request(
  overrides: Partial<ControlRequestInput> = {},
  secret = backendSecret,
): { jwt: string; jti: string } {
  return signControlRequest(secret, {
    serial: local!.gateway.serial,
    method: 'POST',
    path: '/api/settings',
    body: { harvest: { batchSize: 7 } },
    nowMs: Date.now(),
    ...overrides,
  });
}

async function batchSize(): Promise<number> {
  const gw = local!.gateway;
  const res = await fetch(`http://127.0.0.1:${gw.httpPort}/api/settings`, {
    headers: { authorization: `Bearer ${gw.apiToken}` },
  });
  return ((await res.json()) as { harvest: { batchSize: number } }).harvest.batchSize;
}

let accepted: { jwt: string; jti: string } | undefined;
/** How an accepted request's answer is checked against the OpenAPI document (status 200, JSON). */
const JSON_ANSWER = { status: 200, contentType: 'application/json' };

test(
  'a signed allowed request changes a setting and gets a verifiable signed answer',
  { skip: skipReason, timeout: 30_000 },
  async () => {
    accepted = request();
    const answer = await send(accepted.jwt, accepted.jti);
    assert.equal(answer.jti, accepted.jti);
    assert.equal(answer.status, 200);
    assert.equal((answer.body as { harvest: { batchSize: number } }).harvest.batchSize, 7);
    // The answer ran through the API's handlers: its body is the documented one.
    const settingsBody = JSON.stringify(answer.body);
    assertDocumentedResponse({ ...JSON_ANSWER, method: 'POST', path: '/api/settings', body: settingsBody });
    assert.equal(await batchSize(), 7, 'the setting changed');
    const version = request({ method: 'GET', path: '/api/version', body: undefined });
    const read = await send(version.jwt, version.jti);
    assert.equal(read.status, 200);
    assertDocumentedResponse({
      ...JSON_ANSWER,
      method: 'GET',
      path: '/api/version',
      body: JSON.stringify(read.body),
    });
  },
);

test(
  'each bad request is answered with its status and changes nothing',
  { skip: skipReason, timeout: 30_000 },
  async () => {
    const change = { body: { harvest: { batchSize: 3 } } };
    const cases: [string, { jwt: string; jti: string | null }, number][] = [
      ['wrong key', request(change, strangerSecret), 401],
      ['wrong serial', request({ ...change, serial: 'EGW-000000000000' }), 403],
      ['expired', request({ ...change, nowMs: Date.now() - 200_000, ttlS: 100 }), 410],
      ['issued in the future', request({ ...change, nowMs: Date.now() + 120_000 }), 410],
      ['replayed', accepted!, 409],
      ['path not allowed', request({ path: '/api/initialize', body: { token: 'x' } }), 403],
      ['Wi-Fi never', request({ path: '/api/wifi', body: { ssid: 'x', password: 'y' } }), 403],
      ['malformed', { jwt: 'not.a-jwt', jti: null }, 400],
    ];
    for (const [name, { jwt, jti }, status] of cases) {
      const answer = await send(jwt, jti);
      assert.equal(answer.status, status, name);
      assert.equal(answer.jti, jti, name);
      assert.ok((answer.body as { error?: unknown }).error, `${name}: an error body`);
    }
    assert.equal(await batchSize(), 7, 'nothing changed');
  },
);

test(
  'a request run before a restart is refused as a replay after it',
  { skip: skipReason, timeout: 30_000 },
  async () => {
    await local!.stop();
    local = await startGw();
    const answer = await send(accepted!.jwt, accepted!.jti);
    assert.equal(answer.status, 409);
    assert.equal(await batchSize(), 7);
  },
);

test(
  'egw control keygen and send: the reference backend signs, sends and verifies',
  { skip: skipReason, timeout: 30_000 },
  async () => {
    const gw = local!.gateway;
    const keyFile = join(dir, 'backend.key');
    writeFileSync(keyFile, `${backendSecret.toString('hex')}\n`, { mode: 0o600 });
    const egw = (...args: string[]) =>
      new Promise<{ code: number | null; out: string }>((resolve) => {
        const child = spawn(process.execPath, ['server/src/cli/main.ts', 'control', ...args], {
          env: { ...process.env, EGW_LOG_LEVEL: 'silent' },
        });
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
        child.on('exit', (code) => resolve({ code, out }));
      });
    const base = ['--broker', broker!.url, '--key', keyFile, '--serial', gw.serial];
    const key = ['--gateway-key', gw.services.identity.publicKeyHex];
    const ok = await egw('send', ...base, ...key, 'POST', '/api/settings', '{"harvest":{"batchSize":5}}');
    assert.equal(ok.code, 0, ok.out);
    assert.equal((JSON.parse(ok.out) as { status: number }).status, 200);
    assert.equal(await batchSize(), 5);
    const refused = await egw('send', ...base, ...key, 'POST', '/api/wifi', '{"ssid":"x"}');
    assert.equal(refused.code, 1);
    assert.equal((JSON.parse(refused.out) as { status: number }).status, 403);
    const generated = await egw('keygen', '--key', join(dir, 'new.key'));
    assert.match(generated.out.trim(), /^0[23][0-9a-f]{64}$/);
  },
);
