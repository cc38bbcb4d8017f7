/**
 * `web3_read_contract`: calls a view or pure function through Vial's RPC for the chain (no
 * wallet prompt, nothing signed). The ABI comes as JSON or as human-readable signatures; the
 * function and its arguments are checked against it (by encoding the call) before any RPC. Where
 * the person set it to ask first, the approval shows the function with its selector.
 */
import type { ClientIdentity } from '@vial/shared';
import { toFunctionSelector, toFunctionSignature } from 'viem';
import { z } from 'zod';
import type { ApprovalPreview } from '../../server/approvals.ts';
import { defineTool, jsonResult } from '../../server/toolRegistry.ts';
import { ToolError } from '../../server/toolError.ts';
import { describeChain } from '../../wallet/chains.ts';
import type { WalletService } from '../../wallet/walletService.ts';
import { abiInput, checkedCall, parseAbiInput, shortMessage } from './abi.ts';
import { addressInput, chainIdInput, checkedAddress, checkedChain, toJson } from '../../wallet/checks.ts';

export type { ReadContractOutput } from './outputs.ts';

export function createReadContractTool(wallet: WalletService) {
  return defineTool({
    name: 'web3_read_contract',
    title: 'Read a contract',
    description:
      'Calls a view or pure function of a contract (an eth_call through Vial\'s RPC for the chain; no wallet prompt, nothing signed). `abi` is a JSON ABI (array, or its text) or human-readable signatures (e.g. ["function balanceOf(address owner) view returns (uint256)"]). Integers in `args` and in the result are decimal strings. `chain_id` defaults to the connected wallet\'s chain.',
    scopes: ['wallet:read'],
    access: 'read',
    input: z.strictObject({
      address: addressInput.describe('The contract address'),
      abi: abiInput,
      function: z.string().min(1).max(200).describe('The function name, e.g. balanceOf'),
      args: z.array(z.unknown()).max(64).default([]).describe('Arguments in order'),
      chain_id: chainIdInput.optional(),
    }),
    annotations: { readOnlyHint: true, openWorldHint: true },
    preview: async (input, { client }) => describeRead(await checkedRead(wallet, input), input.args, client),
    run: async (input) => {
      const { address, item, chainId } = await checkedRead(wallet, input);
      let result: unknown;
      try {
        result = await wallet.readContract({
          chainId,
          address,
          abi: [item],
          functionName: item.name,
          args: input.args,
        });
      } catch (error) {
        throw new ToolError(`${toFunctionSignature(item)} on ${address} failed: ${shortMessage(error)}`, {
          hints: ['Check that the contract is deployed on this chain and that the ABI matches it.'],
        });
      }
      return jsonResult({ chainId, address, function: toFunctionSignature(item), result: toJson(result) });
    },
  });
}

interface ReadInput {
  address: string;
  abi: string | unknown[];
  function: string;
  args: unknown[];
  chain_id?: number;
}

async function checkedRead(wallet: WalletService, input: ReadInput) {
  const address = checkedAddress(input.address, 'address');
  const item = checkedCall(parseAbiInput(input.abi), input.function, input.args, 'read');
  const chainId = checkedChain(input.chain_id ?? (await walletChain(wallet)));
  return { address, item, chainId };
}

/** What the person sees when they set this tool to ask: the function with its selector, since the ABI is the client's. */
function describeRead(
  { address, item, chainId }: Awaited<ReturnType<typeof checkedRead>>,
  args: unknown[],
  client: ClientIdentity,
): ApprovalPreview {
  const signature = toFunctionSignature(item);
  return {
    summary: `${client.tokenName} wants to read ${signature} on ${address} (${describeChain(chainId)})`,
    fields: [
      { label: 'Client', value: client.tokenName },
      { label: 'Contract', value: address },
      { label: 'Function', value: `${signature}, selector ${toFunctionSelector(item)}` },
      { label: 'Arguments', value: JSON.stringify(args) },
      { label: 'Chain', value: describeChain(chainId) },
    ],
  };
}

async function walletChain(wallet: WalletService): Promise<number> {
  const status = await wallet.status();
  if (status.connected) return status.chain.id;
  throw new ToolError('Give chain_id: no wallet is connected, so there is no current chain to read from', {
    hints: ["Or connect a wallet in the Vial tab's Wallet view (#/wallet)."],
  });
}
