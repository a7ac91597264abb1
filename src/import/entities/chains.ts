/** Loops in a self-reference (account parents, renewal chains) through rows an import set. */
import { findParentCycles } from '../../accounts/rules.js';
import type { Row } from '../statements.js';
import type { Deferred } from './types.js';

export interface ChainLink {
  line: number;
  /** the reference as written in the file */
  text: string;
}

/**
 * `links`: rows whose reference this import set (id → where). `lookup(id)` gives a row's external_id
 * and parent_id as stored now. Each loop is reported once, on the line of a row of the file.
 */
export function chainCycles(
  links: ReadonlyMap<number, ChainLink>,
  lookup: (id: number) => Row | undefined,
  column: string,
  rule: string,
): Deferred[] {
  const parentOf = new Map<number, number | null>();
  for (const start of links.keys()) {
    for (let cur: number | null = start; cur !== null && !parentOf.has(cur); ) {
      const p: number | null = (lookup(cur)?.parent_id as number | null | undefined) ?? null;
      parentOf.set(cur, p);
      cur = p;
    }
  }
  return findParentCycles(parentOf).map((loop) => {
    const at = loop.find((id) => links.has(id))!;
    const path = loop.map((id) => String(lookup(id)?.external_id)).join(' → ');
    const { line, text } = links.get(at)!;
    return { line, problems: [{ column, value: text, rule: `${rule}: ${path}` }] };
  });
}
