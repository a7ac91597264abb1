/**
 * The dormant-seat part of the schedule scan: the seats whose dormancy cycle has a stage sendable on the
 * as-of date, whatever the ledger says (the caller drops what it holds as sent or skipped). Over a
 * large database this is the longest single part of a run (1.5 million seats: ≈ 0.75 s of SQLite and
 * ≈ 0.1 s of JavaScript), and it needs nothing from the rest, so a run starts it beside the rest
 * (src/db/beside.ts: a worker thread with a bare connection of its own, better-sqlite3's or a pg client)
 * while it reads the ledger, the accounts and the subscriptions' dates.
 */
import type { Kysely } from '#kysely';
import { beside, inTurn, type Beside } from '../db/beside.js';
import type { DbHandle } from '../db/connection.js';
import { arrayBatches } from '../db/rows.js';
import type { DB } from '../db/schema/index.js';
import { chunked } from '../db/chunks.js';
import { seatRows, type SeatRow } from './scan.js';
import { dormantCollector, type DormantSeats } from './dormant-rows.js';
import { DORMANT_MODULE, DORMANT_YOUNG_GENERATION_MB } from './dormant-ahead.js';

/**
 * The dormant seats among all (no ids) or among these seats (a re-check by id, a chunk per statement);
 * `withContacts`: with their contacts' emails and names (a run's notices show them, counts do not).
 */
export async function dormantSeats(db: Kysely<DB>, asOf: string, ids?: readonly number[], withContacts = false): Promise<DormantSeats> {
  const collect = dormantCollector(asOf, withContacts);
  const queries = ids
    ? chunked(ids).map((chunk) => seatRows(db, asOf, chunk, withContacts))
    : [seatRows(db, asOf, undefined, withContacts)];
  // as arrays (seatRows' columns in order): no object for each of a third of a million rows
  for (const query of queries) for await (const rows of arrayBatches<SeatRow>(db, query)) collect.add(rows);
  return collect.out;
}

export type { DormantSeats };

/**
 * The dormant seats of a whole run with their contacts: here (PostgreSQL: on another pool connection;
 * or in turn), or in a worker thread on a bare connection with the query compiled here (dormant-rows.ts).
 */
const PART = {
  fn: (h: DbHandle, asOf: string) => dormantSeats(h.db, asOf, undefined, true),
  youngGenerationMb: DORMANT_YOUNG_GENERATION_MB,
  bare: (h: DbHandle, asOf: string) => ({
    module: DORMANT_MODULE,
    name: h.engine === 'postgres' ? 'dormantSeatsBarePg' : 'dormantSeatsBare',
    args: [seatRows(h.db, asOf, undefined, true).compile(), asOf],
  }),
};

/**
 * From how many seats (the highest seat id, read from the primary key at once) the part runs beside
 * the rest: below, a thread costs more than it saves.
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
