import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MqttTopics } from '../../../../server/src/uplink/mqtt/mqtt-topics.ts';
import { redactUrl } from '../../../../server/src/uplink/mqtt/mqtt-uplink.ts';

describe('MqttTopics', () => {
  it('builds the topic tree under the prefix', () => {
    const topics = new MqttTopics(MqttTopics.defaultPrefix('EGW-AB12'));
    assert.equal(topics.status, 'egw/EGW-AB12/status');
    assert.equal(topics.batch, 'egw/EGW-AB12/batch');
    assert.equal(topics.reading('inv1'), 'egw/EGW-AB12/inv1/reading');
    assert.equal(topics.frequency('inv1'), 'egw/EGW-AB12/inv1/frequency');
  });

  it('refuses prefixes with wildcards or a trailing slash', () => {
    for (const bad of ['', 'egw/#', 'a/+/b', 'egw/']) assert.throws(() => new MqttTopics(bad), /mqtt prefix/);
  });

  it('keeps broker passwords out of logged URLs', () => {
    assert.equal(redactUrl('mqtt://user:s3cret@broker:1883'), 'mqtt://user:***@broker:1883');
    assert.equal(redactUrl('mqtt://127.0.0.1:1883'), 'mqtt://127.0.0.1:1883');
  });
});
