/**
 * `egw control`: the reference backend of the cloud control channel (development and tests).
 * `keygen` creates a backend key file; `send` signs a request with it, publishes it on the gateway's
 * request topic, waits for the answer and verifies the gateway's signature before printing it.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { parseArgs } from 'node:util';
import mqtt from 'mqtt';
import { readOrCreateSecretFile, readSecretFile } from '../../config/secret-file.ts';
import type { CliIo } from '../../core/cli-io.ts';
import { integerOption, parseOptions } from '../../core/cli-program.ts';
import { SystemClock } from '../../core/clock.ts';
import { ConfigError, TimeoutError, UsageError } from '../../core/errors.ts';
import { publicKeyInfo } from '../../identity/public-key.ts';
import { secp } from '../../identity/secp.ts';
import {
  backendPublicKeyHex,
  signControlRequest,
  verifyControlAnswer,
} from '../../control/control-backend.ts';
import type { CliCommand } from '../command.ts';

const USAGE = [
  'Usage: egw control keygen --key FILE',
  '       egw control send --broker URL --key FILE --serial EGW-… (--gateway-key HEX | --gateway URL)',
  '                        [--prefix P] [--ttl S] [--timeout MS] METHOD PATH [JSON]',
  '',
  'keygen: creates a backend key (secp256k1 secret, hex, mode 0600) unless FILE exists, and prints its',
  'public key, the value to list in the gateway’s control.publicKeys.',
  'send: signs METHOD PATH [JSON body] as an ES256K request JWT for the gateway SERIAL, publishes it on',
  '<prefix>/control/request (QoS 1), waits for the answer on <prefix>/control/response, verifies it with',
  'the gateway key and prints its payload {jti, status, body, ts}. Exit 0 for a 2xx answer, 1 otherwise.',
  '',
  'Options:',
  '  --key FILE          backend key file',
  '  --broker URL        MQTT broker, e.g. mqtt://127.0.0.1:1883',
  '  --serial ID         the gateway serial (GET /api/crypto)',
  '  --gateway-key HEX   the gateway’s public key: compressed secp256k1 hex (an ES256 gateway: use --gateway)',
  '  --gateway URL       fetch the gateway key from its GET /api/crypto instead',
  '  --prefix P          topic prefix (default egw/<serial>)',
  '  --ttl S             request lifetime, s (default 60, at most 300)',
  '  --timeout MS        how long to wait for the answer (default 10000)',
].join('\n');

function readBackendSecret(path: string): Uint8Array {
  const file = readSecretFile(path);
  const hex = file?.value.toString('utf8').trim() ?? '';
  if (!/^[0-9a-fA-F]{64}$/.test(hex))
    throw new ConfigError(`${path}: expected 64 hex digits (a backend key)`, 'key');
  return Buffer.from(hex, 'hex');
}

async function gatewayKey(values: { 'gateway-key'?: string; gateway?: string }): Promise<KeyObject> {
  if (values['gateway-key']) return publicKeyInfo(values['gateway-key']).keyObject;
  if (!values.gateway) throw new UsageError('control send: give --gateway-key or --gateway', 'gateway-key');
  const res = await fetch(new URL('/api/crypto', values.gateway));
  const info = (await res.json()) as { publicKey?: string; publicKeyPem?: string };
  if (info.publicKeyPem) return createPublicKey(info.publicKeyPem);
  return publicKeyInfo(String(info.publicKey)).keyObject;
}

async function send(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    strict: true,
    allowPositionals: true,
    options: {
      key: { type: 'string' },
      broker: { type: 'string' },
      serial: { type: 'string' },
      'gateway-key': { type: 'string' },
      gateway: { type: 'string' },
      prefix: { type: 'string' },
      ttl: { type: 'string' },
      timeout: { type: 'string' },
    },
  });
  const [method, path, json] = positionals;
  if (!values.key || !values.broker || !values.serial)
    throw new UsageError('control send: --key, --broker and --serial are required', 'key');
  if (method !== 'GET' && method !== 'POST' && method !== 'DELETE')
    throw new UsageError('control send: METHOD must be GET, POST or DELETE', 'method');
  if (!path?.startsWith('/api/')) throw new UsageError('control send: PATH must start with /api/', 'path');
  let body: Record<string, unknown> | undefined;
  if (json !== undefined) {
    try {
      body = JSON.parse(json) as Record<string, unknown>;
    } catch {
      throw new UsageError('control send: JSON body does not parse', 'json');
    }
  }
  const key = await gatewayKey(values);
  const prefix = values.prefix ?? `egw/${values.serial}`;
  const timeoutMs = integerOption('timeout', values.timeout, 10_000, 100, 600_000);
  const clock = new SystemClock();
  const request = signControlRequest(readBackendSecret(values.key), {
    serial: values.serial,
    method,
    path,
    ...(body !== undefined ? { body } : {}),
    nowMs: clock.nowMs(),
    ttlS: integerOption('ttl', values.ttl, 60, 1, 300),
  });
  const client = await mqtt.connectAsync(values.broker, { reconnectPeriod: 0 });
  try {
    const answer = new Promise<string>((resolve) => {
      client.on('message', (_topic, payload) => {
        const text = payload.toString('utf8');
        try {
          const answerPayload = verifyControlAnswer(text, key, values.serial!);
          if (answerPayload.jti === request.jti) resolve(text);
        } catch {
          // Not ours or not verifiable: another request's answer, or a forgery; keep waiting.
        }
      });
    });
    await client.subscribeAsync(`${prefix}/control/response`, { qos: 1 });
    await client.publishAsync(`${prefix}/control/request`, request.jwt, { qos: 1, retain: false });
    let timer: { cancel(): void } | undefined;
    const timedOut = new Promise<undefined>((resolve) => {
      timer = clock.setTimer('control-answer', timeoutMs, () => resolve(undefined));
    });
    const jwt = await Promise.race([answer, timedOut]);
    timer?.cancel();
    if (jwt === undefined) throw new TimeoutError(`control send: no verified answer within ${timeoutMs} ms`);
    const payload = verifyControlAnswer(jwt, key, values.serial);
    io.stdout.write(`${JSON.stringify(payload)}\n`);
    return payload.status >= 200 && payload.status < 300 ? 0 : 1;
  } finally {
    await client.endAsync();
  }
}

/** The `control` subcommand. */
export const controlCommand: CliCommand = {
  name: 'control',
  summary: 'Reference backend of the cloud control channel (create a backend key, send a signed request)',
  usage: USAGE,
  async run(args, io) {
    const [action, ...rest] = args;
    if (action === 'send') return send(rest, io);
    if (action === 'keygen') {
      const values = parseOptions(rest, { key: { type: 'string' } });
      if (!values.key) throw new UsageError('control keygen: --key FILE is required', 'key');
      readOrCreateSecretFile(
        values.key,
        () => `${Buffer.from(secp.utils.randomSecretKey()).toString('hex')}\n`,
      );
      io.stdout.write(`${backendPublicKeyHex(readBackendSecret(values.key))}\n`);
      return 0;
    }
    throw new UsageError('control: expected "keygen" or "send"', 'action');
  },
};
