/**
 * Decimal text for custom `number` fields. A number field holds what a double holds: a value is taken
 * only when the double it becomes gives back the same decimal (normalised: `+`, leading and trailing
 * zeros dropped), so no digit is ever lost silently; and every output writes it in plain decimal, never
 * in the exponent form `String()` gives below 1e-6 and from 1e21 (`1e-7`, `1e+23`), which the importer
 * does not read.
 */

/** `n` in plain decimal: `String(n)` where it has no exponent, else its digits written out. */
export function plainNumber(n: number): string {
  const s = String(n);
  const e = s.indexOf('e');
  if (e < 0) return s;
  const sign = s[0] === '-' ? '-' : '';
  const mantissa = s.slice(sign.length, e);
  const dot = mantissa.indexOf('.');
  const int = dot < 0 ? mantissa : mantissa.slice(0, dot);
  const digits = dot < 0 ? mantissa : int + mantissa.slice(dot + 1);
  const point = int.length + Number(s.slice(e + 1));
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return sign + digits + '0'.repeat(point - digits.length);
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** A decimal matching `^[+-]?(\d+(\.\d+)?|\.\d+)$` normalised: no `+`, no leading or trailing zeros, `-0` is `0`. */
export function canonicalDecimal(text: string): string {
  const negative = text[0] === '-';
  const body = negative || text[0] === '+' ? text.slice(1) : text;
  const dot = body.indexOf('.');
  const int = (dot < 0 ? body : body.slice(0, dot)).replace(/^0+/, '') || '0';
  const frac = dot < 0 ? '' : body.slice(dot + 1).replace(/0+$/, '');
  const abs = frac === '' ? int : `${int}.${frac}`;
  return negative && abs !== '0' ? `-${abs}` : abs;
}
