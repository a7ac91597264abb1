#!/usr/bin/env node
import { setFlagsFromString } from 'node:v8';
import { main } from '../dist/src/main.js';

// The heap may grow to 1.25× what was live after a full collection (V8's default lets it grow up to 4×):
// a run that makes much short-lived garbage beside a large live set (`remind --mark-sent` of 160,000
// notices) peaks at 280 MB instead of 440–710 MB, for ≈ 5 % more CPU time (docs/development.md).
setFlagsFromString('--heap-growing-percent=25');

process.exitCode = await main(process.argv.slice(2));
