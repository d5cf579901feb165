/**
 * The cloud control channel without its transport: a request JWT in, a signed answer JWT out. Checks
 * run in DESIGN.md's order (control-request.ts); an accepted request runs through the local API's own
 * handlers (the `dispatch` the composition root hands in, with the API token's rights); every outcome,
 * rejections included, is answered with a JWT signed by the device key. Never throws.
 */
import type { KeyObject } from 'node:crypto';
import type { Clock } from '../core/clock.ts';
import { describeError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { GatewayIdentity } from '../identity/gateway-identity.ts';
import { publicKeyInfo } from '../identity/public-key.ts';
import type { NotificationCenter } from '../notifications/notification-center.ts';
import type { ControlAllowList } from './control-allow-list.ts';
import { checkControlRequest } from './control-request.ts';

/** What an in-process API call returns. */
export interface DispatchResult {
  status: number;
  body: unknown;
}

/** Runs one request through the local API's handlers. */
export type ControlDispatch = (request: {
  method: string;
  path: string;
  body?: Record<string, unknown>;
}) => Promise<DispatchResult>;

export interface ControlChannelOptions {
  identity: GatewayIdentity;
  /** Backend public keys, compressed secp256k1 hex (control.publicKeys). */
  publicKeys: readonly string[];
  allow: ControlAllowList;
  dispatch: ControlDispatch;
  claimJti(jti: string, expiresAtMs: number, nowMs: number): boolean;
  /** Why the wall clock is not synchronised, or undefined (notifications/clock-sync.ts). */
  clockProblem(nowMs: number): Promise<string | undefined>;
  notifications: NotificationCenter;
  clock: Clock;
  logger: Logger;
}

/** The signed answer's payload. */
export interface ControlAnswer {
  jti: string | null;
  status: number;
  body: unknown;
  ts: number;
}

/** Checks, runs and answers control requests. */
export class ControlChannel {
  readonly #options: ControlChannelOptions;
  readonly #keys: KeyObject[];

  constructor(options: ControlChannelOptions) {
    this.#options = options;
    this.#keys = options.publicKeys.map((hex) => publicKeyInfo(hex).keyObject);
  }

  /** Handles one raw request (the MQTT payload) and returns the answer JWT. */
  async handle(raw: string): Promise<string> {
    const o = this.#options;
    const nowMs = o.clock.nowMs();
    const clockProblem = await o.clockProblem(nowMs);
    const check = checkControlRequest(raw, {
      serial: o.identity.serial,
      backendKeys: this.#keys,
      allow: o.allow,
      nowMs,
      claimJti: (jti, expiresAtMs) => o.claimJti(jti, expiresAtMs, nowMs),
      ...(clockProblem !== undefined ? { clockProblem } : {}),
    });
    if (!check.ok) {
      if (check.status === 503) {
        o.notifications.raise({
          code: 'clock_unsynchronised',
          message: `the wall clock is not synchronised; control requests are refused (${check.message})`,
        });
      }
      o.logger.warn({ jti: check.jti, status: check.status, code: check.code }, 'control request refused');
      return this.#answer(check.jti, check.status, {
        error: { code: check.code, message: check.message, field: 'request' },
      });
    }
    const { request } = check;
    let result: DispatchResult;
    try {
      result = await o.dispatch({
        method: request.method,
        path: request.path,
        ...(request.body !== undefined ? { body: request.body } : {}),
      });
    } catch (error) {
      o.logger.error({ jti: check.jti, err: describeError(error) }, 'control request failed');
      result = {
        status: 500,
        body: { error: { code: 'internal_error', message: 'internal error', field: 'request' } },
      };
    }
    o.logger.info(
      { jti: check.jti, method: request.method, path: request.path, status: result.status },
      'control request run',
    );
    return this.#answer(check.jti, result.status, result.body);
  }

  /** The answer to a request refused unread because too many wait (429, jti null). */
  busy(): string {
    return this.#answer(null, 429, {
      error: { code: 'busy', message: 'control channel: too many requests waiting', field: 'request' },
    });
  }

  #answer(jti: string | null, status: number, body: unknown): string {
    const o = this.#options;
    const payload: ControlAnswer = { jti, status, body: body ?? null, ts: o.clock.nowMs() };
    return o.identity.signJwt(
      { alg: o.identity.alg ?? 'ES256K', typ: 'JWT', device: o.identity.serial, opr: 'control' },
      payload,
    );
  }
}
