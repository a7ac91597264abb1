import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { refuseSameFile, writeOutput } from '../../src/lib/output-file.js';
import { tempDir } from '../helpers/db.js';

/** Reads a FIFO in another process (opening it blocks until a writer comes); resolves with what it got. */
function readFifo(fifo: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const cat = spawn('cat', [fifo], { stdio: ['ignore', 'pipe', 'inherit'] });
    let got = '';
    cat.stdout.setEncoding('utf8').on('data', (d: string) => (got += d));
    const timer = setTimeout(() => cat.kill('SIGKILL'), 10_000);
    cat.on('error', reject);
    cat.on('close', () => {
      clearTimeout(timer);
      resolve(got);
    });
  });
}

function mkfifo(file: string): void {
  const r = spawnSync('mkfifo', [file]);
  if (r.status !== 0) throw new Error(`mkfifo failed: ${r.stderr}`);
}

describe('output files', () => {
  it('replace a regular file through a 0600 temporary file beside it, which is gone afterwards', async () => {
    const dir = tempDir();
    const target = path.join(dir, 'out.csv');
    fs.writeFileSync(target, 'old\n', { mode: 0o644 });
    const modes: number[] = [];
    await writeOutput(target, async (write) => {
      write('a,b\n');
      const tmp = fs.readdirSync(dir).filter((f) => f !== 'out.csv');
      expect(tmp).toHaveLength(1);
      modes.push(fs.statSync(path.join(dir, tmp[0]!)).mode & 0o777);
      write('1,2\n');
    });
    expect(modes).toEqual([0o600]);
    expect(fs.readFileSync(target, 'utf8')).toBe('a,b\n1,2\n');
    expect(fs.statSync(target).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(dir)).toEqual(['out.csv']);
  });

  it('a failure halfway leaves the target as it was and no temporary file', async () => {
    const dir = tempDir();
    const target = path.join(dir, 'out.csv');
    fs.writeFileSync(target, 'old\n');
    await expect(
      writeOutput(target, async (write) => {
        write('half');
        throw new Error('disk on fire');
      }),
    ).rejects.toThrow('disk on fire');
    expect(fs.readFileSync(target, 'utf8')).toBe('old\n');
    expect(fs.readdirSync(dir)).toEqual(['out.csv']);
  });

  it('refuse a symlink (never followed), a directory and a missing directory, naming them', async () => {
    const dir = tempDir();
    const real = path.join(dir, 'real.csv');
    fs.writeFileSync(real, 'keep\n');
    fs.symlinkSync(real, path.join(dir, 'link.csv'));
    fs.symlinkSync(path.join(dir, 'nowhere.csv'), path.join(dir, 'dangling.csv'));
    const cases: [string, RegExp][] = [
      [path.join(dir, 'link.csv'), /link\.csv: is a symbolic link; refusing to write through it/],
      [path.join(dir, 'dangling.csv'), /dangling\.csv: is a symbolic link/],
      [dir, /: is a directory$/],
      [path.join(dir, 'no', 'such.csv'), /such\.csv: no such directory/],
    ];
    for (const [target, message] of cases) {
      const e = await writeOutput(target, async (write) => write('x')).catch((err: unknown) => err);
      expect(e, target).toBeInstanceOf(UsageError);
      expect((e as Error).message).toMatch(message);
    }
    expect(fs.readFileSync(real, 'utf8')).toBe('keep\n');
    expect(fs.lstatSync(path.join(dir, 'link.csv')).isSymbolicLink()).toBe(true);
    expect(fs.existsSync(path.join(dir, 'nowhere.csv'))).toBe(false);
    expect(fs.readdirSync(dir).sort()).toEqual(['dangling.csv', 'link.csv', 'real.csv']);
  });

  it('write into a FIFO, which stays a FIFO', async () => {
    const fifo = path.join(tempDir(), 'pipe');
    mkfifo(fifo);
    const got = readFifo(fifo);
    await writeOutput(fifo, async (write) => write('through the pipe\n'));
    expect(await got).toBe('through the pipe\n');
    expect(fs.lstatSync(fifo).isFIFO()).toBe(true);
  });

  it.runIf(fs.statSync('/dev/null').isCharacterDevice())('write into /dev/null, which stays the character device', async () => {
    await writeOutput('/dev/null', async (write) => write('gone\n'));
    expect(fs.statSync('/dev/null').isCharacterDevice()).toBe(true);
  });

  it('refuse an output that is an input, also under another name (same device and inode)', () => {
    const dir = tempDir();
    const input = path.join(dir, 'in.csv');
    fs.writeFileSync(input, 'a\n');
    fs.linkSync(input, path.join(dir, 'hard.csv'));
    expect(() => refuseSameFile([input], [input])).toThrow(UsageError);
    expect(() => refuseSameFile([path.join(dir, 'hard.csv')], [input])).toThrow(/hard\.csv: is the input file .*in\.csv/);
    expect(() => refuseSameFile([path.join(dir, 'other.csv')], [input])).not.toThrow();
  });
});
