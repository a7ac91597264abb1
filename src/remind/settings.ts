/**
 * The remind settings of the config file (src/lib/config.ts): `templates`, a folder of templates
 * overriding the defaults (`--templates` wins), and `locale_fallback`, the locale of accounts whose own
 * has no templates (default en).
 */
import { invalid } from '../errors.js';
import { configString, readConfig } from '../lib/config.js';
import { oneOfRule } from '../lib/fields.js';
import { isLocale, LOCALES, type Locale } from './templates.js';

export function remindSettings(env: NodeJS.ProcessEnv): { templatesDir?: string; localeFallback: Locale } {
  const file = readConfig(env);
  const fallback = configString(file, 'locale_fallback') ?? 'en';
  if (!isLocale(fallback)) throw invalid('locale_fallback', fallback, `in ${file.path}: ${oneOfRule(LOCALES, fallback)}`);
  return { templatesDir: configString(file, 'templates'), localeFallback: fallback };
}
