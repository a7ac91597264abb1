/**
 * Spreadsheet formulas in CSV. Every CSV acctmgr writes adds one `'` to a value that a spreadsheet would
 * run as a formula (starting with = + - @ tab or CR), also behind quotes added before; every import
 * removes exactly one from such a value. So any stored value, `'=x` included, comes back as it was.
 */
const FORMULA = /^'*[=+\-@\t\r]/;
/** A written value carrying a protecting `'` (CSV writers quote these). */
export const PROTECTED = /^'+[=+\-@\t\r]/;

/** The characters a value that FORMULA matches can start with: most values are told apart by the first one. */
const FORMULA_START = "'=+-@\t\r";

export function protectFormula(value: string): string {
  return value !== '' && FORMULA_START.includes(value[0]!) && FORMULA.test(value) ? `'${value}` : value;
}

export function unprotectFormula(cell: string): string {
  return PROTECTED.test(cell) ? cell.slice(1) : cell;
}
