/**
 * Salted scrypt hashes (node:crypto, no dependency). The plain password never leaves this module.
 *
 * Stored as `$scrypt$ln=17,r=8,p=1$SALT$HASH` (base64 without padding): N = 2^17, r = 8, p = 1 is
 * OWASP's current minimum. Hashes of the first form, `scrypt$16384$8$1$SALT$HASH` (N = 2^14), still
 * verify; setting the password again stores it in the current form.
 */
import { randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';

const LOG2_N = 17;
const R = 8;
const P = 1;
const KEYLEN = 32;

interface Params {
  n: number;
  r: number;
  p: number;
}

function scrypt(password: string, salt: Buffer, { n, r, p }: Params, keylen: number): Promise<Buffer> {
  // scrypt needs 128·N·r bytes (128 MiB at N = 2^17); Node refuses more than 32 MiB unless allowed
  const maxmem = 2 * 128 * n * r;
  return new Promise((resolve, reject) =>
    scryptCb(password, salt, keylen, { N: n, r, p, maxmem }, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

function unpadded(b: Buffer): string {
  return b.toString('base64').replace(/=+$/, '');
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, { n: 2 ** LOG2_N, r: R, p: P }, KEYLEN);
  return `$scrypt$ln=${LOG2_N},r=${R},p=${P}$${unpadded(salt)}$${unpadded(key)}`;
}

const B64 = '([A-Za-z0-9+/]+={0,2})';
const CURRENT = new RegExp(`^\\$scrypt\\$ln=(\\d{1,2}),r=(\\d{1,2}),p=(\\d{1,2})\\$${B64}\\$${B64}$`);
const FIRST = new RegExp(`^scrypt\\$(\\d{1,8})\\$(\\d{1,2})\\$(\\d{1,2})\\$${B64}\\$${B64}$`);

function parseHash(stored: string): (Params & { salt: Buffer; key: Buffer }) | undefined {
  const m = CURRENT.exec(stored);
  const f = m ? undefined : FIRST.exec(stored);
  const parts = m ?? f;
  if (!parts) return undefined;
  const n = m ? 2 ** Number(m[1]) : Number(f![1]);
  return { n, r: Number(parts[2]), p: Number(parts[3]), salt: Buffer.from(parts[4]!, 'base64'), key: Buffer.from(parts[5]!, 'base64') };
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const h = parseHash(stored);
  if (!h || h.key.length === 0) return false;
  const actual = await scrypt(password, h.salt, h, h.key.length);
  return timingSafeEqual(actual, h.key);
}

export const MIN_PASSWORD_LENGTH = 8;
