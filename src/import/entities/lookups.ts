/**
 * The references an activities or a requests file names — its own rows by number, the account, a contact
 * of the account — looked up the way the import writes. Row by row: a query a key (a file's accounts
 * cached). A bulk load (src/import/bulk/plan.ts): the table's key in memory, and the accounts and contacts
 * read whole in one scan each where they are not much larger than the file (readsWhole) — on PostgreSQL a
 * query in the middle of a COPY ends it.
 */
import { mayBeNamedAsContact, notAContactRule } from '../../contacts/rules.js';
import { ChildIndex } from '../bulk/children.js';
import type { RowProblem } from '../errors.js';
import { wait, type Maybe, type Row, type Step } from '../statements.js';
import { cached, keyedRows, type Upserter } from './common.js';
import type { BatchTable } from '../batch.js';
import type { ImportContext, RowIn } from './types.js';

/** Whether a referenced table is read whole (bulkWhenLarge's answer). */
type Whole = (table: BatchTable) => boolean;

/** A numbered entity's row by number (ACT-, REQ-000001): the bulk load's in-memory key (stored and queued rows), else a query. */
export function rowsByNumber(
  ctx: ImportContext,
  up: Upserter,
  table: 'activities' | 'requests' | 'trainings',
): (n: number) => Maybe<Row | undefined> {
  const { statements } = ctx;
  if (up.bulkMode) return (n) => up.findByKey([n]);
  return statements.getter(statements.any.selectFrom(table).selectAll().where('number', '=', 0));
}

/** The number a new row of the table gets first: one past the largest stored. */
export async function firstFreeNumber(ctx: ImportContext, table: 'activities' | 'requests' | 'trainings'): Promise<number> {
  const max = (await ctx.statements.any
    .selectFrom(table)
    .select((eb: any) => eb.fn.max('number').as('n'))
    .executeTakeFirst()) as { n: number | string | null } | undefined;
  return Number(max?.n ?? 0) + 1;
}

/** A manager by login, each looked up once (a file names a few managers many times). */
export function managersByLogin(ctx: ImportContext): (login: string) => Maybe<Row | undefined> {
  const { statements } = ctx;
  return cached(statements.getter(statements.db.selectFrom('managers').select(['id']).where('login', '=', '')));
}

/**
 * An account by its external id as the file writes it (folded to look it up), and by id (a stored row's own,
 * when the file leaves its account out): its `columns`.
 */
export async function accountLookups(ctx: ImportContext, whole: Whole, columns: readonly string[]) {
  const { statements } = ctx;
  return {
    byKey: await byExternalId(ctx, whole, 'accounts', columns),
    byId: statements.getter(
      statements.any
        .selectFrom('accounts')
        .select([...columns])
        .where('id', '=', 0),
    ),
  };
}

/**
 * A row of accounts or subscriptions by its external id as the file writes it (folded to look it up, each
 * found once): its `columns`, from the table read whole or a query a key.
 */
export async function byExternalId(
  ctx: ImportContext,
  whole: Whole,
  table: 'accounts' | 'subscriptions',
  columns: readonly string[],
): Promise<(key: string) => Maybe<Row | undefined>> {
  const { statements } = ctx;
  return cached(
    whole(table)
      ? await keyedRows(statements, table, columns, 'external_id_key')
      : statements.getter(
          statements.any
            .selectFrom(table)
            .select([...columns])
            .where('external_id_key', '=', ''),
        ),
  );
}

/**
 * The id of the account's contact with this email key. A removed contact is one too: the requests and
 * activities of a file are history, made before their contact was removed, and a full export must import
 * again (mayBeNamedAsContact in src/contacts/rules.ts).
 */
export async function contactsOfAccounts(
  ctx: ImportContext,
  whole: Whole,
): Promise<(accountId: number, emailKey: string) => Step<number | undefined>> {
  const { statements } = ctx;
  const db = statements.db;
  const contacts = whole('contacts')
    ? await ChildIndex.read(statements.scan(db.selectFrom('contacts').select(['id', 'account_id', 'email_key']), 'id'))
    : undefined;
  const contact = statements.getter(
    db.selectFrom('contacts').select(['id', 'status']).where('account_id', '=', 0).where('email_key', '=', ''),
  );
  return function* contactId(accountId, emailKey) {
    if (contacts) return contacts.find(accountId, emailKey)?.[0];
    const c = yield* wait(contact(accountId, emailKey));
    return c && mayBeNamedAsContact(c.status as string, true) ? (c.id as number) : undefined;
  };
}

/** A contact_email that names no contact of the account. */
export function notAContact(text: RowIn['text'], account: Row): RowProblem {
  return {
    field: 'contact_email',
    value: text.contact_email,
    rule: notAContactRule(String(account.external_id), text.contact_email ?? ''),
  };
}
