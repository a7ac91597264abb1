/**
 * Pure rules of invoices, shared by the services and the importer: numbers, school years, the
 * instalment split, the displayed status and the lines.
 */
import type { DisplayedInvoiceStatus } from '../db/schema/invoices.js';
import type { FieldProblem } from '../errors.js';
import { diffDays } from '../lib/dates.js';
// the money rule of every amount, also a line's unit_price and amount
import { AMOUNT_RULE, formatCents, safeCents } from '../lib/fields.js';
import { lineProblem } from '../lib/keys.js';

const NUMBER_RE = /^([A-Z][A-Z0-9]{0,9})-(\d{4})-(\d{5,15})$/i;

/** PREFIX-YYYY-NNNNN: at least five digits. */
export function invoiceNumber(prefix: string, year: number, seq: number): string {
  return `${prefix}-${year}-${String(seq).padStart(5, '0')}`;
}

/** The year and place in it of a number, or undefined when the text is no invoice number. */
export function parseInvoiceNumber(text: string): { year: number; seq: number } | undefined {
  const m = NUMBER_RE.exec(text.trim());
  if (!m) return undefined;
  const seq = Number(m[3]);
  return seq >= 1 && Number.isSafeInteger(seq) ? { year: Number(m[2]), seq } : undefined;
}

export const NUMBER_RULE = 'must be an invoice number like INV-2026-00001';

/** The school year (1 September – 31 August) a day lies in: `2026/2027` for 2026-09-01 … 2027-08-31. */
export function schoolYear(date: string): string {
  const y = Number(date.slice(0, 4));
  const first = date.slice(5) >= '09-01' ? y : y - 1;
  return `${first}/${first + 1}`;
}

/** Halves of a price in cents: the odd cent on the first. */
export function splitInTwo(cents: number): [number, number] {
  const second = Math.floor(cents / 2);
  return [cents - second, second];
}

export interface StatusInput {
  status: string;
  due_on: string | null;
}

/** Issued, unpaid and past due_on on the as-of date shows as overdue. */
export function displayedInvoiceStatus(i: StatusInput, asOf: string): DisplayedInvoiceStatus {
  if (i.status === 'issued' && i.due_on !== null && i.due_on < asOf) return 'overdue';
  return i.status as DisplayedInvoiceStatus;
}

/** Days past due_on on the as-of date (0 when not overdue). */
export function daysOverdue(i: StatusInput, asOf: string): number {
  return displayedInvoiceStatus(i, asOf) === 'overdue' ? diffDays(i.due_on!, asOf) : 0;
}

/** A line as stored (cents). */
export interface StoredLine {
  description: string;
  quantity: number;
  unit_price_cents: number;
  amount_cents: number;
}

/** A line as records, JSON and CSV show it (money as "450.00"). */
export interface InvoiceLine {
  description: string;
  quantity: number;
  unit_price: string;
  amount: string;
}

export function lineOut(l: StoredLine): InvoiceLine {
  return {
    description: l.description,
    quantity: l.quantity,
    unit_price: formatCents(l.unit_price_cents),
    amount: formatCents(l.amount_cents),
  };
}

/**
 * A line's description is one line of text (the rule of every name); longer than a name, since the lines
 * acctmgr writes itself name a product and a plan, or a training's topic, with dates and a key.
 */
const DESCRIPTION_MAX = 1000;

/**
 * The `lines` cell of a CSV row: a JSON array of lines, each amount quantity × unit price, adding up to
 * `amountCents`. Problems name the field `lines`.
 */
export function parseLines(text: string, amountCents: number): { lines: StoredLine[] } | { problem: FieldProblem } {
  const bad = (rule: string) => ({ problem: { field: 'lines', value: text, rule } });
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return bad('must be a JSON array of {description, quantity, unit_price, amount}');
  }
  if (!Array.isArray(parsed) || parsed.length === 0) return bad('must be a non-empty JSON array of lines');
  const lines: StoredLine[] = [];
  for (const [i, item] of parsed.entries()) {
    const l = item as Record<string, unknown>;
    const where = `line ${i + 1}`;
    if (typeof l !== 'object' || l === null) return bad(`${where} must be an object`);
    if (typeof l.description !== 'string' || l.description.trim() === '') return bad(`${where}: description is required`);
    const text = lineProblem(l.description, DESCRIPTION_MAX);
    if (text !== undefined) return bad(`${where}: description ${text}`);
    const quantity = l.quantity;
    if (typeof quantity !== 'number' || !Number.isSafeInteger(quantity) || quantity < 1)
      return bad(`${where}: quantity must be a whole number of at least 1`);
    const unit = safeCents(l.unit_price);
    const amount = safeCents(l.amount);
    if (unit === undefined || amount === undefined) return bad(`${where}: unit_price and amount must each ${AMOUNT_RULE.slice(5)}`);
    if (unit * quantity !== amount) return bad(`${where}: amount must be quantity × unit_price`);
    lines.push({ description: l.description.trim(), quantity, unit_price_cents: unit, amount_cents: amount });
  }
  const total = lines.reduce((s, l) => s + l.amount_cents, 0);
  if (total !== amountCents) return bad(`the lines add up to ${formatCents(total)}, not the amount ${formatCents(amountCents)}`);
  return { lines };
}
