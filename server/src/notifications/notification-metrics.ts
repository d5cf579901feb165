/** The /metrics gauge of active notifications per code (every code present, 0 when none is active). */
import { Gauge, type Registry } from 'prom-client';
import type { NotificationCenter } from './notification-center.ts';

/** Registers egw_notifications_active{code} on the registry, read at scrape time. */
export function registerNotificationGauge(registry: Registry, center: NotificationCenter): void {
  new Gauge({
    name: 'egw_notifications_active',
    help: 'Active notifications by code (see GET /api/notifications)',
    labelNames: ['code'],
    registers: [registry],
    collect() {
      for (const [code, count] of Object.entries(center.countByCode())) this.set({ code }, count);
    },
  });
}
