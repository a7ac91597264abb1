#!/usr/bin/env node
import { commandHeap } from '../dist/src/heap.js';
import { main } from '../dist/src/main.js';

commandHeap();
process.exitCode = await main(process.argv.slice(2));
