/**
 * A WalletService for Node hosts and tool tests: it signs for real with a dev account (so viem
 * verifies its signatures), answers reads from a table, and records what it was asked to sign.
 * Disconnected unless told otherwise, like a tab where nobody has connected a wallet yet.
 *
 * Given a node (`chain`, e.g. from `startAnvil`), or several (`chains`, one per chain id), it
 * reads, estimates, sends and waits for receipts there, as the browser wallet does through its
 * RPC and the person's wallet; each node serves its own chain id only. Without one, those calls
 * fail as an unreachable RPC would. Like wagmi, it refuses to send on a chain it is not on or
 * from an account it does not hold; `useAccount` switches its account as a person would.
 */
import type { Address, Hex, LocalAccount } from 'viem';
import { supportedChain } from '../../web/src/wallet/chains.ts';
import { rejectedInWallet, walletNotConnected, wrongChain } from '../../web/src/wallet/errors.ts';
import type {
  ContractRead,
  FeeEstimate,
  TransactionRequest,
  WalletService,
  WalletStatus,
} from '../../web/src/wallet/walletService.ts';
import { chainClients } from './chain/clients.ts';
import { devAccount } from './chain/devAccounts.ts';

export interface FakeWalletOptions {
  connected?: boolean;
  account?: LocalAccount;
  chainId?: number;
  /** Names of the wallets "installed" (default one); empty means none. */
  wallets?: string[];
  /** Answers `readContract` calls; default: the node's, or none (a read fails). */
  read?: (read: ContractRead) => unknown;
  /** The node behind reads, estimates and transactions. */
  chain?: { rpcUrl: string; chainId: number };
  /** Several nodes, one per chain id, for tests that switch chains. */
  chains?: Array<{ rpcUrl: string; chainId: number }>;
}

type SignedKind = 'message' | 'typedData' | 'transaction';

export class FakeWallet implements WalletService {
  connected: boolean;
  chainId: number;
  /** When true the "person" rejects every signature in the wallet (code 4001). */
  rejectInWallet = false;
  readonly signed: Array<{ kind: SignedKind; account: Address }> = [];
  readonly reads: ContractRead[] = [];
  /** Hashes of the transactions sent, in order. */
  readonly sent: Hex[] = [];
  /** Chains the wallet was asked to switch to, in order. */
  readonly switches: number[] = [];
  private account: LocalAccount;
  private readonly nodes: Map<number, string>;

  constructor(private readonly options: FakeWalletOptions = {}) {
    this.connected = options.connected ?? false;
    this.chainId = options.chainId ?? 31337;
    this.account = options.account ?? devAccount(0);
    const nodes = [...(options.chain ? [options.chain] : []), ...(options.chains ?? [])];
    this.nodes = new Map(nodes.map((node) => [node.chainId, node.rpcUrl]));
  }

  /** Switches the wallet to another account, as the person would in the wallet's own UI. */
  useAccount(account: LocalAccount): void {
    this.account = account;
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
    if (this.options.read) return this.options.read(read);
    return this.nodeFor(read.chainId).public.readContract(read);
  }

  async getBalance({ chainId, address }: { chainId: number; address: Address }): Promise<bigint> {
    return this.nodeFor(chainId).public.getBalance({ address });
  }

  async estimate({ chainId, account, to, data, value }: TransactionRequest): Promise<FeeEstimate> {
    const { public: client } = this.nodeFor(chainId);
    const [gas, fees] = await Promise.all([
      client.estimateGas({ account, to, data, value }),
      client.estimateFeesPerGas(),
    ]);
    return { gas, maxFeePerGas: fees.maxFeePerGas, fee: gas * fees.maxFeePerGas };
  }

  async switchChain(chainId: number): Promise<void> {
    this.switches.push(chainId);
    this.chainId = chainId;
  }

  async sendTransaction({ chainId, account, to, data, value }: TransactionRequest): Promise<Hex> {
    this.sign('transaction', account);
    if (chainId !== this.chainId) throw wrongChain(chainId, this.chainId);
    const hash = await this.nodeFor(chainId).wallet.sendTransaction({ to, data, value });
    this.sent.push(hash);
    return hash;
  }

  async waitForReceipt({ chainId, hash, timeoutMs }: Parameters<WalletService['waitForReceipt']>[0]) {
    const receipt = await this.nodeFor(chainId).public.waitForTransactionReceipt({ hash, timeout: timeoutMs });
    const { status, blockNumber, gasUsed, effectiveGasPrice, from, to } = receipt;
    return { hash, status, blockNumber, gasUsed, effectiveGasPrice, from, to };
  }

  async signMessage({ account, message }: { account: Address; message: string }): Promise<Hex> {
    this.sign('message', account);
    return this.account.signMessage!({ message });
  }

  async signTypedData({ account, typedData }: Parameters<WalletService['signTypedData']>[0]): Promise<Hex> {
    this.sign('typedData', account);
    return this.account.signTypedData!(typedData);
  }

  private nodeFor(chainId: number) {
    const rpcUrl = this.nodes.get(chainId);
    if (!rpcUrl) throw new Error(`HTTP request failed: no RPC for chain ${chainId}`);
    return chainClients(rpcUrl, chainId, this.account);
  }

  private sign(kind: SignedKind, account: Address): void {
    if (!this.connected) throw walletNotConnected();
    if (this.rejectInWallet) throw rejectedInWallet();
    // wagmi refuses an account the connection does not hold (ConnectorAccountNotFoundError).
    if (account !== this.account.address) throw new Error(`the wallet holds ${this.account.address}, not ${account}`);
    this.signed.push({ kind, account });
  }
}
