/**
 * `wallet_sign_message`: an EIP-191 signature (`personal_sign`) of a text by the connected
 * wallet. The person approves it in the tab, seeing the text and the signing address, and then
 * again in their wallet. The account and chain they saw are the ones that sign (`approvedCall.ts`),
 * and a text that names a Vial wallet export is refused: signed, it would pass as an export
 * with verifiers of the first export format.
 */
import { z } from 'zod';
import { defineTool, jsonResult } from '../../server/toolRegistry.ts';
import { ToolError } from '../../server/toolError.ts';
import { describeChain } from '../../wallet/chains.ts';
import type { WalletService } from '../../wallet/walletService.ts';
import { ApprovedCalls, requireApprovedWallet, type ApprovedWallet } from './approvedCall.ts';
import { connectedWallet } from '../../wallet/checks.ts';
import { EXPORT_DOMAIN, readsAsExport } from './exportBundle.ts';

export type { SignMessageOutput } from './outputs.ts';

export const MAX_MESSAGE_CHARS = 20_000;

export function createSignMessageTool(wallet: WalletService) {
  const approved = new ApprovedCalls<ApprovedWallet>('wallet_sign_message');
  return defineTool({
    name: 'wallet_sign_message',
    title: 'Sign a message',
    description: `Asks the person to sign a text message with their connected wallet (EIP-191 personal_sign). They approve it in the Vial tab, seeing the exact text and the signing address, then confirm in their wallet. Returns the signature and the address that signed; verify with viem's verifyMessage. Up to ${MAX_MESSAGE_CHARS} characters.`,
    scopes: ['wallet:sign'],
    access: 'sign',
    input: z.strictObject({
      message: z.string().min(1).max(MAX_MESSAGE_CHARS).describe('The text to sign, exactly as the person will see it'),
    }),
    annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: true },
    preview: async ({ message }, context) => {
      const { client } = context;
      if (readsAsExport(message)) {
        throw new ToolError(`wallet_sign_message refuses a message that names a "${EXPORT_DOMAIN.name}"`, {
          details:
            'Signed, such a text could pass as a signed export of the wallet. Exports are signed only by wallet_export, as EIP-712 typed data.',
          hints: ['Call wallet_export to export the wallet, signed; or reword the message.'],
        });
      }
      const { address, chain, wallet: name } = await connectedWallet(wallet);
      approved.keep(context, { account: address, chainId: chain.id });
      return {
        summary: `${client.tokenName} asks you to sign a message with ${address}`,
        fields: [
          { label: 'Client', value: client.tokenName },
          { label: 'Signing address', value: address },
          { label: 'Wallet', value: `${name} on ${describeChain(chain.id)}` },
          { label: 'Message', value: message },
        ],
      };
    },
    run: async ({ message }, context) => {
      const { address } = await requireApprovedWallet(wallet, approved.take(context), 'wallet_sign_message', 'signed');
      const signature = await wallet.signMessage({ account: address, message });
      return jsonResult({ signature, address, message });
    },
  });
}
