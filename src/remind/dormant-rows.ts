/**
 * The dormant seats among the rows of the seat scan (scan.ts seatRows): those whose dormancy cycle has a
 * stage sendable on the as-of date, kept as parallel arrays. A whole run does this in a worker thread
 * on a bare SQLite connection (dormantSeatsBare, through src/db/beside.ts), so this module imports nothing
 * heavy: without kysely and the migrations the thread starts scanning ≈ 0.05 s after it is made, not
 * ≈ 0.3 s (the query is compiled on the calling thread).
 */
import type Database from 'better-sqlite3';
import type pg from 'pg';
import { toDayNumber } from '../lib/dates.js';
import type { SeatRow } from './scan.js';
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

/** Collects the dormant seats of rows given a batch at a time; `withContacts`: keeps their emails and names. */
export function dormantCollector(asOf: string, withContacts: boolean): { add(rows: Iterable<SeatRow>): void; out: DormantSeats } {
  const out: DormantSeats = { ids: [], subscriptions: [], base: [], dates: [], emails: [], names: [] };
  const asOfDay = toDayNumber(asOf);
  // per date: its index in out.dates, or -1 when no stage of a cycle from it is sendable on asOf
  const known = new Map<string, number>();
  return {
    out,
    add(rows) {
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
    },
  };
}

/** A query compiled on the calling thread: its SQL and values. */
export interface CompiledSeatQuery {
  sql: string;
  parameters: readonly unknown[];
}

/**
 * The dormant seats of a whole run with their contacts, on a bare SQLite connection (a worker thread of
 * src/db/beside.ts): `query` is seatRows over every seat with contacts, compiled. Its rows as arrays.
 */
export function dormantSeatsBare(sqlite: Database.Database, query: CompiledSeatQuery, asOf: string): Promise<DormantSeats> {
  const collect = dormantCollector(asOf, true);
  collect.add(
    sqlite
      .prepare(query.sql)
      .raw(true)
      .iterate(...query.parameters) as Iterable<SeatRow>,
  );
  return Promise.resolve(collect.out);
}

/** dormantSeatsBare on PostgreSQL: a connection of the worker's own (pg alone), the rows streamed as arrays. */
export async function dormantSeatsBarePg(client: pg.Client, query: CompiledSeatQuery, asOf: string): Promise<DormantSeats> {
  const { streamChunks } = await import('../db/pg-stream.js');
  const collect = dormantCollector(asOf, true);
  for await (const rows of streamChunks<SeatRow>(client, query.sql, query.parameters, SEAT_CHUNK)) collect.add(rows);
  return collect.out;
}

/** Rows a chunk of the PostgreSQL seat scan. */
const SEAT_CHUNK = 5000;
