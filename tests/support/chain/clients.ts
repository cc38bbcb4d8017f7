/** viem clients for a local anvil chain: read (public), sign and send (wallet), and anvil's cheat codes (test). */
import {
  createPublicClient,
  createTestClient,
  createWalletClient,
  http,
  type Account,
  type Chain,
  type PublicClient,
  type TestClient,
  type Transport,
  type WalletClient,
} from 'viem';
import { anvil } from 'viem/chains';
import { devAccount } from './devAccounts.ts';

export interface ChainClients {
  chain: Chain;
  public: PublicClient<Transport, Chain>;
  /** Signs with `account` in this process (a local account), so anvil needs no unlocked keys. */
  wallet: WalletClient<Transport, Chain, Account>;
  /** anvil_* methods: set balances, mine, snapshot and revert. */
  test: TestClient<'anvil', Transport, Chain>;
}

/** anvil mines each transaction at once, so receipts are there on the first poll: poll often. */
const POLLING_INTERVAL_MS = 50;

export function localChain(rpcUrl: string, chainId: number): Chain {
  return { ...anvil, id: chainId, rpcUrls: { default: { http: [rpcUrl] } } };
}

export function chainClients(rpcUrl: string, chainId: number, account: Account = devAccount(0)): ChainClients {
  const chain = localChain(rpcUrl, chainId);
  const transport = http(rpcUrl);
  const common = { chain, transport, pollingInterval: POLLING_INTERVAL_MS };
  return {
    chain,
    public: createPublicClient(common),
    wallet: createWalletClient({ ...common, account }),
    test: createTestClient({ ...common, mode: 'anvil' }),
  };
}
