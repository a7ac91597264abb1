import { describe, expect, it } from 'vitest';
import { cut, fitWidths, MIN_CUT_WIDTH, MIN_HEADER_WIDTH, textWidth } from '../../src/output/fit.js';
import { renderList, renderObject } from '../../src/output/render.js';
import { tsvCell } from '../../src/output/tsv.js';
import { parseTsv } from '../helpers/tsv.js';

const TERMINAL = { color: false, terminal: true } as const;
const lineWidths = (text: string) => text.trimEnd().split('\n').map(textWidth);

describe('fitting tables to the terminal', () => {
  it('measures East Asian wide characters and emoji as two columns, combining marks as none', () => {
    expect(textWidth('abc')).toBe(3);
    expect(textWidth('日本語')).toBe(6);
    expect(textWidth('e\u0301')).toBe(1);
    expect(textWidth('👍')).toBe(2);
  });

  it('cuts text to a width with …, never splitting a wide character over the edge', () => {
    expect(cut('Primary School 12', 8)).toBe('Primary…');
    expect(textWidth(cut('Primary School 12', 8))).toBe(8);
    expect(cut('short', 8)).toBe('short');
    expect(cut('日本語のテキスト', 6)).toBe('日本…');
  });

  it('narrows the widest columns first and keeps short ones whole; long headers give way before values', () => {
    expect(fitWidths([10, 40, 30, 8], [2, 2, 2, 2], 60)).toEqual([10, 21, 21, 8]);
    // already fits: nothing changes
    expect(fitWidths([10, 20], [12, 4], 60)).toEqual([12, 20]);
    // a date column (10) stays whole: the 24-wide header of a 12-wide column is cut first, then the long text
    expect(fitWidths([10, 12, 40], [8, 24, 7], 40)).toEqual([10, 12, 18]);
    // headers longer than their values are cut first, the longest first, down to their values' width (at least
    // MIN_HEADER_WIDTH) before any value is: here every value stays whole
    expect(fitWidths([12, 7, 3, 2, 3], [11, 19, 8, 11, 8], 30)).toEqual([12, 7, 3, 3, 3]);
    expect(fitWidths([12, 7, 3, 2, 3], [11, 19, 8, 11, 8], 35)).toEqual([12, 7, 5, 5, 5]);
    expect(MIN_HEADER_WIDTH).toBe(3);
    // when values must be cut, the long headers are already down to their values
    expect(fitWidths([12, 7, 3, 2, 3], [11, 19, 8, 11, 8], 25)).toEqual([9, 7, 3, 3, 3]);
    // and what the values' level leaves over goes back to the headers
    expect(fitWidths([20, 20, 2], [2, 2, 9], 30)).toEqual([13, 13, 4]);
    // never below the minimum, even when that does not fit
    expect(fitWidths([30, 30, 30], [2, 2, 2], 6)).toEqual([MIN_CUT_WIDTH, MIN_CUT_WIDTH, MIN_CUT_WIDTH]);
  });

  const records = [
    { id: 'ACT-1', at: '2026-11-25', subject: 'Renewal call about the three campuses and the new e-diary modules', status: 'open' },
    { id: 'ACT-2', at: '2026-11-26', subject: 'Training', status: 'done' },
  ];

  it('on a 60-column terminal: no line is longer, the long text is cut with …, short columns stay whole', () => {
    const out = renderList(records, 'table', { ...TERMINAL, width: 60 });
    expect(Math.max(...lineWidths(out))).toBeLessThanOrEqual(60);
    expect(out).toContain('Renewal call about');
    expect(out).toContain('…');
    expect(out).not.toContain('new e-diary modules');
    for (const whole of ['ACT-1', '2026-11-25', 'open', 'done', 'Training', 'subject']) expect(out).toContain(whole);
    // a field name longer than its values gives way before a value is cut (docs/basics.md, Output)
    expect(out).toContain('│ sta… │');
    // a box with one line under the header and none between the rows
    const lines = out.trimEnd().split('\n');
    expect(lines).toHaveLength(6);
    expect(lines.filter((l) => l.startsWith('├'))).toHaveLength(1);
  });

  it('long field names over short values give way, so every key, date, status and count stays whole when it can', () => {
    const subscriptions = [
      ['SUB-2026-002', 'SCH-001', 'EDIARY', 'EDIARY-MEDIUM', 640, 12, '2026-12-31', 'expiring', 'akowalski', '1800.00', 'EUR'],
      ['SUB-2026-015', 'SCH-007', 'BIOLOGY', 'BIO-STARTER', 100, 12, '2026-12-31', 'expiring', 'mpetrova', '299.00', 'EUR'],
    ];
    const fields = [
      'external_id',
      'account_external_id',
      'product',
      'plan',
      'students',
      'term_months',
      'end_date',
      'status',
      'manager_login',
      'price',
      'currency',
    ];
    const rows = subscriptions.map((r) => Object.fromEntries(fields.map((f, i) => [f, r[i]])));
    const out = renderList(rows, 'table', { ...TERMINAL, width: 120 });
    expect(Math.max(...lineWidths(out))).toBeLessThanOrEqual(120);
    for (const r of subscriptions) for (const v of r) expect(out).toContain(` ${v} `);
    expect(out).toMatch(/│ external_id +│ accoun… │ product │ plan +│ stu… │ ter… │ end_date +│ status +│ manager_… │ price +│ cur… │/);
  });

  it('--wide shows every value whole, however wide the table gets', () => {
    const out = renderList(records, 'table', { ...TERMINAL, width: 60, wide: true });
    expect(out).toContain('Renewal call about the three campuses and the new e-diary modules');
    expect(out).not.toContain('…');
    expect(Math.max(...lineWidths(out))).toBeGreaterThan(60);
  });

  it('a record shown on a terminal fits too: the keys whole, long values cut', () => {
    const out = renderObject(records[0]!, 'table', { ...TERMINAL, width: 40 });
    expect(Math.max(...lineWidths(out))).toBeLessThanOrEqual(40);
    expect(out).toContain('subject');
    expect(out).toContain('Renewal call');
    expect(out).toContain('…');
  });
});

