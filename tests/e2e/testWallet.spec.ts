/**
 * The test wallet the wallet features are tested with, proven in real Chromium against a real
 * anvil: EIP-6963 discovery, connecting, EIP-191 and EIP-712 signatures that viem verifies,
 * native and ERC-20 transfers that anvil records, and the approve / reject / manual modes.
 */
import { expect, test, type Page } from '@playwright/test';
import { encodeFunctionData, parseEther, toHex, verifyMessage, verifyTypedData, type Address, type Hex } from 'viem';
import { startAnvil, type Anvil } from '../support/chain/anvil.ts';
import { devAccount } from '../support/chain/devAccounts.ts';
import { deployTestToken } from '../support/chain/testToken.ts';
import { installTestWallet, TEST_WALLET_INFO, type InstallTestWalletOptions } from './support/testWallet.ts';

type PageAnswer = { result: unknown } | { error: { code: number; message: string } };

let chain: Anvil;
test.beforeAll(async () => {
  chain = await startAnvil();
});
test.afterAll(() => chain?.stop());

/** A blank page on the app's origin (a secure context, as the app is), served without the app. */
async function openBlankPage(page: Page, options: Omit<InstallTestWalletOptions, 'rpcUrl'> = {}) {
  const wallet = await installTestWallet(page, { rpcUrl: chain.rpcUrl, ...options });
  await page.route('**/wallet-test', (route) =>
    route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>wallet test</title>' }),
  );
  await page.goto('/wallet-test');
  return wallet;
}

/** Finds the wallet the way a dapp does (EIP-6963) and keeps its provider for `request`. */
function discover(page: Page) {
  return page.evaluate(
    () =>
      new Promise<{ uuid: string; name: string; icon: string; rdns: string }>((resolve) => {
        window.addEventListener('eip6963:announceProvider', (event) => {
          const { info, provider } = (event as CustomEvent).detail;
          (window as unknown as Record<string, unknown>).discovered = provider;
          resolve(info);
        });
        window.dispatchEvent(new Event('eip6963:requestProvider'));
      }),
  );
}

/** Starts a request from the page through the discovered provider; settles with what the page got. */
function request(page: Page, method: string, params: unknown[] = []): Promise<PageAnswer> {
  return page.evaluate(
    async ({ method, params }) => {
      const provider = (window as unknown as Record<string, { request(args: unknown): Promise<unknown> }>).discovered!;
      try {
        return { result: await provider.request({ method, params }) };
      } catch (error) {
        const { code, message } = error as { code: number; message: string };
        return { error: { code, message } };
      }
    },
    { method, params },
  );
}

const result = (answer: PageAnswer) => {
  if ('error' in answer) throw new Error(`the page got an error: ${JSON.stringify(answer.error)}`);
  return answer.result;
};

const USER_REJECTED = { error: { code: 4001, message: 'User rejected the request.' } };

test('a page discovers the wallet, connects, signs and sends, and anvil sees it', async ({ page }) => {
  const wallet = await openBlankPage(page);
  const info = await discover(page);
  expect(info).toMatchObject({ ...TEST_WALLET_INFO });
  expect(info.uuid).toMatch(/^[0-9a-f-]{36}$/);

  const me = devAccount(0).address;
  expect(result(await request(page, 'eth_accounts'))).toEqual([]);
  expect(result(await request(page, 'eth_requestAccounts'))).toEqual([me]);
  expect(result(await request(page, 'eth_chainId'))).toBe('0x7a69');

  const message = 'Vial wants you to sign in';
  const signature = result(await request(page, 'personal_sign', [toHex(message), me])) as Hex;
  expect(await verifyMessage({ address: me, message, signature })).toBe(true);

  const typedData = {
    domain: { name: 'Vial', version: '1', chainId: 31337 },
    types: {
      EIP712Domain: [
        { name: 'name', type: 'string' },
        { name: 'version', type: 'string' },
        { name: 'chainId', type: 'uint256' },
      ],
      Approval: [
        { name: 'tool', type: 'string' },
        { name: 'amount', type: 'uint256' },
      ],
    },
    primaryType: 'Approval',
    message: { tool: 'web3_transaction', amount: '42' },
  } as const;
  const typedSignature = result(await request(page, 'eth_signTypedData_v4', [me, JSON.stringify(typedData)])) as Hex;
  const { EIP712Domain: _domainType, ...types } = typedData.types;
  expect(
    await verifyTypedData({
      ...typedData,
      types,
      message: { tool: 'web3_transaction', amount: 42n },
      address: me,
      signature: typedSignature,
    }),
  ).toBe(true);

  const to = devAccount(5).address;
  const before = await chain.clients.public.getBalance({ address: to });
  const hash = result(
    await request(page, 'eth_sendTransaction', [{ from: me, to, value: toHex(parseEther('0.25')) }]),
  ) as Hex;
  expect((await chain.clients.public.waitForTransactionReceipt({ hash })).status).toBe('success');
  expect(await chain.clients.public.getBalance({ address: to })).toBe(before + parseEther('0.25'));
  // Reads the page makes through the wallet reach anvil.
  expect(BigInt(result(await request(page, 'eth_getBalance', [to, 'latest'])) as string)).toBe(
    before + parseEther('0.25'),
  );

  expect(wallet.requests.filter((r) => r.prompted).map((r) => [r.method, r.outcome])).toEqual([
    ['eth_requestAccounts', 'approved'],
    ['personal_sign', 'approved'],
    ['eth_signTypedData_v4', 'approved'],
    ['eth_sendTransaction', 'approved'],
  ]);
  expect(new Set(wallet.requests.map((r) => r.origin))).toEqual(new Set([new URL(page.url()).origin]));
});

