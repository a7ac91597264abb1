/**
 * The part of a contacts row that needs no database: cleaned cells → the contact to insert, the hash of
 * its key and the cells the messages quote. It runs on the main thread, or in the reader thread of a
 * large import (src/import/bulk/), so it imports nothing that touches the database.
 */
import { CONTACT_FIELDS, CONTACT_ROLES as ROLES, CONTACT_STATUSES as STATUSES, initialContactStatus } from '../../contacts/fields.js';
import { CONTACT_RECORD_FIELDS } from '../../contacts/record.js';
import { FORMATS } from '../../formats/catalog.js';
import type { DateFormat } from '../cells.js';
import type { RowProblem } from '../errors.js';
import type { ThreadPreparer } from '../bulk/prepared.js';
import { hashKey } from '../bulk/key-index.js';
import { RefIndex } from '../bulk/ref-index.js';
import { asciiEmail, fieldDefault, type FieldValue } from '../../lib/fields.js';
import { foldKey } from '../../lib/keys.js';
import { coerceCell, requireKeys } from './coerce.js';
import type { RowIn } from './types.js';

/** Columns of a contact that a row may leave empty to keep the stored value, in `given` bit order. */
export const PLAIN = ['name', 'role', 'is_primary', 'status', 'invited_at', 'last_login_at'] as const;

export interface PreparedContact {
  line: number;
  accountId: number;
  /** hashKey([account_id, email_key]): the bulk key index's hash of the row's key */
  hash: number;
  /** The row as a new contact (the defaults of CONTACT_FIELDS filled in, as `contacts add` fills them). */
  row: Record<string, unknown>;
  /** Bit i set: PLAIN[i] was given (an update of a stored contact changes only those). */
  given: number;
  /** The cells as written, for messages. */
  emailText: string;
  isPrimaryText: string | undefined;
}

export const UNKNOWN_ACCOUNT = 'no account with this external_id (in the database or the accounts imported with it)';

/** Coerces and checks a row's cells and resolves its account; the problems when it cannot be applied. */
export function prepareContact(
  { line, text }: RowIn,
  dateFormat: DateFormat,
  findAccount: (externalId: string) => number | undefined,
): PreparedContact | RowProblem[] {
  const cells = new Array<string | undefined>(CONTACT_FIELDS.length);
  for (let i = 0; i < CONTACT_FIELDS.length; i++) cells[i] = text[CONTACT_FIELDS[i]!.name];
  return prepareContactCells(line, cells, dateFormat, findAccount);
}

// the cells' places in CONTACT_FIELDS order
const [ACCOUNT, NAME, EMAIL, ROLE, PRIMARY, STATUS, INVITED, LOGIN] = CONTACT_RECORD_FIELDS.map((n) => {
  const i = CONTACT_FIELDS.findIndex((f) => f.name === n);
  if (i === -1) throw new Error(`contacts: no field ${n}`);
  return i;
}) as [number, number, number, number, number, number, number, number];

// a new contact's role and primary flag when the row leaves them out (the status: initialContactStatus)
const DEFAULT_ROLE = fieldDefault(CONTACT_FIELDS[ROLE]!, {});
const DEFAULT_PRIMARY = fieldDefault(CONTACT_FIELDS[PRIMARY]!, {}) ? 1 : 0;

/**
 * prepareContact on the cleaned cells in CONTACT_FIELDS order (undefined = empty): the form the reader
 * thread has them in, without an object keyed by field name per row.
 */
export function prepareContactCells(
  line: number,
  cells: readonly (string | undefined)[],
  dateFormat: DateFormat,
  findAccount: (externalId: string) => number | undefined,
): PreparedContact | RowProblem[] {
  const problems: RowProblem[] = [];
  const v = new Array<FieldValue | undefined>(CONTACT_FIELDS.length);
  // an address of printable ASCII (nearly every one) comes out of asciiEmail as its own key: no second pass to fold it
  let emailIsKey = false;
  for (let i = 0; i < CONTACT_FIELDS.length; i++) {
    const t = cells[i];
    if (t === undefined) continue;
    if (i === EMAIL) {
      const key = asciiEmail(t);
      if (key !== undefined) {
        v[i] = key;
        emailIsKey = true;
        continue;
      }
    }
    v[i] = coerceCell(CONTACT_FIELDS[i]!, t, dateFormat, problems);
  }
  if (cells[ACCOUNT] === undefined || cells[EMAIL] === undefined)
    problems.unshift(...requireKeys({ account_external_id: cells[ACCOUNT], email: cells[EMAIL] }, FORMATS.contacts.rowKey));
  if (problems.length > 0) return problems;
  const accountId = findAccount(v[ACCOUNT] as string);
  if (accountId === undefined) return [{ field: 'account_external_id', value: cells[ACCOUNT]!, rule: UNKNOWN_ACCOUNT }];
  const email = v[EMAIL] as string;
  const emailKey = emailIsKey ? email : foldKey(email);
  let given = 0;
  for (let i = 0; i < PLAIN_AT.length; i++) if (v[PLAIN_AT[i]!] !== undefined) given |= 1 << i;
  return {
    line,
    accountId,
    hash: hashKey([accountId, emailKey]),
    row: {
      account_id: accountId,
      name: v[NAME],
      email,
      email_key: emailKey,
      role: v[ROLE] ?? DEFAULT_ROLE,
      is_primary: v[PRIMARY] === undefined ? DEFAULT_PRIMARY : v[PRIMARY] ? 1 : 0,
      status: v[STATUS] ?? initialContactStatus(v[LOGIN]),
      invited_at: v[INVITED],
      last_login_at: v[LOGIN],
    },
    given,
    emailText: cells[EMAIL]!,
    isPrimaryText: cells[PRIMARY],
  };
}

