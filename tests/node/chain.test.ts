/**
 * The wallet tests' chain: a real anvil starts on a free port, the committed ERC-20 deploys and
 * moves balances exactly, and stopping leaves no process behind.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseEther } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnvil, type Anvil } from '../support/chain/anvil.ts';
import { devAccount } from '../support/chain/devAccounts.ts';
import { deployTestToken, TEST_TOKEN } from '../support/chain/testToken.ts';

describe('local chain', () => {
  let chain: Anvil;
  beforeAll(async () => {
    chain = await startAnvil();
  });
  afterAll(() => chain?.stop());

  it('answers as chain 31337 with funded dev accounts', async () => {
    expect(chain.rpcUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await chain.clients.public.getChainId()).toBe(31337);
    expect(devAccount(0).address).toBe('0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266');
    expect(await chain.clients.public.getBalance({ address: devAccount(9).address })).toBe(parseEther('10000'));
  });

  it('moves native currency with automine', async () => {
    const to = devAccount(1).address;
    const before = await chain.clients.public.getBalance({ address: to });
    const hash = await chain.clients.wallet.sendTransaction({ to, value: parseEther('1.5') });
    const receipt = await chain.clients.public.waitForTransactionReceipt({ hash });
    expect(receipt.status).toBe('success');
    expect(await chain.clients.public.getBalance({ address: to })).toBe(before + parseEther('1.5'));
  });

  it('deploys the test token, which transfers exactly and emits Transfer', async () => {
    const supply = 1_000_000n * 10n ** 6n;
    const token = await deployTestToken(chain.clients, { supply });
    const read = (functionName: string, args: unknown[] = []) =>
      chain.clients.public.readContract({ address: token.address, abi: token.abi, functionName, args });
    expect(await read('symbol')).toBe('vTEST');
    expect(await read('decimals')).toBe(6);
    expect(await read('balanceOf', [token.holder])).toBe(supply);

    const to = devAccount(2).address;
    const hash = await chain.clients.wallet.writeContract({
      address: token.address,
      abi: token.abi,
      functionName: 'transfer',
      args: [to, 1_234_567n],
    });
    const receipt = await chain.clients.public.waitForTransactionReceipt({ hash });
    expect(receipt.logs).toHaveLength(1);
    expect(await read('balanceOf', [to])).toBe(1_234_567n);
    expect(await read('balanceOf', [token.holder])).toBe(supply - 1_234_567n);
  });

  it('reverts an overdrawn transfer with the contract error', async () => {
    const token = await deployTestToken(chain.clients, { supply: 10n });
    await expect(
      chain.clients.public.simulateContract({
        account: devAccount(0),
        address: token.address,
        abi: token.abi,
        functionName: 'transfer',
        args: [devAccount(3).address, 11n],
      }),
    ).rejects.toThrow(/InsufficientBalance/);
  });

  it('keeps the committed artifact compiled from the committed source', () => {
    const source = readFileSync(new URL('../fixtures/erc20/VialTestToken.sol', import.meta.url));
    expect(createHash('sha256').update(source).digest('hex'), 'run npx tsx tests/fixtures/erc20/compile.ts').toBe(
      TEST_TOKEN.sourceSha256,
    );
  });
});

describe('anvil process', () => {
  it('is gone after stop(), and stop() may be called twice', async () => {
    const chain = await startAnvil({ chainId: 1337 });
    expect(await chain.clients.public.getChainId()).toBe(1337);
    await chain.stop();
    await chain.stop();
    await expect(fetch(chain.rpcUrl, { method: 'POST' })).rejects.toThrow();
  });
});
