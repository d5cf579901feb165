/** What the route groups are built from: the gateway services plus the API's own helpers. */
import type { GatewayServices } from '../gateway/gateway-services.ts';
import type { LoadShedder } from './load-shedder.ts';
import type { ApiMetrics } from './metrics.ts';
import type { GatewayName } from './name/gateway-name.ts';
import type { EventStream } from './sse/event-stream.ts';

export interface RouteDeps {
  services: GatewayServices;
  name: GatewayName;
  events: EventStream;
  metrics: ApiMetrics;
  /** Whether the API is busy / shedding (the stats route caches its body while busy). */
  shedder: LoadShedder;
  /** The OpenAPI document (built once from the full route table). */
  openApi(): Record<string, unknown>;
  /** Folder of the dashboard's static files. */
  dashboardDir: string;
}
