/**
 * Fitting a table to the terminal: how many columns a text takes, cutting a text to a width with `…`,
 * and which columns to narrow. The widest columns give up width first, so short columns (ids, dates,
 * statuses) stay whole and only long text (names, subjects, reasons) is cut.
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

/**
 * Column widths whose sum is at most `available`: the widest column is narrowed first, then the next
 * widest with it, and so on, never below its floor (default MIN_CUT_WIDTH; a terminal too narrow for
 * the floors gets longer lines).
 */
export function fitWidths(natural: readonly number[], available: number, floors?: readonly number[]): number[] {
  const widths = [...natural];
  const floor = (j: number) => Math.max(floors?.[j] ?? 0, MIN_CUT_WIDTH);
  let excess = widths.reduce((a, b) => a + b, 0) - available;
  while (excess > 0) {
    let i = -1;
    let second = 0;
    for (let j = 0; j < widths.length; j++) {
      if (widths[j]! <= floor(j)) continue;
      if (i < 0 || widths[j]! > widths[i]!) {
        if (i >= 0) second = Math.max(second, widths[i]!);
        i = j;
      } else second = Math.max(second, widths[j]!);
    }
    if (i < 0) break;
    const w = widths[i]!;
    // down to the next widest (by one when tied, so tied columns take turns), the floor, or what is enough
    const target = Math.max(floor(i), w - excess, second === w ? w - 1 : second);
    widths[i] = target;
    excess -= w - target;
  }
  return widths;
}
