/**
 * The bundled fixtures (managers, groups, accounts, contacts) must be valid import files: the right
 * header, values that coerce, references that resolve, and the contact rules (5 primaries per account).
 * Contacts are loaded through the real service so a rule change that breaks the fixtures shows here.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { ACCOUNT_FIELDS } from '../../src/accounts/fields.js';
import { CONTACT_FIELDS } from '../../src/contacts/fields.js';
import { countsAsPrimary } from '../../src/contacts/rules.js';
import { addContact, listContacts } from '../../src/contacts/service.js';
import { coerceAll, type FieldSpec } from '../../src/lib/fields.js';
import { MANAGER_FIELDS } from '../../src/managers/fields.js';
import { ROOT } from '../helpers/cli.js';
import { freshDb, testOp } from '../helpers/db.js';
import { foldKey } from '../../src/lib/keys.js';

function load(name: string, specs: readonly FieldSpec[]): Record<string, string>[] {
  const text = fs.readFileSync(path.join(ROOT, 'fixtures', name), 'utf8');
  expect(text.includes('\r')).toBe(false);
  expect(text.charCodeAt(0)).not.toBe(0xfeff);
  expect(text.split('\n')[0]).toBe(specs.map((f) => f.name).join(','));
  const rows = parse(text, { columns: true }) as Record<string, string>[];
  for (const row of rows) {
    const { problems } = coerceAll(specs, row);
    expect(problems, JSON.stringify(row)).toEqual([]);
  }
  return rows;
}

const managers = load('managers.csv', MANAGER_FIELDS);
const groups = load('groups.csv', [{ name: 'name', type: 'text' }]);
const accounts = load('accounts.csv', ACCOUNT_FIELDS);
const contacts = load('contacts.csv', CONTACT_FIELDS);

describe('fixtures', () => {
  it('hold a few managers (one inactive), groups and ~20 accounts of every type with resolvable references', () => {
    expect(managers.length).toBeGreaterThanOrEqual(4);
    expect(managers.filter((m) => m.status === 'inactive')).toHaveLength(1);
    expect(accounts.length).toBeGreaterThanOrEqual(18);
    expect(new Set(accounts.map((a) => a.type))).toEqual(new Set(['school', 'company', 'training_provider', 'tutor', 'guest']));
    const ids = accounts.map((a) => a.external_id);
    expect(new Set(ids).size).toBe(ids.length);
    const logins = new Set(managers.map((m) => m.login));
    const groupNames = new Set(groups.map((g) => g.name));
    for (const a of accounts) {
      if (a.manager_login) expect(logins).toContain(a.manager_login);
      if (a.group) expect(groupNames).toContain(a.group);
      if (a.parent_external_id) expect(ids).toContain(a.parent_external_id);
      if (a.type === 'tutor') expect(a.manager_login).toBe('');
    }
    // a sub-account listed before its parent, a Cyrillic Bulgarian school, a deactivated account
    expect(accounts.some((a, i) => a.parent_external_id && ids.indexOf(a.parent_external_id) > i)).toBe(true);
    expect(accounts.some((a) => a.type === 'school' && a.locale === 'bg' && /[\u0400-\u04ff]/.test(a.name!))).toBe(true);
    expect(accounts.filter((a) => a.status === 'deactivated')).toHaveLength(1);
  });

  it('hold contacts that load through the service: at most 5 primaries per account, a primary for every tutor', async () => {
    const t = await freshDb();
    const op = testOp();
    try {
      for (const a of accounts) {
        await t.db
          .insertInto('accounts')
          .values({
            external_id: a.external_id!,
            external_id_key: foldKey(a.external_id!),
            name: a.name!,
            type: a.type!,
            status: a.status!,
            created_at: op.now,
            updated_at: op.now,
          })
          .execute();
      }
      for (const c of contacts) await addContact(t.db, op, c);
      const all = await listContacts(t.db, { includeRemoved: true });
      expect(all).toHaveLength(contacts.length);
      expect(all.filter((c) => c.status === 'removed')).toHaveLength(1);
      const primaries = new Map<string, number>();
      for (const c of all.filter(countsAsPrimary)) primaries.set(c.account_external_id, (primaries.get(c.account_external_id) ?? 0) + 1);
      expect(Math.max(...primaries.values())).toBe(5);
      for (const a of accounts.filter((x) => x.type === 'tutor')) expect(primaries.get(a.external_id!)).toBeGreaterThanOrEqual(1);
      expect(all.some((c) => c.last_login_at === null)).toBe(true);
      // some last logins 3–7 months before 2026-11-25
      expect(all.some((c) => c.last_login_at && c.last_login_at >= '2026-04-25' && c.last_login_at < '2026-08-25')).toBe(true);
    } finally {
      await t.close();
    }
  });
});
