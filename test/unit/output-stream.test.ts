import { describe, expect, it } from 'vitest';
import { CsvStream, JsonArrayStream } from '../../src/output/stream.js';

/** What a stream wrote, and the length of each write. */
function sink() {
  const writes: string[] = [];
  return { write: (t: string) => void writes.push(t), text: () => writes.join(''), sizes: () => writes.map((w) => w.length) };
}

const ROWS = 20_000;
/** ≈ 120 characters a line: 2,000 lines would be ≈ 240 KB */
const LONG = ' ул. Шипка'.repeat(8);
const row = (i: number) => [i, `Иван Вазов ${i}${LONG}`, `t${i}@school${i % 97}.example`, i % 3 === 0 ? null : 'a, "b"'];

describe('the export streams (src/output/stream.ts)', () => {
  it('CSV: every line once, in order, written in pieces of about 64 KB (never one over 128 KB)', () => {
    const out = sink();
    const csv = new CsvStream(out.write, ['id', 'name', 'email', 'note']);
    for (let i = 0; i < ROWS; i++) csv.add(row(i));
    expect(csv.end()).toBe(ROWS);
    const lines = out.text().split('\n');
    expect(lines[0]).toBe('id,name,email,note');
    expect(lines[1]).toBe(`0,Иван Вазов 0${LONG},t0@school0.example,`);
    expect(lines[2]).toBe(`1,Иван Вазов 1${LONG},t1@school1.example,"a, ""b"""`);
    expect(lines).toHaveLength(ROWS + 2);
    expect(lines[ROWS + 1]).toBe('');
    expect(out.sizes().length).toBeGreaterThan(10);
    expect(Math.max(...out.sizes())).toBeLessThanOrEqual(128 * 1024);
  });

  it('JSON: the records as an array, written in pieces of about 64 KB (never one over 128 KB)', () => {
    const out = sink();
    const json = new JsonArrayStream(out.write);
    const records = Array.from({ length: ROWS }, (_, i) => ({ id: i, name: row(i)[1], note: row(i)[3] }));
    for (const r of records) json.add(r);
    expect(json.end()).toBe(ROWS);
    expect(JSON.parse(out.text())).toEqual(records);
    expect(out.text().startsWith('[\n  {"id":0,')).toBe(true);
    expect(Math.max(...out.sizes())).toBeLessThanOrEqual(128 * 1024);
  });

  it('an empty list: the header alone, or []', () => {
    const a = sink();
    expect(new CsvStream(a.write, ['id']).end()).toBe(0);
    expect(a.text()).toBe('id\n');
    const b = sink();
    expect(new JsonArrayStream(b.write).end()).toBe(0);
    expect(b.text()).toBe('[]\n');
  });
});
