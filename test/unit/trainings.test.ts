import { describe, expect, it } from 'vitest';
import { listAudit } from '../../src/audit/audit.js';
import { renewSubscription, renewWithTraining } from '../../src/composites/renew.js';
import { subscribe } from '../../src/composites/subscribe.js';
import { InvalidDataError, RefusedError } from '../../src/errors.js';
import { editPlan } from '../../src/plans/service.js';
import { applyUpgrade } from '../../src/subscriptions/upgrade.js';
import { addSubscription } from '../../src/subscriptions/service.js';
import { listTrainings } from '../../src/trainings/list.js';
import { addTraining, editTraining, includePackageTraining, showTraining } from '../../src/trainings/service.js';
import { advanceTraining, cancelTraining } from '../../src/trainings/steps.js';
import { eachTestDb, testOp } from '../helpers/db.js';
import { Importer } from '../helpers/import.js';

const op = testOp(); // 2026-11-25
const t = eachTestDb(async () => {
  await t.seed.standardSet(op); // anna, bob; SCH-1, SCH-2 (anna), TUT-1; plans BIO-BASIC, BIO-MAX …
  await t.seed.manager('xpert');
  const sch1 = (await t.db.selectFrom('accounts').select('id').where('external_id', '=', 'SCH-1').executeTakeFirstOrThrow()).id;
  for (const e of ['t1@sch1.example', 't2@sch1.example', 't3@sch1.example']) await t.seed.contact(sch1, e);
  await t.seed.set('contacts', await t.seed.contact(sch1, 'head@sch1.example'), { role: 'director' });
  await t.seed.set('contacts', await t.seed.contact(sch1, 'gone@sch1.example'), { role: 'teacher', status: 'removed' });
});

const BASE = { account_external_id: 'SCH-1', topic: 'Formative assessment', participants: 20 };
const add = (extra: Record<string, unknown> = {}, on = op) => addTraining(t.db, on, { ...BASE, ...extra });
/** Requested a week before the as-of date, so the steps can take earlier days. */
const earlier = testOp({ asOf: '2026-11-18' });
/** Everything a training needs from confirmed on. */
const READY = { format: 'onsite', dates: '2026-12-03', credits: 1, register_no: 'NRQ-2026-0412' };
const count = async () =>
  (
    await t.db
      .selectFrom('trainings')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow()
  ).n;
const refusal = async (p: Promise<unknown>) => {
  const e = await p.catch((x: unknown) => x);
  expect(e).toBeInstanceOf(Error);
  return e as Error;
};

