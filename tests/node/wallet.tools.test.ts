/**
 * The wallet tools through a real relay and a Node host, with a fake wallet that signs for real
 * (dev account 0): input checks that refuse bad addresses, ABIs, chains and typed data before
 * any approval is asked, the approval previews, the approve / reject paths, and scopes.
 */
import type { Client } from '@modelcontextprotocol/client';
import { getAddress, verifyMessage, verifyTypedData, type Address } from 'viem';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ApprovalRequest } from '../../web/src/server/approvals.ts';
import { decideApproval, recordApprovals } from '../support/approvals.ts';
import { FakeWallet } from '../support/fakeWallet.ts';
import { connectClient, nodeToolPacks, startStack } from '../support/relay.ts';
import { walletStatusOutput } from '../../web/src/tools/wallet/outputs.ts';
import {
  callToolResult,
  resourceText,
  resultText as text,
  structuredOf,
  type ToolName,
} from '../support/toolResults.ts';

const TOKEN = '0x5FbDB2315678afecb367f032d93F642f64180aa3' as Address;
const OTHER = '0x70997970C51812dc3a010c7d01b50E9D17DC79C8' as Address;
/** OTHER with its checksum broken (one letter's case flipped). */
const BAD_CHECKSUM = '0x70997970c51812dc3a010c7d01b50E9D17DC79C8';

const wallet: FakeWallet = new FakeWallet({
  connected: true,
  read: ({ functionName, args }): unknown =>
    ({ symbol: 'vTEST', decimals: 6, balanceOf: args[0] === wallet.address ? 1_234_500_000n : 0n, name: 'Vial' })[
      functionName
    ],
});
let stack: Awaited<ReturnType<typeof startStack>>;
let client: Client;
/** Every approval the tab was asked for, in order. */
let asked: ApprovalRequest[] = [];

beforeAll(async () => {
  stack = await startStack({ packs: nodeToolPacks({ wallet }) });
  client = await connectClient(stack.mcpUrl, stack.token, 'wallet-client');
  asked = recordApprovals(stack.host);
});
afterAll(async () => {
  await client?.close();
  await stack?.close();
});
beforeEach(() => {
  asked.length = 0;
  wallet.connected = true;
  wallet.chainId = 31337;
  wallet.rejectInWallet = false;
  wallet.signed.length = 0;
  wallet.reads.length = 0;
});

const call = (name: ToolName, args: Record<string, unknown>) => callToolResult(client, name, args);

/** Starts a call that needs approval and waits until the tab is asked; `decide` answers it. */
function callWithApproval(name: ToolName, args: Record<string, unknown>, decide: 'approve' | 'reject') {
  return decideApproval(stack.host, call(name, args), decide);
}

describe('wallet_status and vial://web3/wallet', () => {
  it('reports the address, chain and native balance, and ERC-20 balances with symbol and decimals', async () => {
    const result = await call('wallet_status', { tokens: [TOKEN] });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({
      connected: true,
      address: wallet.address,
      chain: { id: 31337, supported: true },
      balance: { wei: '1500000000000000000', formatted: '1.5', symbol: 'ETH' },
      tokens: [{ token: TOKEN, symbol: 'vTEST', decimals: 6, raw: '1234500000', formatted: '1234.5' }],
    });
    const resource = await client.readResource({ uri: 'vial://web3/wallet' });
    expect(walletStatusOutput.parse(JSON.parse(resourceText(resource)))).toMatchObject({ address: wallet.address });
  });

  it('says how to connect when no wallet is connected', async () => {
    wallet.connected = false;
    const result = await call('wallet_status', {});
    expect(result.structuredContent).toMatchObject({ connected: false, hint: expect.stringMatching(/Wallet view/) });
  });

  it('refuses a token address with a wrong checksum, naming the checksummed form, before reading', async () => {
    const result = await call('wallet_status', { tokens: [BAD_CHECKSUM] });
    expect(result.isError).toBe(true);
    expect(text(result)).toContain(`tokens[0] ${BAD_CHECKSUM} has an invalid EIP-55 checksum`);
    expect(text(result)).toContain(`If you meant ${OTHER}`);
    expect(wallet.reads).toEqual([]);
  });
});

