/**
 * The signed wallet export: a Markdown account of the wallet's state, its SHA-256, and an EIP-712
 * signature over that hash under Vial's own export domain. Anyone holding the Markdown and the
 * signature can check, with `verifyExport`, that the wallet named in the Markdown signed exactly
 * that text: changing one byte changes the hash, so the signer recovered no longer matches.
 *
 * The domain is what makes the signature mean "export": an EIP-712 signature commits to its
 * domain, and a plain message signature (EIP-191, what `wallet_sign_message` asks for) can never
 * equal one. Exports of the first format were plain message signatures, which anyone could obtain
 * by having the person sign a message dressed up as an export; `verifyExport` refuses them, and
 * the signing tools refuse messages and typed data that would pass as an export.
 */
import {
  getAddress,
  isAddress,
  isHex,
  recoverMessageAddress,
  recoverTypedDataAddress,
  sha256,
  stringToBytes,
  type Address,
  type Hex,
  type TypedDataDomain,
} from 'viem';
import type { SentTransaction } from '../../wallet/sentTransactions.ts';
import type { ConnectedWallet } from '../../wallet/walletService.ts';
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

export const EXPORT_DOMAIN = { name: 'Vial wallet export', version: '2' } as const satisfies TypedDataDomain;

export const EXPORT_STATEMENT =
  'Signing this attests the exported wallet state with this hash. It sends nothing and approves nothing.';

const EXPORT_TYPES = {
  WalletExport: [
    { name: 'sha256', type: 'bytes32' },
    { name: 'statement', type: 'string' },
  ],
} as const;

/** What the wallet signs for an export with this SHA-256 (hex, without 0x): EIP-712 typed data. */
export function exportTypedData(hash: string) {
  return {
    domain: EXPORT_DOMAIN,
    types: EXPORT_TYPES,
    primaryType: 'WalletExport' as const,
    message: { sha256: `0x${hash}` as Hex, statement: EXPORT_STATEMENT },
  };
}

/** How the approval names what is signed. */
export function describeExportSignature(hash: string): string {
  return `EIP-712 typed data, domain "${EXPORT_DOMAIN.name}" version ${EXPORT_DOMAIN.version}: WalletExport { sha256: 0x${hash}, statement: "${EXPORT_STATEMENT}" }`;
}

/** The text the first export format had the wallet sign with personal_sign; only recognised now. */
export function legacyExportMessage(hash: string): string {
  return `Vial wallet export\nSHA-256: ${hash}\n\n${EXPORT_STATEMENT}`;
}

// Invisible and direction characters, which would let the words hide inside a message.
const INVISIBLE = /[\p{Cf}\p{Cc}\p{Zl}\p{Zp}]/gu;

/**
 * Whether a message to sign would read as a Vial export: it names one. The first export format
 * verified any personal_sign of such a text, so the message tool refuses them all.
 */
export function readsAsExport(message: string): boolean {
  const plain = message.replace(/\s+/g, ' ').replace(INVISIBLE, '').toLowerCase();
  return plain.includes(EXPORT_DOMAIN.name.toLowerCase());
}

/** Whether typed data is under Vial's export domain (any version), which only `wallet_export` signs. */
export function isExportDomain(domain: TypedDataDomain | undefined): boolean {
  return readsAsExport(domain?.name ?? '');
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
 * Checks a signed export: recomputes the Markdown's hash, recovers who signed the export typed
 * data with that hash, and requires it to be the address the Markdown names (and `expected`'s
 * hash and address, when the caller gives the export's other fields). A signature of the first,
 * forgeable format is refused with a reason that says so.
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
  const claimed = getAddress(named);
  let signer: Address;
  try {
    if (!isHex(signature)) throw new Error('it is not 0x hex');
    signer = await recoverTypedDataAddress({ ...exportTypedData(hash), signature });
  } catch (error) {
    return invalid(
      `the signature is unreadable: ${(error as { shortMessage?: string }).shortMessage ?? (error as Error).message}`,
    );
  }
  if (signer !== claimed) {
    if ((await legacySigner(hash, signature)) === claimed) {
      return invalid(
        `the export is signed in the old format (a personal_sign message), which an ordinary signed message can forge, so it is not accepted: ask ${claimed} for a new wallet_export, signed as EIP-712 typed data under the "${EXPORT_DOMAIN.name}" domain`,
      );
    }
    return invalid(
      `the signature was made by ${signer}, not by ${claimed} as the Markdown says: the text was changed after signing, or another wallet signed it`,
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

async function legacySigner(hash: string, signature: Hex): Promise<Address | undefined> {
  try {
    return await recoverMessageAddress({ message: legacyExportMessage(hash), signature });
  } catch {
    return undefined;
  }
}
