/**
 * `npm run bench`: runs each benchmark in its own child process (so peak RSS is that benchmark's
 * alone) and prints their real figures. `--scale 0.1` shrinks every size for a quick look.
 *   npm run bench                 # 1,000,000 contacts / 100,000 accounts;
 *                                 # remind: 100,000 accounts / 1,000,000 teachers / 200,000 subscriptions / 1,500,000 seats;
 *                                 # report: 200,000 subscriptions / 1,500,000 seats / 5,000,000 login events
 *   npm run bench -- --scale 0.1  # a tenth of that
 *   npm run bench -- --only remind   (import | remind | report | export | help)
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : dflt;
}

const scale = Number(arg('scale', '1'));
const seed = arg('seed', '1');
const only = arg('only', '');
const n = (x: number) => String(Math.max(1, Math.round(x * scale)));

const benches = [
  { name: 'import', script: 'import.js', args: ['--contacts', n(1_000_000), '--accounts', n(100_000), '--seed', seed] },
  {
    name: 'remind',
    script: 'remind.js',
    args: ['--accounts', n(100_000), '--contacts', n(1_000_000), '--subscriptions', n(200_000), '--seats', n(1_500_000), '--seed', seed],
  },
  {
    name: 'report',
    script: 'report.js',
    args: ['--subscriptions', n(200_000), '--seats', n(1_500_000), '--events', n(5_000_000), '--seed', seed],
  },
  { name: 'export', script: 'export.js', args: ['--contacts', n(1_000_000), '--accounts', n(100_000), '--seed', seed] },
  { name: 'help', script: 'help.js', args: ['--runs', '30'] },
].filter((b) => !only || b.name === only);

let failed = false;
const results: Record<string, unknown>[] = [];
for (const b of benches) {
  process.stderr.write(`\n== ${b.name}: node ${b.script} ${b.args.join(' ')}\n`);
  const r = spawnSync(process.execPath, [path.join(here, b.script), ...b.args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const line = r.stdout.split('\n').find((l) => l.startsWith('{'));
  if (r.status !== 0 || !line) {
    process.stderr.write(`${b.name}: failed (exit ${r.status})\n`);
    failed = true;
    continue;
  }
  results.push(JSON.parse(line) as Record<string, unknown>);
}
process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
process.exitCode = failed ? 1 : 0;
