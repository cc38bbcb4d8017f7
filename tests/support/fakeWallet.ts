/**
 * A WalletService for Node hosts and tool tests: it signs for real with a dev account (so viem
 * verifies its signatures), answers reads from a table, and records what it was asked to sign.
 * Disconnected unless told otherwise, like a tab where nobody has connected a wallet yet.
 */
import type { Address, Hex, LocalAccount } from 'viem';
import { supportedChain } from '../../web/src/wallet/chains.ts';
import { rejectedInWallet, walletNotConnected } from '../../web/src/wallet/errors.ts';
import type { ContractRead, WalletService, WalletStatus } from '../../web/src/wallet/service.ts';
import { devAccount } from './chain/devAccounts.ts';

export interface FakeWalletOptions {
  connected?: boolean;
  account?: LocalAccount;
  chainId?: number;
  /** Names of the wallets "installed" (default one); empty means none. */
  wallets?: string[];
  /** Answers `readContract` calls; default: none (a read fails). */
  read?: (read: ContractRead) => unknown;
}

export class FakeWallet implements WalletService {
  connected: boolean;
  chainId: number;
  /** When true the "person" rejects every signature in the wallet (code 4001). */
  rejectInWallet = false;
  readonly signed: Array<{ kind: 'message' | 'typedData'; account: Address }> = [];
  readonly reads: ContractRead[] = [];
  private readonly account: LocalAccount;

  constructor(private readonly options: FakeWalletOptions = {}) {
    this.connected = options.connected ?? false;
    this.chainId = options.chainId ?? 31337;
    this.account = options.account ?? devAccount(0);
  }

  get address(): Address {
    return this.account.address;
  }

  async status(): Promise<WalletStatus> {
    if (!this.connected) return { connected: false, wallets: this.options.wallets ?? ['Fake Wallet'] };
    const chain = supportedChain(this.chainId);
    return {
      connected: true,
      wallet: 'Fake Wallet',
      address: this.account.address,
      chain: { id: this.chainId, name: chain?.name ?? `chain ${this.chainId}`, supported: Boolean(chain) },
      balance: { wei: '1500000000000000000', formatted: '1.5', symbol: 'ETH', decimals: 18 },
    };
  }

  async readContract(read: ContractRead): Promise<unknown> {
    this.reads.push(read);
    if (!this.options.read) throw new Error('execution reverted');
    return this.options.read(read);
  }

  async signMessage({ account, message }: { account: Address; message: string }): Promise<Hex> {
    this.sign('message', account);
    return this.account.signMessage!({ message });
  }

  async signTypedData({ account, typedData }: Parameters<WalletService['signTypedData']>[0]): Promise<Hex> {
    this.sign('typedData', account);
    return this.account.signTypedData!(typedData);
  }

  private sign(kind: 'message' | 'typedData', account: Address): void {
    if (!this.connected) throw walletNotConnected();
    if (this.rejectInWallet) throw rejectedInWallet();
    this.signed.push({ kind, account });
  }
}
