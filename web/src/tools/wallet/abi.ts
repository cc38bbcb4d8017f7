/**
 * ABIs as the wallet tools take them (JSON, or human-readable signatures) and the function a call
 * names, checked by encoding the call, so a wrong name or argument is refused before any RPC.
 */
import { encodeFunctionData, getAbiItem, parseAbi, toFunctionSignature, type Abi, type AbiFunction } from 'viem';
import { z } from 'zod';
import { ToolError } from '../../server/toolError.ts';

export const shortMessage = (error: unknown) =>
  (error as { shortMessage?: string }).shortMessage ?? (error as Error).message ?? String(error);

export const abiInput = z
  .union([z.string().min(1), z.array(z.unknown()).min(1)])
  .describe('JSON ABI or human-readable signatures');

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

const reads = (item: AbiFunction) => item.stateMutability === 'view' || item.stateMutability === 'pure';

/**
 * The function the call names, with its arguments encoded: throws what is wrong with either.
 * A `read` is of view and pure functions only; a `write` (a transaction) of the others, since a
 * transaction to a view function would pay gas for nothing.
 */
export function checkedCall(
  abi: Abi,
  functionName: string,
  args: readonly unknown[],
  purpose: 'read' | 'write',
): AbiFunction {
  const functions = abi.filter((item): item is AbiFunction => item.type === 'function');
  const fits = (item: AbiFunction) => reads(item) === (purpose === 'read');
  const kind = purpose === 'read' ? 'view and pure functions' : 'state-changing functions';
  const list =
    functions
      .filter(fits)
      .map((item) => toFunctionSignature(item))
      .join(', ') || 'none';
  const named = functions.filter((item) => item.name === functionName);
  if (named.length === 0) {
    throw new ToolError(`The ABI has no function '${functionName}'`, {
      hints: [`Give the function's name alone; the ABI's ${kind}: ${list}.`],
    });
  }
  const item = getAbiItem({ abi: named, name: functionName, args: args as unknown[] }) as AbiFunction | undefined;
  if (!item) throw new ToolError(`No '${functionName}' in the ABI takes these arguments`);
  if (!fits(item)) {
    const why =
      purpose === 'read'
        ? `is ${item.stateMutability}: it changes state, so it is not read`
        : `is ${item.stateMutability}: it changes nothing, so it is read (web3_read_contract), not sent`;
    throw new ToolError(`'${toFunctionSignature(item)}' ${why}`, { hints: [`This tool calls ${kind}: ${list}.`] });
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
