/**
 * Activation codes: 16 characters from the OS CSPRNG over an alphabet without the look-alikes 0/O and
 * 1/I, grouped XXXX-XXXX-XXXX-XXXX (32^16 = 2^80 codes), unique in the database.
 */
import { randomInt } from 'node:crypto';
import type { Kysely } from '#kysely';
import type { DB } from '../db/schema/index.js';

export const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
export const CODE_PATTERN = /^[A-HJ-NP-Z2-9]{4}(-[A-HJ-NP-Z2-9]{4}){3}$/;

export function generateActivationCode(pick: (max: number) => number = randomInt): string {
  const groups: string[] = [];
  for (let g = 0; g < 4; g++) {
    let group = '';
    for (let i = 0; i < 4; i++) group += CODE_ALPHABET[pick(CODE_ALPHABET.length)];
    groups.push(group);
  }
  return groups.join('-');
}

/** A code no subscription has yet. A collision is astronomically unlikely; retrying keeps it certain. */
export async function uniqueActivationCode(db: Kysely<DB>, generate: () => string = () => generateActivationCode()): Promise<string> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const code = generate();
    const taken = await db.selectFrom('subscriptions').select('id').where('activation_code', '=', code).executeTakeFirst();
    if (!taken) return code;
  }
  throw new Error('could not generate a unique activation code (this is a bug)');
}
