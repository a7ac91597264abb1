/**
 * Ids a rolled-back import drew, given back. SQLite keeps its AUTOINCREMENT counters in a table
 * (sqlite_sequence) that a rollback restores with everything else: after a dry run or a refused import the
 * next row gets the id it would have had. A PostgreSQL sequence is not transactional — the values a
 * transaction drew stay drawn — so a dry run of a million contacts moved the contacts' ids a million on,
 * and each refused import took an import batch number: the next import said "batch 6" on PostgreSQL where
 * SQLite said "batch 2" for the same commands. An import therefore marks the schema's sequences when it
 * begins and, when it rolls back, sets those it moved back to their marks before the rollback.
 *
 * Imports only, not every write transaction: marking is a round trip, which remind's thousands of small
 * transactions would pay for nothing (the other commands check their rules before they insert, so a
 * rollback after an insert is an error's, as rare as a killed import).
 *
 * That is safe because no other writer drew from them meanwhile: every acctmgr write transaction holds the
 * one advisory write lock (src/db/tx.ts) until it ends, and the import still holds it here. (A program
 * other than acctmgr inserting into acctmgr's tables at that moment could be handed an id again; its
 * insert would fail on the primary key, nothing would be lost.) A role that may not set a sequence (no
 * UPDATE on it; docs/team.md grants the team UPDATE for this) leaves it as PostgreSQL does.
 */
import { sql, type Kysely } from '#kysely';
import { isPostgres } from './dialect.js';
import type { DB } from './schema/index.js';

export interface SequenceMarks {
  /** Sets every sequence the transaction moved back to its mark; call it inside the transaction, before its rollback. */
  giveBack(): Promise<void>;
}

const NOTHING: SequenceMarks = { giveBack: async () => undefined };

interface Mark {
  seq: string;
  /** the last value handed out, null before the first */
  last: string | null;
  start: string;
  may: boolean;
}

/**
 * The sequences of the connection's schema as they are now (SQLite: nothing to mark, its rollback restores
 * them); `only`: that one sequence (as pg_get_serial_sequence names it), given back alone.
 */
export async function markSequences(db: Kysely<DB>, only?: string): Promise<SequenceMarks> {
  if (!isPostgres(db)) return NOTHING;
  const read = async () =>
    (
      await sql<Mark>`
        select format('%I.%I', schemaname, sequencename) as seq, last_value::text as last, start_value::text as start,
          has_sequence_privilege(format('%I.%I', schemaname, sequencename), 'UPDATE') as may
        from pg_sequences where schemaname = current_schema()
          ${only === undefined ? sql`` : sql`and format('%I.%I', schemaname, sequencename)::regclass = ${only}::regclass`}`.execute(db)
    ).rows;
  const marks = await read();
  return {
    giveBack: async () => {
      const before = new Map(marks.map((m) => [m.seq, m]));
      for (const now of await read()) {
        const mark = before.get(now.seq);
        if (!mark || !mark.may || now.last === mark.last) continue;
        // before its first value a sequence is set back to "not called": its next value is its start
        await sql`select setval(${now.seq}::regclass, ${mark.last ?? mark.start}::bigint, ${mark.last !== null})`.execute(db);
      }
    },
  };
}
