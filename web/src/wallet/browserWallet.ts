/**
 * The tab's wallet: the person's browser wallet driven with @wagmi/core. Wallets are discovered
 * with EIP-6963 (each one that announces itself is a connector), with the injected
 * `window.ethereum` connector as the fallback for wallets that do not announce. The connection
 * is kept by wagmi in localStorage and restored on reload (`reconnect`). Reads go through Vial's
 * RPC for the chain; signing goes through the connected wallet, which asks the person again.
 *
 * Imported only through `LazyWallet` (see main.ts), so this module and wagmi load on first use.
 */
import {
  connect,
  createConfig,
  createStorage,
  disconnect,
  estimateFeesPerGas,
  estimateGas,
  getBalance,
  getConnection,
  getConnectors,
  http,
  injected,
  readContract,
  reconnect,
  sendTransaction,
  signMessage,
  signTypedData,
  switchChain,
  waitForTransactionReceipt,
  watchConnection,
  watchConnectors,
  type Config,
  type Connector,
} from '@wagmi/core';
import { formatUnits } from 'viem';
import { describeChain, supportedChain, walletChains } from './chains.ts';
import { noWalletInstalled, toWalletError, walletNotConnected } from './errors.ts';
import { rememberConnected } from './reconnect.ts';
import type { ContractRead, FeeEstimate, TransactionRequest, WalletService, WalletStatus } from './walletService.ts';

/** A wallet the person can connect, as the Wallet view lists it. */
export interface WalletChoice {
  /** The connector's id: the wallet's EIP-6963 rdns, or `injected` for `window.ethereum`. */
  id: string;
  name: string;
  icon?: string;
}

const INJECTED_ID = 'injected';

export interface BrowserWalletOptions {
  localRpcUrl: string;
  /** Where wagmi keeps the connection and Vial its reconnect flag (localStorage in the tab). */
  storage: Storage;
}

export async function createBrowserWallet(options: BrowserWalletOptions): Promise<BrowserWallet> {
  const chains = walletChains(options.localRpcUrl);
  const config = createConfig({
    chains,
    connectors: [injected()],
    multiInjectedProviderDiscovery: true,
    storage: createStorage({ storage: options.storage, key: 'vial.wagmi' }),
    // Each chain's own RPC (the local one at the saved URL); wagmi builds a client per chain.
    transports: Object.fromEntries(chains.map((chain) => [chain.id, http()])),
  });
  await reconnect(config);
  return new BrowserWallet(config, options.storage);
}

export class BrowserWallet implements WalletService {
  constructor(
    private readonly config: Config,
    private readonly storage: Storage,
  ) {}

  /**
   * The wallets to offer: every EIP-6963 wallet, and `window.ethereum` only when none announced
   * itself (then it is most likely an older wallet; with them it is one of theirs again).
   */
  async choices(): Promise<WalletChoice[]> {
    const announced = getConnectors(this.config).filter((connector) => connector.id !== INJECTED_ID);
    if (announced.length > 0) return announced.map(toChoice);
    const fallback = this.injectedConnector();
    const provider = await fallback?.getProvider().catch(() => undefined);
    return fallback && provider ? [{ id: fallback.id, name: 'Browser wallet (window.ethereum)' }] : [];
  }

  async connect(id: string): Promise<void> {
    const connector = getConnectors(this.config).find((candidate) => candidate.id === id);
    if (!connector) throw noWalletInstalled();
    try {
      await connect(this.config, { connector });
      rememberConnected(this.storage, true);
    } catch (error) {
      throw toWalletError(error);
    }
  }

  async disconnect(): Promise<void> {
    rememberConnected(this.storage, false);
    await disconnect(this.config);
  }

  async switchChain(chainId: number): Promise<void> {
    try {
      await switchChain(this.config, { chainId });
    } catch (error) {
      throw toWalletError(error);
    }
  }

  /** Calls `listener` when the connection, account, chain or the wallets found change. */
  subscribe(listener: () => void): () => void {
    const stops = [
      watchConnection(this.config, { onChange: listener }),
      watchConnectors(this.config, { onChange: listener }),
    ];
    return () => stops.forEach((stop) => stop());
  }

  async status(): Promise<WalletStatus> {
    const connection = getConnection(this.config);
    if (connection.status !== 'connected') {
      return { connected: false, wallets: (await this.choices()).map((choice) => choice.name) };
    }
    const { address, chainId, connector } = connection;
    const chain = supportedChain(chainId);
    const status: WalletStatus = {
      connected: true,
      wallet: connector.name,
      address,
      chain: { id: chainId, name: chain?.name ?? describeChain(chainId), supported: chain !== undefined },
      balance: null,
    };
    if (!chain) return { ...status, balanceError: `Vial has no RPC for ${describeChain(chainId)}` };
    try {
      const balance = await getBalance(this.config, { address, chainId });
      return {
        ...status,
        balance: {
          wei: balance.value.toString(),
          formatted: formatUnits(balance.value, balance.decimals),
          symbol: balance.symbol,
          decimals: balance.decimals,
        },
      };
    } catch (error) {
      return { ...status, balanceError: toWalletError(error).message };
    }
  }

  async readContract(read: ContractRead): Promise<unknown> {
    return readContract(this.config, read);
  }

  async getBalance({ chainId, address }: Parameters<WalletService['getBalance']>[0]): Promise<bigint> {
    return (await getBalance(this.config, { chainId, address })).value;
  }

  async estimate({ chainId, account, to, data, value }: TransactionRequest): Promise<FeeEstimate> {
    const [gas, fees] = await Promise.all([
      estimateGas(this.config, { chainId, account, to, data, value }),
      estimateFeesPerGas(this.config, { chainId }),
    ]);
    const maxFeePerGas = fees.maxFeePerGas ?? fees.gasPrice ?? 0n;
    return { gas, maxFeePerGas, fee: gas * maxFeePerGas };
  }

  async sendTransaction({ chainId, account, to, data, value }: TransactionRequest) {
    this.requireConnected();
    try {
      return await sendTransaction(this.config, { chainId, account, to, data, value });
    } catch (error) {
      throw toWalletError(error);
    }
  }

  async waitForReceipt({ chainId, hash, timeoutMs }: Parameters<WalletService['waitForReceipt']>[0]) {
    const receipt = await waitForTransactionReceipt(this.config, { chainId, hash, timeout: timeoutMs });
    const { status, blockNumber, gasUsed, effectiveGasPrice, from, to } = receipt;
    return { hash, status, blockNumber, gasUsed, effectiveGasPrice, from, to };
  }

  async signMessage({ account, message }: Parameters<WalletService['signMessage']>[0]) {
    this.requireConnected();
    try {
      return await signMessage(this.config, { account, message });
    } catch (error) {
      throw toWalletError(error);
    }
  }

  async signTypedData({ account, typedData }: Parameters<WalletService['signTypedData']>[0]) {
    this.requireConnected();
    try {
      return await signTypedData(this.config, { account, ...typedData });
    } catch (error) {
      throw toWalletError(error);
    }
  }

  private requireConnected(): void {
    if (getConnection(this.config).status !== 'connected') throw walletNotConnected();
  }

  private injectedConnector(): Connector | undefined {
    return getConnectors(this.config).find((connector) => connector.id === INJECTED_ID);
  }
}

function toChoice(connector: Connector): WalletChoice {
  return { id: connector.id, name: connector.name, ...(connector.icon ? { icon: connector.icon } : {}) };
}