describe('trainings add and edit', () => {
  it('keys TRN-000001 …; requested with only account, topic and participants; defaults; manager the account’s; a first step; audited', async () => {
    const r = await add();
    expect(r).toEqual({
      id: 'TRN-000001',
      account_external_id: 'SCH-1',
      subscription_external_id: null,
      topic: 'Formative assessment',
      credits: 0,
      register_no: null,
      format: null,
      venue: null,
      participants: 20,
      dates: [],
      travel: false,
      source: 'direct',
      price: '0.00',
      currency: null,
      manager_login: 'anna',
      expert_login: null,
      status: 'requested',
      notes: null,
    });
    expect((await add({ manager_login: 'bob' })).id).toBe('TRN-000002');
    expect((await showTraining(t.db, 'trn-000001')).history).toEqual([{ status: 'requested', date: '2026-11-25', actor: 'tester' }]);
    expect((await listAudit(t.db, { entity: 'training' })).map((a) => [a.action, a.key])).toEqual([
      ['add', 'TRN-000001'],
      ['add', 'TRN-000002'],
    ]);
  });

  it('bad values name field and value (every one at once) and change nothing', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ participants: 0 }, 'participants: "0": must be at least 1'],
      [{ credits: -1 }, 'credits: "-1": must be at least 0'],
      [{ format: 'hybrid' }, 'format: "hybrid": must be one of onsite, offsite, online'],
      [{ source: 'package', price: '10.00', currency: 'EUR' }, 'price: "10.00": must be 0 for a package training'],
      [{ price: '900.00' }, 'currency: "": is required with a price'],
      [{ price: '900.00', currency: 'EURO' }, 'currency: "EURO": must be a three-letter ISO 4217 code, e.g. EUR'],
      [{ format: 'onsite', travel: true }, 'travel: "true": only for an offsite training'],
      [{ dates: '2026-12-03;2026-02-30' }, 'dates: "2026-02-30": is not a real calendar date'],
      [{ dates: '2026-12-03;2026-12-04;2026-12-05' }, 'dates: "2026-12-03;2026-12-04;2026-12-05": at most two dates'],
      [{ dates: '2026-12-04;2026-12-03' }, 'dates: "2026-12-04;2026-12-03": must be in order: the second date after the first'],
      [
        { format: 'onsite', dates: '2026-12-03;2026-12-10' },
        'dates: "2026-12-03;2026-12-10": two dates only for an online training or on two consecutive days',
      ],
      [{ subscription_external_id: 'SUB-404' }, 'subscription_external_id: "SUB-404": no subscription with this external_id'],
    ];
    for (const [extra, message] of cases) {
      const e = await refusal(add(extra));
      expect(e, message).toBeInstanceOf(InvalidDataError);
      expect(e.message).toContain(message);
    }
    const both = (await refusal(add({ participants: 'many', format: 'hybrid' }))) as InvalidDataError;
    expect(both.problems.map((p) => [p.field, p.value])).toEqual([
      ['format', 'hybrid'],
      ['participants', 'many'],
    ]);
    expect(await count()).toBe(0);
    expect(await listAudit(t.db, { entity: 'training' })).toEqual([]);
  });

  it('two dates: online on any two days in order, onsite and offsite only on consecutive days; travel only offsite', async () => {
    expect((await add({ format: 'online', dates: '2026-12-03;2026-12-10' })).dates).toEqual(['2026-12-03', '2026-12-10']);
    expect((await add({ format: 'offsite', venue: 'Hotel', dates: '2026-12-31;2027-01-01', travel: true })).travel).toBe(true);
    await editTraining(t.db, op, 'TRN-000001', { dates: '2026-12-03;2026-12-04' });
    await expect(editTraining(t.db, op, 'TRN-000002', { format: 'online' })).rejects.toThrow(
      'travel: "true": only for an offsite training',
    );
    expect((await editTraining(t.db, op, 'TRN-000002', { format: 'online', travel: false })).format).toBe('online');
  });

  it('edit: what the step requires stays required; nothing given changes nothing and is not audited', async () => {
    await add(READY);
    await advanceTraining(t.db, op, 'TRN-000001', { by: 'xpert' });
    await expect(editTraining(t.db, op, 'TRN-000001', { dates: '' })).rejects.toThrow(
      'dates: "": is required for a confirmed training (from confirmed on)',
    );
    await expect(editTraining(t.db, op, 'TRN-000001', { format: 'offsite' })).rejects.toThrow(
      'venue: "": is required for a confirmed training (from confirmed on)',
    );
    await expect(editTraining(t.db, op, 'TRN-000001', { topic: '' })).rejects.toThrow('topic: "": is required');
    await expect(editTraining(t.db, op, 'TRN-000001', { subscription_external_id: 'SUB-000001' })).rejects.toThrow(
      'no subscription with this external_id',
    );
    expect((await editTraining(t.db, op, 'TRN-000001', { topic: 'Formative assessment' })).topic).toBe('Formative assessment');
    expect((await editTraining(t.db, op, 'TRN-000001', { venue: 'Room 12', credits: 0, register_no: '' })).venue).toBe('Room 12');
    expect((await listAudit(t.db, { entity: 'training' })).map((a) => a.action)).toEqual(['add', 'advance', 'edit']);
  });
});

