import { describe, expect, it } from 'vitest';
import { toCsv } from '../../src/output/csv.js';
import { renderList, renderObject } from '../../src/output/render.js';
import { colorEnabled, type Io } from '../../src/io.js';

const PIPED = { color: false, terminal: false } as const;
const TERMINAL = { color: false, terminal: true } as const;

const rows = [
  { login: 'anna', name: 'Anna', active: true, modules: ['a', 'b'], note: null },
  { login: 'bob', name: '=cmd|calc', active: false, modules: [], note: '@home' },
];

describe('renderer', () => {
  it('prints tables without escape codes when colour is off, with bold headers when on', () => {
    const plain = renderList(rows, 'table', { color: false, terminal: true, columns: ['login', 'active'] });
    expect(plain).not.toMatch(/\x1b\[/);
    expect(plain).toContain('anna');
    expect(plain).toContain('yes');
    expect(renderList(rows, 'table', { color: true, terminal: true, columns: ['login'] })).toMatch(/\x1b\[1m/);
  });

  it('prints JSON arrays and objects with null for absent values', () => {
    expect(JSON.parse(renderList(rows, 'json', PIPED))).toEqual(rows);
    expect(JSON.parse(renderObject(rows[0]!, 'json', PIPED))).toEqual(rows[0]);
  });

  it('writes CSV with a header, LF, true/false, ;-joined lists and neutralised formulas', () => {
    const csv = renderList(rows, 'csv', PIPED);
    expect(csv).toBe('login,name,active,modules,note\nanna,Anna,true,a;b,\nbob,"\'=cmd|calc",false,,"\'@home"\n');
  });

  it('prints control characters, line breaks, bidi controls and invisible characters escaped in tables, never raw', () => {
    const hostile = {
      name: 'two\nlines\ttab\r',
      key: 'evil\u202eexe.txt',
      hidden: 'a\u200bb\u0007',
      list: ['x\ny'],
      obj: { a: 'b\u2028c' },
    };
    for (const out of [
      renderList([hostile], 'table', { ...TERMINAL, wide: true }),
      renderObject(hostile, 'table', { ...TERMINAL, wide: true }),
      renderList([hostile], 'table', PIPED),
      renderObject(hostile, 'table', PIPED),
    ]) {
      expect(out).toContain('two\\nlines\\ttab\\r');
      expect(out).toContain('evil\\u202eexe.txt');
      expect(out).toContain('a\\u200bb\\u0007');
      expect(out).toContain('x\\ny');
      expect(out).toContain('b\\u2028c');
      expect(out).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f\u2028\u202e\u200b]/);
      // the table's (or the tab-separated lines') own line breaks are the only ones: one value, one line
      expect(out.split('\n').filter((l) => l.includes('two')).length).toBe(1);
    }
    expect(JSON.parse(renderList([hostile], 'json', PIPED))).toEqual([hostile]);
  });

  it('quotes only where RFC 4180 needs it', () => {
    expect(toCsv([{ a: 'x,y', b: 'say "hi"', c: 'line\nbreak', d: 'plain' }], ['a', 'b', 'c', 'd'])).toBe(
      'a,b,c,d\n"x,y","say ""hi""","line\nbreak",plain\n',
    );
    expect(toCsv([{ a: '-5' }, { a: '\tx' }], ['a'])).toBe('a\n"\'-5"\n"\'\tx"\n');
  });

  it('flattens custom fields into CSV columns', () => {
    const csv = renderList([{ external_id: 'S1', fields: { board: 'North', since: '2020-01-01' } }], 'csv', PIPED);
    expect(csv).toBe('external_id,board,since\nS1,North,2020-01-01\n');
    // a nested record (the audit log's before/after) is JSON text in its cell
    const audit = renderList([{ id: 1, before: null, after: { name: 'Anna', tags: ['a'] } }], 'csv', PIPED);
    expect(audit).toBe('id,before,after\n1,,"{""name"":""Anna"",""tags"":[""a""]}"\n');
  });

  it('turns colour off for pipes, NO_COLOR and TERM=dumb', () => {
    const io = (env: NodeJS.ProcessEnv, tty: boolean): Io => ({
      out: () => undefined,
      err: () => undefined,
      env,
      stdinIsTTY: tty,
      stdoutIsTTY: tty,
      stderrIsTTY: tty,
    });
    expect(colorEnabled(io({}, true))).toBe(true);
    expect(colorEnabled(io({}, false))).toBe(false);
    expect(colorEnabled(io({ NO_COLOR: '1' }, true))).toBe(false);
    expect(colorEnabled(io({ TERM: 'dumb' }, true))).toBe(false);
  });
});

describe('constraint errors', () => {
  it('become conflicts naming the table and fields', async () => {
    const { translateConstraint } = await import('../../src/db/constraint-errors.js');
    const { ConflictError } = await import('../../src/errors.js');
    const e = Object.assign(new Error('UNIQUE constraint failed: contacts.account_id, contacts.email'), {
      code: 'SQLITE_CONSTRAINT_UNIQUE',
    });
    const t = translateConstraint(e);
    expect(t).toBeInstanceOf(ConflictError);
    expect((t as Error).message).toBe('contacts: account_id + email already exists');
    const other = new Error('disk I/O error');
    expect(translateConstraint(other)).toBe(other);
  });
});
