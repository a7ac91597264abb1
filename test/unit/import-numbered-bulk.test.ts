/**
 * Large activities, requests and trainings files are bulk-loaded (src/import/entities/activities.ts,
 * requests.ts, trainings.ts, lookups.ts: the unique number in memory, new rows through COPY on PostgreSQL and the bulk table on SQLite,
 * the accounts and contacts read whole, follow-ups of the file's own rows answered from memory): the same
 * file row by row (`bulk: false`) must give the same error lines, counts and stored rows, and undo must put
 * everything back, on both databases. The activities file has more rows than a SQLite statement binds values
 * (32,766): fair use at the end reads the sessions of the accounts written to a chunk at a time
 * (src/db/chunks.ts).
 */
import { describe, expect, it } from 'vitest';
import { copyStats } from '../../src/db/pg-copy.js';
import { BULK_MIN_BYTES } from '../../src/import/bulk/bulk-table.js';
import { undoBatch } from '../../src/import/undo.js';
import { onPostgres } from '../helpers/engine.js';
import { eachTestDb, testOp } from '../helpers/db.js';
import { importLines, Importer, sameRun, type ImportRun } from '../helpers/import.js';

const op = testOp({ asOf: '2026-06-30' });
let imp: Importer;
const t = eachTestDb(async () => {
  await t.seed.manager('anna');
  await t.seed.manager('ben');
  await t.seed.catalogue();
  imp = new Importer(t);
});

const ACCOUNTS = 200;
/** Rows of the file's body: more than SQLite binds in one statement. */
const BODY = 34_000;
/** A large file under load: more than the default timeout. */
const LARGE_FILE_MS = 300_000;
const HEADER = 'id,account_external_id,kind,subject,contact_email,manager_login,at,status,follow_up_of,override_reason\n';
const act = (n: number) => `ACT-${String(n).padStart(6, '0')}`;
/** The number the body's row k gets: after the two stored activities, in file order. */
const bodyNumber = (k: number) => 3 + k;

async function seedAccounts(): Promise<void> {
  const accounts = ['external_id,name,type,manager_login'];
  const contacts = ['account_external_id,name,email,role,status'];
  const subs = ['external_id,account_external_id,plan,students,term_months,start_date'];
  for (let a = 0; a < ACCOUNTS; a++) {
    accounts.push(`A${a},School ${a},school,anna`);
    for (let c = 0; c < 3; c++) contacts.push(`A${a},Teacher ${c},c${c}@a${a}.example,teacher,active`);
    // the last account has no subscription: no sessions
    if (a < ACCOUNTS - 1) subs.push(`SUB-${a},A${a},BIO-BASIC,100,12,2026-01-15`);
  }
  contacts.push('A0,Gone,gone@a0.example,teacher,removed');
  await importLines(imp, op, { accounts, contacts, subscriptions: subs });
  const storedActivities = `${HEADER}${act(1)},A0,call,stored call,,,2026-02-02T09:00:00Z,done,,\n${act(2)},A1,web_session,stored session,,,2026-03-02T09:00:00Z,done,,\n`;
  expect((await imp.run('activities', storedActivities, {}, op)).failed).toBe(false);
}

/**
 * After `bulk` (a bulk-loaded import of `csv` as `entity`): undo puts back what `read` read `before`, and the
 * same file row by row gives the same error lines, summary and stored rows (`after`).
 */
async function sameRowByRow<R>(
  entity: 'activities' | 'requests' | 'trainings',
  csv: string,
  bulk: ImportRun,
  read: () => Promise<R>,
  before: R,
  after: R,
) {
  await undoBatch(t.db, t.handle, testOp({ now: '2026-11-26T09:00:00Z' }), bulk.summary.batch_id!);
  expect(await read()).toEqual(before);
  const perRow = await imp.run(entity, csv, { skipInvalid: true, bulk: false }, op);
  expect(perRow.notes.some((n) => n.startsWith(`${entity}: rows loaded`))).toBe(false);
  expect(perRow.errors).toEqual(bulk.errors);
  expect(sameRun(perRow.summary)).toEqual(sameRun(bulk.summary));
  expect(await read()).toEqual(after);
}

const KINDS = ['call', 'email', 'note', 'task', 'meeting'];

