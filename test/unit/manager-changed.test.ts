/**
 * `manager-changed` customer notices: recorded with every change a person makes (assign, edit
 * --manager-login, reassign, a renewal by another manager), one message per primary contact with the
 * new manager's name, email and phone, only the latest unsent change of an account, exactly once, in
 * the account's locale; in-doubt customer notices retried by --retry-in-doubt; templates of any locale.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { editAccount } from '../../src/accounts/service.js';
import { assignManager } from '../../src/composites/accounts.js';
import { reassign } from '../../src/composites/reassign.js';
import { renewSubscription } from '../../src/composites/renew.js';
import { writeTx } from '../../src/db/tx.js';
import { InvalidDataError } from '../../src/errors.js';
import { listNotices } from '../../src/notices/service.js';
import type { MailConfig } from '../../src/remind/mailer.js';
import { runRemind, type RunMode } from '../../src/remind/run.js';
import { eachTestDb, tempDir, testOp } from '../helpers/db.js';
import { Importer } from '../helpers/import.js';
import type { Seeder } from '../helpers/seed.js';
import { startSmtp, type TestSmtp } from '../helpers/smtp.js';

let smtp: TestSmtp;
let seed: Seeder;
let anna: number;
let school: number;
const t = eachTestDb(async () => {
  seed = t.seed;
  smtp = await startSmtp();
  anna = await seed.manager('anna', { name: 'Anna Kowalski' });
  const ben = await seed.manager('ben', { name: 'Ben Brown' });
  await t.db.updateTable('managers').set({ phone: '+359 2 555 0101' }).where('id', '=', ben).execute();
  await seed.manager('svetla', { name: 'Светла Петрова' });
  school = await seed.account('SCH-1', { manager: anna, name: 'Oak School' });
  await seed.contact(school, 'head@oak.example', { is_primary: true, name: 'Head' });
  await seed.contact(school, 'deputy@oak.example', { is_primary: true, name: 'Deputy' });
  await seed.contact(school, 'gone@oak.example', { is_primary: true, status: 'removed' });
  await seed.contact(school, 'teacher@oak.example', { name: 'Teacher' });
});
afterEach(async () => {
  await smtp.close();
});

const mail = (): MailConfig => ({ smtpUrl: smtp.url, from: 'Vendor <hello@vendor.example>', timeoutMs: 5000 });
function remind(mode: RunMode, extra: { asOf?: string; retryInDoubt?: boolean; templatesDir?: string } = {}) {
  const op = testOp(extra.asOf ? { asOf: extra.asOf } : {});
  return runRemind(t.db, op, { mode, mail: mail(), tx: (fn) => writeTx(t.db, fn), ...extra });
}
const tx = <T>(fn: Parameters<typeof writeTx<T>>[1]) => writeTx(t.db, fn);
const changes = async () =>
  (await t.db.selectFrom('manager_changes').select(['via', 'changed_on']).orderBy('id').execute()).map((c) => `${c.via}@${c.changed_on}`);
const mine = () => smtp.messages.filter((m) => m.refs.some((r) => r.startsWith('manager-changed/')));

describe('manager-changed notices', () => {
  it('accounts assign: each primary contact that is not removed is told the new manager (name, email, phone), the manager in Cc, once', async () => {
    await tx((db) => assignManager(db, testOp(), 'SCH-1', 'ben'));
    expect(await changes()).toEqual(['assign@2026-11-25']);
    const preview = await remind('preview');
    expect(preview.notices.map((n) => [n.kind, n.recipient_email, n.account_external_id, n.status])).toEqual([
      ['manager-changed', 'deputy@oak.example', 'SCH-1', 'due'],
      ['manager-changed', 'head@oak.example', 'SCH-1', 'due'],
    ]);
    const sent = await remind('send');
    expect(sent.notices.map((n) => n.status)).toEqual(['sent', 'sent']);
    expect(sent.emails).toBe(2);
    expect(
      mine()
        .map((m) => m.to.sort().join(' '))
        .sort(),
    ).toEqual(['ben@vendor.example deputy@oak.example', 'ben@vendor.example head@oak.example']);
    const m = mine().find((x) => x.to.includes('head@oak.example'))!;
    expect(m.subject).toBe('Your new account manager for Oak School: Ben Brown');
    expect(m.raw).toMatch(/^Cc: "?Ben Brown"? <ben@vendor\.example>/m);
    expect(m.text).toContain('Hello Head,');
    expect(m.text).toContain('from 2026-11-25 your account manager for Oak School (SCH-1) is Ben Brown.');
    expect(m.text).toContain('Ben Brown <ben@vendor.example>');
    expect(m.text).toContain('+359 2 555 0101');
    // exactly once: a later run (also within the window) sends nothing
    expect((await remind('send', { asOf: '2026-12-01' })).notices).toEqual([]);
    expect(mine()).toHaveLength(2);
    const ledger = (await listNotices(t.db, {})).filter((n) => n.kind === 'manager-changed');
    expect(ledger.map((n) => [n.status, n.contact_email, n.due_date])).toEqual(
      expect.arrayContaining([
        ['sent', 'head@oak.example', '2026-11-25'],
        ['sent', 'deputy@oak.example', '2026-11-25'],
      ]),
    );
  });

  it('only the latest unsent change of an account goes out; a change older than 30 days none', async () => {
    await tx((db) => assignManager(db, testOp({ asOf: '2026-11-20' }), 'SCH-1', 'ben'));
    await tx((db) => reassign(db, testOp({ asOf: '2026-11-24' }), 'ben', 'svetla'));
    await tx((db) => editAccount(db, testOp(), 'SCH-1', { manager_login: 'svetla' })); // no change: not recorded
    expect(await changes()).toEqual(['assign@2026-11-20', 'reassign@2026-11-24']);
    await remind('send');
    expect(mine()).toHaveLength(2);
    expect(mine().every((m) => m.text.includes('is Светла Петрова.'))).toBe(true);
    await tx((db) => editAccount(db, testOp({ asOf: '2026-11-26' }), 'SCH-1', { manager_login: 'anna' }));
    expect(await changes()).toEqual(['assign@2026-11-20', 'reassign@2026-11-24', 'edit@2026-11-26']);
    // sendable for 30 days: 2026-11-26 … 2026-12-25
    expect((await remind('preview', { asOf: '2026-12-25' })).notices.map((n) => n.due_date)).toEqual(['2026-11-26', '2026-11-26']);
    expect((await remind('preview', { asOf: '2026-12-26' })).notices).toEqual([]);
  });

  it('a renewal by another manager that moves the account is a change; an import is not', async () => {
    const sub = await seed.subscription('S-1', { account: school, end_date: '2026-12-31' });
    const { plan_id } = await t.db.selectFrom('subscriptions').select('plan_id').where('id', '=', sub).executeTakeFirstOrThrow();
    const now = '2026-01-01T00:00:00Z';
    await t.db
      .insertInto('plan_prices')
      .values({ plan_id, max_students: null, term_months: 12, amount_cents: 80_000, created_at: now, updated_at: now })
      .execute();
    await tx((db) => renewSubscription(db, testOp(), 'S-1', { by: 'ben' }));
    expect(await changes()).toEqual(['renew@2026-11-25']);
    const [preview] = (await remind('preview')).notices;
    expect(preview).toMatchObject({ kind: 'manager-changed', recipient_email: 'deputy@oak.example' });
  });

  it("a change whose manager is no longer the account's (cleared, made a tutor, another set by an import) is not due; back to them it is, once", async () => {
    const due = async (asOf?: string) =>
      (await remind('preview', asOf ? { asOf } : {})).notices.filter((n) => n.kind === 'manager-changed').map((n) => n.recipient_email);
    await tx((db) => assignManager(db, testOp(), 'SCH-1', 'ben'));
    expect(await due()).toEqual(['deputy@oak.example', 'head@oak.example']);
    await tx((db) => editAccount(db, testOp(), 'SCH-1', { manager_login: '' }));
    expect(await due()).toEqual([]);
    await tx((db) => editAccount(db, testOp(), 'SCH-1', { manager_login: 'ben' }));
    expect(await due()).toEqual(['deputy@oak.example', 'head@oak.example']);
    await tx((db) => editAccount(db, testOp(), 'SCH-1', { type: 'tutor', manager_login: '' }));
    expect(await due()).toEqual([]);
    await tx((db) => editAccount(db, testOp(), 'SCH-1', { type: 'school', manager_login: 'ben' }));
    const imp = new Importer(t);
    expect((await imp.run('accounts', 'external_id,name,type,manager_login\nSCH-1,Oak School,school,svetla\n')).errors).toEqual([]);
    expect(await due()).toEqual([]);
    await remind('send');
    expect(mine()).toEqual([]);
    // the import sets the manager of the latest change again: it goes out, exactly once
    expect((await imp.run('accounts', 'external_id,name,type,manager_login\nSCH-1,Oak School,school,ben\n')).errors).toEqual([]);
    expect((await remind('send')).notices.map((n) => n.status)).toEqual(['sent', 'sent']);
    expect(mine().every((m) => m.text.includes('is Ben Brown.'))).toBe(true);
    expect(await due('2026-11-26')).toEqual([]);
  });

  it('customer emails off: recorded as skipped with the reason, nothing sent', async () => {
    await seed.set('accounts', school, { customer_emails: 0 });
    await tx((db) => assignManager(db, testOp(), 'SCH-1', 'ben'));
    const r = await remind('send');
    expect(r.notices.map((n) => [n.status, n.reason])).toEqual([
      ['skipped', 'customer emails are switched off for the account'],
      ['skipped', 'customer emails are switched off for the account'],
    ]);
    expect(mine()).toEqual([]);
  });

  it('Bulgarian: "със" before с/з, in the account locale', async () => {
    await seed.set('accounts', school, { locale: 'bg', name: 'Средно училище „Христо Ботев“' });
    await tx((db) => assignManager(db, testOp(), 'SCH-1', 'svetla'));
    await remind('send');
    const m = mine()[0]!;
    expect(m.subject).toBe('Нов акаунт мениджър на Средно училище „Христо Ботев“: Светла Петрова');
    expect(m.text).toContain('Можете да се свържете със Светла Петрова:');
    await tx((db) => assignManager(db, testOp({ asOf: '2026-11-26' }), 'SCH-1', 'ben'));
    await remind('send', { asOf: '2026-11-26' });
    expect(mine().at(-1)!.text).toContain('Можете да се свържете с Ben Brown:');
  });

  it('a notice left in doubt is reported and skipped, and sent again with --retry-in-doubt', async () => {
    await tx((db) => assignManager(db, testOp(), 'SCH-1', 'ben'));
    await remind('mark-sent');
    await t.db
      .updateTable('notices')
      .set({ status: 'in_doubt' })
      .where('kind', '=', 'manager-changed')
      .where('contact_email', '=', 'head@oak.example')
      .execute();
    const plain = await remind('send');
    expect(plain.notices).toEqual([]);
    expect(plain.in_doubt_earlier.map((n) => n.kind)).toEqual(['manager-changed']);
    const retried = await remind('send', { retryInDoubt: true });
    expect(retried.notices.map((n) => [n.recipient_email, n.status])).toEqual([['head@oak.example', 'sent']]);
    expect(retried.in_doubt_earlier).toEqual([]);
    expect(mine().map((m) => m.to.sort().join(' '))).toEqual(['ben@vendor.example head@oak.example']);
  });

  it('templates of any locale in --templates DIR; a locale without them falls back to en, said once; unknown placeholders refused', async () => {
    const dir = tempDir();
    fs.writeFileSync(
      path.join(dir, 'manager-changed.pl.txt'),
      'Subject: Nowy opiekun: {{manager_name}}\n\nDzień dobry {{recipient_name}},\n{{manager_contact}}\n',
    );
    await seed.set('accounts', school, { locale: 'pl-PL' });
    const de = await seed.account('SCH-DE', { manager: anna, locale: 'de' });
    await seed.contact(de, 'p@de.example', { is_primary: true });
    await tx((db) => assignManager(db, testOp(), 'SCH-1', 'ben'));
    await tx((db) => assignManager(db, testOp(), 'SCH-DE', 'ben'));
    const r = await remind('send', { templatesDir: dir });
    // pl has templates but no words.pl.json: that is said on the same one line
    expect(r.template_note).toBe(
      'no templates for locale de (manager-changed): used the en ones (locale_fallback); no words for locale pl (words.pl.json in --templates): used the en words',
    );
    expect(mine().find((m) => m.to.includes('head@oak.example'))!.subject).toBe('Nowy opiekun: Ben Brown');
    expect(mine().find((m) => m.to.includes('p@de.example'))!.subject).toMatch(/^Your new account manager/);
    fs.writeFileSync(path.join(dir, 'invoice-paid.pl.txt'), 'Subject: {{nonsense}}\n');
    await expect(remind('send', { templatesDir: dir, asOf: '2026-11-26' })).rejects.toThrow(InvalidDataError);
  });
});
