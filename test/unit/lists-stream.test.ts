/**
 * `seats list`, `activities list` and `audit` write their rows as they are read (seatBatches, activityBatches,
 * auditBatches over recordBatches, Session.listStream), as `contacts list` does: the bytes must be those of
 * rendering the whole list at once — every format, with the filters (those SQL cannot say too: --idle-since,
 * --key), over more rows than a batch holds (SQLite 256, a PostgreSQL cursor 5,000). A bad filter is refused
 * before anything is written.
 */
import { sql } from '#kysely';
import { describe, expect, it } from 'vitest';
import { listActivities, type ActivityFilter } from '../../src/activities/list.js';
import { listAudit, type AuditFilter } from '../../src/audit/audit.js';
import { LIST_COLUMNS as ACTIVITY_COLUMNS, LIST_FIELDS as ACTIVITY_FIELDS } from '../../src/commands/activities.js';
import { COLUMNS as AUDIT_COLUMNS, FIELDS as AUDIT_FIELDS } from '../../src/commands/audit.js';
import { LIST_COLUMNS as SEAT_COLUMNS, LIST_FIELDS as SEAT_FIELDS } from '../../src/commands/seats.js';
import { renderList, type Format, type Rec } from '../../src/output/render.js';
import { listSeats, type SeatFilter } from '../../src/seats/service.js';
import { runCli } from '../helpers/cli.js';
import { eachTestDb } from '../helpers/db.js';

const ROWS = 6_000;
const NOW = '2026-11-25T09:00:00Z';
const n = sql.lit(ROWS);

const t = eachTestDb(async (t) => {
  const anna = await t.seed.manager('anna');
  for (const id of ['SCH-001', 'SCH-002', 'SCH-003']) {
    const account = await t.seed.account(id, { locale: null });
    await t.seed.subscription(`SUB-${id}`, { account });
  }
  // rows made by the database (a recursive count), in no order of the lists' sort keys
  await sql`with recursive n(i) as (select 1 union all select i + 1 from n where i < ${n})
    insert into contacts (account_id, name, email, email_key, role, is_primary, status, created_at, updated_at)
    select a.id, case when i % 7 = 0 then 'Иван Петров ' || i else 'Teacher ' || i end, 'T' || (i * 7919 % ${n}) || '@school.example',
      't' || (i * 7919 % ${n}) || '@school.example', 'teacher', 0, 'active', ${NOW}, ${NOW}
    from n join accounts a on a.external_id = 'SCH-00' || (1 + i % 3)`.execute(t.db);
  await sql`insert into seats (subscription_id, contact_id, status, invited_at, last_login_at, removed_at, created_at, updated_at)
    select s.id, c.id, case when c.id % 9 = 0 then 'removed' when c.id % 3 = 0 then 'active' else 'invited' end,
      '2026-0' || (1 + c.id % 9) || '-1' || (c.id % 10),
      case when c.id % 3 = 0 then '2026-1' || (c.id % 2) || '-0' || (1 + c.id % 9) || 'T08:00:00Z' end,
      case when c.id % 9 = 0 then '2026-11-0' || (1 + c.id % 9) end, ${NOW}, ${NOW}
    from contacts c join subscriptions s on s.account_id = c.account_id`.execute(t.db);
  await sql`with recursive n(i) as (select 1 union all select i + 1 from n where i < ${n})
    insert into activities (number, account_id, kind, subject, manager_id, at, status, override_reason, created_at, updated_at)
    select i, a.id, case i % 4 when 0 then 'call' when 1 then 'email' when 2 then 'web_session' else 'task' end, 'Subject ' || i,
      case when i % 2 = 0 then ${sql.lit(anna)} end, '2026-' || (10 + i % 3) || '-' || (10 + i % 19) || 'T0' || (i % 10) || ':00:00Z',
      case when i % 5 = 0 then 'planned' else 'done' end, case when i % 13 = 0 then 'agreed' end, ${NOW}, ${NOW}
    from n join accounts a on a.external_id = 'SCH-00' || (1 + (i * 7) % 3)`.execute(t.db);
  await sql`with recursive n(i) as (select 1 union all select i + 1 from n where i < ${n})
    insert into audit_log (at, actor, action, entity, entity_key, before_json, after_json)
    select '2026-11-' || (10 + i % 20) || 'T09:00:00Z', 'anna', 'update', case when i % 2 = 0 then 'account' else 'contact' end,
      case when i % 3 = 0 then 'sch-00' || (i % 4) else 'SCH-00' || (i % 4) end, '{"name":"Old ' || i || '"}', '{"name":"Нов ' || i || '"}'
    from n`.execute(t.db);
});

