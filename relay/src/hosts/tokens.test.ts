import { describe, expect, it } from 'vitest';
import { hashToken, mintTokenValue, type TokenRecord } from '@vial/shared';
import { bearerToken, findToken } from './tokens.ts';

async function record(token: string, expiresAt: number | null = null): Promise<TokenRecord> {
  return { id: token.slice(-6), name: 'n', hash: await hashToken(token), scopes: [], expiresAt };
}

describe('findToken', () => {
  it('matches the tab-side hash and nothing else', async () => {
    const a = mintTokenValue();
    const b = mintTokenValue();
    const records = [await record(a), await record(b)];
    expect(findToken(records, a)?.id).toBe(records[0]!.id);
    expect(findToken(records, b)?.id).toBe(records[1]!.id);
    expect(findToken(records, `${a}x`)).toBeUndefined();
  });

  it('refuses expired tokens', async () => {
    const token = mintTokenValue();
    expect(findToken([await record(token, 1000)], token, 1000)).toBeUndefined();
    expect(findToken([await record(token, 1001)], token, 1000)).toBeDefined();
  });
});

describe('bearerToken', () => {
  it('reads only the Bearer scheme', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('bearer  abc ')).toBe('abc');
    expect(bearerToken('Basic abc')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });
});
