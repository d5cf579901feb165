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
  if ('magnitude' in computed) return [computed.magnitude, computed.negativeWhen.term];
  return [computed.negate];
}

/** Whether bit `bit` of a status value is set. */
function bitSet(value: number, bit: number): boolean {
  return Math.floor(Math.abs(value) / 2 ** bit) % 2 === 1;
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
        : 'magnitude' in computed
          ? bitSet(second, computed.negativeWhen.bit)
            ? -Math.abs(first)
            : Math.abs(first)
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
  /** An operand's register step and largest raw value, for sums of words with different weights. */
  scaleOf?: (name: string) => { step: number; maxRaw: number } | undefined,
): Map<string, number> {
  const out = new Map<string, number>();
  if ('negate' in computed) {
    out.set(computed.negate, -value);
    return out;
  }
  if ('magnitude' in computed) {
    out.set(computed.magnitude, Math.abs(value));
    out.set(computed.negativeWhen.term, value < 0 ? 2 ** computed.negativeWhen.bit : 0);
    return out;
  }
  if ('difference' in computed) {
    const [minuend, subtrahend] = computed.difference;
    // Two unsigned flows (charge, discharge): the one in the value's direction carries it.
    const b = known(subtrahend) ?? Math.max(0, -value);
    out.set(subtrahend, b);
    out.set(minuend, value + b);
    return out;
  }
  const unknown = computed.sum.filter((name) => known(name) === undefined);
  let rest = computed.sum.reduce((left, name) => left - (known(name) ?? 0), value);
  const scales = unknown.map((name) => scaleOf?.(name));
  const steps = new Set(scales.map((s) => s?.step));
  if (steps.size > 1 && scales.every((s) => s !== undefined)) {
    // Words of one counter (a high word worth 65536 low words): the heaviest takes what it can, in whole steps.
    const order = unknown
      .map((name, i) => ({ name, scale: scales[i]! }))
      .sort((a, b) => b.scale.step - a.scale.step);
    order.forEach(({ name, scale }, i) => {
      const last = i === order.length - 1;
      const raw = last ? rest / scale.step : Math.min(Math.floor(rest / scale.step), scale.maxRaw);
      out.set(name, raw * scale.step);
      rest -= raw * scale.step;
    });
    for (const name of computed.sum) if (!out.has(name)) out.set(name, known(name) ?? 0);
    return new Map(computed.sum.map((name) => [name, out.get(name) ?? 0]));
  }
  for (const name of computed.sum) out.set(name, known(name) ?? rest / Math.max(1, unknown.length));
  return out;
}