describe('web3_read_contract', () => {
  const balanceOf = { address: TOKEN, function: 'balanceOf', args: [OTHER.toLowerCase()] };

  it('reads with a human-readable ABI and with a JSON ABI, integers as decimal strings', async () => {
    wallet.connected = true;
    const human = await call('web3_read_contract', {
      ...balanceOf,
      args: [wallet.address],
      abi: ['function balanceOf(address owner) view returns (uint256)'],
    });
    expect(human.structuredContent).toEqual({
      chainId: 31337,
      address: TOKEN,
      function: 'balanceOf(address)',
      result: '1234500000',
    });
    const json = await call('web3_read_contract', {
      address: TOKEN,
      function: 'decimals',
      abi: JSON.stringify([
        { type: 'function', name: 'decimals', inputs: [], outputs: [{ type: 'uint8' }], stateMutability: 'view' },
      ]),
      chain_id: 8453,
    });
    expect(json.structuredContent).toMatchObject({ chainId: 8453, result: 6 });
  });

  it.each([
    [{ abi: 'function balanceOf(address view returns (uint256)' }, /human-readable ABI is malformed/],
    [{ abi: '[{"type": "function", ' }, /looks like JSON but does not parse/],
    [{ abi: [{ name: 'balanceOf' }] }, /JSON ABI is malformed/],
    [{ abi: ['function totalSupply() view returns (uint256)'] }, /no function 'balanceOf'.*totalSupply\(\)/s],
    [
      { abi: ['function balanceOf(address) view returns (uint256)'], args: [] },
      /Wrong arguments for balanceOf\(address\)/,
    ],
    [{ abi: ['function balanceOf(address) view returns (uint256)'], args: ['0x12'] }, /Wrong arguments.*0x12/s],
    [{ abi: ['function balanceOf(address) returns (uint256)'] }, /is nonpayable: it changes state/],
    [
      { abi: ['function balanceOf(address) view returns (uint256)'], chain_id: 137 },
      /chain 137 is not one.*Base Sepolia \(84532\)/s,
    ],
    [{ abi: ['function balanceOf(address) view returns (uint256)'], address: BAD_CHECKSUM }, /invalid EIP-55 checksum/],
  ])('refuses bad input before any RPC: %j', async (change, message) => {
    const result = await call('web3_read_contract', { ...balanceOf, ...change });
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(message);
    expect(wallet.reads).toEqual([]);
  });

  it('asks for chain_id when no wallet is connected', async () => {
    wallet.connected = false;
    const result = await call('web3_read_contract', {
      ...balanceOf,
      abi: ['function balanceOf(address) view returns (uint256)'],
    });
    expect(text(result)).toMatch(/Give chain_id/);
  });

  it('set to ask first: the approval shows the client’s function name with its selector', async () => {
    const { permissions } = stack.host.gate;
    await permissions.setPolicy('web3_read_contract', 'read', 'prompt');
    try {
      const { request, result } = await callWithApproval(
        'web3_read_contract',
        { ...balanceOf, abi: ['function balanceOf(address owner) view returns (uint256)'] },
        'approve',
      );
      expect(result.isError).toBeFalsy();
      expect(request.preview.fields).toEqual([
        { label: 'Client', value: 'test' },
        { label: 'Contract', value: TOKEN },
        { label: 'Function', value: 'balanceOf(address), selector 0x70a08231' },
        { label: 'Arguments', value: JSON.stringify(balanceOf.args) },
        { label: 'Chain', value: 'Local (anvil) (31337)' },
      ]);
    } finally {
      await permissions.setPolicy('web3_read_contract', 'read', 'allow');
    }
  });
});

describe('wallet_sign_message', () => {
  const message = 'Sign in to Example\nNonce: 42';

  it('shows the text and the signing address, and returns a signature viem verifies', async () => {
    const { request, result } = await callWithApproval('wallet_sign_message', { message }, 'approve');
    expect(request.tool).toBe('wallet_sign_message');
    expect(request.preview.summary).toBe(`test asks you to sign a message with ${wallet.address}`);
    expect(request.preview.fields).toEqual(
      expect.arrayContaining([
        { label: 'Signing address', value: wallet.address },
        { label: 'Message', value: message },
      ]),
    );
    const { signature, address } = structuredOf('wallet_sign_message', result);
    expect(address).toBe(wallet.address);
    expect(await verifyMessage({ address, message, signature })).toBe(true);
  });

  it('signs nothing when the person rejects in the tab', async () => {
    const { result } = await callWithApproval('wallet_sign_message', { message }, 'reject');
    expect(text(result)).toBe('wallet_sign_message was rejected by the user');
    expect(wallet.signed).toEqual([]);
  });

  it('reports a rejection in the wallet', async () => {
    wallet.rejectInWallet = true;
    const { result } = await callWithApproval('wallet_sign_message', { message }, 'approve');
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(/rejected in the wallet/);
  });

  it('asks nobody when no wallet is connected, and says where to connect one', async () => {
    wallet.connected = false;
    const result = await call('wallet_sign_message', { message });
    expect(text(result)).toMatch(/No wallet is connected.*Wallet view/s);
    expect(asked).toEqual([]);
  });
});

