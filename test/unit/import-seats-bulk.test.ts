/**
 * Large seats and logins files are bulk-loaded (src/import/entities/seats.ts, logins.ts: the unique key in
 * memory, new rows in multi-row INSERTs on SQLite and COPY on PostgreSQL, the subscriptions, contacts and
 * seats they name read whole — src/import/bulk/children.ts): the same file row by row (`bulk: false`)
 * must give the same error lines, counts and stored data, and undo must put everything back, on both
 * databases.
 */
import { describe, expect, it } from 'vitest';
import { copyStats } from '../../src/db/pg-copy.js';
import { BULK_MIN_BYTES } from '../../src/import/bulk/bulk-table.js';
import { undoBatch } from '../../src/import/undo.js';
import { onPostgres } from '../helpers/engine.js';
import { eachTestDb, testOp } from '../helpers/db.js';
import { importLines, Importer, sameRun } from '../helpers/import.js';

const op = testOp({ asOf: '2026-03-31' });
let imp: Importer;
const t = eachTestDb(async () => {
  await t.seed.seatSet(op);
  imp = new Importer(t);
});

/** Accounts, each with CONTACTS contacts and one subscription (S1 of SCH-1 is the seed's). */
const ACCOUNTS = 200;
const CONTACTS = 110;
/** A large file under load: more than the default timeout. */
const LARGE_FILE_MS = 300_000;

/** A long email (the files must pass the bulk threshold with few rows: row by row is slow on PostgreSQL). */
const email = (a: number, c: number) => `teacher.number.${c}.of.the.school@primary-school-number-${a}.sofia.example.bg`;

async function seedAccounts(): Promise<void> {
  const accounts = ['external_id,name,type'];
  const contacts = ['account_external_id,name,email,role'];
  const subs = ['external_id,account_external_id,plan,students,term_months,start_date'];
  for (let a = 0; a < ACCOUNTS; a++) {
    accounts.push(`A${a},School ${a},school`);
    for (let c = 0; c < CONTACTS; c++) contacts.push(`A${a},Teacher ${c},${email(a, c)},teacher`);
    subs.push(`SUB-${a},A${a},BIO-BASIC,100,12,2026-01-15`);
  }
  contacts.push(
    'SCH-1,Stored,stored@school.example,teacher',
    'SCH-1,Stored Two,stored2@school.example,teacher',
    'A6,Unseated,unseated@school.example,teacher',
  );
  await importLines(imp, op, { accounts, contacts, subscriptions: subs });
}

const SEATS_HEADER = 'subscription_external_id,email,status,invited_at,removed_at\n';
const LOGINS_HEADER = 'subscription_external_id,email,at\n';

/** Every kind of seats row the importer treats apart, in a file over the bulk threshold. */
function seatsFile(): string {
  const lines: string[] = [];
  // contacts in no order of their subscriptions (as a file merged from several sources would name them)
  for (let c = 0; c < CONTACTS; c++) for (let a = 0; a < ACCOUNTS; a++) lines.push(`SUB-${a},${email(a, c)},active,2026-01-20,`);
  lines.push('SUB-NONE,somebody@school.example,active,,'); // no such subscription
  lines.push(`SUB-0,${email(1, 0)},active,,`); // a contact of another account
  lines.push('S1,stored2@school.example,active,,2026-02-01'); // a removal date without status removed
  lines.push(`sub-7,${email(7, 0).toUpperCase()},invited,,`); // line 9's seat again, another spelling
  lines.push('S1,stored@school.example,removed,,2026-02-02'); // the stored seat removed
  lines.push('S1,stored@school.example,,,'); // …and named again: a duplicate
  lines.push('S1,gone@school.example,active,,'); // a removed contact: no new seat that is not removed
  lines.push('S1,gone2@school.example,active,,'); // a removed contact's seat that is live already: updated
  const csv = `${SEATS_HEADER}${lines.join('\n')}\n`;
  expect(Buffer.byteLength(csv)).toBeGreaterThan(BULK_MIN_BYTES);
  return csv;
}

