/**
 * Fans bus events out to SSE clients: readings, frequency samples (throttled per client), device and
 * uplink state changes, new batches, device-list changes and the gateway's state (also sent first to
 * every new client). Subscribes to the bus while it has clients,
 * sends a heartbeat comment every heartbeatMs.
 */
import type { Context } from 'koa';
import type { Clock, Timer } from '../../core/clock.ts';
import type { EventBus } from '../../core/event-bus.ts';
import type { Logger } from '../../core/logger.ts';
import { SseClient, sseFrame, type SseSink } from './sse-client.ts';

export interface EventStreamOptions {
  bus: EventBus;
  clock: Clock;
  logger: Logger;
  /** Heartbeat comment period, ms (default 15 000). */
  heartbeatMs?: number;
  /** Per-client unsent-bytes bound (default 256 KiB). */
  maxBufferedBytes?: number;
  /** Most simultaneous clients; more are refused with 503 and Retry-After (default 64). */
  maxClients?: number;
  /** Events every new client gets first (the gateway's current state). */
  greeting?: () => { event: string; data: unknown }[];
}

/** The live-event hub behind GET /api/events. */
export class EventStream {
  private readonly clients = new Set<SseClient>();
  private unsubscribe: (() => void)[] = [];
  private heartbeat?: Timer;
  /** Clients dropped for being slow, since start. */
  private readonly options: EventStreamOptions;
  dropped = 0;

  constructor(options: EventStreamOptions) {
    this.options = options;
  }

  get clientCount(): number {
    return this.clients.size;
  }

  private subscribe(): void {
    const { bus } = this.options;
    // Each event is serialised once, however many clients receive it.
    const toAll = (event: string, data: unknown): void => {
      const frame = sseFrame(event, data);
      this.broadcast((c) => c.sendFrame(frame));
    };
    this.unsubscribe = [
      bus.on('reading', (r) => toAll('reading', r)),
      bus.on('frequency', (s) => {
        let frame: string | undefined;
        const once = (): string => (frame ??= sseFrame('frequency', s));
        this.broadcast((c) => c.sendFrequency(s, once));
      }),
      bus.on('device-state', (s) => toAll('device-state', s)),
      bus.on('uplink-state', (s) => toAll('uplink-state', s)),
      bus.on('batch', (b) => toAll('batch', { seq: b.seq, harvests: b.harvests })),
      bus.on('devices-changed', (d) => toAll('devices-changed', d)),
      bus.on('gateway-state', (s) => toAll('state', s)),
    ];
    this.armHeartbeat();
  }

  private armHeartbeat(): void {
    this.heartbeat = this.options.clock.setTimer('sse-heartbeat', this.options.heartbeatMs ?? 15_000, () => {
      this.broadcast((c) => c.comment('heartbeat'));
      if (this.clients.size > 0) this.armHeartbeat();
    });
  }

  private broadcast(fn: (client: SseClient) => void): void {
    for (const client of this.clients) {
      fn(client);
      if (client.closed) this.remove(client);
    }
  }

  private remove(client: SseClient): void {
    if (!this.clients.delete(client)) return;
    if (this.clients.size === 0) {
      this.unsubscribe.forEach((off) => off());
      this.unsubscribe = [];
      this.heartbeat?.cancel();
      this.heartbeat = undefined;
    }
  }

  /** Adds a subscriber writing to sink; returns it (and a detach function for when its socket closes). */
  add(sink: SseSink, frequencyPerS: number): { client: SseClient; detach: () => void } {
    const client = new SseClient(sink, {
      clock: this.options.clock,
      maxBufferedBytes: this.options.maxBufferedBytes,
      frequencyPerS,
      onDrop: () => {
        this.dropped += 1;
        this.options.logger.info('live events: dropped a client that stopped reading');
      },
    });
    if (this.clients.size === 0) this.subscribe();
    this.clients.add(client);
    return {
      client,
      detach: () => {
        client.close();
        this.remove(client);
      },
    };
  }

  /**
   * Whether one more client fits. When all slots are taken, the oldest client with unsent bytes (it
   * is not reading what it gets) is ended to make room: 64 clients that never read must not lock the
   * dashboard out. Only when every client keeps up is the new one refused.
   */
  admit(): boolean {
    if (this.clients.size < (this.options.maxClients ?? 64)) return true;
    const stalled = [...this.clients].find((client) => client.unsentBytes > 0);
    if (!stalled) return false;
    stalled.end();
    this.remove(stalled);
    this.dropped += 1;
    this.options.logger.info('live events: ended the oldest client that was not reading, to admit a new one');
    return true;
  }

  /** Takes over the Koa response and streams events to it until the client goes away. */
  attach(ctx: Context, frequencyPerS: number): void {
    if (!this.admit()) {
      ctx.status = 503;
      ctx.set('Retry-After', '10');
      ctx.body = {
        error: { code: 'too_many_clients', message: 'events: too many live clients', field: 'request' },
      };
      return;
    }
    ctx.respond = false;
    const { req, res } = ctx;
    req.socket.setNoDelay(true);
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.write('retry: 2000\n\n');
    for (const { event, data } of this.options.greeting?.() ?? []) res.write(sseFrame(event, data));
    const { detach } = this.add(res, frequencyPerS);
    res.on('close', detach);
  }

  /** Ends every stream (server shutdown). */
  close(): void {
    for (const client of [...this.clients]) {
      client.end();
      this.remove(client);
    }
  }
}