/** Every kind of activities row the importer treats apart, after a body over the bulk threshold. */
function activitiesFile(): { csv: string; body: number } {
  const lines: string[] = [];
  for (let k = 0; k < BODY; k++) {
    const a = k % ACCOUNTS;
    const month = String(1 + (Math.floor(k / ACCOUNTS) % 6)).padStart(2, '0');
    const day = String(1 + (k % 28)).padStart(2, '0');
    // a follow-up of the account's previous row in the file (the number it got a moment ago)
    const follows = k >= ACCOUNTS && k % 10 === 0 ? act(bodyNumber(k - ACCOUNTS)) : '';
    const manager = ['anna', 'ben', ''][k % 3];
    lines.push(`,A${a},${KINDS[k % 5]},Subject ${k},c${k % 3}@a${a}.example,${manager},2026-${month}-${day}T09:00:00Z,done,${follows},`);
  }
  // web sessions: two a week are allowed (BIO-BASIC's default), a third refused unless it is an override
  for (const a of [3, 4, 5, 6]) {
    lines.push(`,A${a},web_session,Session one,,,2026-05-04T10:00:00Z,done,,`);
    lines.push(`,A${a},web_session,Session two,,,2026-05-06T10:00:00Z,done,,`);
  }
  lines.push(',A5,web_session,One too many,,,2026-05-07T10:00:00Z,done,,'); // refused at the end: fair use
  lines.push(',A6,web_session,Agreed extra,,,2026-05-07T10:00:00Z,done,,migrated from the old CRM'); // an override
  lines.push(`,A${ACCOUNTS - 1},web_session,No plan,,,2026-05-07T10:00:00Z,done,,`); // no subscription: refused
  lines.push(',NOBODY,call,x,,,2026-05-07T10:00:00Z,done,,'); // no such account
  lines.push(',A1,call,x,c0@a0.example,,2026-05-07T10:00:00Z,done,,'); // a contact of another account
  lines.push(',A0,call,x,gone@a0.example,,2026-05-07T10:00:00Z,done,,'); // a removed contact: history, accepted
  lines.push(',A0,call,x,,nobody,2026-05-07T10:00:00Z,done,,'); // no such manager
  lines.push(`,A0,task,x,,,2026-05-07T10:00:00Z,done,${act(999_999)},`); // no such activity
  lines.push(`,A1,task,x,,,2026-05-07T10:00:00Z,done,${act(bodyNumber(0))},`); // an activity of another account
  lines.push(`,A0,task,x,,,2026-05-07T10:00:00Z,done,${act(500_001)},`); // a row later in the file
  lines.push(`${act(500_000)},A7,meeting,kept number,,,2026-05-07T10:00:00Z,done,,`); // a number given: kept
  lines.push(',A7,meeting,next number,,,2026-05-07T10:00:00Z,done,,'); // …and the next one after it
  lines.push(`act-500000,A7,meeting,again,,,2026-05-07T10:00:00Z,done,,`); // a duplicate, another spelling
  lines.push(`${act(1)},A2,call,stored call moved,c1@a2.example,ben,2026-02-02T09:00:00Z,done,,`); // stored, updated
  lines.push(`,A2,task,follow the moved call,,,2026-05-08T10:00:00Z,planned,${act(1)},`); // follows it on its new account
  lines.push(`,A1,task,follow the stored session,,,2026-05-08T10:00:00Z,planned,${act(2)},`); // a stored row
  lines.push('X-1,A0,call,x,,,2026-05-07T10:00:00Z,done,,'); // a bad key
  const csv = `${HEADER}${lines.join('\n')}\n`;
  expect(Buffer.byteLength(csv)).toBeGreaterThan(BULK_MIN_BYTES);
  return { csv, body: lines.length };
}

/** What the activities stored, by number (ids differ between the runs). */
async function stored() {
  return t.db
    .selectFrom('activities as t')
    .innerJoin('accounts as a', 'a.id', 't.account_id')
    .leftJoin('contacts as c', 'c.id', 't.contact_id')
    .leftJoin('managers as m', 'm.id', 't.manager_id')
    .leftJoin('activities as f', 'f.id', 't.follow_up_of')
    .select(['t.number', 'a.external_id', 't.kind', 't.subject', 'c.email', 'm.login', 't.at', 't.status', 't.duration_minutes'])
    .select(['f.number as follows', 't.override_reason', 't.rev'])
    .orderBy('t.number')
    .execute();
}

