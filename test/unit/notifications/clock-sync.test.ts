import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clockUnsynchronisedReason } from '../../../server/src/notifications/clock-sync.ts';

test('a wall clock in 1970 is not synchronised; a plausible one is unless the marker is missing', async () => {
  assert.match((await clockUnsynchronisedReason(0)) ?? '', /1970-01-01.*not synchronised/);
  const now = Date.UTC(2026, 5, 1);
  assert.equal(await clockUnsynchronisedReason(now), undefined);
  const dir = mkdtempSync(join(tmpdir(), 'egw-sync-'));
  try {
    const marker = join(dir, 'synchronized');
    assert.match((await clockUnsynchronisedReason(now, marker)) ?? '', /synchronized is missing/);
    writeFileSync(marker, '');
    assert.equal(await clockUnsynchronisedReason(now, marker), undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
