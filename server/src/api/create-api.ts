/**
 * The web API: a Koa 3 app over GatewayServices. createApiApp builds it (for tests and for embedding);
 * startApiServer listens and hardens the HTTP server (timeouts, malformed-request answers in the same
 * JSON error shape).
 */
import { existsSync, readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chmod, rm } from 'node:fs/promises';
import Koa from 'koa';
import Router from '@koa/router';
import type { GatewayServices } from './gateway-port.ts';
import { answerClientError } from './answer-client-error.ts';
import { AuthRateLimiter, type AuthRateLimitOptions } from './auth-rate-limiter.ts';
import { cors } from './cors.ts';
import { errorHandler } from './error-handler.ts';
import type { GatewayMetrics } from '../observability/metrics.ts';
import { LoadShedder, type LoadSheddingOptions } from './load-shedder.ts';
import { loadShedding } from './load-shedding.ts';
import { ExpensiveRouteLimiter, expensiveRouteLimit, type ExpensiveLimits } from './expensive-route-limit.ts';
import { GatewayName } from '../identity/gateway-name.ts';
import { buildOpenApi } from './openapi.ts';
import { methodNotAllowed, registerRoutes } from './register-routes.ts';
import type { AnyRoute } from './route-spec.ts';
import type { OpenApiDocument } from './responses/docs-responses.ts';
import type { RouteDeps } from './route-deps.ts';
import { dashboardRoutes } from './routes/dashboard.ts';
import { deviceRoutes } from './routes/devices.ts';
import { docsRoutes, SWAGGER_INIT_JS } from './routes/docs.ts';
import { eventRoutes } from './routes/events.ts';
import { loggerRoutes } from './routes/logger.ts';
import { notificationRoutes } from './routes/notifications.ts';
import { initializeRoutes } from './routes/initialize.ts';
import { settingsRoutes } from './routes/settings.ts';
import { systemRoutes } from './routes/system.ts';
import { telemetryRoutes } from './routes/telemetry.ts';
import { wifiRoutes } from './routes/wifi.ts';
import { EventStream } from './sse/event-stream.ts';
import { staticFiles, type StaticMap } from './static-files.ts';

export interface ApiOptions {
  /** Largest accepted request body (config http.bodyLimitBytes, default 65 536). */
  bodyLimitBytes: number;
  /** Origins allowed by CORS (config http.corsOrigins; default none). */
  corsOrigins: string[];
  /** Folder of the dashboard (index.html, dashboard.js, …); default client/dashboard of this checkout. */
  staticDir?: string;
  metrics: GatewayMetrics;
  /** Backend GraphQL endpoint asked for the gateway name (config backend.graphqlUrl). */
  backendGraphqlUrl?: string;
  /** Timeout of the backend name query, ms (default 2000). */
  nameTimeoutMs?: number;
  /** Failed-token limit per address (default 10 per 60 s). */
  authRateLimit?: AuthRateLimitOptions;
  /** When heavy reads are refused so sampling keeps its cadence (config http.shedding; see load-shedder.ts). */
  shedding?: LoadSheddingOptions;
  /** Server timeouts (tests shorten them); default DEFAULT_HTTP_TIMEOUTS. */
  timeouts?: Partial<HttpTimeouts>;
  /** Expensive reads in flight per client and in all (default 2 and 8; see expensive-route-limit.ts). */
  expensiveLimits?: ExpensiveLimits;
  /** Live events: heartbeat period, per-client unsent-bytes bound, client limit. */
  events?: { heartbeatMs?: number; maxBufferedBytes?: number; maxClients?: number };
}

/** Server timeouts, ms: a whole request, its headers, how often they are checked, a silent socket. */
export interface HttpTimeouts {
  requestMs: number;
  headersMs: number;
  checkIntervalMs: number;
  idleSocketMs: number;
}

/** The production timeouts. */
export const DEFAULT_HTTP_TIMEOUTS: HttpTimeouts = {
  requestMs: 30_000,
  headersMs: 15_000,
  checkIntervalMs: 5_000,
  idleSocketMs: 120_000,
};

