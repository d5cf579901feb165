/**
 * HTTP ingest uplink: POSTs each batch's JWT to the ingest URL (`Content-Type: application/jwt`,
 * `Idempotency-Key: <serial>-<seq>`); a 2xx answer acknowledges, anything else — another status, a
 * reset, no answer within timeoutMs — rejects and the dispatcher retries. Keep-alive connections.
 */
import http from 'node:http';
import https from 'node:https';
import type { Clock } from '../../core/clock.ts';
import { maskUrlCredentials } from '../../config/redact-secrets.ts';
import { TimeoutError, TransportError } from '../../core/errors.ts';
import type { BatchRecord } from '../../outbox/batch-record.ts';
import type { Uplink } from '../uplink.ts';

export interface HttpUplinkOptions {
  /** Ingest endpoint (http: or https:). */
  url: string;
  /** Whole-request deadline, ms (config ingest.timeoutMs). */
  timeoutMs: number;
  clock: Clock;
  /** Gateway serial, for the idempotency key (falls back to the batch header's `device`). */
  serial?: string;
  /** Parallel keep-alive connections (match the dispatcher window; default 8). */
  maxSockets?: number;
  /** Extra request headers (e.g. an Authorization for the backend). */
  headers?: Record<string, string>;
}

/** Answer body bytes kept for an error message. */
const ERROR_BODY_BYTES = 200;

/** The HTTP ingest uplink ("http"). */
export class HttpUplink implements Uplink {
  readonly name = 'http';
  private readonly url: URL;
  private readonly agent: http.Agent;
  private readonly options: HttpUplinkOptions;

  constructor(options: HttpUplinkOptions) {
    this.options = options;
    this.url = new URL(options.url);
    if (this.url.protocol !== 'http:' && this.url.protocol !== 'https:') {
      throw new TransportError(`ingest.url ${maskUrlCredentials(options.url)}: must be http: or https:`, {
        key: 'ingest.url',
      });
    }
    const AgentClass = this.url.protocol === 'https:' ? https.Agent : http.Agent;
    this.agent = new AgentClass({ keepAlive: true, maxSockets: options.maxSockets ?? 8 });
  }

  async start(): Promise<void> {}

  /** Closes the idle keep-alive connections. */
  async stop(): Promise<void> {
    this.agent.destroy();
  }

  /** The Idempotency-Key header of a batch. */
  idempotencyKey(batch: BatchRecord): string {
    const serial = this.options.serial ?? String(batch.header.device ?? 'unknown');
    return `${serial}-${batch.seq}`;
  }

  /** Resolves on a 2xx answer; rejects with TransportError or TimeoutError otherwise. */
  deliver(batch: BatchRecord, signal?: AbortSignal): Promise<void> {
    return this.post(batch, signal);
  }

  private post(batch: BatchRecord, signal?: AbortSignal): Promise<void> {
    const body = Buffer.from(batch.jwt, 'ascii');
    const where = { key: 'ingest.url' };
    const target = `${this.url.origin}${this.url.pathname}`;
    const request = this.url.protocol === 'https:' ? https.request : http.request;
    return new Promise<void>((resolve, reject) => {
      let done = false;
      const finish = (error?: Error): void => {
        if (done) return;
        done = true;
        timer.cancel();
        signal?.removeEventListener('abort', onAbort);
        if (error) {
          req.destroy();
          reject(error);
        } else resolve();
      };
      const req = request(this.url, {
        method: 'POST',
        agent: this.agent,
        headers: {
          ...this.options.headers,
          'Content-Type': 'application/jwt',
          'Content-Length': body.length,
          'Idempotency-Key': this.idempotencyKey(batch),
        },
      });
      const timer = this.options.clock.setTimer(
        `http-uplink-timeout-${batch.seq}`,
        this.options.timeoutMs,
        () =>
          finish(
            new TimeoutError(
              `POST ${target} seq ${batch.seq}: no answer within ${this.options.timeoutMs} ms`,
              where,
            ),
          ),
      );
      const onAbort = (): void =>
        finish(new TransportError(`POST ${target} seq ${batch.seq}: aborted`, where));
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      req.on('error', (error) =>
        finish(new TransportError(`POST ${target} seq ${batch.seq}: ${error.message}`, where, error)),
      );
      req.on('response', (res) => {
        const status = res.statusCode ?? 0;
        const chunks: Buffer[] = [];
        let kept = 0;
        res.on('data', (chunk: Buffer) => {
          // Read the whole answer so the keep-alive connection can be reused; keep only its start.
          if (kept < ERROR_BODY_BYTES) chunks.push(chunk);
          kept += chunk.length;
        });
        res.on('error', (error) =>
          finish(new TransportError(`POST ${target} seq ${batch.seq}: ${error.message}`, where, error)),
        );
        res.on('end', () => {
          if (status >= 200 && status < 300) return finish();
          const text = Buffer.concat(chunks).toString('utf8').slice(0, ERROR_BODY_BYTES).replace(/\s+/g, ' ');
          finish(new TransportError(`POST ${target} seq ${batch.seq}: HTTP ${status} ${text}`.trim(), where));
        });
      });
      req.end(body);
    });
  }

  /** HEAD on the ingest URL: any answer below 500 means the receiver is back (see Uplink.probe). */
  probe(signal?: AbortSignal): Promise<boolean> {
    const request = this.url.protocol === 'https:' ? https.request : http.request;
    return new Promise((resolve) => {
      let done = false;
      const finish = (answers: boolean): void => {
        if (done) return;
        done = true;
        timer.cancel();
        req.destroy();
        resolve(answers);
      };
      const req = request(this.url, { method: 'HEAD', agent: this.agent });
      const timer = this.options.clock.setTimer('http-uplink-probe', this.options.timeoutMs, () =>
        finish(false),
      );
      if (signal?.aborted) return finish(false);
      signal?.addEventListener('abort', () => finish(false), { once: true });
      req.on('error', () => finish(false));
      req.on('response', (res) => {
        res.resume();
        finish((res.statusCode ?? 0) < 500);
      });
      req.end();
    });
  }
}
