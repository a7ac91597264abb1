// Frozen once released: never edit a migration that has been released; add a new numbered one instead.
import { sql, type Kysely } from '#kysely';
import { isPostgres, text } from './dialect.js';
import { foldKey } from './keys/fold.js';

/**
 * Keys compared by one fold in every language (migrations/keys/fold.ts) instead of SQLite's lower(),
 * which folds ASCII only. Each key gets a stored folded column, filled here with the fold the program
 * uses, and the unique indexes move from lower(...) to those plain columns, so another database engine
 * compares exactly the same bytes. src/db/migrator.ts refuses to run this, changing nothing, while
 * stored keys would fold together or break the key rules (they are listed, and `acctmgr db
 * repair-keys` renames them); all of it runs under one savepoint, so a failure also changes nothing.
 */
interface KeyColumn {
  table: string;
  source: string;
  key: string;
  /** the lower(...) indexes it replaces: [name, columns or expression, unique] */
  old: [string, string, boolean][];
  /** the unique index is per value of this column */
  scope?: string;
  /**
   * the unique index's name on PostgreSQL when `${table}_${key}` is taken there (PostgreSQL names a UNIQUE
   * column's own index so); SQLite keeps the released `${table}_${key}`
   */
  pgIndex?: string;
}

const KEYS: KeyColumn[] = [
  { table: 'account_groups', source: 'name', key: 'name_key', old: [['account_groups_name', 'lower(name)', true]] },
  { table: 'accounts', source: 'external_id', key: 'external_id_key', old: [['accounts_external_id', 'lower(external_id)', true]] },
  { table: 'products', source: 'code', key: 'code_key', old: [['products_code', 'lower(code)', true]] },
  { table: 'plans', source: 'code', key: 'code_key', old: [['plans_code', 'lower(code)', true]] },
  {
    table: 'subscriptions',
    source: 'external_id',
    key: 'external_id_key',
    old: [['subscriptions_external_id', 'lower(external_id)', true]],
  },
  {
    table: 'contacts',
    source: 'email',
    key: 'email_key',
    old: [
      ['contacts_account_email', 'account_id, email', true],
      ['contacts_email', 'email', false],
    ],
    scope: 'account_id',
  },
  // managers.email keeps its UNIQUE column constraint (SQLite cannot drop one); the folded key is stricter
  { table: 'managers', source: 'email', key: 'email_key', old: [], pgIndex: 'managers_email_fold' },
];

function indexName(db: Kysely<any>, k: KeyColumn): string {
  return (isPostgres(db) && k.pgIndex) || `${k.table}_${k.key}`;
}

export async function up(db: Kysely<any>): Promise<void> {
  await inSavepoint(db, async () => {
    for (const k of KEYS) {
      await db.schema.alterTable(k.table).addColumn(k.key, text(db)).execute();
      await fill(db, k);
      for (const [name] of k.old) await db.schema.dropIndex(name).execute();
      const unique = db.schema.createIndex(indexName(db, k)).on(k.table).unique();
      await (k.scope ? unique.columns([k.scope, k.key]) : unique.column(k.key)).execute();
      // lookups by email across accounts (`contacts show EMAIL`, seats, reminders)
      if (k.scope) await db.schema.createIndex(`${k.table}_${k.key}_any`).on(k.table).column(k.key).execute();
    }
  });
}

/**
 * lower() is the fold of ASCII text, nearly every key: one statement sets those, then only the rows
 * whose fold differs are written one by one (collected first: SQLite cannot write while it reads).
 */
async function fill(db: Kysely<any>, k: KeyColumn): Promise<void> {
  await db
    .updateTable(k.table)
    .set({ [k.key]: sql`lower(${sql.ref(k.source)})` })
    .execute();
  const wrong: [number, string][] = [];
  const rows = db.selectFrom(k.table).select(['id', `${k.source} as v`, `${k.key} as k`]);
  // PostgreSQL's lower() folds by the server's locale, and a stream needs a cursor: every row is read
  for await (const row of isPostgres(db) ? await rows.execute() : rows.stream()) {
    const folded = foldKey(row.v as string);
    if (folded !== row.k) wrong.push([row.id as number, folded]);
  }
  for (const [id, folded] of wrong)
    await db
      .updateTable(k.table)
      .set({ [k.key]: folded })
      .where('id', '=', id)
      .execute();
}

async function inSavepoint(db: Kysely<any>, fn: () => Promise<void>): Promise<void> {
  await sql`savepoint m0005_keys`.execute(db);
  try {
    await fn();
  } catch (e) {
    await sql`rollback to m0005_keys`.execute(db);
    await sql`release m0005_keys`.execute(db);
    throw e;
  }
  await sql`release m0005_keys`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const k of [...KEYS].reverse()) {
    if (k.scope) await db.schema.dropIndex(`${k.table}_${k.key}_any`).execute();
    if (k.pgIndex && !isPostgres(db)) {
      // SQLite databases made by the builds of 8f246ab until the released name came back carry PostgreSQL's
      await db.schema.dropIndex(k.pgIndex).ifExists().execute();
      await db.schema.dropIndex(indexName(db, k)).ifExists().execute();
    } else await db.schema.dropIndex(indexName(db, k)).execute();
    for (const [name, on, unique] of k.old) {
      const ix = db.schema.createIndex(name).on(k.table).expression(sql.raw(on));
      await (unique ? ix.unique() : ix).execute();
    }
    await db.schema.alterTable(k.table).dropColumn(k.key).execute();
  }
}
