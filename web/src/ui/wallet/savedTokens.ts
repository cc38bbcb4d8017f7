/**
 * The ERC-20 tokens the person lists in the Wallet view, one list per chain id, kept in
 * localStorage (addresses only, nothing secret) and parsed with zod on read: a malformed entry is
 * dropped rather than trusted.
 */
import { getAddress, isAddress, type Address } from 'viem';
import { z } from 'zod';
import { checkedAddress } from '../../wallet/checks.ts';
import { ToolError } from '../../server/toolError.ts';
import { MAX_TOKENS } from '../../wallet/tokenBalance.ts';

const TOKENS_KEY = 'vial.wallet.tokens';
const savedSchema = z.record(
  z.string().regex(/^\d+$/),
  z.array(z.string().refine((value) => isAddress(value, { strict: true }))),
);
type Saved = z.infer<typeof savedSchema>;

function readAll(storage: Pick<Storage, 'getItem'>): Saved {
  try {
    const parsed = savedSchema.safeParse(JSON.parse(storage.getItem(TOKENS_KEY) ?? '{}'));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}

/** The tokens listed for `chainId`, checksummed, in the order they were added. */
export function savedTokens(storage: Pick<Storage, 'getItem'>, chainId: number): Address[] {
  return (readAll(storage)[String(chainId)] ?? []).map((token) => getAddress(token));
}

/**
 * Adds `value` to `chainId`'s list and returns the list. The address is checked as the wallet
 * tools check it: a wrong EIP-55 checksum is refused with the checksummed form to use instead.
 */
export function addSavedToken(storage: Storage, chainId: number, value: string): Address[] {
  const token = checkedAddress(value.trim(), 'Token');
  const tokens = savedTokens(storage, chainId);
  if (tokens.includes(token)) throw new ToolError(`Token ${token} is already listed`);
  if (tokens.length >= MAX_TOKENS) {
    throw new ToolError(`At most ${MAX_TOKENS} tokens can be listed per chain`, {
      hints: ['Remove one first.'],
    });
  }
  return write(storage, chainId, [...tokens, token]);
}

/** Removes `token` from `chainId`'s list and returns the list. */
export function removeSavedToken(storage: Storage, chainId: number, token: Address): Address[] {
  return write(
    storage,
    chainId,
    savedTokens(storage, chainId).filter((listed) => listed !== token),
  );
}

function write(storage: Storage, chainId: number, tokens: Address[]): Address[] {
  storage.setItem(TOKENS_KEY, JSON.stringify({ ...readAll(storage), [String(chainId)]: tokens }));
  return tokens;
}
