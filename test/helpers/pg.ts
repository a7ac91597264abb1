/**
 * PostgreSQL test databases. The run's global setup (test/pg-setup.ts) migrates one template database;
 * each test database is `CREATE DATABASE … TEMPLATE` of it (fast, and runs can overlap: every name
 * carries the run's id) and is dropped after the test.
 */
import { inject } from 'vitest';
import pg from 'pg';

export const PG_BASE_URL = process.env.ACCTMGR_TEST_PG_URL ?? 'postgres://root@127.0.0.1:5432/test';

declare module 'vitest' {
  export interface ProvidedContext {
    pg: { template: string; prefix: string };
  }
}

let admin: pg.Pool | undefined;
let counter = 0;

function pool(): pg.Pool {
  admin ??= new pg.Pool({ connectionString: PG_BASE_URL, max: 2, allowExitOnIdle: true });
  return admin;
}

/** The URL of database `name` on the test server. */
export function urlOf(name: string): string {
  const u = new URL(PG_BASE_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

export function nameOf(url: string): string {
  return decodeURIComponent(new URL(url).pathname.slice(1));
}

function newName(): string {
  const { prefix } = inject('pg');
  return `${prefix}_${process.pid}_${++counter}`;
}

/** A new database: a copy of `from` (default: the migrated template), or empty. */
export async function createPgDatabase(from: string = inject('pg').template): Promise<string> {
  const name = newName();
  const template = from === 'empty' ? 'template0' : from;
  await pool().query(`create database "${name}" template "${template}"`);
  return urlOf(name);
}

/**
 * Drops a test database in the background (the next test need not wait for it); the run's teardown
 * drops whatever is left.
 */
export async function dropPgDatabase(url: string): Promise<void> {
  pool()
    .query(`drop database if exists "${nameOf(url)}" with (force)`)
    .catch(() => undefined);
}