/** The app plus what its server needs to shut down cleanly. */
export interface BuiltApi {
  app: Koa;
  routes: AnyRoute[];
  events: EventStream;
  shedder: LoadShedder;
  /** Detaches the app from the metrics' task reports; call when the app is discarded. */
  close(): void;
}

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..', '..');
const STATIC_EXTENSIONS = /\.(js|mjs|css|png|svg|json|html)$/;

function assetMap(dashboardDir: string): StaticMap {
  const map: StaticMap = {};
  for (const name of existsSync(dashboardDir) ? readdirSync(dashboardDir) : []) {
    if (STATIC_EXTENSIONS.test(name) && name !== 'index.html') map[`/${name}`] = join(dashboardDir, name);
  }
  // Resolved as Node resolves imports, so a hoisted, nested or workspace install serves the same files.
  const uplot = dirname(fileURLToPath(import.meta.resolve('uplot/dist/uPlot.esm.js')));
  map['/vendor/uplot/uPlot.esm.js'] = join(uplot, 'uPlot.esm.js');
  map['/vendor/uplot/uPlot.min.css'] = join(uplot, 'uPlot.min.css');
  // The installer web app (client/installer, importing client/src) is served too, so a phone on the
  // box's network can use it over plain HTTP without installing anything.
  // Every file of the folder: a list by name had missed installer.css and profiles.js (generated), so
  // the page the box served could not load its module and offered no profile at all.
  const client = join(ROOT, 'client');
  const installerDir = join(client, 'installer');
  map['/installer/'] = join(installerDir, 'index.html');
  for (const name of existsSync(installerDir) ? readdirSync(installerDir) : []) {
    if (STATIC_EXTENSIONS.test(name)) map[`/installer/${name}`] = join(installerDir, name);
  }
  map['/src/api-client.js'] = join(client, 'src', 'api-client.js');
  map['/src/egwttp.js'] = join(client, 'src', 'egwttp.js');
  const swagger = dirname(fileURLToPath(import.meta.resolve('swagger-ui-dist/package.json')));
  for (const file of ['swagger-ui.css', 'swagger-ui-bundle.js', 'favicon-32x32.png']) {
    map[`/docs/${file}`] = join(swagger, file);
  }
  return map;
}

/** Builds the app and exposes its route table and event hub. */
export function buildApi(services: GatewayServices, options: ApiOptions): BuiltApi {
  const dashboardDir = options.staticDir ?? join(ROOT, 'client', 'dashboard');
  const logger = services.logger.child({ area: 'api' });
  const events = new EventStream({
    bus: services.bus,
    clock: services.clock,
    logger,
    greeting: () => [{ event: 'state', data: services.state() }],
    ...options.events,
  });
  const name = new GatewayName({
    serial: services.identity.serial,
    clock: services.clock,
    logger,
    graphqlUrl: options.backendGraphqlUrl,
    timeoutMs: options.nameTimeoutMs,
  });
  // Fed by the engine's run reports through the metrics' observer; decides when heavy reads are refused.
  const shedder = new LoadShedder(services.clock, options.shedding);
  options.metrics.taskListeners.add(shedder);
  let openApiDoc: OpenApiDocument | undefined;
  const routes: AnyRoute[] = [];
  const deps: RouteDeps = {
    services,
    name,
    events,
    shedder,
    metrics: options.metrics,
    dashboardDir,
    openApi: () => (openApiDoc ??= buildOpenApi(routes, { version: services.version })),
  };
  for (const group of [
    systemRoutes,
    deviceRoutes,
    telemetryRoutes,
    settingsRoutes,
    notificationRoutes,
    loggerRoutes,
    wifiRoutes,
  ]) {
    routes.push(...group(deps));
  }
  routes.push(...initializeRoutes(deps), ...eventRoutes(deps), ...docsRoutes(deps), ...dashboardRoutes(deps));

  const app = new Koa();
  app.silent = true;
  app.on('error', (error: unknown) => logger.debug({ err: error }, 'http stream error'));
  const router = new Router();
  const limiter = new AuthRateLimiter(
    services.clock,
    options.authRateLimit ?? { maxFailures: 10, windowMs: 60_000 },
  );
  registerRoutes(router, routes, {
    token: () => services.apiToken,
    limiter,
    bodyLimitBytes: options.bodyLimitBytes,
  });
  app.use(errorHandler(logger));
  app.use(async (ctx, next) => {
    ctx.set('X-Content-Type-Options', 'nosniff');
    if (ctx.path.startsWith('/api/')) ctx.set('Cache-Control', 'no-store');
    await next();
  });
  app.use(cors(options.corsOrigins));
  // Before static files and routes, so a refused request costs next to nothing.
  app.use(loadShedding(shedder, services.clock, () => options.metrics.shedRequests.inc()));
  app.use(expensiveRouteLimit(new ExpensiveRouteLimiter(options.expensiveLimits), services.clock));
  app.use(staticFiles(assetMap(dashboardDir)));
  app.use(async (ctx, next) => {
    if (ctx.path !== '/docs/swagger-init.js' || ctx.method !== 'GET') return next();
    ctx.type = 'text/javascript; charset=utf-8';
    ctx.body = SWAGGER_INIT_JS;
  });
  app.use(methodNotAllowed(router));
  app.use(router.routes());
  return {
    app,
    routes,
    events,
    shedder,
    close: () => void options.metrics.taskListeners.delete(shedder),
  };
}

