/**
 * What the web API (and through it BLE provisioning) sees of the running gateway: the API's port. The
 * composition root (server/src/gateway/) builds it from the real modules; API tests may build it from
 * the real modules too (against the simulator) or from small in-memory implementations in test/fakes/.
 */
import type { Clock } from '../core/clock.ts';
import type { EventBus } from '../core/event-bus.ts';
import type { Logger } from '../core/logger.ts';
import type { LogLevels } from '../core/log-levels.ts';
import type { BleLogLevels } from '../notifications/ble-log-levels.ts';
import type { SettingsStore } from '../config/settings.ts';
import type { DeviceRegistry } from '../devices/device-info.ts';
import type { TaskKindStats } from '../engine/task.ts';
import type { GatewayIdentity } from '../identity/gateway-identity.ts';
import type { BatchRecord, OutboxStats } from '../outbox/batch-record.ts';
import type { UplinkState } from '../uplink/uplink.ts';
import type { GatewayStateView } from '../notifications/gateway-state.ts';
import type { NotificationCenter } from '../notifications/notification-center.ts';
import type { WifiManager } from '../wifi/wifi-manager.ts';

export interface GatewayServices {
  clock: Clock;
  logger: Logger;
  bus: EventBus;
  identity: GatewayIdentity;
  /** The API token (Bearer). */
  apiToken: string;
  devices: DeviceRegistry;
  settings: SettingsStore;
  engineStats(): Record<string, TaskKindStats>;
  /** recent(): newest first, only seq < beforeSeq when given (paging of GET /api/harvests). */
  outbox: { stats(): OutboxStats; recent(limit: number, beforeSeq?: number): BatchRecord[] };
  uplinks(): UplinkState[];
  wifi: WifiManager;
  /** Active and recently cleared notifications (GET /api/notifications). */
  notifications: NotificationCenter;
  /** Run-time log levels per part (GET/POST /api/logger). */
  logLevels: LogLevels;
  /** The `ble` part of /api/logger: egw-ble's level over its control socket (absent: no BLE service). */
  bleLogLevels?: BleLogLevels;
  /** starting | unprovisioned | running | degraded | stopping, with its reasons (GET /api/state). */
  state(): GatewayStateView;
  /** Monotonic ms at start, for /api/uptime. */
  startedAtMs: number;
  version: string;
}
