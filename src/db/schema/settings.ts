import type { Selectable } from '#kysely';

export interface SettingsTable {
  /** one of the known keys (src/settings/keys.ts) */
  name: string;
  value: string;
  updated_at: string;
}
export type SettingRow = Selectable<SettingsTable>;
