/**
 * The Bulgarian texts as a native speaker writes them (issue 14): "със" before с/з, singular and plural
 * forms of "учител" with the verb agreeing, an activation code under its own subject (not
 * "Напомняния"), the number of reminders in words that fit it. Checked on the rendered messages.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { writeTx } from '../../src/db/tx.js';
import { runRemind } from '../../src/remind/run.js';
import { counted, studentsCounted, withName } from '../../src/remind/wording.js';
import { eachTestDb, testOp } from '../helpers/db.js';
import type { Seeder } from '../helpers/seed.js';
import { startSmtp, type TestSmtp } from '../helpers/smtp.js';

let smtp: TestSmtp;
let seed: Seeder;
let anna: number;
const t = eachTestDb(async () => {
  seed = t.seed;
  smtp = await startSmtp();
  anna = await seed.manager('anna', { name: 'Анна Ковалска' });
});
afterEach(async () => {
  await smtp.close();
});
const send = () =>
  runRemind(t.db, testOp(), {
    mode: 'send',
    mail: { smtpUrl: smtp.url, from: 'r@vendor.example', timeoutMs: 5000 },
    tx: (fn) => writeTx(t.db, fn),
  });

describe('Bulgarian wording', () => {
  it('"със" before с and з (also after an opening quote), "с" otherwise; counted nouns', () => {
    expect(withName('bg', 'Средно училище „Христо Ботев“')).toBe('със Средно училище „Христо Ботев“');
    expect(withName('bg', 'СУ „Иван Вазов“')).toBe('със СУ „Иван Вазов“');
    expect(withName('bg', 'Златна ябълка')).toBe('със Златна ябълка');
    expect(withName('bg', '„Знание“ ООД')).toBe('със „Знание“ ООД');
    expect(withName('bg', 'Основно училище')).toBe('с Основно училище');
    expect(withName('en', 'Oak School')).toBe('with Oak School');
    expect(counted(1, 'напомняне', 'напомняния')).toBe('1 напомняне');
    expect(counted(3, 'напомняне', 'напомняния')).toBe('3 напомняния');
    expect(studentsCounted('bg', 1)).toBe('1 ученик');
    expect(studentsCounted('bg', 250)).toBe('250 ученици');
    expect(studentsCounted('en', 1)).toBe('1 student');
  });

  it('renewal: "Моля, свържете се със Средно училище…"; dormancy: 1 учител не е влизал, 2 учители не са влизали; the subject counts the reminders', async () => {
    const bg = await seed.account('SCH-BG', { manager: anna, name: 'Средно училище „Христо Ботев“', locale: 'bg' });
    await seed.subscription('S-1', { account: bg, end_date: '2026-12-09' });
    const one = await seed.subscription('S-2', { account: bg, end_date: '2027-06-30' });
    await seed.seat(one, await seed.contact(bg, 'a@bg.example', { name: 'Мария' }), { last_login_at: '2026-08-20T10:00:00Z' });
    const two = await seed.subscription('S-3', { account: bg, end_date: '2027-06-30' });
    await seed.seat(two, await seed.contact(bg, 'b@bg.example', { name: 'Иван' }), { last_login_at: '2026-08-20T10:00:00Z' });
    await seed.seat(two, await seed.contact(bg, 'c@bg.example', { name: 'Петър' }), { last_login_at: '2026-08-21T10:00:00Z' });
    await send();
    expect(smtp.messages).toHaveLength(1);
    const m = smtp.messages[0]!;
    expect(m.subject).toBe('Напомняния за 2026-11-25: 4 напомняния');
    expect(m.text).toContain('Моля, свържете се със Средно училище „Христо Ботев“ за подновяването му.');
    expect(m.text).toContain('абонамент S-2 (до 2027-06-30): 1 учител не е влизал от 3 месеца');
    expect(m.text).toContain('абонамент S-3 (до 2027-06-30): 2 учители не са влизали от 3 месеца');
    expect(m.text).not.toContain('учител(и)');
  });

  it('an activation code alone goes under its own subject, not "Напомняния"', async () => {
    const bg = await seed.account('SCH-BG', { manager: anna, name: 'Основно училище', locale: 'bg' });
    await seed.subscription('S-9', { account: bg, end_date: '2027-09-14', paid_at: '2026-11-24', activation_code: 'KQ7H-M3XW' });
    await send();
    expect(smtp.messages.map((m) => m.subject)).toEqual(['Код за активиране на абонамент S-9']);
    expect(smtp.messages[0]!.text).toMatch(/^Код за активиране\r?$/m);
    expect(smtp.messages[0]!.text).toContain('Код за активиране: KQ7H-M3XW');
  });
});
