/**
 * The Wallet view's state as Svelte runes: the wallets found, the connection (address, chain,
 * balance), the ERC-20 tokens the person lists for the chain (read as `wallet_status` reads them),
 * the transactions recently sent through Vial and the local chain's RPC setting. Opening it loads
 * the wallet code (wagmi), the same instance the wallet tools use, so the view and the tools
 * always see one connection.
 */
import type { BrowserWallet, WalletChoice } from '../../wallet/browserWallet.ts';
import { saveLocalRpcUrl, savedLocalRpcUrl, walletChains } from '../../wallet/chains.ts';
import type { LazyWallet } from '../../wallet/lazyWallet.ts';
import type { SentTransaction, SentTransactionLog } from '../../wallet/sentTransactions.ts';
import type { WalletStatus } from '../../wallet/walletService.ts';
import { tokenBalance, type TokenBalance } from '../../wallet/tokenBalance.ts';
import type { Address } from 'viem';
import { addSavedToken, removeSavedToken, savedTokens } from './savedTokens.ts';

export class WalletState {
  status: WalletStatus | undefined = $state.raw();
  choices: WalletChoice[] = $state.raw([]);
  recentTransactions: SentTransaction[] = $state.raw([]);
  /** The listed tokens' balances on the connected chain, in the order they were added. */
  tokens: TokenBalance[] = $state.raw([]);
  tokenError: string | undefined = $state();
  loading = $state(false);
  busy = $state(false);
  error: string | undefined = $state();
  localRpcUrl: string;
  /** The chains the switcher offers. */
  readonly chains = walletChains().map((chain) => ({ id: chain.id, name: chain.name }));

  private browser: BrowserWallet | undefined;
  private refreshes = 0;

  constructor(
    private readonly wallet: LazyWallet<BrowserWallet>,
    private readonly transactions: SentTransactionLog,
    private readonly storage: Storage,
  ) {
    this.localRpcUrl = $state(savedLocalRpcUrl(storage));
    // Sent by a tool while the view is open: listed at once.
    transactions.on(() => void this.loadTransactions());
  }

  /** Loads the wallet (once) and keeps the status current from then on. */
  async open(): Promise<void> {
    if (this.browser || this.loading) return;
    this.loading = true;
    try {
      this.browser = await this.wallet.load();
      this.browser.subscribe(() => void this.refresh());
      await Promise.all([this.refresh(), this.loadTransactions()]);
    } catch (error) {
      this.error = `The wallet could not load: ${(error as Error).message}`;
    } finally {
      this.loading = false;
    }
  }

  connect(id: string): Promise<void> {
    return this.act((browser) => browser.connect(id));
  }

  disconnect(): Promise<void> {
    return this.act((browser) => browser.disconnect());
  }

  switchChain(chainId: number): Promise<void> {
    return this.act((browser) => browser.switchChain(chainId));
  }

  /** Saves the local chain's RPC URL as edited; the wallet uses it from the next load of the tab. */
  saveLocalRpcUrl(): boolean {
    try {
      saveLocalRpcUrl(this.storage, this.localRpcUrl);
      this.error = undefined;
      return true;
    } catch (error) {
      this.error = (error as Error).message;
      return false;
    }
  }

  /** Lists a token for the connected chain; `false`, with `tokenError` saying why, when refused. */
  async addToken(address: string): Promise<boolean> {
    if (!this.status?.connected) return false;
    try {
      addSavedToken(this.storage, this.status.chain.id, address);
      this.tokenError = undefined;
    } catch (error) {
      this.tokenError = (error as Error).message;
      return false;
    }
    await this.refresh();
    return true;
  }

  async removeToken(token: Address): Promise<void> {
    if (!this.status?.connected) return;
    removeSavedToken(this.storage, this.status.chain.id, token);
    this.tokens = this.tokens.filter((balance) => balance.token !== token);
  }

  private async act(action: (browser: BrowserWallet) => Promise<void>): Promise<void> {
    if (!this.browser) return;
    this.busy = true;
    this.error = undefined;
    try {
      await action(this.browser);
    } catch (error) {
      this.error = (error as Error).message;
    } finally {
      this.busy = false;
      await this.refresh();
    }
  }

  private async loadTransactions(): Promise<void> {
    this.recentTransactions = await this.transactions.recent();
  }

  /** Several changes can arrive at once (account and chain); only the latest answer is shown. */
  private async refresh(): Promise<void> {
    if (!this.browser) return;
    const sequence = ++this.refreshes;
    const browser = this.browser;
    const [status, choices] = await Promise.all([browser.status(), browser.choices()]);
    const tokens = status.connected
      ? await Promise.all(
          savedTokens(this.storage, status.chain.id).map((token) =>
            tokenBalance(browser, status.chain.id, status.address, token),
          ),
        )
      : [];
    if (sequence !== this.refreshes) return;
    this.status = status;
    this.choices = choices;
    this.tokens = tokens;
  }
}
