/**
 * The V8 heap setting of the `acctmgr` command (bin/acctmgr.js), also taken by the benchmarks' child
 * processes, which run main() as the command does: the heap may grow to 1.25× what was live after a
 * full collection (V8's default lets it grow up to 4×). A run that makes much short-lived garbage beside
 * a large live set (`remind --mark-sent` of 160,000 notices) peaks at 280 MB instead of 440–710 MB, for
 * ≈ 5 % more CPU time (docs/development.md).
 */
import { setFlagsFromString } from 'node:v8';

export function commandHeap(): void {
  setFlagsFromString('--heap-growing-percent=25');
}
