/**
 * The dormant-seat part of the schedule scan: the seats whose dormancy cycle has a stage sendable on the
 * as-of date, whatever the ledger says (the caller drops what it holds as sent or skipped). Over a
 * large database this is the longest single part of a run (1.5 million seats: ≈ 0.75 s of SQLite and
 * ≈ 0.1 s of JavaScript), and it needs nothing from the rest, so a run starts it beside the rest
 * (src/db/beside.ts: a worker thread with its own connection on SQLite, another pool connection on
 * PostgreSQL) while it reads the ledger, the accounts and the subscriptions' dates.
 */
import type { Kysely } from 'kysely';
import { beside, inTurn, type Beside } from '../db/beside.js';
import type { DbHandle } from '../db/connection.js';
import { arrayBatches } from '../db/rows.js';
import type { DB } from '../db/schema/index.js';
import { toDayNumber } from '../lib/dates.js';
import { chunked, seatRows, type SeatRow } from './scan.js';
import { sendableStage } from './schedule.js';

/** The seats with a sendable dormancy stage, in the scan's order, as parallel arrays (plain data: it crosses threads). */
export interface DormantSeats {
  ids: number[];
  subscriptions: number[];
  /** the date each seat's cycle counts from, as an index into `dates` (a run's seats share a few hundred dates) */
  base: number[];
  dates: string[];
  /** the contacts' emails and names (null: the contact's row is gone), when asked for; else empty */
  emails: (string | null)[];
  names: (string | null)[];
}

/**
 * The dormant seats among all (no ids) or among these seats (a re-check by id, a chunk per statement);
 * `withContacts`: with their contacts' emails and names (a run's notices show them, counts do not).
 */
export async function dormantSeats(db: Kysely<DB>, asOf: string, ids?: readonly number[], withContacts = false): Promise<DormantSeats> {
  const out: DormantSeats = { ids: [], subscriptions: [], base: [], dates: [], emails: [], names: [] };
  const asOfDay = toDayNumber(asOf);
  // per date: its index in out.dates, or -1 when no stage of a cycle from it is sendable on asOf
  const known = new Map<string, number>();
  const queries = ids
    ? chunked(ids).map((chunk) => seatRows(db, asOf, chunk, withContacts))
    : [seatRows(db, asOf, undefined, withContacts)];
  for (const query of queries) {
    // as arrays (seatRows' columns in order): no object for each of a third of a million rows
    for await (const rows of arrayBatches<SeatRow>(db, query)) {
      for (const [id, subscription, date, email, name] of rows) {
        if (date === null) continue;
        let at = known.get(date);
        if (at === undefined) {
          at = sendableStage('dormancy', date, asOfDay) === null ? -1 : out.dates.push(date) - 1;
          known.set(date, at);
        }
        if (at < 0) continue;
        out.ids.push(id);
        out.subscriptions.push(subscription);
        out.base.push(at);
        if (withContacts) {
          out.emails.push(email ?? null);
          out.names.push(name ?? null);
        }
      }
    }
  }
  return out;
}

/** dormantSeats over every seat, for a worker thread to call (src/db/beside-worker.ts). */
export function dormantSeatsPart(h: DbHandle, asOf: string): Promise<DormantSeats> {
  return dormantSeats(h.db, asOf, undefined, true);
}

const PART = { module: new URL(import.meta.url), name: 'dormantSeatsPart', fn: dormantSeatsPart };

/**
 * From how many seats (the highest seat id, read from the primary key at once) the part runs beside
 * the rest: below, starting a thread (≈ 0.2–0.3 s, the modules loaded again) costs more than the scan.
 */
export const BESIDE_FROM_SEATS = 200_000;

/** The dormant seats of a whole run, started now: beside the rest when the database is large enough. */
export async function startDormantSeats(h: DbHandle, asOf: string, besideFrom = BESIDE_FROM_SEATS): Promise<Beside<DormantSeats>> {
  const top = await h.db
    .selectFrom('seats')
    .select((eb) => eb.fn.max('id').as('n'))
    .executeTakeFirst();
  return (Number(top?.n ?? 0) >= besideFrom ? beside : inTurn)(h, PART, asOf);
}
