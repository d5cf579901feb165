/** GET/POST /api/settings: the runtime settings (token required for both: they hold uplink credentials). */
import { maskUrlCredentials } from '../../config/redact-secrets.ts';
import type { Settings } from '../../config/settings.ts';
import { defineRoute, type AnyRoute } from '../route-spec.ts';
import type { z } from 'zod';
import type { RouteDeps } from '../route-deps.ts';
import { SettingsViewSchema } from '../responses/operations-responses.ts';
import { SettingsPatchSchema } from '../schemas.ts';

/**
 * Settings as shown to clients: the MQTT password is never sent back, only whether one is set, and a
 * password inside a URL (`mqtt://user:pass@host`) is shown as `***`.
 */
export function redactSettings(settings: Settings): z.input<typeof SettingsViewSchema> {
  const { password, ...mqtt } = settings.mqtt;
  const masked = (url: string | undefined) => (url === undefined ? {} : { url: maskUrlCredentials(url) });
  return {
    ...settings,
    ingest: { ...settings.ingest, ...masked(settings.ingest.url) },
    mqtt: { ...mqtt, ...masked(mqtt.url), passwordSet: password !== undefined && password !== '' },
  };
}

/** The settings route group. */
export function settingsRoutes({ services }: RouteDeps): AnyRoute[] {
  return [
    defineRoute({
      method: 'GET',
      path: '/api/settings',
      operationId: 'getSettings',
      summary: 'harvest interval, batch size, uplinks (needs the token)',
      tag: 'settings',
      auth: true,
      response: SettingsViewSchema,
      handler: () => redactSettings(services.settings.get()),
    }),
    defineRoute({
      method: 'POST',
      path: '/api/settings',
      operationId: 'updateSettings',
      summary: 'change settings; keys left out keep their value (persisted)',
      tag: 'settings',
      body: SettingsPatchSchema,
      response: SettingsViewSchema,
      handler: async (_ctx, { body }) => redactSettings(await services.settings.update(body)),
    }),
  ];
}
