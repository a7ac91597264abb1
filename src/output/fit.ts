/**
 * Fitting a table to the terminal: how many columns a text takes, cutting a text to a width with `…`,
 * and which columns to narrow. Long headers give up width first, then the widest columns, so short
 * columns (ids, dates, statuses) stay whole and only long text (names, subjects, reasons) is cut.
 */

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** A column is never cut narrower than this (a cut text keeps at least a few characters before its `…`). */
export const MIN_CUT_WIDTH = 4;

/** East Asian wide and fullwidth characters and emoji take two columns on a terminal. */
function isWide(cp: number): boolean {
  return (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf && cp !== 0x303f) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x1f900 && cp <= 0x1f9ff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  );
}

const ZERO_WIDTH = /^[\p{Mn}\p{Me}\p{Cf}]+$/u;

function graphemeWidth(g: string): number {
  if (ZERO_WIDTH.test(g)) return 0;
  if (g.includes('\ufe0f')) return 2; // emoji presentation
  return isWide(g.codePointAt(0) ?? 0) ? 2 : 1;
}

/** The columns a single-line text takes on a terminal. */
export function textWidth(text: string): number {
  let w = 0;
  for (const { segment } of graphemes.segment(text)) w += graphemeWidth(segment);
  return w;
}

/** The text cut to at most `width` columns, ending with `…` when anything was cut off. */
export function cut(text: string, width: number): string {
  if (textWidth(text) <= width) return text;
  let out = '';
  let w = 0;
  for (const { segment } of graphemes.segment(text)) {
    const gw = graphemeWidth(segment);
    if (w + gw > width - 1) break;
    out += segment;
    w += gw;
  }
  return `${out}…`;
}

/** A header cut to make room keeps at least this many columns (two characters and its `…`). */
export const MIN_HEADER_WIDTH = 3;

/**
 * Column widths whose sum is at most `available`, from the widths of each column's values and header.
 * Headers give way first: a header longer than its values is cut, the longest first (one common level,
 * the highest that fits), down to the width of its column's widest value (never below MIN_HEADER_WIDTH),
 * before any value is cut. When that is not enough, every header is down to its values and the values
 * are capped at one common level, the highest that fits, so the widest columns are cut and short ones
 * (keys, dates, statuses, counts) stay whole; the few columns that level leaves over go back to the
 * headers. Never below MIN_CUT_WIDTH: a terminal too narrow for that gets longer lines.
 */
export function fitWidths(values: readonly number[], headers: readonly number[], available: number): number[] {
  const natural = values.map((v, i) => Math.max(v, headers[i] ?? 0));
  const sum = (widths: number[]) => widths.reduce((a, b) => a + b, 0);
  if (sum(natural) <= available) return natural;
  // headers at one level, values whole
  const headersAt = (level: number) => values.map((v, i) => Math.max(v, Math.min(headers[i] ?? 0, level)));
  // the highest level whose widths fit (the sum grows with the level), or lo
  const highest = (widths: (level: number) => number[], lo: number, hi: number) => {
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (sum(widths(mid)) <= available) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  if (sum(headersAt(MIN_HEADER_WIDTH)) <= available) return headersAt(highest(headersAt, MIN_HEADER_WIDTH, Math.max(...natural)));
  // values at one level with headers as short as they go; what that level leaves over goes to the headers
  const at = (valueLevel: number) => (headerLevel: number) =>
    values.map((v, i) => Math.max(Math.min(v, valueLevel), Math.min(headers[i] ?? 0, headerLevel)));
  const valueLevel = highest((level) => at(level)(MIN_HEADER_WIDTH), MIN_CUT_WIDTH, Math.max(MIN_CUT_WIDTH, ...values));
  return at(valueLevel)(highest(at(valueLevel), MIN_HEADER_WIDTH, Math.max(MIN_HEADER_WIDTH, ...headers)));
}
