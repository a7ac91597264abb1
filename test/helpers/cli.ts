/**
 * Running acctmgr in tests. `runCli` and `runJson` call `main(argv, io)` in this process with a fake Io
 * (standard input from `input`, output captured, no terminal): the default, as fast as a function
 * call. `spawnCli`, `spawnBinary` and `onTerminal` start the built binary (npm test builds first) for
 * what only a process shows — its exit status, a terminal, the reader thread (the worker is the built
 * JavaScript: in-process runs under vitest take the one-thread path), processes running at once,
 * signals. Each counts against the spawn budget (spawn-budget.ts). Both kinds take the same options and
 * give the same `{code, stdout, stderr}`, with NO_COLOR=1, ACCTMGR_TODAY=2026-11-25 and ACCTMGR_DB=db.
 */
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeEach, expect } from 'vitest';
import type { Io } from '../../src/io.js';
import { main } from '../../src/main.js';
import { cloneDb, newDbLocation, removeDb, tempDbPath, tempDir } from './db.js';
import { onPostgres } from './engine.js';
import { countSpawn } from './spawn-budget.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = path.join(ROOT, 'bin', 'acctmgr.js');

/** A module of the built program (npm test builds first), e.g. to run a part in its worker thread, which loads the built JavaScript. */
export const built = <T>(file: string): Promise<T> => import(pathToFileURL(path.join(ROOT, 'dist', file)).href) as Promise<T>;

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  db?: string;
  env?: NodeJS.ProcessEnv;
  /** standard input (default: empty, not a terminal) */
  input?: string;
  /**
   * in-process only: stdout or stderr is a terminal (default neither). Standard input is never one
   * in-process: the prompts would read this process's own (they are tested on a pty: onTerminal).
   */
  tty?: { stdout?: boolean; stderr?: boolean; /** the terminal's width when stdout is one */ columns?: number };
  /** spawned only: killed after this long (default 30 s) */
  timeoutMs?: number;
}

let home: string | undefined;
/** An empty home folder for this test worker's runs (its default database and config file live there). */
function runHome(): string {
  home ??= tempDir('acctmgr-home-');
  return home;
}

/** The environment a run sees: this process's, with the test defaults. */
export function cliEnv(opts: CliOptions = {}): NodeJS.ProcessEnv {
  // never the real ~/.local/share/acctmgr/acctmgr.db or ~/.config/acctmgr/config.json: a run's own home
  const home = { HOME: runHome(), XDG_DATA_HOME: undefined, XDG_CONFIG_HOME: undefined };
  const env: NodeJS.ProcessEnv = { ...process.env, ...home, NO_COLOR: '1', ACCTMGR_TODAY: '2026-11-25', ...opts.env };
  if (opts.db) env.ACCTMGR_DB = opts.db;
  return env;
}

/** The tests with an in-process run under way. */
const running = new Set<string | undefined>();

/**
 * `main(argv, io)` in this process. A test's runs never overlap: SQLite makes a connection wait for
 * another's lock by blocking its thread, which here would block the one holding it too (spawnCli runs
 * side by side).
 */
export async function runCli(args: readonly string[], opts: CliOptions = {}): Promise<CliResult> {
  const test = expect.getState().currentTestName;
  if (running.has(test))
    throw new Error(
      `acctmgr ${args.join(' ')}: another in-process run has not finished; await it, or use spawnCli to run them side by side`,
    );
  let stdout = '';
  let stderr = '';
  const io: Io = {
    out: (t) => void (stdout += t),
    err: (t) => void (stderr += t),
    stdin: Readable.from(opts.input ? [Buffer.from(opts.input)] : []),
    env: cliEnv(opts),
    stdinIsTTY: false,
    stdoutIsTTY: opts.tty?.stdout ?? false,
    stderrIsTTY: opts.tty?.stderr ?? false,
    ...(opts.tty?.stdout && opts.tty.columns ? { stdoutColumns: opts.tty.columns } : {}),
  };
  running.add(test);
  try {
    const code = await main([...args], io);
    return { code, stdout, stderr };
  } finally {
    running.delete(test);
  }
}

