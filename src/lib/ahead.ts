/**
 * A query started ahead of its turn (the next part's, while this part is worked on): on PostgreSQL the
 * server answers it meanwhile. Marked as handled at once, so that its failure is not an unhandled
 * rejection should the caller stop before awaiting it; awaiting it still throws the error.
 */
export function ahead<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}
