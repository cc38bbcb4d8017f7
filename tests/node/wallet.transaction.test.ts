/**
 * `web3_transaction` through a real relay and a Node host, with the fake wallet sending to a real
 * anvil as dev account 0: the approval preview, every bad input refused before anyone is asked
 * (and nothing mined), native, ERC-20 and contract-call transactions whose receipts and balance
 * changes match the chain, a chain switch, and rejections in the tab and in the wallet.
 */
import type { CallToolResult, Client } from '@modelcontextprotocol/client';
import { getAddress, parseEther, type Address } from 'viem';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ApprovalRequest } from '../../web/src/server/approvals.ts';
import { SentTransactionLog } from '../../web/src/wallet/sentTransactions.ts';
import { decideApproval, previewField, recordApprovals } from '../support/approvals.ts';
import { startAnvil, type Anvil } from '../support/chain/anvil.ts';
import { devAccount } from '../support/chain/devAccounts.ts';
import { deployTestToken, type DeployedTestToken } from '../support/chain/testToken.ts';
import { FakeWallet } from '../support/fakeWallet.ts';
import { connectClient, nodeToolPacks, startStack } from '../support/relay.ts';
import { walletStatusOutput } from '../../web/src/tools/wallet/outputs.ts';
import {
  callTool,
  callToolResult,
  resourceText,
  resultText as text,
  structuredOf,
  type ToolOutput,
} from '../support/toolResults.ts';

const SUPPLY = 1_000_000n * 10n ** 6n;
const RECIPIENT = devAccount(1).address;
/** RECIPIENT with its checksum broken (one letter's case flipped). */
const BAD_CHECKSUM = RECIPIENT.replace('C518', 'c518');
const APPROVE_ABI = ['function approve(address spender, uint256 value) returns (bool)'];

let chain: Anvil;
let token: DeployedTestToken;
let wallet: FakeWallet;
let stack: Awaited<ReturnType<typeof startStack>>;
let client: Client;
let asked: ApprovalRequest[] = [];
const transactions = new SentTransactionLog();

beforeAll(async () => {
  chain = await startAnvil();
  token = await deployTestToken(chain.clients, { supply: SUPPLY });
  wallet = new FakeWallet({ connected: true, chain: { rpcUrl: chain.rpcUrl, chainId: chain.chainId } });
  stack = await startStack({ packs: nodeToolPacks({ wallet, transactions }) });
  client = await connectClient(stack.mcpUrl, stack.token, 'wallet-client');
  asked = recordApprovals(stack.host);
});
afterAll(async () => {
  await client?.close();
  await stack?.close();
  await chain?.stop();
});
beforeEach(() => {
  asked.length = 0;
  wallet.chainId = 31337;
  wallet.rejectInWallet = false;
  wallet.sent.length = 0;
  wallet.switches.length = 0;
});

const call = (args: Record<string, unknown>) => callToolResult(client, 'web3_transaction', args);
const balance = (address: Address) => chain.clients.public.getBalance({ address });
const tokenBalance = (address: Address) =>
  chain.clients.public.readContract({
    address: token.address,
    abi: token.abi,
    functionName: 'balanceOf',
    args: [address],
  }) as Promise<bigint>;

function callWithApproval(args: Record<string, unknown>, decide: 'approve' | 'reject') {
  return decideApproval(stack.host, call(args), decide);
}

/** The receipt the tool returned, checked against the chain's own. */
async function expectMined(result: CallToolResult, to: Address): Promise<ToolOutput<'web3_transaction'>> {
  expect(result.isError, text(result)).toBeFalsy();
  const receipt = structuredOf('web3_transaction', result);
  const onChain = await chain.clients.public.getTransactionReceipt({ hash: receipt.hash });
  expect(receipt).toEqual({
    hash: onChain.transactionHash,
    chainId: 31337,
    status: 'success',
    blockNumber: onChain.blockNumber.toString(),
    gasUsed: onChain.gasUsed.toString(),
    effectiveGasPrice: onChain.effectiveGasPrice.toString(),
    from: wallet.address,
    to: getAddress(to),
  });
  return receipt;
}

