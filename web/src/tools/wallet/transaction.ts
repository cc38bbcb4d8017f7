/**
 * `web3_transaction`: sends a native transfer, an ERC-20 transfer or a contract call from the
 * connected wallet. Everything is checked and the fee estimated before the person is asked
 * (`prepareTransaction.ts`); they approve in the tab, seeing recipient, amount, chain and fee
 * (and the decoded call), then in their wallet. The tool waits for the receipt.
 *
 * The transaction is prepared once, for the approval, and that very request is what is sent
 * (`approvedCall.ts`): chain, sender, recipient, value and calldata cannot move between the
 * approval and the wallet. Right before the wallet is asked, the wallet must still be on the
 * account and chain it was on when the person looked, and after a switch, on the approved chain.
 */
import type { ClientIdentity } from '@vial/shared';
import { formatUnits, getAddress, type Hex } from 'viem';
import { z } from 'zod';
import type { ApprovalPreview } from '../../server/approvals.ts';
import { defineTool, jsonResult } from '../../server/toolRegistry.ts';
import { ToolError } from '../../server/toolError.ts';
import { describeChain, explorerTransactionUrl } from '../../wallet/chains.ts';
import type { SentTransactionLog } from '../../wallet/sentTransactions.ts';
import type { TransactionReceiptSummary, WalletService } from '../../wallet/walletService.ts';
import { abiInput, shortMessage } from './abi.ts';
import { ApprovedCalls, requireApprovedWallet } from './approvedCall.ts';
import { addressInput, amountInput, chainInput, toJson } from '../../wallet/checks.ts';
import { formatAmount, prepareTransaction, type PreparedTransaction } from './prepareTransaction.ts';

export type { TransactionOutput } from './outputs.ts';

export const RECEIPT_TIMEOUT_MS = 120_000;

function describe(prepared: PreparedTransaction, client: ClientIdentity): ApprovalPreview {
  const { request, currency, native, estimate, call } = prepared;
  const amount = `${formatAmount(prepared.amount, currency)} (${currency.decimals} decimals)`;
  const chain =
    prepared.walletChainId === request.chainId
      ? describeChain(request.chainId)
      : `${describeChain(request.chainId)} (the wallet, now on ${describeChain(prepared.walletChainId)}, will be asked to switch)`;
  const what = call
    ? `call ${call.signature} on ${prepared.recipient}`
    : `send ${formatAmount(prepared.amount, currency)} to ${prepared.recipient}`;
  return {
    summary: `${client.tokenName} asks you to ${what} on ${describeChain(request.chainId)}`,
    fields: [
      { label: 'Client', value: client.tokenName },
      { label: 'From', value: request.account },
      { label: call ? 'Contract' : 'To', value: prepared.recipient },
      ...(prepared.kind === 'erc20' ? [{ label: 'Token contract', value: request.to }] : []),
      { label: call ? 'Value' : 'Amount', value: amount },
      ...(call
        ? [
            // The selector is what the contract dispatches on; a client-supplied ABI names it as it likes.
            { label: 'Function', value: `${call.signature}, selector ${request.data!.slice(0, 10)}` },
            { label: 'Arguments', value: JSON.stringify(toJson(call.args)) },
          ]
        : []),
      { label: 'Chain', value: chain },
      { label: 'Estimated fee', value: `up to ${formatAmount(estimate.fee, native)} (${estimate.gas} gas)` },
    ],
    ...(call
      ? {
          detail: {
            contract: prepared.recipient,
            function: call.signature,
            selector: request.data!.slice(0, 10),
            args: toJson(call.args),
            value: request.value.toString(),
            data: request.data,
          },
        }
      : {}),
  };
}

async function receiptOf(wallet: WalletService, chainId: number, hash: Hex) {
  try {
    return await wallet.waitForReceipt({ chainId, hash, timeoutMs: RECEIPT_TIMEOUT_MS });
  } catch (error) {
    throw new ToolError(`Transaction ${hash} was sent, but its receipt did not come: ${shortMessage(error)}`, {
      hints: [`It may still be mined; look it up on ${describeChain(chainId)} before sending again.`],
    });
  }
}

