/**
 * What the wallet tools return: each tool's `outputSchema`, checked against every
 * `structuredContent` it sends, and the types its tests and its MCP App read. Zod only (no viem,
 * no wagmi), so an app imports these without the wallet. They describe exactly what the text
 * form says, nothing more: a token with `wallet:read` learns no more from `structuredContent`
 * than from the JSON text beside it.
 */
import { z } from 'zod';

/**
 * `0x` and hex digits, typed `0x${string}` as viem's `Hex` and `Address` are: a string with that
 * pattern, the JSON Schema `z.templateLiteral(['0x', …])` gives, typed by a cast. The template
 * literal's own code would sit with the rest of zod in the tab's first download, where nothing
 * else uses it.
 */
const hexOf = (digits: string) =>
  z.string().regex(new RegExp(`^0x${digits}$`)) as unknown as z.ZodType<`0x${string}`, string>;
const address = hexOf('[0-9a-fA-F]{40}');
const hex = hexOf('[0-9a-fA-F]*');
const txHash = hexOf('[0-9a-fA-F]{64}');
const sha256 = z.string().regex(/^[0-9a-f]{64}$/);
/** A whole number too large for JSON's numbers (wei, gas, block numbers), as a decimal string. */
const decimal = z.string().regex(/^\d+$/, 'a decimal integer');

/** A transaction sent through Vial (`web3_transaction`), as `wallet_status` and the Wallet view list it. */
export const sentTransactionOutput = z.strictObject({
  hash: txHash,
  chainId: z.number().int().positive(),
  chainName: z.string(),
  from: address,
  /** The recipient of a transfer, or the contract called. */
  to: address,
  /** In whole units of `symbol` (for a contract call, the native value sent with it). */
  amount: z.string(),
  symbol: z.string(),
  function: z.string().optional().describe("A contract call's function signature"),
  status: z.enum(['success', 'reverted']),
  blockNumber: decimal,
  sentAt: z.number().describe('When the receipt came, in ms since the epoch'),
  explorerUrl: z.string().optional(),
});
export type SentTransactionOutput = z.infer<typeof sentTransactionOutput>;

/** An ERC-20 balance, or why the token could not be read. */
export const tokenBalanceOutput = z.strictObject({
  token: address,
  symbol: z.string().optional(),
  decimals: z.number().int().nonnegative().optional(),
  raw: decimal.optional().describe("In the token's smallest unit"),
  formatted: z.string().optional().describe('In whole units'),
  error: z.string().optional(),
});
export type TokenBalanceOutput = z.infer<typeof tokenBalanceOutput>;

/**
 * `wallet_status`: connected or not. Connected, the wallet's name, address, chain and native
 * balance (and `tokens`' balances when asked); disconnected, the wallets this browser has and
 * how to connect one. Both list what Vial sent. One object, not a union: clients of the
 * 2025 protocol get an object-rooted schema (`connected` says which fields are there).
 */
export const walletStatusOutput = z.strictObject({
  connected: z.boolean(),
  wallet: z.string().optional().describe('The connected wallet, e.g. MetaMask'),
  address: address.optional(),
  chain: z.strictObject({ id: z.number().int().positive(), name: z.string(), supported: z.boolean() }).optional(),
  balance: z
    .strictObject({ wei: decimal, formatted: z.string(), symbol: z.string(), decimals: z.number().int().nonnegative() })
    .nullable()
    .optional()
    .describe("Null when the chain is outside Vial's list or its RPC did not answer (see balanceError)"),
  balanceError: z.string().optional(),
  tokens: z.array(tokenBalanceOutput).optional(),
  wallets: z.array(z.string()).optional().describe('Disconnected: the wallets found in this browser'),
  hint: z.string().optional().describe('Disconnected: how to connect one'),
  recentTransactions: z.array(sentTransactionOutput).describe('Sent through Vial, newest first'),
});
export type WalletStatusOutput = z.infer<typeof walletStatusOutput>;

/** `web3_transaction`: the receipt of what was sent. */
export const transactionOutput = z.strictObject({
  hash: txHash,
  chainId: z.number().int().positive(),
  status: z.enum(['success', 'reverted']),
  blockNumber: decimal,
  gasUsed: decimal,
  effectiveGasPrice: decimal.describe('In wei'),
  from: address,
  to: address.nullable().describe('Null for a contract creation'),
  explorerUrl: z.string().optional().describe("The transaction on the chain's explorer, where it has one"),
});
export type TransactionOutput = z.infer<typeof transactionOutput>;

/** `web3_read_contract`: a view function's result, integers as decimal strings. */
export const readContractOutput = z.strictObject({
  chainId: z.number().int().positive(),
  address,
  function: z.string().describe("The function's signature"),
  result: z.unknown().describe('What it returned, as JSON (integers as decimal strings)'),
});
export type ReadContractOutput = z.infer<typeof readContractOutput>;

/** `wallet_sign_message`: the EIP-191 signature, who signed and what. */
export const signMessageOutput = z.strictObject({ signature: hex, address, message: z.string() });
export type SignMessageOutput = z.infer<typeof signMessageOutput>;

/** `wallet_sign_typed_data`: the EIP-712 signature, who signed, and the typed data's hash. */
export const signTypedDataOutput = z.strictObject({
  signature: hex,
  address,
  hash: hex.describe("The typed data's EIP-712 hash"),
  primaryType: z.string(),
});
export type SignTypedDataOutput = z.infer<typeof signTypedDataOutput>;

/** `wallet_export`: the Markdown, its SHA-256 and the wallet's signature of that hash. */
export const exportOutput = z.strictObject({ markdown: z.string(), sha256, signature: hex, address });
export type ExportOutput = z.infer<typeof exportOutput>;

/** `wallet_export_verify`: whether an export is genuine, who signed it, and if not, why. */
export const exportVerifyOutput = z.strictObject({
  valid: z.boolean(),
  address: address.nullable().describe('Who signed, recovered from the signature; null when it is unreadable'),
  sha256,
  reason: z.string().optional().describe('Why it is not valid'),
});
export type ExportVerifyOutput = z.infer<typeof exportVerifyOutput>;
