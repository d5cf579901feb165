/**
 * The web API module: serves the API and the dashboard on the configured host and port. Started last
 * and stopped first, so no API call (a device added, a setting changed) arrives while the rest drains.
 */
import type { Feature } from '../core/feature.ts';
import { startApiServer, type ApiServer } from './create-api.ts';
import type { GatewayServices } from './gateway-port.ts';

/** Where and how to serve: startApiServer's options. */
export type ApiFeatureOptions = Parameters<typeof startApiServer>[1];

export class ApiFeature implements Feature {
  readonly name = 'api';
  private readonly services: GatewayServices;
  private readonly options: ApiFeatureOptions;
  private server: ApiServer | undefined;

  constructor(services: GatewayServices, options: ApiFeatureOptions) {
    this.services = services;
    this.options = options;
  }

  /** The port the API listens on (undefined before start). */
  get port(): number | undefined {
    return this.server?.port;
  }

  /** The running server: its app and route table serve requests run in process (after start). */
  get running(): ApiServer | undefined {
    return this.server;
  }

  async start(): Promise<void> {
    this.server = await startApiServer(this.services, this.options);
  }

  async stop(): Promise<void> {
    await this.server?.close();
    this.server = undefined;
  }
}
