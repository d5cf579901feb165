/**
 * The EGWTTP state of one connection (a BLE central or a WebSocket client): reassembles requests,
 * runs them through the handler, keeps the last response so continuation requests (`Offset: K`) are
 * answered from it — a POST never runs twice — and turns protocol errors into 4xx frames.
 */
import type { Clock, Timer } from '../../../server/src/core/clock.ts';
import { errorResponse, type EgwttpRequest, type EgwttpResponse } from './egwttp-message.ts';
import { DEFAULT_ASSEMBLER_LIMITS, RequestAssembler, type AssemblerLimits } from './request-assembler.ts';
import { buildPage } from './response-pager.ts';

/** Answers one request; must not throw (the connection turns a throw into a 500 anyway). */
export type EgwttpHandler = (request: EgwttpRequest, connectionId: string) => Promise<EgwttpResponse>;

export interface EgwttpConnectionOptions {
  /** Connection id (BLE handle or WS client number), for the handler and timer names. */
  id: string;
  handler: EgwttpHandler;
  clock: Clock;
  /** Delivers one response frame (characteristic value + notification, or one WS message). */
  send: (frame: Buffer) => void;
  frameSizeBytes: number;
  limits?: AssemblerLimits;
  /** An incomplete request is dropped (408) this long after its first write (default 30 s). */
  incompleteTimeoutMs?: number;
  /** The last response is kept this long after its last page was sent (default 120 s; ≥ 60 s). */
  keepResponseMs?: number;
}

/** Per-connection request/response state machine. */
export class EgwttpConnection {
  private readonly assembler: RequestAssembler;
  private kept?: EgwttpResponse;
  private keepTimer?: Timer;
  private incompleteTimer?: Timer;
  private busy = false;
  private readonly options: EgwttpConnectionOptions;
  private closed = false;

  constructor(options: EgwttpConnectionOptions) {
    this.options = options;
    this.assembler = new RequestAssembler(options.limits ?? DEFAULT_ASSEMBLER_LIMITS);
  }

  /** Bytes buffered for an incomplete request (bounded by the limits). */
  bufferedBytes(): number {
    return this.assembler.bufferedBytes();
  }

  /** Feeds one write. Resolves when any response it triggers has been sent. */
  async write(chunk: Uint8Array): Promise<void> {
    if (this.closed) return;
    const result = this.assembler.push(chunk);
    if (result.kind === 'incomplete') {
      if (!this.incompleteTimer) {
        const ms = this.options.incompleteTimeoutMs ?? 30_000;
        this.incompleteTimer = this.options.clock.setTimer(`egwttp-incomplete:${this.options.id}`, ms, () => {
          this.incompleteTimer = undefined;
          this.assembler.reset();
          this.sendPage(
            errorResponse(408, 'request_timeout', `request incomplete after ${ms} ms; send it again`),
            0,
          );
        });
      }
      return;
    }
    this.incompleteTimer?.cancel();
    this.incompleteTimer = undefined;
    if (result.kind === 'error') {
      this.sendPage(errorResponse(result.status, result.code, result.message, result), 0);
      return;
    }
    await this.answer(result.request);
  }

  /** Drops all state (disconnect). */
  close(): void {
    this.closed = true;
    this.incompleteTimer?.cancel();
    this.keepTimer?.cancel();
    this.kept = undefined;
    this.assembler.reset();
  }

  private async answer(request: EgwttpRequest): Promise<void> {
    const where = { method: request.method, path: request.path };
    const offset = request.offset ?? 0;
    if (offset > 0) {
      if (request.body.length > 0) {
        return this.sendPage(
          errorResponse(400, 'continuation_body', 'a continuation carries no body', where),
          0,
        );
      }
      const kept = this.kept;
      if (kept && kept.method === request.method && kept.path === request.path)
        return this.sendKept(kept, offset);
      if (request.method !== 'GET') {
        const msg = `no kept response for ${request.method} ${request.path} (expired or new connection); it is not run again — send it without Offset`;
        return this.sendPage(errorResponse(410, 'response_expired', msg, where), 0);
      }
      // A GET may run again: this is how the original firmware's clients page.
    }
    if (this.busy) {
      return this.sendPage(
        errorResponse(503, 'busy', 'a request is still in progress on this connection', where),
        0,
      );
    }
    this.busy = true;
    let response: EgwttpResponse;
    try {
      response = await this.options.handler(request, this.options.id);
    } catch {
      response = errorResponse(500, 'internal', 'the request failed inside the BLE service', where);
    } finally {
      this.busy = false;
    }
    if (this.closed) return;
    this.kept = { ...response, method: request.method, path: request.path };
    this.sendKept(this.kept, offset);
  }

  private sendKept(kept: EgwttpResponse, offset: number): void {
    if (offset > 0 && offset >= kept.body.length) {
      const msg = `Offset ${offset} is past the body of ${kept.body.length} bytes`;
      return this.sendPage(errorResponse(416, 'bad_offset', msg, kept), 0);
    }
    this.keepTimer?.cancel();
    this.keepTimer = this.options.clock.setTimer(
      `egwttp-keep-response:${this.options.id}`,
      this.options.keepResponseMs ?? 120_000,
      () => {
        this.kept = undefined;
      },
    );
    this.sendPage(kept, offset);
  }

  private sendPage(response: EgwttpResponse, offset: number): void {
    if (this.closed) return;
    this.options.send(buildPage(response, offset, this.options.frameSizeBytes).frame);
  }
}
