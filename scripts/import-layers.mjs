#!/usr/bin/env node
// The layer order of the source folders (README "Where things live") and the import-direction rule
// eslint.config.js builds from it. Run as a script it counts relative imports that run against the
// order: `node scripts/import-layers.mjs` prints each upward or sideways import and the totals.
// Exit code 0 either way: the eslint rule is what fails a build; this is a measure.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** Layer of each folder, lowest first. A folder may import only from a lower layer (or from itself). */
export const LAYERS = [
  ['server/src/core'],
  ['server/src/config', 'server/src/engine', 'server/src/notifications'],
  ['server/src/profiles', 'server/src/identity', 'server/src/wifi'],
  ['server/src/modbus'],
  ['server/src/harvest', 'server/src/outbox', 'server/src/proxy', 'server/src/discovery'],
  ['server/src/devices', 'server/src/uplink'],
  ['server/src/observability'],
  ['server/src/api', 'server/src/ingest', 'server/src/fleet', 'server/src/control'],
  ['server/src/gateway'],
  ['server/src/cli', 'bluetooth/src', 'modbus_slave/src'],
  ['server/src/demo'],
];

/**
 * Paths counted as another folder: those of the tree before the issue-10 moves, as the folder they moved to, so the same script
 * measures before and after (e.g. settings/ is config/ now, harvest/signing/ and api/name/ are identity/).
 */
const LEGACY = {
  'server/src/settings': 'server/src/config',
  'server/src/harvest/signing': 'server/src/identity',
  'server/src/api/name': 'server/src/identity',
  'server/src/demo.ts': 'server/src/demo',
  // The composition root: main.ts and gateway/ are one unit.
  'server/src/main.ts': 'server/src/gateway',
};

const ROOTS = ['server/src', 'bluetooth/src', 'modbus_slave/src'];

/**
 * Units that may import less than their layer allows: what each may import besides itself (names as in
 * LAYERS). The bluetooth daemon talks to the gateway over its HTTP API only; `wifi` is listed in the
 * README as an exception (it asks nmcli directly whether the box is online, also when the API is down).
 */
const ONLY = {
  'bluetooth/src': ['server/src/core', 'server/src/config', 'server/src/wifi'],
  'modbus_slave/src': ['server/src/profiles', 'server/src/core'],
};

/** Units a unit must not import although they sit lower: the API sees devices, never Modbus itself. */
const NEVER = { 'server/src/api': ['server/src/modbus'] };

/**
 * Single files a unit may import although their folder is forbidden to it (README lists each with its
 * reason): the simulator frames Modbus TCP, RTU and Solarman V5 with the same pure codecs as the gateway.
 */
const EXCEPT = {
  'modbus_slave/src': [
    'server/src/modbus/mbap-framer.ts',
    'server/src/modbus/rtu-frame.ts',
    'server/src/modbus/solarman-v5-frame.ts',
  ],
};

/** Import-specifier pattern of a unit, for a relative import from another unit (minus `allowed` files). */
function specifierPattern(unit, allowed = []) {
  const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const files = allowed
    .filter((file) => file.startsWith(`${unit}/`))
    .map((file) => file.slice(unit.length + 1));
  const unless = files.length ? `(?!(${files.map(escape).join('|')})$)` : '';
  if (unit.startsWith('server/src/'))
    return `^(\\.\\./)+(server/src/)?${escape(unit.slice('server/src/'.length))}/${unless}`;
  return `^(\\.\\./)+${escape(unit)}/${unless}`;
}

/**
 * no-restricted-imports patterns for the files of `unit`: every unit at its layer or above (or, for the
 * units in ONLY, every unit not listed), plus NEVER. eslint.config.js adds them per folder.
 */
export function directionPatterns(unit) {
  const all = LAYERS.flat();
  const layer = LAYERS.findIndex((units) => units.includes(unit));
  const forbidden = ONLY[unit]
    ? all.filter((other) => !ONLY[unit].includes(other))
    : all.filter((other) => LAYERS.findIndex((units) => units.includes(other)) >= layer);
  return [...new Set([...forbidden, ...(NEVER[unit] ?? [])])]
    .filter((other) => other !== unit)
    .map((other) => ({
      regex: specifierPattern(other, EXCEPT[unit]),
      message: `import direction: ${unit} must not import ${other} (README, "Where things live")`,
    }));
}

/** Whether `unit` may not import `target` (in `other`) although `other` sits lower: ONLY, NEVER, EXCEPT. */
function restricted(unit, other, target) {
  if ((EXCEPT[unit] ?? []).includes(target)) return false;
  if (ONLY[unit] && !ONLY[unit].includes(other)) return true;
  return (NEVER[unit] ?? []).includes(other);
}

/** The folder (unit of the layer table) a file belongs to, and its layer; undefined outside the table. */
export function unitOf(file) {
  for (const [prefix, moved] of Object.entries(LEGACY)) {
    if (file === prefix || file.startsWith(`${prefix}/`)) file = moved;
  }
  for (const [layer, units] of LAYERS.entries()) {
    for (const unit of units) if (file === unit || file.startsWith(`${unit}/`)) return { unit, layer };
  }
  return undefined;
}

function sources(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.(ts|mjs|js)$/.test(name) ? [path] : [];
  });
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s*'(\.[^']+)'|import\(\s*'(\.[^']+)'\s*\)/g;

/** Every relative import of the sources under `root` that runs upward or sideways between folders. */
export function findViolations(root = process.cwd()) {
  const found = [];
  for (const top of ROOTS) {
    for (const path of sources(join(root, top))) {
      const file = relative(root, path);
      const from = unitOf(file);
      if (!from) continue;
      for (const match of readFileSync(path, 'utf8').matchAll(IMPORT)) {
        const target = relative(root, resolve(dirname(path), match[1] ?? match[2]));
        const to = unitOf(target);
        if (!to || to.unit === from.unit) continue;
        if (to.layer > from.layer) found.push({ file, target, kind: 'upward' });
        else if (to.layer === from.layer) found.push({ file, target, kind: 'sideways' });
        else if (restricted(from.unit, to.unit, target)) found.push({ file, target, kind: 'restricted' });
      }
    }
  }
  return found;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const found = findViolations();
  if (!process.argv.includes('--quiet'))
    for (const v of found) console.log(`${v.kind}\t${v.file} -> ${v.target}`);
  const count = (kind) => found.filter((v) => v.kind === kind).length;
  console.log(
    `upward ${count('upward')}, sideways ${count('sideways')}, restricted ${count('restricted')}, total ${found.length}`,
  );
}
