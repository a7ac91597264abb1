/**
 * How `db copy` words a statement the server refused: bad data (fix the SQLite row), a privilege the role
 * lacks (run it as the tables' owner), or anything else (the server's reason alone); a failure that is
 * not the server's goes on unchanged.
 */
import { describe, expect, it } from 'vitest';
import { copyFailed } from '../../src/db/copy.js';
import { AppError } from '../../src/errors.js';

function serverError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

function caught(table: string | undefined, e: unknown): unknown {
  try {
    copyFailed(table, e);
  } catch (thrown) {
    return thrown;
  }
  throw new Error('copyFailed returned');
}

describe('db copy: a refused statement, in words', () => {
  it('a permission error says who must run the copy, without the hint to correct rows', () => {
    const e = caught('import_batches', serverError('42501', 'permission denied for sequence import_batches_id_seq'));
    expect(e).toBeInstanceOf(AppError);
    expect(e).toMatchObject({
      message:
        "db copy must be run by the role that owns the database's tables (the one that ran acctmgr db migrate): " +
        'table import_batches: permission denied for sequence import_batches_id_seq; nothing was copied',
      code: 'refused',
      exitCode: 1,
      hint: 'run it again as that role: --to postgres://OWNER@HOST:PORT/DBNAME',
    });
    expect(caught(undefined, serverError('42501', 'must be owner of table audit_log'))).toMatchObject({
      message: expect.stringMatching(/: must be owner of table audit_log; nothing was copied$/),
    });
  });

  it('a value or constraint the server refuses points at the row in the SQLite database', () => {
    for (const [code, message] of [
      ['22P02', 'invalid input syntax for type bigint: "many"'],
      ['23502', 'null value in column "name" of relation "accounts" violates not-null constraint'],
    ] as const)
      expect(caught('accounts', serverError(code, message))).toMatchObject({
        message: `db copy: table accounts: ${message}; nothing was copied`,
        code: 'invalid_data',
        exitCode: 1,
        hint: expect.stringContaining('correct the row in the SQLite database'),
      });
  });

  it('any other server error gives its reason, with no hint about rows', () => {
    const e = caught('seats', serverError('57014', 'canceling statement due to statement timeout'));
    expect(e).toMatchObject({
      message: 'db copy: table seats: canceling statement due to statement timeout; nothing was copied',
      code: 'refused',
      exitCode: 1,
      hint: undefined,
    });
  });

  it('an error that is not the server’s goes on as it is', () => {
    const bug = new TypeError('x is undefined');
    expect(caught('seats', bug)).toBe(bug);
  });
});
