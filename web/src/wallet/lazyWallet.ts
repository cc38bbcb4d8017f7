/**
 * A WalletService whose implementation is imported on first use, so the wallet libraries (wagmi,
 * viem's clients) stay out of the app's first paint. The first tool call or the Wallet view
 * opening loads it; calls made meanwhile wait for the same load.
 */
import type { WalletService } from './walletService.ts';

export class LazyWallet<W extends WalletService> implements WalletService {
  private loading: Promise<W> | undefined;

  constructor(private readonly importWallet: () => Promise<W>) {}

  /** The loaded wallet; a failed load is retried on the next call. */
  load(): Promise<W> {
    this.loading ??= this.importWallet().catch((error: unknown) => {
      this.loading = undefined;
      throw error;
    });
    return this.loading;
  }

  async status() {
    return (await this.load()).status();
  }
  async readContract(...args: Parameters<WalletService['readContract']>) {
    return (await this.load()).readContract(...args);
  }
  async getBalance(...args: Parameters<WalletService['getBalance']>) {
    return (await this.load()).getBalance(...args);
  }
  async estimate(...args: Parameters<WalletService['estimate']>) {
    return (await this.load()).estimate(...args);
  }
  async switchChain(...args: Parameters<WalletService['switchChain']>) {
    return (await this.load()).switchChain(...args);
  }
  async sendTransaction(...args: Parameters<WalletService['sendTransaction']>) {
    return (await this.load()).sendTransaction(...args);
  }
  async waitForReceipt(...args: Parameters<WalletService['waitForReceipt']>) {
    return (await this.load()).waitForReceipt(...args);
  }
  async signMessage(...args: Parameters<WalletService['signMessage']>) {
    return (await this.load()).signMessage(...args);
  }
  async signTypedData(...args: Parameters<WalletService['signTypedData']>) {
    return (await this.load()).signTypedData(...args);
  }
}
