import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../../server/src/core/clock.ts';
import { EgwttpConnection, type EgwttpHandler } from '../../../../bluetooth/src/egwttp/egwttp-connection.ts';
import { continuationFrame, parseResponseFrame, requestFrame } from '../../../../client/src/egwttp.js';

function connect(handler: EgwttpHandler, clock = new ManualClock()) {
  const frames: Buffer[] = [];
  const connection = new EgwttpConnection({
    id: 't',
    handler,
    clock,
    frameSizeBytes: 128,
    send: (frame) => frames.push(frame),
  });
  const last = () => parseResponseFrame(frames.at(-1)!);
  return { connection, frames, last, clock };
}

const body = (size: number) => Buffer.alloc(size, 0x61);

describe('EgwttpConnection', () => {
  it('answers a continuation past the end of the kept body with 416', async () => {
    const { connection, last } = connect(async () => ({ status: 200, body: body(300) }));
    await connection.write(requestFrame('GET', '/api/crypto'));
    await connection.write(continuationFrame('GET', '/api/crypto', 300));
    assert.equal(last().status, 416);
  });

  it('refuses a continuation that carries a body', async () => {
    const { connection, last } = connect(async () => ({ status: 200, body: body(300) }));
    await connection.write(requestFrame('GET', '/api/crypto'));
    await connection.write(
      Buffer.from('GET /api/crypto EGWTTP/1.1\r\nOffset: 10\r\nContent-Length: 2\r\n\r\n{}'),
    );
    assert.equal(last().status, 400);
  });

  it('treats Offset: 0 as a fresh request', async () => {
    let calls = 0;
    const { connection, last } = connect(async () => ({ status: 200, body: body(++calls) }));
    await connection.write(requestFrame('POST', '/api/wifi', '{}'));
    await connection.write(Buffer.from('POST /api/wifi EGWTTP/1.1\r\nOffset: 0\r\n\r\n'));
    assert.equal(calls, 2);
    assert.equal(last().contentLength, 2);
  });

  it('answers a continuation for another path from nothing kept: GET runs again, POST gets 410', async () => {
    const seen: string[] = [];
    const { connection, last } = connect(
      async (r) => (seen.push(`${r.method} ${r.path}`), { status: 200, body: body(300) }),
    );
    await connection.write(requestFrame('GET', '/api/crypto'));
    await connection.write(continuationFrame('POST', '/api/wifi', 50));
    assert.equal(last().status, 410);
    await connection.write(continuationFrame('GET', '/api/stats', 50));
    assert.equal(last().offset, 50);
    assert.deepEqual(seen, ['GET /api/crypto', 'GET /api/stats']);
  });

  it('keeps the response while pages are being fetched and forgets it 120 s after the last one', async () => {
    let calls = 0;
    const { connection, last, clock } = connect(async () => (calls++, { status: 201, body: body(400) }));
    await connection.write(requestFrame('POST', '/api/inverter', '{}'));
    await clock.advance(100_000);
    await connection.write(continuationFrame('POST', '/api/inverter', 60));
    await clock.advance(100_000);
    await connection.write(continuationFrame('POST', '/api/inverter', 120));
    assert.equal(last().status, 201);
    await clock.advance(120_000);
    await connection.write(continuationFrame('POST', '/api/inverter', 180));
    assert.equal(last().status, 410);
    assert.equal(calls, 1);
  });

  it('turns a handler that throws into a 500 response', async () => {
    const { connection, last } = connect(async () => {
      throw new Error('boom');
    });
    await connection.write(requestFrame('GET', '/api/hello'));
    assert.equal(last().status, 500);
  });

  it('answers 503 to a request that arrives while one is in progress', async () => {
    let release: () => void = () => {};
    const { connection, frames } = connect(
      () => new Promise((resolve) => (release = () => resolve({ status: 200, body: body(1) }))),
    );
    const first = connection.write(requestFrame('GET', '/api/hello'));
    await connection.write(requestFrame('GET', '/api/version'));
    assert.equal(parseResponseFrame(frames[0]!).status, 503);
    release();
    await first;
    assert.equal(parseResponseFrame(frames[1]!).status, 200);
  });

  it('sends nothing after close and cancels its timers', async () => {
    const { connection, frames, clock } = connect(async () => ({ status: 200, body: body(1) }));
    await connection.write(Buffer.from('GET /api/hel'));
    connection.close();
    await connection.write(Buffer.from('lo EGWTTP/1.1\r\n\r\n'));
    assert.deepEqual(clock.pendingTimers(), []);
    assert.equal(frames.length, 0);
  });
});
