/**
 * The body of POST /logger on egw-ble's control socket, as the gateway relays it from POST /api/logger
 * (which validated it already; checked again because the socket is an interface of its own —
 * `curl --unix-socket` works too).
 */
import { z } from 'zod';

const LoggerBodySchema = z.strictObject({
  level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent', 'default']),
  durationMs: z.number().int().min(1000).max(86_400_000),
});

/** A level for the whole of egw-ble for durationMs, or "default" to revert now. */
export type LoggerBody = z.output<typeof LoggerBodySchema>;

/** A rejected body: the field and why. */
export interface LoggerBodyError {
  error: { code: 'invalid_request'; field: string; message: string };
}

/** Parses and checks the body; an error names the field. */
export function parseLoggerBody(text: string): LoggerBody | LoggerBodyError {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { error: { code: 'invalid_request', field: 'body', message: 'expected a JSON object' } };
  }
  const parsed = LoggerBodySchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  return {
    error: {
      code: 'invalid_request',
      field: String(issue?.path[0] ?? 'body'),
      message: issue?.message ?? '',
    },
  };
}
