/**
 * What a command action gets: the global options, the database (opened lazily, so `--help` never
 * loads kysely or SQLite), the clock, the renderer and the prompts.
 */
import os from 'node:os';
import type { Command } from 'commander';
import type { Kysely } from '#kysely';
import type { DbHandle, OpenOptions } from '../db/connection.js';
import type { DB } from '../db/schema/index.js';
import { resolveDbTarget, type DbSource, type DbTarget } from '../db/target.js';
import { readConfig } from '../lib/config.js';
import { formatProblem, invalid, UsageError } from '../errors.js';
import { colorEnabled, type Io } from '../io.js';
import { dateRule, localToday, nowTimestamp } from '../lib/dates.js';
import type { Op } from '../op.js';
import type { Column, Format, Rec, RenderOptions } from '../output/render.js';

export interface GlobalOptions {
  db?: string;
  actor?: string;
  debug?: boolean;
  json?: boolean;
  yes?: boolean;
  asOf?: string;
  format?: string;
  wide?: boolean;
}

export class Session {
  private handle: DbHandle | undefined;

  constructor(
    readonly io: Io,
    readonly opts: GlobalOptions & Record<string, unknown>,
  ) {}

  /** The local calendar date; ACCTMGR_TODAY overrides it for every command. */
  get today(): string {
    const t = localToday(this.io.env);
    const rule = dateRule(t);
    if (rule !== undefined) throw invalid('ACCTMGR_TODAY', t, rule);
    return t;
  }

  /** `--as-of` (shape checked by commander, calendar checked here), else today. */
  get asOf(): string {
    const a = this.opts.asOf;
    if (a === undefined) return this.today;
    const rule = dateRule(a);
    if (rule !== undefined) throw invalid('as_of', a, rule);
    return a;
  }

  /** Who is acting as history records name them: `--actor`, else the OS user. */
  get actor(): string {
    return this.opts.actor || this.osUser;
  }

  /** The OS user running the command: the audit log's actor on SQLite, whatever `--actor` says. */
  get osUser(): string {
    try {
      return os.userInfo().username;
    } catch {
      return this.io.env.USER ?? 'unknown';
    }
  }

  /** String options of the command by name, undefined where not given (a service's filter, say). */
  strings<K extends string>(...names: K[]): Partial<Record<K, string>> {
    return Object.fromEntries(names.map((n) => [n, this.opts[n] as string | undefined])) as Partial<Record<K, string>>;
  }

  get interactive(): boolean {
    return this.io.stdinIsTTY;
  }

  op(): Op {
    const clock = new Date();
    const onBehalfOf = this.opts.actor || undefined;
    return {
      actor: this.actor,
      user: this.osUser,
      ...(onBehalfOf ? { onBehalfOf } : {}),
      asOf: this.asOf,
      today: this.today,
      now: nowTimestamp(clock),
      clockToday: localToday({}, clock),
    };
  }

  /**
   * The database, opened once. A SQLite file that does not exist is refused (exit 1, nothing created)
   * unless `create`: only commands that write create it (through tx(), `db migrate`, an import that is
   * not a dry run, the demo), so a cron job with a mistyped --db fails loudly.
   */
  async open(options?: OpenOptions): Promise<DbHandle> {
    if (!this.handle) {
      const { openTarget } = await import('../db/connection.js');
      this.handle = await openTarget(this.target().target, { create: false, ...options, env: this.io.env, warn: (t) => this.warn(t) });
    }
    return this.handle;
  }

  /** Which database: `--db`, ACCTMGR_DB, `db` in the config file, or the default file. */
  target(): { target: DbTarget; source: DbSource } {
    // an empty "db" is not "none" (an empty --db neither): resolveDbTarget refuses it, naming the file
    const db = readConfig(this.io.env).values.db;
    return resolveDbTarget(this.opts.db, this.io.env, typeof db === 'string' ? db.trim() : undefined);
  }

  async db(): Promise<Kysely<DB>> {
    return (await this.open()).db;
  }

  /** Runs fn in one write transaction (BEGIN IMMEDIATE on SQLite). */
  async tx<T>(fn: (trx: Kysely<DB>) => Promise<T>): Promise<T> {
    const { writeTx } = await import('../db/tx.js');
    return writeTx((await this.open({ create: true })).db, fn);
  }

  async close(): Promise<void> {
    await this.handle?.close();
    this.handle = undefined;
  }

  get format(): Format {
    const f = this.opts.format;
    if (f === 'csv' || f === 'json' || f === 'table') return f;
    return this.opts.json ? 'json' : 'table';
  }

