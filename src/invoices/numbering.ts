/**
 * Invoice numbers: PREFIX-YYYY-NNNNN, gap-free and increasing per calendar year of issued_on. The next
 * is max(seq) + 1 of the year, read inside the caller's write transaction (src/db/tx.ts: writers queue
 * on one lock on both engines), so two invoices issued at the same moment get consecutive numbers and a
 * rolled-back issue leaves no gap, which a database sequence would. The unique index on (year, seq)
 * is the last guard.
 */
import type { Kysely } from '#kysely';
import type { DB } from '../db/schema/index.js';
import { RefusedError, invalid } from '../errors.js';
import { foldKey } from '../lib/keys.js';
import type { Op } from '../op.js';
import { getSetting } from '../settings/service.js';
import { invoiceNumber } from './rules.js';

/** The largest number in a year: 15 digits (NUMBER_RE in ./rules.ts). */
const MAX_SEQ = 999_999_999_999_999;

export interface Numbered {
  number: string;
  number_key: string;
  year: number;
  seq: number;
  issued_on: string;
}

/** The number an invoice issued on `on` gets; `field` names the option the date came from. */
export async function nextInvoiceNumber(db: Kysely<DB>, op: Op, on: string, field = 'on'): Promise<Numbered> {
  if (on > op.asOf) throw invalid(field, on, `must not be after today (${op.asOf}): invoices are not issued ahead`);
  const year = Number(on.slice(0, 4));
  const last = await db
    .selectFrom('invoices')
    .select((eb) => [eb.fn.max('seq').as('seq'), eb.fn.max('issued_on').as('latest')])
    .where('year', '=', year)
    .executeTakeFirst();
  const latest = last?.latest ?? null;
  if (latest !== null && on < latest)
    throw invalid(field, on, `must not be before ${latest}, the latest issue date in ${year} (numbers follow the dates)`);
  const seq = Number(last?.seq ?? 0) + 1;
  // a number has at most 15 digits after its year (NUMBER_RULE): one past an imported 999999999999999
  // could be neither shown, nor paid, nor imported again
  if (seq > MAX_SEQ)
    throw new RefusedError(
      `invoice numbers of ${year} are used up: the last has the largest sequence, ${String(MAX_SEQ)} (an imported number, most likely)`,
    );
  const number = invoiceNumber(await getSetting(db, 'invoice-prefix'), year, seq);
  return { number, number_key: foldKey(number), year, seq, issued_on: on };
}
