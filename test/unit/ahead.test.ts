import { describe, expect, it } from 'vitest';
import { fetchedAhead } from '../../src/lib/ahead.js';

describe('fetchedAhead', () => {
  it('gives each part with its result in order, fetching at most `depth` parts ahead, taking parts only as fetched', async () => {
    const started: number[] = [];
    let taken = 0;
    const parts = (function* () {
      for (let i = 0; i < 7; i++) {
        taken++;
        yield i;
      }
    })();
    const fetch = async (p: number) => {
      started.push(p);
      await new Promise((r) => setTimeout(r, (7 - p) * 2)); // later parts answer sooner
      return p * 10;
    };
    const seen: [number, number][] = [];
    for await (const [p, r] of fetchedAhead(parts, fetch, 3)) {
      // while part p is worked on, the `depth` parts after it are fetched, none further
      expect(started.length).toBe(Math.min(7, p + 1 + 3));
      expect(taken).toBe(started.length);
      seen.push([p, r]);
    }
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6].map((p) => [p, p * 10]));
  });

  it('a failed fetch fails the loop when its turn comes; one fetched ahead of a loop left early is no unhandled rejection', async () => {
    const fetch = (p: number) => (p === 2 ? Promise.reject(new Error(`part ${p} failed`)) : Promise.resolve(p));
    const all = async () => {
      const out: number[] = [];
      for await (const [, r] of fetchedAhead([0, 1, 2, 3][Symbol.iterator](), fetch, 2)) out.push(r);
      return out;
    };
    await expect(all()).rejects.toThrow('part 2 failed');
    // left after the first part, with part 2 fetched ahead and failing: nothing escapes
    for await (const [p] of fetchedAhead([0, 1, 2, 3][Symbol.iterator](), fetch, 3)) if (p === 0) break;
    await new Promise((r) => setTimeout(r, 10));
  });
});
