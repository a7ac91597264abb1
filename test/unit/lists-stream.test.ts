/**
 * `seats list`, `activities list`, `audit`, `subscriptions list`, `requests list`, `trainings list` and `invoices
 * list` write their rows as they are read (seatBatches, activityBatches, auditBatches, subscriptionBatches,
 * requestBatches, trainingBatches, invoiceBatches over recordBatches, Session.listStream), as `contacts list` does: the bytes must be those of
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
import { LIST_COLUMNS as INVOICE_COLUMNS, LIST_FIELDS as INVOICE_FIELDS } from '../../src/commands/invoices.js';
import { listInvoices, type InvoiceFilter } from '../../src/invoices/service.js';
import { LIST_COLUMNS as REQUEST_COLUMNS, LIST_FIELDS as REQUEST_FIELDS } from '../../src/commands/requests.js';
import { LIST_COLUMNS as SEAT_COLUMNS, LIST_FIELDS as SEAT_FIELDS } from '../../src/commands/seats.js';
import { LIST_COLUMNS as SUBSCRIPTION_COLUMNS, LIST_FIELDS as SUBSCRIPTION_FIELDS } from '../../src/commands/subscriptions.js';
import { LIST_COLUMNS as TRAINING_COLUMNS, LIST_FIELDS as TRAINING_FIELDS } from '../../src/commands/trainings.js';
import { listRequests, type RequestFilter } from '../../src/requests/service.js';
import { listSubscriptions, type SubscriptionFilter } from '../../src/subscriptions/service.js';
import { listTrainings, type TrainingFilter } from '../../src/trainings/list.js';
import { renderList, type Format, type Rec } from '../../src/output/render.js';
import { listSeats, type SeatFilter } from '../../src/seats/service.js';
import { runCli } from '../helpers/cli.js';
import { eachTestDb, testOp } from '../helpers/db.js';

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
  await sql`with recursive n(i) as (select 1 union all select i + 1 from n where i < ${n})
    insert into subscriptions (external_id, external_id_key, account_id, product_id, plan_id, students, term_months, start_date, end_date,
      status, price_cents, manager_id, paid_at, created_at, updated_at)
    select 'S-' || (i * 7919 % ${n}), 's-' || (i * 7919 % ${n}), a.id, p.product_id, p.plan_id, 100, 12, '2025-12-01',
      '2026-' || (10 + i % 3) || '-' || (10 + i % 19), case when i % 9 = 0 then 'cancelled' else 'active' end, 100000,
      case when i % 2 = 0 then ${sql.lit(anna)} end, case when i % 4 = 0 then '2025-12-05' end, ${NOW}, ${NOW}
    from n join accounts a on a.external_id = 'SCH-00' || (1 + i % 3)
    cross join (select product_id, plan_id from subscriptions where external_id = 'SUB-SCH-001') p`.execute(t.db);
  await sql`with recursive n(i) as (select 1 union all select i + 1 from n where i < ${n})
    insert into requests (number, account_id, contact_id, subject, priority, status, created_at, updated_at)
    select i, c.account_id, c.id, 'The app asks for a password again (' || i || ')', case when i % 5 = 0 then 'high' else 'normal' end,
      case i % 3 when 0 then 'open' when 1 then 'resolved' else 'in_progress' end, ${NOW}, ${NOW}
    from n join contacts c on c.id = 1 + (i * 13) % ${n}`.execute(t.db);
  await sql`with recursive n(i) as (select 1 union all select i + 1 from n where i < ${n})
    insert into trainings (number, account_id, topic, participants, source, status, first_date, manager_id, created_at, updated_at)
    select i, a.id, 'Assessment in class ' || i, 10 + i % 20, case when i % 4 = 0 then 'direct' else 'cross_sell' end,
      case when i % 3 = 0 then 'confirmed' else 'requested' end,
      case when i % 10 = 0 then null else '2026-' || (10 + i % 3) || '-' || (10 + i % 19) end, case when i % 2 = 0 then ${sql.lit(anna)} end,
      ${NOW}, ${NOW}
    from n join accounts a on a.external_id = 'SCH-00' || (1 + (i * 5) % 3)`.execute(t.db);
  await sql`with recursive n(i) as (select 1 union all select i + 1 from n where i < ${n})
    insert into invoices (number, number_key, year, seq, account_id, lines_json, amount_cents, currency, issued_on, due_on, paid_on,
      status, created_at, updated_at)
    select 'INV-2026-' || (100000 + i * 7919 % ${n}), 'inv-2026-' || (100000 + i * 7919 % ${n}), 2026, 100000 + i * 7919 % ${n}, a.id,
      '[{"description":"Period","quantity":1,"unit_price_cents":' || (100 * i) || ',"amount_cents":' || (100 * i) || '}]', 100 * i, 'EUR',
      '2026-' || (10 + i % 3) || '-' || (10 + i % 19), '2026-' || (10 + i % 3) || '-' || (10 + i % 19),
      case when i % 3 = 0 then '2026-11-28' end, case when i % 3 = 0 then 'paid' else 'issued' end, ${NOW}, ${NOW}
    from n join accounts a on a.external_id = 'SCH-00' || (1 + (i * 11) % 3)`.execute(t.db);
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
  /** keys the list writes in JSON only (subscriptions' activation_code) */
  jsonOnly: readonly string[] = [],
): Promise<void> {
  for (const [args, filter] of cases) {
    const records = (await whole(filter)) as Rec[];
    for (const [format, flag] of FORMATS) {
      const r = await runCli([...command, ...args, ...flag], { db: t.path });
      expect(r.code, `${args.join(' ')} ${format}: ${r.stderr}`).toBe(0);
      const shown =
        format === 'json' ? records : records.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !jsonOnly.includes(k))));
      const expected = renderList(shown, format as Format, {
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

  it('subscriptions list: the same bytes as the whole list, with and without filters (the status as of the day)', async () => {
    const op = testOp({ asOf: '2026-11-01' });
    const cases: [string[], SubscriptionFilter][] = [
      [[], {}],
      [['--account', 'sch-003', '--manager', 'anna'], { account: 'sch-003', manager: 'anna' }],
      [['--status', 'expired'], { status: 'expired' }],
      [['--ending-within', '20'], { endingWithin: 20 }],
      [['--ending-before', '2026-10-15', '--status', 'cancelled'], { endingBefore: '2026-10-15', status: 'cancelled' }],
    ];
    await sameAsWhole(
      ['--as-of', '2026-11-01', 'subscriptions', 'list'],
      cases,
      (f) => listSubscriptions(t.db, op, f),
      () => SUBSCRIPTION_COLUMNS,
      SUBSCRIPTION_FIELDS,
      ['activation_code'],
    );
    expect((await listSubscriptions(t.db, op, { status: 'expired' })).length).toBeGreaterThan(0);
  });

  it('invoices list: the same bytes as the whole list, with and without filters (overdue as of the day)', async () => {
    const op = testOp({ asOf: '2026-11-15' });
    const cases: [string[], InvoiceFilter][] = [
      [[], {}],
      [['--status', 'overdue'], { status: 'overdue' }],
      [
        ['--account', 'sch-002', '--from', '2026-11-01', '--to', '2026-12-31'],
        { account: 'sch-002', from: '2026-11-01', to: '2026-12-31' },
      ],
    ];
    await sameAsWhole(
      ['--as-of', '2026-11-15', 'invoices', 'list'],
      cases,
      (f) => listInvoices(t.db, op, f),
      () => INVOICE_COLUMNS,
      INVOICE_FIELDS,
    );
    expect((await listInvoices(t.db, op, { status: 'overdue' })).length).toBeGreaterThan(0);
  });

  it('requests list and trainings list: the same bytes as the whole list, with and without filters', async () => {
    const requests: [string[], RequestFilter][] = [
      [[], {}],
      [['--account', 'sch-001', '--status', 'open'], { account: 'sch-001', status: 'open' }],
    ];
    await sameAsWhole(
      ['requests', 'list'],
      requests,
      (f) => listRequests(t.db, f),
      () => REQUEST_COLUMNS,
      REQUEST_FIELDS,
    );
    const trainings: [string[], TrainingFilter][] = [
      [[], {}],
      [['--manager', 'anna', '--status', 'confirmed'], { manager: 'anna', status: 'confirmed' }],
      [['--from', '2026-11-12', '--to', '2026-11-20', '--source', 'direct'], { from: '2026-11-12', to: '2026-11-20', source: 'direct' }],
    ];
    await sameAsWhole(
      ['trainings', 'list'],
      trainings,
      (f) => listTrainings(t.db, f),
      () => TRAINING_COLUMNS,
      TRAINING_FIELDS,
    );
    expect([(await listRequests(t.db)).length, (await listTrainings(t.db)).length]).toEqual([ROWS, ROWS]);
  });

  it('a bad filter or an unknown account is refused before anything is written', async () => {
    for (const args of [
      ['seats', 'list', '--status', 'asleep'],
      ['activities', 'list', '--account', 'NOPE'],
      ['activities', 'list', '--manager', 'nobody'],
      ['audit', '--entity', 'planet'],
      ['subscriptions', 'list', '--status', 'asleep'],
      ['requests', 'list', '--account', 'NOPE'],
      ['trainings', 'list', '--source', 'rumour'],
      ['invoices', 'list', '--status', 'late'],
    ]) {
      const r = await runCli([...args, '--format', 'csv'], { db: t.path });
      expect(r.stdout, args.join(' ')).toBe('');
      expect(r.code, args.join(' ')).toBeGreaterThan(0);
    }
  });
});
