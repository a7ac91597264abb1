/**
 * `activities agenda`: the planned activities of a day for each manager — overdue (before the day), due
 * on the day, and due in the next N days — each with its account. A manager on leave on the day has
 * their agenda shown to their backup, by the leave rule of the reminders (src/managers/leave.ts).
 */
import type { Kysely } from '#kysely';
import type { DB } from '../db/schema/index.js';
import { invalid } from '../errors.js';
import { addDays, boundDate, timestampDate } from '../lib/dates.js';
import { currentLeave, resolveRecipient } from '../managers/leave.js';
import { getManager } from '../managers/lookup.js';
import { activitiesQuery, toActivityRecord } from './record.js';

export const AGENDA_PARTS = ['overdue', 'today', 'upcoming'] as const;
export type AgendaPart = (typeof AGENDA_PARTS)[number];

export interface AgendaRow {
  /** whose agenda it is on: the activity's manager, or their backup while they are on leave */
  agenda_of: string | null;
  part: AgendaPart;
  at: string;
  id: string;
  account_external_id: string;
  account_name: string;
  kind: string;
  subject: string;
  contact_email: string | null;
  /** the activity's own manager when the agenda is their backup's */
  covering_for: string | null;
}

export interface Agenda {
  rows: AgendaRow[];
  /** `--manager` is on leave on the day: whose agenda holds theirs */
  shown_to?: string;
}

export const DEFAULT_AGENDA_DAYS = 7;

export async function agenda(db: Kysely<DB>, day: string, f: { manager?: string; days?: number } = {}): Promise<Agenda> {
  const days = f.days ?? DEFAULT_AGENDA_DAYS;
  if (!Number.isSafeInteger(days) || days < 0 || days > 366) throw invalid('days', days, 'must be a whole number from 0 to 366');
  const last = boundDate(() => addDays(day, days));
  const end = boundDate(() => addDays(last, 1));
  const rows = await activitiesQuery(db)
    .select('acc.name as account_name')
    .where('t.status', '=', 'planned')
    .where('t.at', '<', `${end}T00:00:00Z`)
    .orderBy('t.at')
    .orderBy('t.number')
    .execute();
  const holder = new Map<number, string>();
  const out: AgendaRow[] = [];
  for (const r of rows) {
    let agendaOf: string | null = null;
    if (r.manager_id !== null) {
      if (!holder.has(r.manager_id)) holder.set(r.manager_id, (await resolveRecipient(db, r.manager_id, day)).login);
      agendaOf = holder.get(r.manager_id)!;
    }
    const date = timestampDate(r.at);
    const rec = toActivityRecord(r);
    out.push({
      agenda_of: agendaOf,
      part: date < day ? 'overdue' : date === day ? 'today' : 'upcoming',
      at: rec.at,
      id: rec.id,
      account_external_id: rec.account_external_id,
      account_name: r.account_name,
      kind: rec.kind,
      subject: rec.subject,
      contact_email: rec.contact_email,
      covering_for: agendaOf !== null && agendaOf !== rec.manager_login ? rec.manager_login : null,
    });
  }
  const order = (r: AgendaRow) => AGENDA_PARTS.indexOf(r.part);
  // by manager (code-point order; activities without one last), then overdue, today, upcoming; each by time
  out.sort((a, b) => cmp(a.agenda_of, b.agenda_of) || order(a) - order(b));
  if (f.manager === undefined) return { rows: out };
  const m = await getManager(db, f.manager);
  const leave = await currentLeave(db, m.id, day);
  const mine = out.filter((r) => r.agenda_of === m.login);
  return leave ? { rows: mine, shown_to: (await resolveRecipient(db, m.id, day)).login } : { rows: mine };
}

function cmp(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}
