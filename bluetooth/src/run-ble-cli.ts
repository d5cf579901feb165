/**
 * The `egw-ble` command line (npm run ble -- …, entry point cli.ts): runs the BLE provisioning service,
 * or talks to a running one. Ends like every command line of the project (core/cli-program.ts): exit 2
 * with one line on stderr for a bad command line, 1 for a runtime failure. Writes to the io it is given,
 * so tests run the one-shot commands in their own process.
 */
import { cliIo, type CliIo } from '../../server/src/core/cli-io.ts';
import { SystemClock } from '../../server/src/core/clock.ts';
import { EXIT_OK, integerOption, parseOptions, runProgram } from '../../server/src/core/cli-program.ts';
import { NotAvailable, UsageError, describeError } from '../../server/src/core/errors.ts';
import { createLogger } from '../../server/src/core/logger.ts';
import { LogLevels } from '../../server/src/core/log-levels.ts';
import { createWifiManager } from '../../server/src/wifi/create-wifi-manager.ts';
import { startBleService } from './ble-service.ts';
import { DEFAULT_FRAME_SIZE_BYTES, MIN_FRAME_SIZE_BYTES } from './egwttp/egwttp-message.ts';
import { loadOrCreateBlePin } from '../../server/src/config/gateway-secrets.ts';
import { parseHciUart } from './gatt/hci-uart.ts';
import { controlRequest, controlSocketPath } from './provisioning/control-socket.ts';

const USAGE = `Usage: egw-ble [run] [options]        BLE provisioning service (EGWTTP over GATT and/or WebSocket)
       egw-ble open-window [--data-dir D]  open the provisioning window of the running service
       egw-ble close-window [--data-dir D] close it now
       egw-ble status [--data-dir D]       adapter, transports and window state of the running service
       egw-ble pin [--data-dir D]          print the 6-digit PIN (created on first use)

Options of run:
  --transport ble|ws|both   transports (default ble; "ws" for machines without Bluetooth)
  --port P                  WebSocket port (default 5002; 0 = any free port)
  --host H                  WebSocket listen address (default 127.0.0.1)
  --frame-size B            frame size in bytes, ${MIN_FRAME_SIZE_BYTES}–${DEFAULT_FRAME_SIZE_BYTES} (default ${DEFAULT_FRAME_SIZE_BYTES})
  --gateway URL             gateway web API (default http://127.0.0.1:$EGW_HTTP_PORT or :5000)
  --data-dir D              shared data directory (default $EGW_DATA_DIR or ./.egw)
  --window-minutes N        window open after boot (default 10; 0 = closed)
  --open-window-minutes N   window open after a button press or open-window (default 10)
  --always-advertise        keep advertising while the window is closed
  --no-unprovisioned-window do not keep the window open while there is no Wi-Fi and no device
  --gpio-chip C --gpio-line L  provisioning button on a GPIO line (libgpiod's gpiomon)
  --name NAME               advertised name (default: the gateway's name; cut to 29 UTF-8 bytes)
  --no-improv               no Improv Wi-Fi service beside EGWTTP (on by default: phones without Web
                            Bluetooth join Wi-Fi through Home Assistant's Improv support)
  --hci-uart PATH[:BAUD]    Bluetooth controller on a serial line speaking HCI H4 (nRF52/ESP32 HCI
                            firmware, Pi HATs), e.g. /dev/ttyACM0:1000000 (default baud 1000000);
                            env EGW_BLE_HCI_UART
  --show-pin                print the PIN on stdout at start (for boxes without a label; off by default
                            because stdout usually ends up in collected logs)
`;