describe('web3_transaction sends what the person approved', () => {
  it('a native transfer: previews recipient, amount, chain and fee; the recipient gets exactly the amount', async () => {
    const before = await balance(RECIPIENT);
    const { request, result } = await callWithApproval({ to: RECIPIENT, amount: '0.25' }, 'approve');
    expect(request.tool).toBe('web3_transaction');
    expect(request.preview.summary).toBe(`test asks you to send 0.25 ETH to ${RECIPIENT} on Local (anvil) (31337)`);
    expect(previewField(request, 'From')).toBe(wallet.address);
    expect(previewField(request, 'To')).toBe(RECIPIENT);
    expect(previewField(request, 'Amount')).toBe('0.25 ETH (18 decimals)');
    expect(previewField(request, 'Chain')).toBe('Local (anvil) (31337)');
    expect(previewField(request, 'Estimated fee')).toMatch(/^up to 0\.\d+ ETH \(21000 gas\)$/);
    await expectMined(result, RECIPIENT);
    expect((await balance(RECIPIENT)) - before).toBe(parseEther('0.25'));
  });

  it('an ERC-20 transfer: amount in token units with symbol and decimals; balances move by exactly the amount', async () => {
    const [recipientBefore, senderBefore] = await Promise.all([tokenBalance(RECIPIENT), tokenBalance(wallet.address)]);
    const { request, result } = await callWithApproval(
      { token_contract: token.address, to: RECIPIENT, amount: '12.5' },
      'approve',
    );
    expect(previewField(request, 'To')).toBe(RECIPIENT);
    expect(previewField(request, 'Token contract')).toBe(getAddress(token.address));
    expect(previewField(request, 'Amount')).toBe('12.5 vTEST (6 decimals)');
    expect(previewField(request, 'Estimated fee')).toMatch(/^up to 0\.\d+ ETH \(\d+ gas\)$/);
    await expectMined(result, token.address);
    expect((await tokenBalance(RECIPIENT)) - recipientBefore).toBe(12_500_000n);
    expect(senderBefore - (await tokenBalance(wallet.address))).toBe(12_500_000n);
  });

  it('a contract call: previews the decoded function and arguments, with the call as detail', async () => {
    const { request, result } = await callWithApproval(
      { contract: token.address, abi: APPROVE_ABI, function: 'approve', args: [RECIPIENT, '5000000'] },
      'approve',
    );
    expect(previewField(request, 'Contract')).toBe(getAddress(token.address));
    expect(previewField(request, 'Function')).toBe('approve(address,uint256), selector 0x095ea7b3');
    expect(previewField(request, 'Arguments')).toBe(`["${RECIPIENT}","5000000"]`);
    expect(previewField(request, 'Value')).toBe('0 ETH (18 decimals)');
    expect(request.preview.detail).toMatchObject({
      contract: getAddress(token.address),
      function: 'approve(address,uint256)',
      args: [RECIPIENT, '5000000'],
      value: '0',
    });
    await expectMined(result, token.address);
    const allowance = await chain.clients.public.readContract({
      address: token.address,
      abi: token.abi,
      functionName: 'allowance',
      args: [wallet.address, RECIPIENT],
    });
    expect(allowance).toBe(5_000_000n);
  });

  it('asks the wallet to switch when `chain` differs from the wallet’s, and says so in the preview', async () => {
    wallet.chainId = 8453;
    const { request, result } = await callWithApproval({ to: RECIPIENT, amount: '0.001', chain: 'local' }, 'approve');
    expect(previewField(request, 'Chain')).toBe(
      'Local (anvil) (31337) (the wallet, now on Base (8453), will be asked to switch)',
    );
    await expectMined(result, RECIPIENT);
    expect(wallet.switches).toEqual([31337]);
  });
});

describe('transactions sent through Vial', () => {
  it('are listed newest first by wallet_status and vial://web3/wallet, with what was sent and its status', async () => {
    const { result } = await callWithApproval({ to: RECIPIENT, amount: '0.125' }, 'approve');
    const { hash, blockNumber } = await expectMined(result, RECIPIENT);
    const { recentTransactions } = await callTool(client, 'wallet_status');
    expect(recentTransactions[0]).toEqual({
      hash,
      chainId: 31337,
      chainName: 'Local (anvil) (31337)',
      from: wallet.address,
      to: RECIPIENT,
      amount: '0.125',
      symbol: 'ETH',
      status: 'success',
      blockNumber,
      sentAt: expect.any(Number),
    });
    expect(recentTransactions.length).toBeLessThanOrEqual(10);
    const resource = await client.readResource({ uri: 'vial://web3/wallet' });
    const listed = walletStatusOutput.parse(JSON.parse(resourceText(resource))).recentTransactions;
    expect(listed).toEqual(recentTransactions);
  });

  it('a contract call is listed by its function', async () => {
    const { result } = await callWithApproval(
      { contract: token.address, abi: APPROVE_ABI, function: 'approve', args: [RECIPIENT, '1'] },
      'approve',
    );
    const { hash } = await expectMined(result, token.address);
    const [latest] = await transactions.recent(1);
    expect(latest).toMatchObject({ hash, to: getAddress(token.address), function: 'approve(address,uint256)' });
  });
});

