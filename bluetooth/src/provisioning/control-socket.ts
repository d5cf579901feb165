/**
 * Local control of a running egw-ble: a small HTTP server on a Unix socket in the data directory
 * (mode 0600: only the gateway's user on this box can reach it — no port, nothing on the network).
 * `egw-ble open-window` posts here; the gateway reads /status and relays the `ble` part of
 * /api/logger to /logger.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import { chmod, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { EgwError } from '../../../server/src/core/errors.ts';
import type { LogLevels } from '../../../server/src/core/log-levels.ts';
import type { Logger } from '../../../server/src/core/logger.ts';
import type { ProvisioningWindow } from './provisioning-window.ts';
import { parseLoggerBody } from './logger-body.ts';

/** Name of the control socket in the data directory. */
export const CONTROL_SOCKET_FILE = 'egw-ble.sock';

/** The socket path for a data directory. */
export function controlSocketPath(dataDir: string): string {
  return join(dataDir, CONTROL_SOCKET_FILE);
}

/** What the control socket serves. */
export interface ControlSocketOptions {
  window: ProvisioningWindow;
  status: () => object;
  /** egw-ble's run-time log levels (GET/POST /logger); without them /logger is not a route. */
  logLevels?: LogLevels;
  logger?: Logger;
}

/** Serves POST /open-window, POST /close-window, GET /status and GET/POST /logger on the Unix socket. */
export async function startControlSocket(path: string, options: ControlSocketOptions): Promise<Server> {
  const { window, status, logLevels, logger } = options;
  // The whole process is the gateway's `ble` part: one override matching every logger (no area, no device).
  const levels = () => ({ configured: logLevels?.configured, overrides: logLevels?.list() ?? [] });
  const server = createServer((req, res) => {
    const reply = (code: number, value: unknown): void => {
      res.writeHead(code, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    logger?.debug({ method: req.method, url: req.url }, 'control request');
    if (req.method === 'POST' && req.url === '/open-window') return reply(200, window.open('local-command'));
    if (req.method === 'POST' && req.url === '/close-window') return reply(200, window.close());
    if (req.method === 'GET' && req.url === '/status')
      return reply(200, { ...status(), window: window.state() });
    if (logLevels && req.method === 'GET' && req.url === '/logger') return reply(200, levels());
    if (logLevels && req.method === 'POST' && req.url === '/logger') {
      void readBody(req).then((text) => {
        const body = parseLoggerBody(text);
        if ('error' in body) return reply(400, { error: body.error });
        if (body.level === 'default') logLevels.reset({});
        else logLevels.set({}, body.level, body.durationMs);
        logger?.info({ to: body.level, durationMs: body.durationMs }, 'log level changed by the gateway');
        reply(200, levels());
      });
      return;
    }
    reply(404, { error: { code: 'not_found', message: `${req.method} ${req.url} is not a control route` } });
  });
  // A socket file left by a crashed run would make listen() fail with EADDRINUSE, so it is removed —
  // but only when nobody answers on it: a second egw-ble on the same data directory must not take
  // over the first one's socket (both would then fight over the adapter).
  if (await answers(path)) {
    throw new EgwError(
      'ble_already_running',
      `${path}: another egw-ble is running on this data directory; stop it first (one per box)`,
      { where: { file: path } },
    );
  }
  await rm(path, { force: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  await chmod(path, 0o600);
  return server;
}

/** The request body as text (control requests are tiny; a local peer only). */
async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Whether an egw-ble answers on the socket at `path`. */
async function answers(path: string): Promise<boolean> {
  try {
    await controlRequest(path, 'GET', '/status');
    return true;
  } catch {
    return false;
  }
}

/** Sends one control request to a running egw-ble; rejects when none listens there. */
export function controlRequest(path: string, method: string, route: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ socketPath: path, method, path: route }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        } catch (error) {
          reject(error as Error);
        }
      });
    });
    req.on('error', reject);
    req.end();
  });
}
