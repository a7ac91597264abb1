/**
 * The seats and logins imports read an account's contacts and a subscription's seats whole, the first time
 * a file names them (RowsByParent in src/import/entities/common.ts): a line naming the same seat or event
 * as an earlier line is still its duplicate, and the answers are those of a lookup per row.
 */
import { describe, expect, it } from 'vitest';
import { remembered, RowsByParent } from '../../src/import/entities/common.js';
import type { Row } from '../../src/import/statements.js';
import { eachTestDb, testOp } from '../helpers/db.js';
import { Importer } from '../helpers/import.js';

describe('RowsByParent', () => {
  it('reads a parent once, keeps the first row of a key, meets rows added later, and lets the parents read first go beyond its bound', async () => {
    const reads: number[] = [];
    const rows = (parent: number): Row[] => {
      reads.push(parent);
      return [
        { id: parent * 10 + 1, k: 'a' },
        { id: parent * 10 + 2, k: 'a' },
        { id: parent * 10 + 3, k: 'b' },
      ];
    };
    const byParent = new RowsByParent(
      (p) => rows(p),
      (r) => r.k as string,
      5,
    );
    expect(byParent.peek(1)).toBeUndefined(); // nothing read by a peek
    expect(reads).toEqual([]);
    expect((byParent.of(1) as Map<string, Row>).get('a')).toEqual({ id: 11, k: 'a' });
    expect((byParent.of(1) as Map<string, Row>).get('b')).toEqual({ id: 13, k: 'b' });
    byParent.add(1, 'c', { id: 99, k: 'c' });
    byParent.add(1, 'a', { id: 98, k: 'a' }); // a key it has keeps its row
    expect((byParent.of(1) as Map<string, Row>).get('c')).toEqual({ id: 99, k: 'c' });
    expect((byParent.of(1) as Map<string, Row>).get('a')).toEqual({ id: 11, k: 'a' });
    expect(byParent.peek(1)?.get('c')).toEqual({ id: 99, k: 'c' });
    expect(reads).toEqual([1]);
    // 3 keys kept (a, b, c); a second parent's 2 make 5 (the bound): kept; a third's 2 let the parents read
    // first go until at most half the bound is kept (parent 1 goes: 2 kept, then 4 with the third's)
    await byParent.of(2);
    expect(reads).toEqual([1, 2]);
    await byParent.of(3);
    await byParent.of(2);
    await byParent.of(3);
    expect(reads).toEqual([1, 2, 3]);
    // parent 1 again: 2 goes (the oldest), 3 stays
    await byParent.of(1);
    await byParent.of(3);
    expect(reads).toEqual([1, 2, 3, 1]);
    await byParent.of(2);
    expect(reads).toEqual([1, 2, 3, 1, 2]);
    // a database that answers later
    const later = new RowsByParent(
      (p) => Promise.resolve(rows(p)),
      (r) => r.k as string,
    );
    expect((await later.of(4)).get('b')).toEqual({ id: 43, k: 'b' });
  });
});

describe('remembered', () => {
  it('looks each id up once, what it found or not, whether the answer comes now or later', async () => {
    const asked: number[] = [];
    const now = remembered((id) => (asked.push(id), id === 2 ? undefined : { id }));
    expect([now(1), now(2), now(1), now(2)]).toEqual([{ id: 1 }, undefined, { id: 1 }, undefined]);
    expect(asked).toEqual([1, 2]);
    const later = remembered((id) => (asked.push(id), Promise.resolve(id * 10)));
    expect([await later(3), await later(3)]).toEqual([30, 30]);
    expect(asked).toEqual([1, 2, 3]);
  });
});

describe('seats and logins imports: a file naming a seat or an event twice', () => {
  const op = testOp({ asOf: '2026-03-31' });
  const t = eachTestDb(async () => t.seed.seatSet(op));

  it('refuses the second line of a seat, new or stored, naming the first', async () => {
    const imp = new Importer(t);
    const contacts = 'account_external_id,name,email,role\nSCH-1,A,a@school.example,teacher\nSCH-1,B,b@school.example,teacher\n';
    expect((await imp.run('contacts', contacts, {}, op)).failed).toBeFalsy();
    expect((await imp.run('seats', 'subscription_external_id,email\nS1,b@school.example\n', {}, op)).failed).toBeFalsy();
    const before = await imp.snapshot();
    const file =
      'subscription_external_id,email,status\nS1,a@school.example,active\nS1,b@school.example,active\nS1,A@School.example,invited\ns1,B@school.example,removed\n';
    const out = await imp.run('seats', file, {}, op);
    const path = `${imp.dir}/seats.csv`;
    expect(out.errors).toEqual([
      `${path}:4: email: "A@School.example": duplicates line 2 (same subscription_external_id + email)`,
      `${path}:5: email: "B@school.example": duplicates line 3 (same subscription_external_id + email)`,
    ]);
    expect(await imp.snapshot()).toEqual(before);
    const skipped = await imp.run('seats', file, { skipInvalid: true }, op);
    expect(skipped.summary).toMatchObject({ inserted: 1, updated: 1, unchanged: 0, rejected: 2 });
  });

  it('refuses the second line of an event, new or stored, naming the first, before and after the seat’s events are read; an event stored before is unchanged', async () => {
    const imp = new Importer(t);
    const contacts = 'account_external_id,name,email,role\nSCH-1,A,a@school.example,teacher\n';
    expect((await imp.run('contacts', contacts, {}, op)).failed).toBeFalsy();
    expect((await imp.run('seats', 'subscription_external_id,email\nS1,a@school.example\n', {}, op)).failed).toBeFalsy();
    const header = 'subscription_external_id,email,at\n';
    expect((await imp.run('logins', `${header}S1,a@school.example,2026-03-01T08:00:00Z\n`, {}, op)).failed).toBeFalsy();
    const before = await imp.snapshot();
    // line 3 meets the stored event: the seat's events are read then, and lines 4–7 are answered from them
    const file = `${header}S1,a@school.example,2026-03-02T08:00:00Z\nS1,a@school.example,2026-03-01T08:00:00Z\nS1,A@school.example,2026-03-02T10:00:00+02:00\nS1,a@school.example,2026-03-01T08:00:00Z\nS1,a@school.example,2026-03-03T08:00:00Z\nS1,a@school.example,2026-03-03T08:00:00Z\n`;
    const out = await imp.run('logins', file, {}, op);
    const path = `${imp.dir}/logins.csv`;
    expect(out.errors).toEqual([
      `${path}:4: at: "2026-03-02T10:00:00+02:00": duplicates line 2 (same subscription_external_id + email + at)`,
      `${path}:5: at: "2026-03-01T08:00:00Z": duplicates line 3 (same subscription_external_id + email + at)`,
      `${path}:7: at: "2026-03-03T08:00:00Z": duplicates line 6 (same subscription_external_id + email + at)`,
    ]);
    expect(await imp.snapshot()).toEqual(before);
    const skipped = await imp.run('logins', file, { skipInvalid: true }, op);
    expect(skipped.summary).toMatchObject({ inserted: 2, unchanged: 1, rejected: 3 });
  });
});
