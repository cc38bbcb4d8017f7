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

/** A transaction as the tools build it; the wallet fills in nonce, gas and fees itself. */
export interface TransactionRequest {
  chainId: number;
  account: Address;
  to: Address;
  /** Calldata; absent for a plain transfer. */
  data?: Hex;
  /** In wei. */
  value: bigint;
}

export interface FeeEstimate {
  gas: bigint;
  /** EIP-1559 `maxFeePerGas` (or the legacy gas price), in wei. */
  maxFeePerGas: bigint;
  /** `gas * maxFeePerGas`: the most the transaction can cost in fees, in wei. */
  fee: bigint;
}

export interface TransactionReceiptSummary {
  hash: Hex;
  status: 'success' | 'reverted';
  blockNumber: bigint;
  gasUsed: bigint;
  effectiveGasPrice: bigint;
  from: Address;
  to: Address | null;
}

export interface WalletService {
  /** Never throws for "not connected": that is a status. */
  status(): Promise<WalletStatus>;
  /** An `eth_call` on `chainId` through Vial's RPC for that chain (not the wallet). */
  readContract(read: ContractRead): Promise<unknown>;
  /** Native balance of `address` on `chainId` in wei, through Vial's RPC for that chain. */
  getBalance(request: { chainId: number; address: Address }): Promise<bigint>;
  /** Gas and fee for `transaction`, through Vial's RPC for its chain; throws when the node would refuse it. */
  estimate(transaction: TransactionRequest): Promise<FeeEstimate>;
  /** Asks the wallet to switch to `chainId` (the wallet may prompt). */
  switchChain(chainId: number): Promise<void>;
  /** `eth_sendTransaction` by the wallet, which must be on `transaction.chainId`; the hash once sent. */
  sendTransaction(transaction: TransactionRequest): Promise<Hex>;
  /** The receipt of `hash` on `chainId`; throws when none comes within `timeoutMs`. */
  waitForReceipt(request: { chainId: number; hash: Hex; timeoutMs: number }): Promise<TransactionReceiptSummary>;
  /** EIP-191 `personal_sign` of the text by `account`. */
  signMessage(request: { account: Address; message: string }): Promise<Hex>;
  /** EIP-712 `eth_signTypedData_v4` by `account`. */
  signTypedData(request: { account: Address; typedData: TypedDataDefinition }): Promise<Hex>;
}
