/**
 * A budget of test cases that may start the binary (set in test/global-setup.ts): a process costs a
 * second or so on a busy machine, a call of main() a few milliseconds. Every spawn helper records its
 * test case in a directory shared by the whole run; the case that takes the count past the budget
 * fails, naming the fix.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { expect, inject } from 'vitest';

export function countSpawn(): void {
  const { testPath, currentTestName } = expect.getState();
  if (!testPath || !currentTestName) throw new Error('the binary is started only from inside a test case');
  const { dir, budget } = inject('spawns');
  const name = `${path.relative(process.cwd(), testPath)} > ${currentTestName}`;
  fs.writeFileSync(path.join(dir, createHash('sha256').update(name).digest('hex').slice(0, 16)), `${name}\n`);
  const count = fs.readdirSync(dir).length;
  if (count > budget) {
    throw new Error(`${count} test cases start the binary, more than ${budget}: use runCli (in-process) unless only a process can show it`);
  }
}