/** Builds the Koa app serving the whole web API and dashboard. */
export function createApiApp(services: GatewayServices, options: ApiOptions): Koa {
  return buildApi(services, options).app;
}

/** A running API server. */
export interface ApiServer {
  /** The port actually bound (useful with port 0). */
  port: number;
  server: Server;
  /** The app, for requests run in process (the cloud control channel, api/in-process-request.ts). */
  app: Koa;
  /** The route table (method, path) the app serves. */
  routes: AnyRoute[];
  /** Ends live-event streams, stops accepting and closes every connection. */
  close(): Promise<void>;
}

/** Starts the API on host:port (port 0 = any free port). */
export async function startApiServer(
  services: GatewayServices,
  options: ApiOptions & {
    host: string;
    port: number;
    /**
     * Also serve the API on this Unix socket (mode 0600), for local services such as egw-ble: their
     * failed-auth bookkeeping is kept apart from loopback TCP, so another local process's bad tokens
     * never lock them out.
     */
    socketPath?: string;
  },
): Promise<ApiServer> {
  const { app, routes, events, close } = buildApi(services, options);
  const local = options.socketPath ? await listenOnSocket(app, options.socketPath) : undefined;
  const timeouts = { ...DEFAULT_HTTP_TIMEOUTS, ...options.timeouts };
  const server = createServer({ connectionsCheckingInterval: timeouts.checkIntervalMs }, app.callback());
  server.requestTimeout = timeouts.requestMs;
  server.headersTimeout = timeouts.headersMs;
  // A socket silent this long is closed (live events send a heartbeat every 15 s, so they stay).
  server.timeout = timeouts.idleSocketMs;
  server.on('clientError', answerClientError);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    // The port is taken: the socket already listening would keep the process alive.
    local?.close();
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  services.logger.child({ area: 'api' }).info({ host: options.host, port }, 'web API listening');
  return {
    port,
    server,
    app,
    routes,
    close: async () => {
      events.close();
      close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      const localClosed = new Promise<void>((resolve) => (local ? local.close(() => resolve()) : resolve()));
      local?.closeAllConnections();
      await Promise.all([closed, localClosed]);
    },
  };
}

/** The API on a Unix socket (owner-only); a stale socket file from a crash is replaced. */
async function listenOnSocket(app: Koa, path: string): Promise<Server> {
  await rm(path, { force: true });
  const server = createServer(app.callback());
  server.on('clientError', answerClientError);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });
  await chmod(path, 0o600);
  return server;
}
