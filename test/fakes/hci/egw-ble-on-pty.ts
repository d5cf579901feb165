/**
 * Runs the real egw-ble process on the virtual controller: `egw-ble --hci-uart <pty>` (bleno's uart
 * HCI driver) with the controller on the other end of the pty. One process per test file; tests
 * connect and drop centrals on it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { controlRequest, controlSocketPath } from '../../../bluetooth/src/provisioning/control-socket.ts';
import { VirtualCentral } from './virtual-central.ts';
import { VirtualController, type VirtualControllerOptions } from './virtual-controller.ts';

const CLI = resolve('bluetooth/src/cli.ts');

export interface EgwBleOnPtyOptions {
  dataDir: string;
  gatewayUrl: string;
  /** More egw-ble arguments (--name, --frame-size, …). */
  args?: string[];
  env?: Record<string, string>;
  controller?: VirtualControllerOptions;
  /** Resolve once this holds instead of once advertising runs. */
  ready?: (controller: VirtualController) => boolean;
}

/** A running egw-ble on its virtual controller. */
export interface EgwBleOnPty {
  controller: VirtualController;
  child: ChildProcess;
  /** A new central (not yet connected). */
  central(): VirtualCentral;
  /** `egw-ble status` through the control socket. */
  status(): Promise<Record<string, unknown>>;
  /** Output the process wrote (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

/** Starts the controller, then egw-ble on it; resolves once bleno advertises. */
export async function startEgwBleOnPty(options: EgwBleOnPtyOptions): Promise<EgwBleOnPty> {
  const controller = new VirtualController(options.controller);
  await controller.start();
  const args = ['--transport', 'ble', '--hci-uart', controller.port, '--data-dir', options.dataDir];
  const child = spawn(
    process.execPath,
    [CLI, ...args, '--gateway', options.gatewayUrl, ...(options.args ?? [])],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, EGW_LOG_LEVEL: process.env.EGW_BLE_TEST_LOG ?? 'silent', ...options.env },
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`egw-ble exited with ${code}: ${output}`))),
  );
  exited.catch(() => undefined);
  const ready = options.ready ?? ((c: VirtualController) => c.advertisingEnabled);
  await Promise.race([controller.until(() => ready(controller)), exited]);
  return {
    controller,
    child,
    central: () => new VirtualCentral(controller),
    status: async () =>
      (await controlRequest(controlSocketPath(options.dataDir), 'GET', '/status')) as Record<string, unknown>,
    output: () => output,
    async stop() {
      if (child.exitCode === null) {
        const gone = new Promise((done) => child.once('exit', done));
        child.kill('SIGTERM');
        await gone;
      }
      await controller.stop();
    },
  };
}
