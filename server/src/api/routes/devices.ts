/**
 * Devices: list, add (also the original firmware's POST /api/inverter), get, remove, reading,
 * frequency, power.
 */
import type { Context } from 'koa';
import type { z } from 'zod';
import { freeDeviceId } from '../../config/device-id.ts';
import type { ParsedDeviceConfig } from '../../config/schema.ts';
import { NotFoundError } from '../../core/errors.ts';
import type { DeviceInfo, DeviceRegistry } from '../../devices/device-info.ts';
import { defineRoute, type AnyRoute } from '../route-spec.ts';
import type { RouteDeps } from '../route-deps.ts';
import { DeviceBodySchema, DeviceParamsSchema, InverterBodySchema } from '../schemas.ts';
import {
  DeviceCapturesSchema,
  DeviceListSchema,
  DeviceRemovedSchema,
  DeviceViewSchema,
  FrequencySnapshotSchema,
  PowerHistorySchema,
  ReadingSchema,
} from '../responses/device-responses.ts';

/**
 * Names old clients send as `type` that are no profile id, mapped to the profile that reads them. A
 * profile id is kept as sent (lower-cased): "SMA", "SolarEdge" and "Fronius" have their own profiles,
 * with their own unit and port, and are not SunSpec's discovery.
 */
const BRAND_PROFILES: Record<string, string> = {
  kostal: 'sunspec',
  sun2000: 'huawei',
};

/**
 * The API view of a device: its config (with the effective closeBetweenPolls), its state from the
 * outcome of its reads (`state`, `status`; `stats.state` is the socket's), counters and latest
 * reading, marked `stale` past 3 harvest periods without a good one.
 */
export function deviceView(info: DeviceInfo): z.input<typeof DeviceViewSchema> {
  const { status } = info;
  const config =
    info.closeBetweenPolls !== undefined && info.config.type === 'tcp'
      ? { ...info.config, closeBetweenPolls: info.closeBetweenPolls }
      : info.config;
  return {
    id: info.config.id,
    config,
    state: status?.state ?? info.stats.state,
    ...(status ? { status } : {}),
    ...(info.closeBetweenPolls !== undefined ? { closeBetweenPolls: info.closeBetweenPolls } : {}),
    stats: info.stats,
    reading: info.reading && status ? { ...info.reading, stale: status.stale } : info.reading,
  };
}

/** An id for a device added without one: "device-1", "device-2", … (the device-id policy's). */
function freeId(registry: DeviceRegistry): string {
  return freeDeviceId('device', (id) => registry.get(id) !== undefined);
}

function mustGet(registry: DeviceRegistry, id: string): DeviceInfo {
  const info = registry.get(id);
  if (!info) throw new NotFoundError(`device "${id}": no such device`, { field: 'id', device: id });
  return info;
}

/** What `lookup` has for device `id`; a 404 naming the device when there is no such device. */
function ofDevice<T>(registry: DeviceRegistry, id: string, lookup: (id: string) => T | undefined): T {
  const found = lookup(id);
  if (found === undefined) mustGet(registry, id);
  return found as T;
}

async function addDevice(
  ctx: Context,
  registry: DeviceRegistry,
  config: ParsedDeviceConfig,
): Promise<z.input<typeof DeviceViewSchema>> {
  const info = await registry.add(config);
  ctx.set('Location', `/api/devices/${encodeURIComponent(info.config.id)}`);
  return deviceView(info);
}

