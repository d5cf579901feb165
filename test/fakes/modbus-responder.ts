/**
 * A minimal raw-socket Modbus TCP responder for tests and benchmarks (not modbus-serial's server):
 * MBAP framing, FC 3/4 reads from a register map, and scripted misbehaviour per request — drop the
 * socket, answer late, never answer, exceptions, a malformed frame, a wrong transaction id. It
 * records the largest number of requests outstanding on any one socket, to prove a client never
 * pipelines.
 */
import net from 'node:net';

/** What the responder does with one request. */
export type ResponderAction =
  | { kind: 'reply' }
  | { kind: 'exception'; code: number }
  | { kind: 'drop' }
  | { kind: 'late'; delayMs: number }
  | { kind: 'silent' }
  | { kind: 'malformed' }
  | { kind: 'wrong-tid' };

export interface ModbusResponderOptions {
  /** Units that answer (default: every unit). Others get `missingUnit`. */
  units?: number[];
  /** How an absent unit behaves: no answer (a bus without that device) or exception 0B (a gateway). */
  missingUnit?: 'silent' | 'gateway';
  /** Answer unmapped registers with exception 02 (default) or with 0. */
  unmapped?: 'exception' | 'zero';
  /** Delay of every normal reply, ms (gives pipelining clients a window to show themselves). */
  replyDelayMs?: number;
}

/** One parsed request, as recorded. */
export interface RecordedRequest {
  tid: number;
  unit: number;
  fc: number;
  address: number;
  count: number;
}

interface Peer {
  socket: net.Socket;
  buffer: Buffer;
  outstanding: number;
  chain: Promise<void>;
}

/** The responder; start() listens on 127.0.0.1 on a free port. */
export class ModbusResponder {
  readonly requests: RecordedRequest[] = [];
  /** Largest number of unanswered requests seen on one socket at once. */
  maxOutstanding = 0;
  connections = 0;
  private readonly registers = new Map<string, number>();
  private readonly script: ResponderAction[] = [];
  private readonly peers = new Set<Peer>();
  private readonly server: net.Server;
  readonly port: number;
  private readonly options: ModbusResponderOptions;
  private readonly timers = new Set<NodeJS.Timeout>();

  private constructor(server: net.Server, port: number, options: ModbusResponderOptions) {
    this.server = server;
    this.port = port;
    this.options = options;
  }

  static async start(options: ModbusResponderOptions = {}): Promise<ModbusResponder> {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    const responder = new ModbusResponder(server, port, options);
    server.on('connection', (socket) => responder.accept(socket));
    return responder;
  }

  /** Sets registers from `start` for function `fc` of `unit`. */
  set(fc: 3 | 4, unit: number, start: number, values: readonly number[]): void {
    values.forEach((value, i) => this.registers.set(`${fc}:${unit}:${start + i}`, value & 0xffff));
  }

  /** The next requests behave like these actions, one each, then normally again. */
  next(...actions: ResponderAction[]): void {
    this.script.push(...actions);
  }

  /** Open client sockets. */
  get openSockets(): number {
    return this.peers.size;
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    for (const peer of this.peers) peer.socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: net.Socket): void {
    this.connections += 1;
    socket.setNoDelay(true);
    const peer: Peer = { socket, buffer: Buffer.alloc(0), outstanding: 0, chain: Promise.resolve() };
    this.peers.add(peer);
    socket.on('error', () => {});
    socket.on('close', () => this.peers.delete(peer));
    socket.on('data', (data) => {
      peer.buffer = Buffer.concat([peer.buffer, data]);
      while (peer.buffer.length >= 7) {
        const length = peer.buffer.readUInt16BE(4);
        if (peer.buffer.length < 6 + length) break;
        const frame = peer.buffer.subarray(0, 6 + length);
        peer.buffer = peer.buffer.subarray(6 + length);
        peer.outstanding += 1;
        this.maxOutstanding = Math.max(this.maxOutstanding, peer.outstanding);
        // Answer in order, one after the other, as a real device does.
        peer.chain = peer.chain.then(() => this.handle(peer, frame));
      }
    });
  }

  private async handle(peer: Peer, frame: Buffer): Promise<void> {
    const request: RecordedRequest = {
      tid: frame.readUInt16BE(0),
      unit: frame[6] ?? 0,
      fc: frame[7] ?? 0,
      address: frame.length >= 10 ? frame.readUInt16BE(8) : 0,
      count: frame.length >= 12 ? frame.readUInt16BE(10) : 0,
    };
    this.requests.push(request);
    const action = this.script.shift() ?? { kind: 'reply' };
    const done = (): void => {
      peer.outstanding -= 1;
    };
    const { units, missingUnit = 'silent' } = this.options;
    if (units && !units.includes(request.unit) && action.kind === 'reply') {
      if (missingUnit === 'silent') return done();
      await this.delay(this.options.replyDelayMs ?? 0);
      return this.send(peer, request, exceptionPdu(request.fc, 0x0b), done);
    }
    switch (action.kind) {
      case 'drop':
        done();
        peer.socket.destroy();
        return;
      case 'silent':
        return done();
      case 'exception':
        return this.send(peer, request, exceptionPdu(request.fc, action.code), done);
      case 'late':
        // Answered later, but the next request is not held back behind it.
        this.later(action.delayMs, () => this.send(peer, request, this.replyPdu(request), () => {}));
        return done();
      case 'malformed': {
        const pdu = this.replyPdu(request);
        // Byte count says one register more than the frame carries.
        pdu[1] = (pdu[1] ?? 0) + 2;
        return this.send(peer, request, pdu, done);
      }
      case 'wrong-tid':
        return this.send(
          peer,
          { ...request, tid: (request.tid + 77) & 0xffff },
          this.replyPdu(request),
          done,
        );
      case 'reply':
        await this.delay(this.options.replyDelayMs ?? 0);
        return this.send(peer, request, this.replyPdu(request), done);
    }
  }

  private replyPdu(request: RecordedRequest): Buffer {
    if ((request.fc !== 3 && request.fc !== 4) || request.count < 1 || request.count > 125) {
      return exceptionPdu(request.fc, request.fc === 3 || request.fc === 4 ? 3 : 1);
    }
    const pdu = Buffer.alloc(2 + 2 * request.count);
    pdu[0] = request.fc;
    pdu[1] = 2 * request.count;
    for (let i = 0; i < request.count; i++) {
      const value = this.registers.get(`${request.fc}:${request.unit}:${request.address + i}`);
      if (value === undefined && this.options.unmapped !== 'zero') return exceptionPdu(request.fc, 2);
      pdu.writeUInt16BE(value ?? 0, 2 + 2 * i);
    }
    return pdu;
  }

  private send(peer: Peer, request: RecordedRequest, pdu: Buffer, done: () => void): void {
    const header = Buffer.alloc(7);
    header.writeUInt16BE(request.tid, 0);
    header.writeUInt16BE(0, 2);
    header.writeUInt16BE(pdu.length + 1, 4);
    header[6] = request.unit;
    done();
    if (!peer.socket.destroyed) peer.socket.write(Buffer.concat([header, pdu]));
  }

  private delay(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => this.later(ms, resolve));
  }

  private later(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
  }
}

function exceptionPdu(fc: number, code: number): Buffer {
  return Buffer.from([fc | 0x80, code]);
}
