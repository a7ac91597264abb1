/**
 * Ids of referenced rows by their key, compared exactly as the per-row query `key_column = ?` with the
 * cell's foldKey compares them (src/lib/keys.ts): the stored side is the row's stored fold. A million
 * contact rows each resolve an account: a Map from cell text to row costs ≈ 0.8 µs a lookup (a fresh
 * string hashed, a random probe into 100,000 entries); this open-addressing table of 32-bit hashes
 * folds ASCII case while it hashes (the whole fold of ASCII text), so an ASCII cell needs no folded
 * copy, and confirms each hit against the stored key.
 *
 * A lookup is bound by memory: in a reader thread that streams a 100 MB file through its caches, each
 * line of the table it touches is a miss. So a key of up to 20 Latin-1 characters (external ids, nearly
 * always) is kept in its slot, 4 characters to a word: one line a lookup, where a key kept apart (longer,
 * or beyond Latin-1) costs a second (a million contacts: ≈ 0.1 s of the reader thread).
 */
import { foldKey } from '../../lib/keys.js';

/**
 * Int32s a slot (32 bytes, two to a cache line): hash, id, length and flags, then the key — INLINE
 * Latin-1 characters 4 a word, or (APART) its offset among `chars`.
 */
const SLOT = 8;
const INLINE = 20;
/** Flags beside the length: some lookup returned this entry (what the caller wrote, to be checked); the key is kept apart. */
const USED = 1 << 30;
const APART = 1 << 29;
const LENGTH = APART - 1;

export class RefIndex {
  private slots: Int32Array;
  private mask: number;
  private count = 0;
  /** The keys kept apart, end to end. */
  private chars: Uint16Array;
  private charsUsed = 0;

  constructor(expected: number) {
    let size = 1024;
    while (size < expected * 2) size *= 2;
    this.slots = new Int32Array(size * SLOT);
    this.mask = size - 1;
    this.chars = new Uint16Array(1024);
  }

  /** Adds a stored key (already folded; ids are positive). */
  add(folded: string, id: number): void {
    if ((this.count + 1) * 2 > this.slots.length / SLOT) this.grow();
    const s = this.slots;
    const h = hashText(folded, false);
    const i = this.free(h);
    s[i] = h;
    s[i + 1] = id;
    if (folded.length <= INLINE && isLatin1(folded)) {
      s[i + 2] = folded.length;
      for (let w = 0; w * 4 < folded.length; w++) s[i + 3 + w] = word(folded, w * 4);
    } else {
      if (this.charsUsed + folded.length > this.chars.length) {
        const c = new Uint16Array((this.charsUsed + folded.length) * 2);
        c.set(this.chars);
        this.chars = c;
      }
      for (let k = 0; k < folded.length; k++) this.chars[this.charsUsed + k] = folded.charCodeAt(k);
      s[i + 2] = folded.length | APART;
      s[i + 3] = this.charsUsed;
      this.charsUsed += folded.length;
    }
    this.count++;
  }

  /** The id for a cell's text (compared as its foldKey), or undefined. */
  find(text: string): number | undefined {
    const ascii = isAscii(text);
    const key = ascii ? text : foldKey(text);
    const h = hashText(key, ascii);
    const s = this.slots;
    for (let i = (h & this.mask) * SLOT; s[i + 1] !== 0; i = (i + SLOT) & (this.mask * SLOT + SLOT - 1)) {
      if (s[i] !== h || (s[i + 2]! & LENGTH) !== key.length) continue;
      if (s[i + 2]! & APART ? this.sameApart(key, s[i + 3]!, ascii) : sameInline(s, i + 3, key, ascii)) {
        s[i + 2]! |= USED;
        return s[i + 1];
      }
    }
    return undefined;
  }

  /** The ids that some `find` returned. */
  usedIds(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.slots.length; i += SLOT) if (this.slots[i + 2]! & USED) out.push(this.slots[i + 1]!);
    return out;
  }

  /** The key kept apart at `at` equals `key` (A–Z folded when `fold`). */
  private sameApart(key: string, at: number, fold: boolean): boolean {
    const c = this.chars;
    for (let i = 0; i < key.length; i++) {
      let k = key.charCodeAt(i);
      if (fold && k >= 65 && k <= 90) k += 32;
      if (k !== c[at + i]) return false;
    }
    return true;
  }

  /** The first free slot of `h`'s probe sequence. */
  private free(h: number): number {
    const s = this.slots;
    let i = (h & this.mask) * SLOT;
    while (s[i + 1] !== 0) i = (i + SLOT) & (this.mask * SLOT + SLOT - 1);
    return i;
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Int32Array(old.length * 2);
    this.mask = this.slots.length / SLOT - 1;
    for (let i = 0; i < old.length; i += SLOT) if (old[i + 1] !== 0) this.slots.set(old.subarray(i, i + SLOT), this.free(old[i]!));
  }
}

/**
 * The inline key at `at` of `s` equals `key` (A–Z folded when `fold`): compared a word of 4 characters at a
 * time; a character beyond Latin-1, which no inline key holds, never matches.
 */
function sameInline(s: Int32Array, at: number, key: string, fold: boolean): boolean {
  for (let from = 0; from < key.length; from += 4) {
    let v = 0;
    const end = Math.min(from + 4, key.length);
    for (let i = from; i < end; i++) {
      let c = key.charCodeAt(i);
      if (c > 0xff) return false;
      if (fold && c >= 65 && c <= 90) c += 32;
      v |= c << (8 * (i - from));
    }
    if (v !== s[at + from / 4]) return false;
  }
  return true;
}

/** Up to 4 Latin-1 characters of `key` from `from`, a byte each (the first in the lowest). */
function word(key: string, from: number): number {
  let v = 0;
  const end = Math.min(from + 4, key.length);
  for (let i = from; i < end; i++) v |= key.charCodeAt(i) << (8 * (i - from));
  return v;
}

function isLatin1(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0xff) return false;
  return true;
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 127) return false;
  return true;
}

/** FNV-1a with a final mix; with `fold`, ASCII A–Z hash as a–z (exported for the tests' collisions). */
export function hashText(s: string, fold: boolean): number {
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
