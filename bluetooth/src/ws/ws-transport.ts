/**
 * The WebSocket transport: one binary (or text) message from the client is one write, one message
 * back is one response frame (what BLE would set as value and notify). Runs the same EGWTTP
 * connections as the GATT service, so tests and the installer page exercise the whole path without
 * Bluetooth. Sockets never linger: a connection is closed after a 408 (its request timed out),
 * after idleTimeoutMs without a message, and beyond maxConnections a new client is turned away; a
 * client that does not complete the close handshake is cut off CLOSE_GRACE_MS later.
 */
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Clock, Timer } from '../../../server/src/core/clock.ts';
import type { Logger } from '../../../server/src/core/logger.ts';
import type { FrameConnection, OpenConnection } from '../gatt/egw-gatt-service.ts';

export interface WsTransportOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  open: OpenConnection;
  logger: Logger;
  /** Largest accepted message, bytes (a write is never larger than one frame; default 4 KiB). */
  maxMessageBytes?: number;
  clock: Clock;
  /** A client silent this long is disconnected, ms (default 120 s). */
  idleTimeoutMs?: number;
  /** Clients at once (default 16); more are turned away with close code 1013. */
  maxConnections?: number;
}

/** After close(), a client has this long to answer the close handshake before the socket is cut, ms. */
export const CLOSE_GRACE_MS = 1000;
const TIMEOUT_FRAME = Buffer.from('EGWTTP/1.1 408 ');

/** A listening WebSocket transport. */
export class WsTransport {
  private server?: WebSocketServer;
  private nextId = 1;
  private readonly options: WsTransportOptions;
  private readonly sockets = new Set<WebSocket>();

  constructor(options: WsTransportOptions) {
    this.options = options;
  }

  /** Starts listening; resolves the bound port. */
  async start(): Promise<number> {
    const server = new WebSocketServer({
      host: this.options.host,
      port: this.options.port,
      maxPayload: this.options.maxMessageBytes ?? 4096,
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', reject);
    });
    server.on('connection', (socket) => this.accept(socket));
    return (server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.terminate();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Clients connected now. */
  get clientCount(): number {
    return this.sockets.size;
  }

  /** Closes with `code`, and cuts the socket if the client does not finish the handshake in time. */
  private shut(socket: WebSocket, code: number, reason: string): void {
    if (socket.readyState === socket.CLOSED) return;
    socket.close(code, reason);
    const cut = this.options.clock.setTimer('ws-close-grace', CLOSE_GRACE_MS, () => socket.terminate());
    socket.once('close', () => cut.cancel());
  }

  private accept(socket: WebSocket): void {
    if (this.sockets.size >= (this.options.maxConnections ?? 16)) {
      this.shut(socket, 1013, 'too many clients');
      return;
    }
    const id = `ws:${this.nextId++}`;
    this.sockets.add(socket);
    const idleMs = this.options.idleTimeoutMs ?? 120_000;
    let idle: Timer | undefined;
    const armIdle = (): void => {
      idle?.cancel();
      idle = this.options.clock.setTimer(`ws-idle:${id}`, idleMs, () => this.shut(socket, 1001, 'idle'));
    };
    armIdle();
    const connection: FrameConnection = this.options.open(id, (frame) => {
      if (socket.readyState !== socket.OPEN) return;
      socket.send(frame);
      // A request that timed out ends the connection: a client that stalled once is not kept.
      if (frame.subarray(0, TIMEOUT_FRAME.length).equals(TIMEOUT_FRAME))
        this.shut(socket, 1008, 'request timeout');
    });
    // Messages are handled one after another so a request's writes stay in order.
    let queue = Promise.resolve();
    socket.on('message', (data: Buffer | ArrayBuffer | Buffer[]) => {
      armIdle();
      const chunk = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      queue = queue.then(() => connection.write(chunk)).catch(() => undefined);
    });
    socket.on('close', () => {
      idle?.cancel();
      this.sockets.delete(socket);
      connection.close();
    });
    socket.on('error', (error) => this.options.logger.debug({ err: error, id }, 'WebSocket client error'));
  }
}
