/**
 * The reminder schedule, as pure date arithmetic. A cycle is a list of stages counted from one date
 * (a subscription's end_date, a seat's last login or invitation date, a payment date). Stage i is
 * sendable on [due_i, due_{i+1}); the last stage on [due, due + 30 days). So on any date at most one
 * stage of a cycle is sendable, and a run after missed days still sends the current stage, never a
 * stale one.
 */
import type { NoticeKind } from '../db/schema/notices.js';
import { addDays, addMonths, addMonthsThenDays, boundDate, DateRangeError, fromDayNumber, toDayNumber } from '../lib/dates.js';

/** How long the last stage of a cycle stays sendable. */
export const LAST_STAGE_DAYS = 30;

interface StageDef {
  stage: string;
  due: (base: string) => string;
}

const STAGES: Record<NoticeKind, readonly StageDef[]> = {
  renewal: [
    { stage: 'renewal-6w', due: (e) => addDays(e, -42) },
    { stage: 'renewal-2w', due: (e) => addDays(e, -14) },
    { stage: 'renewal-0d', due: (e) => e },
    { stage: 'renewal+2w', due: (e) => addDays(e, 14) },
    { stage: 'renewal+3m', due: (e) => addMonths(e, 3) },
    { stage: 'renewal+6m', due: (e) => addMonths(e, 6) },
  ],
  dormancy: [
    { stage: 'dormant-3m', due: (b) => addMonths(b, 3) },
    { stage: 'dormant-6m', due: (b) => addMonths(b, 6) },
  ],
  activation: [{ stage: 'activation', due: (p) => p }],
};

export interface ScheduledStage {
  stage: string;
  due_date: string;
  /** first day the stage is no longer sendable; null: that day would be after 9999-12-31 */
  until: string | null;
}

/**
 * Every stage of the cycle that starts from `base`, with its sendable window. A stage due outside
 * 1900-01-01..9999-12-31 is left out: no as-of date ever reaches it.
 */
export function cycleStages(kind: NoticeKind, base: string): ScheduledStage[] {
  const defs = STAGES[kind];
  const dues = defs.map((d) => inRange(() => d.due(base)));
  return defs.flatMap((d, i) => {
    const due = dues[i];
    if (due === undefined) return [];
    const until = i + 1 < defs.length ? dues[i + 1] : inRange(() => addDays(due, LAST_STAGE_DAYS));
    return [{ stage: d.stage, due_date: due, until: until ?? null }];
  });
}

function inRange(compute: () => string): string | undefined {
  try {
    return compute();
  } catch (e) {
    if (e instanceof DateRangeError) return undefined;
    throw e;
  }
}

/** The index of the stage sendable on asOf, or -1 when none is (before the first, after the last). */
export function currentStageIndex(stages: readonly ScheduledStage[], asOf: string): number {
  for (let i = stages.length - 1; i >= 0; i--) {
    const s = stages[i]!;
    if (s.due_date <= asOf) return s.until === null || asOf < s.until ? i : -1;
  }
  return -1;
}

/** Per-stage offsets in days (d) or calendar months (m) from the cycle's base date. */
const OFFSETS: Record<NoticeKind, readonly { stage: string; d?: number; m?: number }[]> = {
  renewal: [
    { stage: 'renewal-6w', d: -42 },
    { stage: 'renewal-2w', d: -14 },
    { stage: 'renewal-0d', d: 0 },
    { stage: 'renewal+2w', d: 14 },
    { stage: 'renewal+3m', m: 3 },
    { stage: 'renewal+6m', m: 6 },
  ],
  dormancy: [
    { stage: 'dormant-3m', m: 3 },
    { stage: 'dormant-6m', m: 6 },
  ],
  activation: [{ stage: 'activation', d: 0 }],
};

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Day number of base + months (clamped to the month's end), without building strings. */
function monthsLater(y: number, m: number, d: number, months: number): number {
  const total = y * 12 + (m - 1) + months;
  const ny = Math.floor(total / 12);
  const nm = total % 12;
  const last = nm === 1 && isLeap(ny) ? 29 : MONTH_DAYS[nm]!;
  return Date.UTC(ny, nm, Math.min(d, last)) / 86_400_000;
}

/**
 * A day number's date text, one string per day: a run holds the due date of every notice (a few hundred
 * distinct days among 160,000 notices), so each day's text is made once and shared.
 */
const dayTexts = new Map<number, string>();
function dayText(day: number): string {
  let text = dayTexts.get(day);
  if (text === undefined) {
    if (dayTexts.size >= 4096) dayTexts.clear();
    dayTexts.set(day, (text = fromDayNumber(day)));
  }
  return text;
}

export interface SendableStage {
  index: number;
  stage: string;
  due_date: string;
}

/**
 * The stage of the cycle sendable on the day numbered asOfDay, or null: the same answer as
 * cycleStages + currentStageIndex, computed on day numbers because it runs for every candidate row.
 */
export function sendableStage(kind: NoticeKind, base: string, asOfDay: number): SendableStage | null {
  const offsets = OFFSETS[kind];
  const baseDay = toDayNumber(base);
  const y = Number(base.slice(0, 4));
  const mo = Number(base.slice(5, 7));
  const d = Number(base.slice(8, 10));
  const due = (i: number) => {
    const o = offsets[i]!;
    return o.m !== undefined ? monthsLater(y, mo, d, o.m) : baseDay + o.d!;
  };
  for (let i = offsets.length - 1; i >= 0; i--) {
    const dueDay = due(i);
    if (dueDay > asOfDay) continue;
    const until = i === offsets.length - 1 ? dueDay + LAST_STAGE_DAYS : due(i + 1);
    return asOfDay < until ? { index: i, stage: offsets[i]!.stage, due_date: dayText(dueDay) } : null;
  }
  return null;
}

/**
 * Bounds for SQL pre-filtering of a cycle's base date: a cycle can have a sendable stage on asOf only
 * if its base lies in [lo, hi]. Generous by a few days (month clamping); the exact test is
 * currentStageIndex.
 */
export function baseBounds(kind: NoticeKind, asOf: string): { lo: string; hi: string } {
  switch (kind) {
    case 'renewal':
      return { lo: boundDate(() => addMonthsThenDays(asOf, -6, -(LAST_STAGE_DAYS + 4))), hi: boundDate(() => addDays(asOf, 42)) };
    case 'dormancy':
      return {
        lo: boundDate(() => addMonthsThenDays(asOf, -6, -(LAST_STAGE_DAYS + 4))),
        hi: boundDate(() => addMonthsThenDays(asOf, -3, 4)),
      };
    case 'activation':
      return { lo: boundDate(() => addDays(asOf, -LAST_STAGE_DAYS)), hi: asOf };
  }
}

/** The ledger key: kind, subject, stage, cycle (unique in the notices table). */
export function noticeKey(kind: string, subjectId: number, stage: string, cycle: string): string {
  return `${kind}|${subjectId}|${stage}|${cycle}`;
}
