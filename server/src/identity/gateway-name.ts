/**
 * The gateway's human name: asked from the backend (GraphQL `gatewayConfiguration(serial)`, as the
 * original firmware did) with a short timeout and cached; otherwise derived from the serial. A failed
 * backend is not asked again for retryMs, so /api/name stays fast while the box is offline.
 */
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import { NotFoundError, TimeoutError, TransportError, describeError } from '../core/errors.ts';
import { deriveName } from './derive-name.ts';

export interface GatewayNameOptions {
  serial: string;
  clock: Clock;
  logger: Logger;
  /** Backend GraphQL endpoint (config backend.graphqlUrl); absent → always derived. */
  graphqlUrl?: string;
  /** Give up on the backend after this long, ms (default 2000). */
  timeoutMs?: number;
  /** After a failure, use the derived name for this long before asking again, ms (default 60 000). */
  retryMs?: number;
  /** Injected for tests; defaults to the global fetch. */
  fetchFn?: typeof fetch;
}

/** The name and where it came from. */
export interface GatewayNameResult {
  name: string;
  source: 'backend' | 'derived';
  serial: string;
}

/** GraphQL query sent to the backend; the serial is a variable, never spliced into the text. */
export const GATEWAY_NAME_QUERY =
  'query GatewayName($serial: String!) { gatewayConfiguration(serial: $serial) { name } }';

/** Resolves and caches the gateway name. */
export class GatewayName {
  private cached?: string;
  private nextTryMs = 0;
  private readonly options: GatewayNameOptions;
  private inFlight?: Promise<string | undefined>;

  constructor(options: GatewayNameOptions) {
    this.options = options;
  }

  /** The name derived from the serial (no I/O). */
  derived(): string {
    return deriveName(this.options.serial);
  }

  /** The best name known without waiting: the cached backend name or the derived one. */
  current(): GatewayNameResult {
    const { serial } = this.options;
    if (this.cached) return { name: this.cached, source: 'backend', serial };
    return { name: this.derived(), source: 'derived', serial };
  }

  /** Asks the backend when configured and not recently failed; falls back to the derived name. */
  async resolve(): Promise<GatewayNameResult> {
    const { graphqlUrl, clock } = this.options;
    if (!this.cached && graphqlUrl && clock.monotonicMs() >= this.nextTryMs) {
      this.inFlight ??= this.ask(graphqlUrl).finally(() => (this.inFlight = undefined));
      const name = await this.inFlight;
      if (name) this.cached = name;
    }
    return this.current();
  }

  private async ask(url: string): Promise<string | undefined> {
    const { clock, logger, serial } = this.options;
    const controller = new AbortController();
    const timer = clock.setTimer('gateway-name-timeout', this.options.timeoutMs ?? 2000, () =>
      controller.abort(new TimeoutError('backend did not answer in time', { key: 'backend.graphqlUrl' })),
    );
    try {
      const response = await (this.options.fetchFn ?? fetch)(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ query: GATEWAY_NAME_QUERY, variables: { serial } }),
        signal: controller.signal,
      });
      if (!response.ok)
        throw new TransportError(`backend answered HTTP ${response.status}`, { key: 'backend.graphqlUrl' });
      const json = (await response.json()) as { data?: { gatewayConfiguration?: { name?: unknown } | null } };
      const name = json.data?.gatewayConfiguration?.name;
      if (typeof name !== 'string' || name.trim() === '')
        throw new NotFoundError('backend has no name for this serial', { key: 'backend.graphqlUrl' });
      return name.trim().slice(0, 100);
    } catch (error) {
      this.nextTryMs = clock.monotonicMs() + (this.options.retryMs ?? 60_000);
      logger.info(
        { url },
        `gateway name: backend not used (${describeError(error)}); using the derived name`,
      );
      return undefined;
    } finally {
      timer.cancel();
    }
  }
}
