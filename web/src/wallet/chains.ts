/**
 * The chains the wallet works with: Ethereum, Sepolia, Base, Base Sepolia and a local chain
 * (anvil/Hardhat, 31337) whose RPC URL the person sets in the Wallet view. The tools check chain
 * ids against this list before anything reaches a wallet or an RPC.
 */
import type { Chain } from 'viem';
import { anvil, base, baseSepolia, mainnet, sepolia } from 'viem/chains';
import { z } from 'zod';

export const LOCAL_CHAIN_ID = anvil.id;
export const DEFAULT_LOCAL_RPC_URL = 'http://127.0.0.1:8545';

/** The chains with their public RPCs; the local one at `localRpcUrl`. */
export function walletChains(localRpcUrl: string = DEFAULT_LOCAL_RPC_URL): readonly [Chain, ...Chain[]] {
  const local: Chain = { ...anvil, name: 'Local (anvil)', rpcUrls: { default: { http: [localRpcUrl] } } };
  return [mainnet, sepolia, base, baseSepolia, local];
}

const SUPPORTED = walletChains();

export function supportedChain(chainId: number): Chain | undefined {
  return SUPPORTED.find((chain) => chain.id === chainId);
}

/** "Base Sepolia (84532)", or "chain 137" for one outside the list. */
export function describeChain(chainId: number): string {
  const chain = supportedChain(chainId);
  return chain ? `${chain.name} (${chainId})` : `chain ${chainId}`;
}

// Lower-case names a caller may use for a chain, besides its id and its name in viem.
const CHAIN_ALIASES: Record<string, number> = {
  ethereum: mainnet.id,
  mainnet: mainnet.id,
  sepolia: sepolia.id,
  base: base.id,
  'base-sepolia': baseSepolia.id,
  'base sepolia': baseSepolia.id,
  local: LOCAL_CHAIN_ID,
  anvil: LOCAL_CHAIN_ID,
  localhost: LOCAL_CHAIN_ID,
};

/** The chain id `name` stands for ("base", "Base Sepolia", "31337"), or undefined when none. */
export function chainIdByName(name: string): number | undefined {
  const key = name.trim().toLowerCase();
  if (/^\d+$/.test(key)) return Number(key);
  return CHAIN_ALIASES[key] ?? SUPPORTED.find((chain) => chain.name.toLowerCase() === key)?.id;
}

/** A link to the transaction on the chain's block explorer; none for the local chain. */
export function explorerTransactionUrl(chainId: number, hash: string): string | undefined {
  const explorer = supportedChain(chainId)?.blockExplorers?.default.url;
  return explorer ? `${explorer}/tx/${hash}` : undefined;
}

export function supportedChainList(): string {
  return SUPPORTED.map((chain) => describeChain(chain.id)).join(', ');
}

// The local chain's RPC URL is read synchronously when the wallet's config is built, so it lives
// in localStorage rather than IndexedDB. It is not a secret, and it only ever serves chain 31337.
const LOCAL_RPC_KEY = 'vial.wallet.localRpcUrl';
const rpcUrlSchema = z.url({ protocol: /^https?$/ });

/** The saved local RPC URL, or the default when none (or a malformed one) is saved. */
export function savedLocalRpcUrl(storage: Pick<Storage, 'getItem'>): string {
  const parsed = rpcUrlSchema.safeParse(storage.getItem(LOCAL_RPC_KEY));
  return parsed.success ? parsed.data : DEFAULT_LOCAL_RPC_URL;
}

/** Saves the local RPC URL; throws with what is wrong when it is not an http(s) URL. */
export function saveLocalRpcUrl(storage: Pick<Storage, 'setItem'>, url: string): void {
  const parsed = rpcUrlSchema.safeParse(url.trim());
  if (!parsed.success) throw new Error(`'${url}' is not an http(s) URL, e.g. ${DEFAULT_LOCAL_RPC_URL}`);
  storage.setItem(LOCAL_RPC_KEY, parsed.data);
}
