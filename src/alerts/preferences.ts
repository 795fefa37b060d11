// Per-owner alert preferences (each type on | silent | off), stored in the Setting table as `alerts:<userId>`.
import { z } from 'zod';
import type { DbClient } from '../store/client.js';
import { SettingsRepository } from '../store/settings.js';
import { ALERT_MODES, DEFAULT_ALERT_MODES, isAlertType, type AlertMode, type AlertType } from './types.js';

export type AlertPreferences = Record<AlertType, AlertMode>;

/** What is stored: only the types the owner changed. */
const storedSchema = z.record(z.string(), z.enum(ALERT_MODES));

export const alertSettingKey = (userId: number): string => `alerts:${userId}`;

/** Whether and how to deliver an alert of a type to someone with these preferences. */
export interface Delivery {
  send: boolean;
  silent: boolean;
}

/** The decision for one recipient: `requestedSilent` is the caller's wish (an alert that is quiet by nature). */
export function deliveryFor(mode: AlertMode, requestedSilent = false): Delivery {
  if (mode === 'off') return { send: false, silent: false };
  return { send: true, silent: requestedSilent || mode === 'silent' };
}

const modeSchema = z.enum(ALERT_MODES);

/**
 * Read leniently: alerts are decided inside the transaction of a trade, where a bad setting must not
 * throw. Unknown types (from another version) and unreadable entries fall back to the defaults.
 */
function withDefaults(stored: unknown): AlertPreferences {
  const prefs: AlertPreferences = { ...DEFAULT_ALERT_MODES };
  if (typeof stored !== 'object' || stored === null || Array.isArray(stored)) return prefs;
  for (const [type, value] of Object.entries(stored)) {
    const mode = modeSchema.safeParse(value);
    if (isAlertType(type) && mode.success) prefs[type] = mode.data;
  }
  return prefs;
}

function overrides(prefs: AlertPreferences): Record<string, AlertMode> {
  return Object.fromEntries(Object.entries(prefs).filter(([type, mode]) => isAlertType(type) && DEFAULT_ALERT_MODES[type] !== mode));
}

export class AlertPreferencesRepository {
  private readonly settings: SettingsRepository;

  constructor(private readonly db: DbClient) {
    this.settings = new SettingsRepository(db);
  }

  /** Every type's mode for this user, defaults filled in. Never throws on a bad stored value. */
  async get(userId: number): Promise<AlertPreferences> {
    return (await this.getMany([userId])).get(userId) ?? { ...DEFAULT_ALERT_MODES };
  }

  /** Several users at once (one query). */
  async getMany(userIds: readonly number[]): Promise<Map<number, AlertPreferences>> {
    const rows = await this.db.setting.findMany({ where: { key: { in: userIds.map(alertSettingKey) } } });
    const byKey = new Map(rows.map((r) => [r.key, r.value as unknown]));
    return new Map(userIds.map((id) => [id, withDefaults(byKey.get(alertSettingKey(id)))]));
  }

  /** Sets one type's mode; returns the full preferences after the change. */
  async set(userId: number, type: AlertType, mode: AlertMode): Promise<AlertPreferences> {
    const prefs = await this.get(userId);
    prefs[type] = mode;
    return this.save(userId, prefs);
  }

  /** Sets every type to `mode` (e.g. /alerts off). */
  async setAll(userId: number, mode: AlertMode): Promise<AlertPreferences> {
    const prefs = await this.get(userId);
    for (const type of Object.keys(prefs) as AlertType[]) prefs[type] = mode;
    return this.save(userId, prefs);
  }

  /** Back to the defaults. */
  async reset(userId: number): Promise<AlertPreferences> {
    await this.settings.delete(alertSettingKey(userId));
    return { ...DEFAULT_ALERT_MODES };
  }

  private async save(userId: number, prefs: AlertPreferences): Promise<AlertPreferences> {
    const changed = overrides(prefs);
    if (Object.keys(changed).length === 0) await this.settings.delete(alertSettingKey(userId));
    else await this.settings.set(alertSettingKey(userId), storedSchema, changed);
    return prefs;
  }
}
