/**
 * Fuzz: ≥ 10 000 generated malformed requests (bodies, headers, query strings, methods, paths) across
 * every route, plus raw request heads Node's HTTP parser must refuse. Seeded (EGW_FUZZ_SEED to replay).
 * Zero 5xx, no crash, and every 4xx carries the error envelope naming what was wrong. Every answer to a
 * documented path matches the OpenAPI document (status, content type, body schema).
 */
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { generateRawHead, generateRequest, prng, type FuzzRequest } from './fuzz-inputs.ts';
import { startHarness, type Harness } from './api-harness.ts';
import { responseMismatch } from '../openapi-responses.ts';

const SEED = Number(process.env.EGW_FUZZ_SEED ?? 20261125);
const REQUESTS = Number(process.env.EGW_FUZZ_N ?? 9_600);
const RAW_HEADS = Number(process.env.EGW_FUZZ_RAW ?? 400);
const CONCURRENCY = 16;

let h: Harness;
const unhandled: unknown[] = [];
const onUnhandled = (error: unknown): void => void unhandled.push(error);
before(async () => {
  process.on('unhandledRejection', onUnhandled);
  process.on('uncaughtException', onUnhandled);
  h = await startHarness({ authRateLimit: { maxFailures: 1e9, windowMs: 60_000 } });
});
after(async () => {
  process.off('unhandledRejection', onUnhandled);
  process.off('uncaughtException', onUnhandled);
  await h.close();
});

interface Outcome {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function send(agent: Agent, port: number, req: FuzzRequest): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const headers = { ...req.headers, ...(req.body ? { 'content-length': String(req.body.length) } : {}) };
    const r = request(
      { host: '127.0.0.1', port, method: req.method, path: req.path, headers, agent },
      (res) => {
        if (String(res.headers['content-type']).startsWith('text/event-stream')) {
          res.destroy();
          return resolve({ status: res.statusCode ?? 0, headers: res.headers, body: '' });
        }
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString(),
          }),
        );
        res.on('error', reject);
      },
    );
    // A 413 may close the socket while the body is still being sent; the answer still arrived first.
    r.on('error', (error: NodeJS.ErrnoException) =>
      error.code === 'ECONNRESET' || error.code === 'EPIPE'
        ? resolve({ status: -1, headers: {}, body: '' })
        : reject(error),
    );
    r.end(req.body);
  });
}

/** Problems with one answer, or undefined when it is fine. */
function judge(method: string, outcome: Outcome, path?: string): string | undefined {
  const { status } = outcome;
  if (status >= 500) return `server error ${status}: ${outcome.body.slice(0, 200)}`;
  const contentType = outcome.headers['content-type'];
  if (path !== undefined && status > 0) {
    const streamed = String(contentType).startsWith('text/event-stream');
    const mismatch = responseMismatch({
      method,
      path,
      status,
      contentType: typeof contentType === 'string' ? contentType : null,
      body: method === 'HEAD' || streamed ? undefined : outcome.body,
    });
    if (mismatch) return mismatch;
  }
  if (status < 400 || method === 'HEAD') return undefined;
  let json: { error?: { code?: unknown; message?: unknown; field?: unknown } };
  try {
    json = JSON.parse(outcome.body);
  } catch {
    return `${status} without a JSON body: ${outcome.body.slice(0, 100)}`;
  }
  const e = json.error;
  if (!e || typeof e.code !== 'string' || !e.code) return `${status} without error.code`;
  if (typeof e.message !== 'string' || e.message.length < 5) return `${status} without a message`;
  if (typeof e.field !== 'string' || !e.field) return `${status} without error.field`;
  if (/\bat .*\(.*:\d+:\d+\)/.test(outcome.body)) return `${status} leaks a stack trace`;
  if (status === 405 && !outcome.headers.allow) return '405 without Allow';
  if (status === 429 && !outcome.headers['retry-after']) return '429 without Retry-After';
  return undefined;
}

function sendRaw(port: number, head: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    const done = (): void => {
      socket.destroy();
      resolve(data);
    };
    socket.setTimeout(2000, done);
    socket.on('data', (chunk) => {
      data += chunk.toString('latin1');
      const split = data.indexOf('\r\n\r\n');
      const length = /content-length: *(\d+)/i.exec(data.slice(0, split))?.[1];
      if (split >= 0 && length !== undefined && data.length >= split + 4 + Number(length)) done();
    });
    socket.on('error', done);
    socket.on('end', done);
    socket.write(head, 'latin1');
  });
}

it(`survives ${REQUESTS} malformed requests and ${RAW_HEADS} broken request heads (seed ${SEED})`, async () => {
  const r = prng(SEED);
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const failures: string[] = [];
  const statuses = new Map<number, number>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < REQUESTS) {
      next += 1;
      const req = generateRequest(r);
      const outcome = await send(agent, h.api.port, req);
      statuses.set(outcome.status, (statuses.get(outcome.status) ?? 0) + 1);
      const problem = judge(req.method, outcome, req.path);
      if (problem && failures.length < 20)
        failures.push(
          `${req.method} ${req.path} ${JSON.stringify(req.headers)} ${req.body?.toString().slice(0, 80)} → ${problem}`,
        );
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  agent.destroy();

  for (let i = 0; i < RAW_HEADS; i++) {
    const head = generateRawHead(r);
    const answer = await sendRaw(h.api.port, head);
    const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0);
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
    if (status === 0) continue; // the server may close without answering a head it cannot parse at all
    const body = answer.slice(answer.indexOf('\r\n\r\n') + 4);
    const allow = /\r\nallow:/i.test(answer) ? 'x' : undefined;
    const problem = judge('GET', { status, headers: { allow, 'retry-after': 'x' }, body });
    if (problem && failures.length < 20)
      failures.push(`raw ${JSON.stringify(head.slice(0, 80))} → ${problem}`);
  }

  assert.deepEqual(failures, [], `statuses ${JSON.stringify([...statuses])}`);
  assert.deepEqual(unhandled, []);
  const rejected = [...statuses].filter(([s]) => s >= 400 && s < 500).reduce((n, [, c]) => n + c, 0);
  assert.ok(rejected > REQUESTS * 0.6, `most requests were refused: ${JSON.stringify([...statuses])}`);
  assert.ok([...statuses.keys()].every((s) => s < 500));
  // Still serving afterwards.
  assert.equal((await h.request('GET', '/api/hello')).status, 200);
});
