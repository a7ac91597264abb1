/**
 * Benchmark of `acctmgr --help`: start-up cost. Runs, interleaved, `node bin/acctmgr.js --help`, a bare
 * commander program with one command (`--help`), and `node -e 0`, at least 30 times each, and prints the
 * medians and ratios: human-readable on stderr, one JSON line {"bench":"help", …} on stdout.
 *
 *   node dist/bench/help.js [--runs 30]
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const { values } = parseArgs({ options: { runs: { type: 'string', default: '30' } } });
const runs = Math.max(1, Number(values.runs));

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'acctmgr-bench-help-'));
// the bare program lives in the project (so it resolves commander from node_modules) but is removed after
const bare = path.join(root, 'dist', 'bench', `bare-commander-${process.pid}.mjs`);
fs.writeFileSync(
  bare,
  "import { Command } from 'commander';\nconst p = new Command('bare').description('one command');\np.command('hello').description('say hello').action(() => {});\np.parse();\n",
);

const commands: Record<string, string[]> = {
  acctmgr: [path.join(root, 'bin', 'acctmgr.js'), '--help'],
  commander: [bare, '--help'],
  node: ['-e', '0'],
};

function timeOnce(args: string[]): number {
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, HOME: dir } });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr.toString()}`);
  return ms;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

try {
  const times: Record<string, number[]> = { acctmgr: [], commander: [], node: [] };
  for (const args of Object.values(commands)) timeOnce(args); // warm the file cache
  for (let i = 0; i < runs; i++) for (const [name, args] of Object.entries(commands)) times[name]!.push(timeOnce(args));
  const med = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)])) as Record<string, number>;
  const vsCommander = med.acctmgr! / med.commander!;
  const vsNode = med.acctmgr! / med.node!;
  process.stderr.write(
    `acctmgr --help: median ${med.acctmgr!.toFixed(1)} ms over ${runs} interleaved runs; bare commander ${med.commander!.toFixed(1)} ms; ` +
      `node -e 0 ${med.node!.toFixed(1)} ms\n` +
      `ratio to bare commander ${vsCommander.toFixed(2)}× (target ≤ 1.15×); to node -e 0 ${vsNode.toFixed(2)}×\n`,
  );
  const round = (xs: number[]) => xs.map((x) => Math.round(x * 10) / 10);
  process.stdout.write(
    `${JSON.stringify({ bench: 'help', runs, median_ms: med, ratio_to_commander: vsCommander, ratio_to_node: vsNode, times_ms: Object.fromEntries(Object.entries(times).map(([k, v]) => [k, round(v)])) })}\n`,
  );
} finally {
  fs.rmSync(bare, { force: true });
  fs.rmSync(dir, { recursive: true, force: true });
}
