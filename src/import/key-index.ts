/**
 * The keys of a table's rows while a bulk import has its unique index dropped (src/db/bulk.ts): an
 * open-addressing hash table of 32-bit key hashes and row references, 8 bytes a slot, so a million keys
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

export class KeyIndex {
  private hashes: Int32Array;
  /** 0 = empty slot; otherwise the caller's reference (any value ≠ 0). */
  private refs: Int32Array;
  private mask: number;
  private count = 0;

  constructor(expected: number) {
    let size = 1024;
    while (size < expected * 2) size *= 2;
    this.hashes = new Int32Array(size);
    this.refs = new Int32Array(size);
    this.mask = size - 1;
  }

  add(hash: number, ref: number): void {
    if (ref === 0) throw new Error('KeyIndex: 0 is not a reference');
    if ((this.count + 1) * 2 > this.refs.length) this.grow();
    let i = hash & this.mask;
    while (this.refs[i] !== 0) i = (i + 1) & this.mask;
    this.hashes[i] = hash;
    this.refs[i] = ref;
    this.count++;
  }

  /** Calls `match` with each reference stored under `hash` until it returns a value; that value, or undefined. */
  find<T>(hash: number, match: (ref: number) => T | undefined): T | undefined {
    for (let i = hash & this.mask; this.refs[i] !== 0; i = (i + 1) & this.mask) {
      if (this.hashes[i] !== hash) continue;
      const found = match(this.refs[i]!);
      if (found !== undefined) return found;
    }
    return undefined;
  }

  private grow(): void {
    const { hashes, refs } = this;
    this.hashes = new Int32Array(refs.length * 2);
    this.refs = new Int32Array(refs.length * 2);
    this.mask = this.refs.length - 1;
    this.count = 0;
    for (let i = 0; i < refs.length; i++) if (refs[i] !== 0) this.add(hashes[i]!, refs[i]!);
  }
}
