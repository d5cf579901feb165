/**
 * Field faults a simulated device can show, as data: from CLI flags, a scenario file or the control
 * API. Rates are probabilities per request (0–1); 1 means every request.
 */
import { z } from 'zod';
import { ConfigError } from '../../../server/src/core/errors.ts';

const rate = z.number().min(0).max(1);

/** Exception codes a device may answer with instead of data. */
export const FAULT_EXCEPTION_CODES = [2, 4, 6, 11] as const;

/** The faults active on one device; absent keys mean "no such fault". */
export const FaultSpecSchema = z.strictObject({
  /** Close the connection instead of answering, per request. */
  dropRate: rate.optional(),
  /** Refuse (accept and close at once) a new connection while another client is connected. */
  singleClient: z.boolean().optional(),
  /** Answer late: a fixed delay, or a random one drawn uniformly from [min, max]. */
  latencyMs: z.union([z.number().min(0), z.tuple([z.number().min(0), z.number().min(0)])]).optional(),
  /** Answer with an exception instead of data, per request. */
  exceptionRate: rate.optional(),
  /** Which exception codes to answer with (one drawn at random); default [6] (server busy). */
  exceptionCodes: z
    .array(z.union(FAULT_EXCEPTION_CODES.map((c) => z.literal(c))))
    .min(1)
    .optional(),
  /** Answer with a frame whose byte count does not match its data, per request. */
  malformedRate: rate.optional(),
  /** Keep connections open but never answer. */
  silent: z.boolean().optional(),
  /** Answer with a transaction id that is not the request's, per request. */
  txidMismatchRate: rate.optional(),
});
/** The faults active on one device. */
export type FaultSpec = z.infer<typeof FaultSpecSchema>;

/** The fault kinds counted by the simulator. */
export const FAULT_KINDS = [
  'drop',
  'refused',
  'latency',
  'exception',
  'malformed',
  'silent',
  'txid',
  'reboot',
] as const;
/** One counted fault kind. */
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Parses a latency flag: "200" (fixed) or "100-500" (random range), in ms. */
export function parseLatency(text: string): number | [number, number] {
  const range = /^(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)$/.exec(text.trim());
  if (range) {
    const min = Number(range[1]);
    const max = Number(range[2]);
    if (max < min)
      throw new ConfigError(`latency "${text}": range max ${max} is below min ${min}`, 'latency');
    return [min, max];
  }
  const fixed = Number(text);
  if (!Number.isFinite(fixed) || fixed < 0) {
    throw new ConfigError(`latency "${text}": must be ms ("200") or a range ("100-500")`, 'latency');
  }
  return fixed;
}
