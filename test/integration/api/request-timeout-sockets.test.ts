/**
 * A client that sends half a request and then nothing gets 408 — and its socket is then closed
 * completely. Before, the server only half-closed it and kept the descriptor until the client closed
 * (50 such clients held 50 descriptors for minutes). Timeouts are shortened for the test.
 */
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { SystemClock } from '../../../server/src/core/clock.ts';
import { startHarness, type Harness } from './api-harness.ts';

let h: Harness;
before(async () => {
  h = await startHarness({ timeouts: { requestMs: 600, headersMs: 300, checkIntervalMs: 100 } });
});
after(() => h.close());

const connections = (): Promise<number> =>
  new Promise((resolve, reject) => h.api.server.getConnections((e, n) => (e ? reject(e) : resolve(n))));

it('answers a stalled request 408 and then closes its socket fully, though the client keeps its side open', async () => {
  const clock = new SystemClock();
  const sockets: Socket[] = [];
  const answers = await Promise.all(
    Array.from({ length: 5 }, () => {
      // allowHalfOpen: the client never closes its side, as the attacking clients did not.
      const socket = connect({ host: '127.0.0.1', port: h.api.port, allowHalfOpen: true });
      sockets.push(socket);
      socket.write('GET /api/hello HTTP/1.1\r\nHost: x\r\n');
      return new Promise<string>((resolve) => {
        let text = '';
        socket.on('data', (chunk) => (text += chunk.toString()));
        socket.on('end', () => resolve(text));
        socket.on('error', () => resolve(text));
      });
    }),
  );
  for (const answer of answers) assert.match(answer, /^HTTP\/1\.1 408 Request Timeout/);
  // The server's side closes right after the answer; wait for it within a bound, no fixed sleep.
  const deadline = clock.monotonicMs() + 3000;
  while ((await connections()) > 0 && clock.monotonicMs() < deadline) await clock.sleep(20);
  assert.equal(await connections(), 0, 'no descriptor held for a client that never closes');
  for (const socket of sockets) socket.destroy();
});
