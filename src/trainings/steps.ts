/**
 * A training's steps: `advance` moves it one step along requested → confirmed → contract_requested →
 * contract_sent → signed → delivered, `cancel` ends it before delivered. Each step keeps its day and
 * who took it, and is audited. The caller owns the transaction.
 */
import type { Kysely } from '#kysely';
import { audit } from '../audit/audit.js';
import type { DB } from '../db/schema/index.js';
import { InvalidDataError, RefusedError } from '../errors.js';
import { checkDate, checkFilter } from '../lib/checks.js';
import { getManagerFor } from '../managers/lookup.js';
import type { Op } from '../op.js';
import { trainingField } from './fields.js';
import { stateOfRow, toTrainingRecord, trainingsQuery, type TrainingWithRefs } from './record.js';
import { advanceProblem, cancelProblem, missingFor, nextStep, stepDateProblem, trainingKey } from './rules.js';
import { getTraining, recordStep, showTraining, type TrainingDetails } from './service.js';

export interface StepInput {
  /** the step expected next (advance refuses any other) */
  to?: string;
  /** login of who took the step; for confirmed the training expert (required) */
  by?: string;
  /** the day of the step (default: the as-of date) */
  on?: string;
}

/** Moves a training one step forward; refused, naming what is expected, when the step is not the next one. */
export async function advanceTraining(db: Kysely<DB>, op: Op, key: string, input: StepInput = {}): Promise<TrainingDetails> {
  const row = await getTraining(db, key);
  const k = trainingKey(row.number);
  const to = checkFilter<string>({ ...trainingField('status'), name: 'to' }, input.to);
  const problem = advanceProblem(k, row.status, to, input.by);
  if (problem) throw new RefusedError(problem);
  const next = nextStep(row.status)!;
  const missing = missingFor(next, stateOfRow(row));
  if (missing.length > 0)
    throw new InvalidDataError(
      missing,
      `set ${missing.map((p) => `--${p.field.replace(/_/g, '-')}`).join(', ')} first with: acctmgr trainings edit ${k}`,
    );
  const expert = next === 'confirmed' ? (await getManagerFor(db, 'by', input.by!)).id : undefined;
  return takeStep(db, op, row, next, input, 'advance', expert);
}

/** Cancels a training at any step before delivered. */
export async function cancelTraining(db: Kysely<DB>, op: Op, key: string, input: Omit<StepInput, 'to'> = {}): Promise<TrainingDetails> {
  const row = await getTraining(db, key);
  const problem = cancelProblem(trainingKey(row.number), row.status);
  if (problem) throw new RefusedError(problem);
  return takeStep(db, op, row, 'cancelled', input, 'cancel');
}

async function takeStep(
  db: Kysely<DB>,
  op: Op,
  row: TrainingWithRefs,
  to: string,
  input: StepInput,
  action: string,
  expertId?: number,
): Promise<TrainingDetails> {
  const actor = input.by === undefined ? op.actor : (await getManagerFor(db, 'by', input.by)).login;
  const on = checkDate('on', input.on) ?? op.asOf;
  const previous = await db
    .selectFrom('training_steps')
    .select(['status', 'on_date'])
    .where('training_id', '=', row.id)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  const dateProblem = stepDateProblem(on, to, previous, stateOfRow(row).dates, op.asOf);
  if (dateProblem) throw new InvalidDataError([dateProblem]);
  const before = toTrainingRecord(row);
  await db
    .updateTable('trainings')
    .set({ status: to, ...(expertId !== undefined ? { expert_id: expertId } : {}), updated_at: op.now })
    .where('id', '=', row.id)
    .execute();
  await recordStep(db, op, row.id, to, on, actor);
  const after = toTrainingRecord(await trainingsQuery(db).where('t.id', '=', row.id).executeTakeFirstOrThrow());
  await audit(db, op, { action, entity: 'training', key: after.id, before, after: { ...after, step: { status: to, date: on, actor } } });
  return showTraining(db, after.id);
}
