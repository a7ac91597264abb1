import { describe, expect, it } from 'vitest';
import { compareNotices, sortNotices, type SortKey } from '../../src/remind/due.js';

/** The contract order written out plainly: the five fields in turn, code-unit order, null contact first, stable. */
function reference<T extends Item>(items: T[]): T[] {
  const fields = (n: Item) => [
    n.recipient?.email ?? n.recipient_email ?? '',
    n.kind,
    n.stage,
    n.sub?.external_id ?? n.subscription_external_id ?? '',
    n.contact_email ?? '',
  ];
  return items
    .map((n, i) => ({ n, i, f: fields(n) }))
    .sort((a, b) => {
      for (let k = 0; k < a.f.length; k++) if (a.f[k] !== b.f[k]) return a.f[k]! < b.f[k]! ? -1 : 1;
      return a.i - b.i;
    })
    .map((x) => x.n);
}

interface Item extends SortKey {
  id: number;
}

/** A seeded generator (the same items every run). */
function random(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
}

describe('the order of notices (sortNotices)', () => {
  it('equals the five fields compared in turn, stable, over notices and ledger records mixed, with prefixes, Cyrillic and astral characters', () => {
    const r = random(7);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
    const emails = [
      'anna@v.example',
      'ann@v.example',
      'anna@v.example.bg',
      'иван@училище.bg',
      'zoe@v.example',
      '😀@v.example',
      'ﬀ@v.example',
      '',
    ];
    const kinds = ['renewal', 'dormancy', 'activation', 'invoice-issued'];
    const stages = ['renewal-2w', 'renewal-1w', 'dormant-3m', 'dormant-6m', 'activation', 'renewal'];
    const subs = ['SUB-1', 'SUB-10', 'SUB-2', 'СУБ-1', 'SUB-1 ', '', 'sub-1'];
    const contacts = [null, '', 'a@s.example', 'b@s.example', 'учител@s.bg', 'a@s.example.bg'];
    const shared = new Map(emails.map((e) => [e, { email: e }]));
    const items: Item[] = Array.from({ length: 5000 }, (_, id) => {
      const email = pick(emails);
      const sub = pick(subs);
      const base = { kind: pick(kinds), stage: pick(stages), contact_email: pick(contacts), id };
      // a due notice shares its recipient's and subscription's objects; a ledger record names them
      return r() < 0.5
        ? { ...base, recipient: shared.get(email)!, sub: { external_id: sub } }
        : { ...base, recipient_email: r() < 0.1 ? null : email, subscription_external_id: sub };
    });
    const sorted = sortNotices(items);
    expect(sorted.map((n) => n.id)).toEqual(reference(items).map((n) => n.id));
    // the merge of preview.ts compares two notices the same way
    for (let i = 1; i < sorted.length; i++) expect(compareNotices(sorted[i - 1]!, sorted[i]!)).toBeLessThanOrEqual(0);
    expect(sortNotices([])).toEqual([]);
  });
});
