/**
 * The raw registers of one poll, as `GET /api/devices/:id/captures` answers them, `egw read --capture`
 * writes them and `egw-sim --replay` serves them: what a user's unknown device sends, kept exactly, so
 * it can be sent in and reproduced. Pure data (no I/O), shared by the gateway and the simulator.
 */
import { z } from 'zod';
import type { RawBlock } from './decode-point.ts';

/** Format tag of a capture file. */
export const CAPTURE_FORMAT = 'egw-capture/1';

const Register = z.number().int().min(0).max(0xffff);

export const RawBlockSchema = z.strictObject({
  function: z.union([z.literal(3), z.literal(4)]),
  start: Register,
  registers: z.array(Register).min(1).max(125),
});

export const RegisterCaptureSchema = z.object({
  format: z.literal(CAPTURE_FORMAT).optional(),
  device: z.string(),
  /** Transport the blocks came over: modbus-tcp, modbus-rtu or solarman-v5. */
  protocol: z.string(),
  unit: z.number().int().min(0).max(255),
  /** The profile the blocks were read for (the resolved one for `sunspec`/`auto`). */
  profile: z.string(),
  /** Wall-clock ms when the poll started. */
  ts: z.number(),
  /** Complete blocks read, in order (those before the failure for a failed poll). */
  blocks: z.array(RawBlockSchema),
  /** Why the poll failed; absent for a good poll. */
  error: z.string().optional(),
});

/** One poll's raw registers. */
export type RegisterCapture = z.infer<typeof RegisterCaptureSchema> & { blocks: RawBlock[] };

/** A deep copy (the ring and the API never share arrays with the reader). */
export function copyCapture(capture: RegisterCapture): RegisterCapture {
  return { ...capture, blocks: capture.blocks.map((b) => ({ ...b, registers: [...b.registers] })) };
}

/**
 * A capture from a file's JSON: one capture (what `egw read --capture` writes), or the answer of
 * `GET /api/devices/:id/captures` (its last good poll, else its newest capture). Throws a message
 * naming the first bad field.
 */
export function parseCapture(data: unknown): RegisterCapture {
  const answer = z
    .object({ lastPoll: z.unknown().optional(), captures: z.array(z.unknown()) })
    .safeParse(data);
  const chosen = answer.success ? (answer.data.lastPoll ?? answer.data.captures.at(-1)) : data;
  const result = RegisterCaptureSchema.safeParse(chosen);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new Error(`${issue?.path.join('.') || 'capture'}: ${issue?.message ?? 'invalid'}`);
  }
  return result.data;
}
