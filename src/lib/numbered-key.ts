/**
 * Generated keys of the form PREFIX-000001 (activities ACT-, requests REQ-): at least six digits, the
 * prefix's case ignored when read.
 */
export function numberedKey(prefix: string): { key: (n: number) => string; number: (text: string) => number | undefined } {
  const re = new RegExp(`^${prefix}-(\\d{1,15})$`, 'i');
  return {
    key: (n) => `${prefix}-${String(n).padStart(6, '0')}`,
    number: (text) => {
      const m = re.exec(text.trim());
      if (!m) return undefined;
      const n = Number(m[1]);
      return n >= 1 && Number.isSafeInteger(n) ? n : undefined;
    },
  };
}
