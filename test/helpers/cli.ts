/** End-to-end tests spawn the built binary (npm test builds first) with stdin not a terminal. */
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = path.join(ROOT, 'bin', 'acctmgr.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  db?: string;
  env?: NodeJS.ProcessEnv;
  input?: string;
  cwd?: string;
  timeoutMs?: number;
}

export function runCli(args: readonly string[], opts: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ACCTMGR_TODAY: '2026-11-25', ...opts.env };
    if (opts.db) env.ACCTMGR_DB = opts.db;
    const child = spawn(process.execPath, [BIN, ...args], { env, cwd: opts.cwd ?? ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(opts.input ?? '');
  });
}

/** `acctmgr db check --json` on a database a test wrote through the binary: throws unless it is clean. */
export async function expectDbClean(db: string): Promise<void> {
  const r = await runCli(['db', 'check', '--json'], { db });
  if (r.code !== 0) throw new Error(`db check is not clean on ${db} (exit ${r.code}): ${r.stdout}${r.stderr}`);
}

/** Runs and parses stdout as JSON, failing loudly with stderr when the command did not succeed. */
export async function runJson<T = unknown>(args: readonly string[], opts: CliOptions = {}): Promise<T> {
  const r = await runCli([...args, '--json'], opts);
  if (r.code !== 0) throw new Error(`acctmgr ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/**
 * Runs the binary on a real pseudo-terminal (python3's pty module: test/helpers/pty-run.py), answering
 * each expected text with its keys; the exit code and everything the terminal showed.
 */
export function onTerminal(db: string, args: readonly string[], steps: [string, string][], deadlineSeconds = 20): { code: number; output: string } {
  const driver = path.join(ROOT, 'test', 'helpers', 'pty-run.py');
  const r = spawnSync('python3', [driver, JSON.stringify(steps), '--', process.execPath, BIN, ...args], {
    env: { ...process.env, PTY_DEADLINE: String(deadlineSeconds), ACCTMGR_DB: db, ACCTMGR_TODAY: '2026-11-25', NO_COLOR: '1' },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`pty driver failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as { code: number; output: string };
}
