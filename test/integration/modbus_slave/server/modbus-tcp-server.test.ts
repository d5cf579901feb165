import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { SystemClock } from '../../../../server/src/core/clock.ts';
import { FaultController } from '../../../../modbus_slave/src/faults/fault-controller.ts';
import { Prng } from '../../../../modbus_slave/src/physics/prng.ts';
import { encodeMbap, MbapFramer, type MbapFrame } from '../../../../server/src/modbus/mbap-framer.ts';
import { ModbusTcpServer } from '../../../../modbus_slave/src/server/modbus-tcp-server.ts';
import { emptyImage, fillRange } from '../../../../modbus_slave/src/server/register-image.ts';

/** A raw Modbus TCP client: sends bytes, collects answered frames. */
class RawClient {
  readonly frames: MbapFrame[] = [];
  private readonly framer = new MbapFramer();
  readonly socket: Socket;
  closed = false;
  constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => this.frames.push(...this.framer.push(chunk)));
    socket.on('close', () => (this.closed = true));
    socket.on('error', () => {});
  }
  static async open(port: number): Promise<RawClient> {
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    return new RawClient(socket);
  }
  async waitFrames(n: number, timeoutMs = 2000): Promise<MbapFrame[]> {
    const until = Date.now() + timeoutMs;
    while (this.frames.length < n && !this.closed && Date.now() < until)
      await new Promise((r) => setTimeout(r, 5));
    return this.frames;
  }
  async waitClosed(timeoutMs = 2000): Promise<boolean> {
    const until = Date.now() + timeoutMs;
    while (!this.closed && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
    return this.closed;
  }
}

const readRequest = (transactionId: number, start = 100, count = 2, unit = 1): Buffer =>
  encodeMbap({ transactionId, unit, pdu: Buffer.from([3, start >> 8, start & 0xff, 0, count]) });

describe('ModbusTcpServer over a real socket', () => {
  const image = emptyImage();
  fillRange(image.holding, 0, 300);
  image.holding.set(100, 0x1111).set(101, 0x2222);
  const faults = new FaultController('t', new SystemClock(), new Prng(9));
  const server = new ModbusTcpServer({ imageFor: (unit) => (unit === 1 ? image : undefined), faults });
  let port = 0;
  const clients: RawClient[] = [];
  const client = async (): Promise<RawClient> => {
    const c = await RawClient.open(port);
    clients.push(c);
    return c;
  };

  before(async () => {
    port = (await server.listen()).port;
  });
  after(async () => {
    for (const c of clients) c.socket.destroy();
    await server.close();
  });

  it('answers pipelined requests sent in one write, in order, each with its transaction id', async () => {
    const c = await client();
    c.socket.write(Buffer.concat([readRequest(1), readRequest(2), readRequest(3, 101, 1)]));
    const frames = await c.waitFrames(3);
    assert.deepEqual(
      frames.map((f) => f.transactionId),
      [1, 2, 3],
    );
    assert.deepEqual([...frames[0]!.pdu], [3, 4, 0x11, 0x11, 0x22, 0x22]);
    assert.deepEqual([...frames[2]!.pdu], [3, 2, 0x22, 0x22]);
  });

  it('assembles a request that arrives one byte at a time', async () => {
    const c = await client();
    for (const byte of readRequest(77)) {
      c.socket.write(Buffer.from([byte]));
      await new Promise((r) => setTimeout(r, 1));
    }
    const frames = await c.waitFrames(1);
    assert.equal(frames[0]?.transactionId, 77);
  });

  it('answers exception 0B for a unit it does not serve and 02 outside the image', async () => {
    const c = await client();
    c.socket.write(Buffer.concat([readRequest(1, 100, 2, 9), readRequest(2, 299, 2)]));
    const frames = await c.waitFrames(2);
    assert.deepEqual([...frames[0]!.pdu], [0x83, 0x0b]);
    assert.deepEqual([...frames[1]!.pdu], [0x83, 0x02]);
  });

  it('closes a connection whose stream is not Modbus TCP', async () => {
    const c = await client();
    c.socket.write(Buffer.from('GET / HTTP/1.1\r\n\r\n'));
    assert.equal(await c.waitClosed(), true);
    assert.ok(server.stats().malformedRequests >= 1);
  });

  it('shows each request fault on the wire and answers normally once it is lifted', async () => {
    const c = await client();
    faults.set({ txidMismatchRate: 1 });
    c.socket.write(readRequest(5));
    assert.equal((await c.waitFrames(1))[0]?.transactionId, 5 + 0x8000);
    faults.clear();
    faults.set({ malformedRate: 1 });
    c.socket.write(readRequest(6));
    assert.deepEqual([...(await c.waitFrames(2))[1]!.pdu], [3, 6, 0x11, 0x11, 0x22, 0x22]);
    faults.clear();
    faults.set({ exceptionRate: 1, exceptionCodes: [4] });
    c.socket.write(readRequest(7));
    assert.deepEqual([...(await c.waitFrames(3))[2]!.pdu], [0x83, 0x04]);
    faults.clear();
    faults.set({ silent: true });
    c.socket.write(readRequest(8));
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(c.frames.length, 3);
    faults.clear();
    c.socket.write(readRequest(9));
    assert.equal((await c.waitFrames(4))[3]?.transactionId, 9);
    faults.set({ dropRate: 1 });
    c.socket.write(readRequest(10));
    assert.equal(await c.waitClosed(), true);
    faults.clear();
    const counts = faults.counts();
    assert.deepEqual(
      [counts.txid, counts.malformed, counts.exception['04'], counts.silent, counts.drop],
      [1, 1, 1, 1, 1],
    );
  });

  it('delays answers by the configured latency', async () => {
    const c = await client();
    faults.set({ latencyMs: 150 });
    const started = Date.now();
    c.socket.write(readRequest(1));
    await c.waitFrames(1);
    faults.clear();
    assert.ok(Date.now() - started >= 140);
  });

  it('refuses a second client in single-client mode and drops everyone on demand', async () => {
    faults.set({ singleClient: true });
    for (const c of clients) c.socket.destroy();
    await new Promise((r) => setTimeout(r, 50));
    const first = await client();
    const second = await client();
    assert.equal(await second.waitClosed(), true);
    first.socket.write(readRequest(1));
    assert.equal((await first.waitFrames(1)).length, 1);
    faults.dropConnections();
    assert.equal(await first.waitClosed(), true);
    faults.clear();
    assert.ok(faults.counts().refused >= 1);
  });
});
