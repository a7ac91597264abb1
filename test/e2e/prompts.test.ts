/**
 * Interactive behaviour on a real pseudo-terminal (python3's pty module drives the prompts): missing
 * required fields are asked for, "add another?" loops, Ctrl-C is a clean cancel, confirmations work.
 * Only the runs on the terminal start the binary; the checks around them run in-process.
 */
import { describe, expect, it } from 'vitest';
import { dbFiles, onTerminal, runCli, runJson } from '../helpers/cli.js';

const ENTER = '\r';
const given = dbFiles();

describe('prompts on a terminal', () => {
  it('asks for missing required fields, then offers to add another', async () => {
    const db = given.fresh();
    const r = onTerminal(
      db,
      ['managers', 'add', '--login', 'anna'],
      [
        ['full name', `Anna Kowalski${ENTER}`],
        ['email address', `not-an-email${ENTER}`],
        ['is not a valid email address', `\x15anna@vendor.example${ENTER}`],
        ['Add another manager?', `y${ENTER}`],
        ['login', `bob${ENTER}`],
        ['full name', `Bob${ENTER}`],
        ['email address', `bob@vendor.example${ENTER}`],
        ['Add another manager?', `n${ENTER}`],
      ],
    );
    expect(r.code).toBe(0);
    const managers = await runJson<{ login: string; email: string }[]>(['managers', 'list'], { db });
    expect(managers.map((m) => [m.login, m.email])).toEqual([
      ['anna', 'anna@vendor.example'],
      ['bob', 'bob@vendor.example'],
    ]);
  });

  it('Ctrl-C at a prompt cancels cleanly (exit 130, no stack trace, nothing saved)', async () => {
    const db = given.fresh();
    await runCli(['db', 'migrate'], { db });
    const r = onTerminal(db, ['managers', 'add'], [['login', '\x03']]);
    expect(r.code).toBe(130);
    expect(r.output).toContain('cancelled');
    expect(r.output).not.toMatch(/at .*\.[jt]s:\d+/);
    expect(await runJson<unknown[]>(['managers', 'list'], { db })).toEqual([]);
  });

  it('asks before a destructive command and does nothing when refused', async () => {
    const db = given.fresh();
    await runJson(['managers', 'add', '--login', 'anna', '--name', 'A', '--email', 'a@vendor.example'], { db });
    const no = onTerminal(db, ['managers', 'remove', 'anna'], [['Remove manager anna?', `n${ENTER}`]]);
    expect(no.code).toBe(2);
    expect(await runJson<unknown[]>(['managers', 'list'], { db })).toHaveLength(1);
    const yes = onTerminal(db, ['managers', 'remove', 'anna'], [['Remove manager anna?', `y${ENTER}`]]);
    expect(yes.code).toBe(0);
    expect(await runJson<unknown[]>(['managers', 'list'], { db })).toEqual([]);
  });

  it('asks for a password twice, masked, and refuses when they differ', async () => {
    const db = given.fresh();
    await runJson(['managers', 'add', '--login', 'anna', '--name', 'A', '--email', 'a@vendor.example'], { db });
    const differ = onTerminal(
      db,
      ['managers', 'set-password', 'anna'],
      [
        ['Password', `secret-one${ENTER}`],
        ['Repeat password', `secret-two${ENTER}`],
      ],
    );
    expect(differ.code).toBe(1);
    expect(differ.output).not.toContain('secret-one');
    const ok = onTerminal(
      db,
      ['managers', 'set-password', 'anna'],
      [
        ['Password', `secret-one${ENTER}`],
        ['Repeat password', `secret-one${ENTER}`],
      ],
    );
    expect(ok.code).toBe(0);
    expect((await runJson<{ has_password: boolean }>(['managers', 'show', 'anna'], { db })).has_password).toBe(true);
  });
});
