/**
 * A stand-in for MetaMask that a test controls. It answers EIP-1193 requests against a real
 * node (anvil) and signs with local dev keys, asks a WalletPrompts "person" before connecting,
 * signing or sending, and records every request it got. `tests/e2e/support/testWallet.ts`
 * injects it into a Chromium page; a Node test can call `request` directly.
 *
 * Like MetaMask: `eth_accounts` is empty until the page connects (`eth_requestAccounts` or
 * `wallet_requestPermissions`, which prompt) unless `connected: true`; signing and sending
 * must name the connected account (else 4100); switching to an unknown chain is 4902 until
 * `wallet_addEthereumChain` adds it. Unlike MetaMask, chain switches and additions are granted
 * without a prompt, and methods it does not know are 4200 rather than forwarded, so a page can
 * never reach anvil's own unlocked accounts (`eth_sign`, anvil's `eth_sendTransaction`).
 */
import { getAddress, isAddressEqual, isHex, numberToHex, type Address, type Hex, type LocalAccount } from 'viem';
import { z } from 'zod';
import { chainClients } from './clients.ts';
import { devAccount } from './devAccounts.ts';
import { ProviderErrorCode, ProviderRpcError, rpcCall, type RpcAnswer } from './jsonRpc.ts';
import { answer, WalletPrompts, type PendingPrompt, type WalletMode } from './walletPrompts.ts';

export type { WalletMode, PendingPrompt, RpcAnswer };
export type WalletEvent = 'accountsChanged' | 'chainChanged';

export interface TestWalletOptions {
  /** The node the wallet starts on; its chain id is asked from it. */
  rpcUrl: string;
  /** Accounts the wallet holds; it connects with the first. Default: dev account 0. */
  accounts?: LocalAccount[];
  /** Default `approve`. */
  mode?: WalletMode;
  /** Start as if the page had been connected before (`eth_accounts` answers at once). */
  connected?: boolean;
  /** Delivers wallet events to the page. */
  emit?: (event: WalletEvent, data: unknown) => Promise<void>;
}

export interface WalletRequest {
  method: string;
  params: unknown;
  /** Where the request came from (the page's URL), when known. */
  origin?: string;
  /** Whether the person was asked (connect, sign, send). */
  prompted: boolean;
  /** `pending` until answered; `rejected` is the person saying no (4001), `failed` any other error. */
  outcome: 'pending' | 'answered' | 'approved' | 'rejected' | 'failed';
  answer?: RpcAnswer;
}

/** Methods that always show the person a popup. */
export const SIGNING_METHODS: ReadonlySet<string> = new Set([
  'personal_sign',
  'eth_signTypedData_v4',
  'eth_sendTransaction',
]);
/** Methods that show a popup while the page is not connected. */
const CONNECT_METHODS: ReadonlySet<string> = new Set(['eth_requestAccounts', 'wallet_requestPermissions']);

/** Reads a page may make; they go to the node unchanged. */
const NODE_METHODS: ReadonlySet<string> = new Set([
  'eth_blockNumber',
  'eth_call',
  'eth_estimateGas',
  'eth_feeHistory',
  'eth_gasPrice',
  'eth_maxPriorityFeePerGas',
  'eth_blobBaseFee',
  'eth_getBalance',
  'eth_getCode',
  'eth_getStorageAt',
  'eth_getTransactionCount',
  'eth_getBlockByHash',
  'eth_getBlockByNumber',
  'eth_getBlockReceipts',
  'eth_getTransactionByHash',
  'eth_getTransactionReceipt',
  'eth_getLogs',
  'eth_newFilter',
  'eth_newBlockFilter',
  'eth_getFilterChanges',
  'eth_getFilterLogs',
  'eth_uninstallFilter',
  'eth_sendRawTransaction',
  'eth_syncing',
  'net_version',
  'web3_clientVersion',
]);

const AddressSchema = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'an address') as z.ZodType<Address>;
const HexSchema = z.string().regex(/^0x[0-9a-fA-F]*$/, 'hex data') as z.ZodType<Hex>;
const QuantitySchema = z
  .string()
  .regex(/^0x[0-9a-fA-F]+$/, 'a hex quantity')
  .transform((value) => BigInt(value));
const ChainIdSchema = QuantitySchema.transform(Number);

