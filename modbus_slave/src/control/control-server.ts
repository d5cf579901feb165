/**
 * The simulator's HTTP control API (JSON): GET /devices, /stats, /faults, /devices/:id/values;
 * POST /devices/:id/faults (patch), DELETE /devices/:id/faults, POST /devices/:id/drop,
 * POST /devices/:id/reboot {downMs}. Loopback by default; it is a test tool, without auth.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EgwError, NotFoundError, ValidationError } from '../../../server/src/core/errors.ts';
import type { RunningSimulator } from '../simulator.ts';
import { faultReport, parseFaultPatch } from './control-commands.ts';

/** A listening control server. */
export interface ControlServer {
  port: number;
  close(): Promise<void>;
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > 65_536) throw new ValidationError('body larger than 64 KiB', '(body)');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new ValidationError('body is not JSON', '(body)');
  }
}

async function route(
  sim: RunningSimulator,
  method: string,
  path: string,
  request: IncomingMessage,
): Promise<unknown> {
  if (method === 'GET' && path === '/devices') return sim.devices;
  if (method === 'GET' && path === '/stats') return sim.stats();
  if (method === 'GET' && path === '/faults') return faultReport(sim);
  const match = /^\/devices\/([^/]+)\/(faults|drop|reboot|values)$/.exec(path);
  if (!match) throw new NotFoundError(`${method} ${path}: no such route`);
  const id = decodeURIComponent(match[1]!);
  if (!sim.devices.some((d) => d.id === id)) throw new NotFoundError(`device "${id}" is not simulated here`);
  const faults = sim.faults(id);
  const action = `${method} ${match[2]}`;
  switch (action) {
    case 'GET faults':
      return { active: faults.spec(), counts: faults.counts(), total: faults.total() };
    case 'POST faults':
      return { active: faults.set(parseFaultPatch(await readJson(request))) };
    case 'DELETE faults':
      faults.clear();
      return { active: faults.spec() };
    case 'POST drop':
      faults.dropConnections();
      return { ok: true };
    case 'POST reboot': {
      const body = (await readJson(request)) as { downMs?: unknown };
      if (body.downMs !== undefined && (typeof body.downMs !== 'number' || body.downMs < 0)) {
        throw new ValidationError('downMs must be a number ≥ 0', 'downMs');
      }
      faults.reboot(body.downMs as number | undefined);
      return { ok: true };
    }
    case 'GET values':
      return sim.values(id);
    default:
      throw new NotFoundError(`${method} ${path}: no such route`);
  }
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

/** Starts the control API for a running simulator. */
export async function startControlServer(
  sim: RunningSimulator,
  options: { port: number; host?: string },
): Promise<ControlServer> {
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    route(sim, request.method ?? 'GET', path, request).then(
      (body) => send(response, 200, body),
      (error: unknown) => {
        const status = error instanceof EgwError ? error.status : 500;
        const code = error instanceof EgwError ? error.code : 'internal';
        const message = error instanceof Error ? error.message : String(error);
        send(response, status, { error: { code, message } });
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
