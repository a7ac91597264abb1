/**
 * A query started ahead of its turn (the next part's, while this part is worked on): on PostgreSQL the
 * server answers it meanwhile. Marked as handled at once, so that its failure is not an unhandled
 * rejection should the caller stop before awaiting it; awaiting it still throws the error.
 */
function ahead<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}

/**
 * `fetch` of each part, in order, as the caller asks for them, with up to `depth` parts fetched ahead of
 * the one it works on: on PostgreSQL the pool's connections look the next parts up while Node works (one
 * ahead still left the server's lookups by id on the critical path of a `remind` preview; three keep the
 * pool's four connections busy); on SQLite the same work in the same order. Parts are taken from `parts`
 * only when fetched.
 */
export async function* fetchedAhead<P, R>(parts: Iterator<P>, fetch: (part: P) => Promise<R>, depth = 3): AsyncGenerator<[P, R]> {
  const queue: [P, Promise<R>][] = [];
  const fill = () => {
    while (queue.length < depth) {
      const n = parts.next();
      if (n.done) break;
      queue.push([n.value, ahead(fetch(n.value))]);
    }
  };
  fill();
  while (queue.length > 0) {
    const [part, pending] = queue.shift()!;
    const result = await pending;
    fill();
    yield [part, result];
  }
}
