/**
 * What SQL can narrow for a search by folded text (src/lib/keys.ts) before the fold decides. SQLite's
 * LIKE ignores ASCII case only, so text beyond ASCII is kept for the caller to compare by its fold
 * (another engine's ILIKE would do for the first part).
 */
import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';

/** `column` may contain the folded ASCII text `folded`: LIKE says so, or the text is beyond ASCII. */
export function mayContainAscii(eb: ExpressionBuilder<any, any>, column: string, folded: string): Expression<SqlBool> {
  const pattern = `%${folded.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return eb.or([sql<SqlBool>`${sql.ref(column)} like ${pattern} escape '\\'`, sql<SqlBool>`${sql.ref(column)} glob ${'*[^\x01-\x7f]*'}`]);
}