describe('import: a large activities file', () => {
  it(
    'bulk-loaded gives the same errors, counts and rows as row by row, and undo puts everything back',
    async () => {
      await seedAccounts();
      const before = await stored();
      const { csv, body } = activitiesFile();

      const copied = { ...copyStats };
      const bulk = await imp.run('activities', csv, { skipInvalid: true }, op);
      expect(bulk.notes.some((n) => /^activities: rows loaded (with COPY|in multi-row INSERTs)/.test(n))).toBe(true);
      if (onPostgres) expect(copyStats.rows - copied.rows).toBeGreaterThan(BODY);
      const afterBulk = await stored();

      const file = `${imp.dir}/activities.csv`;
      const at = (i: number) => `${file}:${BODY + 1 + i}`;
      expect(bulk.errors).toEqual([
        `${at(9)}: fair use: A5 already has 2 web sessions in the week of 2026-05-04 (limit 2); next free day: 2026-05-11`,
        `${at(11)}: fair use: A${ACCOUNTS - 1} has no subscription running on 2026-05-07 (no web sessions); next free day: none`,
        `${at(12)}: account_external_id: "NOBODY": no account with this external_id`,
        `${at(13)}: contact_email: "c0@a0.example": is not a contact of account A1`,
        `${at(15)}: manager_login: "nobody": no manager with this login`,
        `${at(16)}: follow_up_of: "${act(999_999)}": no activity with this key (in the database or earlier in the file)`,
        `${at(17)}: follow_up_of: "${act(3)}": is an activity of another account (not A1)`,
        `${at(18)}: follow_up_of: "${act(500_001)}": no activity with this key (in the database or earlier in the file)`,
        `${at(21)}: id: "act-500000": duplicates line ${BODY + 1 + 19} (same id)`,
        `${at(25)}: id: "X-1": must be a key like ACT-000001`,
      ]);
      expect(bulk.summary.entities.activities).toMatchObject({ inserted: body - 10 - 1, updated: 1, unchanged: 0, rejected: 10 });

      const row = (n: number) => afterBulk.find((r) => r.number === n);
      expect(row(1)).toMatchObject({ external_id: 'A2', subject: 'stored call moved', email: 'c1@a2.example', login: 'ben' });
      expect(row(500_000)).toMatchObject({ external_id: 'A7', subject: 'kept number' });
      expect(row(500_001)).toMatchObject({ external_id: 'A7', subject: 'next number' });
      expect(afterBulk.find((r) => r.subject === 'follow the moved call')).toMatchObject({ external_id: 'A2', follows: 1 });
      expect(afterBulk.find((r) => r.subject === 'follow the stored session')).toMatchObject({ external_id: 'A1', follows: 2 });
      expect(row(bodyNumber(ACCOUNTS * 3))).toMatchObject({ external_id: 'A0', follows: bodyNumber(ACCOUNTS * 2), login: 'anna' });
      expect(row(bodyNumber(2))).toMatchObject({ external_id: 'A2', login: 'anna', email: 'c2@a2.example' }); // the account's manager
      expect(afterBulk.find((r) => r.subject === 'Agreed extra')).toMatchObject({ override_reason: 'migrated from the old CRM' });

      await sameRowByRow('activities', csv, bulk, stored, before, afterBulk);
    },
    LARGE_FILE_MS,
  );
});

const REQUESTS_HEADER = 'id,account_external_id,contact_email,subject,priority,status,created_by_login,created_at,updated_at\n';
/** Rows of the requests file's body. */
const REQUESTS = 22_000;

/** Every kind of requests row the importer treats apart, after a body over the bulk threshold. */
function requestsFile(): string {
  const lines: string[] = [];
  for (let k = 0; k < REQUESTS; k++) {
    const a = k % ACCOUNTS;
    const by = ['anna', 'ben', ''][k % 3];
    lines.push(`,A${a},c${k % 3}@a${a}.example,The parent app asks for a password again (${k}),normal,open,${by},2026-05-01T08:00:00Z,`);
  }
  lines.push(',NOBODY,c0@a0.example,x,,,,,'); // no such account
  lines.push(',A1,c0@a0.example,x,,,,,'); // a contact of another account
  lines.push(',A0,gone@a0.example,x,,,,,'); // a removed contact: history, accepted
  lines.push(',A0,c0@a0.example,x,,,nobody,,'); // no such manager
  lines.push('REQ-300000,A7,c0@a7.example,kept number,high,,,2026-05-02T08:00:00Z,'); // a number given: kept
  lines.push(',A7,c0@a7.example,next number,,,,2026-05-02T08:00:00Z,'); // …and the next one after it
  lines.push('req-300000,A7,c1@a7.example,again,,,,,'); // a duplicate, another spelling
  lines.push('REQ-000001,A2,c2@a2.example,stored request moved,,in_progress,,,'); // stored, updated (account and contact)
  lines.push('REQ-000002,A3,,moved without a contact,,,,,'); // stored: a new account needs a contact
  lines.push('X-1,A0,c0@a0.example,x,,,,,'); // a bad key
  const csv = `${REQUESTS_HEADER}${lines.join('\n')}\n`;
  expect(Buffer.byteLength(csv)).toBeGreaterThan(BULK_MIN_BYTES);
  return csv;
}

