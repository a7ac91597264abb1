// Part of `npm run build`: kysely in one file, dist/vendor/kysely.js, which `#kysely` (package.json
// "imports") points every import of kysely at. kysely ships as ≈ 280 ES modules; Node 20 resolves, reads
// and compiles each one, ≈ 0.11–0.16 s before any command that opens a database can start; the single
// file loads in ≈ 0.02 s. The types stay kysely's own (src/db/kysely.d.ts re-exports them).
import { build } from 'rolldown';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
await build({
  cwd: root,
  input: 'node_modules/kysely/dist/esm/index.js',
  platform: 'node',
  logLevel: 'warn',
  output: { file: 'dist/vendor/kysely.js', format: 'esm' },
});
