/**
 * src/db/rows.ts: rowBatches and arrayBatches give every row once, in order, in batches, on both engines;
 * on PostgreSQL rowBatches asks for each next cursor chunk while the caller works on the one before,
 * arrayBatches streams the whole result and pauses the socket while the caller is behind, and a caller
 * that stops early (or fails) leaves no query running and the pool usable.
 */
import { describe, expect, it } from 'vitest';
import { arrayBatches, arrayPages, rowBatches } from '../../src/db/rows.js';
import { eachTestDb, testOp } from '../helpers/db.js';
import { onPostgres, itPostgres } from '../helpers/engine.js';
import { streamChunks, streamStats } from '../../src/db/pg-stream.js';

const t = eachTestDb();
const N = 2_345;

async function managers(): Promise<void> {
  const op = testOp();
  const rows = Array.from({ length: N }, (_, i) => ({
    login: `m${String(i).padStart(5, '0')}`,
    email: `m${i}@vendor.example`,
    email_key: `m${i}@vendor.example`,
    name: `Manager ${i}`,
    status: 'active',
    created_at: op.now,
    updated_at: op.now,
  }));
  for (let i = 0; i < rows.length; i += 500)
    await t.db
      .insertInto('managers')
      .values(rows.slice(i, i + 500))
      .execute();
}

const query = () => t.db.selectFrom('managers').select(['id', 'login']).orderBy('id');

describe('rowBatches and arrayBatches', () => {
  it('every row once, in order, in batches (a cursor chunk of 1,000 on PostgreSQL)', async () => {
    await managers();
    const objects: string[] = [];
    let batches = 0;
    for await (const batch of rowBatches(t.db, query(), 1000)) {
      batches++;
      for (const r of batch) objects.push(r.login);
    }
    expect(objects).toEqual(Array.from({ length: N }, (_, i) => `m${String(i).padStart(5, '0')}`));
    expect(batches).toBeGreaterThanOrEqual(3);
    const arrays: (readonly [number, string])[] = [];
    for await (const batch of arrayBatches<readonly [number, string]>(t.db, query(), 1000)) arrays.push(...batch);
    expect(arrays.map((r) => r[1])).toEqual(objects);
    expect(typeof arrays[0]![0]).toBe('number');
  });

  it('arrayPages: every row of a filtered scan once, by id, whatever the page size (SQLite pages by id, PostgreSQL one query streamed)', async () => {
    await managers();
    const all = t.db.selectFrom('managers').select(['id', 'login']).where('login', 'not like', '%7');
    const expected = (await all.orderBy('id').execute()).map((r) => [r.id, r.login]);
    expect(expected.length).toBeGreaterThan(2000);
    // pages of 1,000 (the last one short), of exactly all of them (one full page, then an empty one), of more than all
    for (const page of [1000, expected.length, 10_000]) {
      const got: (readonly [number, string])[] = [];
      let pages = 0;
      for await (const rows of arrayPages<readonly [number, string]>(t.db, all, 'id', page)) {
        pages++;
        got.push(...rows);
      }
      expect(got).toEqual(expected);
      if (!onPostgres) expect(pages).toBe(Math.ceil(expected.length / page));
    }
  });

  it('a caller that stops early, or fails, leaves the connection free for the next query', async () => {
    await managers();
    for await (const batch of rowBatches(t.db, query(), 1000)) {
      expect(batch.length).toBeGreaterThan(0);
      break;
    }
    const failing = async () => {
      for await (const batch of arrayBatches(t.db, query(), 500)) if (batch.length > 0) throw new Error('stop here');
    };
    await expect(failing()).rejects.toThrow('stop here');
    // the pool (PostgreSQL: four connections) is not left with cursors holding them
    for (let i = 0; i < 12; i++) {
      let n = 0;
      // arrays on PostgreSQL come through a cursor of their own on a pool connection (not kysely's)
      for await (const batch of i % 2 === 0 ? rowBatches(t.db, query(), 1000) : arrayBatches(t.db, query(), 1000)) {
        n += batch.length;
        if (n >= 1000) break;
      }
      expect(n).toBeGreaterThanOrEqual(1000);
    }
    expect(
      Number(
        (
          await t.db
            .selectFrom('managers')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      ),
    ).toBe(N);
  });

  itPostgres(
    'PostgreSQL only: rows streamed to a slow caller pause the socket, so only a few chunks ever wait (memory stays flat)',
    async () => {
      const client = await t.handle.pool!.connect();
      try {
        streamStats.pauses = 0;
        streamStats.mostWaiting = 0;
        let n = 0;
        let last = 0;
        const rows = streamChunks<readonly [number, string]>(
          client,
          'select g, repeat($1, 40) from generate_series(1, 200000) g',
          ['x'],
          1000,
        );
        for await (const chunk of rows) {
          for (const [g] of chunk) expect(g).toBe(++last);
          n += chunk.length;
          // a caller slower than the server: without the pause ≈ 150 chunks would pile up
          await new Promise((r) => setTimeout(r, 2));
        }
        expect(n).toBe(200_000);
        expect(streamStats.pauses).toBeGreaterThan(0);
        expect(streamStats.mostWaiting).toBeLessThan(12);
      } finally {
        client.release();
      }
    },
  );
});