async function storedRequests() {
  return t.db
    .selectFrom('requests as r')
    .innerJoin('accounts as a', 'a.id', 'r.account_id')
    .innerJoin('contacts as c', 'c.id', 'r.contact_id')
    .leftJoin('managers as m', 'm.id', 'r.created_by_id')
    .select([
      'r.number',
      'a.external_id',
      'c.email',
      'r.subject',
      'r.priority',
      'r.status',
      'm.login',
      'r.created_at',
      'r.updated_at',
      'r.rev',
    ])
    .orderBy('r.number')
    .execute();
}

describe('import: a large requests file', () => {
  it(
    'bulk-loaded gives the same errors, counts and rows as row by row, and undo puts everything back',
    async () => {
      await seedAccounts();
      const storedCsv = `${REQUESTS_HEADER}REQ-000001,A0,c0@a0.example,stored one,,,,2026-04-01T08:00:00Z,\nREQ-000002,A1,c0@a1.example,stored two,,,,2026-04-01T08:00:00Z,\n`;
      expect((await imp.run('requests', storedCsv, {}, op)).failed).toBe(false);
      const before = await storedRequests();
      const csv = requestsFile();

      const bulk = await imp.run('requests', csv, { skipInvalid: true }, op);
      expect(bulk.notes.some((n) => /^requests: rows loaded (with COPY|in multi-row INSERTs)/.test(n))).toBe(true);
      const afterBulk = await storedRequests();
      const at = (i: number) => `${imp.dir}/requests.csv:${REQUESTS + 1 + i}`;
      expect(bulk.errors).toEqual([
        `${at(1)}: account_external_id: "NOBODY": no account with this external_id`,
        `${at(2)}: contact_email: "c0@a0.example": is not a contact of account A1`,
        `${at(4)}: created_by_login: "nobody": no manager with this login`,
        `${at(7)}: id: "req-300000": duplicates line ${REQUESTS + 1 + 5} (same id)`,
        `${at(9)}: contact_email: "": is required when the account changes`,
        `${at(10)}: id: "X-1": must be a key like REQ-000001`,
      ]);
      expect(bulk.summary.entities.requests).toMatchObject({ inserted: REQUESTS + 3, updated: 1, unchanged: 0, rejected: 6 });
      const row = (n: number) => afterBulk.find((r) => r.number === n);
      expect(row(1)).toMatchObject({ external_id: 'A2', email: 'c2@a2.example', status: 'in_progress', subject: 'stored request moved' });
      expect(row(300_000)).toMatchObject({ external_id: 'A7', priority: 'high', subject: 'kept number' });
      expect(row(300_001)).toMatchObject({ external_id: 'A7', subject: 'next number' });
      expect(row(3)).toMatchObject({ external_id: 'A0', email: 'c0@a0.example', login: 'anna', status: 'open' });

      await sameRowByRow('requests', csv, bulk, storedRequests, before, afterBulk);
    },
    LARGE_FILE_MS,
  );
});

const TRAININGS_HEADER = 'id,account_external_id,subscription_external_id,topic,participants,source,price,currency,manager_login,status\n';
/** Rows of the trainings file's body. */
const TRAININGS = 22_000;

