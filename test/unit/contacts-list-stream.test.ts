/**
 * `contacts list` writes its rows as they are read (contactBatches, Session.listStream): a million contacts
 * in ≈ 130 MB instead of 1.2 GB. The bytes must be those of rendering the whole list at once — every format,
 * with the filters, over more rows than a batch holds (SQLite 256, a PostgreSQL cursor 5,000).
 */
import { sql } from '#kysely';
import { describe, expect, it } from 'vitest';
import { listContacts, type ContactFilter } from '../../src/contacts/list.js';
import { CONTACT_RECORD_FIELDS } from '../../src/contacts/record.js';
import { without } from '../../src/output/fields.js';
import { renderList, type Format, type Rec } from '../../src/output/render.js';
import { runCli } from '../helpers/cli.js';
import { eachTestDb } from '../helpers/db.js';

const CONTACTS = 12_000;
const NOW = '2026-11-25T09:00:00Z';

const t = eachTestDb(async (t) => {
  for (const id of ['SCH-001', 'SCH-002', 'SCH-003']) await t.seed.account(id, { locale: null });
  // contacts made by the database (a recursive count), in no order of their accounts or emails
  await sql`with recursive n(i) as (select 1 union all select i + 1 from n where i < ${sql.lit(CONTACTS)})
    insert into contacts (account_id, name, email, email_key, role, is_primary, status, created_at, updated_at)
    select a.id, case when i % 7 = 0 then 'Иван Петров ' || i else 'Teacher ' || i end, 'T' || (i * 7919 % ${sql.lit(CONTACTS)}) || '@school.example',
      't' || (i * 7919 % ${sql.lit(CONTACTS)}) || '@school.example', case when i % 5 = 0 then 'director' else 'teacher' end,
      case when i % 97 = 0 then 1 else 0 end, case when i % 11 = 0 then 'removed' else 'active' end, ${NOW}, ${NOW}
    from n join accounts a on a.external_id = 'SCH-00' || (1 + i % 3)`.execute(t.db);
});

/** What `contacts list` printed before it streamed: the whole list rendered at once. */
async function whole(filter: ContactFilter, format: Format): Promise<string> {
  const records = (await listContacts(t.db, filter)) as unknown as Rec[];
  const columns = without(CONTACT_RECORD_FIELDS, 'invited_at');
  return renderList(records, format, { color: false, terminal: false, wide: false, columns, fields: CONTACT_RECORD_FIELDS });
}

describe('contacts list streams', () => {
  it('the same bytes as the whole list rendered at once: JSON, CSV and the piped table, with and without filters', async () => {
    const cases: [string[], ContactFilter][] = [
      [[], {}],
      [['--account', 'sch-002', '--role', 'director'], { account: 'sch-002', role: 'director' }],
      [['--status', 'removed'], { status: 'removed' }],
      [['--search', 'ИВАН'], { search: 'ИВАН' }],
      [['--search', 't12@'], { search: 't12@' }],
      [['--primary'], { primary: true }],
    ];
    for (const [args, filter] of cases)
      for (const [format, flag] of [
        ['json', ['--json']],
        ['csv', ['--format', 'csv']],
        ['table', []],
      ] as const) {
        const r = await runCli(['contacts', 'list', ...args, ...flag], { db: t.path });
        expect(r.code, `${args.join(' ')} ${format}: ${r.stderr}`).toBe(0);
        expect(r.stdout, `${args.join(' ')} ${format}`).toBe(await whole(filter, format));
      }
    expect((await listContacts(t.db)).length).toBe(CONTACTS - Math.floor(CONTACTS / 11));
  });

  it('a bad filter or an unknown account is refused before anything is written', async () => {
    const r = await runCli(['contacts', 'list', '--account', 'NOPE', '--format', 'csv'], { db: t.path });
    expect([r.code, r.stdout]).toEqual([1, '']);
    expect(r.stderr).toMatch(/NOPE/);
  });
});
