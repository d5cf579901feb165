import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { HA_SENSORS } from '../../../../server/src/uplink/mqtt/home-assistant-discovery.ts';
import { HomeAssistantAnnouncer } from '../../../../server/src/uplink/mqtt/home-assistant-announcer.ts';
import { MqttTopics } from '../../../../server/src/uplink/mqtt/mqtt-topics.ts';

function setup(ids?: string[]): {
  announcer: HomeAssistantAnnouncer;
  sent: [string, string][];
  setConnected: (c: boolean) => void;
} {
  const sent: [string, string][] = [];
  let connected = true;
  const announcer = new HomeAssistantAnnouncer({
    serial: 'S1',
    discoveryPrefix: 'ha',
    topics: new MqttTopics('egw/S1'),
    expireAfterS: 3,
    publish: (topic, payload) => {
      if (!connected) return false;
      sent.push([topic, payload]);
      return true;
    },
    ...(ids ? { deviceIds: () => ids } : {}),
  });
  return { announcer, sent, setConnected: (c) => void (connected = c) };
}
const reading = (device: string, fields: Record<string, number>) => ({
  device,
  profile: 'p',
  ts: 0,
  read_ms: 1,
  ...fields,
});

describe('HomeAssistantAnnouncer', () => {
  it('announces once, and again when a new field appears; a field that goes absent stays announced', () => {
    const { announcer, sent } = setup();
    announcer.reading(reading('m', { grid_power_w: 1 }));
    announcer.reading(reading('m', { grid_power_w: 2 }));
    assert.equal(sent.length, 1);
    announcer.reading(reading('m', { energy_import_wh: 5 }));
    assert.deepEqual(
      sent.slice(1).map(([t]) => t),
      ['ha/sensor/egw_S1_m/grid_power/config', 'ha/sensor/egw_S1_m/grid_import/config'],
    );
  });

  it('clears every config of a removed device, and what it could not send once reconnected', () => {
    const { announcer, sent, setConnected } = setup();
    announcer.reading(reading('m', { grid_power_w: 1 }));
    setConnected(false);
    announcer.removed('m');
    assert.equal(sent.length, 1);
    setConnected(true);
    announcer.connected();
    const cleared = sent.slice(1);
    assert.equal(cleared.length, HA_SENSORS.length);
    assert.ok(cleared.every(([topic, payload]) => topic.startsWith('ha/sensor/egw_S1_m/') && payload === ''));
    assert.deepEqual(announcer.known(), []);
  });

  it('re-announces on HA birth only devices that still exist', () => {
    const ids = ['a', 'b'];
    const { announcer, sent } = setup(ids);
    announcer.reading(reading('a', { ac_power_w: 1 }));
    announcer.reading(reading('b', { ac_power_w: 1 }));
    ids.splice(1, 1);
    sent.length = 0;
    announcer.message('ha/status', 'online');
    const announced = sent.filter(([, p]) => p !== '').map(([t]) => t);
    assert.deepEqual(announced, ['ha/sensor/egw_S1_a/power/config']);
    assert.ok(sent.some(([t, p]) => t === 'ha/sensor/egw_S1_b/power/config' && p === ''));
  });

  it("clears a retained config of this gateway's deleted device, never other gateways' or live ones", () => {
    const { announcer, sent } = setup(['a']);
    assert.deepEqual(announcer.subscriptions(), ['ha/status', 'ha/sensor/+/+/config']);
    announcer.message('ha/sensor/egw_S1_gone/power/config', '{"name":"Power"}');
    announcer.message('ha/sensor/egw_S1_a/power/config', '{"name":"Power"}');
    announcer.message('ha/sensor/egw_S2_x/power/config', '{"name":"Power"}');
    announcer.message('ha/sensor/egw_S1_gone/energy/config', '');
    assert.deepEqual(sent, [['ha/sensor/egw_S1_gone/power/config', '']]);
  });
});
