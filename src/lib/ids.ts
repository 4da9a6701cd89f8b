import { createHmac, randomBytes, randomUUID } from 'node:crypto';

export const newId = (): string => randomUUID();

/** 20 base32 characters (100 bits): the plus-address token. Unguessable, safe in a local part. */
export function newToken(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  const bytes = randomBytes(20);
  let out = '';
  for (const b of bytes) out += alphabet.charAt(b & 31);
  return out;
}

/** Short keyed hash: deterministic for the same inputs, unguessable without the secret. */
export function keyedHash(secret: string, ...parts: string[]): string {
  return createHmac('sha256', secret).update(parts.join('\u0000')).digest('hex').slice(0, 16);
}
