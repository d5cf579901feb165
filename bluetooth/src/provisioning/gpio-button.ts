/**
 * The provisioning button on a GPIO line, read through the Linux GPIO character device with libgpiod's
 * `gpiomon` (Debian package `gpiod`). Node has no ioctl, and the npm GPIO packages either use the
 * deprecated sysfs interface (onoff) or need a native build; gpiomon is the kernel-recommended path.
 * Every line gpiomon prints is one edge; presses closer than debounceMs count once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Clock } from '../../../server/src/core/clock.ts';
import type { Logger } from '../../../server/src/core/logger.ts';

export interface GpioButtonOptions {
  /** GPIO chip, e.g. "gpiochip0". */
  chip: string;
  /** Line offset on the chip, e.g. 17. */
  line: number;
  onPress: () => void;
  clock: Clock;
  logger: Logger;
  debounceMs?: number;
  /** gpiomon executable (default "gpiomon" on PATH). */
  command?: string;
}

/** Watches the button; stop() ends the gpiomon child. */
export class GpioButton {
  private child?: ChildProcess;
  private readonly options: GpioButtonOptions;
  private lastPressMs = Number.NEGATIVE_INFINITY;

  constructor(options: GpioButtonOptions) {
    this.options = options;
  }

  start(): void {
    const { chip, line, logger } = this.options;
    // Falling edge: buttons pull the line to ground. Works with gpiomon v1 and v2 argument syntax.
    const child = spawn(this.options.command ?? 'gpiomon', ['--falling-edge', chip, String(line)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.on('error', (error) => {
      logger.warn(
        { err: error, chip, line },
        'provisioning button unavailable: gpiomon (package gpiod) could not run',
      );
    });
    child.on('exit', (code) => {
      if (this.child === child && code !== null && code !== 0) {
        logger.warn({ chip, line, code }, 'provisioning button: gpiomon exited');
      }
    });
    let partial = '';
    child.stdout?.on('data', (data: Buffer) => {
      const lines = (partial + data.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const text of lines) if (text.trim()) this.edge();
    });
  }

  stop(): void {
    const child = this.child;
    this.child = undefined;
    child?.kill();
  }

  private edge(): void {
    const now = this.options.clock.monotonicMs();
    if (now - this.lastPressMs < (this.options.debounceMs ?? 1000)) return;
    this.lastPressMs = now;
    this.options.logger.info('provisioning button pressed');
    this.options.onPress();
  }
}
