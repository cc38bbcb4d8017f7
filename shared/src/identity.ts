/**
 * Host identity and token hashing, shared so the relay and the tab compute them identically.
 * Uses WebCrypto, which both browsers and Node 20 provide as `globalThis.crypto`.
 */
import { z } from 'zod';
import { TOKEN_PREFIX } from './constants.ts';

/** Host ids are derived from the host secret (see `deriveHostId`), so they are fixed-length base64url. */
export const hostIdSchema = z.string().regex(/^[A-Za-z0-9_-]{22}$/, 'host id must be 22 base64url characters');

export function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
}

export function randomSecret(bytes = 32): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(bytes)));
}

/**
 * The host id is a hash of the host secret. A relay that has never seen the host (e.g. after a
 * restart) can still check that a registering tab owns the id, without storing anything.
 */
export async function deriveHostId(secret: string): Promise<string> {
  return toBase64Url(await sha256(`vial-host:${secret}`)).slice(0, 22);
}

export function mintTokenValue(): string {
  return `${TOKEN_PREFIX}${randomSecret(32)}`;
}

/** Lower-case hex SHA-256 of UTF-8 text. */
export async function sha256Hex(text: string): Promise<string> {
  return toHex(await sha256(text));
}

/** Lower-case hex SHA-256 of a bearer token: the only form of a token the relay ever holds. */
export function hashToken(token: string): Promise<string> {
  return sha256Hex(token);
}
