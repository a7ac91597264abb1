/**
 * Text in SQL, the same on both engines: what SQL can narrow for a search by folded text
 * (src/lib/keys.ts) before the fold decides, and NULL placement in a sort.
 */
import { sql, type Expression, type ExpressionBuilder, type Kysely, type OrderByModifiers, type SqlBool } from '#kysely';
import { isPostgres } from './dialect.js';

/**
 * `column` may contain the folded ASCII text `folded`: a case-blind LIKE says so (SQLite's LIKE ignores
 * ASCII case, PostgreSQL's ILIKE does), or the text is beyond ASCII and the caller's fold decides.
 */
export function mayContainAscii(db: Kysely<any>, eb: ExpressionBuilder<any, any>, column: string, folded: string): Expression<SqlBool> {
  const pattern = `%${folded.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const ref = sql.ref(column);
  if (isPostgres(db)) return eb.or([sql<SqlBool>`${ref} ilike ${pattern} escape '\\'`, sql<SqlBool>`${ref} ~ ${'[^\x01-\x7f]'}`]);
  return eb.or([sql<SqlBool>`${ref} like ${pattern} escape '\\'`, sql<SqlBool>`${ref} glob ${'*[^\x01-\x7f]*'}`]);
}

/**
 * `column` (a stored folded key) starts with the folded text `folded`: LIKE with the pattern's `%`, `_` and
 * `\\` escaped. SQLite's LIKE also ignores ASCII case, which changes nothing between two folded texts.
 */
export function startsWithFolded(column: string, folded: string): Expression<SqlBool> {
  return sql<SqlBool>`${sql.ref(column)} like ${`${folded.replace(/[\\%_]/g, (c) => `\\${c}`)}%`} escape '\\'`;
}

/**
 * A sort direction with NULLs where SQLite puts them (first ascending, last descending): PostgreSQL
 * would put them the other way round, and lists must come out the same on both.
 */
export function nullsAsSqlite(dir: 'asc' | 'desc'): OrderByModifiers {
  return (ob) => (dir === 'desc' ? ob.desc().nullsLast() : ob.asc().nullsFirst());
}
