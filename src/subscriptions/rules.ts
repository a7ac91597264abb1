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