/** Every kind of logins row the importer treats apart, in a file over the bulk threshold. */
function loginsFile(): string {
  const lines: string[] = [];
  for (const day of ['03', '04', '05'])
    for (let c = 0; c < CONTACTS; c += 2)
      for (let a = 0; a < ACCOUNTS; a++) lines.push(`SUB-${a},${email(a, c)},2026-03-${day}T08:${String(c % 60).padStart(2, '0')}:00Z`);
  lines[2] = `SUB-NONE,${email(2, 0)},2026-03-03T08:00:00Z`; // no such subscription
  lines[6] = 'SUB-6,unseated@school.example,2026-03-03T08:00:00Z'; // a contact without a seat
  lines.push(`SUB-9,${email(9, 0).toUpperCase()},2026-03-03T10:00:00+02:00`); // line 11's event again
  lines.push('S1,stored@school.example,2026-03-01T08:00:00Z'); // stored before: unchanged
  lines.push('S1,stored@school.example,2026-03-06T08:00:00Z'); // new, the latest of the stored seat
  const csv = `${LOGINS_HEADER}${lines.join('\n')}\n`;
  expect(Buffer.byteLength(csv)).toBeGreaterThan(BULK_MIN_BYTES);
  return csv;
}

/** What seats and logins stored, by keys (ids differ between the runs). */
async function stored() {
  const seats = await t.db
    .selectFrom('seats as s')
    .innerJoin('subscriptions as u', 'u.id', 's.subscription_id')
    .innerJoin('contacts as c', 'c.id', 's.contact_id')
    .select(['u.external_id', 'c.email', 's.status', 's.invited_at', 's.last_login_at', 's.removed_at', 's.rev'])
    .orderBy('u.external_id')
    .orderBy('c.email_key')
    .execute();
  const events = await t.db
    .selectFrom('login_events as e')
    .innerJoin('seats as s', 's.id', 'e.seat_id')
    .innerJoin('subscriptions as u', 'u.id', 's.subscription_id')
    .innerJoin('contacts as c', 'c.id', 's.contact_id')
    .select(['u.external_id', 'c.email', 'e.at'])
    .orderBy('u.external_id')
    .orderBy('c.email_key')
    .orderBy('e.at')
    .execute();
  const contacts = await t.db.selectFrom('contacts').select(['email', 'last_login_at', 'rev']).orderBy('email_key').execute();
  return { seats, events, contacts };
}

