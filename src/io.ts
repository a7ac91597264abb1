/**
 * The process boundary, injected so that main() can run in-process in tests: nothing else in src/
 * reads process.env, process.stdin, process.stdout or process.stderr.
 */
import { Writable } from 'node:stream';

export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Standard input, for `import ENTITY -` and `--password-stdin` (absent: there is none). */
  stdin?: NodeJS.ReadableStream;
  env: NodeJS.ProcessEnv;
  stdinIsTTY: boolean;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  /** The terminal's width in columns when stdout is a terminal (tables are cut to it); absent otherwise. */
  stdoutColumns?: number;
}

export function processIo(): Io {
  // a reader that goes away (`acctmgr … | head`) closes the pipe: the rest of the output is dropped
  // quietly, as `cat` and `gh` do, instead of an unhandled EPIPE with a stack trace
  let closed = false;
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    closed = true;
  });
  return {
    out: (t) => void (closed || process.stdout.write(t)),
    err: (t) => void process.stderr.write(t),
    stdin: process.stdin,
    env: process.env,
    stdinIsTTY: Boolean(process.stdin.isTTY),
    stdoutIsTTY: Boolean(process.stdout.isTTY),
    stderrIsTTY: Boolean(process.stderr.isTTY),
    // read once: a table is laid out for the width the terminal had when the command started
    ...(process.stdout.isTTY && process.stdout.columns > 0 ? { stdoutColumns: process.stdout.columns } : {}),
  };
}

export function colorEnabled(io: Io, stream: 'stdout' | 'stderr' = 'stdout'): boolean {
  if (io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '') return false;
  if (io.env.TERM === 'dumb') return false;
  return stream === 'stdout' ? io.stdoutIsTTY : io.stderrIsTTY;
}

/**
 * stderr as a stream, for a library that draws on the terminal (the import progress bar): what it
 * writes goes through io.err; it is a terminal when io says so.
 */
export function stderrStream(io: Io): NodeJS.WritableStream {
  const stream = new Writable({
    decodeStrings: false,
    write(chunk: string | Buffer, _encoding, done) {
      io.err(String(chunk));
      done();
    },
  });
  return Object.assign(stream, { isTTY: io.stderrIsTTY });
}