const OPTIONS = {
  transport: { type: 'string', default: 'ble' },
  port: { type: 'string', default: '5002' },
  host: { type: 'string', default: '127.0.0.1' },
  'frame-size': { type: 'string', default: String(DEFAULT_FRAME_SIZE_BYTES) },
  gateway: { type: 'string' },
  'data-dir': { type: 'string' },
  'window-minutes': { type: 'string', default: '10' },
  'open-window-minutes': { type: 'string', default: '10' },
  'always-advertise': { type: 'boolean', default: false },
  'no-unprovisioned-window': { type: 'boolean', default: false },
  'gpio-chip': { type: 'string' },
  'gpio-line': { type: 'string' },
  name: { type: 'string' },
  'hci-uart': { type: 'string' },
  'no-improv': { type: 'boolean', default: false },
  'show-pin': { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

async function run(args: string[], io: CliIo): Promise<number> {
  const values = parseOptions(args, OPTIONS);
  if (values.help) return (io.stdout.write(USAGE), EXIT_OK);
  const transports = values.transport === 'both' ? (['ble', 'ws'] as const) : [values.transport];
  if (!transports.every((t) => t === 'ble' || t === 'ws'))
    throw new UsageError('--transport must be ble, ws or both', 'transport');
  const clock = new SystemClock();
  const root = createLogger({ name: 'egw-ble' });
  // Levels change on children only (pino's onChild): every logger of the service is one.
  const logLevels = new LogLevels(root, clock);
  const logger = root.child({ area: 'ble' });
  const gpio =
    values['gpio-chip'] !== undefined
      ? { chip: values['gpio-chip'], line: integerOption('gpio-line', values['gpio-line'], 0, 0, 1023) }
      : undefined;
  const dataDir = values['data-dir'] ?? io.env.EGW_DATA_DIR ?? './.egw';
  const hciUart = values['hci-uart'] ?? (io.env.EGW_BLE_HCI_UART || undefined);
  // Created now (not at the first PIN proof) so `egw-ble pin` and the label show it from the start.
  const pin = loadOrCreateBlePin(dataDir);
  if (values['show-pin']) io.stdout.write(`egw-ble: provisioning PIN ${pin}\n`);
  const service = await startBleService({
    clock,
    logger,
    logLevels,
    dataDir,
    gatewayUrl: values.gateway ?? `http://127.0.0.1:${io.env.EGW_HTTP_PORT ?? 5000}`,
    transports: [...transports] as ('ble' | 'ws')[],
    wsHost: values.host,
    wsPort: integerOption('port', values.port, 5002, 0, 65535),
    frameSizeBytes: integerOption(
      'frame-size',
      values['frame-size'],
      DEFAULT_FRAME_SIZE_BYTES,
      MIN_FRAME_SIZE_BYTES,
      DEFAULT_FRAME_SIZE_BYTES,
    ),
    bootWindowMs: integerOption('window-minutes', values['window-minutes'], 10, 0, 1440) * 60_000,
    openWindowMs: integerOption('open-window-minutes', values['open-window-minutes'], 10, 1, 1440) * 60_000,
    alwaysAdvertise: values['always-advertise'],
    wifi: values['no-unprovisioned-window'] ? undefined : createWifiManager(),
    gpio,
    name: values.name,
    improv: !values['no-improv'],
    hciUart: hciUart === undefined ? undefined : parseHciUart(hciUart),
  });
  if (service.wsPort !== undefined)
    io.stdout.write(`egw-ble: WebSocket transport on port ${service.wsPort}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await service.stop();
  logLevels.stop();
  // bleno's HCI socket keeps the event loop alive after stop(); the service has shut down cleanly.
  process.exit(0);
}

const DATA_DIR_OPTION = { 'data-dir': { type: 'string' } } as const;

async function control(method: string, route: string, args: string[], io: CliIo): Promise<number> {
  const values = parseOptions(args, DATA_DIR_OPTION);
  const dataDir = values['data-dir'] ?? io.env.EGW_DATA_DIR ?? './.egw';
  const answer = await controlRequest(controlSocketPath(dataDir), method, route).catch((error: unknown) => {
    throw new NotAvailable(`no egw-ble running with data directory ${dataDir}: ${describeError(error)}`, {
      file: dataDir,
    });
  });
  io.stdout.write(`${JSON.stringify(answer)}\n`);
  return EXIT_OK;
}

async function main(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case '--help':
    case '-h':
    case 'help':
      io.stdout.write(USAGE);
      return EXIT_OK;
    case 'open-window':
      return control('POST', '/open-window', rest, io);
    case 'close-window':
      return control('POST', '/close-window', rest, io);
    case 'status':
      return control('GET', '/status', rest, io);
    case 'pin': {
      const values = parseOptions(rest, DATA_DIR_OPTION);
      io.stdout.write(`${loadOrCreateBlePin(values['data-dir'] ?? io.env.EGW_DATA_DIR ?? './.egw')}\n`);
      return EXIT_OK;
    }
    case 'run':
      return run(rest, io);
    default:
      return run(argv, io);
  }
}

/** Runs `egw-ble` with `argv` (without node and script); resolves the exit code. Output goes to `io`. */
export function runBleCli(argv: string[], io: Partial<CliIo> = {}): Promise<number> {
  const full = cliIo(io);
  return runProgram('egw-ble', () => main(argv, full), 'egw-ble --help', full.stderr);
}
