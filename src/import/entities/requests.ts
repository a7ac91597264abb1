/**
 * requests.csv: key id (REQ-000001); a row without one is a new request and gets the next key. The
 * account must exist, the contact be one of its contacts, created_by_login a manager; status and the
 * timestamps are taken as given (history), the timestamps default to now. Raising on a contact's behalf
 * is a rule of `requests add --by`, not of an import of existing requests. A large file is bulk-loaded
 * (src/import/entities/lookups.ts): 100,000 requests on PostgreSQL 32.4 s → 1.9 s.
 */
import { clearedFields, missingFields } from '../../lib/checks.js';
import { withDefaults } from '../../lib/fields.js';
import { foldKey } from '../../lib/keys.js';
import { REQUEST_FIELDS } from '../../requests/fields.js';
import { REQUEST_KEY } from '../../requests/rules.js';
import { FORMATS } from '../../formats/catalog.js';
import { run, wait, type Row, type Step } from '../statements.js';
import { bulkWhenLarge, coerceRow, upserting } from './common.js';
import { accountLookups, contactsOfAccounts, firstFreeNumber, managersByLogin, notAContact, rowsByNumber } from './lookups.js';
import { findNumbered, isRowResult } from './numbered.js';
import type { EntityDef, FileInfo, ImportContext, RowIn, RowResult } from './types.js';

const COLUMNS = [
  'number',
  'account_id',
  'contact_id',
  'subject',
  'description',
  'priority',
  'status',
  'created_by_id',
  'created_at',
  'updated_at',
];

/** A requests row is ≈ 100–300 bytes; guessing fewer rows than there are keeps small imports off the bulk path. */
const ROW_BYTES = 128;

export const requests: EntityDef = {
  name: 'requests',
  columns: async () => [...REQUEST_FIELDS],
  required: FORMATS.requests.required,
  async open(ctx: ImportContext, _columns, file: FileInfo) {
    const { up } = upserting(ctx, 'requests', COLUMNS, { created: false, updated: false });
    // a large file: new requests queued (PostgreSQL's COPY), the unique number checked in memory, the
    // accounts and contacts read whole where they are not much larger than the file
    const whole = await bulkWhenLarge(ctx, up, file, ROW_BYTES, ['number']);
    const byNumber = rowsByNumber(ctx, up, 'requests');
    const { byKey: account, byId: accountById } = await accountLookups(ctx, whole, ['id', 'external_id']);
    const contactId = await contactsOfAccounts(ctx, whole);
    const manager = managersByLogin(ctx);
    let next = await firstFreeNumber(ctx, 'requests');
    function* steps({ line, text }: RowIn): Step<RowResult> {
      const { values, problems } = coerceRow(REQUEST_FIELDS, text, ctx.dateFormat);
      const found = yield* findNumbered(up, byNumber, REQUEST_KEY, text.id, line);
      if (isRowResult(found)) return found;
      const { number, existing } = found;
      problems.push(...(existing ? clearedFields(REQUEST_FIELDS, values) : missingFields(REQUEST_FIELDS, values, problems)));
      const v = existing ? values : withDefaults(REQUEST_FIELDS, values);
      const rec: Row = {};
      for (const f of ['subject', 'description', 'priority', 'status', 'created_at', 'updated_at'] as const) if (f in v) rec[f] = v[f];
      const acc =
        typeof v.account_external_id === 'string'
          ? yield* wait(account(v.account_external_id))
          : existing
            ? yield* wait(accountById(existing.account_id))
            : undefined;
      if (!acc && v.account_external_id)
        problems.push({ field: 'account_external_id', value: text.account_external_id, rule: 'no account with this external_id' });
      if (acc) rec.account_id = acc.id;
      if (acc && typeof v.contact_email === 'string') {
        const c = yield* contactId(acc.id as number, foldKey(v.contact_email));
        if (c !== undefined) rec.contact_id = c;
        else problems.push(notAContact(text, acc));
      } else if (acc && existing && acc.id !== existing.account_id)
        problems.push({ field: 'contact_email', value: '', rule: 'is required when the account changes' });
      if (typeof v.created_by_login === 'string') {
        const m = yield* wait(manager(v.created_by_login));
        if (m) rec.created_by_id = m.id;
        else problems.push({ field: 'created_by_login', value: text.created_by_login, rule: 'no manager with this login' });
      }
      if (problems.length > 0) return problems;
      if (!existing) {
        rec.number = number ?? next;
        next = Math.max(next, (rec.number as number) + 1);
        rec.created_at ??= ctx.op.now;
        rec.updated_at ??= rec.created_at;
      }
      // a new request of a bulk load is queued (nothing in the file needs its id)
      if (!existing && up.bulkMode) return yield* up.queue(line, rec);
      return (yield* up.write(line, existing, rec)).outcome;
    }
    return {
      row: (r: RowIn) => run(steps(r)),
      async finish() {
        ctx.notes?.push(...(await up.finish()));
        return [];
      },
    };
  },
};