  /** How tables come out: fitted to the terminal (unless --wide), or tab-separated lines when piped. */
  get renderOptions(): RenderOptions {
    return {
      color: colorEnabled(this.io),
      terminal: this.io.stdoutIsTTY,
      ...(this.io.stdoutColumns ? { width: this.io.stdoutColumns } : {}),
      wide: Boolean(this.opts.wide),
    };
  }

  /**
   * A list: `columns` are the table's, `fields` every field of its records in order (the CSV header,
   * printed even when the list is empty; default the columns).
   */
  async list(records: readonly object[], columns?: readonly (string | Column)[], fields?: readonly string[]): Promise<void> {
    const { renderList } = await import('../output/render.js');
    this.io.out(renderList(records as readonly Rec[], this.format, { ...this.renderOptions, columns, fields }));
    if (records.length === 0 && this.format === 'table') this.message('(none)');
  }

  /**
   * A list written as its batches come (src/output/list-stream.ts), none held beyond its batch: the same bytes
   * as `list` of the whole list (a table on a terminal is laid out once every row is in).
   */
  async listStream(
    batches: Iterable<Iterable<object>> | AsyncIterable<Iterable<object>>,
    columns: readonly string[],
    fields: readonly string[],
  ): Promise<void> {
    const { ListStream } = await import('../output/list-stream.js');
    const out = new ListStream((t) => this.io.out(t), this.format, { ...this.renderOptions, columns, fields });
    for await (const batch of batches) for (const r of batch) out.add(r);
    if (out.end() === 0 && this.format === 'table') this.message('(none)');
  }

  async show(record: object): Promise<void> {
    const { renderObject } = await import('../output/render.js');
    this.io.out(renderObject(record as Rec, this.format, this.renderOptions));
  }

  /** Any value as JSON (`--json` summaries and reports that are not records). */
  async json(value: unknown): Promise<void> {
    const { renderJson } = await import('../output/render.js');
    this.io.out(renderJson(value));
  }

  /** A command that creates or changes a record prints its key, or with --json the record itself. */
  async changed(key: string, record: object): Promise<void> {
    if (this.opts.json) await this.show(record);
    else this.io.out(`${key}\n`);
  }

  message(text: string): void {
    this.io.err(`${text}\n`);
  }

  warn(text: string): void {
    this.io.err(`warning: ${text}\n`);
  }

  /**
   * Destructive commands: --yes passes; on a terminal ask; otherwise refuse with a usage error (exit 2),
   * never waiting for input.
   */
  async confirm(question: string): Promise<void> {
    if (this.opts.yes) return;
    if (!this.interactive) {
      throw new UsageError(`${question.replace(/\?$/, '')}: refused without --yes (stdin is not a terminal)`);
    }
    const { askConfirm } = await import('./prompts.js');
    if (!(await askConfirm(question, false))) throw new UsageError('cancelled');
  }
}

export type Action = (s: Session, ...args: string[]) => Promise<void>;

/**
 * Adapts an action to commander: collects the options of the command and every parent (global flags
 * before or after the subcommand) into a Session and always closes the database.
 */
export function act(io: Io, fn: Action): (...params: unknown[]) => Promise<void> {
  return async (...params: unknown[]) => {
    const cmd = params[params.length - 1] as Command;
    const args = params.slice(0, -2).map((a) => a as string);
    const session = new Session(io, cmd.optsWithGlobals());
    checkOutputFormat(session.opts);
    if (session.opts.actor !== undefined) session.opts.actor = await checkedActor(session.opts.actor);
    try {
      await fn(session, ...args);
    } finally {
      await session.close();
    }
  };
}

/**
 * `--json` is short for `--format json`: with `--format csv` or `--format table` the two contradict each
 * other, and neither may silently win (a script asking for JSON must not get CSV). Refused before anything runs.
 */
function checkOutputFormat(opts: GlobalOptions): void {
  if (opts.json && opts.format !== undefined && opts.format !== 'json')
    throw new UsageError(`--json and --format ${opts.format} contradict each other`, 'give one of them (--json is --format json)');
}

/**
 * `--actor` as the audit log records it (on_behalf_of): a name, so one-line text as every name is —
 * trimmed, not empty, no control characters, tabs or line breaks (a line break would forge a second
 * entry in a log read as lines). A bad one is a usage error, refused before anything runs.
 */
async function checkedActor(raw: string): Promise<string> {
  const { lineProblem } = await import('../lib/keys.js');
  const name = raw.trim();
  const problem = name === '' ? 'must not be empty' : lineProblem(name);
  if (problem) throw new UsageError(formatProblem({ field: 'actor', value: raw, rule: problem }));
  return name;
}
