/**
 * contacts.csv: key account_external_id + email. The account must exist (in the database or the
 * accounts imported with it); at most 5 primary, non-removed contacts per account, counted as rows apply.
 */
import { sql as raw } from '#kysely';
import { foldKey } from '../../lib/keys.js';
import { CONTACT_FIELDS, MAX_PRIMARY_CONTACTS } from '../../contacts/fields.js';
import { countsAsPrimary, primaryLimitMessage } from '../../contacts/rules.js';
import { FORMATS } from '../../formats/catalog.js';
import { eachRow, isPromise, run, wait, type Maybe, type Row, type Step } from '../statements.js';
import { Upserter } from './common.js';
import {
  givenColumns,
  PACKED_WIDTH,
  prepareContact,
  unpackContact,
  type ContactsThreadData,
  type PreparedContact,
} from './contacts-rows.js';
import { bulkPlan, readsWhole, type BulkPlan } from '../bulk/plan.js';
import { RefIndex } from '../bulk/ref-index.js';
import type { EntityDef, FileInfo, ImportContext, RowIn, RowResult } from './types.js';

const COLUMNS = ['account_id', 'name', 'email', 'email_key', 'role', 'is_primary', 'status', 'invited_at', 'last_login_at'];
/** A contacts row is ≈ 100 bytes; guessing fewer rows than there are keeps small imports off the bulk path. */
const ROW_BYTES = 128;

/** The reader thread's preparer of contacts rows (src/import/bulk/prepared.ts). */
const PREPARER = new URL('./contacts-rows.js', import.meta.url).href;

