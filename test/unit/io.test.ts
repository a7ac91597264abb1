/**
 * The process boundary (src/io.ts): main() in-process sees only the Io it is given — environment,
 * standard input, terminals — and one run leaves nothing behind for the next.
 */
import fs from 'node:fs';
import path from 'node:path';
import { SingleBar } from 'cli-progress';
import { describe, expect, it } from 'vitest';
import { stderrStream, type Io } from '../../src/io.js';
import { dbFiles, ROOT, runCli, runJson } from '../helpers/cli.js';

const given = dbFiles();

describe('main(argv, io) in-process', () => {
  it("takes today, the database and colour from each run's own Io, nothing from the one before", async () => {
    const db = given.fresh();
    const other = given.fresh();
    await runJson(['managers', 'add', '--login', 'anna', '--name', 'Anna', '--email', 'anna@vendor.example'], { db });
    const dueOn = async (today: string) => (await runCli(['remind'], { db, env: { ACCTMGR_TODAY: today } })).stderr;
    expect(await dueOn('2030-01-02')).toContain('due on 2030-01-02');
    const bad = await runCli(['accounts', 'list'], { db, env: { ACCTMGR_TODAY: '1899-12-31' } });
    expect(bad).toMatchObject({ code: 1, stderr: 'error: ACCTMGR_TODAY: "1899-12-31": must be between 1900-01-01 and 9999-12-31\n' });
    expect(await dueOn('2026-11-25')).toContain('due on 2026-11-25');
    expect((await runCli(['db', 'migrate'], { db: other })).code).toBe(0);
    expect(await runJson<unknown[]>(['managers', 'list'], { db: other })).toEqual([]);

    const coloured = await runCli(['managers', 'list'], { db, env: { NO_COLOR: '' }, tty: { stdout: true } });
    expect(coloured.stdout).toContain('\x1b[1m');
    const plain = await runCli(['managers', 'list'], { db, env: { NO_COLOR: '' } });
    expect(plain.stdout).not.toContain('\x1b[');
    expect(plain.stdout).toContain('anna');
  });

  it("reads --password-stdin from the Io's standard input, and finds it empty when there is none", async () => {
    const db = given.fresh();
    await runJson(['managers', 'add', '--login', 'anna', '--name', 'Anna', '--email', 'anna@vendor.example'], { db });
    const none = await runCli(['managers', 'set-password', 'anna', '--password-stdin'], { db });
    expect(none).toMatchObject({ code: 2, stderr: 'error: --password-stdin: stdin was empty\n' });
    expect(
      (await runCli(['managers', 'set-password', 'anna', '--password-stdin'], { db, input: 'a long passphrase\nignored\n' })).code,
    ).toBe(0);
    expect(await runJson(['managers', 'show', 'anna'], { db })).toMatchObject({ has_password: true });
  });

  it('draws a progress bar on stderr through io.err, as on a terminal when io says stderr is one', () => {
    const draw = (stderrIsTTY: boolean) => {
      let err = '';
      const io: Io = { out: () => undefined, err: (t) => void (err += t), env: {}, stdinIsTTY: false, stdoutIsTTY: false, stderrIsTTY };
      const bar = new SingleBar({
        format: 'importing [{bar}] {percentage}%',
        stream: stderrStream(io),
        hideCursor: true,
        noTTYOutput: true,
      });
      bar.start(10, 0);
      bar.update(5);
      bar.stop();
      return err;
    };
    const tty = draw(true);
    expect(tty).toContain('\x1b[?25l'); // the cursor hidden, then shown again
    expect(tty).toContain('\x1b[?25h');
    expect(tty).toMatch(/importing \[[=-]+\] 50%/);
    const piped = draw(false);
    expect(piped).toContain('importing [');
    expect(piped).not.toContain('\x1b[');
  });

  it('is the only way in: no file in src/ but io.ts touches process.env, stdin, stdout, stderr, argv or exit', () => {
    const src = path.join(ROOT, 'src');
    const offenders = (fs.readdirSync(src, { recursive: true }) as string[])
      .filter((f) => f.endsWith('.ts') && f !== 'io.ts')
      .flatMap((f) =>
        fs
          .readFileSync(path.join(src, f), 'utf8')
          .split('\n')
          .map((line, i) => ({ where: `src/${f}:${i + 1}`, line }))
          .filter(({ line }) => /\bprocess\.(env|stdin|stdout|stderr|argv|exit|exitCode)\b/.test(line) && !/^\s*(\*|\/\/)/.test(line)),
      )
      .map(({ where }) => where);
    expect(offenders).toEqual([]);
  });
});
