/**
 * The wallet's failures as tool errors that say what to do. `toWalletError` reads what wagmi,
 * viem or the wallet itself threw (by error name and EIP-1193 code, walking the cause chain,
 * since viem wraps a wallet's error in several layers), so it needs neither library loaded.
 */
import { ToolError } from '../server/toolError.ts';
import { describeChain } from './chains.ts';

const WALLET_VIEW = "the Vial tab's Wallet view (#/wallet)";

export class WalletError extends ToolError {
  override name = 'WalletError';
}

export function rejectedInWallet(cause?: unknown): WalletError {
  return new WalletError('The request was rejected in the wallet', {
    details: 'The person declined it in their wallet’s own prompt; nothing was signed.',
    cause,
  });
}

export function noWalletInstalled(cause?: unknown): WalletError {
  return new WalletError('No wallet is installed in the browser running the Vial tab', {
    hints: ['Install a browser wallet such as MetaMask, reload the tab and connect it in the Wallet view.'],
    cause,
  });
}

export function walletNotConnected(cause?: unknown): WalletError {
  return new WalletError('No wallet is connected to the Vial tab', {
    hints: [`Ask the person to connect their wallet in ${WALLET_VIEW}, then call again.`],
    cause,
  });
}

export function wrongChain(expected: number, actual: number): WalletError {
  return new WalletError(`The wallet is on ${describeChain(actual)}, but this needs ${describeChain(expected)}`, {
    hints: [`Ask the person to switch the wallet to ${describeChain(expected)} in ${WALLET_VIEW}, then call again.`],
  });
}

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  shortMessage?: unknown;
  message?: unknown;
  cause?: unknown;
}

function causes(error: unknown): ErrorLike[] {
  const chain: ErrorLike[] = [];
  for (let cause = error; cause && typeof cause === 'object' && chain.length < 10; cause = (cause as ErrorLike).cause) {
    chain.push(cause as ErrorLike);
  }
  return chain;
}

/** `error` as the WalletError that explains it; errors already explained pass through. */
export function toWalletError(error: unknown): ToolError {
  if (error instanceof ToolError) return error;
  const chain = causes(error);
  const has = (test: (cause: ErrorLike) => boolean) => chain.some(test);
  if (has((cause) => cause.code === 4001 || cause.name === 'UserRejectedRequestError')) return rejectedInWallet(error);
  if (has((cause) => cause.name === 'ProviderNotFoundError')) return noWalletInstalled(error);
  if (
    has((cause) =>
      ['ConnectorNotConnectedError', 'ConnectorAccountNotFoundError', 'ConnectorNotFoundError'].includes(
        String(cause.name),
      ),
    ) ||
    has((cause) => cause.code === 4100)
  ) {
    return walletNotConnected(error);
  }
  if (has((cause) => cause.code === 4902)) {
    return new WalletError('The wallet does not know this chain', {
      hints: [`Add the chain to the wallet, or pick another in ${WALLET_VIEW}.`],
      cause: error,
    });
  }
  const first = chain[0];
  const message = String(first?.shortMessage ?? first?.message ?? error);
  return new WalletError(`The wallet failed: ${message}`, { cause: error });
}
