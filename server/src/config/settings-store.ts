/**
 * Runtime settings (GatewayServices.settings): the API's changes are kept in the outbox database's
 * settings table as an overlay over the start-up config, so precedence is defaults < config file <
 * environment < API. Every change is validated as a whole with the config schema before it is stored.
 */
import { describeError, ValidationError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { Config } from './schema.ts';
import type { Settings, SettingsStore } from './settings.ts';
import { mergeSettings, type SettingsPatch } from './merge-settings.ts';
import { parseSettings } from './settings-schema.ts';

/** Key-value persistence (the outbox's settings table, OutboxSettings); values are JSON-serialisable. */
export interface SettingsTable {
  get(key: string): unknown;
  put(key: string, value: unknown): void;
}

/** Key of the API overlay in the settings table. */
export const SETTINGS_KEY = 'settings.api';

/** Called after a change with the new and the previous settings. */
export type SettingsListener = (next: Settings, previous: Settings) => void;

/** SettingsStore over the settings table. */
export class PersistentSettingsStore implements SettingsStore {
  private readonly base: Settings;
  private overlay: SettingsPatch;
  private current: Settings;
  private ignored: string | undefined;
  private readonly listeners = new Set<SettingsListener>();

  private readonly table: SettingsTable;
  private readonly logger: Logger;
  /** @param config the start-up config (defaults < file < environment), already validated */
  constructor(config: Config, table: SettingsTable, logger: Logger) {
    this.table = table;
    this.logger = logger;
    this.base = { harvest: config.harvest, ingest: config.ingest, mqtt: config.mqtt };
    this.overlay = {};
    this.current = this.base;
    this.readStored();
  }

  /** Applies the overlay stored in the table (see the constructor); a bad one is ignored with a warning. */
  private readStored(): void {
    let stored: unknown;
    try {
      stored = this.table.get(SETTINGS_KEY);
    } catch (error) {
      this.ignoreStored(`cannot be read: ${describeError(error)}`);
      return;
    }
    if (stored === undefined || stored === null) return;
    try {
      this.current = parseSettings(mergeSettings(this.base, stored as SettingsPatch));
      this.overlay = stored as SettingsPatch;
      this.ignored = undefined;
    } catch (error) {
      // A stored overlay that no longer validates (older release, schema changed) must not stop the gateway.
      this.ignoreStored(error instanceof Error ? error.message : describeError(error));
    }
  }

  /**
   * Reads the table again and tells the listeners when that changed the settings: the outbox's
   * database opened after start (it could not at start, full disk), so its stored settings apply now.
   */
  reloadStored(): void {
    const previous = this.current;
    this.readStored();
    if (JSON.stringify(this.current) === JSON.stringify(previous)) return;
    this.logger.info('settings stored through the API apply now (the outbox database opened)');
    this.notify(this.current, previous);
  }

  get(): Settings {
    return this.current;
  }

  /** Why the stored API settings are not in force (undefined when they are, or none are stored). */
  ignoredReason(): string | undefined {
    return this.ignored;
  }

  /** Whether settings changed through the API are in force over the start-up config. */
  hasOverlay(): boolean {
    return Object.keys(this.overlay).length > 0;
  }

  /**
   * Runs on the start-up config alone: the stored overlay stays in the table (a later change through
   * the API replaces it, `egw settings reset` removes it) but is not applied. Logged as a warning and
   * counted (ignoredReason()); the listeners are not called: this happens before anything started.
   */
  ignoreStored(reason: string): void {
    this.ignored = reason;
    this.overlay = {};
    this.current = this.base;
    this.logger.warn(
      { reason, remedy: 'egw settings reset' },
      `ignoring the settings stored through the API (${reason}); running on the config file and environment`,
    );
  }

  /** Applies a partial change (null removes a value), validates the result, persists, notifies. */
  async update(patch: unknown): Promise<Settings> {
    if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) {
      throw new ValidationError(
        'settings: expected an object such as {"harvest": {"batchSize": 10}}',
        'settings',
      );
    }
    const overlay = mergeSettings(this.overlay, patch as SettingsPatch, true) as SettingsPatch;
    const next = parseSettings(mergeSettings(this.base, overlay));
    this.table.put(SETTINGS_KEY, overlay);
    const previous = this.current;
    this.overlay = overlay;
    this.current = next;
    this.logger.info({ sections: Object.keys(patch) }, 'settings changed through the API');
    this.notify(next, previous);
    return next;
  }

  private notify(next: Settings, previous: Settings): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(next, previous);
      } catch (error) {
        this.logger.error({ err: describeError(error) }, 'settings listener failed');
      }
    }
  }

  /** Subscribes to changes; returns the function that unsubscribes. */
  onChange(listener: SettingsListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
