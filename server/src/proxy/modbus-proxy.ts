/**
 * A Modbus TCP proxy for one device (`proxyPort` in its config): other clients (an EV charger, Home
 * Assistant, mbpoll) read the device through the gateway while the gateway keeps the device's only
 * connection. Listens on loopback unless a LAN address is configured explicitly.
 */
import net from 'node:net';
import type { Clock } from '../core/clock.ts';
import { describeError, TimeoutError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import { encodeMbap, MbapFramer } from '../modbus/mbap-framer.ts';
import type { ModbusConnection } from '../modbus/modbus-connection.ts';
import {
  exceptionPdu,
  handleProxyRequest,
  PROXY_EXCEPTION,
  type ProxyBackend,
  type ProxyOutcome,
} from './proxy-request-handler.ts';

export interface ModbusProxyOptions {
  device: string;
  /** The device's unit id, the only one the proxy answers. */
  unit: number;
  host: string;
  /** 0 = any free port. */
  port: number;
  connection: ModbusConnection;
  /** Oldest poll a read may be answered from, ms (read per request: follows the harvest period). */
  toleranceMs: () => number;
  /** Registers other clients may write. */
  writable: readonly number[];
  /**
   * Whether a forwarded request may start on the device's connection now (false shortly before a
   * sampling slot or while a harvest runs).
   */
  mayForward: () => boolean;
  clock: Clock;
  logger: Logger;
  /** How long a forwarded request may wait and run before the client gets exception 0B, ms (default 3000). */
  forwardTimeoutMs?: number;
  /** Most clients at once (default 8). */
  maxClients?: number;
}

/** Counters of one proxy, for /api/devices and /metrics. */
export interface ProxyStats {
  host: string;
  port: number;
  clients: number;
  connectionsTotal: number;
  requests: Record<ProxyOutcome, number>;
  malformed: number;
}

/** While forwarded requests wait, the gate is re-checked this often, ms. */
const KICK_MS = 20;

/** One device's proxy server. */
export class ModbusProxy {
  private readonly options: ModbusProxyOptions;
  private readonly log: Logger;
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  private readonly counts: ProxyStats;
  private waiting = 0;
  private kickTimer: { cancel(): void } | undefined;

  constructor(options: ModbusProxyOptions) {
    this.options = options;
    this.log = options.logger.child({ area: 'proxy', device: options.device });
    this.counts = {
      host: options.host,
      port: options.port,
      clients: 0,
      connectionsTotal: 0,
      requests: { cached: 0, forwarded: 0, refused: 0, failed: 0 },
      malformed: 0,
    };
  }

  /** Listens; resolves the port. */
  async start(): Promise<number> {
    this.options.connection.setLowPriorityGate(this.options.mayForward);
    const server = net.createServer((socket) => this.accept(socket));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address();
    this.counts.port = typeof address === 'object' && address ? address.port : this.options.port;
    this.log.info({ host: this.options.host, port: this.counts.port }, 'modbus proxy listening');
    return this.counts.port;
  }

  /** Closes the listener and every client. */
  async stop(): Promise<void> {
    this.kickTimer?.cancel();
    for (const socket of this.sockets) socket.destroy();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  stats(): ProxyStats {
    return { ...this.counts, clients: this.sockets.size, requests: { ...this.counts.requests } };
  }

  private accept(socket: net.Socket): void {
    if (this.sockets.size >= (this.options.maxClients ?? 8)) {
      socket.destroy();
      return;
    }
    this.sockets.add(socket);
    this.counts.connectionsTotal++;
    socket.setNoDelay(true);
    const framer = new MbapFramer();
    socket.on('data', (chunk) => {
      let frames;
      try {
        frames = framer.push(chunk);
      } catch (error) {
        this.counts.malformed++;
        this.log.debug({ err: describeError(error) }, 'malformed proxy request; closing the client');
        socket.destroy();
        return;
      }
      for (const frame of frames) {
        void this.answer(frame.unit, frame.pdu).then((pdu) => {
          if (!socket.destroyed)
            socket.write(encodeMbap({ transactionId: frame.transactionId, unit: frame.unit, pdu }));
        });
      }
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.sockets.delete(socket));
  }

  private async answer(unit: number, pdu: Buffer): Promise<Buffer> {
    if (unit !== this.options.unit) {
      this.counts.requests.refused++;
      return exceptionPdu(pdu[0] ?? 0, PROXY_EXCEPTION.gatewayTargetFailed);
    }
    const answer = await handleProxyRequest(pdu, this.backend, {
      toleranceMs: this.options.toleranceMs(),
      writable: new Set(this.options.writable),
    });
    this.counts.requests[answer.outcome]++;
    return answer.pdu;
  }

  private readonly backend: ProxyBackend = {
    cached: (fc, address, count, maxAgeMs) => {
      const { connection, unit, clock } = this.options;
      return connection.cache.lookup(unit, fc, address, count, maxAgeMs, clock.monotonicMs())?.values;
    },
    read: (fc, address, count) =>
      this.forward((signal) =>
        this.options.connection.readRegisters({ fc, unit: this.options.unit, address, count }, signal, true),
      ),
    write: (fc, address, values) =>
      this.forward((signal) =>
        this.options.connection.writeRegisters(
          { fc, unit: this.options.unit, address, values },
          signal,
          true,
        ),
      ),
  };

  /** Runs a low-priority request with a deadline, re-checking the gate while it waits. */
  private async forward<T>(run: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const { clock, device } = this.options;
    const timeoutMs = this.options.forwardTimeoutMs ?? 3000;
    const controller = new AbortController();
    const timer = clock.setTimer(`proxy-deadline:${device}`, timeoutMs, () =>
      controller.abort(new TimeoutError(`${device} proxy: no answer within ${timeoutMs} ms`, { device })),
    );
    this.waiting++;
    this.armKick();
    try {
      return await run(controller.signal);
    } finally {
      this.waiting--;
      timer.cancel();
    }
  }

  /** The queue starts low-priority work after each sampling read; this covers pauses in sampling. */
  private armKick(): void {
    if (this.kickTimer || this.waiting === 0) return;
    this.kickTimer = this.options.clock.setTimer(`proxy-kick:${this.options.device}`, KICK_MS, () => {
      this.kickTimer = undefined;
      if (this.options.mayForward()) this.options.connection.kickLowPriority();
      this.armKick();
    });
  }
}
