/**
 * A large import into one table on PostgreSQL: new rows stream into the table with COPY FROM STDIN
 * (src/db/pg-copy.ts) inside the import's transaction, its secondary indexes and foreign keys suspended
 * when the role may (src/db/pg-bulk.ts) and the file is large beside the table (src/import/bulk/plan.ts) —
 * just before the first new row: a file that inserts nothing (imported again, or only updating stored
 * rows) leaves them as they are and costs no rebuild. COPY takes no row-by-row answers, so the table's unique key is
 * checked here, in memory, as SQLite's bulk load does (src/import/bulk/bulk-table.ts): every stored key and
 * every key of the file, under two independent 32-bit hashes. A key found under both is confirmed against
 * the row itself (a query: the COPY in progress ends first, the next row starts another), so the answers
 * are exact, and the rows that need the database (an existing contact updated, a duplicate within the
 * file) cost a round trip while new rows cost none.
 *
 * A new row's id is known as it is queued, as on SQLite: the table is locked against other writers for the
 * import (LOCK TABLE … SHARE ROW EXCLUSIVE, which readers pass, from its start; ACCESS EXCLUSIVE from the first
 * new row where the indexes are then dropped),
 * so nobody else draws from its identity sequence meanwhile, and the import takes the ids after the
 * sequence's current value, writes them with the rows, and moves the sequence past the last before it
 * commits. A row that needs its id at once (an account's custom fields, a parent later in the file)
 * costs no round trip, and the batch's lowest and highest ids are known without a query
 * (import_batch_inserts; undo goes by import_batch_id).
 */
import { sql, type Kysely } from '#kysely';
import { ConflictError } from '../../errors.js';
import { NOT_SUSPENDED, pgSuspension, type PgSuspended } from '../../db/pg-bulk.js';
import { markSequences, type SequenceMarks } from '../../db/sequences.js';
import type { CopyWriter, PgSession } from '../../db/pg-copy.js';
import type { DB } from '../../db/schema/index.js';
import { copyRowFormat, copyText, type CopyRowFormat } from '../../db/pg-copy-text.js';
import { checkKey, hashKey, type KeyIndex } from './key-index.js';
import { idsTooHigh, MAX_BULK_ID, storedRows, storedKeys, type StoredRows, type BulkLoad, type BulkTableOptions } from './load.js';
import { isPromise, type Maybe, type Row, type Statements } from '../statements.js';

export class PgBulkTable implements BulkLoad {
  readonly notes: string[] = [];
  /** The next new row's id (the identity sequence's values from here on are this import's). */
  private nextId = 0;
  /** Rows queued, and the first one's id. */
  private queued = 0;
  private first = 0;
  private readonly byId: (id: number) => Promise<Row | undefined>;
  /** Stored rows, read ahead by id (a file updating stored rows usually lists them in the order they were stored). */
  private readonly stored: StoredRows;
  /**
   * The COPY of the new rows, made for the first one (the indexes suspended first, where they may be), and
   * its rows' format: a row's columns, then — unless they are the columns' defaults while the table is loaded
   * (pgSuspension set them) — the constant columns' values (the import's id and timestamps) in COPY text.
   */
  private copying: { copy: CopyWriter; rowFormat: CopyRowFormat } | undefined;
  /** The table's identity sequence, as the server names it (quoted where it must be). */
  private sequence = '';
  /** The sequence as it was before open drew an id: given back when nothing is inserted. */
  private drawn: SequenceMarks | undefined;
  private readonly db: Kysely<DB>;
  /** Suspends the indexes and foreign keys before the first new row (undefined: they stay). */
  private suspension: { suspend(): Promise<PgSuspended> } | undefined;
  private suspended: PgSuspended | undefined;
  /** When the rows began to flow (performance.now()), for --debug. */
  private started = 0;

  private constructor(
    statements: Statements<'later'>,
    private readonly session: PgSession,
    private readonly o: BulkTableOptions,
    private readonly keys: KeyIndex,
  ) {
    this.db = statements.db;
    this.byId = statements.byId(o.table);
    this.stored = storedRows(statements, o.table, this.byId);
  }

  /**
   * Loads the stored keys and locks the table (inside the caller's transaction); its indexes are suspended
   * before the first new row, unless told to keep them.
   */
  static async open(statements: Statements<'later'>, session: PgSession, o: BulkTableOptions): Promise<PgBulkTable> {
    const t = new PgBulkTable(statements, session, o, await storedKeys(statements, o, true));
    // no other writer may draw ids, or change the table, until the commit (readers may read: a file that inserts
    // nothing keeps them reading; the first new row's suspension of the indexes locks them out)
    await sql`lock table ${sql.table(o.table)} in share row exclusive mode`.execute(statements.db);
    t.suspension = o.keepIndexes ? undefined : await pgSuspension(statements.any, o.table, o.constants);
    const { rows: named } = await sql<{ seq: string }>`select pg_get_serial_sequence(${o.table}, 'id') as seq`.execute(statements.db);
    t.sequence = named[0]!.seq;
    // a load that inserts nothing gives back the id drawn here (the next row then gets the id it gets on SQLite)
    t.drawn = await markSequences(statements.db, t.sequence);
    const { rows } = await sql<{ id: number }>`select nextval(${t.sequence}::regclass) as id`.execute(statements.db);
    t.nextId = Number(rows[0]!.id);
    t.started = performance.now();
    return t;
  }

