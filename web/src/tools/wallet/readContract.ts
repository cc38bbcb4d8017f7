/**
 * `web3_read_contract`: calls a view or pure function through Vial's RPC for the chain (no
 * wallet prompt, nothing signed). The ABI comes as JSON or as human-readable signatures; the
 * function and its arguments are checked against it (by encoding the call) before any RPC.
 */
import { encodeFunctionData, getAbiItem, parseAbi, toFunctionSignature, type Abi, type AbiFunction } from 'viem';
import { z } from 'zod';
import { defineTool, jsonResult } from '../../host/registry.ts';
import { ToolError } from '../../host/toolError.ts';
import type { WalletService } from '../../wallet/service.ts';
import { addressInput, chainIdInput, checkedAddress, checkedChain, toJson } from './checks.ts';

const shortMessage = (error: unknown) =>
  (error as { shortMessage?: string }).shortMessage ?? (error as Error).message ?? String(error);

// A JSON ABI is checked in outline here; viem checks each entry when it encodes the call.
const jsonAbiSchema = z.array(z.looseObject({ type: z.string() })).min(1);

/** The ABI from JSON (text or array) or from human-readable signatures (one per line or array item). */
export function parseAbiInput(abi: string | unknown[]): Abi {
  const asJson = typeof abi === 'string' && /^\s*[[{]/.test(abi) ? parseJson(abi) : abi;
  if (typeof asJson === 'string' || (Array.isArray(asJson) && asJson.every((item) => typeof item === 'string'))) {
    const lines = (typeof asJson === 'string' ? asJson.split(/\n|;(?=\s*(?:function|event|error|struct)\b)/) : asJson)
      .map((line) => line.trim())
      .filter(Boolean);
    try {
      return parseAbi(lines);
    } catch (error) {
      throw new ToolError(`The human-readable ABI is malformed: ${shortMessage(error)}`, {
        hints: ['Write each entry like "function balanceOf(address owner) view returns (uint256)".'],
      });
    }
  }
  const parsed = jsonAbiSchema.safeParse(Array.isArray(asJson) ? asJson : [asJson]);
  if (!parsed.success) {
    throw new ToolError('The JSON ABI is malformed: it must be an array of entries that each have a "type"', {
      details: z.prettifyError(parsed.error),
    });
  }
  return parsed.data as unknown as Abi;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ToolError(`The ABI looks like JSON but does not parse: ${(error as Error).message}`);
  }
}

/** The function the call names, with its arguments encoded: throws what is wrong with either. */
export function checkedCall(abi: Abi, functionName: string, args: readonly unknown[]): AbiFunction {
  const functions = abi.filter((item): item is AbiFunction => item.type === 'function');
  const readable = functions.filter((item) => item.stateMutability === 'view' || item.stateMutability === 'pure');
  const list = readable.map((item) => toFunctionSignature(item)).join(', ') || 'none';
  const named = functions.filter((item) => item.name === functionName);
  if (named.length === 0) {
    throw new ToolError(`The ABI has no function '${functionName}'`, {
      hints: [`Give the function's name alone; the ABI's view and pure functions: ${list}.`],
    });
  }
  const item = getAbiItem({ abi: named, name: functionName, args: args as unknown[] }) as AbiFunction | undefined;
  if (!item) throw new ToolError(`No '${functionName}' in the ABI takes these arguments`);
  if (item.stateMutability !== 'view' && item.stateMutability !== 'pure') {
    throw new ToolError(
      `'${toFunctionSignature(item)}' is ${item.stateMutability}: it changes state, so it is not read`,
      {
        hints: [`This tool calls view and pure functions: ${list}.`],
      },
    );
  }
  try {
    encodeFunctionData({ abi: [item], functionName, args });
  } catch (error) {
    throw new ToolError(`Wrong arguments for ${toFunctionSignature(item)}: ${shortMessage(error)}`, {
      hints: ['Pass `args` as a JSON array in the order of the parameters; integers as decimal strings.'],
    });
  }
  return item;
}

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
      abi: z.union([z.string().min(1), z.array(z.unknown()).min(1)]).describe('JSON ABI or human-readable signatures'),
      function: z.string().min(1).max(200).describe('The function name, e.g. balanceOf'),
      args: z.array(z.unknown()).max(64).default([]).describe('Arguments in order'),
      chain_id: chainIdInput.optional(),
    }),
    annotations: { readOnlyHint: true, openWorldHint: true },
    run: async (input) => {
      const address = checkedAddress(input.address, 'address');
      const abi = parseAbiInput(input.abi);
      const item = checkedCall(abi, input.function, input.args);
      const chainId = checkedChain(input.chain_id ?? (await walletChain(wallet)));
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

async function walletChain(wallet: WalletService): Promise<number> {
  const status = await wallet.status();
  if (status.connected) return status.chain.id;
  throw new ToolError('Give chain_id: no wallet is connected, so there is no current chain to read from', {
    hints: ["Or connect a wallet in the Vial tab's Wallet view (#/wallet)."],
  });
}
