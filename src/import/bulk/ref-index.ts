/**
 * Ids of referenced rows by their key, compared exactly as the per-row query `key_column = ?` with the
 * cell's foldKey compares them (src/lib/keys.ts): the stored side is the row's stored fold. A million
 * contact rows each resolve an account: a Map from cell text to row costs ≈ 0.8 µs a lookup (a fresh
 * string hashed, a random probe into 100,000 entries); this open-addressing table of 32-bit hashes
 * folds ASCII case while it hashes (the whole fold of ASCII text), so an ASCII cell needs no folded
 * copy, and confirms each hit against the stored key.
 */
import { foldKey } from '../../lib/keys.js';

/**
 * Int32s a slot: hash, id, key offset, key length (one slot, one cache line: lookups are memory-bound);
 * the length's USED bit marks an entry some lookup returned (what the caller wrote, to be checked).
 */
const SLOT = 4;
const USED = 1 << 30;

export class RefIndex {
  private slots: Int32Array;
  private mask: number;
  private count = 0;
  /** The folded keys' characters, end to end. */
  private chars: Uint16Array;
  private charsUsed = 0;

  constructor(expected: number) {
    let size = 1024;
    while (size < expected * 2) size *= 2;
    this.slots = new Int32Array(size * SLOT);
    this.mask = size - 1;
    this.chars = new Uint16Array(Math.max(expected, 64) * 16);
  }

  /** Adds a stored key (already folded; ids are positive). */
  add(folded: string, id: number): void {
    if ((this.count + 1) * 2 > this.slots.length / SLOT) this.grow();
    if (this.charsUsed + folded.length > this.chars.length) {
      const c = new Uint16Array((this.charsUsed + folded.length) * 2);
      c.set(this.chars);
      this.chars = c;
    }
    const at = this.charsUsed;
    for (let i = 0; i < folded.length; i++) this.chars[at + i] = folded.charCodeAt(i);
    this.charsUsed += folded.length;
    this.place(hashText(folded, false), id, at, folded.length);
    this.count++;
  }

  /** The id for a cell's text (compared as its foldKey), or undefined. */
  find(text: string): number | undefined {
    const ascii = isAscii(text);
    const key = ascii ? text : foldKey(text);
    const h = hashText(key, ascii);
    const s = this.slots;
    for (let i = (h & this.mask) * SLOT; s[i + 1] !== 0; i = (i + SLOT) & (this.mask * SLOT + SLOT - 1)) {
      if (s[i] === h && (s[i + 3]! & ~USED) === key.length && this.sameKey(key, s[i + 2]!, ascii)) {
        s[i + 3]! |= USED;
        return s[i + 1];
      }
    }
    return undefined;
  }

  /** The ids that some `find` returned. */
  usedIds(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.slots.length; i += SLOT) if (this.slots[i + 3]! & USED) out.push(this.slots[i + 1]!);
    return out;
  }

  /** The key at `at` equals `key` (A–Z folded when `fold`). */
  private sameKey(key: string, at: number, fold: boolean): boolean {
    const c = this.chars;
    for (let i = 0; i < key.length; i++) {
      let k = key.charCodeAt(i);
      if (fold && k >= 65 && k <= 90) k += 32;
      if (k !== c[at + i]) return false;
    }
    return true;
  }

  private place(h: number, id: number, at: number, length: number): void {
    const s = this.slots;
    let i = (h & this.mask) * SLOT;
    while (s[i + 1] !== 0) i = (i + SLOT) & (this.mask * SLOT + SLOT - 1);
    s[i] = h;
    s[i + 1] = id;
    s[i + 2] = at;
    s[i + 3] = length;
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Int32Array(old.length * 2);
    this.mask = this.slots.length / SLOT - 1;
    for (let i = 0; i < old.length; i += SLOT) if (old[i + 1] !== 0) this.place(old[i]!, old[i + 1]!, old[i + 2]!, old[i + 3]!);
  }
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 127) return false;
  return true;
}

/** FNV-1a with a final mix; with `fold`, ASCII A–Z hash as a–z. */
function hashText(s: string, fold: boolean): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (fold && c >= 65 && c <= 90) c += 32;
    h = Math.imul(h ^ c, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h | 0;
}