describe('web3_transaction refuses before anyone is asked, and nothing is mined', () => {
  const native = { to: RECIPIENT, amount: '1' };
  const erc20 = () => ({ token_contract: token.address, to: RECIPIENT, amount: '1' });
  const approveCall = () => ({
    contract: token.address,
    abi: APPROVE_ABI,
    function: 'approve',
    args: [RECIPIENT, '1'],
  });

  it.each([
    ['an invalid address', () => ({ ...native, to: '0x1234' }), /to '0x1234' is not an address/],
    [
      'a non-checksummed address',
      () => ({ ...native, to: BAD_CHECKSUM }),
      new RegExp(`to ${BAD_CHECKSUM} has an invalid EIP-55 checksum.*If you meant ${RECIPIENT}`, 's'),
    ],
    ['a negative amount', () => ({ ...native, amount: '-1' }), /amount -1 is negative; it must be more than zero/],
    ['a zero amount', () => ({ ...native, amount: '0.000' }), /amount is zero; it must be more than zero/],
    ['an amount that is not a number', () => ({ ...native, amount: '1e18' }), /amount '1e18' is not a decimal/],
    [
      'an over-precise ETH amount',
      () => ({ ...native, amount: '0.0000000000000000001' }),
      /has 19 digits after the point, but ETH has 18 decimals.*at most 18/s,
    ],
    [
      'an over-precise token amount',
      () => ({ ...erc20(), amount: '1.1234567' }),
      /amount 1.1234567 has 7 digits after the point, but vTEST has 6 decimals.*at most 6/s,
    ],
    ['an unknown chain name', () => ({ ...native, chain: 'polygon' }), /'polygon' is not a chain.*Base Sepolia/s],
    ['an unsupported chain id', () => ({ ...native, chain: 137 }), /chain 137 is not one Vial's wallet works with/],
    [
      'a malformed ABI',
      () => ({ ...approveCall(), abi: ['function approve(address spender'] }),
      /human-readable ABI is malformed/,
    ],
    [
      'an unknown function',
      () => ({ ...approveCall(), function: 'mint' }),
      /no function 'mint'.*approve\(address,uint256\)/s,
    ],
    [
      'bad arguments',
      () => ({ ...approveCall(), args: ['0x12', '1'] }),
      /Wrong arguments for approve\(address,uint256\)/,
    ],
    [
      'a value for a nonpayable function',
      () => ({ ...approveCall(), value: '1' }),
      /is nonpayable: it cannot take a value/,
    ],
    [
      'insufficient funds',
      () => ({ ...native, amount: '20000' }),
      /Insufficient funds: 0x\w+ has 99\d\d\.\d+ ETH on Local \(anvil\) \(31337\), but this needs 20000 ETH plus an estimated fee of up to 0\.\d+ ETH/,
    ],
    [
      'insufficient token balance',
      () => ({ ...erc20(), amount: '1000001' }),
      /Insufficient vTEST: 0x\w+ has 9999\d+(\.\d+)? vTEST on Local \(anvil\) \(31337\), but the transfer is 1000001 vTEST/,
    ],
    ['a transfer and a call at once', () => ({ ...approveCall(), to: RECIPIENT }), /A contract call takes no to/],
  ])('%s', async (_case, args, message) => {
    const block = await chain.clients.public.getBlockNumber();
    const result = await call(args());
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(message);
    expect(asked).toEqual([]);
    expect(wallet.sent).toEqual([]);
    expect(await chain.clients.public.getBlockNumber()).toBe(block);
  });
});

describe('web3_transaction rejected', () => {
  it('in the tab: "rejected by the user", the wallet never asked, nothing mined', async () => {
    const block = await chain.clients.public.getBlockNumber();
    const { result } = await callWithApproval({ to: RECIPIENT, amount: '0.1' }, 'reject');
    expect(text(result)).toBe('web3_transaction was rejected by the user');
    expect(wallet.sent).toEqual([]);
    expect(await chain.clients.public.getBlockNumber()).toBe(block);
  });

  it('in the wallet (4001): the rejected-in-the-wallet error, nothing mined', async () => {
    wallet.rejectInWallet = true;
    const block = await chain.clients.public.getBlockNumber();
    const { result } = await callWithApproval({ to: RECIPIENT, amount: '0.1' }, 'approve');
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(/The request was rejected in the wallet/);
    expect(wallet.sent).toEqual([]);
    expect(await chain.clients.public.getBlockNumber()).toBe(block);
  });

  it('by the clock: with the timeout set to 1 s in Settings, a clear timeout error and nothing mined', async () => {
    const { permissions } = stack.host.gate;
    await permissions.setApprovalTimeoutSeconds(1);
    try {
      const block = await chain.clients.public.getBlockNumber();
      const result = await call({ to: RECIPIENT, amount: '0.1' });
      expect(result.isError).toBe(true);
      expect(text(result)).toMatch(/^web3_transaction was not approved within 1 s/);
      expect(asked).toHaveLength(1);
      expect(stack.host.gate.approvals.pending()).toEqual([]);
      expect(wallet.sent).toEqual([]);
      expect(await chain.clients.public.getBlockNumber()).toBe(block);
    } finally {
      await permissions.setApprovalTimeoutSeconds(120);
    }
  });
});
