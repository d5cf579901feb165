/**
 * DSMR telegrams: a real Iskra AM550 (DSMR 5) telegram published with its CRC (fixture), CRC
 * failures, framing of a serial stream, and the canonical fields.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import crc16 from 'crc/crc16';
import {
  checkTelegram,
  TelegramFramer,
  type DsmrTelegram,
} from '../../../../server/src/devices/p1/dsmr-telegram.ts';
import { dsmrFields, dsmrValue } from '../../../../server/src/devices/p1/dsmr-reading.ts';

const ISKRA = readFileSync(new URL('../../../fixtures/p1/iskra-am550.txt', import.meta.url), 'latin1');

/** A telegram with a correct CRC around the given lines. */
function telegram(header: string, lines: string[]): string {
  const body = `/${header}\r\n\r\n${lines.map((l) => `${l}\r\n`).join('')}!`;
  return `${body}${crc16(Buffer.from(body, 'latin1')).toString(16).toUpperCase().padStart(4, '0')}\r\n`;
}

describe('DSMR telegrams', () => {
  it('accepts the real AM550 telegram and its CRC 9DF0', () => {
    const t = checkTelegram(ISKRA) as DsmrTelegram;
    assert.equal(t.header, 'ISK5\\2M550T-1012');
    assert.deepEqual(t.objects.get('1-0:1.8.1'), ['003432.829*kWh']);
    assert.deepEqual(t.objects.get('1-0:99.97.0'), ['1', '0-0:96.7.19', '180417201458S', '0000000236*s']);
  });

  it('drops a telegram whose CRC does not match, naming both', () => {
    const bad = ISKRA.replace('1-0:1.7.0(00.433*kW)', '1-0:1.7.0(00.434*kW)');
    assert.deepEqual(checkTelegram(bad), { error: 'crc', message: 'CRC 9DF0, computed ' + checkCrc(bad) });
    assert.equal((checkTelegram('garbage') as { error: string }).error, 'format');
  });

  it('frames telegrams from a stream that starts mid-telegram and arrives in pieces', () => {
    const framer = new TelegramFramer();
    const stream = ISKRA.slice(200) + ISKRA + ISKRA;
    const out = [...framer.push(stream.slice(0, 700)), ...framer.push(stream.slice(700))];
    assert.equal(out.length, 2);
    assert.ok(out.every((t) => t === ISKRA));
  });

  it('gives grid power by phase, energy by tariff, voltages, currents and the serial in SI units', () => {
    const fields = dsmrFields(checkTelegram(ISKRA) as DsmrTelegram);
    assert.deepEqual(fields, {
      make: 'Iskra',
      model: 'ISK5\\2M550T-1012',
      serial: 'E0044007131650618',
      grid_power_w: 433,
      grid_power_l1_w: 45,
      grid_power_l2_w: 10,
      grid_power_l3_w: 379,
      energy_import_t1_wh: 3_432_829,
      energy_import_t2_wh: 3_224_632,
      energy_export_t1_wh: 0,
      energy_export_t2_wh: 0,
      energy_import_wh: 6_657_461,
      energy_export_wh: 0,
      ac_voltage_l1_v: 236.7,
      ac_voltage_l2_v: 234.5,
      ac_voltage_l3_v: 236,
      ac_current_l1_a: 0,
      ac_current_l2_a: 0,
      ac_current_l3_a: 2,
    });
  });

  it('reads gas from M-Bus channel 1 and export as negative grid power', () => {
    const text = telegram('KFM5KAIFA-METER', [
      '1-0:1.7.0(00.000*kW)',
      '1-0:2.7.0(01.250*kW)',
      '0-1:24.2.1(231128120000W)(01234.567*m3)',
    ]);
    const fields = dsmrFields(checkTelegram(text) as DsmrTelegram);
    assert.equal(fields.grid_power_w, -1250);
    assert.equal(fields.gas_volume_m3, 1234.567);
    assert.equal(fields.make, 'Kaifa');
    assert.equal(fields.energy_import_wh, undefined, 'absent, never 0');
  });

  it('parses values with and without units', () => {
    assert.equal(dsmrValue('000123.456*kWh'), 123_456);
    assert.equal(dsmrValue('236.7*V'), 236.7);
    assert.equal(dsmrValue('0002'), 2);
    assert.equal(dsmrValue('190324150541W'), undefined);
  });
});

function checkCrc(text: string): string {
  return crc16(Buffer.from(text.slice(0, text.lastIndexOf('!') + 1), 'latin1'))
    .toString(16)
    .toUpperCase()
    .padStart(4, '0');
}
