/**
 * The WebSocket transport: one binary (or text) message from the client is one write, one message
 * back is one response frame (what BLE would set as value and notify). Runs the same EGWTTP
 * connections as the GATT service, so tests and the installer page exercise the whole path without
 * Bluetooth.
 */
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
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
}

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

  private accept(socket: WebSocket): void {
    const id = `ws:${this.nextId++}`;
    this.sockets.add(socket);
    const connection: FrameConnection = this.options.open(id, (frame) => {
      if (socket.readyState === socket.OPEN) socket.send(frame);
    });
    // Messages are handled one after another so a request's writes stay in order.
    let queue = Promise.resolve();
    socket.on('message', (data: Buffer | ArrayBuffer | Buffer[]) => {
      const chunk = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      queue = queue.then(() => connection.write(chunk)).catch(() => undefined);
    });
    socket.on('close', () => {
      this.sockets.delete(socket);
      connection.close();
    });
    socket.on('error', (error) => this.options.logger.debug({ err: error, id }, 'WebSocket client error'));
  }
}
