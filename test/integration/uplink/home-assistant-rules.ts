/**
 * Home Assistant's rules for a sensor, encoded from its sensor documentation and
 * homeassistant/components/sensor/const.py (DEVICE_CLASS_UNITS, DEVICE_CLASS_STATE_CLASSES) and from
 * the Energy dashboard's validation (homeassistant/components/energy/validate.py), so a test can
 * check every discovery payload the way Home Assistant would.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Units Home Assistant accepts per device class (the classes the gateway uses, and gas). */
export const HA_DEVICE_CLASS_UNITS: Readonly<Record<string, readonly string[]>> = {
  battery: ['%'],
  current: ['A', 'mA'],
  energy: ['J', 'kJ', 'MJ', 'GJ', 'mWh', 'Wh', 'kWh', 'MWh', 'GWh', 'TWh', 'cal', 'kcal', 'Mcal', 'Gcal'],
  frequency: ['Hz', 'kHz', 'MHz', 'GHz'],
  gas: ['m³', 'ft³', 'CCF', 'L'],
  power: ['mW', 'W', 'kW', 'MW', 'GW', 'TW', 'BTU/h'],
  temperature: ['°C', '°F', 'K'],
  voltage: ['V', 'mV', 'µV', 'kV', 'MV'],
};

/** State classes Home Assistant accepts per device class. */
export const HA_DEVICE_CLASS_STATE_CLASSES: Readonly<Record<string, readonly string[]>> = {
  battery: ['measurement'],
  current: ['measurement'],
  energy: ['total', 'total_increasing'],
  frequency: ['measurement'],
  gas: ['total', 'total_increasing'],
  power: ['measurement'],
  temperature: ['measurement'],
  voltage: ['measurement'],
};

/** What the Energy dashboard accepts for grid, solar and battery statistics. */
export const HA_ENERGY_DASHBOARD = {
  deviceClass: 'energy',
  units: ['Wh', 'kWh', 'MWh', 'MJ', 'GJ'],
  stateClasses: ['total', 'total_increasing'],
} as const;

/** The problems Home Assistant would report for one MQTT sensor discovery payload (empty = valid). */
export function sensorProblems(payload: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const deviceClass = String(payload.device_class);
  const units = HA_DEVICE_CLASS_UNITS[deviceClass];
  if (!units) problems.push(`device_class ${deviceClass} is not one the rules cover`);
  else if (!units.includes(String(payload.unit_of_measurement)))
    problems.push(`unit ${String(payload.unit_of_measurement)} is not valid for device_class ${deviceClass}`);
  const stateClasses = HA_DEVICE_CLASS_STATE_CLASSES[deviceClass] ?? [];
  if (!stateClasses.includes(String(payload.state_class)))
    problems.push(`state_class ${String(payload.state_class)} is not valid for device_class ${deviceClass}`);
  if (typeof payload.unique_id !== 'string' || !payload.unique_id) problems.push('no unique_id');
  if (typeof payload.state_topic !== 'string' || !payload.state_topic) problems.push('no state_topic');
  if (!Number.isInteger(payload.expire_after) || (payload.expire_after as number) <= 0)
    problems.push('expire_after is not a positive integer');
  const availability = payload.availability;
  if (!Array.isArray(availability) || availability.length === 0) problems.push('no availability list');
  else
    for (const entry of availability as Record<string, unknown>[])
      if (typeof entry.topic !== 'string' || !entry.topic) problems.push('availability entry without topic');
  if (!['all', 'any', 'latest'].includes(String(payload.availability_mode ?? 'latest')))
    problems.push(`availability_mode ${String(payload.availability_mode)}`);
  return problems;
}

/** Whether the Energy dashboard would accept the sensor as a grid, solar or battery source. */
export function energyDashboardAccepts(payload: Record<string, unknown>): boolean {
  return (
    payload.device_class === HA_ENERGY_DASHBOARD.deviceClass &&
    (HA_ENERGY_DASHBOARD.units as readonly string[]).includes(String(payload.unit_of_measurement)) &&
    (HA_ENERGY_DASHBOARD.stateClasses as readonly string[]).includes(String(payload.state_class))
  );
}

/** Debian's Python with Jinja2 (python3-jinja2), the template engine Home Assistant uses. */
const PYTHON = '/usr/bin/python3';
export const jinjaSkipReason: string | false =
  existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import jinja2']).status === 0
    ? false
    : 'Jinja2 for /usr/bin/python3 not installed (apt-get install python3-jinja2)';

const RENDER = `
import json, sys
from jinja2.sandbox import ImmutableSandboxedEnvironment
env = ImmutableSandboxedEnvironment()
out = [env.from_string(c["template"]).render(value_json=c["value_json"]) for c in json.load(sys.stdin)]
print(json.dumps(out))
`;

/** Renders value templates as Home Assistant does (sandboxed Jinja2, `value_json` = the payload). */
export function renderTemplates(cases: { template: string; value_json: unknown }[]): string[] {
  const result = spawnSync(PYTHON, ['-c', RENDER], { input: JSON.stringify(cases), encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`jinja2 render failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as string[];
}
