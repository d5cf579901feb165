import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../../../server/src/core/clock.ts';
import { silentLogger } from '../../../../server/src/core/logger.ts';
import { GpioButton } from '../../../../bluetooth/src/provisioning/gpio-button.ts';

describe('GpioButton', () => {
  it('runs gpiomon on the configured line and counts bouncing edges once', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'egw-gpio-'));
    const fake = join(dir, 'gpiomon');
    // Three edges within a few ms (a bouncing contact), like gpiomon v2 prints them, then it exits.
    await writeFile(
      fake,
      `#!/bin/sh\necho "$@" > "${dir}/args"\nprintf '12.001 falling gpiochip0 17\\n12.002 falling gpiochip0 17\\n12.004 falling gpiochip0 17\\n'\n`,
    );
    await chmod(fake, 0o755);
    const clock = new ManualClock();
    let presses = 0;
    let exited: () => void = () => {};
    const done = new Promise<void>((resolve) => (exited = resolve));
    const button = new GpioButton({
      chip: 'gpiochip0',
      line: 17,
      clock,
      logger: silentLogger(),
      command: fake,
      onPress: () => {
        presses += 1;
        exited();
      },
    });
    try {
      button.start();
      await done;
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(presses, 1);
      assert.equal((await readFile(join(dir, 'args'), 'utf8')).trim(), '--falling-edge gpiochip0 17');
    } finally {
      button.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('stays up when gpiomon is not installed', async () => {
    const button = new GpioButton({
      chip: 'gpiochip0',
      line: 17,
      clock: new ManualClock(),
      logger: silentLogger(),
      command: '/nonexistent/gpiomon',
      onPress: () => assert.fail('no press without gpiomon'),
    });
    button.start();
    await new Promise((resolve) => setTimeout(resolve, 100));
    button.stop();
  });
});
