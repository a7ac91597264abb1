/**
 * Control characters, line and paragraph separators and bidi controls would break a table's lines or
 * reorder what the terminal shows, and invisible ones (zero-width space, word joiner, BOM, soft
 * hyphen) hide: tables and tab-separated lines print them escaped (JSON and CSV keep every value as it is).
 */
const UNPRINTABLE = /[\p{Cc}\u00ad\u061c\u200b\u200e\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/gu;
const SHORT: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

export function escapeUnprintable(text: string): string {
  return text.replace(UNPRINTABLE, (c) => SHORT[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
