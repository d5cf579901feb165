import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { discoveryMessages, haId } from '../../../../server/src/uplink/mqtt/home-assistant-discovery.ts';

const ctx = {
  discoveryPrefix: 'homeassistant',
  serial: 'EGW-AB12',
  stateTopic: 'egw/EGW-AB12/inv1/reading',
  availabilityTopic: 'egw/EGW-AB12/status',
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

  it('describes energy as a total_increasing Wh sensor', () => {
    const [energy] = discoveryMessages(
      { device: 'inv1', profile: 'sunspec', ts: 0, read_ms: 1, energy_total_wh: 5 },
      ctx,
    );
    assert.equal(energy!.payload.device_class, 'energy');
    assert.equal(energy!.payload.state_class, 'total_increasing');
    assert.equal(energy!.payload.unit_of_measurement, 'Wh');
    assert.equal(energy!.payload.value_template, '{{ value_json.energy_total_wh }}');
  });

  it('maps characters Home Assistant does not allow in ids to "_"', () => {
    assert.equal(haId('egw/EGW.1 x'), 'egw_EGW_1_x');
  });
});
