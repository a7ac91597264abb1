/**
 * What acctmgr reads from the catalogue comes in code-point order on both engines (SQLite's BINARY,
 * PostgreSQL's `collate "C"`), never in the database's collation: a database created with a collation
 * that ignores punctuation (ICU's `ka-shifted`, as glibc's en_US.UTF-8 does) put `trainings` before
 * `training_steps`, and `import undo`'s refusal lines and `db check`'s violations with it.
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { foreignKeyColumns } from '../../src/db/foreign-keys.js';
import { runCli } from '../helpers/cli.js';
import { freshDb, openTestDb } from '../helpers/db.js';
import { itPostgres } from '../helpers/engine.js';
import { dropPgDatabase, PG_BASE_URL, urlOf } from '../helpers/pg.js';

const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

async function childTables(location: string): Promise<string[]> {
  expect((await runCli(['db', 'migrate'], { db: location })).code).toBe(0);
  const h = await openTestDb(location);
  try {
    return (await foreignKeyColumns(h.db)).map((k) => `${k.child}.${k.from}`);
  } finally {
    await h.close();
  }
}

function sorted(keys: string[]): string[] {
  return [...keys].sort((a, b) => byCodePoint(a.split('.')[0]!, b.split('.')[0]!) || byCodePoint(a, b));
}

describe('the schema’s foreign keys in code-point order', () => {
  it('on this engine’s test database', async () => {
    const t = await freshDb();
    try {
      const keys = (await foreignKeyColumns(t.db)).map((k) => `${k.child}.${k.from}`);
      expect(keys.indexOf('training_steps.training_id')).toBeLessThan(keys.indexOf('trainings.account_id'));
      expect(keys).toEqual(sorted(keys));
    } finally {
      await t.close();
    }
  });

  itPostgres('under a database collation that ignores punctuation (ICU en-US-u-ka-shifted)', async () => {
    const name = `acctmgr_order_icu_${process.pid}_${Date.now()}`;
    const admin = new pg.Client(PG_BASE_URL);
    await admin.connect();
    await admin.query(`create database "${name}" locale_provider icu icu_locale 'en-US-u-ka-shifted' template template0`);
    // the collation does put trainings first
    const probe = new pg.Client(urlOf(name));
    await probe.connect();
    const { rows } = await probe.query<{ x: string }>(`select x from (values ('trainings'), ('training_steps')) v(x) order by 1`);
    await probe.end();
    await admin.end();
    expect(rows.map((r) => r.x)).toEqual(['trainings', 'training_steps']);
    try {
      const keys = await childTables(urlOf(name));
      expect(keys.indexOf('training_steps.training_id')).toBeLessThan(keys.indexOf('trainings.account_id'));
      expect(keys).toEqual(sorted(keys));
    } finally {
      await dropPgDatabase(urlOf(name));
    }
  });
});
