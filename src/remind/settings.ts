/**
 * The remind settings of the config file (src/lib/config.ts): `templates`, a folder of templates
 * overriding the defaults (`--templates` wins), and `locale_fallback`, the locale of accounts whose own
 * has no templates (default en): en, bg, or a locale whose templates the templates folder holds (all of
 * them, which loadTemplates checks).
 */
import fs from 'node:fs';
import path from 'node:path';
import { invalid } from '../errors.js';
import { configString, readConfig } from '../lib/config.js';
import { oneOfRule } from '../lib/fields.js';
import { isLocale, LOCALES, type Locale } from './templates.js';

export function remindSettings(env: NodeJS.ProcessEnv): { templatesDir?: string; localeFallback: Locale } {
  const file = readConfig(env);
  const fallback = configString(file, 'locale_fallback') ?? 'en';
  const templatesDir = configString(file, 'templates');
  const shipped = (LOCALES as readonly string[]).includes(fallback);
  const custom = templatesDir !== undefined && isLocale(fallback) && fs.existsSync(path.join(templatesDir, `digest.${fallback}.txt`));
  if (!shipped && !custom)
    throw invalid(
      'locale_fallback',
      fallback,
      `in ${file.path}: ${oneOfRule(LOCALES, fallback)}, or a locale whose templates are in the templates folder`,
    );
  return { templatesDir, localeFallback: fallback };
}
