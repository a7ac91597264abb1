/**
 * Reading acctmgr's piped output (tab-separated lines, src/output/tsv.ts) back in tests: the header's field
 * names and each line's values with the escapes undone. Fails the test when a line has another number of
 * cells than the header, or the text does not end with one line feed.
 */
import { expect } from 'vitest';

/** Reads tab-separated lines back: the header's field names, then each line's values unescaped. */
export function parseTsv(text: string): { header: string[]; rows: Record<string, string>[] } {
  const unescape = (v: string) =>
    v.replace(/\\(\\|t|n|r|u[0-9a-f]{4})/g, (_, e: string) =>
      e === '\\' ? '\\' : e === 't' ? '\t' : e === 'n' ? '\n' : e === 'r' ? '\r' : String.fromCharCode(parseInt(e.slice(1), 16)),
    );
  const lines = text.split('\n');
  expect(lines.pop()).toBe(''); // one line feed after the last line
  const [head, ...rest] = lines;
  const header = (head ?? '').split('\t');
  const rows = rest.map((line) => {
    const cells = line.split('\t');
    expect(cells).toHaveLength(header.length);
    return Object.fromEntries(header.map((h, i) => [h, unescape(cells[i]!)]));
  });
  return { header, rows };
}
