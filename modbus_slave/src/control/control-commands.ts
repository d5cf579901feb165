/**
 * The simulator's control commands, shared by the HTTP control API and stdin: change faults, drop
 * connections, reboot, report. Pure over the RunningSimulator handle; answers are JSON-able data.
 */
import { ValidationError } from '../../../server/src/core/errors.ts';
import { FaultSpecSchema, parseLatency, type FaultSpec } from '../faults/fault-spec.ts';
import type { RunningSimulator } from '../simulator.ts';

/** Every device's active faults and counts, by id (GET /faults). */
export function faultReport(
  sim: RunningSimulator,
): Record<string, { active: FaultSpec; counts: unknown; total: number }> {
  const report: Record<string, { active: FaultSpec; counts: unknown; total: number }> = {};
  for (const device of sim.stats().devices) {
    report[device.id] = { active: device.activeFaults, counts: device.faults, total: device.faultsTotal };
  }
  return report;
}

/** Validates a fault patch from a request body; names the offending key. */
export function parseFaultPatch(body: unknown): FaultSpec {
  const result = FaultSpecSchema.safeParse(body);
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = issue?.path.join('.') || '(body)';
    throw new ValidationError(`faults: ${field}: ${issue?.message ?? 'invalid'}`, field);
  }
  return result.data;
}

/** Parses "key=value" words of a stdin fault command into a fault patch. */
export function parseFaultWords(words: readonly string[]): FaultSpec {
  const patch: Record<string, unknown> = {};
  for (const word of words) {
    const [key, value] = word.split('=', 2);
    if (!key || value === undefined) throw new ValidationError(`fault: "${word}" must be key=value`, word);
    if (key === 'latencyMs') patch[key] = parseLatency(value);
    else if (key === 'exceptionCodes') patch[key] = value.split(',').map((c) => Number.parseInt(c, 16));
    else if (value === 'true' || value === 'false') patch[key] = value === 'true';
    else patch[key] = Number(value);
  }
  return parseFaultPatch(patch);
}

/** The stdin command help. */
export const COMMAND_HELP = [
  'devices                        list devices',
  'stats                          counters of every device',
  'faults                         active faults and counts',
  'fault <id|*> key=value …       e.g. fault inv1 exceptionRate=0.5 exceptionCodes=06,0b latencyMs=100-300',
  'clear <id|*>                   lift every fault',
  "drop <id>                      close the device's connections now",
  'reboot <id> [downMs]           reboot: refuse connections for downMs, registers reset',
  "values <id>                    the device's current physics values",
].join('\n');

function targets(sim: RunningSimulator, id: string | undefined): string[] {
  if (id === undefined) throw new ValidationError('a device id (or *) is needed', 'id');
  return id === '*' ? sim.devices.map((d) => d.id) : [id];
}

/** Runs one stdin command line; returns the JSON-able answer. */
export function runCommand(sim: RunningSimulator, line: string): unknown {
  const [command, id, ...rest] = line.trim().split(/\s+/);
  switch (command) {
    case undefined:
    case '':
      return undefined;
    case 'help':
      return COMMAND_HELP;
    case 'devices':
      return sim.devices;
    case 'stats':
      return sim.stats();
    case 'faults':
      return faultReport(sim);
    case 'fault': {
      const patch = parseFaultWords(rest);
      return Object.fromEntries(targets(sim, id).map((d) => [d, sim.faults(d).set(patch)]));
    }
    case 'clear':
      for (const d of targets(sim, id)) sim.faults(d).clear();
      return 'ok';
    case 'drop':
      for (const d of targets(sim, id)) sim.faults(d).dropConnections();
      return 'ok';
    case 'reboot':
      for (const d of targets(sim, id))
        sim.faults(d).reboot(rest[0] === undefined ? undefined : Number(rest[0]));
      return 'ok';
    case 'values':
      return sim.values(id ?? '');
    default:
      throw new ValidationError(`unknown command "${command}"; try "help"`, 'command');
  }
}
