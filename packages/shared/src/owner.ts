import { createHash } from 'node:crypto';

/** SHA-256 of an API key: kept instead of the key wherever a key is compared or stored. */
export const keyHash = (key: string): Buffer => createHash('sha256').update(key).digest();

/** A job's owner: the first 128 bits of its API key's hash (the key itself is never stored). */
export const ownerOf = (key: string): string => keyHash(key).toString('hex').slice(0, 32);