const FORMATS = [
  ['json', ['--json']],
  ['csv', ['--format', 'csv']],
  ['table', []],
] as const;

/** Each case's command-line output in every format against its whole list rendered at once. */
async function sameAsWhole<F>(
  command: string[],
  cases: [string[], F][],
  whole: (filter: F) => Promise<object[]>,
  columns: (filter: F) => readonly string[],
  fields: Parameters<typeof renderList>[2]['fields'],
): Promise<void> {
  for (const [args, filter] of cases) {
    const records = (await whole(filter)) as Rec[];
    for (const [format, flag] of FORMATS) {
      const r = await runCli([...command, ...args, ...flag], { db: t.path });
      expect(r.code, `${args.join(' ')} ${format}: ${r.stderr}`).toBe(0);
      const expected = renderList(records, format as Format, {
        color: false,
        terminal: false,
        wide: false,
        columns: columns(filter),
        fields,
      });
      expect(r.stdout, `${command.join(' ')} ${args.join(' ')} ${format}`).toBe(expected);
    }
  }
}

describe('lists stream as contacts list does', () => {
  it('seats list: the same bytes as the whole list, with and without filters', async () => {
    const cases: [string[], SeatFilter][] = [
      [[], {}],
      [['--account', 'sch-002'], { account: 'sch-002' }],
      [['--subscription', 'sub-sch-003', '--status', 'active'], { subscription: 'sub-sch-003', status: 'active' }],
      [['--status', 'removed'], { status: 'removed' }],
      [['--idle-since', '2026-05-01'], { idleSince: '2026-05-01' }],
    ];
    await sameAsWhole(
      ['seats', 'list'],
      cases,
      (f) => listSeats(t.db, f),
      (f) => (f.status === 'removed' ? [...SEAT_COLUMNS, 'removed_at'] : SEAT_COLUMNS),
      SEAT_FIELDS,
    );
    expect((await listSeats(t.db)).length).toBe(ROWS - Math.floor(ROWS / 9));
    expect((await listSeats(t.db, { idleSince: '2026-05-01' })).length).toBeGreaterThan(0);
  });

  it('activities list: the same bytes as the whole list, with and without filters', async () => {
    const cases: [string[], ActivityFilter][] = [
      [[], {}],
      [['--account', 'sch-001', '--kind', 'call'], { account: 'sch-001', kind: 'call' }],
      [['--manager', 'anna', '--status', 'planned'], { manager: 'anna', status: 'planned' }],
      [['--from', '2026-11-12', '--to', '2026-11-20'], { from: '2026-11-12', to: '2026-11-20' }],
      [['--overrides'], { overrides: true }],
    ];
    await sameAsWhole(
      ['activities', 'list'],
      cases,
      (f) => listActivities(t.db, f),
      () => ACTIVITY_COLUMNS,
      ACTIVITY_FIELDS,
    );
    expect((await listActivities(t.db)).length).toBe(ROWS);
  });

  it('audit: the same bytes as the whole log, with and without filters', async () => {
    const cases: [string[], AuditFilter][] = [
      [[], {}],
      [['--entity', 'account'], { entity: 'account' }],
      [['--key', 'sch-002'], { key: 'sch-002' }],
      [['--since', '2026-11-25', '--key', 'SCH-001'], { since: '2026-11-25', key: 'SCH-001' }],
    ];
    await sameAsWhole(
      ['audit'],
      cases,
      (f) => listAudit(t.db, f),
      () => AUDIT_COLUMNS,
      AUDIT_FIELDS,
    );
    expect((await listAudit(t.db, { key: 'Sch-002' })).length).toBe(ROWS / 4);
    // the first of the key's rows only: the rest of the log is not read
    const first = await listAudit(t.db, { key: 'sch-003', limit: 300 });
    expect(first.map((r) => r.id)).toEqual((await listAudit(t.db, { key: 'sch-003' })).slice(0, 300).map((r) => r.id));
  });

  it('a bad filter or an unknown account is refused before anything is written', async () => {
    for (const args of [
      ['seats', 'list', '--status', 'asleep'],
      ['activities', 'list', '--account', 'NOPE'],
      ['activities', 'list', '--manager', 'nobody'],
      ['audit', '--entity', 'planet'],
    ]) {
      const r = await runCli([...args, '--format', 'csv'], { db: t.path });
      expect(r.stdout, args.join(' ')).toBe('');
      expect(r.code, args.join(' ')).toBeGreaterThan(0);
    }
  });
});
