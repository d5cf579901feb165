/**
 * A strict parser of the Prometheus text exposition format (0.0.4), for tests: every line must be a
 * HELP, a TYPE or a sample of a declared family; label values must be properly escaped; values must be
 * Go-style floats. No npm parser fits (the one on npm is unmaintained since 2018).
 */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  type: string;
  help?: string;
  samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const SUFFIXES: Record<string, string[]> = {
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['', '_sum', '_count'],
};

function parseValue(text: string, line: number): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  // prom-client writes "Nan" (e.g. event-loop lag before its first sample); Prometheus reads any case.
  if (/^nan$/i.test(text)) return NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text))
    throw new Error(`line ${line}: bad value "${text}"`);
  return Number(text);
}

function parseLabels(text: string, line: number): Record<string, string> {
  const labels: Record<string, string> = {};
  const re = /\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\["\\n])*)"\s*(,|$)/y;
  let pos = 0;
  while (pos < text.length) {
    re.lastIndex = pos;
    const m = re.exec(text);
    if (!m) throw new Error(`line ${line}: bad labels "${text}"`);
    labels[m[1]!] = m[2]!.replace(/\\(["\\n])/g, (_all, c: string) => (c === 'n' ? '\n' : c));
    pos = re.lastIndex;
  }
  return labels;
}

/** Parses the exposition text; throws naming the first bad line. */
export function parsePrometheusText(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const owner = (sample: string): Family | undefined => {
    for (const family of families.values()) {
      const suffixes = SUFFIXES[family.type] ?? [''];
      if (suffixes.some((s) => family.name + s === sample)) return family;
    }
    return undefined;
  };
  text.split('\n').forEach((raw, index) => {
    const line = index + 1;
    if (raw === '') return;
    const meta = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(raw);
    if (meta) {
      const [, kind, name, rest] = meta as unknown as [string, string, string, string];
      if (!NAME.test(name)) throw new Error(`line ${line}: bad metric name "${name}"`);
      const family = families.get(name) ?? { name, type: 'untyped', samples: [] };
      if (kind === 'TYPE') {
        if (!TYPES.has(rest)) throw new Error(`line ${line}: bad type "${rest}"`);
        family.type = rest;
      } else family.help = rest;
      families.set(name, family);
      return;
    }
    if (raw.startsWith('#')) return;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: (-?\d+))?$/.exec(raw);
    if (!m) throw new Error(`line ${line}: not a sample: "${raw}"`);
    const family = owner(m[1]!);
    if (!family) throw new Error(`line ${line}: sample "${m[1]}" of no declared family`);
    family.samples.push({
      name: m[1]!,
      labels: parseLabels(m[2] ?? '', line),
      value: parseValue(m[3]!, line),
    });
  });
  return families;
}
