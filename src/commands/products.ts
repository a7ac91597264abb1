import type { Command } from 'commander';
import type { Io } from '../io.js';

// Not built yet: see the open issue that names `acctmgr products`.
export function registerProducts(_program: Command, _io: Io): void {}
