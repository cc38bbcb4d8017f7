/**
 * The wallet in real Chromium against a real anvil, with the test wallet standing in for
 * MetaMask: the person connects in the Wallet view, then an MCP client (through the relay) reads
 * the wallet and asks for signatures. Each signature waits for the person's approval in the tab
 * and then for the wallet's; rejecting in either place is reported as such, and a rejection in
 * the tab never reaches the wallet. Transactions (native, then ERC-20) show recipient, amount
 * and fee in the tab, are mined by anvil once approved, move exactly the amount, and are listed
 * in the Wallet view after a reload, as is the ERC-20 token listed there (its balance read again).
 * A signed export, approved in the tab, verifies in Node.
 */
import { expect, test, type Page } from '@playwright/test';
import { getAddress, parseEther, verifyMessage, verifyTypedData, type Address } from 'viem';
import { startAnvil, type Anvil } from '../support/chain/anvil.ts';
import { devAccount } from '../support/chain/devAccounts.ts';
import { deployTestToken, type DeployedTestToken } from '../support/chain/testToken.ts';
import { verifyExport } from '../../web/src/tools/wallet/exportBundle.ts';
import { callToolResult, resultText as text, structuredOf, type ToolName } from '../support/toolResults.ts';
import { connectClient, createToken, openVial, screenshot } from './support/vial.ts';
import { installTestWallet, SIGNING_METHODS, TEST_WALLET_INFO, type TestWallet } from './support/testWallet.ts';

const SUPPLY = 1_000_000n * 10n ** 6n;
let chain: Anvil;
let token: DeployedTestToken;
test.beforeAll(async () => {
  chain = await startAnvil();
  token = await deployTestToken(chain.clients, { supply: SUPPLY });
});
test.afterAll(() => chain?.stop());

const signingRequests = (wallet: TestWallet) =>
  wallet.requests.filter((request) => SIGNING_METHODS.has(request.method));

/** Approves or rejects the one pending approval in the tab, after checking what it shows. */
async function decideInTab(page: Page, tool: string, shows: string[], decision: 'approve' | 'reject') {
  const request = page.getByTestId('approval-request');
  await expect(request).toHaveAttribute('data-tool', tool);
  for (const value of shows) await expect(request).toContainText(value);
  await request.getByTestId(`approval-${decision}`).click();
  await expect(request).toHaveCount(0);
}

const typedData = {
  domain: { name: 'Vial Test', version: '1', chainId: 31337 },
  types: {
    Permit: [
      { name: 'spender', type: 'address' },
      { name: 'value', type: 'uint256' },
    ],
  },
  primaryType: 'Permit' as const,
  message: { spender: devAccount(3).address, value: '2500000' },
};

