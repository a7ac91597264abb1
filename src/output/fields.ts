/**
 * Every field of a list's record type, in the order its records list them: the list's CSV header, which
 * an empty list prints too. Checked by the compiler: `fieldsOf<ManagerRecord>()([...])` does not compile
 * while a field of the record is missing from the list (nor with one the record does not have).
 * No imports: command files load it eagerly, and `--help` stays fast.
 */
type Missing<T, K extends readonly PropertyKey[]> = Exclude<keyof T, K[number]>;

/** A table's columns: the list's fields but these, in the same order. */
export function without(fields: readonly string[], ...omit: string[]): string[] {
  return fields.filter((f) => !omit.includes(f));
}

export function fieldsOf<T>() {
  return <const K extends readonly (keyof T & string)[]>(
    fields: K,
    ...complete: [Missing<T, K>] extends [never] ? [] : [missing: Missing<T, K>]
  ): readonly string[] => {
    void complete;
    return fields;
  };
}
