/**
 * The one fold of every key (logins, emails, product and plan codes, external ids, group names, custom
 * field names): NFC, then Unicode full case folding, then NFC again. "ΟΔΟΣ", "οδοσ" and "οδος" are one
 * key; so are "İ" and "i̇", "STRASSE" and "straße", "УЧ-001" and "уч-001".
 *
 * It lives beside the migrations because migration 0005 fills the stored key columns with it and a
 * migration imports nothing from src/; src/lib/keys.ts re-exports it, so the stored keys and every
 * lookup fold alike. Not a database function: PostgreSQL will compare the same stored bytes.
 */
import { CASE_FOLDING } from './case-folding.js';

export { CASE_FOLDING_UNICODE } from './case-folding.js';

let table: Map<number, string> | undefined;

function load(): Map<number, string> {
  const map = new Map<number, string>();
  for (const entry of CASE_FOLDING.split(',')) {
    const [from, to] = entry.split(':') as [string, string];
    map.set(parseInt(from, 16), String.fromCodePoint(...to.split('.').map((h) => parseInt(h, 16))));
  }
  return map;
}

/**
 * The folded key. ASCII text (nearly every email of a million-row import) takes a fast path with the
 * same result: NFC leaves it alone and its only foldings are A–Z to a–z; lower-case ASCII comes back
 * as the same string, without a copy.
 */
export function foldKey(text: string): string {
  let upper = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0x7f) return foldUnicode(text);
    if (c >= 0x41 && c <= 0x5a) upper = true;
  }
  return upper ? text.toLowerCase() : text;
}

function foldUnicode(text: string): string {
  const map = (table ??= load());
  let out = '';
  for (const ch of text.normalize('NFC')) out += map.get(ch.codePointAt(0)!) ?? ch;
  return out.normalize('NFC');
}
