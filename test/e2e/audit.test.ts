/**
 * `acctmgr audit` on both engines: the actor is who really ran the command (the OS user on SQLite, the
 * database role on PostgreSQL), `--actor` beside it as on_behalf_of, in the table, JSON and CSV.
 */
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { dbFiles, runCli } from '../helpers/cli.js';
import { auditActor } from '../helpers/engine.js';
import { seededDb } from '../helpers/db.js';
import { parseTsv } from '../helpers/tsv.js';

const given = dbFiles();

describe('acctmgr audit (end to end)', () => {
  it('shows on_behalf_of beside the actor in the table, --json and --format csv', async () => {
    const db = await seededDb(async () => undefined, given.fresh());
    const add = ['managers', 'add', '--login', 'anna', '--name', 'Anna', '--email', 'anna@vendor.example'];
    expect((await runCli(add, { db })).code).toBe(0);
    expect((await runCli(['managers', 'edit', 'anna', '--mobile', '+48 600', '--actor', 'boss'], { db })).code).toBe(0);
    const actor = auditActor(os.userInfo().username);

    const json = JSON.parse((await runCli(['audit', '--json'], { db })).stdout) as Record<string, unknown>[];
    expect(json.map((r) => Object.keys(r))[0]).toEqual(['id', 'at', 'actor', 'on_behalf_of', 'action', 'entity', 'key', 'before', 'after']);
    expect(json.map((r) => [r.actor, r.on_behalf_of, r.action])).toEqual([
      [actor, null, 'add'],
      [actor, 'boss', 'edit'],
    ]);

    // piped (not a terminal): tab-separated lines under a header of field names
    const { header, rows } = parseTsv((await runCli(['audit'], { db })).stdout);
    expect(header).toEqual(['id', 'at', 'actor', 'on_behalf_of', 'action', 'entity', 'key']);
    expect(rows[1]).toMatchObject({ id: '2', actor, on_behalf_of: 'boss', action: 'edit', entity: 'manager', key: 'anna' });

    const csv = (await runCli(['audit', '--format', 'csv'], { db })).stdout.split('\n');
    expect(csv[0]).toBe('id,at,actor,on_behalf_of,action,entity,key,before,after');
    expect(csv[1]).toMatch(new RegExp(`^1,[^,]+,${actor},,add,manager,anna,,"\\{""login"":""anna""`));
    expect(csv[2]).toMatch(new RegExp(`^2,[^,]+,${actor},boss,edit,manager,anna,"\\{`));
    expect(csv.join('\n')).not.toContain('[object Object]');
  });

  it('--actor is one-line text as every name is: trimmed, not empty; a line break, tab or control character is a usage error and nothing is written', async () => {
    const db = await seededDb(async (t) => void (await t.seed.manager('anna')), given.fresh());
    const edit = (actor: string) => runCli(['managers', 'edit', 'anna', '--mobile', '+48 600', '--actor', actor], { db });
    const rule = 'must not contain control characters, tabs or line breaks';
    expect(await edit('eve\nforged')).toEqual({ code: 2, stdout: '', stderr: `error: actor: "eve\\nforged": ${rule} (found U+000A)\n` });
    expect((await edit('eve\tx')).stderr).toBe(`error: actor: "eve\\tx": ${rule} (found U+0009)\n`);
    expect((await edit('eve\u0007')).code).toBe(2);
    expect(await edit('   ')).toEqual({ code: 2, stdout: '', stderr: 'error: actor: "   ": must not be empty\n' });
    // before anything runs: also a command that changes nothing refuses it
    expect((await runCli(['--actor', 'a\rb', 'managers', 'list'], { db })).code).toBe(2);
    expect((await runCli(['audit', '--json'], { db })).stdout).toBe('[]\n');

    expect((await edit('  maria  ')).code).toBe(0);
    const rows = JSON.parse((await runCli(['audit', '--json'], { db })).stdout) as { on_behalf_of: string | null }[];
    expect(rows.map((r) => r.on_behalf_of)).toEqual(['maria']);
  });
});
