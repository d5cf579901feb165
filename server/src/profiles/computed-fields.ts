/**
 * Fields a profile computes from other points of the same poll: a sum (DC power = tracker A + tracker
 * B on inverters without a total register), a difference, a sign flip (a vendor counting battery
 * power positive when discharging). Evaluated by the decoder; inverted by the encoder for the simulator.
 */
import type { Computed } from './profile-schema.ts';

/** The names a computed field reads, in order. */
export function operandsOf(computed: Computed): string[] {
  if ('sum' in computed) return computed.sum;
  if ('difference' in computed) return [...computed.difference];
  return [computed.negate];
}

/** The field's value, or undefined when any operand is absent (never a partial sum). */
export function evaluateComputed(
  computed: Computed,
  valueOf: (name: string) => number | undefined,
): number | undefined {
  const values = operandsOf(computed).map(valueOf);
  if (values.some((v) => v === undefined)) return undefined;
  const [first = 0, second = 0] = values as number[];
  const result =
    'sum' in computed
      ? (values as number[]).reduce((a, b) => a + b, 0)
      : 'difference' in computed
        ? first - second
        : -first;
  // Sums of decimals (0.1 + 0.2) should not show float noise in a reading.
  return Number(result.toPrecision(12));
}

/**
 * Operand values that make the field equal `value`: operands already known keep their values, the
 * others share what is left (evenly for a sum, the first operand of a difference takes the rest).
 */
export function solveComputed(
  computed: Computed,
  value: number,
  known: (name: string) => number | undefined,
): Map<string, number> {
  const out = new Map<string, number>();
  if ('negate' in computed) {
    out.set(computed.negate, -value);
    return out;
  }
  if ('difference' in computed) {
    const [minuend, subtrahend] = computed.difference;
    const b = known(subtrahend) ?? 0;
    out.set(subtrahend, b);
    out.set(minuend, value + b);
    return out;
  }
  const unknown = computed.sum.filter((name) => known(name) === undefined);
  const rest = computed.sum.reduce((left, name) => left - (known(name) ?? 0), value);
  for (const name of computed.sum) out.set(name, known(name) ?? rest / Math.max(1, unknown.length));
  return out;
}