/** Runs and parses stdout as JSON, failing loudly with stderr when the command did not succeed. */
export async function runJson<T = unknown>(args: readonly string[], opts: CliOptions = {}): Promise<T> {
  const r = await runCli([...args, '--json'], opts);
  if (r.code !== 0) throw new Error(`acctmgr ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/** `acctmgr db check --json` on a database a test wrote: throws unless it is clean. */
export async function expectDbClean(db: string): Promise<void> {
  const r = await runCli(['db', 'check', '--json'], { db });
  if (r.code !== 0) throw new Error(`db check is not clean on ${db} (exit ${r.code}): ${r.stdout}${r.stderr}`);
}

/** The built binary in a new process (stdin a pipe fed `input`, then closed). */
export function spawnBinary(args: readonly string[], opts: CliOptions & { stdio?: SpawnOptions['stdio'] } = {}): ChildProcess {
  countSpawn();
  return spawn(process.execPath, [BIN, ...args], { env: cliEnv(opts), cwd: ROOT, stdio: opts.stdio ?? ['pipe', 'pipe', 'pipe'] });
}

/** runCli in a new process: the exit status is the process's. */
export function spawnCli(args: readonly string[], opts: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawnBinary(args, opts);
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin!.end(opts.input ?? '');
  });
}

/**
 * Runs the binary on a real pseudo-terminal (python3's pty module: test/helpers/pty-run.py), answering
 * each expected text with its keys; the exit code and everything the terminal showed. `columns`: the
 * terminal's width (default the pty's own).
 */
export function onTerminal(
  db: string,
  args: readonly string[],
  steps: [string, string][],
  deadlineSeconds = 20,
  columns?: number,
): { code: number; output: string } {
  countSpawn();
  const driver = path.join(ROOT, 'test', 'helpers', 'pty-run.py');
  const r = spawnSync('python3', [driver, JSON.stringify(steps), '--', process.execPath, BIN, ...args], {
    env: { ...cliEnv({ db }), PTY_DEADLINE: String(deadlineSeconds), ...(columns ? { PTY_COLUMNS: String(columns) } : {}) },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`pty driver failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as { code: number; output: string };
}

/** A database for one test; the template ones are a copy of a database built once per file. */
export type Template = (() => Promise<string>) & { master(): Promise<string> };

export interface DbFiles {
  /** A new location for this test's database (on SQLite the first command that writes creates it; one that only reads refuses it). */
  fresh(): string;
  /**
   * A database built by `build` once for the file (from a copy of `from` when given); each call gives
   * the calling test its own copy, so tests start alike and never see each other's writes.
   */
  template(build: (db: string) => Promise<void>, from?: Template): Template;
}

/**
 * The command-line test databases of one file: `db check` must pass on every database a test was
 * given, after the test; then they are removed.
 */
export function dbFiles(): DbFiles {
  const given: string[] = [];
  const masters: Promise<string>[] = [];
  // on PostgreSQL a fresh database exists before the test asks for it (creating one is asynchronous)
  const ready: string[] = [];
  beforeEach(async () => {
    while (onPostgres && ready.length < 2) ready.push(await newDbLocation());
  });
  afterEach(async () => {
    for (const db of given.splice(0)) {
      if (onPostgres || fs.existsSync(db)) await expectDbClean(db); // else the test never made it
      await removeDb(db);
    }
  });
  afterAll(async () => {
    for (const m of masters) await m.then(removeDb, () => undefined);
    for (const db of ready.splice(0)) await removeDb(db);
  });
  const give = (db: string) => {
    given.push(db);
    return db;
  };
  return {
    fresh: () => give(onPostgres ? ready.shift()! : tempDbPath()),
    template(build, from) {
      let master: Promise<string> | undefined;
      const made = () => {
        if (!master) {
          master = (async () => {
            const db = from ? await cloneDb(await from.master()) : await newDbLocation();
            await build(db);
            return db;
          })();
          masters.push(master);
        }
        return master;
      };
      return Object.assign(async () => give(await cloneDb(await made())), { master: made });
    },
  };
}
