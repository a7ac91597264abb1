/**
 * TLS to PostgreSQL as libpq 15 does it. The root certificate file is the URL's `sslrootcert`, else
 * PGSSLROOTCERT, else ~/.postgresql/root.crt. When it exists, every TLS attempt checks that the server's
 * certificate is signed by one of its CAs, whatever the sslmode (libpq sets SSL_VERIFY_PEER whenever a
 * root certificate is loaded: `require` then means `verify-ca`, and `prefer` falls back to plain on a
 * certificate it refuses); when it does not, `verify-ca` and `verify-full` refuse to connect instead of
 * trusting Node's built-in CAs, and the other modes encrypt without checking. `verify-full` also checks
 * the host name. Imports nothing heavy: the worker thread of beside.ts builds its TLS options here too.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ConnectionOptions } from 'node:tls';
import { homeDir } from '../lib/config.js';
import type { SslMode } from './target.js';

/** What a TLS attempt asks of the server's certificate, as plain data (it crosses to a worker thread). */
export interface TlsChecks {
  /** none: any certificate (encryption only); chain: signed by a CA of `ca`; full: that, and naming the host */
  verify: 'none' | 'chain' | 'full';
  /** the root certificate file's text: its CAs, and no others */
  ca?: string;
}

/** One connection attempt: plain (false) or TLS with its checks; throws when its root certificate cannot be used. */
export type Attempt = () => TlsChecks | false;

/** libpq's attempts for a mode: prefer tries TLS then plain, allow plain then TLS, the others one. */
export function tlsAttempts(mode: SslMode, sslRootCert: string | undefined, env: NodeJS.ProcessEnv): Attempt[] {
  const plain: Attempt = () => false;
  const secure: Attempt = () => tlsChecks(mode, sslRootCert || env.PGSSLROOTCERT || path.join(homeDir(env), '.postgresql', 'root.crt'));
  if (mode === 'disable') return [plain];
  if (mode === 'prefer') return [secure, plain];
  if (mode === 'allow') return [plain, secure];
  return [secure];
}

function tlsChecks(mode: SslMode, file: string): TlsChecks {
  if (!fs.existsSync(file)) {
    if (mode === 'verify-ca' || mode === 'verify-full') {
      throw rootCertError(
        `root certificate file "${file}" does not exist`,
        'either provide the file (or name it: sslrootcert=FILE in the URL, or PGSSLROOTCERT) or change sslmode to disable server certificate verification',
      );
    }
    return { verify: 'none' };
  }
  try {
    return { verify: mode === 'verify-full' ? 'full' : 'chain', ca: fs.readFileSync(file, 'utf8') };
  } catch (e) {
    throw rootCertError(`could not read root certificate file "${file}": ${(e as Error).message}`);
  }
}

function rootCertError(message: string, hint?: string): Error {
  return Object.assign(new Error(message), { code: 'root_certificate', hint });
}

/** node-postgres' `ssl` for an attempt (a function in it, for `chain`: built on each side of a thread). */
export function sslOption(t: TlsChecks | false): false | ConnectionOptions {
  if (!t) return false;
  if (t.verify === 'none') return { rejectUnauthorized: false };
  // libpq's verify-ca checks who signed the certificate, not the name in it
  const name = t.verify === 'chain' ? { checkServerIdentity: () => undefined } : {};
  return { ca: t.ca, rejectUnauthorized: true, ...name };
}
