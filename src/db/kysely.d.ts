/**
 * The types of `#kysely` (package.json "imports"): kysely's own. At run time `#kysely` is kysely bundled into
 * one file by `npm run build` (scripts/bundle-kysely.mjs), which loads ≈ 0.1 s sooner than its ≈ 280 modules.
 */
export * from 'kysely';
