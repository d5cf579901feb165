import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  discoveryMessages,
  haId,
  valueTemplate,
} from '../../../../server/src/uplink/mqtt/home-assistant-discovery.ts';

const ctx = {
  discoveryPrefix: 'homeassistant',
  serial: 'EGW-AB12',
  stateTopic: 'egw/EGW-AB12/inv1/reading',
  availabilityTopic: 'egw/EGW-AB12/status',
  deviceAvailabilityTopic: 'egw/EGW-AB12/inv1/availability',
  expireAfterS: 3,
};

describe('Home Assistant discovery', () => {
  it('announces only the sensors the reading has values for', () => {
    const messages = discoveryMessages(
      { device: 'inv1', profile: 'huawei', ts: 0, read_ms: 1, ac_power_w: 0 },
      ctx,
    );
    assert.deepEqual(
      messages.map((m) => m.topic),
      ['homeassistant/sensor/egw_EGW-AB12_inv1/power/config'],
    );
    const payload = messages[0]!.payload;
    assert.equal(payload.unique_id, 'egw_EGW-AB12_inv1_power');
    assert.deepEqual(payload.device, {
      identifiers: ['egw_EGW-AB12_inv1'],
      name: 'huawei (inv1)',
      manufacturer: 'unknown',
      model: 'huawei',
    });
  });

  it('announces the fields given even when the latest reading lacks them', () => {
    const messages = discoveryMessages(
      { device: 'inv1', profile: 'x', ts: 0, read_ms: 1 },
      ctx,
      new Set(['battery_soc_pct', 'energy_import_wh']),
    );
    assert.deepEqual(
      messages.map((m) => m.payload.unique_id),
      ['egw_EGW-AB12_inv1_grid_import', 'egw_EGW-AB12_inv1_battery_soc'],
    );
  });

  it('describes energy as a total_increasing Wh sensor', () => {
    const [energy] = discoveryMessages(
      { device: 'inv1', profile: 'sunspec', ts: 0, read_ms: 1, energy_total_wh: 5 },
      ctx,
    );
    assert.equal(energy!.payload.device_class, 'energy');
    assert.equal(energy!.payload.state_class, 'total_increasing');
    assert.equal(energy!.payload.unit_of_measurement, 'Wh');
    assert.equal(energy!.payload.value_template, valueTemplate('energy_total_wh'));
  });

  it('makes a sensor available only while both the gateway and its device are online', () => {
    const [power] = discoveryMessages(
      { device: 'inv1', profile: 'x', ts: 0, read_ms: 1, ac_power_w: 1 },
      ctx,
    );
    assert.deepEqual(
      (power!.payload.availability as { topic: string }[]).map((a) => a.topic),
      ['egw/EGW-AB12/status', 'egw/EGW-AB12/inv1/availability'],
    );
    assert.equal(power!.payload.availability_mode, 'all');
    assert.equal(power!.payload.expire_after, 3);
  });

  it('renders None, not an empty string, for an absent field', () => {
    assert.equal(
      valueTemplate('grid_power_w'),
      '{{ value_json.grid_power_w if value_json.grid_power_w is defined else None }}',
    );
  });

  it('maps characters Home Assistant does not allow in ids to "_"', () => {
    assert.equal(haId('egw/EGW.1 x'), 'egw_EGW_1_x');
  });
});