describe('wallet_sign_typed_data', () => {
  const mail = () => ({
    domain: { name: 'Ether Mail', version: '1', chainId: 31337, verifyingContract: TOKEN },
    types: {
      Person: [
        { name: 'name', type: 'string' },
        { name: 'wallet', type: 'address' },
      ],
      Mail: [
        { name: 'from', type: 'Person' },
        { name: 'to', type: 'Person[]' },
        { name: 'amount', type: 'uint256' },
      ],
    },
    primaryType: 'Mail' as const,
    message: {
      from: { name: 'Cow', wallet: wallet.address },
      to: [{ name: 'Bob', wallet: OTHER }],
      amount: '1000000000000000000000',
    },
  });

  it('previews domain, chain, contract and primary type with the tree, and signs what viem verifies', async () => {
    const typedData = mail();
    const { request, result } = await callWithApproval('wallet_sign_typed_data', { typed_data: typedData }, 'approve');
    expect(request.preview.fields).toEqual(
      expect.arrayContaining([
        { label: 'Signing address', value: wallet.address },
        { label: 'Domain', value: 'Ether Mail, version 1' },
        { label: 'Chain', value: 'Local (anvil) (31337)' },
        { label: 'Verifying contract', value: TOKEN },
        { label: 'Primary type', value: 'Mail' },
      ]),
    );
    expect(request.preview.detail).toEqual({
      domain: typedData.domain,
      primaryType: 'Mail',
      message: typedData.message,
      types: typedData.types,
    });
    const { signature, address } = structuredOf('wallet_sign_typed_data', result);
    expect(
      await verifyTypedData({
        ...typedData,
        message: { ...typedData.message, amount: 10n ** 21n },
        address,
        signature,
      }),
    ).toBe(true);
    // As JSON text, with EIP712Domain spelled out, it is the same data.
    const types = {
      EIP712Domain: [
        { name: 'name', type: 'string' },
        { name: 'version', type: 'string' },
        { name: 'chainId', type: 'uint256' },
        { name: 'verifyingContract', type: 'address' },
      ],
      ...typedData.types,
    };
    const again = await callWithApproval(
      'wallet_sign_typed_data',
      { typed_data: JSON.stringify({ ...typedData, types }) },
      'approve',
    );
    expect(structuredOf('wallet_sign_typed_data', again.result).signature).toBe(signature);
  });

  it('shows an EIP-2612 permit’s spender, amount and deadline as fields, not only in the tree', async () => {
    const permit = {
      domain: { name: 'Vial Test Token', version: '1', chainId: 31337, verifyingContract: TOKEN },
      types: {
        Permit: [
          { name: 'owner', type: 'address' },
          { name: 'spender', type: 'address' },
          { name: 'value', type: 'uint256' },
          { name: 'nonce', type: 'uint256' },
          { name: 'deadline', type: 'uint256' },
        ],
      },
      primaryType: 'Permit',
      message: {
        owner: wallet.address,
        spender: OTHER,
        value: (2n ** 256n - 1n).toString(),
        nonce: '0',
        deadline: '1767225600',
      },
    };
    const { request, result } = await callWithApproval('wallet_sign_typed_data', { typed_data: permit }, 'approve');
    expect(result.isError).toBeFalsy();
    expect(request.preview.summary).toContain('a permit, which lets the spender below move your tokens');
    expect(request.preview.fields.slice(1, 6)).toEqual([
      { label: 'Signing address', value: wallet.address },
      { label: 'Spender', value: OTHER },
      { label: 'Token', value: TOKEN },
      { label: 'Amount', value: `${2n ** 256n - 1n} (unlimited: 2^256 − 1)` },
      { label: 'Deadline', value: '1767225600 (2026-01-01T00:00:00Z)' },
    ]);
  });

  const broken: Array<[string, (data: ReturnType<typeof mail>) => unknown, RegExp]> = [
    [
      'a missing field',
      (data) => ({ ...data, message: { ...data.message, amount: undefined } }),
      /message\.amount \(uint256\) is missing/,
    ],
    [
      'a field the types do not sign',
      (data) => ({ ...data, message: { ...data.message, memo: 'hi' } }),
      /message has 'memo', which Mail does not have/,
    ],
    [
      'a nested missing field',
      (data) => ({ ...data, message: { ...data.message, to: [{ name: 'Bob' }] } }),
      /message\.to\[0\]\.wallet \(address\) is missing/,
    ],
    [
      'an unknown primary type',
      (data) => ({ ...data, primaryType: 'Letter' }),
      /primaryType 'Letter' is not one of the types.*Person, Mail/s,
    ],
    [
      'a value that does not encode',
      (data) => ({ ...data, message: { ...data.message, amount: '-1' } }),
      /does not encode.*-1/s,
    ],
    [
      'a verifying contract with a wrong checksum',
      (data) => ({ ...data, domain: { ...data.domain, verifyingContract: BAD_CHECKSUM } }),
      new RegExp(`domain.verifyingContract ${BAD_CHECKSUM} has an invalid EIP-55 checksum.*${getAddress(OTHER)}`, 's'),
    ],
    [
      'an EIP712Domain that does not match the domain',
      (data) => ({ ...data, types: { ...data.types, EIP712Domain: [{ name: 'name', type: 'string' }] } }),
      /types\.EIP712Domain does not match the domain/,
    ],
    [
      'a domain for another chain',
      (data) => ({ ...data, domain: { ...data.domain, chainId: 1 } }),
      /wallet is on Local \(anvil\) \(31337\), but this needs Ethereum \(1\).*Wallet view/s,
    ],
    ['text that is not JSON', () => '{"domain":', /typed_data is text but not JSON/],
  ];
  it.each(broken)('refuses %s before anyone is asked', async (_name, breakIt, message) => {
    const result = await call('wallet_sign_typed_data', { typed_data: breakIt(mail()) });
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(message);
    expect(asked).toEqual([]);
    expect(wallet.signed).toEqual([]);
  });
});

