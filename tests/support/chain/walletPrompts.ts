/**
 * What the person at the wallet does with each popup a real wallet would show (connect, sign,
 * send): `approve` says yes at once, `reject` says no at once (EIP-1193 code 4001), `manual`
 * holds the request until the test answers it with `decideNext`.
 */
import { ProviderErrorCode, toRpcError, type RpcAnswer } from './jsonRpc.ts';

export type WalletMode = 'approve' | 'reject' | 'manual';

export interface PendingPrompt {
  method: string;
  params: unknown;
}

interface HeldPrompt extends PendingPrompt {
  settle(approved: boolean): Promise<RpcAnswer>;
}

export const USER_REJECTED: RpcAnswer = {
  error: { code: ProviderErrorCode.userRejected, message: 'User rejected the request.' },
};

/** Runs `perform` and turns a throw into an error answer. */
export async function answer(perform: () => Promise<unknown>): Promise<RpcAnswer> {
  try {
    return { result: await perform() };
  } catch (error) {
    return { error: toRpcError(error) };
  }
}

export class WalletPrompts {
  private readonly held: HeldPrompt[] = [];
  private readonly waiting = new Set<() => void>();

  constructor(public mode: WalletMode) {}

  /** Asks the person about a request; `perform` runs only once they approve. */
  ask(prompt: PendingPrompt, perform: () => Promise<unknown>): Promise<RpcAnswer> {
    if (this.mode === 'approve') return answer(perform);
    if (this.mode === 'reject') return Promise.resolve(USER_REJECTED);
    return new Promise((resolve) => {
      this.held.push({
        ...prompt,
        settle: async (approved) => {
          const outcome = approved ? await answer(perform) : USER_REJECTED;
          resolve(outcome);
          return outcome;
        },
      });
      for (const wake of this.waiting) wake();
    });
  }

  /** Requests waiting for the person, oldest first. */
  pending(): PendingPrompt[] {
    return this.held.map(({ method, params }) => ({ method, params }));
  }

  /**
   * Answers the oldest held request, waiting up to `timeoutMs` for one to arrive, and resolves
   * with what the page received once the request has run (signature, transaction hash, error).
   */
  async decideNext(approved: boolean, timeoutMs: number): Promise<RpcAnswer> {
    const prompt = this.held.shift() ?? (await this.nextHeld(timeoutMs));
    return prompt.settle(approved);
  }

  private nextHeld(timeoutMs: number): Promise<HeldPrompt> {
    return new Promise((resolve, reject) => {
      const wake = () => {
        const prompt = this.held.shift();
        if (!prompt) return;
        clearTimeout(timer);
        this.waiting.delete(wake);
        resolve(prompt);
      };
      const timer = setTimeout(() => {
        this.waiting.delete(wake);
        reject(
          new Error(
            `no wallet request arrived to answer within ${timeoutMs} ms (mode ${this.mode}); did the page send one?`,
          ),
        );
      }, timeoutMs);
      this.waiting.add(wake);
    });
  }
}