  /** The COPY for the first new row: the indexes suspended first (where they may be). */
  private async startCopy(): Promise<void> {
    this.suspended = this.suspension ? await this.suspension.suspend() : NOT_SUSPENDED;
    const constants = this.suspended.suspended ? [] : Object.entries(this.o.constants ?? {});
    this.copying = {
      copy: this.session.copyInto(this.o.table, ['id', ...this.o.columns, ...constants.map(([c]) => c)]),
      rowFormat: copyRowFormat(this.o.columns, constants.map(([, v]) => `\t${copyText(v)}`).join('')),
    };
  }

  find(keyValues: readonly unknown[], hash = hashKey(keyValues)): Promise<Row | undefined> | undefined {
    // a new key's hash is nearly always free: the second hash only when it is not
    let check: number | undefined;
    const candidates: number[] = [];
    this.keys.find(hash, (ref, c) => void (c === (check ??= checkKey(keyValues)) && candidates.push(ref)));
    return candidates.length === 0 ? undefined : this.confirm(keyValues, candidates);
  }

  mayHold(hash: number): boolean {
    return this.keys.has(hash);
  }

  insert(line: number, rec: Row, hash?: number): Maybe<void> {
    const queued = this.queue(line, rec, hash);
    return isPromise(queued) ? queued.then(() => undefined) : undefined;
  }

  insertNow(line: number, rec: Row): Maybe<number> {
    return this.queue(line, rec);
  }

  /** Queues a row under the next id; its id (a Promise when the server is behind: wait for it). */
  private queue(line: number, rec: Row, hash?: number): Maybe<number> {
    const copying = this.copying;
    if (!copying) return this.startCopy().then(() => this.queue(line, rec, hash));
    const id = this.nextId++;
    if (id > MAX_BULK_ID) throw idsTooHigh(this.o.table, id);
    const keyValues = this.o.key.map((k) => rec[k]);
    // a queued row's reference is −id: it is read by id once the COPY ended (confirm)
    this.keys.add(hash ?? hashKey(keyValues), -id, checkKey(keyValues));
    if (this.queued++ === 0) this.first = id;
    this.o.onInserted(id, line);
    const sent = copying.copy.row(rec, copying.rowFormat, id);
    return sent ? sent.then(() => id) : id;
  }

  async finish(): Promise<void> {
    const copy = this.copying?.copy;
    await copy?.close();
    const loaded = performance.now();
    if ((copy?.loaded ?? 0) !== this.queued) throw new Error(`bulk import: COPY loaded ${copy?.loaded ?? 0} of ${this.queued} rows`);
    if (this.queued > 0) {
      await this.passIds();
      this.o.batch.noteInserted(this.o.table, this.first, this.nextId - 1, this.queued);
    } else await this.drawn?.giveBack();
    await this.suspended?.restore();
    const seconds = (from: number, to = performance.now()) => `${((to - from) / 1000).toFixed(2)} s`;
    this.notes.push(
      !copy
        ? `${this.o.table}: no row inserted, its indexes and foreign keys left as they were (rows ${seconds(this.started, loaded)})`
        : this.suspended?.suspended
          ? `${this.o.table}: rows loaded with COPY FROM STDIN, indexes and foreign keys rebuilt before the commit (rows ${seconds(this.started, loaded)}, rebuild ${seconds(loaded)})`
          : `${this.o.table}: rows loaded with COPY FROM STDIN into the indexed table (${this.o.keepIndexes ? 'the file is small beside the table' : 'the role does not own it'}) (rows ${seconds(this.started, loaded)})`,
    );
    this.suspended = undefined;
  }

  /**
   * Moves the identity sequence past this import's ids: setval, or, for a role that may only draw from it
   * (no UPDATE on the sequence; docs/team.md grants the team UPDATE), by drawing the ids once more. No one else drew meanwhile (the table is
   * locked), unless by calling nextval outside acctmgr: then ids may clash, and the import stops here.
   */
  private async passIds(): Promise<void> {
    const last = this.nextId - 1;
    const seq = sql.raw(this.sequence);
    const { rows } = await sql<{ at: number; may: boolean }>`
      select last_value as at, has_sequence_privilege(${this.sequence}, 'UPDATE') as may from ${seq}`.execute(this.db);
    const drawn = () =>
      new ConflictError(
        `import: ids of ${this.o.table} were drawn outside acctmgr while the import ran; nothing was imported`,
        'run the import again',
      );
    if (Number(rows[0]!.at) !== this.first) throw drawn();
    if (rows[0]!.may) await sql`select setval(${this.sequence}::regclass, ${last})`.execute(this.db);
    else {
      const { rows: to } = await sql<{ id: number }>`
        select max(nextval(${sql.lit(this.sequence)}::regclass)) as id from generate_series(1, ${last - this.first}::int)`.execute(this.db);
      if (last > this.first && Number(to[0]!.id) !== last) throw drawn();
    }
  }

  /** The row among `refs` (stored ids, or this import's rows as −id) whose key is `keyValues`. */
  private async confirm(keyValues: readonly unknown[], refs: readonly number[]): Promise<Row | undefined> {
    for (const ref of refs) {
      const row = ref > 0 ? await this.stored.get(ref) : await this.byId(-ref);
      if (!row) throw new Error(`bulk import: ${this.o.table} row ${Math.abs(ref)} is gone`);
      if (this.o.key.every((k, i) => row[k] === keyValues[i])) return row;
    }
    return undefined;
  }
}