export const contacts: EntityDef = {
  name: 'contacts',
  columns: async () => [...CONTACT_FIELDS],
  required: FORMATS.contacts.required,
  provesReferences: true,
  readerPreparer: PREPARER,
  async open(ctx: ImportContext, _columns, file: FileInfo) {
    const { statements } = ctx;
    const up = new Upserter(ctx, 'contacts', COLUMNS);
    // a bulk load (src/import/bulk/load.ts): SQLite's multi-row INSERTs, PostgreSQL's COPY
    const plan = bulkPlan(statements.timing, file.bytes, ROW_BYTES, ctx.batch.maxBefore.get('contacts') ?? 0);
    const accounts = await accountIds(ctx, file, plan);
    const primaryContacts = statements.db
      .selectFrom('contacts')
      // constants inlined: the prepared statement takes only the account id
      .where('is_primary', '=', raw.lit(1))
      .where('status', '!=', raw.lit('removed'));
    // primary, non-removed contacts per account: loaded when an account is first touched by a change,
    // or all at once for a bulk load (without its indexes, a per-account count would scan the table)
    const primaries = new Map<number, number>();
    let countOf: (id: number) => Maybe<number>;
    let byKey: (accountId: number, emailKey: string, hash: number) => Maybe<Row | undefined>;
    if (plan && file.bulk && up.canBulk) {
      await up.startBulk(['account_id', 'email_key'], file.bytes / ROW_BYTES, plan);
      // counted here, not by GROUP BY: SQLite would walk the (account_id, email_key) index for it, a random
      // read of the table a contact (a million stored contacts: 2.2 s, against 0.1 s for this); after
      // startBulk, through the bulk load's small page cache (src/db/bulk.ts loadCache)
      for (const r of await primaryContacts.select('account_id').execute())
        primaries.set(r.account_id, (primaries.get(r.account_id) ?? 0) + 1);
      countOf = (id) => primaries.get(id) ?? 0;
      byKey = (accountId, emailKey, hash) => up.findByKey([accountId, emailKey], hash);
    } else {
      const countPrimaries = statements.getter(
        primaryContacts.select((eb) => eb.fn.countAll<number>().as('n')).where('account_id', '=', 0),
      );
      countOf = (id) => {
        const known = primaries.get(id);
        if (known !== undefined) return known;
        const r = countPrimaries(id);
        return isPromise(r) ? r.then((row) => Number(row!.n)) : Number(r!.n);
      };
      const getter = statements.getter(
        statements.db.selectFrom('contacts').selectAll().where('account_id', '=', 0).where('email_key', '=', ''),
      );
      byKey = (accountId, emailKey) => getter(accountId, emailKey);
    }

    // most rows of a large file are new: insert first, look up only when the key exists. A row that does
    // not make its contact primary has nothing to count: its insert is tried without a generator (a
    // million rows, ≈ 0.1 s), and only a row whose key exists goes on through the steps
    const apply = (p: PreparedContact): Maybe<RowResult> => {
      if (primaryDelta(undefined, p.row) !== 0) return run(steps(p));
      const inserted = up.tryInsert(p.line, p.row, p.hash);
      if (isPromise(inserted)) return inserted.then((ok) => (ok ? 'inserted' : run(stored(p))));
      return inserted ? 'inserted' : run(stored(p));
    };

    /** A row that makes its contact primary: counted before the insert (afterwards the count would include it). */
    function* steps(p: PreparedContact): Step<RowResult> {
      const before = yield* wait(countOf(p.accountId));
      if (before < MAX_PRIMARY_CONTACTS && (yield* wait(up.tryInsert(p.line, p.row, p.hash)))) {
        primaries.set(p.accountId, before + 1);
        return 'inserted';
      }
      return yield* stored(p);
    }

    /** A row that was not inserted: its key exists (an update), or it would be one primary contact too many. */
    function* stored(p: PreparedContact): Step<RowResult> {
      const { line, accountId, row: asNew } = p;
      const existing = yield* wait(byKey(accountId, asNew.email_key as string, p.hash));
      const pre = up.precheck(existing, { field: 'email', value: p.emailText, what: 'same account_external_id + email' });
      if (pre === 'skip') return up.skip(existing!, line);
      if (pre) return pre;
      const rec = existing ? givenColumns(p) : asNew;
      const delta = primaryDelta(existing, rec);
      if (delta !== 0) {
        const n = yield* wait(countOf(accountId));
        if (delta > 0 && n >= MAX_PRIMARY_CONTACTS) {
          const shown = yield* wait(accounts.externalId(accountId));
          return [{ field: 'is_primary', value: p.isPrimaryText ?? '', rule: primaryLimitMessage(shown) }];
        }
        primaries.set(accountId, n + delta);
      }
      return (yield* up.write(line, existing, rec)).outcome;
    }

    function* row(r: RowIn): Step<RowResult> {
      let asked: string | undefined;
      let p = prepareContact(r, ctx.dateFormat, (t) => {
        const id = accounts.known(t);
        if (id === undefined) asked = t;
        return id;
      });
      // an account not met before: looked up in the database, then the row prepared again
      if (asked !== undefined && (yield* wait(accounts.lookup(asked))) !== undefined) p = prepareContact(r, ctx.dateFormat, accounts.known);
      return Array.isArray(p) ? p : yield* wait(apply(p));
    }

    return {
      row: (r: RowIn) => run(row(r)),
      // a large file with every account at hand: rows may be prepared in a reader thread
      prepared: accounts.all
        ? {
            preparer: PREPARER,
            data: { dateFormat: ctx.dateFormat, ...accounts.all } satisfies ContactsThreadData,
            width: PACKED_WIDTH,
            apply(line, batch, at) {
              const p = unpackContact(line, batch, at);
              accounts.noteUsed(p.accountId);
              return apply(p);
            },
            // the account's stored key: the fold of the row's cell
            keyText: (batch, at) => ({
              account_external_id: accounts.key(batch[at] as number),
              email: unpackContact(0, batch, at).emailText,
            }),
          }
        : undefined,
      async finish() {
        ctx.notes?.push(...(await up.finish()));
        if (!(await statements.foreignKeysEnforced())) {
          const missing = await statements.missingIds('accounts', accounts.usedIds());
          if (missing.length > 0)
            throw new Error(`contacts import: account ids ${missing.slice(0, 5).join(', ')} do not exist (nothing was imported)`);
        }
        return [];
      },
    };
  },
};

