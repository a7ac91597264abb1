import { describe, expect, it } from 'vitest';
import { ListStream } from '../../src/output/list-stream.js';
import { renderList, type Format, type ListOptions } from '../../src/output/render.js';

const FIELDS = ['kind', 'name', 'count', 'note', 'ok'];

/** Records with what CSV and TSV must quote or escape: commas, quotes, line ends, formulas, tabs, non-ASCII, null. */
function records(n: number): Record<string, unknown>[] {
  const odd = ['a, b', 'say "hi"', 'two\nlines', 'cr\ronly', '=1+2', '-3', 'tab\there', 'Иван Вазов', '', null, 'x'.repeat(300)];
  return Array.from({ length: n }, (_, i) => ({
    kind: i % 3 === 0 ? 'renewal' : 'dormancy',
    name: odd[i % odd.length],
    count: i,
    note: i % 5 === 0 ? null : `n${i}`,
    ok: i % 2 === 0,
  }));
}

function streamed(list: Record<string, unknown>[], format: Format, opts: ListOptions): string {
  let out = '';
  const writes: number[] = [];
  const s = new ListStream(
    (t) => {
      out += t;
      writes.push(t.length);
    },
    format,
    opts,
  );
  for (const r of list) s.add(r);
  expect(s.end()).toBe(list.length);
  // written in pieces as it goes, none of them the whole of a long list
  if (list.length > 2000 && !(format === 'table' && opts.terminal)) {
    expect(writes.length).toBeGreaterThan(3);
    expect(Math.max(...writes)).toBeLessThanOrEqual(128 * 1024);
  }
  return out;
}

describe('ListStream writes what renderList prints for the whole list', () => {
  const opts: ListOptions = { color: false, terminal: false, columns: ['kind', 'name', 'count'], fields: FIELDS };
  for (const format of ['json', 'csv', 'table'] as const) {
    for (const n of [0, 1, 255, 256, 257, 5000]) {
      it(`${format === 'table' ? 'piped table' : format}, ${n} records`, () => {
        const list = records(n);
        expect(streamed(list, format, opts)).toBe(renderList(list, format, opts));
      });
    }
  }

  it('wide records are rendered in batches that keep every write under 128 KB (V8 large objects)', () => {
    // ≈ 2.3 KB of JSON a record: 256 of them at once would be one write of ≈ 600 KB
    const wide = records(3000).map((r, i) => ({ ...r, name: `${'Иван Вазов, '.repeat(150)}${i}` }));
    for (const format of ['json', 'csv', 'table'] as const) expect(streamed(wide, format, opts)).toBe(renderList(wide, format, opts));
  });

  it('a table on a terminal is laid out once, at the end, as renderList lays it out', () => {
    const list = records(40);
    const terminal = { ...opts, terminal: true, width: 100 };
    expect(streamed(list, 'table', terminal)).toBe(renderList(list, 'table', terminal));
  });
});
