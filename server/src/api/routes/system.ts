/** Liveness, build info, identity and name: GET /api/hello, /api/version, /api/uptime, /api/crypto, /api/name. */
import { defineRoute, type AnyRoute } from '../route-spec.ts';
import type { RouteDeps } from '../route-deps.ts';
import {
  CryptoSchema,
  HelloSchema,
  NameSchema,
  UptimeSchema,
  VersionSchema,
} from '../responses/system-responses.ts';

/** The system route group. */
export function systemRoutes({ services, name }: RouteDeps): AnyRoute[] {
  const { identity, clock } = services;
  return [
    defineRoute({
      method: 'GET',
      path: '/api/hello',
      operationId: 'hello',
      summary: 'liveness check',
      tag: 'system',
      response: HelloSchema,
      handler: () => ({ hello: 'egw' as const, serial: identity.serial }),
    }),
    defineRoute({
      method: 'GET',
      path: '/api/version',
      operationId: 'version',
      summary: 'build information',
      tag: 'system',
      response: VersionSchema,
      handler: () => ({ version: services.version, node: process.version, api: 1 as const }),
    }),
    defineRoute({
      method: 'GET',
      path: '/api/uptime',
      operationId: 'uptime',
      summary: 'time since start; `msek` is the original firmware’s field (ms)',
      tag: 'system',
      response: UptimeSchema,
      handler: () => {
        const uptimeMs = Math.max(0, Math.round(clock.monotonicMs() - services.startedAtMs));
        return { msek: uptimeMs, uptimeMs, startedAt: new Date(clock.nowMs() - uptimeMs).toISOString() };
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/api/crypto',
      operationId: 'crypto',
      summary:
        'the gateway’s public key and serial (with the original firmware’s deviceName and serialNumber)',
      tag: 'system',
      response: CryptoSchema,
      handler: () => ({
        serial: identity.serial,
        publicKey: identity.publicKeyHex,
        publicKeyPem: identity.publicKeyPem,
        jwk: identity.jwk,
        alg: identity.alg ?? 'ES256K',
        deviceName: name.current().name,
        serialNumber: identity.serial,
      }),
    }),
    defineRoute({
      method: 'GET',
      path: '/api/name',
      operationId: 'name',
      summary: 'the gateway’s human name: from the backend when reachable, else derived from the serial',
      tag: 'system',
      response: NameSchema,
      handler: () => name.resolve(),
    }),
  ];
}
