/**
 * The bundled fixtures stay consistent with the subscription rules: end dates and prices as `add` would
 * compute them, every displayed status on 2026-11-25, and seats/logins that name existing contacts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { formatCents, toCents } from '../../src/lib/fields.js';
import { pickPrice } from '../../src/plans/pricing.js';
import { LOGIN_FIELDS, SEAT_FIELDS } from '../../src/seats/fields.js';
import { SUBSCRIPTION_FIELDS } from '../../src/subscriptions/fields.js';
import { displayedStatus, DISPLAYED_STATUSES } from '../../src/subscriptions/status.js';
import { endDateFor } from '../../src/subscriptions/terms.js';
import { ROOT } from '../helpers/cli.js';

type Row = Record<string, string>;
const read = (name: string): Row[] => parse(fs.readFileSync(path.join(ROOT, 'fixtures', `${name}.csv`)), { columns: true }) as Row[];
const header = (name: string) => fs.readFileSync(path.join(ROOT, 'fixtures', `${name}.csv`), 'utf8').split('\n')[0];

describe('fixtures: subscriptions, seats, logins', () => {
  const subs = read('subscriptions');
  const prices = read('prices');
  const plans = read('plans');
  const accounts = read('accounts');
  const contacts = read('contacts');

  it('have exactly the import columns', () => {
    expect(header('subscriptions')).toBe(SUBSCRIPTION_FIELDS.map((f) => f.name).join(','));
    expect(header('seats')).toBe(SEAT_FIELDS.map((f) => f.name).join(','));
    expect(header('logins')).toBe(LOGIN_FIELDS.map((f) => f.name).join(','));
  });

  it('compute end dates and prices as add does, and cover every displayed status on 2026-11-25', () => {
    const statuses = new Set<string>();
    for (const s of subs) {
      expect(s.end_date, s.external_id).toBe(endDateFor(s.start_date!, Number(s.term_months)));
      const rows = prices
        .filter((p) => p.plan === s.plan)
        .map((p) => ({
          max_students: p.max_students ? Number(p.max_students) : null,
          term_months: Number(p.term_months),
          amount_cents: toCents(p.amount!),
        }));
      expect(formatCents(pickPrice(s.plan!, rows, Number(s.students), Number(s.term_months))), s.external_id).toBe(s.price);
      expect(plans.find((p) => p.code === s.plan)?.product, s.external_id).toBe(s.product);
      const account = accounts.find((a) => a.external_id === s.account_external_id);
      expect(account, s.external_id).toBeDefined();
      if (account!.type === 'tutor') expect(s.manager_login, s.external_id).toBe('');
      const successor = subs.some((x) => x.renewed_from_external_id === s.external_id && x.status !== 'cancelled');
      statuses.add(
        displayedStatus({ status: s.status!, end_date: s.end_date!, paid_at: s.paid_at || null, has_successor: successor }, '2026-11-25'),
      );
    }
    expect([...statuses].sort()).toEqual([...DISPLAYED_STATUSES].sort());
    expect(subs.some((s) => plans.find((p) => p.code === s.plan)?.legacy === 'true')).toBe(true);
  });

  it("seats and logins name contacts of the subscription's account", () => {
    const contactOf = (sub: string, email: string) => {
      const account = subs.find((s) => s.external_id === sub)?.account_external_id;
      return contacts.find((c) => c.account_external_id === account && c.email === email);
    };
    for (const seat of read('seats'))
      expect(contactOf(seat.subscription_external_id!, seat.email!), `${seat.subscription_external_id} ${seat.email}`).toBeDefined();
    const seats = read('seats');
    for (const login of read('logins')) {
      expect(seats.some((s) => s.subscription_external_id === login.subscription_external_id && s.email === login.email)).toBe(true);
    }
  });
});