/** The devices route group. */
export function deviceRoutes({ services }: RouteDeps): AnyRoute[] {
  const registry = services.devices;
  const notFound = { 404: 'no such device' };
  return [
    defineRoute({
      method: 'GET',
      path: '/api/devices',
      operationId: 'listDevices',
      summary: 'configured devices with their connection state and latest reading',
      tag: 'devices',
      response: DeviceListSchema,
      handler: () => ({ devices: registry.list().map(deviceView) }),
    }),
    defineRoute({
      method: 'POST',
      path: '/api/devices',
      operationId: 'addDevice',
      summary: 'add a Modbus TCP or RTU device (persisted); the id is generated when absent',
      tag: 'devices',
      body: DeviceBodySchema,
      response: DeviceViewSchema,
      successStatus: 201,
      handler: (ctx, { body }) => addDevice(ctx, registry, { ...body, id: body.id ?? freeId(registry) }),
    }),
    defineRoute({
      method: 'POST',
      path: '/api/inverter',
      operationId: 'addInverter',
      summary: 'the original firmware’s call {ip, port, type, address}: same as POST /api/devices',
      tag: 'devices',
      body: InverterBodySchema,
      response: DeviceViewSchema,
      successStatus: 201,
      handler: (ctx, { body }) =>
        addDevice(ctx, registry, {
          id: body.id ?? freeId(registry),
          type: 'tcp',
          host: body.ip,
          ...(body.port !== undefined ? { port: body.port } : {}),
          ...(body.address !== undefined ? { unit: body.address } : {}),
          profile: BRAND_PROFILES[body.type.toLowerCase()] ?? body.type.toLowerCase(),
          closeBetweenPolls: false,
        }),
    }),
    defineRoute({
      method: 'GET',
      path: '/api/devices/:id',
      operationId: 'getDevice',
      summary: 'one device',
      tag: 'devices',
      params: DeviceParamsSchema,
      response: DeviceViewSchema,
      errors: notFound,
      handler: (_ctx, { params }) => deviceView(mustGet(registry, params.id as string)),
    }),
    defineRoute({
      method: 'DELETE',
      path: '/api/devices/:id',
      operationId: 'removeDevice',
      summary: 'remove a device (persisted)',
      tag: 'devices',
      params: DeviceParamsSchema,
      response: DeviceRemovedSchema,
      errors: notFound,
      handler: async (_ctx, { params }) => {
        const id = params.id as string;
        if (!(await registry.remove(id))) mustGet(registry, id);
        return { removed: id };
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/api/devices/:id/reading',
      operationId: 'getReading',
      summary: 'latest harvest reading of a device (canonical reading, SI units)',
      tag: 'devices',
      params: DeviceParamsSchema,
      response: ReadingSchema,
      errors: { 404: 'no such device, or no reading yet' },
      handler: (_ctx, { params }) => {
        const info = mustGet(registry, params.id as string);
        if (!info.reading) {
          throw new NotFoundError(`device "${info.config.id}": no reading yet`, {
            field: 'id',
            device: info.config.id,
          });
        }
        return info.status ? { ...info.reading, stale: info.status.stale } : info.reading;
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/api/devices/:id/captures',
      operationId: 'getCaptures',
      summary:
        'raw register blocks of the failed polls (last 20) and of the last good poll, with protocol, unit, ' +
        'profile and time; a file egw-sim --replay serves',
      tag: 'devices',
      params: DeviceParamsSchema,
      response: DeviceCapturesSchema,
      errors: notFound,
      handler: (_ctx, { params }) => ofDevice(registry, params.id as string, (id) => registry.captures(id)),
    }),
    defineRoute({
      method: 'GET',
      path: '/api/devices/:id/power',
      operationId: 'getPower',
      summary:
        'recent power of a device at harvest rate, oldest first ({ts, w}: AC power, or grid power for a ' +
        'meter; the last 600 harvests)',
      tag: 'devices',
      params: DeviceParamsSchema,
      response: PowerHistorySchema,
      errors: notFound,
      handler: (_ctx, { params }) => ofDevice(registry, params.id as string, (id) => registry.power(id)),
    }),
    defineRoute({
      method: 'GET',
      path: '/api/devices/:id/frequency',
      operationId: 'getFrequency',
      summary: 'recent 10 Hz grid-frequency samples of a device and their statistics',
      tag: 'devices',
      params: DeviceParamsSchema,
      response: FrequencySnapshotSchema,
      errors: notFound,
      handler: (_ctx, { params }) => {
        const id = params.id as string;
        const snapshot = registry.frequency(id);
        if (!snapshot) mustGet(registry, id);
        return snapshot ?? { device: id, samples: [], stats: { count: 0 } };
      },
    }),
  ];
}
