import { it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { controlRequest, startControlSocket } from '../../../bluetooth/src/provisioning/control-socket.ts';
import type { ProvisioningWindow } from '../../../bluetooth/src/provisioning/provisioning-window.ts';

const window = {
  open: () => ({}),
  close: () => ({}),
  state: () => ({ open: false }),
} as unknown as ProvisioningWindow;

it('a second egw-ble on the same data directory is refused; a stale socket file is replaced', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'egw-ble-sock-'));
  const path = join(dir, 'egw-ble.sock');
  try {
    const first = await startControlSocket(path, { window, status: () => ({ who: 'first' }) });
    await assert.rejects(
      startControlSocket(path, { window, status: () => ({ who: 'second' }) }),
      /another egw-ble is running/,
    );
    assert.deepEqual(await controlRequest(path, 'GET', '/status'), { who: 'first', window: { open: false } });
    // Once the first one stopped, the next start takes the socket (a stale file is removed likewise).
    await new Promise<void>((resolve) => first.close(() => resolve()));
    const next = await startControlSocket(path, { window, status: () => ({ who: 'next' }) });
    assert.deepEqual(await controlRequest(path, 'GET', '/status'), { who: 'next', window: { open: false } });
    await new Promise<void>((resolve) => next.close(() => resolve()));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
