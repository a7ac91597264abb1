/**
 * Generated keys of the form PREFIX-000001 (activities ACT-, requests REQ-): at least six digits, the
 * prefix's case ignored when read; and the one way a record is found by such a key.
 */
import { NotFoundError, invalid, type FieldProblem } from '../errors.js';

export interface NumberedKey {
  /** PREFIX-000001 for 1 */
  key: (n: number) => string;
  /** the number of a key (case ignored), or undefined when the text is no such key */
  number: (text: string) => number | undefined;
  /** the problem of a text that is no such key, as `field` */
  problem: (field: string, text: string) => FieldProblem | undefined;
  /** the record `find` returns for the key's number; a malformed key is invalid, an unknown one not found */
  lookup: <R>(text: string, find: (n: number) => Promise<R | undefined>) => Promise<R>;
}

/** `entity` and `listHint` name the record in a not-found error ("list activities with: …"). */
export function numberedKey(prefix: string, entity: string, listHint: string): NumberedKey {
  const re = new RegExp(`^${prefix}-(\\d{1,15})$`, 'i');
  const rule = `must be a key like ${prefix}-000001`;
  const number = (text: string): number | undefined => {
    const m = re.exec(text.trim());
    if (!m) return undefined;
    const n = Number(m[1]);
    return n >= 1 && Number.isSafeInteger(n) ? n : undefined;
  };
  return {
    key: (n) => `${prefix}-${String(n).padStart(6, '0')}`,
    number,
    problem: (field, text) => (number(text) === undefined ? { field, value: text, rule } : undefined),
    lookup: async (text, find) => {
      const n = number(text);
      if (n === undefined) throw invalid('id', text, rule);
      const row = await find(n);
      if (row === undefined) throw new NotFoundError(entity, text, listHint);
      return row;
    },
  };
}