/** Arguments each signing tool accepts, so the call gets past input validation to the scope check. */
const VALID_SIGNING_ARGUMENTS: Record<string, Record<string, unknown>> = {
  web3_transaction: { to: OTHER, amount: '0.1' },
  wallet_sign_message: { message: 'hello' },
  wallet_export: {},
  wallet_sign_typed_data: {
    typed_data: {
      domain: { name: 'x' },
      types: { T: [{ name: 'a', type: 'uint8' }] },
      primaryType: 'T',
      message: { a: 1 },
    },
  },
};

describe('scopes', () => {
  it('a token without wallet:sign cannot reach any signing tool (the error names the scope)', async () => {
    const { token } = await stack.host.mintToken({ name: 'reader', scopes: ['wallet:read'] });
    const reader = await connectClient(stack.mcpUrl, token, 'reader');
    try {
      const signing = stack.host.listTools().filter((tool) => tool.access === 'sign');
      expect(signing.map((tool) => tool.name).sort()).toEqual([
        'wallet_export',
        'wallet_sign_message',
        'wallet_sign_typed_data',
        'web3_transaction',
      ]);
      for (const tool of signing) {
        const result = await reader.callTool({ name: tool.name, arguments: VALID_SIGNING_ARGUMENTS[tool.name] });
        expect(result.isError).toBe(true);
        expect(text(result)).toMatch(new RegExp(`lacks the scope wallet:sign needed by ${tool.name}`));
      }
      expect(asked).toEqual([]);
      // Reading still works with wallet:read.
      expect((await reader.callTool({ name: 'wallet_status', arguments: {} })).isError).toBeFalsy();
    } finally {
      await reader.close();
    }
  });

  it('a token without wallet:read cannot read the wallet', async () => {
    const { token } = await stack.host.mintToken({ name: 'quantum only', scopes: ['quantum'] });
    const other = await connectClient(stack.mcpUrl, token, 'other');
    try {
      const result = await other.callTool({ name: 'wallet_status', arguments: {} });
      expect(text(result)).toMatch(/lacks the scope wallet:read needed by wallet_status/);
      await expect(other.readResource({ uri: 'vial://web3/wallet' })).rejects.toThrow(/lacks the scope wallet:read/);
    } finally {
      await other.close();
    }
  });
});
