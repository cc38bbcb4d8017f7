/**
 * `wallet_sign_message`: an EIP-191 signature (`personal_sign`) of a text by the connected
 * wallet. The person approves it in the tab, seeing the text and the signing address, and then
 * again in their wallet.
 */
import { z } from 'zod';
import { defineTool, jsonResult } from '../../host/registry.ts';
import { describeChain } from '../../wallet/chains.ts';
import type { WalletService } from '../../wallet/service.ts';
import { connectedWallet } from './checks.ts';

export const MAX_MESSAGE_CHARS = 20_000;

export function createSignMessageTool(wallet: WalletService) {
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
    preview: async ({ message }, { client }) => {
      const { address, chain, wallet: name } = await connectedWallet(wallet);
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
    run: async ({ message }) => {
      const { address } = await connectedWallet(wallet);
      const signature = await wallet.signMessage({ account: address, message });
      return jsonResult({ signature, address, message });
    },
  });
}
