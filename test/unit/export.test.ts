import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defineField } from '../../src/accounts/custom-fields.js';
import { removeContact } from '../../src/contacts/service.js';
import { exportEntity, type ExportFormat } from '../../src/export/service.js';
import { ENTITIES } from '../../src/formats/catalog.js';
import { runImport } from '../../src/import/service.js';
import { toCsv } from '../../src/output/csv.js';
import { ROOT } from '../helpers/cli.js';
import { eachTestDbs, tempDir, testOp, type TestDb } from '../helpers/db.js';
import { ALL_DIR, request } from '../helpers/import.js';

const db = eachTestDbs();

async function exportText(t: TestDb, entity: (typeof ENTITIES)[number], format: ExportFormat = 'csv'): Promise<string> {
  let out = '';
  await exportEntity(t.handle, entity, format, (c) => (out += c));
  return out;
}

/**
 * export every entity → import all into an empty database → export again: identical files. `change`: what
 * is done to the loaded database before the export.
 */
async function roundTrip(source: string, change?: (a: TestDb) => Promise<void>): Promise<Record<string, string>> {
  const a = await db();
  await defineField(a.db, testOp(), { name: 'board_size', type: 'number' });
  const loaded = await runImport(a.handle, testOp(), request('all', source));
  expect(loaded.errors).toEqual([]);
  if (source === ALL_DIR) {
    // a partial update: required columns present, empty cells leave the stored values
    const upd = path.join(tempDir(), 'accounts.csv');
    fs.writeFileSync(upd, 'external_id,name,type,board_size\nsch-001,,,12.50\nCO-001,,, 7\n');
    const r = await runImport(a.handle, testOp(), request('accounts', upd));
    expect(r.summary).toMatchObject({ updated: 2, inserted: 0 });
  }
  await change?.(a);
  const dir = tempDir('acctmgr-export-');
  const first: Record<string, string> = {};
  for (const e of ENTITIES) {
    first[e] = await exportText(a, e);
    fs.writeFileSync(path.join(dir, `${e}.csv`), first[e]);
  }
  const b = await db();
  await defineField(b.db, testOp(), { name: 'board_size', type: 'number' });
  const again = await runImport(b.handle, testOp(), request('all', dir));
  expect(again.errors).toEqual([]);
  for (const e of ENTITIES) expect(await exportText(b, e), e).toBe(first[e]);
  return first;
}

