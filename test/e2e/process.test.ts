/**
 * The built program as a process: bin/acctmgr.js sets the exit status to what main() returns, data goes
 * to stdout and messages to stderr. Everything else runs main() in-process (test/helpers/cli.ts).
 */
import { describe, expect, it } from 'vitest';
import { dbFiles, spawnBinary, spawnCli } from '../helpers/cli.js';

const given = dbFiles();

describe('the acctmgr binary', () => {
  it('exits 0, 1 or 2 as main() decides, data on stdout and messages on stderr', async () => {
    const db = given.fresh();
    const added = await spawnCli(['managers', 'add', '--login', 'anna', '--name', 'Anna', '--email', 'anna@vendor.example'], { db });
    expect(added).toEqual({ code: 0, stdout: 'anna\n', stderr: '' });
    const listed = await spawnCli(['managers', 'list', '--json'], { db });
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toMatchObject([{ login: 'anna' }]);
    const missing = await spawnCli(['managers', 'show', 'nobody'], { db });
    expect(missing).toMatchObject({ code: 1, stdout: '' });
    expect(missing.stderr).toMatch(/^error: manager not found: "nobody"\n/);
    const usage = await spawnCli(['managers', 'remove', 'anna'], { db });
    expect(usage.code).toBe(2);
    expect(usage.stdout).toBe('');
    expect(usage.stderr).toContain('--yes');
    const unknown = await spawnCli(['nonsense'], { db });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'nonsense'");
    expect(await spawnCli(['--version'])).toEqual({ code: 0, stdout: '0.1.0\n', stderr: '' });
    const codes = await spawnCli(['help', 'exit-codes']);
    expect(codes.code).toBe(0);
    expect(codes.stdout).toContain('130  cancelled at a prompt');
    // a reader that is gone (`| head -1`, `| true`): the output is dropped quietly, exit 0, no EPIPE stack trace
    const child = spawnBinary(['help', 'accounts', 'list']);
    child.stdout!.destroy();
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect([code, stderr]).toEqual([0, '']);
  });
});
