/**
 * Rules for a stored subscription that every path changing one applies (the commands and the CSV
 * importer): each returns the problem, or undefined when the change is allowed.
 */
import type { FieldProblem } from '../errors.js';

/**
 * A subscription stays on its account: its seats are contacts of that account, its manager and
 * invoices were chosen for it, and no command moves one (`given`: the account as written).
 */
export function accountMoveProblem(given: string | undefined, accountId: number, storedAccountId: number): FieldProblem | undefined {
  return accountId === storedAccountId
    ? undefined
    : {
        field: 'account_external_id',
        value: given,
        rule: "differs from the subscription's account: a subscription cannot move to another account",
      };
}

/** A subscription as the renewal rules see it. */
export interface ChainEnd {
  external_id: string;
  account_id: number;
  product_id: number;
  end_date: string;
}

/**
 * What renewing `old` by `next` breaks (`given`: the reference as written), the rules `renew` keeps by
 * construction: the successor is the same account's and product's, does not end before the old one, and
 * is its only non-cancelled successor (`other`: another one's external_id).
 */
export function renewalProblems(given: string, old: ChainEnd, next: ChainEnd, other?: string): FieldProblem[] {
  const field = 'renewed_from_external_id';
  const out: FieldProblem[] = [];
  if (old.account_id !== next.account_id) out.push({ field, value: given, rule: 'is a subscription of another account' });
  if (old.product_id !== next.product_id) out.push({ field, value: given, rule: 'is a subscription of another product' });
  if (next.end_date < old.end_date)
    out.push({ field, value: given, rule: `ends ${old.end_date}, after this subscription's end_date ${next.end_date}` });
  if (other !== undefined) out.push({ field, value: given, rule: `is already renewed by ${other}` });
  return out;
}