describe('trainings advance and cancel', () => {
  it('one step at a time, in order; --to names the next step; each step kept with its day and actor, and audited', async () => {
    await add(READY, earlier);
    const steps = ['confirmed', 'contract_requested', 'contract_sent', 'signed', 'delivered'];
    const days = ['2026-11-20', '2026-11-21', '2026-11-21', '2026-11-24', '2026-12-03'];
    for (const [i, to] of steps.entries()) {
      const r = await advanceTraining(t.db, testOp({ asOf: days[i] }), 'TRN-000001', { to, ...(i === 0 ? { by: 'xpert' } : {}) });
      expect(r.status).toBe(to);
    }
    const shown = await showTraining(t.db, 'TRN-000001');
    expect(shown.expert_login).toBe('xpert');
    expect(shown.history).toEqual([
      { status: 'requested', date: '2026-11-18', actor: 'tester' },
      { status: 'confirmed', date: '2026-11-20', actor: 'xpert' },
      { status: 'contract_requested', date: '2026-11-21', actor: 'tester' },
      { status: 'contract_sent', date: '2026-11-21', actor: 'tester' },
      { status: 'signed', date: '2026-11-24', actor: 'tester' },
      { status: 'delivered', date: '2026-12-03', actor: 'tester' },
    ]);
    const audit = await listAudit(t.db, { entity: 'training' });
    expect(audit.map((a) => a.action)).toEqual(['add', 'advance', 'advance', 'advance', 'advance', 'advance']);
    expect(audit[1]).toMatchObject({
      before: { status: 'requested', expert_login: null },
      after: { status: 'confirmed', expert_login: 'xpert', step: { status: 'confirmed', date: '2026-11-20', actor: 'xpert' } },
    });
    await expect(advanceTraining(t.db, op, 'TRN-000001')).rejects.toThrow('training TRN-000001 is delivered: it has no next step');
    await expect(cancelTraining(t.db, op, 'TRN-000001')).rejects.toThrow('training TRN-000001 is delivered: it cannot be cancelled');
  });

  it('skipping a step, going back, --to cancelled and confirming without --by are refused naming the expected step; nothing changes', async () => {
    await add(READY);
    const refused = async (input: Record<string, string>, message: string) => {
      const e = await refusal(advanceTraining(t.db, op, 'TRN-000001', input));
      expect(e).toBeInstanceOf(RefusedError);
      expect(e.message).toBe(message);
    };
    await refused(
      {},
      'training TRN-000001 is requested: the next step, confirmed, needs --by LOGIN (the training expert who confirmed it)',
    );
    await refused({ to: 'contract_sent', by: 'xpert' }, 'training TRN-000001 is requested: the next step is confirmed, not contract_sent');
    await advanceTraining(t.db, op, 'TRN-000001', { by: 'xpert' });
    await refused({ to: 'requested' }, 'training TRN-000001 is confirmed: the next step is contract_requested, not requested');
    await refused(
      { to: 'cancelled' },
      'training TRN-000001 is confirmed: the next step is contract_requested, not cancelled (cancel it with: acctmgr trainings cancel)',
    );
    await expect(advanceTraining(t.db, op, 'TRN-000001', { to: 'done' })).rejects.toThrow('to: "done": must be one of requested');
    await expect(advanceTraining(t.db, op, 'TRN-000001', { by: 'nobody' })).rejects.toThrow('by: "nobody": no manager with this login');
    const shown = await showTraining(t.db, 'TRN-000001');
    expect(shown.status).toBe('confirmed');
    expect(shown.history).toHaveLength(2);
  });

  it('confirming needs format, dates, register_no with credits and venue offsite: refused naming every missing field', async () => {
    await add({ credits: 2 });
    const e = await refusal(advanceTraining(t.db, op, 'TRN-000001', { by: 'xpert' }));
    expect(e).toBeInstanceOf(InvalidDataError);
    expect((e as InvalidDataError).problems.map((p) => p.field)).toEqual(['format', 'dates', 'register_no']);
    expect(e.message).toContain('format: "": is required for a confirmed training (from confirmed on)');
    expect((e as InvalidDataError).hint).toBe('set --format, --dates, --register-no first with: acctmgr trainings edit TRN-000001');
    await editTraining(t.db, op, 'TRN-000001', { format: 'offsite', dates: '2026-12-03', register_no: 'NRQ-1' });
    await expect(advanceTraining(t.db, op, 'TRN-000001', { by: 'xpert' })).rejects.toThrow('venue: "": is required');
    await editTraining(t.db, op, 'TRN-000001', { venue: 'Hotel Panorama' });
    expect((await advanceTraining(t.db, op, 'TRN-000001', { by: 'xpert' })).status).toBe('confirmed');
  });

  it('--on defaults to the as-of date, may not be before the previous step; delivered neither before the last training date nor after today', async () => {
    await add({ ...READY, format: 'online', dates: '2026-12-03;2026-12-10' }, earlier);
    await expect(advanceTraining(t.db, op, 'TRN-000001', { by: 'xpert', on: '2026-11-24' })).resolves.toMatchObject({
      status: 'confirmed',
    });
    await expect(advanceTraining(t.db, op, 'TRN-000001', { on: '2026-11-23' })).rejects.toThrow(
      'on: "2026-11-23": is before the previous step (confirmed on 2026-11-24)',
    );
    await expect(advanceTraining(t.db, op, 'TRN-000001', { on: '2026-02-30' })).rejects.toThrow(
      'on: "2026-02-30": is not a real calendar date',
    );
    await advanceTraining(t.db, op, 'TRN-000001', { on: '2026-11-24' });
    await advanceTraining(t.db, op, 'TRN-000001');
    await advanceTraining(t.db, op, 'TRN-000001');
    await expect(advanceTraining(t.db, testOp({ asOf: '2026-12-09' }), 'TRN-000001')).rejects.toThrow(
      'on: "2026-12-09": is before the last training date (2026-12-10): a training is delivered on or after it',
    );
    expect((await showTraining(t.db, 'TRN-000001')).status).toBe('signed');
    // a training is delivered once it has taken place, not ahead
    await expect(advanceTraining(t.db, op, 'TRN-000001', { on: '2026-12-10' })).rejects.toThrow(
      'on: "2026-12-10": must not be after today (2026-11-25): a training is delivered once it has taken place',
    );
    expect((await advanceTraining(t.db, testOp({ asOf: '2026-12-11' }), 'TRN-000001', { on: '2026-12-10' })).history.at(-1)).toEqual({
      status: 'delivered',
      date: '2026-12-10',
      actor: 'tester',
    });
  });

  it('a delivered training keeps its dates on or before the day it was delivered: edit and import, as advance', async () => {
    await add({ ...READY, format: 'online', dates: '2026-12-03;2026-12-10' }, earlier);
    await advanceTraining(t.db, op, 'TRN-000001', { by: 'xpert', on: '2026-11-24' });
    for (let i = 0; i < 4; i++) await advanceTraining(t.db, testOp({ asOf: '2026-12-12' }), 'TRN-000001', { on: '2026-12-12' });
    expect((await showTraining(t.db, 'TRN-000001')).status).toBe('delivered');
    const rule = 'a delivered training cannot have a date after the day it was delivered (2026-12-12)';
    await expect(editTraining(t.db, op, 'TRN-000001', { dates: '2027-06-01' })).rejects.toThrow(`dates: "2027-06-01": ${rule}`);
    const out = await new Importer(t).run(
      'trainings',
      'id,account_external_id,topic,participants,dates\nTRN-000001,SCH-1,T,20,2026-12-11;2026-12-13\n',
    );
    expect(out.errors.map((e) => e.replace(/^.*?:\d+: /, ''))).toEqual([`dates: "2026-12-11;2026-12-13": ${rule}`]);
    expect((await showTraining(t.db, 'TRN-000001')).dates).toEqual(['2026-12-03', '2026-12-10']);
    // dates up to the day it was delivered are fine
    expect((await editTraining(t.db, op, 'TRN-000001', { dates: '2026-12-12' })).dates).toEqual(['2026-12-12']);
  });

  it('a delivered training without a delivered step (imported history) has no date after today: import and edit', async () => {
    const im = new Importer(t);
    const header = 'id,account_external_id,topic,participants,format,dates,status,expert_login\n';
    const out = await im.run('trainings', header + ',SCH-1,Future delivered,5,online,2030-01-01,delivered,xpert\n');
    expect(out.errors.map((e) => e.replace(/^.*?:\d+: /, ''))).toEqual([
      'dates: "2030-01-01": a delivered training cannot have a date after today (2026-11-25)',
    ]);
    expect((await im.run('trainings', header + ',SCH-1,Past delivered,5,online,2026-11-25,delivered,xpert\n')).errors).toEqual([]);
    await expect(editTraining(t.db, op, 'TRN-000001', { dates: '2027-05-01' })).rejects.toThrow(
      'dates: "2027-05-01": a delivered training cannot have a date after today (2026-11-25)',
    );
    expect((await editTraining(t.db, op, 'TRN-000001', { dates: '2026-11-20' })).dates).toEqual(['2026-11-20']);
  });

  it('an import reads the dates column in the sheet’s --date-format too, as every date cell', async () => {
    const im = new Importer(t);
    const header = 'account_external_id,topic,participants,format,dates\n';
    const out = await im.run('trainings', `${header}SCH-1,Online course,5,online,07.01.2027;14.01.2027\n`, { dateFormat: 'DD.MM.YYYY' });
    expect(out.errors).toEqual([]);
    expect((await showTraining(t.db, 'TRN-000001')).dates).toEqual(['2027-01-07', '2027-01-14']);
    const iso = await im.run('trainings', `${header}SCH-1,Another,5,online,2027-02-01\n`, { dateFormat: 'DD.MM.YYYY' });
    expect(iso.errors).toEqual([]);
  });

  it('cancel from any step before delivered (not twice), with its day and actor; not before the previous step', async () => {
    for (let i = 0; i < 5; i++) await add(READY);
    for (let i = 2; i <= 5; i++) {
      const key = `TRN-00000${i}`;
      await advanceTraining(t.db, op, key, { by: 'xpert' });
      for (let j = 2; j < i; j++) await advanceTraining(t.db, op, key);
    }
    for (let i = 1; i <= 5; i++) expect((await cancelTraining(t.db, op, `TRN-00000${i}`, { by: 'bob' })).status).toBe('cancelled');
    expect((await showTraining(t.db, 'TRN-000005')).history.map((h) => h.status)).toEqual([
      'requested',
      'confirmed',
      'contract_requested',
      'contract_sent',
      'signed',
      'cancelled',
    ]);
    await expect(cancelTraining(t.db, op, 'TRN-000001')).rejects.toThrow('training TRN-000001 is cancelled: it cannot be cancelled');
    await expect(advanceTraining(t.db, op, 'TRN-000001')).rejects.toThrow('training TRN-000001 is cancelled: it has no next step');
    await add();
    await expect(cancelTraining(t.db, op, 'TRN-000006', { on: '2026-11-01' })).rejects.toThrow(
      'on: "2026-11-01": is before the previous step (requested on 2026-11-25)',
    );
  });
});

