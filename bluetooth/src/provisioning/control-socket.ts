/**
 * Local control of a running egw-ble: a small HTTP server on a Unix socket in the data directory
 * (mode 0600: only the gateway's user on this box can reach it — no port, nothing on the network).
 * `egw-ble open-window` posts here.
 */
import { createServer, request as httpRequest, type Server } from 'node:http';
import { chmod, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { EgwError } from '../../../server/src/core/errors.ts';
import type { ProvisioningWindow } from './provisioning-window.ts';

/** Name of the control socket in the data directory. */
export const CONTROL_SOCKET_FILE = 'egw-ble.sock';

/** The socket path for a data directory. */
export function controlSocketPath(dataDir: string): string {
  return join(dataDir, CONTROL_SOCKET_FILE);
}

/** Serves POST /open-window, POST /close-window and GET /status on the Unix socket. */
export async function startControlSocket(
  path: string,
  window: ProvisioningWindow,
  status: () => object,
): Promise<Server> {
  const server = createServer((req, res) => {
    const reply = (code: number, value: unknown): void => {
      res.writeHead(code, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    if (req.method === 'POST' && req.url === '/open-window') return reply(200, window.open('local-command'));
    if (req.method === 'POST' && req.url === '/close-window') return reply(200, window.close());
    if (req.method === 'GET' && req.url === '/status')
      return reply(200, { ...status(), window: window.state() });
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