describe('export', () => {
  it('round-trips every entity of the bundled fixtures byte for byte', async () => {
    const files = await roundTrip(path.join(ROOT, 'fixtures'));
    for (const e of ENTITIES) expect(files[e]!.split('\n').length, e).toBeGreaterThan(2);
  });

  it('round-trips the requests and activities of a removed contact: history names it, and a full export imports again', async () => {
    const magdalena = 'magdalena.kaczmarek@zs2.example.pl';
    const files = await roundTrip(path.join(ROOT, 'fixtures'), async (a) => {
      await removeContact(a.db, testOp(), magdalena);
    });
    expect(files.contacts).toMatch(new RegExp(`SCH-004,Magdalena Kaczmarek,${magdalena},admin,false,removed,`));
    expect(files.requests).toContain(`REQ-000002,SCH-004,${magdalena},`);
    expect(files.activities).toContain(`ACT-000012,SCH-004,web_session,Timetable import,,${magdalena},`);
  });

  it('round-trips the import test set: Cyrillic, quotes, formulas, retired plans, renewals, custom fields', async () => {
    const files = await roundTrip(ALL_DIR);
    expect(files.accounts!.split('\n')[0]).toBe(
      'external_id,name,type,status,group,parent_external_id,country,region,registration_no,student_count,locale,manager_login,customer_emails,board_size',
    );
    expect(files.accounts).toContain('SCH-001,"Средно училище ""Христо Ботев""",school');
    expect(files.accounts).toMatch(/,en,jnowak,true,7\n/);
    expect(files.accounts).toMatch(/,bg,akowalski,true,12\.5\n/);
    expect(files.contacts).toContain(`CO-001,"'=HYPERLINK(1)",boss@acme.example`);
    expect(files.subscriptions).toContain('SUB-1,SCH-001,BIO,BIO-OLD,120,12,2025-01-15,2026-01-14,active,jnowak,299.99,2025-01-10,\n');
  });

  it('keeps a CRLF, a bare CR and a LF inside a quoted field as written: export → import → export is identical, and importing it again changes nothing', async () => {
    const file = path.join(tempDir(), 'accounts.csv');
    // a CRLF file: its record ends are CRLF, the note's line breaks are CRLF, CR and LF
    fs.writeFileSync(file, 'external_id,name,type,note\r\nT-1,Tutor,tutor,"line 1\r\nline 2\rline 3\nline 4"\r\n');
    const a = await db();
    await defineField(a.db, testOp(), { name: 'note', type: 'text' });
    expect((await runImport(a.handle, testOp(), request('accounts', file))).summary).toMatchObject({ inserted: 1 });
    const json = JSON.parse(await exportText(a, 'accounts', 'json')) as { fields: Record<string, string> }[];
    expect(json[0]!.fields.note).toBe('line 1\r\nline 2\rline 3\nline 4');
    const csv = await exportText(a, 'accounts');
    const out = path.join(tempDir(), 'accounts.csv');
    fs.writeFileSync(out, csv);
    const again = await runImport(a.handle, testOp(), request('accounts', out));
    expect(again.summary).toMatchObject({ inserted: 0, updated: 0, unchanged: 1, batch_id: null });
    const b = await db();
    await defineField(b.db, testOp(), { name: 'note', type: 'text' });
    expect((await runImport(b.handle, testOp(), request('accounts', out))).errors).toEqual([]);
    expect(await exportText(b, 'accounts')).toBe(csv);
  });

  it('writes a custom number field in plain decimal (never 1e+23 or 1e-7): export → import → export is identical', async () => {
    const file = path.join(tempDir(), 'accounts.csv');
    fs.writeFileSync(
      file,
      'external_id,name,type,budget\nT-1,Big,tutor,100000000000000000000000\nT-2,Small,tutor,0.0000001\nT-3,Neg,tutor,-0.00000015\n',
    );
    const a = await db();
    await defineField(a.db, testOp(), { name: 'budget', type: 'number' });
    expect((await runImport(a.handle, testOp(), request('accounts', file))).errors).toEqual([]);
    const csv = await exportText(a, 'accounts');
    expect(
      csv
        .split('\n')
        .slice(1, 4)
        .map((l) => l.split(',').at(-1)),
    ).toEqual(['100000000000000000000000', '0.0000001', '"\'-0.00000015"']);
    const out = path.join(tempDir(), 'accounts.csv');
    fs.writeFileSync(out, csv);
    expect((await runImport(a.handle, testOp(), request('accounts', out))).summary).toMatchObject({ unchanged: 3, batch_id: null });
    const b = await db();
    await defineField(b.db, testOp(), { name: 'budget', type: 'number' });
    expect((await runImport(b.handle, testOp(), request('accounts', out))).errors).toEqual([]);
    expect(await exportText(b, 'accounts')).toBe(csv);
  });

  it('is deterministic: sorted by key, LF, no BOM, quoting as the shared CSV writer does', async () => {
    const t = await db();
    await runImport(t.handle, testOp(), request('all', ALL_DIR));
    const csv = await exportText(t, 'managers');
    expect(csv.charCodeAt(0)).not.toBe(0xfeff);
    expect(csv).not.toContain('\r');
    const rows = csv.trimEnd().split('\n');
    expect(rows.slice(1).map((r) => r.split(',')[0])).toEqual(['akowalski', 'jnowak']);
    const records = await t.db
      .selectFrom('managers')
      .select(['login', 'name', 'email', 'employee_id', 'phone', 'mobile', 'region', 'status'])
      .orderBy('login')
      .execute();
    expect(csv).toBe(toCsv(records, Object.keys(records[0]!)));
  });

  it('JSON is typed and never altered; activation codes are never exported', async () => {
    const t = await db();
    await runImport(t.handle, testOp(), request('all', ALL_DIR));
    await t.db.updateTable('subscriptions').set({ activation_code: 'ABCD-EFGH-JKLM-NPQR' }).where('external_id', '=', 'SUB-2').execute();
    const subs = JSON.parse(await exportText(t, 'subscriptions', 'json')) as Record<string, unknown>[];
    expect(subs[0]).toEqual({
      external_id: 'SUB-1',
      account_external_id: 'SCH-001',
      product: 'BIO',
      plan: 'BIO-OLD',
      students: 120,
      term_months: 12,
      start_date: '2025-01-15',
      end_date: '2026-01-14',
      status: 'active',
      manager_login: 'jnowak',
      price: '299.99',
      paid_at: '2025-01-10',
      renewed_from_external_id: null,
    });
    expect(await exportText(t, 'subscriptions')).not.toContain('ABCD');
    const contacts = JSON.parse(await exportText(t, 'contacts', 'json')) as Record<string, unknown>[];
    expect(contacts[0]).toMatchObject({ name: '=HYPERLINK(1)', is_primary: true });
    const accounts = JSON.parse(await exportText(t, 'accounts', 'json')) as Record<string, unknown>[];
    expect(accounts[0]).toHaveProperty('fields', {});
    const plans = JSON.parse(await exportText(t, 'plans', 'json')) as Record<string, unknown>[];
    expect(plans[0]).toMatchObject({ modules: ['lessons', 'tests'], legacy: false });
  });
});
