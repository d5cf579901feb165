/**
 * The JSON answers' schemas as named OpenAPI components: a shape several answers share (a Reading
 * inside a device view, a device view in four answers) is written once and referenced, and every
 * other JSON answer is `<OperationId>Response`. Built with z.toJSONSchema over a registry of the same
 * zod schemas the handlers' answers are typed against.
 */
import { z } from 'zod';
import { DeviceConfigSchema } from '../config/schema.ts';
import type { AnyRoute } from './route-spec.ts';
import { ErrorResponseSchema } from './schemas.ts';
import {
  DeviceStatsSchema,
  DeviceViewSchema,
  DistributionSchema,
  ReadingSchema,
} from './responses/device-responses.ts';
import {
  LogLevelsSchema,
  NotificationSchema,
  SettingsViewSchema,
  WifiConnectedSchema,
} from './responses/operations-responses.ts';
import { BatchRecordSchema } from './responses/telemetry-responses.ts';
import { RegisterCaptureSchema } from '../profiles/register-capture.ts';

type JsonObject = Record<string, unknown>;

/** Shapes shown once under their name wherever they occur. */
const SHARED: Record<string, z.ZodType> = {
  Error: ErrorResponseSchema,
  Reading: ReadingSchema,
  DeviceConfig: DeviceConfigSchema,
  DeviceStats: DeviceStatsSchema,
  DeviceView: DeviceViewSchema,
  Distribution: DistributionSchema,
  RegisterCapture: RegisterCaptureSchema,
  BatchRecord: BatchRecordSchema,
  Notification: NotificationSchema,
  LogLevels: LogLevelsSchema,
  SettingsView: SettingsViewSchema,
  WifiConnected: WifiConnectedSchema,
};

/** Whether the route answers JSON (text, HTML and event streams keep an inline string schema). */
export function answersJson(route: AnyRoute): boolean {
  return (route.produces ?? 'application/json') === 'application/json';
}

/** The components and, per route, the schema its success answer refers to. */
export interface ResponseComponents {
  schemas: Record<string, JsonObject>;
  /** `{ $ref }` to the route's answer schema (JSON routes only). */
  refOf(route: AnyRoute): JsonObject;
}

/** Names every JSON answer schema of the routes (and the shared shapes) and converts them at once. */
export function responseComponents(routes: AnyRoute[]): ResponseComponents {
  const registry = z.registry<{ id: string }>();
  const names = new Map<z.ZodType, string>();
  const name = (schema: z.ZodType, id: string): void => {
    if (names.has(schema)) return;
    registry.add(schema, { id });
    names.set(schema, id);
  };
  for (const [id, schema] of Object.entries(SHARED)) name(schema, id);
  for (const route of routes) {
    const id = route.operationId.charAt(0).toUpperCase() + route.operationId.slice(1);
    if (answersJson(route)) name(route.response as z.ZodType, `${id}Response`);
  }
  const converted = z.toJSONSchema(registry, {
    io: 'output',
    unrepresentable: 'any',
    uri: (id) => `#/components/schemas/${id}`,
  }).schemas as Record<string, JsonObject>;
  const schemas: Record<string, JsonObject> = {};
  // Each converted schema carries its own dialect and id; inside an OpenAPI 3.1 document both are implied.
  for (const [id, { $schema: _dialect, $id: _id, ...schema }] of Object.entries(converted))
    schemas[id] = schema;
  return {
    schemas,
    refOf: (route) => ({ $ref: `#/components/schemas/${names.get(route.response as z.ZodType)}` }),
  };
}
