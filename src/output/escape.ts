/**
 * Control characters, line and paragraph separators and bidi controls would break a table's lines or
 * reorder what the terminal shows, and invisible ones (zero-width space, word joiner, BOM, soft
 * hyphen) hide: tables and tab-separated lines print them escaped (JSON and CSV keep every value as it is).
 */
const UNPRINTABLE = /[\p{Cc}\u00ad\u061c\u200b\u200e\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/gu;
const SHORT: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

export function escapeUnprintable(text: string): string {
  // the common case, printable ASCII only, without the Unicode regular expression
  if (printableAscii(text)) return text;
  return text.replace(UNPRINTABLE, (c) => SHORT[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Whether every character is printable ASCII (space to ~): nothing to escape. */
export function printableAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}
