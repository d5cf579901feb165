/**
 * The reference ingest receiver (`egw ingest-server`): accepts `POST <any path>` with a batch JWT
 * (`Content-Type: application/jwt`), verifies its ES256K signature with node:crypto, keys on the
 * Idempotency-Key (a repeat is answered 200 but not stored again) and stores batches as JSON lines.
 * `GET /stats` reports counters, last seq and gaps per gateway. Fault injection (fail rate, delay,
 * connection resets) makes it the other end of the outage tests. See README "Ingest receiver".
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SystemClock, type Clock } from '../core/clock.ts';
import { describeError, EgwError } from '../core/errors.ts';
import { silentLogger, type Logger } from '../core/logger.ts';
import { decodeJwt, verifyJws } from '../identity/jwt.ts';
import { IngestKeys, type KeySource } from './ingest-keys.ts';
import { IngestStore, type IngestStats, type IngestRecord } from './ingest-store.ts';

/** Faults to inject, changeable while running. */
export interface IngestBehaviour {
  /** Share of batch requests answered 500 without storing, 0–1. */
  failRate?: number;
  /** Delay before each batch request is handled, ms. */
  delayMs?: number;
  /** Share of batch requests whose connection is reset AFTER the batch was stored (the answer is lost). */
  resetRate?: number;
}

export interface IngestServerOptions {
  /** Port to listen on; 0 picks a free one. */
  port?: number;
  host?: string;
  /** Where verification keys come from (default: trust on first use). */
  keys?: KeySource;
  /** JSON-lines output file; memory only when absent. Ignored when `store` is given. */
  outFile?: string;
  /** Reuse a store (e.g. across a stop and restart in a test). */
  store?: IngestStore;
  behaviour?: IngestBehaviour;
  /** Largest accepted body, bytes (default 1 MiB). */
  maxBodyBytes?: number;
  clock?: Clock;
  logger?: Logger;
  /** Uniform random source for fault injection. */
  random?: () => number;
}

/** A running receiver. */
export interface IngestServer {
  /** Base URL, e.g. http://127.0.0.1:40123/ — POST batches here. */
  url: string;
  port: number;
  store: IngestStore;
  stats(): IngestStats;
  records(): IngestRecord[];
  setBehaviour(behaviour: IngestBehaviour): void;
  stop(): Promise<void>;
}

class HttpFailure extends EgwError {}

function reply(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function readBody(req: http.IncomingMessage, maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        reject(new HttpFailure('too_large', `body larger than ${maxBytes} bytes`, { status: 413 }));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('ascii')));
    req.on('error', reject);
  });
}

/** Starts the receiver; resolves once it listens. */
export async function startIngestServer(options: IngestServerOptions = {}): Promise<IngestServer> {
  const clock = options.clock ?? new SystemClock();
  const logger = options.logger ?? silentLogger();
  const random = options.random ?? Math.random;
  const store = options.store ?? new IngestStore(options.outFile);
  const keys = new IngestKeys(options.keys ?? { kind: 'tofu' });
  const maxBodyBytes = options.maxBodyBytes ?? 1_048_576;
  let behaviour: IngestBehaviour = { ...options.behaviour };

  async function ingest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const body = await readBody(req, maxBodyBytes);
    store.received++;
    if (behaviour.delayMs) await clock.sleep(behaviour.delayMs, 'ingest-delay');
    if (behaviour.failRate && random() < behaviour.failRate) {
      return reply(res, 500, { error: { code: 'injected', message: 'injected failure (--fail-rate)' } });
    }
    const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim();
    if (type !== 'application/jwt') {
      throw new HttpFailure(
        'unsupported_media_type',
        `Content-Type ${type ?? '(none)'}: expected application/jwt`,
        { status: 415 },
      );
    }
    const jwt = decodeJwt(body);
    const { device, seq } = jwt.header;
    if (typeof device !== 'string' || !Number.isSafeInteger(seq) || (seq as number) < 1) {
      throw new HttpFailure(
        'bad_header',
        'JWT header: needs "device" (string) and "seq" (positive integer)',
        { status: 400 },
      );
    }
    const key = `${device}-${seq as number}`;
    const given = req.headers['idempotency-key'];
    if (given !== undefined && given !== key) {
      throw new HttpFailure('bad_idempotency_key', `Idempotency-Key ${String(given)}: expected ${key}`, {
        status: 400,
      });
    }
    const publicKey = await keys.keyFor(device, jwt);
    if (!publicKey)
      throw new HttpFailure('unknown_gateway', `${device}: no trusted public key (${keys.describe()})`, {
        status: 403,
      });
    if (!verifyJws(jwt, publicKey))
      throw new HttpFailure('bad_signature', `${key}: ES256K signature does not verify`, { status: 401 });
    const record = {
      key,
      serial: device,
      seq: seq as number,
      receivedAt: clock.nowMs(),
      header: jwt.header,
      payload: jwt.payload,
      jwt: body.trim(),
    };
    if (!store.store(record)) return reply(res, 200, { key, duplicate: true });
    if (behaviour.resetRate && random() < behaviour.resetRate) {
      req.socket.destroy(); // stored, but the sender never hears so: it must repeat, we must not store twice
      return;
    }
    reply(res, 200, { key, stored: true });
  }

  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (req.method === 'GET' && path === '/stats') return reply(res, 200, store.stats());
    if (req.method === 'GET' && path === '/health') return reply(res, 200, { ok: true });
    if (req.method !== 'POST')
      return reply(res, 405, {
        error: { code: 'method', message: `${req.method} ${path}: POST a batch JWT` },
      });
    ingest(req, res).catch((error: unknown) => {
      const status = error instanceof EgwError ? error.status : 500;
      if (status >= 400 && status < 500) store.rejected++;
      logger.warn({ status, err: describeError(error) }, 'ingest: batch rejected');
      if (!res.headersSent && !res.destroyed) {
        const code = error instanceof EgwError ? error.code : 'internal';
        reply(res, status, { error: { code, message: describeError(error) } });
      }
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}/`;
  logger.info({ url, keys: keys.describe(), outFile: options.outFile }, 'ingest receiver listening');
  return {
    url,
    port: address.port,
    store,
    stats: () => store.stats(),
    records: () => store.records(),
    setBehaviour: (next) => {
      behaviour = { ...next };
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
