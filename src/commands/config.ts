/** `acctmgr config show`: the effective configuration and where each value came from. */
import type { Command } from 'commander';
import type { Io } from '../io.js';
import type { ConfigKey } from '../lib/config.js';
import { formatOption } from './field-options.js';
import { act } from './session.js';

/** What a table on a terminal says for a setting that has no value. */
const ABSENT: Partial<Record<ConfigKey, string>> = { templates: '(built in)', smtp_url: '(none)', mail_from: '(none)' };

export function registerConfig(program: Command, io: Io): void {
  const config = program.command('config').description('the configuration file and the settings in effect');
  config
    .command('show')
    .description('every setting in effect and where it came from (flag, environment, file, default); passwords masked')
    .addOption(formatOption())
    .addHelpText('after', '\nExample:\n  acctmgr config show --json')
    .action(
      act(io, async (s) => {
        const { effectiveConfig } = await import('../lib/config.js');
        const { describeTarget } = await import('../db/target.js');
        const db = s.target();
        const { file, settings } = effectiveConfig(
          s.io.env,
          { db: s.opts.db },
          {
            db: describeTarget(db.target),
            templates: null,
            locale_fallback: 'en',
            smtp_url: null,
            mail_from: null,
            smtp_timeout_ms: '60000',
          },
        );
        s.message(`config file: ${file.path}${file.exists ? '' : ' (none there)'}`);
        // absent values are null in JSON and empty in CSV and piped lines; only a person reading a table gets words
        const shown =
          s.format === 'table' && s.io.stdoutIsTTY ? settings.map((x) => ({ ...x, value: x.value ?? ABSENT[x.key] })) : settings;
        await s.list(shown, ['key', 'value', 'source', 'from']);
      }),
    );
}
