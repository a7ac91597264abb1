/**
 * The dialect seam: everything that differs between SQLite and PostgreSQL outside the schema lives in
 * src/db/ and asks here which engine a handle speaks. (The schema's differences are in
 * migrations/dialect.ts, which migrations may import; this re-exports its test.)
 */
export { isPostgres } from '../../migrations/dialect.js';
