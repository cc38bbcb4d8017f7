/**
 * What was approved is what is signed. A signing tool's preview fixes everything the person is
 * shown (the transaction, the account, the chain) and keeps it for the same call's run, which
 * signs or sends exactly that; it never builds the request a second time from the wallet's state
 * at that later moment. Immediately before the wallet is asked, the run checks that the wallet is
 * still on the approved account and chain, and refuses, naming what changed, when it is not:
 * another approved call (or the person, in their wallet) may have switched it in between.
 *
 * The registry hands one call's `preview` and `run` the same `ToolContext`, which is the key.
 */
import { isAddressEqual, type Address } from 'viem';
import type { ToolContext } from '../../server/toolRegistry.ts';
import { ToolError } from '../../server/toolError.ts';
import { describeChain } from '../../wallet/chains.ts';
import type { ConnectedWallet, WalletService } from '../../wallet/walletService.ts';
import { connectedWallet } from '../../wallet/checks.ts';

/** The wallet as the person saw it in the approval. */
export interface ApprovedWallet {
  account: Address;
  chainId: number;
}

/** Per call, what a tool's preview fixed, for its run to take. */
export class ApprovedCalls<T> {
  private readonly byCall = new WeakMap<ToolContext, T>();

  constructor(private readonly tool: string) {}

  keep(context: ToolContext, approved: T): T {
    this.byCall.set(context, approved);
    return approved;
  }

  /**
   * What the preview of this call fixed. Signing tools always ask the person, so a preview ran;
   * when none did, nothing was approved and nothing is signed.
   */
  take(context: ToolContext): T {
    const approved = this.byCall.get(context);
    if (approved === undefined) {
      throw new ToolError(`${this.tool} was refused: no approval was shown in the Vial tab for this call`, {
        details: 'Signing tools act only on what the person approved, and there is nothing approved to act on.',
      });
    }
    this.byCall.delete(context);
    return approved;
  }
}

/**
 * The connected wallet, when it is still on the approved account and chain; otherwise a
 * ToolError naming each change and saying that nothing was `done` (sent, signed).
 */
export async function requireApprovedWallet(
  wallet: WalletService,
  approved: ApprovedWallet,
  tool: string,
  done: 'sent' | 'signed',
): Promise<ConnectedWallet> {
  const status = await connectedWallet(wallet);
  const changes: string[] = [];
  if (!isAddressEqual(status.address, approved.account)) {
    changes.push(`the wallet's account changed from ${approved.account} to ${status.address}`);
  }
  if (status.chain.id !== approved.chainId) {
    changes.push(
      `the wallet's chain changed from ${describeChain(approved.chainId)} to ${describeChain(status.chain.id)}`,
    );
  }
  if (changes.length > 0) {
    throw new ToolError(
      `${tool} was refused and nothing was ${done}: since you approved it, ${changes.join(' and ')}`,
      {
        hints: [
          `Call ${tool} again to be asked about the wallet as it is now, or switch the wallet back and call again.`,
        ],
      },
    );
  }
  return status;
}
