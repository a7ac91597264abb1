/**
 * `invoices print`: the invoice as a document for the customer — seller (settings seller-*), buyer
 * (account name, registration number, address custom fields when the account has them), lines, total,
 * due date — as plain text or as one self-contained printable HTML page (inline CSS, no scripts, no
 * external resources). Builds text; never prints.
 */
import type { Kysely } from '#kysely';
import { readStoredValues } from '../accounts/custom-fields.js';
import type { DB } from '../db/schema/index.js';
import type { Op } from '../op.js';
import { getSetting } from '../settings/service.js';
import { getInvoice, toInvoiceRecord, type InvoiceRecord } from './record.js';

/** Custom fields of an account that make up its address on an invoice, in this order (those present). */
export const ADDRESS_FIELDS = ['address', 'street', 'postal_code', 'postcode', 'zip', 'city', 'country_name'] as const;

export interface InvoiceDocument {
  invoice: InvoiceRecord;
  seller: { name: string; address: string; vat_no: string };
  buyer: { name: string; registration_no: string | null; address: string[] };
}

export async function invoiceDocument(db: Kysely<DB>, op: Op, key: string): Promise<InvoiceDocument> {
  const row = await getInvoice(db, key);
  const account = await db
    .selectFrom('accounts')
    .select(['name', 'registration_no'])
    .where('id', '=', row.account_id)
    .executeTakeFirstOrThrow();
  const fields = (await readStoredValues(db, [row.account_id])).get(row.account_id) ?? {};
  return {
    invoice: toInvoiceRecord(row, op.asOf),
    seller: {
      name: await getSetting(db, 'seller-name'),
      address: await getSetting(db, 'seller-address'),
      vat_no: await getSetting(db, 'seller-vat-no'),
    },
    buyer: {
      name: account.name,
      registration_no: account.registration_no,
      address: ADDRESS_FIELDS.map((f) => fields[f]).filter((v): v is string => v !== undefined && v.trim() !== ''),
    },
  };
}

function title(d: InvoiceDocument): string {
  const i = d.invoice;
  if (i.number !== null) return `Invoice ${i.number}`;
  const instalment = i.instalment === null ? '' : ` instalment ${i.instalment}`;
  return `Planned invoice (${i.subscription_external_id ?? i.training_id ?? ''}${instalment})`;
}

/** What the document states besides the lines: dates, period and status, in order. */
function facts(d: InvoiceDocument): [string, string][] {
  const i = d.invoice;
  const out: [string, string][] = [];
  if (i.issued_on) out.push(['Issued', i.issued_on]);
  if (i.planned_on) out.push(['To be issued', i.planned_on]);
  if (i.due_on) out.push(['Due', i.due_on]);
  if (i.period) out.push(['Period', i.period]);
  if (i.instalment !== null) out.push(['Instalment', `${i.instalment} of ${i.instalments ?? ''}`]);
  if (i.subscription_external_id) out.push(['Subscription', i.subscription_external_id]);
  if (i.training_id) out.push(['Training', i.training_id]);
  if (i.status === 'paid') out.push(['Paid', i.paid_on ?? '']);
  if (i.status === 'void') out.push(['VOID', i.void_reason ?? '']);
  if (i.status === 'overdue') out.push(['Overdue', `${i.days_overdue} day(s)`]);
  return out;
}

function sellerLines(d: InvoiceDocument): string[] {
  const s = d.seller;
  return [s.name || '(seller-name not set)', s.address, s.vat_no ? `VAT no. ${s.vat_no}` : ''].filter((x) => x !== '');
}

function buyerLines(d: InvoiceDocument): string[] {
  const b = d.buyer;
  return [b.name, ...b.address, b.registration_no ? `Registration no. ${b.registration_no}` : ''].filter((x) => x !== '');
}

export function invoiceText(d: InvoiceDocument): string {
  const i = d.invoice;
  const out = [title(d), ''];
  out.push('Seller:', ...sellerLines(d).map((l) => `  ${l}`), '');
  out.push('Buyer:', ...buyerLines(d).map((l) => `  ${l}`), '');
  for (const [k, v] of facts(d)) out.push(`${k}: ${v}`);
  out.push('');
  // each column as wide as its widest value (amounts reach 17 characters: 2^53 − 1 cents)
  const widest = (min: number, values: string[]) => Math.max(min, ...values.map((v) => v.length));
  const w = {
    description: widest(
      11,
      i.lines.map((l) => l.description),
    ),
    quantity: widest(
      8,
      i.lines.map((l) => String(l.quantity)),
    ),
    unit: widest(14, [...i.lines.map((l) => l.unit_price), i.currency]),
    amount: widest(14, [...i.lines.map((l) => l.amount), i.amount]),
  };
  const row = (a: string, q: string, u: string, t: string) =>
    `${a.padEnd(w.description)}  ${q.padStart(w.quantity)}  ${u.padStart(w.unit)}  ${t.padStart(w.amount)}`;
  out.push(row('Description', 'Quantity', 'Unit price', 'Amount'));
  for (const l of i.lines) out.push(row(l.description, String(l.quantity), l.unit_price, l.amount));
  out.push('', row('Total', '', i.currency, i.amount));
  return `${out.join('\n')}\n`;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

const CSS = `body{font-family:system-ui,sans-serif;margin:2em auto;max-width:48em;color:#111}
h1{font-size:1.6em;margin:0 0 1em}.parties{display:flex;gap:4em;margin-bottom:1.5em}
.parties h2{font-size:.9em;text-transform:uppercase;color:#555;margin:0 0 .3em}
dl.facts{display:grid;grid-template-columns:max-content auto;gap:.2em 1em;margin:0 0 1.5em}dt{font-weight:600}dd{margin:0}
table{width:100%;border-collapse:collapse}th,td{padding:.4em;border-bottom:1px solid #ccc;text-align:left}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}tfoot td{font-weight:700;border-bottom:none}
.void{color:#a00;font-weight:700}@media print{body{margin:0}}`;

/** One self-contained page: inline style, no scripts, no images, nothing fetched. */
export function invoiceHtml(d: InvoiceDocument): string {
  const i = d.invoice;
  const e = escapeHtml;
  const block = (head: string, lines: string[], cls: string) =>
    `<section class="${cls}"><h2>${head}</h2>${lines.map((l) => `<div>${e(l)}</div>`).join('')}</section>`;
  const facts_ = facts(d)
    .map(([k, v]) => `<dt${k === 'VOID' ? ' class="void"' : ''}>${e(k)}</dt><dd>${e(v)}</dd>`)
    .join('');
  const rows = i.lines
    .map(
      (l) =>
        `<tr><td>${e(l.description)}</td><td class="n">${l.quantity}</td><td class="n">${e(l.unit_price)}</td><td class="n">${e(l.amount)}</td></tr>`,
    )
    .join('');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(title(d))}</title>
<style>${CSS}</style>
</head>
<body>
<h1 id="title">${e(title(d))}</h1>
<div class="parties">${block('Seller', sellerLines(d), 'seller')}${block('Buyer', buyerLines(d), 'buyer')}</div>
<dl class="facts">${facts_}</dl>
<table id="lines"><thead><tr><th>Description</th><th class="n">Quantity</th><th class="n">Unit price</th><th class="n">Amount</th></tr></thead>
<tbody>${rows}</tbody>
<tfoot><tr><td colspan="3">Total (${e(i.currency)})</td><td class="n" id="total">${e(i.amount)}</td></tr></tfoot></table>
</body>
</html>
`;
}
