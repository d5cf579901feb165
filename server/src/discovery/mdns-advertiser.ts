/**
 * mDNS / DNS-SD advertisement of the gateway (bonjour-service: publish and browse in one maintained
 * library, on multicast-dns): `_egw._tcp` for `egw scan --mdns` and other gateways, `_http._tcp` so
 * phones and browsers list the dashboard. TXT: serial, version, API port, path. Loaded only when
 * `mdns.enabled` is set.
 */
import { Bonjour } from 'bonjour-service';
import type { Logger } from '../core/logger.ts';

export interface MdnsAdvertiserOptions {
  /** Instance name, e.g. "egw EGW-3F9A12". */
  name: string;
  serial: string;
  version: string;
  /** Port of the web API. */
  httpPort: number;
  logger: Logger;
}

/** The TXT record both services carry. */
export function gatewayTxt(
  options: Pick<MdnsAdvertiserOptions, 'serial' | 'version' | 'httpPort'>,
): Record<string, string> {
  return { serial: options.serial, version: options.version, port: String(options.httpPort), path: '/' };
}

/** Publishes the gateway's services until stop(). */
export class MdnsAdvertiser {
  private readonly options: MdnsAdvertiserOptions;
  private bonjour: Bonjour | undefined;

  constructor(options: MdnsAdvertiserOptions) {
    this.options = options;
  }

  start(): void {
    const { name, httpPort, logger } = this.options;
    const bonjour = new Bonjour({}, (error: unknown) =>
      logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'mdns error'),
    );
    this.bonjour = bonjour;
    const txt = gatewayTxt(this.options);
    for (const type of ['egw', 'http'])
      bonjour.publish({ name, type, port: httpPort, txt, disableIPv6: true });
    logger.info({ name, port: httpPort }, 'advertising _egw._tcp and _http._tcp over mDNS');
  }

  /** Sends goodbyes (TTL 0) and closes the socket. */
  async stop(): Promise<void> {
    const bonjour = this.bonjour;
    this.bonjour = undefined;
    if (!bonjour) return;
    await new Promise<void>((resolve) => bonjour.unpublishAll(() => resolve()));
    await new Promise<void>((resolve) => bonjour.destroy(() => resolve()));
  }
}
