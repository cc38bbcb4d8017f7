/**
 * A MetaMask stand-in inside real Chromium, for the wallet features' browser tests.
 *
 *   const chain = await startAnvil();
 *   const wallet = await installTestWallet(page, { rpcUrl: chain.rpcUrl, mode: 'manual' });
 *   await page.goto('/');                        // install before the page loads
 *   ... the app asks to sign ...
 *   expect(wallet.pending()).toMatchObject([{ method: 'personal_sign' }]);
 *   await wallet.approveNext();                  // or rejectNext(): 4001 'User rejected the request.'
 *   wallet.requests                              // everything the page asked, with outcomes
 *
 * The page gets an EIP-1193 provider, announced with EIP-6963 (`TEST_WALLET_INFO`) and set as
 * `window.ethereum`; each request crosses to this Node process through a Playwright binding,
 * where `TestWallet` (tests/support/chain/wallet.ts) answers it against anvil with dev keys,
 * after asking its mode (approve / reject / manual; `wallet.setMode` at run time). Events the
 * wallet emits (`accountsChanged`, `chainChanged`) are delivered to the page's listeners.
 */
import { randomUUID } from 'node:crypto';
import type { Page } from '@playwright/test';
import { z } from 'zod';
import { ProviderErrorCode, type RpcAnswer } from '../../support/chain/jsonRpc.ts';
import { createTestWallet, type TestWallet, type TestWalletOptions } from '../../support/chain/wallet.ts';

export { SIGNING_METHODS, type TestWallet, type WalletMode, type WalletRequest } from '../../support/chain/wallet.ts';

export interface InstallTestWalletOptions extends Omit<TestWalletOptions, 'emit'> {
  /** Announce the provider with EIP-6963 (default true); off tests the `window.ethereum` fallback. */
  announce?: boolean;
  /** Set `window.ethereum` (default true). */
  injectWindowEthereum?: boolean;
}

const ICON =
  'data:image/svg+xml;base64,' +
  Buffer.from(
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#6d28d9"/><path d="M9 8h14l-5 9v7h-4v-7z" fill="#fff"/></svg>',
  ).toString('base64');

/** EIP-6963 provider info, minus the uuid (a fresh one per install, as the EIP asks per page session). */
export const TEST_WALLET_INFO = { name: 'Vial Test Wallet', icon: ICON, rdns: 'dev.vial.testwallet' } as const;

// Names of the page globals the bridge uses; odd enough that no app code collides with them.
const REQUEST_BINDING = '__vialTestWalletRequest';
const EMIT_FUNCTION = '__vialTestWalletEmit';

const PageRequestSchema = z.object({ method: z.string().min(1), params: z.unknown() });

/** Call before the page loads (`goto`): the provider is defined by an init script. Once per page. */
export async function installTestWallet(page: Page, options: InstallTestWalletOptions): Promise<TestWallet> {
  const { announce = true, injectWindowEthereum = true, ...walletOptions } = options;
  const wallet = await createTestWallet({
    ...walletOptions,
    emit: (event, data) =>
      page.evaluate(([name, event, data]) => (window as unknown as Record<string, EmitFn>)[name]!(event, data), [
        EMIT_FUNCTION,
        event,
        data,
      ] as const),
  });
  await page.exposeBinding(REQUEST_BINDING, async ({ frame }, request: unknown): Promise<RpcAnswer> => {
    const parsed = PageRequestSchema.safeParse(request);
    if (!parsed.success) {
      return { error: { code: ProviderErrorCode.invalidParams, message: `bad request: ${parsed.error.message}` } };
    }
    return wallet.request(parsed.data.method, parsed.data.params, new URL(frame.url()).origin);
  });
  await page.addInitScript(injectProvider, {
    requestBinding: REQUEST_BINDING,
    emitFunction: EMIT_FUNCTION,
    info: { uuid: randomUUID(), ...TEST_WALLET_INFO },
    announce,
    injectWindowEthereum,
  });
  return wallet;
}

type EmitFn = (event: string, data: unknown) => void;

interface InjectOptions {
  requestBinding: string;
  emitFunction: string;
  info: { uuid: string; name: string; icon: string; rdns: string };
  announce: boolean;
  injectWindowEthereum: boolean;
}

/** Runs in the page, before its own scripts; self-contained because Playwright ships it as source. */
function injectProvider({ requestBinding, emitFunction, info, announce, injectWindowEthereum }: InjectOptions) {
  const pageGlobals = window as unknown as Record<string, unknown>;
  const send = pageGlobals[requestBinding] as (request: { method: string; params: unknown }) => Promise<RpcAnswer>;
  const listeners = new Map<string, Set<(data: unknown) => void>>();

  const provider = {
    isVialTestWallet: true,
    async request(args: { method: string; params?: unknown }) {
      const answer = await send({ method: args?.method, params: args?.params });
      if ('error' in answer) {
        throw Object.assign(new Error(answer.error.message), { code: answer.error.code, data: answer.error.data });
      }
      return answer.result;
    },
    on(event: string, listener: (data: unknown) => void) {
      if (!listeners.has(event)) listeners.set(event, new Set());
      listeners.get(event)!.add(listener);
      return provider;
    },
    removeListener(event: string, listener: (data: unknown) => void) {
      listeners.get(event)?.delete(listener);
      return provider;
    },
  };

  Object.defineProperty(window, emitFunction, {
    value: (event: string, data: unknown) => {
      for (const listener of [...(listeners.get(event) ?? [])]) listener(data);
    },
  });
  if (injectWindowEthereum) pageGlobals.ethereum = provider;
  if (announce) {
    const detail = Object.freeze({ info: Object.freeze(info), provider });
    const announceProvider = () => window.dispatchEvent(new CustomEvent('eip6963:announceProvider', { detail }));
    window.addEventListener('eip6963:requestProvider', announceProvider);
    announceProvider();
  }
}
