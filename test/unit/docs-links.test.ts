import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// README.md is the front door and docs/ the reference, one page per area (docs/development.md,
// "Documentation"). Pages link to each other's sections, so a renamed heading or a moved section must
// not leave a link pointing nowhere: every relative link and #anchor has to resolve, as GitHub renders it.

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Reads a repository path: a Markdown file's text, '' for any other file or a folder, undefined when absent. */
type Reader = (relPath: string) => string | undefined;

const readRepo: Reader = (relPath) => {
  const full = path.join(ROOT, relPath);
  if (!fs.existsSync(full)) return undefined;
  return relPath.endsWith('.md') && fs.statSync(full).isFile() ? fs.readFileSync(full, 'utf8') : '';
};

/** Blanks fenced code blocks (keeping the line count): neither links nor headings are rendered there. */
function withoutFences(markdown: string): string {
  let fence: string | undefined;
  return markdown
    .split('\n')
    .map((line) => {
      const marker = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
      if (marker !== undefined && (fence === undefined || marker.startsWith(fence))) {
        fence = fence === undefined ? marker : undefined;
        return '';
      }
      return fence === undefined ? line : '';
    })
    .join('\n');
}

/** GitHub's heading anchor: lower case, punctuation dropped (letters of any script, digits, `_`, `-` stay), spaces → `-`. */
export function slug(heading: string): string {
  return heading
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** Every anchor a page has; a repeated heading gets `-1`, `-2` … as on GitHub. */
export function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const line of withoutFences(markdown).split('\n')) {
    const heading = /^#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const base = slug(heading);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    result.add(count === 0 ? base : `${base}-${count}`);
  }
  return result;
}

/** The links of a page as `{line, target}`, outside code blocks and code spans. */
function links(markdown: string): { line: number; target: string }[] {
  const prose = withoutFences(markdown).replace(/(`+)[\s\S]*?\1/g, (span) => span.replace(/[^\n]/g, ' '));
  const found: { line: number; target: string }[] = [];
  for (const m of prose.matchAll(/\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
    const line = prose.slice(0, m.index).split('\n').length;
    found.push({ line, target: m[1] ?? '' });
  }
  return found;
}

/** `FILE:LINE: target: problem` for every relative link of `file` that does not resolve. */
export function brokenLinks(file: string, read: Reader): string[] {
  const text = read(file) ?? '';
  const problems: string[] = [];
  for (const { line, target } of links(text)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto: … are not checked here
    const [rawPath = '', rawAnchor] = target.split('#', 2);
    const targetFile = rawPath === '' ? file : path.posix.normalize(path.posix.join(path.posix.dirname(file), decodeURI(rawPath)));
    const targetText = read(targetFile);
    const where = `${file}:${line}: ${target}`;
    if (targetText === undefined) problems.push(`${where}: no such file`);
    else if (rawAnchor !== undefined && !anchors(targetText).has(decodeURI(rawAnchor))) {
      problems.push(`${where}: no heading with this anchor in ${targetFile}`);
    }
  }
  return problems;
}

const docsPages = fs
  .readdirSync(path.join(ROOT, 'docs'))
  .filter((name) => name.endsWith('.md'))
  .sort()
  .map((name) => `docs/${name}`);
const allPages = ['README.md', 'fixtures/README.md', ...docsPages];

describe('GitHub heading anchors', () => {
  it('are lower case, with punctuation dropped and spaces turned into hyphens', () => {
    expect(slug('Keys: one fold in every language')).toBe('keys-one-fold-in-every-language');
    expect(slug('Bulk import and export (CSV)')).toBe('bulk-import-and-export-csv');
    expect(slug('Reminders: `acctmgr remind` and `acctmgr notices`')).toBe('reminders-acctmgr-remind-and-acctmgr-notices');
    expect(slug('`accounts deactivate|activate EXTERNAL_ID`')).toBe('accounts-deactivateactivate-external_id');
    expect(slug('Ключове и имена')).toBe('ключове-и-имена');
  });

  it('number repeated headings and ignore "#" lines inside code blocks', () => {
    expect([...anchors('# Exit codes\n\n```sh\n# a comment\n```\n## Exit codes\n')]).toEqual(['exit-codes', 'exit-codes-1']);
  });
});

describe('the link check', () => {
  const fake: Record<string, string> = {
    'docs/a.md':
      '# A\n## Keys: one fold\n[ok](b.md#b) [ok](#keys-one-fold) [ok](../README.md) `[code](nowhere.md)`\n' +
      '```\n[fenced](nowhere.md)\n```\n[gone](c.md) [bad anchor](b.md#nope) [web](https://example.com/x.md)\n',
    'docs/b.md': '# B\n',
    'README.md': '# R\n',
  };
  const read: Reader = (p) => fake[p];

  it('reports a missing file and a missing anchor, with the line, and nothing in code or on the web', () => {
    expect(brokenLinks('docs/a.md', read)).toEqual([
      'docs/a.md:7: c.md: no such file',
      'docs/a.md:7: b.md#nope: no heading with this anchor in docs/b.md',
    ]);
  });
});

describe('README.md and docs/', () => {
  it('have no relative link or anchor that does not resolve', () => {
    expect(allPages.flatMap((page) => brokenLinks(page, readRepo))).toEqual([]);
    // not vacuous: the pages do link to each other
    expect(allPages.flatMap((page) => links(readRepo(page) ?? '')).length).toBeGreaterThan(30);
  });

  it('README links every docs page, and every page starts with a summary and a link back to README', () => {
    const readmeTargets = links(readRepo('README.md') ?? '').map((l) => l.target.split('#')[0]);
    for (const page of docsPages) {
      expect(readmeTargets, `README.md links ${page}`).toContain(page);
      const [title, blank, summary, back] = (readRepo(page) ?? '').split('\n');
      expect([title?.startsWith('# '), blank, summary !== '', back], page).toEqual([true, '', true, 'Back to the [README](../README.md).']);
    }
  });

  it('README stays a front door of at most 300 lines', () => {
    expect((readRepo('README.md') ?? '').split('\n').length).toBeLessThanOrEqual(300);
  });
});