const PersonalSignParams = z.tuple([z.string(), AddressSchema]).rest(z.unknown());
const TypedDataParams = z.tuple([
  AddressSchema,
  z.union([z.string().transform((json) => JSON.parse(json) as unknown), z.record(z.string(), z.unknown())]),
]);
const TypedDataSchema = z.object({
  domain: z.record(z.string(), z.unknown()).default({}),
  types: z.record(z.string(), z.array(z.object({ name: z.string(), type: z.string() }))),
  primaryType: z.string(),
  message: z.record(z.string(), z.unknown()),
});
const TransactionParams = z.tuple([
  z.object({
    from: AddressSchema,
    to: AddressSchema.nullish(),
    value: QuantitySchema.optional(),
    data: HexSchema.optional(),
    input: HexSchema.optional(),
    gas: QuantitySchema.optional(),
    gasPrice: QuantitySchema.optional(),
    maxFeePerGas: QuantitySchema.optional(),
    maxPriorityFeePerGas: QuantitySchema.optional(),
    nonce: QuantitySchema.transform(Number).optional(),
  }),
]);
const SwitchChainParams = z.tuple([z.object({ chainId: ChainIdSchema })]);
const AddChainParams = z.tuple([z.object({ chainId: ChainIdSchema, rpcUrls: z.array(z.url()).min(1) })]);

function parseParams<T>(schema: z.ZodType<T>, params: unknown, method: string): T {
  const parsed = schema.safeParse(params);
  if (parsed.success) return parsed.data;
  throw new ProviderRpcError(ProviderErrorCode.invalidParams, `${method}: ${z.prettifyError(parsed.error)}`);
}

export async function createTestWallet(options: TestWalletOptions): Promise<TestWallet> {
  const chainId = Number(await rpcCall(options.rpcUrl, 'eth_chainId', []));
  return new TestWallet(options, chainId);
}

export class TestWallet {
  /** Every request the page made, in order, with what it was answered. */
  readonly requests: WalletRequest[] = [];
  private readonly prompts: WalletPrompts;
  private readonly accounts: LocalAccount[];
  private selected: LocalAccount;
  private connected: boolean;
  private readonly chains = new Map<number, string>();
  private chainId: number;
  private readonly emit: NonNullable<TestWalletOptions['emit']>;

  constructor(options: TestWalletOptions, chainId: number) {
    this.accounts = options.accounts ?? [devAccount(0)];
    if (!this.accounts[0]) throw new Error('a test wallet needs at least one account');
    this.selected = this.accounts[0];
    this.connected = options.connected ?? false;
    this.prompts = new WalletPrompts(options.mode ?? 'approve');
    this.chains.set(chainId, options.rpcUrl);
    this.chainId = chainId;
    this.emit = options.emit ?? (async () => {});
  }

  get mode(): WalletMode {
    return this.prompts.mode;
  }

  /** Requests already held in manual mode stay held until answered. */
  setMode(mode: WalletMode): void {
    this.prompts.mode = mode;
  }

  /** Requests waiting for the person (manual mode), oldest first. */
  pending(): PendingPrompt[] {
    return this.prompts.pending();
  }

  /** Approves the oldest held request (waiting for one if none is held yet); resolves with what the page got. */
  approveNext(timeoutMs = 10_000): Promise<RpcAnswer> {
    return this.prompts.decideNext(true, timeoutMs);
  }

  /** Rejects the oldest held request (4001), waiting for one if none is held yet. */
  rejectNext(timeoutMs = 10_000): Promise<RpcAnswer> {
    return this.prompts.decideNext(false, timeoutMs);
  }

  get address(): Address {
    return this.selected.address;
  }

  get isConnected(): boolean {
    return this.connected;
  }

  get currentChainId(): number {
    return this.chainId;
  }

  /** The person picks another of the wallet's accounts; a connected page gets `accountsChanged`. */
  async switchAccount(address: Address): Promise<void> {
    const account = this.accounts.find((candidate) => isAddressEqual(candidate.address, address));
    if (!account) throw new Error(`the test wallet holds no account ${address}`);
    this.selected = account;
    if (this.connected) await this.emit('accountsChanged', [account.address]);
  }

  /** The person switches network in the wallet (adding it first when `rpcUrl` is given). */
  async switchChain(chainId: number, rpcUrl?: string): Promise<void> {
    if (rpcUrl) this.chains.set(chainId, rpcUrl);
    if (!this.chains.has(chainId)) throw new Error(`the test wallet knows no chain ${chainId}; pass its rpcUrl`);
    this.chainId = chainId;
    await this.emit('chainChanged', numberToHex(chainId));
  }

  /** The person disconnects the site in the wallet. */
  async disconnect(): Promise<void> {
    this.connected = false;
    await this.emit('accountsChanged', []);
  }

  /** Answers one EIP-1193 request; never throws, so error codes reach the page intact. */
  async request(method: string, params: unknown, origin?: string): Promise<RpcAnswer> {
    const prompted = SIGNING_METHODS.has(method) || (CONNECT_METHODS.has(method) && !this.connected);
    const record: WalletRequest = { method, params, prompted, outcome: 'pending', ...(origin ? { origin } : {}) };
    this.requests.push(record);
    const perform = () => this.perform(method, params);
    const result = prompted ? await this.prompts.ask({ method, params }, perform) : await answer(perform);
    record.answer = result;
    if (!('error' in result)) record.outcome = prompted ? 'approved' : 'answered';
    else record.outcome = result.error.code === ProviderErrorCode.userRejected ? 'rejected' : 'failed';
    return result;
  }