describe('import: large seats and logins files', () => {
  it(
    'bulk-loaded give the same errors, counts and rows as row by row, and undo puts everything back',
    async () => {
      await seedAccounts();
      const contactsCsv = 'account_external_id,email,status\nSCH-1,gone@school.example,removed\nSCH-1,gone2@school.example,invited\n';
      expect((await imp.run('contacts', contactsCsv, {}, op)).failed).toBe(false);
      const storedSeats = `${SEATS_HEADER}S1,stored@school.example,active,2026-01-16,\nS1,stored2@school.example,active,2026-01-16,\nS1,gone2@school.example,invited,2026-01-16,\n`;
      expect((await imp.run('seats', storedSeats, {}, op)).failed).toBe(false);
      // removed while it holds a live seat (doctor's seat_of_removed_contact)
      expect((await imp.run('contacts', 'account_external_id,email,status\nSCH-1,gone2@school.example,removed\n', {}, op)).failed).toBe(
        false,
      );
      expect((await imp.run('logins', `${LOGINS_HEADER}S1,stored@school.example,2026-03-01T08:00:00Z\n`, {}, op)).failed).toBe(false);
      const before = await stored();
      const seatsCsv = seatsFile();
      const loginsCsv = loginsFile();
      const seatRows = ACCOUNTS * CONTACTS + 8;
      const loginRows = 3 * (CONTACTS / 2) * ACCOUNTS + 3;

      // bulk: the new rows through COPY (PostgreSQL) or multi-row INSERTs (SQLite)
      const copied = { ...copyStats };
      const seats = await imp.run('seats', seatsCsv, { skipInvalid: true }, op);
      expect(seats.notes.some((n) => /^seats: rows loaded (with COPY|in multi-row INSERTs)/.test(n))).toBe(true);
      const logins = await imp.run('logins', loginsCsv, { skipInvalid: true }, op);
      expect(logins.notes.some((n) => /^login_events: rows loaded (with COPY|in multi-row INSERTs)/.test(n))).toBe(true);
      if (onPostgres) expect(copyStats.rows - copied.rows).toBe(seatRows - 8 + loginRows - 4);
      const afterBulk = await stored();

      const seatsPath = `${imp.dir}/seats.csv`;
      const loginsPath = `${imp.dir}/logins.csv`;
      const n = ACCOUNTS * CONTACTS;
      expect(seats.errors).toEqual([
        `${seatsPath}:${n + 2}: subscription_external_id: "SUB-NONE": no subscription with this external_id (in the database or the subscriptions imported with it)`,
        `${seatsPath}:${n + 3}: email: "${email(1, 0)}": is not a contact of account A0 (import it in contacts.csv first)`,
        `${seatsPath}:${n + 4}: removed_at: "2026-02-01": a removal date needs status removed (a seat that is not removed has none)`,
        `${seatsPath}:${n + 5}: email: "${email(7, 0).toUpperCase()}": duplicates line 9 (same subscription_external_id + email)`,
        `${seatsPath}:${n + 7}: email: "stored@school.example": duplicates line ${n + 6} (same subscription_external_id + email)`,
        `${seatsPath}:${n + 8}: email: "gone@school.example": is a removed contact of account SCH-1 ` +
          '(bring it back first with: acctmgr contacts edit gone@school.example --account SCH-1 --status active)',
      ]);
      expect(seats.summary.entities.seats).toMatchObject({ inserted: seatRows - 8, updated: 2, unchanged: 0, rejected: 6 });
      expect(logins.errors).toEqual([
        `${loginsPath}:4: subscription_external_id: "SUB-NONE": no subscription with this external_id`,
        `${loginsPath}:8: email: "unseated@school.example": has no seat on subscription SUB-6 (import it in seats.csv first)`,
        `${loginsPath}:${loginRows - 1}: at: "2026-03-03T10:00:00+02:00": duplicates line 11 (same subscription_external_id + email + at)`,
      ]);
      expect(logins.summary.entities.logins).toMatchObject({ inserted: loginRows - 4, unchanged: 1, rejected: 3 });

      // the stored seat removed and its last login moved on; a new seat's last login is its latest event
      const seat = (sub: string, mail: string) => afterBulk.seats.find((s) => s.external_id === sub && s.email === mail);
      expect(seat('S1', 'stored@school.example')).toMatchObject({
        status: 'removed',
        removed_at: '2026-02-02',
        last_login_at: '2026-03-06T08:00:00Z',
      });
      expect(seat('SUB-3', email(3, 2))).toMatchObject({
        status: 'active',
        invited_at: '2026-01-20',
        last_login_at: '2026-03-05T08:02:00Z',
      });
      expect(afterBulk.contacts.find((c) => c.email === email(3, 2))?.last_login_at).toBe('2026-03-05T08:02:00Z');

      await undoBatch(t.db, t.handle, testOp({ now: '2026-11-26T09:00:00Z' }), logins.summary.batch_id!);
      await undoBatch(t.db, t.handle, testOp({ now: '2026-11-26T09:01:00Z' }), seats.summary.batch_id!);
      expect(await stored()).toEqual(before);

      const seatsPerRow = await imp.run('seats', seatsCsv, { skipInvalid: true, bulk: false }, op);
      const loginsPerRow = await imp.run('logins', loginsCsv, { skipInvalid: true, bulk: false }, op);
      expect(seatsPerRow.notes.some((n) => n.startsWith('seats: rows loaded'))).toBe(false);
      expect(loginsPerRow.notes.some((n) => n.startsWith('login_events: rows loaded'))).toBe(false);
      expect(seatsPerRow.errors).toEqual(seats.errors);
      expect(loginsPerRow.errors).toEqual(logins.errors);
      expect(sameRun(seatsPerRow.summary)).toEqual(sameRun(seats.summary));
      expect(sameRun(loginsPerRow.summary)).toEqual(sameRun(logins.summary));
      expect(await stored()).toEqual(afterBulk);
    },
    LARGE_FILE_MS,
  );
});
