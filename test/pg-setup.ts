/**
 * Global setup of the PostgreSQL project: the server must answer (a PostgreSQL test that silently skips
 * is a missing test), then one migrated template database for the run; every database the run made is
 * dropped at the end.
 */
import crypto from 'node:crypto';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { openDb } from '../src/db/connection.js';

const BASE = process.env.ACCTMGR_TEST_PG_URL ?? 'postgres://root@127.0.0.1:5432/test';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const admin = new pg.Client({ connectionString: BASE, connectionTimeoutMillis: 10_000 });
  try {
    await admin.connect();
  } catch (e) {
    throw new Error(
      `the PostgreSQL tests need a server at ${BASE} (ACCTMGR_TEST_PG_URL overrides it): ${(e as Error).message}. ` +
        'Start it with: pg_ctlcluster 15 main start',
      { cause: e },
    );
  }
  const prefix = `acctmgr_t${crypto.randomBytes(4).toString('hex')}`;
  const template = `${prefix}_template`;
  await admin.query(`create database "${template}"`);
  const url = new URL(BASE);
  url.pathname = `/${template}`;
  const h = await openDb(url.toString(), { migrate: true, env: process.env });
  await h.close();
  project.provide('pg', { template, prefix });
  return async () => {
    const { rows } = await admin.query<{ datname: string }>('select datname from pg_database where datname like $1', [`${prefix}\\_%`]);
    for (const r of rows) await admin.query(`drop database if exists "${r.datname}" with (force)`);
    await admin.end();
  };
}
