import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigSchema } from '../../../server/src/config/schema.ts';
import { ValidationError } from '../../../server/src/core/errors.ts';
import { silentLogger } from '../../../server/src/core/logger.ts';
import {
  PersistentSettingsStore,
  SETTINGS_KEY,
  type SettingsTable,
} from '../../../server/src/config/settings-store.ts';

function memoryTable(initial: Record<string, unknown> = {}): SettingsTable & { data: Map<string, unknown> } {
  const data = new Map(Object.entries(initial));
  return {
    data,
    get: (key) => data.get(key),
    put: (key, value) => void data.set(key, JSON.parse(JSON.stringify(value))),
  };
}

const fileConfig = ConfigSchema.parse({
  harvest: { batchSize: 5 },
  ingest: { url: 'http://127.0.0.1:9/in' },
});

test('API changes take precedence over the start-up config and persist across restarts', async () => {
  const table = memoryTable();
  const store = new PersistentSettingsStore(fileConfig, table, silentLogger());
  assert.equal(store.get().harvest.batchSize, 5);
  const next = await store.update({ harvest: { intervalMs: 2000 } });
  assert.equal(next.harvest.intervalMs, 2000);
  assert.equal(next.harvest.batchSize, 5, 'untouched keys keep the file value');
  const reopened = new PersistentSettingsStore(fileConfig, table, silentLogger());
  assert.equal(reopened.get().harvest.intervalMs, 2000);
  assert.equal(reopened.get().ingest.url, 'http://127.0.0.1:9/in');
});

test('null removes a value, e.g. switching the ingest uplink off', async () => {
  const store = new PersistentSettingsStore(fileConfig, memoryTable(), silentLogger());
  const next = await store.update({ ingest: { url: null } });
  assert.equal(next.ingest.url, undefined);
  assert.equal(next.ingest.timeoutMs, 10_000);
});

test('refuses invalid values and unknown keys with a ValidationError naming the field, storing nothing', async () => {
  const table = memoryTable();
  const store = new PersistentSettingsStore(fileConfig, table, silentLogger());
  await assert.rejects(store.update({ harvest: { batchSize: 0 } }), (error: unknown) => {
    assert.ok(error instanceof ValidationError);
    assert.equal(error.where.field, 'harvest.batchSize');
    return true;
  });
  await assert.rejects(store.update({ harvest: { batchsize: 3 } }), {
    where: { field: 'harvest.batchsize' },
  });
  await assert.rejects(store.update({ http: { port: 1 } }), { where: { field: 'http' } });
  await assert.rejects(store.update('fast'), { where: { field: 'settings' } });
  assert.equal(table.data.size, 0);
  assert.equal(store.get().harvest.batchSize, 5);
});

test('tells listeners the new and previous settings', async () => {
  const store = new PersistentSettingsStore(fileConfig, memoryTable(), silentLogger());
  const seen: number[][] = [];
  store.onChange((next, previous) => seen.push([previous.harvest.batchSize, next.harvest.batchSize]));
  await store.update({ harvest: { batchSize: 20 } });
  assert.deepEqual(seen, [[5, 20]]);
});

test('ignores a stored overlay that no longer validates', () => {
  const table = memoryTable({ [SETTINGS_KEY]: { harvest: { batchSize: -1 } } });
  const store = new PersistentSettingsStore(fileConfig, table, silentLogger());
  assert.equal(store.get().harvest.batchSize, 5);
});
