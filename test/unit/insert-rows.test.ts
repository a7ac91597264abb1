/**
 * src/db/insert-rows.ts: many rows, conflicts on the unique key skipped, each inserted item told its
 * id — on SQLite through one prepared statement (also inside a write transaction), elsewhere through
 * kysely's multi-row INSERTs.
 */
import { describe, expect, it } from 'vitest';
import { insertRows } from '../../src/db/insert-rows.js';
import { writeTx } from '../../src/db/tx.js';
import { eachTestDb } from '../helpers/db.js';

const t = eachTestDb();
const KEY = ['kind', 'subject_id', 'stage', 'cycle'];

function notice(subject: number, stage: string) {
  return {
    kind: 'renewal',
    subject_id: subject,
    stage,
    cycle: '2026-12-31',
    due_date: '2026-11-19',
    status: 'sent',
    reason: null,
    recipient_login: 'anna',
    recipient_email: 'anna@vendor.example',
    account_external_id: 'A',
    subscription_external_id: `S-${subject}`,
    contact_email: null,
    run_id: 'run-1',
    attempts: 1,
    created_at: '2026-11-25T00:00:00Z',
    updated_at: '2026-11-25T00:00:00Z',
    sent_at: '2026-11-25T00:00:00Z',
  };
}

describe('insertRows', () => {
  it('inserts every row, skips the ones whose key is taken, and tells each inserted item its id', async () => {
    await insertRows(t.db, 'notices', [notice(1, 'renewal-6w')], (r) => r, { conflict: KEY });
    const items = Array.from({ length: 450 }, (_, i) => ({ subject: 1 + (i % 300), stage: i < 300 ? 'renewal-2w' : 'renewal-6w' }));
    const got: [number, string, number][] = [];
    await writeTx(t.db, (trx) =>
      insertRows(trx, 'notices', items, (i) => notice(i.subject, i.stage), {
        conflict: KEY,
        returning: ['id'],
        inserted: (i, r) => got.push([i.subject, i.stage, r.id as number]),
        batch: 100,
      }),
    );
    // subject 1's renewal-6w was there already: 449 new rows, each item told the id its row got
    expect(got).toHaveLength(449);
    expect(got.some(([s, stage]) => s === 1 && stage === 'renewal-6w')).toBe(false);
    const rows = await t.db.selectFrom('notices').select(['id', 'subject_id', 'stage']).orderBy('id').execute();
    expect(rows).toHaveLength(450);
    const byId = new Map(rows.map((r) => [r.id, `${r.subject_id}:${r.stage}`]));
    for (const [s, stage, id] of got) expect(byId.get(id)).toBe(`${s}:${stage}`);
  });

  it('takes the items as they come (a generator) and does nothing for none', async () => {
    function* made() {
      for (let i = 1; i <= 3; i++) yield notice(i, 'renewal-0d');
    }
    await insertRows(t.db, 'notices', made(), (r) => r, { conflict: KEY });
    await insertRows(t.db, 'notices', [], (r: Record<string, unknown>) => r, { conflict: KEY });
    expect(await t.db.selectFrom('notices').select('subject_id').orderBy('subject_id').execute()).toEqual([
      { subject_id: 1 },
      { subject_id: 2 },
      { subject_id: 3 },
    ]);
  });
});