/** Every kind of trainings row the importer treats apart, after a body over the bulk threshold. */
function trainingsFile(): string {
  const lines: string[] = [];
  for (let k = 0; k < TRAININGS; k++) {
    const a = k % (ACCOUNTS - 1);
    const sub = k % 2 === 0 ? `SUB-${a}` : '';
    lines.push(
      `,A${a},${sub},Formative assessment and feedback in the primary classroom (${k}),${10 + (k % 20)},cross_sell,300.00,EUR,${['anna', 'ben', ''][k % 3]},`,
    );
  }
  lines.push(',NOBODY,,x,10,direct,100.00,EUR,,'); // no such account
  lines.push(',A1,SUB-0,x,10,direct,100.00,EUR,,'); // a subscription of another account
  lines.push(',A1,,x,10,direct,100.00,EUR,nobody,'); // no such manager
  lines.push(',A1,,x,0,direct,100.00,EUR,,'); // too few participants
  lines.push('TRN-300000,A7,,kept number,10,direct,100.00,EUR,,'); // a number given: kept
  lines.push(',A7,,next number,10,direct,100.00,EUR,,'); // …and the next one after it
  lines.push('trn-300000,A7,,again,10,direct,100.00,EUR,,'); // a duplicate, another spelling
  lines.push('TRN-000001,A0,,stored training renamed,15,,,,ben,'); // stored, updated
  lines.push('TRN-000002,A3,,moved,10,,,,,'); // stored: may not move to another account
  lines.push('X-1,A0,,x,10,direct,100.00,EUR,,'); // a bad key
  const csv = `${TRAININGS_HEADER}${lines.join('\n')}\n`;
  expect(Buffer.byteLength(csv)).toBeGreaterThan(BULK_MIN_BYTES);
  return csv;
}

async function storedTrainings() {
  return t.db
    .selectFrom('trainings as r')
    .innerJoin('accounts as a', 'a.id', 'r.account_id')
    .leftJoin('subscriptions as s', 's.id', 'r.subscription_id')
    .leftJoin('managers as m', 'm.id', 'r.manager_id')
    .select(['r.number', 'a.external_id', 's.external_id as subscription', 'r.topic', 'r.participants', 'r.source'])
    .select(['r.price_cents', 'r.currency', 'm.login', 'r.status', 'r.rev'])
    .orderBy('r.number')
    .execute();
}

describe('import: a large trainings file', () => {
  it(
    'bulk-loaded gives the same errors, counts and rows as row by row, and undo puts everything back',
    async () => {
      await seedAccounts();
      const storedCsv = `${TRAININGS_HEADER},A0,,stored one,10,direct,100.00,EUR,,\n,A1,,stored two,10,direct,100.00,EUR,,\n`;
      expect((await imp.run('trainings', storedCsv, {}, op)).failed).toBe(false);
      const before = await storedTrainings();
      const csv = trainingsFile();

      const copied = { ...copyStats };
      const bulk = await imp.run('trainings', csv, { skipInvalid: true }, op);
      expect(bulk.notes.some((n) => /^trainings: rows loaded (with COPY|in multi-row INSERTs)/.test(n))).toBe(true);
      if (onPostgres) expect(copyStats.rows - copied.rows).toBeGreaterThan(TRAININGS);
      const afterBulk = await storedTrainings();
      const at = (i: number) => `${imp.dir}/trainings.csv:${TRAININGS + 1 + i}`;
      expect(bulk.errors).toEqual([
        `${at(1)}: account_external_id: "NOBODY": no account with this external_id`,
        `${at(2)}: subscription_external_id: "SUB-0": is a subscription of another account`,
        `${at(3)}: manager_login: "nobody": no manager with this login`,
        `${at(4)}: participants: "0": must be at least 1`,
        `${at(7)}: id: "trn-300000": duplicates line ${TRAININGS + 1 + 5} (same id)`,
        `${at(9)}: account_external_id: "A3": a training cannot move to another account`,
        `${at(10)}: id: "X-1": must be a key like TRN-000001`,
      ]);
      expect(bulk.summary.entities.trainings).toMatchObject({ inserted: TRAININGS + 2, updated: 1, unchanged: 0, rejected: 7 });
      const row = (n: number) => afterBulk.find((r) => r.number === n);
      expect(row(1)).toMatchObject({ external_id: 'A0', topic: 'stored training renamed', participants: 15, login: 'ben' });
      expect(row(300_000)).toMatchObject({ external_id: 'A7', topic: 'kept number' });
      expect(row(300_001)).toMatchObject({ external_id: 'A7', topic: 'next number' });
      expect(row(3)).toMatchObject({ external_id: 'A0', subscription: 'SUB-0', login: 'anna', status: 'requested', price_cents: 30000 });
      expect(row(5)).toMatchObject({ external_id: 'A2', subscription: 'SUB-2', login: 'anna' }); // the account's manager

      await sameRowByRow('trainings', csv, bulk, storedTrainings, before, afterBulk);
    },
    LARGE_FILE_MS,
  );
});