test('an ERC-20 transfer the page sends moves token balances exactly', async ({ page }) => {
  const token = await deployTestToken(chain.clients, { supply: 5_000_000n });
  await openBlankPage(page, { connected: true });
  await discover(page);
  const to = devAccount(6).address;
  const data = encodeFunctionData({ abi: token.abi, functionName: 'transfer', args: [to, 1_500_000n] });
  const hash = result(
    await request(page, 'eth_sendTransaction', [{ from: token.holder, to: token.address, data }]),
  ) as Hex;
  await chain.clients.public.waitForTransactionReceipt({ hash });
  const balanceOf = (owner: Address) =>
    chain.clients.public.readContract({
      address: token.address,
      abi: token.abi,
      functionName: 'balanceOf',
      args: [owner],
    });
  expect(await balanceOf(to)).toBe(1_500_000n);
  expect(await balanceOf(token.holder)).toBe(3_500_000n);
});

test('reject mode answers 4001 and nothing reaches the chain', async ({ page }) => {
  const wallet = await openBlankPage(page, { mode: 'reject' });
  await discover(page);
  const me = devAccount(0).address;
  expect(await request(page, 'eth_requestAccounts')).toEqual(USER_REJECTED);

  wallet.setMode('approve');
  result(await request(page, 'eth_requestAccounts'));
  wallet.setMode('reject');
  const nonce = await chain.clients.public.getTransactionCount({ address: me });
  expect(await request(page, 'personal_sign', [toHex('no'), me])).toEqual(USER_REJECTED);
  expect(await request(page, 'eth_sendTransaction', [{ from: me, to: devAccount(7).address, value: '0x1' }])).toEqual(
    USER_REJECTED,
  );
  expect(await chain.clients.public.getTransactionCount({ address: me })).toBe(nonce);
  expect(wallet.requests.map((r) => r.outcome)).toEqual(['rejected', 'approved', 'rejected', 'rejected']);
});

test('manual mode holds each request until the test answers it', async ({ page }) => {
  const wallet = await openBlankPage(page, { mode: 'manual', connected: true });
  await discover(page);
  const me = devAccount(0).address;

  const signing = request(page, 'personal_sign', [toHex('hold me'), me]);
  await expect.poll(() => wallet.pending()).toEqual([{ method: 'personal_sign', params: [toHex('hold me'), me] }]);
  let settled = false;
  void signing.then(() => (settled = true));
  await page.waitForTimeout(100);
  expect(settled).toBe(false);
  const approved = await wallet.approveNext();
  expect(await signing).toEqual(approved);
  expect(await verifyMessage({ address: me, message: 'hold me', signature: result(approved) as Hex })).toBe(true);

  // approveNext/rejectNext wait for a request that has not arrived yet.
  const rejecting = wallet.rejectNext();
  expect(await request(page, 'eth_sendTransaction', [{ from: me, to: me, value: '0x1' }])).toEqual(USER_REJECTED);
  expect(await rejecting).toEqual(USER_REJECTED);
  expect(wallet.pending()).toEqual([]);
});

test('without EIP-6963 the wallet is window.ethereum, and wallet events reach the page', async ({ page }) => {
  const second = await startAnvil({ chainId: 1337 });
  try {
    const wallet = await openBlankPage(page, {
      announce: false,
      connected: true,
      accounts: [devAccount(0), devAccount(1)],
    });
    expect(
      await page.evaluate(
        () =>
          new Promise((resolve) => {
            window.addEventListener('eip6963:announceProvider', () => resolve('announced'));
            window.dispatchEvent(new Event('eip6963:requestProvider'));
            setTimeout(() => resolve('silent'), 100);
          }),
      ),
    ).toBe('silent');
    await page.evaluate(() => {
      const globals = window as unknown as Record<string, unknown> & {
        ethereum: { on(event: string, listener: (data: unknown) => void): void };
      };
      globals.discovered = globals.ethereum;
      globals.events = [];
      for (const event of ['accountsChanged', 'chainChanged']) {
        globals.ethereum.on(event, (data) => (globals.events as unknown[]).push([event, data]));
      }
    });

    await wallet.switchAccount(devAccount(1).address);
    expect(await request(page, 'wallet_switchEthereumChain', [{ chainId: '0x539' }])).toMatchObject({
      error: { code: 4902 },
    });
    result(
      await request(page, 'wallet_addEthereumChain', [
        { chainId: '0x539', chainName: 'two', rpcUrls: [second.rpcUrl] },
      ]),
    );
    expect(result(await request(page, 'eth_chainId'))).toBe('0x539');
    expect(result(await request(page, 'net_version'))).toBe('1337');
    await wallet.disconnect();
    expect(await page.evaluate(() => (window as unknown as { events: unknown }).events)).toEqual([
      ['accountsChanged', [devAccount(1).address]],
      ['chainChanged', '0x539'],
      ['accountsChanged', []],
    ]);
    expect(await request(page, 'eth_sign', [devAccount(1).address, '0x00'])).toMatchObject({ error: { code: 4200 } });
  } finally {
    await second.stop();
  }
});
