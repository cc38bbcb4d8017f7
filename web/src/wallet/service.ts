/**
 * What the wallet tools need from a wallet. The tab's implementation (`browserWallet.ts`) drives
 * the person's browser wallet with @wagmi/core; Node tests give a fake. Every signing method
 * reaches the wallet only after the tab's approval gate has let the call through, and the wallet
 * then asks the person again in its own popup.
 */
import type { Abi, Address, Hex, TypedDataDefinition } from 'viem';

export interface NativeBalance {
  /** In wei, as a decimal string (JSON has no bigint). */
  wei: string;
  /** In whole units, e.g. "1.5". */
  formatted: string;
  symbol: string;
  decimals: number;
}

export interface ConnectedWallet {
  connected: true;
  /** The wallet's name, e.g. "MetaMask". */
  wallet: string;
  address: Address;
  chain: { id: number; name: string; supported: boolean };
  /** Null when the chain is outside Vial's list or its RPC did not answer (see `balanceError`). */
  balance: NativeBalance | null;
  balanceError?: string;
}

export interface DisconnectedWallet {
  connected: false;
  /** Wallets found in this browser (EIP-6963, or the injected `window.ethereum`). */
  wallets: string[];
}

export type WalletStatus = ConnectedWallet | DisconnectedWallet;

export interface ContractRead {
  chainId: number;
  address: Address;
  abi: Abi;
  functionName: string;
  args: readonly unknown[];
}

export interface WalletService {
  /** Never throws for "not connected": that is a status. */
  status(): Promise<WalletStatus>;
  /** An `eth_call` on `chainId` through Vial's RPC for that chain (not the wallet). */
  readContract(read: ContractRead): Promise<unknown>;
  /** EIP-191 `personal_sign` of the text by `account`. */
  signMessage(request: { account: Address; message: string }): Promise<Hex>;
  /** EIP-712 `eth_signTypedData_v4` by `account`. */
  signTypedData(request: { account: Address; typedData: TypedDataDefinition }): Promise<Hex>;
}