/** What the Wallet view, `wallet_status` and `wallet_export` list about a transaction once mined. */
function sentRecord(prepared: PreparedTransaction, receipt: TransactionReceiptSummary, explorerUrl?: string) {
  const { request, currency, call } = prepared;
  return {
    hash: receipt.hash,
    chainId: request.chainId,
    chainName: describeChain(request.chainId),
    from: request.account,
    to: prepared.recipient,
    amount: formatUnits(prepared.amount, currency.decimals),
    symbol: currency.symbol,
    ...(call ? { function: call.signature } : {}),
    status: receipt.status,
    blockNumber: receipt.blockNumber.toString(),
    sentAt: Date.now(),
    ...(explorerUrl ? { explorerUrl } : {}),
  };
}

export function createTransactionTool(wallet: WalletService, transactions: SentTransactionLog) {
  const approved = new ApprovedCalls<PreparedTransaction>('web3_transaction');
  return defineTool({
    name: 'web3_transaction',
    title: 'Send a transaction',
    description:
      'Sends a transaction from the connected wallet, after the person approves it in the Vial tab (seeing recipient, amount, chain and estimated fee) and in their wallet, and waits for the receipt. One of: a native transfer (`to`, `amount` in ETH as a decimal string, e.g. "0.01"); an ERC-20 transfer (`token_contract`, `to`, `amount` in token units, e.g. "12.5"); a contract call (`contract`, `abi` as JSON or human-readable signatures, `function`, `args`, optional `value` in ETH). `chain` (name or id) defaults to the wallet\'s chain; when it differs, the wallet is asked to switch. Refused before anyone is asked: bad addresses or amounts, unknown chains, bad calls, and balances that cannot cover the amount plus the fee. Returns hash, status, block, gas used and effective gas price.',
    scopes: ['wallet:sign'],
    access: 'sign',
    input: z.strictObject({
      to: addressInput.optional().describe('Recipient of a native or ERC-20 transfer'),
      amount: amountInput.optional().describe('Amount in whole units as a decimal string, e.g. "0.5"'),
      token_contract: addressInput.optional().describe('The ERC-20 contract, for a token transfer'),
      contract: addressInput.optional().describe('The contract to call'),
      abi: abiInput.optional(),
      function: z.string().min(1).max(200).optional().describe('The function name, e.g. approve'),
      args: z.array(z.unknown()).max(64).default([]).describe('Arguments in order; integers as decimal strings'),
      value: amountInput.optional().describe('Native amount sent with a contract call, in whole units'),
      chain: chainInput.optional(),
    }),
    annotations: { readOnlyHint: false, destructiveHint: true, openWorldHint: true },
    preview: async (input, context) =>
      describe(approved.keep(context, await prepareTransaction(wallet, input)), context.client),
    run: async (_input, context) => {
      const prepared = approved.take(context);
      const { request, walletChainId } = prepared;
      const name = 'web3_transaction';
      await requireApprovedWallet(wallet, { account: request.account, chainId: walletChainId }, name, 'sent');
      if (walletChainId !== request.chainId) {
        await wallet.switchChain(request.chainId);
        // The wallet may have switched elsewhere (or another call switched it meanwhile).
        await requireApprovedWallet(wallet, { account: request.account, chainId: request.chainId }, name, 'sent');
      }
      const hash = await wallet.sendTransaction(request);
      await context.auditNote(`sent ${hash} on chain ${request.chainId}; waiting for its receipt`);
      const receipt = await receiptOf(wallet, request.chainId, hash);
      const explorerUrl = explorerTransactionUrl(request.chainId, hash);
      // Reverted ones too: the fee was spent, and the person should see it in the list.
      await transactions.record(sentRecord(prepared, receipt, explorerUrl));
      if (receipt.status === 'reverted') {
        throw new ToolError(`Transaction ${hash} reverted on ${describeChain(request.chainId)}`, {
          details: `It was mined in block ${receipt.blockNumber} and used ${receipt.gasUsed} gas; nothing else changed.`,
        });
      }
      return jsonResult({
        hash,
        chainId: request.chainId,
        status: receipt.status,
        blockNumber: receipt.blockNumber.toString(),
        gasUsed: receipt.gasUsed.toString(),
        effectiveGasPrice: receipt.effectiveGasPrice.toString(),
        // Nodes return addresses in lower case; checksummed, they read as everywhere else in Vial.
        from: getAddress(receipt.from),
        to: receipt.to && getAddress(receipt.to),
        ...(explorerUrl ? { explorerUrl } : {}),
      });
    },
  });
}
