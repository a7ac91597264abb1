/**
 * The remind benchmark's data set, seeded and deterministic (the golden-file test generates a small one
 * too): managers (some on leave), products and plans, accounts (3 % tutors, 1 % deactivated) with their
 * teachers, subscriptions (a share renewed by a later one of the same account) and seats with last
 * logins and login events, all dated around AS_OF.
 *
 * `idle`: the share of seats (that ever logged in) whose last login was 60–400 days ago — a school at the
 * end of a term has many; the rest logged in within 60 days, and 10 % never logged in. The ledger stays
 * empty, so every current stage is due: the first run on a new database, the heaviest preview.
 */
import { openDb } from '../src/db/connection.js';
import { addDays } from '../src/lib/dates.js';
import { rng } from './random.js';

export const AS_OF = '2026-11-25';
const STAMP = '2026-01-01T00:00:00Z';

export interface RemindData {
  accounts: number;
  /** teachers, spread evenly over the accounts */
  contacts: number;
  subscriptions: number;
  /** the share of subscriptions renewed by a later one of the same account */
  renewed: number;
  seats: number;
  seed: number;
  idle: number;
}

/** Writes the data set into the SQLite file (created and migrated), in one transaction. */
export async function generateRemindData(file: string, d: RemindData): Promise<void> {
  const h = await openDb(file);
  const db = h.sqlite!;
  const rand = rng(d.seed);
  const int = (n: number) => Math.floor(rand() * n);
  db.pragma('synchronous = OFF');
  db.transaction(() => {
    const managers = 200;
    // keys are ASCII and lower-case where they are stored folded (src/lib/keys.ts)
    const mgr = db.prepare(
      'insert into managers (login, name, email, email_key, status, created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?)',
    );
    for (let i = 1; i <= managers; i++)
      mgr.run(`m${i}`, `Manager ${i}`, `m${i}@vendor.example`, `m${i}@vendor.example`, 'active', STAMP, STAMP);
    const leave = db.prepare(
      'insert into manager_leaves (manager_id, backup_id, from_date, until_date, created_at) values (?, ?, ?, ?, ?)',
    );
    for (let i = 1; i <= 10; i++) leave.run(i, i + 10, addDays(AS_OF, -5), addDays(AS_OF, 5), STAMP);
    db.prepare(
      "insert into products (code, code_key, name, created_at, updated_at) values ('BIO', 'bio', 'Biology site', ?, ?), ('DIARY', 'diary', 'E-diary', ?, ?)",
    ).run(STAMP, STAMP, STAMP, STAMP);
    db.prepare(
      "insert into plans (code, code_key, name, product_id, currency, created_at, updated_at) values ('B1', 'b1', 'Basic', 1, 'EUR', ?, ?), ('D1', 'd1', 'Medium', 2, 'EUR', ?, ?)",
    ).run(STAMP, STAMP, STAMP, STAMP);

    const accounts = Math.max(1, d.accounts);
    const contactsPerAccount = Math.max(2, Math.ceil(d.contacts / accounts));
    const acc = db.prepare(
      'insert into accounts (external_id, external_id_key, name, type, status, locale, manager_id, created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const con = db.prepare(
      'insert into contacts (account_id, name, email, email_key, role, is_primary, status, created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const tutor: boolean[] = [false];
    for (let a = 1; a <= accounts; a++) {
      const isTutor = rand() < 0.03;
      tutor.push(isTutor);
      acc.run(
        `ACC-${a}`,
        `acc-${a}`,
        `Account ${a}`,
        isTutor ? 'tutor' : 'school',
        rand() < 0.01 ? 'deactivated' : 'active',
        rand() < 0.3 ? 'bg' : 'en',
        isTutor ? null : 1 + int(managers),
        STAMP,
        STAMP,
      );
      for (let c = 0; c < contactsPerAccount; c++) {
        con.run(
          a,
          `Teacher ${a}-${c}`,
          `t${c}@a${a}.example`,
          `t${c}@a${a}.example`,
          'teacher',
          c === 0 ? 1 : 0,
          rand() < 0.02 ? 'removed' : 'active',
          STAMP,
          STAMP,
        );
      }
    }

    const sub = db.prepare(
      'insert into subscriptions (external_id, external_id_key, account_id, product_id, plan_id, students, term_months, start_date, end_date, status, manager_id, price_cents, paid_at, activation_code, renewed_from_id, created_at, updated_at) values (?, ?, ?, ?, ?, ?, 12, ?, ?, ?, ?, 80000, ?, ?, ?, ?, ?)',
    );
    const subs = d.subscriptions;
    // a subscription after the accounts' first round renews the one of the round before (same account)
    // with this probability, so that `renewed` of all subscriptions have a successor
    const renewChance = subs > accounts ? Math.min(1, (d.renewed * subs) / (subs - accounts)) : 0;
    const subAccount: number[] = [0];
    for (let s = 1; s <= subs; s++) {
      const a = 1 + ((s - 1) % accounts);
      subAccount.push(a);
      const end = addDays(AS_OF, int(800) - 400);
      const start = addDays(end, -364);
      const status = rand() < 0.9 ? 'active' : rand() < 0.5 ? 'trial' : 'cancelled';
      const paid = rand() < 0.85 ? addDays(start, -int(40)) : null;
      const code = paid !== null && rand() < 0.5 ? `CODE-${s}` : null;
      const renewedFrom = s > accounts && rand() < renewChance ? s - accounts : null;
      sub.run(
        `SUB-${s}`,
        `sub-${s}`,
        a,
        1 + (s % 2),
        1 + (s % 2),
        50 + int(500),
        start,
        end,
        status,
        tutor[a] ? null : 1 + int(managers),
        paid,
        code,
        renewedFrom,
        STAMP,
        STAMP,
      );
    }

    const seat = db.prepare(
      'insert into seats (subscription_id, contact_id, status, invited_at, last_login_at, created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?)',
    );
    const event = db.prepare('insert or ignore into login_events (seat_id, at) values (?, ?)');
    const perSub = d.seats / subs;
    let seatId = 0;
    for (let s = 1; s <= subs && seatId < d.seats; s++) {
      const a = subAccount[s]!;
      const count = Math.min(contactsPerAccount, Math.floor(perSub * s) - Math.floor(perSub * (s - 1)), d.seats - seatId);
      const first = int(contactsPerAccount);
      for (let k = 0; k < count; k++) {
        const contact = (a - 1) * contactsPerAccount + 1 + ((first + k) % contactsPerAccount);
        // 10% never logged in; of the others, a share `idle` last logged in 60–400 days ago, the rest recently
        const never = rand() < 0.1;
        const daysAgo = never ? 0 : rand() < d.idle ? 60 + int(340) : int(60);
        const login = never ? null : `${addDays(AS_OF, -daysAgo)}T${String(int(24)).padStart(2, '0')}:15:00Z`;
        const status = rand() < 0.03 ? 'removed' : login ? 'active' : 'invited';
        const invited = addDays(AS_OF, -60 - int(300));
        // login events: mostly older than the last login, a few later; the stored last login is the later
        // of the two, as every writer of events keeps it
        const at = login && rand() < 0.2 ? `${addDays(AS_OF, -daysAgo - int(30) + (rand() < 0.05 ? 20 : 0))}T08:00:00Z` : null;
        seat.run(s, contact, status, invited, at !== null && at > login! ? at : login, STAMP, STAMP);
        seatId++;
        if (at !== null) event.run(seatId, at);
      }
    }
  })();
  db.pragma('synchronous = NORMAL');
  await h.close();
}
