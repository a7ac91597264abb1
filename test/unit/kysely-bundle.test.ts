/**
 * The built program loads kysely from one file (dist/vendor/kysely.js, made by `npm run build`) through
 * `#kysely`, not kysely's ≈ 280 modules: the same exports, and no built module names kysely itself.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

describe('kysely bundled for the built program', () => {
  it('#kysely is dist/vendor/kysely.js with every export of kysely, and built modules import it, never kysely', async () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { imports: Record<string, Record<string, string>> };
    expect(pkg.imports['#kysely']!.default).toBe('./dist/vendor/kysely.js');
    const bundle = path.join(ROOT, 'dist/vendor/kysely.js');
    const bundled = (await import(pathToFileURL(bundle).href)) as Record<string, unknown>;
    const original = (await import(pathToFileURL(path.join(ROOT, 'node_modules/kysely/dist/esm/index.js')).href)) as Record<
      string,
      unknown
    >;
    expect(Object.keys(bundled).sort()).toEqual(Object.keys(original).sort());
    // one file: it imports nothing
    expect(fs.readFileSync(bundle, 'utf8')).not.toMatch(/^import\s/m);
    const built: string[] = [];
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true }))
        if (e.isDirectory()) walk(path.join(dir, e.name));
        else if (e.name.endsWith('.js')) built.push(path.join(dir, e.name));
    };
    walk(path.join(ROOT, 'dist/src'));
    walk(path.join(ROOT, 'dist/migrations'));
    const naming = built.filter((f) => /from '(kysely)'|import\('kysely'\)/.test(fs.readFileSync(f, 'utf8')));
    expect(naming).toEqual([]);
    expect(built.filter((f) => fs.readFileSync(f, 'utf8').includes("from '#kysely'")).length).toBeGreaterThan(20);
  });
});