describe('package-included training', () => {
  const credits = (plan: string, n: number) => editPlan(t.db, op, plan, { included_training_credits: n });
  const SUB = { account_external_id: 'SCH-1', plan: 'BIO-MAX', students: 150, term_months: 12, start_date: '2026-01-15' };

  it('subscriptions add on a plan with included credits: a requested package training in the same transaction, participants = teachers', async () => {
    await credits('BIO-MAX', 1);
    const { subscription, training } = await subscribe(t.db, op, SUB);
    expect(training).toMatchObject({
      id: 'TRN-000001',
      account_external_id: 'SCH-1',
      subscription_external_id: subscription.external_id,
      topic: '(to be agreed)',
      credits: 1,
      participants: 3, // three teachers; the director and the removed teacher do not count
      source: 'package',
      price: '0.00',
      currency: 'EUR',
      manager_login: 'anna',
      status: 'requested',
    });
    const audit = await listAudit(t.db, {});
    expect(audit.slice(-2).map((a) => [a.entity, a.action])).toEqual([
      ['subscription', 'add'],
      ['training', 'add'],
    ]);
    // not twice for one subscription
    expect(await includePackageTraining(t.db, op, subscription.external_id)).toBeUndefined();
    expect(await count()).toBe(1);
  });

  it('an account without teachers gets 1 participant; a plan without credits, upgrades and imports create none', async () => {
    await credits('BIO-MAX', 2);
    expect((await subscribe(t.db, op, { ...SUB, account_external_id: 'SCH-2' })).training).toMatchObject({ participants: 1, credits: 2 });
    expect((await subscribe(t.db, op, { ...SUB, plan: 'BIO-BASIC' })).training).toBeUndefined();
    await applyUpgrade(t.db, op, 'SUB-000002', { plan: 'BIO-MAX' });
    const imported = await new Importer(t).run(
      'subscriptions',
      'external_id,account_external_id,plan,students,term_months,start_date\nSUB-IMP,SCH-1,BIO-MAX,150,12,2026-02-01\n',
    );
    expect(imported.summary).toMatchObject({ inserted: 1 });
    expect((await listTrainings(t.db)).map((r) => r.subscription_external_id)).toEqual(['SUB-000001']);
  });

  it('renew on such a plan: one package training for the successor, not twice; a renewal refused creates none', async () => {
    await addSubscription(t.db, op, { ...SUB, plan: 'BIO-BASIC' }); // SUB-000001, before the plan included anything
    await credits('BIO-BASIC', 1);
    const renewed = await renewWithTraining(t.db, op, 'SUB-000001');
    expect(renewed.training).toMatchObject({ subscription_external_id: renewed.subscription.external_id, source: 'package' });
    await expect(renewSubscription(t.db, op, 'SUB-000001')).rejects.toThrow('is already renewed');
    expect(await includePackageTraining(t.db, op, renewed.subscription.external_id)).toBeUndefined();
    // renewing onto a plan with credits from one without
    await credits('BIO-BASIC', 0);
    await credits('BIO-MAX', 1);
    const again = await renewWithTraining(t.db, op, renewed.subscription.external_id, { plan: 'BIO-MAX' });
    expect(again.training?.subscription_external_id).toBe(again.subscription.external_id);
    expect((await listTrainings(t.db, { source: 'package' })).map((r) => r.subscription_external_id)).toEqual(['SUB-000002', 'SUB-000003']);
  });
});