test('connect in the Wallet view, then an MCP client reads, signs with approval, and is refused', async ({ page }) => {
  const me = devAccount(0).address;
  const wallet = await installTestWallet(page, { rpcUrl: chain.rpcUrl });
  const mcpUrl = await openVial(page);

  // The local chain's RPC is a setting of the Wallet view, used from the next load.
  await page.goto('/#/wallet');
  await page.getByTestId('wallet-local-rpc').fill(chain.rpcUrl);
  await page.getByRole('button', { name: 'Save' }).click();
  await page.reload();

  const mcpToken = await createToken(page, 'Wallet client', ['wallet:read', 'wallet:sign']);
  const { client } = await connectClient(mcpUrl, mcpToken);
  const call = (name: ToolName, args: Record<string, unknown>) => callToolResult(client, name, args);

  // Connect: the test wallet is found through EIP-6963.
  await page.goto('/#/wallet');
  await expect(page.getByTestId('wallet-state')).toHaveAttribute('data-state', 'disconnected');
  await page.locator(`[data-testid="wallet-choice"][data-wallet-id="${TEST_WALLET_INFO.rdns}"]`).click();
  await expect(page.getByTestId('wallet-address')).toHaveText(me);
  await expect(page.getByTestId('wallet-chain')).toHaveAttribute('data-chain-id', '31337');
  await expect(page.getByTestId('wallet-balance')).toContainText('ETH');

  // Tokens: a wrong checksum is refused with the checksummed form; the token then shows its balance.
  const checksummed = getAddress(token.address);
  const flip = (c: string) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase());
  const at = checksummed.slice(2).search(/[a-fA-F]/) + 2;
  const miscased = checksummed.slice(0, at) + flip(checksummed[at]!) + checksummed.slice(at + 1);
  await page.getByTestId('wallet-token-address').fill(miscased);
  await page.getByTestId('wallet-token-add').click();
  await expect(page.getByTestId('wallet-token-error')).toContainText(`If you meant ${checksummed}`);
  await page.getByTestId('wallet-token-address').fill(token.address.toLowerCase());
  await page.getByTestId('wallet-token-add').click();
  await expect(page.getByTestId('wallet-token-error')).toHaveCount(0);
  const listedToken = page.locator(`[data-testid="wallet-token"][data-token="${checksummed}"]`);
  await expect(listedToken.getByTestId('wallet-token-balance')).toHaveText('1000000 vTEST');
  await screenshot(page, 'wallet');

  // wallet_status: what anvil says.
  const status = await call('wallet_status', { tokens: [token.address] });
  expect(status.structuredContent).toMatchObject({
    connected: true,
    wallet: TEST_WALLET_INFO.name,
    address: me,
    chain: { id: 31337, supported: true },
    balance: { wei: (await chain.clients.public.getBalance({ address: me })).toString(), symbol: 'ETH' },
    tokens: [{ token: getAddress(token.address), symbol: 'vTEST', decimals: 6, raw: SUPPLY.toString() }],
  });

  // web3_read_contract: the token's balanceOf, read from anvil.
  const read = await call('web3_read_contract', {
    address: token.address,
    abi: ['function balanceOf(address owner) view returns (uint256)'],
    function: 'balanceOf',
    args: [token.holder],
  });
  expect(read.structuredContent).toMatchObject({ chainId: 31337, result: SUPPLY.toString() });

  // wallet_sign_message: approved in the tab, then signed by the wallet.
  const message = 'Vial e2e: sign in\nNonce: 7';
  const signing = call('wallet_sign_message', { message });
  await decideInTab(page, 'wallet_sign_message', ['Nonce: 7', me], 'approve');
  const signed = structuredOf('wallet_sign_message', await signing);
  expect(signed.address).toBe(me);
  expect(await verifyMessage({ address: me, message, signature: signed.signature })).toBe(true);

  // wallet_sign_typed_data: the preview shows the domain and primary type.
  const typedSigning = call('wallet_sign_typed_data', { typed_data: typedData });
  await decideInTab(
    page,
    'wallet_sign_typed_data',
    ['Vial Test, version 1', 'Permit', 'Local (anvil) (31337)'],
    'approve',
  );
  const typed = structuredOf('wallet_sign_typed_data', await typedSigning);
  expect(
    await verifyTypedData({
      ...typedData,
      message: { ...typedData.message, value: 2_500_000n },
      address: me,
      signature: typed.signature,
    }),
  ).toBe(true);
  expect(signingRequests(wallet).map((request) => [request.method, request.outcome])).toEqual([
    ['personal_sign', 'approved'],
    ['eth_signTypedData_v4', 'approved'],
  ]);

  // Rejected in the tab: the wallet is never asked.
  const refused = call('wallet_sign_message', { message: 'do not sign' });
  await decideInTab(page, 'wallet_sign_message', ['do not sign'], 'reject');
  expect(text(await refused)).toBe('wallet_sign_message was rejected by the user');
  expect(signingRequests(wallet)).toHaveLength(2);

  // Rejected in the wallet (4001): approved in the tab, declined in the wallet's popup.
  wallet.setMode('reject');
  const declined = call('wallet_sign_typed_data', { typed_data: typedData });
  await decideInTab(page, 'wallet_sign_typed_data', ['Permit'], 'approve');
  const declinedResult = await declined;
  expect(declinedResult.isError).toBe(true);
  expect(text(declinedResult)).toMatch(/rejected in the wallet/);
  expect(signingRequests(wallet).at(-1)).toMatchObject({ method: 'eth_signTypedData_v4', outcome: 'rejected' });
  wallet.setMode('approve');

  // web3_transaction, native: the tab shows recipient, amount and fee; anvil mines it once approved.
  const recipient = devAccount(4).address;
  const ethBefore = await chain.clients.public.getBalance({ address: recipient });
  const sending = call('web3_transaction', { to: recipient, amount: '0.5' });
  await decideInTab(
    page,
    'web3_transaction',
    [recipient, '0.5 ETH (18 decimals)', 'Estimated fee', 'ETH ('],
    'approve',
  );
  const sent = await sending;
  expect(sent.isError, text(sent)).toBeFalsy();
  expect(sent.structuredContent).toMatchObject({ chainId: 31337, status: 'success', from: me, to: recipient });
  const { hash } = structuredOf('web3_transaction', sent);
  expect((await chain.clients.public.getTransactionReceipt({ hash })).status).toBe('success');
  expect((await chain.clients.public.getBalance({ address: recipient })) - ethBefore).toBe(parseEther('0.5'));

  // web3_transaction, ERC-20: the amount in token units, with symbol and decimals.
  const tokenBalance = (owner: Address) =>
    chain.clients.public.readContract({
      address: token.address,
      abi: token.abi,
      functionName: 'balanceOf',
      args: [owner],
    }) as Promise<bigint>;
  const tokensBefore = await tokenBalance(recipient);
  const transferring = call('web3_transaction', { token_contract: token.address, to: recipient, amount: '42.5' });
  await decideInTab(page, 'web3_transaction', [recipient, '42.5 vTEST (6 decimals)', 'Estimated fee'], 'approve');
  const transferred = await transferring;
  expect(transferred.isError, text(transferred)).toBeFalsy();
  expect(transferred.structuredContent).toMatchObject({ status: 'success', to: getAddress(token.address) });
  expect((await tokenBalance(recipient)) - tokensBefore).toBe(42_500_000n);
  expect(
    signingRequests(wallet)
      .slice(-2)
      .map((request) => [request.method, request.outcome]),
  ).toEqual([
    ['eth_sendTransaction', 'approved'],
    ['eth_sendTransaction', 'approved'],
  ]);

  // wallet_export: the tab shows the hash it signs; the export verifies in Node and lists both transactions.
  const exporting = call('wallet_export', { tokens: [token.address] });
  await decideInTab(page, 'wallet_export', ['SHA-256', me], 'approve');
  const exported = await exporting;
  expect(exported.isError, text(exported)).toBeFalsy();
  const bundle = structuredOf('wallet_export', exported);
  expect(await verifyExport(bundle.markdown, bundle.signature, bundle)).toEqual({
    valid: true,
    address: me,
    sha256: bundle.sha256,
  });
  expect(bundle.markdown).toContain(hash);
  expect(bundle.markdown).toContain(`42.5 vTEST to ${recipient}`);

  // Signing tools can be set to ask or deny, never to allow.
  await page.goto('/#/settings');
  await expect(
    page
      .getByTestId('permission-row')
      .filter({ has: page.locator('code:text-is("wallet_sign_message")') })
      .locator('option'),
  ).toHaveText(['Ask me', 'Deny']);
  // How long a request waits for approval is a setting too, kept across the reload below.
  const timeout = page.getByTestId('approval-timeout');
  await timeout.fill('30');
  await page.locator('form').filter({ has: timeout }).getByRole('button', { name: 'Save' }).click();
  await expect(page.getByTestId('settings-error')).toHaveCount(0);

  // A reload reconnects the wallet without asking the person again.
  const connects = wallet.requests.filter((request) => request.prompted).length;
  await page.reload();
  await page.goto('/#/wallet');
  await expect(page.getByTestId('wallet-address')).toHaveText(me);
  expect(wallet.requests.filter((request) => request.prompted)).toHaveLength(connects);
  // The transactions sent through Vial outlive the reload, newest first, each with what it sent.
  const listed = page.getByTestId('wallet-transaction');
  await expect(listed).toHaveCount(2);
  await expect(listed.nth(0)).toHaveAttribute('data-hash', structuredOf('web3_transaction', transferred).hash);
  await expect(listed.nth(0)).toContainText(`42.5 vTEST to ${recipient}`);
  await expect(listed.nth(1)).toHaveAttribute('data-hash', hash);
  await expect(listed.nth(1)).toContainText('0.5 ETH to');
  // The token list is kept per chain and read again: 42.5 vTEST fewer.
  await expect(listedToken.getByTestId('wallet-token-balance')).toHaveText('999957.5 vTEST');
  await listedToken.getByTestId('wallet-token-remove').click();
  await expect(page.getByTestId('wallet-token')).toHaveCount(0);
  await page.goto('/#/settings');
  await expect(page.getByTestId('approval-timeout')).toHaveValue('30');
  await client.close();
});
