/**
 * The keys of a table's rows while a bulk import has its unique index dropped (src/db/bulk.ts): an
 * open-addressing hash table of 32-bit key hashes and row references, 8 bytes a slot (side by side), so a million keys
 * cost ≈ 16 MB instead of ≈ 100 MB of strings in a Map. A hash says only "maybe": every hit is confirmed
 * against the stored row, so the answers are exact.
 */

/** FNV-1a over the key's values (32-bit integers whole, anything else as its text; parts separated). */
export function hashKey(parts: readonly unknown[]): number {
  let h = 0x811c9dc5;
  for (let p = 0; p < parts.length; p++) {
    const v = parts[p];
    if (typeof v === 'number' && (v | 0) === v) {
      h = Math.imul(h ^ v, 0x01000193);
      h = Math.imul(h ^ 0x1f, 0x01000193);
      continue;
    }
    const s = typeof v === 'string' ? v : String(v);
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
    h = Math.imul(h ^ 0x1f, 0x01000193);
  }
  // final avalanche: FNV's low bits are weak, and the low bits pick the slot
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h | 0;
}

/** A second, independent hash of the same parts (a hit on both is rare enough to confirm by a query). */
export function checkKey(parts: readonly unknown[]): number {
  let h = 0x9e3779b9;
  for (let p = 0; p < parts.length; p++) {
    const v = parts[p];
    const s = typeof v === 'string' ? v : String(v);
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x5bd1e995) ^ (h >>> 15);
    h = Math.imul(h ^ 0x2f, 0x5bd1e995);
  }
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  return h | 0;
}

export class KeyIndex {
  /**
   * Slots side by side: (hash, reference), or (hash, reference, check) with `withCheck`: a probe
   * touches one cache line, not two or three arrays.
   */
  private slots: Int32Array;
  private mask: number;
  private count = 0;
  private readonly width: number;

  constructor(expected: number, withCheck = false) {
    this.width = withCheck ? 3 : 2;
    let size = 1024;
    while (size < expected * 2) size *= 2;
    this.slots = new Int32Array(size * this.width);
    this.mask = size - 1;
  }

  /** Adds a reference (any value ≠ 0: 0 marks an empty slot), with its key's `check` when the index keeps one. */
  add(hash: number, ref: number, check = 0): void {
    if (ref === 0) throw new Error('KeyIndex: 0 is not a reference');
    if ((this.count + 1) * 2 > this.mask + 1) this.grow();
    const s = this.slots;
    const w = this.width;
    let i = hash & this.mask;
    while (s[w * i + 1] !== 0) i = (i + 1) & this.mask;
    s[w * i] = hash;
    s[w * i + 1] = ref;
    if (w === 3) s[w * i + 2] = check;
    this.count++;
  }

  /** Whether any reference is stored under `hash` (false: no key with this hash was added). */
  has(hash: number): boolean {
    const s = this.slots;
    const w = this.width;
    for (let i = hash & this.mask; s[w * i + 1] !== 0; i = (i + 1) & this.mask) if (s[w * i] === hash) return true;
    return false;
  }

  /**
   * Calls `match` with each reference stored under `hash` (and its check) until it returns a value;
   * that value, or undefined.
   */
  find<T>(hash: number, match: (ref: number, check: number) => T | undefined): T | undefined {
    const s = this.slots;
    const w = this.width;
    for (let i = hash & this.mask; s[w * i + 1] !== 0; i = (i + 1) & this.mask) {
      if (s[w * i] !== hash) continue;
      const found = match(s[w * i + 1]!, w === 3 ? s[w * i + 2]! : 0);
      if (found !== undefined) return found;
    }
    return undefined;
  }

  private grow(): void {
    const old = this.slots;
    const w = this.width;
    this.slots = new Int32Array(old.length * 2);
    this.mask = (old.length * 2) / w - 1;
    this.count = 0;
    for (let i = 0; i < old.length; i += w) if (old[i + 1] !== 0) this.add(old[i]!, old[i + 1]!, w === 3 ? old[i + 2]! : 0);
  }
}
