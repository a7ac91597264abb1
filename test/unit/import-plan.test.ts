/**
 * How an importer writes a file on each database (src/import/bulk/plan.ts): SQLite bulk-loads only when
 * rebuilding the indexes pays; PostgreSQL, whose every statement is a round trip, takes COPY from a
 * thousand rows on, into the indexed table while the file is small beside it.
 */
import { describe, expect, it } from 'vitest';
import { BULK_MIN_BYTES, worthBulk } from '../../src/import/bulk/bulk-table.js';
import { bulkPlan, COPY_MIN_ROWS, readsWhole, ROUND_TRIP_ROWS } from '../../src/import/bulk/plan.js';

const ROW = 100;

describe('bulkPlan', () => {
  it('on SQLite: a bulk load (indexes suspended) exactly where worthBulk says so, else row by row', () => {
    for (const bytes of [0, 50_000, BULK_MIN_BYTES - 1, BULK_MIN_BYTES, 10 * BULK_MIN_BYTES])
      for (const stored of [0, 1000, 100_000, 10_000_000])
        expect(bulkPlan('now', bytes, ROW, stored)).toBe(worthBulk(bytes, ROW, stored) ? 'suspend' : undefined);
  });

  it('on PostgreSQL: suspended where SQLite would; else COPY into the indexed table from a thousand rows, while the table is at most a hundred times the file', () => {
    expect(bulkPlan('later', BULK_MIN_BYTES, ROW, 0)).toBe('suspend');
    expect(bulkPlan('later', 10 * BULK_MIN_BYTES, ROW, 100_000)).toBe('suspend');
    const rows = COPY_MIN_ROWS;
    expect(bulkPlan('later', rows * ROW, ROW, 0)).toBe('keep');
    expect(bulkPlan('later', rows * ROW - 1, ROW, 0)).toBeUndefined();
    expect(bulkPlan('later', rows * ROW, ROW, rows * ROUND_TRIP_ROWS)).toBe('keep');
    expect(bulkPlan('later', rows * ROW, ROW, rows * ROUND_TRIP_ROWS + 1)).toBeUndefined();
    // a file over the bulk size into a table too large to rebuild: kept, when the table is not too large to read
    expect(bulkPlan('later', BULK_MIN_BYTES, ROW, 1_000_000)).toBe('keep');
    expect(bulkPlan('later', BULK_MIN_BYTES, ROW, 10_000_000)).toBeUndefined();
  });
});

describe('readsWhole', () => {
  it('reads a referenced table whole: on SQLite when it has no more rows than the file, on PostgreSQL up to a hundred times more', () => {
    expect(readsWhole('now', 1000, 1000)).toBe(true);
    expect(readsWhole('now', 1000, 1001)).toBe(false);
    expect(readsWhole('later', 1000, 1000 * ROUND_TRIP_ROWS)).toBe(true);
    expect(readsWhole('later', 1000, 1000 * ROUND_TRIP_ROWS + 1)).toBe(false);
  });
});