  private get rpcUrl(): string {
    return this.chains.get(this.chainId)!;
  }

  private perform(method: string, params: unknown): Promise<unknown> {
    switch (method) {
      case 'eth_chainId':
        return Promise.resolve(numberToHex(this.chainId));
      case 'eth_accounts':
        return Promise.resolve(this.connected ? [this.selected.address] : []);
      case 'eth_requestAccounts':
        return Promise.resolve(this.connect());
      case 'wallet_requestPermissions':
        this.connect();
        return Promise.resolve(this.permissions());
      case 'wallet_getPermissions':
        return Promise.resolve(this.permissions());
      case 'wallet_revokePermissions':
        this.connected = false;
        this.notify('accountsChanged', []);
        return Promise.resolve(null);
      case 'wallet_switchEthereumChain':
        return Promise.resolve(this.switchTo(parseParams(SwitchChainParams, params, method)[0].chainId));
      case 'wallet_addEthereumChain': {
        const [chain] = parseParams(AddChainParams, params, method);
        if (!this.chains.has(chain.chainId)) this.chains.set(chain.chainId, chain.rpcUrls[0]!);
        return Promise.resolve(this.switchTo(chain.chainId));
      }
      case 'personal_sign':
        return this.personalSign(params);
      case 'eth_signTypedData_v4':
        return this.signTypedData(params);
      case 'eth_sendTransaction':
        return this.sendTransaction(params);
    }
    if (NODE_METHODS.has(method)) return rpcCall(this.rpcUrl, method, params);
    return Promise.reject(
      new ProviderRpcError(ProviderErrorCode.unsupportedMethod, `The test wallet does not support ${method}.`),
    );
  }

  private connect(): Address[] {
    const wasConnected = this.connected;
    this.connected = true;
    if (!wasConnected) this.notify('accountsChanged', [this.selected.address]);
    return [this.selected.address];
  }

  private permissions() {
    if (!this.connected) return [];
    const caveats = [{ type: 'restrictReturnedAccounts', value: [this.selected.address] }];
    return [{ parentCapability: 'eth_accounts', caveats }];
  }

  private switchTo(chainId: number): null {
    if (!this.chains.has(chainId)) {
      throw new ProviderRpcError(
        ProviderErrorCode.unrecognizedChain,
        `Unrecognized chain ID "${numberToHex(chainId)}". Try adding the chain using wallet_addEthereumChain first.`,
      );
    }
    if (chainId !== this.chainId) {
      this.chainId = chainId;
      this.notify('chainChanged', numberToHex(chainId));
    }
    return null;
  }

  /** The signer for a request naming `address`, which must be the connected account. */
  private signer(address: Address): LocalAccount {
    if (!this.connected || !isAddressEqual(address, this.selected.address)) {
      throw new ProviderRpcError(
        ProviderErrorCode.unauthorized,
        `The requested account and/or method has not been authorized by the user (${getAddress(address)}).`,
      );
    }
    return this.selected;
  }

  private personalSign(params: unknown): Promise<Hex> {
    const [message, address] = parseParams(PersonalSignParams, params, 'personal_sign');
    // MetaMask signs hex as the bytes it encodes and anything else as UTF-8 text.
    return this.signer(address).signMessage({ message: isHex(message) ? { raw: message } : message });
  }

  private signTypedData(params: unknown): Promise<Hex> {
    const [address, json] = parseParams(TypedDataParams, params, 'eth_signTypedData_v4');
    const typedData = parseParams(TypedDataSchema, json, 'eth_signTypedData_v4');
    // viem derives the domain's type itself and refuses an explicit EIP712Domain entry.
    const { EIP712Domain: _domainType, ...types } = typedData.types;
    return this.signer(address).signTypedData({ ...typedData, types } as Parameters<LocalAccount['signTypedData']>[0]);
  }

  private sendTransaction(params: unknown): Promise<Hex> {
    const [{ from, to, data, input, ...fields }] = parseParams(TransactionParams, params, 'eth_sendTransaction');
    const account = this.signer(from);
    const { wallet } = chainClients(this.rpcUrl, this.chainId, account);
    return wallet.sendTransaction({ ...fields, to: to ?? null, data: data ?? input } as Parameters<
      typeof wallet.sendTransaction
    >[0]);
  }

  /** Events the page caused: sent without holding up the answer, and lost with a closed page as they would be. */
  private notify(event: WalletEvent, data: unknown): void {
    this.emit(event, data).catch(() => {});
  }
}
