/**
 * The signed wallet export: a Markdown account of the wallet's state, its SHA-256, and an
 * EIP-191 signature over a message that contains that hash. Anyone holding the Markdown and the
 * signature can check, with `verifyExport`, that the wallet named in the Markdown signed exactly
 * that text: changing one byte changes the hash, so the signer recovered no longer matches.
 */
import { getAddress, isAddress, isHex, recoverMessageAddress, sha256, stringToBytes, type Address } from 'viem';
import type { SentTransaction } from '../../wallet/sentTransactions.ts';
import type { ConnectedWallet } from '../../wallet/service.ts';
import type { TokenBalance } from './status.ts';

/** Far more than an export with 20 tokens and 10 transactions runs to; bounds what verify reads. */
export const MAX_EXPORT_CHARS = 100_000;

export interface ExportState {
  wallet: ConnectedWallet;
  tokens: TokenBalance[];
  transactions: SentTransaction[];
  exportedAt: Date;
}

/** SHA-256 of the text's UTF-8 bytes, as lower-case hex without 0x (as `sha256sum` prints it). */
export function sha256Hex(text: string): string {
  return sha256(stringToBytes(text)).slice(2);
}

/** What the wallet signs: the hash, and words that tell the person it only attests the export. */
export function exportMessage(hash: string): string {
  return `Vial wallet export\nSHA-256: ${hash}\n\nSigning this attests the exported wallet state with this hash. It sends nothing and approves nothing.`;
}

// The line the verifier reads the claimed signer from; `buildExportMarkdown` writes it first.
const ADDRESS_LINE = /^- Address: `(0x[0-9a-fA-F]{40})`$/m;

const cell = (value: string) => value.replaceAll('|', '\\|').replaceAll('\n', ' ');

export function buildExportMarkdown({ wallet, tokens, transactions, exportedAt }: ExportState): string {
  const native = wallet.balance
    ? `| ${cell(wallet.balance.symbol)} | ${wallet.balance.formatted} | native |`
    : `| native | unknown: ${cell(wallet.balanceError ?? 'not read')} | native |`;
  const tokenRows = tokens.map((token) =>
    token.error
      ? `| ? | unknown: ${cell(token.error)} | \`${token.token}\` |`
      : `| ${cell(token.symbol ?? '?')} | ${token.formatted} | \`${token.token}\` |`,
  );
  const transactionRows = transactions.map(
    (tx) =>
      `| ${new Date(tx.sentAt).toISOString()} | ${cell(tx.function ? `${tx.function} on ${tx.to}` : `${tx.amount} ${tx.symbol} to ${tx.to}`)} | ${cell(tx.chainName)} | ${tx.status} (block ${tx.blockNumber}) | \`${tx.hash}\` |`,
  );
  return [
    '# Vial wallet export',
    '',
    `- Address: \`${wallet.address}\``,
    `- Wallet: ${wallet.wallet}`,
    `- Chain: ${wallet.chain.name} (${wallet.chain.id})`,
    `- Exported at: ${exportedAt.toISOString()}`,
    '',
    '## Balances',
    '',
    '| Asset | Balance | Contract |',
    '| --- | --- | --- |',
    native,
    ...tokenRows,
    '',
    '## Transactions sent through Vial',
    '',
    ...(transactionRows.length === 0
      ? ['None.']
      : ['| Time | What | Chain | Status | Hash |', '| --- | --- | --- | --- | --- |', ...transactionRows]),
    '',
  ].join('\n');
}

export interface ExportVerification {
  valid: boolean;
  /** Who signed, recovered from the signature; null when the signature is unreadable. */
  address: Address | null;
  sha256: string;
  /** Why it is not valid. */
  reason?: string;
}

/**
 * Checks a signed export: recomputes the Markdown's hash, recovers who signed the message with
 * that hash, and requires it to be the address the Markdown names (and `expected`'s hash and
 * address, when the caller gives the export's other fields).
 */
export async function verifyExport(
  markdown: string,
  signature: string,
  expected: { sha256?: string; address?: string } = {},
): Promise<ExportVerification> {
  const hash = sha256Hex(markdown);
  const invalid = (reason: string, address: Address | null = null) => ({ valid: false, address, sha256: hash, reason });
  if (expected.sha256 !== undefined && expected.sha256.toLowerCase() !== hash) {
    return invalid(`the Markdown's SHA-256 is ${hash}, not ${expected.sha256}: the text was changed after signing`);
  }
  const named = ADDRESS_LINE.exec(markdown)?.[1];
  if (!named || !isAddress(named, { strict: false })) {
    return invalid('the Markdown names no signer (its "- Address: `0x…`" line is missing or malformed)');
  }
  let signer: Address;
  try {
    if (!isHex(signature)) throw new Error('it is not 0x hex');
    signer = await recoverMessageAddress({ message: exportMessage(hash), signature });
  } catch (error) {
    return invalid(
      `the signature is unreadable: ${(error as { shortMessage?: string }).shortMessage ?? (error as Error).message}`,
    );
  }
  if (signer !== getAddress(named)) {
    return invalid(
      `the signature was made by ${signer}, not by ${getAddress(named)} as the Markdown says: the text was changed after signing, or another wallet signed it`,
      signer,
    );
  }
  if (
    expected.address !== undefined &&
    (!isAddress(expected.address, { strict: false }) || getAddress(expected.address) !== signer)
  ) {
    return invalid(`the export was signed by ${signer}, not by ${expected.address}`, signer);
  }
  return { valid: true, address: signer, sha256: hash };
}
