/**
 * Keys and text: the one fold every key is compared by (migrations/keys/fold.ts, shared with the
 * migration that fills the stored key columns), and what a key, a one-line text and a multi-line note
 * may hold. Lengths count code points after NFC, the same for every writer of a value.
 */
export { CASE_FOLDING_UNICODE, foldKey } from '../../migrations/keys/fold.js';

export const KEY_MAX = 100;
export const EMAIL_MAX = 254;
export const TEXT_MAX = 200;
export const NOTE_MAX = 10_000;

/** Control (Cc), format (Cf: zero-width space, bidi controls …), line and paragraph separators, lone surrogates. */
const NOT_IN_KEY = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;
/** Control characters (tab and line breaks among them), line and paragraph separators, lone surrogates. */
const NOT_IN_LINE = /[\p{Cc}\p{Zl}\p{Zp}\p{Cs}]/u;
/** Control characters other than tab, line feed and carriage return; lone surrogates. */
const NOT_IN_NOTE = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\p{Cs}]/u;

const KEY_RULE = 'must not contain control characters, line breaks or invisible formatting characters';
const LINE_RULE = 'must not contain control characters, tabs or line breaks';
const NOTE_RULE = 'must not contain control characters other than tabs and line breaks';

/** Why `text` cannot be a key (logins, codes, external ids, emails, group names), or undefined. */
export function keyProblem(text: string, max = KEY_MAX): string | undefined {
  return scan(text, max, NOT_IN_KEY, KEY_RULE, false);
}

/** Why `text` cannot be a one-line text (names and the like), or undefined. */
export function lineProblem(text: string, max = TEXT_MAX): string | undefined {
  return scan(text, max, NOT_IN_LINE, LINE_RULE, false);
}

/** Why `text` cannot be a note (multi-line: tabs and line breaks allowed), or undefined. */
export function noteProblem(text: string, max = NOTE_MAX): string | undefined {
  return scan(text, max, NOT_IN_NOTE, NOTE_RULE, true);
}

/**
 * One pass over ASCII text (a million-row import checks every cell); the expression only for text
 * beyond ASCII. NFC can make text at most three times as long, so shorter text is not normalised.
 */
function scan(text: string, max: number, refused: RegExp, rule: string, lineBreaks: boolean): string | undefined {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0x7e) return beyondAscii(text, max, refused, rule);
    if (c < 0x20 && !(lineBreaks && (c === 9 || c === 10 || c === 13))) return found(rule, c);
  }
  return text.length > max ? `must be at most ${max} characters` : undefined;
}

function beyondAscii(text: string, max: number, refused: RegExp, rule: string): string | undefined {
  const bad = refused.exec(text);
  if (bad) return found(rule, bad[0].codePointAt(0)!);
  if (text.length * 3 <= max) return undefined;
  return codePoints(text.normalize('NFC')) > max ? `must be at most ${max} characters` : undefined;
}

function found(rule: string, c: number): string {
  return `${rule} (found U+${c.toString(16).toUpperCase().padStart(4, '0')})`;
}

function codePoints(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0xd800 || c > 0xdbff) n++;
  }
  return n;
}
