/** What the route groups are built from: the gateway services plus the API's own helpers. */
import type { GatewayServices } from './gateway-port.ts';
import type { LoadShedder } from './load-shedder.ts';
import type { GatewayMetrics } from '../observability/metrics.ts';
import type { GatewayName } from '../identity/gateway-name.ts';
import type { EventStream } from './sse/event-stream.ts';
import type { OpenApiDocument } from './responses/docs-responses.ts';

export interface RouteDeps {
  services: GatewayServices;
  name: GatewayName;
  events: EventStream;
  metrics: GatewayMetrics;
  /** Whether the API is busy / shedding (the stats route caches its body while busy). */
  shedder: LoadShedder;
  /** The OpenAPI document (built once from the full route table). */
  openApi(): OpenApiDocument;
  /** Folder of the dashboard's static files. */
  dashboardDir: string;
}
