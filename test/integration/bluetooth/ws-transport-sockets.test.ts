/**
 * The EGWTTP WebSocket transport lets no socket linger: a request that times out (408) ends the
 * connection, a silent client is disconnected after the idle timeout, and clients beyond the bound
 * are turned away. Timers run on a manual clock; the sockets are real.
 */
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import { flushAsync, ManualClock } from '../../../server/src/core/clock.ts';
import { silentLogger } from '../../../server/src/core/logger.ts';
import { EgwttpConnection } from '../../../bluetooth/src/egwttp/egwttp-connection.ts';
import { WsTransport } from '../../../bluetooth/src/ws/ws-transport.ts';

const clock = new ManualClock();
let transport: WsTransport;
let port: number;

before(async () => {
  transport = new WsTransport({
    host: '127.0.0.1',
    port: 0,
    logger: silentLogger(),
    clock,
    idleTimeoutMs: 60_000,
    maxConnections: 2,
    open: (id, send) =>
      new EgwttpConnection({
        id,
        clock,
        send,
        frameSizeBytes: 512,
        incompleteTimeoutMs: 1000,
        handler: async () => ({ status: 200, body: Buffer.from('{}') }) as never,
      }),
  });
  port = await transport.start();
});
after(() => transport.stop());

/** Opens a client; resolves it with the frames it receives and a promise of its close code. */
async function client(): Promise<{ ws: WebSocket; frames: string[]; closed: Promise<number> }> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}`);
  const frames: string[] = [];
  ws.on('message', (data: Buffer) => frames.push(data.toString()));
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  await new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)));
  return { ws, frames, closed };
}

/** Waits (bounded) until the transport's client count is `n`. */
async function clientsBecome(n: number): Promise<void> {
  for (let i = 0; i < 200 && transport.clientCount !== n; i++) await new Promise((r) => setTimeout(r, 5));
  assert.equal(transport.clientCount, n);
}

it('ends the connection after a 408 for an incomplete request', async () => {
  const c = await client();
  await clientsBecome(1);
  c.ws.send(Buffer.from('POST /api/settings EGWTTP/1.1\r\nContent-Length: 100\r\n\r\n{"half":'));
  await new Promise((r) => setTimeout(r, 20)); // the write reaches the server
  await clock.advance(1000);
  assert.equal(await c.closed, 1008);
  assert.match(c.frames[0] ?? '', /^EGWTTP\/1\.1 408 /);
  await clientsBecome(0);
});

it('disconnects a client silent for the idle timeout, and turns away clients beyond the bound', async () => {
  const a = await client();
  const b = await client();
  await clientsBecome(2);
  const c = await client().catch(() => undefined);
  if (c) assert.equal(await c.closed, 1013);
  await clock.advance(59_000);
  a.ws.send(Buffer.from('GET /api/hello EGWTTP/1.1\r\nContent-Length: 0\r\n\r\n')); // a stays active
  await new Promise((r) => setTimeout(r, 20));
  await clock.advance(1_000);
  assert.equal(await b.closed, 1001);
  await clientsBecome(1);
  a.ws.close();
  await a.closed;
  await flushAsync();
});