const PLAIN_AT = PLAIN.map((n) => CONTACT_FIELDS.findIndex((f) => f.name === n));

/** The update of a stored contact: the given columns, undefined for the ones the row left empty. */
export function givenColumns(p: PreparedContact): Record<string, unknown> {
  const rec: Record<string, unknown> = {};
  for (let i = 0; i < PLAIN.length; i++) rec[PLAIN[i]!] = p.given & (1 << i) ? p.row[PLAIN[i]!] : undefined;
  return rec;
}

/** Slots a prepared contact takes in a reader-thread batch (see pack/unpack). */
export const PACKED_WIDTH = 12;

const PRIMARY_GIVEN = 1 << PLAIN.indexOf('is_primary');

/**
 * Appends `p` to a flat batch: one array per batch clones far faster than an object per row, and a
 * number far faster than a string, so role and status travel as their place in the list of values, the
 * cells as written only when they differ from the stored values, and the email's key only when it is
 * not the email itself (lower-case ASCII, nearly every one).
 */
export function packContact(p: PreparedContact, out: unknown[]): void {
  const r = p.row;
  // written slot by slot: a push of many values at once takes a slow path of V8 (≈ 0.6 s a million rows)
  let at = out.length;
  out[at++] = p.accountId;
  out[at++] = p.hash;
  out[at++] = p.given;
  out[at++] = r.name;
  out[at++] = r.email;
  out[at++] = ROLES.indexOf(r.role as (typeof ROLES)[number]);
  out[at++] = r.is_primary;
  out[at++] = STATUSES.indexOf(r.status as (typeof STATUSES)[number]);
  out[at++] = r.invited_at;
  out[at++] = r.last_login_at;
  const asRead = p.emailText === r.email && (p.isPrimaryText === undefined || p.isPrimaryText === (r.is_primary ? 'true' : 'false'));
  out[at++] = asRead ? undefined : [p.emailText, p.isPrimaryText];
  out[at] = r.email_key === r.email ? undefined : r.email_key;
}

/** The prepared contact packed at `at` (PACKED_WIDTH slots). */
export function unpackContact(line: number, b: readonly unknown[], at: number): PreparedContact {
  const accountId = b[at] as number;
  const given = b[at + 2] as number;
  const email = b[at + 4] as string;
  const isPrimary = b[at + 6] as number;
  const texts = b[at + 10] as [string, string | undefined] | undefined;
  return {
    line,
    accountId,
    hash: b[at + 1] as number,
    given,
    row: {
      account_id: accountId,
      name: b[at + 3],
      email,
      email_key: b[at + 11] ?? email,
      role: ROLES[b[at + 5] as number],
      is_primary: isPrimary,
      status: STATUSES[b[at + 7] as number],
      invited_at: b[at + 8],
      last_login_at: b[at + 9],
    },
    emailText: texts ? texts[0] : email,
    isPrimaryText: !(given & PRIMARY_GIVEN) ? undefined : texts ? texts[1] : isPrimary ? 'true' : 'false',
  };
}

/** What the reader thread's preparer needs: the date format and every account's stored key (folded external id) and id. */
export interface ContactsThreadData {
  dateFormat: DateFormat;
  accountKeys: string[];
  accountIds: number[];
}

/** The reader thread's preparer (src/import/bulk/prepared.ts): accounts resolved from its copy of them. */
export function readerPreparer(data: ContactsThreadData): ThreadPreparer {
  const accounts = new RefIndex(data.accountIds.length);
  for (let i = 0; i < data.accountIds.length; i++) accounts.add(data.accountKeys[i]!, data.accountIds[i]!);
  const find = (t: string) => accounts.find(t);
  return {
    fields: CONTACT_FIELDS,
    prepare(line, cells, out) {
      const p = prepareContactCells(line, cells, data.dateFormat, find);
      if (Array.isArray(p)) return false;
      packContact(p, out);
      return true;
    },
  };
}
