/**
 * The stored keys that the key rules refuse or that fold to the same key as another record's. Reads
 * only the columns as written, so it works before migration 0005 (whose unique indexes these would
 * break: src/db/migrator.ts runs this first and refuses, changing nothing) and after it.
 */
import type { Kysely } from '#kysely';
import { quote, RefusedError } from '../errors.js';
import { coerce } from '../lib/fields.js';
import { foldKey } from '../lib/keys.js';
import { KEY_COLUMNS, type KeyColumn } from './schema/key-columns.js';

export interface KeyProblem {
  entity: string;
  field: string;
  id: number;
  key: string;
  /** a contact's account (its external id) */
  account: string | null;
  problem: string;
}

export const REPAIR_HINT = 'rename them with: acctmgr db repair-keys --rename ENTITY OLD NEW (see acctmgr db repair-keys --help)';

/** A problem before its account is named. */
type Scoped = KeyProblem & { scope: number | null };

interface Found {
  id: number;
  key: string;
  scope: number | null;
  folded: string;
}

export async function scanKeys(db: Kysely<any>): Promise<KeyProblem[]> {
  const tables = new Set((await db.introspection.getTables()).map((t) => t.name));
  const out: KeyProblem[] = [];
  // loops, not push(...list): an old database may hold a problem a key of a million rows (a spread that long overflows the stack)
  for (const k of KEY_COLUMNS) if (tables.has(k.table)) for (const p of await scanColumn(db, k)) out.push(p);
  return out;
}

/** Refuses (exit 1) while there are key problems, naming each record; for the migrator. */
export async function assertKeysFold(db: Kysely<any>): Promise<void> {
  const problems = await scanKeys(db);
  if (problems.length === 0) return;
  const SHOW = 30;
  const lines = problems.slice(0, SHOW).map((p) => `  ${describe(p)}`);
  if (problems.length > SHOW) lines.push(`  … and ${problems.length - SHOW} more (acctmgr db repair-keys lists them all)`);
  throw new RefusedError(
    `this database has keys that this version refuses, or that are one key to it (keys ignore case and Unicode forms), so it cannot be upgraded (nothing was changed):\n${lines.join('\n')}`,
    REPAIR_HINT,
  );
}

function describe(p: KeyProblem): string {
  const of = p.account === null ? '' : ` of account ${p.account}`;
  return `${p.entity} #${p.id}${of}: ${p.field} ${quote(p.key)}: ${p.problem}`;
}

/**
 * Two passes, so a million contacts are not all held: keys beyond ASCII (the only ones whose fold can
 * meet another's: ASCII keys were already unique ignoring case under the indexes before 0005) are kept with their folds, then the ASCII
 * keys that fold to one of those are added.
 */
async function scanColumn(db: Kysely<any>, k: KeyColumn): Promise<KeyProblem[]> {
  const problems: Scoped[] = [];
  const candidates: Found[] = [];
  const wanted = new Set<string>();
  const rows = () =>
    db
      .selectFrom(k.table)
      .select(['id', `${k.source} as v`, ...(k.scope ? [`${k.scope} as s`] : [])])
      .orderBy('id')
      .stream();
  for await (const r of rows()) {
    const key = String(r.v ?? '');
    const rule = keyRule(k, key);
    if (rule) problems.push(problem(k, r.id as number, key, (r.s as number | undefined) ?? null, rule));
    if (!/[^\x00-\x7f]/.test(key)) continue;
    const found = { id: r.id as number, key, scope: (r.s as number | undefined) ?? null, folded: foldKey(key) };
    candidates.push(found);
    wanted.add(`${found.scope}/${found.folded}`);
  }
  if (candidates.length > 0) {
    for await (const r of rows()) {
      const key = String(r.v ?? '');
      const scope = (r.s as number | undefined) ?? null;
      if (/[^\x00-\x7f]/.test(key)) continue;
      const folded = foldKey(key);
      if (wanted.has(`${scope}/${folded}`)) candidates.push({ id: r.id as number, key, scope, folded });
    }
  }
  for (const p of collisions(k, candidates)) problems.push(p);
  return withAccounts(
    db,
    k,
    problems.sort((a, b) => a.id - b.id),
  );
}

function keyRule(k: KeyColumn, key: string): string | undefined {
  const r = coerce({ name: k.source, type: k.type }, key);
  if (!r.ok) return r.rule;
  return r.value === null ? 'is empty' : undefined;
}

function problem(k: KeyColumn, id: number, key: string, scope: number | null, rule: string): Scoped {
  return { entity: k.entity, field: k.source, id, key, account: null, problem: rule, scope };
}

function collisions(k: KeyColumn, found: Found[]): Scoped[] {
  const groups = new Map<string, Found[]>();
  for (const f of found) {
    const g = `${f.scope}/${f.folded}`;
    groups.set(g, [...(groups.get(g) ?? []), f]);
  }
  const out: Scoped[] = [];
  for (const group of groups.values()) {
    if (group.length < 2) continue;
    for (const f of group) {
      const others = group.filter((o) => o !== f).map((o) => `${quote(o.key)} (#${o.id})`);
      out.push(problem(k, f.id, f.key, f.scope, `is the same key as ${others.join(' and ')}`));
    }
  }
  return out;
}

/** Contacts' problems name their account by its external id. */
async function withAccounts(db: Kysely<any>, k: KeyColumn, problems: Scoped[]): Promise<KeyProblem[]> {
  if (!k.scope) return problems.map(({ scope: _, ...p }) => p);
  const ids = [...new Set(problems.map((p) => p.scope).filter((s): s is number => s !== null))];
  const names = new Map<number, string>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await db
      .selectFrom('accounts')
      .select(['id', 'external_id'])
      .where('id', 'in', ids.slice(i, i + 500))
      .execute();
    for (const r of rows) names.set(r.id as number, r.external_id as string);
  }
  return problems.map(({ scope, ...p }) => ({ ...p, account: scope === null ? null : (names.get(scope) ?? `#${scope}`) }));
}