/** +1 when the row makes the contact count as primary, −1 when it stops counting, else 0. */
function primaryDelta(existing: Row | undefined, rec: Row): number {
  const after = countsAsPrimary({
    is_primary: (rec.is_primary ?? existing?.is_primary ?? 0) as number,
    status: (rec.status ?? existing?.status ?? 'invited') as string,
  });
  const before = existing ? countsAsPrimary({ is_primary: existing.is_primary as number, status: existing.status as string }) : false;
  return Number(after) - Number(before);
}

/**
 * Account ids by external id. A file that would be bulk-loaded (`plan`) into a database with few enough
 * accounts beside its rows (src/import/bulk/plan.ts readsWhole: on SQLite no more than the file has rows)
 * reads them all at once (one scan instead of a query per account); otherwise each external id is
 * looked up when first met. Every id a row can carry comes through `find`, or from the reader thread's
 * copy of the preloaded accounts (noted with `noteUsed`), so `usedIds` are the ids to prove when foreign
 * keys are off (src/db/bulk.ts).
 */
async function accountIds(ctx: ImportContext, file: FileInfo, plan: BulkPlan | undefined) {
  const { statements } = ctx;
  const stored = ctx.batch.maxBefore.get('accounts') ?? 0;
  const rows = file.bytes / ROW_BYTES;
  const keyColumn = 'external_id_key' as const;
  const preload = plan !== undefined && readsWhole(statements.timing, rows, stored);
  // every account, also as two lists for a reader thread (src/import/bulk/), whose rows' ids are noted as used here
  const all = preload ? { accountKeys: [] as string[], accountIds: [] as number[] } : undefined;
  let usedByThread = new Uint8Array(0);
  let keys: Map<number, string> | undefined;
  if (all) {
    const scan = statements.scan(statements.db.selectFrom('accounts').select(['id', `${keyColumn} as k`]), 'id');
    await eachRow(scan(), (r) => {
      all.accountKeys.push(r[1] as string);
      all.accountIds.push(r[0] as number);
    });
  }
  // preloaded accounts are indexed here only when this thread looks one up (a reader thread has its own index)
  let built: RefIndex | undefined;
  const index = (): RefIndex => {
    if (built) return built;
    built = new RefIndex(Math.min(stored, rows));
    if (all) for (let i = 0; i < all.accountIds.length; i++) built.add(all.accountKeys[i]!, all.accountIds[i]!);
    return built;
  };
  const lookup = statements.getter(
    statements.db
      .selectFrom('accounts')
      .select(['id', `${keyColumn} as k`])
      .where(keyColumn, '=', ''),
  );
  const externalId = statements.getter(statements.db.selectFrom('accounts').select('external_id').where('id', '=', 0));
  const found = (text: string, r: Row | undefined): number | undefined => {
    if (!r) return undefined;
    index().add(r.k as string, r.id as number);
    return index().find(text);
  };
  return {
    /** The account's id when it was met before (or preloaded). */
    known: (text: string): number | undefined => index().find(text),
    /** The account's id from the database (none for preloaded accounts: all are known). */
    lookup: (text: string): Maybe<number | undefined> => {
      if (preload) return undefined;
      const r = lookup(foldKey(text));
      return isPromise(r) ? r.then((row) => found(text, row)) : found(text, r);
    },
    externalId: (id: number): Maybe<string> => {
      const r = externalId(id);
      return isPromise(r) ? r.then((row) => String(row?.external_id ?? id)) : String(r?.external_id ?? id);
    },
    all,
    noteUsed(id: number): void {
      if (id >= usedByThread.length) {
        const grown = new Uint8Array(Math.max(id + 1, usedByThread.length * 2, 1024));
        grown.set(usedByThread);
        usedByThread = grown;
      }
      usedByThread[id] = 1;
    },
    /** An account's stored key, the fold of its external id (preloaded accounts only). */
    key(id: number): string {
      keys ??= new Map(all!.accountIds.map((a, i) => [a, all!.accountKeys[i]!]));
      return keys.get(id)!;
    },
    usedIds(): Set<number> {
      const ids = new Set(built?.usedIds());
      for (let id = 0; id < usedByThread.length; id++) if (usedByThread[id]) ids.add(id);
      return ids;
    },
  };
}
