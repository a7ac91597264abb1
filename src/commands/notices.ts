import type { Command } from 'commander';
import type { Io } from '../io.js';

// Not built yet: see the open issue that names `acctmgr notices`.
export function registerNotices(_program: Command, _io: Io): void {}