describe('tab-separated lines when piped', () => {
  it('a list is a header line of field names, then one line per record, escapes read back to every value', () => {
    const hostile = { id: 1, text: 'tab\there\nline\\path\r', flag: true, list: ['a', 'b'], none: null, nested: { k: 'v' } };
    const out = renderList([hostile, { id: 2, text: 'plain' }], 'table', { color: false, terminal: false });
    expect(out).not.toMatch(/[│┌─]/);
    expect(out.split('\n')[0]).toBe('id\ttext\tflag\tlist\tnone\tnested');
    expect(out.split('\n')[1]).toBe('1\ttab\\there\\nline\\\\path\\r\ttrue\ta;b\t\t{"k":"v"}');
    const { header, rows } = parseTsv(out);
    expect(header).toEqual(['id', 'text', 'flag', 'list', 'none', 'nested']);
    expect(rows[0]!.text).toBe('tab\there\nline\\path\r');
    expect(rows[1]).toEqual({ id: '2', text: 'plain', flag: '', list: '', none: '', nested: '' });
  });

  it('an empty list is its header line alone (when the list names its columns)', () => {
    expect(renderList([], 'table', { color: false, terminal: false, columns: ['login', 'name'] })).toBe('login\tname\n');
  });

  it('a record is key<TAB>value lines, custom fields flattened', () => {
    const out = renderObject({ external_id: 'S1', name: 'A\tB', fields: { board: 'North' } }, 'table', { color: false, terminal: false });
    expect(out).toBe('external_id\tS1\nname\tA\\tB\nboard\tNorth\n');
  });

  it('escapes invisible and bidi characters as \\uXXXX, and a list of records as JSON text', () => {
    expect(tsvCell('a\u202eb\u200bc')).toBe('a\\u202eb\\u200bc');
    expect(tsvCell([{ a: 1 }])).toBe('[{"a":1}]');
  });
});

describe('CSV of an empty list', () => {
  it('prints the header of the declared fields, the same as with rows (custom fields in place of `fields`)', () => {
    const fields = ['external_id', 'name', 'fields', 'manager_login'];
    expect(renderList([], 'csv', { color: false, terminal: false, columns: ['external_id'], fields })).toBe(
      'external_id,name,manager_login\n',
    );
    const one = renderList([{ external_id: 'S1', name: 'A', manager_login: 'anna', fields: { board: 'N' } }], 'csv', {
      color: false,
      terminal: false,
      fields,
    });
    expect(one).toBe('external_id,name,board,manager_login\nS1,A,N,anna\n');
  });

  it('without declared fields, the columns', () => {
    expect(renderList([], 'csv', { color: false, terminal: false, columns: ['name', 'applied'] })).toBe('name,applied\n');
  });
});
