/**
 * A contact moved to another account must not take its seats along: a seat's email is looked up among the
 * contacts of the subscription's account (docs/subscriptions.md). The move is refused while the contact holds
 * seats that are not removed there; removed seats are history and move with it. db check and doctor report
 * seats that older versions left with another account's contact.
 */
import { describe, expect, it } from 'vitest';
import { runDoctor } from '../../src/composites/doctor.js';
import { addSeat, recordLogin } from '../../src/composites/seats.js';
import { addActivity } from '../../src/activities/service.js';
import { addContact, editContact, removeContact, showContact } from '../../src/contacts/service.js';
import { checkDatabase } from '../../src/db/maintenance.js';
import { ConflictError } from '../../src/errors.js';
import { addRequest, showRequest } from '../../src/requests/service.js';
import { listSeats, removeSeat } from '../../src/seats/service.js';
import { eachTestDb, testOp } from '../helpers/db.js';

const op = testOp();
const t = eachTestDb(async () => {
  await t.seed.seatSet(op); // S1 of SCH-1
  await t.seed.basicSubscription(op, 'S0', 'SCH-1');
  await addSeat(t.db, op, { email: 't@x.example', subscription: 'S1', name: 'T' });
  await addSeat(t.db, op, { email: 't@x.example', subscription: 'S0' });
});

const move = (to: string) => editContact(t.db, op, 't@x.example', undefined, { account_external_id: to });

describe('contacts edit --account-external-id with seats', () => {
  it('is refused while the contact holds live seats on its account, naming them; nothing changes', async () => {
    const refused = move('SCH-2');
    await expect(refused).rejects.toBeInstanceOf(ConflictError);
    await expect(refused).rejects.toThrow(
      'contact t@x.example of account SCH-1 holds 2 seat(s) that are not removed on subscriptions of that account: S0, S1',
    );
    await expect(move('SCH-2')).rejects.toMatchObject({
      hint: expect.stringContaining('acctmgr seats remove t@x.example --subscription S0'),
    });
    expect(await showContact(t.db, 't@x.example')).toMatchObject({ account_external_id: 'SCH-1' });
    // other edits of the contact are not affected
    expect(await editContact(t.db, op, 't@x.example', undefined, { name: 'Teacher' })).toMatchObject({ name: 'Teacher' });
  });

  it('moves once the seats are removed; the removed seats go with it as history, and the email can be invited again', async () => {
    await removeSeat(t.db, op, 't@x.example', 'S1');
    await expect(move('SCH-2')).rejects.toThrow('holds 1 seat(s) that are not removed on subscriptions of that account: S0');
    await removeSeat(t.db, op, 't@x.example', 's0');
    expect(await move('SCH-2')).toMatchObject({ account_external_id: 'SCH-2' });
    expect((await listSeats(t.db, { status: 'removed' })).map((s) => `${s.subscription_external_id}/${s.email}`)).toEqual([
      'S0/t@x.example',
      'S1/t@x.example',
    ]);
    // invited again: a new contact of SCH-1, whose seat is the one S1/t@x.example now names
    await addSeat(t.db, op, { email: 't@x.example', subscription: 'S1' });
    expect(await recordLogin(t.db, op, 't@x.example', 'S1', '2026-11-01T08:00:00Z')).toMatchObject({ status: 'active' });
    expect((await checkDatabase(t.handle)).seats_of_other_accounts).toEqual([]);
  });

  it("is refused while its account's requests or activities name the contact, naming them (they stay); the hinted way works", async () => {
    await removeSeat(t.db, op, 't@x.example', 'S1');
    await removeSeat(t.db, op, 't@x.example', 'S0');
    const r = await addRequest(t.db, op, { account_external_id: 'SCH-1', contact_email: 't@x.example', subject: 'Help' });
    for (const subject of ['Call', 'Mail'])
      await addActivity(t.db, op, { account_external_id: 'SCH-1', kind: 'call', subject, contact_email: 't@x.example' });
    const refused = move('SCH-2');
    await expect(refused).rejects.toBeInstanceOf(ConflictError);
    await expect(refused).rejects.toThrow(
      `contact t@x.example of account SCH-1 is named by that account's 1 request: ${r.id}; 2 activities: ACT-000001, ACT-000002; ` +
        'it cannot move to another account while it is (they stay with the account)',
    );
    await expect(move('SCH-2')).rejects.toMatchObject({
      hint:
        'add the person to the other account instead: acctmgr contacts add --account-external-id SCH-2 --email t@x.example; ' +
        'then, if they left, acctmgr contacts remove t@x.example --account SCH-1 --yes',
    });
    expect(await showContact(t.db, 't@x.example')).toMatchObject({ account_external_id: 'SCH-1' });
    expect(await addContact(t.db, op, { account_external_id: 'SCH-2', email: 't@x.example' })).toMatchObject({
      account_external_id: 'SCH-2',
    });
    expect(await removeContact(t.db, op, 't@x.example', 'SCH-1')).toMatchObject({ status: 'removed' });
    expect(await showRequest(t.db, r.id)).toMatchObject({ account_external_id: 'SCH-1', contact_email: 't@x.example' });
  });

  it('db check and doctor report live seats whose contact is of another account (data of older versions)', async () => {
    const sch2 = await t.db.selectFrom('accounts').select('id').where('external_id', '=', 'SCH-2').executeTakeFirstOrThrow();
    await t.db.updateTable('contacts').set({ account_id: sch2.id }).where('email', '=', 't@x.example').execute();
    const report = await checkDatabase(t.handle);
    expect(report.ok).toBe(false);
    expect(report.seats_of_other_accounts).toEqual([
      {
        seat_id: expect.any(Number),
        subscription_external_id: 'S1',
        email: 't@x.example',
        account_external_id: 'SCH-1',
        contact_account_external_id: 'SCH-2',
      },
      {
        seat_id: expect.any(Number),
        subscription_external_id: 'S0',
        email: 't@x.example',
        account_external_id: 'SCH-1',
        contact_account_external_id: 'SCH-2',
      },
    ]);
    const findings = await runDoctor(t.handle, op.asOf);
    expect(findings.find((f) => f.check === 'database')?.problem).toContain(
      '2 seat(s) whose contact is of another account than the subscription',
    );
    // the fix the finding names reaches such a seat
    await removeSeat(t.db, op, 't@x.example', 'S1');
    await removeSeat(t.db, op, 't@x.example', 'S0');
    expect((await checkDatabase(t.handle)).ok).toBe(true);
  });
});
